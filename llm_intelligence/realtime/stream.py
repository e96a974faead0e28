"""The core of every price-change subscription: one ordered, gap-aware reader of
public.price_changes, woken by whatever the backend offers.

What is delivered: every committed price_changes row with an id above the starting point,
once, in id order (ids strictly increasing), whatever the connection does in between.

How:
- The wake-up (a NOTIFY, a Realtime event, a timer) is only a hint and is never trusted or
  parsed: each one leads to `price_changes_since(last_id)`, the rows the database holds.
  A forged hint therefore yields nothing.
- After a dropped connection the stream reconnects with exponential backoff (and jitter)
  and reads from its last delivered id: changes committed meanwhile are delivered then.
- Identity ids are allocated when a row is inserted, not when it commits: a transaction
  holding id 41 can commit after another one that holds id 42. Reading "after 42" later
  would miss 41. So the stream tracks gaps: when a read returns an id above `last_id + 1`,
  the missing ids are a gap, and rows after it are held back (not delivered, re-read on
  the next pass) until the gap is resolved:
    * filled: the missing row committed and is read in order;
    * empty for good: on Postgres, once every transaction that was running when the gap was
      seen has ended (the current snapshot's xmin passed the xmax recorded then), a missing
      id belongs to a rolled-back transaction and is skipped;
    * timed out (`gap_timeout`, default 10 s; the only rule over PostgREST, which does
      not expose snapshots): later rows are released, and the missing ids are still watched
      as "late" for `late_horizon` seconds: a row committed there is delivered late (out of
      id order, logged as a warning) rather than lost.
  While a gap is open the stream re-checks on a short timer, since a rollback sends no
  notification. Ids skipped at the start (transactions in flight when the watch began)
  are watched the same way, without holding anything back.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from llm_intelligence.errors import DatabaseError
from llm_intelligence.realtime.changes import PriceChange

logger = logging.getLogger(__name__)


class Disconnected(Exception):
    """The backend's connection dropped (or could not be re-opened): reconnect and catch up."""


class ChangeSource(Protocol):
    """What the stream needs from a backend."""

    name: str

    async def connect(self) -> None:
        """Open the connection and start listening (when the backend listens)."""

    async def close(self) -> None:
        """Close whatever is open; never raises."""

    async def wait(self, timeout: float | None) -> bool:
        """Until a hint arrives (True) or `timeout` seconds pass (False).
        Raises Disconnected when the connection drops."""

    async def read(self, after_id: int, limit: int) -> list[PriceChange]:
        """`price_changes_since(after_id, limit)`: committed rows, oldest first."""

    async def latest_ids(self, limit: int) -> list[int]:
        """The newest `limit` ids of price_changes, newest first."""

    async def snapshot(self) -> tuple[int, int] | None:
        """The current snapshot's (xmin, xmax) transaction ids; None when not known."""


@dataclass
class _Gap:
    lo: int
    hi: int  # inclusive
    first_seen: float
    xmax: int | None  # the snapshot's xmax when the gap was seen (None: not known)
    expires: float = float("inf")  # for late gaps: when to stop watching them

    def resolved(self, xmin: int | None) -> bool:
        return xmin is not None and self.xmax is not None and xmin >= self.xmax


@dataclass(frozen=True)
class StreamOptions:
    """Tuning of a price-change stream (every field documented in watch_price_changes)."""

    listen: bool = True
    poll_interval: float = 5.0
    resync_interval: float = 60.0
    gap_timeout: float = 10.0
    late_horizon: float = 600.0
    batch_size: int = 1000
    reconnect_initial: float = 0.1
    reconnect_max: float = 10.0


