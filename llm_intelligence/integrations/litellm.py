"""LiteLLM integration (the `[litellm]` extra): route a `litellm.Router`'s model groups by
our provider weights, and record every request's usage.

    import litellm
    from llm_intelligence.integrations.litellm import UsageLogger, install

    router = litellm.Router(model_list=[...], enable_pre_call_checks=True)
    install(router)                          # our pick among LiteLLM's healthy deployments
    litellm.callbacks.append(UsageLogger())  # tokens, cost, latency, success -> record_usage

The hook: `Router.set_custom_routing_strategy` (LiteLLM's `CustomRoutingStrategyBase`, the
way LiteLLM's own LAR-1 strategy plugs in). Our `async_get_available_deployment` first asks
the router itself for the model group's healthy deployments
(`Router.async_get_healthy_deployments`: cooldowns, health checks, `async_filter_deployments`
callbacks, the context-window pre-call checks when `enable_pre_call_checks=True`, tags,
`order`), then picks one of *those* at random weighted like `get_optimal_provider`: 1/price^2
of the offer the deployment is (OpenRouter's rule), skipping offers SQL keeps out of the pool
and providers that failed in the last 30 seconds unless nothing else is left. A deployment
LiteLLM filtered out is never returned. (`CustomLogger.async_filter_deployments` runs before
LiteLLM's context-window check and in the async path only, so a pick made there could be
removed afterwards; a routing plugin (`Router(plugins=...)`) sees model names, not healthy
deployments.)

A deployment maps to our catalog by its `litellm_params.model`: the provider prefix
(`bedrock/`, `openrouter/`, `azure/`, or LiteLLM's inference for a bare name) is the
provider_name (`identity.canonical_provider`), and the rest is the offer's provider_id, or
else any name or alias of a ranked model. A deployment we know nothing about gets a neutral
weight: the median of the known ones among the candidates (all equal when none is known).

Constraints (`Constraints`) apply per router (`install(..., constraints=...)`) or per request
(`metadata={"llm_intelligence_constraints": {...}}`): a deployment whose model or offer they
exclude is not picked; when they exclude every candidate the request fails with
`NoRouteError` (LiteLLM then tries its fallbacks).

The sync path (`Router.completion`) runs the same async selection on a private event loop;
prefer the async API (what the proxy uses).

For the LiteLLM proxy, list `llm_intelligence.integrations.litellm.proxy_handler` under
`litellm_settings.callbacks`: it records usage and installs the routing strategy on the
proxy's router before its first request.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import logging
import statistics
import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from random import Random
from typing import TYPE_CHECKING, Any, Final

import litellm
from litellm.integrations.custom_logger import CustomLogger
from litellm.types.router import CustomRoutingStrategyBase

from llm_intelligence.errors import NoRouteError
from llm_intelligence.identity import canonical_provider
from llm_intelligence.routing import Constraints, ProviderOption, Router, Snapshot, default_router
from llm_intelligence.routing.core import Request, eligible_offers, request_text
from llm_intelligence.routing.snapshot import ModelEntry, offer_weight
from llm_intelligence.routing.types import NO_CONSTRAINTS, estimate_tokens

if TYPE_CHECKING:
    from litellm.router import Router as LiteLLMRouter

__all__ = [
    "CONSTRAINTS_METADATA_KEY",
    "DeploymentResolver",
    "DeploymentTarget",
    "RoutingStrategy",
    "UsageLogger",
    "install",
]

logger = logging.getLogger(__name__)

CONSTRAINTS_METADATA_KEY: Final = "llm_intelligence_constraints"
"""Request metadata key holding per-request Constraints (or a dict of their fields)."""

DEFAULT_OUTPUT_TOKENS: Final = 300
"""Expected output tokens of a request without max_tokens (for cost constraints)."""

_COST_QUANTUM: Final = Decimal("1e-12")


# --- deployment -> (model, provider_name, offer) -----------------------------------------


@dataclass(frozen=True, slots=True)
class DeploymentTarget:
    """What a LiteLLM deployment is in our catalog: `entry` None when the model is unknown,
    `option` None when that provider's offer of it is."""

    provider_name: str | None
    entry: ModelEntry | None
    option: ProviderOption | None


