"""`llm-intel`: the operator's command line. Thin: parses, calls the library, prints."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Annotated, Any

import psycopg
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llm_intelligence import rankings
from llm_intelligence.config import load_settings
from llm_intelligence.db import apply_migrations, connect, embedded, resolve_database_url
from llm_intelligence.db.sync_lock import (
    RankingsStatus,
    abandon_dead_runs,
    rankings_status,
    refresh_stale_rankings,
)
from llm_intelligence.errors import LLMIntelError, SyncLockedError

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

EXIT_SYNC_RUNNING = 75
"""`llm-intel sync` while another sync runs: sysexits' EX_TEMPFAIL, try again later."""


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log more detail.")] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        load_settings()  # a malformed variable stops every command with a clear message
    except LLMIntelError as e:
        raise _fail(e) from e


def _fail(error: object) -> typer.Exit:
    # Escaped: error text can quote upstream data, and `[...]` in it is not rich markup.
    err_console.print(f"[red]error:[/red] {escape(str(error))}")
    return typer.Exit(code=1)


def _migrated_url() -> str:
    """The database URL with every pending migration applied."""
    settings = load_settings()
    url = resolve_database_url(settings)
    apply_migrations(url)
    return url


@db_app.command("start")
def db_start() -> None:
    """Start the embedded Postgres (unless DATABASE_URL is set), apply pending migrations,
    refresh rankings a killed sync left stale, and print the connection URL. Running it
    again while the server runs is harmless."""
    try:
        settings = load_settings()
        url = resolve_database_url(settings)
        result = apply_migrations(url)
        status = refresh_stale_rankings(url)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _fail(e.diag.message_primary or e) from e
    where = "DATABASE_URL" if settings.database_url is not None else f"embedded ({settings.pgdata})"
    err_console.print(
        f"database: {where}; migrations applied now: {len(result.applied)}, "
        f"already applied: {result.already_applied}"
    )
    if status.refreshed_now:
        err_console.print(
            f"rankings were stale (last refreshed {_when(status.last_refreshed_at)}): refreshed"
        )
    _warn_if_stale(status)
    typer.echo(url)


def _healed_rankings(url: str) -> RankingsStatus | None:
    """Refresh stale rankings if this role may (a read-only role may not: None)."""
    try:
        return refresh_stale_rankings(url)
    except psycopg.Error as e:
        logging.getLogger(__name__).info("stale rankings not refreshed: %s", e)
        return None


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S %Z}" if moment is not None else "never"


