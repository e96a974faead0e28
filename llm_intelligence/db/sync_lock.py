"""The sync lock, and the repairs it makes safe: dead runs and stale rankings.

Syncs lock rows of `llm_intel_private.sync_lock`, a table `anon` and `authenticated` have
no privilege on (an advisory lock would not do: any role may take any advisory key).

- Row `sync`: a whole `sync()` holds it, from a connection of its own in one open
  transaction, for its whole duration. A second sync waits (the scheduler) or exits at
  once naming the running one (the CLI). A killed sync's lock goes with its session.
- Row `write`: every source's write transaction holds it, so `write_source` called on
  its own (tests, benchmarks) never interleaves with a sync's writes.

A run records its backend (pid and start time); a `running` run whose backend is gone is
marked `abandoned`. A sync marks `model_rankings` stale while it writes and refreshes it
at its end; `refresh_stale_rankings` refreshes a view a killed sync left stale, unless a
sync holds the lock (that sync refreshes when it ends).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors

from llm_intelligence.db.connection import connect
from llm_intelligence.errors import DatabaseError, SyncLockedError

logger = logging.getLogger(__name__)

SYNC_ROW = "sync"
WRITE_ROW = "write"
SYNC_APPLICATION_NAME = "llm-intel sync"


def lock_row(conn: psycopg.Connection[Any], name: str, *, wait: float | None) -> bool:
    """Lock row `name` of the sync lock table in `conn`'s open transaction, until it ends.

    `wait`: seconds to wait for another holder (0: not at all; None: as long as it takes).
    False when another transaction holds it; `conn`'s transaction is then aborted (roll
    it back). Raises DatabaseError when the row cannot be seen (a role without privileges).
    """
    sql = "select name from llm_intel_private.sync_lock where name = %s for update"
    saved: tuple[Any, ...] | None = None
    if wait == 0:
        sql += " nowait"
    else:
        saved = conn.execute(
            "select current_setting('lock_timeout'), current_setting('statement_timeout')"
        ).fetchone()
        # Only the waiting has a limit (or none), whatever the server's defaults say.
        _set_timeouts(conn, "0" if wait is None else f"{max(1, round(wait * 1000))}ms", "0")
    try:
        row = conn.execute(sql, (name,)).fetchone()
    except errors.LockNotAvailable:
        return False
    if row is None:
        raise DatabaseError(
            "the sync lock row is not visible to this database role: run the collectors as"
            " the database owner or service_role"
        )
    if saved is not None:
        _set_timeouts(conn, str(saved[0]), str(saved[1]))
    return True


def _set_timeouts(conn: psycopg.Connection[Any], lock: str, statement: str) -> None:
    conn.execute(
        "select set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)",
        (lock, statement),
    )


@contextmanager
def hold_sync_lock(url: str, *, sources: Sequence[str], wait: float | None) -> Iterator[None]:
    """Hold the whole-sync lock for the `with` block, from a connection of its own.

    Raises SyncLockedError, naming the running sync, when another sync holds it beyond
    `wait` seconds (0: do not wait; None: wait as long as it takes).
    """
    with connect(url) as conn:
        # The lock's transaction stays idle while the sync works on its own connection: a
        # server-side idle timeout must not end it (and with it the lock) half-way.
        conn.execute("set idle_in_transaction_session_timeout = 0")
        conn.execute(
            "select set_config('application_name', %s, false)",
            (f"{SYNC_APPLICATION_NAME}: {', '.join(sources)}"[:63],),
        )
        if not lock_row(conn, SYNC_ROW, wait=wait):
            conn.rollback()
            raise SyncLockedError(_locked_message(conn, wait))
        try:
            yield
        finally:
            conn.rollback()  # nothing was written here: ending the transaction unlocks


def _locked_message(conn: psycopg.Connection[Any], wait: float | None) -> str:
    """Who holds the sync lock: the holding session and the runs in progress."""
    try:
        abandon_dead_runs(conn)
        conn.commit()
    except psycopg.Error:  # a role that may not: the list below may then name dead runs
        conn.rollback()
    holders = conn.execute(
        "select pid, application_name, xact_start from pg_catalog.pg_stat_activity"
        " where datname = current_database() and pid <> pg_backend_pid()"
        " and application_name like %s and wait_event_type is distinct from 'Lock'"
        " and xact_start is not null order by xact_start",
        (f"{SYNC_APPLICATION_NAME}:%",),
    ).fetchall()
    running = conn.execute(
        "select id, source, started_at, backend_pid from public.collector_runs"
        " where status = 'running' order by id"
    ).fetchall()
    conn.rollback()
    waited = "" if not wait else f" after waiting {wait:g} s"
    parts = [f"another sync is running{waited}"]
    for pid, application, since in holders:
        sources = str(application).partition(":")[2].strip()
        parts.append(f"started {since:%Y-%m-%d %H:%M:%S %Z} by backend pid {pid} ({sources})")
    if running:
        parts.append(
            "runs in progress: "
            + ", ".join(
                f"run {run_id} {source} since {started:%H:%M:%S} (pid {pid})"
                for run_id, source, started, pid in running
            )
        )
    return (
        "; ".join(parts)
        + ". Nothing was written. Try again when it has finished, or wait for it with"
        " --wait SECONDS."
    )


def abandon_dead_runs(conn: psycopg.Connection[Any]) -> list[int]:
    """Mark runs still `running` whose session is gone as `abandoned`; their ids."""
    rows = conn.execute("select * from llm_intel_private.abandon_dead_runs()").fetchall()
    ids = sorted(int(row[0]) for row in rows)
    if ids:
        logger.warning(
            "marked %d run(s) abandoned (their session ended mid-run): %s",
            len(ids),
            ", ".join(map(str, ids)),
        )
    return ids


@dataclass(frozen=True, slots=True)
class RankingsStatus:
    stale: bool
    """A write changed what the view should show and it has not been refreshed since: a
    deferred sync, usage counters of a complete day, or a new day for the usage window."""
    last_refreshed_at: datetime | None
    sync_running: bool
    """A sync holds the lock: it refreshes the view when it ends."""
    refreshed_now: bool = False


def rankings_status(conn: psycopg.Connection[Any]) -> RankingsStatus:
    row = conn.execute(
        "select stale, last_refreshed_at, sync_running from public.model_rankings_status()"
    ).fetchone()
    assert row is not None
    return RankingsStatus(stale=bool(row[0]), last_refreshed_at=row[1], sync_running=bool(row[2]))


def refresh_stale_rankings(url: str) -> RankingsStatus:
    """Refresh `model_rankings` if it is stale (`model_rankings_status()`: a deferred or
    killed sync, usage counters of a complete day, a new day for the usage window) and no
    sync is running now.

    Never waits: while a sync holds the lock, the view is stale on purpose (that sync
    refreshes it when it ends) and the status says so.
    """
    with connect(url) as conn:
        status = rankings_status(conn)
        conn.rollback()
        if not status.stale:
            return status
        # Named like a sync: a sync refused meanwhile says what holds the lock.
        conn.execute(
            "select set_config('application_name', %s, true)",
            (f"{SYNC_APPLICATION_NAME}: refreshing stale rankings",),
        )
        if not lock_row(conn, SYNC_ROW, wait=0):
            conn.rollback()
            return RankingsStatus(True, status.last_refreshed_at, sync_running=True)
        # Under the lock: no sync can be half-way now, so stale means a sync died.
        refreshed = rankings_status(conn).stale
        if refreshed:
            conn.execute("select public.refresh_model_rankings()")
        conn.commit()
        after = rankings_status(conn)
        conn.rollback()
    if refreshed:
        logger.info(
            "model_rankings was stale (last refreshed %s): refreshed", status.last_refreshed_at
        )
    return RankingsStatus(
        after.stale, after.last_refreshed_at, after.sync_running, refreshed_now=refreshed
    )
