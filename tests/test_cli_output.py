"""Readable output and the seed's settings: tables fit 80 columns with whole words,
rejected rows one line per reason, exact short numbers in --json, quiet APScheduler,
`schedule --dry-run`."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.cli import app
from llm_intelligence.collectors.runner import count_reasons, reason_pattern
from llm_intelligence.config import Settings
from llm_intelligence.scheduler import planned_jobs, source_intervals
from llm_intelligence.sources import SourceKind, source_names
from tests.factories import add_model, add_price

runner = CliRunner()
MODELS_DEV_SAMPLE = Path(__file__).parent / "data" / "models_dev_api_sample.json"
HEADERS = ["source", "status", "new", "changed", "same", "rejected", "gone", "secs"]


@pytest.fixture
def synced(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LLM_INTEL_MODELS_DEV_URL", str(MODELS_DEV_SAMPLE))
    monkeypatch.setenv("COLUMNS", "80")
    return db_url


def _fits(text: str) -> list[str]:
    lines = text.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80, text
    assert "…" not in text.replace("'…'", ""), text  # no word cut by the table
    return lines


def test_sync_summary_fits_80_columns_and_sums_up_rejections(synced: str) -> None:
    result = runner.invoke(app, ["sync", "models-dev", "--offline"])
    assert result.exit_code == 0, result.output
    lines = _fits(result.stdout)
    header = next(line for line in lines if "source" in line and "status" in line)
    assert header.split() == HEADERS
    row = next(line for line in lines if line.strip().startswith("models-dev"))
    assert row.split()[1] == "succeeded" and row.split()[5] == "7"

    rejected = [line for line in result.stderr.splitlines() if " rejected: " in line]
    assert len(rejected) == 7  # one line per distinct reason, each with its count
    assert all(line.startswith("models-dev:     1 rejected: ") for line in rejected)
    assert "acme/negative-price" not in result.stderr  # row keys only with -v
    assert "runs --rejected models-dev" in result.stderr


def test_a_real_sync_logs_no_line_per_rejected_row(synced: str) -> None:
    # The real command, not CliRunner: the root logger's handler writes to the process's
    # stderr, which CliRunner does not capture.
    cli = Path(sys.executable).with_name("llm-intel")
    result = subprocess.run(
        [str(cli), "sync", "models-dev", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "acme/negative-price" not in result.stderr
    assert "WARNING" not in result.stderr
    assert sum(" rejected: " in line for line in result.stderr.splitlines()) == 7


def test_sync_verbose_lists_every_rejected_row(synced: str) -> None:
    result = runner.invoke(app, ["-v", "sync", "models-dev", "--offline"])
    assert result.exit_code == 0, result.output
    assert "  acme/negative-price: " in result.stderr


def test_runs_fit_80_columns_and_list_rejected_rows(synced: str) -> None:
    assert runner.invoke(app, ["sync", "models-dev", "--offline"]).exit_code == 0
    # Again: the same payload is not parsed again, and says where its rejections are.
    again = runner.invoke(app, ["sync", "models-dev", "--offline"])
    assert "the same payload as the last good run" in again.stderr

    runs = runner.invoke(app, ["runs"])
    assert runs.exit_code == 0, runs.output
    lines = _fits(runs.stdout)
    header = next(line for line in lines if "source" in line and "status" in line)
    assert header.split() == ["source", "started", *HEADERS[1:]]

    rejected = runner.invoke(app, ["runs", "--rejected", "models-dev"])
    assert rejected.exit_code == 0, rejected.output
    assert "7 rejected" in rejected.stdout
    assert "  acme/negative-price: " in rejected.stdout
    assert "cost.input: negative price" in rejected.stdout

    none_yet = runner.invoke(app, ["runs", "--rejected", "litellm"])
    assert none_yet.exit_code == 0 and "no run that parsed" in none_yet.stdout


def test_reasons_group_by_pattern() -> None:
    assert reason_pattern("cost.input: not a number: 'abc'") == "cost.input: not a number: '…'"
    assert reason_pattern("x: -1 is negative") == "x: N is negative"
    assert reason_pattern("gpt-4.1 above_200k_tokens") == "gpt-4.1 above_200k_tokens"
    assert reason_pattern("models.dev acme/x: bad", "acme/x") == "models.dev …: bad"
    pairs = [("k1", "k1: a 'x'"), ("k2", "k2: a 'y'"), ("k3", "b")]
    assert count_reasons(pairs) == {"…: a '…'": 2, "b": 1}


def test_json_numbers_are_exact_without_trailing_zeros(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        model_id = add_model(conn, "gpt-x", provider="openai")
        add_price(conn, model_id, "openai", "3.000000", "0.150000")
    result = runner.invoke(app, ["rank", "--json"])
    assert result.exit_code == 0, result.output
    [row] = json.loads(result.stdout)
    assert (row["min_input_cost"], row["min_output_cost"]) == ("3", "0.15")
    for key, value in row.items():
        if isinstance(value, str) and value[:1].isdigit() and "." in value:
            assert not value.endswith("0"), (key, value)
            Decimal(value)  # still exact decimal text


def test_apscheduler_info_lines_only_with_verbose() -> None:
    runner.invoke(app, ["schedule", "--dry-run"])
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.WARNING
    runner.invoke(app, ["-v", "schedule", "--dry-run"])
    assert logging.getLogger("apscheduler").getEffectiveLevel() == logging.INFO
    runner.invoke(app, ["schedule", "--dry-run"])


def test_seed_settings_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = {
        "SUPABASE_KEY": "supa-secret-1",
        "OPENROUTER_API_KEY": "sk-or-secret-2",
        "GITHUB_TOKEN": "ghp-secret-3",
        "GOOGLE_API_KEY": "google-secret-4",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SUPABASE_URL", "https://abc.supabase.co")
    monkeypatch.setenv("LLM_INTELLIGENCE_REFRESH_INTERVAL", "1800")
    monkeypatch.setenv("ENABLE_REAL_TIME_UPDATES", "false")
    monkeypatch.setenv("ENABLE_BENCHMARK_COLLECTION", "false")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_OPENROUTER_MINUTES", "15")
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_LITELLM_MINUTES", "0")
    settings = Settings(_env_file=None)
    assert settings.github_token is not None
    assert settings.github_token.get_secret_value() == "ghp-secret-3"
    assert settings.google_api_key is not None
    assert (settings.enable_real_time_updates, settings.enable_benchmark_collection) == (
        False,
        False,
    )
    # Per source first, then the seed's interval, for every source without its own.
    assert source_intervals(settings) == {
        "openrouter": timedelta(minutes=15),
        "models-dev": timedelta(minutes=30),
        "genai-prices": timedelta(minutes=30),
        "github-models": timedelta(minutes=30),
    }
    assert not any(value in repr(settings) for value in secrets.values())

    result = runner.invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert not any(value in result.output for value in secrets.values())
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert "every 15 min" in lines["openrouter"]
    assert "every 30 min" in lines["genai-prices"]
    assert "LLM_INTELLIGENCE_REFRESH_INTERVAL" in lines["genai-prices"]
    assert (
        "not run" in lines["litellm"] and "LLM_INTEL_SCHEDULE_LITELLM_MINUTES=0" in lines["litellm"]
    )
    assert "every 1 min" in lines["heal-rankings"]
    for leaderboard in ("aider", "livebench", "lmarena", "evalplus", "bigcodebench"):
        assert "not run" in lines[leaderboard]
        assert "ENABLE_BENCHMARK_COLLECTION=false" in lines[leaderboard]


def test_dry_run_defaults_need_no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = runner.invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 0, result.output
    jobs = {job.job_id: job for job in planned_jobs(Settings(_env_file=None))}
    assert jobs["openrouter"].every == timedelta(hours=1)
    assert jobs["litellm"].every == timedelta(hours=6)
    # The leaderboards run daily unless ENABLE_BENCHMARK_COLLECTION is false.
    for leaderboard in source_names(SourceKind.BENCHMARKS):
        assert jobs[leaderboard].every == timedelta(days=1)


def test_dry_run_says_which_jobs_a_missing_token_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    without = {job.job_id: job for job in planned_jobs(Settings(_env_file=None))}
    assert "each run skipped: GITHUB_TOKEN is not set" in without["github-models"].why
    assert "skipped" not in without["litellm"].why
    with_token = Settings(_env_file=None, GITHUB_TOKEN="ghp_test")
    jobs = {job.job_id: job for job in planned_jobs(with_token)}
    assert jobs["github-models"].why == "default"


@pytest.mark.parametrize("value", ["0", "59", "soon"])
def test_refresh_interval_is_checked(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_INTELLIGENCE_REFRESH_INTERVAL", value)
    result = runner.invoke(app, ["schedule", "--dry-run"])
    assert result.exit_code == 1
    assert "LLM_INTELLIGENCE_REFRESH_INTERVAL" in result.stderr
