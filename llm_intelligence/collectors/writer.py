"""Write one source's rows: one transaction, under an advisory lock, set-based.

The rows are staged with COPY into temporary tables, then merged with a handful of
INSERT ... SELECT / UPDATE ... FROM statements, each touching only rows that really
differ (IS DISTINCT FROM), so an unchanged upstream writes nothing: no price_changes, no
updated_at churn, no rankings refresh. Rows the source no longer lists are marked
inactive, never deleted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg
from psycopg.types.json import Jsonb

from llm_intelligence.collectors.resolve import ResolvedSource
from llm_intelligence.errors import SyncLockedError

# All collector writes share one lock: two syncs never interleave their writes.
SYNC_LOCK_KEY = 0x11_7E_5A_C0

# Created once per session and emptied at every commit: creating them per run costs more
# than the COPY into them.
_STAGE_TABLES = """
create temp table if not exists stage_models (
  name text primary key, display_name text, author text, family text, model_type text,
  context_window integer, max_tokens integer, capabilities jsonb, release_date date,
  deprecation_date date, open_weights boolean
) on commit delete rows;
create temp table if not exists stage_aliases (alias text primary key, model_name text not null)
  on commit delete rows;
create temp table if not exists stage_prices (
  source_key text primary key, model_name text not null, provider text not null,
  provider_model_id text not null, gateway text not null, deployment text not null,
  input_price_per_million numeric, output_price_per_million numeric,
  cache_read_price_per_million numeric, cache_write_price_per_million numeric,
  batch_input_price_per_million numeric, batch_output_price_per_million numeric,
  is_free_tier boolean not null, context_window integer, max_output_tokens integer,
  quantization text, uptime_pct numeric, latency_ms numeric, throughput_tps numeric,
  metadata jsonb not null
) on commit delete rows;
"""

# New models get everything the source knows. Known models only gain what they lack: the
# first source to describe a field keeps it, so sources that disagree (a context window,
# a capability flag) do not flip the row back and forth on every sync.
_INSERT_MODELS = """
insert into public.models (name, display_name, provider, family, model_type, context_window,
                           max_tokens, capabilities, release_date, deprecation_date,
                           open_weights)
select s.name, s.display_name, s.author, s.family, coalesce(s.model_type, 'chat'),
       s.context_window, s.max_tokens, coalesce(s.capabilities, '{}'), s.release_date,
       s.deprecation_date, s.open_weights
from stage_models s
on conflict (name) do nothing
"""

_UPDATE_MODELS = """
with merged as (
  select m.id,
         coalesce(m.display_name, s.display_name) as display_name,
         coalesce(m.provider, s.author) as provider,
         coalesce(m.family, s.family) as family,
         coalesce(m.context_window, s.context_window) as context_window,
         coalesce(m.max_tokens, s.max_tokens) as max_tokens,
         coalesce(s.capabilities, '{}') || m.capabilities as capabilities,
         coalesce(m.release_date, s.release_date) as release_date,
         coalesce(m.deprecation_date, s.deprecation_date) as deprecation_date,
         coalesce(m.open_weights, s.open_weights) as open_weights
  from public.models m
  join stage_models s on s.name = m.name
  where (m.display_name, m.provider, m.family, m.context_window, m.max_tokens,
         m.capabilities, m.release_date, m.deprecation_date, m.open_weights, m.is_active)
        is distinct from
        (coalesce(m.display_name, s.display_name), coalesce(m.provider, s.author),
         coalesce(m.family, s.family), coalesce(m.context_window, s.context_window),
         coalesce(m.max_tokens, s.max_tokens), coalesce(s.capabilities, '{}') || m.capabilities,
         coalesce(m.release_date, s.release_date),
         coalesce(m.deprecation_date, s.deprecation_date),
         coalesce(m.open_weights, s.open_weights), true)
)
update public.models m set
  display_name = merged.display_name, provider = merged.provider, family = merged.family,
  context_window = merged.context_window, max_tokens = merged.max_tokens,
  capabilities = merged.capabilities, release_date = merged.release_date,
  deprecation_date = merged.deprecation_date, open_weights = merged.open_weights,
  is_active = true
from merged
where m.id = merged.id
"""

# An alias keeps the model it was first given unless identity rules now say otherwise.
_UPSERT_ALIASES = """
insert into public.model_aliases as a (alias, model_id, source)
select s.alias, m.id, %(source)s
from stage_aliases s
join public.models m on m.name = s.model_name
where not exists (
  select 1 from public.model_aliases known where known.alias = s.alias and known.model_id = m.id)
on conflict (alias) do update set model_id = excluded.model_id
where a.model_id is distinct from excluded.model_id
"""

_PRICE_COLUMNS = (
    "provider, provider_model_id, gateway, deployment, input_price_per_million,"
    " output_price_per_million, cache_read_price_per_million, cache_write_price_per_million,"
    " batch_input_price_per_million, batch_output_price_per_million, is_free_tier,"
    " context_window, max_output_tokens, quantization, uptime_pct, latency_ms, throughput_tps,"
    " metadata"
)
_PRICE_NAMES = [c.strip() for c in _PRICE_COLUMNS.split(",")]

_UPSERT_PRICES = f"""
insert into public.provider_pricing as p (model_id, source, source_key, {_PRICE_COLUMNS})
select m.id, %(source)s, s.source_key, {", ".join("s." + c for c in _PRICE_NAMES)}
from stage_prices s
join public.models m on m.name = s.model_name
on conflict (source, source_key) do update set
  model_id = excluded.model_id,
  {", ".join(f"{c} = excluded.{c}" for c in _PRICE_NAMES)},
  is_active = true,
  deactivated_at = null
