"""genai-prices collector: payload validation and mapping to price rows (no database)."""

from __future__ import annotations

import builtins
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llm_intelligence.collectors.genai_prices import (
    SOURCE,
    load_genai_prices_snapshot,
    parse_genai_prices,
)
from llm_intelligence.collectors.rows import ParsedSource, PriceRow
from llm_intelligence.errors import PayloadError, SourceError
from tests.parsed import leaves, one_row

SAMPLE = Path(__file__).parent / "data" / "genai_prices_sample.json"
TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def sample() -> list[Any]:
    with SAMPLE.open() as f:
        payload: list[Any] = json.load(f, parse_float=Decimal)
    return payload


@pytest.fixture(scope="module")
def parsed(sample: list[Any]) -> ParsedSource:
    return parse_genai_prices(sample, as_of=TODAY)


def test_flat_prices_batch_variant_and_other_units(parsed: ParsedSource) -> None:
    row = one_row(parsed, "anthropic/claude-fable-5-2")
    assert parsed.source == SOURCE
    assert (row.provider_name, row.provider_id, row.gateway) == (
        "anthropic",
        "claude-fable-5-2",
        "",
    )
    assert row.input_price_per_million == Decimal("8")
    assert row.output_price_per_million == Decimal("40")
    assert row.cache_read_price_per_million == Decimal("0.2")
    assert row.cache_write_price_per_million == Decimal("10")
    assert row.batch_input_price_per_million == Decimal("4")
    assert row.batch_output_price_per_million == Decimal("20")
    assert row.context_window == row.model.context_window == 1_000_000
    assert row.model.display_name == "Claude Fable 5.2"
    assert row.provider_metadata["prices"] == {"cache_write_1h": "16", "web_searches_kcount": "10"}
    assert row.provider_metadata["variants"][1] == {
        "when": {"speed": "fast"},
        "prices": {
            "input": "16",
            "cache_write": "20",
            "cache_read": "0.4",
            "output": "80",
            "cache_write_1h": "32",
        },
    }
    assert row.provider_metadata["match"]["or"][0] == {"equals": "claude-fable-5-2"}


def test_tiered_prices(parsed: ParsedSource) -> None:
    row = one_row(parsed, "openai/gpt-5.4")
    assert row.input_price_per_million == Decimal("2.5")
    assert row.output_price_per_million == Decimal("15")
    assert row.cache_read_price_per_million == Decimal("0.25")
    assert row.provider_metadata["tiers"] == [
        {"above_input_tokens": 272_000, "input": "5", "cache_read": "0.5", "output": "22.5"}
    ]
    batch = [v for v in row.provider_metadata["variants"] if v["when"] == {"processing": "batch"}]
    assert batch == [
        {
            "when": {"processing": "batch"},
            "prices": {"input": "1.25", "cache_read": "0.13", "output": "7.5"},
            "tiers": [
                {
                    "above_input_tokens": 272_000,
                    "input": "2.5",
                    "cache_read": "0.25",
                    "output": "11.25",
                }
            ],
        }
    ]
    assert row.batch_input_price_per_million == Decimal("1.25")


def test_conditional_prices_follow_the_day(sample: list[Any]) -> None:
    def flash(day: date) -> PriceRow:
        return one_row(parse_genai_prices(sample, as_of=day), "deepseek/deepseek-v4-flash")

    # The all-day entry of the day is DeepSeek's off-peak price: kept apart from the columns,
    # which hold the standard (peak-window) price.
    now = flash(TODAY)
    assert (now.input_price_per_million, now.output_price_per_million) == (
        Decimal("0.3"),
        Decimal("1.2"),
    )
    assert now.cache_read_price_per_million == Decimal("0.006")
    assert now.provider_metadata["off_peak_prices"] == {
        "off_peak": True,
        "prices": {"input": "0.15", "cache_read": "0.003", "output": "0.6"},
    }
    assert now.provider_metadata["price_start_date"] == "2026-09-10"
    assert "scheduled_prices" not in now.provider_metadata

    august = flash(date(2026, 8, 20))
    assert august.provider_metadata["off_peak_prices"]["prices"]["input"] == "0.22"
    assert august.provider_metadata["price_start_date"] == "2026-08-17"

    before = flash(date(2026, 1, 1))
    assert before.provider_metadata["off_peak_prices"]["prices"]["input"] == "0.14"
    assert "price_start_date" not in before.provider_metadata
    assert [s["start_date"] for s in before.provider_metadata["scheduled_prices"]] == [
        "2026-08-17",
        "2026-09-10",
    ]


