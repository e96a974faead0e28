"""LiteLLM collector: `model_prices_and_context_window.json`, every entry its own price.

Payload: `{key: entry}` where `key` is what a LiteLLM user passes as `model=` and the
entry carries `litellm_provider`, `mode`, token limits, `supports_*` flags and prices
per token (`input_cost_per_token`, `cache_read_input_token_cost`, ...). The first key,
`sample_spec`, documents the format and is skipped. Online it comes from LiteLLM's main
branch; offline from the copy bundled in the `litellm` wheel.

Mapping, one `PriceRow` per entry (`source_key` = the JSON key):

- `provider_name` is the raw `litellm_provider`; `provider_id` is the key without
  LiteLLM's routing prefix (`bedrock/`, `azure/`, `vertex_ai/`, ...) and without the
  parts that select a priced deployment, which go to `deployment`:
  Bedrock regions (`bedrock/us-east-1/anthropic.claude-...` -> `us-east-1`), provisioned
  throughput commitments (`1-month-commitment`), Azure data zones (`azure/eu/gpt-5` ->
  `eu`) and image quality/size tiers (`high/1024-x-1536/gpt-image-1` ->
  `high/1024-x-1536`). Bedrock cross-region inference profiles keep their prefix in the
  id, because that prefix is what Bedrock is called with (`us.anthropic.claude-...`),
  and also name the deployment (`us`, `eu`, `apac`, `global`, ...).
- Prices become exact Decimal USD per million tokens. Columns: input, output, cache
  read/write, batch input/output. `provider_metadata["prices"]` holds the other
  per-token prices (per million: `input_audio`, `output_reasoning`, `cache_write_1h`,
  ...), `provider_metadata["tiers"]` the long-context tiers (`above_input_tokens`),
  `provider_metadata["variants"]` batch/priority/flex/off-peak price sets, and
  `provider_metadata["unit_prices"]` prices in other units (per image, second, query, page, ...)
  under LiteLLM's own field names, all as exact decimal strings.
- `supports_<x>: bool` -> `capabilities[<x>]`; `mode` -> `model_type` (a `chat` entry whose
  output modalities have no text is typed by them: Gemini TTS speech, Lyria music);
  `max_input_tokens` -> context window; `deprecation_date` -> date.
- A wrong type or an invalid price rejects that entry only (`RejectedRow`).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import httpx
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    model_validator,
)

from llm_intelligence.collectors.fetch import fetch_json, is_remote
from llm_intelligence.collectors.labels import TEXT_TYPES, model_type_from_modalities
from llm_intelligence.collectors.limits import Refused, echo
from llm_intelligence.collectors.prices import (
    InvalidPrice,
    decimal_text,
    exact_decimal,
    per_million,
)
from llm_intelligence.collectors.rows import (
    ModelInfo,
    ParsedSource,
    PriceRow,
    RejectedRow,
    unexpected_rejection,
    validation_reason,
)
from llm_intelligence.errors import ConfigError, PayloadError, SourceError

__all__ = [
    "DEFAULT_LITELLM_URL",
    "SNAPSHOT_FILENAME",
    "SOURCE",
    "fetch_litellm",
    "litellm_snapshot_path",
    "parse_litellm",
]

SOURCE = "litellm"
DEFAULT_LITELLM_URL = (
    "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
)
SNAPSHOT_FILENAME = "model_prices_and_context_window_backup.json"

_SPEC_KEY = "sample_spec"

# --- upstream payload ------------------------------------------------------------------

# Per-token prices, as LiteLLM spells them:
#   {input|output}_cost_per_[{audio|image|video|reasoning}_]token[...]
#   {cache_read|cache_creation}_input_[{audio|image}_]token_cost[...]
# then an optional `_above_1hr` (cache writes kept for an hour), an optional context tier
# `_above_<N>k_tokens` and an optional variant suffix.
_PER_TOKEN_FIELD = re.compile(
    r"^(?P<kind>input|output|cache_read_input|cache_creation_input)"
    r"(?:_cost_per_(?:(?P<medium>audio|image|video|reasoning)_)?token"
    r"|_(?:(?P<cache_medium>audio|image)_)?token_cost)"
    r"(?P<one_hour>_above_1hr)?"
    r"(?:_above_(?P<tier_k>\d{1,9})k_tokens)?"
    r"(?:_(?P<variant>batches|priority|flex|ultrafast|balanced|cache_hit))?$"
)
_KIND_NAMES = {
    "input": "input",
    "output": "output",
    "cache_read_input": "cache_read",
    "cache_creation_input": "cache_write",
}
# Other per-token prices (Databricks DBUs, Perplexity citations): per million, own name.
_OTHER_PER_TOKEN_SUFFIX = "_cost_per_token"


def _is_price_field(name: str) -> bool:
    return "_cost" in name or name.startswith("cost_")


def _check_price_field(name: str, value: Any, *, label: str | None = None) -> None:
    """A price field is a number, or (per-query/per-unit tables) an object of numbers; a
    per-token price is always a number, since it becomes a price column or per-million
    price (`{"default": 1e-06}` is not one)."""
    if isinstance(value, Mapping) and _PER_TOKEN_FIELD.match(name):
        raise ValueError(f"{label or name}: a per-token price must be a number, not an object")
    _check_price_value(label or name, value)


def _check_price_value(name: str, value: Any) -> None:
    if isinstance(value, Mapping):
        for sub, item in value.items():
            _check_price_value(f"{name}.{sub}", item)
        return
    try:
        exact_decimal(value)
    except InvalidPrice as e:
        raise ValueError(f"{name}: {e}") from e


def _iso_date(value: Any) -> Any:
    if isinstance(value, str):
        return value  # checked in the mapping: a bad date is reported, not fatal
    raise ValueError(f"expected a YYYY-MM-DD string, got {type(value).__name__}")


_Tokens = Annotated[int | None, Field(ge=0, strict=True)]
_DateText = Annotated[str | None, BeforeValidator(_iso_date)]


class _Tier(BaseModel):
    """One row of `tiered_pricing` (Dashscope context tiers, Exa result-count tiers)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    range: tuple[Decimal, Decimal] | None = None

    @model_validator(mode="after")
    def _prices_are_prices(self) -> _Tier:
        for name, value in (self.model_extra or {}).items():
            if _is_price_field(name):
                _check_price_field(name, value)
        if self.range is not None:
            for bound in self.range:
                if not bound.is_finite() or bound < 0 or bound != bound.to_integral_value():
                    raise ValueError(f"range: {bound} is not a token count")
        return self