where (p.model_id, {", ".join("p." + c for c in _PRICE_NAMES)}, p.is_active)
      is distinct from
      (excluded.model_id, {", ".join("excluded." + c for c in _PRICE_NAMES)}, true)
returning (xmax = 0) as inserted
"""  # noqa: S608 - column names are constants of this module

_DEACTIVATE_PRICES = """
update public.provider_pricing p
set is_active = false, deactivated_at = now()
where p.source = %(source)s and p.is_active
  and not exists (select 1 from stage_prices s where s.source_key = p.source_key)
"""

# A model with prices but none active any more (in any source) has left every catalog.
_DEACTIVATE_MODELS = """
update public.models m
set is_active = false
where m.is_active
  and exists (select 1 from public.provider_pricing p where p.model_id = m.id)
  and not exists (select 1 from public.provider_pricing p where p.model_id = m.id and p.is_active)
"""


@dataclass(frozen=True, slots=True)
class WriteCounts:
    inserted: int
    updated: int
    unchanged: int
    deactivated: int
    models_inserted: int
    models_updated: int
    write_seconds: float
    commit_seconds: float
    """The commit runs the deferred rankings refresh: this is mostly refresh time."""


def write_source(
    conn: psycopg.Connection[Any], resolved: ResolvedSource, *, wait_for_lock: bool = False
) -> WriteCounts:
    """Merge one source's resolved rows in one transaction; the caller's conn is idle."""
    started = time.perf_counter()
    with conn.transaction():
        _take_lock(conn, resolved.source, wait=wait_for_lock)
        conn.execute(_STAGE_TABLES)
        _stage(conn, resolved)
        params = {"source": resolved.source}
        models_inserted = conn.execute(_INSERT_MODELS).rowcount
        models_updated = conn.execute(_UPDATE_MODELS).rowcount
        conn.execute(_UPSERT_ALIASES, params)
        upserted = conn.execute(_UPSERT_PRICES, params).fetchall()
        inserted = sum(1 for row in upserted if row[0])
        updated = len(upserted) - inserted
        deactivated = conn.execute(_DEACTIVATE_PRICES, params).rowcount
        conn.execute(_DEACTIVATE_MODELS)
        written = time.perf_counter()
    committed = time.perf_counter()
    return WriteCounts(
        inserted=inserted,
        updated=updated,
        unchanged=len(resolved.prices) - inserted - updated,
        deactivated=deactivated,
        models_inserted=models_inserted,
        models_updated=models_updated,
        write_seconds=written - started,
        commit_seconds=committed - written,
    )


def _take_lock(conn: psycopg.Connection[Any], source: str, *, wait: bool) -> None:
    if wait:
        conn.execute("select pg_advisory_xact_lock(%s)", (SYNC_LOCK_KEY,))
        return
    row = conn.execute("select pg_try_advisory_xact_lock(%s)", (SYNC_LOCK_KEY,)).fetchone()
    if not (row and row[0]):
        raise SyncLockedError(
            f"{source}: another sync is writing to this database; nothing was written. "
            "Try again when it has finished."
        )


def _json(value: Any) -> bytes:
    # orjson: the standard library's encoder was the largest Python cost of a write.
    return orjson.dumps(value, default=str)


def _stage(conn: psycopg.Connection[Any], resolved: ResolvedSource) -> None:
    with conn.cursor() as cur:
        with cur.copy(
            "copy stage_models (name, display_name, author, family, model_type, context_window,"
            " max_tokens, capabilities, release_date, deprecation_date, open_weights)"
            " from stdin"
        ) as copy:
            for m in resolved.models:
                copy.write_row(
                    (
                        m.name,
                        m.display_name,
                        m.author,
                        m.family,
                        m.model_type,
                        m.context_window,
                        m.max_tokens,
                        Jsonb(m.capabilities, dumps=_json),
                        m.release_date,
                        m.deprecation_date,
                        m.open_weights,
                    )
                )
        with cur.copy("copy stage_aliases (alias, model_name) from stdin") as copy:
            for alias, model_name in resolved.aliases.items():
                copy.write_row((alias, model_name))
        with cur.copy(
            f"copy stage_prices (source_key, model_name, {_PRICE_COLUMNS}) from stdin"
        ) as copy:
            for resolved_price in resolved.prices:
                p = resolved_price.row
                copy.write_row(
                    (
                        p.source_key,
                        resolved_price.model_name,
                        resolved_price.provider,
                        p.provider_model_id,
                        p.gateway,
                        p.deployment,
                        p.input_price_per_million,
                        p.output_price_per_million,
                        p.cache_read_price_per_million,
                        p.cache_write_price_per_million,
                        p.batch_input_price_per_million,
                        p.batch_output_price_per_million,
                        p.is_free_tier,
                        p.context_window,
                        p.max_output_tokens,
                        p.quantization,
                        p.uptime_pct,
                        p.latency_ms,
                        p.throughput_tps,
                        Jsonb(p.metadata, dumps=_json),
                    )
                )
