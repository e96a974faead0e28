"""One sync at a time, on a lock nobody else can take: two real syncs at once (the second
exits naming the first, or waits its turn), `anon` holding advisory locks or trying to lock
the sync lock row, the scheduler waiting its turn, the heal job, the size guards.

A sync is held at a known point with a FIFO as its LiteLLM file (see tests/sync_process.py):
it holds the sync lock while its fetch waits for the test to feed the file.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from psycopg import errors
from psycopg.conninfo import make_conninfo

from llm_intelligence.collectors import runner
from llm_intelligence.collectors.resolve import resolve
from llm_intelligence.collectors.rows import ModelInfo, ParsedSource, PriceRow
from llm_intelligence.collectors.writer import write_source
from llm_intelligence.config import Settings
from llm_intelligence.db import apply_migrations
from llm_intelligence.db.sync_lock import (
    RankingsStatus,
    abandon_dead_runs,
    refresh_stale_rankings,
)
from llm_intelligence.errors import GrowGuardError, ShrinkGuardError, SyncLockedError
from llm_intelligence.scheduler import HEAL_JOB_ID, add_rankings_heal_job, build_scheduler
from tests.factories import add_model, add_price
from tests.sync_process import (
    LITELLM_SAMPLE,
    MODELS_DEV_SAMPLE,
    CliProcess,
    Fifo,
    cli_env,
    rankings_state,
    reaped,
    run_cli,
    runs,
    start_cli,
    sync_lock_holder,
    wait_until,
    waiting_for_sync_lock,
)

OLD_SYNC_LOCK_KEY = 0x11_7E_5A_C0  # the advisory key syncs used to take (293493440)
OLD_MIGRATION_LOCK_KEY = 0x11_7E_11_16
HOLD_SYNC_LOCK = "select from llm_intel_private.sync_lock where name = 'sync' for update"


@pytest.fixture
def held_sync(db_url: str, tmp_path: Path) -> Iterator[tuple[CliProcess, Fifo]]:
    """A real `llm-intel sync litellm` holding the sync lock, its fetch waiting on a FIFO."""
    fifo = Fifo(tmp_path / "litellm.json")
    env = cli_env(db_url, tmp_path, LLM_INTEL_LITELLM_URL=str(fifo.path))
    first = start_cli(["sync", "--offline", "litellm"], env, tmp_path, "first")
    with reaped(first):
        wait_until(fifo.reader_waiting, what="the first sync to read the LiteLLM file")
        assert sync_lock_holder(db_url) is not None
        yield first, fifo
    fifo.close()


def test_a_second_sync_exits_at_once_naming_the_running_one(
    db_url: str, tmp_path: Path, held_sync: tuple[CliProcess, Fifo]
) -> None:
    first, fifo = held_sync
    holder = sync_lock_holder(db_url)

    code, out, err = run_cli(
        ["sync", "--offline", "models-dev"], cli_env(db_url, tmp_path), tmp_path, "second"
    )

    assert code == 75, out + err
    message = " ".join(err.split())
    assert "another sync is running" in message
    assert f"backend pid {holder} (litellm)" in message
    assert "Nothing was written" in message and "--wait" in message
    assert "Sync summary" not in out  # one message, no per-source table
    assert runs(db_url) == []  # no `refused` rows, nothing written by either yet

    fifo.feed(LITELLM_SAMPLE.read_bytes())
    code, out, err = first.finish()
    assert code == 0, out + err
    assert [(r[1], r[2]) for r in runs(db_url)] == [("litellm", "succeeded")]


def test_a_second_sync_with_wait_runs_after_the_first(
    db_url: str, tmp_path: Path, held_sync: tuple[CliProcess, Fifo]
) -> None:
    first, fifo = held_sync
    env = cli_env(db_url, tmp_path)
    second = start_cli(["sync", "--offline", "models-dev", "--wait", "600"], env, tmp_path, "2nd")
    with reaped(second):
        wait_until(lambda: waiting_for_sync_lock(db_url), what="the second sync to wait")
        assert runs(db_url) == []
        fifo.feed(LITELLM_SAMPLE.read_bytes())
        first_result = first.finish()
        second_result = second.finish()

    assert first_result[0] == 0, first_result
    assert second_result[0] == 0, second_result
    # One after the other, never interleaved: the second started when the first ended.
    recorded = runs(db_url)
    assert [(r[1], r[2]) for r in recorded] == [
        ("litellm", "succeeded"),
        ("models-dev", "succeeded"),
    ]


def test_a_bounded_wait_gives_up_with_the_same_message(
    db_url: str, tmp_path: Path, held_sync: tuple[CliProcess, Fifo]
) -> None:
    code, out, err = run_cli(
        ["sync", "--offline", "models-dev", "--wait", "0.5"],
        cli_env(db_url, tmp_path),
        tmp_path,
        "second",
    )
    assert code == 75, out + err
    assert "another sync is running after waiting 0.5 s" in " ".join(err.split())
    assert runs(db_url) == []


# --- anon cannot block a sync --------------------------------------------------------------


def _anon_session(db_url: str) -> psycopg.Connection[Any]:
    conn = psycopg.connect(db_url, autocommit=True)
    conn.execute("set role anon")
    return conn


def test_anon_cannot_lock_the_sync_lock_table(db_url: str) -> None:
    with _anon_session(db_url) as anon:
        for sql in (
            "select * from llm_intel_private.sync_lock for update nowait",
            "select * from llm_intel_private.sync_lock for key share",
            "select * from llm_intel_private.sync_lock",
            "lock table llm_intel_private.sync_lock in access share mode",
            "lock table supabase_migrations.schema_migrations in access share mode",
            "select llm_intel_private.abandon_dead_runs()",
            "select public.refresh_model_rankings()",
        ):
            with pytest.raises(errors.InsufficientPrivilege), anon.transaction():
                anon.execute(sql)


def test_anon_advisory_locks_and_lock_attempts_do_not_block_a_sync(
    db_url: str, tmp_path: Path
) -> None:
    env = cli_env(db_url, tmp_path)
    with _anon_session(db_url) as anon, _anon_session(db_url) as anon_in_transaction:
        # Session-level advisory locks on the keys syncs and migrations used to take, both
        # key forms, and a spread of others; a shared lock on every one of them as well.
        anon.execute(
            "select pg_advisory_lock(k) from unnest(%s::bigint[]) as k",
            ([OLD_SYNC_LOCK_KEY, OLD_MIGRATION_LOCK_KEY, 0, 1, -1, 2**63 - 1, -(2**63)],),
        )
        anon.execute("select pg_advisory_lock(k) from generate_series(1, 300) as k")
        anon.execute("select pg_advisory_lock(0, k) from generate_series(0, 300) as k")
        anon.execute(
            "select pg_advisory_lock(%s, %s), pg_advisory_lock(%s, %s)",
            (0, OLD_SYNC_LOCK_KEY, 0, OLD_MIGRATION_LOCK_KEY),
        )
        # An open transaction that tried (and failed) to lock the row and the table.
        anon_in_transaction.execute("begin")
        with pytest.raises(errors.InsufficientPrivilege):
            anon_in_transaction.execute("select * from llm_intel_private.sync_lock for update")

        code, out, err = run_cli(
            ["sync", "--offline", "litellm", "models-dev"], env, tmp_path, "sync"
        )

        assert code == 0, out + err
        held = anon.execute(
            "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"
        ).fetchone()
        assert held is not None and held[0] > 600  # still held throughout
    assert [(r[1], r[2]) for r in runs(db_url)] == [
        ("litellm", "succeeded"),
        ("models-dev", "succeeded"),
    ]


def test_anon_advisory_lock_does_not_block_a_pending_migration(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "20990101000000_later.sql").write_text("create table public.later (id int);")
    with _anon_session(db_url) as anon:
        anon.execute("select pg_advisory_lock(%s)", (OLD_MIGRATION_LOCK_KEY,))
        result = apply_migrations(db_url, directory=tmp_path)
    assert [m.version for m in result.applied] == ["20990101000000"]


def test_anon_can_read_whether_rankings_are_stale(db_url: str) -> None:
    with _anon_session(db_url) as anon:
        row = anon.execute("select * from public.model_rankings_status()").fetchone()
    assert row is not None
    stale, _last_refreshed_at, sync_running = row  # migrations may have refreshed it
    assert (stale, sync_running) == (False, False)


# --- the write lock, for writers called on their own --------------------------------------


def _resolved(source: str = "litellm") -> Any:
    row = PriceRow(
        source_key="acme-1",
        model=ModelInfo(source_model_id="acme-1", author="acme"),
        provider_name="acme",
        provider_id="acme-1",
        input_price_per_million=Decimal(1),
        output_price_per_million=Decimal(2),
    )
    return resolve(ParsedSource(source=source, prices=[row]), source=source)


def test_a_writer_on_its_own_is_refused_while_another_writes(db_url: str) -> None:
    with psycopg.connect(db_url) as other, psycopg.connect(db_url, autocommit=True) as conn:
        other.execute("select from llm_intel_private.sync_lock where name = 'write' for update")
        with pytest.raises(SyncLockedError, match="nothing was written"):
            write_source(conn, _resolved(), wait_for_lock=False)
        other.rollback()
        assert write_source(conn, _resolved(), wait_for_lock=False).inserted == 1


# --- the scheduler ---------------------------------------------------------------------------


def test_scheduler_waits_its_turn_behind_a_running_sync(db_url: str) -> None:
    settings = Settings(
        schedule_litellm_minutes=0,
        schedule_openrouter_minutes=0,
        schedule_models_dev_minutes=60,
        schedule_genai_prices_minutes=0,
        schedule_offline=True,
        models_dev_url=str(MODELS_DEV_SAMPLE),
    )
    scheduler = BackgroundScheduler(timezone=UTC)
    with psycopg.connect(db_url) as running_sync:
        running_sync.execute(
            "select from llm_intel_private.sync_lock where name = 'sync' for update"
        )
        build_scheduler(url=db_url, settings=settings, scheduler=scheduler)
        scheduler.start()
        try:
            wait_until(lambda: waiting_for_sync_lock(db_url), what="the scheduled sync to wait")
            assert runs(db_url) == []
            running_sync.rollback()  # the running sync ends
            wait_until(lambda: runs(db_url) and runs(db_url)[0][2] != "running", what="its run")
        finally:
            scheduler.shutdown(wait=True)
    assert [(r[1], r[2]) for r in runs(db_url)] == [("models-dev", "succeeded")]


def _mark_stale(db_url: str) -> None:
    """What a sync killed between its write and its final refresh leaves behind."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        add_price(conn, add_model(conn, "gpt-x", provider="openai"), "openai", "1", "4")


