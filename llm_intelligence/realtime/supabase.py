"""Price changes over Supabase: Realtime `postgres_changes` (INSERT on public.price_changes,
through supabase-py's async realtime channel) as the wake-up, and PostgREST's
`rpc/price_changes_since` as the truth.

What the project needs for it: `price_changes` in the `supabase_realtime` publication and
readable by the key's role (both in the migrations), `price_changes_since` executable by
it (granted to anon and authenticated), SUPABASE_URL and SUPABASE_KEY (the anon key is
enough). A Realtime event's record is not used beyond waking the reader: the row is read
through PostgREST with exact numerics (JSON numbers parsed as Decimal), the same way as
after a reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal
from typing import Any

import httpx
from realtime import (
    AsyncRealtimeChannel,
    RealtimePostgresChangesListenEvent,
    RealtimeSubscribeStates,
)

from llm_intelligence.errors import DatabaseError
from llm_intelligence.realtime.changes import PriceChange
from llm_intelligence.realtime.stream import Disconnected
from supabase import AsyncClient, AsyncClientOptions, acreate_client

logger = logging.getLogger(__name__)

TOPIC = "llm-intel-price-changes"
"""The Realtime channel's topic (the server sees `realtime:llm-intel-price-changes`)."""

_LOST = "lost"
_HINT = "hint"


class SupabaseSource:
    """One Realtime socket (when listening) and one HTTP client per connection attempt."""

    name = "supabase"

    def __init__(
        self,
        url: str,
        key: str,
        *,
        listen: bool = True,
        http_transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._url = url.rstrip("/")
        self._key = key
        self._listen = listen
        self._transport = http_transport
        self._timeout = timeout
        self._http: httpx.AsyncClient | None = None
        self._client: AsyncClient | None = None
        self._channel: AsyncRealtimeChannel | None = None
        self._events: asyncio.Queue[str] = asyncio.Queue()

    async def connect(self) -> None:
        self._events = asyncio.Queue()
        self._http = httpx.AsyncClient(
            base_url=f"{self._url}/rest/v1",
            headers={"apikey": self._key, "Authorization": f"Bearer {self._key}"},
            transport=self._transport,
            timeout=self._timeout,
        )
        if not self._listen:
            return
        # Reconnecting is the stream's job (it also catches up): one attempt here.
        options = AsyncClientOptions(
            realtime={"auto_reconnect": False, "max_retries": 1, "initial_backoff": 0.1}
        )
        try:
            self._client = await acreate_client(self._url, self._key, options=options)
            self._client.realtime.timeout = max(1, round(self._timeout))
            channel = self._client.channel(TOPIC)
            channel.on_postgres_changes(
                RealtimePostgresChangesListenEvent.Insert,
                callback=self._on_change,
                table="price_changes",
                schema="public",
            )
            channel.on_system(self._on_system)
            await channel.subscribe(self._on_state)
        except (TimeoutError, OSError, ValueError) as e:
            raise Disconnected(f"Supabase Realtime: {e}") from e
        except Exception as e:
            raise Disconnected(f"Supabase Realtime: {type(e).__name__}: {e}") from e
        self._channel = channel
        if not channel.is_joined:
            raise Disconnected("Supabase Realtime: the channel was not joined")

    def _on_change(self, payload: Any) -> None:
        self._events.put_nowait(_HINT)

    def _on_system(self, payload: Any) -> None:
        # "Subscribed to PostgreSQL": from now on every insert is streamed. Changes made
        # between the join reply and this are read now.
        self._events.put_nowait(_HINT)

    def _on_state(self, state: RealtimeSubscribeStates, error: Exception | None) -> None:
        if state == RealtimeSubscribeStates.SUBSCRIBED:
            self._events.put_nowait(_HINT)
        else:
            logger.info("Supabase Realtime channel %s: %s", state.value, error)
            self._events.put_nowait(_LOST)

    async def close(self) -> None:
        client, self._client, self._channel = self._client, None, None
        http, self._http = self._http, None
        if client is not None:
            try:
                await asyncio.wait_for(client.realtime.close(), timeout=2)
            except Exception as e:  # noqa: BLE001 (a dead socket: nothing left to close)
                logger.debug("closing the Realtime socket: %s", e)
        if http is not None:
            await http.aclose()

    async def wait(self, timeout: float | None) -> bool:
        if self._http is None:
            raise Disconnected("not connected")
        if not self._listen:
            await asyncio.sleep(timeout if timeout is not None else 0)
            return False
        try:
            first = await asyncio.wait_for(self._events.get(), timeout)
        except TimeoutError:
            return False
        events = [first]
        while not self._events.empty():
            events.append(self._events.get_nowait())
        if _LOST in events:
            raise Disconnected("the Realtime channel closed")
        return True

    async def read(self, after_id: int, limit: int) -> list[PriceChange]:
        rows = await self._request(
            "POST",
            "/rpc/price_changes_since",
            json={"after_id": after_id, "max_rows": limit},
        )
        return [PriceChange.from_row(row) for row in rows]

    async def latest_ids(self, limit: int) -> list[int]:
        rows = await self._request(
            "GET",
            "/price_changes",
            params={"select": "id", "order": "id.desc", "limit": str(limit)},
        )
        return [int(row["id"]) for row in rows]

    async def snapshot(self) -> tuple[int, int] | None:
        return None  # PostgREST does not expose it: gaps are resolved by time

    async def _request(self, method: str, path: str, **kwargs: Any) -> list[dict[str, Any]]:
        if self._http is None:
            raise Disconnected("not connected")
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as e:
            raise Disconnected(f"PostgREST: {type(e).__name__}: {e}") from e
        if response.status_code >= 500 or response.status_code == 429:
            raise Disconnected(f"PostgREST answered {response.status_code}")
        if response.status_code >= 400:
            raise DatabaseError(f"PostgREST {path}: {response.status_code} {_message(response)}")
        data = json.loads(response.content, parse_float=Decimal)
        if not isinstance(data, list):
            raise DatabaseError(f"PostgREST {path}: expected a JSON array, got {type(data)}")
        return data


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body)[:200]
    return str(body)[:200]
