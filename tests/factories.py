"""Small helpers that insert catalog rows with plain SQL, for database tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg


def _insert(conn: psycopg.Connection[Any], table: str, fields: dict[str, Any]) -> int:
    """Insert one row into public.<table>; its id."""
    names = ", ".join(fields)
    marks = ", ".join(f"%({k})s" for k in fields)
    row = conn.execute(
        f"insert into public.{table} ({names}) values ({marks}) returning id",  # noqa: S608
        fields,
    ).fetchone()
    assert row is not None
    return int(row[0])


def add_model(conn: psycopg.Connection[Any], name: str, **columns: Any) -> int:
    return _insert(conn, "models", {"name": name, **columns})


def add_price(
    conn: psycopg.Connection[Any],
    model_id: int,
    provider_name: str,
    input_price: Decimal | str | None,
    output_price: Decimal | str | None = None,
    *,
    source: str = "litellm",
    **columns: Any,
) -> int:
    """One provider_pricing row: `provider_name` serves model `model_id`."""
    fields = {
        "model_id": model_id,
        "source": source,
        "source_key": columns.pop("source_key", f"{provider_name}/{model_id}"),
        "provider_name": provider_name,
        "provider_id": columns.pop("provider_id", f"{provider_name}-model-{model_id}"),
        "input_price_per_million": input_price,
        "output_price_per_million": input_price if output_price is None else output_price,
        **columns,
    }
    return _insert(conn, "provider_pricing", fields)


def refresh_count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute(
        "select refresh_count from llm_intel_private.rankings_refresh_state"
    ).fetchone()
    assert row is not None
    return int(row[0])
