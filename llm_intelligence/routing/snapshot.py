"""The in-process snapshot: what SQL computed, loaded once, kept in memory, swapped whole.

A `Snapshot` holds the rankings (`model_rankings` rows and `rank_models` orders per
category for three weight presets), every ranked model's offers as `provider_options()`
returns them (with `current_pricing`'s kind, latency and context per offer), the model and
provider aliases, and today's usage health. Routing decisions read it without a database
round trip. It is immutable: a refresh builds a new one and swaps the reference (one
attribute assignment, atomic under the GIL), so threads and event loops read a consistent
snapshot without locks.

`SnapshotManager` refreshes it in a background thread: on every committed price change
(`llm_intelligence.realtime.subscribe`; ENABLE_REAL_TIME_UPDATES=false: TTL polling only)
and every `ttl` seconds. A failed refresh keeps the last good snapshot, marked
`stale_since` (the first failure's time) with `last_error`, and logs a warning.

The ranking math is not here: the orders and selection probabilities are SQL's. Python
only applies per-request constraints and re-weights the remaining offers by 1/price^2,
the rule SQL's `provider_options` applies (OpenRouter's documented default).
"""

from __future__ import annotations

import bisect
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

from llm_intelligence.errors import LLMIntelError
from llm_intelligence.routing.transports import Row, Transport
from llm_intelligence.routing.types import CAPABILITIES, ProviderOption

logger = logging.getLogger(__name__)

PRESETS: Final[Mapping[str, tuple[Decimal | None, Decimal | None]]] = MappingProxyType(
    {
        # name -> (cost_weight, performance_weight) passed to rank_models; None: SQL's default.
        "balanced": (None, None),
        "cost": (Decimal("0.8"), Decimal("0.2")),
        "quality": (Decimal(0), Decimal(1)),
    }
)
ORDER_LENGTH: Final = 1000
"""Models per stored order (rank_models' max_results ceiling)."""
USAGE_MIN_REQUESTS: Final = 20
USAGE_MIN_SUCCESS_RATE: Final = 0.5
"""Today's usage marks an offer unhealthy at >= 20 requests and < 50 % success."""
LATENCY_POOL: Final = 100
"""latency_optimized reorders the balanced order's top this many by latency."""
LOCAL_KINDS: Final = frozenset({"local_runtime"})
"""providers.kind values that mean 'runs on the caller's machine' (Ollama, LM Studio)."""


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def offer_weight(option: ProviderOption) -> float:
    """OpenRouter's default: 1 / price^2 (blended price); free offers weigh 1 each (SQL
    gives them the traffic only when nothing paid is offered)."""
    price = option.blended_price_per_million
    if option.is_free_tier or price <= 0:
        return 1.0
    return 1.0 / float(price) ** 2


@dataclass(frozen=True, slots=True)
class Health:
    """Today's usage (model_usage_stats) for one (model, provider_name)."""

    requests: int
    successes: int
    avg_latency_ms: Decimal | None

    @property
    def success_rate(self) -> float:
        return self.successes / self.requests if self.requests else 1.0


@dataclass(frozen=True, slots=True)
class ModelEntry:
    """One ranked model: its ranking row and its offers in SQL's order."""

    name: str
    model_id: int
    row: Mapping[str, Any]
    options: tuple[ProviderOption, ...]
    pool: tuple[ProviderOption, ...]
    """The offers SQL lets share the traffic (not 'excluded:*')."""
    cumulative: tuple[float, ...]
    """Running sums of the pool's 1/price^2 weights (the unconstrained pick's table)."""
    capabilities: frozenset[str]
    """Of CAPABILITIES' names, those models.capabilities grants."""
    context_window: int | None

    def pick(self, draw: float) -> ProviderOption:
        """The pool's offer at `draw` in [0, 1): weighted 1/price^2."""
        total = self.cumulative[-1]
        index = bisect.bisect_right(self.cumulative, draw * total)
        return self.pool[min(index, len(self.pool) - 1)]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An immutable view of the SQL API's answers at `loaded_at`."""

    loaded_at: datetime
    categories: tuple[str, ...]
    models: Mapping[str, ModelEntry]
    names_by_id: Mapping[int, str]
    aliases: Mapping[str, int]
    aliases_lower: Mapping[str, int]
    provider_aliases: Mapping[str, str]
    orders: Mapping[tuple[str, str | None], tuple[str, ...]]
    """(preset, category or None) -> model names in rank_models' order."""
    health: Mapping[tuple[str, str], Health]
    flaky: frozenset[str]
    """Models with an offer unhealthy in today's usage (routing checks them offer by offer)."""
    usage_readable: bool
    transport: str
    load_seconds: float
    stale_since: datetime | None = None
    last_error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_stale(self) -> bool:
        return self.stale_since is not None

    def lookup(self, model: str) -> ModelEntry | None:
        """The entry of a canonical name or alias (exact, then canonical lower case, then
        a case-insensitive alias); None when the snapshot does not know it (the caller may
        ask SQL's resolve_model, which also matches separators)."""
        entry = self.models.get(model)
        if entry is not None:
            return entry
        model_id = self.aliases.get(model)
        if model_id is None:
            stripped = model.strip().lower()
            entry = self.models.get(stripped)
            if entry is not None:
                return entry
            model_id = self.aliases_lower.get(stripped)
        if model_id is None:
            return None
        name = self.names_by_id.get(model_id)
        return self.models.get(name) if name is not None else None

    def provider_name(self, provider: str) -> str:
        """A provider alias's provider_name (or the name itself)."""
        return self.provider_aliases.get(provider, provider)


