"""The `llm-intel` command line, run in-process against real Postgres servers."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.main import get_command
from typer.testing import CliRunner

from llm_intelligence.cli import app
from llm_intelligence.db import embedded
from tests.factories import add_model, add_price

runner = CliRunner()


def _all_commands() -> list[tuple[str, Any]]:
    # Typer ships its own click-like classes: walk them by their `commands` attribute.
    found: list[tuple[str, Any]] = []
    for name, command in get_command(app).commands.items():  # type: ignore[attr-defined]
        if hasattr(command, "commands"):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
        else:
            found.append((name, command))
    return found


@pytest.mark.parametrize(("name", "command"), _all_commands())
def test_every_command_is_documented(name: str, command: Any) -> None:
    assert command.help and len(command.help.strip()) > 20, f"`llm-intel {name}` has no help"
    result = runner.invoke(app, [*name.split(), "--help"])
    assert result.exit_code == 0
    assert command.help.split()[0] in result.output


def test_embedded_lifecycle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # Its own new directory (short: Unix socket path limit), removed afterwards.
    home = Path(tempfile.mkdtemp(prefix="llmi-cli-"))
    monkeypatch.setenv("LLM_INTEL_HOME", str(home))
    try:
        first = runner.invoke(app, ["db", "start"])
        assert first.exit_code == 0, first.output
        url = first.stdout.strip().splitlines()[-1]
        assert url.startswith("postgresql://")

        again = runner.invoke(app, ["db", "start"])  # harmless while running
        assert again.exit_code == 0
        assert again.stdout.strip().splitlines()[-1] == url
        assert "migrations applied now: 0" in again.stderr

        assert runner.invoke(app, ["db", "url"]).stdout.strip() == url
        status = runner.invoke(app, ["db", "status"])
        assert "running" in status.stdout and "pending migrations: 0" in status.stdout
        with psycopg.connect(url) as conn:
            assert conn.execute("select count(*) from model_rankings").fetchone() == (0,)

        rank = runner.invoke(app, ["rank", "--json"])
        assert rank.exit_code == 0 and json.loads(rank.stdout) == []

        assert "stopped" in runner.invoke(app, ["db", "stop"]).stderr
        assert not embedded.status(home / "pgdata").running
        assert runner.invoke(app, ["db", "url"]).exit_code == 1
        assert runner.invoke(app, ["db", "status"]).exit_code == 3
    finally:
        embedded.stop(home / "pgdata")
        shutil.rmtree(home, ignore_errors=True)


def test_database_url_is_used_and_nothing_embedded_starts(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LLM_INTEL_HOME", str(tmp_path))
    with psycopg.connect(db_url, autocommit=True) as conn:
        model_id = add_model(conn, "gpt-x", provider="openai")
        add_price(conn, model_id, "openai", "1", "4")

    migrate = runner.invoke(app, ["db", "migrate"])
    assert migrate.exit_code == 0 and "0 applied" in migrate.stdout
    assert runner.invoke(app, ["db", "url"]).stdout.strip() == db_url
    rank = runner.invoke(app, ["rank", "--json", "--limit", "5"])
    assert rank.exit_code == 0, rank.output
    rows = json.loads(rank.stdout)
    assert [(r["rank"], r["name"], r["min_input_cost"]) for r in rows] == [(1, "gpt-x", "1")]
    assert not (tmp_path / "pgdata").exists()


def test_rank_table_fits_80_columns_without_breaking_names(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "80")
    with psycopg.connect(db_url, autocommit=True) as conn:
        model_id = add_model(conn, "deepseek-v4-flash", provider="deepseek")
        add_price(conn, model_id, "deepinfra", "0.04186", "0.08372")
        # A long name and a price with many digits (the blended price is 5.9999975).
        model_id = add_model(conn, "llama-3.3-70b-instruct-turbo", provider="meta-llama")
        add_price(conn, model_id, "databricks", "5.99999", "6.00000")

    result = runner.invoke(app, ["rank"])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    row = next(line for line in lines if "deepseek-v4-flash" in line)
    # Every column whole: blended price (3 x in + out) / 4, quality (coverage), composite,
    # providers; the only priced model is on the frontier.
    assert row.split()[2:8] == ["0.0523", "0.100", "(0)", "0.060", "1", "*"]
    # Prices shown to about four significant digits (--json keeps them exact); names whole.
    row = next(line for line in lines if "llama-3.3-70b-instruct-turbo" in line)
    assert row.split()[2] == "6"


def test_rank_says_when_filters_exclude_every_model(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        model_id = add_model(conn, "deepseek-v4-flash", provider="deepseek")
        add_price(conn, model_id, "deepinfra", "0.04186", "0.08372")
    result = runner.invoke(app, ["rank", "--capability", "teleport"])
    assert result.exit_code == 0, result.output
    assert "No model passes these filters." in result.stdout
    assert "run `llm-intel sync`" not in result.stdout


def test_bad_arguments_give_clear_errors(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    result = runner.invoke(app, ["rank", "--category", "poetry"])
    assert result.exit_code == 1
    assert "unknown category 'poetry'" in result.stderr
    result = runner.invoke(app, ["rank", "--max-input-price", "abc"])
    assert result.exit_code == 1
    assert "--max-input-price must be a number, got 'abc'" in result.stderr
    result = runner.invoke(app, ["sync", "nowhere"])
    assert result.exit_code == 1
    assert "unknown source 'nowhere'" in result.stderr


def test_sync_and_runs_commands(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    mirror = Path(__file__).parent / "data" / "models_dev_api_sample.json"
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LLM_INTEL_MODELS_DEV_URL", str(mirror))
    result = runner.invoke(app, ["sync", "models-dev", "--offline"])
    assert result.exit_code == 0, result.output
    assert "models-dev" in result.stdout and "succeeded" in result.stdout
    with psycopg.connect(db_url) as conn:
        stored = conn.execute(
            "select count(*) from provider_pricing where source = 'models-dev'"
        ).fetchone()
    assert stored is not None and stored[0] > 0
    runs = runner.invoke(app, ["runs", "--source", "models-dev"])
    assert runs.exit_code == 0 and "succeeded" in runs.stdout


def test_malformed_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_INTEL_SCHEDULE_JITTER_SECONDS", "soon")
    result = runner.invoke(app, ["db", "stop"])
    assert result.exit_code == 1
    assert "LLM_INTEL_SCHEDULE_JITTER_SECONDS" in result.stderr


def test_error_text_is_printed_as_is_not_as_markup(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # `[/]` would close a rich markup tag that was never opened (MarkupError) if printed
    # as markup; upstream names and paths can hold anything.
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LLM_INTEL_MODELS_DEV_URL", str(tmp_path / "[/]missing[red].json"))
    result = runner.invoke(app, ["sync", "models-dev", "--offline"])
    assert result.exit_code == 1, result.output
    assert "[/]missing[red].json" in "".join(result.stderr.split())
    runs = runner.invoke(app, ["runs"])
    assert runs.exit_code == 0, runs.output
    assert "[/]missing[red].json" in "".join(runs.stdout.split())