def _litellm_provider(model: str) -> str | None:
    """LiteLLM's provider for a model string without a known prefix (None if it has none)."""
    try:
        return str(litellm.get_llm_provider(model=model)[1])
    except (litellm.exceptions.BadRequestError, ValueError, KeyError):
        return None


def _known_prefixes() -> frozenset[str]:
    return frozenset(getattr(p, "value", p) for p in litellm.provider_list)


class DeploymentResolver:
    """Maps `litellm_params.model` strings to catalog offers, memoised per snapshot (a new
    snapshot starts a new memo: prices and offers move with it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._offers: dict[tuple[str, str], tuple[ModelEntry, ProviderOption]] = {}
        self._memo: dict[tuple[str, str | None], DeploymentTarget] = {}
        self._prefixes = _known_prefixes()

    def _index(self, snapshot: Snapshot) -> None:
        offers: dict[tuple[str, str], tuple[ModelEntry, ProviderOption]] = {}
        for entry in snapshot.models.values():
            for option in entry.options:
                key = (option.provider_name, option.provider_id.lower())
                known = offers.get(key)
                # The pool's offer, then the cheaper one, for a provider_id listed twice.
                if known is None or (option.in_pool, -option.blended_price_per_million) > (
                    known[1].in_pool,
                    -known[1].blended_price_per_million,
                ):
                    offers[key] = (entry, option)
        self._offers = offers
        self._memo = {}
        self._snapshot = snapshot

    def split(self, model: str, custom_llm_provider: str | None = None) -> tuple[str | None, str]:
        """(LiteLLM provider, the model id sent to it) of a `litellm_params.model`."""
        if custom_llm_provider:
            prefix = f"{custom_llm_provider}/"
            return custom_llm_provider, model[len(prefix) :] if model.startswith(prefix) else model
        head, sep, rest = model.partition("/")
        if sep and head in self._prefixes:
            return head, rest
        return _litellm_provider(model), model

    def resolve(
        self, snapshot: Snapshot, model: str, custom_llm_provider: str | None = None
    ) -> DeploymentTarget:
        """The catalog offer a deployment's model string stands for."""
        with self._lock:
            if snapshot is not self._snapshot:
                self._index(snapshot)
            key = (model, custom_llm_provider)
            found = self._memo.get(key)
            if found is None:
                found = self._resolve(snapshot, model, custom_llm_provider)
                if len(self._memo) < 100_000:
                    self._memo[key] = found
            return found

    def _resolve(
        self, snapshot: Snapshot, model: str, custom_llm_provider: str | None
    ) -> DeploymentTarget:
        provider, model_id = self.split(model, custom_llm_provider)
        provider_name = snapshot.provider_name(canonical_provider(provider)) if provider else None
        if provider_name is not None:
            hit = self._offers.get((provider_name, model_id.lower()))
            if hit is not None:
                return DeploymentTarget(provider_name, hit[0], hit[1])
        entry = snapshot.lookup(model_id) or snapshot.lookup(model)
        if entry is None and "/" in model_id:
            # openrouter/<author>/<model>, azure_ai/<deployment>/...: the last segment.
            entry = snapshot.lookup(model_id.rsplit("/", 1)[1])
        if entry is None:
            return DeploymentTarget(provider_name, None, None)
        at = [o for o in entry.options if o.provider_name == provider_name]
        option = (
            min(at, key=lambda o: (not o.in_pool, o.is_free_tier, o.blended_price_per_million))
            if at
            else None
        )
        return DeploymentTarget(provider_name, entry, option)


# --- the routing strategy -------------------------------------------------------------


def _constraints(value: Any) -> Constraints | None:
    if value is None or isinstance(value, Constraints):
        return value
    if isinstance(value, Mapping):
        return Constraints(**value)
    raise TypeError(
        f"metadata[{CONSTRAINTS_METADATA_KEY!r}] must be Constraints or a mapping of its"
        f" fields, got {type(value).__name__}"
    )


