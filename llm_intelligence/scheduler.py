"""Keep the catalog fresh: each source synced on its own cadence, with APScheduler 3.

One interval job per enabled source (job id = source name). A source's cadence is
`LLM_INTEL_SCHEDULE_<SOURCE>_MINUTES` when set (0 disables the source), else
`LLM_INTELLIGENCE_REFRESH_INTERVAL` seconds when set, else the registry's default
(`llm_intelligence.sources`: OpenRouter every 60 minutes, LiteLLM, models.dev and
genai-prices every 360, the leaderboards every 1440 unless ENABLE_BENCHMARK_COLLECTION
is false). `planned_jobs` says what would run (`llm-intel schedule --dry-run`).
Every job:

- runs once at start, then every interval plus a random jitter (`LLM_INTEL_SCHEDULE_JITTER_SECONDS`,
  at most half the interval) so installs do not all hit an upstream at the same second;
- never overlaps itself (`max_instances=1`): a run still going when the next is due makes
  APScheduler skip that one;
- collapses missed runs (a laptop asleep) into one (`coalesce=True`), run only if it is
  less than half an interval late (`misfire_grace_time`); otherwise the next one is awaited;
- waits for the sync lock (`wait_for_lock=True`), so syncs of different sources queue
  instead of failing.

One more job, `heal-rankings`, at start and then every minute: when a sync was killed
after writing but before refreshing `model_rankings`, the view is stale; the job
refreshes it unless a sync is running (that sync refreshes it when it ends). The check is
one small query.

The runner records every run, failed or not, in `collector_runs`; a job logs its report
and returns. An unexpected exception is logged with its traceback by APScheduler and with
the source's name by this module's listener; the source runs again at its next interval.

    from llm_intelligence.config import load_settings
    from llm_intelligence.scheduler import run_scheduler

    run_scheduler(url="postgresql://...", settings=load_settings())  # until SIGINT/SIGTERM
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

import psycopg
from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from llm_intelligence.collectors.runner import RunStatus, SourceReport, sync
from llm_intelligence.collectors.sources import get_source, skip_reason
from llm_intelligence.config import Settings
from llm_intelligence.db.sync_lock import RankingsStatus, refresh_stale_rankings
from llm_intelligence.errors import ConfigError, LLMIntelError
from llm_intelligence.sources import SOURCES, SourceKind, source_names

__all__ = [
    "PlannedJob",
    "add_rankings_heal_job",
    "build_scheduler",
    "planned_jobs",
    "run_scheduler",
    "source_intervals",
]

logger = logging.getLogger(__name__)

SyncFunction = Callable[..., Sequence[SourceReport]]
"""`collectors.runner.sync`'s shape: (url, *, settings, sources, offline, wait_for_lock)."""
HealFunction = Callable[[str], RankingsStatus]
"""`db.sync_lock.refresh_stale_rankings`'s shape."""

HEAL_JOB_ID = "heal-rankings"
HEAL_INTERVAL = timedelta(minutes=1)


def _cadence(settings: Settings, name: str) -> tuple[timedelta, str]:
    """A source's time between syncs (zero: disabled) and the setting it comes from."""
    minutes = settings.source_minutes(name)
    if minutes is not None:
        return timedelta(minutes=minutes), SOURCES[name].minutes_env
    if settings.refresh_interval is not None:
        return timedelta(seconds=settings.refresh_interval), "LLM_INTELLIGENCE_REFRESH_INTERVAL"
    return timedelta(minutes=SOURCES[name].default_minutes), "default"


def _scheduled_sources(settings: Settings) -> list[str]:
    """Price sources, and the leaderboards unless ENABLE_BENCHMARK_COLLECTION is false."""
    names = source_names(SourceKind.PRICES)
    if settings.enable_benchmark_collection:
        names += source_names(SourceKind.BENCHMARKS)
    return names


def source_intervals(settings: Settings) -> dict[str, timedelta]:
    """The enabled sources and the time between their syncs, in source order."""
    cadences = {name: _cadence(settings, name)[0] for name in _scheduled_sources(settings)}
    return {name: every for name, every in cadences.items() if every > timedelta(0)}


