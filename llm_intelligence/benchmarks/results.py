"""The results layout EvalPlus and BigCodeBench share: `{display name: {link,
"pass@1": {benchmark: percent or null}, other facts}}`.

A Hugging Face link's repo id is matched before the display name; bare open-weight names
(`Mistral-7B`, `CodeLlama-34B`) are base checkpoints on both boards; null means not run.
The entry's other scalar facts (prompted, size, open-data, date) go into the metadata.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from llm_intelligence.benchmarks.rows import (
    Benchmark,
    ParsedLeaderboard,
    ScoreRow,
    plain_number,
    published_date,
    score_value,
)
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

__all__ = ["hf_repo", "parse_results"]

HF_PREFIX = "https://huggingface.co/"


def hf_repo(link: object) -> tuple[str, ...]:
    """The `author/name` of a Hugging Face model link, as an id to match first."""
    if not isinstance(link, str) or not link.startswith(HF_PREFIX):
        return ()
    parts = [p for p in link.removeprefix(HF_PREFIX).split("/") if p]
    return ("/".join(parts[:2]),) if len(parts) >= 2 else ()


def parse_results(
    payload: Any, *, source: str, organization: str, benchmarks: dict[str, Benchmark]
) -> ParsedLeaderboard:
    """EvalPlus' and BigCodeBench's shared layout: name -> {link, pass@1: {...}, ...}."""
    parsed = ParsedLeaderboard(source)
    if not isinstance(payload, dict):
        raise PayloadError(f"{source}: expected a mapping of model -> results")
    for model, entry in payload.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("pass@1"), dict):
            parsed.rejected.append(RejectedRow(str(model), "no pass@1 results"))
            continue
        extra: dict[str, Any] = {}
        for name, value in entry.items():
            if name == "pass@1":
                continue
            if isinstance(value, float | Decimal):
                extra[name] = plain_number(value)
            elif value is None or isinstance(value, str | int | bool):
                extra[name] = value
        when = entry.get("date")
        for field, benchmark in benchmarks.items():
            raw = entry["pass@1"].get(field)
            if raw is None:
                continue  # not run
            score = score_value(raw)
            key = f"{model}/{field}"
            if score is None:
                parsed.rejected.append(RejectedRow(key, f"{field} pass@1 {raw!r} is not a number"))
                continue
            parsed.add(
                ScoreRow(
                    source_key=key,
                    leaderboard_name=str(model),
                    benchmark=benchmark,
                    score=score,
                    source_organization=organization,
                    is_verified=True,
                    test_date=published_date(when),
                    match_ids=hf_repo(entry.get("link")),
                    bare_names_are_base=True,
                    metadata=extra,
                )
            )
    return parsed
