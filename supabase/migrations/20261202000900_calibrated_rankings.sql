-- Calibrated rankings (issue 12, items 3, 4 and 6): benchmarks of different difficulty on
-- one scale, category scores with coverage and a conservative prior, the seed's formula as
-- a preset, a Pareto frontier per category, usage stats as a documented adjustment, and
-- custom weights answered from indexes.
--
-- What stays as 20261202000500 made it: the price side of model_rankings (the pool of
-- current_pricing offers through model_price_summary, price_basis, has_free_tier /
-- has_subscription_access, text-generation models only, cost efficiency on a log scale),
-- the constants in ranking_constants(), the categories as rows referenced by
-- benchmark_scores, ranking_method(), the refresh machinery. What changes is the evidence:
--
-- 1. Categories chat (LMArena's human preference) and agentic (LiveBench's Agentic Coding)
--    join coding, reasoning, math and general; stored rows are re-labelled in place, as the
--    collectors now label them.
-- 2. llm_intel_private.benchmark_calibration: per benchmark and metric, an offset a and a
--    slope s on the logit scale (llm_intelligence/calibration.py fits them; `llm-intel
--    calibrate` writes them) and a weight (the fit's r^2, the benchmark's reliability).
--    A score x (normalized_score) maps to z = (logit(clip(x, 0.01, 0.99)) - a) / s, held
--    within [logit(prior), 6]. Nothing else moves z: adding a model moves nobody.
--    Shipped with the parameters fitted on the leaderboard snapshots of 2025-12/2026-01;
--    a benchmark without a row keeps the identity (a = 0, s = 1, weight 1).
-- 3. Evidence per category: the rows of one leaderboard are averaged (weighted), each
--    leaderboard counts once; the category's mean over leaderboards is shrunk toward the
--    prior logit(0.10) with weight prior_weight (0.25 of a leaderboard):
--    theta = (n x mean + 0.25 x logit(0.10)) / (n + 0.25); <category>_score =
--    1 / (1 + exp(-theta)); <category>_coverage = n (leaderboards). Overall: the same over
--    the covered categories' means (category_count). As z never falls below the prior, a
--    model with evidence never scores below one without.
-- 4. rank_models: preset ('default', 'seed'), max_price (blended), frontier_only; custom
--    weights read a bound from the indexes instead of scoring every candidate.

-- ---------------------------------------------------------------------------------------
-- 0. What is recreated below depends on these
-- ---------------------------------------------------------------------------------------
drop function public.rank_models(text, numeric, numeric, numeric, integer, text[], integer,
  text[]);
drop type public.ranked_model;
drop materialized view public.model_rankings;

-- ---------------------------------------------------------------------------------------
-- 1. Categories
-- ---------------------------------------------------------------------------------------
update llm_intel_private.ranking_categories
set description = 'Language and instruction following against ground truth (LiveBench Language, IF)'
where category = 'general';
insert into llm_intel_private.ranking_categories (category, position, description) values
  ('chat',    5, 'Human preference in open conversation (LMArena votes)'),
  ('agentic', 6, 'Multi-step work in a repository or tool loop (LiveBench Agentic Coding)');

-- Stored rows as the collectors now label them (benchmarks/sources/lmarena.py, livebench.py).
update public.benchmark_scores
set benchmark_category = 'chat'
where source = 'lmarena' and benchmark_category = 'general';
update public.benchmark_scores
set benchmark_category = 'agentic'
where source = 'livebench' and metadata ->> 'livebench_category' = 'Agentic Coding'
  and benchmark_category <> 'agentic';

-- The prior counts as a quarter of a leaderboard (was 2 benchmark rows): evidence is now
-- counted in leaderboards, and the prior is also the floor of every calibrated score.
create or replace function llm_intel_private.ranking_constants(
  out prior_score numeric,
  out prior_weight numeric,
  out cost_weight numeric,
  out performance_weight numeric)
language sql
immutable
set search_path = ''
as $$
  select 0.10::numeric, 0.25::numeric, 0.4::numeric, 0.6::numeric;
