"""The routing API's value objects: frozen, Decimal money, the seed's names.

`provider_name` is who serves a model, `provider_id` the model id to send to that provider,
`provider` (on a ranked model) who made it. Prices are USD per million tokens.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal

Strategy = Literal[
    "balanced",
    "cost_optimized",
    "latency_optimized",
    "quality_optimized",
    "local_first",
    "capability_match",
]
STRATEGIES: Final[tuple[Strategy, ...]] = (
    "balanced",
    "cost_optimized",
    "latency_optimized",
    "quality_optimized",
    "local_first",
    "capability_match",
)

CAPABILITIES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        # The capability a caller asks for -> the models.capabilities keys that grant it
        # (the sources name JSON output three ways).
        "vision": ("vision",),
        "function_calling": ("function_calling",),
        "json_output": ("json_output", "response_schema", "structured_output"),
        "reasoning": ("reasoning",),
    }
)

CHARS_PER_TOKEN: Final = 4
"""Token estimate of a request: ceil(characters / 4), the usual rule of thumb for English
text with OpenAI-style tokenizers (no tokenizer is loaded: a routing decision must stay in
microseconds). Good to about +-25 % on prose; code and non-Latin scripts run higher."""

MILLION: Final = Decimal(1_000_000)


def estimate_tokens(text: str) -> int:
    """ceil(len(text) / 4): see `CHARS_PER_TOKEN`."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def _frozen(values: Iterable[str] | None) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return frozenset((values,))
    return frozenset(values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraints:
    """Per-request limits; every field optional (None: no limit).

    - max_cost_per_request: USD for this request (estimated input tokens x input price +
      expected output tokens x output price).
    - max_price_per_million: USD per million tokens, the offer's blended price
      ((3 x input + output) / 4).
    - max_latency_ms: the offer's latency (observed in usage stats, else the source's
      figure); an offer with no latency figure passes.
    - min_context: the model's context window must be at least this; the request itself
      (estimated input + expected output tokens) must fit in any case.
    - required_capabilities: of vision, function_calling, json_output, reasoning (read
      from models.capabilities).
    - budget_remaining: USD left; the request's expected cost must not exceed it.
    - allowed_/excluded_providers (provider_name) and allowed_/excluded_models (canonical
      names)."""

    max_cost_per_request: Decimal | None = None
    max_price_per_million: Decimal | None = None
    max_latency_ms: int | None = None
    min_context: int | None = None
    required_capabilities: frozenset[str] = frozenset()
    budget_remaining: Decimal | None = None
    allowed_providers: frozenset[str] | None = None
    excluded_providers: frozenset[str] = frozenset()
    allowed_models: frozenset[str] | None = None
    excluded_models: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable of names (a list, a set, one string) and store frozensets.
        for name in ("allowed_providers", "allowed_models"):
            object.__setattr__(self, name, _frozen(getattr(self, name)))
        for name in ("excluded_providers", "excluded_models", "required_capabilities"):
            object.__setattr__(self, name, _frozen(getattr(self, name)) or frozenset())
        unknown = self.required_capabilities - CAPABILITIES.keys()
        if unknown:
            raise ValueError(
                f"unknown capabilities {sorted(unknown)}; expected some of {sorted(CAPABILITIES)}"
            )
        for name in ("max_cost_per_request", "max_price_per_million", "budget_remaining"):
            value = getattr(self, name)
            if value is not None:
                value = Decimal(str(value)) if not isinstance(value, Decimal) else value
                if not value.is_finite() or value < 0:
                    raise ValueError(f"{name} must be a finite number >= 0, got {value}")
                object.__setattr__(self, name, value)
        for name in ("max_latency_ms", "min_context"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")

    def with_capabilities(self, capabilities: Iterable[str]) -> Constraints:
        """A copy that also requires `capabilities`."""
        from dataclasses import replace

        return replace(self, required_capabilities=self.required_capabilities | set(capabilities))


NO_CONSTRAINTS: Final = Constraints()


@dataclass(frozen=True, slots=True)
class Weights:
    """Ranking weights for `rank_models` (normalised by SQL: only their ratio matters)."""

    cost: Decimal
    performance: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderOption:
    """One offer of a model, as `provider_options()` (and `current_pricing`) give it."""

    provider_name: str
    provider_id: str
    input_price_per_million: Decimal
    output_price_per_million: Decimal
    blended_price_per_million: Decimal
    is_free_tier: bool
    selection_probability: Decimal
    price_basis: str
    """Why this offer has its share: the pool's basis, or 'excluded:<reason>'."""
    pricing_id: int | None = None
    trust_tier: str | None = None
    provider_kind: str | None = None
    uptime_pct: Decimal | None = None
    latency_ms: Decimal | None = None
    context_window: int | None = None
    deployment: str = ""

    @property
    def in_pool(self) -> bool:
        """Shares the traffic per SQL (not an outlier, another tier, or an outage)."""
        return not self.price_basis.startswith("excluded:")

    def request_cost(self, input_tokens: int, output_tokens: int) -> Decimal:
        """Exact USD: (input x input price + output x output price) / 1e6."""
        return (
            input_tokens * self.input_price_per_million
            + output_tokens * self.output_price_per_million
        ).scaleb(-6)

    def as_dict(self) -> dict[str, Any]:
        return {
            "provider_name": self.provider_name,
            "provider_id": self.provider_id,
            "input_price_per_million": self.input_price_per_million,
            "output_price_per_million": self.output_price_per_million,
            "blended_price_per_million": self.blended_price_per_million,
            "is_free_tier": self.is_free_tier,
            "selection_probability": self.selection_probability,
            "price_basis": self.price_basis,
            "trust_tier": self.trust_tier,
            "uptime_pct": self.uptime_pct,
            "latency_ms": self.latency_ms,
        }


class RankedModel(str):
    """A ranked model: its canonical name as a `str` (usable wherever a model name is
    expected: `get_ranked_models(category="coding")[0]` can be sent as `model=`), with
    the ranking row's columns as attributes (`.rank`, `.composite_score`,
    `.min_input_cost`, ... whatever `rank_models` returns, read by name) and in `.row`."""

    row: Mapping[str, Any]

    def __new__(cls, name: str, *, row: Mapping[str, Any]) -> RankedModel:
        self = super().__new__(cls, name)
        object.__setattr__(self, "row", MappingProxyType(dict(row)))
        return self

    @property
    def name(self) -> str:
        return str.__str__(self)

    @property
    def rank(self) -> int | None:
        value = self.row.get("rank")
        return int(value) if value is not None else None

    def __getattr__(self, column: str) -> Any:
        try:
            return self.row[column]
        except KeyError:
            raise AttributeError(column) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("RankedModel is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_ranked_model, (str(self), dict(self.row)))


def _ranked_model(name: str, row: dict[str, Any]) -> RankedModel:
    return RankedModel(name, row=row)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderChoice:
    """`get_optimal_provider`'s answer: whom to send the request to, and why."""

    model: str
    provider_name: str
    provider_id: str
    """The model id to send to that provider."""
    input_price_per_million: Decimal
    output_price_per_million: Decimal
    blended_price_per_million: Decimal
    probability: Decimal
    """This provider's share of the pick (1/price^2 among the eligible ones)."""
    reason: str
    option: ProviderOption = field(repr=False)

    def as_dict(self) -> dict[str, Any]:
        """The seed's dict form (`provider_data['provider_id']`)."""
        return {
            "model": self.model,
            "provider_name": self.provider_name,
            "provider_id": self.provider_id,
            "input_price_per_million": self.input_price_per_million,
            "output_price_per_million": self.output_price_per_million,
            "blended_price_per_million": self.blended_price_per_million,
            "probability": self.probability,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelPricing:
    """A model's prices: the ranking's minimums and every offer (`providers`)."""

    model: str
    min_input_cost: Decimal | None
    min_output_cost: Decimal | None
    min_blended_cost: Decimal | None
    price_basis: str | None
    has_free_tier: bool
    providers: tuple[ProviderOption, ...]

    def as_dict(self) -> dict[str, Any]:
        """The seed's dict form: minimums under the seed's names and the offers."""
        return {
            "model": self.model,
            "min_input_cost": self.min_input_cost,
            "min_output_cost": self.min_output_cost,
            "min_blended_cost": self.min_blended_cost,
            "input_price_per_million": self.min_input_cost,
            "output_price_per_million": self.min_output_cost,
            "price_basis": self.price_basis,
            "has_free_tier": self.has_free_tier,
            "providers": [p.as_dict() for p in self.providers],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteOption:
    """One (model, provider) pair of a route or fallback chain, with its expected cost."""

    model: str
    provider_name: str
    provider_id: str
    expected_cost: Decimal
    input_price_per_million: Decimal
    output_price_per_million: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingDecision:
    """`route()`'s answer."""

    task_type: str
    confidence: float
    category: str
    strategy: Strategy
    model: str
    provider_name: str
    provider_id: str
    input_tokens: int
    """Estimated: ceil(characters / 4) (see CHARS_PER_TOKEN)."""
    expected_output_tokens: int
    expected_cost: Decimal
    """input_tokens x input price + expected_output_tokens x output price, exact USD."""
    fallbacks: tuple[RouteOption, ...]
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_type": self.task_type,
            "confidence": self.confidence,
            "category": self.category,
            "strategy": self.strategy,
            "model": self.model,
            "provider_name": self.provider_name,
            "provider_id": self.provider_id,
            "input_tokens": self.input_tokens,
            "expected_output_tokens": self.expected_output_tokens,
            "expected_cost": self.expected_cost,
            "fallbacks": [
                {
                    "model": f.model,
                    "provider_name": f.provider_name,
                    "provider_id": f.provider_id,
                    "expected_cost": f.expected_cost,
                }
                for f in self.fallbacks
            ],
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageRecord:
    """One request's outcome, queued for `record_usage` (SQL)."""

    model: str
    provider_name: str
    input_tokens: int
    output_tokens: int
    cost: Decimal
    latency_ms: int
    success: bool