def _model_exclusion(entry: ModelEntry, c: Constraints) -> str | None:
    # The model-level part of the routing core's constraint check (its helper is private).
    if c.allowed_models is not None and entry.name not in c.allowed_models:
        return "allowed_models"
    if entry.name in c.excluded_models:
        return "excluded_models"
    if c.min_context is not None and (entry.context_window or 0) < c.min_context:
        return "min_context"
    if c.required_capabilities and not c.required_capabilities <= entry.capabilities:
        return "required_capabilities"
    return None


def _request(messages: Any, input: Any, request_kwargs: Mapping[str, Any]) -> Request:
    text = request_text(messages) if messages is not None else request_text(input or "")
    out = request_kwargs.get("max_tokens") or request_kwargs.get("max_completion_tokens")
    return Request(estimate_tokens(text), int(out) if out else DEFAULT_OUTPUT_TOKENS)


@dataclass(frozen=True, slots=True)
class Weighed:
    """One candidate deployment's weight and why (weights() answers a list of these)."""

    deployment: Mapping[str, Any]
    weight: float
    reason: str


class RoutingStrategy(CustomRoutingStrategyBase):
    """Picks among a model group's healthy deployments by 1/price^2 (see the module doc).
    Use `install(router)`; `weights()` shows the shares a request would get."""

    def __init__(
        self,
        litellm_router: LiteLLMRouter,
        *,
        intel: Router | None = None,
        constraints: Constraints | None = None,
        seed: int | None = None,
    ) -> None:
        self._litellm_router = litellm_router
        self._intel = intel
        self.constraints = constraints or NO_CONSTRAINTS
        self._rng = Random(seed)
        self.resolver = DeploymentResolver()

    @property
    def intel(self) -> Router:
        """Our Router (the process's default one unless given)."""
        if self._intel is None:
            self._intel = default_router()
        return self._intel

    async def _snapshot(self) -> Snapshot:
        snapshot = self.intel.snapshot
        if snapshot is None:
            snapshot = await asyncio.to_thread(self.intel.snapshots.get)
        return snapshot

    def weights(
        self,
        snapshot: Snapshot,
        deployments: Sequence[Mapping[str, Any]],
        *,
        messages: Any = None,
        input: Any = None,
        request_kwargs: Mapping[str, Any] | None = None,
    ) -> list[Weighed]:
        """Each candidate's weight (0: excluded), in the candidates' order. Raises
        NoRouteError when the constraints exclude every candidate."""
        kwargs = request_kwargs or {}
        metadata = kwargs.get("metadata") or kwargs.get("litellm_metadata") or {}
        c = _constraints(metadata.get(CONSTRAINTS_METADATA_KEY)) or self.constraints
        request = _request(messages, input, kwargs) if c is not NO_CONSTRAINTS else None
        failures = self.intel.failures
        known: list[float | None] = []
        reasons: list[str] = []
        soft: list[bool] = []
        excluded: dict[str, int] = {}
        for deployment in deployments:
            params = deployment.get("litellm_params") or {}
            target = self.resolver.resolve(
                snapshot, str(params.get("model", "")), params.get("custom_llm_provider")
            )
            why = self._exclusion(snapshot, target, c, request)
            if why is not None:
                excluded[why] = excluded.get(why, 0) + 1
                known.append(0.0)
                reasons.append(f"excluded by {why}")
                soft.append(False)
                continue
            if target.entry is None or target.option is None:
                known.append(None)
                what = "model" if target.entry is None else f"offer at {target.provider_name}"
                reasons.append(f"{what} not in the catalog: neutral weight")
                soft.append(False)
                continue
            option = target.option
            weight = offer_weight(option)
            price = f"${option.blended_price_per_million.normalize():f}/M blended"
            unhealthy = not option.in_pool or failures.failing(
                target.entry.name, option.provider_name
            )
            known.append(weight)
            soft.append(unhealthy)
            where = f"{target.entry.name} at {option.provider_name}"
            if not option.in_pool:
                reasons.append(f"{where}: {option.price_basis}")
            elif unhealthy:
                reasons.append(f"{where}: failed in the last 30 s")
            else:
                reasons.append(f"{where}: 1/price^2 of {price}")
        if excluded and all(w == 0.0 for w in known):
            detail = "; ".join(f"{k} excluded {n}" for k, n in sorted(excluded.items()))
            raise NoRouteError(
                f"no deployment of this model group satisfies the constraints"
                f" ({len(deployments)} healthy deployments considered): {detail}",
                excluded={f"deployments:{k}": n for k, n in excluded.items()},
            )
        healthy_known = [w for w, s in zip(known, soft, strict=True) if w and not s]
        neutral = statistics.median(healthy_known) if healthy_known else 1.0
        weights = [neutral if w is None else w for w in known]
        if any(w > 0 and not s for w, s in zip(weights, soft, strict=True)):
            # Offers out of SQL's pool or failing recently only when nothing else is left.
            weights = [0.0 if s else w for w, s in zip(weights, soft, strict=True)]
        return [Weighed(d, w, r) for d, w, r in zip(deployments, weights, reasons, strict=True)]

    def _exclusion(
        self,
        snapshot: Snapshot,
        target: DeploymentTarget,
        c: Constraints,
        request: Request | None,
    ) -> str | None:
        if c is NO_CONSTRAINTS:
            return None
        provider = target.provider_name
        if provider is not None:
            if c.allowed_providers is not None and provider not in c.allowed_providers:
                return "allowed_providers"
            if provider in c.excluded_providers:
                return "excluded_providers"
        if target.entry is None:
            return None
        why = _model_exclusion(target.entry, c)
        if why is not None or target.option is None:
            return why
        if target.option not in eligible_offers(snapshot, target.entry, c, request):
            return "offer constraints (price, latency, cost, budget or pool)"
        return None

    def choose(
        self,
        snapshot: Snapshot,
        deployments: Sequence[Mapping[str, Any]],
        *,
        messages: Any = None,
        input: Any = None,
        request_kwargs: Mapping[str, Any] | None = None,
    ) -> Mapping[str, Any]:
        """One of `deployments`, at random by weights()."""
        weighed = self.weights(
            snapshot, deployments, messages=messages, input=input, request_kwargs=request_kwargs
        )
        total = sum(w.weight for w in weighed)
        target = self._rng.random() * total
        running = 0.0
        for item in weighed:
            running += item.weight
            if item.weight > 0 and target < running:
                return item.deployment
        return next(w.deployment for w in reversed(weighed) if w.weight > 0)

    async def async_get_available_deployment(
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list[Any] | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """LiteLLM's healthy deployments for `model`, then our weighted pick among them."""
        kwargs = request_kwargs if request_kwargs is not None else {}
        healthy = await self._litellm_router.async_get_healthy_deployments(
            model=model,
            request_kwargs=kwargs,
            messages=messages,
            input=input,
            specific_deployment=specific_deployment,
        )
        if isinstance(healthy, dict):
            return healthy  # a specific deployment was asked for
        snapshot = await self._snapshot()
        return self.choose(snapshot, healthy, messages=messages, input=input, request_kwargs=kwargs)

    def get_available_deployment(
        self,
        model: str,
        messages: list[dict[str, str]] | None = None,
        input: str | list[Any] | None = None,
        specific_deployment: bool | None = False,
        request_kwargs: dict[str, Any] | None = None,
    ) -> Any:
        """The sync path: the async selection on a private event loop (in a worker thread
        when this thread already runs one)."""
        coroutine = self.async_get_available_deployment(
            model,
            messages=messages,
            input=input,
            specific_deployment=specific_deployment,
            request_kwargs=request_kwargs,
        )
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(coroutine)
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, coroutine).result()


