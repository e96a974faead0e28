-- Faster model_rankings refresh (issue 12, item 9; issue 11, item 8): the same rows, less work.
--
-- Profile of 20261202000900's definition on bench/bench_database.py's 50k catalog (150k
-- offers, 100k benchmark rows; EXPLAIN (ANALYZE, BUFFERS), 5.1 s of a 5.4 s refresh; a
-- plain REFRESH costs the same, so CONCURRENTLY's diff is not the cost):
--   prices (source_offers -> current_pricing -> model_price_summary)   ~1.4 s
--   evidence (boards, categories, counts, seed; spilled to disk)          ~0.6 s
--   base inlined into shrunk and composed: each reference to
--     cost_efficiency_score, usage_factor and the price columns repeated
--     their expression in every score column                             ~1.0 s
--   the frontier: 14 window sorts over the 1,300-byte rows of composed    ~0.8 s
-- (JIT is not available on the embedded server: pg_jit_available() is false.)
--
-- What changes, nothing else:
-- 1. base is a MATERIALIZED CTE: its columns are computed once per model.
-- 2. The frontier's windows read only model_id, the blended price and the seven scores and
--    join their flags back by model_id: the same window definitions over 60-byte rows.
-- 3. refresh_model_rankings() runs with work_mem = 128MB (a SET clause of the function: it
--    holds for the refresh only and is restored on return): the sorts, hashes and CTEs of
--    the refresh stay in memory instead of spilling (about 100 MB at 50k models).
-- Same columns in the same order, same rows, same values (tests/test_rankings_refresh_speed.py
-- compares every row with 20261202000900's definition on an offline-synced catalog with
-- benchmark rows); the same indexes and grants; refresh_model_rankings() still refreshes
-- CONCURRENTLY (readers never wait), once per transaction through the same triggers.

-- rank_models reads model_rankings through dynamic SQL only: nothing else depends on it.
drop materialized view public.model_rankings;

create materialized view public.model_rankings as
with prices as (
  select * from llm_intel_private.model_price_summary(
    llm_intel_private.price_tiers(null, 'model_rankings'))
),
calibrated as (
  -- The rows rankings use: active, and per model, benchmark, metric and publisher the
  -- primary variant (benchmarks/writer.py's rule). A row entered by hand (no source) is
  -- its own leaderboard.
  select b.model_id, b.benchmark_category as category,
         coalesce(b.source, 'manual:' || b.benchmark_name) as board,
         coalesce((k.parameters ->> 'weight')::float8, 1) as weight,
         b.normalized_score,
         llm_intel_private.calibrated_logit(
           b.normalized_score, k.parameters,
           pg_catalog.ln(c.prior_score::float8 / (1 - c.prior_score::float8))) as z
  from public.benchmark_scores b
  cross join llm_intel_private.ranking_constants() c
  left join llm_intel_private.benchmark_calibration k
    on k.benchmark_name = b.benchmark_name and k.metric_type = b.metric_type
  where b.is_active and b.is_primary and b.normalized_score is not null
),
boards as (
  select model_id, category, board, sum(weight * z) / sum(weight) as z, count(*) as n
  from calibrated
  group by model_id, category, board
),
categories as (
  select model_id, category, avg(z) as mean_z, count(*) as n_boards
  from boards
  group by model_id, category
),
evidence as (
  select
    ct.model_id,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'coding'), 0) as coding_coverage,
    avg(ct.mean_z) filter (where ct.category = 'coding') as coding_mean,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'reasoning'), 0) as reasoning_coverage,
    avg(ct.mean_z) filter (where ct.category = 'reasoning') as reasoning_mean,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'math'), 0) as math_coverage,
    avg(ct.mean_z) filter (where ct.category = 'math') as math_mean,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'general'), 0) as general_coverage,
    avg(ct.mean_z) filter (where ct.category = 'general') as general_mean,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'chat'), 0) as chat_coverage,
    avg(ct.mean_z) filter (where ct.category = 'chat') as chat_mean,
    coalesce(sum(ct.n_boards) filter (where ct.category = 'agentic'), 0) as agentic_coverage,
    avg(ct.mean_z) filter (where ct.category = 'agentic') as agentic_mean,
    count(*) as category_count,
    sum(ct.mean_z) as category_sum
  from categories ct
  group by ct.model_id
),
counts as (
  select model_id, sum(n) as benchmark_count, count(distinct board) as leaderboard_count
  from boards
  group by model_id
),
seed as (
  select model_id, avg(normalized_score) as seed_performance
  from calibrated
  group by model_id
),
usage as (
  -- The last `days` complete days: today's counters (still moving with every request)
  -- count from the next refresh on.
  select u.model_id, sum(u.total_requests) as requests,
         sum(u.success_count)::numeric / nullif(sum(u.total_requests), 0) as success_rate,
         sum(u.latency_ms_sum)::numeric / nullif(sum(u.total_requests), 0) as avg_response_ms
  from public.model_usage_stats u
  cross join llm_intel_private.usage_constants() uc
  where u.date < current_date and u.date >= current_date - uc.days
  group by u.model_id
),
-- Materialized: every column is computed once; inlined, shrunk and composed repeated
-- cost_efficiency_score, usage_factor and the price columns in each expression that reads them.
base as materialized (
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
    p.price_basis,
    coalesce(p.provider_count, 0) as provider_count,
    coalesce(p.has_free_tier, false) as has_free_tier,
    coalesce(p.has_subscription_access, false) as has_subscription_access,
    coalesce(e.coding_coverage, 0)::bigint as coding_coverage,
    e.coding_mean,
    coalesce(e.reasoning_coverage, 0)::bigint as reasoning_coverage,
    e.reasoning_mean,
    coalesce(e.math_coverage, 0)::bigint as math_coverage,
    e.math_mean,
    coalesce(e.general_coverage, 0)::bigint as general_coverage,
    e.general_mean,
    coalesce(e.chat_coverage, 0)::bigint as chat_coverage,
    e.chat_mean,
    coalesce(e.agentic_coverage, 0)::bigint as agentic_coverage,
    e.agentic_mean,
    coalesce(e.category_count, 0)::bigint as category_count,
    e.category_sum,
    coalesce(n.benchmark_count, 0)::bigint as benchmark_count,
    coalesce(n.leaderboard_count, 0)::bigint as leaderboard_count,
    round(coalesce(s.seed_performance, 0), 6) as seed_performance,
    -- A model with no token price gets no credit for cost and scores 0 for cost efficiency
    -- (never null: "order by cost_efficiency_score desc" lists priced models first).
    coalesce(llm_intel_private.cost_efficiency(p.min_blended_cost), 0) as cost_efficiency_score,
    us.requests as usage_requests,
    round(us.success_rate, 6) as usage_success_rate,
    round(us.avg_response_ms, 1) as usage_avg_response_ms,
    case when us.requests >= uc.min_requests
         then round(greatest(0::numeric, 1 - uc.success_weight * (1 - us.success_rate)
                    - uc.latency_weight * least(1::numeric, us.avg_response_ms / uc.latency_ms)), 6)
         else 1::numeric end as usage_factor,
    pg_catalog.ln(c.prior_score::float8 / (1 - c.prior_score::float8)) as prior_logit,
    c.prior_weight::float8 as k,
    c.prior_weight,
    c.cost_weight,
    c.performance_weight
  from public.models m
  cross join llm_intel_private.ranking_constants() c
  cross join llm_intel_private.usage_constants() uc
  left join evidence e on e.model_id = m.id
  left join counts n on n.model_id = m.id
  left join seed s on s.model_id = m.id
  left join usage us on us.model_id = m.id
  left join prices p on p.model_id = m.id
  where m.is_active
    and m.model_type in (select t.model_type from llm_intel_private.text_model_types t)
),
shrunk as (
  select
    base.*,
    llm_intel_private.logistic((coding_coverage * coalesce(coding_mean, 0) + k * prior_logit)
                               / (coding_coverage + k)) as coding_score,
    round(cost_efficiency_score * coding_coverage / (coding_coverage + prior_weight), 6)
      as coding_cost_credit,
    llm_intel_private.logistic((reasoning_coverage * coalesce(reasoning_mean, 0) + k * prior_logit)
                               / (reasoning_coverage + k)) as reasoning_score,
    round(cost_efficiency_score * reasoning_coverage / (reasoning_coverage + prior_weight), 6)
      as reasoning_cost_credit,
    llm_intel_private.logistic((math_coverage * coalesce(math_mean, 0) + k * prior_logit)
                               / (math_coverage + k)) as math_score,
    round(cost_efficiency_score * math_coverage / (math_coverage + prior_weight), 6)
      as math_cost_credit,
    llm_intel_private.logistic((general_coverage * coalesce(general_mean, 0) + k * prior_logit)
                               / (general_coverage + k)) as general_score,
    round(cost_efficiency_score * general_coverage / (general_coverage + prior_weight), 6)
      as general_cost_credit,
    llm_intel_private.logistic((chat_coverage * coalesce(chat_mean, 0) + k * prior_logit)
                               / (chat_coverage + k)) as chat_score,
    round(cost_efficiency_score * chat_coverage / (chat_coverage + prior_weight), 6)
      as chat_cost_credit,
    llm_intel_private.logistic((agentic_coverage * coalesce(agentic_mean, 0) + k * prior_logit)
                               / (agentic_coverage + k)) as agentic_score,
    round(cost_efficiency_score * agentic_coverage / (agentic_coverage + prior_weight), 6)
      as agentic_cost_credit,
    llm_intel_private.logistic((coalesce(category_sum, 0) + k * prior_logit)
                               / (category_count + k)) as performance_score,
    round(cost_efficiency_score * category_count / (category_count + prior_weight), 6)
      as cost_credit,
    round(category_count / (category_count + prior_weight), 6) as evidence_weight
  from base
),
composed as materialized (
  select
    shrunk.*,
    round((cost_weight * cost_credit + performance_weight * performance_score)
          * usage_factor, 6) as composite_score,
    round((cost_weight * coding_cost_credit + performance_weight * coding_score)
          * usage_factor, 6) as coding_composite,
    round((cost_weight * reasoning_cost_credit + performance_weight * reasoning_score)
          * usage_factor, 6) as reasoning_composite,
    round((cost_weight * math_cost_credit + performance_weight * math_score)
          * usage_factor, 6) as math_composite,
    round((cost_weight * general_cost_credit + performance_weight * general_score)
          * usage_factor, 6) as general_composite,
    round((cost_weight * chat_cost_credit + performance_weight * chat_score)
          * usage_factor, 6) as chat_composite,
    round((cost_weight * agentic_cost_credit + performance_weight * agentic_score)
          * usage_factor, 6) as agentic_composite,
    llm_intel_private.seed_score(min_input_cost, seed_performance) as seed_score
  from shrunk
),
frontier_a as (
  -- On the frontier: no other priced model is both cheaper (blended) and better. In the
  -- order (price, score desc), a model is dominated when a strictly cheaper model scores
  -- at least as much (the running max before its price group, _p: the group's minimum of
  -- the max over preceding rows) or a model at its price scores more (the group max, _g).
  -- The windows of 20261202000900, over only the columns they read (about 60 bytes a row
  -- instead of 1,300: each sort moves that much less); flags joins back by model_id.
  select
    model_id, min_blended_cost, performance_score, coding_score, reasoning_score,
    math_score, general_score, chat_score, agentic_score,
    coalesce(max(performance_score) over (order by min_blended_cost, performance_score desc
      rows between unbounded preceding and 1 preceding), -1) as overall_p,
    max(performance_score) over (partition by min_blended_cost) as overall_g,
    coalesce(max(coding_score) over (order by min_blended_cost, coding_score desc
      rows between unbounded preceding and 1 preceding), -1) as coding_p,
    max(coding_score) over (partition by min_blended_cost) as coding_g,
    coalesce(max(reasoning_score) over (order by min_blended_cost, reasoning_score desc
      rows between unbounded preceding and 1 preceding), -1) as reasoning_p,
    max(reasoning_score) over (partition by min_blended_cost) as reasoning_g,
    coalesce(max(math_score) over (order by min_blended_cost, math_score desc
      rows between unbounded preceding and 1 preceding), -1) as math_p,
    max(math_score) over (partition by min_blended_cost) as math_g,
    coalesce(max(general_score) over (order by min_blended_cost, general_score desc
      rows between unbounded preceding and 1 preceding), -1) as general_p,
    max(general_score) over (partition by min_blended_cost) as general_g,
    coalesce(max(chat_score) over (order by min_blended_cost, chat_score desc
      rows between unbounded preceding and 1 preceding), -1) as chat_p,
    max(chat_score) over (partition by min_blended_cost) as chat_g,
    coalesce(max(agentic_score) over (order by min_blended_cost, agentic_score desc
      rows between unbounded preceding and 1 preceding), -1) as agentic_p,
    max(agentic_score) over (partition by min_blended_cost) as agentic_g
  from composed
),
flags as (
  select
    model_id,
    coalesce(min_blended_cost is not null and performance_score = overall_g
      and performance_score > coalesce(min(overall_p) over (partition by min_blended_cost), -1),
      false) as on_pareto_frontier,
    coalesce(min_blended_cost is not null and coding_score = coding_g
      and coding_score > coalesce(min(coding_p) over (partition by min_blended_cost), -1),
      false) as coding_on_frontier,
    coalesce(min_blended_cost is not null and reasoning_score = reasoning_g
      and reasoning_score > coalesce(min(reasoning_p) over (partition by min_blended_cost), -1),
      false) as reasoning_on_frontier,
    coalesce(min_blended_cost is not null and math_score = math_g
      and math_score > coalesce(min(math_p) over (partition by min_blended_cost), -1),
      false) as math_on_frontier,
    coalesce(min_blended_cost is not null and general_score = general_g
      and general_score > coalesce(min(general_p) over (partition by min_blended_cost), -1),
      false) as general_on_frontier,
    coalesce(min_blended_cost is not null and chat_score = chat_g
      and chat_score > coalesce(min(chat_p) over (partition by min_blended_cost), -1),
      false) as chat_on_frontier,
    coalesce(min_blended_cost is not null and agentic_score = agentic_g
      and agentic_score > coalesce(min(agentic_p) over (partition by min_blended_cost), -1),
      false) as agentic_on_frontier
  from frontier_a
),
frontier as (
  select composed.*, flags.on_pareto_frontier, flags.coding_on_frontier,
         flags.reasoning_on_frontier, flags.math_on_frontier, flags.general_on_frontier,
         flags.chat_on_frontier, flags.agentic_on_frontier
  from composed
  join flags on flags.model_id = composed.model_id
)
select
  model_id,
  name,
  provider,
  model_family,
  model_type,
  context_window,
  max_tokens,
  capabilities,
  open_weights,
  release_date,
  min_input_cost,
  min_output_cost,
  min_blended_cost,
  provider_count,
  has_free_tier,
  coding_score,
  reasoning_score,
  math_score,
  general_score,
  chat_score,
  agentic_score,
  coding_coverage,
  reasoning_coverage,
  math_coverage,
  general_coverage,
  chat_coverage,
  agentic_coverage,
  benchmark_count,
  cost_efficiency_score,
  evidence_weight,
  performance_score,
  cost_credit,
  coding_cost_credit,
  reasoning_cost_credit,
  math_cost_credit,
  general_cost_credit,
  chat_cost_credit,
  agentic_cost_credit,
  composite_score,
  coding_composite,
  reasoning_composite,
  math_composite,
  general_composite,
  chat_composite,
  agentic_composite,
  price_basis,
  has_subscription_access,
  category_count,
  leaderboard_count,
  on_pareto_frontier,
  coding_on_frontier,
  reasoning_on_frontier,
  math_on_frontier,
  general_on_frontier,
  chat_on_frontier,
  agentic_on_frontier,
  seed_performance,
  seed_score,
  usage_requests,
  usage_success_rate,
  usage_avg_response_ms,
  usage_factor
