-- Rankings: one row per model, computed in SQL and nowhere else.
--
-- Method (see README "Ranking"):
-- * Price: USD per million tokens. Blended = (3 x input + output) / 4, the Artificial
--   Analysis convention; an unknown output price counts as the input price. Minimums are
--   over paid rows; a model served only for free has minimum 0.
-- * Cost efficiency on a log scale between fixed anchors ($0.01 -> 1, $100 -> 0), so adding
--   a model never moves another model's score.
-- * Benchmarks arrive normalized 0..1 (benchmark_scores.normalized_score). Per category the
--   mean is shrunk toward a conservative prior: (n x mean + k x prior) / (n + k). Missing
--   evidence scores the prior, never a perfect and never a zero.
-- * performance = mean of the four category scores.
-- * Cost credit counts in proportion to the evidence behind the performance score,
--   evidence_weight = n / (n + k) over all benchmarks: a model nobody has measured earns
--   no credit for being cheap, so price alone never tops the table (the seed's formula
--   ranked a free model with no benchmark data first).
--   cost_credit = cost_efficiency x evidence_weight;
--   composite = 0.4 x cost_credit + 0.6 x performance (and the same per category).

-- One row per (model, provider, gateway, deployment, free/paid): the preferred source's
-- price where several sources report the same offer.
create view public.current_pricing
with (security_invoker = true) as
select distinct on (p.model_id, p.provider, p.gateway, p.deployment, p.is_free_tier)
  p.id as pricing_id,
  p.model_id,
  p.provider,
  p.provider_model_id,
  p.gateway,
  p.deployment,
  p.source,
  p.input_price_per_million,
  coalesce(p.output_price_per_million, p.input_price_per_million) as output_price_per_million,
  (3 * p.input_price_per_million
     + coalesce(p.output_price_per_million, p.input_price_per_million)) / 4
    as blended_price_per_million,
  p.cache_read_price_per_million,
  p.cache_write_price_per_million,
  p.is_free_tier,
  p.context_window,
  p.max_output_tokens,
  p.quantization,
  p.uptime_pct,
  p.latency_ms,
  p.throughput_tps,
  p.updated_at
from public.provider_pricing p
join public.price_sources s on s.source = p.source
where p.is_active
  and p.input_price_per_million is not null
order by p.model_id, p.provider, p.gateway, p.deployment, p.is_free_tier,
         s.priority, p.updated_at desc, p.id;

revoke all on table public.current_pricing from anon, authenticated;
grant select on table public.current_pricing to anon, authenticated, service_role;

-- The evidence prior of the method, in one place.
create or replace function llm_intel_private.ranking_constants(
  out prior_score numeric,
  out prior_weight numeric)
language sql
immutable
set search_path = ''
as $$
  select 0.10::numeric, 2::numeric;
$$;

-- Cost efficiency on a log scale between fixed anchors: $0.01 per million -> 1, $100 -> 0.
-- Written so the planner inlines it (no SET, no FROM): called per model on every refresh.
-- The logarithm is taken in float8 and the result rounded to 6 places.
create or replace function llm_intel_private.cost_efficiency(blended_price numeric)
returns numeric
language sql
immutable
parallel safe
return case
  when blended_price is null then null
  when blended_price <= 0.01 then 1::numeric
  else pg_catalog.round(greatest(0::float8, least(1::float8,
    pg_catalog.ln(100 / blended_price::float8) / pg_catalog.ln(100 / 0.01::float8)))::numeric, 6)
end;

