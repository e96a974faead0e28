"""Measure `llm_intelligence.routing.classifier` on the labeled prompts and for speed.

    python bench/bench_classifier.py

Prints accuracy and macro-F1 on the dev and held-out splits of `tests/data/task_prompts.jsonl`
(held-out: crc32 of the prompt's JSON % 10 < 3, a fixed rule; the cues were tuned on dev
only), accuracy per confidence bucket, the confusion matrix of each split, and latency
p50/p95/p99 of `classify_task` on 2,000-character prompts built from the labeled ones.
"""

from __future__ import annotations

import json
import statistics
import time
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

from llm_intelligence.routing.classifier import TASKS, classify_task

ROOT = Path(__file__).resolve().parent.parent
LABELED = ROOT / "tests" / "data" / "task_prompts.jsonl"


def load_labeled() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELED.read_text().splitlines() if line.strip()]


def prompt_of(row: dict[str, Any]) -> Any:
    return row["prompt"] if "prompt" in row else row["messages"]


def split_of(row: dict[str, Any]) -> str:
    key = json.dumps(prompt_of(row), ensure_ascii=False, sort_keys=True)
    return "held-out" if zlib.crc32(key.encode()) % 10 < 3 else "dev"


def scores(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """(accuracy, macro-F1) over (gold, predicted) pairs."""
    correct = sum(gold == pred for gold, pred in pairs)
    f1s = []
    for task in TASKS:
        tp = sum(gold == pred == task for gold, pred in pairs)
        fp = sum(pred == task != gold for gold, pred in pairs)
        fn = sum(gold == task != pred for gold, pred in pairs)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return correct / len(pairs), sum(f1s) / len(f1s)


def confusion(pairs: list[tuple[str, str]]) -> str:
    short = [t[:6] for t in TASKS]
    counts = Counter(pairs)
    lines = ["gold \\ predicted " + " ".join(f"{s:>6}" for s in short)]
    for gold in TASKS:
        row = " ".join(f"{counts[(gold, pred)]:>6}" for pred in TASKS)
        lines.append(f"{gold:<17} {row}")
    return "\n".join(lines)


def long_prompts(rows: list[dict[str, Any]], size: int = 2000) -> list[str]:
    texts = []
    for row in rows:
        prompt = prompt_of(row)
        if not isinstance(prompt, str):
            prompt = "\n\n".join(m["content"] for m in prompt if isinstance(m["content"], str))
        text = prompt
        while len(text) < size:
            text += "\n\n" + prompt
        texts.append(text[:size])
    return texts


def main() -> None:
    rows = load_labeled()
    print(f"{len(rows)} labeled prompts: {dict(Counter(r['task'] for r in rows))}")
    buckets: dict[str, list[bool]] = {}
    for name in ("dev", "held-out"):
        pairs = []
        for row in (r for r in rows if split_of(r) == name):
            result = classify_task(prompt_of(row))
            pairs.append((row["task"], result.task))
            bucket = ">=0.7" if result.confidence >= 0.7 else "0.3-0.7"
            bucket = "<0.3" if result.confidence < 0.3 else bucket
            buckets.setdefault(bucket, []).append(row["task"] == result.task)
        accuracy, macro_f1 = scores(pairs)
        print(f"\n{name}: n={len(pairs)} accuracy={accuracy:.3f} macro-F1={macro_f1:.3f}")
        print(confusion(pairs))
    print("\naccuracy by confidence (both splits):")
    for bucket in ("<0.3", "0.3-0.7", ">=0.7"):
        hits = buckets.get(bucket, [])
        if hits:
            print(f"  {bucket:>8}: n={len(hits):>3} accuracy={sum(hits) / len(hits):.3f}")

    texts = long_prompts(rows)
    for text in texts:  # warm the stemmer cache as a long-running process would have
        classify_task(text)
    timings = []
    for _ in range(5):
        for text in texts:
            start = time.perf_counter()
            classify_task(text)
            timings.append(time.perf_counter() - start)
    timings.sort()
    p50 = statistics.median(timings) * 1e6
    p95 = timings[int(len(timings) * 0.95)] * 1e6
    p99 = timings[int(len(timings) * 0.99)] * 1e6
    print(
        f"\nclassify_task on {len(texts)} prompts of 2,000 characters x5: "
        f"p50 {p50:.0f} us, p95 {p95:.0f} us, p99 {p99:.0f} us (target p95 < 1000 us)"
    )


if __name__ == "__main__":
    main()
