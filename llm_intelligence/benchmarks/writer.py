"""Write one leaderboard's scores: one transaction, under the write lock, set-based.

Leaderboard names are matched against the catalog as the database holds it inside the
same transaction (`benchmarks.names.Catalog`), so a model a price source added a moment
ago is found, and no price sync can change the catalog between matching and writing.
Unmatched names are counted and returned (the run lists them in `collector_runs.details`),
never written and never dropped silently.

A score's identity is the table's natural key (model, benchmark, metric, variant,
publisher). The matched rows are staged, then merged by three statements: an UPDATE of
the rows that really differ (IS DISTINCT FROM), an INSERT of the new keys, and an UPDATE
that marks inactive the rows of this source the leaderboard no longer lists (a name that
no longer matches, a model dropped from the board): never deleted. An unchanged
leaderboard therefore writes nothing.

Which variant the ranking uses (the rule, documented in the README): settings (reasoning
effort, a thinking budget, an edit format) are a choice a user of the same model id makes
at request time, at the same per-token price, so the model is credited with its best
published setting; every other setting stays stored next to it. "Best" is decided per
model, publisher and ranking category, over the whole category: the setting that ran the
most of the category's benchmarks, then the one with the highest mean `normalized_score`
(ties: the default settings `''` first, then the variant's text). Its row is `is_primary`
on each benchmark it ran; on a benchmark it did not run, the best row there is. Taking
the best row of each benchmark separately instead (LiveBench publishes up to six settings
of one model on 23 tasks) credits the model with a mix of settings nobody can run, the
maximum of several noisy runs per task: 0.6 to 2 points above its best setting's mean on
LiveBench's 0-100 categories, up to 6.7, more the more settings were published.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
import psycopg

from llm_intelligence.benchmarks.names import Catalog, Match
from llm_intelligence.benchmarks.rows import ParsedLeaderboard, ScoreRow
from llm_intelligence.collectors.rows import RejectedRow
from llm_intelligence.db.sync_lock import WRITE_ROW, lock_row
from llm_intelligence.errors import SyncLockedError

_KEY = ("model_id", "benchmark_name", "metric_type", "variant", "source_organization")
_VALUES = (
    "benchmark_category",
    "source",
    "score",
    "scale",
    "chance_score",
    "ceiling_score",
    "elo_reference",
    "test_date",
    "is_verified",
    "metadata",
)
COLUMNS = ", ".join((*_KEY, *_VALUES))
_ON_KEY = " and ".join(f"b.{c} = s.{c}" for c in _KEY)

_STAGE = f"""
create temp table if not exists stage_scores on commit delete rows as
  select {COLUMNS} from public.benchmark_scores with no data
"""  # noqa: S608 - column names are constants of this module

_UPDATE = f"""
update public.benchmark_scores b set
  {", ".join(f"{c} = s.{c}" for c in _VALUES)},
  is_active = true,
  deactivated_at = null
from stage_scores s
where {_ON_KEY}
  and (b.{", b.".join(_VALUES)}, b.is_active) is distinct from (s.{", s.".join(_VALUES)}, true)
returning b.id
"""  # noqa: S608 - column names are constants of this module

_INSERT = f"""
insert into public.benchmark_scores ({COLUMNS})
select {COLUMNS} from stage_scores s
where not exists (select 1 from public.benchmark_scores b where {_ON_KEY})
returning id
"""  # noqa: S608 - column names are constants of this module

_DEACTIVATE = f"""
update public.benchmark_scores b
set is_active = false, deactivated_at = now(), is_primary = false
where b.source = %s and b.is_active
  and not exists (select 1 from stage_scores s where {_ON_KEY})
