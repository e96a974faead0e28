-- Reliability of the triggers and the SQL API (issue 9: defects 2, 3, 7, 8 and 11).
--
-- 1. Statement triggers stay linear in the rows they see, whatever ran before them in the
--    session. PL/pgSQL prepares a static statement once per session and keeps the plan;
--    for a statement over a transition table that plan is built for the table's size at
--    the first call. After a zero-row UPDATE it was a nested loop joining old_rows to
--    new_rows, reused for the next 84k-row deactivation: quadratic (1,742 s). Every
--    query over a transition table now runs through EXECUTE, which plans it on each call
--    for the transition table's real size (a hash join for thousands of rows, an index
--    lookup for a few). Planning costs well under a millisecond per statement, not per
--    row. The statements themselves are unchanged: one price_changes row per price insert
--    or real price change, one notification per price_changes row, the same errors.
-- 2. The notification is a hint, not the data. NOTIFY needs no privilege in Postgres: any
--    session (anon included) can send any payload on any channel with the NOTIFY
--    statement, so revoking pg_notify() would not stop a fake event (and on hosted
--    Supabase the migration role does not own pg_catalog's functions). The payload is now
--    small and bounded (the price_changes id and a few identifying fields, text cut to 64
--    characters), far below NOTIFY's 8,000-byte limit whatever the data: a 9,000-character
--    key no longer fails the write. A consumer reads the change itself from
--    public.price_changes, which only the catalog's writers can insert into, for example
--    with public.price_changes_since(last_seen_id): a forged hint that points to nothing
--    yields nothing.
-- 3. Every numeric argument of the SQL API rejects NaN and +/-Infinity with an error that
--    names the argument (numeric's NaN compares greater than every number, so "< 0" and
--    "<=" checks let it through and it poisoned scores or disabled filters).
-- 4. Input echoed in an error message is cut to 100 characters plus its length: a 1 MB
--    model name no longer comes back whole.

-- Text cut to max_chars characters, with '…' when cut. Inlinable (one SQL expression).
create or replace function llm_intel_private.clip(value text, max_chars integer)
returns text
language sql
immutable
parallel safe
return case
  when pg_catalog.length(value) <= max_chars then value
  else pg_catalog.left(value, max_chars) || '…'
end;

-- Caller input as echoed in an error message: at most 100 characters, and the length
-- when cut, so the message stays small and still says what was wrong.
create or replace function llm_intel_private.echo_arg(value text)
returns text
language sql
immutable
parallel safe
return case
  when pg_catalog.length(value) <= 100 then value
  else pg_catalog.left(value, 100) || '… (' || pg_catalog.length(value) || ' characters)'
end;

-- 1. Price history, per statement, planned per call.

create or replace function llm_intel_private.record_inserted_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- EXECUTE: planned for new_rows' real size on every call (see the header).
  execute $q$
    insert into public.price_changes (
      pricing_id, model_id, model_name, provider, provider_model_id, gateway, deployment,
      source, change_type,
      new_input_price_per_million, new_output_price_per_million,
      new_cache_read_price_per_million, new_cache_write_price_per_million)
    select n.id, n.model_id, m.name, n.provider, n.provider_model_id, n.gateway,
           n.deployment, n.source, 'insert',
           n.input_price_per_million, n.output_price_per_million,
           n.cache_read_price_per_million, n.cache_write_price_per_million
    from new_rows n
    join public.models m on m.id = n.model_id
  $q$;
  return null;
end;
$$;

create or replace function llm_intel_private.record_updated_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- EXECUTE: planned for the transition tables' real size on every call. A plan cached
  -- from a zero-row update joined old_rows to new_rows by nested loop (see the header).
  execute $q$
    insert into public.price_changes (
      pricing_id, model_id, model_name, provider, provider_model_id, gateway, deployment,
      source, change_type,
      old_input_price_per_million, new_input_price_per_million,
      old_output_price_per_million, new_output_price_per_million,
      old_cache_read_price_per_million, new_cache_read_price_per_million,
      old_cache_write_price_per_million, new_cache_write_price_per_million)
    select n.id, n.model_id, m.name, n.provider, n.provider_model_id, n.gateway,
           n.deployment, n.source, 'update',
           o.input_price_per_million, n.input_price_per_million,
           o.output_price_per_million, n.output_price_per_million,
           o.cache_read_price_per_million, n.cache_read_price_per_million,
           o.cache_write_price_per_million, n.cache_write_price_per_million
    from new_rows n
    join old_rows o on o.id = n.id
    join public.models m on m.id = n.model_id
    where (o.input_price_per_million, o.output_price_per_million,
           o.cache_read_price_per_million, o.cache_write_price_per_million)
          is distinct from
          (n.input_price_per_million, n.output_price_per_million,
           n.cache_read_price_per_million, n.cache_write_price_per_million)
  $q$;
  return null;
end;
$$;

-- 2. The notification: a bounded hint. Payload, always valid JSON:
--   {"id": <price_changes.id>, "change_type": "insert"|"update", "pricing_id": <id>,
--    "model_id": <id>, "model": <name>, "provider": <provider>, "source": <source>,
--    "changed_at": <timestamptz>}
-- Text fields are cut to 64 characters (plus '…'): at most 65 characters of at most
-- 6 JSON bytes each (\u00XX escapes), so the payload stays under 1.5 kB. Consumers must
-- not trust it: any session can NOTIFY this channel. They read the row by id.
create or replace function llm_intel_private.notify_price_changes()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- EXECUTE like the other transition-table triggers, so no plan outlives its call.
  -- pg_notify is evaluated after the sort: notifications go out in id order.
  execute $q$
    select pg_catalog.pg_notify(
      'llm_intel_price_changes',
      '{"id":' || c.id
      || ',"change_type":' || pg_catalog.to_json(c.change_type)
      || ',"pricing_id":' || c.pricing_id
      || ',"model_id":' || c.model_id
      || ',"model":' || pg_catalog.to_json(llm_intel_private.clip(c.model_name, 64))
      || ',"provider":' || pg_catalog.to_json(llm_intel_private.clip(c.provider, 64))
      || ',"source":' || pg_catalog.to_json(llm_intel_private.clip(c.source, 64))
      || ',"changed_at":' || pg_catalog.to_json(c.changed_at)
      || '}')
    from new_rows c
    order by c.id
  $q$;
  return null;
end;
$$;

-- What a consumer reads on a hint (or on a timer, or after reconnecting): the changes
-- after the last id it has seen, oldest first. Runs as the caller: anon and
-- authenticated read price_changes through its RLS policy; none of them can write it.
create or replace function public.price_changes_since(
  after_id bigint,
  max_rows integer default 1000)
returns setof public.price_changes
language plpgsql
stable
set search_path = ''
as $$
begin
  if after_id is null then
    raise exception 'price_changes_since: after_id must be given (0 for the oldest change)'
      using errcode = 'invalid_parameter_value';
  end if;
  if max_rows is null or max_rows < 1 or max_rows > 10000 then
    raise exception 'price_changes_since: max_rows must be between 1 and 10000, got %',
      coalesce(max_rows::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  return query
    select c.* from public.price_changes c
    where c.id > after_id
    order by c.id
    limit max_rows;
end;
$$;
comment on function public.price_changes_since(bigint, integer) is
  'Price changes with id > after_id, oldest first, at most max_rows (1..10000). Read this '
  'on a llm_intel_price_changes notification: the notification is only a hint.';

-- 1 (continued). The other transition-table triggers, planned per call the same way.
-- Their static plans could not turn quadratic (a scan of one transition table, or an
-- anti-join against five sources), but a plan made for a big first statement scanned
-- price_sources or every row for each later one; planning per call keeps the rule simple:
-- no statement over a transition table keeps a plan.
create or replace function llm_intel_private.check_price_sources()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  unknown text;
begin
  execute $q$
    select pg_catalog.string_agg(distinct n.source, ', ' order by n.source)
    from new_rows n
    where not exists (select 1 from public.price_sources s where s.source = n.source)
  $q$ into unknown;
  if unknown is not null then
    raise exception 'provider_pricing.source: unknown source(s) %',
      llm_intel_private.echo_arg(unknown)
      using errcode = 'foreign_key_violation',
            hint = 'Add the source to public.price_sources first.';
  end if;
  return null;
end;
$$;

create or replace function llm_intel_private.request_rankings_refresh()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed boolean;
begin
  execute 'select exists (select 1 from changed_rows)' into changed;
  if not changed then
    return null;
  end if;
  if pg_catalog.current_setting('llm_intel.defer_rankings_refresh', true) = 'on' then
    update llm_intel_private.rankings_refresh_state set stale = true where not stale;
  else
    insert into llm_intel_private.rankings_refresh_requests (xact_id)
    values (pg_catalog.pg_current_xact_id())
    on conflict do nothing;
  end if;
  return null;
end;
$$;

-- 3 and 4. The SQL API: finite numbers only, echoed input cut.

create or replace function public.resolve_model(model text)
returns bigint
language plpgsql
stable
set search_path = ''
as $$
declare
  found_id bigint;
begin
  if model is null or pg_catalog.btrim(model) = '' then
    raise exception 'model must be a model name or alias, got %',
      coalesce(quote_literal(llm_intel_private.echo_arg(model)), 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  select m.id into found_id from public.models m where m.name = model;
  if found_id is null then
    select a.model_id into found_id from public.model_aliases a where a.alias = model;
  end if;
  if found_id is null then
    -- Case-insensitive only when it is unambiguous.
    select min(a.model_id) into found_id
    from public.model_aliases a
    where pg_catalog.lower(a.alias) = pg_catalog.lower(model)
    having count(distinct a.model_id) = 1;
  end if;
  if found_id is null then
    raise exception 'unknown model: %', llm_intel_private.echo_arg(model)
      using errcode = 'no_data_found',
            hint = 'Use a canonical name from public.models or an alias from public.model_aliases.';
  end if;
  return found_id;
end;
$$;

create or replace function public.rank_models(
  category text default null,
  cost_weight numeric default 0.4,
  performance_weight numeric default 0.6,
  max_input_price numeric default null,
  min_context integer default null,
  capabilities text[] default null,
  max_results integer default 20)
returns setof public.ranked_model
language plpgsql
stable
set search_path = ''
as $$
declare
  cw numeric;
  pw numeric;
  perf_column text;
  credit_column text;
  coverage text;
  stored_order text;
begin
  if category is not null and category not in ('coding', 'reasoning', 'math', 'general') then
    raise exception 'rank_models: unknown category %, expected coding, reasoning, math or general',
      quote_literal(llm_intel_private.echo_arg(category)) using errcode = 'invalid_parameter_value';
  end if;
  -- NaN passes "< 0" (it sorts above every number) and Infinity makes the weights NaN:
  -- refuse both before any other check.
  if cost_weight in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: cost_weight must be a finite number, got %', cost_weight
      using errcode = 'invalid_parameter_value';
  end if;
  if performance_weight in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: performance_weight must be a finite number, got %',
      performance_weight using errcode = 'invalid_parameter_value';
  end if;
  if max_input_price in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: max_input_price must be a finite number or null, got %',
      max_input_price using errcode = 'invalid_parameter_value';
  end if;
  if cost_weight is null or cost_weight < 0 then
    raise exception 'rank_models: cost_weight must be >= 0, got %', coalesce(cost_weight::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if performance_weight is null or performance_weight < 0 then
    raise exception 'rank_models: performance_weight must be >= 0, got %',
      coalesce(performance_weight::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  if cost_weight + performance_weight = 0 then
    raise exception 'rank_models: cost_weight and performance_weight cannot both be 0'
      using errcode = 'invalid_parameter_value';
  end if;
  if max_results is null or max_results < 1 or max_results > 1000 then
    raise exception 'rank_models: max_results must be between 1 and 1000, got %',
      coalesce(max_results::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  if max_input_price < 0 then
    raise exception 'rank_models: max_input_price must be >= 0, got %', max_input_price
      using errcode = 'invalid_parameter_value';
  end if;
  if min_context < 0 then
    raise exception 'rank_models: min_context must be >= 0, got %', min_context
      using errcode = 'invalid_parameter_value';
  end if;

  cw := cost_weight / (cost_weight + performance_weight);
  pw := performance_weight / (cost_weight + performance_weight);
  -- Column names come from the validated category, never from free text.
  perf_column := coalesce(category || '_score', 'performance_score');
  credit_column := coalesce(category || '_cost_credit', 'cost_credit');
  coverage := coalesce(category || '_coverage', 'benchmark_count');
  -- With the default weights the stored (indexed) composite is the score, and the top N
  -- come from an index without scanning the view; other weights score every candidate.
  stored_order := case when cw = 0.4 and pw = 0.6
                       then 'r.' || coalesce(category || '_composite', 'composite_score') || ' desc'
                       else 'score desc' end;

  return query execute pg_catalog.format($q$
    with top as (
      select r.model_id, r.provider_count,
             pg_catalog.round($1 * r.%2$I + $2 * r.%1$I, 6) as score
      from public.model_rankings r
      -- Ranked: priced models that generate text. Embedding, rerank, image, audio and
      -- moderation models stay in model_rankings but are not candidates for a chat route.
      where r.min_input_cost is not null
        and r.model_type in ('chat', 'completion', 'responses')
        and ($3::numeric is null or r.min_input_cost <= $3)
        and ($4::integer is null or r.context_window >= $4)
        and ($5::text[] is null or not exists (
              select 1 from pg_catalog.unnest($5) wanted(capability)
              where coalesce(r.capabilities ->> wanted.capability, 'false') <> 'true'))
      -- Ties (common before benchmarks arrive) go to the more widely served model.
      order by %4$s, r.provider_count desc, r.model_id
      limit $6
    )
    select pg_catalog.row_number() over (
             order by top.score desc, top.provider_count desc, top.model_id),
           r.model_id, r.name, r.provider, r.family, r.model_type, r.context_window,
           r.max_tokens, r.capabilities, r.open_weights, r.release_date, r.min_input_cost,
           r.min_output_cost, r.min_blended_cost, r.provider_count, r.has_free_tier,
           r.coding_score, r.reasoning_score, r.math_score, r.general_score,
           r.coding_coverage, r.reasoning_coverage, r.math_coverage, r.general_coverage,
           r.benchmark_count, r.cost_efficiency_score,
           pg_catalog.round(r.%3$I::numeric / (r.%3$I + c.prior_weight), 6),
           r.%1$I, r.%2$I, r.coding_cost_credit, r.reasoning_cost_credit,
           r.math_cost_credit, r.general_cost_credit, top.score, r.coding_composite,
           r.reasoning_composite, r.math_composite, r.general_composite
    from top
    join public.model_rankings r on r.model_id = top.model_id
    cross join llm_intel_private.ranking_constants() c
    order by top.score desc, top.provider_count desc, top.model_id
  $q$, perf_column, credit_column, coverage, stored_order)
  using cw, pw, max_input_price, min_context, capabilities, max_results;
end;
$$;

-- estimate_cost's numeric arguments are bigint (no NaN or Infinity); what changes is the
-- echo of model and provider in its errors.
create or replace function public.estimate_cost(
  model text,
  input_tokens bigint,
  output_tokens bigint,
  provider text default null)
returns numeric
language plpgsql
stable
set search_path = ''
as $$
declare
  target bigint := public.resolve_model(model);
  cost numeric;
begin
  if input_tokens is null or input_tokens < 0 then
    raise exception 'estimate_cost: input_tokens must be >= 0, got %', coalesce(input_tokens::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if output_tokens is null or output_tokens < 0 then
    raise exception 'estimate_cost: output_tokens must be >= 0, got %', coalesce(output_tokens::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;

  select pg_catalog.trim_scale(min((input_tokens * cp.input_price_per_million
              + output_tokens * cp.output_price_per_million) / 1000000)
         filter (where not cp.is_free_tier or not exists (
                   select 1 from public.current_pricing paid
                   where paid.model_id = target and not paid.is_free_tier
                     and (estimate_cost.provider is null or paid.provider = estimate_cost.provider))))
    into cost
  from public.current_pricing cp
  where cp.model_id = target
    and (estimate_cost.provider is null or cp.provider = estimate_cost.provider);

  if cost is null then
    if estimate_cost.provider is null then
      raise exception 'estimate_cost: model % has no active price', llm_intel_private.echo_arg(model)
        using errcode = 'no_data_found';
    end if;
    raise exception 'estimate_cost: model % has no active price at provider %',
      llm_intel_private.echo_arg(model), llm_intel_private.echo_arg(estimate_cost.provider)
      using errcode = 'no_data_found',
            hint = (select 'Providers with a price: ' || coalesce(string_agg(distinct cp.provider, ', '), 'none')
                    from public.current_pricing cp where cp.model_id = target);
  end if;
  return cost;
end;
$$;

create or replace function public.record_usage(
  model text,
  provider text,
  input_tokens bigint,
  output_tokens bigint,
  cost numeric,
  latency_ms integer,
  success boolean)
returns void
language plpgsql
volatile
set search_path = ''
as $$
declare
  target bigint := public.resolve_model(model);
begin
  if provider is null or pg_catalog.btrim(provider) = '' then
    raise exception 'record_usage: provider must be given' using errcode = 'invalid_parameter_value';
  end if;
  if input_tokens is null or input_tokens < 0 or output_tokens is null or output_tokens < 0 then
    raise exception 'record_usage: input_tokens and output_tokens must be >= 0, got % and %',
      coalesce(input_tokens::text, 'null'), coalesce(output_tokens::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if cost in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'record_usage: cost must be a finite number, got %', cost
      using errcode = 'invalid_parameter_value';
  end if;
  if cost is null or not (cost between 0 and 1000000) then
    raise exception 'record_usage: cost must be between 0 and 1000000 USD, got %', coalesce(cost::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if latency_ms is null or latency_ms < 0 then
    raise exception 'record_usage: latency_ms must be >= 0, got %', coalesce(latency_ms::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if success is null then
    raise exception 'record_usage: success must be true or false' using errcode = 'invalid_parameter_value';
  end if;

  insert into public.model_usage_stats as s (
    model_id, provider, day, request_count, success_count, input_tokens, output_tokens,
    total_cost, latency_ms_sum)
  values (
    target, record_usage.provider, (pg_catalog.now() at time zone 'utc')::date, 1,
    case when success then 1 else 0 end, input_tokens, output_tokens, cost, latency_ms)
  on conflict on constraint model_usage_stats_pkey do update set
    request_count = s.request_count + 1,
    success_count = s.success_count + excluded.success_count,
    input_tokens = s.input_tokens + excluded.input_tokens,
    output_tokens = s.output_tokens + excluded.output_tokens,
    total_cost = s.total_cost + excluded.total_cost,
    latency_ms_sum = s.latency_ms_sum + excluded.latency_ms_sum;
end;
$$;

-- Grants. create or replace keeps the existing functions' grants; the new ones are
-- revoked from PUBLIC and granted exactly. The API functions run as their caller and
-- call echo_arg, so the public roles may execute it (it only shortens text).
revoke all on function llm_intel_private.clip(text, integer) from public;
revoke all on function llm_intel_private.echo_arg(text) from public;
grant execute on function llm_intel_private.echo_arg(text) to anon, authenticated, service_role;
revoke all on function public.price_changes_since(bigint, integer) from public;
grant execute on function public.price_changes_since(bigint, integer)
  to anon, authenticated, service_role;
