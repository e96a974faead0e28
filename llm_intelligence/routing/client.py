"""`Router` and `AsyncRouter`: the routing API, sync and async twins over one core.

    with Router() as router:                     # DATABASE_URL / embedded, or Supabase
        choice = router.get_optimal_provider("gpt-4o")
        decision = router.route("Write a SQL query that ...", strategy="cost_optimized")
        router.record_usage(model=decision.model, provider_name=decision.provider_name,
                            input_tokens=812, output_tokens=240, latency_ms=930, success=True)

Both read an in-process Snapshot (see `snapshot`), so routing decisions make no database
round trip; the async twin awaits only what reaches the database (the first load,
custom-weight rankings, alias resolution SQL alone can do) in a worker thread.

The transport: `SUPABASE_URL` + `SUPABASE_KEY` without `DATABASE_URL` -> PostgREST;
otherwise psycopg on DATABASE_URL or the embedded default (the realtime module's rule).
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import queue
import threading
import weakref
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from types import TracebackType
from typing import Any, Final, Self

from llm_intelligence.config import Settings, load_settings
from llm_intelligence.errors import UnknownModelError
from llm_intelligence.realtime import resolve_backend
from llm_intelligence.routing import core
from llm_intelligence.routing.snapshot import ModelEntry, Snapshot, SnapshotManager
from llm_intelligence.routing.transports import (
    PostgrestTransport,
    PsycopgTransport,
    Transport,
)
from llm_intelligence.routing.types import (
    NO_CONSTRAINTS,
    Constraints,
    ModelPricing,
    ProviderChoice,
    RankedModel,
    RouteOption,
    RoutingDecision,
    Strategy,
    UsageRecord,
    Weights,
)

logger = logging.getLogger(__name__)

DEFAULT_TTL: Final = 300.0


def transport_from_settings(settings: Settings, *, database_url: str | None = None) -> Transport:
    """PostgREST when SUPABASE_URL + SUPABASE_KEY are set and DATABASE_URL is not (or
    `database_url` given); psycopg otherwise."""
    if database_url is None and resolve_backend(settings) == "supabase":
        assert settings.supabase_url is not None and settings.supabase_key is not None
        return PostgrestTransport(settings.supabase_url, settings.supabase_key.get_secret_value())
    if database_url is None:
        from llm_intelligence.db.connection import resolve_database_url

        database_url = resolve_database_url(settings)
    return PsycopgTransport(database_url)


class UsageRecorder:
    """record_usage's buffer: `add` only enqueues; a background thread flushes batches
    through SQL `record_usage` every `interval` seconds or at `batch_size` records. A
    failed flush keeps the records and retries at the next one (logged). `close()`
    flushes what is left and raises if that fails: nothing is dropped silently."""

    def __init__(self, transport: Transport, *, interval: float = 1.0, batch_size: int = 500):
        self._transport = transport
        self._interval = interval
        self._batch_size = batch_size
        self._queue: queue.SimpleQueue[UsageRecord] = queue.SimpleQueue()
        self._pending: list[UsageRecord] = []
        self._wake = threading.Event()
        self._closed = threading.Event()
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.flushed = 0

    def add(self, record: UsageRecord) -> None:
        if self._closed.is_set():
            raise RuntimeError("record_usage after close()")
        self._queue.put(record)
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(
                        target=self._run, name="llm-intel-usage", daemon=True
                    )
                    self._thread.start()
        if self._queue.qsize() >= self._batch_size:
            self._wake.set()

    def _run(self) -> None:
        while not self._closed.is_set():
            self._wake.wait(self._interval)
            self._wake.clear()
            if self._closed.is_set():
                return
            try:
                self.flush()
            except Exception:
                # Kept for the next flush (flush() puts them back): logged, not lost.
                logger.exception("record_usage flush failed; will retry")

    def flush(self) -> int:
        """Send everything queued now; returns how many records were written."""
        with self._flush_lock:
            while True:
                try:
                    self._pending.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            written = 0
            while self._pending:
                batch = self._pending[: self._batch_size]
                self._transport.record_usage(batch)
                del self._pending[: len(batch)]
                written += len(batch)
            self.flushed += written
            return written

    def close(self) -> None:
        """Stop the thread and flush the rest (raises if the database refuses it)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        self.flush()


