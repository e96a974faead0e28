"""Real `llm-intel` processes against a test database, and ways to stop them at a known
point without timing: a FIFO as an upstream file (the fetch blocks until the test feeds
it) and a trigger that makes one source's write wait on an advisory lock the test holds.

Every wait polls the database or the FIFO with a generous deadline; none sleeps for a
fixed time, so a slow shared machine makes the tests slower, never wrong.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

LLM_INTEL = Path(sys.executable).parent / "llm-intel"
DATA = Path(__file__).parent / "data"
LITELLM_SAMPLE = DATA / "litellm_prices_sample.json"
MODELS_DEV_SAMPLE = DATA / "models_dev_api_sample.json"
GENAI_PRICES_SAMPLE = DATA / "genai_prices_sample.json"
DEADLINE = 60.0
BLOCK_KEY = 4242


def wait_until(condition: Callable[[], Any], *, what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def cli_env(db_url: str, home: Path, **locations: str) -> dict[str, str]:
    """The environment of a CLI process: this database, local sample files, no stray
    LLM_INTEL_* settings from the caller's environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LLM_INTEL_") and k != "DATABASE_URL"
    }
    env |= {
        "DATABASE_URL": db_url,
        "LLM_INTEL_HOME": str(home),
        "LLM_INTEL_LITELLM_URL": str(LITELLM_SAMPLE),
        "LLM_INTEL_MODELS_DEV_URL": str(MODELS_DEV_SAMPLE),
        "LLM_INTEL_GENAI_PRICES_URL": str(GENAI_PRICES_SAMPLE),
        "COLUMNS": "200",
    }
    return env | locations


@dataclass
class CliProcess:
    process: subprocess.Popen[bytes]
    out: Path
    err: Path

    def finish(self, timeout: float = DEADLINE) -> tuple[int, str, str]:
        code = self.process.wait(timeout=timeout)
        return code, self.out.read_text(), self.err.read_text()

    def kill(self, signum: int = signal.SIGKILL) -> None:
        self.process.send_signal(signum)


def start_cli(args: list[str], env: dict[str, str], workdir: Path, tag: str) -> CliProcess:
    """`llm-intel ARGS` in the background; output to files (a full pipe cannot block it)."""
    out, err = workdir / f"{tag}.out", workdir / f"{tag}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [str(LLM_INTEL), *args], env=env, cwd=workdir, stdout=stdout, stderr=stderr
        )
    return CliProcess(process, out, err)


def run_cli(args: list[str], env: dict[str, str], workdir: Path, tag: str) -> tuple[int, str, str]:
    return start_cli(args, env, workdir, tag).finish()


@contextmanager
def reaped(*processes: CliProcess) -> Iterator[None]:
    """Kill what is still running when the test ends, whatever happened."""
    try:
        yield
    finally:
        for p in processes:
            if p.process.poll() is None:
                p.process.kill()
                p.process.wait(timeout=DEADLINE)


# --- the database's view -------------------------------------------------------------------


