"""Price-change subscriptions: an async iterator and a callback form over one core.

    async with watch_price_changes() as changes:
        async for change in changes:
            print(change.model_name, change.provider_name, change.new_input_price_per_million)

    handle = subscribe(lambda change: print(change))   # runs in a thread
    ...
    handle.stop()

Backends: Postgres LISTEN/NOTIFY (the embedded default or DATABASE_URL) and Supabase
Realtime (SUPABASE_URL + SUPABASE_KEY). Either way every committed change after the
starting point is delivered once, in id order, across dropped connections (see
`llm_intelligence.realtime.stream` for how, gaps included).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import threading
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Literal

import httpx

from llm_intelligence.config import Settings, load_settings
from llm_intelligence.errors import ConfigError
from llm_intelligence.realtime.changes import CHANNEL, PriceChange
from llm_intelligence.realtime.stream import ChangeSource, PriceChangeStream, StreamOptions

__all__ = [
    "CHANNEL",
    "Backend",
    "PriceChange",
    "PriceChangeStream",
    "Subscription",
    "resolve_backend",
    "subscribe",
    "watch_price_changes",
]

logger = logging.getLogger(__name__)

Backend = Literal["auto", "postgres", "supabase"]


def resolve_backend(
    settings: Settings, backend: Backend = "auto"
) -> Literal["postgres", "supabase"]:
    """`auto`: Supabase when SUPABASE_URL and SUPABASE_KEY are set and DATABASE_URL is not;
    otherwise Postgres (DATABASE_URL, or the embedded default)."""
    if backend == "postgres":
        return "postgres"
    has_supabase = bool(settings.supabase_url and settings.supabase_key)
    if backend == "supabase":
        if not has_supabase:
            raise ConfigError("the supabase backend needs SUPABASE_URL and SUPABASE_KEY")
        return "supabase"
    if backend != "auto":
        raise ConfigError(f"unknown realtime backend {backend!r} (auto, postgres or supabase)")
    return "supabase" if has_supabase and settings.database_url is None else "postgres"


def watch_price_changes(
    *,
    after_id: int | None = None,
    backend: Backend = "auto",
    settings: Settings | None = None,
    database_url: str | None = None,
    realtime: bool | None = None,
    poll_interval: float = 5.0,
    resync_interval: float = 60.0,
    gap_timeout: float = 10.0,
    batch_size: int = 1000,
    reconnect_max: float = 10.0,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> PriceChangeStream:
    """Committed price changes as they happen: an async iterator of PriceChange.

    - after_id: deliver the changes with a larger id (0: all history first); None: only
      changes committed after the stream starts (`async with`, or the first `anext`).
    - backend: "postgres" (LISTEN/NOTIFY on DATABASE_URL or the embedded server),
      "supabase" (Realtime + PostgREST), "auto" (see resolve_backend).
    - database_url: the Postgres to watch (default: from settings).
    - realtime: listen for changes (True) or poll (False); None: ENABLE_REAL_TIME_UPDATES.
    - poll_interval: seconds between reads when polling (the same reads, same guarantees).
    - resync_interval: when listening, read anyway after this many quiet seconds.
    - gap_timeout: how long a change may stay uncommitted below a committed one before
      the later ones are delivered first (see the stream module on gaps).
    - batch_size: rows per `price_changes_since` call (1..10000).
    - reconnect_max: the longest pause between reconnection attempts (backoff from 0.1 s).
    - http_transport: the httpx transport of the PostgREST reads (tests).

    The first connection failure raises; later drops are retried for ever, with backoff,
    and the changes committed meanwhile are delivered once the connection is back.
    """
    settings = settings or load_settings()
    listen = settings.enable_real_time_updates if realtime is None else realtime
    if poll_interval <= 0 or resync_interval <= 0:
        raise ValueError("poll_interval and resync_interval must be positive")
    options = StreamOptions(
        listen=listen,
        poll_interval=poll_interval,
        resync_interval=resync_interval,
        gap_timeout=gap_timeout,
        batch_size=batch_size,
        reconnect_max=reconnect_max,
    )
    source: ChangeSource
    if database_url is not None or resolve_backend(settings, backend) == "postgres":
        from llm_intelligence.db.connection import resolve_database_url
        from llm_intelligence.realtime.postgres import PostgresSource

        source = PostgresSource(database_url or resolve_database_url(settings), listen=listen)
    else:
        from llm_intelligence.realtime.supabase import SupabaseSource

        assert settings.supabase_url is not None and settings.supabase_key is not None
        source = SupabaseSource(
            settings.supabase_url,
            settings.supabase_key.get_secret_value(),
            listen=listen,
            http_transport=http_transport,
        )
    return PriceChangeStream(source, after_id=after_id, options=options)


Callback = Callable[[PriceChange], object] | Callable[[PriceChange], Awaitable[object]]


class Subscription:
    """A running callback subscription (see `subscribe`). `stop()` ends it; so does
    leaving a `with` block. `error` holds what ended it early, if anything."""

    def __init__(self, callback: Callback, stream: PriceChangeStream) -> None:
        self._callback = callback
        self._stream = stream
        self._started = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self.error: BaseException | None = None
        self.delivered = 0
        self._thread = threading.Thread(target=self._run, name="llm-intel-watch", daemon=True)

    @property
    def last_id(self) -> int | None:
        """The id of the last change handed to the callback's stream (resume with it)."""
        return self._stream.last_id

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _begin(self, timeout: float | None) -> None:
        self._thread.start()
        if not self._started.wait(timeout):
            self.stop()
            raise TimeoutError("the price-change subscription did not start in time")
        if self.error is not None:
            self._thread.join()
            raise self.error

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._task = asyncio.current_task()
        try:
            async with self._stream as changes:
                self._started.set()
                async for change in changes:
                    try:
                        result = self._callback(change)
                        if inspect.isawaitable(result):
                            await result
                    except Exception:
                        logger.exception("price-change callback failed on change %s", change.id)
                    self.delivered += 1
        except asyncio.CancelledError:
            pass
        except Exception as e:  # noqa: BLE001 (handed to the caller through `error`)
            self.error = e
        finally:
            self._started.set()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop listening and wait for the thread (at most `timeout` seconds)."""
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop just finished
                loop.call_soon_threadsafe(task.cancel)
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def subscribe(
    callback: Callback,
    *,
    start_timeout: float | None = 30.0,
    **watch_options: object,
) -> Subscription:
    """Call `callback(change)` for every committed price change, from a background thread
    with its own event loop (a plain function or a coroutine function). Returns once the
    subscription listens, so a change committed after this returns is delivered.
    `watch_options` are watch_price_changes' keyword arguments. A failing callback is
    logged and the next change is still delivered."""
    stream = watch_price_changes(**watch_options)  # type: ignore[arg-type]
    subscription = Subscription(callback, stream)
    subscription._begin(start_timeout)
    return subscription
