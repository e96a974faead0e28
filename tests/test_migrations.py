"""Migrations apply from zero, record history as the Supabase CLI does, and are idempotent."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from llm_intelligence.db import apply_migrations, pending_migrations
from llm_intelligence.db.migrations import discover
from llm_intelligence.errors import MigrationError


def test_all_migrations_recorded_in_cli_history_table(db_url: str) -> None:
    files = discover()
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "select version, name, statements from supabase_migrations.schema_migrations"
            " order by version"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [(m.version, m.name) for m in files]
    assert all(r[2] and r[2][0] == m.sql() for r, m in zip(rows, files, strict=True))


def test_second_run_applies_nothing(db_url: str) -> None:
    result = apply_migrations(db_url)
    assert result.applied == []
    assert result.already_applied == len(discover())
    assert pending_migrations(db_url) == []


def test_fresh_database_applies_every_file_in_order(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("drop database if exists llm_intel_from_zero with (force)")
        conn.execute("create database llm_intel_from_zero")
    url = psycopg.conninfo.make_conninfo(admin_url, dbname="llm_intel_from_zero")
    try:
        assert len(pending_migrations(url)) == len(discover())
        result = apply_migrations(url)
        assert [m.version for m in result.applied] == sorted(m.version for m in discover())
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("drop database llm_intel_from_zero with (force)")


def test_history_written_by_the_cli_is_respected(db_url: str, tmp_path: Path) -> None:
    """A version the Supabase CLI recorded is not applied again by this runner."""
    (tmp_path / "20990101000000_cli_applied.sql").write_text("create table should_not_exist();")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "insert into supabase_migrations.schema_migrations (version, statements, name)"
            " values ('20990101000000', array['create table should_not_exist()'], 'cli_applied')"
        )
    assert apply_migrations(db_url, directory=tmp_path).applied == []
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('should_not_exist')").fetchone() == (None,)


def test_failed_migration_rolls_back_and_names_the_file(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "20990101000000_good.sql").write_text("create table good_one (id int);")
    (tmp_path / "20990101000001_bad.sql").write_text(
        "create table half_done (id int);\nselect no_such_function();"
    )
    with pytest.raises(MigrationError, match=r"20990101000001_bad\.sql"):
        apply_migrations(db_url, directory=tmp_path)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("select to_regclass('good_one')").fetchone() != (None,)
        assert conn.execute("select to_regclass('half_done')").fetchone() == (None,)
        versions = {
            r[0] for r in conn.execute("select version from supabase_migrations.schema_migrations")
        }
    assert "20990101000000" in versions
    assert "20990101000001" not in versions


def test_badly_named_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "2024_add_things.sql").write_text("select 1;")
    with pytest.raises(MigrationError, match=r"2024_add_things\.sql"):
        discover(tmp_path)


def test_compat_step_creates_supabase_roles_and_publication(conn: psycopg.Connection) -> None:
    roles = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "select rolname, rolcanlogin, rolbypassrls from pg_roles"
            " where rolname in ('anon', 'authenticated', 'service_role')"
        )
    }
    assert roles == {
        "anon": (False, False),
        "authenticated": (False, False),
        "service_role": (False, True),
    }
    published = conn.execute(
        "select tablename from pg_publication_tables where pubname = 'supabase_realtime'"
    ).fetchall()
    assert ("price_changes",) in published


def test_no_extension_required(conn: psycopg.Connection) -> None:
    extensions = {r[0] for r in conn.execute("select extname from pg_extension")}
    assert extensions == {"plpgsql"}
