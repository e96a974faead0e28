"""SWE-bench (JSON): real GitHub issues resolved in their repositories, as a model
comparison under one fixed scaffold (agentic).

The site's `data/leaderboards.json` is `{"leaderboards": [{"name", "results": [entry]}]}`,
one board per split (`Test`, `Verified`, `Lite`, `Multimodal`, `Multilingual`, ...) and
`bash-only`. An entry carries `name` (as displayed), `folder`, `resolved` (percent of
the split's instances resolved), `date`, `os_model`, `os_system`, `checked`, `warning`,
and `tags` (`Model: <id>`, `Org: ...`, `System: Attempts - 1`); newer entries add
`agent`, `model_display`, `reasoning_effort`, costs and per-instance details.

Only the `bash-only` board is read: every language model there runs SWE-bench Verified
(500 instances) in the same minimal agent, mini-SWE-agent with a bash tool, so the score
is a property of the model. The other boards rank agent systems (a scaffold plus one or
several models, retrieval, retries, test-time selection): a system's score says as much
about the scaffold as about the model, and a model id does not buy it, so those rows
never feed a model's score. Where a file has no `bash-only` board, the `Verified` board's
entries whose `agent` is `mini-SWE-agent` are the same comparison and are read instead;
with neither, the payload is refused rather than read as an empty board.

The model is the entry's `Model:` tag (a provider id such as `claude-sonnet-4-5-20250929`),
else its displayed name (`model_display`, then `name`). An entry with several `Model:`
tags (a multi-model run) or none and no usable name is counted unmatched with that
reason. Settings: the reasoning effort (`reasoning_effort`, or `(medium reasoning)` in
the name) and the mini-SWE-agent version that ran it, so a model run by two versions
keeps both rows and the writer's variant rule picks the one the ranking uses; the same
model, effort and version twice is a rerun (the writer keeps the best). `checked` (the
SWE-bench team reproduced the run) is `is_verified`; the entry's date is the test date;
the open-source flags, costs and warning go into the metadata. Chance is 0: a patch
passes the issue's tests or not.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Final

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
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

SOURCE = "swebench"
FILE = "swebench_leaderboards.json"
DEFAULT_URL = (
    "https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/leaderboards.json"
)
ORGANIZATION = "SWE-bench"
BASH_ONLY_BOARD: Final = "bash-only"
VERIFIED_BOARD: Final = "verified"
HARNESS: Final = "mini-SWE-agent"
VERIFIED_BASH_ONLY = Benchmark(
    "swe-bench-verified-bash-only", Category.AGENTIC, "resolved", Scale.PERCENT
)

_EFFORTS: Final = ("minimal", "low", "medium", "high", "xhigh")
_NAME_EFFORT_RE: Final = re.compile(
    rf"\((?P<effort>{'|'.join(_EFFORTS)})(?:\s+reasoning)?(?:\s+effort)?\)", re.IGNORECASE
)
# Names that say the model is not disclosed (the site's own placeholder).
_NO_MODEL: Final = frozenset({"undisclosed", "unknown", "n/a", "none"})


def _board_key(name: object) -> str:
    """`bash-only`, `Bash-Only` and `bash only` are one board."""
    return " ".join(str(name).lower().replace("-", " ").split()) if name is not None else ""


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _tags(entry: dict[str, Any], label: str) -> list[str]:
    """The values of an entry's `<label>: <value>` tags, in order, without repeats."""
    tags = entry.get("tags")
    found: list[str] = []
    if not isinstance(tags, list):
        return found
    prefix = f"{label.lower()}:"
    for tag in tags:
        if isinstance(tag, str) and tag.lower().startswith(prefix):
            value = tag[len(prefix) :].strip()
            if value and value not in found:
                found.append(value)
    return found