$$;

-- Usage stats adjust the score (model_rankings.usage_factor) for a model with at least
-- min_requests requests over the last `days` complete days: the score is multiplied by
-- 1 - success_weight x (1 - success_rate) - latency_weight x min(1, avg_ms / latency_ms).
-- (0.5, 0.1, 30 s: a model failing 10 % of requests loses 5 %, one answering in 30 s or
-- more loses 10 %.) Below min_requests nothing changes.
create function llm_intel_private.usage_constants(
  out min_requests bigint,
  out days integer,
  out success_weight numeric,
  out latency_weight numeric,
  out latency_ms numeric)
language sql
immutable
set search_path = ''
as $$
  select 100::bigint, 30, 0.5::numeric, 0.1::numeric, 30000::numeric;
$$;
revoke all on function llm_intel_private.usage_constants() from public;
grant execute on function llm_intel_private.usage_constants() to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- 2. Calibration parameters
-- ---------------------------------------------------------------------------------------
create table llm_intel_private.benchmark_calibration (
  benchmark_name text not null,
  metric_type text not null,
  -- {"offset": a, "slope": s, "weight": w, "rmse": ..., "r": ...}: only offset, slope and
  -- weight are read; the fit quality is kept for `llm-intel calibrate` to show.
  parameters jsonb not null default '{"offset": 0, "slope": 1, "weight": 1}'::jsonb,
  fitted_at timestamptz,
  n_models integer not null default 0,
  primary key (benchmark_name, metric_type),
  constraint benchmark_calibration_parameters_valid check (
    jsonb_typeof(parameters -> 'offset') = 'number'
    and jsonb_typeof(parameters -> 'slope') = 'number'
    and (parameters ->> 'slope')::numeric between 0.05 and 20
    and (parameters ->> 'offset')::numeric between -20 and 20
    and (not parameters ? 'weight' or (jsonb_typeof(parameters -> 'weight') = 'number'
         and (parameters ->> 'weight')::numeric between 0.01 and 10))),
  constraint benchmark_calibration_n_models_valid check (n_models >= 0)
);
comment on table llm_intel_private.benchmark_calibration is
  'Per benchmark and metric: the logit-scale offset and slope that put it on its category''s '
  'common scale, and its weight within its leaderboard. Written only by `llm-intel calibrate`.';

alter table llm_intel_private.benchmark_calibration enable row level security;
create policy benchmark_calibration_public_read on llm_intel_private.benchmark_calibration
  for select to anon, authenticated using (true);
revoke all on table llm_intel_private.benchmark_calibration from anon, authenticated;
grant select on table llm_intel_private.benchmark_calibration to anon, authenticated;
grant all on table llm_intel_private.benchmark_calibration to service_role;

