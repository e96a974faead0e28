"""Property tests (hypothesis) of the calibrated ranking's invariants, against the real SQL:
adding a model moves nobody's normalized or calibrated scores; a lower price never lowers
a rank at equal quality; the frontier flag is exactly the non-dominated set; a model
without evidence never enters the default top 20 when 20 evidenced models exist.

Each example runs in a transaction that is rolled back; model_rankings is rebuilt inside
it (`refresh materialized view`, which a transaction allows)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fresh_database
from tests.factories import add_model, add_price

BENCHMARKS = [
    ("aider-polyglot", "pass_rate_2", "coding", "aider"),
    ("humaneval", "pass@1", "coding", "evalplus"),
    ("bigcodebench-complete", "pass@1", "coding", "bigcodebench"),
    ("livebench-zebra_puzzle", "score", "reasoning", "livebench"),
    ("livebench-olympiad", "score", "math", "livebench"),
]
SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

percent = st.integers(min_value=0, max_value=100)
price = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(200), places=2)
scores = st.lists(st.one_of(st.none(), percent), min_size=len(BENCHMARKS), max_size=len(BENCHMARKS))


@pytest.fixture(scope="module")
def conn(admin_url: str, template_url: str) -> Iterator[psycopg.Connection[Any]]:
    with (
        fresh_database(admin_url) as url,
        psycopg.connect(url, autocommit=True) as connection,
    ):
        yield connection


def _model(conn: psycopg.Connection[Any], name: str, cost: Decimal, marks: list[int | None]) -> int:
    model_id = add_model(conn, name)
    add_price(conn, model_id, "openai", cost, cost)
    for (benchmark, metric, category, source), mark in zip(BENCHMARKS, marks, strict=True):
        if mark is None:
            continue
        conn.execute(
            "insert into benchmark_scores (model_id, benchmark_name, metric_type,"
            " benchmark_category, source_organization, source, score, scale)"
            " values (%s, %s, %s, %s, %s, %s, %s, 'percent')",
            (model_id, benchmark, metric, category, source, source, mark),
        )
    return model_id


def _refresh(conn: psycopg.Connection[Any]) -> None:
    # A bare REFRESH reads the stored per-model scores: rescore the changed models first.
    conn.execute("select llm_intel_private.update_model_scores()")
    conn.execute("refresh materialized view public.model_rankings")


_CALIBRATED = """
select b.model_id, b.benchmark_name, b.normalized_score,
       llm_intel_private.calibrated_logit(b.normalized_score, k.parameters, -2.2)
from benchmark_scores b
left join llm_intel_private.benchmark_calibration k using (benchmark_name, metric_type)
where b.model_id = any(%s)
order by 1, 2
"""
_SCORES = """
select model_id, coding_score, reasoning_score, math_score, performance_score, composite_score
from model_rankings where model_id = any(%s) order by 1
"""


@SETTINGS
@given(
    others=st.lists(st.tuples(price, scores), min_size=1, max_size=6),
    newcomer=st.tuples(price, scores),
)
def test_adding_a_model_moves_nobody(
    conn: psycopg.Connection[Any],
    others: list[tuple[Decimal, list[int | None]]],
    newcomer: tuple[Decimal, list[int | None]],
) -> None:
    with conn.transaction(force_rollback=True):
        ids = [_model(conn, f"m{i}", cost, marks) for i, (cost, marks) in enumerate(others)]
        _refresh(conn)
        before = (
            conn.execute(_CALIBRATED, (ids,)).fetchall(),
            conn.execute(_SCORES, (ids,)).fetchall(),
        )
        _model(conn, "newcomer", *newcomer)
        _refresh(conn)
        after = (
            conn.execute(_CALIBRATED, (ids,)).fetchall(),
            conn.execute(_SCORES, (ids,)).fetchall(),
        )
    assert before == after


def _rank_of(conn: psycopg.Connection[Any], model_id: int, category: str | None) -> int:
    row = conn.execute(
        "select rank from rank_models(category => %s, max_results => 1000) where model_id = %s",
        (category, model_id),
    ).fetchone()
    assert row is not None
    return int(row[0])


@SETTINGS
@given(
    others=st.lists(st.tuples(price, scores), min_size=1, max_size=8),
    subject=scores,
    high=price,
    cut=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=2),
    category=st.sampled_from([None, "coding", "math"]),
)
def test_a_lower_price_never_lowers_the_rank(
    conn: psycopg.Connection[Any],
    others: list[tuple[Decimal, list[int | None]]],
    subject: list[int | None],
    high: Decimal,
    cut: Decimal,
    category: str | None,
) -> None:
    low = max(Decimal("0.01"), (high * cut).quantize(Decimal("0.01")))
    with conn.transaction(force_rollback=True):
        for i, (cost, marks) in enumerate(others):
            _model(conn, f"m{i}", cost, marks)
        subject_id = _model(conn, "subject", high, subject)
        _refresh(conn)
        at_high = _rank_of(conn, subject_id, category)
        conn.execute(
            "update provider_pricing set input_price_per_million = %s,"
            " output_price_per_million = %s where model_id = %s",
            (low, low, subject_id),
        )
        _refresh(conn)
        at_low = _rank_of(conn, subject_id, category)
    assert at_low <= at_high


@SETTINGS
@given(models=st.lists(st.tuples(price, scores), min_size=1, max_size=12))
def test_the_frontier_is_exactly_the_non_dominated_set(
    conn: psycopg.Connection[Any], models: list[tuple[Decimal, list[int | None]]]
) -> None:
    with conn.transaction(force_rollback=True):
        for i, (cost, marks) in enumerate(models):
            _model(conn, f"m{i}", cost, marks)
        _refresh(conn)
        rows = conn.execute(
            "select model_id, min_blended_cost, coding_score, coding_on_frontier,"
            " performance_score, on_pareto_frontier from model_rankings"
        ).fetchall()
    for score_at, flag_at in ((2, 3), (4, 5)):
        for row in rows:
            dominated = any(
                o[1] <= row[1]
                and o[score_at] >= row[score_at]
                and (o[1] < row[1] or o[score_at] > row[score_at])
                for o in rows
                if o[0] != row[0]
            )
            assert row[flag_at] is (not dominated), (row, rows)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    evidenced=st.lists(
        st.tuples(price, scores.filter(lambda m: any(x is not None for x in m))),
        min_size=20,
        max_size=24,
    ),
    unknown=st.lists(price, min_size=1, max_size=4),
    category=st.sampled_from([None, "coding"]),
)
def test_no_evidence_never_enters_the_default_top_20(
    conn: psycopg.Connection[Any],
    evidenced: list[tuple[Decimal, list[int | None]]],
    unknown: list[Decimal],
    category: str | None,
) -> None:
    with conn.transaction(force_rollback=True):
        for i, (cost, marks) in enumerate(evidenced):
            if category == "coding" and all(m is None for m in marks[:3]):
                marks = [0, *marks[1:]]  # evidence in the category asked for
            _model(conn, f"e{i}", cost, marks)
        for i, cost in enumerate(unknown):
            _model(conn, f"u{i}", cost, [None] * len(BENCHMARKS))
        _refresh(conn)
        top = conn.execute(
            "select name, coverage from rank_models(category => %s)", (category,)
        ).fetchall()
    assert len(top) == 20
    assert all(coverage > 0 for _, coverage in top), top
