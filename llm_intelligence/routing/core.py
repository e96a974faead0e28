"""The routing core: pure functions over a Snapshot, shared by the sync and async APIs.

Nothing here reaches the database. The orders and the pool of offers are SQL's
(`rank_models`, `provider_options`); this module applies a request's constraints, skips
providers with recent failures and picks among the rest at random weighted by 1/price^2
(OpenRouter's documented default, the rule `provider_options` computes its
selection_probability with).

Recent failures: a (model, provider_name) is skipped when, in the last 30 seconds
(OpenRouter's window for "significant outages"), it failed at least once and at least
half of the outcomes seen for it were failures. Outcomes come from `report_failure` and
from `record_usage(success=...)`. Today's usage stats in the snapshot count too: at least
20 requests today with a success rate below 50 %. If every eligible provider is
unhealthy, all stay eligible (a request to a flaky provider beats no request).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from random import Random
from typing import Any, Final

from llm_intelligence.errors import NoRouteError, UnknownModelError
from llm_intelligence.routing.classifier import classify_task, ranking_category
from llm_intelligence.routing.snapshot import (
    USAGE_MIN_REQUESTS,
    USAGE_MIN_SUCCESS_RATE,
    Health,
    ModelEntry,
    Snapshot,
    local_offers,
    offer_weight,
)
from llm_intelligence.routing.types import (
    NO_CONSTRAINTS,
    STRATEGIES,
    Constraints,
    ModelPricing,
    ProviderChoice,
    ProviderOption,
    RankedModel,
    RouteOption,
    RoutingDecision,
    Strategy,
    estimate_tokens,
)

FAILURE_WINDOW: Final = 30.0
"""Seconds a reported failure counts (OpenRouter: outages in the last 30 seconds)."""

EXPECTED_OUTPUT_TOKENS: Final[Mapping[str, int]] = {
    # Typical answer lengths per task (a request's expected cost uses them when the caller
    # gives none): code and prose run long, extraction and summaries short.
    "coding": 600,
    "math": 500,
    "reasoning": 700,
    "creative_writing": 800,
    "summarization": 250,
    "extraction": 200,
    "general_chat": 300,
}

_STRATEGY_ORDER: Final[Mapping[str, str]] = {
    "balanced": "balanced",
    "cost_optimized": "cost",
    "quality_optimized": "quality",
    "latency_optimized": "latency",
    "local_first": "local",
    "capability_match": "balanced",
}

_CONSTRAINT_TEXT: Final[Mapping[str, str]] = {
    "allowed_models": "allowed_models",
    "excluded_models": "excluded_models",
    "min_context": "min_context",
    "request_fits": "the request's size (input + expected output tokens) vs context_window",
    "required_capabilities": "required_capabilities",
    "no_offer": "no offer in the pool (provider_options)",
    "allowed_providers": "allowed_providers",
    "excluded_providers": "excluded_providers",
    "max_price_per_million": "max_price_per_million",
    "max_latency_ms": "max_latency_ms",
    "max_cost_per_request": "max_cost_per_request",
    "budget_remaining": "budget_remaining",
}


class FailureTracker:
    """Recent outcomes per (model, provider_name), for the 30-second outage rule.
    Thread-safe; an instance belongs to one router."""

    def __init__(self, *, window: float = FAILURE_WINDOW) -> None:
        self._window = window
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], deque[tuple[float, bool]]] = {}

    def __bool__(self) -> bool:
        return bool(self._events)

    def record(self, model: str, provider_name: str, *, success: bool) -> None:
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault((model, provider_name), deque())
            events.append((now, success))
            self._trim(events, now)
            if not events:
                del self._events[model, provider_name]

    def _trim(self, events: deque[tuple[float, bool]], now: float) -> None:
        while events and events[0][0] < now - self._window:
            events.popleft()

    def failing(self, model: str, provider_name: str) -> bool:
        """Failed at least once in the window, and at least half the outcomes were failures."""
        if not self._events:
            return False
        now = time.monotonic()
        with self._lock:
            events = self._events.get((model, provider_name))
            if events is None:
                return False
            self._trim(events, now)
            if not events:
                del self._events[model, provider_name]
                return False
            failures = sum(1 for _, ok in events if not ok)
        return failures > 0 and failures * 2 >= len(events)


def _usage_unhealthy(health: Health | None) -> bool:
    return (
        health is not None
        and health.requests >= USAGE_MIN_REQUESTS
        and health.success_rate < USAGE_MIN_SUCCESS_RATE
    )


@dataclass(frozen=True, slots=True)
class Request:
    """A request's size, as routing sees it."""

    input_tokens: int
    output_tokens: int


