"""Run collectors: fetch and parse, resolve identities, guard, write, record the run.

Every run, failed or not, leaves one `collector_runs` row with its counts and error. One
failing source never stops the others, not even an unexpected exception in its parser or
writer (a bug): that source's run fails with the exception's type and message, the
traceback is logged, and the next source runs. Only KeyboardInterrupt and SystemExit stop
a sync (the run in progress is recorded as failed, interrupted).

A whole sync holds the sync lock (`db.sync_lock`): a second sync waits or stops before
doing anything. A run killed outright (SIGKILL, lost connection) stays `running` until the
next sync or `llm-intel runs` finds its session gone and marks it `abandoned`.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import logging
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
import orjson
import psycopg
from psycopg.types.json import Jsonb

from llm_intelligence import calibration
from llm_intelligence.benchmarks.rows import ParsedLeaderboard
from llm_intelligence.benchmarks.sources import get_leaderboard
from llm_intelligence.benchmarks.writer import write_leaderboard
from llm_intelligence.collectors.fetch import NonFiniteNumber
from llm_intelligence.collectors.limits import clip
from llm_intelligence.collectors.resolve import ResolvedSource, resolve
from llm_intelligence.collectors.sources import get_source, skip_reason
from llm_intelligence.collectors.writer import write_source
from llm_intelligence.config import Settings
from llm_intelligence.db.connection import connect
from llm_intelligence.db.sync_lock import abandon_dead_runs, hold_sync_lock
from llm_intelligence.errors import (
    ConfigError,
    GrowGuardError,
    LLMIntelError,
    ShrinkGuardError,
    SizeGuardError,
    SyncLockedError,
)
from llm_intelligence.sources import SOURCES as REGISTRY
from llm_intelligence.sources import SourceKind, unknown_source_message

logger = logging.getLogger(__name__)

# The size guard, both ways, against the last good run's valid rows (--force accepts):
# LiteLLM's own loader refuses a remote price map with far fewer entries than its backup,
# so fewer than half is refused; an upstream that suddenly lists more than three times as
# many rows (a wrong file, a generated dump) is refused too.
SHRINK_GUARD_RATIO = 0.5
GROW_GUARD_RATIO = 3.0
_REJECTED_SAMPLE = 200
_UNMATCHED_LISTED = 2000

PhaseCallback = Callable[[str, str], None]
"""Called with (source, phase): fetching, parsing, writing, then the run's RunStatus."""


class RunStatus(StrEnum):
    """A run's status, as `collector_runs.status` stores it (its CHECK lists the same)."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    """An error (upstream, database, a bug) or an interruption; `error` says which."""
    REFUSED = "refused"
    """The size guard refused the payload; the previous data stays."""
    ABANDONED = "abandoned"
    """Its session ended mid-run (a killed sync); marked so by the next sync or `runs`."""
    SKIPPED = "skipped"
    """In reports only, never stored: an offline sync of a source with no snapshot, or a
    source whose required token is not set."""

    @property
    def ok(self) -> bool:
        """Not a reason for a non-zero exit."""
        return self in (RunStatus.SUCCEEDED, RunStatus.SKIPPED)


@dataclass(slots=True)
class SourceReport:
    source: str
    status: RunStatus
    run_id: int | None = None
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deactivated: int = 0
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    rejected_reasons: dict[str, int] = field(default_factory=dict)
    """Every rejected row counted by `reason_pattern`, most frequent first."""
    rejected_sample: list[tuple[str, str]] = field(default_factory=list)
    """(source key, reason) of the first rejected rows (`collector_runs.details`)."""
    unmatched: int = 0
    """A leaderboard's rows whose model name matched no catalog model (not written)."""
    unmatched_names: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


@dataclass(frozen=True, slots=True)
class _LastGoodRun:
    fingerprint: str
    rows_seen: int
    rows_rejected: int


