"""Database access: connections, migrations and the embedded default server."""

from llm_intelligence.db.connection import connect, resolve_database_url
from llm_intelligence.db.migrations import MigrationResult, apply_migrations, pending_migrations

__all__ = [
    "MigrationResult",
    "apply_migrations",
    "connect",
    "pending_migrations",
    "resolve_database_url",
]
