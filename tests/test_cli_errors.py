"""Errors, not tracebacks: each mistake a new user makes gives one line naming it and a
non-zero exit; read-only commands never run DDL."""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.cli import app
from llm_intelligence.config import load_settings
from llm_intelligence.db import pending_migrations
from llm_intelligence.sources import source_names
from tests.conftest import database_url

runner = CliRunner()

MALFORMED_URLS = ["postgres://[bad", "not a url", "postgresql://u:secret@host:port/db"]
COMMANDS_THAT_USE_THE_DATABASE = [
    ["db", "status"],
    ["db", "start"],
    ["db", "migrate"],
    ["db", "url"],
    ["runs"],
    ["sync"],
    ["rank"],
]


def one_line_error(result: Any) -> str:
    """The error line, after checking that it is the only output and carries no traceback."""
    assert result.exit_code not in (0, None), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS_THAT_USE_THE_DATABASE, ids=" ".join)
@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_database_url(
    command: list[str], url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    line = one_line_error(runner.invoke(app, command))
    assert "DATABASE_URL" in line
    assert "secret" not in line  # the password is never echoed


def test_empty_database_url_means_unset(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", "")
    monkeypatch.setenv("LLM_INTEL_HOME", str(tmp_path))
    assert load_settings().database_url is None
    # Unset, so the embedded server is asked for: not running, and `db url` says so.
    line = one_line_error(runner.invoke(app, ["db", "url"]))
    assert "embedded database is not running" in line


@pytest.mark.parametrize("home", ["/proc/x", "/dev/null/x"])
def test_unusable_home_in_db_start(home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LLM_INTEL_HOME", home)
    line = one_line_error(runner.invoke(app, ["db", "start"]))
    assert f"LLM_INTEL_HOME={home}" in line and "writable directory" in line


@pytest.mark.parametrize("home", ["/proc/x", "/dev/null/x"])
def test_unusable_home_in_rank(home: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("LLM_INTEL_HOME", home)
    line = one_line_error(runner.invoke(app, ["rank"]))
    assert "llm-intel db start" in line


def test_unreachable_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql:///postgres?host={tmp_path}&port=1")
    for command in (["runs"], ["rank"], ["db", "status"], ["db", "migrate"], ["sync"]):
        line = one_line_error(runner.invoke(app, command))
        assert "cannot connect to the database" in line, command


@pytest.mark.parametrize("value", ["nan", "NaN", "-inf", "Infinity", "sNaN"])
def test_max_input_price_must_be_finite(
    value: str, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    line = one_line_error(runner.invoke(app, ["rank", "--max-input-price", value]))
    assert "--max-input-price must be a finite number" in line


def test_runs_of_an_unknown_source_names_the_known_ones(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    for option in ("--source", "--rejected"):
        line = one_line_error(runner.invoke(app, ["runs", option, "nope"]))
        assert "unknown source 'nope'" in line
        assert all(name in line for name in source_names())


def test_category_is_case_insensitive(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    for category in ("Coding", "CODING", " coding "):
        result = runner.invoke(app, ["rank", "--category", category, "--json"])
        assert result.exit_code == 0, result.output
    one_line_error(runner.invoke(app, ["rank", "--category", "Poetry"]))


def test_rank_does_not_restart_a_stopped_server(monkeypatch: pytest.MonkeyPatch) -> None:
    from llm_intelligence.db import embedded

    monkeypatch.delenv("DATABASE_URL", raising=False)
    # Its own new directory (short: Unix socket path limit), removed afterwards.
    home = Path(tempfile.mkdtemp(prefix="llmi-stop-"))
    monkeypatch.setenv("LLM_INTEL_HOME", str(home))
    try:
        assert runner.invoke(app, ["db", "start"]).exit_code == 0
        assert runner.invoke(app, ["db", "stop"]).exit_code == 0
        for command in (["rank"], ["runs"], ["db", "url"]):
            line = one_line_error(runner.invoke(app, command))
            assert "not running" in line and "llm-intel db start" in line, command
        assert not embedded.status(home / "pgdata").running
    finally:
        embedded.stop(home / "pgdata")
        shutil.rmtree(home, ignore_errors=True)


def test_missing_extra_message_keeps_its_brackets(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `[litellm]` is not rich markup: the message must print it.
    real_find_spec = importlib.util.find_spec

    def without_litellm(name: str, *args: Any) -> Any:
        return None if name == "litellm" else real_find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without_litellm)
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["sync", "litellm", "--offline"])
    assert result.exit_code == 1, result.output
    assert "pip install 'llm-intelligence[litellm]'" in result.stderr


@pytest.fixture
def empty_database(admin_url: str) -> Any:
    name = f"t_unmigrated_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


def test_reads_never_migrate(empty_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", empty_database)
    pending = len(pending_migrations(empty_database))
    for command in (["rank"], ["runs"], ["runs", "--rejected", "litellm"]):
        line = one_line_error(runner.invoke(app, command))
        assert "run `llm-intel db migrate`" in line, command
    for command in (["db", "url"], ["db", "status"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
    assert f"pending migrations: {pending}" in runner.invoke(app, ["db", "status"]).stdout
    with psycopg.connect(empty_database) as conn:
        tables = conn.execute(
            "select count(*) from pg_catalog.pg_class c join pg_catalog.pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname not in ('pg_catalog', 'information_schema')"
            " and n.nspname not like 'pg_toast%'"
        ).fetchone()
    assert tables == (0,)  # not even the migration history table
    assert len(pending_migrations(empty_database)) == pending

    migrate = runner.invoke(app, ["db", "migrate"])
    assert migrate.exit_code == 0, migrate.output
    assert runner.invoke(app, ["rank", "--json"]).exit_code == 0