@dataclass(frozen=True, slots=True)
class PlannedJob:
    job_id: str
    what: str
    every: timedelta | None
    """None: not scheduled (`why` says why)."""
    why: str


def _skip_reason(settings: Settings, name: str) -> str | None:
    """Why every scheduled sync of a price source would be skipped (a missing token), as
    `sync` says it; None for the leaderboards and for sources that run."""
    if SOURCES[name].kind is SourceKind.BENCHMARKS:
        return None
    return skip_reason(get_source(name), settings, offline=False)


def planned_jobs(settings: Settings) -> list[PlannedJob]:
    """Every job `run_scheduler` would add, and what is not scheduled, without starting
    anything: what `llm-intel schedule --dry-run` prints."""
    jobs: list[PlannedJob] = []
    for name in _scheduled_sources(settings):
        every, setting = _cadence(settings, name)
        if every > timedelta(0):
            why = "default" if setting == "default" else f"from {setting}"
            if (skipped := _skip_reason(settings, name)) is not None:
                why += f"; each run skipped: {skipped}"
            jobs.append(PlannedJob(name, f"sync {name}", every, why))
        else:
            jobs.append(PlannedJob(name, f"sync {name}", None, f"disabled ({setting}=0)"))
    jobs.append(PlannedJob(HEAL_JOB_ID, "refresh stale rankings", HEAL_INTERVAL, "always"))
    if not settings.enable_benchmark_collection:
        for name in source_names(SourceKind.BENCHMARKS):
            jobs.append(
                PlannedJob(name, f"sync {name}", None, "off (ENABLE_BENCHMARK_COLLECTION=false)")
            )
    return jobs