def test_heal_refreshes_stale_rankings_unless_a_sync_holds_the_lock(db_url: str) -> None:
    _mark_stale(db_url)
    with psycopg.connect(db_url) as running_sync:
        running_sync.execute(
            "select from llm_intel_private.sync_lock where name = 'sync' for update"
        )
        status = refresh_stale_rankings(db_url)
        assert (status.stale, status.sync_running, status.refreshed_now) == (True, True, False)
        assert rankings_state(db_url) == (True, 0, 1)  # left to the running sync
    status = refresh_stale_rankings(db_url)
    assert (status.stale, status.sync_running, status.refreshed_now) == (False, False, True)
    assert status.last_refreshed_at is not None
    assert rankings_state(db_url) == (False, 1, 1)
    assert refresh_stale_rankings(db_url).refreshed_now is False  # nothing to do


def test_rank_warns_while_a_sync_keeps_rankings_stale(db_url: str, tmp_path: Path) -> None:
    _mark_stale(db_url)
    with psycopg.connect(db_url) as running_sync:
        running_sync.execute(
            "select from llm_intel_private.sync_lock where name = 'sync' for update"
        )
        code, out, err = run_cli(["rank"], cli_env(db_url, tmp_path), tmp_path, "rank")
    assert code == 0, out + err
    warning = " ".join(err.split())
    assert "rankings are stale (last refreshed " in warning
    assert "a sync is running" in warning


