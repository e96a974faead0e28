"""What storing the price rows costs inside Postgres, one part of the schema at a time,
next to the bare COPY baseline of bench_sync.py, measured in one run.

    python bench/write_costs.py

The write phase's target is 3x a bare COPY of the rows the writer sends (models, aliases
and prices, client formatting included). This script asks how much of that budget the
price rows alone use on the server, with no client work at all: every step inserts the
same price rows, from a table already in the database, with one more part of the schema
switched on, and commits (notifications are queued at commit). Each step runs in its own
copy of a synced database; the figures are medians of ROUNDS.

Steps, cumulative:
  heap only       a table with provider_pricing's columns and nothing else
  + defaults      its defaults and identity column
  + CHECKs        its CHECK constraints
  + keys/indexes  the real provider_pricing, triggers and foreign keys off (replica role)
  + model_id FK   foreign-key check on model_id (one query per row inside Postgres)
  + history       the price_changes row per price insert (issue 2: every insert or change),
                  with provider_pricing's other statement triggers (source check, rankings
                  refresh request)
  + notify        the pg_notify per price insert (issue 2: every insert or change)

The last step is the schema as it runs. Then the other rows the writer sends, as stored:
  aliases         model_aliases with its key, index and model_id FK
  models          a copy of models with its keys, indexes, CHECKs and defaults

If these, on the server side alone, take more than 3x the whole bare COPY, no client-side
change can bring the write under 3x. Last, the write phase itself (bench_sync's), in the
same rounds, against both.
"""

from __future__ import annotations

import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import psycopg
from bench_sync import SOURCES, _bare_copy, _fresh_database, _parse_and_resolve, _write
from openrouter_mirror import write_mirror
from psycopg.conninfo import make_conninfo

from llm_intelligence.collectors.runner import sync
from llm_intelligence.collectors.writer import ALIAS_COLUMNS, MODEL_COLUMNS, PRICE_COLUMNS
from llm_intelligence.config import Settings
from llm_intelligence.db import embedded

ROUNDS = 5
# The synced rows, kept aside in the template database.
_ROWS = "bench_price_rows"
_ALIAS_ROWS = "bench_alias_rows"
_MODEL_ROWS = "bench_model_rows"

_SCRATCH = (
    f"create table scratch_prices as select {PRICE_COLUMNS}"  # noqa: S608 - the writer's columns
    " from public.provider_pricing with no data"
)
_DEFAULTS = "including defaults including identity"


def _like_prices(including: str) -> str:
    return f"create table scratch_prices (like public.provider_pricing {including})"


# (name, setup statements committed before the timed insert, target table)
STEPS: list[tuple[str, tuple[str, ...], str]] = [
    ("heap only", (_SCRATCH,), "scratch_prices"),
    ("+ defaults", (_like_prices(_DEFAULTS),), "scratch_prices"),
    ("+ CHECKs", (_like_prices(f"{_DEFAULTS} including constraints"),), "scratch_prices"),
    ("+ keys/indexes", ("set session_replication_role = replica",), "public.provider_pricing"),
    ("+ model_id FK", ("alter table public.provider_pricing disable trigger user",),
     "public.provider_pricing"),
    ("+ history", ("alter table public.price_changes disable trigger price_changes_notify",),
     "public.provider_pricing"),
    ("+ notify", (), "public.provider_pricing"),
]  # fmt: skip
# The other tables, as stored: (name, setup, target table, rows, columns).
_MODELS_AS_STORED = "create table scratch_models (like public.models including all)"
OTHERS: list[tuple[str, tuple[str, ...], str, str, str]] = [
    ("aliases", ("truncate public.model_aliases",), "public.model_aliases", _ALIAS_ROWS,
     ALIAS_COLUMNS),
    ("models", (_MODELS_AS_STORED,), "scratch_models", _MODEL_ROWS, MODEL_COLUMNS),
]  # fmt: skip


