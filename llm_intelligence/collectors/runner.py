"""Run collectors: fetch and parse, resolve identities, guard, write, record the run.

Every run, failed or not, leaves one `collector_runs` row with its counts and error. One
failing source never stops the others.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg.types.json import Jsonb

from llm_intelligence.collectors.resolve import resolve
from llm_intelligence.collectors.sources import get_source, skips_offline, source_names
from llm_intelligence.collectors.writer import write_source
from llm_intelligence.config import Settings
from llm_intelligence.db.connection import connect
from llm_intelligence.errors import (
    LLMIntelError,
    ShrinkGuardError,
    SyncLockedError,
)

logger = logging.getLogger(__name__)

# LiteLLM's own loader refuses a remote price map with far fewer entries than its backup;
# the same guard here: fewer than half the rows of the last good run is refused.
SHRINK_GUARD_RATIO = 0.5
_REJECTED_SAMPLE = 200

PhaseCallback = Callable[[str, str], None]


@dataclass(slots=True)
class SourceReport:
    source: str
    status: str
    run_id: int | None = None
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    deactivated: int = 0
    error: str | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


def sync(
    url: str,
    *,
    settings: Settings,
    sources: Sequence[str] | None = None,
    offline: bool = False,
    force: bool = False,
    wait_for_lock: bool = False,
    client: httpx.Client | None = None,
    on_phase: PhaseCallback | None = None,
) -> list[SourceReport]:
    """Sync the named sources (all when none), one after another, each in its own run."""
    names = list(sources) if sources else source_names()
    for name in names:
        get_source(name)  # unknown names fail before anything runs
    with connect(url, autocommit=True) as conn:
        # One rankings refresh after all sources instead of one per source's transaction.
        conn.execute("set llm_intel.defer_rankings_refresh = on")
        try:
            return [
                sync_source(
                    conn,
                    name,
                    settings=settings,
                    offline=offline,
                    force=force,
                    wait_for_lock=wait_for_lock,
                    client=client,
                    on_phase=on_phase,
                )
                for name in names
            ]
        finally:
            refresh_if_stale(conn)


def refresh_if_stale(conn: psycopg.Connection[Any]) -> bool:
    """Refresh model_rankings if a deferred write left it stale; True if it did."""
    row = conn.execute("select stale from llm_intel_private.rankings_refresh_state").fetchone()
    if not (row and row[0]):
        return False
    conn.execute("select public.refresh_model_rankings()")
    return True


def sync_source(
    conn: psycopg.Connection[Any],
    name: str,
    *,
    settings: Settings,
    offline: bool = False,
    force: bool = False,
    wait_for_lock: bool = False,
    client: httpx.Client | None = None,
    on_phase: PhaseCallback | None = None,
) -> SourceReport:
    source = get_source(name)
    notify = on_phase or (lambda _source, _phase: None)
    if offline and skips_offline(source, settings):
        notify(name, "skipped")
        return SourceReport(
            source=name,
            status="skipped",
            error="no offline snapshot (set a local mirror file to use it offline)",
        )

    report = SourceReport(source=name, status="running", run_id=_start_run(conn, name))
    details: dict[str, Any] = {}
    try:
        notify(name, "fetching")
        started = time.perf_counter()
        payload = source.fetch(settings, offline, client)
        details["fingerprint"] = fingerprint = payload_fingerprint(payload)
        if not force and _unchanged_since_last_good_run(conn, name, fingerprint, report):
            report.timings["fetch_parse"] = time.perf_counter() - started
            report.status = "succeeded"
            details |= {"same_payload_as_last_run": True, "models_inserted": 0, "models_updated": 0}
            return report
        parsed = source.parse(payload)
        report.timings["fetch_parse"] = time.perf_counter() - started

        notify(name, "resolving")
        started = time.perf_counter()
        resolved = resolve(parsed, source=name)
        report.timings["identity"] = time.perf_counter() - started
        report.seen = len(resolved.prices)
        report.rejected = len(resolved.rejected)
        for row in resolved.rejected[:20]:
            logger.warning("%s: rejected %s: %s", name, row.source_key, row.reason)

        if not force:
            _guard_shrink(conn, name, report.seen)

        notify(name, "writing")
        counts = write_source(conn, resolved, wait_for_lock=wait_for_lock)
        report.timings["write"] = counts.write_seconds
        report.timings["refresh"] = counts.commit_seconds
        report.inserted, report.updated = counts.inserted, counts.updated
        report.unchanged, report.deactivated = counts.unchanged, counts.deactivated
        report.status = "succeeded"
        details |= {
            "rejected_sample": [
                {"key": r.source_key, "reason": r.reason}
                for r in resolved.rejected[:_REJECTED_SAMPLE]
            ],
            "models_inserted": counts.models_inserted,
            "models_updated": counts.models_updated,
            "alias_conflicts": resolved.alias_conflicts,
        }
    except (ShrinkGuardError, SyncLockedError) as e:
        report.status, report.error = "refused", str(e)
    except LLMIntelError as e:
        report.status, report.error = "failed", str(e)
    except psycopg.Error as e:
        report.status, report.error = "failed", f"{name}: database error: {e}"
    finally:
        if report.status == "running":  # an unexpected exception is on its way up
            report.status, report.error = "failed", "interrupted"
        if report.status != "succeeded":
            # A failed run must not vouch for its payload: the next run parses it again.
            details.pop("fingerprint", None)
        details["timings"] = {k: round(v, 4) for k, v in report.timings.items()}
        _finish_run(conn, report, details)
        notify(name, report.status)
        if report.error:
            logger.error("%s run %s: %s", name, report.status, report.error)
    return report


def payload_fingerprint(payload: Any) -> str:
    """A digest of the upstream payload and of the code that maps it: the same digest as
    the last good run means parsing and writing again would change nothing."""
    digest = hashlib.sha256(_code_digest())
    digest.update(json.dumps(payload, default=str, separators=(",", ":")).encode())
    return digest.hexdigest()


@functools.cache
def _code_digest() -> bytes:
    # Any change to a collector or the identity rules can change the rows a payload maps
    # to, so it invalidates every fingerprint.
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*package.glob("collectors/*.py"), package / "identity.py"]):
        digest.update(path.read_bytes())
    return digest.digest()


def _unchanged_since_last_good_run(
    conn: psycopg.Connection[Any], source: str, fingerprint: str, report: SourceReport
) -> bool:
    """True (and the report filled in) when the last good run saw this very payload and
    its rows are all still there and active."""
    row = conn.execute(
        "select rows_seen, rows_rejected, details ->> 'fingerprint',"
        " (select count(*) from public.provider_pricing p where p.source = %(source)s"
        "  and p.is_active)"
        " from public.collector_runs where source = %(source)s and status = 'succeeded'"
        " order by started_at desc, id desc limit 1",
        {"source": source},
    ).fetchone()
    if row is None or row[2] != fingerprint or row[0] != row[3]:
        return False
    report.seen = report.unchanged = int(row[0])
    report.rejected = int(row[1])
    return True


def _start_run(conn: psycopg.Connection[Any], source: str) -> int:
    row = conn.execute(
        "insert into public.collector_runs (source) values (%s) returning id", (source,)
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


def _guard_shrink(conn: psycopg.Connection[Any], source: str, seen: int) -> None:
    row = conn.execute(
        "select rows_seen from public.collector_runs where source = %s and status = 'succeeded'"
        " order by started_at desc, id desc limit 1",
        (source,),
    ).fetchone()
    if row is None:
        return
    last_good = int(row[0])
    if seen < last_good * SHRINK_GUARD_RATIO:
        raise ShrinkGuardError(
            f"{source}: upstream returned {seen} valid rows, less than half of the last good "
            f"run's {last_good}; refused, the previous data stays (use --force to accept)"
        )