from frontier
with data;

create unique index model_rankings_model_id_key on public.model_rankings (model_id);
create index model_rankings_name_idx on public.model_rankings (name);
-- Default weights read the top N from these; ties go to more evidence, then to the model
-- more providers serve.
create index model_rankings_composite_idx on public.model_rankings
  (composite_score desc, category_count desc, provider_count desc, model_id);
create index model_rankings_seed_idx on public.model_rankings
  (seed_score desc nulls last, provider_count desc, model_id);
-- Other weights bound the N-th score from these (rank_models).
create index model_rankings_performance_idx on public.model_rankings (performance_score desc);
create index model_rankings_cost_credit_idx on public.model_rankings (cost_credit desc);
create index model_rankings_coding_idx on public.model_rankings
  (coding_composite desc, coding_coverage desc, provider_count desc, model_id);
create index model_rankings_coding_score_idx on public.model_rankings (coding_score desc);
create index model_rankings_coding_credit_idx on public.model_rankings (coding_cost_credit desc);
create index model_rankings_reasoning_idx on public.model_rankings
  (reasoning_composite desc, reasoning_coverage desc, provider_count desc, model_id);
create index model_rankings_reasoning_score_idx on public.model_rankings (reasoning_score desc);
create index model_rankings_reasoning_credit_idx on public.model_rankings (reasoning_cost_credit desc);
create index model_rankings_math_idx on public.model_rankings
  (math_composite desc, math_coverage desc, provider_count desc, model_id);