def _warn_if_stale(status: RankingsStatus) -> None:
    if not status.stale:
        return
    why = (
        "a sync is running and refreshes them when it ends"
        if status.sync_running
        else "a sync stopped before refreshing them; `llm-intel db start` or a running"
        " `llm-intel schedule` refreshes them"
    )
    err_console.print(
        f"[yellow]warning:[/yellow] rankings are stale (last refreshed "
        f"{_when(status.last_refreshed_at)}): {why}"
    )


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
    """Print the ranking table from rank_models(). Rankings a killed sync left stale are
    refreshed first (unless a sync is running: a warning then says they are stale)."""
    try:
        price = Decimal(max_input_price) if max_input_price is not None else None
    except ArithmeticError as e:
        raise _fail(f"--max-input-price must be a number, got {max_input_price!r}") from e
    try:
        url = _migrated_url()
        status = _healed_rankings(url)
        with connect(url) as conn:
            rows = rankings.rank_models(
                conn, category=category, max_results=limit, max_input_price=price
            )
            if status is None:
                status = rankings_status(conn)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _fail(e.diag.message_primary or e) from e
    _warn_if_stale(status)
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2))
        return
    table = Table(
        title=f"Top models ({category or 'overall'})", box=box.SIMPLE_HEAD, collapse_padding=True
    )
    table.add_column("#", justify="right")
    # Names wrap rather than being cut: a truncated model name is useless.
    table.add_column("model", min_width=20, overflow="fold")
    for heading in ("in $/M", "out $/M", "providers", "cost", "perf", "score"):
        table.add_column(heading, justify="right")
    for row in rows:
        table.add_row(
            str(row["rank"]),
            row["name"],
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


@app.command("sync")
def sync(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="litellm, openrouter, models-dev, genai-prices; none means all.",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="Use the snapshots installed packages ship (litellm, models-dev, "
            "genai-prices) or local mirror files; no network. OpenRouter is skipped "
            "unless LLM_INTEL_OPENROUTER_URL is a local mirror.",
        ),
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Accept a source that shrank to less than half, or grew to more than 3x, "
            "its last good run's rows, and re-apply a payload identical to the last good run's.",
        ),
    ] = False,
    wait: Annotated[
        float,
        typer.Option(
            "--wait",
            min=0,
            metavar="SECONDS",
            help="If another sync is running, wait up to this long for it to finish; "
            f"0 exits at once (code {EXIT_SYNC_RUNNING}) naming the running sync.",
        ),
    ] = 0,
) -> None:
    """Fetch the sources and upsert models, aliases and prices; one recorded run each.
    Only one sync runs at a time: a second one waits up to --wait seconds, else exits."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from llm_intelligence.collectors import runner
    from llm_intelligence.collectors.sources import get_source, source_names

    names = sources or source_names()
    try:
        for name in names:
            get_source(name)
        url = _migrated_url()
        settings = load_settings()
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.fields[source]:<13}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=False,
        ) as progress:
            tasks = {n: progress.add_task("waiting", source=n, total=None) for n in names}

            def on_phase(source: str, phase: str) -> None:
                done = phase in ("succeeded", "failed", "refused", "skipped")
                progress.update(
                    tasks[source],
                    description=phase,
                    total=1 if done else None,
                    completed=1 if done else 0,
                )

            reports = runner.sync(
                url,
                settings=settings,
                sources=names,
                offline=offline,
                force=force,
                wait_for_lock=wait,
                on_phase=on_phase,
            )
    except SyncLockedError as e:
        err_console.print(f"[red]error:[/red] {escape(str(e))}")
        raise typer.Exit(code=EXIT_SYNC_RUNNING) from e
    except LLMIntelError as e:
        raise _fail(e) from e

    table = Table(title="Sync summary", box=box.SIMPLE_HEAD)
    table.add_column("source", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for heading in ("inserted", "updated", "unchanged", "rejected", "deactivated", "s"):
        table.add_column(heading, justify="right")
    for r in reports:
        table.add_row(
            r.source,
            r.status,
            str(r.inserted),
            str(r.updated),
            str(r.unchanged),
            str(r.rejected),
            str(r.deactivated),
            f"{r.seconds:.2f}",
        )
    console.print(table)
    for r in reports:
        if r.error and r.status != "succeeded":
            err_console.print(f"[yellow]{r.source}[/yellow] {r.status}: {escape(r.error)}")
    if any(r.status in ("failed", "refused") for r in reports):
        raise typer.Exit(code=1)


@app.command("runs")
def runs(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
) -> None:
    """Show the most recent collector runs, newest first. Runs whose session died (a killed
    sync) are marked `abandoned` first."""
    try:
        with connect(_migrated_url()) as conn:
            try:
                abandon_dead_runs(conn)
                conn.commit()
            except psycopg.Error as e:  # a role that may not: the list is still worth showing
                conn.rollback()
                err_console.print(
                    f"[yellow]warning:[/yellow] dead runs not checked: {escape(str(e))}"
                )
            rows = conn.execute(
                "select id, source, started_at, status, rows_inserted, rows_updated,"
                " rows_unchanged, rows_rejected, rows_deactivated,"
                " extract(epoch from finished_at - started_at), error"
                " from public.collector_runs where %(source)s::text is null or source = %(source)s"
                " order by started_at desc, id desc limit %(limit)s",
                {"source": source, "limit": limit},
            ).fetchall()
    except LLMIntelError as e:
        raise _fail(e) from e
    table = Table(title="Collector runs", box=box.SIMPLE_HEAD)
    for heading in ("source", "started", "status"):
        table.add_column(heading, no_wrap=True)
    for heading in ("ins", "upd", "same", "rej", "deact", "s"):
        table.add_column(heading, justify="right")
    for row in rows:
        seconds = row[9]
        table.add_row(
            str(row[1]),
            f"{row[2]:%m-%d %H:%M}",
            *(str(v) for v in row[3:9]),
            f"{seconds:.2f}" if isinstance(seconds, Decimal) else "",
        )
    console.print(table)
    for row in rows:
        if row[10]:
            console.print(f"run {row[0]} ({row[1]}, {row[3]}): {escape(str(row[10]))}")


@app.command("schedule")
def schedule() -> None:
    """Run the collectors on their cadence in the foreground (APScheduler) until SIGINT or
    SIGTERM; a running sync finishes first. Cadence: LLM_INTEL_SCHEDULE_*_MINUTES."""
    from llm_intelligence.scheduler import run_scheduler

    logging.getLogger().setLevel(logging.INFO)
    try:
        run_scheduler(url=_migrated_url(), settings=load_settings())
    except LLMIntelError as e:
        raise _fail(e) from e


if __name__ == "__main__":
    app()