class _Base:
    """State shared by the twins: transport, snapshot manager, failures, recorder."""

    def __init__(
        self,
        *,
        settings: Settings | None = None,
        database_url: str | None = None,
        transport: Transport | None = None,
        ttl: float = DEFAULT_TTL,
        realtime: bool | None = None,
        seed: int | None = None,
        flush_interval: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        settings = settings or load_settings()
        self._transport = transport or transport_from_settings(settings, database_url=database_url)
        listen = settings.enable_real_time_updates if realtime is None else realtime
        watch_options: dict[str, Any] = {"settings": settings}
        if isinstance(self._transport, PsycopgTransport):
            watch_options["database_url"] = database_url or self._transport._url
        self.snapshots = SnapshotManager(
            self._transport, ttl=ttl, watch=listen, watch_options=watch_options
        )
        self.failures = core.FailureTracker()
        self._rng = Random(seed)
        self._recorder = UsageRecorder(
            self._transport, interval=flush_interval, batch_size=batch_size
        )
        self._resolved: dict[str, str] = {}
        self._closed = False
        # A clean interpreter exit flushes the usage buffer (weakly: no leak).
        self._atexit = _atexit_closer(self)
        atexit.register(self._atexit)

    @property
    def snapshot(self) -> Snapshot | None:
        """The current snapshot (None before the first load)."""
        return self.snapshots.current

    def _entry(self, snapshot: Snapshot, model: str) -> ModelEntry | None:
        entry = snapshot.lookup(model)
        if entry is None and model in self._resolved:
            entry = snapshot.models.get(self._resolved[model])
        return entry

    def _resolve_sql(self, snapshot: Snapshot, model: str) -> ModelEntry:
        """SQL's resolve_model for what the snapshot's exact and case-insensitive lookups
        miss (separators, 'did you mean'); remembered per router."""
        model_id = self._transport.resolve_model(model)
        name = snapshot.names_by_id.get(model_id)
        if name is None:
            raise UnknownModelError(
                f"model {model} is in the catalog but not ranked (model_rankings holds"
                " priced text-generation models): nothing to route to"
            )
        if len(self._resolved) < 10_000:
            self._resolved[model] = name
        return snapshot.models[name]

    def report_failure(self, model: str, provider_name: str) -> None:
        """A request to `provider_name` for `model` failed: the provider is skipped for
        this model for the next 30 seconds (see core's outage rule)."""
        snapshot = self.snapshots.current
        entry = self._entry(snapshot, model) if snapshot is not None else None
        self.failures.record(entry.name if entry else model, provider_name, success=False)

    def _usage(
        self,
        snapshot: Snapshot,
        entry: ModelEntry,
        provider_name: str,
        input_tokens: int,
        output_tokens: int,
        latency_ms: int,
        success: bool,
        cost: Decimal | None,
    ) -> None:
        if cost is None:
            try:
                cost = core.estimate_cost(
                    snapshot, entry, input_tokens, output_tokens, provider_name
                )
            except UnknownModelError:
                cost = core.estimate_cost(snapshot, entry, input_tokens, output_tokens, None)
        self.failures.record(entry.name, provider_name, success=success)
        self._recorder.add(
            UsageRecord(
                model=entry.name,
                provider_name=provider_name,
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                cost=cost,
                latency_ms=latency_ms,
                success=success,
            )
        )

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self._atexit)
        try:
            self._recorder.close()
        finally:
            self.snapshots.close()
            self._transport.close()


def _atexit_closer(router: _Base) -> Any:
    ref = weakref.ref(router)

    def close() -> None:
        target = ref()
        if target is not None:
            target._close()

    return close


def _weights(weights: Weights | Mapping[str, Any] | None) -> Weights | None:
    if weights is None or isinstance(weights, Weights):
        return weights
    return Weights(
        cost=Decimal(str(weights["cost"])), performance=Decimal(str(weights["performance"]))
    )


