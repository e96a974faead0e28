"""Read rankings through the SQL API (`rank_models`); the math lives in SQL only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row


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
) -> list[dict[str, Any]]:
    """Call `public.rank_models` with the named arguments given; rows as dicts in rank order.

    An argument left None is not passed, so SQL's own default applies (weights 0.4/0.6,
    20 results): the defaults live in SQL only."""
    arguments: dict[str, Any] = {
        "category": category,
        "cost_weight": cost_weight,
        "performance_weight": performance_weight,
        "max_input_price": max_input_price,
        "min_context": min_context,
        "capabilities": capabilities,
        "max_results": max_results,
    }
    given = {name: value for name, value in arguments.items() if value is not None}
    query = sql.SQL("select * from public.rank_models({})").format(
        sql.SQL(", ").join(
            sql.SQL("{} => {}{}").format(
                sql.Identifier(name),
                sql.Placeholder(name),
                sql.SQL("::text[]" if name == "capabilities" else ""),
            )
            for name in given
        )
    )
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, given)
        return cur.fetchall()
