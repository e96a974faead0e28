-- The seed's column names as the only names (issue 10, item 1). Renamed in place: existing
-- databases keep every row, and the columns the seed does not list stay as they are.
--
-- One vocabulary (README "Glossary"):
--   provider       in models and model_rankings: who made the model (the author).
--   provider_name  in provider_pricing, price_changes, model_usage_stats, current_pricing
--                  and the SQL API: who serves it.
--   provider_id    the model id to send to that provider (text). A pricing row's own id,
--                  where one is needed, is pricing_id.
--
--   models:            family -> model_family
--   provider_pricing:  provider -> provider_name, provider_model_id -> provider_id,
--                      metadata -> provider_metadata
--   benchmark_scores:  benchmark -> benchmark_name, category -> benchmark_category,
--                      metric -> metric_type, raw_score -> score, measured_on -> test_date,
--                      source -> source_organization, verified -> is_verified
--   model_usage_stats: provider -> provider_name, day -> date, request_count ->
--                      total_requests, input_tokens -> total_input_tokens, output_tokens ->
--                      total_output_tokens, avg_latency_ms -> avg_response_time_ms; a new
--                      identity id is the primary key, (model_id, provider_name, date)
--                      stays unique
--   price_changes:     provider -> provider_name, provider_model_id -> provider_id
--   current_pricing, model_rankings, ranked_model: the same renames
--
-- Views, the materialized view, generated columns, CHECK constraints and indexes store
-- parsed expressions, which follow a rename by themselves. Function bodies are text: every
-- function that names a renamed column is recreated below, with its behaviour unchanged
-- (EXECUTE over transition tables, NaN checks, echoed input cut, the same grants).
-- Constraint names carry the column they guard, so they are renamed too.

-- 1. Tables.

alter table public.models rename column family to model_family;

alter table public.provider_pricing rename column provider to provider_name;
alter table public.provider_pricing rename column provider_model_id to provider_id;
alter table public.provider_pricing rename column metadata to provider_metadata;
alter table public.provider_pricing
  rename constraint provider_pricing_provider_not_blank to provider_pricing_provider_name_not_blank;
alter table public.provider_pricing
  rename constraint provider_pricing_metadata_is_object
  to provider_pricing_provider_metadata_is_object;
comment on column public.provider_pricing.provider_name is
  'Who serves the model: a provider slug in LiteLLM''s vocabulary (openai, anthropic, bedrock, '
  'azure, vertex_ai, deepinfra, openrouter, ...). Not the author (that is models.provider).';
comment on column public.provider_pricing.provider_id is
  'The model id to send to that provider (anthropic/claude-3.5-sonnet at OpenRouter, '
  'us.anthropic.claude-...-v1:0 at Bedrock). The row''s own id is id (pricing_id elsewhere).';

alter table public.benchmark_scores rename column benchmark to benchmark_name;
alter table public.benchmark_scores rename column category to benchmark_category;
alter table public.benchmark_scores rename column metric to metric_type;
alter table public.benchmark_scores rename column raw_score to score;
alter table public.benchmark_scores rename column measured_on to test_date;
alter table public.benchmark_scores rename column source to source_organization;
alter table public.benchmark_scores rename column verified to is_verified;
alter table public.benchmark_scores
  rename constraint benchmark_scores_category_valid to benchmark_scores_benchmark_category_valid;
alter table public.benchmark_scores
  rename constraint benchmark_scores_raw_score_finite to benchmark_scores_score_finite;

alter table public.model_usage_stats rename column provider to provider_name;
alter table public.model_usage_stats rename column day to date;
alter table public.model_usage_stats rename column request_count to total_requests;
alter table public.model_usage_stats rename column input_tokens to total_input_tokens;
alter table public.model_usage_stats rename column output_tokens to total_output_tokens;
alter table public.model_usage_stats rename column avg_latency_ms to avg_response_time_ms;
alter table public.model_usage_stats
  rename constraint model_usage_stats_request_count_valid to model_usage_stats_total_requests_valid;
alter table public.model_usage_stats
  rename constraint model_usage_stats_input_tokens_valid
  to model_usage_stats_total_input_tokens_valid;
alter table public.model_usage_stats
  rename constraint model_usage_stats_output_tokens_valid
  to model_usage_stats_total_output_tokens_valid;
-- The seed's id as the primary key; one row per model, serving provider and UTC day stays
-- the rule record_usage's upsert relies on. Existing rows get ids in this statement.
alter table public.model_usage_stats drop constraint model_usage_stats_pkey;
alter table public.model_usage_stats
  add column id bigint generated always as identity,
  add constraint model_usage_stats_pkey primary key (id),
  add constraint model_usage_stats_model_id_provider_name_date_key
    unique (model_id, provider_name, date);
