"""Write one source's rows: one transaction, under the write lock, set-based.

Models, aliases and prices take the shortest path the database allows: the writer reads
which keys the catalog already holds, COPYs the new rows straight into their tables, and
stages only the rows that already exist, merging those with one statement that touches
rows that really differ (IS DISTINCT FROM); known models only gain what they lack. An
unchanged upstream therefore writes nothing: no price_changes, no updated_at churn, no
rankings refresh. Rows the source no longer lists are marked inactive, never deleted.

Triggers still do their work for every write path (COPY fires them too): price history,
notifications and the rankings refresh request live in the schema, not here.
"""

from __future__ import annotations

import time
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg

from llm_intelligence.collectors.renames import rename_models
from llm_intelligence.collectors.resolve import ResolvedModel, ResolvedPrice, ResolvedSource
from llm_intelligence.db.sync_lock import WRITE_ROW, lock_row
from llm_intelligence.errors import SyncLockedError

# All collector writes share one lock (a row of a private table, see db.sync_lock): two
# writers never interleave, and no other collector adds a key between the read of existing
# keys and the COPY of new ones.

# `models.provider` is the model's author (who made it); `provider_pricing.provider_name` is
# who serves it and `provider_id` the model id to send there.
MODEL_COLUMNS = (
    "name, display_name, provider, model_family, model_type, context_window, max_tokens,"
    " capabilities, release_date, deprecation_date, open_weights"
)
ALIAS_COLUMNS = "alias, model_id, source"
_PRICE_KEY = ("source", "source_key")
PRICE_COLUMNS = (
    "model_id, source, source_key, provider_name, provider_id, gateway, deployment,"
    " input_price_per_million, output_price_per_million, cache_read_price_per_million,"
    " cache_write_price_per_million, batch_input_price_per_million,"
    " batch_output_price_per_million, is_free_tier, context_window, max_output_tokens,"
    " quantization, uptime_pct, latency_ms, throughput_tps, provider_metadata, rate_limits"
)
# Everything a source can change about a price row: all but the key (source, source_key).
_PRICE_VALUES = [c.strip() for c in PRICE_COLUMNS.split(",") if c.strip() not in _PRICE_KEY]

# Created once per session and emptied at every commit: creating them per run costs more
# than the COPY into them. No keys: resolve() already refused duplicates.
_STAGE_TABLES = f"""
create temp table if not exists stage_models on commit delete rows as
  select {MODEL_COLUMNS} from public.models with no data;
create temp table if not exists stage_prices on commit delete rows as
  select {PRICE_COLUMNS} from public.provider_pricing with no data;
"""  # noqa: S608 - column names are constants of this module

# Known models only gain what they lack: the first source to describe a field keeps it,
# so sources that disagree (a context window, a capability flag) do not flip the row back
# and forth on every sync. An UPDATE, not INSERT ... ON CONFLICT: the latter locks every
# conflicting row before its WHERE can skip it, one WAL record per unchanged model.
_GAINED = {
    "display_name": "coalesce(m.display_name, s.display_name)",
    "provider": "coalesce(m.provider, s.provider)",
    "model_family": "coalesce(m.model_family, s.model_family)",
    "context_window": "coalesce(m.context_window, s.context_window)",
    "max_tokens": "coalesce(m.max_tokens, s.max_tokens)",
    "capabilities": "s.capabilities || m.capabilities",
    "release_date": "coalesce(m.release_date, s.release_date)",
    "deprecation_date": "coalesce(m.deprecation_date, s.deprecation_date)",
    "open_weights": "coalesce(m.open_weights, s.open_weights)",
    # The one field that may change after the first source: a model stored as a text type
    # (chat, the default when a source does not say) takes a non-text type a source now
    # reports (embedding, rerank, ...), so catalogs synced before the labels were right
    # heal. Never the other way: a later `chat` default cannot undo a real label.
    "model_type": (
        "case when s.model_type is distinct from m.model_type"
        " and exists (select from llm_intel_private.text_model_types t"
        " where t.model_type = m.model_type)"
        " and not exists (select from llm_intel_private.text_model_types t"
        " where t.model_type = s.model_type)"
        " then s.model_type else m.model_type end"
    ),
    "is_active": "true",
}
_UPDATE_MODELS = f"""
update public.models m set
  {", ".join(f"{column} = {value}" for column, value in _GAINED.items())}
from stage_models s
where m.name = s.name
  and (m.{", m.".join(_GAINED)}) is distinct from ({", ".join(_GAINED.values())})
"""  # noqa: S608 - column names and expressions are constants of this module

