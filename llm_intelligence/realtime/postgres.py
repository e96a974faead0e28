"""Price changes over Postgres: LISTEN/NOTIFY as the wake-up (or a timer), and
`price_changes_since` as the truth. Any Postgres with the catalog's migrations."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg
from psycopg.rows import dict_row

from llm_intelligence.realtime.changes import CHANNEL, PriceChange
from llm_intelligence.realtime.stream import Disconnected

logger = logging.getLogger(__name__)


class PostgresSource:
    """One psycopg async connection (autocommit) per connection attempt."""

    name = "postgres"

    def __init__(self, url: str, *, listen: bool = True) -> None:
        self._url = url
        self._listen = listen
        self._conn: psycopg.AsyncConnection[Any] | None = None

    @property
    def backend_pid(self) -> int | None:
        """The server process of the current connection (tests terminate it)."""
        return self._conn.info.backend_pid if self._conn is not None else None

    async def connect(self) -> None:
        try:
            self._conn = await psycopg.AsyncConnection.connect(
                self._url, autocommit=True, application_name="llm-intelligence watch"
            )
            if self._listen:
                await self._conn.execute(f"listen {CHANNEL}")
        except psycopg.OperationalError as e:
            raise Disconnected(_one_line(e)) from e

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except psycopg.Error as e:  # closing a dead connection: nothing to do
                logger.debug("closing the watch connection: %s", e)

    def _live(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            raise Disconnected("the connection is closed")
        return self._conn

    async def wait(self, timeout: float | None) -> bool:
        conn = self._live()
        if not self._listen:
            # Polling: a sleep; a dead connection is noticed by the next read.
            await asyncio.sleep(timeout if timeout is not None else 0)
            return False
        woke = False
        try:
            async for _ in conn.notifies(timeout=timeout, stop_after=1):
                woke = True
            if woke:
                # Coalesce a burst (a bulk change sends one hint per row): one read for all.
                async for _ in conn.notifies(timeout=0):
                    pass
        except psycopg.OperationalError as e:
            raise Disconnected(_one_line(e)) from e
        return woke

    async def read(self, after_id: int, limit: int) -> list[PriceChange]:
        rows = await self._query(
            "select * from public.price_changes_since(%s, %s)", (after_id, limit)
        )
        return [PriceChange.from_row(row) for row in rows]

    async def latest_ids(self, limit: int) -> list[int]:
        rows = await self._query(
            "select id from public.price_changes order by id desc limit %s", (limit,)
        )
        return [int(row["id"]) for row in rows]

    async def snapshot(self) -> tuple[int, int] | None:
        rows = await self._query(
            "select pg_snapshot_xmin(s)::text::bigint as xmin,"
            " pg_snapshot_xmax(s)::text::bigint as xmax from pg_current_snapshot() s",
            (),
        )
        return int(rows[0]["xmin"]), int(rows[0]["xmax"])

    async def _query(self, sql: str, params: tuple[object, ...]) -> list[dict[str, Any]]:
        conn = self._live()
        try:
            async with conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(sql, params)
                return await cur.fetchall()
        except psycopg.OperationalError as e:
            raise Disconnected(_one_line(e)) from e


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