returning b.id
"""  # noqa: S608 - column names are constants of this module

# The variant rule (module docstring), among this source's active rows: per model,
# publisher and category the setting with the most benchmarks, then the best mean; per
# benchmark its row is primary, or where that setting did not run, the best row.
_PRIMARY = """
with active as (
  select id, model_id, benchmark_name, metric_type, source_organization, benchmark_category,
         variant, normalized_score, score
  from public.benchmark_scores
  where source = %s and is_active
),
settings as (
  select model_id, source_organization, benchmark_category, variant,
         count(normalized_score) as benchmarks, avg(normalized_score) as mean
  from active
  group by model_id, source_organization, benchmark_category, variant
),
chosen as (
  select distinct on (model_id, source_organization, benchmark_category)
         model_id, source_organization, benchmark_category, variant
  from settings
  order by model_id, source_organization, benchmark_category,
           benchmarks desc, mean desc nulls last, variant
),
ranked as (
  select a.id, row_number() over (
           partition by a.model_id, a.benchmark_name, a.metric_type, a.source_organization
           order by (c.variant is not null) desc, a.normalized_score desc nulls last,
                    a.score desc, a.variant) = 1 as primary_now
  from active a
  left join chosen c
    on c.model_id = a.model_id and c.source_organization = a.source_organization
   and c.benchmark_category = a.benchmark_category and c.variant = a.variant
)
update public.benchmark_scores b set is_primary = r.primary_now
from ranked r
where b.id = r.id and b.is_primary is distinct from r.primary_now
returning b.id
"""

_MODELS = "select name, id from public.models"
_ALIASES = "select alias, model_id from public.model_aliases"


@dataclass(slots=True)
class LeaderboardCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    matched_rows: int = 0
    unmatched: dict[str, int] = field(default_factory=dict)
    """Leaderboard name -> how many of its rows matched no catalog model."""
    unmatched_reasons: dict[str, str] = field(default_factory=dict)
    duplicates: list[RejectedRow] = field(default_factory=list)
    """Rows with the same model, benchmark and settings as a better row of the payload."""
    models: int = 0
    """Distinct catalog models that received scores."""
    write_seconds: float = 0.0
    commit_seconds: float = 0.0


@dataclass(slots=True)
class _Matched:
    row: ScoreRow
    match: Match
    variant: str


def write_leaderboard(
    conn: psycopg.Connection[Any], parsed: ParsedLeaderboard, *, wait_for_lock: bool = False
) -> LeaderboardCounts:
    """Match and merge one leaderboard's rows in one transaction; the caller's conn is idle."""
    counts = LeaderboardCounts()
    started = time.perf_counter()
    with conn.transaction():
        if not lock_row(conn, WRITE_ROW, wait=None if wait_for_lock else 0):
            raise SyncLockedError(
                f"{parsed.source}: another sync is writing to this database; nothing was"
                " written. Try again when it has finished."
            )
        conn.execute("set local synchronous_commit = off")
        catalog = Catalog(
            names=dict(conn.execute(_MODELS).fetchall()),
            aliases=dict(conn.execute(_ALIASES).fetchall()),
        )
        matched = _match_rows(catalog, parsed, counts)
        conn.execute(_STAGE)
        with conn.cursor() as cur, cur.copy(f"copy stage_scores ({COLUMNS}) from stdin") as copy:
            for values in _stage_rows(matched, parsed.source):
                copy.write_row(values)
        updated = {row[0] for row in conn.execute(_UPDATE)}
        inserted = {row[0] for row in conn.execute(_INSERT)}
        deactivated = {row[0] for row in conn.execute(_DEACTIVATE, (parsed.source,))}
        reprimaried = {row[0] for row in conn.execute(_PRIMARY, (parsed.source,))}
        written = time.perf_counter()
    counts.inserted = len(inserted)
    counts.updated = len((updated | reprimaried) - inserted - deactivated)
    counts.deactivated = len(deactivated)
    counts.unchanged = max(0, counts.matched_rows - counts.inserted - counts.updated)
    counts.models = len({m.match.model_id for m in matched})
    counts.write_seconds = written - started
    counts.commit_seconds = time.perf_counter() - written
    return counts


def _match_rows(
    catalog: Catalog, parsed: ParsedLeaderboard, counts: LeaderboardCounts
) -> list[_Matched]:
    cache: dict[tuple[Any, ...], Match] = {}
    matched: list[_Matched] = []
    for row in parsed.rows:
        if row.unidentified is not None:
            counts.unmatched[row.leaderboard_name] = (
                counts.unmatched.get(row.leaderboard_name, 0) + 1
            )
            counts.unmatched_reasons.setdefault(row.leaderboard_name, row.unidentified)
            continue
        key = (
            row.leaderboard_name,
            row.match_ids,
            tuple(sorted(row.settings.items())),
            row.bare_names_are_base,
        )
        match = cache.get(key)
        if match is None:
            match = cache[key] = catalog.match(
                row.leaderboard_name,
                match_ids=row.match_ids,
                settings=row.settings,
                bare_names_are_base=row.bare_names_are_base,
            )
        if match.model_id is None:
            counts.unmatched[row.leaderboard_name] = (
                counts.unmatched.get(row.leaderboard_name, 0) + 1
            )
            counts.unmatched_reasons.setdefault(row.leaderboard_name, match.reason or "")
            continue
        matched.append(_Matched(row, match, match.variant))
    return _separate_collisions(_unmatch_base_twins(matched, counts), counts)


_INSTRUCT_MARKER = re.compile(r"(?i)[-_ ](?:instruct|chat|it)(?=[-_ ]|$)")


def _unmatch_base_twins(matched: list[_Matched], counts: LeaderboardCounts) -> list[_Matched]:
    """On a board that lists base checkpoints under bare names, a bare name read as the
    same model as an instruct name next to it (`codegemma-7b` and `codegemma-7b-it`) is
    the base checkpoint the catalog does not hold: left unmatched, not merged."""
    instruct_models = {
        m.match.model_id
        for m in matched
        if m.row.bare_names_are_base and _INSTRUCT_MARKER.search(m.row.leaderboard_name)
    }
    kept = []
    for m in matched:
        name = m.row.leaderboard_name
        if (
            m.row.bare_names_are_base
            and m.match.model_id in instruct_models
            and not _INSTRUCT_MARKER.search(name)
        ):
            counts.unmatched[name] = counts.unmatched.get(name, 0) + 1
            counts.unmatched_reasons.setdefault(
                name, "a base checkpoint listed next to its instruct model"
            )
            continue
        kept.append(m)
    return kept


def _natural_key(item: _Matched) -> tuple[Any, ...]:
    b = item.row.benchmark
    return (item.match.model_id, b.name, b.metric, item.variant, item.row.source_organization)


def _separate_collisions(matched: list[_Matched], counts: LeaderboardCounts) -> list[_Matched]:
    """Two leaderboard names read as one model with the same settings
    (`gemini-1.5-pro-001` and `-002`, which identity merges): each keeps its score, told
    apart by `entry=<leaderboard name>` in the variant. The same name twice with the same
    settings (a rerun) keeps its best score; the others are counted as duplicates."""
    groups: dict[tuple[Any, ...], list[_Matched]] = {}
    for item in matched:
        groups.setdefault(_natural_key(item), []).append(item)
    kept: list[_Matched] = []
    for items in groups.values():
        names = Counter(i.row.leaderboard_name for i in items)
        if len(names) > 1:
            for item in items:
                extra = f"entry={item.row.leaderboard_name}"
                item.variant = f"{item.variant},{extra}" if item.variant else extra
        by_entry: dict[str, list[_Matched]] = {}
        for item in items:
            by_entry.setdefault(item.row.leaderboard_name, []).append(item)
        for same in by_entry.values():
            same.sort(key=lambda i: i.row.score, reverse=True)
            kept.append(same[0])
            for other in same[1:]:
                counts.duplicates.append(
                    RejectedRow(
                        other.row.source_key,
                        f"{other.row.leaderboard_name}: the same model, benchmark and settings"
                        f" as {same[0].row.source_key} (a better score), kept there",
                    )
                )
    counts.matched_rows = len(kept)
    return kept


def _stage_rows(matched: list[_Matched], source: str) -> Iterator[tuple[Any, ...]]:
    for item in matched:
        row, b = item.row, item.row.benchmark
        metadata = {k: v for k, v in row.metadata.items() if v is not None}
        metadata["leaderboard_name"] = row.leaderboard_name
        yield (
            item.match.model_id,
            b.name,
            b.metric,
            item.variant,
            row.source_organization,
            b.category.value,
            source,
            row.score,
            b.scale.value,
            b.chance,
            b.ceiling,
            b.elo_reference,
            row.test_date,
            row.is_verified,
            orjson.dumps(metadata, default=_json_default).decode(),
        )


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)