comment on column public.model_usage_stats.total_requests is
  'Sums (total_*, success_count, latency_ms_sum) are the stored truth: concurrent '
  'record_usage calls add exactly. success_rate and avg_response_time_ms derive from them.';

alter table public.price_changes rename column provider to provider_name;
alter table public.price_changes rename column provider_model_id to provider_id;

-- 2. Views and types. The stored queries follow the table renames; the output names are
-- renamed here. Indexes of model_rankings (the unique one REFRESH CONCURRENTLY needs
-- included) are unaffected: none is on model_family.
alter view public.current_pricing rename column provider to provider_name;
alter view public.current_pricing rename column provider_model_id to provider_id;
alter materialized view public.model_rankings rename column family to model_family;
alter type public.ranked_model rename attribute family to model_family;

-- 3. Price history, per statement, planned per call (see 20261202000100).

create or replace function llm_intel_private.record_inserted_prices()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- EXECUTE: planned for new_rows' real size on every call.
  execute $q$
    insert into public.price_changes (
      pricing_id, model_id, model_name, provider_name, provider_id, gateway, deployment,
      source, change_type,
      new_input_price_per_million, new_output_price_per_million,
      new_cache_read_price_per_million, new_cache_write_price_per_million)
    select n.id, n.model_id, m.name, n.provider_name, n.provider_id, n.gateway,
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
  -- from a zero-row update joined old_rows to new_rows by nested loop.
  execute $q$
    insert into public.price_changes (
      pricing_id, model_id, model_name, provider_name, provider_id, gateway, deployment,
      source, change_type,
      old_input_price_per_million, new_input_price_per_million,
      old_output_price_per_million, new_output_price_per_million,
      old_cache_read_price_per_million, new_cache_read_price_per_million,
      old_cache_write_price_per_million, new_cache_write_price_per_million)
    select n.id, n.model_id, m.name, n.provider_name, n.provider_id, n.gateway,
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

-- The notification: a bounded hint. Payload, always valid JSON:
--   {"id": <price_changes.id>, "change_type": "insert"|"update", "pricing_id": <id>,
--    "model_id": <id>, "model": <name>, "provider_name": <who serves it>,
--    "source": <source>, "changed_at": <timestamptz>}
-- Text fields are cut to 64 characters (plus '…'), so the payload stays under 1.5 kB.
-- Consumers must not trust it (any session can NOTIFY): they read the row by id.
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
      || ',"provider_name":' || pg_catalog.to_json(llm_intel_private.clip(c.provider_name, 64))
      || ',"source":' || pg_catalog.to_json(llm_intel_private.clip(c.source, 64))
      || ',"changed_at":' || pg_catalog.to_json(c.changed_at)
      || '}')
    from new_rows c
    order by c.id
  $q$;
  return null;
end;
$$;

-- 4. The SQL API.

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
           r.model_id, r.name, r.provider, r.model_family, r.model_type, r.context_window,
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

-- provider_options: its result columns change meaning (provider_id was the pricing row's
-- id, now it is the model id at that provider, as in the table), so it is dropped and
-- created again, with its grants.
drop function public.provider_options(text);