class _Entry(BaseModel):
    """One LiteLLM entry. Unknown fields are allowed (the file grows every week), but
    every `*_cost*` field must be a valid price and every `supports_*` a boolean."""

    model_config = ConfigDict(extra="allow", frozen=True)

    litellm_provider: Annotated[StrictStr, Field(min_length=1)]
    mode: StrictStr | None = None
    max_input_tokens: _Tokens = None
    max_output_tokens: _Tokens = None
    max_tokens: _Tokens = None
    deprecation_date: _DateText = None
    source: StrictStr | None = None
    supported_endpoints: list[StrictStr] | None = None
    supported_modalities: list[StrictStr] | None = None
    supported_output_modalities: list[StrictStr] | None = None
    supported_regions: list[StrictStr] | None = None
    tiered_pricing: list[_Tier] | None = None
    off_peak_pricing: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _flags_and_prices(self) -> _Entry:
        for name, value in (self.model_extra or {}).items():
            if name.startswith("supports_") and not isinstance(value, bool):
                raise ValueError(f"{name}: expected true/false, got {echo(value)}")
            if _is_price_field(name):
                _check_price_field(name, value)
        for name, value in (self.off_peak_pricing or {}).items():
            if _is_price_field(name):
                _check_price_field(name, value, label=f"off_peak_pricing.{name}")
        return self

    def extra_fields(self) -> Mapping[str, Any]:
        return self.model_extra or {}


# --- key anatomy ---------------------------------------------------------------------

