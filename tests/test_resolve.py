"""resolve(): rows that would break a catalog CHECK are rejected one by one, with the
reason, so one bad upstream row never fails a whole source's write."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from llm_intelligence.collectors.resolve import resolve
from llm_intelligence.collectors.rows import ModelInfo, ParsedSource, PriceRow


def _row(key: str, **fields: Any) -> PriceRow:
    model = fields.pop("model", ModelInfo(source_model_id="openai/gpt-4o"))
    return PriceRow(
        source_key=key,
        model=model,
        provider_name="openai",
        provider_id="gpt-4o",
        input_price_per_million=fields.pop("input_price_per_million", Decimal("2.5")),
        output_price_per_million=fields.pop("output_price_per_million", Decimal("10")),
        **fields,
    )


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"input_price_per_million": Decimal("-1")}, "input_price_per_million -1"),
        ({"cache_read_price_per_million": Decimal("1e6")}, "cache_read_price_per_million"),
        ({"uptime_pct": Decimal("100.5")}, "uptime_pct 100.5"),
        ({"latency_ms": Decimal("-3")}, "latency_ms -3"),
        ({"throughput_tps": Decimal("1e9")}, "throughput_tps"),
        ({"context_window": 0}, "context_window 0"),
        ({"max_output_tokens": -1}, "max_output_tokens -1"),
        ({"is_free_tier": True}, "free-tier row with a price"),
    ],
)
def test_a_row_the_catalog_would_refuse_is_rejected_alone(
    fields: dict[str, Any], reason: str
) -> None:
    parsed = ParsedSource(source="openrouter", prices=[_row("bad", **fields), _row("good")])

    resolved = resolve(parsed, source="openrouter")

    assert [p.row.source_key for p in resolved.prices] == ["good"]
    assert [r.source_key for r in resolved.rejected] == ["bad"]
    assert reason in resolved.rejected[0].reason
    assert "openai/gpt-4o" in resolved.rejected[0].reason  # names the model


def test_a_free_row_at_price_zero_is_kept() -> None:
    free = _row(
        "free",
        is_free_tier=True,
        input_price_per_million=Decimal(0),
        output_price_per_million=None,
    )
    assert len(resolve(ParsedSource(source="openrouter", prices=[free]), source="x").prices) == 1


def test_a_zero_model_limit_means_unknown_not_an_error() -> None:
    model = ModelInfo(source_model_id="openai/gpt-4o", context_window=0, max_output_tokens=0)
    resolved = resolve(ParsedSource(source="x", prices=[_row("k", model=model)]), source="x")
    assert (resolved.models[0].context_window, resolved.models[0].max_tokens) == (None, None)
