"""What a leaderboard collector produces: one `ScoreRow` per published score.

A row carries the leaderboard's own name for the model (matched to the catalog at write
time, `benchmarks.names`), the settings the score was measured with (`settings`: they
become the row's `variant`), and the score as published with what normalizes it: the
`scale` (`fraction`, `percent`, `elo`), the score a random guesser gets (`chance_score`),
the best possible score (`ceiling_score`) and, for Elo ratings, the fixed reference rating
(`elo_reference`). `benchmark_scores.normalized_score` is generated from these by the
database: `(score - chance) / (ceiling - chance)` clipped to 0..1, or an Elo rating's
expected win rate against the reference. Nothing depends on the other models listed, so
adding a model never moves another model's normalized score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from llm_intelligence.collectors.limits import (
    MAX_ECHO,
    MAX_EXPONENT,
    clip,
    id_problem,
    metadata_problem,
)
from llm_intelligence.collectors.rows import RejectedRow

__all__ = [
    "ARENA_REFERENCE_RATING",
    "Benchmark",
    "Category",
    "ParsedLeaderboard",
    "Scale",
    "ScoreRow",
    "plain_number",
    "score_value",
]


class Category(StrEnum):
    """`benchmark_scores.benchmark_category`: the rows of `llm_intel_private.ranking_categories`
    (a test holds the two equal). Which benchmarks feed a category is stated once, by each
    source module's `Benchmark(...)`, never listed here."""

    CODING = "coding"
    REASONING = "reasoning"
    MATH = "math"
    GENERAL = "general"
    """Language and instruction following measured against ground truth."""
    CHAT = "chat"
    """Human preference in open conversation."""
    AGENTIC = "agentic"
    """Multi-step work in a repository or tool loop."""


class Scale(StrEnum):
    FRACTION = "fraction"
    PERCENT = "percent"
    ELO = "elo"


ARENA_REFERENCE_RATING = Decimal(1300)
"""The fixed rating an Arena score is compared with: `normalized_score` is the expected
win rate against a model rated 1300 on the same leaderboard (about GPT-4o of May 2024 on
LMArena's 2025 text board). Fixed, so adding a model moves nobody; stored per row
(`elo_reference`), so a later calibration can see what was used."""


@dataclass(frozen=True, slots=True)
class Benchmark:
    """One benchmark as stored: its name, category, metric and normalization."""

    name: str
    category: Category
    metric: str
    scale: Scale
    chance: Decimal = Decimal(0)
    """What a random guesser scores, on `scale` (0 for generated code and free answers)."""
    ceiling: Decimal | None = None
    """The best possible score; None: the scale's own (1 or 100)."""
    elo_reference: Decimal | None = None


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One published score of one leaderboard entry on one benchmark."""

    source_key: str
    """Unique within the payload: the leaderboard entry and the benchmark."""
    leaderboard_name: str
    """The model as the leaderboard names it (`GPT 4o (Aug 2024)`)."""
    benchmark: Benchmark
    score: Decimal
    source_organization: str
    is_verified: bool
    test_date: date | None = None
    match_ids: tuple[str, ...] = ()
    """Better ids to match first (a Hugging Face repo id), before `leaderboard_name`."""
    settings: dict[str, str] = field(default_factory=dict)
    """Settings the leaderboard states outside the name (Aider's edit format and
    reasoning effort); those in the name are read by `benchmarks.names`."""
    bare_names_are_base: bool = False
    """The leaderboard lists base checkpoints under bare names (`Mistral-7B`, `CodeLlama-34B`)."""
    unidentified: str | None = None
    """Why the entry names no single model (several models, none given), or None: such a
    row is counted unmatched with this reason, never looked up."""
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedLeaderboard:
    source: str
    rows: list[ScoreRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    """What the run should record about the payload itself (LiveBench: which release was
    read, and how it was found): `collector_runs.details` -> `notes`."""

    def add(self, row: ScoreRow) -> None:
        """Keep the row, or reject it with the reason (a name the catalog could not
        store, a score outside the benchmark's range)."""
        problem = _row_problem(row)
        if problem is None:
            self.rows.append(row)
        else:
            self.rejected.append(RejectedRow(row.source_key, problem))


_SCORE_BOUNDS = {
    Scale.FRACTION: (Decimal(0), Decimal(1)),
    Scale.PERCENT: (Decimal(0), Decimal(100)),
    Scale.ELO: (Decimal(0), Decimal(5000)),
}


def _row_problem(row: ScoreRow) -> str | None:
    shown = clip(row.leaderboard_name, MAX_ECHO)
    problem = id_problem("leaderboard name", row.leaderboard_name) or id_problem(
        "source key", row.source_key
    )
    # Settings become the stored variant and metadata a jsonb column: a value the catalog
    # cannot hold (a NUL, a 10 kB string) rejects this row, not the board's write.
    for name, value in row.settings.items():
        problem = problem or id_problem("setting name", name) or id_problem(name, value)
    problem = problem or metadata_problem("metadata", row.metadata)
    if problem is not None:
        return problem
    low, high = _SCORE_BOUNDS[row.benchmark.scale]
    if not low <= row.score <= high:
        return f"{shown}: {row.benchmark.name} score {row.score} is outside {low}..{high}"
    return None


def published_date(value: object) -> date | None:
    """A leaderboard's date (a date, as YAML gives it, or ISO text); None when missing or
    not a date."""
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def score_value(value: object) -> Decimal | None:
    """A published score as an exact Decimal; None when missing or not a finite number.

    YAML and CSV give floats or text: a float is taken through its shortest repr (the
    literal in the file), so `35.6` stays `35.6`."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return Decimal(repr(value))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str) and value.strip() and len(value) <= 40:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    # An absurd exponent (`1e999999`) is no published figure: unknown, and never expanded
    # into a million digits.
    if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
        return None
    return number


def plain_number(value: object) -> str | None:
    """A published number as positional text for a row's metadata (`score_value`'s rules);
    None when missing or not a finite number."""
    number = score_value(value)
    return None if number is None else format(number, "f")