def install(
    litellm_router: LiteLLMRouter,
    *,
    intel: Router | None = None,
    constraints: Constraints | None = None,
    seed: int | None = None,
) -> RoutingStrategy:
    """Make `litellm_router` pick deployments by our weights (see the module doc); returns
    the strategy (its `weights()` explain a pick). `intel`: our Router (default: the
    process's default one); `seed`: for reproducible picks in tests."""
    strategy = RoutingStrategy(litellm_router, intel=intel, constraints=constraints, seed=seed)
    litellm_router.set_custom_routing_strategy(strategy)
    return strategy


# --- usage ----------------------------------------------------------------------------


def _latency_ms(start: Any, end: Any, payload: Mapping[str, Any]) -> int:
    if isinstance(start, datetime) and isinstance(end, datetime):
        return max(0, round((end - start).total_seconds() * 1000))
    started, ended = payload.get("startTime"), payload.get("endTime")
    if isinstance(started, int | float) and isinstance(ended, int | float):
        return max(0, round((ended - started) * 1000))
    return 0


class UsageLogger(CustomLogger):
    """Records every LiteLLM request (success or failure, sync or async) through our
    `record_usage`: model and provider_name as the deployment maps to the catalog,
    prompt/completion tokens, cost (LiteLLM's response_cost when it has one, else the
    catalog's price at that provider), latency and success. Only enqueues: the routing
    core's recorder flushes in batches in the background. Requests for models the catalog
    does not know are counted in `skipped` and logged at debug level."""

    def __init__(self, *, intel: Router | None = None) -> None:
        super().__init__()
        self._intel = intel
        self.resolver = DeploymentResolver()
        self.recorded = 0
        self.skipped = 0

    @property
    def intel(self) -> Router:
        if self._intel is None:
            self._intel = default_router()
        return self._intel

    def record(self, kwargs: Mapping[str, Any], start: Any, end: Any, *, success: bool) -> bool:
        """Queue one request's outcome; False when its model is not in the catalog."""
        payload: Mapping[str, Any] = kwargs.get("standard_logging_object") or {}
        params = kwargs.get("litellm_params") or {}
        deployment = (params.get("metadata") or {}).get("deployment")
        hidden = payload.get("hidden_params") or {}
        model = deployment or hidden.get("litellm_model_name") or payload.get("model")
        if not model:
            self.skipped += 1
            return False
        provider = payload.get("custom_llm_provider") or kwargs.get("custom_llm_provider")
        snapshot = self.intel.snapshots.get()
        target = self.resolver.resolve(snapshot, str(model), provider)
        if target.entry is None or target.provider_name is None:
            self.skipped += 1
            logger.debug("litellm usage for %s not recorded: not in the catalog", model)
            return False
        raw_cost = payload.get("response_cost")
        cost = (
            Decimal(str(raw_cost)).quantize(_COST_QUANTUM)
            if isinstance(raw_cost, int | float) and raw_cost > 0
            else None
        )
        self.intel.record_usage(
            model=target.entry.name,
            provider_name=target.provider_name,
            input_tokens=int(payload.get("prompt_tokens") or 0),
            output_tokens=int(payload.get("completion_tokens") or 0),
            latency_ms=_latency_ms(start, end, payload),
            success=success,
            cost=cost,
        )
        self.recorded += 1
        return True

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.record(kwargs, start_time, end_time, success=True)

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.record(kwargs, start_time, end_time, success=False)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        if self.intel.snapshot is None:
            await asyncio.to_thread(self.intel.snapshots.get)
        self.record(kwargs, start_time, end_time, success=True)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        if self.intel.snapshot is None:
            await asyncio.to_thread(self.intel.snapshots.get)
        self.record(kwargs, start_time, end_time, success=False)


