"""genai-prices collector: pydantic's curated price catalog.

Payload: the published provider array (`prices/new_data/v2/data.json`, the feed the
`genai-prices` package auto-updates from; the older `prices/data.json` is the frozen v1
feed in the same shape with fewer price keys)::

    [{id, name, api_pattern, models: [{id, name?, match, context_window?, deprecated?,
      prices: {input_mtok, output_mtok, cache_read_mtok, ...}
              | [{constraint?: {start_date} | {start_time, end_time}, prices: {...}}],
      price_variants?: [{when: {processing: batch}, prices: {...}, constraint?}]}]}]

Every `*_mtok` price is USD per million tokens already; any price may be tiered as
`{base, tiers: [{start, price}]}` (the whole request pays the tier price once its input
tokens exceed `start`). Other units keep genai-prices' suffix (`requests_kcount` is USD
per thousand requests, `audio_hours` per hour).

Mapping, one `PriceRow` per (provider, model), priced as of one day (`as_of`, today UTC
by default):

- Conditional prices follow genai-prices' own rule: the last entry whose start date has
  passed wins. Daily windows go to `provider_metadata["time_of_day_prices"]`; prices
  starting after `as_of` go to `provider_metadata["scheduled_prices"]`. genai-prices
  writes DeepSeek's discounted off-peak price as the all-day entry and the standard price
  as daily "peak" windows: when windows price above the all-day entry, the columns hold
  the standard (window) price, like every other source, and the all-day price is kept in
  `provider_metadata["off_peak_prices"]`. An off-peak price never lands in the base columns.
- Input/output/cache prices fill the columns (the base of a tiered price);
  `provider_metadata["prices"]` holds the other prices under the unit name without `_mtok`,
  `provider_metadata["tiers"]` the tiers grouped by threshold (a price absent from a tier keeps
  the price it had below it), all as exact decimal strings.
- The `{processing: batch}` variant fills the batch columns; every variant is kept in
  `provider_metadata["variants"]` as published (partial: absent prices are the standard ones).
- An empty price set means "costs nothing" in genai-prices (OpenRouter `:free` models,
  Gemma on the Gemini API): the row is a free tier priced 0/0.
"""

from __future__ import annotations

import dataclasses
import functools
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

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
    "DEFAULT_GENAI_PRICES_URL",
    "SOURCE",
    "load_genai_prices_snapshot",
    "parse_genai_prices",
]

SOURCE = "genai-prices"
DEFAULT_GENAI_PRICES_URL = (
    "https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json"
)

_COLUMNS = ("input", "output", "cache_read", "cache_write")
_BATCH = {"processing": "batch"}
_TAGS = frozenset({"flat", "tiered", "single", "conditional"})

_Price = Annotated[Decimal, BeforeValidator(exact_decimal)]


class _Strict(BaseModel):
    # Strict numbers and flags (no "1" -> 1 coercion); dates and times below opt out
    # because JSON carries them as strings. Unknown fields are tolerated.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


class _Tier(_Strict):
    start: int = Field(ge=0)
    price: _Price


class _Tiered(_Strict):
    base: _Price
    tiers: list[_Tier]


def _price_kind(value: Any) -> str:
    return "tiered" if isinstance(value, dict | _Tiered) else "flat"


_PriceValue = Annotated[
    Annotated[_Price, Tag("flat")] | Annotated[_Tiered, Tag("tiered")],
    Discriminator(_price_kind),
]
_PriceSet = dict[str, _PriceValue]


class _Constraint(_Strict):
    start_date: date | None = Field(default=None, strict=False)
    start_time: time | None = Field(default=None, strict=False)
    end_time: time | None = Field(default=None, strict=False)

    @model_validator(mode="after")
    def _one_kind(self) -> _Constraint:
        daily = self.start_time is not None and self.end_time is not None
        if (self.start_date is not None) == daily:
            raise ValueError("expected either {start_date} or {start_time, end_time}")
        return self


