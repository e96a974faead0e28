"""The same migrations through the real Supabase CLI (`supabase migration up`), and the
CLI and this package's runner taking over from each other.

scripts/test installs the CLI from npm into .tools/ when npm is available; without it these
tests are skipped and say so.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from llm_intelligence.db import apply_migrations, pending_migrations
from llm_intelligence.db.migrations import discover, migrations_dir

REPO = Path(__file__).resolve().parents[1]


def _supabase_cli() -> str | None:
    return (
        os.environ.get("SUPABASE_CLI")
        or shutil.which("supabase")
        or next((str(p) for p in [REPO / ".tools/node_modules/.bin/supabase"] if p.exists()), None)
    )


CLI = _supabase_cli()
pytestmark = pytest.mark.skipif(CLI is None, reason="Supabase CLI not installed (npm i supabase)")


def _migration_up(url: str, workdir: Path) -> str:
    """`supabase migration up` against url, from a project folder holding our migrations."""
    project = workdir / "supabase"
    project.mkdir(parents=True, exist_ok=True)
    shutil.copytree(migrations_dir(), project / "migrations", dirs_exist_ok=True)
    shutil.copy(REPO / "supabase" / "config.toml", project / "config.toml")
    info = psycopg.conninfo.conninfo_to_dict(url)
    # The CLI wants a URL; Unix sockets go in the host query parameter.
    cli_url = f"postgresql://{info.get('user', 'postgres')}@localhost/{info['dbname']}"
    if str(info.get("host", "")).startswith("/"):
        cli_url += f"?host={info['host']}"
    assert CLI is not None
    done = subprocess.run(
        [CLI, "migration", "up", "--yes", "--db-url", cli_url],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def empty_db(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("drop database if exists llm_intel_cli with (force)")
        conn.execute("create database llm_intel_cli")
    return psycopg.conninfo.make_conninfo(admin_url, dbname="llm_intel_cli")


def test_cli_applies_our_migrations_and_our_runner_sees_them(empty_db: str, tmp_path: Path) -> None:
    output = _migration_up(empty_db, tmp_path)
    assert all(m.path.name in output for m in discover())
    assert pending_migrations(empty_db) == []
    assert apply_migrations(empty_db).applied == []
    with psycopg.connect(empty_db) as conn:
        assert conn.execute("select count(*) from rank_models()").fetchone() == (0,)


def test_our_runner_applies_and_the_cli_has_nothing_left(empty_db: str, tmp_path: Path) -> None:
    assert len(apply_migrations(empty_db).applied) == len(discover())
    output = _migration_up(empty_db, tmp_path)
    assert "up to date" in output
    assert not any(f"Applying migration {m.path.name}" in output for m in discover())
