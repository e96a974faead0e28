-- Robust custom weights (issue 12, item 9): rank_models with custom weights reads about
-- the N best candidates whatever the weights and whatever the order of ties on disk; same
-- rows, same order.
--
-- Why 20261202001100 was not enough: its lower bound L was the N-th best score of the
-- union of the best 50 candidates by credit and the best 50 by performance. On
-- bench_database's 50k catalog 166 models tie at the best performance and the first 50 of
-- them in the index are whichever the heap order puts first; their credits (0.15-0.30)
-- are far from those of the true top 20 (credit about 0.52 and performance about 0.9 for
-- weights 0.7/0.3), so L was 0.549 against a true 20th score of 0.608 and the range
-- conditions let 5,874 index entries and 1,891 rows through (EXPLAIN (ANALYZE, BUFFERS):
-- 12 ms). Another heap order put better-priced ties first and the same call took 4 ms.
-- Any cut from the two one-dimensional orders has this weakness: the best models for mixed
-- weights need not be near the top of either.
--
-- Now each category has a GiST index on the point q = (credit x usage_factor,
-- performance x usage_factor), and with cw + pw = 1, cw, pw >= 0 the exact score is
-- round(cw x q.x + pw x q.y, 6). Let w = (cw, pw), |w| its length and Z = 1e8 x w / |w|,
-- a point far away in the direction of the weights. For a point q,
--   |Z - q|^2 = (1e8 - t)^2 + h^2, t = (cw q.x + pw q.y) / |w|, h the part of q across w,
-- so the nearest neighbours of Z come in the order of t, hence of the score, up to
-- h^2 / |Z - q| (< 3e-8 here: q lies within [0, max credit] x [0, max performance]
-- because usage_factor is within 0..1).
-- 1. The nearest 2N + 40 candidates that pass the filters (a kNN index scan; the filters
--    are checked on the rows as the scan meets them) are ranked exactly; nth is the N-th
--    best score among them.
-- 2. Any candidate left out lies at least as far as the last one read (d), so
--    cw x q.x + pw x q.y <= |w| x (1e8 - d + |q|max^2 / d) + 5e-7 (float8 rounding of
--    distances near 1e8 is a few 1e-8). When that is below nth - 0.000001, no candidate
--    left out can score nth or more (scores are rounded to 6 places), and the N best are
--    the N best of those read. Fewer candidates than asked for: all were read.
-- 3. Otherwise models tie with (or come within rounding of) the N-th score in numbers:
--    every candidate that can score >= nth lies on or above the line
--    cw x q.x + pw x q.y = nth - 0.000001, and the rows on that side are read from the
--    same index as 8 boxes (strips that follow the line; a single box when a weight is 0),
--    (planned as a BitmapOr of index scans: each row read once) and about 1/8 more than the
--    triangle itself. Those rows are ranked exactly.
-- The final ranking always scores the rows read with the function's expression and ORDER
-- BY, so ties are broken as before (coverage, provider count, model id).
--
-- Unchanged: the signature, security, grants, validation and messages, the default
-- weights, the seed preset, frontier_only (partial indexes, 20261202001100) and the
-- include_tiers path (its prices are computed per request; no index applies).
-- model_rankings is not recreated here; `create index if not exists` adds the point
-- indexes to whatever definition an earlier migration left (a later migration that
-- recreates model_rankings must recreate them, or custom weights fall back to scoring
-- every candidate through a sort: still correct, not fast).

create index if not exists model_rankings_weights_point_idx on public.model_rankings
  using gist (point((cost_credit * usage_factor)::float8,
                    (performance_score * usage_factor)::float8));
create index if not exists model_rankings_coding_weights_point_idx on public.model_rankings
  using gist (point((coding_cost_credit * usage_factor)::float8,
                    (coding_score * usage_factor)::float8));
create index if not exists model_rankings_reasoning_weights_point_idx on public.model_rankings
  using gist (point((reasoning_cost_credit * usage_factor)::float8,
                    (reasoning_score * usage_factor)::float8));
create index if not exists model_rankings_math_weights_point_idx on public.model_rankings
  using gist (point((math_cost_credit * usage_factor)::float8,
                    (math_score * usage_factor)::float8));
create index if not exists model_rankings_general_weights_point_idx on public.model_rankings
  using gist (point((general_cost_credit * usage_factor)::float8,
                    (general_score * usage_factor)::float8));
create index if not exists model_rankings_chat_weights_point_idx on public.model_rankings
  using gist (point((chat_cost_credit * usage_factor)::float8,
                    (chat_score * usage_factor)::float8));