create materialized view public.model_rankings as
with prices as (
  select
    cp.model_id,
    coalesce(min(cp.input_price_per_million) filter (where not cp.is_free_tier),
             min(cp.input_price_per_million)) as min_input_cost,
    coalesce(min(cp.output_price_per_million) filter (where not cp.is_free_tier),
             min(cp.output_price_per_million)) as min_output_cost,
    coalesce(min(cp.blended_price_per_million) filter (where not cp.is_free_tier),
             min(cp.blended_price_per_million)) as min_blended_cost,
    count(distinct cp.provider) as provider_count,
    bool_or(cp.is_free_tier) as has_free_tier
  from public.current_pricing cp
  group by cp.model_id
),
evidence as (
  select
    b.model_id,
    count(*) filter (where b.category = 'coding') as coding_n,
    avg(b.normalized_score) filter (where b.category = 'coding') as coding_mean,
    count(*) filter (where b.category = 'reasoning') as reasoning_n,
    avg(b.normalized_score) filter (where b.category = 'reasoning') as reasoning_mean,
    count(*) filter (where b.category = 'math') as math_n,
    avg(b.normalized_score) filter (where b.category = 'math') as math_mean,
    count(*) filter (where b.category = 'general') as general_n,
    avg(b.normalized_score) filter (where b.category = 'general') as general_mean
  from public.benchmark_scores b
  group by b.model_id
),
base as (
  select
    m.id as model_id,
    m.name,
    m.provider,
    m.family,
    m.model_type,
    m.context_window,
    m.max_tokens,
    m.capabilities,
    m.open_weights,
    m.release_date,
    p.min_input_cost,
    p.min_output_cost,
    p.min_blended_cost,
    coalesce(p.provider_count, 0) as provider_count,
    coalesce(p.has_free_tier, false) as has_free_tier,
    coalesce(e.coding_n, 0) as coding_coverage,
    coalesce(e.reasoning_n, 0) as reasoning_coverage,
    coalesce(e.math_n, 0) as math_coverage,
    coalesce(e.general_n, 0) as general_coverage,
    coalesce(e.coding_mean, 0) as coding_mean,
    coalesce(e.reasoning_mean, 0) as reasoning_mean,
    coalesce(e.math_mean, 0) as math_mean,
    coalesce(e.general_mean, 0) as general_mean,
    -- A model with no price gets no credit for cost.
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_for_credit,
    llm_intel_private.cost_efficiency(p.min_blended_cost) as cost_efficiency_score,
    c.prior_score,
    c.prior_weight
  from public.models m
  cross join llm_intel_private.ranking_constants() c
  left join evidence e on e.model_id = m.id
  left join prices p on p.model_id = m.id
  where m.is_active
),
shrunk as (
  select
    base.*,
    round((coding_coverage * coding_mean + prior_weight * prior_score)
          / (coding_coverage + prior_weight), 6) as coding_score,
    round((reasoning_coverage * reasoning_mean + prior_weight * prior_score)
          / (reasoning_coverage + prior_weight), 6) as reasoning_score,
    round((math_coverage * math_mean + prior_weight * prior_score)
          / (math_coverage + prior_weight), 6) as math_score,
    round((general_coverage * general_mean + prior_weight * prior_score)
          / (general_coverage + prior_weight), 6) as general_score,
    coding_coverage + reasoning_coverage + math_coverage + general_coverage as benchmark_count,
    -- Cost credit = cost efficiency x evidence, evidence = n / (n + k): overall from all
    -- benchmarks, per category from that category's.
    round(cost_for_credit * (coding_coverage + reasoning_coverage + math_coverage
                             + general_coverage)
          / (coding_coverage + reasoning_coverage + math_coverage + general_coverage
             + prior_weight), 6) as cost_credit,
    round(cost_for_credit * coding_coverage / (coding_coverage + prior_weight), 6)
      as coding_cost_credit,
    round(cost_for_credit * reasoning_coverage / (reasoning_coverage + prior_weight), 6)
      as reasoning_cost_credit,
    round(cost_for_credit * math_coverage / (math_coverage + prior_weight), 6)
      as math_cost_credit,
    round(cost_for_credit * general_coverage / (general_coverage + prior_weight), 6)
      as general_cost_credit,
    round((coding_coverage + reasoning_coverage + math_coverage + general_coverage)
          / (coding_coverage + reasoning_coverage + math_coverage + general_coverage
             + prior_weight), 6) as evidence_weight
  from base
),
scored as (
  select
    shrunk.*,
    round((coding_score + reasoning_score + math_score + general_score) / 4, 6)
      as performance_score
  from shrunk
)
select
  model_id, name, provider, family, model_type, context_window, max_tokens, capabilities,
  open_weights, release_date, min_input_cost, min_output_cost, min_blended_cost,
  provider_count, has_free_tier,
  coding_score, reasoning_score, math_score, general_score,
  coding_coverage, reasoning_coverage, math_coverage, general_coverage, benchmark_count,
  cost_efficiency_score, evidence_weight, performance_score,
  cost_credit, coding_cost_credit, reasoning_cost_credit, math_cost_credit, general_cost_credit,
  -- Default weights (0.4 cost, 0.6 performance), overall and per category: stored and
  -- indexed so that rank_models with default weights reads the top N from an index.
  round(0.4 * cost_credit + 0.6 * performance_score, 6) as composite_score,
  round(0.4 * coding_cost_credit + 0.6 * coding_score, 6) as coding_composite,
  round(0.4 * reasoning_cost_credit + 0.6 * reasoning_score, 6) as reasoning_composite,
  round(0.4 * math_cost_credit + 0.6 * math_score, 6) as math_composite,
  round(0.4 * general_cost_credit + 0.6 * general_score, 6) as general_composite
from scored
with data;

create unique index model_rankings_model_id_key on public.model_rankings (model_id);
create index model_rankings_composite_idx
  on public.model_rankings (composite_score desc, provider_count desc, model_id);