-- Fitted on the shipped leaderboard snapshots (Aider 2025-10, LiveBench 2026-01-08,
-- LMArena 2025-12-11, EvalPlus 2024-12, BigCodeBench 2025-04); weight = r^2, at least 0.05.
insert into llm_intel_private.benchmark_calibration
  (benchmark_name, metric_type, parameters, fitted_at, n_models) values
  ('livebench-javascript', 'score', '{"offset": -0.359653, "slope": 0.920516, "rmse": 0.4253, "r": 0.9287, "weight": 0.8625}', '2026-01-08', 75),
  ('livebench-python', 'score', '{"offset": 0.834978, "slope": 0.979297, "rmse": 0.4038, "r": 0.942, "weight": 0.8874}', '2026-01-08', 75),
  ('livebench-typescript', 'score', '{"offset": -0.475325, "slope": 1.100187, "rmse": 0.2627, "r": 0.9786, "weight": 0.9577}', '2026-01-08', 74),
  ('lmarena-text-creative-writing', 'rating', '{"offset": -0.076564, "slope": 0.908382, "rmse": 0.1112, "r": 0.9854, "weight": 0.971}', '2026-01-08', 173),
  ('lmarena-text-expert', 'rating', '{"offset": -0.052843, "slope": 1.100839, "rmse": 0.1051, "r": 0.9901, "weight": 0.9803}', '2026-01-08', 162),
  ('lmarena-text-hard-prompts', 'rating', '{"offset": 0.039264, "slope": 1.031784, "rmse": 0.0588, "r": 0.9968, "weight": 0.9936}', '2026-01-08', 174),
  ('lmarena-text-instruction-following', 'rating', '{"offset": -0.056564, "slope": 0.976469, "rmse": 0.0424, "r": 0.9982, "weight": 0.9964}', '2026-01-08', 174),
  ('lmarena-text-longer-query', 'rating', '{"offset": 0.030689, "slope": 1.01335, "rmse": 0.0736, "r": 0.9946, "weight": 0.9892}', '2026-01-08', 170),
  ('lmarena-text-multi-turn', 'rating', '{"offset": 0.037917, "slope": 1.032221, "rmse": 0.0754, "r": 0.9947, "weight": 0.9894}', '2026-01-08', 173),
  ('lmarena-text-overall', 'rating', '{"offset": 0.078101, "slope": 0.936955, "rmse": 0.0528, "r": 0.9969, "weight": 0.9938}', '2026-01-08', 174),
  ('aider-polyglot', 'pass_rate_2', '{"offset": -3.486017, "slope": 2.866186, "rmse": 0.1395, "r": 0.9933, "weight": 0.9866}', '2026-01-08', 37),
  ('bigcodebench-complete', 'pass@1', '{"offset": 0.053136, "slope": 0.570941, "rmse": 0.1542, "r": 0.9585, "weight": 0.9187}', '2026-01-08', 52),
  ('bigcodebench-instruct', 'pass@1', '{"offset": -0.35672, "slope": 0.490168, "rmse": 0.1644, "r": 0.9192, "weight": 0.8449}', '2026-01-08', 44),
  ('humaneval', 'pass@1', '{"offset": 1.528864, "slope": 1.193963, "rmse": 0.1594, "r": 0.9912, "weight": 0.9825}', '2026-01-08', 43),
  ('humaneval-plus', 'pass@1', '{"offset": 1.070125, "slope": 1.041893, "rmse": 0.149, "r": 0.9899, "weight": 0.9799}', '2026-01-08', 43),
  ('livebench-code_completion', 'score', '{"offset": -0.623596, "slope": 0.973796, "rmse": 0.223, "r": 0.7937, "weight": 0.63}', '2026-01-08', 23),
  ('livebench-code_generation', 'score', '{"offset": -0.247513, "slope": 0.835605, "rmse": 0.1768, "r": 0.8161, "weight": 0.666}', '2026-01-08', 23),
  ('lmarena-text-coding', 'rating', '{"offset": -0.317033, "slope": 0.608533, "rmse": 0.1971, "r": 0.9603, "weight": 0.9222}', '2026-01-08', 94),
  ('mbpp', 'pass@1', '{"offset": 1.605366, "slope": 0.85636, "rmse": 0.2161, "r": 0.9664, "weight": 0.9339}', '2026-01-08', 36),
  ('mbpp-plus', 'pass@1', '{"offset": 0.773387, "slope": 0.562556, "rmse": 0.1591, "r": 0.9584, "weight": 0.9185}', '2026-01-08', 36),
  ('livebench-connections', 'score', '{"offset": 1.427495, "slope": 2.010659, "rmse": 0.6581, "r": 0.913, "weight": 0.8336}', '2026-01-08', 75),
  ('livebench-paraphrase', 'score', '{"offset": -0.697164, "slope": 1.092009, "rmse": 0.4191, "r": 0.8858, "weight": 0.7846}', '2026-01-08', 75),
  ('livebench-plot_unscrambling', 'score', '{"offset": -0.254802, "slope": 0.483124, "rmse": 0.4042, "r": 0.6587, "weight": 0.4339}', '2026-01-08', 75),
  ('livebench-simplify', 'score', '{"offset": -0.553218, "slope": 0.876838, "rmse": 0.3642, "r": 0.8699, "weight": 0.7567}', '2026-01-08', 75),
  ('livebench-story_generation', 'score', '{"offset": -0.433352, "slope": 1.094883, "rmse": 0.4034, "r": 0.8934, "weight": 0.7982}', '2026-01-08', 75),
  ('livebench-summarize', 'score', '{"offset": -0.342106, "slope": 0.963005, "rmse": 0.404, "r": 0.8678, "weight": 0.7531}', '2026-01-08', 75),
  ('livebench-typos', 'score', '{"offset": 0.853146, "slope": 0.479482, "rmse": 0.3852, "r": 0.6648, "weight": 0.442}', '2026-01-08', 74),
  ('livebench-amps_hard', 'score', '{"offset": 1.356515, "slope": 1.195397, "rmse": 0.5604, "r": 0.726, "weight": 0.5271}', '2026-01-08', 23),
  ('livebench-integrals_with_game', 'score', '{"offset": -3.062495, "slope": 1.907681, "rmse": 0.256, "r": 0.9652, "weight": 0.9316}', '2026-01-08', 23),
  ('livebench-math_comp', 'score', '{"offset": 0.70149, "slope": 1.137715, "rmse": 0.2848, "r": 0.8923, "weight": 0.7962}', '2026-01-08', 23),
  ('livebench-olympiad', 'score', '{"offset": 0.611301, "slope": 0.55715, "rmse": 0.4103, "r": 0.5578, "weight": 0.3111}', '2026-01-08', 23),
  ('lmarena-text-math', 'rating', '{"offset": 0.393189, "slope": 0.202056, "rmse": 0.1788, "r": 0.3765, "weight": 0.1418}', '2026-01-08', 23),
  ('livebench-consecutive_events', 'score', '{"offset": -2.5151, "slope": 1.824297, "rmse": 0.6962, "r": 0.9284, "weight": 0.8619}', '2026-01-08', 75),
  ('livebench-logic_with_navigation', 'score', '{"offset": -0.261979, "slope": 0.680788, "rmse": 0.5774, "r": 0.7473, "weight": 0.5585}', '2026-01-08', 75),
  ('livebench-spatial', 'score', '{"offset": 1.572641, "slope": 1.147526, "rmse": 0.6225, "r": 0.8693, "weight": 0.7557}', '2026-01-08', 75),
  ('livebench-tablejoin', 'score', '{"offset": -0.610686, "slope": 0.30349, "rmse": 0.2405, "r": 0.7692, "weight": 0.5917}', '2026-01-08', 75),
  ('livebench-tablereformat', 'score', '{"offset": 3.485392, "slope": 0.306308, "rmse": 0.7995, "r": 0.3433, "weight": 0.1179}', '2026-01-08', 75),
  ('livebench-theory_of_mind', 'score', '{"offset": -0.129746, "slope": 0.779311, "rmse": 0.5514, "r": 0.8032, "weight": 0.6451}', '2026-01-08', 75),
  ('livebench-zebra_puzzle', 'score', '{"offset": -1.540521, "slope": 1.95828, "rmse": 0.6682, "r": 0.9358, "weight": 0.8757}', '2026-01-08', 74);

