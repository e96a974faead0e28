"""llm-intelligence: LLM models, provider prices and benchmarks, ranked in SQL.

What a proxy imports:

    from llm_intelligence import get_optimal_provider, get_ranked_models, route
    choice = get_optimal_provider("gpt-4o")        # provider_name, provider_id, prices, reason
    decision = route("Fix this Python traceback ...", strategy="cost_optimized")

The module-level functions use a default `Router`, created on first use from the
environment (`default_router()`; DATABASE_URL / the embedded server, or SUPABASE_URL +
SUPABASE_KEY) and closed at exit. Build your own `Router(...)` or `AsyncRouter(...)` for
other settings; both answer from an in-process snapshot (no database round trip).
"""

from llm_intelligence.config import Settings, load_settings
from llm_intelligence.errors import LLMIntelError, NoRouteError, UnknownModelError
from llm_intelligence.routing import (
    STRATEGIES,
    AsyncRouter,
    Constraints,
    ModelPricing,
    ProviderChoice,
    ProviderOption,
    RankedModel,
    RouteOption,
    Router,
    RoutingDecision,
    Snapshot,
    Strategy,
    Weights,
    async_router,
    build_fallback_chain,
    close_default_routers,
    default_router,
    estimate_cost,
    get_model_pricing,
    get_optimal_provider,
    get_ranked_models,
    record_usage,
    report_failure,
    route,
)

__all__ = [
    "STRATEGIES",
    "AsyncRouter",
    "Constraints",
    "LLMIntelError",
    "ModelPricing",
    "NoRouteError",
    "ProviderChoice",
    "ProviderOption",
    "RankedModel",
    "RouteOption",
    "Router",
    "RoutingDecision",
    "Settings",
    "Snapshot",
    "Strategy",
    "UnknownModelError",
    "Weights",
    "async_router",
    "build_fallback_chain",
    "close_default_routers",
    "default_router",
    "estimate_cost",
    "get_model_pricing",
    "get_optimal_provider",
    "get_ranked_models",
    "load_settings",
    "record_usage",
    "report_failure",
    "route",
]
