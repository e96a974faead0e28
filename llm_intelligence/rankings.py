"""Read rankings through the SQL API (`rank_models`); the math lives in SQL only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row


def rank_models(
    conn: psycopg.Connection[Any],
    *,
    category: str | None = None,
    cost_weight: Decimal = Decimal("0.4"),
    performance_weight: Decimal = Decimal("0.6"),
    max_input_price: Decimal | None = None,
    min_context: int | None = None,
    capabilities: list[str] | None = None,
    max_results: int = 20,
) -> list[dict[str, Any]]:
    """Call `public.rank_models` with named arguments; rows as dicts in rank order."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "select * from public.rank_models("
            " category => %(category)s, cost_weight => %(cost_weight)s,"
            " performance_weight => %(performance_weight)s,"
            " max_input_price => %(max_input_price)s, min_context => %(min_context)s,"
            " capabilities => %(capabilities)s::text[], max_results => %(max_results)s)",
            {
                "category": category,
                "cost_weight": cost_weight,
                "performance_weight": performance_weight,
                "max_input_price": max_input_price,
                "min_context": min_context,
                "capabilities": capabilities,
                "max_results": max_results,
            },
        )
        return cur.fetchall()
