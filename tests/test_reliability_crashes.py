"""A real `llm-intel sync` killed with SIGKILL at several points leaves nothing behind:
no half-written source, its run `abandoned` at the next run or `llm-intel runs`, rankings
that heal without waiting for a sync, and a following sync that succeeds.

The points are reached without timing (see tests/sync_process.py): a FIFO as the LiteLLM
file holds the fetch; a test trigger holds a source's write mid-transaction. A process
killed while its server backend waits on a lock leaves that backend waiting; the test then
lets the backend go on, and it rolls back when it finds its client gone.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from llm_intelligence.collectors import runner, sources
from llm_intelligence.config import Settings
from tests.factories import add_model, add_price
from tests.sync_process import (
    LITELLM_SAMPLE,
    MODELS_DEV_SAMPLE,
    Fifo,
    WriteBlocker,
    active_prices,
    cli_env,
    client_backends,
    rankings_state,
    reaped,
    rows,
    run_cli,
    runs,
    scalar,
    start_cli,
    sync_lock_holder,
    wait_gone,
    wait_until,
)

SYNC = ["sync", "--offline", "litellm", "models-dev"]


def _catalog_counts(db_url: str) -> tuple[int, int, int]:
    """Rows of models, aliases and prices."""
    models, aliases, prices = rows(
        db_url,
        "select (select count(*)::int from models), (select count(*)::int from model_aliases),"
        " (select count(*)::int from provider_pricing)",
    )[0]
    return int(models), int(aliases), int(prices)


def _assert_runs_match_rows(db_url: str) -> None:
    """Every source's active rows are exactly what its last succeeded run saw: no run
    was half-written."""
    for source in ("litellm", "models-dev"):
        last = [r for r in runs(db_url) if r[1] == source and r[2] == "succeeded"]
        assert active_prices(db_url, source) == (last[-1][3] if last else 0), source


def test_killed_while_fetching_leaves_nothing_and_the_next_sync_runs(
    db_url: str, tmp_path: Path
) -> None:
    fifo = Fifo(tmp_path / "litellm.json")
    env = cli_env(db_url, tmp_path, LLM_INTEL_LITELLM_URL=str(fifo.path))
    sync = start_cli(SYNC, env, tmp_path, "killed")
    with reaped(sync):
        wait_until(fifo.reader_waiting, what="the sync to start reading the LiteLLM file")
        holder = sync_lock_holder(db_url)
        assert holder is not None  # fetching happens under the sync lock
        sessions = client_backends(db_url)
        sync.kill(signal.SIGKILL)
        sync.process.wait(timeout=30)
        fifo.close()
        wait_gone(db_url, sessions)

    assert _catalog_counts(db_url) == (0, 0, 0)
    assert runs(db_url) == []  # runs are recorded once fetched: none had started
    assert sync_lock_holder(db_url) is None

    code, out, err = run_cli(SYNC, cli_env(db_url, tmp_path), tmp_path, "next")
    assert code == 0, out + err
    assert [(r[1], r[2]) for r in runs(db_url)] == [
        ("litellm", "succeeded"),
        ("models-dev", "succeeded"),
    ]
    _assert_runs_match_rows(db_url)


def test_killed_mid_write_of_the_first_source_is_abandoned_and_rolled_back(
    db_url: str, tmp_path: Path
) -> None:
    blocker = WriteBlocker(db_url, "litellm")
    env = cli_env(db_url, tmp_path)
    sync = start_cli(SYNC, env, tmp_path, "killed")
    try:
        with reaped(sync):
            writer = wait_until(blocker.blocked, what="the litellm write to reach its prices")
            [(run_id, source, status, backend_pid)] = [r[:4] for r in _runs_with_pids(db_url)]
            assert (source, status, backend_pid) == ("litellm", "running", writer)
            sessions = client_backends(db_url, besides=(blocker.pid,))
            sync.kill(signal.SIGKILL)
            sync.process.wait(timeout=30)
            blocker.release()  # the backend goes on, finds its client gone, rolls back
            wait_gone(db_url, sessions)
    finally:
        blocker.remove()

    assert _catalog_counts(db_url) == (0, 0, 0)  # the models it had COPYed went too
    assert runs(db_url)[0][2] == "running"  # until someone looks

    code, out, err = run_cli(SYNC, env, tmp_path, "next")  # the next run looks

    assert code == 0, out + err
    recorded = runs(db_url)
    assert (recorded[0][0], recorded[0][2]) == (run_id, "abandoned")
    assert f"pid {writer}" in recorded[0][4]
    assert [(r[1], r[2]) for r in recorded[1:]] == [
        ("litellm", "succeeded"),
        ("models-dev", "succeeded"),
    ]
    _assert_runs_match_rows(db_url)


def test_killed_after_the_first_commit_leaves_stale_rankings_that_heal(
    db_url: str, tmp_path: Path
) -> None:
    blocker = WriteBlocker(db_url, "models-dev")
    env = cli_env(db_url, tmp_path)
    sync = start_cli(SYNC, env, tmp_path, "killed")
    try:
        with reaped(sync):
            wait_until(blocker.blocked, what="the models-dev write to reach its prices")
            sessions = client_backends(db_url, besides=(blocker.pid,))
            sync.kill(signal.SIGKILL)
            sync.process.wait(timeout=30)
            blocker.release()
            wait_gone(db_url, sessions)
    finally:
        blocker.remove()

    # LiteLLM committed whole; models-dev left nothing; the final refresh never ran.
    assert [(r[1], r[2]) for r in runs(db_url)] == [
        ("litellm", "succeeded"),
        ("models-dev", "running"),
    ]
    assert active_prices(db_url, "models-dev") == 0
    _assert_runs_match_rows(db_url)
    stale, ranked, priced = rankings_state(db_url)
    assert stale and ranked == 0 and priced > 0

    # `llm-intel runs` marks the dead run; `rank --json` (a read) warns... after healing.
    code, out, err = run_cli(["runs"], env, tmp_path, "runs")
    assert code == 0, out + err
    assert [r[2] for r in runs(db_url)] == ["succeeded", "abandoned"]
    assert "abandoned" in out

    code, out, err = run_cli(["db", "start"], env, tmp_path, "db-start")
    assert code == 0, out + err
    assert "rankings were stale" in err and "refreshed" in err
    stale, ranked, priced = rankings_state(db_url)
    assert not stale and ranked == priced

    code, out, err = run_cli(["sync", "--offline", "models-dev"], env, tmp_path, "next")
    assert code == 0, out + err
    assert runs(db_url)[-1][1:3] == ("models-dev", "succeeded")
    _assert_runs_match_rows(db_url)
    assert not rankings_state(db_url)[0]


def test_a_read_heals_stale_rankings_too(db_url: str, tmp_path: Path) -> None:
    # What a sync killed after its write and before its final refresh leaves behind: a
    # committed price the view does not show, and the stale flag.
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        add_price(conn, add_model(conn, "gpt-x", provider="openai"), "openai", "1", "4")
    assert rankings_state(db_url) == (True, 0, 1)

    code, out, err = run_cli(["rank", "--json"], cli_env(db_url, tmp_path), tmp_path, "rank")

    assert code == 0, out + err
    assert [row["name"] for row in json.loads(out)] == ["gpt-x"]
    assert rankings_state(db_url) == (False, 1, 1)
    assert "stale" not in err


def test_sigint_mid_write_stops_the_sync_and_records_the_run_as_interrupted(
    db_url: str, tmp_path: Path
) -> None:
    blocker = WriteBlocker(db_url, "litellm")
    env = cli_env(db_url, tmp_path)
    sync = start_cli(SYNC, env, tmp_path, "interrupted")
    try:
        with reaped(sync):
            wait_until(blocker.blocked, what="the litellm write to reach its prices")
            sync.kill(signal.SIGINT)
            code, out, err = sync.finish()
    finally:
        blocker.remove()

    assert code != 0, out + err
    # KeyboardInterrupt stops everything: models-dev never runs; the run is closed.
    assert [(r[1], r[2], r[4]) for r in runs(db_url)] == [
        ("litellm", "failed", "interrupted (KeyboardInterrupt)")
    ]
    assert _catalog_counts(db_url) == (0, 0, 0)
    assert sync_lock_holder(db_url) is None


def _runs_with_pids(db_url: str) -> list[tuple[int, str, str, int]]:
    with_pids = scalar(
        db_url,
        "select coalesce(json_agg(json_build_array(id, source, status, backend_pid)"
        " order by id), '[]') from collector_runs",
    )
    return [tuple(r) for r in with_pids]  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _sample_exists() -> None:
    assert LITELLM_SAMPLE.exists()


# --- an unexpected exception in one source (a bug) fails only that source --------------------


def _sync_in_process(db_url: str) -> list[runner.SourceReport]:
    settings = Settings(litellm_url=str(LITELLM_SAMPLE), models_dev_url=str(MODELS_DEV_SAMPLE))
    return runner.sync(db_url, settings=settings, sources=["litellm", "models-dev"], offline=True)


def test_an_exception_escaping_a_parser_fails_only_its_source(
    db_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def parse(_payload: object) -> None:
        raise RecursionError("maximum recursion depth exceeded " + "x" * 10_000)

    patched = dict(sources.SOURCES)
    patched["litellm"] = dataclasses.replace(patched["litellm"], parse=parse)
    monkeypatch.setattr(sources, "SOURCES", patched)

    with caplog.at_level(logging.ERROR, logger="llm_intelligence.collectors.runner"):
        reports = _sync_in_process(db_url)

    assert [(r.source, r.status) for r in reports] == [
        ("litellm", "failed"),
        ("models-dev", "succeeded"),
    ]
    [failed, _] = runs(db_url)
    assert failed[4].startswith("litellm: unexpected RecursionError: maximum recursion depth")
    assert len(failed[4]) <= 500 and "characters, shortened" in failed[4]
    assert "Traceback" in caplog.text and "in parse" in caplog.text
    assert max(len(r.getMessage()) for r in caplog.records) < 5_000  # capped in the log too
    assert active_prices(db_url, "litellm") == 0
    _assert_runs_match_rows(db_url)


def test_an_exception_escaping_a_write_fails_only_its_source(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = runner.write_source

    def write(conn: Any, resolved: Any, **kwargs: Any) -> Any:
        if resolved.source == "litellm":
            raise TypeError("Recursion limit reached")
        return real_write(conn, resolved, **kwargs)

    monkeypatch.setattr(runner, "write_source", write)

    reports = _sync_in_process(db_url)

    assert [(r.source, r.status) for r in reports] == [
        ("litellm", "failed"),
        ("models-dev", "succeeded"),
    ]
    assert runs(db_url)[0][4] == "litellm: unexpected TypeError: Recursion limit reached"
    _assert_runs_match_rows(db_url)