_BEDROCK_REGION = re.compile(r"^[a-z]{2}(?:-gov)?-[a-z]+-\d+$")
_COMMITMENT = re.compile(r"^\d+-month-commitment$")
# A cross-region inference profile is a geography prefix on a `vendor.model` id.
_BEDROCK_PROFILE = re.compile(r"^(?P<geo>us|eu|apac|global|au|jp|ca|us-gov)\.(?=[^./]+\.)")
_BEDROCK_ROUTES = frozenset({"invoke", "converse"})
_AZURE_ZONES = frozenset({"us", "eu", "global", "us-gov", "global-standard"})
_IMAGE_QUALITIES = frozenset({"low", "medium", "high", "hd", "standard", "auto", "xhigh", "max"})
_IMAGE_SIZE = re.compile(r"^(?:\d+|max)-x-(?:\d+|max)$")
_IMAGE_STEPS = re.compile(r"^(?:\d+|max)-steps$")
# LiteLLM prices some providers by parameter-count bucket (`together-ai-8.1b-21b`,
# `fireworks-ai-up-to-4b`) as a fallback for unlisted models. The keys are price classes,
# not model ids anyone can call, so they are rejected rather than stored as models.
_SIZE_BUCKET = re.compile(r"^(?:together-ai|fireworks-ai)-")

_FIRST_PARTY_AUTHORS = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "chatgpt": "openai",
    "anthropic": "anthropic",
    "vertex_ai-anthropic_models": "anthropic",
    "gemini": "google",
    "palm": "google",
    "vertex_ai-language-models": "google",
    "vertex_ai-embedding-models": "google",
    "vertex_ai-text-models": "google",
    "vertex_ai-video-models": "google",
    "vertex_ai-image-models": "google",
    "mistral": "mistral",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "vertex_ai-mistral_models": "mistral",
    "ai21": "ai21",
    "vertex_ai-ai21_models": "ai21",
    "xai": "xai",
    "deepseek": "deepseek",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "voyage": "voyage",
    "moonshot": "moonshotai",
    "zai": "zai",
    "minimax": "minimax",
    "amazon_nova": "amazon",
    "meta_llama": "meta",
    "perplexity": "perplexity",
}
# First path segments that are hosting namespaces, not model authors.
_NOT_AUTHORS = frozenset({"accounts", "fal-ai", "speech", "streaming", "doc-intelligence"})
_DOTTED_VENDOR = re.compile(r"^(?P<vendor>[a-z0-9-]+)\.[a-z0-9]")


@dataclass(slots=True)
class _Key:
    """A LiteLLM key taken apart."""

    model_id: str
    deployment: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)


def _slug(name: str) -> str:
    return name.replace("-", "_")


def _is_route(segment: str, provider: str) -> bool:
    """`bedrock` routes `bedrock_converse`, `vertex_ai` routes `vertex_ai-anthropic_models`."""
    seg, prov = _slug(segment), _slug(provider)
    return prov == seg or prov.startswith(seg + "_")


def _split_key(key: str, provider: str) -> _Key:
    parts = key.split("/")
    result = _Key(model_id=key)
    if len(parts) > 1 and _is_route(parts[0], provider):
        parts = parts[1:]
    if provider.startswith("bedrock"):
        if len(parts) > 1 and (parts[0] == "*" or _BEDROCK_REGION.match(parts[0])):
            region = parts.pop(0)
            if region != "*":
                result.deployment.append(region)
                result.metadata["region"] = region
        if len(parts) > 1 and _COMMITMENT.match(parts[0]):
            commitment = parts.pop(0)
            result.deployment.append(commitment)
            result.metadata["commitment"] = commitment
    elif provider in ("azure", "azure_text") and len(parts) > 1 and parts[0] in _AZURE_ZONES:
        zone = parts.pop(0)
        result.deployment.append(zone)
        result.metadata["data_zone"] = zone

    image: list[str] = []
    if len(parts) > 2 and parts[0] in _IMAGE_QUALITIES and _IMAGE_SIZE.match(parts[1]):
        result.metadata["image_quality"] = parts[0]
        image.append(parts.pop(0))
    if len(parts) > 1 and _IMAGE_SIZE.match(parts[0]):
        result.metadata["image_size"] = parts[0]
        image.append(parts.pop(0))
    if image and len(parts) > 1 and _IMAGE_STEPS.match(parts[0]):
        result.metadata["image_steps"] = parts[0]
        image.append(parts.pop(0))
    if image:
        result.deployment.append("/".join(image))
        # `1024-x-1024/50-steps/bedrock/amazon.nova-canvas-v1:0`: the route comes last.
        if len(parts) > 1 and _is_route(parts[0], provider):
            parts = parts[1:]

    if provider.startswith("bedrock"):
        if len(parts) > 1 and parts[0] in _BEDROCK_ROUTES:
            result.metadata["bedrock_route"] = parts.pop(0)
        profile = _BEDROCK_PROFILE.match(parts[0]) if len(parts) == 1 else None
        if profile:
            result.deployment.append(profile["geo"])
            result.metadata["cross_region_profile"] = profile["geo"]
    result.model_id = "/".join(parts)
    return result


