"""Labels and identity rules of issue 11: model types, authors, provider names, subscription
offers, batch and off-peak prices kept out of the base columns, generations kept apart and
affixed duplicates merged; on crafted rows and on the offline snapshots."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache

import pytest

from llm_intelligence import identity
from llm_intelligence.collectors import genai_prices, litellm, models_dev
from llm_intelligence.collectors.labels import (
    TEXT_TYPES,
    is_subscription,
    model_type_from_modalities,
    model_type_from_name,
)
from llm_intelligence.collectors.resolve import ResolvedSource, resolve
from llm_intelligence.collectors.rows import ModelInfo, ParsedSource, PriceRow


def _row(
    model_id: str,
    provider: str,
    price: str | None = "1",
    *,
    model_type: str | None = None,
    free: bool = False,
) -> PriceRow:
    value = Decimal(price) if price is not None else None
    return PriceRow(
        source_key=f"{provider}/{model_id}",
        model=ModelInfo(source_model_id=model_id, model_type=model_type),
        provider_name=provider,
        provider_id=model_id,
        input_price_per_million=value,
        output_price_per_million=value,
        is_free_tier=free,
    )


def _resolve(*rows: PriceRow, source: str = "test") -> ResolvedSource:
    return resolve(ParsedSource(source=source, prices=list(rows)), source=source)


# --- model types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "model_type"),
    [
        ("bge-reranker-base", "rerank"),
        ("llama-nemotron-rerank-vl-1b-v2", "rerank"),
        ("bge-large-en-v1.5", "embedding"),
        ("nv-embedcode-7b-v1", "embedding"),
        ("llama-guard-4-12b", "moderation"),
        ("gpt-oss-safeguard-20b", "moderation"),
        ("granite-guardian-3.3-8b", "moderation"),
        ("lyria-3-pro-preview", "music_generation"),
        ("gemini-2.5-pro-preview-tts", "audio_speech"),
        ("voxtral-mini-transcribe-3", "audio_transcription"),
        ("flux-1-dev", "image_generation"),
        ("cosmos-predict1-5b", "video_generation"),
        ("gpt-4o", None),
        ("inkling", None),
        ("claude-sonnet-4.5", None),
    ],
)
def test_model_type_from_name(name: str, model_type: str | None) -> None:
    assert model_type_from_name(name) == model_type


def test_model_type_from_modalities() -> None:
    assert model_type_from_modalities(["text"], ["image"]) == "image_generation"
    assert model_type_from_modalities(["text"], ["video"]) == "video_generation"
    assert model_type_from_modalities(["text"], ["audio"], name="lyria-3") == "music_generation"
    assert model_type_from_modalities(["text"], ["audio"], name="tts-1") == "audio_speech"
    assert model_type_from_modalities(["text"], ["image", "text"]) is None
    assert model_type_from_modalities([], []) is None


def test_a_source_typing_a_model_chat_does_not_hide_what_its_name_says() -> None:
    resolved = _resolve(
        _row("meta-llama/Llama-Guard-4-12B", "deepinfra", model_type="chat"),
        _row("BAAI/bge-reranker-base", "cloudflare"),
        _row("gpt-4o", "openai", model_type="chat"),
    )
    types = {m.name: m.model_type for m in resolved.models}
    assert types == {"llama-guard-4-12b": "moderation", "bge-reranker-base": "rerank",
                     "gpt-4o": "chat"}  # fmt: skip


def test_a_non_text_type_from_any_row_wins_over_chat() -> None:
    resolved = _resolve(
        _row("gemini/lyria-3-pro-preview", "gemini", model_type="chat"),
        _row("vertex_ai/lyria-3-pro-preview", "vertex_ai", model_type="music_generation"),
    )
    assert [m.model_type for m in resolved.models] == ["music_generation"]


# --- authors and providers ------------------------------------------------------------


def test_authors() -> None:
    assert identity.author_of("fireworks_ai/accounts/fireworks/models/yi-large") is None
    assert identity.author_of("fireworks_ai/accounts/fireworks/models/flux-1-dev") == (
        "black-forest-labs"
    )
    assert identity.author_of("1024-x-1024/50-steps/stability.stable-diffusion-xl-v1") == (
        "stability"
    )
    assert identity.author_of("mistral-ocr-2503") == "mistralai"
    assert identity.author_of("some-house-model", provider="mistral") == "mistralai"
    assert identity.author_of("some-house-model", provider="together_ai") is None
    assert identity.canonical_author("xai") == "x-ai"
    resolved = _resolve(_row("accounts/fireworks/models/kat-coder", "fireworks_ai"))
    assert resolved.models[0].author != "accounts"


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        ("dashscope", "dashscope"),
        ("qwen_ai_platform", "dashscope"),
        ("qwencloud", "dashscope"),
        ("alibaba", "dashscope"),
        ("stepfun", "stepfun"),
        ("stepfun-ai", "stepfun"),
        ("amazon_nova", "amazon_nova"),
        ("nova", "amazon_nova"),
        ("meta", "meta_llama"),
        ("meta_llama", "meta_llama"),
        ("llama", "meta_llama"),
    ],
)
def test_one_provider_one_name(raw: str, slug: str) -> None:
    assert identity.canonical_provider(raw) == slug


def test_claude_under_google_is_vertex() -> None:
    resolved = _resolve(
        _row("claude-3-5-sonnet", "google"), _row("gemini-2.5-pro", "google"), source="x"
    )
    assert {p.model_name: p.provider_name for p in resolved.prices} == {
        "claude-3.5-sonnet": "vertex_ai",
        "gemini-2.5-pro": "gemini",
    }


# --- offers: subscriptions, batch -------------------------------------------------------


def test_subscription_offers_are_no_free_tier() -> None:
    assert is_subscription("github_copilot") and is_subscription("GitHub Copilot")
    assert is_subscription("zai-coding-plan") and is_subscription("xiaomi-token-plan-cn")
    assert not is_subscription("openrouter") and not is_subscription("github")
    resolved = _resolve(
        _row("gpt-4o", "github_copilot", "0", free=True),
        _row("meta-llama/llama-3.3-70b-instruct:free", "openrouter", "0", free=True),
    )
    offers = {p.provider_name: p.row for p in resolved.prices}
    assert not offers["github_copilot"].is_free_tier
    assert offers["github_copilot"].provider_metadata["access"] == "subscription"
    assert offers["openrouter"].is_free_tier
    assert "access" not in offers["openrouter"].provider_metadata


def test_batch_ids_fill_the_batch_columns() -> None:
    resolved = _resolve(_row("openai/gpt-4o:batch", "openrouter", "1.25"))
    row = resolved.prices[0].row
    assert resolved.prices[0].model_name == "gpt-4o"
    assert row.input_price_per_million is None and row.output_price_per_million is None
    assert row.batch_input_price_per_million == Decimal("1.25")


# --- price columns in each collector ------------------------------------------------------


def test_litellm_long_context_and_batch_prices_stay_out_of_the_base_columns() -> None:
    parsed = litellm.parse_litellm(
        {
            "m": {
                "litellm_provider": "openai",
                "mode": "chat",
                "input_cost_per_token": Decimal("1e-6"),
                "output_cost_per_token": Decimal("2e-6"),
                "input_cost_per_token_above_200k_tokens": Decimal("2e-6"),
                "output_cost_per_token_above_200k_tokens": Decimal("4e-6"),
                "input_cost_per_token_batches": Decimal("5e-7"),
                "output_cost_per_token_batches": Decimal("1e-6"),
            },
            "tts": {
                "litellm_provider": "gemini",
                "mode": "chat",
                "supported_output_modalities": ["audio"],
                "input_cost_per_token": Decimal("1e-6"),
            },
        }
    )
    row = parsed.prices[0]
    assert (row.input_price_per_million, row.output_price_per_million) == (Decimal(1), Decimal(2))
    assert (row.batch_input_price_per_million, row.batch_output_price_per_million) == (
        Decimal("0.5"),
        Decimal(1),
    )
    assert row.provider_metadata["tiers"] == [
        {"above_input_tokens": 200_000, "input": "2", "output": "4"}
    ]
    assert parsed.prices[1].model.model_type == "audio_speech"


def test_models_dev_long_context_tier_and_modalities() -> None:
    parsed = models_dev.parse_models_dev(
        {
            "p": {
                "models": {
                    "m": {
                        "id": "m",
                        "cost": {"input": 1, "output": 2,
                                 "context_over_200k": {"input": 2, "output": 4}},
                    },
                    "img": {
                        "id": "img",
                        "modalities": {"input": ["text"], "output": ["image"]},
                        "cost": {"input": 1, "output": 1},
                    },
                }
            }
        }
    )  # fmt: skip
    row = parsed.prices[0]
    assert (row.input_price_per_million, row.output_price_per_million) == (Decimal(1), Decimal(2))
    assert row.provider_metadata["tiers"] == [
        {"above_input_tokens": 200_000, "input": "2", "output": "4"}
    ]
    assert parsed.prices[1].model.model_type == "image_generation"


def test_genai_prices_off_peak_default_is_not_the_base_price() -> None:
    payload = [
        {
            "id": "deepseek",
            "models": [
                {
                    "id": "deepseek-chat",
                    "match": {"equals": "deepseek-chat"},
                    "prices": [
                        {
                            "prices": {
                                "input_mtok": Decimal("0.135"),
                                "output_mtok": Decimal("0.55"),
                            }
                        },
                        {
                            "constraint": {"start_time": "00:30:00", "end_time": "16:30:00"},
                            "prices": {
                                "input_mtok": Decimal("0.27"),
                                "output_mtok": Decimal("1.1"),
                            },
                        },
                    ],
                }
            ],
        }
    ]
    row = genai_prices.parse_genai_prices(payload).prices[0]
    assert (row.input_price_per_million, row.output_price_per_million) == (
        Decimal("0.27"),
        Decimal("1.1"),
    )
    assert row.provider_metadata["off_peak_prices"]["prices"] == {
        "input": "0.135",
        "output": "0.55",
    }


# --- the offline snapshots ---------------------------------------------------------------


@cache
def _offline() -> tuple[ResolvedSource, ...]:
    return (
        resolve(
            litellm.parse_litellm(litellm.fetch_litellm(location=None, offline=True)),
            source="litellm",
        ),
        resolve(
            models_dev.parse_models_dev(models_dev.load_models_dev_snapshot()),
            source="models-dev",
        ),
        resolve(
            genai_prices.parse_genai_prices(genai_prices.load_genai_prices_snapshot()),
            source="genai-prices",
        ),
    )


_NON_TEXT_NAME = re.compile(r"rerank|moderation|(?:^|-)guard(?:-|$)|^lyria|embed")


def test_offline_snapshots_labels() -> None:
    text_typed_non_text: list[str] = []
    authors: set[str] = set()
    claude_at_gemini: list[str] = []
    for resolved in _offline():
        for model in resolved.models:
            if (model.model_type or "chat") in TEXT_TYPES and _NON_TEXT_NAME.search(model.name):
                text_typed_non_text.append(model.name)
            if model.author:
                authors.add(model.author)
        claude_at_gemini += [
            p.row.source_key
            for p in resolved.prices
            if p.model_name.startswith("claude") and p.provider_name == "gemini"
        ]
    assert not text_typed_non_text
    assert not authors & {"accounts", "50-steps", "*", "fal-ai"}
    assert not claude_at_gemini


_AFFIXES = re.compile(
    r"^(?:fw|coding|duo-chat|zai-org|nvidia|xiaomi)-|-(?:free|us|original|basic|fw)$"
)


def test_offline_snapshots_have_no_affixed_duplicates() -> None:
    names = {m.name for resolved in _offline() for m in resolved.models}
    duplicates = sorted(
        name
        for name in names
        if _AFFIXES.search(name)
        and _AFFIXES.sub("", name) in names
        and not _AFFIXES.sub("", name).endswith(("auto", "auto-model"))
    )
    assert not duplicates


def test_offline_snapshots_keep_differently_priced_snapshots_apart() -> None:
    """At a first-party provider, within one source, ids of one model that differ only by
    a dropped stamp or `-latest` carry one price (else they are other generations)."""
    first_party = {"openai", "anthropic", "mistral", "dashscope", "xai", "deepseek"}
    stamped = re.compile(r"-20\d\d-?\d\d-?\d\d$|-\d{4}$|-latest$|@latest$")
    spread: list[str] = []
    for resolved in _offline():
        prices: dict[tuple[str, str], set[Decimal | None]] = defaultdict(set)
        for p in resolved.prices:
            row = p.row
            if (
                p.provider_name in first_party
                and not row.deployment
                and identity.variant_of(row.provider_id) is None
                and row.input_price_per_million  # zero: LiteLLM's placeholder rows
                and (stamped.search(row.provider_id) or p.model_name == row.provider_id)
            ):
                prices[(p.model_name, p.provider_name)].add(row.input_price_per_million)
        spread += [f"{resolved.source}: {key}" for key, seen in prices.items() if len(seen) > 1]
    assert not spread
