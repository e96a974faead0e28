"""Offline sync speed, measured in one run: the full main job on the bundled snapshots
(pipelined, as `llm-intel sync --offline` runs it), a no-change re-sync, each phase alone
(fetch+parse, identity, database write, refresh), and a bare COPY of the same rows.

    python bench/bench_sync.py

Targets (issue 3): database write phase within 3x of the bare COPY of the same rows; full
offline sync of all sources under 3 s; a no-change re-sync under 1 s.
"""

from __future__ import annotations

import json
import logging
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


def _phases_alone(url: str, settings: Settings) -> tuple[dict[str, float], list[ResolvedSource]]:
    """Each phase of the full sync on its own, one source after another, no overlap, with
    identity's caches emptied first (the pipelined sync above filled them)."""
    for cached in vars(identity).values():
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    phases = dict.fromkeys(("fetch+parse", "identity", "write", "refresh"), 0.0)
    resolved: list[ResolvedSource] = []
    for name in SOURCES:
        started = time.perf_counter()
        parsed = get_source(name).collect(settings, True, None)
        phases["fetch+parse"] += time.perf_counter() - started
        started = time.perf_counter()
        resolved.append(resolve(parsed, source=name))
        phases["identity"] += time.perf_counter() - started
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        for one in resolved:
            started = time.perf_counter()
            write_source(conn, one)
            phases["write"] += time.perf_counter() - started
        started = time.perf_counter()
        refresh_if_stale(conn)
        phases["refresh"] = time.perf_counter() - started
    return phases, resolved


def _write_without_history(url: str, resolved: list[ResolvedSource]) -> float:
    """The write phase again with the price-history trigger off (no price_changes rows, no
    notifications): for information, how much of the write is that history."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("alter table provider_pricing disable trigger provider_pricing_record_inserts")
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        started = time.perf_counter()
        for one in resolved:
            write_source(conn, one)
        return time.perf_counter() - started


_SCRATCH_TABLES = f"""
create table scratch_models (
  name text, display_name text, author text, family text, model_type text,
  context_window integer, max_tokens integer, capabilities jsonb, release_date date,
  deprecation_date date, open_weights boolean);
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


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # rejected rows are counted, not listed here
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
            phases, resolved = _phases_alone(_fresh_database(admin_url, "bench_phases"), settings)
            copied, copy_seconds = _bare_copy(url, resolved)
            no_history = _write_without_history(_fresh_database(admin_url, "bench_nh"), resolved)
        finally:
            embedded.stop(pgdata)

    ratio = phases["write"] / copy_seconds
    print(f"full offline sync (pipelined)  {full_seconds:6.3f} s  {rows} rows,"
          f" {rows / full_seconds:.0f} rows/s   target < 3 s")  # fmt: skip
    print(f"no-change re-sync              {resync_seconds:6.3f} s  rows changed: {changed}"
          f"   target < 1 s")  # fmt: skip
    print("phases alone (no overlap): "
          + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items())
          + f" (sum {sum(phases.values()):.3f} s)")  # fmt: skip
    print(f"bare COPY of the same {copied} rows (models, aliases, prices): {copy_seconds:.3f} s")
    print(f"write phase / bare COPY        {ratio:6.2f}x   target <= 3x")
    print(f"  for information: write without the price-history trigger {no_history:.3f} s,"
          f" {no_history / copy_seconds:.2f}x the COPY; history + notifications"
          f" {phases['write'] - no_history:.3f} s")  # fmt: skip
    print(
        json.dumps(
            {
                "rows": rows,
                "full_sync_s": round(full_seconds, 4),
                "rows_per_s": round(rows / full_seconds),
                "resync_s": round(resync_seconds, 4),
                "resync_changed_rows": changed,
                "phases_alone_s": {k: round(v, 4) for k, v in phases.items()},
                "copy_rows": copied,
                "copy_s": round(copy_seconds, 4),
                "write_over_copy": round(ratio, 2),
                "write_without_history_s": round(no_history, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
