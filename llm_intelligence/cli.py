"""`llm-intel`: the operator's command line. Thin: parses, calls the library, prints."""

from __future__ import annotations

import json
import logging
import textwrap
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import psycopg
import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llm_intelligence import calibration, rankings
from llm_intelligence.config import load_settings
from llm_intelligence.db import (
    apply_migrations,
    connect,
    embedded,
    pending_migrations,
    resolve_database_url,
)
from llm_intelligence.db.sync_lock import (
    RankingsStatus,
    abandon_dead_runs,
    rankings_status,
    refresh_stale_rankings,
)
from llm_intelligence.errors import DatabaseError, LLMIntelError, SyncLockedError
from llm_intelligence.sources import SOURCES, SourceKind, source_names, unknown_source_message

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
# soft_wrap: an error is one line, however long (a terminal wraps it, rich does not).
err_console = Console(stderr=True, soft_wrap=True)

EXIT_SYNC_RUNNING = 75
"""`llm-intel sync` while another sync runs: sysexits' EX_TEMPFAIL, try again later."""


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", "-v", help="Log more detail; `sync` lists every rejected row."),
    ] = False,
) -> None:
    ctx.obj = {"verbose": verbose}
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    # APScheduler's own INFO lines (job added, job executed) only with -v.
    logging.getLogger("apscheduler").setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        load_settings()  # a malformed variable stops every command with a clear message
    except LLMIntelError as e:
        raise _fail(e) from e


def _fail(error: object) -> typer.Exit:
    # Escaped: error text can quote upstream data, and `[...]` in it is not rich markup.
    err_console.print(f"[red]error:[/red] {escape(str(error))}")
    return typer.Exit(code=1)


def _db_fail(error: psycopg.Error) -> typer.Exit:
    """One line for an error the database raised (its primary message, not the context)."""
    if isinstance(error, psycopg.errors.UndefinedTable | psycopg.errors.UndefinedFunction):
        return _fail(
            f"the database lacks this version's schema ({error.diag.message_primary}):"
            " run `llm-intel db migrate`"
        )
    return _fail(error.diag.message_primary or str(error).strip().splitlines()[0])


def _migrated_url() -> str:
    """The database URL with every pending migration applied (commands that write)."""
    settings = load_settings()
    url = resolve_database_url(settings)
    apply_migrations(url)
    return url