def lookup(snapshot: Snapshot, model: str) -> ModelEntry:
    """The snapshot's entry for a name or alias; UnknownModelError if it has none."""
    entry = snapshot.lookup(model)
    if entry is None:
        raise UnknownModelError(f"unknown model: {model} (not in the routing snapshot)")
    return entry


def _latency(snapshot: Snapshot, model: str, option: ProviderOption) -> Decimal | None:
    health = snapshot.health.get((model, option.provider_name))
    if health is not None and health.avg_latency_ms is not None:
        return health.avg_latency_ms
    return option.latency_ms


def _model_exclusion(entry: ModelEntry, c: Constraints, request: Request | None) -> str | None:
    if c.allowed_models is not None and entry.name not in c.allowed_models:
        return "allowed_models"
    if entry.name in c.excluded_models:
        return "excluded_models"
    if c.min_context is not None and (entry.context_window or 0) < c.min_context:
        return "min_context"
    if (
        request is not None
        and entry.context_window is not None
        and request.input_tokens + request.output_tokens > entry.context_window
    ):
        return "request_fits"
    if c.required_capabilities and not c.required_capabilities <= entry.capabilities:
        return "required_capabilities"
    return None


def _offer_exclusion(
    snapshot: Snapshot,
    entry: ModelEntry,
    option: ProviderOption,
    c: Constraints,
    request: Request | None,
) -> str | None:
    if c.allowed_providers is not None and option.provider_name not in c.allowed_providers:
        return "allowed_providers"
    if option.provider_name in c.excluded_providers:
        return "excluded_providers"
    if (
        c.max_price_per_million is not None
        and option.blended_price_per_million > c.max_price_per_million
    ):
        return "max_price_per_million"
    if c.max_latency_ms is not None:
        latency = _latency(snapshot, entry.name, option)
        if latency is not None and latency > c.max_latency_ms:
            return "max_latency_ms"
    if request is not None and (c.max_cost_per_request is not None or c.budget_remaining):
        cost = option.request_cost(request.input_tokens, request.output_tokens)
        if c.max_cost_per_request is not None and cost > c.max_cost_per_request:
            return "max_cost_per_request"
        if c.budget_remaining is not None and cost > c.budget_remaining:
            return "budget_remaining"
    elif c.budget_remaining is not None and c.budget_remaining <= 0:
        return "budget_remaining"
    return None


class Exclusions:
    """Counts of candidates each constraint excluded (the first one that did)."""

    def __init__(self) -> None:
        self.models: dict[str, int] = {}
        self.offers: dict[str, int] = {}
        self.considered = 0

    def model(self, reason: str) -> None:
        self.models[reason] = self.models.get(reason, 0) + 1

    def offer(self, reason: str) -> None:
        self.offers[reason] = self.offers.get(reason, 0) + 1

    def error(self, what: str) -> NoRouteError:
        parts = [
            f"{_CONSTRAINT_TEXT.get(r, r)} excluded {n} model{'s' if n != 1 else ''}"
            for r, n in sorted(self.models.items(), key=lambda kv: -kv[1])
        ] + [
            f"{_CONSTRAINT_TEXT.get(r, r)} excluded {n} offer{'s' if n != 1 else ''}"
            for r, n in sorted(self.offers.items(), key=lambda kv: -kv[1])
        ]
        detail = "; ".join(parts) or "no candidates"
        excluded = {f"models:{k}": v for k, v in self.models.items()}
        excluded.update({f"offers:{k}": v for k, v in self.offers.items()})
        return NoRouteError(
            f"no model and provider satisfy the constraints for {what}"
            f" ({self.considered} models considered): {detail}",
            excluded=excluded,
        )