def test_off_peak_prices_are_not_the_list_price(parsed: ParsedSource) -> None:
    # DeepSeek's default entry is the off-peak price; the daily windows are the standard
    # (peak) prices, which the columns hold, as LiteLLM's do.
    row = one_row(parsed, "deepseek/deepseek-v4-flash")
    assert row.input_price_per_million == Decimal("0.3")
    assert row.provider_metadata["off_peak_prices"]["prices"]["input"] == "0.15"
    assert row.provider_metadata["time_of_day_prices"] == [
        {
            "start_time": "01:00:00+00:00",
            "end_time": "04:00:00+00:00",
            "prices": {"input": "0.3", "cache_read": "0.006", "output": "1.2"},
        },
        {
            "start_time": "06:00:00+00:00",
            "end_time": "10:00:00+00:00",
            "prices": {"input": "0.3", "cache_read": "0.006", "output": "1.2"},
        },
    ]
    zulu = one_row(parsed, "acme/zulu-time")  # `Z` suffix as pydantic serialises it upstream
    assert zulu.input_price_per_million == Decimal("0.55")
    assert zulu.provider_metadata["off_peak_prices"]["prices"]["input"] == "0.27"
    assert zulu.provider_metadata["time_of_day_prices"][0]["start_time"] == "00:30:00+00:00"


def test_future_prices_are_scheduled_including_variants(sample: list[Any]) -> None:
    now = one_row(parse_genai_prices(sample, as_of=TODAY), "google/gemini-3.6-flash")
    assert now.input_price_per_million == Decimal("0.75")
    assert now.batch_input_price_per_million == Decimal("0.375")
    assert now.provider_metadata["scheduled_prices"] == [
        {
            "start_date": "2027-01-01",
            "prices": {
                "input": "1.5",
                "cache_read": "0.15",
                "output": "7.5",
                "web_searches_kcount": "14",
            },
        },
        {
            "start_date": "2027-01-01",
            "when": {"processing": "batch"},
            "prices": {"input": "0.75", "cache_read": "0.075", "output": "3.75"},
        },
    ]
    later = one_row(parse_genai_prices(sample, as_of=date(2027, 1, 1)), "google/gemini-3.6-flash")
    assert later.input_price_per_million == Decimal("1.5")
    assert later.batch_input_price_per_million == Decimal("0.75")
    assert "scheduled_prices" not in later.provider_metadata


def test_newest_started_variant_wins(parsed: ParsedSource) -> None:
    # Three dated batch variants, newest first: the first one that has started applies.
    row = one_row(parsed, "mistral/mistral-large-4")
    assert row.batch_input_price_per_million == Decimal("0.35")
    assert row.provider_metadata["price_start_date"] == "2026-10-29"
    assert len(row.provider_metadata["variants"]) == 1


def test_non_token_prices(parsed: ParsedSource) -> None:
    row = one_row(parsed, "groq/whisper-large-v3")
    assert row.input_price_per_million is None
    assert row.output_price_per_million is None
    assert not row.is_free_tier
    assert row.provider_metadata["prices"] == {"audio_hours": "0.111", "input_audio_hours": "0.111"}


def test_empty_price_set_is_free(parsed: ParsedSource) -> None:
    row = one_row(parsed, "openrouter/deepseek/deepseek-r1:free")
    assert row.is_free_tier
    assert row.input_price_per_million == row.output_price_per_million == Decimal(0)
    assert row.gateway == "openrouter"
    hf = one_row(parsed, "huggingface_together/ServiceNow-AI/Apriel-1.6-15b-Thinker")
    assert hf.gateway == "huggingface"
    assert hf.provider_name == "huggingface_together"


