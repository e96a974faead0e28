"""Realtime price changes on real Postgres: `watch_price_changes()` (LISTEN/NOTIFY and
polling), the callback form and `llm-intel watch`. Every committed change after the
starting point is yielded once, in id order, across dropped connections and concurrent
writers; a forged notification yields nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError, DatabaseError
from llm_intelligence.realtime import (
    CHANNEL,
    PriceChange,
    PriceChangeStream,
    resolve_backend,
    subscribe,
    watch_price_changes,
)
from tests.factories import add_model, add_price

T = TypeVar("T")


def run(coro: Awaitable[T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout=60)

    return asyncio.run(bounded())


def settings(**env: Any) -> Settings:
    return Settings.model_validate(env) if env else Settings()


def stream(db_url: str, **options: Any) -> PriceChangeStream:
    options.setdefault("settings", settings())
    return watch_price_changes(database_url=db_url, backend="postgres", **options)


async def next_change(changes: PriceChangeStream, timeout: float = 10) -> PriceChange:
    return await asyncio.wait_for(anext(changes), timeout)


async def in_thread(fn: Callable[[], T]) -> T:
    """Writes run in a thread, so the event loop keeps serving the stream."""
    return await asyncio.to_thread(fn)


class _PriceChanger:
    """Commits one price insert of a fresh model per call; returns its price_changes id."""

    def __init__(self, db_url: str) -> None:
        self._db_url = db_url
        self._count = 0

    def __call__(self, provider: str = "openai") -> int:
        self._count += 1
        with psycopg.connect(self._db_url, autocommit=True) as conn:
            model_id = add_model(conn, f"model-{self._count}-{time.monotonic_ns()}")
            add_price(conn, model_id, provider, Decimal("0.000000123456789"), "15")
            row = conn.execute("select max(id) from price_changes").fetchone()
            assert row is not None
            return int(row[0])


def _price_changer(db_url: str) -> _PriceChanger:
    return _PriceChanger(db_url)


def test_a_committed_change_is_yielded_once_with_exact_prices(db_url: str) -> None:
    change = _price_changer(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        old = add_price(conn, add_model(conn, "gpt-x"), "openai", "2.5", "10")  # before start

    async def main() -> list[PriceChange]:
        async with stream(db_url) as changes:
            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute(
                    "update provider_pricing set input_price_per_million = 2,"
                    " output_price_per_million = 8.125 where id = %s",
                    (old,),
                )
            first = await next_change(changes)
            second_id = await in_thread(change)
            second = await next_change(changes)
            assert second.id == second_id
            assert changes.last_id == second_id
            return [first, second]

    first, second = run(main())
    assert first.change_type == "update"
    assert (first.model_name, first.provider_name, first.pricing_id) == ("gpt-x", "openai", old)
    assert first.old_input_price_per_million == Decimal("2.5")
    assert first.new_input_price_per_million == Decimal("2")
    assert first.new_output_price_per_million == Decimal("8.125")
    assert second.change_type == "insert"
    assert second.old_input_price_per_million is None
    assert second.new_input_price_per_million == Decimal("0.000000123456789")
    assert second.as_json()["new_input_price_per_million"] == "0.000000123456789"
    assert second.id == first.id + 1  # nothing delivered twice, nothing skipped


def test_a_forged_notification_yields_nothing(db_url: str) -> None:
    change = _price_changer(db_url)
    existing = change()

    async def main() -> PriceChange:
        async with stream(db_url) as changes:
            with psycopg.connect(db_url, autocommit=True) as conn:
                # Anyone may NOTIFY: a hint naming a change that does not exist, and one
                # naming an old change again.
                for fake in (existing + 1000, existing):
                    hint = json.dumps({"id": fake, "change_type": "update", "model": "x"})
                    conn.execute("select pg_notify(%s, %s)", (CHANNEL, hint))
                conn.execute("select pg_notify(%s, 'not json at all')", (CHANNEL,))
            await asyncio.sleep(0.3)
            real = await in_thread(change)
            got = await next_change(changes)
            assert got.id == real
            return got

    assert run(main()).id == existing + 1


def test_after_id_replays_history_then_follows(db_url: str) -> None:
    change = _price_changer(db_url)
    ids = [change() for _ in range(5)]

    async def main() -> list[int]:
        async with stream(db_url, after_id=ids[1], batch_size=2) as changes:
            got = [(await next_change(changes)).id for _ in range(3)]
            got.append(await in_thread(change))
            got.append((await next_change(changes)).id)
            return got

    got = run(main())
    assert got[:3] == ids[2:]
    assert got[3] == got[4]


def _terminate_watchers(db_url: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where application_name = 'llm-intelligence watch'"
            " and datname = current_database()"
        ).fetchall()
    return len(rows)


def test_changes_committed_while_disconnected_are_delivered_once_in_order(db_url: str) -> None:
    change = _price_changer(db_url)

    async def main() -> tuple[list[int], list[int], int]:
        async with stream(db_url) as changes:
            before = await in_thread(change)
            assert (await next_change(changes)).id == before
            assert await in_thread(lambda: _terminate_watchers(db_url)) == 1
            # Committed while the listener's connection is gone.
            missed = [await in_thread(change) for _ in range(5)]
            got = [(await next_change(changes)).id for _ in missed]
            after = await in_thread(change)
            got.append((await next_change(changes)).id)
            # And again, killed while it waits.
            waiting = asyncio.create_task(next_change(changes))
            await asyncio.sleep(0.2)
            assert await in_thread(lambda: _terminate_watchers(db_url)) == 1
            last = await in_thread(change)
            got.append((await waiting).id)
            return got, [*missed, after, last], changes.reconnects

    got, committed, reconnects = run(main())
    assert got == committed
    assert reconnects == 2


def test_two_writers_an_earlier_id_committing_last_is_not_skipped(db_url: str) -> None:
    change = _price_changer(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        slow_model = add_model(conn, "slow")

    async def main() -> list[int]:
        async with stream(db_url) as changes:
            slow = psycopg.connect(db_url)  # a transaction: its id is taken now
            try:
                add_price(slow, slow_model, "slowcloud", "1")
                (slow_id,) = slow.execute("select max(id) from price_changes").fetchone() or (0,)
                fast_id = await in_thread(change)  # a later id, committed first
                assert fast_id > slow_id
                waiting = asyncio.create_task(next_change(changes))
                await asyncio.sleep(0.5)
                assert not waiting.done()  # held back: id slow_id may still commit
                slow.commit()
            finally:
                slow.close()
            got = [(await waiting).id, (await next_change(changes)).id]
            assert got == [slow_id, fast_id]
            return got

    run(main())


def test_a_rolled_back_id_does_not_hold_later_changes_for_long(db_url: str) -> None:
    change = _price_changer(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        model = add_model(conn, "doomed")

    async def main() -> float:
        async with stream(db_url) as changes:
            doomed = psycopg.connect(db_url)
            add_price(doomed, model, "nowhere", "1")
            fast_id = await in_thread(change)
            waiting = asyncio.create_task(next_change(changes))
            await asyncio.sleep(0.3)
            assert not waiting.done()
            doomed.rollback()  # no notification: the stream re-checks on a timer
            doomed.close()
            start = time.monotonic()
            assert (await waiting).id == fast_id
            return time.monotonic() - start

    assert run(main()) < 2.0  # far below gap_timeout (10 s): resolved by the snapshot


def test_many_concurrent_writers_every_change_once_in_id_order(db_url: str) -> None:
    writers, per_writer = 4, 15

    def write(n: int) -> None:
        with psycopg.connect(db_url) as conn:
            model = add_model(conn, f"w{n}")
            conn.commit()
            for i in range(per_writer):
                add_price(conn, model, f"p{n}-{i}", str(i + 1))
                time.sleep(0.002 * ((n + i) % 3))  # commits interleave with others' inserts
                if i % 5 == 4:
                    conn.rollback()  # some ids are never committed
                else:
                    conn.commit()

    async def main() -> list[int]:
        async with stream(db_url) as changes:
            threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
            for t in threads:
                t.start()
            expected = writers * (per_writer - per_writer // 5)
            got = [(await next_change(changes)).id for _ in range(expected)]

            def join_all() -> None:
                for t in threads:
                    t.join()

            await in_thread(join_all)
            return got

    got = run(main())
    with psycopg.connect(db_url) as conn:
        committed = [r[0] for r in conn.execute("select id from price_changes order by id")]
    assert got == committed  # each once, in id order, none missed


def test_polling_mode_same_semantics(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENABLE_REAL_TIME_UPDATES", "false")
    change = _price_changer(db_url)

    async def main() -> list[int]:
        async with stream(db_url, settings=Settings(), poll_interval=0.1) as changes:
            assert changes._options.listen is False
            with psycopg.connect(db_url, autocommit=True) as conn:
                conn.execute(
                    "select pg_notify(%s, %s)", (CHANNEL, json.dumps({"id": 12345}))
                )  # nobody listens: nothing happens
            ids = [await in_thread(change) for _ in range(3)]
            got = [(await next_change(changes, timeout=5)).id for _ in ids]
            assert got == ids
            assert await in_thread(lambda: _terminate_watchers(db_url)) == 1
            later = await in_thread(change)
            got.append((await next_change(changes, timeout=10)).id)
            assert got[-1] == later
            return got

    run(main())


def test_callback_form_runs_in_a_thread_until_stopped(db_url: str) -> None:
    change = _price_changer(db_url)
    seen: list[PriceChange] = []
    arrived = threading.Event()

    def on_change(c: PriceChange) -> None:
        seen.append(c)
        if len(seen) == 3:
            arrived.set()
        if len(seen) == 2:
            raise RuntimeError("a broken callback does not stop the subscription")

    handle = subscribe(on_change, database_url=db_url, backend="postgres", settings=settings())
    try:
        assert handle.running
        ids = [change() for _ in range(3)]
        assert arrived.wait(10)
    finally:
        handle.stop()
    assert not handle.running
    assert handle.error is None
    assert [c.id for c in seen] == ids
    assert handle.last_id == ids[-1]


def test_callback_form_reports_a_bad_database() -> None:
    bad = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"
    with pytest.raises(DatabaseError, match="cannot watch price changes"):
        subscribe(print, database_url=bad, backend="postgres", settings=settings())


def test_backend_auto_prefers_database_url_then_supabase() -> None:
    supa = {"SUPABASE_URL": "https://x.supabase.co", "SUPABASE_KEY": "k"}
    assert resolve_backend(settings(**supa)) == "supabase"
    assert resolve_backend(settings(**supa, DATABASE_URL="postgresql://h/db")) == "postgres"
    assert resolve_backend(settings(DATABASE_URL="postgresql://h/db")) == "postgres"
    assert resolve_backend(settings(**supa), "postgres") == "postgres"
    with pytest.raises(ConfigError, match="SUPABASE_URL"):
        resolve_backend(Settings.model_validate({"SUPABASE_URL": None}), "supabase")


def _cli_env(db_url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "LLM_INTEL"))}
    env.update(DATABASE_URL=db_url, LLM_INTEL_HOME=str(home))
    return env


def test_cli_watch_json_prints_changes_as_they_happen(db_url: str, tmp_path: Path) -> None:
    change = _price_changer(db_url)
    history = change()
    cli = [sys.executable, "-m", "llm_intelligence.cli", "watch"]
    proc = subprocess.Popen(
        [*cli, "--json", "--max-events", "2"],
        env=_cli_env(db_url, tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Changes from now on: wait until it listens, then commit two.
        deadline = time.monotonic() + 20
        with psycopg.connect(db_url, autocommit=True) as conn:
            while not conn.execute(
                "select 1 from pg_stat_activity where application_name ="
                " 'llm-intelligence watch' and datname = current_database()"
                " and query like '%price_changes_since%'"
            ).fetchone():
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline
                time.sleep(0.05)
        ids = [change("anthropic"), change("openai")]
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["id"] for line in lines] == ids
    assert history not in ids
    assert lines[0]["provider_name"] == "anthropic"
    assert lines[0]["new_input_price_per_million"] == "0.000000123456789"
    assert lines[0]["new_output_price_per_million"] == "15"

    text = subprocess.run(
        [*cli, "--after-id", "0", "--max-events", "1"],
        env=_cli_env(db_url, tmp_path),
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    ).stdout
    assert text.count("\n") == 1
    assert "openai" in text and "in - \u2192 0.000000123456789" in text and "(new)" in text