@dataclass(slots=True)
class _Prepared:
    """A source fetched, and parsed and resolved unless its payload is the last good run's."""

    name: str
    started_at: datetime
    timings: dict[str, float] = field(default_factory=dict)
    skipped: str | None = None
    """Why the source was not run (offline without a snapshot, a required token unset)."""
    fingerprint: str | None = None
    same_as: _LastGoodRun | None = None
    resolved: ResolvedSource | None = None
    leaderboard: ParsedLeaderboard | None = None
    """A leaderboard's parsed rows: matched to the catalog when written."""
    error: LLMIntelError | None = None
    crash: Exception | None = None
    """Not an expected failure (a bug): fails this source's run only."""


def sync(
    url: str,
    *,
    settings: Settings,
    sources: Sequence[str] | None = None,
    offline: bool = False,
    force: bool = False,
    wait_for_lock: bool | float = False,
    client: httpx.Client | None = None,
    on_phase: PhaseCallback | None = None,
) -> list[SourceReport]:
    """Sync the named sources (all when none), each in its own recorded run.

    Exclusive: the whole sync holds the sync lock. When another sync holds it,
    `wait_for_lock` decides: False raises SyncLockedError at once (naming the running
    sync), True waits as long as it takes, a number waits that many seconds at most;
    nothing is fetched, written or recorded before the lock is held.

    Pipelined: one worker thread fetches, parses and resolves the sources in order while
    this thread writes the previous one (psycopg waits on the server without the GIL).
    Writes stay one source at a time, in order.
    """
    names = list(sources) if sources else default_sources(settings)
    for name in names:
        if name not in REGISTRY:  # unknown names fail before anything runs
            raise ConfigError(unknown_source_message(name))
    notify = on_phase or (lambda _source, _phase: None)
    wait = None if wait_for_lock is True else float(wait_for_lock)
    with hold_sync_lock(url, sources=names, wait=wait), connect(url, autocommit=True) as conn:
        abandon_dead_runs(conn)
        # One rankings refresh after all sources instead of one per source's transaction.
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        # Read before any write; each run only writes its own source's rows.
        # Leaderboards are matched again on every run (the catalog they match against
        # changes between runs); their writes are idempotent instead.
        prices = [n for n in names if REGISTRY[n].kind is SourceKind.PRICES]
        last_good = {} if force else _last_good_runs(conn, prices)
        try:
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="collect") as pool:
                prepared = [
                    pool.submit(
                        _prepare, name, settings, offline, client, last_good.get(name), notify
                    )
                    for name in names
                ]
                try:
                    return [
                        _record(conn, future, force=force, notify=notify) for future in prepared
                    ]
                except BaseException:
                    pool.shutdown(cancel_futures=True)  # no more fetching for a stopped sync
                    raise
        finally:
            _final_refresh(conn)


def _final_refresh(conn: psycopg.Connection[Any]) -> None:
    # A failure here must not hide the sync's outcome (or the exception on its way up);
    # the view stays stale, which readers are told, until the scheduler or `db start`
    # refreshes it.
    try:
        refresh_if_stale(conn)
    except psycopg.Error as e:
        logger.error("model_rankings not refreshed (it stays stale): %s", clip(str(e)))


def refresh_if_stale(conn: psycopg.Connection[Any]) -> bool:
    """Refresh model_rankings if a deferred write left it stale (or the usage window moved
    to a new day); True if it did."""
    row = conn.execute("select stale from public.model_rankings_status()").fetchone()
    if not (row and row[0]):
        return False
    conn.execute("select public.refresh_model_rankings()")
    return True