def test_deprecated_flag(parsed: ParsedSource) -> None:
    row = one_row(parsed, "avian/Meta-Llama-3.1-405B-Instruct")
    assert row.provider_metadata["deprecated"] is True
    assert row.input_price_per_million == Decimal("1.5")


def test_malformed_entries_are_rejected_one_by_one(parsed: ParsedSource) -> None:
    reasons = {row.source_key: row.reason for row in parsed.rejected}
    assert set(reasons) == {
        "acme/negative-price",
        "acme/nan-price",
        "acme/text-price",
        "acme/bad-tier",
        "acme/unknown-constraint",
        "acme/string-context",
        "acme/no-prices",
        "acme/#7",
        "acme/zulu-time",
        "#10",
    }
    for key, reason in reasons.items():
        assert key in reason
    assert "prices.input_mtok: negative price" in reasons["acme/negative-price"]
    assert "prices.output_mtok: not a finite number" in reasons["acme/nan-price"]
    assert "not a number: 'abc'" in reasons["acme/text-price"]
    assert "prices.input_mtok.tiers.0.start" in reasons["acme/bad-tier"]
    assert "prices.1.constraint" in reasons["acme/unknown-constraint"]
    assert "context_window" in reasons["acme/string-context"]
    assert "id: Field required" in reasons["acme/#7"]
    assert "duplicate model id" in reasons["acme/zulu-time"]
    assert len(parsed.prices) == 10


@pytest.mark.parametrize("payload", [{}, "providers", None, 42])
def test_payload_that_is_not_a_list_of_providers(payload: Any) -> None:
    with pytest.raises(PayloadError, match="genai-prices"):
        parse_genai_prices(payload, as_of=TODAY)


def test_full_installed_snapshot() -> None:
    payload = load_genai_prices_snapshot()
    models = [(p["id"], m) for p in payload for m in p["models"]]
    result = parse_genai_prices(payload, as_of=TODAY)

    assert len(result.prices) + len(result.rejected) == len(models)
    assert len({row.source_key for row in result.prices}) == len(result.prices)
    assert {row.provider_name for row in result.prices} == {p["id"] for p in payload}
    free = [row for row in result.prices if row.is_free_tier]
    assert len(free) == sum(1 for _, m in models if m["prices"] == {})
    for row in result.prices:
        prices = [
            row.input_price_per_million,
            row.output_price_per_million,
            row.cache_read_price_per_million,
            row.cache_write_price_per_million,
            row.batch_input_price_per_million,
            row.batch_output_price_per_million,
        ]
        assert all(
            p is None or (isinstance(p, Decimal) and p.is_finite() and p >= 0) for p in prices
        )
        assert not any(isinstance(leaf, float) for leaf in leaves(row.provider_metadata)), (
            row.source_key
        )
    json.dumps([row.provider_metadata for row in result.prices])  # metadata is plain JSON


def test_snapshot_has_the_published_json_shape() -> None:
    payload = load_genai_prices_snapshot()
    assert isinstance(payload, list)
    anthropic = next(p for p in payload if p["id"] == "anthropic")
    assert {"id", "name", "api_pattern", "models"} <= anthropic.keys()
    fable = next(m for m in anthropic["models"] if m["id"] == "claude-fable-5-2")
    assert fable["match"] == {
        "or": [{"equals": "claude-fable-5-2"}, {"regex": "^claude-fable-5-2-\\d{8}$"}]
    }
    assert fable["prices"]["input_mtok"] == Decimal("8")
    assert fable["price_variants"][0]["when"] == {"processing": "batch"}
    flash = next(
        m
        for p in payload
        if p["id"] == "deepseek"
        for m in p["models"]
        if m["id"] == "deepseek-v4-flash"
    )
    assert flash["prices"][1]["constraint"] == {"start_date": "2026-08-17"}
    assert flash["prices"][3]["constraint"] == {
        "start_time": "01:00:00+00:00",
        "end_time": "04:00:00+00:00",
    }
    assert not any(isinstance(leaf, float) for leaf in leaves(payload))


def test_snapshot_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_genai_prices(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("genai_prices"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_genai_prices)
    with pytest.raises(SourceError, match="genai-prices"):
        load_genai_prices_snapshot()
