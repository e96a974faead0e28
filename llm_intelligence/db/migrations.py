"""Apply `supabase/migrations/*.sql` in order, recording them as the Supabase CLI does.

Applied versions go to `supabase_migrations.schema_migrations (version, statements, name)`,
the CLI's own table, so `supabase migration up` / `db push` and this runner can take over
from each other: each sees what the other applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import psycopg

from llm_intelligence.db.connection import connect
from llm_intelligence.errors import MigrationError

_FILE_NAME = re.compile(r"^(?P<version>\d{14})_(?P<name>[a-z0-9_]+)\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(slots=True)
class MigrationResult:
    applied: list[Migration] = field(default_factory=list)
    already_applied: int = 0


def migrations_dir() -> Path:
    """The packaged copy in an installed wheel, else the repository's folder."""
    packaged = Path(str(resources.files("llm_intelligence"))) / "_migrations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "supabase" / "migrations"


def discover(directory: Path | None = None) -> list[Migration]:
    folder = directory or migrations_dir()
    if not folder.is_dir():
        raise MigrationError(f"migrations folder not found: {folder}")
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file {path.name} is not named YYYYMMDDHHMMSS_name.sql")
        found.append(Migration(match["version"], match["name"], path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migration files in {folder} share a version")
    return found


def _ensure_history_table(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    exists = conn.execute(
        "select to_regclass('supabase_migrations.schema_migrations') is not null"
    ).fetchone()
    if exists and exists[0]:
        return
    try:
        conn.execute("create schema if not exists supabase_migrations")
        conn.execute(
            "create table if not exists supabase_migrations.schema_migrations ("
            " version text not null primary key, statements text[], name text)"
        )
    except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject):
        pass  # another runner created it at the same moment: `if not exists` is not atomic


def _applied_versions(conn: psycopg.Connection[tuple[object, ...]]) -> set[str]:
    rows = conn.execute("select version from supabase_migrations.schema_migrations").fetchall()
    return {str(row[0]) for row in rows}


def pending_migrations(url: str, *, directory: Path | None = None) -> list[Migration]:
    with connect(url, autocommit=True) as conn:
        exists = conn.execute(
            "select to_regclass('supabase_migrations.schema_migrations') is not null"
        ).fetchone()
        applied = _applied_versions(conn) if exists and exists[0] else set()
    return [m for m in discover(directory) if m.version not in applied]


def apply_migrations(url: str, *, directory: Path | None = None) -> MigrationResult:
    """Apply every pending migration, each in its own transaction with its history row.

    Two runners at once (two `db start`s, CI shards, a sync and `db migrate`) never apply
    a file twice: each pending file is applied under an exclusive lock on the history
    table, after checking again that nobody applied it meanwhile. Not an advisory lock:
    any role (anon too) may take any advisory key, and could stall every command. When
    nothing is pending, nothing is locked.
    """
    migrations = discover(directory)
    result = MigrationResult()
    with connect(url, autocommit=True) as conn:
        _ensure_history_table(conn)
        applied = _applied_versions(conn)
        for migration in migrations:
            if migration.version in applied:
                result.already_applied += 1
                continue
            sql = migration.sql()
            try:
                with conn.transaction():
                    conn.execute(
                        "lock table supabase_migrations.schema_migrations in exclusive mode"
                    )
                    if conn.execute(
                        "select 1 from supabase_migrations.schema_migrations where version = %s",
                        (migration.version,),
                    ).fetchone():
                        result.already_applied += 1  # another runner was first
                        continue
                    conn.execute(sql.encode())
                    conn.execute(
                        "insert into supabase_migrations.schema_migrations"
                        " (version, statements, name) values (%s, %s, %s)",
                        (migration.version, [sql], migration.name),
                    )
            except psycopg.Error as e:
                raise MigrationError(
                    f"migration {migration.path.name} failed and was rolled back: {e}"
                ) from e
            result.applied.append(migration)
    return result