def _author(provider: str, model_id: str) -> str | None:
    if provider in _FIRST_PARTY_AUTHORS:
        return _FIRST_PARTY_AUTHORS[provider]
    if "/" in model_id:
        first = model_id.split("/", 1)[0].lstrip("~")
        return None if first in _NOT_AUTHORS or not first else first
    if provider.startswith("bedrock") or provider == "oci":
        bare = _BEDROCK_PROFILE.sub("", model_id)
        if match := _DOTTED_VENDOR.match(bare):
            return match["vendor"]
    return None


# --- prices ----------------------------------------------------------------------------


@dataclass(slots=True)
class _PriceSet:
    """Per-million prices of one variant, with its context tiers."""

    base: dict[str, Decimal] = field(default_factory=dict)
    tiers: dict[int, dict[str, Decimal]] = field(default_factory=dict)

    def tier_list(self) -> list[dict[str, Any]]:
        return [
            {"above_input_tokens": threshold, **_texts(prices)}
            for threshold, prices in sorted(self.tiers.items())
        ]


@dataclass(slots=True)
class _Prices:
    default: _PriceSet = field(default_factory=_PriceSet)
    variants: dict[str, _PriceSet] = field(default_factory=dict)
    unit_prices: dict[str, Any] = field(default_factory=dict)
    other_per_million: dict[str, Decimal] = field(default_factory=dict)


def _texts(prices: Mapping[str, Decimal]) -> dict[str, str]:
    return {name: decimal_text(value) for name, value in sorted(prices.items())}


def _jsonable(value: Any) -> Any:
    """Upstream values for metadata: Decimals become exact strings."""
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _price_name(match: re.Match[str]) -> str:
    kind = _KIND_NAMES[match["kind"]]
    medium = match["medium"] or match["cache_medium"]
    name = f"{kind}_{medium}" if medium else kind
    if match["one_hour"]:
        name += "_1h"
    if match["variant"] == "cache_hit":
        # DeepSeek's `input_cost_per_token_cache_hit` is the cache-read price.
        name = "cache_read"
    return name


def _collect_prices(fields: Mapping[str, Any]) -> _Prices:
    """Sort an entry's price fields into columns, tiers, variants and unit prices."""
    prices = _Prices()
    for name, value in fields.items():
        if value is None or not _is_price_field(name):
            continue
        match = _PER_TOKEN_FIELD.match(name)
        if match is None:
            if name.endswith(_OTHER_PER_TOKEN_SUFFIX) and not isinstance(value, Mapping):
                other = name.removesuffix(_OTHER_PER_TOKEN_SUFFIX)
                prices.other_per_million[other] = per_million(value)
            else:
                prices.unit_prices[name] = _jsonable(_exact(value))
            continue
        variant = match["variant"]
        target = (
            prices.default
            if variant in (None, "cache_hit")
            else prices.variants.setdefault(variant, _PriceSet())
        )
        price = per_million(value)
        key = _price_name(match)
        if match["tier_k"] is not None:
            target.tiers.setdefault(int(match["tier_k"]) * 1000, {})[key] = price
        elif variant == "cache_hit":
            target.base.setdefault(key, price)
        else:
            target.base[key] = price
    return prices


def _exact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _exact(v) for k, v in value.items()}
    return exact_decimal(value)