def scalar(db_url: str, sql: str, params: Any = None) -> Any:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def rows(db_url: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchall()


def sync_lock_holder(db_url: str) -> int | None:
    """The backend pid of the sync holding the sync lock, if one does."""
    found = rows(
        db_url,
        "select pid from pg_stat_activity where datname = current_database()"
        " and application_name like 'llm-intel sync:%' and xact_start is not null"
        " and wait_event_type is distinct from 'Lock'",
    )
    return int(found[0][0]) if found else None


def waiting_for_sync_lock(db_url: str) -> list[int]:
    """Backends of syncs waiting for another sync's lock."""
    return [
        int(r[0])
        for r in rows(
            db_url,
            "select pid from pg_stat_activity where datname = current_database()"
            " and application_name like 'llm-intel sync:%' and wait_event_type = 'Lock'",
        )
    ]


def client_backends(db_url: str, *, besides: tuple[int, ...] = ()) -> set[int]:
    """Client sessions on this database other than the probe's own (and `besides`)."""
    return {
        int(r[0])
        for r in rows(
            db_url,
            "select pid from pg_stat_activity where datname = current_database()"
            " and backend_type = 'client backend' and pid <> pg_backend_pid()"
            " and pid <> all(%s)",
            (list(besides),),
        )
    }


def wait_gone(db_url: str, pids: set[int]) -> None:
    """Until every one of these backends has exited (a killed client's session ends when
    the server notices the closed socket)."""
    wait_until(
        lambda: not (pids & client_backends(db_url)),
        what=f"backends {sorted(pids)} to exit",
    )


def runs(db_url: str) -> list[tuple[Any, ...]]:
    """(id, source, status, rows_seen, error) of every run, oldest first."""
    return rows(
        db_url, "select id, source, status, rows_seen, error from collector_runs order by id"
    )


def active_prices(db_url: str, source: str) -> int:
    return int(
        scalar(
            db_url,
            "select count(*) from provider_pricing where source = %s and is_active",
            (source,),
        )
    )


def rankings_state(db_url: str) -> tuple[bool, int, int]:
    """(stale, rows in model_rankings, active text models with an active price: the rows
    a fresh model_rankings holds)."""
    return rows(
        db_url,
        "select (select stale from llm_intel_private.rankings_refresh_state),"
        " (select count(*)::int from model_rankings),"
        " (select count(distinct p.model_id)::int from provider_pricing p"
        "  join models m on m.id = p.model_id"
        "  join llm_intel_private.text_model_types t on t.model_type = m.model_type"
        "  where p.is_active and m.is_active)",
    )[0]  # type: ignore[return-value]


# --- stopping a sync at a known point -------------------------------------------------------


class Fifo:
    """A named pipe to give as an upstream file: the sync's fetch blocks reading it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self._fd: int | None = None

    def reader_waiting(self) -> bool:
        """True once a reader has opened the pipe (its fetch is then blocked in read)."""
        if self._fd is None:
            try:
                self._fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno == errno.ENXIO:  # no reader yet
                    return False
                raise
        return True

    def feed(self, data: bytes) -> None:
        """Write the whole payload and close: the reader's fetch completes."""
        wait_until(self.reader_waiting, what="the sync to open the pipe")
        assert self._fd is not None
        os.set_blocking(self._fd, True)
        with os.fdopen(self._fd, "wb") as pipe:
            self._fd = None
            pipe.write(data)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class WriteBlocker:
    """Makes every write of one source's price rows wait, mid-transaction, on an advisory
    lock this object holds (a test-only trigger on provider_pricing)."""

    def __init__(self, db_url: str, source: str) -> None:
        self.db_url = db_url
        self.conn = psycopg.connect(db_url, autocommit=True)
        self.conn.execute(
            "create function public.test_block_write() returns trigger language plpgsql as"
            f" $$ begin perform pg_advisory_xact_lock_shared({BLOCK_KEY}); return new; end $$"
        )
        self.conn.execute(
            "create trigger test_block_write before insert or update on public.provider_pricing"
            f" for each row when (new.source = '{source}')"
            " execute function public.test_block_write()"
        )
        self.conn.execute("select pg_advisory_lock(%s)", (BLOCK_KEY,))
        self.pid = int(self.conn.info.backend_pid)

    def blocked(self) -> int | None:
        """The backend pid of a write waiting here, if one is."""
        found = rows(
            self.db_url,
            "select l.pid from pg_locks l join pg_database d on d.oid = l.database"
            " where d.datname = current_database() and l.locktype = 'advisory'"
            " and l.objid = %s and not l.granted",
            (BLOCK_KEY,),
        )
        return int(found[0][0]) if found else None

    def release(self) -> None:
        self.conn.execute("select pg_advisory_unlock_all()")

    def remove(self) -> None:
        self.release()
        self.conn.execute("drop trigger if exists test_block_write on public.provider_pricing")
        self.conn.execute("drop function if exists public.test_block_write()")
        self.conn.close()
