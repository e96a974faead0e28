"""BigCodeBench (JSON): 1,140 practical Python tasks calling 139 libraries, pass@1.

Two splits: `complete` (finish a function from its docstring) and `instruct` (write it
from a natural-language instruction; null for base models). Same layout as EvalPlus
(`benchmarks.results`); each entry's `date` is the test date. Chance is 0.
"""

from __future__ import annotations

from typing import Any

from llm_intelligence.benchmarks.results import parse_results
from llm_intelligence.benchmarks.rows import Benchmark, Category, ParsedLeaderboard, Scale

SOURCE = "bigcodebench"
DEFAULT_URL = "https://bigcode-bench.github.io/results.json"
ORGANIZATION = "BigCodeBench"
BENCHMARKS = {
    "complete": Benchmark("bigcodebench-complete", Category.CODING, "pass@1", Scale.PERCENT),
    "instruct": Benchmark("bigcodebench-instruct", Category.CODING, "pass@1", Scale.PERCENT),
}


def parse(payload: Any) -> ParsedLeaderboard:
    return parse_results(payload, source=SOURCE, organization=ORGANIZATION, benchmarks=BENCHMARKS)