def _prepare(
    name: str,
    settings: Settings,
    offline: bool,
    client: httpx.Client | None,
    last_good: _LastGoodRun | None,
    notify: PhaseCallback,
) -> _Prepared:
    """Fetch, fingerprint, parse and resolve one source (no database access: a worker)."""
    if REGISTRY[name].kind is SourceKind.BENCHMARKS:
        return _prepare_leaderboard(name, settings, offline, client, notify)
    source = get_source(name)
    prepared = _Prepared(name=name, started_at=datetime.now(UTC))
    if (reason := skip_reason(source, settings, offline=offline)) is not None:
        prepared.skipped = reason
        return prepared
    try:
        notify(name, "fetching")
        started = time.perf_counter()
        payload = source.fetch(settings, offline, client)
        prepared.fingerprint = payload_fingerprint(payload, source=name)
        if last_good is not None and last_good.fingerprint == prepared.fingerprint:
            prepared.same_as = last_good
            prepared.timings["fetch_parse"] = time.perf_counter() - started
            return prepared
        notify(name, "parsing")
        parsed = source.parse(payload)
        prepared.timings["fetch_parse"] = time.perf_counter() - started
        started = time.perf_counter()
        prepared.resolved = resolve(parsed, source=name)
        prepared.timings["identity"] = time.perf_counter() - started
    except LLMIntelError as e:
        prepared.error = e
    except Exception as e:  # noqa: BLE001 - carried to the writer thread: fails this source
        prepared.crash = e
    return prepared


def default_sources(settings: Settings) -> list[str]:
    """What a sync without named sources runs: every source in registry order (prices
    first, so the leaderboards match against the freshest catalog), without the
    leaderboards when ENABLE_BENCHMARK_COLLECTION is false."""
    return [
        name
        for name, source in REGISTRY.items()
        if source.kind is SourceKind.PRICES or settings.enable_benchmark_collection
    ]


def _prepare_leaderboard(
    name: str,
    settings: Settings,
    offline: bool,
    client: httpx.Client | None,
    notify: PhaseCallback,
) -> _Prepared:
    """Fetch and parse one leaderboard (a worker: no database access)."""
    leaderboard = get_leaderboard(name)
    prepared = _Prepared(name=name, started_at=datetime.now(UTC))
    if (reason := leaderboard.skip_reason(settings, offline=offline)) is not None:
        prepared.skipped = reason
        return prepared
    try:
        notify(name, "fetching")
        started = time.perf_counter()
        payload = leaderboard.fetch(settings, offline, client)
        prepared.fingerprint = payload_fingerprint(payload, source=name)
        notify(name, "parsing")
        prepared.leaderboard = leaderboard.parse(payload)
        prepared.timings["fetch_parse"] = time.perf_counter() - started
    except LLMIntelError as e:
        prepared.error = e
    except Exception as e:  # noqa: BLE001 - carried to the writer thread: fails this source
        prepared.crash = e
    return prepared


def _write_leaderboard(
    conn: psycopg.Connection[Any],
    parsed: ParsedLeaderboard,
    report: SourceReport,
    details: dict[str, Any],
    force: bool,
    notify: PhaseCallback,
) -> None:
    """Guard, match and write one leaderboard; fills `report` and `details`."""
    name = parsed.source
    if parsed.notes:  # what the payload was (LiveBench: which release), refused runs too
        details["notes"] = parsed.notes
    report.seen = len(parsed.rows)
    if not force:
        _guard_size(conn, name, report.seen)
    notify(name, "writing")
    counts = write_leaderboard(conn, parsed, wait_for_lock=True)
    _link_calibration(conn, name, details)
    rejected = [*parsed.rejected, *counts.duplicates]
    report.rejected = len(rejected)
    report.rejected_reasons = count_reasons((r.source_key, r.reason) for r in rejected)
    report.rejected_sample = [(r.source_key, r.reason) for r in rejected[:_REJECTED_SAMPLE]]
    report.timings["write"] = counts.write_seconds
    report.timings["refresh"] = counts.commit_seconds
    report.inserted, report.updated = counts.inserted, counts.updated
    report.unchanged, report.deactivated = counts.unchanged, counts.deactivated
    report.unmatched = sum(counts.unmatched.values())
    report.unmatched_names = sorted(counts.unmatched)
    report.status = RunStatus.SUCCEEDED
    details |= {
        "rejected_sample": [{"key": k, "reason": r} for k, r in report.rejected_sample],
        "rejected_reasons": report.rejected_reasons,
        "matched_rows": counts.matched_rows,
        "models_scored": counts.models,
        "unmatched_rows": report.unmatched,
        "unmatched_names": len(counts.unmatched),
        # Every unmatched name, with its row count and why (capped: names are short).
        "unmatched": [
            {"name": clip(n, 200), "rows": counts.unmatched[n],
             "reason": clip(counts.unmatched_reasons.get(n, ""), 200)}
            for n in report.unmatched_names[:_UNMATCHED_LISTED]
        ],
    }  # fmt: skip


