"""A benchmark that appears between two `llm-intel calibrate` runs is linked to the fitted
ones on first sight (calibration.link_new_benchmarks): through the models it shares with
them, by mean and spread, its weight its agreement; no fitted parameter moves; too few
shared models leave it at the identity, saying why. On a real Postgres with the shipped
calibration (migrations 0900/1400)."""

from __future__ import annotations

import json
import logging
import math
import statistics
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from llm_intelligence import calibration, validation
from llm_intelligence.collectors.runner import RunStatus, SourceReport, sync
from llm_intelligence.config import Settings
from tests.factories import add_model

# Two benchmarks the shipped calibration fits (coding), published by these leaderboards.
FITTED = (("humaneval", "pass@1", "evalplus"), ("aider-polyglot", "pass_rate_2", "aider"))
NEW = ("new-coding-bench", "accuracy", "evalplus")


def _score(conn: psycopg.Connection[Any], model_id: int, bench: tuple[str, ...], v: float) -> None:
    name, metric, source = bench
    conn.execute(
        "insert into public.benchmark_scores (model_id, benchmark_name, metric_type,"
        " benchmark_category, source_organization, source, score, scale)"
        " values (%s, %s, %s, 'coding', %s, %s, %s, 'percent')",
        (model_id, name, metric, source, source, v),
    )


