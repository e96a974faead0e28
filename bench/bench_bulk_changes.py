"""Bulk deactivations and price changes: seconds and per-row cost at 5k / 20k / 80k rows.

Run `python bench/bench_bulk_changes.py [--quick] [--before]`. The script starts its own
embedded Postgres in a temporary directory, applies the migrations to a fresh database,
fills provider_pricing with 90,000 rows (30,000 models x 3 providers, generate_series)
and times two statements shaped like the collector writer's:

* deactivate: `update ... set is_active = false, deactivated_at = now() where source = ...
  and source_key = any(<N keys>) and is_active` (no price changes: no history rows);
* price change: `update ... set input_price_per_million = input_price_per_million * 2
  where source = ... and source_key = any(<N keys>)` (N history rows, N notifications);

each in two kinds of session:

* fresh: the statement is the session's first;
* after zero-row: the same session first ran a zero-row UPDATE of provider_pricing (the
  writer's deactivation with nothing to deactivate), so that any plan the statement
  triggers cache is made for empty transition tables. This was issue 9's quadratic case
  (84,398 rows deactivated in 1,742 s).

Timed: the statement alone, its statement triggers included (they run at its end); every
measurement is rolled back (the rankings refresh at commit is bench_database's subject)
and the table vacuumed before the next. Figures are medians of REPEATS.

Targets (exit status 1 when missed, full run only): an 80k-row deactivation under 10 s in
both sessions; per-row cost at 80k within 2x of that at 5k, for both statements and both
sessions. `--before` runs the same on the migrations before the fix
(20261202000100_reliable_triggers_and_api.sql), at 5k and 20k only (80k would take about
half an hour there).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, LiteralString

import psycopg
from bench_database import embedded_server
from psycopg import sql
from psycopg.conninfo import make_conninfo

from llm_intelligence.db import apply_migrations
from llm_intelligence.db.migrations import migrations_dir

Connection = psycopg.Connection[tuple[Any, ...]]

REPEATS = 3
MODELS = 30_000  # x 3 providers = 90,000 price rows
FULL_SIZES = (5_000, 20_000, 80_000)
QUICK_SIZES = (1_000, 4_000)
BEFORE_SIZES = (5_000, 20_000)
FIX_MIGRATION = "20261202000100"
DEACTIVATION_TARGET_S = 10.0
PER_ROW_RATIO_TARGET = 2.0

SEED_MODELS: LiteralString = """
insert into public.models (name) select 'bench-model-' || g from generate_series(1, %s) g
"""
SEED_PRICING: LiteralString = """
insert into public.provider_pricing (
  model_id, source, source_key, provider_name, provider_id,
  input_price_per_million, output_price_per_million)
select m.id, 'litellm', m.name || '@' || p.provider_name, p.provider_name, m.name,
       ((m.id * 7919 + p.k * 104729) % 20000) / 1000.0 + 0.01,
       4 * (((m.id * 7919 + p.k * 104729) % 20000) / 1000.0 + 0.01)
from public.models m
cross join (values (1, 'openai'), (2, 'azure'), (3, 'bedrock')) p (k, provider_name)
"""
# `--before` builds the schema as it was before the fix, which predates the seed's column
# names (20261202000300): there the two columns still have their old names.
SEED_PRICING_BEFORE_RENAME: LiteralString = """
insert into public.provider_pricing (
  model_id, source, source_key, provider, provider_model_id,
  input_price_per_million, output_price_per_million)
select m.id, 'litellm', m.name || '@' || p.provider_name, p.provider_name, m.name,
       ((m.id * 7919 + p.k * 104729) % 20000) / 1000.0 + 0.01,
       4 * (((m.id * 7919 + p.k * 104729) % 20000) / 1000.0 + 0.01)