-- Providers of one model and how a request would be spread across them, following
-- OpenRouter's documented default: skip providers with recent outages, then choose among
-- the rest at random weighted by 1 / price^2 (price = blended (3 x input + output) / 4).
-- Free-tier rows are rate-limited variants a caller opts into (OpenRouter's ":free"); they
-- are listed with probability 0 unless nothing paid is offered, in which case the free
-- rows share the traffic equally. A provider counts as having an outage when its recent
-- uptime is below 95%; if every provider is below, all stay eligible.
create function public.provider_options(model text)
returns table (
  provider_name text,
  provider_id text,
  input_price_per_million numeric,
  output_price_per_million numeric,
  is_free_tier boolean,
  selection_probability numeric,
  pricing_id bigint,
  gateway text,
  deployment text,
  source text,
  blended_price_per_million numeric,
  uptime_pct numeric)
language sql
stable
set search_path = ''
as $$
  with offers as (
    select cp.*,
           (cp.uptime_pct is null or cp.uptime_pct >= 95) as healthy
    from public.current_pricing cp
    where cp.model_id = public.resolve_model(provider_options.model)
  ),
  pool as (
    -- Which rows share the traffic, in order of preference.
    select case
      when exists (select 1 from offers where not offers.is_free_tier and offers.healthy)
        then 'paid_healthy'
      when exists (select 1 from offers where not offers.is_free_tier) then 'paid'
      else 'free'
    end as kind
  ),
  weighted as (
    select o.*,
           case
             when p.kind = 'free' then 1::numeric
             when o.is_free_tier then 0::numeric
             when p.kind = 'paid_healthy' and not o.healthy then 0::numeric
             -- A paid offer priced at zero would take all traffic; floor it at $0.000001.
             else 1 / pg_catalog.power(greatest(o.blended_price_per_million, 0.000001), 2)
           end as weight
    from offers o cross join pool p
  )
  select w.provider_name, w.provider_id, w.input_price_per_million,
         w.output_price_per_million, w.is_free_tier,
         pg_catalog.round(w.weight / nullif(sum(w.weight) over (), 0), 12),
         w.pricing_id, w.gateway, w.deployment, w.source,
         w.blended_price_per_million, w.uptime_pct
  from weighted w
  order by 6 desc, w.blended_price_per_million, w.provider_name, w.pricing_id;
$$;

-- estimate_cost and record_usage: the serving-provider argument is provider_name now.
-- An argument's name cannot change in place: dropped, created again, granted as before.
drop function public.estimate_cost(text, bigint, bigint, text);

-- USD cost of one request: at the named provider, or at the cheapest paid offer (free
-- offers only when nothing paid exists). Exact numeric arithmetic. The numeric arguments
-- are bigint (no NaN or Infinity); echoed input is cut.
create function public.estimate_cost(
  model text,
  input_tokens bigint,
  output_tokens bigint,
  provider_name text default null)
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
                     and (estimate_cost.provider_name is null
                          or paid.provider_name = estimate_cost.provider_name))))
    into cost
  from public.current_pricing cp
  where cp.model_id = target
    and (estimate_cost.provider_name is null or cp.provider_name = estimate_cost.provider_name);

  if cost is null then
    if estimate_cost.provider_name is null then
      raise exception 'estimate_cost: model % has no active price', llm_intel_private.echo_arg(model)
        using errcode = 'no_data_found';
    end if;
    raise exception 'estimate_cost: model % has no active price at provider_name %',
      llm_intel_private.echo_arg(model), llm_intel_private.echo_arg(estimate_cost.provider_name)
      using errcode = 'no_data_found',
            hint = (select 'Providers with a price: '
                           || coalesce(string_agg(distinct cp.provider_name, ', '), 'none')
                    from public.current_pricing cp where cp.model_id = target);
  end if;
  return cost;
end;
$$;

drop function public.record_usage(text, text, bigint, bigint, numeric, integer, boolean);

-- Adds one request to today's (UTC) row for the model and serving provider, atomically:
-- the upsert locks the row, so concurrent calls add up exactly.
create function public.record_usage(
  model text,
  provider_name text,
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
  if record_usage.provider_name is null or pg_catalog.btrim(record_usage.provider_name) = '' then
    raise exception 'record_usage: provider_name must be given'
      using errcode = 'invalid_parameter_value';
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
    model_id, provider_name, date, total_requests, success_count, total_input_tokens,
    total_output_tokens, total_cost, latency_ms_sum)
  values (
    target, record_usage.provider_name, (pg_catalog.now() at time zone 'utc')::date, 1,
    case when success then 1 else 0 end, record_usage.input_tokens,
    record_usage.output_tokens, record_usage.cost, record_usage.latency_ms)
  on conflict on constraint model_usage_stats_model_id_provider_name_date_key do update set
    total_requests = s.total_requests + 1,
    success_count = s.success_count + excluded.success_count,
    total_input_tokens = s.total_input_tokens + excluded.total_input_tokens,
    total_output_tokens = s.total_output_tokens + excluded.total_output_tokens,
    total_cost = s.total_cost + excluded.total_cost,
    latency_ms_sum = s.latency_ms_sum + excluded.latency_ms_sum;
end;
$$;

-- Grants of the recreated functions, exactly as before: revoked from PUBLIC, then granted.
-- (create or replace keeps the grants of rank_models and the trigger functions.)
revoke all on function public.provider_options(text) from public;
grant execute on function public.provider_options(text) to anon, authenticated, service_role;
revoke all on function public.estimate_cost(text, bigint, bigint, text) from public;
grant execute on function public.estimate_cost(text, bigint, bigint, text)
  to anon, authenticated, service_role;
revoke all on function public.record_usage(text, text, bigint, bigint, numeric, integer, boolean)
  from public, anon, authenticated;
grant execute on function public.record_usage(text, text, bigint, bigint, numeric, integer, boolean)
  to service_role;