def _link_calibration(conn: psycopg.Connection[Any], name: str, details: dict[str, Any]) -> None:
    """Link each benchmark leaderboard `name` brings without fitted parameters to the fitted
    ones (`calibration.link_new_benchmarks`), so it is not read at the identity until the
    next `llm-intel calibrate`; no fitted parameter changes.

    Its own transaction, after the scores committed: a failure here leaves the benchmark at
    the identity, as before the link existed, so it is logged and kept in the run's
    details (`calibration.error`), and the run, whose scores are in, still succeeds."""
    try:
        with conn.transaction():
            links = calibration.link_new_benchmarks(conn, sources=[name])
            calibration.write_links(conn, links.linked)
    except Exception as e:  # noqa: BLE001 - reported below; the written scores stand
        error = clip(f"{type(e).__name__}: {e}")
        logger.error(
            "%s: the scores are written, but linking its new benchmarks to the calibration"
            " failed (%s); they keep the identity until `llm-intel calibrate`",
            name,
            error,
        )
        details["calibration"] = {"error": error}
        return
    if links.linked or links.unlinked:
        details["calibration"] = {
            "linked": [
                {"benchmark": f"{f.benchmark_name}/{f.metric_type}", "offset": f.offset,
                 "slope": f.slope, "weight": f.weight, "n_models": f.n_models}
                for f in links.linked
            ],
            "unlinked": links.unlinked,
        }  # fmt: skip