from public.models m
cross join (values (1, 'openai'), (2, 'azure'), (3, 'bedrock')) p (k, provider_name)
"""
KEYS: LiteralString = (
    "select source_key from public.provider_pricing where source = 'litellm' order by id limit %s"
)

# The writer's deactivation (collectors/writer.py), and a price change of the same rows.
DEACTIVATE: LiteralString = """
update public.provider_pricing
set is_active = false, deactivated_at = now()
where source = 'litellm' and source_key = any(%s) and is_active
"""
PRICE_CHANGE: LiteralString = """
update public.provider_pricing
set input_price_per_million = input_price_per_million * 2
where source = 'litellm' and source_key = any(%s)
"""
STATEMENTS: dict[str, LiteralString] = {"deactivate": DEACTIVATE, "price change": PRICE_CHANGE}
SESSIONS = ("fresh", "after zero-row")


@dataclass(frozen=True, slots=True)
class Figure:
    statement: str
    session: str
    rows: int
    seconds: float
    us_per_row: float
    history_rows: int


# --- server and database -----------------------------------------------------------------


@contextmanager
def migrations_before_fix() -> Iterator[Path]:
    """A copy of the migrations directory without the fix and anything after it."""
    with tempfile.TemporaryDirectory(prefix="llm-intel-migrations-") as tmp:
        for path in sorted(migrations_dir().glob("*.sql")):
            if path.name < FIX_MIGRATION:
                shutil.copy(path, tmp)
        yield Path(tmp)


def seeded_database(server_url: str, directory: Path | None) -> str:
    name = "bench_bulk_changes"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("drop database if exists {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = make_conninfo(server_url, dbname=name)
    apply_migrations(url, directory=directory)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SEED_MODELS, (MODELS,))
        conn.execute(SEED_PRICING if directory is None else SEED_PRICING_BEFORE_RENAME)
        conn.execute("vacuum analyze")
    return url


# --- measurements ------------------------------------------------------------------------


def measure(url: str, statement: str, session: str, keys: list[str]) -> tuple[float, int]:
    """Seconds of one statement over `keys` in a new session, and the history rows it
    wrote; rolled back, then the tables vacuumed."""
    with psycopg.connect(url) as conn:
        if session == "after zero-row":
            conn.execute(DEACTIVATE, ([],))  # the writer's deactivation, nothing to do
        (before,) = conn.execute("select count(*) from public.price_changes").fetchone() or (0,)
        started = time.perf_counter()
        conn.execute(STATEMENTS[statement], (keys,))
        seconds = time.perf_counter() - started
        (after,) = conn.execute("select count(*) from public.price_changes").fetchone() or (0,)
        conn.rollback()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum public.provider_pricing, public.price_changes")
    return seconds, after - before


def bench(url: str, sizes: Sequence[int], repeats: int) -> list[Figure]:
    figures = []
    with psycopg.connect(url) as conn:
        all_keys = [row[0] for row in conn.execute(KEYS, (max(sizes),))]
    for statement in STATEMENTS:
        for rows in sizes:
            for session in SESSIONS:
                runs = [measure(url, statement, session, all_keys[:rows]) for _ in range(repeats)]
                seconds = statistics.median(s for s, _ in runs)
                figures.append(
                    Figure(
                        statement=statement,
                        session=session,
                        rows=rows,
                        seconds=round(seconds, 3),
                        us_per_row=round(seconds / rows * 1e6, 1),
                        history_rows=runs[0][1],
                    )
                )
                print(f"  {figures[-1]}", file=sys.stderr)
    return figures


def ratios(figures: Sequence[Figure]) -> dict[str, float]:
    """Per-row cost at the largest size over that at the smallest, per statement and session."""
    smallest = min(f.rows for f in figures)
    largest = max(f.rows for f in figures)
    out = {}
    for statement in STATEMENTS:
        for session in SESSIONS:
            by_rows = {
                f.rows: f.us_per_row
                for f in figures
                if f.statement == statement and f.session == session
            }
            out[f"{statement}, {session}"] = round(by_rows[largest] / by_rows[smallest], 2)
    return out


def render(figures: Sequence[Figure], per_row_ratios: dict[str, float]) -> str:
    lines = [
        f"{'statement':<13} {'session':<15} {'rows':>7} {'seconds':>9} {'us/row':>8} "
        f"{'history rows':>12}"
    ]
    for f in figures:
        lines.append(
            f"{f.statement:<13} {f.session:<15} {f.rows:>7} {f.seconds:>9.3f} "
            f"{f.us_per_row:>8.1f} {f.history_rows:>12}"
        )
    smallest = min(f.rows for f in figures)
    largest = max(f.rows for f in figures)
    lines.append("")
    lines.append(f"per-row cost {largest // 1000}k / {smallest // 1000}k:")
    for name, ratio in per_row_ratios.items():
        lines.append(f"  {name:<30} {ratio:>6.2f}")
    return "\n".join(lines)


def targets_met(figures: Sequence[Figure], per_row_ratios: dict[str, float]) -> bool:
    largest = max(f.rows for f in figures)
    deactivations = [f for f in figures if f.statement == "deactivate" and f.rows == largest]
    return all(f.seconds < DEACTIVATION_TARGET_S for f in deactivations) and all(
        r <= PER_ROW_RATIO_TARGET for r in per_row_ratios.values()
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one run each (smoke test)"
    )
    parser.add_argument(
        "--before",
        action="store_true",
        help=f"the migrations before {FIX_MIGRATION}, sizes {BEFORE_SIZES}, one run each",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = QUICK_SIZES if args.quick else BEFORE_SIZES if args.before else FULL_SIZES
    repeats = 1 if args.quick or args.before else REPEATS
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    with embedded_server() as server_url:
        if args.before:
            with migrations_before_fix() as directory:
                url = seeded_database(server_url, directory)
        else:
            url = seeded_database(server_url, None)
        figures = bench(url, sizes, repeats)
    load_after = os.getloadavg()[0]
    elapsed_s = round(time.perf_counter() - started, 1)
    per_row_ratios = ratios(figures)
    print(render(figures, per_row_ratios))
    print(
        f"\n({'migrations before the fix; ' if args.before else ''}{MODELS * 3} price rows;"
        f" total {elapsed_s} s on {os.cpu_count()} CPUs; 1-min load average"
        f" {load_before:.2f} before, {load_after:.2f} after: other work on the machine skews"
        " the figures)"
    )
    print(
        json.dumps(
            {
                "quick": args.quick,
                "before_fix": args.before,
                "elapsed_s": elapsed_s,
                "load_average": [round(load_before, 2), round(load_after, 2)],
                "figures": [asdict(f) for f in figures],
                "per_row_ratio_largest_over_smallest": per_row_ratios,
            }
        )
    )
    if args.quick or args.before:
        return 0
    return 0 if targets_met(figures, per_row_ratios) else 1


if __name__ == "__main__":
    sys.exit(main())
