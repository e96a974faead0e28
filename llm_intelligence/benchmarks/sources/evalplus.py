"""EvalPlus (JSON): HumanEval and MBPP pass@1, plus their `+` versions with more tests.

`results.json` maps a display name (`GPT 4o (Aug 2024)`) to its link and
`pass@1: {humaneval, humaneval+, mbpp, mbpp+}` in percent (null: not run). One row per
model and benchmark, read by `benchmarks.results`. Chance is 0: generated code passes
the tests or not. Results carry no date.
"""

from __future__ import annotations

from typing import Any

from llm_intelligence.benchmarks.results import parse_results
from llm_intelligence.benchmarks.rows import Benchmark, Category, ParsedLeaderboard, Scale

SOURCE = "evalplus"
DEFAULT_URL = "https://evalplus.github.io/results.json"
ORGANIZATION = "EvalPlus"
BENCHMARKS = {
    "humaneval": Benchmark("humaneval", Category.CODING, "pass@1", Scale.PERCENT),
    "humaneval+": Benchmark("humaneval-plus", Category.CODING, "pass@1", Scale.PERCENT),
    "mbpp": Benchmark("mbpp", Category.CODING, "pass@1", Scale.PERCENT),
    "mbpp+": Benchmark("mbpp-plus", Category.CODING, "pass@1", Scale.PERCENT),
}


def parse(payload: Any) -> ParsedLeaderboard:
    return parse_results(payload, source=SOURCE, organization=ORGANIZATION, benchmarks=BENCHMARKS)