class _Conditional(_Strict):
    constraint: _Constraint | None = None
    prices: _PriceSet


class _Variant(_Strict):
    when: dict[str, str] = Field(min_length=1)
    prices: _PriceSet
    constraint: _Constraint | None = None


def _prices_kind(value: Any) -> str:
    return "conditional" if isinstance(value, list) else "single"


class _Model(_Strict):
    id: str = Field(min_length=1)
    name: str | None = None
    context_window: int | None = Field(default=None, ge=0)
    deprecated: bool | None = None
    price_comments: str | None = None
    match: Any = None
    prices: Annotated[
        Annotated[_PriceSet, Tag("single")]
        | Annotated[list[_Conditional], Field(min_length=1), Tag("conditional")],
        Discriminator(_prices_kind),
    ]
    price_variants: list[_Variant] | None = None


class _Provider(_Strict):
    id: str = Field(min_length=1)
    name: str | None = None
    models: list[Any]


def parse_genai_prices(payload: Any, *, as_of: date | None = None) -> ParsedSource:
    """Map a genai-prices provider array to price rows, priced as of `as_of`.

    Pure once `as_of` is given (default: today in UTC). A payload that is not a list of
    providers raises `PayloadError`; a malformed provider or model becomes a `RejectedRow`
    naming it and never fails the whole payload. Parse the JSON with `parse_float=Decimal`.
    """
    if not isinstance(payload, list):
        raise PayloadError(
            f"genai-prices: payload is {type(payload).__name__}, expected a list of providers"
        )
    day = as_of if as_of is not None else datetime.now(UTC).date()
    result = ParsedSource(source=SOURCE)
    seen: set[str] = set()
    for index, raw_provider in enumerate(payload):
        try:
            provider = _Provider.model_validate(raw_provider)
        except ValidationError as e:
            name = _raw_id(raw_provider, f"#{index}")
            result.rejected.append(
                RejectedRow(
                    name, f"genai-prices provider {name}: {validation_reason(e, hidden=_TAGS)}"
                )
            )
            continue
        for model_index, raw_model in enumerate(provider.models):
            key = f"{provider.id}/{_raw_id(raw_model, f'#{model_index}')}"
            try:
                model = _Model.model_validate(raw_model)
            except ValidationError as e:
                result.rejected.append(
                    RejectedRow(key, f"genai-prices {key}: {validation_reason(e, hidden=_TAGS)}")
                )
                continue
            if key in seen:
                # The source key is the upsert key: a second entry would overwrite the first.
                result.rejected.append(RejectedRow(key, f"genai-prices {key}: duplicate model id"))
                continue
            seen.add(key)
            try:
                result.prices.append(_price_row(provider, model, day))
            except Exception as e:  # noqa: BLE001 - one bad model never stops the payload
                result.rejected.append(unexpected_rejection(key, e))
    return result


def load_genai_prices_snapshot() -> Any:
    """The catalog bundled in the installed `genai-prices` package, as the published JSON.

    The package ships its data as Python objects (`genai_prices.data.providers`), not as
    JSON; they are turned back into the data.json structure (prices stay Decimal, dates
    and times become ISO strings) so that one parser serves the snapshot and the feed.
    """
    try:
        from genai_prices.data import providers
        from genai_prices.types import ModelPrice
    except ImportError as e:
        raise SourceError(
            "genai-prices: the offline snapshot needs the `genai-prices` package "
            f"(pip install genai-prices): {e}"
        ) from e
    return _to_json_shape(providers, model_price_type=ModelPrice)


