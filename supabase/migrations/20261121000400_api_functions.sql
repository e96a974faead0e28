-- The SQL API: the same functions serve the SQL editor, PostgREST RPC (named arguments,
-- so REST callers pass JSON) and the Python helpers. All are SECURITY INVOKER: callers
-- see exactly what their grants and RLS allow.

-- Canonical name or any alias -> model id; an unknown model is an error that names it.
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
    raise exception 'model must be a model name or alias, got %', coalesce(quote_literal(model), 'null')
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
    raise exception 'unknown model: %', model
      using errcode = 'no_data_found',
            hint = 'Use a canonical name from public.models or an alias from public.model_aliases.';
  end if;
  return found_id;
end;
$$;

-- The row rank_models returns: model_rankings' columns plus rank. A named type because
-- an argument (capabilities) shares its name with an output column.
create type public.ranked_model as (
  rank bigint,
  model_id bigint, name text, provider text, family text, model_type text,
  context_window integer, max_tokens integer, capabilities jsonb, open_weights boolean,
  release_date date, min_input_cost numeric, min_output_cost numeric, min_blended_cost numeric,
  provider_count bigint, has_free_tier boolean,
  coding_score numeric, reasoning_score numeric, math_score numeric, general_score numeric,
  coding_coverage bigint, reasoning_coverage bigint, math_coverage bigint,
  general_coverage bigint, benchmark_count bigint,
  cost_efficiency_score numeric, evidence_weight numeric, performance_score numeric,
  cost_credit numeric, coding_cost_credit numeric, reasoning_cost_credit numeric,
  math_cost_credit numeric, general_cost_credit numeric,
  composite_score numeric, coding_composite numeric, reasoning_composite numeric,
  math_composite numeric, general_composite numeric
);
comment on type public.ranked_model is
  'model_rankings columns plus rank. evidence_weight, performance_score, cost_credit and '
  'composite_score are those of the request: its category and weights.';

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
      quote_literal(category) using errcode = 'invalid_parameter_value';
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

-- Providers of one model and how a request would be spread across them, following
-- OpenRouter's documented default: skip providers with recent outages, then choose among
-- the rest at random weighted by 1 / price^2 (price = blended (3 x input + output) / 4).
-- Free-tier rows are rate-limited variants a caller opts into (OpenRouter's ":free"); they
-- are listed with probability 0 unless nothing paid is offered, in which case the free
-- rows share the traffic equally. A provider counts as having an outage when its recent
-- uptime is below 95%; if every provider is below, all stay eligible.
create or replace function public.provider_options(model text)
returns table (
  provider_name text,
  provider_id bigint,
  input_price_per_million numeric,
  output_price_per_million numeric,
  is_free_tier boolean,
  selection_probability numeric,
  provider_model_id text,
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
  select w.provider, w.pricing_id, w.input_price_per_million, w.output_price_per_million,
         w.is_free_tier,
         pg_catalog.round(w.weight / nullif(sum(w.weight) over (), 0), 12),
         w.provider_model_id, w.gateway, w.deployment, w.source,
         w.blended_price_per_million, w.uptime_pct
  from weighted w
  order by 6 desc, w.blended_price_per_million, w.provider, w.pricing_id;
$$;

-- USD cost of one request: at the named provider, or at the cheapest paid offer (free
-- offers only when nothing paid exists). Exact numeric arithmetic.
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
      raise exception 'estimate_cost: model % has no active price', model
        using errcode = 'no_data_found';
    end if;
    raise exception 'estimate_cost: model % has no active price at provider %', model, estimate_cost.provider
      using errcode = 'no_data_found',
            hint = (select 'Providers with a price: ' || coalesce(string_agg(distinct cp.provider, ', '), 'none')
                    from public.current_pricing cp where cp.model_id = target);
  end if;
  return cost;
end;
$$;

-- Adds one request to today's (UTC) row for the model and provider, atomically: the
-- upsert locks the row, so concurrent calls add up exactly.
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

-- Functions are executable by PUBLIC unless revoked: revoke, then grant exactly.
revoke all on function public.resolve_model(text) from public;
revoke all on function public.rank_models(text, numeric, numeric, numeric, integer, text[], integer) from public;
revoke all on function public.provider_options(text) from public;
revoke all on function public.estimate_cost(text, bigint, bigint, text) from public;
revoke all on function public.record_usage(text, text, bigint, bigint, numeric, integer, boolean) from public, anon, authenticated;

grant execute on function public.resolve_model(text) to anon, authenticated, service_role;
grant execute on function public.rank_models(text, numeric, numeric, numeric, integer, text[], integer)
  to anon, authenticated, service_role;
grant execute on function public.provider_options(text) to anon, authenticated, service_role;
grant execute on function public.estimate_cost(text, bigint, bigint, text)
  to anon, authenticated, service_role;
grant execute on function public.record_usage(text, text, bigint, bigint, numeric, integer, boolean)
  to service_role;
