-- Incremental model scores (issue 11, item 8; issue 12, item 9): a refresh recomputes only
-- the models whose inputs changed.
--
-- Until now every refresh_model_rankings() recomputed every model from scratch: the price
-- pipeline (source_offers -> current_pricing -> model_price_summary: trust tiers, the
-- choice rule, outlier and quarantine flags, about six passes over every offer), the
-- calibrated evidence of every benchmark row, and the score arithmetic. On
-- bench_database's 50k catalog that was 2.9 s of a 3.7 s refresh, although a sync changes
-- the prices of a few models.
--
-- Now:
-- * llm_intel_private.model_scores keeps, per ranked model, everything model_rankings shows
--   that depends only on that model's own rows (its models row, its offers, its benchmark
--   rows) and on the method's tables: prices, coverage, category scores, credits, and the
--   composites before the usage factor.
-- * Statement triggers record which models a write touched in
--   llm_intel_private.model_scores_dirty (a null model_id: every model, written when a
--   provider, alias, price source, trust tier, text type or calibration changes).
-- * refresh_model_rankings() first rescores the dirty models (update_model_scores(), the
--   same query as before, filtered to them), then refreshes model_rankings, which adds
--   what is not per-model: the usage factor (it depends on today's date) and the frontier
--   flags (they compare models with each other).
-- Same columns, same rows, same values as 20261202001000's definition
-- (tests/test_incremental_model_scores.py compares every row after random changes).
--
-- A migration that changes the method (ranking_constants(), usage_constants() aside, the
-- score functions, score_models below) must rescore everything:
--   insert into llm_intel_private.model_scores_dirty (model_id) values (null);
-- Refresh through refresh_model_rankings(); a bare REFRESH MATERIALIZED VIEW reads the
-- scores as last updated (call llm_intel_private.update_model_scores() first).

-- rank_models reads model_rankings through dynamic SQL only: nothing else depends on it.
drop materialized view public.model_rankings;

-- ---------------------------------------------------------------------------------------
-- 1. The per-model scores and the models to rescore
-- ---------------------------------------------------------------------------------------

create table llm_intel_private.model_scores (
  model_id bigint primary key,
  name text,
  provider text,
  model_family text,
  model_type text,
  context_window integer,
  max_tokens integer,
  capabilities jsonb,
  open_weights boolean,
  release_date date,
  min_input_cost numeric,
  min_output_cost numeric,
  min_blended_cost numeric,
  price_basis text,
  provider_count bigint,
  has_free_tier boolean,
  has_subscription_access boolean,
  coding_coverage bigint,
  reasoning_coverage bigint,
  math_coverage bigint,
  general_coverage bigint,
  chat_coverage bigint,
  agentic_coverage bigint,
  category_count bigint,
  benchmark_count bigint,
  leaderboard_count bigint,
  seed_performance numeric,
  seed_score numeric,
  cost_efficiency_score numeric,
  evidence_weight numeric,
  coding_score numeric,
  reasoning_score numeric,
  math_score numeric,
  general_score numeric,
  chat_score numeric,
  agentic_score numeric,
  performance_score numeric,
  coding_cost_credit numeric,
  reasoning_cost_credit numeric,
  math_cost_credit numeric,
  general_cost_credit numeric,
  chat_cost_credit numeric,
  agentic_cost_credit numeric,
  cost_credit numeric,
  -- cost_weight x credit + performance_weight x score, unrounded: model_rankings multiplies
  -- by the usage factor and rounds, exactly as the composites were computed before.
  composite_base numeric,
  coding_composite_base numeric,
  reasoning_composite_base numeric,
  math_composite_base numeric,
  general_composite_base numeric,
  chat_composite_base numeric,
  agentic_composite_base numeric
);

comment on table llm_intel_private.model_scores is
  'Per ranked model, the part of model_rankings that depends on the model''s own rows: '
  'kept current by update_model_scores() for the models in model_scores_dirty.';

-- Written by statement triggers, emptied by update_model_scores(). No key: concurrent
-- writers never wait for each other here, and duplicates cost one distinct.
create table llm_intel_private.model_scores_dirty (
  model_id bigint  -- null: every model
);

comment on table llm_intel_private.model_scores_dirty is
  'Models whose scores must be recomputed at the next refresh (null: every model).';

alter table llm_intel_private.model_scores enable row level security;
alter table llm_intel_private.model_scores_dirty enable row level security;
revoke all on table llm_intel_private.model_scores, llm_intel_private.model_scores_dirty
  from public, anon, authenticated;

-- ---------------------------------------------------------------------------------------
-- 2. Scoring: 20261202001000's base, shrunk and composed, for the models `ids` (null: all)
-- ---------------------------------------------------------------------------------------
-- Each input is filtered by `ids` where it is read, so that a call for a few models reads
-- only their rows (through the model_id indexes: called with a known array, the planner
-- folds `ids is null` away). Usage is not here: it depends on the date.
create function llm_intel_private.score_models(ids bigint[])
returns setof llm_intel_private.model_scores
language sql
stable
as $$
with prices as (
  select p.* from llm_intel_private.model_price_summary(
    llm_intel_private.price_tiers(null, 'model_rankings')) p
  where ids is null or p.model_id = any(ids)
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
    and (ids is null or b.model_id = any(ids))
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
-- Materialized: every column is computed once (inlined, the shrunk and composed columns
-- repeated the expressions they read).
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
    pg_catalog.ln(c.prior_score::float8 / (1 - c.prior_score::float8)) as prior_logit,
    c.prior_weight::float8 as k,
    c.prior_weight,
    c.cost_weight,
    c.performance_weight
  from public.models m
  cross join llm_intel_private.ranking_constants() c
  left join evidence e on e.model_id = m.id
  left join counts n on n.model_id = m.id
  left join seed s on s.model_id = m.id
  left join prices p on p.model_id = m.id
  where m.is_active
    and m.model_type in (select t.model_type from llm_intel_private.text_model_types t)
    and (ids is null or m.id = any(ids))
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
)
select
  model_id, name, provider, model_family, model_type, context_window, max_tokens,
  capabilities, open_weights, release_date,
  min_input_cost, min_output_cost, min_blended_cost, price_basis, provider_count,
  has_free_tier, has_subscription_access,
  coding_coverage, reasoning_coverage, math_coverage, general_coverage, chat_coverage,
  agentic_coverage, category_count, benchmark_count, leaderboard_count,
  seed_performance,
  llm_intel_private.seed_score(min_input_cost, seed_performance),
  cost_efficiency_score, evidence_weight,
  coding_score, reasoning_score, math_score, general_score, chat_score, agentic_score,
  performance_score,
  coding_cost_credit, reasoning_cost_credit, math_cost_credit, general_cost_credit,
  chat_cost_credit, agentic_cost_credit, cost_credit,
  cost_weight * cost_credit + performance_weight * performance_score,
  cost_weight * coding_cost_credit + performance_weight * coding_score,
  cost_weight * reasoning_cost_credit + performance_weight * reasoning_score,
  cost_weight * math_cost_credit + performance_weight * math_score,
  cost_weight * general_cost_credit + performance_weight * general_score,
  cost_weight * chat_cost_credit + performance_weight * chat_score,
  cost_weight * agentic_cost_credit + performance_weight * agentic_score
from shrunk;
$$;

-- Rescore the dirty models; returns how many models were rescored. One call at a time
-- (the lock): writers only insert into model_scores_dirty and never wait for it. Run
-- inside refresh_model_rankings(); callable alone (as the owner) before a bare REFRESH.
create function llm_intel_private.update_model_scores()
returns bigint
language plpgsql
set search_path = ''
as $$
declare
  everything boolean;
  ids bigint[];
  rescored bigint;
begin
  lock table llm_intel_private.model_scores in share row exclusive mode;
  with taken as (
    delete from llm_intel_private.model_scores_dirty returning model_id
  )
  select coalesce(bool_or(model_id is null), false),
         pg_catalog.array_agg(distinct model_id) filter (where model_id is not null)
    into everything, ids
  from taken;
  if everything then
    delete from llm_intel_private.model_scores;
    insert into llm_intel_private.model_scores
      select * from llm_intel_private.score_models(null);
  elsif ids is not null then
    delete from llm_intel_private.model_scores where model_id = any(ids);
    -- EXECUTE: planned with the array known, so score_models' filters use the indexes.
    execute 'insert into llm_intel_private.model_scores'
            ' select * from llm_intel_private.score_models($1)' using ids;
  else
    return 0;
  end if;
  get diagnostics rescored = row_count;
  return rescored;
end;
$$;

-- Statement trigger: record the models a write touched. TG_ARGV[0] names the column that
-- holds the model id ('model_id', or 'id' for models), or is 'all' for a table every
-- model's score reads (providers, trust tiers, calibration...). A statement that changed
-- no row records nothing. Transition tables are read through EXECUTE of literal strings
-- (planned per call, never cached over an empty table; see 20261202000100).
create function llm_intel_private.mark_models_for_rescoring()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  changed boolean;
begin
  if tg_argv[0] = 'all' then
    if tg_op = 'DELETE' then
      execute 'select exists (select 1 from old_rows)' into changed;
    else
      execute 'select exists (select 1 from new_rows)' into changed;
    end if;
    if changed then
      insert into llm_intel_private.model_scores_dirty (model_id) values (null);
    end if;
  elsif tg_argv[0] = 'id' then
    -- models: an update keeps the id (the catalog's foreign keys hang on it).
    if tg_op = 'DELETE' then
      execute 'insert into llm_intel_private.model_scores_dirty (model_id)'
              ' select id from old_rows';
    else
      execute 'insert into llm_intel_private.model_scores_dirty (model_id)'
              ' select id from new_rows';
    end if;
  elsif tg_op = 'UPDATE' then
    -- Both sides: an offer or a score can move from one model to another.
    execute 'insert into llm_intel_private.model_scores_dirty (model_id)'
            ' select model_id from old_rows union select model_id from new_rows';
  elsif tg_op = 'INSERT' then
    execute 'insert into llm_intel_private.model_scores_dirty (model_id)'
            ' select distinct model_id from new_rows';
  else
    execute 'insert into llm_intel_private.model_scores_dirty (model_id)'
            ' select distinct model_id from old_rows';
  end if;
  return null;
end;
$$;

revoke all on function llm_intel_private.score_models(bigint[]) from public;
revoke all on function llm_intel_private.update_model_scores() from public;
revoke all on function llm_intel_private.mark_models_for_rescoring() from public;

-- Per-model inputs.
create trigger provider_pricing_inserts_rescore after insert on public.provider_pricing
  referencing new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');
create trigger provider_pricing_updates_rescore after update on public.provider_pricing
  referencing old table as old_rows new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');
create trigger provider_pricing_deletes_rescore after delete on public.provider_pricing
  referencing old table as old_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');

create trigger benchmark_scores_inserts_rescore after insert on public.benchmark_scores
  referencing new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');
create trigger benchmark_scores_updates_rescore after update on public.benchmark_scores
  referencing old table as old_rows new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');
create trigger benchmark_scores_deletes_rescore after delete on public.benchmark_scores
  referencing old table as old_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('model_id');

create trigger models_inserts_rescore after insert on public.models
  referencing new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('id');
create trigger models_updates_rescore after update on public.models
  referencing new table as new_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('id');
create trigger models_deletes_rescore after delete on public.models
  referencing old table as old_rows
  for each statement execute function llm_intel_private.mark_models_for_rescoring('id');

-- Inputs of every model's score. trust_tiers and text_model_types had no trigger asking for
-- a refresh (only migrations wrote them until now; an operator may): they get one, so an
-- edit there refreshes the rankings at commit like an edit of providers does.
do $$
declare
  input regclass;
  base text;
begin
  foreach input in array array[
    'public.providers', 'public.provider_aliases', 'public.price_sources',
    'llm_intel_private.trust_tiers', 'llm_intel_private.text_model_types',
    'llm_intel_private.benchmark_calibration']::regclass[]
  loop
    base := (select c.relname from pg_catalog.pg_class c where c.oid = input);
    execute pg_catalog.format(
      'create trigger %1$I after insert on %2$s referencing new table as new_rows'
      ' for each statement execute function llm_intel_private.mark_models_for_rescoring(''all'');'
      'create trigger %3$I after update on %2$s referencing new table as new_rows'
      ' for each statement execute function llm_intel_private.mark_models_for_rescoring(''all'');'
      'create trigger %4$I after delete on %2$s referencing old table as old_rows'
      ' for each statement execute function llm_intel_private.mark_models_for_rescoring(''all'');',
      base || '_inserts_rescore_all', input, base || '_updates_rescore_all',
      base || '_deletes_rescore_all');
  end loop;
  foreach input in array array[
    'llm_intel_private.trust_tiers', 'llm_intel_private.text_model_types']::regclass[]
  loop
    base := (select c.relname from pg_catalog.pg_class c where c.oid = input);
    execute pg_catalog.format(
      'create trigger %1$I after insert on %2$s referencing new table as changed_rows'
      ' for each statement execute function llm_intel_private.request_rankings_refresh();'
      'create trigger %3$I after update on %2$s referencing new table as changed_rows'
      ' for each statement execute function llm_intel_private.request_rankings_refresh();'
      'create trigger %4$I after delete on %2$s referencing old table as changed_rows'
      ' for each statement execute function llm_intel_private.request_rankings_refresh();',
      base || '_inserts_request_refresh', input, base || '_updates_request_refresh',
      base || '_deletes_request_refresh');
  end loop;
end;
$$;

insert into llm_intel_private.model_scores select * from llm_intel_private.score_models(null);

-- ---------------------------------------------------------------------------------------
-- 3. model_rankings: the stored scores, the usage factor and the frontier
-- ---------------------------------------------------------------------------------------
create materialized view public.model_rankings as
with usage as (
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
composed as materialized (
  select
    s.*,
    us.requests as usage_requests,
    round(us.success_rate, 6) as usage_success_rate,
    round(us.avg_response_ms, 1) as usage_avg_response_ms,
    case when us.requests >= uc.min_requests
         then round(greatest(0::numeric, 1 - uc.success_weight * (1 - us.success_rate)
                    - uc.latency_weight * least(1::numeric, us.avg_response_ms / uc.latency_ms)), 6)
         else 1::numeric end as usage_factor
  from llm_intel_private.model_scores s
  cross join llm_intel_private.usage_constants() uc
  left join usage us on us.model_id = s.model_id
),
frontier_a as (
  -- On the frontier: no other priced model is both cheaper (blended) and better. In the
  -- order (price, score desc), a model is dominated when a strictly cheaper model scores
  -- at least as much (the running max before its price group, _p: the group's minimum of
  -- the max over preceding rows) or a model at its price scores more (the group max, _g).
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
)
select
  c.model_id,
  c.name,
  c.provider,
  c.model_family,
  c.model_type,
  c.context_window,
  c.max_tokens,
  c.capabilities,
  c.open_weights,
  c.release_date,
  c.min_input_cost,
  c.min_output_cost,
  c.min_blended_cost,
  c.provider_count,
  c.has_free_tier,
  c.coding_score,
  c.reasoning_score,
  c.math_score,
  c.general_score,
  c.chat_score,
  c.agentic_score,
  c.coding_coverage,
  c.reasoning_coverage,
  c.math_coverage,
  c.general_coverage,
  c.chat_coverage,
  c.agentic_coverage,
  c.benchmark_count,
  c.cost_efficiency_score,
  c.evidence_weight,
  c.performance_score,
  c.cost_credit,
  c.coding_cost_credit,
  c.reasoning_cost_credit,
  c.math_cost_credit,
  c.general_cost_credit,
  c.chat_cost_credit,
  c.agentic_cost_credit,
  round(c.composite_base * c.usage_factor, 6) as composite_score,
  round(c.coding_composite_base * c.usage_factor, 6) as coding_composite,
  round(c.reasoning_composite_base * c.usage_factor, 6) as reasoning_composite,
  round(c.math_composite_base * c.usage_factor, 6) as math_composite,
  round(c.general_composite_base * c.usage_factor, 6) as general_composite,
  round(c.chat_composite_base * c.usage_factor, 6) as chat_composite,
  round(c.agentic_composite_base * c.usage_factor, 6) as agentic_composite,
  c.price_basis,
  c.has_subscription_access,
  c.category_count,
  c.leaderboard_count,
  f.on_pareto_frontier,
  f.coding_on_frontier,
  f.reasoning_on_frontier,
  f.math_on_frontier,
  f.general_on_frontier,
  f.chat_on_frontier,
  f.agentic_on_frontier,
  c.seed_performance,
  c.seed_score,
  c.usage_requests,
  c.usage_success_rate,
  c.usage_avg_response_ms,
  c.usage_factor
from composed c
join flags f on f.model_id = c.model_id
with data;

comment on materialized view public.model_rankings is
  'One row per active text model: prices, category scores with coverage, composites and '
  'frontier flags. Refreshed by public.refresh_model_rankings(), which first rescores the '
  'models whose inputs changed.';

create unique index model_rankings_model_id_key on public.model_rankings (model_id);
create index model_rankings_name_idx on public.model_rankings (name);
-- Default weights read the top N from these; ties go to more evidence, then to the model
-- more providers serve.
create index model_rankings_composite_idx on public.model_rankings
  (composite_score desc, category_count desc, provider_count desc, model_id);
create index model_rankings_seed_idx on public.model_rankings
  (seed_score desc nulls last, provider_count desc, model_id);
-- Custom weights bound the N-th score from the credit and performance indexes
-- (20261202001100); frontier_only reads the partial indexes.
create index model_rankings_performance_idx on public.model_rankings (performance_score desc);
create index model_rankings_cost_credit_idx on public.model_rankings (cost_credit desc);
create index model_rankings_frontier_idx on public.model_rankings
  (composite_score desc, category_count desc, provider_count desc, model_id)
  where on_pareto_frontier;
do $$
declare
  category text;
begin
  foreach category in array array['coding', 'reasoning', 'math', 'general', 'chat', 'agentic']
  loop
    execute pg_catalog.format(
      'create index model_rankings_%1$s_idx on public.model_rankings'
      ' (%1$s_composite desc, %1$s_coverage desc, provider_count desc, model_id);'
      'create index model_rankings_%1$s_score_idx on public.model_rankings (%1$s_score desc);'
      'create index model_rankings_%1$s_credit_idx on public.model_rankings'
      ' (%1$s_cost_credit desc);'
      'create index model_rankings_%1$s_frontier_idx on public.model_rankings'
      ' (%1$s_composite desc, %1$s_coverage desc, provider_count desc, model_id)'
      ' where %1$s_on_frontier;',
      category);
  end loop;
end;
$$;

revoke all on table public.model_rankings from anon, authenticated;
grant select on table public.model_rankings to anon, authenticated, service_role;

-- As in 20261202001000, after rescoring the models whose inputs changed; an empty view is
-- filled by a plain REFRESH.
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
  perform llm_intel_private.update_model_scores();
  if exists (select 1 from public.model_rankings) then
    -- CONCURRENTLY: readers keep the old rows until the new ones are complete.
    refresh materialized view concurrently public.model_rankings;
  else
    -- Nothing to keep (a new catalog's first sync): a plain REFRESH builds the indexes in
    -- bulk instead of inserting every row into each of them (187 -> 98 ms on the offline
    -- catalog); readers wait for it instead of reading the empty view.
    refresh materialized view public.model_rankings;
  end if;
  update llm_intel_private.rankings_refresh_state
     set refresh_count = refresh_count + 1,
         stale = false,
         last_refreshed_at = pg_catalog.now(),
         last_duration_ms = extract(epoch from pg_catalog.clock_timestamp() - started) * 1000;
end;
$$;

revoke all on function public.refresh_model_rankings() from public, anon, authenticated;
grant execute on function public.refresh_model_rankings() to service_role;