def _option(row: Row, offer: Row | None) -> ProviderOption:
    offer = offer or {}
    context = offer.get("context_window")
    return ProviderOption(
        provider_name=row["provider_name"],
        provider_id=row["provider_id"],
        input_price_per_million=_dec(row["input_price_per_million"]) or Decimal(0),
        output_price_per_million=_dec(row["output_price_per_million"]) or Decimal(0),
        blended_price_per_million=_dec(row.get("blended_price_per_million")) or Decimal(0),
        is_free_tier=bool(row["is_free_tier"]),
        selection_probability=_dec(row.get("selection_probability")) or Decimal(0),
        price_basis=row.get("price_basis") or "",
        pricing_id=row.get("pricing_id"),
        trust_tier=row.get("trust_tier"),
        provider_kind=offer.get("provider_kind"),
        uptime_pct=_dec(row.get("uptime_pct")),
        latency_ms=_dec(offer.get("latency_ms")),
        context_window=int(context) if context is not None else None,
        deployment=row.get("deployment") or offer.get("deployment") or "",
    )


def _has_local(entry: ModelEntry) -> bool:
    return any(local_offers(entry))


def local_offers(entry: ModelEntry) -> tuple[ProviderOption, ...]:
    """The model's offers on a local runtime (SQL keeps the 'local' tier out of the shared
    pool; local_first routes to them anyway), outliers and quarantined ones left out."""
    return tuple(
        o
        for o in entry.options
        if o.provider_kind in LOCAL_KINDS
        and o.price_basis not in ("excluded:outlier", "excluded:quarantined")
    )


def _best_latency(entry: ModelEntry | None) -> Decimal:
    if entry is None:
        return Decimal("Infinity")
    known = [o.latency_ms for o in entry.pool if o.latency_ms is not None]
    return min(known) if known else Decimal("Infinity")


def _capabilities(raw: Any) -> frozenset[str]:
    if not isinstance(raw, Mapping):
        return frozenset()
    return frozenset(
        name
        for name, keys in CAPABILITIES.items()
        if any(raw.get(key) in (True, "true") for key in keys)
    )


def load_snapshot(transport: Transport) -> Snapshot:
    """Read everything a routing decision needs, through `transport`, into a Snapshot."""
    started = time.perf_counter()
    categories = transport.categories()
    ranking_rows = transport.rankings()
    priced = [r["name"] for r in ranking_rows if r.get("min_input_cost") is not None]
    options = transport.provider_options(priced)
    offers = {r["pricing_id"]: r for r in transport.offers()}
    orders: dict[tuple[str, str | None], tuple[str, ...]] = {}
    for preset, (cost_weight, performance_weight) in PRESETS.items():
        for category in (None, *categories):
            rows = transport.rank_models(
                category=category,
                cost_weight=cost_weight,
                performance_weight=performance_weight,
                max_results=ORDER_LENGTH,
            )
            orders[preset, category] = tuple(r["name"] for r in rows)
    models: dict[str, ModelEntry] = {}
    for row in ranking_rows:
        name = row["name"]
        opts = tuple(_option(o, offers.get(o.get("pricing_id"))) for o in options.get(name, ()))
        pool = tuple(o for o in opts if o.in_pool)
        running = 0.0
        cumulative: list[float] = []
        for option in pool:
            running += offer_weight(option)
            cumulative.append(running)
        context = row.get("context_window")
        models[name] = ModelEntry(
            name=name,
            model_id=int(row["model_id"]),
            row=MappingProxyType(row),
            options=opts,
            pool=pool,
            cumulative=tuple(cumulative),
            capabilities=_capabilities(row.get("capabilities")),
            context_window=int(context) if context is not None else None,
        )
    for category in (None, *categories):
        balanced = orders["balanced", category]
        # Orderings of SQL's order by offer facts (no scores computed here): models a
        # local runtime serves first; the top 100 by their fastest known offer.
        local = [n for n in balanced if n in models and _has_local(models[n])]
        orders["local", category] = (*local, *(n for n in balanced if n not in set(local)))
        top = list(balanced[:LATENCY_POOL])
        top.sort(key=lambda n: _best_latency(models.get(n)))
        orders["latency", category] = (*top, *balanced[LATENCY_POOL:])
    names_by_id = {entry.model_id: name for name, entry in models.items()}
    aliases = dict(transport.model_aliases())
    lower: dict[str, int] = {}
    ambiguous: set[str] = set()
    for alias, model_id in aliases.items():
        key = alias.lower()
        if key in lower and lower[key] != model_id:
            ambiguous.add(key)  # resolve_model matches case-insensitively only when unique
        lower[key] = model_id
    for key in ambiguous:
        del lower[key]
    usage = transport.usage_today()
    health: dict[tuple[str, str], Health] = {}
    for u in usage or ():
        model_name = names_by_id.get(int(u["model_id"]))
        if model_name is None:
            continue
        requests = int(u["total_requests"])
        health[model_name, u["provider_name"]] = Health(
            requests=requests,
            successes=int(u["success_count"]),
            avg_latency_ms=(Decimal(int(u["latency_ms_sum"])) / requests if requests else None),
        )
    return Snapshot(
        loaded_at=datetime.now(UTC),
        categories=categories,
        models=MappingProxyType(models),
        names_by_id=MappingProxyType(names_by_id),
        aliases=MappingProxyType(aliases),
        aliases_lower=MappingProxyType(lower),
        provider_aliases=MappingProxyType(dict(transport.provider_aliases())),
        orders=MappingProxyType(orders),
        health=MappingProxyType(health),
        flaky=frozenset(
            model
            for (model, _), h in health.items()
            if h.requests >= USAGE_MIN_REQUESTS and h.success_rate < USAGE_MIN_SUCCESS_RATE
        ),
        usage_readable=usage is not None,
        transport=transport.name,
        load_seconds=time.perf_counter() - started,
    )


