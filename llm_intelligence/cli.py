"""`llm-intel`: the operator's command line. Thin: parses, calls the library, prints."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated, Any

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from llm_intelligence import rankings
from llm_intelligence.config import load_settings
from llm_intelligence.db import apply_migrations, connect, embedded, resolve_database_url
from llm_intelligence.errors import LLMIntelError

app = typer.Typer(
    help="LLM data intelligence: models, provider prices and benchmarks, ranked in SQL.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="The database: the embedded default, or DATABASE_URL when set.", no_args_is_help=True
)
app.add_typer(db_app, name="db")

console = Console()
err_console = Console(stderr=True)


def _fail(error: object) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {error}")
    return typer.Exit(code=1)


def _migrated_url() -> str:
    """The database URL with every pending migration applied."""
    settings = load_settings()
    url = resolve_database_url(settings)
    apply_migrations(url)
    return url


@db_app.command("start")
def db_start() -> None:
    """Start the embedded Postgres (unless DATABASE_URL is set), apply pending migrations and
    print the connection URL. Running it again while the server runs is harmless."""
    try:
        settings = load_settings()
        url = resolve_database_url(settings)
        result = apply_migrations(url)
    except LLMIntelError as e:
        raise _fail(e) from e
    where = "DATABASE_URL" if settings.database_url is not None else f"embedded ({settings.pgdata})"
    err_console.print(
        f"database: {where}; migrations applied now: {len(result.applied)}, "
        f"already applied: {result.already_applied}"
    )
    typer.echo(url)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded Postgres. Does nothing when DATABASE_URL is set."""
    settings = load_settings()
    if settings.database_url is not None:
        err_console.print("DATABASE_URL is set: no embedded server to stop.")
        return
    try:
        stopped = embedded.stop(settings.pgdata)
    except LLMIntelError as e:
        raise _fail(e) from e
    err_console.print("stopped" if stopped else "not running")


@db_app.command("status")
def db_status() -> None:
    """Show which database is used, whether it is reachable, and pending migrations."""
    from llm_intelligence.db import pending_migrations

    settings = load_settings()
    if settings.database_url is None:
        state = embedded.status(settings.pgdata)
        console.print(f"embedded server: {'running' if state.running else 'stopped'}")
        console.print(f"data directory:  {settings.pgdata}")
        if not state.running or state.url is None:
            raise typer.Exit(code=3)
        url = state.url
    else:
        console.print("database: DATABASE_URL")
        url = settings.database_url.get_secret_value()
    try:
        pending = pending_migrations(url)
    except LLMIntelError as e:
        raise _fail(e) from e
    console.print(f"pending migrations: {len(pending)}")
    for migration in pending:
        console.print(f"  {migration.path.name}")


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations to DATABASE_URL or the embedded server."""
    try:
        settings = load_settings()
        result = apply_migrations(resolve_database_url(settings))
    except LLMIntelError as e:
        raise _fail(e) from e
    for migration in result.applied:
        console.print(f"applied {migration.path.name}")
    console.print(f"{len(result.applied)} applied, {result.already_applied} already applied")


@db_app.command("url")
def db_url() -> None:
    """Print only the database URL (for scripts): DATABASE_URL or the running embedded server."""
    try:
        url = resolve_database_url(load_settings(), start_embedded=False)
    except LLMIntelError as e:
        raise _fail(e) from e
    typer.echo(url)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@app.command("rank")
def rank(
    category: Annotated[
        str | None, typer.Option(help="coding, reasoning, math or general; default: overall.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many models.")] = 20,
    max_input_price: Annotated[
        str | None, typer.Option(help="Only models at most this USD per million input tokens.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead.")] = False,
) -> None:
    """Print the ranking table from rank_models()."""
    try:
        price = Decimal(max_input_price) if max_input_price is not None else None
        with connect(_migrated_url()) as conn:
            rows = rankings.rank_models(
                conn, category=category, max_results=limit, max_input_price=price
            )
    except (LLMIntelError, ArithmeticError) as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _fail(e.diag.message_primary or e) from e
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2))
        return
    table = Table(title=f"Top models ({category or 'overall'})")
    for heading in (
        "#",
        "model",
        "author",
        "in $/M",
        "out $/M",
        "providers",
        "cost",
        "perf",
        "score",
    ):
        table.add_column(heading, justify="right" if heading != "model" else "left")
    for row in rows:
        table.add_row(
            str(row["rank"]),
            row["name"],
            row["provider"] or "",
            str(row["min_input_cost"]),
            str(row["min_output_cost"]),
            str(row["provider_count"]),
            f"{row['cost_efficiency_score']:.3f}",
            f"{row['performance_score']:.3f}",
            f"{row['composite_score']:.3f}",
        )
    console.print(table)
    if not rows:
        console.print("No ranked models yet: run `llm-intel sync` to load prices.")


if __name__ == "__main__":
    app()