class PriceChangeStream:
    """An async iterator of committed price changes (see the module docstring).

    `async with` (or `await stream.start()`) fixes the starting point and connects, so a
    change committed after it returns is delivered; plain `async for` starts lazily.
    `last_id` is the id of the last change delivered: pass it as `after_id` to resume."""

    def __init__(
        self, source: ChangeSource, *, after_id: int | None, options: StreamOptions
    ) -> None:
        if after_id is not None and after_id < 0:
            raise ValueError(f"after_id must be 0 or more, got {after_id}")
        if options.batch_size < 1 or options.batch_size > 10000:
            raise ValueError(f"batch_size must be between 1 and 10000, got {options.batch_size}")
        self._source = source
        self._options = options
        self._after_id = after_id
        self.last_id: int | None = after_id
        self._pending: _Gap | None = None  # the gap right after last_id, holding rows back
        self._late: list[_Gap] = []  # ids below last_id still watched
        self._ready: deque[PriceChange] = deque()
        self._connected = False
        self._started = False
        self._closed = False
        self._need_read = True
        self._recheck = 0.0
        self.reconnects = 0
        """How many times the connection was re-opened (for tests and metrics)."""

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self) -> None:
        """Connect and fix the starting point. The first connection failure raises
        DatabaseError; later drops are retried."""
        if self._started:
            return
        if self._closed:
            raise RuntimeError("this price-change stream is closed")
        try:
            self._connected = True
            await self._source.connect()
            if self.last_id is None:
                await self._start_from_now()
        except Disconnected as e:
            await self.aclose()
            raise DatabaseError(f"cannot watch price changes ({self._source.name}): {e}") from e
        except BaseException:
            await self.aclose()
            raise
        self._started = True

    async def aclose(self) -> None:
        self._closed = True
        if self._connected:
            self._connected = False
            await self._source.close()

    async def __aenter__(self) -> PriceChangeStream:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> AsyncIterator[PriceChange]:
        return self

    async def __anext__(self) -> PriceChange:
        if not self._started:
            await self.start()
        while not self._ready:
            if self._closed:
                raise StopAsyncIteration
            await self._step()
        return self._ready.popleft()

    # -- the loop ------------------------------------------------------------------------

    async def _step(self) -> None:
        """One wait or one read; a dropped connection is re-opened here."""
        try:
            if not self._connected:
                await self._reconnect()
            if not self._need_read:
                woke = await self._source.wait(self._wait_timeout())
                logger.debug("%s: %s", self._source.name, "hint" if woke else "timer")
            self._need_read = False
            await self._read()
        except Disconnected as e:
            logger.warning("%s: connection lost (%s); reconnecting", self._source.name, e)
            self._connected = False
            await self._source.close()

    def _wait_timeout(self) -> float:
        opts = self._options
        timeout = opts.resync_interval if opts.listen else opts.poll_interval
        if self._pending is not None:
            # A rollback sends no hint: look again soon, then less often.
            self._recheck = min(max(self._recheck * 2, 0.02), 0.5)
            timeout = min(timeout, self._recheck)
        elif self._late:
            timeout = min(timeout, 5.0)
        return timeout

    async def _reconnect(self) -> None:
        opts = self._options
        delay = opts.reconnect_initial
        while True:
            try:
                await self._source.connect()
            except Disconnected as e:
                await self._source.close()
                pause = delay * (0.5 + random.random())  # jitter, not crypto
                logger.warning(
                    "%s: reconnect failed (%s); retrying in %.2fs", self._source.name, e, pause
                )
                await asyncio.sleep(pause)
                delay = min(delay * 2, opts.reconnect_max)
                continue
            self._connected = True
            self._need_read = True
            self.reconnects += 1
            logger.info("%s: reconnected; catching up after id %s", self._source.name, self.last_id)
            return

    async def _start_from_now(self) -> None:
        """Start after the newest change; ids below it that are missing (transactions in
        flight now) are watched as late, so one that commits after this is delivered."""
        limit = self._options.batch_size
        ids = await self._source.latest_ids(limit)
        if not ids:
            self.last_id = 0
            return
        self.last_id = ids[0]
        lowest = ids[-1] if len(ids) == limit else 1
        snapshot = await self._source.snapshot()
        now = time.monotonic()
        # Watched for gap_timeout only: a transaction in flight now commits soon or not.
        expires = now + self._options.gap_timeout
        for lo, hi in _missing_ranges(ids, lowest):
            self._late.append(_Gap(lo, hi, now, snapshot[1] if snapshot else None, expires))

    async def _read(self) -> None:
        assert self.last_id is not None
        opts = self._options
        xmin: int | None = None
        if self._pending is not None or self._late:
            # Taken before the read: a gap resolved by it was final before the read began.
            snapshot = await self._source.snapshot()
            xmin = snapshot[0] if snapshot else None
        self._expire_late(xmin)
        cursor = min([self.last_id, *(g.lo - 1 for g in self._late)])
        new_gap = False
        delivered = 0
        while True:
            rows = await self._source.read(cursor, opts.batch_size)
            blocked, gap_is_new, count = self._take(rows, xmin)
            new_gap = new_gap or gap_is_new
            delivered += count
            if blocked or len(rows) < opts.batch_size:
                break
            cursor = rows[-1].id
            if delivered >= opts.batch_size:
                self._need_read = True  # more to read: hand these out first
                break
        if new_gap and self._pending is not None:
            snapshot = await self._source.snapshot()
            self._pending.xmax = snapshot[1] if snapshot else None
        if self._pending is None:
            self._recheck = 0.0

    def _take(self, rows: list[PriceChange], xmin: int | None) -> tuple[bool, bool, int]:
        """Deliver what may be delivered from one page; (blocked by a gap, gap is new,
        how many delivered)."""
        assert self.last_id is not None
        now = time.monotonic()
        count = 0
        for row in rows:
            if row.id <= self.last_id:
                if self._fill_late(row.id):
                    logger.warning(
                        "%s: price change %s committed after later ones; delivered late",
                        self._source.name,
                        row.id,
                    )
                    self._ready.append(row)
                    count += 1
                continue
            if row.id > self.last_id + 1:
                lo, hi = self.last_id + 1, row.id - 1
                gap = self._pending
                if gap is None or not (gap.lo <= lo <= gap.hi):
                    self._pending = _Gap(lo, hi, now, None)
                    return True, True, count
                gap.lo, gap.hi = lo, hi
                if gap.resolved(xmin):
                    logger.debug("%s: ids %s..%s were rolled back", self._source.name, lo, hi)
                elif now - gap.first_seen >= self._options.gap_timeout:
                    logger.warning(
                        "%s: ids %s..%s still uncommitted after %.0fs; later changes go"
                        " first, those are delivered late if they commit",
                        self._source.name,
                        lo,
                        hi,
                        self._options.gap_timeout,
                    )
                    gap.expires = now + self._options.late_horizon
                    self._late.append(gap)
                else:
                    return True, False, count
                self._pending = None
            if self._pending is not None and row.id > self._pending.hi:
                self._pending = None
            self._ready.append(row)
            self.last_id = row.id
            count += 1
        return False, False, count

    def _fill_late(self, change_id: int) -> bool:
        for i, gap in enumerate(self._late):
            if gap.lo <= change_id <= gap.hi:
                parts = [
                    _Gap(lo, hi, gap.first_seen, gap.xmax, gap.expires)
                    for lo, hi in ((gap.lo, change_id - 1), (change_id + 1, gap.hi))
                    if lo <= hi
                ]
                self._late[i : i + 1] = parts
                return True
        return False

    def _expire_late(self, xmin: int | None) -> None:
        now = time.monotonic()
        self._late = [g for g in self._late if not g.resolved(xmin) and now < g.expires]


def _missing_ranges(ids: list[int], lowest: int) -> list[tuple[int, int]]:
    """The runs of ids from `lowest` up to max(ids) that are not in `ids`."""
    ranges: list[tuple[int, int]] = []
    expected = lowest
    for i in sorted(ids):
        if i > expected:
            ranges.append((expected, i - 1))
        expected = max(expected, i + 1)
    return ranges