class SnapshotManager:
    """Holds the current Snapshot and refreshes it in a background thread (TTL and
    price-change events). `get()` never waits for a refresh once a snapshot exists."""

    def __init__(
        self,
        transport: Transport,
        *,
        ttl: float = 300.0,
        watch: bool = False,
        watch_options: Mapping[str, Any] | None = None,
        debounce: float = 0.05,
    ) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        self._transport = transport
        self._ttl = ttl
        self._watch = watch
        self._watch_options = dict(watch_options or {})
        self._debounce = debounce
        self._snapshot: Snapshot | None = None
        self._load_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._subscription: Any = None
        self.realtime_error: BaseException | None = None
        self.refreshes = 0

    @property
    def current(self) -> Snapshot | None:
        return self._snapshot

    def get(self) -> Snapshot:
        """The current snapshot; the first call loads it (and starts the refresher)."""
        snapshot = self._snapshot
        if snapshot is not None:
            return snapshot
        with self._load_lock:
            if self._snapshot is None:
                self._snapshot = load_snapshot(self._transport)
                self._start_background()
            return self._snapshot

    def refresh(self) -> Snapshot:
        """Reload now. On failure the last good snapshot stays, marked stale (logged); with
        no snapshot yet the error is raised."""
        with self._load_lock:
            try:
                fresh = load_snapshot(self._transport)
            except LLMIntelError as e:
                last = self._snapshot
                if last is None:
                    raise
                stale = replace(
                    last,
                    stale_since=last.stale_since or datetime.now(UTC),
                    last_error=str(e),
                )
                self._snapshot = stale
                logger.warning(
                    "routing snapshot refresh failed, keeping the one loaded at %s"
                    " (stale since %s): %s",
                    last.loaded_at.isoformat(),
                    stale.stale_since.isoformat() if stale.stale_since else "?",
                    e,
                )
                return stale
            self._snapshot = fresh
            self.refreshes += 1
            return fresh

    def request_refresh(self) -> None:
        """Ask the background thread to reload soon (a price change was committed)."""
        self._wake.set()

    def _start_background(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="llm-intel-snapshot", daemon=True)
        self._thread.start()
        if self._watch:
            from llm_intelligence.realtime import subscribe

            try:
                self._subscription = subscribe(
                    lambda _change: self._wake.set(), **self._watch_options
                )
            except (LLMIntelError, OSError, TimeoutError) as e:
                self.realtime_error = e
                logger.warning(
                    "price-change subscription failed, the routing snapshot refreshes"
                    " on its TTL (%s s) only: %s",
                    self._ttl,
                    e,
                )

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(self._ttl)
            if self._stopping.is_set():
                return
            # A burst of changes (one sync commits many) is one reload.
            time.sleep(self._debounce)
            self._wake.clear()
            try:
                self.refresh()
            except Exception:
                # refresh() keeps the last snapshot on database errors; anything else is
                # a bug: logged with its traceback, and the thread keeps serving.
                logger.exception("routing snapshot refresh raised unexpectedly")

    def close(self) -> None:
        """Stop the refresher and the subscription."""
        self._stopping.set()
        self._wake.set()
        if self._subscription is not None:
            self._subscription.stop()
            self._subscription = None
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)


def weighted(options: Sequence[ProviderOption]) -> list[float]:
    """1/price^2 weights of `options` (see offer_weight)."""
    return [offer_weight(o) for o in options]
