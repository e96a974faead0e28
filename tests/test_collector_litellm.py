"""LiteLLM collector: exact prices, deployments, capabilities, per-row rejection."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from llm_intelligence.collectors.fetch import fetch_json
from llm_intelligence.collectors.litellm import (
    DEFAULT_LITELLM_URL,
    fetch_litellm,
    litellm_snapshot_path,
    parse_litellm,
)
from llm_intelligence.collectors.prices import InvalidPrice, per_million
from llm_intelligence.collectors.rows import PRICE_FIELDS, PriceRow
from llm_intelligence.errors import ConfigError, PayloadError, SourceError

SAMPLE = Path(__file__).parent / "data" / "litellm_prices_sample.json"


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    payload: dict[str, Any] = fetch_json(str(SAMPLE), source="litellm")
    return payload


@pytest.fixture(scope="module")
def rows(sample: dict[str, Any]) -> dict[str, PriceRow]:
    parsed = parse_litellm(sample)
    return {row.source_key: row for row in parsed.prices}


def parse_text(text: str) -> Any:
    return parse_litellm(json.loads(text, parse_float=Decimal))


def assert_no_floats(value: Any) -> None:
    assert not isinstance(value, float), value
    if isinstance(value, dict):
        for item in value.values():
            assert_no_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            assert_no_floats(item)


# --- exact prices ----------------------------------------------------------------------


def test_per_token_prices_convert_exactly() -> None:
    parsed = parse_text(
        '{"m": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": 3e-06,'
        ' "output_cost_per_token": 1.5e-07, "cache_read_input_token_cost": 0.000015,'
        ' "cache_creation_input_token_cost": 1e-05}}'
    )
    (row,) = parsed.prices
    assert row.input_price_per_million == Decimal("3")
    assert str(row.input_price_per_million) == "3"  # not 3.000000 nor 2.9999999999999996
    assert row.output_price_per_million == Decimal("0.15")
    assert str(row.output_price_per_million) == "0.15"
    assert row.cache_read_price_per_million == Decimal("15")
    assert str(row.cache_write_price_per_million) == "10"


def test_per_million_helper() -> None:
    assert per_million("3e-06") == Decimal("3")
    assert per_million(1.5e-07) == Decimal("0.15")  # a float goes through its literal
    assert per_million(Decimal("0.000015")) == Decimal("15")
    assert per_million(0) == Decimal("0")
    assert per_million(None) is None
    for bad, reason in [
        ("-1", "sentinel"),
        (-0.5, "negative"),
        ("NaN", "finite"),
        (float("inf"), "finite"),
        ("abc", "not a number"),
        (True, "not a number"),
        ([], "not a number"),
    ]:
        with pytest.raises(InvalidPrice, match=reason):
            per_million(bad)


def test_floats_from_a_plain_json_load_still_convert_exactly() -> None:
    parsed = parse_litellm(
        json.loads('{"m": {"litellm_provider": "openai", "input_cost_per_token": 3e-06}}')
    )
    assert parsed.prices[0].input_price_per_million == Decimal("3")


def test_sample_prices(rows: dict[str, PriceRow]) -> None:
    gpt5 = rows["gpt-5"]
    assert (gpt5.input_price_per_million, gpt5.output_price_per_million) == (
        Decimal("1.25"),
        Decimal("10"),
    )
    assert gpt5.cache_read_price_per_million == Decimal("0.125")
    assert gpt5.batch_input_price_per_million == Decimal("0.625")
    assert gpt5.batch_output_price_per_million == Decimal("5")
    variants = {json.dumps(v["when"]): v["prices"] for v in gpt5.provider_metadata["variants"]}
    assert variants['{"service_tier": "priority"}'] == {
        "cache_read": "0.25",
        "input": "2.5",
        "output": "20",
    }
    assert variants['{"service_tier": "flex"}']["input"] == "0.625"
    assert variants['{"batch": true}']["output"] == "5"

    sonnet = rows["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]
    assert sonnet.input_price_per_million == Decimal("3.3")
    assert sonnet.output_price_per_million == Decimal("16.5")
    assert sonnet.cache_write_price_per_million == Decimal("4.125")
    assert sonnet.provider_metadata["prices"] == {"cache_write_1h": "6.6"}
    assert sonnet.provider_metadata["tiers"] == [
        {
            "above_input_tokens": 200_000,
            "cache_read": "0.66",
            "cache_write": "8.25",
            "cache_write_1h": "13.2",
            "input": "6.6",
            "output": "24.75",
        }
    ]

    embedding = rows["text-embedding-3-small"]
    assert embedding.input_price_per_million == Decimal("0.02")
    assert embedding.output_price_per_million == Decimal("0")


def test_context_tiers_from_tiered_pricing(rows: dict[str, PriceRow]) -> None:
    qwen = rows["dashscope/qwen-plus-2025-07-28"]
    # Dashscope's first range is the list price; later ranges are long-context tiers.
    assert qwen.input_price_per_million == Decimal("0.4")
    assert qwen.output_price_per_million == Decimal("1.2")
    assert qwen.provider_metadata["prices"] == {"output_reasoning": "4"}
    assert qwen.provider_metadata["tiers"] == [
        {"above_input_tokens": 256_000, "input": "1.2", "output": "3.6", "output_reasoning": "12"}
    ]


def test_off_peak_and_cache_hit(rows: dict[str, PriceRow]) -> None:
    deepseek = rows["deepseek-v4-pro"]
    assert deepseek.cache_read_price_per_million == Decimal("0.044")
    (off_peak,) = deepseek.provider_metadata["variants"]
    assert off_peak["prices"] == {"cache_read": "0.022", "input": "0.66", "output": "1.98"}
    assert off_peak["when"]["off_peak"]["windows"][1] == {
        "hours_utc": "00:00-00:00",
        "weekdays": [6, 7],
    }


def test_unit_prices_keep_upstream_units(rows: dict[str, PriceRow]) -> None:
    image = rows["high/1024-x-1536/gpt-image-1"]
    assert image.input_price_per_million is None and image.output_price_per_million is None
    assert image.provider_metadata["unit_prices"] == {
        "input_cost_per_image": "0.25",
        "input_cost_per_pixel": "0.000000158945719",
        "output_cost_per_pixel": "0",
    }
    whisper = rows["whisper-1"]
    assert whisper.model.model_type == "audio_transcription"
    assert "input_cost_per_second" in whisper.provider_metadata["unit_prices"]


def test_no_floats_anywhere_and_metadata_is_json(rows: dict[str, PriceRow]) -> None:
    for row in rows.values():
        for name in PRICE_FIELDS:
            value = getattr(row, name)
            assert value is None or type(value) is Decimal, (row.source_key, name)
        assert_no_floats(row.provider_metadata)
        json.dumps(row.provider_metadata)


# --- identity of a deployment --------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "provider", "model_id", "deployment"),
    [
        (
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock_converse",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "us",
        ),
        (
            "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock_converse",
            "eu.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "eu",
        ),
        (
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock_converse",
            "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "global",
        ),
        (
            "apac.amazon.nova-2-lite-v1:0",
            "bedrock_converse",
            "apac.amazon.nova-2-lite-v1:0",
            "apac",
        ),
        (
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "bedrock_converse",
            "anthropic.claude-sonnet-4-5-20250929-v1:0",
            "",
        ),
        (
            "bedrock/us-east-1/anthropic.claude-v2:1",
            "bedrock",
            "anthropic.claude-v2:1",
            "us-east-1",
        ),
        (
            "bedrock/eu-west-1/meta.llama3-8b-instruct-v1:0",
            "bedrock",
            "meta.llama3-8b-instruct-v1:0",
            "eu-west-1",
        ),
        (
            "bedrock/us-west-2/1-month-commitment/anthropic.claude-v1",
            "bedrock",
            "anthropic.claude-v1",
            "us-west-2/1-month-commitment",
        ),
        (
            "bedrock/*/1-month-commitment/cohere.command-text-v14",
            "bedrock",
            "cohere.command-text-v14",
            "1-month-commitment",
        ),
        ("azure/us/gpt-5-2025-08-07", "azure", "gpt-5-2025-08-07", "us"),
        ("azure/eu/gpt-5-mini-2025-08-07", "azure", "gpt-5-mini-2025-08-07", "eu"),
        ("azure/global/gpt-4o-2024-11-20", "azure", "gpt-4o-2024-11-20", "global"),
        ("azure/gpt-4o", "azure", "gpt-4o", ""),
        (
            "vertex_ai/claude-opus-4-5@20251101",
            "vertex_ai-anthropic_models",
            "claude-opus-4-5@20251101",
            "",
        ),
        ("gemini/gemini-2.5-pro", "gemini", "gemini-2.5-pro", ""),
        ("high/1024-x-1536/gpt-image-1", "openai", "gpt-image-1", "high/1024-x-1536"),
        (
            "1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0",
            "bedrock",
            "amazon.nova-canvas-v1:0",
            "1024-x-1024/50-steps",
        ),
        (
            "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "together_ai",
            "meta-llama/Llama-3.3-70B-Instruct-Turbo",
            "",
        ),
        (
            "openrouter/poolside/laguna-xs-2.1:free",
            "openrouter",
            "poolside/laguna-xs-2.1:free",
            "",
        ),
    ],
)
def test_provider_id_and_deployment(
    rows: dict[str, PriceRow], key: str, provider: str, model_id: str, deployment: str
) -> None:
    row = rows[key]
    assert (row.provider_name, row.provider_id, row.deployment) == (
        provider,
        model_id,
        deployment,
    )
    assert row.source_key == key
    assert row.model.source_model_id == key


def test_each_regional_profile_keeps_its_own_price(rows: dict[str, PriceRow]) -> None:
    by_deployment = {
        rows[f"{geo}.anthropic.claude-sonnet-4-5-20250929-v1:0"].deployment: rows[
            f"{geo}.anthropic.claude-sonnet-4-5-20250929-v1:0"
        ].input_price_per_million
        for geo in ("us", "eu", "global")
    }
    assert by_deployment == {"us": Decimal("3.3"), "eu": Decimal("3.3"), "global": Decimal("3")}
    assert rows["anthropic.claude-sonnet-4-5-20250929-v1:0"].input_price_per_million == Decimal("3")


def test_gateway_free_tier_and_authors(rows: dict[str, PriceRow]) -> None:
    free = rows["openrouter/poolside/laguna-xs-2.1:free"]
    assert free.gateway == "openrouter" and free.is_free_tier
    assert rows["gpt-5"].gateway == "" and not rows["gpt-5"].is_free_tier
    assert rows["gpt-5"].model.author == "openai"
    assert rows["us.anthropic.claude-sonnet-4-5-20250929-v1:0"].model.author == "anthropic"
    assert rows["bedrock/eu-west-1/meta.llama3-8b-instruct-v1:0"].model.author == "meta"
    assert rows["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo"].model.author == "meta-llama"
    assert rows["azure/gpt-4o"].model.author is None  # Azure also serves other vendors


# --- model facts ---------------------------------------------------------------------


def test_modes_are_kept(rows: dict[str, PriceRow]) -> None:
    modes = {row.model.model_type for row in rows.values()}
    assert {
        "chat",
        "embedding",
        "image_generation",
        "audio_transcription",
        "audio_speech",
        "moderation",
        "rerank",
        "responses",
    } <= modes
    assert rows["text-embedding-3-small"].model.model_type == "embedding"
    assert rows["text-embedding-3-small"].provider_metadata["output_vector_size"] == 1536
    assert rows["o3-pro"].model.model_type == "responses"


def test_capabilities_limits_and_dates(rows: dict[str, PriceRow]) -> None:
    sonnet = rows["claude-sonnet-4-5"]
    caps = sonnet.model.capabilities
    for name in (
        "function_calling",
        "vision",
        "reasoning",
        "prompt_caching",
        "response_schema",
        "pdf_input",
    ):
        assert caps[name] is True, name
    assert rows["deepseek-v4-pro"].model.capabilities["vision"] is False
    assert sonnet.model.context_window == sonnet.context_window == 1_000_000
    assert sonnet.model.max_output_tokens == 64_000
    assert rows["azure/gpt-35-turbo-16k"].model.deprecation_date == date(2025, 4, 30)
    assert rows["azure/eu/gpt-5-mini-2025-08-07"].model.deprecation_date == date(2027, 2, 9)
    assert rows["gpt-5"].model.deprecation_date is None


# --- rejection -----------------------------------------------------------------------


def test_sample_counts(sample: dict[str, Any]) -> None:
    parsed = parse_litellm(sample)
    assert parsed.source == "litellm"
    assert len(parsed.prices) + len(parsed.rejected) == len(sample) - 1
    assert [(r.source_key, r.reason) for r in parsed.rejected] == [
        ("fireworks-ai-up-to-4b", "LiteLLM size-bucket fallback price, not a model id")
    ]


BAD_ENTRIES = {
    "ok": {"litellm_provider": "openai", "mode": "chat", "input_cost_per_token": "3e-06"},
    "word-price": {"litellm_provider": "openai", "input_cost_per_token": "free"},
    "negative": {"litellm_provider": "openai", "output_cost_per_token": "-1.5e-06"},
    "nested-bad": {
        "litellm_provider": "openai",
        "search_context_cost_per_query": {"search_context_size_low": "cheap"},
    },
    "flag-as-text": {"litellm_provider": "openai", "supports_vision": "yes"},
    "tokens-as-text": {"litellm_provider": "openai", "max_input_tokens": "128k"},
    "no-provider": {"mode": "chat", "input_cost_per_token": "1e-06"},
    "not-an-object": ["litellm_provider", "openai"],
    "bad-date": {"litellm_provider": "openai", "deprecation_date": "soon"},
}


def test_a_bad_entry_rejects_only_itself() -> None:
    payload = dict(BAD_ENTRIES)
    # JSON text so that the numbers and the NaN literal arrive as a real load gives them.
    text = (
        json.dumps(payload)[:-1]
        + ', "nan-price": {"litellm_provider": "x", "input_cost_per_token": NaN}}'
    )
    parsed = parse_text(text)
    kept = {row.source_key for row in parsed.prices}
    assert kept == {"ok", "bad-date"}
    reasons = {r.source_key: r.reason for r in parsed.rejected}
    assert len(parsed.prices) + len(parsed.rejected) == len(payload) + 1
    assert (
        "input_cost_per_token" in reasons["word-price"] and "not a number" in reasons["word-price"]
    )
    assert "negative price" in reasons["negative"]
    assert "search_context_cost_per_query.search_context_size_low" in reasons["nested-bad"]
    assert "supports_vision" in reasons["flag-as-text"]
    assert "max_input_tokens" in reasons["tokens-as-text"]
    assert "litellm_provider" in reasons["no-provider"]
    assert "not an object" in reasons["not-an-object"]
    assert "finite" in reasons["nan-price"]
    bad_date = next(row for row in parsed.prices if row.source_key == "bad-date")
    assert bad_date.model.deprecation_date is None
    assert bad_date.provider_metadata["invalid_dates"] == {"deprecation_date": "soon"}


def test_payload_that_is_not_an_object_fails_the_run() -> None:
    with pytest.raises(PayloadError, match="litellm"):
        parse_litellm([{"litellm_provider": "openai"}])


# --- fetching ------------------------------------------------------------------------

needs_litellm = pytest.mark.skipif(
    importlib.util.find_spec("litellm") is None, reason="the litellm extra is not installed"
)


def test_online_fetch_uses_the_default_url() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=SAMPLE.read_bytes())

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        payload = fetch_litellm(location=None, offline=False, client=client)
    assert [str(r.url) for r in requests] == [DEFAULT_LITELLM_URL]
    assert "Authorization" not in requests[0].headers
    assert payload["gpt-5"]["input_cost_per_token"] == Decimal("0.00000125")


def test_mirror_file_and_offline_rules(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror.json"
    mirror.write_bytes(SAMPLE.read_bytes())
    assert "gpt-5" in fetch_litellm(location=str(mirror), offline=False)
    assert "gpt-5" in fetch_litellm(location=mirror.as_uri(), offline=True)
    with pytest.raises(ConfigError, match="offline"):
        fetch_litellm(location="https://mirror.example.test/prices.json", offline=True)


def test_offline_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_spec(name: str, package: str | None = None) -> None:
        return None

    monkeypatch.setattr(importlib.util, "find_spec", no_spec)
    with pytest.raises(SourceError, match=r"litellm.*llm-intelligence\[litellm\]"):
        fetch_litellm(location=None, offline=True)


@needs_litellm
def test_full_bundled_snapshot() -> None:
    path = litellm_snapshot_path()
    assert path.name == "model_prices_and_context_window_backup.json"
    payload = fetch_litellm(location=None, offline=True)
    parsed = parse_litellm(payload)
    assert len(parsed.prices) + len(parsed.rejected) == len(payload) - 1
    assert len(parsed.prices) > 0.95 * (len(payload) - 1)
    keys = [row.source_key for row in parsed.prices]
    assert len(set(keys)) == len(keys)
    modes = Counter(row.model.model_type for row in parsed.prices)
    assert modes["chat"] > 1000 and modes["embedding"] > 50 and modes["image_generation"] > 50
    for row in parsed.prices:
        assert row.provider_name and row.provider_id, row.source_key
        for name in PRICE_FIELDS:
            value = getattr(row, name)
            assert value is None or type(value) is Decimal, (row.source_key, name)
            assert value is None or value >= 0
        assert_no_floats(row.provider_metadata)
    json.dumps([row.provider_metadata for row in parsed.prices])
    deployments = {row.deployment for row in parsed.prices}
    assert {"us", "eu", "global", "apac", "us-east-1"} <= deployments