def _tiered_pricing(entry: _Entry, prices: _Prices) -> list[Any]:
    """Context-range tiers join `prices`; other tier shapes are returned verbatim."""
    verbatim: list[Any] = []
    for tier in entry.tiered_pricing or []:
        extra = tier.model_extra or {}
        if tier.range is None:
            verbatim.append(_jsonable(_exact_tree(extra)))
            continue
        tier_prices = _collect_prices(extra).default.base
        low = int(tier.range[0])
        if low == 0:
            # Dashscope lists its base price only as the first range: the list price.
            for name, price in tier_prices.items():
                prices.default.base.setdefault(name, price)
        else:
            prices.default.tiers.setdefault(low, {}).update(tier_prices)
    return verbatim


def _exact_tree(value: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (_exact(v) if _is_price_field(k) else v) for k, v in value.items()}


# --- mapping -------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PASSTHROUGH = (
    "supported_endpoints",
    "supported_modalities",
    "supported_output_modalities",
    "supported_regions",
    "output_vector_size",
    "max_tokens",
    "rpm",
    "tpm",
    "prompt_cache_min_tokens",
    "web_search_billing_unit",
    "regional_endpoint_uplift_multiplier",
    "regional_processing_uplift_multiplier_eu",
    "regional_processing_uplift_multiplier_us",
)


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _parse_date(text: str) -> date | None:
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class _Columns:
    input: Decimal | None
    output: Decimal | None
    cache_read: Decimal | None
    cache_write: Decimal | None
    batch_input: Decimal | None
    batch_output: Decimal | None


def _price_columns(entry: _Entry) -> tuple[_Columns, dict[str, Any]]:
    """The PriceRow price columns, and every other price as metadata (exact strings)."""
    metadata: dict[str, Any] = {}
    prices = _collect_prices(entry.extra_fields())
    verbatim_tiers = _tiered_pricing(entry, prices)
    base = prices.default.base
    batch = prices.variants.get("batches")
    columns = _Columns(
        input=base.pop("input", None),
        output=base.pop("output", None),
        cache_read=base.pop("cache_read", None),
        cache_write=base.pop("cache_write", None),
        batch_input=batch.base.get("input") if batch else None,
        batch_output=batch.base.get("output") if batch else None,
    )
    if base:
        metadata["prices"] = _texts(base)
    if tiers := prices.default.tier_list():
        metadata["tiers"] = tiers
    variants = [
        {
            "when": {"batch": True} if name == "batches" else {"service_tier": name},
            "prices": _texts(variant.base),
            **({"tiers": variant.tier_list()} if variant.tiers else {}),
        }
        for name, variant in sorted(prices.variants.items())
    ]
    if entry.off_peak_pricing:
        off_peak = {k: v for k, v in entry.off_peak_pricing.items() if not _is_price_field(k)}
        variants.append(
            {
                "when": {"off_peak": _jsonable(off_peak)},
                "prices": _texts(_collect_prices(entry.off_peak_pricing).default.base),
            }
        )
    if variants:
        metadata["variants"] = variants
    if prices.unit_prices:
        metadata["unit_prices"] = prices.unit_prices
    if prices.other_per_million:
        metadata["other_prices_per_million"] = _texts(prices.other_per_million)
    if verbatim_tiers:
        metadata["tiered_pricing"] = verbatim_tiers
    return columns, metadata


