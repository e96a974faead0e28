"""`llm-intel providers MODEL` and `llm-intel route "PROMPT"` (issue 13 item 8)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from llm_intelligence.cli import app
from tests.test_routing import small_url  # noqa: F401 (a fixture)

runner = CliRunner()


@pytest.fixture
def env(small_url: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", small_url)
    monkeypatch.setenv("ENABLE_REAL_TIME_UPDATES", "false")
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "80")
    return small_url


def test_providers_table_and_json(env: str) -> None:
    result = runner.invoke(app, ["providers", "m-one"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "one" in result.stdout and "73.5%" in result.stdout
    assert "pick:" in result.stdout
    result = runner.invoke(app, ["providers", "m-one", "--json"])
    document = json.loads(result.stdout)
    shares = {
        p["provider_name"]: Decimal(p["selection_probability"]) for p in document["providers"]
    }
    assert shares["one"] > shares["two"] > shares["three"]
    assert document["pick"]["provider_name"] in shares


def test_providers_unknown_model(env: str) -> None:
    result = runner.invoke(app, ["providers", "no-such-model"])
    assert result.exit_code == 1
    assert "unknown model" in result.stderr
    # One line: the server's HINT and PL/pgSQL CONTEXT stay out of the message.
    assert "CONTEXT" not in result.stderr and "HINT" not in result.stderr


def test_route_text_and_json(env: str) -> None:
    prompt = "Write a Python function that reverses a linked list, with tests."
    result = runner.invoke(app, ["route", prompt, "--strategy", "cost_optimized"])
    assert result.exit_code == 0, result.output
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    assert "task: coding" in result.stdout and "model: m-one" in result.stdout
    result = runner.invoke(app, ["route", prompt, "--json"])
    document = json.loads(result.stdout)
    assert document["task_type"] == "coding"
    assert Decimal(document["expected_cost"]) > 0
    assert document["fallbacks"] and document["reasons"]
    bad = runner.invoke(app, ["route", prompt, "--strategy", "fastest"])
    assert bad.exit_code == 1 and "unknown strategy" in bad.stderr