-- Changing the parameters changes every calibrated score: a refresh, like any input.
create trigger benchmark_calibration_inserts_request_refresh
  after insert on llm_intel_private.benchmark_calibration
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger benchmark_calibration_updates_request_refresh
  after update on llm_intel_private.benchmark_calibration
  referencing new table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();
create trigger benchmark_calibration_deletes_request_refresh
  after delete on llm_intel_private.benchmark_calibration
  referencing old table as changed_rows
  for each statement execute function llm_intel_private.request_rankings_refresh();

-- A normalized score on its benchmark's common scale (module docstring of
-- llm_intelligence/calibration.py): logit of the score clipped to 0.01..0.99, minus the
-- offset, over the slope, held within [floor, 6]. Inlinable (no SET, no FROM).
create function llm_intel_private.calibrated_logit(
  normalized_score numeric, calibration jsonb, floor_logit float8)
returns float8
language sql
immutable
parallel safe
return least(6::float8, greatest(floor_logit,
  (pg_catalog.ln(least(0.99::float8, greatest(0.01::float8, normalized_score::float8))
                 / (1 - least(0.99::float8, greatest(0.01::float8, normalized_score::float8))))
   - coalesce((calibration ->> 'offset')::float8, 0))
  / coalesce((calibration ->> 'slope')::float8, 1)));

