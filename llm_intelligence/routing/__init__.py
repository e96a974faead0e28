"""Routing: in-process snapshot, strategies, task classification, fallback chains.

`Router` / `AsyncRouter` (client.py) are the API; `core` holds the decisions (pure
functions over a `Snapshot`); `transports` reads the SQL API over psycopg or PostgREST;
`classifier` tells a prompt's task. The package facade (`llm_intelligence`) re-exports
what a proxy needs, with module-level functions over a default router.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from llm_intelligence.routing.client import AsyncRouter, Router, transport_from_settings
from llm_intelligence.routing.snapshot import Snapshot
from llm_intelligence.routing.types import (
    STRATEGIES,
    Constraints,
    ModelPricing,
    ProviderChoice,
    ProviderOption,
    RankedModel,
    RouteOption,
    RoutingDecision,
    Strategy,
    Weights,
)

__all__ = [
    "STRATEGIES",
    "AsyncRouter",
    "Constraints",
    "ModelPricing",
    "ProviderChoice",
    "ProviderOption",
    "RankedModel",
    "RouteOption",
    "Router",
    "RoutingDecision",
    "Snapshot",
    "Strategy",
    "Weights",
    "async_router",
    "build_fallback_chain",
    "close_default_routers",
    "default_router",
    "estimate_cost",
    "get_model_pricing",
    "get_optimal_provider",
    "get_ranked_models",
    "record_usage",
    "report_failure",
    "route",
    "transport_from_settings",
]


@functools.cache
def default_router() -> Router:
    """The process's default Router, created on first call from the environment's
    settings (and cached by this function: the only shared instance; no module-level
    variable holds it). `close_default_routers()` closes it; atexit does too."""
    return Router()


@functools.cache
def async_router() -> AsyncRouter:
    """The process's default AsyncRouter (see default_router)."""
    return AsyncRouter()


def close_default_routers() -> None:
    """Close the default routers (flushing their usage) and forget them."""
    if default_router.cache_info().currsize:
        default_router().close()
    if async_router.cache_info().currsize:
        async_router()._close()
    default_router.cache_clear()
    async_router.cache_clear()


def get_ranked_models(
    category: str | None = None,
    *,
    weights: Weights | Mapping[str, Any] | None = None,
    constraints: Constraints | None = None,
    limit: int = 10,
) -> list[RankedModel]:
    """`default_router().get_ranked_models(...)`."""
    return default_router().get_ranked_models(
        category, weights=weights, constraints=constraints, limit=limit
    )


def get_optimal_provider(model: str, *, constraints: Constraints | None = None) -> ProviderChoice:
    """`default_router().get_optimal_provider(model)`."""
    return default_router().get_optimal_provider(model, constraints=constraints)


def get_model_pricing(model: str) -> ModelPricing:
    """`default_router().get_model_pricing(model)`."""
    return default_router().get_model_pricing(model)


def estimate_cost(
    model: str, input_tokens: int, output_tokens: int, provider: str | None = None
) -> Decimal:
    """`default_router().estimate_cost(...)`: exact USD."""
    return default_router().estimate_cost(model, input_tokens, output_tokens, provider)


def build_fallback_chain(
    model_or_category: str | None,
    *,
    strategy: Strategy = "balanced",
    constraints: Constraints | None = None,
    limit: int = 5,
) -> tuple[RouteOption, ...]:
    """`default_router().build_fallback_chain(...)`."""
    return default_router().build_fallback_chain(
        model_or_category, strategy=strategy, constraints=constraints, limit=limit
    )


def route(
    prompt_or_messages: Any,
    *,
    strategy: Strategy = "balanced",
    constraints: Constraints | None = None,
    expected_output_tokens: int | None = None,
) -> RoutingDecision:
    """`default_router().route(...)`."""
    return default_router().route(
        prompt_or_messages,
        strategy=strategy,
        constraints=constraints,
        expected_output_tokens=expected_output_tokens,
    )


def record_usage(
    *,
    model: str,
    provider_name: str,
    input_tokens: int,
    output_tokens: int,
    latency_ms: int,
    success: bool,
    cost: Decimal | None = None,
) -> None:
    """`default_router().record_usage(...)`: queued, flushed in the background."""
    default_router().record_usage(
        model=model,
        provider_name=provider_name,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        latency_ms=latency_ms,
        success=success,
        cost=cost,
    )


def report_failure(model: str, provider_name: str) -> None:
    """`default_router().report_failure(...)`: skip that provider for 30 s."""
    default_router().report_failure(model, provider_name)
