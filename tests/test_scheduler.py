"""The scheduler: one job per enabled source, no overlap, prompt first run, clean stop."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from pydantic import ValidationError

from llm_intelligence.collectors.runner import RunStatus, SourceReport
from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError, DatabaseError
from llm_intelligence.scheduler import build_scheduler, run_scheduler, source_intervals
from llm_intelligence.sources import SourceKind, source_names

MODELS_DEV_SAMPLE = Path(__file__).parent / "data" / "models_dev_api_sample.json"
URL = "postgresql://scheduler-test/none"
WAIT = 10.0  # upper bound of every wait below; the happy path takes far less


def only(source: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Settings kwargs with every source disabled except `source`."""
    disabled = {f"schedule_{name.replace('-', '_')}_minutes": 0 for name in source_names()}
    if source is not None:
        disabled.pop(f"schedule_{source.replace('-', '_')}_minutes")
    return {**disabled, **overrides}


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class FakeRun:
    """Stands in for runner.sync: records calls, optionally sleeps, tracks concurrency."""

    def __init__(self, *, sleep: float = 0.0, error: BaseException | None = None) -> None:
        self.sleep = sleep
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.running = 0
        self.max_running = 0
        self.finished = 0
        self.started = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, url: str, **kwargs: Any) -> Sequence[SourceReport]:
        with self._lock:
            self.calls.append((url, kwargs))
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        self.started.set()
        try:
            time.sleep(self.sleep)
            if self.error is not None:
                raise self.error
            return [SourceReport(source=kwargs["sources"][0], status=RunStatus.SUCCEEDED, seen=3)]
        finally:
            with self._lock:
                self.running -= 1
                self.finished += 1

    def sources_called(self) -> set[str]:
        with self._lock:
            return {kwargs["sources"][0] for _, kwargs in self.calls}


@pytest.fixture
def background() -> Iterator[BackgroundScheduler]:
    scheduler = BackgroundScheduler(timezone="UTC")
    yield scheduler
    if scheduler.running:
        scheduler.shutdown(wait=False)


def test_settings_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENROUTER", "LITELLM", "MODELS_DEV", "GENAI_PRICES", "GITHUB_MODELS"):
        monkeypatch.delenv(f"LLM_INTEL_SCHEDULE_{name}_MINUTES", raising=False)
    monkeypatch.delenv("LLM_INTEL_SCHEDULE_JITTER_SECONDS", raising=False)
    monkeypatch.delenv("LLM_INTEL_SCHEDULE_OFFLINE", raising=False)
    defaults = Settings(_env_file=None)
    assert source_intervals(defaults) == {
        "litellm": timedelta(hours=6),
        "openrouter": timedelta(hours=1),
        "models-dev": timedelta(hours=6),
        "genai-prices": timedelta(hours=6),
        "github-models": timedelta(hours=6),
        **dict.fromkeys(source_names(SourceKind.BENCHMARKS), timedelta(days=1)),
    }
    assert (defaults.schedule_jitter_seconds, defaults.schedule_offline) == (120, False)

    monkeypatch.setenv("LLM_INTEL_SCHEDULE_OPENROUTER_MINUTES", "15")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_LITELLM_MINUTES", "0")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_MODELS_DEV_MINUTES", "30")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_GENAI_PRICES_MINUTES", "1440")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_JITTER_SECONDS", "5")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_OFFLINE", "true")
    settings = Settings(_env_file=None)
    assert source_intervals(settings) == {
        "openrouter": timedelta(minutes=15),
        "models-dev": timedelta(minutes=30),
        "genai-prices": timedelta(days=1),
        "github-models": timedelta(hours=6),
        **dict.fromkeys(source_names(SourceKind.BENCHMARKS), timedelta(days=1)),
    }
    assert (settings.schedule_jitter_seconds, settings.schedule_offline) == (5, True)

    monkeypatch.setenv("LLM_INTEL_SCHEDULE_OPENROUTER_MINUTES", "-1")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)


def test_every_source_has_a_cadence_setting() -> None:
    every_minute = {f"schedule_{n.replace('-', '_')}_minutes": 1 for n in source_names()}
    assert list(source_intervals(Settings(**every_minute))) == source_names()