-- theta on the logit scale -> 0..1, rounded as every stored score.
create function llm_intel_private.logistic(theta float8)
returns numeric
language sql
immutable
parallel safe
return pg_catalog.round((1 / (1 + pg_catalog.exp(-theta)))::numeric, 6);

-- The seed's formula: 40 % cost as 1 / (1 + input price / 10), 60 % the plain average of
-- normalized scores (no calibration, no prior: a model without scores counts 0).
create function llm_intel_private.seed_score(min_input_cost numeric, seed_performance numeric)
returns numeric
language sql
immutable
parallel safe
return case when min_input_cost is null then null
            else pg_catalog.round(0.4 / (1 + min_input_cost / 10) + 0.6 * seed_performance, 6)
       end;

revoke all on function llm_intel_private.calibrated_logit(numeric, jsonb, float8) from public;
grant execute on function llm_intel_private.calibrated_logit(numeric, jsonb, float8)
  to anon, authenticated, service_role;
revoke all on function llm_intel_private.logistic(float8) from public;
grant execute on function llm_intel_private.logistic(float8) to anon, authenticated, service_role;
revoke all on function llm_intel_private.seed_score(numeric, numeric) from public;
grant execute on function llm_intel_private.seed_score(numeric, numeric)
  to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------
-- 3. model_rankings
-- ---------------------------------------------------------------------------------------
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
  -- Two sorts per category; no frame is recomputed per row.
  select
    composed.*,
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
frontier as (
  select
    frontier_a.*,
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
-- ---------------------------------------------------------------------------------------
-- 4. The SQL API
-- ---------------------------------------------------------------------------------------

-- model_rankings' columns plus rank, and what depends on the request: category_score and
-- coverage (the requested category's, or overall: performance_score and category_count),
-- on_pareto_frontier (in the requested category). evidence_weight, performance_score,
-- cost_credit and composite_score are also the request's: its category, weights, preset
-- and tiers.
create type public.ranked_model as (
  rank bigint,
  model_id bigint, name text, provider text, model_family text, model_type text,
  context_window integer, max_tokens integer, capabilities jsonb, open_weights boolean,
  release_date date, min_input_cost numeric, min_output_cost numeric, min_blended_cost numeric,
  provider_count bigint, has_free_tier boolean,
  coding_score numeric, reasoning_score numeric, math_score numeric, general_score numeric,
  chat_score numeric, agentic_score numeric,
  coding_coverage bigint, reasoning_coverage bigint, math_coverage bigint,
  general_coverage bigint, chat_coverage bigint, agentic_coverage bigint,
  benchmark_count bigint,
  cost_efficiency_score numeric, evidence_weight numeric, performance_score numeric,
  cost_credit numeric, coding_cost_credit numeric, reasoning_cost_credit numeric,
  math_cost_credit numeric, general_cost_credit numeric, chat_cost_credit numeric,
  agentic_cost_credit numeric,
  composite_score numeric, coding_composite numeric, reasoning_composite numeric,
  math_composite numeric, general_composite numeric, chat_composite numeric,
  agentic_composite numeric,
  price_basis text, has_subscription_access boolean,
  category_count bigint, leaderboard_count bigint,
  category_score numeric, coverage bigint, on_pareto_frontier boolean,
  seed_performance numeric, seed_score numeric,
  usage_requests numeric, usage_success_rate numeric, usage_avg_response_ms numeric,
  usage_factor numeric
);
comment on type public.ranked_model is
  'model_rankings columns plus rank. category_score, coverage, on_pareto_frontier, '
  'evidence_weight, performance_score, cost_credit and composite_score are those of the '
  'request: its category, weights, preset and tiers.';

-- Weights default to ranking_constants() (null = the method's default); categories are
-- ranking_categories' rows; include_tiers (null = trusted, falling back to the best other
-- tier a model has) recomputes minimums, cost efficiency and credits from the offers.
-- preset: 'default' (the method) or 'seed' (the seed's formula, model_rankings.seed_score;
-- no category, no weights). max_price: the blended price (3 x input + output) / 4.
-- frontier_only: the models on the Pareto frontier of the category (price vs quality).
create function public.rank_models(
  category text default null,
  cost_weight numeric default null,
  performance_weight numeric default null,
  max_input_price numeric default null,
  min_context integer default null,
  capabilities text[] default null,
  max_results integer default 20,
  include_tiers text[] default null,
  preset text default null,
  max_price numeric default null,
  frontier_only boolean default false)
returns setof public.ranked_model
language plpgsql
stable
set search_path = ''
as $$
declare
  constants record;
  known text[];
  cw numeric;
  pw numeric;
  tiers text[];
  perf_column text;
  credit_column text;
  coverage_column text;
  composite_column text;
  frontier_column text;
  score_expr text;
  tie_expr text;
  stored_order text;
  source_rows text;
  materialization text;
  filters text;
  bound text := '';
  lower_bound numeric;
begin
  select * into constants from llm_intel_private.ranking_constants();
  if category is not null and not exists (
       select 1 from llm_intel_private.ranking_categories rc
       where rc.category = rank_models.category) then
    select pg_catalog.array_agg(rc.category order by rc.position) into known
    from llm_intel_private.ranking_categories rc;
    raise exception 'rank_models: unknown category %, expected %',
      pg_catalog.quote_literal(llm_intel_private.echo_arg(category)),
      pg_catalog.array_to_string(known, ', ')
      using errcode = 'invalid_parameter_value';
  end if;
  if preset is not null and preset not in ('default', 'seed') then
    raise exception 'rank_models: unknown preset %, expected default or seed',
      pg_catalog.quote_literal(llm_intel_private.echo_arg(preset))
      using errcode = 'invalid_parameter_value';
  end if;
  if preset = 'seed' and (cost_weight is not null or performance_weight is not null
                          or category is not null) then
    raise exception 'rank_models: the seed preset has fixed weights (0.4 cost, 0.6 performance)'
      ' and no categories; leave cost_weight, performance_weight and category null'
      using errcode = 'invalid_parameter_value';
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
  if max_price in ('NaN', 'Infinity', '-Infinity') then
    raise exception 'rank_models: max_price must be a finite number or null, got %',
      max_price using errcode = 'invalid_parameter_value';
  end if;
  -- A weight left null is the method's default (ranking_constants).
  cw := coalesce(cost_weight, constants.cost_weight);
  pw := coalesce(performance_weight, constants.performance_weight);
  if cw is null or cw < 0 then
    raise exception 'rank_models: cost_weight must be >= 0, got %', coalesce(cw::text, 'null')
      using errcode = 'invalid_parameter_value';
  end if;
  if pw is null or pw < 0 then
    raise exception 'rank_models: performance_weight must be >= 0, got %',
      coalesce(pw::text, 'null') using errcode = 'invalid_parameter_value';
  end if;
  if cw + pw = 0 then
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
  if max_price < 0 then
    raise exception 'rank_models: max_price must be >= 0, got %', max_price
      using errcode = 'invalid_parameter_value';
  end if;
  if min_context < 0 then
    raise exception 'rank_models: min_context must be >= 0, got %', min_context
      using errcode = 'invalid_parameter_value';
  end if;
  tiers := llm_intel_private.price_tiers(include_tiers, 'rank_models');

  pw := pw / (cw + pw);
  cw := 1 - pw;
  -- Column names come from the validated category, never from free text.
  perf_column := coalesce(category || '_score', 'performance_score');
  credit_column := coalesce(category || '_cost_credit', 'cost_credit');
  coverage_column := coalesce(category || '_coverage', 'category_count');
  composite_column := coalesce(category || '_composite', 'composite_score');
  frontier_column := coalesce(category || '_on_frontier', 'on_pareto_frontier');

  if include_tiers is null then
    -- The stored rankings; not materialized, so the order reads an index.
    source_rows := 'select * from public.model_rankings';
    materialization := 'not materialized';
  else
    -- Other tiers: the price columns and everything computed from them again, the other
    -- columns as stored (the frontier flags stay those of the default pool). The column
    -- list follows model_rankings' own, per category.
    select 'select ' || pg_catalog.string_agg(
             case
               when a.attname in ('min_input_cost', 'min_output_cost', 'min_blended_cost',
                                  'price_basis')
                 then 's.' || pg_catalog.quote_ident(a.attname)
               when a.attname = 'cost_efficiency_score' then 'x.ce'
               when a.attname = 'seed_score'
                 then 'llm_intel_private.seed_score(s.min_input_cost, r0.seed_performance)'
               when a.attname = 'cost_credit'
                 then 'round(x.ce * r0.category_count / (r0.category_count + c.prior_weight), 6)'
               when a.attname = 'composite_score'
                 then 'round((c.cost_weight * round(x.ce * r0.category_count'
                      || ' / (r0.category_count + c.prior_weight), 6)'
                      || ' + c.performance_weight * r0.performance_score) * r0.usage_factor, 6)'
               when a.attname like '%\_cost\_credit'
                 then pg_catalog.format('round(x.ce * r0.%1$I / (r0.%1$I + c.prior_weight), 6)',
                        pg_catalog.replace(a.attname, '_cost_credit', '_coverage'))
               when a.attname like '%\_composite'
                 then pg_catalog.format(
                        'round((c.cost_weight * round(x.ce * r0.%1$I / (r0.%1$I + c.prior_weight), 6)'
                        || ' + c.performance_weight * r0.%2$I) * r0.usage_factor, 6)',
                        pg_catalog.replace(a.attname, '_composite', '_coverage'),
                        pg_catalog.replace(a.attname, '_composite', '_score'))
               else 'r0.' || pg_catalog.quote_ident(a.attname)
             end || ' as ' || pg_catalog.quote_ident(a.attname), ', ' order by a.attnum)
           || ' from public.model_rankings r0'
           || ' cross join llm_intel_private.ranking_constants() c'
           || ' left join llm_intel_private.model_price_summary($7) s on s.model_id = r0.model_id'
           || ' cross join lateral (select coalesce(llm_intel_private.cost_efficiency('
           || 's.min_blended_cost), 0) as ce) x'
      into source_rows
    from pg_catalog.pg_attribute a
    where a.attrelid = 'public.model_rankings'::pg_catalog.regclass
      and a.attnum > 0 and not a.attisdropped;
    materialization := 'materialized';
  end if;

  -- Ranked: priced models (model_rankings holds text-generation models only).
  filters := pg_catalog.format($f$
        r.min_input_cost is not null
        and ($3::numeric is null or r.min_input_cost <= $3)
        and ($4::integer is null or r.context_window >= $4)
        and ($5::text[] is null or not exists (
              select 1 from pg_catalog.unnest($5) wanted(capability)
              where coalesce(r.capabilities ->> wanted.capability, 'false') <> 'true'))
        and ($8::numeric is null or r.min_blended_cost <= $8)
        and (not $9 or r.%1$I)$f$, frontier_column);

  if preset = 'seed' then
    score_expr := 'r.seed_score';
    tie_expr := '0::bigint';
    stored_order := 'r.seed_score desc nulls last, r.provider_count desc, r.model_id';
  elsif cw = constants.cost_weight / (constants.cost_weight + constants.performance_weight) then
    -- The default weights: the stored composite, read from its index.
    score_expr := 'r.' || pg_catalog.quote_ident(composite_column);
    tie_expr := 'r.' || pg_catalog.quote_ident(coverage_column);
    stored_order := pg_catalog.format('r.%1$I desc, r.%2$I desc, r.provider_count desc, r.model_id',
                                      composite_column, coverage_column);
  else
    -- Other weights: score = (cw x credit + pw x performance) x usage_factor, and
    -- usage_factor, credit and performance are all within 0..1. So once the best N
    -- candidates by performance (an index scan) give a lower bound L on the N-th best
    -- score, every model of the top N has performance >= (L - cw) / pw and credit >=
    -- (L - pw) / cw: two index range conditions instead of scoring every candidate.
    score_expr := pg_catalog.format(
      'pg_catalog.round(($1 * r.%1$I + $2 * r.%2$I) * r.usage_factor, 6)',
      credit_column, perf_column);
    tie_expr := 'r.' || pg_catalog.quote_ident(coverage_column);
    stored_order := 'score desc, coverage desc, r.provider_count desc, r.model_id';
    execute pg_catalog.format($q$
      with r as %1$s (%2$s)
      select min(x.score) from (
        select %3$s as score from r where %4$s
        order by r.%5$I desc limit $6) x
      having count(*) = $6
    $q$, materialization, source_rows, score_expr, filters, perf_column)
      into lower_bound
      using cw, pw, max_input_price, min_context, capabilities, max_results, tiers,
            max_price, frontier_only;
    if lower_bound is not null then
      -- A millionth below: the stored scores are rounded to 6 places.
      if pw > 0 then
        bound := bound || pg_catalog.format(' and r.%I >= %s', perf_column,
                   (lower_bound - 0.000001 - cw) / pw);
      end if;
      if cw > 0 then
        bound := bound || pg_catalog.format(' and r.%I >= %s', credit_column,
                   (lower_bound - 0.000001 - pw) / cw);
      end if;
    end if;
  end if;

  return query execute pg_catalog.format($q$
    with r as %6$s (%5$s),
    top as (
      select r.model_id, r.provider_count, %7$s as score, %8$s as coverage
      from r
      where %9$s %10$s
      order by %4$s
      limit $6
    )
    select pg_catalog.row_number() over (
             order by top.score desc, top.coverage desc, top.provider_count desc, top.model_id),
           r.model_id, r.name, r.provider, r.model_family, r.model_type, r.context_window,
           r.max_tokens, r.capabilities, r.open_weights, r.release_date, r.min_input_cost,
           r.min_output_cost, r.min_blended_cost, r.provider_count, r.has_free_tier,
           r.coding_score, r.reasoning_score, r.math_score, r.general_score, r.chat_score,
           r.agentic_score,
           r.coding_coverage, r.reasoning_coverage, r.math_coverage, r.general_coverage,
           r.chat_coverage, r.agentic_coverage,
           r.benchmark_count, r.cost_efficiency_score,
           pg_catalog.round(r.%3$I::numeric / (r.%3$I + c.prior_weight), 6),
           r.%1$I, r.%2$I, r.coding_cost_credit, r.reasoning_cost_credit,
           r.math_cost_credit, r.general_cost_credit, r.chat_cost_credit,
           r.agentic_cost_credit, top.score, r.coding_composite,
           r.reasoning_composite, r.math_composite, r.general_composite, r.chat_composite,
           r.agentic_composite,
           r.price_basis, r.has_subscription_access, r.category_count, r.leaderboard_count,
           r.%1$I, r.%3$I, r.%11$I,
           r.seed_performance, r.seed_score, r.usage_requests, r.usage_success_rate,
           r.usage_avg_response_ms, r.usage_factor
    from top
    join r on r.model_id = top.model_id
    cross join llm_intel_private.ranking_constants() c
    order by top.score desc, top.coverage desc, top.provider_count desc, top.model_id
  $q$, perf_column, credit_column, coverage_column, stored_order, source_rows,
       materialization, score_expr, tie_expr, filters, bound, frontier_column)
  using cw, pw, max_input_price, min_context, capabilities, max_results, tiers, max_price,
        frontier_only;
end;
$$;

-- Functions are executable by PUBLIC unless revoked: revoke, then grant exactly.
revoke all on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[], text, numeric, boolean) from public;
grant execute on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[], text, numeric, boolean) to anon, authenticated, service_role;