def _calibration(conn: psycopg.Connection[Any]) -> dict[tuple[str, str], Any]:
    rows = conn.execute(
        "select benchmark_name, metric_type, parameters, n_models"
        " from llm_intel_private.benchmark_calibration"
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


@pytest.fixture
def catalog(conn: psycopg.Connection[Any]) -> list[int]:
    """20 models on both fitted benchmarks, in a clear order of ability."""
    ids = []
    for i in range(20):
        model_id = add_model(conn, f"link-model-{i}")
        _score(conn, model_id, FITTED[0], 40 + 2.5 * i)
        _score(conn, model_id, FITTED[1], 5 + 3.5 * i + (i % 3))
        ids.append(model_id)
    return ids


def test_a_new_benchmark_is_linked_and_nothing_else_moves(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    for i, model_id in enumerate(catalog[:12]):
        _score(conn, model_id, NEW, 10 + 4 * i + (i % 2))
    before = _calibration(conn)
    report = calibration.link_new_benchmarks(conn, sources=["evalplus"])
    assert report.unlinked == {}
    (fit,) = report.linked
    assert (fit.benchmark_name, fit.metric_type, fit.n_models) == (
        "new-coding-bench",
        "accuracy",
        12,
    )
    assert fit.correlation > 0.95 and fit.weight == pytest.approx(fit.correlation**2, abs=1e-3)

    # Mean-and-spread: on the shared models, z = (y - a) / s has the abilities' mean and sd.
    fitted = {k: v[0] for k, v in before.items() if v[1] > 0}
    abilities, mapped = [], []
    for model_id in catalog[:12]:
        zs = []
        for name, metric, _ in FITTED:
            rows = conn.execute(
                "select normalized_score from public.benchmark_scores"
                " where model_id = %s and benchmark_name = %s",
                (model_id, name),
            ).fetchone()
            assert rows is not None
            p = fitted[(name, metric)]
            zs.append((calibration.logit(float(rows[0])) - p["offset"]) / p["slope"])
        abilities.append(sum(zs) / len(zs))
        new_row = conn.execute(
            "select normalized_score from public.benchmark_scores"
            " where model_id = %s and benchmark_name = %s",
            (model_id, NEW[0]),
        ).fetchone()
        assert new_row is not None
        mapped.append((calibration.logit(float(new_row[0])) - fit.offset) / fit.slope)
    assert statistics.fmean(mapped) == pytest.approx(statistics.fmean(abilities), abs=1e-4)
    assert statistics.pstdev(mapped) == pytest.approx(statistics.pstdev(abilities), abs=1e-4)

    calibration.write_links(conn, report.linked)
    after = _calibration(conn)
    assert {k: v for k, v in after.items() if k != NEW[:2]} == before
    params, n_models = after[NEW[:2]]
    assert n_models == 12
    assert (params["offset"], params["slope"]) == (fit.offset, fit.slope)
    # Linked once: the next sync finds nothing new to link.
    assert calibration.link_new_benchmarks(conn, sources=["evalplus"]).linked == []


def test_too_few_shared_models_keep_the_identity_and_say_why(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    for i, model_id in enumerate(catalog[:5]):
        _score(conn, model_id, NEW, 10 + 4 * i)
    loner = add_model(conn, "link-model-alone")
    _score(conn, loner, NEW, 70)
    report = calibration.link_new_benchmarks(conn, sources=["evalplus"])
    assert report.linked == []
    assert "5 of its models" in report.unlinked["new-coding-bench/accuracy"]
    assert "needs 8" in report.unlinked["new-coding-bench/accuracy"]
    calibration.write_links(conn, report.linked)
    assert NEW[:2] not in _calibration(conn)


def test_only_an_unfitted_row_is_replaced(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    """An identity row `llm-intel calibrate` left (n_models 0) is replaced by a link; a fitted
    row never is."""
    for i, model_id in enumerate(catalog):
        _score(conn, model_id, NEW, 10 + 4 * i)
    conn.execute(
        "insert into llm_intel_private.benchmark_calibration (benchmark_name, metric_type)"
        " values (%s, %s)",
        NEW[:2],
    )
    report = calibration.link_new_benchmarks(conn)
    assert [f.benchmark_name for f in report.linked] == ["new-coding-bench"]
    humaneval = calibration.BenchmarkFit(
        "humaneval", "pass@1", "coding", 9.0, 9.0, 99, 0.0, 1.0, 1.0
    )
    before = _calibration(conn)[("humaneval", "pass@1")]
    calibration.write_links(conn, [*report.linked, humaneval])
    after = _calibration(conn)
    assert after[("humaneval", "pass@1")] == before
    assert after[NEW[:2]][1] == len(catalog)
    assert not math.isclose(after[NEW[:2]][0]["slope"], 1.0)


def test_only_the_named_sources_are_linked(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    for i, model_id in enumerate(catalog):
        _score(conn, model_id, NEW, 10 + 4 * i)
    assert calibration.link_new_benchmarks(conn, sources=["aider"]).linked == []
    assert len(calibration.link_new_benchmarks(conn, sources=["evalplus"]).linked) == 1


# --- the link step of a leaderboard sync ------------------------------------------------

EVALPLUS_MODELS = ("link-sync-coder-a", "link-sync-coder-b")


def _sync_evalplus(db_url: str, tmp_path: Path) -> SourceReport:
    """One offline evalplus sync of a two-model mirror, both models in the catalog."""
    with psycopg.connect(db_url, autocommit=True) as setup:
        for name in EVALPLUS_MODELS:
            add_model(setup, name)
    board = {
        name: {"pass@1": {"humaneval": 60.0 + i, "mbpp": 50.0 + i}, "prompted": True}
        for i, name in enumerate(EVALPLUS_MODELS)
    }
    (tmp_path / "evalplus_results.json").write_text(json.dumps(board))
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(tmp_path))
    [report] = sync(db_url, settings=settings, sources=["evalplus"], offline=True)
    return report


def test_a_failed_link_is_reported_and_the_written_run_succeeds(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The scores commit before the link runs: a link that fails leaves them, and the run,
    as written, with the failure in the run's details and the log."""

    def broken(*_args: Any, **_kwargs: Any) -> calibration.LinkReport:
        raise RuntimeError("calibration table unreadable")

    monkeypatch.setattr(calibration, "link_new_benchmarks", broken)
    with caplog.at_level(logging.ERROR, logger="llm_intelligence.collectors.runner"):
        report = _sync_evalplus(db_url, tmp_path)
    assert report.status is RunStatus.SUCCEEDED, report.error
    assert report.error is None
    assert report.inserted == 4  # two models x (humaneval, mbpp)
    with psycopg.connect(db_url) as check:
        scores = check.execute(
            "select count(*) from public.benchmark_scores b join public.models m"
            " on m.id = b.model_id where m.name = any(%s) and b.source = 'evalplus'",
            (list(EVALPLUS_MODELS),),
        ).fetchone()
        run = check.execute(
            "select status, error, details from public.collector_runs"
            " where source = 'evalplus' order by id desc limit 1"
        ).fetchone()
    assert scores == (4,)
    assert run is not None
    status, error, details = run
    assert (status, error) == ("succeeded", None)
    assert details["calibration"] == {"error": "RuntimeError: calibration table unreadable"}
    assert "calibration table unreadable" in caplog.text
    assert "evalplus" in caplog.text


def test_a_sync_without_link_failure_records_no_calibration_error(
    db_url: str, tmp_path: Path
) -> None:
    report = _sync_evalplus(db_url, tmp_path)
    assert report.status is RunStatus.SUCCEEDED, report.error
    with psycopg.connect(db_url) as check:
        run = check.execute(
            "select details from public.collector_runs where source = 'evalplus'"
        ).fetchone()
    assert run is not None
    assert "error" not in run[0].get("calibration", {})


# --- leave-one-leaderboard-out validation (validation.leave_one_out) ---------------------


def _state(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    return (
        _calibration(conn),
        conn.execute(
            "select count(*) filter (where is_active) from public.benchmark_scores"
        ).fetchone(),
        conn.execute(
            "select model_id, coding_score from public.model_rankings order by model_id"
        ).fetchall(),
    )


def test_leave_one_out_predicts_each_board_from_the_other_and_changes_nothing(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    conn.execute("select public.refresh_model_rankings()")
    before = _state(conn)
    results = validation.leave_one_out(conn, categories=["coding"])
    by_board = {(a.leaderboard, a.category): a for a in results}
    # The two boards order the 20 models alike: each predicts the other's order.
    for board in ("evalplus", "aider"):
        agreement = by_board[(board, "coding")]
        assert agreement.models == len(catalog)
        assert agreement.rho is not None and agreement.rho > 0.95
        assert agreement.rho_uncalibrated is not None and agreement.rho_uncalibrated > 0.95
    assert _state(conn) == before


def test_leave_one_out_names_an_unknown_category(
    conn: psycopg.Connection[Any], catalog: list[int]
) -> None:
    with pytest.raises(ValueError, match=r"unknown ranking category 'codng'; expected .*coding"):
        validation.leave_one_out(conn, categories=["coding", "codng"])


def test_the_link_limits_are_the_tables_check(conn: psycopg.Connection[Any]) -> None:
    """`_OFFSET_LIMIT` and `_SLOPE_LIMIT` restate the table's CHECK (a link past them is left
    unlinked rather than failing the write): the CHECK accepts them and refuses beyond."""
    insert = (
        "insert into llm_intel_private.benchmark_calibration"
        " (benchmark_name, metric_type, parameters) values ('limit-check', %s, %s)"
    )
    offset, slope = calibration._OFFSET_LIMIT, calibration._SLOPE_LIMIT
    for i, params in enumerate(
        ({"offset": offset, "slope": slope}, {"offset": -offset, "slope": slope})
    ):
        conn.execute(insert, (f"ok-{i}", Jsonb(params)))
    for i, params in enumerate(
        ({"offset": offset + 0.001, "slope": 1}, {"offset": 0, "slope": slope + 0.001})
    ):
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(insert, (f"past-{i}", Jsonb(params)))


def test_a_refit_past_the_tables_range_keeps_that_benchmark_at_the_identity(
    conn: psycopg.Connection[Any],
) -> None:
    """One benchmark with extreme data must not fail the whole `llm-intel calibrate`: its
    fit is returned as refused and it goes back to the identity; the others are stored."""
    good = calibration.BenchmarkFit("humaneval", "pass@1", "coding", 0.5, 1.2, 30, 0.1, 0.9, 0.81)
    wild = calibration.BenchmarkFit("mbpp", "pass@1", "coding", 0.5, 35.0, 30, 0.1, 0.9, 0.81)
    with conn.transaction():
        refused = calibration.write_calibration(conn, [good, wild])
    assert refused == [wild]
    stored = _calibration(conn)
    assert stored[("humaneval", "pass@1")][0]["slope"] == 1.2
    assert stored[("mbpp", "pass@1")][0] == {"offset": 0, "slope": 1, "weight": 1}