def _selected(payload: Any) -> tuple[str, list[Any]]:
    """(the board read, its model-comparison entries): `bash-only`, else the Verified
    board's mini-SWE-agent entries."""
    if not isinstance(payload, dict) or not isinstance(payload.get("leaderboards"), list):
        raise PayloadError(f"{SOURCE}: expected {{'leaderboards': [board, ...]}}")
    boards: dict[str, list[Any]] = {}
    for board in payload["leaderboards"]:
        if isinstance(board, dict) and isinstance(board.get("results"), list):
            boards.setdefault(_board_key(board.get("name")), board["results"])
    bash_only = boards.get(_board_key(BASH_ONLY_BOARD))
    if bash_only is not None:
        return BASH_ONLY_BOARD, bash_only
    harness = _board_key(HARNESS)
    verified = [
        e
        for e in boards.get(VERIFIED_BOARD, [])
        if isinstance(e, dict) and _board_key(e.get("agent")) == harness
    ]
    if not verified:
        raise PayloadError(
            f"{SOURCE}: no {BASH_ONLY_BOARD!r} board and no {HARNESS} entries on the Verified"
            f" board (boards: {', '.join(sorted(boards)) or 'none'}); the other boards rank agent"
            " systems, not models"
        )
    return "Verified (mini-SWE-agent)", verified


def _identify(entry: dict[str, Any]) -> tuple[str | None, str | None]:
    """(the name to match, why the entry names no single model)."""
    models = _tags(entry, "Model")
    if len(models) > 1:
        return " + ".join(models), f"several models ({', '.join(models)}): a multi-model run"
    if models:
        return models[0], None
    for field in ("model_display", "name"):
        text = _text(entry.get(field))
        if text is not None and text.lower() not in _NO_MODEL:
            return text, None
    return None, "no `Model:` tag and no model name"


def _effort(entry: dict[str, Any]) -> str | None:
    stated = _text(entry.get("reasoning_effort"))
    if stated is not None and stated.lower() in _EFFORTS:
        return stated.lower()
    m = _NAME_EFFORT_RE.search(_text(entry.get("name")) or "")
    return m["effort"].lower() if m else None


def _flag(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def parse(payload: Any) -> ParsedLeaderboard:
    parsed = ParsedLeaderboard(SOURCE)
    board, entries = _selected(payload)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            parsed.rejected.append(RejectedRow(f"{board}#{index}", "an entry is not an object"))
            continue
        folder = _text(entry.get("folder"))
        shown = _text(entry.get("name"))
        key = folder or shown or f"{board}#{index}"
        agent = _text(entry.get("agent"))
        if agent is not None and _board_key(agent) not in (_board_key(HARNESS), "undisclosed"):
            parsed.rejected.append(RejectedRow(key, f"run by {agent!r}, not the board's {HARNESS}"))
            continue
        score = score_value(entry.get("resolved"))
        if score is None:
            parsed.rejected.append(RejectedRow(key, "no resolved percentage"))
            continue
        model, unidentified = _identify(entry)
        settings: dict[str, str] = {}
        if effort := _effort(entry):
            settings["reasoning"] = effort
        version = _text(entry.get("mini-swe-agent_version"))
        if version is not None:
            settings["mini_swe_agent"] = version
        orgs = _tags(entry, "Org")
        parsed.add(
            ScoreRow(
                source_key=key,
                leaderboard_name=model or shown or key,
                benchmark=VERIFIED_BASH_ONLY,
                score=score,
                source_organization=ORGANIZATION,
                is_verified=entry.get("checked") is True,
                test_date=published_date(entry.get("date")),
                settings=settings,
                unidentified=unidentified,
                metadata={
                    "board": board,
                    "entry": shown,
                    "folder": folder,
                    "date": _text(entry.get("date")),
                    "checked": _flag(entry.get("checked")),
                    "os_model": _flag(entry.get("os_model")),
                    "os_system": _flag(entry.get("os_system")),
                    "org": _text(entry.get("model_org")) or (orgs[0] if orgs else None),
                    "mini_swe_agent_version": version,
                    "attempts": next(iter(_tags(entry, "System")), None),
                    "cost_usd": _cost(entry.get("cost")),
                    "instance_cost_usd": _cost(entry.get("instance_cost")),
                    "instance_calls": _cost(entry.get("instance_calls")),
                    "warning": _text(entry.get("warning")),
                },
            )
        )
    return parsed


def _cost(value: object) -> str | None:
    """A cost or call count; 0 is the site's "not reported" (a free open model run
    reports 0 calls too), stored as null like Aider's `total_cost: 0.0`."""
    number = score_value(value)
    return plain_number(number) if number is not None and number != Decimal(0) else None