create index model_rankings_coding_idx
  on public.model_rankings (coding_composite desc, provider_count desc, model_id);
create index model_rankings_reasoning_idx
  on public.model_rankings (reasoning_composite desc, provider_count desc, model_id);
create index model_rankings_math_idx
  on public.model_rankings (math_composite desc, provider_count desc, model_id);
create index model_rankings_general_idx
  on public.model_rankings (general_composite desc, provider_count desc, model_id);
create index model_rankings_name_idx on public.model_rankings (name);

revoke all on table public.model_rankings from anon, authenticated;
grant select on table public.model_rankings to anon, authenticated, service_role;

-- Trigger-driven refresh, once per transaction: statement triggers on the inputs file one
-- request per transaction (on conflict do nothing fires no further row trigger), and a
-- deferred constraint trigger on that request refreshes at commit. A bulk upsert of
-- thousands of rows therefore refreshes once, after all its statements.
create table llm_intel_private.rankings_refresh_state (
  id boolean primary key default true,
  refresh_count bigint not null default 0,
  last_refreshed_at timestamptz,
  last_duration_ms numeric,
  -- Set instead of refreshing when a session defers (see request_rankings_refresh).
  stale boolean not null default false,
  constraint rankings_refresh_state_single_row check (id)
);
insert into llm_intel_private.rankings_refresh_state default values;

create table llm_intel_private.rankings_refresh_requests (
  xact_id xid8 primary key,
  requested_at timestamptz not null default now()
);

create or replace function public.refresh_model_rankings()
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  started timestamptz := pg_catalog.clock_timestamp();
begin
  -- CONCURRENTLY: readers keep the old rows until the new ones are complete.
  refresh materialized view concurrently public.model_rankings;
  update llm_intel_private.rankings_refresh_state
     set refresh_count = refresh_count + 1,
         stale = false,
         last_refreshed_at = pg_catalog.now(),
         last_duration_ms = extract(epoch from pg_catalog.clock_timestamp() - started) * 1000;
end;
$$;

-- Only statements that really changed rows ask for a refresh: an upsert whose rows were
-- all unchanged (ON CONFLICT ... WHERE ... IS DISTINCT FROM) leaves the view alone.
-- A session that writes several transactions in a row (a sync of all sources) may set
-- llm_intel.defer_rankings_refresh = on: its changes then only mark the view stale, and
-- it calls refresh_model_rankings() once at the end.
create or replace function llm_intel_private.request_rankings_refresh()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from changed_rows) then
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

create or replace function llm_intel_private.refresh_rankings_at_commit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform public.refresh_model_rankings();
  delete from llm_intel_private.rankings_refresh_requests where xact_id = new.xact_id;
  return null;
end;
$$;

create constraint trigger rankings_refresh_at_commit
  after insert on llm_intel_private.rankings_refresh_requests
  deferrable initially deferred
  for each row execute function llm_intel_private.refresh_rankings_at_commit();

create trigger models_inserts_request_refresh after insert on public.models
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger models_updates_request_refresh after update on public.models
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger models_deletes_request_refresh after delete on public.models
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

create trigger provider_pricing_inserts_request_refresh after insert on public.provider_pricing
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger provider_pricing_updates_request_refresh after update on public.provider_pricing
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger provider_pricing_deletes_request_refresh after delete on public.provider_pricing
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

create trigger benchmark_scores_inserts_request_refresh after insert on public.benchmark_scores
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger benchmark_scores_updates_request_refresh after update on public.benchmark_scores
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger benchmark_scores_deletes_request_refresh after delete on public.benchmark_scores
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

create trigger price_sources_inserts_request_refresh after insert on public.price_sources
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger price_sources_updates_request_refresh after update on public.price_sources
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger price_sources_deletes_request_refresh after delete on public.price_sources
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

alter table llm_intel_private.rankings_refresh_state enable row level security;
alter table llm_intel_private.rankings_refresh_requests enable row level security;
revoke all on table llm_intel_private.rankings_refresh_state from public;
revoke all on table llm_intel_private.rankings_refresh_requests from public;
grant select on table llm_intel_private.rankings_refresh_state to service_role;

revoke all on function public.refresh_model_rankings() from public, anon, authenticated;
grant execute on function public.refresh_model_rankings() to service_role;
revoke all on function llm_intel_private.request_rankings_refresh() from public;
revoke all on function llm_intel_private.refresh_rankings_at_commit() from public;
revoke all on function llm_intel_private.ranking_constants() from public;
-- rank_models runs as its caller and reads the method's constants.
grant usage on schema llm_intel_private to anon, authenticated;
grant execute on function llm_intel_private.ranking_constants() to anon, authenticated, service_role;
revoke all on function llm_intel_private.cost_efficiency(numeric) from public;
