"""rank_models' fast paths (custom weights: 20261202001300's nearest candidates to a point
in the direction of the weights, with boxes along the N-th score's line when many models
tie with it; frontier_only from partial indexes, 20261202001100) return exactly what
scoring every candidate returns: same models, same scores, same order, ties included.

Two seeded random catalogs, written straight into the tables, then model_rankings
refreshed: 3,000 models with coarse scores and prices (ties are common; usage stats so
that usage_factor varies), and 2,000 models whose scores and prices take two or three
values each (hundreds of models tie at every score). The reference scores every row of
model_rankings that passes the filters, with the function's normalisation of the weights
and its ORDER BY. Which path a call took is read from its nested plans (auto_explain), so
that both custom-weight paths are known to be compared."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest

from tests.conftest import fresh_database

MODELS = 3000
CATEGORIES: list[str | None] = [None, "coding", "reasoning", "math", "general", "chat", "agentic"]
WEIGHTS = [
    (None, None),
    ("0.4", "0.6"),
    ("0.7", "0.3"),
    ("0.3", "0.7"),
    ("1", "0"),
    ("0", "1"),
    ("0.5", "0.5"),
    ("0.95", "0.05"),
    ("0.05", "0.95"),
    ("2", "3"),
    ("0.123", "0.877"),
    ("0.9", "0.1"),
    ("0.1", "0.9"),
]
FILTERS: list[dict[str, Any]] = [
    {},
    {"max_input_price": "5", "min_context": 100000, "capabilities": ["vision"]},
    {"max_price": "3"},
    {"frontier_only": True},
    {"max_results": 1},
    {"max_results": 200},
    {"max_input_price": "0.5", "max_results": 50},
    {"max_input_price": "0.01"},
    {"min_context": 1000000, "capabilities": ["reasoning"], "max_results": 100},
]

SEED = """
select setseed(0.42);
insert into public.models (name, provider, model_family, context_window, max_tokens,
                           capabilities)
select 'fast-' || i, 'author-' || (i % 30), 'family-' || (i % 300),
       (array[8192, 32768, 128000, 200000, 1000000])[1 + i % 5], 4096,
       jsonb_build_object('vision', random() < 0.3, 'reasoning', random() < 0.2)
from generate_series(1, %(models)s) i;
insert into public.benchmark_scores (
  model_id, benchmark_name, benchmark_category, source_organization, score)
select m.id, 'fast-bench-' || k,
       (array['coding', 'reasoning', 'math', 'general', 'chat', 'agentic'])[1 + (m.id * 7 + k) % 6],
       'org-' || (k % 3), floor(random() * 21) * 5
from public.models m
cross join generate_series(1, 4) k
where random() < 0.6;
insert into public.provider_pricing (
  model_id, source, source_key, provider_name, provider_id,
  input_price_per_million, output_price_per_million, context_window)
select m.id, 'litellm', m.name || '@' || p.provider_name, p.provider_name, m.name,
       round((floor(random() * 40) * 0.25 + 0.05)::numeric, 2),
       round((floor(random() * 40) * 1.0 + 0.1)::numeric, 2),
       m.context_window
from public.models m
cross join (values (1, 'openai'), (2, 'azure')) p (k, provider_name)
where random() < 0.9 and (p.k = 1 or random() < 0.5);
insert into public.model_usage_stats (model_id, provider_name, date, total_requests,
                                      success_count, latency_ms_sum)
select m.id, 'openai', current_date - 2, 200, 200 - floor(random() * 60)::int,
       (200 * floor(random() * 40000))::bigint
from public.models m
where random() < 0.2;
"""

# Two or three values per score and price: hundreds of models tie at every score, so the
# nearest candidates alone rarely settle the N-th place (the boxes path).
TIED_MODELS = 2000
TIED_SEED = """
select setseed(0.17);
insert into public.models (name, provider, model_family, context_window, max_tokens,
                           capabilities)
select 'tied-' || i, 'author-' || (i % 7), 'family-' || (i % 70),
       (array[32768, 128000, 1000000])[1 + i % 3], 4096,
       jsonb_build_object('vision', i % 4 = 0, 'reasoning', i % 3 = 0)
from generate_series(1, %(models)s) i;
insert into public.benchmark_scores (
  model_id, benchmark_name, benchmark_category, source_organization, score)
select m.id, 'tied-bench-' || k,
       (array['coding', 'reasoning', 'math', 'general', 'chat', 'agentic'])[1 + (m.id + k) % 6],
       'org-' || (k % 2), (array[40, 80])[1 + floor(random() * 2)::int]
