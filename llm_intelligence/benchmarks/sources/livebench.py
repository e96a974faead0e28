"""LiveBench (a dated table CSV and its categories JSON): monthly-refreshed questions
with objective answers, scored 0-100 per task.

One row per model and task (`livebench-<task>`), with LiveBench's own category in the
metadata (`livebench_category`) and a ranking category: Coding -> coding, Agentic
Coding -> agentic, Mathematics -> math, Reasoning and Data Analysis -> reasoning, Language and IF
(instruction following) -> general. Every task is graded against a ground truth with
free-form answers or partial credit, so chance is 0. The release date in the file names
is the test date.

The live site publishes `table_<date>.csv` next to `categories_<date>.json`; the location
(`LLM_INTEL_LIVEBENCH_URL`) is the table's URL or file, and the categories file is read
from the same folder and date. LiveBench has no "latest" URL: set the variable to a newer
release's table when one is published. The mirror folder (`LLM_INTEL_BENCHMARKS_DIR`)
holds `livebench_table_<date>.csv` and `livebench_categories_<date>.json`; the newest
table there is read.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from llm_intelligence.benchmarks.rows import (
    Benchmark,
    Category,
    ParsedLeaderboard,
    Scale,
    ScoreRow,
    score_value,
)
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

SOURCE = "livebench"
DEFAULT_URL = "https://livebench.ai/table_2026_01_08.csv"
ORGANIZATION = "LiveBench"
TABLE_RE = re.compile(r"table_(\d{4})_(\d{2})_(\d{2})\.csv$")
CATEGORY_MAP = {
    "coding": Category.CODING,
    "agentic coding": Category.AGENTIC,
    "mathematics": Category.MATH,
    "math": Category.MATH,
    "reasoning": Category.REASONING,
    "data analysis": Category.REASONING,
    "language": Category.GENERAL,
    "if": Category.GENERAL,
    "instruction following": Category.GENERAL,
}


@dataclass(frozen=True, slots=True)
class Payload:
    table: str
    categories: dict[str, list[str]]
    released: date | None


def categories_location(table_location: str) -> str:
    """`.../table_2026_01_08.csv` -> `.../categories_2026_01_08.json`."""
    head, sep, tail = table_location.rpartition("table_")
    if not sep:
        raise PayloadError(f"{SOURCE}: {table_location} is not a table_<date>.csv location")
    return f"{head}categories_{tail.removesuffix('.csv')}.json"


def release_of(location: str) -> date | None:
    m = TABLE_RE.search(location)
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


def load(table: bytes, categories: Any, *, location: str) -> Payload:
    if not isinstance(categories, dict) or not all(
        isinstance(k, str) and isinstance(v, list) for k, v in categories.items()
    ):
        raise PayloadError(f"{SOURCE}: the categories file is not a mapping of category -> tasks")
    try:
        text = table.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise PayloadError(f"{SOURCE}: {location} is not UTF-8 text: {e}") from e
    return Payload(
        table=text,
        categories={k: [str(t) for t in v] for k, v in categories.items()},
        released=release_of(location),
    )


def parse(payload: Payload) -> ParsedLeaderboard:
    parsed = ParsedLeaderboard(SOURCE)
    reader = csv.DictReader(io.StringIO(payload.table))
    if not reader.fieldnames or reader.fieldnames[0] != "model":
        raise PayloadError(f"{SOURCE}: the table's first column is not `model`")
    task_category: dict[str, str] = {}
    for name, tasks in payload.categories.items():
        for task in tasks:
            task_category[task] = name
    benchmarks: dict[str, Benchmark] = {}
    for task in reader.fieldnames[1:]:
        group = task_category.get(task)
        category = CATEGORY_MAP.get(group.lower()) if group else None
        if category is None:
            # A task no category lists (or a category we have no mapping for): kept out,
            # and said so once per run.
            parsed.rejected.append(
                RejectedRow(f"task {task}", f"task {task!r} has no known LiveBench category")
            )
            continue
        benchmarks[task] = Benchmark(f"livebench-{task.lower()}", category, "score", Scale.PERCENT)
    for line, record in enumerate(reader, start=2):
        model = (record.get("model") or "").strip()
        if not model:
            parsed.rejected.append(RejectedRow(f"line {line}", "no model name"))
            continue
        for task, benchmark in benchmarks.items():
            raw = record.get(task)
            if raw is None or not raw.strip():
                continue  # not run on this task
            score = score_value(raw)
            key = f"{model}/{task}"
            if score is None:
                parsed.rejected.append(RejectedRow(key, f"{task} score {raw!r} is not a number"))
                continue
            parsed.add(
                ScoreRow(
                    source_key=key,
                    leaderboard_name=model,
                    benchmark=benchmark,
                    score=score,
                    source_organization=ORGANIZATION,
                    is_verified=True,
                    test_date=payload.released,
                    metadata={"livebench_category": task_category[task], "task": task},
                )
            )
    return parsed
