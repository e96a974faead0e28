"""Helpers for tests of a collector's parse result (no database)."""

from __future__ import annotations

from typing import Any

from llm_intelligence.collectors.rows import ParsedSource, PriceRow


def one_row(parsed: ParsedSource, key: str) -> PriceRow:
    """The single price row with this source key."""
    rows = [row for row in parsed.prices if row.source_key == key]
    assert len(rows) == 1, key
    return rows[0]


def leaves(value: Any) -> list[Any]:
    """Every leaf of nested dicts/lists."""
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in leaves(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]