def build_scheduler(
    *,
    url: str,
    settings: Settings,
    run: SyncFunction = sync,
    scheduler: BaseScheduler | None = None,
) -> BaseScheduler:
    """Add one sync job per enabled source to `scheduler` (a new BlockingScheduler when
    none) and return it, not started.

    `run` is called as `run(url, settings=..., sources=[name], offline=..., wait_for_lock=True)`;
    tests pass a fake. The jobs hold `settings` and `run` as they are, so `scheduler` should
    keep its jobs in memory (APScheduler's default job store).
    """
    if scheduler is None:
        scheduler = BlockingScheduler(timezone=UTC)
    now = datetime.now(UTC)
    for name, interval in source_intervals(settings).items():
        seconds = int(interval.total_seconds())
        jitter = min(settings.schedule_jitter_seconds, seconds // 2)
        scheduler.add_job(
            _sync_source,
            trigger=IntervalTrigger(seconds=seconds, jitter=jitter or None, timezone=UTC),
            args=(name,),
            kwargs={"url": url, "settings": settings, "run": run},
            id=name,
            name=f"sync {name}",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(seconds // 2, 1),
            next_run_time=now,
            replace_existing=True,
        )
    scheduler.add_listener(_log_job_error, EVENT_JOB_ERROR)
    return scheduler


def add_rankings_heal_job(
    scheduler: BaseScheduler, *, url: str, heal: HealFunction = refresh_stale_rankings
) -> None:
    """Add the job that refreshes a stale `model_rankings` (at start, then every minute)."""
    scheduler.add_job(
        _heal_rankings,
        trigger=IntervalTrigger(seconds=int(HEAL_INTERVAL.total_seconds()), timezone=UTC),
        args=(url, heal),
        id=HEAL_JOB_ID,
        name="refresh stale rankings",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(HEAL_INTERVAL.total_seconds()),
        next_run_time=datetime.now(UTC),
        replace_existing=True,
    )


def _heal_rankings(url: str, heal: HealFunction) -> None:
    try:
        status = heal(url)
    except (LLMIntelError, psycopg.Error) as e:
        # The database is away or refused: the next minute tries again.
        logger.warning("stale rankings check failed: %s", e)
        return
    if status.refreshed_now:
        logger.warning(
            "model_rankings was left stale by an interrupted sync (last refreshed %s): refreshed",
            status.last_refreshed_at,
        )


def run_scheduler(*, url: str, settings: Settings) -> None:
    """Sync every enabled source on its cadence, in the foreground, until SIGINT or SIGTERM.

    On the first signal no new sync starts and a sync already running finishes (and
    commits) before this returns: `shutdown(wait=True)`. A second signal, or SIGKILL,
    stops the process at once: the interrupted sync's transaction is rolled back by
    Postgres when the connection drops, so the catalog keeps the previous data, and that
    run's `collector_runs` row stays 'running' until the next sync (or `llm-intel runs`)
    marks it 'abandoned'; the heal job refreshes rankings it left stale.

    Signal handlers are installed only when called from the main thread (Python delivers
    signals there only) and the previous handlers are restored on return. Raises
    ConfigError when every source is disabled.
    """
    scheduler = build_scheduler(
        url=url, settings=settings, scheduler=BlockingScheduler(timezone=UTC)
    )
    jobs = scheduler.get_jobs()
    if not jobs:
        raise ConfigError(
            "every source is disabled (all LLM_INTEL_SCHEDULE_*_MINUTES are 0): nothing to run"
        )
    add_rankings_heal_job(scheduler, url=url)
    logger.info(
        "scheduler started (%s): %s",
        "offline" if settings.schedule_offline else "online",
        ", ".join(f"{job.id} every {job.trigger.interval}" for job in jobs),
    )
    previous: dict[signal.Signals, Any] = {}
    try:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.getsignal(signum)
                signal.signal(signum, _request_stop)
        scheduler.start()  # blocks until a signal raises _StopRequested
    except _StopRequested as e:
        logger.info("%s received: stopping after the running syncs finish", e)
    finally:
        try:
            if scheduler.running:
                scheduler.shutdown(wait=True)
        finally:
            for stop_signal, handler in previous.items():
                signal.signal(stop_signal, handler)
    logger.info("scheduler stopped")


class _StopRequested(BaseException):
    """Raised in the main thread by SIGINT/SIGTERM to leave `BlockingScheduler.start()`.

    A BaseException, like KeyboardInterrupt, so that no `except Exception` on the way
    mistakes it for an error.
    """


def _request_stop(signum: int, _frame: FrameType | None) -> None:
    # From now on a second signal takes the default action: exit at once.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    raise _StopRequested(signal.Signals(signum).name)


def _sync_source(
    name: str, *, url: str, settings: Settings, run: SyncFunction
) -> Sequence[SourceReport]:
    """One scheduled run of one source; the job APScheduler calls."""
    try:
        reports = run(
            url,
            settings=settings,
            sources=[name],
            offline=settings.schedule_offline,
            wait_for_lock=True,
        )
    except LLMIntelError as e:
        # Expected trouble before the run could start (database unreachable, bad setting):
        # nothing to record in collector_runs; the next interval tries again.
        logger.error("%s: scheduled sync failed: %s", name, e)
        return []
    for report in reports:
        _log_report(report)
    return reports


def _log_report(report: SourceReport) -> None:
    ok = report.status in (RunStatus.SUCCEEDED, RunStatus.SKIPPED)
    logger.log(
        logging.INFO if ok else logging.WARNING,
        "%s: %s in %.1f s (run %s): %d seen, %d inserted, %d updated, %d unchanged,"
        " %d rejected, %d deactivated%s",
        report.source,
        report.status,
        report.seconds,
        report.run_id,
        report.seen,
        report.inserted,
        report.updated,
        report.unchanged,
        report.rejected,
        report.deactivated,
        f": {report.error}" if report.error else "",
    )


def _log_job_error(event: Any) -> None:
    """EVENT_JOB_ERROR listener; APScheduler's executor has logged the traceback."""
    logger.error(
        "%s: scheduled sync raised %s: %s; it runs again at its next interval",
        event.job_id,
        type(event.exception).__name__,
        event.exception,
    )