def _row(key: str, raw: Any) -> PriceRow:
    if isinstance(raw, Refused):
        raise _Rejected(raw.reason)
    if not isinstance(raw, Mapping):
        raise _Rejected(f"entry is a {type(raw).__name__}, not an object")
    if _SIZE_BUCKET.match(key):
        raise _Rejected("LiteLLM size-bucket fallback price, not a model id")
    try:
        entry = _Entry.model_validate(raw)
    except ValidationError as e:
        raise _Rejected(validation_reason(e)) from e

    provider = entry.litellm_provider
    parts = _split_key(key, provider)
    columns, price_metadata = _price_columns(entry)
    metadata: dict[str, Any] = parts.metadata | price_metadata

    deprecation = None
    if entry.deprecation_date is not None:
        deprecation = _parse_date(entry.deprecation_date)
        if deprecation is None:
            # A descriptive field: a malformed date is reported, it does not cost the price.
            metadata["invalid_dates"] = {"deprecation_date": entry.deprecation_date}
    if entry.source:
        metadata["source_url"] = entry.source
    for name in _PASSTHROUGH:
        # Declared ones are validated lists of strings; the rest are kept as published.
        if (value := raw.get(name)) is not None:
            metadata[name] = _jsonable(value)

    capabilities = {
        name.removeprefix("supports_"): value
        for name, value in sorted(entry.extra_fields().items())
        if name.startswith("supports_") and isinstance(value, bool)
    }
    # Zero limits mean "unknown" upstream (Vercel's embedding entries), not zero.
    context = entry.max_input_tokens or None
    max_output = entry.max_output_tokens or None
    model_type = entry.mode
    if model_type is None or model_type in TEXT_TYPES:
        # `mode: chat` with audio-only output is a speech or music model (Gemini TTS, Lyria).
        outputs = entry.supported_output_modalities or []
        last = parts.model_id.rsplit("/", 1)[-1].lower()
        model_type = model_type_from_modalities((), outputs, name=last) or model_type
    info = ModelInfo(
        source_model_id=key,
        author=_author(provider, parts.model_id),
        model_type=model_type,
        context_window=context,
        max_output_tokens=max_output,
        capabilities=capabilities,
        deprecation_date=deprecation,
    )
    free = key.endswith(":free") or (columns.input == 0 and columns.output == 0)
    return PriceRow(
        source_key=key,
        model=info,
        provider_name=provider,
        provider_id=parts.model_id,
        input_price_per_million=columns.input,
        output_price_per_million=columns.output,
        gateway="openrouter" if provider == "openrouter" else "",
        deployment="/".join(parts.deployment),
        cache_read_price_per_million=columns.cache_read,
        cache_write_price_per_million=columns.cache_write,
        batch_input_price_per_million=columns.batch_input,
        batch_output_price_per_million=columns.batch_output,
        is_free_tier=free,
        context_window=context,
        max_output_tokens=max_output,
        provider_metadata=metadata,
    )


def parse_litellm(payload: Any) -> ParsedSource:
    """Map a LiteLLM price map to rows; a bad entry is rejected alone, with its reason."""
    if not isinstance(payload, Mapping):
        raise PayloadError(
            f"{SOURCE}: expected a JSON object of model entries, got {type(payload).__name__}"
        )
    parsed = ParsedSource(source=SOURCE)
    for key, raw in payload.items():
        if key == _SPEC_KEY:
            continue
        try:
            parsed.prices.append(_row(str(key), raw))
        except _Rejected as e:
            parsed.rejected.append(RejectedRow(source_key=str(key), reason=e.reason))
        except Exception as e:  # noqa: BLE001 - one bad entry never stops the payload
            parsed.rejected.append(unexpected_rejection(str(key), e))
    return parsed


# --- fetching ------------------------------------------------------------------------


def litellm_snapshot_path() -> Path:
    """The price map bundled in the installed `litellm` wheel (found without importing it:
    importing litellm takes seconds)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            f"{SOURCE}: the offline snapshot ships with the `litellm` package, which is not "
            "installed; install the extra: pip install 'llm-intelligence[litellm]'"
        )
    for location in spec.submodule_search_locations:
        candidate = Path(location) / SNAPSHOT_FILENAME
        if candidate.is_file():
            return candidate
    raise SourceError(
        f"{SOURCE}: {SNAPSHOT_FILENAME} is missing from the installed litellm package "
        f"({', '.join(spec.submodule_search_locations)}); reinstall the `litellm` extra"
    )


def fetch_litellm(
    *,
    location: str | None,
    offline: bool,
    client: httpx.Client | None = None,
    timeout: float = 30.0,
) -> Any:
    """The LiteLLM price map as parsed JSON (floats as Decimal).

    `location`: a URL or a mirror file (None: LiteLLM's main branch). `offline`: the
    snapshot bundled with the `litellm` package, or `location` when it is a local file.
    """
    if offline:
        if location is None:
            return fetch_json(str(litellm_snapshot_path()), source=SOURCE)
        if is_remote(location):
            raise ConfigError(
                f"{SOURCE}: offline sync cannot fetch {location}; give a local file or no "
                "location (the bundled snapshot)"
            )
        return fetch_json(location, source=SOURCE)
    return fetch_json(
        location or DEFAULT_LITELLM_URL, source=SOURCE, client=client, timeout=timeout
    )