def _synced_copy(admin_url: str, name: str) -> str:
    """A fresh copy of the synced database; its URL."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")
        admin.execute(f"create database {name} template bench_costs")
    return make_conninfo(admin_url, dbname=name)


def _step_seconds(
    admin_url: str,
    setup: tuple[str, ...],
    table: str,
    rows: str = _ROWS,
    columns: str = PRICE_COLUMNS,
) -> float:
    """Insert the kept rows into `table` in a fresh copy of the synced database; the
    insert and its commit are timed."""
    with psycopg.connect(_synced_copy(admin_url, "bench_step")) as conn:
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        conn.execute("truncate public.provider_pricing, public.price_changes")
        for statement in setup:
            conn.execute(statement)
        conn.commit()
        started = time.perf_counter()
        conn.execute(f"insert into {table} ({columns}) select {columns} from {rows}")  # noqa: S608
        conn.commit()
        return time.perf_counter() - started


def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="llmib") as tmp:
        mirror = Path(tmp) / "openrouter-api-v1"
        write_mirror(mirror)
        settings = Settings(LLM_INTEL_OPENROUTER_URL=str(mirror))
        pgdata = Path(tmp) / "pgdata"
        admin_url = embedded.start(pgdata)
        try:
            url = _fresh_database(admin_url, "bench_costs")
            sync(url, settings=settings, sources=SOURCES, offline=True)
            with psycopg.connect(url, autocommit=True) as conn:
                for kept, table in ((_ROWS, "provider_pricing"), (_ALIAS_ROWS, "model_aliases"),
                                    (_MODEL_ROWS, "models")):  # fmt: skip
                    conn.execute(f"create table {kept} as select * from public.{table}")  # noqa: S608
                price_rows = conn.execute(f"select count(*) from {_ROWS}").fetchone()  # noqa: S608
            _, resolved = _parse_and_resolve(settings)
            runs: dict[str, list[float]] = {name: [] for name, _, _ in STEPS}
            others: dict[str, list[float]] = {name: [] for name, *_ in OTHERS}
            copies: list[float] = []
            writes: list[float] = []
            for _ in range(ROUNDS):
                # Into a synced copy: the baseline's rows carry the model ids.
                copied, seconds = _bare_copy(_synced_copy(admin_url, "bench_copy"), resolved)
                copies.append(seconds)
                writes.append(_write(_fresh_database(admin_url, "bench_write"), resolved)[0])
                for name, setup, table in STEPS:
                    runs[name].append(_step_seconds(admin_url, setup, table))
                for name, setup, table, kept, columns in OTHERS:
                    others[name].append(_step_seconds(admin_url, setup, table, kept, columns))
        finally:
            embedded.stop(pgdata)

    copy_s = statistics.median(copies)
    steps = {name: statistics.median(values) for name, values in runs.items()}
    rows = price_rows[0] if price_rows else 0
    print(f"bare COPY of all {copied} rows the writer sends (bench_sync's baseline, client"
          f" formatting included): {copy_s * 1000:.0f} ms (median of {ROUNDS})")  # fmt: skip
    print(f"inserting the {rows} price rows inside Postgres (insert ... select + commit, no"
          f" client), cumulative, medians of {ROUNDS}:")  # fmt: skip
    previous = 0.0
    for name, seconds in steps.items():
        print(f"  {name:16} {seconds * 1000:7.1f} ms  (+{(seconds - previous) * 1000:6.1f})"
              f"  {seconds / copy_s:5.2f}x the bare COPY")  # fmt: skip
        previous = seconds
    rest = {name: statistics.median(values) for name, values in others.items()}
    for name, seconds in rest.items():
        print(f"  {name:16} {seconds * 1000:7.1f} ms  {seconds / copy_s:5.2f}x the bare COPY")
    stored = previous + sum(rest.values())
    print(f"every row as stored, server side only: {stored * 1000:.0f} ms,"
          f" {stored / copy_s:.2f}x the bare COPY (target for the whole write: <= 3x)")  # fmt: skip
    write_s = statistics.median(writes)
    print(f"the write phase itself (bench_sync's): {write_s * 1000:.0f} ms, {write_s / copy_s:.2f}x"
          f" the bare COPY, {write_s / stored:.2f}x the server-only cost above")  # fmt: skip
    print(json.dumps({"copy_rows": copied, "copy_s": round(copy_s, 4), "price_rows": rows,
                      "steps_s": {k: round(v, 4) for k, v in steps.items()},
                      "others_s": {k: round(v, 4) for k, v in rest.items()},
                      "stored_over_copy": round(stored / copy_s, 2), "write_s": round(write_s, 4),
                      "write_over_stored": round(write_s / stored, 2)}))  # fmt: skip


if __name__ == "__main__":
    main()