# A staged model that vanished since the writer looked (deleted by hand) is inserted again.
_REINSERT_MODELS = f"""
insert into public.models ({MODEL_COLUMNS})
select {MODEL_COLUMNS} from stage_models s
where not exists (select 1 from public.models m where m.name = s.name)
"""  # noqa: S608 - column names are constants of this module

# Whole tables: a few thousand short rows read faster than a lookup of thousands of keys
# sent as an array (adapting the array dominated).
_MODEL_IDS = "select name, id from public.models"
_KNOWN_ALIASES = "select alias, model_id from public.model_aliases"

# An alias keeps the model it was first given unless identity rules now say otherwise.
_REPOINT_ALIASES = """
update public.model_aliases a set model_id = u.model_id
from unnest(%s::text[], %s::bigint[]) as u (alias, model_id)
where a.alias = u.alias
"""

_KNOWN_PRICES = (
    "select source_key, is_active, model_id from public.provider_pricing where source = %s"
)

_UPDATE_PRICES = f"""
update public.provider_pricing p set
  {", ".join(f"{c} = s.{c}" for c in _PRICE_VALUES)},
  is_active = true,
  deactivated_at = null
from stage_prices s
where p.source = s.source and p.source_key = s.source_key
  and (p.{", p.".join(_PRICE_VALUES)}, p.is_active)
      is distinct from
      (s.{", s.".join(_PRICE_VALUES)}, true)
"""  # noqa: S608 - column names are constants of this module

_DEACTIVATE_PRICES = """
update public.provider_pricing
set is_active = false, deactivated_at = now()
where source = %s and source_key = any(%s) and is_active
returning model_id
"""