def test_jobs_for_enabled_sources(background: BackgroundScheduler) -> None:
    settings = Settings(
        schedule_openrouter_minutes=30,
        schedule_litellm_minutes=0,
        schedule_models_dev_minutes=720,
        schedule_genai_prices_minutes=1,
        schedule_github_models_minutes=0,
        schedule_jitter_seconds=90,
        enable_benchmark_collection=False,
    )
    scheduler = build_scheduler(url=URL, settings=settings, run=FakeRun(), scheduler=background)
    assert scheduler is background
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"openrouter", "models-dev", "genai-prices"}  # litellm: 0 = off
    expected = {"openrouter": 30 * 60, "models-dev": 720 * 60, "genai-prices": 60}
    for name, seconds in expected.items():
        job = jobs[name]
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=seconds)
        # Jitter never exceeds half the interval (the 1-minute source gets 30 s).
        assert job.trigger.jitter == min(90, seconds // 2)
        assert job.max_instances == 1
        assert job.coalesce is True
        assert job.misfire_grace_time == seconds // 2
        assert job.next_run_time is not None  # first run at start
        assert job.args == (name,)


def test_zero_jitter_means_none(background: BackgroundScheduler) -> None:
    settings = Settings(**only("openrouter", schedule_jitter_seconds=0))
    build_scheduler(url=URL, settings=settings, run=FakeRun(), scheduler=background)
    (job,) = background.get_jobs()
    assert job.trigger.jitter is None


def test_first_run_of_every_source_at_start(background: BackgroundScheduler) -> None:
    fake = FakeRun()
    settings = Settings(
        schedule_litellm_minutes=360,
        schedule_openrouter_minutes=60,
        schedule_models_dev_minutes=360,
        schedule_genai_prices_minutes=360,
        schedule_offline=True,
    )
    build_scheduler(url=URL, settings=settings, run=fake, scheduler=background)
    background.start()
    assert wait_until(lambda: fake.sources_called() == set(source_names()))
    for url, kwargs in fake.calls:
        assert url == URL
        assert kwargs == {
            "settings": settings,
            "sources": [kwargs["sources"][0]],
            "offline": True,
            "wait_for_lock": True,
        }
    time.sleep(0.3)
    assert len(fake.calls) == len(source_names())  # once each, then the interval


def test_a_source_never_overlaps_itself(background: BackgroundScheduler) -> None:
    fake = FakeRun(sleep=1.0)
    build_scheduler(
        url=URL, settings=Settings(**only("openrouter")), run=fake, scheduler=background
    )
    # A 1-second interval, shorter than the run: every other firing finds it still running.
    background.reschedule_job("openrouter", trigger=IntervalTrigger(seconds=1, timezone="UTC"))
    background.start()
    assert wait_until(lambda: fake.finished >= 2)
    assert fake.max_running == 1


def test_shutdown_waits_for_the_running_sync(background: BackgroundScheduler) -> None:
    fake = FakeRun(sleep=1.0)
    build_scheduler(
        url=URL, settings=Settings(**only("models-dev")), run=fake, scheduler=background
    )
    background.start()
    assert fake.started.wait(WAIT)
    assert fake.finished == 0
    background.shutdown(wait=True)
    assert fake.finished == 1


def test_expected_failure_is_logged_not_raised(
    background: BackgroundScheduler, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[Any] = []
    background.add_listener(errors.append, EVENT_JOB_ERROR)
    fake = FakeRun(error=DatabaseError("cannot connect to the database: host=nowhere"))
    build_scheduler(url=URL, settings=Settings(**only("litellm")), run=fake, scheduler=background)
    with caplog.at_level(logging.ERROR, logger="llm_intelligence.scheduler"):
        background.start()
        assert wait_until(lambda: fake.finished == 1)
        background.shutdown(wait=True)
    assert not errors
    assert "litellm: scheduled sync failed: cannot connect" in caplog.text


def test_unexpected_exception_is_logged_with_the_source(
    background: BackgroundScheduler, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeRun(error=RuntimeError("boom"))
    build_scheduler(
        url=URL, settings=Settings(**only("genai-prices")), run=fake, scheduler=background
    )
    with caplog.at_level(logging.ERROR):
        background.start()
        assert wait_until(lambda: "genai-prices: scheduled sync raised" in caplog.text)
        background.shutdown(wait=True)
    assert "genai-prices: scheduled sync raised RuntimeError: boom" in caplog.text
    assert "Traceback" in caplog.text  # from APScheduler's executor


def test_run_scheduler_refuses_when_every_source_is_disabled() -> None:
    with pytest.raises(ConfigError, match="every source is disabled"):
        run_scheduler(url=URL, settings=Settings(**only()))


def _succeeded_runs(url: str, source: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from public.collector_runs where source = %s and status = 'succeeded'",
            (source,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_real_sync_of_a_local_mirror(db_url: str, background: BackgroundScheduler) -> None:
    settings = Settings(**only("models-dev", models_dev_url=str(MODELS_DEV_SAMPLE)))
    build_scheduler(url=db_url, settings=settings, scheduler=background)
    background.start()
    assert wait_until(lambda: _succeeded_runs(db_url, "models-dev") == 1)
    background.shutdown(wait=True)
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "select count(*) from public.provider_pricing where source = 'models-dev'"
        ).fetchone()
    assert row is not None and row[0] > 0


def test_sigterm_stops_run_scheduler_cleanly(db_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "LLM_INTEL_HOME": str(tmp_path),
        "LLM_INTEL_MODELS_DEV_URL": str(MODELS_DEV_SAMPLE),
        "LLM_INTEL_SCHEDULE_MODELS_DEV_MINUTES": "60",
        "LLM_INTEL_SCHEDULE_LITELLM_MINUTES": "0",
        "LLM_INTEL_SCHEDULE_OPENROUTER_MINUTES": "0",
        "LLM_INTEL_SCHEDULE_GENAI_PRICES_MINUTES": "0",
        "ENABLE_BENCHMARK_COLLECTION": "false",  # the leaderboards would go online
    }
    code = (
        "import logging, os\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "from llm_intelligence.config import load_settings\n"
        "from llm_intelligence.scheduler import run_scheduler\n"
        "run_scheduler(url=os.environ['DATABASE_URL'], settings=load_settings())\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,  # no stray .env
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        recorded = wait_until(
            lambda: process.poll() is not None or _succeeded_runs(db_url, "models-dev") == 1,
            timeout=15,
        )
        assert recorded and process.poll() is None, process.communicate(timeout=5)
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, log
    assert "models-dev: succeeded" in log
    assert "SIGTERM received" in log
    assert log.rstrip().endswith("scheduler stopped")