def eligible_offers(
    snapshot: Snapshot,
    entry: ModelEntry,
    constraints: Constraints,
    request: Request | None,
    *,
    local: bool = False,
    exclusions: Exclusions | None = None,
) -> list[ProviderOption]:
    """The model's offers that satisfy the constraints: SQL's pool (local runtimes first
    when `local` and the model has any)."""
    candidates: Sequence[ProviderOption] = entry.pool
    if local:
        candidates = local_offers(entry) or entry.pool
    if constraints is NO_CONSTRAINTS:
        return list(candidates)
    kept = []
    for option in candidates:
        reason = _offer_exclusion(snapshot, entry, option, constraints, request)
        if reason is None:
            kept.append(option)
        elif exclusions is not None:
            exclusions.offer(reason)
    return kept


def _healthy(
    snapshot: Snapshot, model: str, options: list[ProviderOption], failures: FailureTracker
) -> tuple[list[ProviderOption], list[str]]:
    """Options without recent failures (all of them if none is healthy), and why."""
    skipped: list[str] = []
    kept = []
    for option in options:
        if failures.failing(model, option.provider_name):
            skipped.append(f"{option.provider_name}: failed in the last {FAILURE_WINDOW:g} s")
        elif _usage_unhealthy(snapshot.health.get((model, option.provider_name))):
            health = snapshot.health[model, option.provider_name]
            skipped.append(
                f"{option.provider_name}: {health.success_rate:.0%} success today"
                f" ({health.requests} requests)"
            )
        else:
            kept.append(option)
    if not kept:
        return options, [*skipped, "every eligible provider failed recently: all kept"]
    return kept, skipped


def _choose(options: list[ProviderOption], draw: float) -> tuple[ProviderOption, Decimal]:
    weights = [offer_weight(o) for o in options]
    total = sum(weights)
    target = draw * total
    running = 0.0
    chosen = options[-1]
    for option, weight in zip(options, weights, strict=True):
        running += weight
        if target < running:
            chosen = option
            break
    share = weights[options.index(chosen)] / total
    return chosen, Decimal(str(round(share, 12)))


def pick_provider(
    snapshot: Snapshot,
    entry: ModelEntry,
    *,
    rng: Random,
    failures: FailureTracker,
    constraints: Constraints = NO_CONSTRAINTS,
    request: Request | None = None,
    prefer: str = "weighted",
    exclusions: Exclusions | None = None,
) -> ProviderChoice | None:
    """One provider for the model: 1/price^2 at random among the healthy eligible offers
    (`prefer="latency"`: the fastest known; `"local"`: local runtimes first)."""
    name = entry.name
    fast = (
        prefer == "weighted"
        and constraints is NO_CONSTRAINTS
        and not failures
        and entry.pool
        and name not in snapshot.flaky
    )
    if fast:
        # The unconstrained pick: SQL's pool and its precomputed cumulative weights.
        option = entry.pick(rng.random())
        index = entry.pool.index(option)
        weight = entry.cumulative[index] - (entry.cumulative[index - 1] if index else 0.0)
        share = Decimal(str(round(weight / entry.cumulative[-1], 12)))
        return _choice(name, option, share, _pool_reason(entry, option, share))
    options = eligible_offers(
        snapshot, entry, constraints, request, local=prefer == "local", exclusions=exclusions
    )
    if not options:
        return None
    options, skipped = _healthy(snapshot, name, options, failures)
    if prefer == "latency":
        known = [o for o in options if _latency(snapshot, name, o) is not None]
        if known:
            option = min(known, key=lambda o: (_latency(snapshot, name, o), o.provider_name))
            reason = f"fastest known offer ({_latency(snapshot, name, option)} ms)"
            return _choice(name, option, Decimal(1), "; ".join([reason, *skipped]))
    option, share = _choose(options, rng.random())
    reason = _pool_reason(entry, option, share, among=len(options))
    if prefer == "local" and option.provider_kind is not None and local_offers(entry):
        reason = f"local runtime first; {reason}"
    return _choice(name, option, share, "; ".join([reason, *skipped]))


