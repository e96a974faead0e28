"""One identity per real model: canonical model names, variants, authors and provider slugs.

Every source spells the same model differently. LiteLLM keys carry a routing prefix and
sometimes a region (``bedrock/us-east-1/anthropic.claude-...``, ``azure/eu/gpt-4o-...``),
OpenRouter uses ``author/model`` with dotted versions and ``:variant`` suffixes, Bedrock
wraps ids in ``<region>.<vendor>.<model>-<date>-v1:0``, Vertex appends ``@<date>``,
Fireworks writes ``3p1`` for ``3.1`` and NVIDIA ``3_1``. `canonical_model_name` maps all of
them to one name; the source id itself is kept as an alias by the caller.

The canonical form
==================
Matching and spelling are two steps. `model_key` is the identity: two ids are one model
exactly when their keys are equal. `canonical_model_name` writes the key the way people
type it, so every name is one key's spelling and back (``canonical_model_name`` of a
canonical name is that name).

The key:

* lower case, no routing prefix, region, deployment, author path or serving suffix;
* version separators are dashes: ``claude-sonnet-4.5``, ``claude-sonnet-4-5``,
  ``claude-sonnet-4_5`` and ``claude-sonnet-4p5`` all have the key ``claude-sonnet-4-5``;
  a fractional size keeps its point as ``p`` (``qwen3-1.7b`` -> ``qwen-3-1p7b``), so it
  never reads as a version;
* fused family/version spellings are split: ``llama3.1`` -> ``llama-3-1``,
  ``qwen2p5`` -> ``qwen-2-5``, ``gemma3`` -> ``gemma-3``;
* Anthropic's two word orders agree: version-first up to Claude 3.x (``claude-3-5-sonnet``,
  as Anthropic names them) and tier-first from Claude 4 on (``claude-sonnet-4-5``), so
  ``claude-4.5-sonnet`` and ``claude-sonnet-4.5`` are one model.

The name (the ecosystem's shared spelling: OpenRouter's slug without the author where
OpenRouter lists the model, otherwise the author's undated API id):

* a version between name tokens takes its dot back: ``gpt-4.1``, ``claude-3.5-sonnet``,
  ``claude-sonnet-4.5``, ``gemini-2.5-pro``, ``deepseek-v3.1``, ``mistral-7b-v0.3``; sizes
  (``llama-3-8b``), zero-padded stamps (``preview-05-20``) and four-digit releases
  (``mistral-large-2407``) are not versions;
* the chat checkpoint of a base + chat family carries its author's word:
  ``llama-3.3-70b-instruct``, ``qwen2.5-72b-instruct``, ``gemma-2-9b-it``,
  ``llama-2-70b-chat`` (the key has none, so ``llama-3.3-70b`` is the same model);
* Qwen's version stays fused, as Qwen writes it: ``qwen2.5-72b-instruct``, ``qwen3-235b``;
* a bare generic word is never a name: ``aiml/flux/dev`` is ``flux-dev``,
  ``openrouter/free`` is ``openrouter-free``.

Snapshots and releases (the decisions a reviewer should know)
=============================================================
* Full date stamps are dropped: ``-20250929``, ``-2024-08-06``, ``@20250929``. A dated
  snapshot resolves to its family release (``gpt-4o-2024-05-13`` and ``gpt-4o-2024-08-06``
  are both ``gpt-4o``). This is deliberate: the canonical model is what rankings and
  benchmarks talk about, while prices stay per provider row (each snapshot keeps its own
  ``provider_id`` and price), so a snapshot's different price is not lost.
  One exception, because the vendor re-released a materially different model under the
  same name: ``claude-3-5-sonnet-20240620`` (June 2024) stays apart from
  ``claude-3-5-sonnet`` (the October 2024 "v2", which every undated alias points to).
* Four-digit stamps (``-0613``, ``-0125``, ``-0709``) are dropped only for OpenAI's
  GPT-3.5/GPT-4 snapshots and xAI's Grok snapshots, where they are snapshot dates of one
  release. Elsewhere they name distinct releases and are kept: ``deepseek-r1-0528`` is not
  ``deepseek-r1``, ``mistral-large-2411`` is not ``mistral-large-2407``,
  ``qwen3-235b-a22b-2507`` is not ``qwen3-235b-a22b``. ``gpt-4-1106-preview`` and
  ``gpt-4-0125-preview`` resolve to ``gpt-4-turbo-preview`` (OpenAI's alias for them),
  which stays apart from the GA ``gpt-4-turbo``.
* Gemini preview stamps (``-preview-06-17``, ``-preview-09-2025``) and ``-exp-MMDD`` are
  kept: each names a distinct checkpoint, and no preview is merged with its GA model.
  ``-preview`` is never dropped anywhere (``o1-preview`` is not ``o1``). Gemini's
  ``-001``/``-002`` GA revision numbers are dropped (``gemini-2.0-flash-001``).
* ``-latest`` after a versioned name is dropped (``claude-3-5-sonnet-latest`` ->
  ``claude-3.5-sonnet``); ``chatgpt-4o-latest`` therefore becomes ``chatgpt-4o``, which
  stays apart from ``gpt-4o``. After an unversioned family it is kept: it follows the
  family (``gemini-pro-latest``, whose bare ``gemini-pro`` is the old Gemini 1.0 Pro;
  OpenRouter's ``~openai/gpt-latest``; OpenAI's ``chat-latest``).
* ``-instruct`` (and Gemma's ``-it``, Llama-2's ``-chat``) is dropped for open-weight
  models: providers serve the instruction-tuned checkpoint under ids with and without
  the word (Cerebras ``llama3.1-70b``, Ollama ``llama3:70b``). It is kept for OpenAI
  (``gpt-3.5-turbo-instruct`` is its own model). Base checkpoints stay apart: ``-base`` is
  kept, and a bare name of a family published as base + instruct pairs (Llama 2/3.x,
  Qwen 1.5-2.5, Mistral 7B, Mixtral, Gemma 1/2, Code Llama) gets ``-base`` when it comes
  from a host that lists base checkpoints under bare names: Fireworks, Replicate, or an
  exact Hugging Face repo name (``mistralai/Mistral-7B-v0.1``).
* Mixture-of-experts active-parameter tokens are dropped (``qwen3-235b-a22b`` ->
  ``qwen-3-235b``), since hosts omit them and no family ships two models of one total size.
  Sizes are dropped only for families that ship a single size (Llama 4 Maverick/Scout,
  Mistral Small 3.x, DeepSeek V3/R1, Kimi K2): ``mistral-small-3.2``, as people type it;
  every other size stays in the name.
* Serving details are dropped: quantisation (``-fp8``, ``-nvfp4``, ``-awq``, ...),
  Together's ``-instruct-turbo``/``-lite`` endpoints, ``-tput``, ``-tee``, Vertex ``-maas``,
  Groq's context suffixes (``llama3-70b-8192``) and ``-versatile``/``-instant`` names.
* Different models are never merged on purpose: size and tier words (``mini``, ``nano``,
  ``lite``, ``flash``, ``pro``, ``turbo``, ``fast``, ``thinking``, ``reasoning``,
  ``codex``, ``chat``, ``vision``, ...) all stay in the name. When unsure, ids stay apart.
  The exceptions are settings presets of one model that aggregators list as models:
  Claude ``-thinking``/``-fast`` (Claude has no separately trained thinking model, unlike
  ``kimi-k2-thinking`` or Qwen's ``-thinking-2507``, which stay apart) and OpenAI
  reasoning effort (``o3-mini-high``, ``gpt-5.4-low``).
* OpenRouter-style ``:variant`` suffixes (``:free``, ``:nitro``, ``:floor``, ``:thinking``,
  ``:online``, ``:extended``, ``:beta``, ``:batch``, ``:exacto``) are not part of the
  model; `variant_of` reports them. Bedrock's ``-v1:0`` revision and Ollama's ``:70b``
  size tags are not variants (the size is kept in the name).
* OpenAI fine-tuning prices (``ft:gpt-4o-mini-2024-07-18``) resolve to ``ft-gpt-4o-mini``,
  apart from the base model.

Provider slugs follow LiteLLM's ``litellm_provider`` vocabulary (``bedrock``, ``vertex_ai``,
``gemini``, ``azure``, ``together_ai``, ``fireworks_ai``, ...), since LiteLLM proxies route by
those names; see `canonical_provider`. genai-prices' ``google`` provider prices both the
Gemini API and Vertex; like models.dev's ``google`` it maps to ``gemini``. genai-prices'
``huggingface_<backend>`` routes keep their own slugs. Authors follow OpenRouter's slugs
(``meta-llama``, ``mistralai``, ``x-ai``, ...); see `author_of`.

All rules below are ordered tables of precompiled regexes, one comment per upstream quirk.
A table none of whose patterns matches is skipped with a single search, and results are
cached, so a first resolution costs tens of microseconds and a repeat a dictionary lookup
(`bench/identity_eval.py` prints both).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

__all__ = [
    "author_of",
    "canonical_author",
    "canonical_model_name",
    "canonical_provider",
    "model_key",
    "variant_of",
]


class _Rules(NamedTuple):
    """An ordered table of (pattern, replacement) rewrites.

    `any_match` is the alternation of all patterns: when it finds nothing, no rule can
    change the name (each rule only sees what the previous ones left), so the table is
    skipped with one regex search instead of one per rule.
    """

    rules: tuple[tuple[re.Pattern[str], str], ...]
    any_match: re.Pattern[str]


def _rules(*pairs: tuple[str, str]) -> _Rules:
    return _Rules(
        rules=tuple((re.compile(pattern), replacement) for pattern, replacement in pairs),
        any_match=re.compile("|".join(f"(?:{pattern})" for pattern, _ in pairs)),
    )


# --------------------------------------------------------------------------------------
# Paths: routing prefixes, regions, deployments and authors in front of the model name
# --------------------------------------------------------------------------------------

# The first path segment of a LiteLLM key names the provider it routes to. Only the first
# segment is checked: further segments are authors (`openrouter/openai/gpt-4o`).
_PROVIDER_PREFIXES: Final = frozenset(
    {
        "ai21", "aiml", "aihubmix", "amazon-nova", "anthropic", "anyscale", "azure", "azure_ai",
        "azure_text", "baseten", "bedrock", "bedrock_converse", "bedrock_mantle", "cerebras",
        "chatgpt", "cloudflare", "codestral", "cohere", "cohere_chat", "crusoe", "dashscope",
        "databricks", "deepinfra", "deepseek", "fal_ai", "featherless_ai", "fireworks_ai",
        "friendliai", "gemini", "github", "github_copilot", "gmi", "gradient_ai", "groq",
        "heroku", "huggingface", "hyperbolic", "lambda_ai", "lemonade", "libertai", "llamagate",
        "meta_llama", "minimax", "mistral", "moonshot", "morph", "nano-gpt", "nebius",
        "novita", "nscale", "nvidia_nim", "oci", "ollama", "ollama_chat", "openai",
        "openrouter", "ovhcloud", "palm", "perplexity", "pinstripes", "publicai",
        "qwen_ai_platform", "qwencloud", "replicate", "sagemaker", "sail", "sambanova",
        "scaleway", "snowflake", "tensormesh", "text-completion-codestral",
        "text-completion-inception", "text-completion-openai", "together_ai", "v0",
        "vercel_ai_gateway", "vertex_ai", "vertex_ai_beta", "volcengine", "wandb",
        "watsonx", "xai", "xiaomi_mimo", "zai",
    }
)  # fmt: skip
# Segments after the provider that select a deployment, not a model.
_DEPLOYMENT_SEGMENTS: Final = frozenset(
    {
        # Bedrock: `invoke`/`converse` API selectors; Azure: deployment types
        "invoke", "converse", "us", "eu", "global", "global-standard", "datazone", "us-gov",
        # Cloudflare Workers AI: `@cf/`, `@hf/`, and the AI Gateway's `workers-ai/`
        "@cf", "@hf", "workers-ai",
        # LiteLLM image-generation keys: quality tiers in front of the size
        "low", "medium", "high", "xhigh", "max", "standard", "hd",
        # SiliconFlow's paid tier: `Pro/deepseek-ai/DeepSeek-R1`
        "pro",
        # LiteLLM's any-region Bedrock keys (`bedrock/*/1-month-commitment/...`) and NVIDIA
        # NIM's reranking endpoint (`nvidia_nim/ranking/nvidia/...`)
        "*", "ranking",
    }
)  # fmt: skip
_ROUTE_SEGMENT_RE: Final = re.compile(
    r"""
    [a-z]{2}(?:-gov)?-[a-z]+-\d        # AWS regions: us-east-1, us-gov-west-1, ap-northeast-1
    | \d+-month-commitment             # Bedrock provisioned throughput
    | (?:\d+|max)-x-(?:\d+|max)        # image sizes: 1024-x-1024
    | (?:\d+|max)-steps                 # image step counts: 50-steps
    """,
    re.VERBOSE,
)
# Fireworks `accounts/<account>/models/<id>` and Clarifai `<org>/<app>/models/<id>`: the
# id is whatever follows the last `models`/`routers` segment.
_MODELS_MARKERS: Final = frozenset({"models", "routers"})

# Bedrock and OCI wrap ids as `[<inference profile>.]<vendor>.<model>`; the profile is a
# geography (`us.`, `eu.`, `apac.`, `us-gov.`), `global.` or `regional.`.
_DOTTED_VENDOR_RE: Final = re.compile(
    r"^(?:[a-z]{2,8}(?:-gov)?\.)?"
    r"(ai21|amazon|anthropic|cohere|deepseek|google|meta|minimax|mistral|moonshot|moonshotai"
    r"|nvidia|openai|qwen|stability|twelvelabs|writer|xai|zai)\.(?=[a-z])"
)

# --------------------------------------------------------------------------------------
# Tags after `:` and `@`: variants, Bedrock revisions, Ollama sizes, Vertex snapshots
# --------------------------------------------------------------------------------------

# OpenRouter documents the variants `:free`, `:nitro`, `:floor`, `:thinking`, `:online`,
# `:extended`, `:beta`, `:exacto`; LiteLLM adds `:batch`, nano-gpt `:thinking:low`. Any tag
# that is not a Bedrock revision or an Ollama size is reported as a variant.
_BEDROCK_VERSION_RE: Final = re.compile(r"-v(\d+)$")  # the `-v2` of `-v2:0`
_BEDROCK_V1_RE: Final = re.compile(r"-v1$")
_DATE_END_RE: Final = re.compile(r"-20\d{6}$")
_NUMBER_END_RE: Final = re.compile(r"(?<=[a-z])-\d+$")
_OLLAMA_TAG_RE: Final = re.compile(r"^(\d+(?:\.\d+)?[bmt])(?:-.*)?$")  # `:70b`, `:671b-cloud`
_VERTEX_STAMP_RE: Final = re.compile(r"@(?:(\d{8}|\d{4})(?:-00\d)?|default|latest|00\d)$")

# --------------------------------------------------------------------------------------
# Whole-id aliases that no general rule can express (checked after paths are removed)
# --------------------------------------------------------------------------------------

# Bedrock's legacy Anthropic ids put the model version where other ids put a revision:
# `anthropic.claude-v2:1` is Claude 2.1. Looked up before revisions are removed.
_LEGACY_IDS: Final[dict[str, str]] = {
    "claude-v1": "claude-1",
    "claude-v2": "claude-2",
    "claude-v2:1": "claude-2.1",
    "claude-instant-v1": "claude-instant-1",
}
# Looked up on the dashed name (before and after the suffix rules).
_ALIASES: Final[dict[str, str]] = {
    # Anthropic's own spellings of the legacy models
    "claude-2-0": "claude-2",
    "claude-instant-1-2": "claude-instant-1",
    # GitHub Copilot drops the dot: `claude-opus-41` is Claude Opus 4.1.
    "claude-opus-41": "claude-opus-4-1",
    # Vertex names the October 2024 Claude 3.5 Sonnet `-v2`; it is the undated model.
    "claude-3-5-sonnet-v2": "claude-3-5-sonnet",
    # OpenRouter's name for the June 2024 Claude 3.5 Sonnet (see `_DISTINCT_SNAPSHOT_RE`).
    "claude-3-5-sonnet-june": "claude-3-5-sonnet-20240620",
    # Vertex calls Llama 3.1 405B `llama3-405b-instruct-maas`; Llama 3 had no 405B.
    "llama-3-405b": "llama-3-1-405b",
    # Llama 3.2 11B/90B exist only as vision models; Bedrock and Vercel omit the word.
    "llama-3-2-11b": "llama-3-2-11b-vision",
    "llama-3-2-90b": "llama-3-2-90b-vision",
    # Qwen3-Coder without a size is the flagship Qwen3-Coder-480B-A35B (OpenRouter's
    # `qwen/qwen3-coder`, Cerebras' `qwen-3-coder-480b`); the 30B-A3B always names its size.
    "qwen-3-coder": "qwen-3-coder-480b",
    # Moonshot's first Kimi K2 release is the undated `kimi-k2` (`Kimi-K2-Instruct`).
    "kimi-k2-0711": "kimi-k2",
    # Fireworks' `mistral-7b-instruct-v3` is Mistral 7B Instruct v0.3.
    "mistral-7b-v3": "mistral-7b-v0-3",
}
# `-latest` aliases whose bare name is an older, fixed model: `gemini-pro` is Gemini 1.0
# Pro, while `gemini-pro-latest` follows the newest Gemini Pro.
_KEEP_LATEST: Final = frozenset({"gemini-pro-latest"})
# Snapshots that name a different model than their undated alias: the June 2024 Claude 3.5
# Sonnet (the undated name, `-latest` and Bedrock's `-v2` all mean the October release).
_DISTINCT_SNAPSHOT_RE: Final = re.compile(r"(?:^|-)claude-3-5-sonnet-20240620(?:-|$)")
# A dated snapshot joins its undated alias only when the vendor prices them the same.
# Families the vendor re-priced: (first snapshot, first snapshot at the undated alias's
# price); older snapshots keep their stamp and are their own models. Four-digit stamps are
# read as the first date on or after the family's first snapshot.
# * GPT-4o: `gpt-4o-2024-05-13` costs $5/$15; `-2024-08-06`, `-2024-11-20` and `gpt-4o` $2.50/$10.
# * GPT-3.5 Turbo: `-0301`/`-0613` cost $1.50/$2, `-1106` $1/$2; `-0125` and the alias $0.50/$1.50.
_REPRICED_FAMILIES: Final[dict[str, tuple[str, str]]] = {
    "gpt-4o": ("20240513", "20240806"),
    "gpt-3-5-turbo": ("20230301", "20240125"),
}
_REPRICED_STAMP_RE: Final = re.compile(
    rf"^({'|'.join(_REPRICED_FAMILIES)})-(?:(20\d\d)-?(\d\d)-?(\d\d)|(\d{{4}}))$"
)
# Qwen's commercial API models (`qwen-plus`, `qwen-max`, `qwen3-max`, `qwen-turbo`,
# `qwen-flash`, ...) move their undated name to new checkpoints: each dated snapshot is
# another model (`qwen-plus-2025-07-28` is Qwen3-based, `qwen-plus-2025-01-25` Qwen2.5-based;
# `qwen3-max-2026-01-23` costs $3/$15 at LLM Gateway, `qwen3-max` $1.20/$6).
_CHECKPOINT_SNAPSHOT_RE: Final = re.compile(
    r"^qwen(?:-\d+(?:-\d+)?)?-(?:plus|max|turbo|flash|long|coder-plus|coder-turbo|coder-flash"
    r"|vl-plus|vl-max|omni-turbo|omni-flash|mt-plus|mt-turbo)(?:-[a-z]+)*-20\d\d-?\d\d-?\d\d"
    r"(?:-[a-z]+)*$"
)
# Mistral names releases by a YYMM stamp (`mistral-large-2512`) and by version (Mistral
# Large 3); its model version table says which stamp is which version. A stamp after a name
# with the same version adds nothing (`ministral-3-8b-instruct-2512`); after another
# version, or a stamp not listed here, the name is left alone.
_MISTRAL_RELEASE_RE: Final = re.compile(
    r"^(mistral-large|mistral-medium|mistral-small|ministral|devstral-small|devstral)"
    r"(?:-(\d+(?:-\d+)?))?(-\d+(?:p\d+)?b)?((?:-[a-z]+)*)-(\d{4})$"
)
_MISTRAL_RELEASES: Final[dict[tuple[str, str], str]] = {
    ("mistral-large", "2407"): "2",
    ("mistral-large", "2512"): "3",
    ("mistral-medium", "2505"): "3",
    ("mistral-medium", "2508"): "3-1",
    ("mistral-small", "2501"): "3",
    ("mistral-small", "2503"): "3-1",
    ("mistral-small", "2506"): "3-2",
    ("mistral-small", "2603"): "4",
    ("ministral", "2512"): "3",
    ("devstral", "2512"): "2",
    ("devstral-small", "2512"): "2",
}

# --------------------------------------------------------------------------------------
# Rewrites, applied in order to the lower-cased model name
# --------------------------------------------------------------------------------------

# 1. Names wrapped in a vendor or host word.
_PREFIX_RULES: Final = _rules(
    # Databricks serves everything as `databricks-<model>`.
    (r"^databricks-", ""),
    # Host and plan words in front of the model: Azure AI Foundry's Fireworks-served models
    # (`FW-GLM-5`), AIHubMix's coding-plan ids (`coding-glm-5.1`), GitLab Duo's chat ids
    # (`duo-chat-gpt-5.1`, `duo-chat-sonnet-4-5` for Claude Sonnet 4.5).
    (r"^fw-", ""),
    (r"^coding-", ""),
    (r"^duo-chat-(?=opus|sonnet|haiku)", "claude-"),
    (r"^duo-chat-", ""),
    # Meta's Llama API names endpoints by host: `cerebras-llama-4-...`, `groq-llama-4-...`.
    (r"^(?:cerebras|groq)-(?=llama)", ""),
    # Vendor-prefixed names: `meta-llama-3.1-...` (Azure, Together), `anthropic-claude-...`
    # (DigitalOcean), `openai-gpt-4o` (Snowflake), `cohere-command-a` (Azure),
    # `zai-glm-4.7` (Cerebras), `mistralai-...`, `google-gemma-...`, `alibaba-qwen3-32b`.
    (r"^meta-(?=llama)", ""),
    (r"^anthropic-(?=claude)", ""),
    (r"^openai-(?=gpt|o\d|chatgpt)", ""),
    (r"^cohere-(?=command|embed|rerank)", ""),
    (r"^(?:zai|z-ai|zai-org|thudm)-(?=glm)", ""),
    # `nvidia-nemotron-3-nano-30b-a3b` (Venice, NVIDIA's HF repos), `xiaomi-mimo-v2.5`.
    (r"^nvidia-(?=nemotron)", ""),
    (r"^xiaomi-(?=mimo)", ""),
    (r"^mistralai-(?=mi[sx]tral|codestral)", ""),
    (r"^google-(?=gemma|gemini)", ""),
    # Google AI Studio serves Gemma as `gemini-gemma-2-9b-it`.
    (r"^gemini-(?=gemma)", ""),
    (r"^alibaba-(?=qwen)", ""),
    # GitHub Models names AI21's Jamba `ai21-jamba-1.5-large`.
    (r"^ai21-(?=jamba)", ""),
    # Mistral's open-weight API names: `open-mistral-7b`, `open-mixtral-8x22b`.
    (r"^open-(?=mi[sx]tral|codestral)", ""),
    # Groq's `qwen-qwq-32b` is QwQ-32B.
    (r"^qwen-(?=qwq)", ""),
    # OpenRouter's DeepSeek V3 releases are `deepseek-chat-v3-0324`, `deepseek-chat-v3.1`.
    (r"^deepseek-chat-(?=v\d)", "deepseek-"),
    # Azure's `gpt-35-turbo` is gpt-3.5-turbo.
    (r"^gpt-35-", "gpt-3.5-"),
    # Gemini/Qwen ids with the dot dropped: `gemini-25-flash-image`, `qwen25-coder-32b`.
    (r"^gemini-([1-3])5-", r"gemini-\1.5-"),
    (r"^qwen([1-3])5(?=-)", r"qwen\1.5"),
)

# 2. Version notation: one spelling of "major.minor" before dots become dashes.
_VERSION_RULES: Final = _rules(
    # Fireworks writes the decimal point as `p`: `llama-v3p1`, `qwen2p5`, `deepseek-v3p2`.
    (r"(?<=\d)p(?=\d)", "."),
    # NVIDIA and OVHcloud write it as `_`: `llama-3_1-70b`, `Meta-Llama-3_3-70B`.
    (r"(?<=\d)_(?=\d)", "."),
    # Fireworks `llama-v3p1-...`, Bedrock `llama3-1-...`, Cerebras `llama3.1-8b`,
    # Ollama `llama3:8b`: the family word fused with (or `v`-prefixed to) its version.
    (r"(?:^|(?<=-))llama-?v?(?=\d)", "llama-"),
    (r"^code-llama-", "codellama-"),
    (r"^qwen-?v?(?=\d)", "qwen-"),
    (r"^(gemma|phi|glm|granite|mistral|ministral)(?=\d)", r"\1-"),
    (r"^(claude-(?:opus|sonnet|haiku)|mistral-(?:small|medium|large))(?=\d)", r"\1-"),
    # Azure/Databricks hosts drop the dot of GPT-5.x: `gpt-52-codex`, `gpt-54-mini`.
    (r"^gpt-([4-6])([0-9])(?=-|$)", r"gpt-\1.\2"),
    # Azure's `embed-v-4-0` is Cohere's `embed-v4.0`.
    (r"-v-(?=\d)", "-v"),
    # NVIDIA's `mistral-7b-instruct-v03` drops the dot of `v0.3`.
    (r"-v0(\d)(?=-|$)", r"-v0.\1"),
    # A fractional size keeps its point as `p`, so that `qwen3-1.7b` (Qwen3 1.7B) never
    # reads as a version `qwen3.1-7b` once dots become dashes.
    (r"(?<=[-_.])(\d+)\.(\d+)([bmt])(?=[-_:]|$)", r"\1p\2\3"),
)

# 3. The canonical separator: from here on, rules see dashes only.
_SEPARATOR_RE: Final = re.compile(r"[-._\s]+")

# 4. Family-specific names.
_FAMILY_RULES: Final = _rules(
    # Anthropic word order. Claude 4+ puts the tier first (`claude-sonnet-4-5`); some hosts
    # still write `claude-4-5-sonnet` / `claude-4-opus`. Claude 3.x is version-first.
    (r"^claude-([4-9](?:-\d)?)-(opus|sonnet|haiku)(?=-|$)", r"claude-\2-\1"),
    (r"^claude-(opus|sonnet|haiku)-(3(?:-\d)?)(?=-|$)", r"claude-\2-\1"),
    # `claude-opus-4-0` is Anthropic's alias for the first Claude 4 release.
    (r"^claude-(opus|sonnet|haiku)-([4-9])-0(?=-|$)", r"claude-\1-\2"),
    # OpenAI's GPT-4 Turbo previews: `gpt-4-1106-preview`, `gpt-4-0125-preview`.
    (r"^gpt-4-(?:1106|0125)-preview$", "gpt-4-turbo-preview"),
    (r"^gpt-4-1106-vision-preview$", "gpt-4-vision-preview"),
    # Gemini 1.5 was first listed tier-first: `gemini-flash-1.5`, `gemini-pro-1.5-8b`.
    (r"^gemini-(flash|pro)-(1-[05])(?=-|$)", r"gemini-\2-\1"),
    # OpenRouter's Amazon Nova ids carry Bedrock's `-v1`: `amazon/nova-pro-v1`; NVIDIA lists
    # the first Nemotron releases both with and without it.
    (r"^(nova-[a-z0-9-]+?)-v1$", r"\1"),
    (r"^([a-z0-9-]*nemotron[a-z0-9-]*?)-v1$", r"\1"),
    # Settings presets that aggregators list as models: thinking mode and fast mode of a
    # Claude model (`claude-3-7-sonnet-thinking`, `claude-opus-4-6-fast`), reasoning effort
    # of an OpenAI reasoning model (`o3-mini-high`, `gpt-5-4-low`). Same weights, so the same
    # model (Claude has no separately trained "thinking" model, unlike Kimi or Qwen).
    (r"^(claude-[a-z0-9-]+?)-(?:thinking|think|fast)$", r"\1"),
    (r"^(o\d(?:-mini)?|gpt-5(?:-\d)?(?:-codex)?)-(?:minimal|low|medium|high|xhigh)$", r"\1"),
    # Moonshot's API ids for the open-weight Kimi K2 releases: `kimi-k2-0905-preview` is
    # Kimi-K2-Instruct-0905, `kimi-k2-0711-preview` the first Kimi K2.
    (r"^kimi-k2-(\d{4})-preview$", r"kimi-k2-\1"),
    # MiniMax ids with the dot dropped: `minimax-m25`.
    (r"^minimax-m(\d)(\d)$", r"minimax-m\1-\2"),
)

# 5. Snapshot stamps (see the module docstring for what is kept). Not applied to the
#    names matched by `_DISTINCT_SNAPSHOT_RE`.
_DATE_RULES: Final = _rules(
    # Full dates: `-20250929`, `-2024-08-06` (followed by the end or another token).
    (r"-20\d\d-?(?:0[1-9]|1[0-2])-?(?:[0-2]\d|3[01])(?=-|$)", ""),
    # OpenAI GPT-3.5/GPT-4 and xAI Grok four-digit snapshot stamps: `gpt-4-0613`,
    # `gpt-3-5-turbo-16k-0613`, `grok-2-1212`, `grok-4-07-09`, `grok-4-20-0309-reasoning`.
    (r"^((?:gpt-3-5|gpt-4)(?:-[a-z0-9]+)*?)-(?:0[1-9]|1[0-2])[0-3]\d(?=-|$)", r"\1"),
    (r"^(grok-[a-z0-9-]*?)-(?:0[1-9]|1[0-2])-?[0-3]\d(?=-|$)", r"\1"),
    # Gemini GA revision numbers: `gemini-2-0-flash-001`, `gemini-1-5-pro-002`.
    (r"^(gemini-.+)-00\d$", r"\1"),
    # A trailing `.0` adds nothing: `embed-v4.0` is Bedrock's `embed-v4`, `jev-1.13.0` is
    # `jev-1.13`, `mistral-large-4-0` is `mistral-large-4`.
    (r"(-v?\d+)-0$", r"\1"),
)

# 6. Serving suffixes at the end of the name, in any number and order (`-fp8-tee`,
#    `-awq-latest`).
_SUFFIX_RE: Final = re.compile(
    r"""(?:-(?:
        latest                                   # moving alias to the newest snapshot
      | maas                                     # Vertex "model as a service" endpoints
      | tput | tee                               # Together throughput / Chutes TEE hosts
      | fp8 | fp16 | bf16 | fp4 | nvfp4 | mxfp4? # quantisation of the same weights
      | int4 | int8 | awq | gptq | gguf | mlx | \d+bit
      | hf                                       # Hugging Face-format weights: `-chat-hf`
      | fp8-fast                                 # Cloudflare's FP8 + speculative decoding
    ))+$""",
    re.VERBOSE,
)

# 7. Open-weight chat models (not applied to OpenAI's `gpt-`/`o<n>` names).
_OPEN_WEIGHT_RULES: Final = _rules(
    # Together's endpoints of the same weights: `-Instruct-Turbo` (FP8), `-Instruct-Lite`
    # (INT4), `-Instruct-Reference` (full precision).
    (r"-instruct-(?:turbo|lite|reference)(?=-|$)", "-instruct"),
    # Groq's names for Llama/Mixtral/Gemma endpoints: context suffixes and tier words.
    (r"^((?:llama|mixtral|gemma)-.*?)-(?:8192|32768|4096|versatile|instant|specdec)$", r"\1"),
    # Llama 4 ships in one size per name: `llama-4-maverick-17b-128e` is `llama-4-maverick`;
    # so do Mistral Small 3.x (24B), DeepSeek V3/R1 (671B) and Kimi K2 (1T), which Ollama
    # still tags with a size (`deepseek-v3.1:671b`, `kimi-k2:1t`).
    (r"^llama-4-(maverick|scout)-17b(?:-(?:128|16)e)?(?=-|$)", r"llama-4-\1"),
    (r"^(mistral-small-3(?:-[12])?)-24b(?=-|$)", r"\1"),
    # Mistral's single-size releases: Large 3 (675B), Small 4 (119B), Medium 3.5 (128B),
    # Devstral 2 (123B) and Devstral Small 2 (24B).
    (
        r"^(mistral-large-3|mistral-small-4|mistral-medium-3-5|devstral-2|devstral-small-2)"
        r"-\d+b(?=-|$)",
        r"\1",
    ),
    (r"^(deepseek-(?:v3|r1)(?:-\d)?(?:-terminus)?)-671b$", r"\1"),
    (r"^(kimi-k2(?:-\d)?(?:-thinking)?)-1t$", r"\1"),
    # Mixture-of-experts ids name total and active parameters (`qwen3-235b-a22b`); hosts
    # that drop the active count (`qwen3-next:80b`, Cerebras `qwen-3-coder-480b`) mean the
    # same model: no family ships two models with the same total size.
    (r"(?<=\db)-a\d+(?:p\d+)?b(?=-|$)", ""),
    # Mixtral 8x7B/8x22B have only a v0.1.
    (r"^(mixtral-8x(?:7|22)b)(-instruct)?-v0-1$", r"\1\2"),
    # `-instruct` marks the chat checkpoint; hosts that omit it serve the same weights.
    (r"-instruct(?=-|$)", ""),
    # Gemma's `-it` and Llama 2's `-chat` after a size token: `gemma-3-27b-it`,
    # `llama-2-7b-chat`.
    (r"(?<=\d[bm])-(?:it|chat)(?=-|$)", ""),
)
_OPENAI_NAME_RE: Final = re.compile(r"^(?:gpt|chatgpt|o\d)(?:-|$)")
_CHAT_MARKER_RE: Final = re.compile(r"-(?:instruct|chat|it)(?=-|$)")

# 8. Base checkpoints. Families published as base + instruct pairs (Llama 2/3.x, Qwen
#    1.5/2/2.5, Mistral 7B, Mixtral, Gemma 1/2, Code Llama) are served under a bare name
#    that means the chat model on most hosts (Cerebras `llama3.1-8b`, Ollama `llama3:70b`),
#    but the base checkpoint on hosts that list both side by side: Fireworks
#    (`llama-v3p2-1b` next to `llama-v3p2-1b-instruct`), Replicate (`meta/llama-2-70b` next
#    to `-chat`), and exact Hugging Face repo names (`mistralai/Mistral-7B-v0.1`,
#    `Qwen/Qwen2.5-Coder-7B`). Those get a `-base` suffix so they never merge with chat.
_PAIR_FAMILY_BARE_RE: Final = re.compile(
    r"^(?:llama-(?:2|3(?:-[0-3])?)|qwen-(?:1-5|2|2-5)(?:-coder|-math)?|gemma(?:-[12])?"
    r"|mistral|mixtral|codellama)-(?:\d+x)?\d+(?:p\d+)?b(?:-v\d+(?:-\d+)*)?$"
)
_BASE_HOST_RE: Final = re.compile(r"(?:^|/)accounts/fireworks/|^replicate/|/[^/]*[A-Z][^/]*$")
# OpenRouter lists chat checkpoints with their word (`meta-llama/llama-3.1-405b-instruct`)
# and base ones bare (`meta-llama/llama-3.1-405b`, "Llama 3.1 405B (base)", $2 against $0.80).
_BASE_HOSTS: Final = frozenset({"fireworks_ai", "replicate", "openrouter"})

# 9. Names that are no model on their own: a tier, a function or a family word left over
#    once the path is gone (`aiml/flux/dev`, `assemblyai/best`, `kilo-auto/small`,
#    `openrouter/free`, `agentcore/search`). They keep the word before them in the path,
#    or the serving provider when the id has no path: `flux-dev`, `openrouter-free`.
_GENERIC_WORDS: Final = frozenset(
    {
        "auto", "base", "best", "chat", "default", "dev", "fast", "free", "gpt", "large",
        "latest", "lite", "max", "medium", "mini", "nano", "plus", "preview", "pro",
        "router", "search", "small", "standard", "style", "erase", "turbo", "ultra",
    }
)  # fmt: skip
_BARE_VERSION_RE: Final = re.compile(r"^v?\d+(?:-\d+)*$")  # `aiml/flux-pro/v1.1`
# `-latest` after a versioned name is that version (`claude-3-5-sonnet-latest`); after an
# unversioned family it follows the family and is its own model: OpenRouter's routers
# (`~openai/gpt-latest`, `~anthropic/claude-opus-latest`), OpenAI's `chat-latest`, Mistral's
# `mistral-large-latest`. Without the word, only a family word (`gpt`, `chat`) is left.
_LATEST_END_RE: Final = re.compile(r"-latest$")
_DIGIT_RE: Final = re.compile(r"\d")
# Sizes are no version: `ministral-8b-latest` follows Ministral's 8B line across releases
# (Ministral 8B, then Ministral 3 8B at another price), so it is kept like `codestral-latest`.
# Vendors that document `<version>-latest` as an alias of that version: Anthropic
# (`claude-3-5-sonnet-latest` is `claude-3-5-sonnet-20241022`), Google
# (`gemini-1.5-pro-latest`), OpenAI (`gpt-5.1-chat-latest`, `chatgpt-4o-latest`). Elsewhere a
# versioned `-latest` moves to other releases at other prices (OpenRouter's router
# `~deepseek/deepseek-v4-flash-latest`) and is its own model.
_LATEST_ALIAS_FAMILY_RE: Final = re.compile(r"^(?:claude|gemini|gpt|chatgpt|o\d)-")
_SIZE_TOKEN_RE: Final = re.compile(r"(?:^|-)(?:\d+x)?\d+(?:p\d+)?[bmt](?=-|$)")
# Offer words after the model: free/plan endpoints (`glm-4.7-free`, OpenCode and ZenMux),
# Fireworks' US-hosted routers (`glm-5p3-us`) and slower `-basic` deployments
# (`llama4-maverick-instruct-basic`), nano-gpt's `-original` (served by the model's maker),
# Poe's `-fw` (served by Fireworks). The offer keeps its own price row; the model is one.
_OFFER_SUFFIX_RE: Final = re.compile(r"-(?:free|us|original|basic|fw)$")
# Routers are not models whose offers these words select: `openrouter/free`, `kilo-auto/free`
# and nano-gpt's `auto-model-basic` stay as named.
_ROUTER_RE: Final = re.compile(r"(?:^|-)auto(?:-|$)|^openrouter$")

# --------------------------------------------------------------------------------------
# Spelling: the dashed key written the way the ecosystem writes it
# --------------------------------------------------------------------------------------

# A version `<major>.<minor>` between name tokens: `gpt-4-1` -> `gpt-4.1`, `claude-3-5-sonnet`
# -> `claude-3.5-sonnet`, `deepseek-v3-1` -> `deepseek-v3.1`, `mistral-7b-v0-3` -> `v0.3`.
# The major is one or two digits, optionally fused to letters (`v3`, `k2`, `sd3`); the minor
# is `0` or one or two digits without a leading zero (a third part likewise:
# `dolphin-2.9.2`). Not versions: sizes (`3-8b`),
# stamps with leading zeros (`preview-05-20`, `command-r-08-2024`), four-digit releases
# (`mistral-large-2407`, `12-2024`), and numbers after a size or another version.
_VERSION_PAIR_RE: Final = re.compile(
    r"(?:^|(?<=-))(?<!\d{4}-)([a-z]*(?:0|[1-9]\d?))-(0|[1-9]\d?)(?:-(0|[1-9]\d?))?(?=-|$)"
)
_FRACTION_SIZE_RE: Final = re.compile(r"(?<=\d)p(?=\d+[bmt](?:-|$))")  # `1p7b` -> `1.7b`
# The chat checkpoint of families published as base + chat pairs (the keys drop the word,
# see `_PAIR_FAMILY_BARE_RE`), as their authors name it: Llama 3.x, Qwen 2/2.5, Mistral 7B,
# Mixtral and Code Llama `-instruct`; Llama 2 and Qwen 1.5 `-chat`; Gemma `-it`.
_CHAT_SUFFIX_RULES: Final = _rules(
    (r"^(llama-2-\d+b)$", r"\1-chat"),
    (r"^(qwen-1-5(?:-coder|-math)?-\d+(?:p\d+)?b)$", r"\1-chat"),
    (r"^(gemma(?:-[1-3])?-\d+b)$", r"\1-it"),
    (r"^((?:llama-3(?:-[0-3])?|qwen-2(?:-5)?(?:-coder|-math)?)-\d+(?:p\d+)?b)$",
     r"\1-instruct"),
    (r"^((?:mistral|codellama|mixtral-8x)\d*-?\d+b)(-v\d+(?:-\d+)*)?$", r"\1-instruct\2"),
)  # fmt: skip
# Qwen writes its version fused to the family word: `qwen2.5-72b-instruct`, `qwen3-235b`.
_FUSED_FAMILY_RE: Final = re.compile(r"^qwen-(?=\d)")

# --------------------------------------------------------------------------------------
# Authors: who made the model, from the canonical name (OpenRouter's author slugs)
# --------------------------------------------------------------------------------------

_AUTHOR_RULES: Final[tuple[tuple[re.Pattern[str], str], ...]] = tuple(
    (re.compile(pattern), author)
    for pattern, author in (
        (r"^claude", "anthropic"),
        (r"^(?:ft-)?(?:gpt|chatgpt|o\d(?:-|$)|codex|dall-e|whisper|tts-|text-embedding"
         r"|davinci|babbage|ada$|curie|omni-moderation|text-moderation|sora|computer-use)",
         "openai"),
        (r"^(?:gemini|gemma|palm|text-bison|chat-bison|codechat|imagen|veo|learnlm"
         r"|medgemma|paligemma)", "google"),
        (r"^(?:llama|codellama)", "meta-llama"),
        (r"^(?:mistral|mixtral|ministral|codestral|devstral|magistral|pixtral|voxtral)",
         "mistralai"),
        (r"^(?:qwen|qwq)", "qwen"),
        (r"^deepseek", "deepseek"),
        (r"^grok", "x-ai"),
        (r"^(?:command|c4ai|aya|embed-(?:english|multilingual|v))", "cohere"),
        (r"^(?:nova|titan)", "amazon"),
        (r"^phi-", "microsoft"),
        (r"^(?:glm|chatglm|codegeex)", "z-ai"),
        (r"^kimi", "moonshotai"),
        (r"^minimax", "minimax"),
        (r"^jamba", "ai21"),
        (r"^(?:sonar|r1-1776)", "perplexity"),
        (r"^(?:nemotron|nvidia-nemotron)", "nvidia"),
        (r"^granite", "ibm-granite"),
        (r"^ernie", "baidu"),
        (r"^hermes", "nousresearch"),
        (r"^mimo", "xiaomi"),
        (r"^(?:voyage|rerank-(?:lite|2))", "voyageai"),
        (r"^flux-", "black-forest-labs"),
        (r"^(?:stable-diffusion|sdxl|sd3|stable-image|stable-audio)", "stability"),
        (r"^(?:lyria|imagen|chirp)", "google"),
        (r"^inkling", "thinkingmachines"),
        (r"^(?:hunyuan|hy3)", "tencent"),
        (r"^(?:doubao|seedream|seedance|seed-)", "bytedance"),
        (r"^step-\d", "stepfun"),
        (r"^rerank-v", "cohere"),
    )
)  # fmt: skip
# Path segments that are hosting namespaces or endpoints, not authors (fal.ai's
# `fal-ai/flux-pro/v1.1`, AI/ML API's `aiml/...`, LiteLLM's `speech/`, `streaming/`).
_HOST_NAMESPACES: Final = frozenset(
    {"accounts", "fal-ai", "aiml", "speech", "streaming", "doc-intelligence", "hf", "tee"}
)
# First-party serving providers: what they serve without saying the author is their own
# (`canonical_provider` slug -> author slug).
_FIRST_PARTY_AUTHORS: Final[dict[str, str]] = {
    "openai": "openai", "chatgpt": "openai", "anthropic": "anthropic", "gemini": "google",
    "mistral": "mistralai", "deepseek": "deepseek", "xai": "x-ai", "cohere": "cohere",
    "moonshot": "moonshotai", "zai": "z-ai", "dashscope": "qwen", "minimax": "minimax",
    "ai21": "ai21", "perplexity": "perplexity", "voyage": "voyageai", "meta_llama": "meta-llama",
    "xiaomi_mimo": "xiaomi", "stepfun": "stepfun", "amazon_nova": "amazon",
    "inception": "inception", "upstage": "upstage", "elevenlabs": "elevenlabs",
    "deepgram": "deepgram", "reka": "reka",
}  # fmt: skip
# Hosts spell authors differently in `author/model` paths; fold them to one slug.
_AUTHOR_ALIASES: Final[dict[str, str]] = {
    "meta": "meta-llama",
    "meta-llama": "meta-llama",
    "mistral": "mistralai",
    "mistralai": "mistralai",
    "xai": "x-ai",
    "x-ai": "x-ai",
    "deepseek-ai": "deepseek",
    "zai-org": "z-ai",
    "zai": "z-ai",
    "thudm": "z-ai",
    "qwen": "qwen",
    "alibaba": "qwen",
    "moonshot": "moonshotai",
    "minimaxai": "minimax",
    "voyage": "voyageai",
    "stability-ai": "stability",
    "stabilityai": "stability",
    "black-forest-labs": "black-forest-labs",
    "black_forest_labs": "black-forest-labs",
    "amazon": "amazon",
    "google": "google",
    "anthropic": "anthropic",
    "openai": "openai",
}

# --------------------------------------------------------------------------------------
# Serving providers: every source's spelling -> LiteLLM's provider name
# --------------------------------------------------------------------------------------

# Keys are compacted (lower case letters and digits only): "Amazon Bedrock", "amazon-bedrock"
# and "amazon_bedrock" share the key "amazonbedrock". OpenRouter qualifies some endpoints in
# parentheses ("Google Vertex (Europe)"); the qualifier is ignored when the name alone is known.
_PROVIDER_ALIASES: Final[dict[str, str]] = {
    # models.dev's display-style ids of providers other sources name by their slug (the
    # SQL catalog's provider_aliases hold the same pairs; a test keeps them equal)
    "302ai": "302ai", "bergetai": "berget", "ionet": "io-net", "jiekouai": "jiekou",
    "kilogateway": "kilo", "llmgateway": "llmgateway", "nanogpt": "nano-gpt",
    "nearaicloud": "nearai", "routingrun": "routing-run", "siliconflowchina": "siliconflow-cn",
    "veniceai": "venice", "iflow": "iflowcn", "drunchina": "drun", "opencodezen": "opencode",
    "zaicodingplan": "zai-coding-plan", "alibabacodingplanchina": "alibaba-coding-plan-cn",
    "xiaomitokenplanchina": "xiaomi-token-plan-cn",
    "xiaomitokenplaneurope": "xiaomi-token-plan-ams",
    "xiaomitokenplansingapore": "xiaomi-token-plan-sgp",
    # AWS: LiteLLM's invoke/converse/mantle routes, models.dev, OpenRouter, genai-prices
    "bedrock": "bedrock", "bedrockconverse": "bedrock", "bedrockmantle": "bedrock",
    "amazonbedrock": "bedrock", "aws": "bedrock", "awsbedrock": "bedrock",
    # Google Cloud Vertex AI (LiteLLM's `vertex_ai-<family>_models` handled by prefix below)
    "vertexai": "vertex_ai", "vertex": "vertex_ai", "googlevertex": "vertex_ai",
    "googlevertexanthropic": "vertex_ai", "googlevertexeurope": "vertex_ai",
    "vertexaibeta": "vertex_ai",
    # Google AI Studio (the Gemini API). models.dev and genai-prices call it `google`.
    "gemini": "gemini", "google": "gemini", "googleaistudio": "gemini",
    # Microsoft: Azure OpenAI and Azure AI Foundry
    "azure": "azure", "azureai": "azure", "azuretext": "azure", "microsoft": "azure",
    "microsoftazure": "azure", "azurecognitiveservices": "azure", "azureopenai": "azure",
    "together": "together_ai", "togetherai": "together_ai",
    "fireworks": "fireworks_ai", "fireworksai": "fireworks_ai",
    "deepinfra": "deepinfra",
    "openai": "openai", "textcompletionopenai": "openai",
    "anthropic": "anthropic", "anthropictext": "anthropic",
    "mistral": "mistral", "mistralai": "mistral", "codestral": "mistral",
    "textcompletioncodestral": "mistral",
    "groq": "groq",
    "xai": "xai",
    "deepseek": "deepseek",
    "cohere": "cohere", "coherechat": "cohere",
    "perplexity": "perplexity",
    "cerebras": "cerebras",
    "sambanova": "sambanova",
    "nebius": "nebius", "nebiusaistudio": "nebius", "nebiustokenfactory": "nebius",
    "novita": "novita", "novitaai": "novita",
    "hyperbolic": "hyperbolic",
    "lambda": "lambda_ai", "lambdaai": "lambda_ai",
    "friendli": "friendliai", "friendliai": "friendliai",
    "featherless": "featherless_ai", "featherlessai": "featherless_ai",
    "cloudflare": "cloudflare", "cloudflareworkersai": "cloudflare", "workersai": "cloudflare",
    "moonshot": "moonshot", "moonshotai": "moonshot",
    "zai": "zai",
    "alibaba": "dashscope", "alibabacloud": "dashscope", "dashscope": "dashscope",
    # LiteLLM's Qwen AI Platform and Qwen Cloud routes are Alibaba Cloud Model Studio.
    "qwenaiplatform": "dashscope", "qwencloud": "dashscope",
    "stepfun": "stepfun", "stepfunai": "stepfun",
    # Amazon Nova's own API (LiteLLM `amazon_nova`, models.dev `nova`), not Bedrock.
    "amazonnova": "amazon_nova", "nova": "amazon_nova",
    "minimax": "minimax",
    "baseten": "baseten",
    "ai21": "ai21", "ai21chat": "ai21",
    "nscale": "nscale",
    "parasail": "parasail",
    "inception": "inception", "textcompletioninception": "inception",
    "morph": "morph",
    "githubcopilot": "github_copilot",
    "github": "github", "githubmodels": "github",
    "huggingface": "huggingface", "hf": "huggingface",
    "nvidia": "nvidia_nim", "nvidianim": "nvidia_nim",
    "ovhcloud": "ovhcloud", "ovhcloudaiendpoints": "ovhcloud",
    "scaleway": "scaleway",
    "vercel": "vercel_ai_gateway", "vercelaigateway": "vercel_ai_gateway",
    "openrouter": "openrouter",
    "databricks": "databricks",
    "snowflake": "snowflake",
    "watsonx": "watsonx", "watsonxtext": "watsonx", "ibm": "watsonx", "ibmwatsonx": "watsonx",
    "replicate": "replicate",
    "ollama": "ollama", "ollamachat": "ollama", "ollamacloud": "ollama",
    "voyage": "voyage", "voyageai": "voyage",
    "chutes": "chutes",
    "wandb": "wandb", "weightsbiases": "wandb",
    # Meta's Llama API: LiteLLM `meta_llama`, models.dev `llama`, genai-prices `meta`.
    "llama": "meta_llama", "metallama": "meta_llama", "llamaapi": "meta_llama",
    "meta": "meta_llama",
    "sagemaker": "sagemaker", "sagemakerchat": "sagemaker",
    "xiaomi": "xiaomi_mimo", "xiaomimimo": "xiaomi_mimo",
    "gmi": "gmi", "gmicloud": "gmi",
    "oci": "oci", "oracle": "oci",
}  # fmt: skip
# LiteLLM qualifies some providers by model family: `vertex_ai-anthropic_models`,
# `vertex_ai-language-models`, `fireworks_ai-embedding-models`.
_PROVIDER_FAMILY_SUFFIX_RE: Final = re.compile(r"^(vertex_ai|fireworks_ai)-.+$")
_PROVIDER_COMPACT_RE: Final = re.compile(r"[^a-z0-9]+")
_PROVIDER_QUALIFIER_RE: Final = re.compile(r"\s*\([^)]*\)\s*")
_PROVIDER_SLUG_RE: Final = re.compile(r"[^a-z0-9_.]+")


# --------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------


def canonical_model_name(source_model_id: str, *, source: str | None = None) -> str:
    """The canonical name of the model a source id refers to, spelled as people type it.

    ``canonical_model_name("us.anthropic.claude-sonnet-4-5-20250929-v1:0", source="litellm")``
    and ``canonical_model_name("anthropic/claude-sonnet-4.5:free")`` are both
    ``"claude-sonnet-4.5"``. The name is `model_key` written the way the ecosystem writes
    it (OpenRouter's slug without the author, or the author's undated API id): versions
    with a dot (``gpt-4.1``, ``claude-3.5-sonnet``, ``llama-3.3-70b-instruct``), Qwen's
    version fused (``qwen2.5-72b-instruct``). Two ids have one name exactly when they have
    one key. `source` is the catalog or serving provider the id comes from (``litellm``,
    ``openrouter``, ``fireworks``, ...); see `model_key`.
    """
    return _spell(model_key(source_model_id, source=source))


def model_key(source_model_id: str, *, source: str | None = None) -> str:
    """The identity key of the model a source id refers to: its canonical name with every
    separator a dash and no chat suffix (``"claude-sonnet-4-5"``, ``"llama-3-3-70b"``).

    Ids match when their keys are equal; the key was the catalog's name before names kept
    their dots, so a catalog synced then holds its models under their keys. Almost every
    quirk is recognisable from the id itself; the source only decides what a bare
    open-weight name means when the id carries no path: on Fireworks and Replicate it is
    the base checkpoint (``source="fireworks"``, ``"qwen2p5-72b"`` -> ``"qwen-2-5-72b-base"``),
    and names a generic word (``auto``) when the id has no path.
    """
    host = _provider(source) if source else ""
    key = _canonical(source_model_id, host if host in _BASE_HOSTS else "")
    # A few rules only fire once an earlier one has run (`bielik-11b-v3.0-instruct`: the
    # trailing `.0` shows after `-instruct` goes); a second pass makes keys a fixed point.
    key = _canonical(key)
    if key in _GENERIC_WORDS or _BARE_VERSION_RE.match(key):
        vendor = _vendor_of(source_model_id) or host
        if vendor:
            key = f"{vendor}-{key}"
    return key


def variant_of(source_model_id: str) -> str | None:
    """The serving variant in an id's ``:suffix`` (``"free"``, ``"nitro"``, ``"thinking"``).

    Several tags are joined with ``:`` (``"thinking:low"``). Bedrock revisions (``-v1:0``)
    and Ollama size tags (``:70b``) are not variants. ``None`` when there is none.
    """
    name = _last_segment(source_model_id.strip()).lower()
    return _split_tags(name.removeprefix("ft:"))[1]


def canonical_provider(raw: str) -> str:
    """One slug per serving provider, in LiteLLM's ``litellm_provider`` vocabulary.

    ``"Amazon Bedrock"``, ``"amazon-bedrock"``, ``"aws"`` and ``"bedrock_converse"`` are all
    ``"bedrock"``; ``"Google AI Studio"`` and models.dev's ``"google"`` are ``"gemini"``;
    ``"google-vertex"`` and ``"vertex_ai-anthropic_models"`` are ``"vertex_ai"``. An
    unknown provider keeps a stable slug: lower case, other characters folded to ``-``.
    """
    return _provider(raw)


def author_of(source_model_id: str, *, provider: str | None = None) -> str | None:
    """Who made the model (OpenRouter's author slugs), or ``None`` when unknown.

    `provider` is the serving provider, in any spelling: a model maker serving its own
    models (``"mistral"``, ``"deepseek"``, ``"openai"``, ...) is their author when the id
    does not say otherwise.

    ``"anthropic"`` for any Claude id, ``"openai"`` for GPT/o-series ids, ``"google"`` for
    Gemini/Gemma, ``"meta-llama"`` for Llama, and so on. Decided from the canonical name,
    so fine-tunes named after their maker (``deepseek-r1-distill-llama-70b``,
    ``hermes-3-llama-3.1-405b``) get that maker, not the base model's.
    """
    author = _author(source_model_id)
    if author is None and provider is not None:
        author = _FIRST_PARTY_AUTHORS.get(_provider(provider))
    return author


def canonical_author(raw: str) -> str:
    """One slug per model maker (OpenRouter's): ``"mistral"`` -> ``"mistralai"``,
    ``"xai"`` -> ``"x-ai"``, ``"meta"`` -> ``"meta-llama"``; others lower-cased."""
    slug = raw.strip().lower()
    return _AUTHOR_ALIASES.get(slug, slug)


# --------------------------------------------------------------------------------------
# Implementation
# --------------------------------------------------------------------------------------


def _last_segment(model_id: str) -> str:
    """The model part of a path-like id (routing, region and author segments removed)."""
    if "/" not in model_id:
        return model_id
    segments = [s for s in model_id.split("/") if s]
    for i in range(len(segments) - 2, -1, -1):
        if segments[i].lower() in _MODELS_MARKERS:
            return "/".join(segments[i + 1 :]) or model_id
    segments = _strip_route(segments)
    if not segments:
        return ""  # only slashes (`/`, `//`): no model in it
    if len(segments) <= 2:
        return segments[-1]
    # Deeper paths (fal.ai's `fal-ai/flux-pro/v1.1`): the model spans every segment after
    # the author, since a bare last segment (`v1.1`, `dev`) would merge unrelated models.
    return "-".join(segments[1:])


def _author_segment(model_id: str) -> str | None:
    """The author in an `author/model` path, if there is one. Fireworks' and Clarifai's
    `accounts/<account>/models/<id>` name the hosting account, not the author."""
    segments = _strip_route([s for s in model_id.split("/") if s])
    if len(segments) < 2 or any(s.lower() in _MODELS_MARKERS for s in segments[:-1]):
        return None
    author = segments[0].lower().lstrip("~")
    return None if author in _HOST_NAMESPACES else author


def _strip_route(segments: list[str]) -> list[str]:
    """Drop a leading provider prefix and the deployment segments after it."""
    routed = len(segments) > 1 and segments[0].lower() in _PROVIDER_PREFIXES
    if routed:
        segments = segments[1:]
    stripped = False
    while len(segments) > 1 and (
        segments[0].lower() in _DEPLOYMENT_SEGMENTS
        or _ROUTE_SEGMENT_RE.fullmatch(segments[0].lower())
    ):
        segments = segments[1:]
        stripped = True
    # LiteLLM's image keys put the route after the size: `1024-x-1024/50-steps/bedrock/...`.
    if not routed and stripped and len(segments) > 1 and segments[0].lower() in _PROVIDER_PREFIXES:
        segments = segments[1:]
    return segments


def _split_tags(name: str) -> tuple[str, str | None]:
    """Split ``model:tag:tag`` into the model and its variant.

    Bedrock revisions (``-20241022-v2:0``, ``-v1:0``, ``gpt-oss-120b-1:0``) are resolved
    here, and Ollama size tags are folded into the name (``llama3:70b`` -> ``llama3-70b``).
    """
    if ":" not in name:
        return name, None
    base, *tags = name.split(":")
    if tags and tags[0].isdigit():
        minor = tags.pop(0)
        version = _BEDROCK_VERSION_RE.search(base)
        if version is not None:
            head, major = base[: version.start()], version.group(1)
            if major == "1" or _DATE_END_RE.search(head):
                base = head  # a revision of a dated or first-version id: not part of the name
            elif major == "0" or minor != "0":
                base = f"{head}-v{major}.{minor}"  # `mistral-7b-instruct-v0:2` is v0.2
            # else `titan-embed-text-v2:0`: v2 is the model's own version, kept as is
        elif _NUMBER_END_RE.search(base):
            base = _NUMBER_END_RE.sub("", base)  # `openai.gpt-oss-120b-1:0`
        else:
            tags.insert(0, minor)  # not a revision (a thinking budget such as `:8192`)
    variants: list[str] = []
    for tag in tags:
        size = _OLLAMA_TAG_RE.match(tag)
        if size:
            base = f"{base}-{size.group(1)}"
        elif tag and tag != "latest":
            variants.append(tag)
    return base, ":".join(variants) if variants else None


def _vendor_of(model_id: str) -> str:
    """The path segment in front of the model (`aiml/flux/dev` -> `flux`), as a slug."""
    segments = [seg for seg in model_id.strip().lower().split("/") if seg]
    segments = [seg for seg in segments[:-1] if seg not in _MODELS_MARKERS]
    if not segments or segments[-1] == "accounts":
        return ""
    return _SEPARATOR_RE.sub("-", segments[-1].lstrip("~@")).strip("-")


def _keeps_latest(name: str) -> bool:
    """Whether `-latest` is part of the model: it follows an unversioned family (sizes are
    not versions), or a vendor that does not document it as that version's alias."""
    if _LATEST_END_RE.search(name) is None:
        return False
    return (
        _DIGIT_RE.search(_SIZE_TOKEN_RE.sub("", name)) is None
        or _LATEST_ALIAS_FAMILY_RE.match(name) is None
    )


def _keeps_stamp(name: str) -> bool:
    """Whether a snapshot stamp names its own model (see `_REPRICED_FAMILIES`)."""
    if _CHECKPOINT_SNAPSHOT_RE.match(name):
        return True
    match = _REPRICED_STAMP_RE.match(name)
    if match is None:
        return False
    family, year, month, day, short = match.groups()
    first, since = _REPRICED_FAMILIES[family]
    if short is not None:
        year = str(int(first[:4]) + (short < first[4:]))
        month, day = short[:2], short[2:]
    return f"{year}{month}{day}" < since


def _mistral_release(name: str) -> str:
    """`mistral-large-2512` -> `mistral-large-3`, `ministral-8b-2512` -> `ministral-3-8b`."""
    match = _MISTRAL_RELEASE_RE.match(name)
    if match is None:
        return name
    family, version, size, tail, stamp = match.groups()
    released = _MISTRAL_RELEASES.get((family, stamp))
    if released is None or (version is not None and version != released):
        return name
    return f"{family}-{released}{size or ''}{tail}"


def _drop_offer_suffixes(name: str) -> str:
    while (match := _OFFER_SUFFIX_RE.search(name)) is not None:
        rest = name[: match.start()]
        if not rest or rest in _GENERIC_WORDS or _ROUTER_RE.search(rest):
            break
        name = _SUFFIX_RE.sub("", rest)
    return name


@lru_cache(maxsize=65536)
def _spell(key: str) -> str:
    name = key
    if not _OPENAI_NAME_RE.match(name):
        name = _apply(_CHAT_SUFFIX_RULES, name)
    name = _VERSION_PAIR_RE.sub(_dotted, name)
    name = _FRACTION_SIZE_RE.sub(".", name)
    return _FUSED_FAMILY_RE.sub("qwen", name)


def _dotted(match: re.Match[str]) -> str:
    return ".".join(part for part in match.groups() if part is not None)


def _apply(table: _Rules, name: str) -> str:
    if table.any_match.search(name) is None:
        return name
    for pattern, replacement in table.rules:
        name = pattern.sub(replacement, name)
    return name


@lru_cache(maxsize=65536)
def _canonical(source_model_id: str, base_host: str = "") -> str:
    raw = source_model_id.strip()
    name = _last_segment(raw).lower()

    fine_tuned = name.startswith("ft:")
    if fine_tuned:
        name = name[3:]

    vendor = _DOTTED_VENDOR_RE.match(name)
    if vendor is not None:
        name = name[vendor.end() :]
        # Bedrock's DeepSeek ids drop the family word: `deepseek.r1-v1:0`, `deepseek.v3.2`.
        if vendor.group(1) == "deepseek" and not name.startswith("deepseek"):
            name = f"deepseek-{name}"
        name = _LEGACY_IDS.get(name, name)
        # Bedrock's first revision without a colon: `anthropic.claude-opus-4-6-v1`.
        if ":" not in name:
            name = _BEDROCK_V1_RE.sub("", name)
    name = _LEGACY_IDS.get(name, name)

    name, variant = _split_tags(name)
    # OpenRouter's `:extended` is another product (a longer output limit at its own price:
    # `openai/gpt-4o:extended` at $6/$18), not a serving preset of the model.
    if variant is not None and "extended" in variant.split(":"):
        name = f"{name}-extended"
    # Vertex `@20250929` / `@default`: the same snapshot stamp in another spelling;
    # `@latest` is Vertex's spelling of the moving `-latest` alias.
    name = _VERTEX_STAMP_RE.sub(_vertex_stamp, name)

    name = _apply(_PREFIX_RULES, name)
    name = _apply(_VERSION_RULES, name)
    name = _SEPARATOR_RE.sub("-", name).strip("-")
    name = _ALIASES.get(name, name)
    name = _apply(_FAMILY_RULES, name)
    if not _DISTINCT_SNAPSHOT_RE.search(name) and not _keeps_stamp(name):
        name = _apply(_DATE_RULES, name)

    if name not in _KEEP_LATEST and not _keeps_latest(name):
        name = _SUFFIX_RE.sub("", name)
    name = _drop_offer_suffixes(name)
    if not _OPENAI_NAME_RE.match(name):
        chat = _CHAT_MARKER_RE.search(name) is not None
        name = _apply(_OPEN_WEIGHT_RULES, name)
        if (
            not chat
            and _PAIR_FAMILY_BARE_RE.match(name)
            and (base_host or _BASE_HOST_RE.search(raw))
        ):
            name = f"{name}-base"
    name = _mistral_release(name)
    name = _ALIASES.get(name, name)
    return f"ft-{name}" if fine_tuned else name


def _vertex_stamp(match: re.Match[str]) -> str:
    if match.group(1):
        return f"-{match.group(1)}"
    return "-latest" if match.group(0) == "@latest" else ""


@lru_cache(maxsize=4096)
def _author(source_model_id: str) -> str | None:
    name = _canonical(source_model_id)
    for pattern, author in _AUTHOR_RULES:
        if pattern.match(name):
            return author
    segment = _author_segment(source_model_id.strip())
    if segment is not None:
        return _AUTHOR_ALIASES.get(segment, segment)
    match = _DOTTED_VENDOR_RE.match(_last_segment(source_model_id.strip()).lower())
    if match:
        vendor = match.group(1)
        return _AUTHOR_ALIASES.get(vendor, vendor)
    return None


@lru_cache(maxsize=1024)
def _provider(raw: str) -> str:
    text = raw.strip().lower()
    family = _PROVIDER_FAMILY_SUFFIX_RE.match(text)
    if family:
        text = family.group(1)
    for candidate in (text, _PROVIDER_QUALIFIER_RE.sub(" ", text)):
        known = _PROVIDER_ALIASES.get(_PROVIDER_COMPACT_RE.sub("", candidate))
        if known is not None:
            return known
    return _PROVIDER_SLUG_RE.sub("-", text).strip("-")