class Router(_Base):
    """The synchronous routing API (thread-safe)."""

    def _snap(self) -> Snapshot:
        return self.snapshots.get()

    def _lookup(self, model: str) -> tuple[Snapshot, ModelEntry]:
        snapshot = self._snap()
        entry = self._entry(snapshot, model)
        if entry is None:
            entry = self._resolve_sql(snapshot, model)
        return snapshot, entry

    def refresh(self) -> Snapshot:
        """Reload the snapshot now (a failure keeps the last one, marked stale)."""
        return self.snapshots.refresh()

    def get_ranked_models(
        self,
        category: str | None = None,
        *,
        weights: Weights | Mapping[str, Any] | None = None,
        constraints: Constraints | None = None,
        limit: int = 10,
    ) -> list[RankedModel]:
        """Models in rank_models' order for the category (None: overall), as RankedModel
        (a str). Default weights read the snapshot; other weights ask SQL (a round trip)."""
        snapshot = self._snap()
        given = _weights(weights)
        if given is None:
            return core.ranked_models(snapshot, category, constraints or NO_CONSTRAINTS, limit)
        rows = self._transport.rank_models(
            category=category,
            cost_weight=given.cost,
            performance_weight=given.performance,
            max_results=1000,
        )
        return core.custom_ranked(snapshot, rows, constraints or NO_CONSTRAINTS, limit)

    def get_optimal_provider(
        self, model: str, *, constraints: Constraints | None = None
    ) -> ProviderChoice:
        """A provider for `model`: 1/price^2 at random among its healthy offers."""
        snapshot, entry = self._lookup(model)
        return core.provider_or_raise(
            snapshot, entry, rng=self._rng, failures=self.failures, constraints=constraints
        )

    def get_model_pricing(self, model: str) -> ModelPricing:
        """The model's minimum prices and every offer."""
        return core.pricing(self._lookup(model)[1])

    def estimate_cost(
        self, model: str, input_tokens: int, output_tokens: int, provider: str | None = None
    ) -> Decimal:
        """Exact USD for one request (SQL estimate_cost's rule, from the snapshot)."""
        snapshot, entry = self._lookup(model)
        return core.estimate_cost(snapshot, entry, input_tokens, output_tokens, provider)

    def build_fallback_chain(
        self,
        model_or_category: str | None,
        *,
        strategy: Strategy = "balanced",
        constraints: Constraints | None = None,
        limit: int = 5,
    ) -> tuple[RouteOption, ...]:
        """Ordered (model, provider) pairs that all satisfy the constraints."""
        snapshot = self._snap()
        target: ModelEntry | str | None = model_or_category
        if model_or_category is not None and model_or_category not in snapshot.categories:
            target = self._lookup(model_or_category)[1]
        return core.fallback_chain(
            snapshot,
            target,
            strategy=strategy,
            constraints=constraints or NO_CONSTRAINTS,
            failures=self.failures,
            limit=limit,
        )

    def route(
        self,
        prompt_or_messages: Any,
        *,
        strategy: Strategy = "balanced",
        constraints: Constraints | None = None,
        expected_output_tokens: int | None = None,
    ) -> RoutingDecision:
        """Classify the request and choose a model and provider (see core.route)."""
        return core.route(
            self._snap(),
            prompt_or_messages,
            strategy=strategy,
            constraints=constraints or NO_CONSTRAINTS,
            rng=self._rng,
            failures=self.failures,
            expected_output_tokens=expected_output_tokens,
        )

    def record_usage(
        self,
        *,
        model: str,
        provider_name: str,
        input_tokens: int,
        output_tokens: int,
        latency_ms: int,
        success: bool,
        cost: Decimal | None = None,
    ) -> None:
        """Queue one request's outcome (never blocks on the database); cost None: the
        snapshot's estimate at that provider."""
        snapshot, entry = self._lookup(model)
        self._usage(
            snapshot, entry, provider_name, input_tokens, output_tokens, latency_ms, success, cost
        )

    def flush(self) -> int:
        """Write the queued usage now (blocking); returns how many records."""
        return self._recorder.flush()

    def close(self) -> None:
        """Flush usage, stop the refresher and the subscription."""
        self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncRouter(_Base):
    """The asyncio routing API: the same core and answers as Router."""

    async def _snap(self) -> Snapshot:
        snapshot = self.snapshots.current
        if snapshot is None:
            snapshot = await asyncio.to_thread(self.snapshots.get)
        return snapshot

    async def _lookup(self, model: str) -> tuple[Snapshot, ModelEntry]:
        snapshot = await self._snap()
        entry = self._entry(snapshot, model)
        if entry is None:
            entry = await asyncio.to_thread(self._resolve_sql, snapshot, model)
        return snapshot, entry

    async def refresh(self) -> Snapshot:
        """Reload the snapshot now (a failure keeps the last one, marked stale)."""
        return await asyncio.to_thread(self.snapshots.refresh)

    async def get_ranked_models(
        self,
        category: str | None = None,
        *,
        weights: Weights | Mapping[str, Any] | None = None,
        constraints: Constraints | None = None,
        limit: int = 10,
    ) -> list[RankedModel]:
        """Models in rank_models' order for the category (None: overall), as RankedModel
        (a str). Default weights read the snapshot; other weights ask SQL (a round trip)."""
        snapshot = await self._snap()
        given = _weights(weights)
        if given is None:
            return core.ranked_models(snapshot, category, constraints or NO_CONSTRAINTS, limit)
        rows = await asyncio.to_thread(
            self._transport.rank_models,
            category=category,
            cost_weight=given.cost,
            performance_weight=given.performance,
            max_results=1000,
        )
        return core.custom_ranked(snapshot, rows, constraints or NO_CONSTRAINTS, limit)

    async def get_optimal_provider(
        self, model: str, *, constraints: Constraints | None = None
    ) -> ProviderChoice:
        """A provider for `model`: 1/price^2 at random among its healthy offers."""
        snapshot, entry = await self._lookup(model)
        return core.provider_or_raise(
            snapshot, entry, rng=self._rng, failures=self.failures, constraints=constraints
        )

    async def get_model_pricing(self, model: str) -> ModelPricing:
        """The model's minimum prices and every offer."""
        return core.pricing((await self._lookup(model))[1])

    async def estimate_cost(
        self, model: str, input_tokens: int, output_tokens: int, provider: str | None = None
    ) -> Decimal:
        """Exact USD for one request (SQL estimate_cost's rule, from the snapshot)."""
        snapshot, entry = await self._lookup(model)
        return core.estimate_cost(snapshot, entry, input_tokens, output_tokens, provider)

    async def build_fallback_chain(
        self,
        model_or_category: str | None,
        *,
        strategy: Strategy = "balanced",
        constraints: Constraints | None = None,
        limit: int = 5,
    ) -> tuple[RouteOption, ...]:
        """Ordered (model, provider) pairs that all satisfy the constraints."""
        snapshot = await self._snap()
        target: ModelEntry | str | None = model_or_category
        if model_or_category is not None and model_or_category not in snapshot.categories:
            target = (await self._lookup(model_or_category))[1]
        return core.fallback_chain(
            snapshot,
            target,
            strategy=strategy,
            constraints=constraints or NO_CONSTRAINTS,
            failures=self.failures,
            limit=limit,
        )

    async def route(
        self,
        prompt_or_messages: Any,
        *,
        strategy: Strategy = "balanced",
        constraints: Constraints | None = None,
        expected_output_tokens: int | None = None,
    ) -> RoutingDecision:
        """Classify the request and choose a model and provider (see core.route)."""
        return core.route(
            await self._snap(),
            prompt_or_messages,
            strategy=strategy,
            constraints=constraints or NO_CONSTRAINTS,
            rng=self._rng,
            failures=self.failures,
            expected_output_tokens=expected_output_tokens,
        )

    async def record_usage(
        self,
        *,
        model: str,
        provider_name: str,
        input_tokens: int,
        output_tokens: int,
        latency_ms: int,
        success: bool,
        cost: Decimal | None = None,
    ) -> None:
        """Queue one request's outcome (never blocks on the database); cost None: the
        snapshot's estimate at that provider."""
        snapshot, entry = await self._lookup(model)
        self._usage(
            snapshot, entry, provider_name, input_tokens, output_tokens, latency_ms, success, cost
        )

    async def flush(self) -> int:
        """Write the queued usage now; returns how many records."""
        return await asyncio.to_thread(self._recorder.flush)

    async def close(self) -> None:
        """Flush usage, stop the refresher and the subscription."""
        await asyncio.to_thread(self._close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