from public.models m
cross join generate_series(1, 3) k
where m.id % 5 <> 0 and (k = 1 or m.id % 3 = 0);
insert into public.provider_pricing (
  model_id, source, source_key, provider_name, provider_id,
  input_price_per_million, output_price_per_million, context_window)
select m.id, 'litellm', m.name || '@' || p.provider_name, p.provider_name, m.name,
       (array[0.5, 2, 8])[1 + floor(random() * 3)::int],
       (array[2, 8])[1 + floor(random() * 2)::int],
       m.context_window
from public.models m
cross join (values (1, 'openai'), (2, 'azure')) p (k, provider_name)
where p.k = 1 or m.id % 4 = 0;
insert into public.model_usage_stats (model_id, provider_name, date, total_requests,
                                      success_count, latency_ms_sum)
select m.id, 'openai', current_date - 2, 200, (array[150, 200])[1 + m.id % 2], 200 * 1000
from public.models m
where m.id % 11 = 0;
"""

REFERENCE = """
with w as (
  select (coalesce(%(pw)s::numeric, 0.6) / (coalesce(%(cw)s::numeric, 0.4)
            + coalesce(%(pw)s::numeric, 0.6))) as pw
), scored as (
  select r.model_id,
         pg_catalog.round(((1 - w.pw) * r.{credit} + w.pw * r.{perf}) * r.usage_factor, 6)
           as score,
         r.{coverage} as coverage, r.provider_count
  from public.model_rankings r cross join w
  where r.min_input_cost is not null
    and (%(max_input_price)s::numeric is null or r.min_input_cost <= %(max_input_price)s)
    and (%(min_context)s::integer is null or r.context_window >= %(min_context)s)
    and (%(capabilities)s::text[] is null or not exists (
          select 1 from unnest(%(capabilities)s::text[]) wanted(capability)
          where coalesce(r.capabilities ->> wanted.capability, 'false') <> 'true'))
    and (%(max_price)s::numeric is null or r.min_blended_cost <= %(max_price)s)
    and (not %(frontier_only)s or r.{frontier})
)
select row_number() over (order by score desc, coverage desc, provider_count desc, model_id),
       model_id, score
from scored
order by score desc, coverage desc, provider_count desc, model_id
limit %(max_results)s
"""

CALL = """
select rank, model_id, composite_score
from public.rank_models(category => %(category)s, cost_weight => %(cw)s,
  performance_weight => %(pw)s, max_input_price => %(max_input_price)s,
  min_context => %(min_context)s, capabilities => %(capabilities)s,
  max_results => %(max_results)s, max_price => %(max_price)s,
  frontier_only => %(frontier_only)s)