def _record(
    conn: psycopg.Connection[Any],
    future: Future[_Prepared],
    *,
    force: bool,
    notify: PhaseCallback,
) -> SourceReport:
    """Guard, write and record one prepared source; every outcome leaves a run row."""
    prepared = future.result()
    name = prepared.name
    if prepared.skipped is not None:
        notify(name, RunStatus.SKIPPED)
        return SourceReport(source=name, status=RunStatus.SKIPPED, error=prepared.skipped)

    report = SourceReport(
        source=name,
        status=RunStatus.RUNNING,
        run_id=_start_run(conn, name, prepared.started_at),
        timings=prepared.timings,
    )
    details: dict[str, Any] = {"fingerprint": prepared.fingerprint}
    try:
        if prepared.crash is not None:
            raise prepared.crash
        if prepared.error is not None:
            raise prepared.error
        if prepared.leaderboard is not None:
            _write_leaderboard(conn, prepared.leaderboard, report, details, force, notify)
            return report
        if prepared.same_as is not None:
            report.seen = report.unchanged = prepared.same_as.rows_seen
            report.rejected = prepared.same_as.rows_rejected
            details |= {"same_payload_as_last_run": True, "models_inserted": 0, "models_updated": 0}
            report.status = RunStatus.SUCCEEDED
            return report
        resolved = prepared.resolved
        assert resolved is not None
        report.seen = len(resolved.prices)
        report.rejected = len(resolved.rejected)
        report.rejected_reasons = count_reasons((r.source_key, r.reason) for r in resolved.rejected)
        report.rejected_sample = [
            (r.source_key, r.reason) for r in resolved.rejected[:_REJECTED_SAMPLE]
        ]
        # Rejections are expected upstream noise, reported per reason by the caller (the
        # CLI's summary, collector_runs.details): one log line each only when debugging.
        for row in resolved.rejected[:20]:
            logger.debug("%s: rejected %s: %s", name, row.source_key, row.reason)

        if not force:
            _guard_size(conn, name, report.seen)

        notify(name, "writing")
        # The whole-sync lock keeps other syncs out; the write lock is only ever held
        # a moment by a writer called on its own: waiting for it is right.
        counts = write_source(conn, resolved, wait_for_lock=True)
        report.timings["write"] = counts.write_seconds
        report.timings["refresh"] = counts.commit_seconds
        report.inserted, report.updated = counts.inserted, counts.updated
        report.unchanged, report.deactivated = counts.unchanged, counts.deactivated
        report.status = RunStatus.SUCCEEDED
        details |= {
            "rejected_sample": [
                {"key": key, "reason": reason} for key, reason in report.rejected_sample
            ],
            "rejected_reasons": report.rejected_reasons,
            "models_inserted": counts.models_inserted,
            "models_updated": counts.models_updated,
            "alias_conflicts": resolved.alias_conflicts,
        }
    except (SizeGuardError, SyncLockedError) as e:
        report.status, report.error = RunStatus.REFUSED, str(e)
    except LLMIntelError as e:
        report.status, report.error = RunStatus.FAILED, str(e)
    except psycopg.Error as e:
        report.status, report.error = RunStatus.FAILED, f"{name}: database error: {e}"
    except Exception as e:  # noqa: BLE001 - a bug in one source must not stop the others
        report.status = RunStatus.FAILED
        report.error = clip(f"{name}: unexpected {type(e).__name__}: {e}")
        logger.error(
            "%s: unexpected %s; this source's run fails, the others go on. "
            "Traceback (most recent call last):\n%s%s",
            name,
            type(e).__name__,
            "".join(traceback.format_tb(e.__traceback__)),
            report.error,
        )
    finally:
        if report.status is RunStatus.RUNNING:  # KeyboardInterrupt or SystemExit: stops
            stopped_by = sys.exc_info()[0]
            report.status = RunStatus.FAILED
            report.error = f"interrupted ({stopped_by.__name__ if stopped_by else 'stopped'})"
        if report.error is not None:
            # Stored and logged short: upstream text can be any size (a 1 MB model id).
            report.error = clip(report.error)
        if report.status is not RunStatus.SUCCEEDED:
            # A failed run must not vouch for its payload: the next run parses it again.
            details.pop("fingerprint", None)
        details["timings"] = {k: round(v, 4) for k, v in report.timings.items()}
        _finish_run(conn, report, details)
        notify(name, report.status)
        if report.error:
            logger.error("%s run %s: %s", name, report.status, report.error)
    return report


# Values a reason quotes: 'text' or "text", and numbers standing alone (not the digits of
# a field name such as `..._above_200k_tokens` or of a model id).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"(?<![\w./-])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")


def reason_pattern(reason: str, key: str | None = None) -> str:
    """A rejection reason with the row's key and the values it quotes replaced, so that
    rows rejected for the same reason group together: `acme/x: price 'abc' is not a
    number` -> `…: price '…' is not a number`, `-1 is negative` -> `N is negative`."""
    if key:
        reason = reason.replace(key, "…")
    return _NUMBER.sub("N", _QUOTED.sub("'…'", reason))


def count_reasons(rejected: Iterable[tuple[str, str]]) -> dict[str, int]:
    """(key, reason) pairs counted by `reason_pattern`, most frequent first."""
    return dict(Counter(reason_pattern(r, k) for k, r in rejected).most_common())


def payload_fingerprint(payload: Any, *, source: str) -> str:
    """A digest of the upstream payload and of the code that maps it (the modules the
    registry lists for `source`): the same digest as the last good run means parsing and
    writing again would change nothing."""
    digest = hashlib.sha256(_code_digest(REGISTRY[source].fingerprint_modules))
    try:
        # orjson: a quarter of the standard library's time on the bundled snapshots.
        digest.update(orjson.dumps(payload, default=_fingerprint_default))
    except TypeError:
        # What orjson refuses (integers beyond 64 bits, non-string keys); deterministic,
        # so the same payload still gets the same digest.
        digest.update(json.dumps(payload, default=str, separators=(",", ":")).encode())
    return digest.hexdigest()


