-- The seed's first example runs as written and returns sensible rows (issue 10, item 2):
--   SELECT name, provider, cost_efficiency_score, has_free_tier FROM model_rankings
--   ORDER BY cost_efficiency_score DESC LIMIT 10;
-- cost_efficiency_score was null for a model with no token price (image, audio and other
-- per-unit models), and a descending order puts nulls first: the example listed ten image
-- models with no score. It is now 0 for them, as their cost credit already was; whether a
-- model has a token price is still read from min_input_cost (null).
--
-- A materialized view's query cannot be altered: model_rankings is dropped and created
-- again, the same in every other column, with its indexes and grants. Nothing depends on
-- it but function bodies (text, unaffected) and the refresh machinery, which refreshes it
-- by name. It is created with data, so readers see current rankings right away.

drop materialized view public.model_rankings;

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
    count(distinct cp.provider_name) as provider_count,
    bool_or(cp.is_free_tier) as has_free_tier
  from public.current_pricing cp
  group by cp.model_id
),
evidence as (
  select
    b.model_id,
    count(*) filter (where b.benchmark_category = 'coding') as coding_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'coding') as coding_mean,
    count(*) filter (where b.benchmark_category = 'reasoning') as reasoning_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'reasoning') as reasoning_mean,
    count(*) filter (where b.benchmark_category = 'math') as math_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'math') as math_mean,
    count(*) filter (where b.benchmark_category = 'general') as general_n,
    avg(b.normalized_score) filter (where b.benchmark_category = 'general') as general_mean
  from public.benchmark_scores b
  group by b.model_id
),
base as (
  select
    m.id as model_id,
    m.name,
    m.provider,
    m.model_family,
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
    -- A model with no token price gets no credit for cost, and scores 0 for cost
    -- efficiency: never null, so "order by cost_efficiency_score desc" lists priced
    -- models first (descending order puts nulls first). min_input_cost stays null.
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_for_credit,
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_efficiency_score,
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
  model_id, name, provider, model_family, model_type, context_window, max_tokens, capabilities,
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