create index if not exists model_rankings_agentic_weights_point_idx on public.model_rankings
  using gist (point((agentic_cost_credit * usage_factor)::float8,
                    (agentic_score * usage_factor)::float8));

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
  -- The nearest-neighbour path (header comment).
  far constant float8 := 1e8;
  point_expr text;
  norm float8;
  fetched integer;
  seen bigint;
  last_distance float8;
  nth_score numeric;
  best_ids bigint[];
  reach float8;
  strips constant integer := 8;
  strip integer;
  line float8;
  x_max float8;
  y_max float8;
  y_low float8;
  y_top float8;
  boxes pg_catalog.box[];
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
    -- The candidates nearest a point far away in the direction of the weights, from the
    -- category's GiST index (header comment): fetch the nearest `fetched` candidates
    -- that pass the filters, rank them exactly, and stop once the farthest of them proves
    -- that no candidate left out can reach the N-th best score; otherwise fetch 4x more.
    point_expr := pg_catalog.format(
      'pg_catalog.point((r.%1$I * r.usage_factor)::float8, (r.%2$I * r.usage_factor)::float8)',
      credit_column, perf_column);
    norm := pg_catalog.sqrt((cw * cw + pw * pw)::float8);
    execute pg_catalog.format(
      'select max(r.%1$I), max(r.%2$I) from public.model_rankings r', credit_column, perf_column)
      into credit_max, perf_max;
    fetched := 2 * max_results + 40;
    execute pg_catalog.format($q$
      with r as not materialized (select * from public.model_rankings),
      near as (
        select r.model_id, r.provider_count, %1$s as score, r.%2$I as coverage,
               %3$s operator(pg_catalog.<->) pg_catalog.point($10, $11) as distance
        from r
        where %4$s
        order by %3$s operator(pg_catalog.<->) pg_catalog.point($10, $11)
        limit $12),
      best as (
        select near.model_id, near.score from near
        order by near.score desc, near.coverage desc, near.provider_count desc, near.model_id
        limit $6)
      select (select count(*) from near), (select max(near.distance) from near),
             (select min(best.score) from best having count(*) = $6),
             (select pg_catalog.array_agg(best.model_id) from best)
    $q$, score_expr, coverage_column, point_expr, filters)
      into seen, last_distance, nth_score, best_ids
      using cw, pw, max_input_price, min_context, capabilities, max_results, tiers,
            max_price, frontier_only, far * cw::float8 / norm, far * pw::float8 / norm,
            fetched;
    if seen = fetched then
      -- A candidate left out lies at distance >= last_distance, so its cw x credit' + pw x
      -- performance' is at most reach (header comment; 5e-7 covers the float8 rounding of
      -- the distances, a few 1e-8 at 1e8).
      reach := norm * ((far - last_distance)
                       + (greatest(credit_max, 0) ^ 2 + greatest(perf_max, 0) ^ 2)::float8
                         / last_distance
                       + 5e-7);
      if reach >= (nth_score - 0.000001)::float8 then
        -- Candidates left out may tie with the N-th best (or come within rounding of it):
        -- read every candidate that can score >= nth_score from the boxes below the line
        -- cw x credit' + pw x performance' = nth_score - 0.000001 (header comment).
        best_ids := null;
        line := (nth_score - 0.000001)::float8 - 1e-9;
        x_max := credit_max::float8 + 1e-9;
        y_max := perf_max::float8 + 1e-9;
        if cw = 0 then
          boxes := array[pg_catalog.box(pg_catalog.point(-1e-9, line / pw::float8),
                                        pg_catalog.point(x_max, y_max))];
        elsif pw = 0 then
          boxes := array[pg_catalog.box(pg_catalog.point(line / cw::float8, -1e-9),
                                        pg_catalog.point(x_max, y_max))];
        else
          y_low := least(y_max, greatest(0::float8, (line - cw::float8 * x_max) / pw::float8));
          boxes := array[]::pg_catalog.box[];
          for strip in 1 .. strips loop
            y_top := case when strip = strips then y_max
                          else y_low + (y_max - y_low) * strip / strips end;
            boxes := boxes || pg_catalog.box(
              pg_catalog.point(least(x_max, greatest(0::float8,
                                 (line - pw::float8 * y_top) / cw::float8)) - 1e-9,
                               y_low + (y_max - y_low) * (strip - 1) / strips - 1e-9),
              pg_catalog.point(x_max, y_top + 1e-9));
          end loop;
        end if;
        select ' and (' || pg_catalog.string_agg(
                 pg_catalog.format('%s operator(pg_catalog.<@) $11[%s]', point_expr, i),
                 ' or ') || ')'
          into bound
        from pg_catalog.generate_series(1, pg_catalog.array_length(boxes, 1)) i;
      end if;
    end if;
    if best_ids is not null then
      bound := ' and r.model_id = any($10)';
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
        frontier_only, best_ids, boxes;
end;
$$;

-- Functions are executable by PUBLIC unless revoked: revoke, then grant exactly.
revoke all on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[], text, numeric, boolean) from public;
grant execute on function public.rank_models(text, numeric, numeric, numeric, integer, text[],
  integer, text[], text, numeric, boolean) to anon, authenticated, service_role;