# A model whose prices just went inactive, with none active left in any source, has left
# every catalog.
_DEACTIVATE_MODELS = """
update public.models m
set is_active = false
where m.id = any(%s) and m.is_active
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
        # Not waiting for the WAL flush is safe here: a crash can lose only the newest
        # runs, whole and in order (their collector_runs rows commit after them), and the
        # next sync fetches them again. Nothing else this session does is affected.
        conn.execute("set local synchronous_commit = off")
        conn.execute(_STAGE_TABLES)
        rename_models(conn, resolved)  # a model the naming rule now spells differently
        model_ids, models_inserted, models_updated = _write_models(conn, resolved)
        _write_aliases(conn, resolved, model_ids)
        stored = conn.execute(_KNOWN_PRICES, (resolved.source,)).fetchall()
        known = {key: active for key, active, _ in stored}
        inserted, updated = _write_prices(conn, resolved, model_ids, known)
        deactivated = _deactivate_missing(conn, resolved, known)
        _deactivate_left_models(conn, resolved, model_ids, stored)
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
    if not lock_row(conn, WRITE_ROW, wait=None if wait else 0):
        raise SyncLockedError(
            f"{source}: another sync is writing to this database; nothing was written. "
            "Try again when it has finished."
        )


def _write_models(
    conn: psycopg.Connection[Any], resolved: ResolvedSource
) -> tuple[dict[str, int], int, int]:
    """Insert the new models by COPY, merge the known ones; returns (name -> id, inserted,
    updated)."""
    known: dict[str, int] = dict(conn.execute(_MODEL_IDS).fetchall())
    new = [m for m in resolved.models if m.name not in known]
    old = [m for m in resolved.models if m.name in known]
    with conn.cursor() as cur:
        _copy(cur, "public.models", MODEL_COLUMNS, model_rows(new))
        _copy(cur, "stage_models", MODEL_COLUMNS, model_rows(old))
    updated = conn.execute(_UPDATE_MODELS).rowcount if old else 0
    reinserted = conn.execute(_REINSERT_MODELS).rowcount if old else 0
    if new or reinserted:
        known = dict(conn.execute(_MODEL_IDS).fetchall())
    return known, len(new) + reinserted, updated


def _write_aliases(
    conn: psycopg.Connection[Any], resolved: ResolvedSource, model_ids: dict[str, int]
) -> None:
    wanted = {alias: model_ids[name] for alias, name in resolved.aliases.items()}
    known: dict[str, int] = dict(conn.execute(_KNOWN_ALIASES).fetchall())
    moved = {a: m for a, m in wanted.items() if a in known and known[a] != m}
    if moved:
        conn.execute(_REPOINT_ALIASES, (list(moved), list(moved.values())))
    with conn.cursor() as cur:
        _copy(
            cur,
            "public.model_aliases",
            ALIAS_COLUMNS,
            alias_rows(resolved, model_ids, skip=known),
        )


def _write_prices(
    conn: psycopg.Connection[Any],
    resolved: ResolvedSource,
    model_ids: dict[str, int],
    known: dict[str, bool],
) -> tuple[int, int]:
    """Insert the new keys by COPY, merge the known ones; returns (inserted, updated)."""
    new = [p for p in resolved.prices if p.row.source_key not in known]
    old = [p for p in resolved.prices if p.row.source_key in known]
    with conn.cursor() as cur:
        _copy(cur, "public.provider_pricing", PRICE_COLUMNS,
              price_rows(new, resolved.source, model_ids))  # fmt: skip
        _copy(cur, "stage_prices", PRICE_COLUMNS, price_rows(old, resolved.source, model_ids))
    updated = conn.execute(_UPDATE_PRICES).rowcount if old else 0
    return len(new), updated


def _deactivate_missing(
    conn: psycopg.Connection[Any], resolved: ResolvedSource, known: dict[str, bool]
) -> int:
    listed = {p.row.source_key for p in resolved.prices}
    gone = [key for key, active in known.items() if active and key not in listed]
    if not gone:
        return 0
    model_ids = [row[0] for row in conn.execute(_DEACTIVATE_PRICES, (resolved.source, gone))]
    conn.execute(_DEACTIVATE_MODELS, (sorted(set(model_ids)),))
    return len(model_ids)


def _deactivate_left_models(
    conn: psycopg.Connection[Any],
    resolved: ResolvedSource,
    model_ids: dict[str, int],
    stored: list[tuple[str, bool, int]],
) -> None:
    """Models whose prices this write moved to another model (identity rules now merge
    them there) leave the catalog when no active price is left, like models whose prices
    went away: a merged-away name must not stay listed as an empty model."""
    before = {key: model_id for key, _, model_id in stored}
    left = {
        before[p.row.source_key]
        for p in resolved.prices
        if p.row.source_key in before and before[p.row.source_key] != model_ids[p.model_name]
    }
    if left:
        conn.execute(_DEACTIVATE_MODELS, (sorted(left),))


def _json(value: Any) -> str:
    # JSON text for a jsonb column: COPY hands it to jsonb's input function. orjson, and no
    # Jsonb wrapper per row: the standard library's encoder, then psycopg's per-value JSON
    # adaptation, were the largest Python costs of a write.
    return orjson.dumps(value, default=str).decode()


def _copy(
    cur: psycopg.Cursor[Any], table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    """COPY rows in; no round trip at all when there are none."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return
    with cur.copy(f"copy {table} ({columns}) from stdin") as copy:
        copy.write_row(first)
        for row in iterator:
            copy.write_row(row)


def model_rows(models: Iterable[ResolvedModel]) -> Iterator[tuple[Any, ...]]:
    """Rows for MODEL_COLUMNS."""
    for m in models:
        yield (
            m.name,
            m.display_name,
            m.author,
            m.model_family,
            m.model_type or "chat",  # the column's default: a source that does not say
            m.context_window,
            m.max_tokens,
            _json(m.capabilities),
            m.release_date,
            m.deprecation_date,
            m.open_weights,
        )


def alias_rows(
    resolved: ResolvedSource, model_ids: dict[str, int], *, skip: Container[str] = ()
) -> Iterator[tuple[Any, ...]]:
    """Rows for ALIAS_COLUMNS, leaving out the aliases in `skip` (already stored)."""
    for alias, name in resolved.aliases.items():
        if alias not in skip:
            yield (alias, model_ids[name], resolved.source)


def price_rows(
    prices: Iterable[ResolvedPrice], source: str, model_ids: dict[str, int]
) -> Iterator[tuple[Any, ...]]:
    """Rows for PRICE_COLUMNS."""
    for resolved_price in prices:
        p = resolved_price.row
        yield (
            model_ids[resolved_price.model_name],
            source,
            p.source_key,
            resolved_price.provider_name,
            p.provider_id,
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
            _json(p.provider_metadata),
            _json(p.rate_limits),
        )