def _fingerprint_default(value: Any) -> Any:
    if isinstance(value, NonFiniteNumber):
        # orjson writes NaN as null: NaN and a missing price must not share a digest.
        return {"$non_finite": repr(value)}
    return str(value)  # Decimal and the like: their exact text


@functools.cache
def _code_digest(modules: tuple[str, ...]) -> bytes:
    """A digest of the source files of `modules` (a package: every .py file in it)."""
    digest = hashlib.sha256()
    for module in sorted(modules):
        for path in module_files(module):
            digest.update(module.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def module_files(module: str) -> list[Path]:
    """The .py files of a module (a package: all of its files), found without importing."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"fingerprint module {module} not found")
    origin = Path(spec.origin)
    if spec.submodule_search_locations:
        return sorted(origin.parent.rglob("*.py"))
    return [origin]


def _last_good_runs(conn: psycopg.Connection[Any], names: list[str]) -> dict[str, _LastGoodRun]:
    """Each source's last good run whose rows are all still there and active: a payload
    with the same fingerprint would change nothing."""
    rows = conn.execute(
        "select distinct on (r.source) r.source, r.details ->> 'fingerprint', r.rows_seen,"
        " r.rows_rejected,"
        " (select count(*) from public.provider_pricing p"
        "  where p.source = r.source and p.is_active)"
        " from public.collector_runs r"
        " where r.source = any(%s) and r.status = %s"
        " order by r.source, r.started_at desc, r.id desc",
        (names, RunStatus.SUCCEEDED),
    ).fetchall()
    return {
        source: _LastGoodRun(fingerprint, int(seen), int(rejected))
        for source, fingerprint, seen, rejected, active in rows
        if fingerprint is not None and seen == active
    }


def _start_run(conn: psycopg.Connection[Any], source: str, started_at: datetime) -> int:
    # The backend that runs it, with its start time (a pid can be reused): a later run
    # that finds this backend gone marks the run abandoned.
    row = conn.execute(
        "insert into public.collector_runs (source, started_at, backend_pid, backend_started_at)"
        " values (%s, %s, pg_backend_pid(), (select backend_start from pg_catalog.pg_stat_activity"
        " where pid = pg_backend_pid())) returning id",
        (source, started_at),
    ).fetchone()
    assert row is not None
    return int(row[0])


def _finish_run(
    conn: psycopg.Connection[Any], report: SourceReport, details: dict[str, Any]
) -> None:
    conn.execute(
        "update public.collector_runs set finished_at = now(), status = %s, rows_seen = %s,"
        " rows_inserted = %s, rows_updated = %s, rows_unchanged = %s, rows_rejected = %s,"
        " rows_deactivated = %s, error = %s, details = %s where id = %s",
        (
            report.status,
            report.seen,
            report.inserted,
            report.updated,
            report.unchanged,
            report.rejected,
            report.deactivated,
            report.error,
            Jsonb(details),
            report.run_id,
        ),
    )


def _guard_size(conn: psycopg.Connection[Any], source: str, seen: int) -> None:
    """Refuse a run far smaller or far larger than the last good run (see the ratios)."""
    row = conn.execute(
        "select rows_seen from public.collector_runs where source = %s and status = %s"
        " order by started_at desc, id desc limit 1",
        (source, RunStatus.SUCCEEDED),
    ).fetchone()
    if row is None:
        return
    last_good = int(row[0])
    if seen < last_good * SHRINK_GUARD_RATIO:
        raise ShrinkGuardError(
            f"{source}: upstream returned {seen} valid rows, less than "
            f"{SHRINK_GUARD_RATIO:g}x the last good run's {last_good}; refused, the previous "
            "data stays (use --force to accept)"
        )
    if last_good > 0 and seen > last_good * GROW_GUARD_RATIO:
        raise GrowGuardError(
            f"{source}: upstream returned {seen} valid rows, more than "
            f"{GROW_GUARD_RATIO:g}x the last good run's {last_good}; refused, the previous "
            "data stays (check the upstream, then use --force to accept)"
        )
