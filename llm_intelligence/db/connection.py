"""Where the database is, and connections to it."""

from __future__ import annotations

import psycopg

from llm_intelligence.config import Settings
from llm_intelligence.db import embedded
from llm_intelligence.errors import DatabaseError


def resolve_database_url(settings: Settings, *, start_embedded: bool = True) -> str:
    """DATABASE_URL when set; otherwise the embedded server's URL (started if needed)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    if start_embedded:
        return embedded.start(settings.pgdata)
    state = embedded.status(settings.pgdata)
    if state.url is None:
        raise DatabaseError(
            "no DATABASE_URL is set and the embedded database is not running: "
            "run `llm-intel db start`"
        )
    return state.url


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection; failures name the host, never the password."""
    try:
        return psycopg.connect(url, autocommit=autocommit, application_name="llm-intelligence")
    except psycopg.OperationalError as e:
        # libpq's message spans lines (a hint on the second): one line here.
        reason = " ".join(str(e).split())
        raise DatabaseError(f"cannot connect to the database: {_redacted(url)}: {reason}") from e


def _redacted(url: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    host = info.get("host") or "localhost"
    return f"host={host} port={info.get('port') or 5432} dbname={info.get('dbname') or ''}"
