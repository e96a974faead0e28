"""The Supabase backend of `watch_price_changes()`: supabase-py's async Realtime channel
(`postgres_changes` on price_changes inserts) as the wake-up, PostgREST's
`rpc/price_changes_since` as the truth, caught up by id after a dropped socket.

No Supabase Realtime server runs here. `PhoenixStandIn` below is a LOCAL STAND-IN for
Supabase Realtime, started by the test: a WebSocket server (the `websockets` package)
speaking just enough of the Phoenix channel protocol Realtime uses (phx_join answered with
an ok phx_reply carrying the postgres_changes binding ids, the "Subscribed to PostgreSQL"
system message, heartbeat and phx_leave replies, postgres_changes messages). PostgREST is
an httpx MockTransport over an in-memory price_changes table that answers the way
PostgREST does (numerics as JSON numbers)."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from llm_intelligence.config import Settings
from llm_intelligence.realtime import PriceChange, PriceChangeStream, watch_price_changes

# realtime (supabase-py) reads the close code the way websockets 13.1 deprecated.
pytestmark = pytest.mark.filterwarnings("ignore:ConnectionClosed.:DeprecationWarning")

T = TypeVar("T")
KEY = "anon-key-for-tests"


class PhoenixStandIn:
    """A local stand-in for Supabase Realtime (see the module docstring): not Supabase."""

    def __init__(self) -> None:
        self.joined: dict[ServerConnection, str] = {}
        self.joins: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.heartbeats = 0

    async def handler(self, ws: ServerConnection) -> None:
        self.paths.append(ws.request.path if ws.request else "")
        try:
            async for raw in ws:
                msg = json.loads(raw)
                topic, ref = msg["topic"], msg.get("ref")
                if msg["event"] == "heartbeat":
                    self.heartbeats += 1
                    await self._reply(ws, topic, ref, {})
                elif msg["event"] == "phx_join":
                    self.joins.append(msg)
                    bindings = msg["payload"]["config"]["postgres_changes"]
                    response = {
                        "postgres_changes": [
                            {**b, "id": 4000 + i, "filter": b.get("filter")}
                            for i, b in enumerate(bindings)
                        ]
                    }
                    await self._reply(ws, topic, ref, response)
                    self.joined[ws] = topic
                    await self._send(
                        ws,
                        "system",
                        topic,
                        {
                            "channel": topic.removeprefix("realtime:"),
                            "extension": "postgres_changes",
                            "message": "Subscribed to PostgreSQL",
                            "status": "ok",
                        },
                    )
                elif msg["event"] == "phx_leave":
                    self.joined.pop(ws, None)
                    await self._reply(ws, topic, ref, {})
        finally:
            self.joined.pop(ws, None)

    async def _reply(self, ws: ServerConnection, topic: str, ref: Any, response: Any) -> None:
        payload = {"status": "ok", "response": response}
        await ws.send(
            json.dumps({"event": "phx_reply", "topic": topic, "payload": payload, "ref": ref})
        )

    async def _send(self, ws: ServerConnection, event: str, topic: str, payload: Any) -> None:
        await ws.send(json.dumps({"event": event, "topic": topic, "payload": payload, "ref": None}))

    async def insert(self, record: dict[str, Any]) -> None:
        """What Realtime sends for an INSERT on public.price_changes (numbers as floats)."""
        data = {
            "schema": "public",
            "table": "price_changes",
            "commit_timestamp": "2026-12-02T10:00:00Z",
            "type": "INSERT",
            "errors": None,
            "columns": [{"name": "id", "type": "int8"}],
            "record": json.loads(_postgrest_json([record]))[0],
        }
        for ws, topic in list(self.joined.items()):
            await self._send(ws, "postgres_changes", topic, {"data": data, "ids": [4000]})

    async def drop_all(self) -> None:
        for ws in list(self.joined):
            await ws.close(code=1011, reason="stand-in restarting")


def _postgrest_json(rows: list[dict[str, Any]]) -> str:
    """JSON as PostgREST writes it: numeric columns as JSON numbers, exact digits."""
    text = json.dumps(rows, default=lambda d: f"\u00a7{d}\u00a7", ensure_ascii=False)
    return re.sub('"\u00a7([^\u00a7]*)\u00a7"', r"\1", text)


class FakePostgrest:
    """price_changes and price_changes_since over an in-memory table."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        self.requests: list[httpx.Request] = []

    def add(self, provider_name: str, new_input: str) -> dict[str, Any]:
        row = {
            "id": len(self.rows) + 1,
            "pricing_id": 10 + len(self.rows),
            "model_id": 7,
            "model_name": "gpt-x",
            "provider_name": provider_name,
            "provider_id": f"{provider_name}/gpt-x",
            "gateway": "",
            "deployment": "",
            "source": "litellm",
            "change_type": "insert",
            "old_input_price_per_million": None,
            "new_input_price_per_million": Decimal(new_input),
            "old_output_price_per_million": None,
            "new_output_price_per_million": Decimal("15"),
            "old_cache_read_price_per_million": None,
            "new_cache_read_price_per_million": None,
            "old_cache_write_price_per_million": None,
            "new_cache_write_price_per_million": None,
            "changed_at": "2026-12-02T10:00:00.123456+00:00",
        }
        self.rows.append(row)
        return row

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["apikey"] == KEY
        assert request.headers["authorization"] == f"Bearer {KEY}"
        if request.method == "POST" and request.url.path == "/rest/v1/rpc/price_changes_since":
            args = json.loads(request.content)
            found = [r for r in self.rows if r["id"] > args["after_id"]][: args["max_rows"]]
            return httpx.Response(200, content=_postgrest_json(found))
        if request.method == "GET" and request.url.path == "/rest/v1/price_changes":
            params = request.url.params
            assert (params["select"], params["order"]) == ("id", "id.desc")
            ids = [{"id": r["id"]} for r in reversed(self.rows)][: int(params["limit"])]
            return httpx.Response(200, json=ids)
        return httpx.Response(404, json={"message": f"no route {request.url.path}"})