class ProxyHandler(UsageLogger):
    """The LiteLLM proxy's entry point (`litellm_settings.callbacks`): records usage, and
    installs the routing strategy on the proxy's router before its first request (again
    after a config reload builds a new router)."""

    def __init__(self, *, intel: Router | None = None, constraints: Constraints | None = None):
        super().__init__(intel=intel)
        self._constraints = constraints
        self._installed: weakref.WeakSet[Any] = weakref.WeakSet()
        self._install_lock = threading.Lock()

    def ensure_installed(self, litellm_router: Any) -> bool:
        """Install on `litellm_router` unless already done; True when it did now."""
        if litellm_router is None or litellm_router in self._installed:
            return False
        with self._install_lock:
            if litellm_router in self._installed:
                return False
            install(litellm_router, intel=self._intel, constraints=self._constraints)
            self._installed.add(litellm_router)
            return True

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict[str, Any], call_type: Any
    ) -> None:
        from litellm.proxy import proxy_server

        self.ensure_installed(getattr(proxy_server, "llm_router", None))


@functools.cache
def _proxy_handler() -> ProxyHandler:
    return ProxyHandler()


def __getattr__(name: str) -> Any:
    # `proxy_handler` is built on first access (the proxy's config loader reads it), so
    # importing this module creates nothing.
    if name == "proxy_handler":
        return _proxy_handler()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