def test_scheduler_heal_job_runs_at_start_and_every_minute() -> None:
    calls: list[str] = []
    done = threading.Event()

    def heal(url: str) -> RankingsStatus:
        calls.append(url)
        done.set()
        return RankingsStatus(False, datetime.now(UTC), False, refreshed_now=True)

    scheduler = BackgroundScheduler(timezone=UTC)
    add_rankings_heal_job(scheduler, url="postgresql://heal-test/none", heal=heal)
    job = scheduler.get_job(HEAL_JOB_ID)
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval.total_seconds() == 60
    assert job.max_instances == 1
    scheduler.start()
    try:
        assert done.wait(30)
    finally:
        scheduler.shutdown(wait=True)
    assert calls == ["postgresql://heal-test/none"]


# --- the size guards -------------------------------------------------------------------------


def _last_good(db_url: str, rows_seen: int) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "insert into collector_runs (source, status, finished_at, rows_seen)"
            " values ('litellm', 'succeeded', now(), %s)",
            (rows_seen,),
        )


@pytest.mark.parametrize(
    ("last", "seen", "refused"),
    [
        (100, 49, ShrinkGuardError),
        (100, 50, None),
        (100, 300, None),
        (100, 301, GrowGuardError),
        (0, 1000, None),  # nothing to compare with
    ],
)
def test_size_guard_both_ways(
    db_url: str, last: int, seen: int, refused: type[Exception] | None
) -> None:
    _last_good(db_url, last)
    with psycopg.connect(db_url, autocommit=True) as conn:
        if refused is None:
            runner._guard_size(conn, "litellm", seen)
            return
        with pytest.raises(refused) as caught:
            runner._guard_size(conn, "litellm", seen)
    message = str(caught.value)
    assert f"{seen} valid rows" in message and f"last good run's {last}" in message
    assert "--force" in message