def _to_json_shape(value: Any, *, model_price_type: type) -> Any:
    if isinstance(value, str | int | float | Decimal):  # most values: leaves first
        return value
    if isinstance(value, model_price_type):
        # ModelPrice is not a dataclass: its published prices are its instance attributes.
        return {
            key: _to_json_shape(price, model_price_type=model_price_type)
            for key, price in vars(value).items()
            if price is not None and not key.startswith("_")
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        shaped: dict[str, Any] = {}
        for name, key in _json_keys(type(value)):
            item = getattr(value, name)
            if item is not None:
                shaped[key] = _to_json_shape(item, model_price_type=model_price_type)
        return shaped
    if isinstance(value, list | tuple):
        return [_to_json_shape(item, model_price_type=model_price_type) for item in value]
    if isinstance(value, dict):
        return {k: _to_json_shape(v, model_price_type=model_price_type) for k, v in value.items()}
    if isinstance(value, date | time):
        return value.isoformat()
    return value


@functools.cache
def _json_keys(cls: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) of a dataclass's public fields, worked out once per class:
    `or_`/`and_` are Python spellings of the JSON keys `or`/`and`."""
    return tuple(
        (f.name, f.name.removesuffix("_"))
        for f in dataclasses.fields(cls)
        if not f.name.startswith("_")
    )


def _price_row(provider: _Provider, model: _Model, day: date) -> PriceRow:
    metadata: dict[str, Any] = {}
    scheduled: list[dict[str, Any]] = []
    daily: list[dict[str, Any]] = []

    if isinstance(model.prices, dict):
        current = model.prices
    else:
        current, since = _current(model.prices, day)
        if since is not None:
            metadata["price_start_date"] = since.isoformat()
        for entry in model.prices:
            _note_constrained(entry.constraint, entry.prices, {}, day, scheduled, daily)

    current = _standard_price(current, model.prices, metadata)
    flat, tiers = _texts(current)
    free = all(_is_zero(value) for value in current.values())
    if extra := {k: v for k, v in flat.items() if k not in _COLUMNS}:
        metadata["prices"] = extra
    if tiers:
        metadata["tiers"] = tiers

    variants: dict[tuple[tuple[str, str], ...], _PriceSet] = {}
    for variant in model.price_variants or ():
        if _note_constrained(
            variant.constraint, variant.prices, variant.when, day, scheduled, daily
        ):
            # First active variant wins per price (genai-prices resolves them in order).
            merged = variants.setdefault(tuple(sorted(variant.when.items())), {})
            for price_key, price in variant.prices.items():
                merged.setdefault(price_key, price)
    if variants:
        metadata["variants"] = [
            {"when": dict(when), **_texts_json(prices)} for when, prices in variants.items()
        ]
    batch = variants.get(tuple(sorted(_BATCH.items())), {})
    if scheduled:
        metadata["scheduled_prices"] = scheduled
    if daily:
        metadata["time_of_day_prices"] = daily
    if model.deprecated:
        metadata["deprecated"] = True
    if model.price_comments:
        metadata["price_comments"] = model.price_comments
    if model.match is not None:
        metadata["match"] = model.match
    if provider.name:
        metadata["provider_name"] = provider.name

    input_price = _base(current.get("input_mtok"))
    output_price = _base(current.get("output_mtok"))
    if not current:
        # An empty price set is genai-prices' way of saying the model costs nothing.
        input_price = output_price = Decimal(0)
    context = model.context_window or None
    return PriceRow(
        source_key=f"{provider.id}/{model.id}",
        model=ModelInfo(source_model_id=model.id, display_name=model.name, context_window=context),
        provider_name=provider.id,
        provider_id=model.id,
        input_price_per_million=input_price,
        output_price_per_million=output_price,
        gateway=_gateway(provider.id),
        cache_read_price_per_million=_base(current.get("cache_read_mtok")),
        cache_write_price_per_million=_base(current.get("cache_write_mtok")),
        batch_input_price_per_million=_base(batch.get("input_mtok", current.get("input_mtok")))
        if batch
        else None,
        batch_output_price_per_million=_base(batch.get("output_mtok", current.get("output_mtok")))
        if batch
        else None,
        is_free_tier=free,
        context_window=context,
        provider_metadata=metadata,
    )


def _standard_price(
    current: _PriceSet,
    prices: _PriceSet | list[_Conditional],
    metadata: dict[str, Any],
) -> _PriceSet:
    """The standard (peak) price when daily windows price above the all-day one."""
    if isinstance(prices, dict):
        return current
    windows = [
        entry.prices
        for entry in prices
        if entry.constraint is not None and entry.constraint.start_time is not None
    ]
    if not windows:
        return current
    peak = max(windows, key=lambda w: _base(w.get("input_mtok")) or Decimal(0))
    peak_input, off_input = _base(peak.get("input_mtok")), _base(current.get("input_mtok"))
    if peak_input is None or off_input is None or peak_input <= off_input:
        return current
    metadata["off_peak_prices"] = {"off_peak": True, **_texts_json(current)}
    return {**current, **peak}


def _current(entries: list[_Conditional], day: date) -> tuple[_PriceSet, date | None]:
    """(the list price on `day`, its start date): the last entry that has started."""
    for entry in reversed(entries):
        constraint = entry.constraint
        if constraint is None:
            return entry.prices, None
        if constraint.start_date is not None and constraint.start_date <= day:
            return entry.prices, constraint.start_date
    # genai-prices' own fallback; unreachable for its data, which always has one
    # unconstrained entry.
    return entries[0].prices, None


def _note_constrained(
    constraint: _Constraint | None,
    prices: _PriceSet,
    when: dict[str, str],
    day: date,
    scheduled: list[dict[str, Any]],
    daily: list[dict[str, Any]],
) -> bool:
    """Record a future or time-of-day price in metadata; True if it applies all day on `day`."""
    if constraint is None:
        return True
    head: dict[str, Any] = {"when": when} if when else {}
    if constraint.start_time is not None and constraint.end_time is not None:
        window = {
            "start_time": constraint.start_time.isoformat(),
            "end_time": constraint.end_time.isoformat(),
        }
        daily.append({**window, **head, **_texts_json(prices)})
        return False
    if constraint.start_date is not None and constraint.start_date > day:
        scheduled.append(
            {"start_date": constraint.start_date.isoformat(), **head, **_texts_json(prices)}
        )
        return False
    return True


def _texts(prices: _PriceSet) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(base prices, tiers grouped by threshold) as exact decimal strings."""
    flat: dict[str, str] = {}
    by_start: dict[int, dict[str, str]] = {}
    for key, value in prices.items():
        name = key.removesuffix("_mtok")
        if isinstance(value, _Tiered):
            flat[name] = decimal_text(value.base)
            for tier in value.tiers:
                by_start.setdefault(tier.start, {})[name] = decimal_text(tier.price)
        else:
            flat[name] = decimal_text(value)
    tiers = [{"above_input_tokens": start, **texts} for start, texts in sorted(by_start.items())]
    return flat, tiers


def _texts_json(prices: _PriceSet) -> dict[str, Any]:
    flat, tiers = _texts(prices)
    return {"prices": flat, "tiers": tiers} if tiers else {"prices": flat}


def _base(value: Decimal | _Tiered | None) -> Decimal | None:
    return value.base if isinstance(value, _Tiered) else value


def _is_zero(value: Decimal | _Tiered) -> bool:
    if isinstance(value, _Tiered):
        return value.base == 0 and all(tier.price == 0 for tier in value.tiers)
    return value == 0


def _gateway(provider_id: str) -> str:
    if provider_id == "openrouter":
        return "openrouter"
    # `huggingface_<host>` is Hugging Face's router serving through <host>, at HF's price.
    if provider_id.startswith("huggingface_"):
        return "huggingface"
    return ""


def _raw_id(raw: Any, fallback: str) -> str:
    """The entry's `id` for error messages, even when the entry failed validation."""
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return str(raw["id"])
    return fallback