def run(coro: Awaitable[T]) -> T:
    async def bounded() -> T:
        return await asyncio.wait_for(coro, timeout=60)

    return asyncio.run(bounded())


async def next_change(changes: PriceChangeStream) -> PriceChange:
    return await asyncio.wait_for(anext(changes), 10)


def test_supabase_realtime_wakes_reads_by_id_and_catches_up_after_a_drop() -> None:
    server = PhoenixStandIn()
    rest = FakePostgrest()
    rest.add("openai", "2.5")  # history: before the watch starts

    async def main() -> list[PriceChange]:
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            port = next(iter(ws_server.sockets)).getsockname()[1]
            settings = Settings.model_validate(
                {"SUPABASE_URL": f"http://127.0.0.1:{port}", "SUPABASE_KEY": KEY}
            )
            stream = watch_price_changes(
                settings=settings, http_transport=httpx.MockTransport(rest.handle)
            )
            got: list[PriceChange] = []
            async with stream as changes:
                assert len(server.joins) == 1
                row = rest.add("anthropic", "0.000000123456789")
                await server.insert(row)
                got.append(await next_change(changes))

                # A forged event (a row that is not there) and a repeated one: nothing.
                await server.insert({**row, "id": 99})
                await server.insert(row)
                # Two changes commit while the socket dies: no event ever names them.
                rest.add("azure", "3")
                rest.add("bedrock", "4")
                await server.drop_all()
                got.append(await next_change(changes))
                got.append(await next_change(changes))
                assert len(server.joins) == 2  # re-joined
                assert changes.reconnects == 1

                row = rest.add("vertex_ai", "5")
                await server.insert(row)
                got.append(await next_change(changes))
            return got

    got = run(main())
    assert [c.id for c in got] == [2, 3, 4, 5]
    assert [c.provider_name for c in got] == ["anthropic", "azure", "bedrock", "vertex_ai"]
    assert got[0].new_input_price_per_million == Decimal("0.000000123456789")
    assert got[0].new_output_price_per_million == Decimal("15")
    assert got[0].changed_at.isoformat() == "2026-12-02T10:00:00.123456+00:00"

    # The join asked for INSERTs on public.price_changes, with the key as access token.
    join = server.joins[0]
    assert join["topic"] == "realtime:llm-intel-price-changes"
    assert join["payload"]["config"]["postgres_changes"] == [
        {"event": "INSERT", "schema": "public", "table": "price_changes"}
    ]
    assert join["payload"]["access_token"] == KEY
    path = urlsplit(server.paths[0])
    assert path.path == "/realtime/v1/websocket"
    assert parse_qs(path.query)["apikey"] == [KEY]

    # Reads: the newest ids at start, then price_changes_since from the last id seen.
    calls = [
        (r.method, r.url.path, json.loads(r.content) if r.method == "POST" else None)
        for r in rest.requests
    ]
    assert calls[0] == ("GET", "/rest/v1/price_changes", None)
    since = [json.loads(r.content)["after_id"] for r in rest.requests if r.method == "POST"]
    assert since == sorted(since) and since[0] == 1 and 4 in since


def test_supabase_polling_mode_reads_postgrest_on_an_interval() -> None:
    rest = FakePostgrest()

    async def main() -> list[int]:
        settings = Settings.model_validate(
            {
                "SUPABASE_URL": "http://127.0.0.1:9",  # nothing listens: no socket is opened
                "SUPABASE_KEY": KEY,
                "ENABLE_REAL_TIME_UPDATES": "false",
            }
        )
        async with watch_price_changes(
            settings=settings, http_transport=httpx.MockTransport(rest.handle), poll_interval=0.05
        ) as changes:
            rest.add("openai", "1")
            rest.add("openai", "2")
            return [(await next_change(changes)).id for _ in range(2)]

    assert run(main()) == [1, 2]