def _pool_reason(
    entry: ModelEntry, option: ProviderOption, share: Decimal, *, among: int | None = None
) -> str:
    count = len(entry.pool) if among is None else among
    basis = option.price_basis or "pool"
    return (
        f"weighted 1/price^2 pick among {count} healthy offer{'s' if count != 1 else ''}"
        f" ({basis}); ${_text(option.blended_price_per_million)}/M blended, {share:.1%} share"
    )


def _text(value: Decimal) -> str:
    return f"{value.normalize():f}" if value else "0"


def _choice(model: str, option: ProviderOption, share: Decimal, reason: str) -> ProviderChoice:
    return ProviderChoice(
        model=model,
        provider_name=option.provider_name,
        provider_id=option.provider_id,
        input_price_per_million=option.input_price_per_million,
        output_price_per_million=option.output_price_per_million,
        blended_price_per_million=option.blended_price_per_million,
        probability=share,
        reason=reason,
        option=option,
    )


def pricing(entry: ModelEntry) -> ModelPricing:
    row = entry.row
    return ModelPricing(
        model=entry.name,
        min_input_cost=row.get("min_input_cost"),
        min_output_cost=row.get("min_output_cost"),
        min_blended_cost=row.get("min_blended_cost"),
        price_basis=row.get("price_basis"),
        has_free_tier=bool(row.get("has_free_tier")),
        providers=entry.options,
    )


def estimate_cost(
    snapshot: Snapshot,
    entry: ModelEntry,
    input_tokens: int,
    output_tokens: int,
    provider: str | None,
) -> Decimal:
    """SQL estimate_cost's rule, from the snapshot: the cheapest pool offer, or the named
    provider's cheapest offer (paid first; a provider alias accepted). Exact."""
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError("input_tokens and output_tokens must be >= 0")
    if provider is None:
        candidates: Iterable[ProviderOption] = entry.pool
    else:
        wanted = snapshot.provider_name(provider)
        at = [o for o in entry.options if o.provider_name == wanted]
        paid = [o for o in at if not o.is_free_tier]
        candidates = paid or at
    costs = [o.request_cost(input_tokens, output_tokens) for o in candidates]
    if not costs:
        where = f" at provider_name {provider}" if provider is not None else ""
        providers = ", ".join(sorted({o.provider_name for o in entry.options})) or "none"
        raise UnknownModelError(
            f"model {entry.name} has no active price{where} (providers with a price: {providers})"
        )
    return min(costs)


def ranked_models(
    snapshot: Snapshot,
    category: str | None,
    constraints: Constraints,
    limit: int,
    *,
    preset: str = "balanced",
) -> list[RankedModel]:
    """The stored rank_models order for the category, constraints applied."""
    order = _order(snapshot, preset, category)
    found: list[RankedModel] = []
    for name in order:
        entry = snapshot.models.get(name)
        if entry is None or _model_exclusion(entry, constraints, None) is not None:
            continue
        if constraints is not NO_CONSTRAINTS and not eligible_offers(
            snapshot, entry, constraints, None
        ):
            continue
        found.append(RankedModel(name, row={**entry.row, "rank": len(found) + 1}))
        if len(found) >= limit:
            break
    return found


