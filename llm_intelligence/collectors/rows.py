"""What every collector produces: plain, typed rows ready for the set-based writer.

Collectors only fetch, validate and map; they never touch the database. Prices are
Decimal USD per million tokens (see `per_million`). Identity (which canonical model a
source id belongs to) is resolved by `llm_intelligence.identity`, not here: a collector
reports the source's own ids and what it knows about the model's author.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from llm_intelligence.collectors.limits import MAX_KEY_ECHO, MAX_REASON_LENGTH, Refused, clip

if TYPE_CHECKING:
    from pydantic import ValidationError

logger = logging.getLogger(__name__)

MILLION = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What a source says about a model (not a price)."""

    source_model_id: str
    """The id exactly as the source spells it (e.g. `anthropic/claude-sonnet-4.5`)."""
    author: str | None = None
    """Who made the model (`anthropic`, `meta-llama`, ...), if the source says. Stored in
    `models.provider`: in `models` and `model_rankings`, `provider` is the author."""
    display_name: str | None = None
    model_family: str | None = None
    model_type: str | None = None
    """LiteLLM's `mode` vocabulary: chat, completion, embedding, image_generation, ..."""
    context_window: int | None = None
    max_output_tokens: int | None = None
    capabilities: dict[str, bool] = field(default_factory=dict)
    """Flags such as function_calling, vision, reasoning, prompt_caching."""
    release_date: date | None = None
    deprecation_date: date | None = None
    open_weights: bool | None = None


@dataclass(frozen=True, slots=True)
class PriceRow:
    """One price of one model at one serving provider/deployment, as one source reports it."""

    source_key: str
    """Unique within the source: the upsert key (e.g. LiteLLM's JSON key)."""
    model: ModelInfo
    provider_name: str
    """Who serves it: the serving provider slug (`anthropic`, `bedrock`, `azure`, ...)."""
    provider_id: str
    """The model id to send to that provider/deployment."""
    input_price_per_million: Decimal | None
    output_price_per_million: Decimal | None
    gateway: str = ""
    """`openrouter` when the price is for serving through OpenRouter, else ''."""
    deployment: str = ""
    """Region/profile/deployment that carries its own price (`us`, `eu`, `global`, ...)."""
    cache_read_price_per_million: Decimal | None = None
    cache_write_price_per_million: Decimal | None = None
    batch_input_price_per_million: Decimal | None = None
    batch_output_price_per_million: Decimal | None = None
    is_free_tier: bool = False
    context_window: int | None = None
    max_output_tokens: int | None = None
    quantization: str | None = None
    uptime_pct: Decimal | None = None
    latency_ms: Decimal | None = None
    throughput_tps: Decimal | None = None
    provider_metadata: dict[str, Any] = field(default_factory=dict)
    """Tiers (long-context, priority, flex), per-image/per-second prices, anything else."""
    rate_limits: dict[str, Any] = field(default_factory=dict)
    """The offer's documented limits (a free tier's requests per minute/day, tokens per
    request, concurrent requests): `provider_pricing.rate_limits`."""


# PriceRow's prices in USD per million tokens (each a provider_pricing column of that name).
PRICE_FIELDS = (
    "input_price_per_million",
    "output_price_per_million",
    "cache_read_price_per_million",
    "cache_write_price_per_million",
    "batch_input_price_per_million",
    "batch_output_price_per_million",
)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """An upstream entry that could not be stored, with the reason (counted and logged).

    Both texts are made printable and short here, whoever builds the row: they go into log
    lines and `collector_runs.details`, and the upstream decides what they echo."""

    source_key: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "source_key", clip(str(self.source_key), MAX_KEY_ECHO))
        object.__setattr__(self, "reason", clip(str(self.reason), MAX_REASON_LENGTH))


def unexpected_rejection(source_key: str, error: Exception) -> RejectedRow:
    """A row whose mapping raised what no check foresaw: that row is rejected and the
    traceback logged (a bug to fix), and the rest of the payload goes on."""
    logger.warning(
        "unexpected %s while mapping %s", type(error).__name__, clip(source_key, 80), exc_info=True
    )
    return RejectedRow(source_key, f"unexpected {type(error).__name__}: {error}")


@dataclass(slots=True)
class ParsedSource:
    """The result of parsing one source payload."""

    source: str
    prices: list[PriceRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)


# A rejection reason names the first few problems; a row with dozens of them is still one
# readable line in the log and in collector_runs.
_MAX_ERRORS_IN_REASON = 3


def validation_reason(
    error: ValidationError, *, prefix: str = "", hidden: Container[object] = ()
) -> str:
    """The first few validation errors of a rejected row as `field.path: message`.

    `prefix` goes before every path (the part of the payload that was validated on its
    own); `hidden` leaves out location parts that only name a pydantic union member.
    """
    parts = []
    for err in error.errors(include_url=False)[:_MAX_ERRORS_IN_REASON]:
        where = prefix + ".".join(str(p) for p in err["loc"] if p not in hidden)
        message = str(err["msg"]).removeprefix("Value error, ")
        if isinstance(err.get("input"), Refused):
            # What the decoder refused to build: say that, not "not a valid integer".
            message = err["input"].reason
        parts.append(f"{where}: {message}" if where else message)
    more = error.error_count() - _MAX_ERRORS_IN_REASON
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
