"""Aider's polyglot leaderboard (YAML): 225 Exercism exercises in six languages.

One entry per run; a model has several runs (edit format, reasoning effort, thinking
budget), each stored as a variant. The score is `pass_rate_2` (percent of exercises
solved within two tries, the leaderboard's headline); `pass_rate_1`, the percentage of
well-formed responses, the run's total cost, edit format, reasoning effort and date go
into the row's metadata. Quirk: `total_cost: 0.0` means unknown or free, not zero cost,
so it is stored as null.
"""

from __future__ import annotations

from typing import Any

import yaml

from llm_intelligence.benchmarks.rows import (
    Benchmark,
    Category,
    ParsedLeaderboard,
    Scale,
    ScoreRow,
    plain_number,
    published_date,
    score_value,
)
from llm_intelligence.collectors.limits import clip
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

SOURCE = "aider"
FILE = "aider_polyglot_leaderboard.yml"
DEFAULT_URL = (
    "https://raw.githubusercontent.com/Aider-AI/aider/main/aider/website/_data/"
    "polyglot_leaderboard.yml"
)
ORGANIZATION = "Aider"
# Generated code either passes the exercise's tests or not: no chance floor.
POLYGLOT = Benchmark("aider-polyglot", Category.CODING, "pass_rate_2", Scale.PERCENT)


def load(data: bytes, *, where: str) -> Any:
    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as e:
        raise PayloadError(f"{SOURCE}: {where} is not valid YAML: {clip(str(e))}") from e


def _text(value: object) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text or None


def parse(payload: Any) -> ParsedLeaderboard:
    parsed = ParsedLeaderboard(SOURCE)
    if not isinstance(payload, list):
        raise PayloadError(f"{SOURCE}: expected a list of runs, got {type(payload).__name__}")
    for index, entry in enumerate(payload):
        key = f"run {index}"
        if not isinstance(entry, dict):
            parsed.rejected.append(RejectedRow(key, "a run is not a mapping"))
            continue
        model = _text(entry.get("model"))
        key = _text(entry.get("dirname")) or f"{model}#{index}"
        score = score_value(entry.get("pass_rate_2"))
        if model is None or score is None:
            parsed.rejected.append(RejectedRow(key, "no model or no pass_rate_2"))
            continue
        settings: dict[str, str] = {}
        edit_format = _text(entry.get("edit_format"))
        if edit_format:
            settings["edit_format"] = edit_format
        effort = _text(entry.get("reasoning_effort"))
        if effort:
            settings["reasoning"] = effort.lower()
        thinking = _text(entry.get("thinking_tokens"))
        if thinking:
            settings["thinking"] = "off" if thinking == "0" else thinking
        cost = score_value(entry.get("total_cost"))
        parsed.add(
            ScoreRow(
                source_key=key,
                leaderboard_name=model,
                benchmark=POLYGLOT,
                score=score,
                source_organization=ORGANIZATION,
                is_verified=True,
                test_date=published_date(entry.get("date")),
                settings=settings,
                metadata={
                    "pass_rate_1": plain_number(entry.get("pass_rate_1")),
                    "percent_cases_well_formed": plain_number(
                        entry.get("percent_cases_well_formed")
                    ),
                    # 0.0 is Aider's "unknown or free", not a measured zero.
                    "total_cost_usd": plain_number(cost) if cost else None,
                    "edit_format": edit_format,
                    "reasoning_effort": effort,
                    "thinking_tokens": thinking,
                    "seconds_per_case": plain_number(entry.get("seconds_per_case")),
                    "test_cases": entry.get("test_cases")
                    if isinstance(entry.get("test_cases"), int)
                    else None,
                    "command": _text(entry.get("command")),
                    "aider_version": _text(entry.get("versions")),
                },
            )
        )
    return parsed