def _order(snapshot: Snapshot, preset: str, category: str | None) -> tuple[str, ...]:
    if category is not None and category not in snapshot.categories:
        known = snapshot.categories
        raise ValueError(
            f"unknown category {category!r}, expected {', '.join(known[:-1])} or {known[-1]}"
        )
    return snapshot.orders[preset, category]


def request_text(prompt_or_messages: Any) -> str:
    """The text a request sends (its messages' contents), for the token estimate."""
    if isinstance(prompt_or_messages, str):
        return prompt_or_messages
    if isinstance(prompt_or_messages, Mapping):
        prompt_or_messages = [prompt_or_messages]
    parts: list[str] = []
    for message in prompt_or_messages or ():
        content = message.get("content") if isinstance(message, Mapping) else message
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, Sequence):
            for part in content:
                if isinstance(part, Mapping) and isinstance(part.get("text"), str):
                    parts.append(part["text"])
    return "\n".join(parts)


def requested_capabilities(prompt_or_messages: Any, task: str) -> tuple[set[str], list[str]]:
    """Capabilities the request itself needs (capability_match): image parts -> vision,
    a tools/functions field -> function_calling, a JSON response_format or "JSON" asked
    for in the text -> json_output, math and reasoning tasks -> reasoning."""
    needed: set[str] = set()
    why: list[str] = []
    messages: Sequence[Any] = ()
    if isinstance(prompt_or_messages, Mapping):
        messages = [prompt_or_messages]
    elif not isinstance(prompt_or_messages, str) and isinstance(prompt_or_messages, Sequence):
        messages = prompt_or_messages
    for message in messages:
        if not isinstance(message, Mapping):
            continue
        content = message.get("content")
        if isinstance(content, Sequence) and not isinstance(content, str):
            for part in content:
                if isinstance(part, Mapping) and part.get("type") in ("image_url", "image"):
                    needed.add("vision")
        if message.get("tools") or message.get("tool_calls") or message.get("role") == "tool":
            needed.add("function_calling")
    text = request_text(prompt_or_messages)
    if " json" in text.lower() or text.lower().startswith("json"):
        needed.add("json_output")
    if task in ("math", "reasoning"):
        needed.add("reasoning")
    why.extend(f"needs {c}" for c in sorted(needed))
    return needed, why