def test_no_guard_without_a_last_good_run(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        runner._guard_size(conn, "litellm", 10**6)


def test_grown_payload_is_refused_then_accepted_with_force(db_url: str, tmp_path: Path) -> None:
    env = cli_env(db_url, tmp_path)
    small = tmp_path / "small.json"
    # 5 of the sample's entries (4 valid rows) against all of it (31 valid rows).
    small.write_text(json.dumps(dict(list(json.loads(LITELLM_SAMPLE.read_text()).items())[:5])))
    small_env = env | {"LLM_INTEL_LITELLM_URL": str(small)}
    assert run_cli(["sync", "--offline", "litellm"], small_env, tmp_path, "small")[0] == 0

    code, out, err = run_cli(["sync", "--offline", "litellm"], env, tmp_path, "grown")

    assert code == 1
    assert "more than 3x the last good run's" in " ".join(err.split())
    assert runs(db_url)[-1][2] == "refused"
    code, out, err = run_cli(["sync", "--offline", "litellm", "--force"], env, tmp_path, "forced")
    assert code == 0, out + err
    assert runs(db_url)[-1][2] == "succeeded"


# --- the role that writes runs on hosted Supabase -------------------------------------------


def test_a_sync_as_service_role_locks_records_and_abandons(db_url: str) -> None:
    """`service_role` (the role REST writers and many deployments use) can take the sync
    lock, record runs with their backend and mark dead ones; `llm-intel` itself migrates
    first, which needs the database owner."""
    as_service_role = make_conninfo(db_url, options="-c role=service_role")
    settings = Settings(litellm_url=str(LITELLM_SAMPLE))
    [report] = runner.sync(as_service_role, settings=settings, sources=["litellm"], offline=True)
    assert report.status == "succeeded", report.error
    with psycopg.connect(db_url, autocommit=True) as conn:
        recorded = conn.execute(
            "select backend_pid is not null from collector_runs where id = %s", (report.run_id,)
        ).fetchone()
        assert recorded == (True,)
        # A run left 'running' by a session that is gone.
        conn.execute(
            "insert into collector_runs (source, backend_pid, backend_started_at)"
            " values ('models-dev', 2147483647, now())"
        )
    with psycopg.connect(as_service_role, autocommit=True) as conn:
        assert len(abandon_dead_runs(conn)) == 1
        assert refresh_stale_rankings(as_service_role).stale is False
    assert [(r[1], r[2]) for r in runs(db_url)] == [
        ("litellm", "succeeded"),
        ("models-dev", "abandoned"),
    ]