"""


@pytest.fixture(scope="module")
def conn(admin_url: str, template_url: str) -> Iterator[psycopg.Connection[Any]]:
    with (
        fresh_database(admin_url) as url,
        psycopg.connect(url, autocommit=True) as connection,
    ):
        connection.execute(SEED.replace("%(models)s", str(MODELS)))
        connection.execute("select public.refresh_model_rankings()")
        connection.execute("analyze public.model_rankings")
        yield connection


@pytest.fixture(scope="module")
def tied(admin_url: str, template_url: str) -> Iterator[psycopg.Connection[Any]]:
    with (
        fresh_database(admin_url) as url,
        psycopg.connect(url, autocommit=True) as connection,
    ):
        connection.execute(TIED_SEED.replace("%(models)s", str(TIED_MODELS)))
        connection.execute("select public.refresh_model_rankings()")
        connection.execute("analyze public.model_rankings")
        yield connection


@contextmanager
def nested_plans(conn: psycopg.Connection[Any]) -> Iterator[list[str]]:
    """The plans of the statements run inside rank_models (auto_explain at NOTICE level)."""
    plans: list[str] = []

    def keep(diagnostic: psycopg.errors.Diagnostic) -> None:
        if diagnostic.message_primary:
            plans.append(diagnostic.message_primary)

    conn.execute("load 'auto_explain'")
    conn.execute("set auto_explain.log_min_duration = 0")
    conn.execute("set auto_explain.log_nested_statements = on")
    conn.execute("set auto_explain.log_level = notice")
    conn.add_notice_handler(keep)
    try:
        yield plans
    finally:
        conn.remove_notice_handler(keep)
        conn.execute("reset auto_explain.log_min_duration")
        conn.execute("reset auto_explain.log_nested_statements")
        conn.execute("reset auto_explain.log_level")


def _params(
    category: str | None, cw: str | None, pw: str | None, filters: dict[str, Any]
) -> dict[str, Any]:
    params: dict[str, Any] = {
        "category": category,
        "cw": cw,
        "pw": pw,
        "max_input_price": None,
        "min_context": None,
        "capabilities": None,
        "max_price": None,
        "frontier_only": False,
        "max_results": 20,
    }
    params.update(filters)
    return params


def _reference(conn: psycopg.Connection[Any], params: dict[str, Any]) -> list[tuple[Any, ...]]:
    category = params["category"]
    query = REFERENCE.format(
        credit=f"{category}_cost_credit" if category else "cost_credit",
        perf=f"{category}_score" if category else "performance_score",
        coverage=f"{category}_coverage" if category else "category_count",
        frontier=f"{category}_on_frontier" if category else "on_pareto_frontier",
    )
    return conn.execute(query, params).fetchall()  # type: ignore[arg-type]


def test_catalog_has_ties_usage_and_a_frontier(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "select count(*) filter (where min_input_cost is not null),"
        " count(distinct performance_score), count(*) filter (where usage_factor < 1),"
        " count(*) filter (where coding_on_frontier) from public.model_rankings"
    ).fetchone()
    assert row is not None
    priced, distinct_scores, adjusted, frontier = row
    assert priced > 2000
    assert distinct_scores < priced / 2  # ties
    assert adjusted > 100
    assert frontier >= 2


@pytest.mark.parametrize("category", CATEGORIES)
def test_rank_models_equals_scoring_every_candidate(
    conn: psycopg.Connection[Any], category: str | None
) -> None:
    checked = 0
    for cw, pw in WEIGHTS:
        for filters in FILTERS:
            params = _params(category, cw, pw, filters)
            expected = _reference(conn, params)
            got = conn.execute(CALL, params).fetchall()
            assert got == expected, params
            checked += len(got)
    assert checked > 1000


def test_random_weights_equal_scoring_every_candidate(conn: psycopg.Connection[Any]) -> None:
    rng = random.Random(12)
    for _ in range(150):
        cw = str(round(rng.random(), rng.choice([1, 2, 3, 6])))
        pw = str(round(rng.random(), rng.choice([1, 2, 3, 6])))
        if float(cw) + float(pw) == 0:
            continue
        filters = dict(rng.choice(FILTERS))
        filters.setdefault("max_results", rng.choice([1, 5, 20, 100]))
        params = _params(rng.choice(CATEGORIES), cw, pw, filters)
        assert conn.execute(CALL, params).fetchall() == _reference(conn, params), params


def test_tied_catalog_has_large_tie_groups(tied: psycopg.Connection[Any]) -> None:
    row = tied.execute(
        "select count(*) filter (where min_input_cost is not null),"
        " count(distinct performance_score), count(distinct cost_credit),"
        " count(distinct coding_score), count(*) filter (where usage_factor < 1)"
        " from public.model_rankings"
    ).fetchone()
    assert row is not None
    priced, performances, credits, coding, adjusted = row
    assert priced == TIED_MODELS
    assert performances <= 12 and credits <= 20 and coding <= 6
    assert adjusted > 100


@pytest.mark.parametrize("category", CATEGORIES)
def test_tied_catalog_equals_scoring_every_candidate(
    tied: psycopg.Connection[Any], category: str | None
) -> None:
    for cw, pw in WEIGHTS:
        for filters in [*FILTERS, {"max_results": 1000}]:
            params = _params(category, cw, pw, filters)
            assert tied.execute(CALL, params).fetchall() == _reference(tied, params), params


def _custom_weight_paths(conn: psycopg.Connection[Any], calls: list[dict[str, Any]]) -> set[str]:
    """Which custom-weight path each call took: the rows read ("nearest") or the boxes."""
    paths: set[str] = set()
    for params in calls:
        with nested_plans(conn) as plans:
            got = conn.execute(CALL, params).fetchall()
        assert got == _reference(conn, params), params
        final = [plan for plan in plans if "row_number() over" in plan]
        assert len(final) == 1, plans
        if "<@" in final[0]:
            paths.add("boxes")
        elif "= ANY" in final[0]:
            paths.add("nearest")
        else:
            paths.add("every candidate")
    return paths


def test_both_custom_weight_paths_are_compared(
    conn: psycopg.Connection[Any], tied: psycopg.Connection[Any]
) -> None:
    weights = [("0.7", "0.3"), ("1", "0"), ("0", "1"), ("0.5", "0.5")]
    calls = [_params(category, cw, pw, {}) for category in (None, "coding") for cw, pw in weights]
    main_paths = _custom_weight_paths(conn, calls)
    tied_paths = _custom_weight_paths(tied, calls)
    assert "nearest" in main_paths
    # Hundreds of models tie at the N-th score: settled from the boxes along its line.
    assert "boxes" in tied_paths
    assert "every candidate" not in main_paths | tied_paths
