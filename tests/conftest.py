"""A real Postgres for the whole test session, and a fresh migrated database per test.

The server is the package's own embedded default (started in a temporary directory), or
the server named by LLM_INTEL_TEST_ADMIN_URL (a superuser URL) when set. Migrations are
applied once to a template database; each test gets a copy (CREATE DATABASE ... TEMPLATE),
so tests are isolated and cheap.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from llm_intelligence.db import apply_migrations, embedded

TEMPLATE_DB = "llm_intel_test_template"


def database_url(admin_url: str, dbname: str) -> str:
    return make_conninfo(admin_url, dbname=dbname)


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    given = os.environ.get("LLM_INTEL_TEST_ADMIN_URL")
    if given:
        yield given
        return
    # Our own directory, not pytest's basetemp: pytest prunes old basetemps, which would
    # delete a concurrently running session's server. Short, for the Unix socket path limit.
    root = Path(tempfile.mkdtemp(prefix="llmi-test-"))
    pgdata = root / "pgdata"
    url = embedded.start(pgdata)
    try:
        yield url
    finally:
        embedded.stop(pgdata)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def template_url(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if conn.execute("select 1 from pg_database where datname = %s", (TEMPLATE_DB,)).fetchone():
            conn.execute(f"alter database {TEMPLATE_DB} with is_template false")
            conn.execute(f"drop database {TEMPLATE_DB} with (force)")
        conn.execute(f"create database {TEMPLATE_DB}")
    url = database_url(admin_url, TEMPLATE_DB)
    apply_migrations(url)
    # CREATE DATABASE ... TEMPLATE fails while anyone (autovacuum too) is connected to the
    # template; a database that allows no connections is left alone.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"alter database {TEMPLATE_DB} with is_template true allow_connections false")
    return url


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new database copied from the migrated template; dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"create database {name} template {TEMPLATE_DB}")
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


@pytest.fixture
def db_url(admin_url: str, template_url: str) -> Iterator[str]:
    with fresh_database(admin_url) as url:
        yield url


@pytest.fixture(scope="module")
def module_db_url(admin_url: str, template_url: str) -> Iterator[str]:
    """One database for a whole module whose tests roll back what they do."""
    with fresh_database(admin_url) as url:
        yield url


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(db_url, autocommit=True) as connection:
        yield connection