def route(
    snapshot: Snapshot,
    prompt_or_messages: Any,
    *,
    strategy: Strategy,
    constraints: Constraints,
    rng: Random,
    failures: FailureTracker,
    expected_output_tokens: int | None = None,
    fallbacks: int = 3,
) -> RoutingDecision:
    """Classify, order the category's models by the strategy, keep the first (model,
    provider) that satisfies the constraints, and the next ones as fallbacks."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    task = classify_task(prompt_or_messages)
    category = ranking_category(task.task)
    if category not in snapshot.categories:
        category_key: str | None = None
    else:
        category_key = category
    out_tokens = (
        expected_output_tokens
        if expected_output_tokens is not None
        else EXPECTED_OUTPUT_TOKENS.get(task.task, 300)
    )
    request = Request(estimate_tokens(request_text(prompt_or_messages)), out_tokens)
    reasons = [
        f"task {task.task} ({task.confidence:.0%}): {', '.join(task.signals[:3])}",
        f"{strategy}: rank_models order for {category_key or 'overall'}",
    ]
    effective = constraints
    if strategy == "capability_match":
        needed, why = requested_capabilities(prompt_or_messages, task.task)
        hard = needed - {"reasoning"}
        if hard:
            effective = constraints.with_capabilities(hard)
        reasons.extend(why)
    prefer = {"latency_optimized": "latency", "local_first": "local"}.get(strategy, "weighted")
    exclusions = Exclusions()
    picks: list[tuple[ModelEntry, ProviderChoice]] = []
    for entry in _candidates(snapshot, strategy, category_key, prompt_or_messages, task.task):
        exclusions.considered += 1
        reason = _model_exclusion(entry, effective, request)
        if reason is not None:
            exclusions.model(reason)
            continue
        choice = pick_provider(
            snapshot,
            entry,
            rng=rng,
            failures=failures,
            constraints=effective,
            request=request,
            prefer=prefer,
            exclusions=exclusions,
        )
        if choice is None:
            if not entry.pool:
                exclusions.model("no_offer")
            continue
        picks.append((entry, choice))
        if len(picks) > fallbacks:
            break
    if not picks:
        raise exclusions.error(f"this request (task {task.task}, strategy {strategy})")
    entry, chosen = picks[0]
    cost = chosen.option.request_cost(request.input_tokens, request.output_tokens)
    chain = _fallbacks(snapshot, entry, chosen, picks[1:], effective, request, failures, fallbacks)
    reasons.append(f"{entry.name} at {chosen.provider_name}: {chosen.reason}")
    reasons.append(
        f"expected cost ${_text(cost)} = {request.input_tokens} input tokens (chars/4)"
        f" x ${_text(chosen.input_price_per_million)}/M + {request.output_tokens} output"
        f" tokens x ${_text(chosen.output_price_per_million)}/M"
    )
    return RoutingDecision(
        task_type=task.task,
        confidence=task.confidence,
        category=category_key or "overall",
        strategy=strategy,
        model=entry.name,
        provider_name=chosen.provider_name,
        provider_id=chosen.provider_id,
        input_tokens=request.input_tokens,
        expected_output_tokens=request.output_tokens,
        expected_cost=cost,
        fallbacks=chain,
        reasons=tuple(reasons),
    )


def _candidates(
    snapshot: Snapshot, strategy: Strategy, category: str | None, prompt: Any, task: str
) -> Iterator[ModelEntry]:
    order = _order(snapshot, _STRATEGY_ORDER[strategy], category)
    models = snapshot.models
    if strategy == "capability_match" and task in ("math", "reasoning"):
        # Reasoning models first, in the same order, then the rest.
        first = [n for n in order if n in models and "reasoning" in models[n].capabilities]
        rest = [n for n in order if n in models and "reasoning" not in models[n].capabilities]
        order = (*first, *rest)
    for name in order:
        entry = models.get(name)
        if entry is not None:
            yield entry


def _route_option(entry: ModelEntry, option: ProviderOption, request: Request) -> RouteOption:
    return RouteOption(
        model=entry.name,
        provider_name=option.provider_name,
        provider_id=option.provider_id,
        expected_cost=option.request_cost(request.input_tokens, request.output_tokens),
        input_price_per_million=option.input_price_per_million,
        output_price_per_million=option.output_price_per_million,
    )


def _fallbacks(
    snapshot: Snapshot,
    entry: ModelEntry,
    chosen: ProviderChoice,
    others: Sequence[tuple[ModelEntry, ProviderChoice]],
    constraints: Constraints,
    request: Request,
    failures: FailureTracker,
    limit: int,
) -> tuple[RouteOption, ...]:
    """The chosen model's next-cheapest healthy offer, then the next models' best offers."""
    chain: list[RouteOption] = []
    same = [
        o
        for o in eligible_offers(snapshot, entry, constraints, request)
        if o.provider_name != chosen.provider_name
        and not failures.failing(entry.name, o.provider_name)
    ]
    if same:
        best = max(same, key=lambda o: (offer_weight(o), o.provider_name))
        chain.append(_route_option(entry, best, request))
    for other, _ in others:
        if len(chain) >= limit:
            break
        options = eligible_offers(snapshot, other, constraints, request)
        healthy = [o for o in options if not failures.failing(other.name, o.provider_name)]
        best = max(healthy or options, key=lambda o: (offer_weight(o), o.provider_name))
        chain.append(_route_option(other, best, request))
    return tuple(chain[:limit])


def fallback_chain(
    snapshot: Snapshot,
    target: ModelEntry | str | None,
    *,
    strategy: Strategy,
    constraints: Constraints,
    failures: FailureTracker,
    limit: int,
    input_tokens: int = 1000,
    output_tokens: int = 1000,
) -> tuple[RouteOption, ...]:
    """Ordered (model, provider) pairs that all satisfy the constraints: a model's own
    offers (one per provider, 1/price^2 weight highest first, recently failed last) then
    the overall order's other models; or a category's models in the strategy's order,
    each at its best offer. expected_cost is that of an input_tokens + output_tokens
    request (max_cost_per_request and budget_remaining are checked against it)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; expected one of {STRATEGIES}")
    request = Request(input_tokens, output_tokens)
    chain: list[RouteOption] = []
    exclusions = Exclusions()
    category: str | None = None
    seen: set[str] = set()
    if isinstance(target, ModelEntry):
        exclusions.considered += 1
        reason = _model_exclusion(target, constraints, None)
        if reason is not None:
            exclusions.model(reason)
        else:
            options = eligible_offers(snapshot, target, constraints, request, exclusions=exclusions)
            options.sort(
                key=lambda o: (failures.failing(target.name, o.provider_name), -offer_weight(o))
            )
            providers: set[str] = set()
            for o in options:
                if o.provider_name not in providers:
                    providers.add(o.provider_name)
                    chain.append(_route_option(target, o, request))
        seen.add(target.name)
    else:
        category = target
    order = _order(snapshot, _STRATEGY_ORDER[strategy], category)
    for name in order:
        if len(chain) >= limit:
            break
        entry = snapshot.models.get(name)
        if entry is None or name in seen:
            continue
        exclusions.considered += 1
        reason = _model_exclusion(entry, constraints, request)
        if reason is not None:
            exclusions.model(reason)
            continue
        options = eligible_offers(snapshot, entry, constraints, request, exclusions=exclusions)
        healthy = [o for o in options if not failures.failing(name, o.provider_name)]
        if not healthy:
            continue
        best = max(healthy, key=lambda o: (offer_weight(o), o.provider_name))
        chain.append(_route_option(entry, best, request))
    if not chain:
        what = target.name if isinstance(target, ModelEntry) else (category or "overall")
        raise exclusions.error(f"a fallback chain for {what}")
    return tuple(chain[:limit])


