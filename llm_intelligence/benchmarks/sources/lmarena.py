"""LMArena's text leaderboard (JSON): crowd-sourced pairwise votes turned into ratings.

The file maps each arena category to {model: {rating, rating_q025, rating_q975}}. One row
per model and collected category (`lmarena-text-<category>`); the 95% bounds (and vote
counts, when the file has them) go into the metadata. Ratings are Elo-style, so
`normalized_score` is the expected win rate against a fixed reference rating
(`rows.ARENA_REFERENCE_RATING`), never a rank among the current models. Language- and
industry-specific boards are not collected: they are subsets of the ones below.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from llm_intelligence.benchmarks.rows import (
    ARENA_REFERENCE_RATING,
    Benchmark,
    Category,
    ParsedLeaderboard,
    Scale,
    ScoreRow,
    score_value,
)
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.errors import PayloadError

SOURCE = "lmarena"
DEFAULT_URL = (
    "https://raw.githubusercontent.com/lmarena/arena-catalog/main/data/leaderboard-text.json"
)
ORGANIZATION = "LMArena"
# The arena category -> (stored name suffix, ranking category). Votes on coding and math
# prompts are evidence for those categories; the rest is human preference (chat).
COLLECTED = {
    "full": ("overall", Category.CHAT),
    "coding": ("coding", Category.CODING),
    "math": ("math", Category.MATH),
    "creative_writing": ("creative-writing", Category.CHAT),
    "hard_6": ("hard-prompts", Category.CHAT),
    "if": ("instruction-following", Category.CHAT),
    "multiturn": ("multi-turn", Category.CHAT),
    "long_user": ("longer-query", Category.CHAT),
    "expert": ("expert", Category.CHAT),
}
BENCHMARKS = {
    arena: Benchmark(
        f"lmarena-text-{suffix}",
        category,
        "rating",
        Scale.ELO,
        elo_reference=ARENA_REFERENCE_RATING,
    )
    for arena, (suffix, category) in COLLECTED.items()
}


def parse(payload: Any) -> ParsedLeaderboard:
    parsed = ParsedLeaderboard(SOURCE)
    if not isinstance(payload, dict) or "full" not in payload:
        raise PayloadError(f"{SOURCE}: expected a mapping of arena categories with `full`")
    for arena, benchmark in BENCHMARKS.items():
        board = payload.get(arena)
        if not isinstance(board, dict):
            continue
        for model, entry in board.items():
            key = f"{arena}/{model}"
            if not isinstance(entry, dict):
                parsed.rejected.append(RejectedRow(key, "an entry is not a mapping"))
                continue
            rating = score_value(entry.get("rating"))
            if rating is None:
                parsed.rejected.append(RejectedRow(key, "no numeric rating"))
                continue
            low = score_value(entry.get("rating_q025"))
            high = score_value(entry.get("rating_q975"))
            votes = entry.get("num_battles", entry.get("votes"))
            parsed.add(
                ScoreRow(
                    source_key=key,
                    leaderboard_name=str(model),
                    benchmark=benchmark,
                    score=_round(rating),
                    source_organization=ORGANIZATION,
                    is_verified=True,
                    metadata={
                        "arena_category": arena,
                        "rating_q025": None if low is None else format(_round(low), "f"),
                        "rating_q975": None if high is None else format(_round(high), "f"),
                        "votes": votes if isinstance(votes, int) else None,
                    },
                )
            )
    return parsed


def _round(value: Decimal) -> Decimal:
    # Ratings come with 13 decimals of bootstrap noise; 0.01 Elo is far below their CI.
    try:
        return value.quantize(Decimal("0.01"))
    except InvalidOperation:
        # Too many digits to round (`1e50`): no rating, left as is for the row's range
        # check to reject (or the metadata to carry), never an error that fails the board.
        return value