def _read_url() -> str:
    """The database URL for a read-only command: never starts the embedded server, never
    runs DDL; a database with pending migrations is refused, saying how to migrate it."""
    url = resolve_database_url(load_settings(), start_embedded=False)
    try:
        pending = pending_migrations(url)
    except psycopg.Error as e:  # a role that may not read the history: the read will tell
        logging.getLogger(__name__).info("migration history not readable: %s", e)
        return url
    if pending:
        raise DatabaseError(
            f"the database is not migrated ({len(pending)} pending, first"
            f" {pending[0].path.name}): run `llm-intel db migrate`"
        )
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
        raise _db_fail(e) from e
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
    """Show which database is used, whether it is reachable, and pending migrations (it
    applies none)."""
    settings = load_settings()
    if settings.database_url is None:
        try:
            state = embedded.status(settings.pgdata)
        except LLMIntelError as e:
            raise _fail(e) from e
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
    except psycopg.Error as e:
        raise _db_fail(e) from e
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
    except psycopg.Error as e:
        raise _db_fail(e) from e
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
        return _decimal_text(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _short_price(value: Decimal) -> str:
    """A price for a table cell: about four significant digits (5.9999975 -> 6, 0.54375 ->
    0.5438), so every column fits; --json keeps the exact value."""
    places = 0 if value >= 100 else 2 if value >= 1 else 4 if value >= Decimal("0.01") else 6
    return _decimal_text(value.quantize(Decimal(1).scaleb(-places)))


def _decimal_text(value: Decimal) -> str:
    """Exact, without trailing zeros or an exponent: `3.000` -> `3`, `0.150` -> `0.15`."""
    if not value.is_finite():
        return str(value)
    return f"{value.normalize():f}" if value else "0"


def _price_option(name: str, value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        price = Decimal(value.strip())
    except (ArithmeticError, InvalidOperation) as e:
        raise _fail(f"{name} must be a number, got {value!r}") from e
    if not price.is_finite():
        raise _fail(f"{name} must be a finite number, got {value!r}")
    return price


def _weights_option(value: str | None) -> tuple[Decimal | None, Decimal | None]:
    """`cost=0.3,performance=0.7` -> (0.3, 0.7); either may be left out."""
    if value is None:
        return None, None
    found: dict[str, Decimal] = {}
    for part in value.split(","):
        key, sep, number = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in ("cost", "performance") or key in found:
            raise _fail(f"--weights must look like cost=0.3,performance=0.7, got {value!r}")
        weight = _price_option(f"--weights {key}", number)
        assert weight is not None
        found[key] = weight
    return found.get("cost"), found.get("performance")


@app.command("rank")
def rank(
    category: Annotated[
        str | None,
        typer.Option(
            help="A ranking category (coding, reasoning, math, general, chat, agentic; any"
            " case); default: overall.",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many models.")] = 20,
    weights: Annotated[
        str | None,
        typer.Option(
            help="cost=W,performance=W (default: the method's 0.4 / 0.6).", show_default=False
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            help="default, or seed: the seed's formula (no category, no weights).",
            show_default=False,
        ),
    ] = None,
    max_price: Annotated[
        str | None,
        typer.Option(
            help="Only models at most this blended USD per million tokens.", show_default=False
        ),
    ] = None,
    max_input_price: Annotated[
        str | None, typer.Option(help="Only models at most this USD per million input tokens.")
    ] = None,
    min_context: Annotated[
        int | None, typer.Option(min=0, help="Only models with at least this context window.")
    ] = None,
    capability: Annotated[
        list[str] | None,
        typer.Option(
            help="Only models with this capability (vision, function_calling, ...); repeatable."
        ),
    ] = None,
    frontier: Annotated[
        bool, typer.Option("--frontier", help="Only models on the price/quality Pareto frontier.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead.")] = False,
) -> None:
    """Print the ranking table from rank_models(): blended price, the category's score with
    its coverage (leaderboards; categories for overall), the composite, providers and free
    tier. Reads only: it neither starts the embedded server nor migrates. Rankings a killed
    sync left stale are refreshed first (unless a sync is running: a warning then says they
    are stale)."""
    input_price = _price_option("--max-input-price", max_input_price)
    blended_price = _price_option("--max-price", max_price)
    cost_weight, performance_weight = _weights_option(weights)
    if category is not None:
        category = category.strip().lower()
    if preset is not None:
        preset = preset.strip().lower()
    try:
        url = _read_url()
        status = _healed_rankings(url)
        with connect(url) as conn:
            # The categories are SQL's (ranking_method()): checked here for a short message.
            categories = rankings.ranking_method(conn).categories
            if category is not None and category not in categories:
                raise _fail(
                    f"unknown category {category!r}, expected {', '.join(categories[:-1])}"
                    f" or {categories[-1]}"
                )
            rows = rankings.rank_models(
                conn,
                category=category,
                max_results=limit,
                max_input_price=input_price,
                max_price=blended_price,
                cost_weight=cost_weight,
                performance_weight=performance_weight,
                min_context=min_context,
                capabilities=capability or None,
                preset=preset,
                frontier_only=frontier or None,
            )
            if status is None:
                status = rankings_status(conn)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    _warn_if_stale(status)
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2))
        return
    title = f"Top models ({category or 'overall'}{', seed preset' if preset == 'seed' else ''})"
    # One space between columns and short headings leave a model name about 35
    # characters in 80 columns; a longer one wraps rather than being cut.
    table = Table(
        title=title,
        caption="$/M: blended price, (3 x input + output) / 4; n: coverage",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column("model", min_width=20, overflow="fold")
    for heading in ("$/M", "quality (n)", "score", "prov", "free", "front"):
        table.add_column(heading, justify="right")
    for row in rows:
        blended = row["min_blended_cost"]
        table.add_row(
            str(row["rank"]),
            row["name"],
            _short_price(blended) if blended is not None else "",
            f"{row['category_score']:.3f} ({row['coverage']})",
            f"{row['composite_score']:.3f}",
            str(row["provider_count"]),
            "yes" if row["has_free_tier"] else "",
            "*" if row["on_pareto_frontier"] else "",
        )
    console.print(table)
    if not rows:
        filtered = any(v for v in (input_price, blended_price, min_context, capability, frontier))
        console.print(
            "No model passes these filters."
            if filtered
            else "No ranked models yet: run `llm-intel sync` to load prices."
        )


@app.command("calibrate")
def calibrate(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fit and print; write nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead.")] = False,
) -> None:
    """Refit the benchmark calibration (offset and slope per benchmark on the logit scale,
    weight = the fit's r^2) from the stored leaderboard scores, print the parameters and
    their fit quality, and store them (model_rankings refreshes once). The only command
    that refits it: a sync only links a benchmark it brings for the first time and moves
    no fitted parameter, so a new model moves nobody else."""
    try:
        url = _migrated_url()
        with connect(url) as conn:
            fits = calibration.fit_calibration(calibration.read_rows(conn))
            refused = [f for f in fits if not calibration.storable(f)]
            if not dry_run:
                with conn.transaction():
                    calibration.write_calibration(conn, fits)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    if as_json:
        typer.echo(json.dumps([asdict(f) for f in fits], indent=2))
        return
    table = Table(title="Benchmark calibration (logit scale)", box=box.SIMPLE_HEAD)
    table.add_column("benchmark", overflow="fold")
    table.add_column("category")
    for heading in ("offset", "slope", "weight", "r", "rmse", "models"):
        table.add_column(heading, justify="right")
    for f in fits:
        table.add_row(
            f.benchmark_name,
            f.category,
            f"{f.offset:+.3f}",
            f"{f.slope:.3f}",
            f"{f.weight:.3f}",
            f"{f.correlation:.3f}",
            f"{f.rmse:.3f}",
            str(f.n_models),
        )
    console.print(table)
    if not fits:
        console.print("Nothing to fit: sync the leaderboards first (`llm-intel sync`).")
    else:
        stored = len(fits) - len(refused)
        console.print("dry run: nothing written" if dry_run else f"{stored} benchmarks stored")
    for f in refused:
        console.print(
            f"{f.benchmark_name}: offset {f.offset:+.2f} / slope {f.slope:.2f} is outside the"
            " table's range (offset within 20, slope at most 20): kept at the identity"
        )


def _offline_sources() -> str:
    return ", ".join(s.name for s in SOURCES.values() if s.offline_snapshot is not None)


def _no_snapshot_sources() -> str:
    prices = [
        s.name
        for s in SOURCES.values()
        if s.offline_snapshot is None and s.kind is SourceKind.PRICES
    ]
    boards = [
        s.name
        for s in SOURCES.values()
        if s.offline_snapshot is None and s.kind is SourceKind.BENCHMARKS
    ]
    return (
        f"{', '.join(prices)} (unless its LLM_INTEL_<SOURCE>_URL is a local mirror); the "
        f"leaderboards {', '.join(boards)} (unless LLM_INTEL_BENCHMARKS_DIR is a mirror folder "
        "holding the file, or the leaderboard's LLM_INTEL_<SOURCE>_URL a local file)"
    )


def _check_source(name: str) -> str:
    if name not in SOURCES:
        raise _fail(unknown_source_message(name))
    return name


@app.command("sync")
def sync(
    ctx: typer.Context,
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"{', '.join(source_names(SourceKind.PRICES))}; leaderboards: "
            f"{', '.join(source_names(SourceKind.BENCHMARKS))}; none means all (the "
            "leaderboards only while ENABLE_BENCHMARK_COLLECTION is true).",
            show_default=False,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help=f"Use the snapshots installed packages ship ({_offline_sources()}) or local "
            f"mirror files; no network. Skipped offline: {_no_snapshot_sources()}.",
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
    Only one sync runs at a time: a second one waits up to --wait seconds, else exits.
    Rejected rows are summed up per reason (every one with -v)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from llm_intelligence.collectors import runner
    from llm_intelligence.collectors.runner import RunStatus

    names = [_check_source(name) for name in sources or []]
    try:
        url = _migrated_url()
        settings = load_settings()
        names = names or runner.default_sources(settings)
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
                done = phase in set(RunStatus) - {RunStatus.RUNNING}
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
    except psycopg.Error as e:
        raise _db_fail(e) from e

    table = _counts_table("Sync summary", ("source", "status"))
    for r in reports:
        table.add_row(
            r.source,
            r.status,
            *(str(n) for n in (r.inserted, r.updated, r.unchanged, r.rejected, r.deactivated)),
            f"{r.seconds:.1f}",
        )
    console.print(table)
    verbose = bool(ctx.obj and ctx.obj.get("verbose"))
    for r in reports:
        if r.error and r.status is not RunStatus.SUCCEEDED:
            err_console.print(f"[yellow]{r.source}[/yellow] {r.status}: {escape(r.error)}")
        _print_rejected(r.source, r.rejected, r.rejected_reasons, r.rejected_sample, verbose)
        if r.unmatched:
            err_console.print(
                f"{r.source}: {r.unmatched} rows of {len(r.unmatched_names)} leaderboard names"
                f" matched no catalog model: `llm-intel runs --unmatched {r.source}`"
            )
    if not all(r.status.ok for r in reports):
        raise typer.Exit(code=1)


_COUNT_COLUMNS = (
    ("new", "rows inserted"),
    ("changed", "rows updated"),
    ("same", "rows unchanged"),
    ("rejected", "rows rejected"),
    ("gone", "rows deactivated: no longer listed"),
    ("secs", "seconds"),
)


def _counts_table(title: str, leading: tuple[str, ...]) -> Table:
    # Short headers, so that the table fits 80 columns without cutting a word.
    table = Table(
        title=title,
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
        pad_edge=False,
        caption="gone: offers no longer listed (deactivated)",
    )
    for heading in leading:
        table.add_column(heading, no_wrap=True)
    for heading, _meaning in _COUNT_COLUMNS:
        table.add_column(heading, justify="right", no_wrap=True)
    return table


def _print_rejected(
    source: str,
    rejected: int,
    reasons: dict[str, int],
    sample: list[tuple[str, str]],
    verbose: bool,
) -> None:
    """One line per rejection reason (values grouped), and every sampled row with -v."""
    if not rejected:
        return
    if not reasons:
        err_console.print(
            f"{source}: {rejected} rejected (the same payload as the last good run; "
            f"`llm-intel runs --rejected {source}` lists them)"
        )
        return
    width = max(console.width, 60) - len(source) - 12
    for reason, count in reasons.items():
        text = textwrap.shorten(reason, width=width, placeholder=" …")
        err_console.print(f"{source}: {count:>5} rejected: {escape(text)}")
    if verbose:
        for key, reason in sample:
            err_console.print(f"  {escape(key)}: {escape(reason)}")
        if rejected > len(sample):
            err_console.print(f"  (first {len(sample)} of {rejected} listed)")
    else:
        err_console.print(
            f"{source}: every rejected row: -v, or `llm-intel runs --rejected {source}`"
        )


@app.command("runs")
def runs(
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
    source: Annotated[
        str | None,
        typer.Option(help=f"Only this source ({', '.join(source_names())}).", show_default=False),
    ] = None,
    rejected: Annotated[
        str | None,
        typer.Option(
            "--rejected",
            metavar="SOURCE",
            help="Instead: the rows SOURCE's latest parsed run rejected, and why.",
            show_default=False,
        ),
    ] = None,
    unmatched: Annotated[
        str | None,
        typer.Option(
            "--unmatched",
            metavar="SOURCE",
            help="Instead: the leaderboard names SOURCE's latest run matched to no model.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the most recent collector runs, newest first. Runs whose session died (a killed
    sync) are marked `abandoned` first. Reads only: it neither starts the embedded server
    nor migrates."""
    for name in (source, rejected, unmatched):
        if name is not None:
            _check_source(name)
    try:
        with connect(_read_url()) as conn:
            try:
                abandon_dead_runs(conn)
                conn.commit()
            except psycopg.Error as e:  # a role that may not: the list is still worth showing
                conn.rollback()
                err_console.print(
                    f"[yellow]warning:[/yellow] dead runs not checked: {escape(str(e))}"
                )
            if rejected is not None:
                _show_rejected(conn, rejected)
                return
            if unmatched is not None:
                _show_unmatched(conn, unmatched)
                return
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
    except psycopg.Error as e:
        raise _db_fail(e) from e
    table = _counts_table("Collector runs", ("source", "started", "status"))
    for row in rows:
        seconds = row[9]
        table.add_row(
            str(row[1]),
            f"{row[2]:%m-%d %H:%M}",
            *(str(v) for v in row[3:9]),
            f"{seconds:.1f}" if isinstance(seconds, Decimal) else "",
        )
    console.print(table)
    if not rows:
        console.print("No runs yet: `llm-intel sync` records one per source.")
    for row in rows:
        if row[10]:
            console.print(f"run {row[0]} ({row[1]}, {row[3]}): {escape(str(row[10]))}")


def _show_rejected(conn: psycopg.Connection[Any], source: str) -> None:
    """The latest run of `source` that parsed its payload: its rejected rows by reason,
    then each sampled row (`collector_runs.details.rejected_sample`)."""
    from llm_intelligence.collectors.runner import count_reasons

    row = conn.execute(
        "select id, started_at, status, rows_rejected, details -> 'rejected_sample'"
        " from public.collector_runs where source = %s and details ? 'rejected_sample'"
        " order by started_at desc, id desc limit 1",
        (source,),
    ).fetchone()
    if row is None:
        console.print(f"{source}: no run that parsed its payload is recorded yet")
        return
    run_id, started, status, total, sample = row
    pairs = [(str(item.get("key")), str(item.get("reason"))) for item in sample or []]
    console.print(
        f"{source} run {run_id} ({status}, {started:%Y-%m-%d %H:%M}): {total} rejected"
        + (f", the first {len(pairs)} listed" if total > len(pairs) else "")
    )
    for reason, count in count_reasons(pairs).items():
        console.print(f"{count:>5}  {escape(reason)}")
    for key, reason in pairs:
        console.print(f"  {escape(key)}: {escape(reason)}")


def _show_unmatched(conn: psycopg.Connection[Any], source: str) -> None:
    """The leaderboard names the latest run of `source` that matched names left
    unmatched, each with its row count and why (`collector_runs.details.unmatched`)."""
    row = conn.execute(
        "select id, started_at, status, details -> 'unmatched_rows', details -> 'unmatched'"
        " from public.collector_runs where source = %s and details ? 'unmatched'"
        " order by started_at desc, id desc limit 1",
        (source,),
    ).fetchone()
    if row is None:
        console.print(f"{source}: no run that matched leaderboard names is recorded yet")
        return
    run_id, started, status, rows, names = row
    console.print(
        f"{source} run {run_id} ({status}, {started:%Y-%m-%d %H:%M}): {len(names or [])}"
        f" names ({rows} rows) matched no catalog model"
    )
    for item in names or []:
        console.print(
            f"{item.get('rows', 0):>5}  {escape(str(item.get('name')))}: "
            f"{escape(str(item.get('reason') or ''))}"
        )


@app.command("schedule")
def schedule(
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Print each job and its cadence, then exit (needs no database)."
        ),
    ] = False,
) -> None:
    """Run the collectors on their cadence in the foreground (APScheduler) until SIGINT or
    SIGTERM; a running sync finishes first. Cadence per source:
    LLM_INTEL_SCHEDULE_<SOURCE>_MINUTES, else LLM_INTELLIGENCE_REFRESH_INTERVAL seconds, else
    the source's default; --dry-run prints each source's cadence."""
    from llm_intelligence.scheduler import planned_jobs, run_scheduler

    settings = load_settings()
    if dry_run:
        for job in planned_jobs(settings):
            cadence = f"every {_duration(job.every)}" if job.every is not None else "not run"
            console.print(f"{job.job_id:<14} {cadence:<16} {escape(job.why)}")
        return
    logging.getLogger("llm_intelligence").setLevel(logging.INFO)
    try:
        run_scheduler(url=_migrated_url(), settings=settings)
    except LLMIntelError as e:
        raise _fail(e) from e


def _duration(every: Any) -> str:
    seconds = int(every.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


@app.command("watch")
def watch(
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per change (exact decimal strings).")
    ] = False,
    after_id: Annotated[
        int | None,
        typer.Option(
            "--after-id",
            min=0,
            help="Start after this price_changes id (0: the whole history first);"
            " default: only changes from now on.",
            show_default=False,
        ),
    ] = None,
    max_events: Annotated[
        int | None,
        typer.Option(
            "--max-events",
            min=1,
            help="Exit after this many changes (for scripts and tests); default: run until Ctrl-C.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Print price changes as they are committed, one line each (time, model,
    provider_name, old -> new input/output $/M), until Ctrl-C. Listens on Postgres
    (LISTEN/NOTIFY) or Supabase Realtime (SUPABASE_URL + SUPABASE_KEY without
    DATABASE_URL); polls instead when ENABLE_REAL_TIME_UPDATES=false. Reconnects by
    itself and prints what was committed meanwhile, once each."""
    import asyncio
    import sys

    from llm_intelligence.realtime import resolve_backend, watch_price_changes

    async def run() -> None:
        settings = load_settings()
        url = _read_url() if resolve_backend(settings) == "postgres" else None
        seen = 0
        async with watch_price_changes(
            after_id=after_id, settings=settings, database_url=url
        ) as changes:
            async for change in changes:
                typer.echo(json.dumps(change.as_json()) if as_json else change.describe())
                sys.stdout.flush()
                seen += 1
                if max_events is not None and seen >= max_events:
                    return

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        return
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e


@app.command("audit")
def audit(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """How far the catalog can be trusted, from the live database: closed models' minimums
    below the vendor's list price (by provider tier), price outliers, source conflicts,
    duplicate-name candidates, unlabeled authors, non-text models typed as text, free
    tiers. Reads only: it neither starts the embedded server nor migrates."""
    from llm_intelligence.audit import render, run_audit

    try:
        with connect(_read_url()) as conn:
            report = run_audit(conn)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
        return
    for line in render(report):
        typer.echo(line)


@app.command("conflicts")
def conflicts(
    model: Annotated[
        str | None,
        typer.Argument(
            help="Only this model (any name or alias); none: every model.", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=100000, help="How many offers, largest disagreement first.")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON rows instead.")] = False,
) -> None:
    """Offers whose sources disagree on the price (public.price_conflicts): each source's
    value, the one shown (*) and the rule that chose it. Reads only."""
    from llm_intelligence.audit import conflict_rows

    try:
        with connect(_read_url()) as conn:
            rows = conflict_rows(conn, model=model, limit=limit)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    if as_json:
        typer.echo(json.dumps([{k: _plain(v) for k, v in row.items()} for row in rows], indent=2))
        return
    if not rows:
        console.print("No conflicts: every offer's sources agree (or one source lists it).")
        return
    table = Table(
        title="Price conflicts (USD per million tokens)",
        box=box.SIMPLE_HEAD,
        collapse_padding=True,
    )
    table.add_column("model", min_width=12, overflow="fold")
    table.add_column("provider", min_width=10, overflow="fold")
    table.add_column("source", overflow="fold")
    table.add_column("in", justify="right")
    table.add_column("out", justify="right")
    table.add_column("shown", overflow="fold")
    for row in rows:
        where = row["provider_name"] + "".join(
            f"/{part}" for part in (row["gateway"], row["deployment"]) if part
        )
        if row["is_free_tier"]:
            where += " (free)"
        table.add_row(
            row["model_name"],
            where,
            row["source"],
            _plain(row["input_price_per_million"])
            if row["input_price_per_million"] is not None
            else "",
            _plain(row["output_price_per_million"])
            if row["output_price_per_million"] is not None
            else "",
            f"* {row['choice_rule'] or ''}" if row["is_chosen"] else "",
        )
    console.print(table)


def _router() -> Any:
    """A Router for one command: PostgREST when only SUPABASE_URL + SUPABASE_KEY are set,
    otherwise the database a read-only command uses; no price-change subscription."""
    from llm_intelligence.realtime import resolve_backend
    from llm_intelligence.routing import Router

    settings = load_settings()
    url = _read_url() if resolve_backend(settings) == "postgres" else None
    return Router(settings=settings, database_url=url, realtime=False)


@app.command("providers")
def providers(
    model: Annotated[str, typer.Argument(help="A model name or alias.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """Print a model's offers as routing sees them (provider_options(): provider_name,
    provider_id, $/M in and out, share of the 1/price^2 pick, why) and one pick of
    get_optimal_provider with its reason. Reads only."""
    try:
        with _router() as router:
            pricing = router.get_model_pricing(model)
            choice = router.get_optimal_provider(model)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    if as_json:
        document = {
            "model": pricing.model,
            "providers": [
                {k: _plain(v) for k, v in p.as_dict().items()} for p in pricing.providers
            ],
            "pick": {k: _plain(v) for k, v in choice.as_dict().items()},
        }
        typer.echo(json.dumps(document, indent=2))
        return
    table = Table(title=f"Providers of {pricing.model}", box=box.SIMPLE_HEAD, collapse_padding=True)
    table.add_column("provider", min_width=10, overflow="fold")
    table.add_column("provider_id", min_width=12, overflow="fold")
    for heading in ("in $/M", "out $/M", "share"):
        table.add_column(heading, justify="right")
    table.add_column("basis", overflow="fold")
    for option in pricing.providers:
        table.add_row(
            option.provider_name + (" (free)" if option.is_free_tier else ""),
            option.provider_id,
            _plain(option.input_price_per_million),
            _plain(option.output_price_per_million),
            f"{option.selection_probability:.1%}",
            option.price_basis,
        )
    console.print(table)
    console.print(
        escape(f"pick: {choice.provider_name} ({choice.provider_id}): {choice.reason}"),
        soft_wrap=False,
    )


@app.command("route")
def route(
    prompt: Annotated[str, typer.Argument(help="The request's text.")],
    strategy: Annotated[
        str,
        typer.Option(
            help="balanced, cost_optimized, latency_optimized, quality_optimized,"
            " local_first or capability_match."
        ),
    ] = "balanced",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead.")] = False,
) -> None:
    """Route one prompt: its task type and confidence, the chosen model and provider,
    the expected cost (input tokens ~ characters / 4), fallbacks and the reasons. Reads
    only."""
    from llm_intelligence.routing import STRATEGIES

    if strategy not in STRATEGIES:
        raise _fail(f"unknown strategy {strategy!r}, expected {', '.join(STRATEGIES)}")
    try:
        with _router() as router:
            decision = router.route(prompt, strategy=strategy)
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    if as_json:
        document = {
            k: [{kk: _plain(vv) for kk, vv in f.items()} for f in v]
            if k == "fallbacks"
            else _plain(v)
            for k, v in decision.as_dict().items()
        }
        typer.echo(json.dumps(document, indent=2))
        return
    lines = [
        f"task: {decision.task_type} ({decision.confidence:.0%}),"
        f" category {decision.category}, strategy {decision.strategy}",
        f"model: {decision.model}",
        f"provider: {decision.provider_name} ({decision.provider_id})",
        f"expected cost: ${_plain(decision.expected_cost)} ({decision.input_tokens} in +"
        f" {decision.expected_output_tokens} out tokens)",
    ]
    lines += [
        f"fallback: {f.model} at {f.provider_name} (${_plain(f.expected_cost)})"
        for f in decision.fallbacks
    ]
    lines += [f"- {reason}" for reason in decision.reasons]
    for line in lines:
        typer.echo(textwrap.fill(line, width=80, subsequent_indent="  "))


@app.command("litellm-config")
def litellm_config(
    category: Annotated[
        str | None,
        typer.Option(help="Rank within this category (default: overall).", show_default=False),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many top models to list.")] = 10,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write here instead of stdout.", show_default=False),
    ] = None,
) -> None:
    """Write a LiteLLM proxy config.yaml from the rankings: the top models as model
    groups, one deployment per offer (`<provider>/<provider_id>`, keys as
    `os.environ/<VAR>` placeholders, 1/price^2 weights), fallbacks = each model's next
    models of the category that have its capabilities, and our proxy handler as the
    callback. Reads only."""
    from pathlib import Path

    from llm_intelligence.integrations.litellm_config import build_config, dump_config

    try:
        with _router() as router:
            config = build_config(router, category=category, limit=limit)
    except ValueError as e:
        raise _fail(e) from e
    except LLMIntelError as e:
        raise _fail(e) from e
    except psycopg.Error as e:
        raise _db_fail(e) from e
    text = dump_config(
        config,
        header=f"LiteLLM proxy config from llm-intel rankings ({category or 'overall'},"
        f" top {limit}): `litellm --config <this file>`",
    )
    if output is None:
        typer.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")
        err_console.print(f"wrote {output}: {len(config['model_list'])} deployments")


if __name__ == "__main__":
    app()
