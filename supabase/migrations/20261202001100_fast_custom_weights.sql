-- Fast custom weights and frontier_only (issue 12, item 9): rank_models answers in a few
-- milliseconds on 50k models whatever the weights; same rows, same order.
--
-- 20261202000900 bounded custom weights from the best N models by performance alone,
-- with credit and performance taken as at most 1: with a cost-heavy weighting that bound
-- was weak and most of the catalog was scored (13.7 ms at p50 on 50k models for 0.7/0.3).
-- Now, with score = round((cw x credit + pw x performance) x usage_factor, 6), cw, pw >= 0,
-- credit, performance >= 0 and usage_factor within 0..1:
-- * L, a lower bound on the N-th best score: the N-th best score of the union of the best
--   K (max(N, 50)) candidates by credit and the best K by performance (two index scans of
--   the filtered rows; the true N-th best is at least as high);
-- * a model of the top N scores >= L, so cw x credit + pw x performance >= L - 0.0000005
--   (rounding), hence performance >= (L - 0.000001 - cw x max credit) / pw and credit >=
--   (L - 0.000001 - pw x max performance) / cw, the maxima read from the indexes' first
--   rows: two index range conditions, tight because the maxima are far below 1.
-- Every model scoring >= L passes both, ties at the N-th score included, and the rows that
-- pass are ranked by the same ORDER BY as before. When fewer than N candidates pass the
-- filters there is no bound and every candidate is scored, as before.
--
-- frontier_only: the flag is written into the query as a literal condition, and partial
-- indexes on each frontier flag (the frontier is a handful of models) replace the walk of
-- the whole composite index. With custom weights the frontier's few models are scored
-- directly.
--
-- Unchanged: the signature, security, validation, messages, the include_tiers path (its
-- rows are computed per request; no index applies), the default weights and the seed
-- preset. model_rankings is not recreated here: `create index if not exists` adds the
-- partial indexes to whatever definition an earlier migration left.

create index if not exists model_rankings_frontier_idx on public.model_rankings
  (composite_score desc, category_count desc, provider_count desc, model_id)
  where on_pareto_frontier;
create index if not exists model_rankings_coding_frontier_idx on public.model_rankings
  (coding_composite desc, coding_coverage desc, provider_count desc, model_id)
  where coding_on_frontier;
create index if not exists model_rankings_reasoning_frontier_idx on public.model_rankings
  (reasoning_composite desc, reasoning_coverage desc, provider_count desc, model_id)
  where reasoning_on_frontier;
create index if not exists model_rankings_math_frontier_idx on public.model_rankings
  (math_composite desc, math_coverage desc, provider_count desc, model_id)
  where math_on_frontier;
create index if not exists model_rankings_general_frontier_idx on public.model_rankings
  (general_composite desc, general_coverage desc, provider_count desc, model_id)
  where general_on_frontier;
create index if not exists model_rankings_chat_frontier_idx on public.model_rankings
  (chat_composite desc, chat_coverage desc, provider_count desc, model_id)
  where chat_on_frontier;
create index if not exists model_rankings_agentic_frontier_idx on public.model_rankings
  (agentic_composite desc, agentic_coverage desc, provider_count desc, model_id)
  where agentic_on_frontier;
-- The credit and performance indexes the threshold algorithm walks (20261202000900 made
-- them; repeated in case model_rankings was recreated since).
create index if not exists model_rankings_performance_idx on public.model_rankings (performance_score desc);
create index if not exists model_rankings_cost_credit_idx on public.model_rankings (cost_credit desc);
create index if not exists model_rankings_coding_score_idx on public.model_rankings (coding_score desc);
create index if not exists model_rankings_coding_credit_idx on public.model_rankings (coding_cost_credit desc);
create index if not exists model_rankings_reasoning_score_idx on public.model_rankings (reasoning_score desc);
create index if not exists model_rankings_reasoning_credit_idx on public.model_rankings (reasoning_cost_credit desc);
create index if not exists model_rankings_math_score_idx on public.model_rankings (math_score desc);
create index if not exists model_rankings_math_credit_idx on public.model_rankings (math_cost_credit desc);
create index if not exists model_rankings_general_score_idx on public.model_rankings (general_score desc);
create index if not exists model_rankings_general_credit_idx on public.model_rankings (general_cost_credit desc);
create index if not exists model_rankings_chat_score_idx on public.model_rankings (chat_score desc);
create index if not exists model_rankings_chat_credit_idx on public.model_rankings (chat_cost_credit desc);
create index if not exists model_rankings_agentic_score_idx on public.model_rankings (agentic_score desc);
create index if not exists model_rankings_agentic_credit_idx on public.model_rankings (agentic_cost_credit desc);

create or replace function public.rank_models(
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
  custom boolean := false;
  credit_max numeric;
  perf_max numeric;
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
  if frontier_only then
    -- The same condition as a literal, so that the planner reads the partial index.
    filters := filters || pg_catalog.format(' and r.%I', frontier_column);
  end if;

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
    -- Other weights: score = (cw x credit + pw x performance) x usage_factor, credit,
    -- performance and usage_factor all within 0..1 (header comment).
    custom := true;
    score_expr := pg_catalog.format(
      'pg_catalog.round(($1 * r.%1$I + $2 * r.%2$I) * r.usage_factor, 6)',
      credit_column, perf_column);
    tie_expr := 'r.' || pg_catalog.quote_ident(coverage_column);
    stored_order := 'score desc, coverage desc, r.provider_count desc, r.model_id';
  end if;

  if not custom or frontier_only then
    -- Read from an index (frontier_only: the few rows of a partial index, all scored).
    null;
  elsif include_tiers is null then
    -- A lower bound L on the N-th best score: the N-th best of the union of the best K by
    -- credit and the best K by performance (two index scans). Every model of the top N
    -- then has performance >= (L - cw x max credit) / pw and credit >= (L - pw x max
    -- performance) / cw (header comment): two index range conditions.
    execute pg_catalog.format($q$
      with r as not materialized (select * from public.model_rankings),
      c as (select r.model_id from r where %3$s order by r.%2$I desc limit $10),
      p as (select r.model_id from r where %3$s order by r.%1$I desc limit $10),
      ids as (select c.model_id from c union select p.model_id from p),
      top as (
        select %4$s as score
        from ids join r on r.model_id = ids.model_id
        order by 1 desc limit $6)
      select (select max(r.%2$I) from r), (select max(r.%1$I) from r),
             (select min(top.score) from top having count(*) = $6)
    $q$, perf_column, credit_column, filters, score_expr)
      into credit_max, perf_max, lower_bound
      using cw, pw, max_input_price, min_context, capabilities, max_results, tiers,
            max_price, frontier_only, greatest(max_results, 50);
    if lower_bound is not null then
      -- A millionth below: the scores are rounded to 6 places.
      if pw > 0 then
        bound := bound || pg_catalog.format(' and r.%I >= %s', perf_column,
                   (lower_bound - 0.000001 - cw * credit_max) / pw);
      end if;
      if cw > 0 then
        bound := bound || pg_catalog.format(' and r.%I >= %s', credit_column,
                   (lower_bound - 0.000001 - pw * perf_max) / cw);
      end if;
    end if;
  else
    -- Other tiers, as 20261202000900: a bound from the best N by performance.
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
