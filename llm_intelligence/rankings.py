"""Read rankings through the SQL API (`rank_models`); the math lives in SQL only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


@dataclass(frozen=True, slots=True)
class RankingMethod:
    """The method's constants as SQL defines them (`public.ranking_method()`)."""

    categories: tuple[str, ...]
    cost_weight: Decimal
    performance_weight: Decimal
    prior_score: Decimal
    prior_weight: Decimal


def ranking_method(conn: psycopg.Connection[Any]) -> RankingMethod:
    """Categories (in order), default weights and the evidence prior, read from SQL: they
    are defined there once (`llm_intel_private.ranking_categories`, `ranking_constants()`)."""
    row = conn.execute(
        "select categories, cost_weight, performance_weight, prior_score, prior_weight"
        " from public.ranking_method()"
    ).fetchone()
    if row is None:  # the function always returns one row
        raise RuntimeError("public.ranking_method() returned no row")
    categories, cost_weight, performance_weight, prior_score, prior_weight = row
    return RankingMethod(
        categories=tuple(categories),
        cost_weight=cost_weight,
        performance_weight=performance_weight,
        prior_score=prior_score,
        prior_weight=prior_weight,
    )


def rank_models(
    conn: psycopg.Connection[Any],
    *,
    category: str | None = None,
    cost_weight: Decimal | None = None,
    performance_weight: Decimal | None = None,
    max_input_price: Decimal | None = None,
    min_context: int | None = None,
    capabilities: list[str] | None = None,
    max_results: int | None = None,
    include_tiers: list[str] | None = None,
    preset: str | None = None,
    max_price: Decimal | None = None,
    frontier_only: bool | None = None,
) -> list[dict[str, Any]]:
    """Call `public.rank_models` with the named arguments given; rows as dicts in rank order.

    An argument left None is not passed, so SQL's own default applies (the weights of
    `ranking_method()`, 20 results, trusted offers for minimums): the defaults live in SQL
    only."""
    arguments: dict[str, Any] = {
        "category": category,
        "cost_weight": cost_weight,
        "performance_weight": performance_weight,
        "max_input_price": max_input_price,
        "min_context": min_context,
        "capabilities": capabilities,
        "max_results": max_results,
        "include_tiers": include_tiers,
        "preset": preset,
        "max_price": max_price,
        "frontier_only": frontier_only,
    }
    given = {name: value for name, value in arguments.items() if value is not None}
    query = sql.SQL("select * from public.rank_models({})").format(
        sql.SQL(", ").join(
            sql.SQL("{} => {}{}").format(
                sql.Identifier(name),
                sql.Placeholder(name),
                sql.SQL("::text[]" if name in ("capabilities", "include_tiers") else ""),
            )
            for name in given
        )
    )
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, given)
        return cur.fetchall()


def get_model_pricing(model_name: str) -> dict[str, Any]:
    """The seed's pricing helper: the model's minimum prices (min_input_cost, ...; also as
    input_/output_price_per_million) and every offer under `providers`, as a dict, from
    the default router's snapshot (`llm_intelligence.default_router()`)."""
    from llm_intelligence.routing import default_router

    return default_router().get_model_pricing(model_name).as_dict()


def get_ranked_models(category: str | None = None, *, limit: int = 10) -> list[Any]:
    """The seed's ranking helper: models in `rank_models` order for the category, as
    `RankedModel` values: each is the model's name (a `str`, usable wherever a model name
    is expected) carrying the ranking row's columns as attributes (`.composite_score`,
    `.min_input_cost`, ...). From the default router's snapshot."""
    from llm_intelligence.routing import default_router

    return list(default_router().get_ranked_models(category, limit=limit))