create index model_rankings_math_score_idx on public.model_rankings (math_score desc);
create index model_rankings_math_credit_idx on public.model_rankings (math_cost_credit desc);
create index model_rankings_general_idx on public.model_rankings
  (general_composite desc, general_coverage desc, provider_count desc, model_id);
create index model_rankings_general_score_idx on public.model_rankings (general_score desc);
create index model_rankings_general_credit_idx on public.model_rankings (general_cost_credit desc);
create index model_rankings_chat_idx on public.model_rankings
  (chat_composite desc, chat_coverage desc, provider_count desc, model_id);
create index model_rankings_chat_score_idx on public.model_rankings (chat_score desc);
create index model_rankings_chat_credit_idx on public.model_rankings (chat_cost_credit desc);
create index model_rankings_agentic_idx on public.model_rankings
  (agentic_composite desc, agentic_coverage desc, provider_count desc, model_id);
create index model_rankings_agentic_score_idx on public.model_rankings (agentic_score desc);
create index model_rankings_agentic_credit_idx on public.model_rankings (agentic_cost_credit desc);

revoke all on table public.model_rankings from anon, authenticated;
grant select on table public.model_rankings to anon, authenticated, service_role;

-- As in 20261121000300, plus work_mem for the refresh (restored when the function returns).
create or replace function public.refresh_model_rankings()
returns void
language plpgsql
security definer
set search_path = ''
set work_mem = '128MB'
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

revoke all on function public.refresh_model_rankings() from public, anon, authenticated;
grant execute on function public.refresh_model_rankings() to service_role;