def provider_or_raise(
    snapshot: Snapshot,
    entry: ModelEntry,
    *,
    rng: Random,
    failures: FailureTracker,
    constraints: Constraints | None,
) -> ProviderChoice:
    """pick_provider, or NoRouteError saying which constraint excluded which offers."""
    exclusions = Exclusions()
    exclusions.considered = 1
    given = constraints or NO_CONSTRAINTS
    reason = _model_exclusion(entry, given, None)
    if reason is not None:
        exclusions.model(reason)
        raise exclusions.error(f"model {entry.name}")
    choice = pick_provider(
        snapshot, entry, rng=rng, failures=failures, constraints=given, exclusions=exclusions
    )
    if choice is None:
        if not entry.pool:
            exclusions.model("no_offer")
        raise exclusions.error(f"model {entry.name}")
    return choice


def custom_ranked(
    snapshot: Snapshot, rows: Sequence[Mapping[str, Any]], constraints: Constraints, limit: int
) -> list[RankedModel]:
    """rank_models rows (custom weights, from SQL) as RankedModel, constraints applied."""
    found: list[RankedModel] = []
    for row in rows:
        entry = snapshot.models.get(row["name"])
        if constraints is not NO_CONSTRAINTS and (
            entry is None
            or _model_exclusion(entry, constraints, None) is not None
            or not eligible_offers(snapshot, entry, constraints, None)
        ):
            continue
        found.append(RankedModel(row["name"], row={**row, "rank": len(found) + 1}))
        if len(found) >= limit:
            break
    return found
