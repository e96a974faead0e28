"""Price-change propagation: a committed price change -> `watch_price_changes()` yields it.

Run `python bench/bench_realtime.py [--changes N] [--poll]`. The script starts its own
embedded Postgres in a temporary directory, applies the migrations to a fresh database,
inserts one model and one price, and starts `watch_price_changes()` (LISTEN/NOTIFY, the
default backend). A writer thread then commits N price changes (default 200), one every
10-15 ms (autocommit UPDATEs of the price), noting the time each commit returned; the
iterator's consumer notes the time each change is yielded. Latency = yield - commit, per
change (the path: commit -> NOTIFY -> wake-up -> price_changes_since read -> PriceChange).
Printed: p50, p90, p99 and max, and whether every change arrived once, in order.
`--poll` measures the polling mode instead (ENABLE_REAL_TIME_UPDATES=false, 0.1 s).

Target (exit status 1 when missed): p50 <= 20 ms over LISTEN/NOTIFY.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import threading
import time

import psycopg
from bench_database import embedded_server, fresh_database

from llm_intelligence.config import Settings
from llm_intelligence.realtime import watch_price_changes

TARGET_P50_MS = 20.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(url: str, changes: int, poll: bool) -> tuple[list[float], list[int]]:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("insert into models (name) values ('bench-model') returning id")
        model_id = row.fetchone()[0]  # type: ignore[index]
        row = conn.execute(
            "insert into provider_pricing (model_id, source, source_key, provider_name,"
            " provider_id, input_price_per_million, output_price_per_million)"
            " values (%s, 'litellm', 'bench', 'openai', 'bench-model', 1, 2) returning id",
            (model_id,),
        )
        pricing_id = row.fetchone()[0]  # type: ignore[index]

    committed: list[float] = []
    yielded: list[float] = []
    ids: list[int] = []

    def writer() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            for i in range(changes):
                time.sleep(0.010 + random.random() * 0.005)
                conn.execute(
                    "update provider_pricing set input_price_per_million = %s where id = %s",
                    (i + 2, pricing_id),
                )
                committed.append(time.perf_counter())

    stream = watch_price_changes(
        database_url=url,
        backend="postgres",
        settings=Settings(),
        realtime=not poll,
        poll_interval=0.1,
    )
    async with stream:
        thread = threading.Thread(target=writer)
        thread.start()
        async for change in stream:
            yielded.append(time.perf_counter())
            ids.append(change.id)
            if len(ids) == changes:
                break
        thread.join()
    return [(y - c) * 1000 for y, c in zip(yielded, committed, strict=True)], ids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--poll", action="store_true", help="measure the polling mode")
    args = parser.parse_args()
    with embedded_server() as server, fresh_database(server, "bench_realtime") as url:
        latencies, ids = asyncio.run(_measure(url, args.changes, args.poll))
    in_order = ids == sorted(set(ids)) and len(ids) == args.changes
    p50 = statistics.median(latencies)
    mode = "polling every 0.1 s" if args.poll else "LISTEN/NOTIFY"
    print(f"price change committed -> iterator yields it ({mode}, embedded Postgres)")
    print(
        f"  {len(latencies)} changes: p50 {p50:.2f} ms, p90 {_percentile(latencies, 0.9):.2f} ms,"
        f" p99 {_percentile(latencies, 0.99):.2f} ms, max {max(latencies):.2f} ms"
    )
    print(f"  every change once, in id order: {'yes' if in_order else 'NO'}")
    if not in_order:
        return 1
    if not args.poll:
        ok = p50 <= TARGET_P50_MS
        print(f"  target p50 <= {TARGET_P50_MS:.0f} ms: {'met' if ok else 'MISSED'}")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
