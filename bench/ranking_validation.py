"""Leave-one-leaderboard-out validation of the ranking (issue 12, item 5).

Syncs the offline price snapshots and every leaderboard the mirror folder has a file for
(`LLM_INTEL_BENCHMARKS_DIR`, default `../shared/data/benchmarks`: five) into a fresh
database, then for each leaderboard recomputes the category scores without it
(calibration refitted without it, model_rankings rebuilt by its own SQL, all rolled back)
and prints Spearman's rho between the predicted order and the leaderboard's own order on
the models it covers that have other evidence (`llm_intelligence.validation`). `plain` is
the same with every benchmark at the identity calibration, for comparison. Target: coding
rho >= 0.7.

    python bench/ranking_validation.py
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
from bench_database import embedded_server, fresh_database

from llm_intelligence.collectors.runner import sync
from llm_intelligence.config import Settings
from llm_intelligence.sources import SourceKind, source_names
from llm_intelligence.validation import leave_one_out

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
TARGET = 0.7


def _fmt(value: float | None) -> str:
    return "   -" if value is None else f"{value:.3f}"


def main() -> None:
    folder = os.environ.get("LLM_INTEL_BENCHMARKS_DIR") or str(SNAPSHOTS)
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=folder)
    with embedded_server() as server, fresh_database(server, "ranking_validation") as url:
        sync(
            url, settings=settings, sources=["litellm", "models-dev", "genai-prices"], offline=True
        )
        sync(url, settings=settings, sources=source_names(SourceKind.BENCHMARKS), offline=True)
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            results = leave_one_out(conn, categories=["coding", "math", "reasoning", "chat"])
        seconds = time.perf_counter() - started
    print("Leave-one-leaderboard-out: Spearman rho, predicted vs the left-out board's own order")
    print(f"{'left out':<13} {'category':<10} {'models':>6} {'rho':>6} {'plain':>6}")
    for r in results:
        print(
            f"{r.leaderboard:<13} {r.category:<10} {r.models:>6} {_fmt(r.rho):>6}"
            f" {_fmt(r.rho_uncalibrated):>6}"
        )
    coding = [r.rho for r in results if r.category == "coding" and r.rho is not None]
    overall = [r.rho for r in results if r.category == "overall" and r.rho is not None]
    if coding:
        mean = sum(coding) / len(coding)
        print(
            f"coding: mean rho {mean:.3f}, min {min(coding):.3f} (target >= {TARGET}:"
            f" {'ok' if mean >= TARGET else 'MISSED'})"
        )
    if overall:
        print(f"overall: mean rho {sum(overall) / len(overall):.3f}, min {min(overall):.3f}")
    print(f"({seconds:.1f} s)")


if __name__ == "__main__":
    main()
