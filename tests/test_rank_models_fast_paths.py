"""rank_models' fast paths (20261202001100: custom weights bounded from the credit and
performance indexes, frontier_only from partial indexes) return exactly what scoring every
candidate returns: same models, same scores, same order, ties included.

One seeded random catalog of 3,000 models (coarse scores and prices, so that ties are
common; usage stats so that usage_factor varies), written straight into the tables, then
model_rankings refreshed. The reference scores every row of model_rankings that passes the
filters, with the function's normalisation of the weights and its ORDER BY."""

from __future__ import annotations

import random
from collections.abc import Iterator
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
]
FILTERS: list[dict[str, Any]] = [
    {},
    {"max_input_price": "5", "min_context": 100000, "capabilities": ["vision"]},
    {"max_price": "3"},
    {"frontier_only": True},
    {"max_results": 1},
    {"max_results": 200},
    {"max_input_price": "0.5", "max_results": 50},
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
