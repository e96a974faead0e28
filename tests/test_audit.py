"""`llm-intel audit` and `llm-intel conflicts` on a catalog synced from the offline
snapshots (and GitHub Models' catalog from a mirror file): every section present, counts
that are whole and consistent, 80-column output, JSON that parses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.audit import (
    CONFLICT_COLUMNS,
    AuditReport,
    affix_pairs,
    conflict_rows,
    render,
    run_audit,
)
from llm_intelligence.cli import app
from llm_intelligence.collectors.runner import sync
from tests.test_sync import make_settings

GITHUB_CATALOG = Path(__file__).parent / "data" / "github_models_catalog.json"
OFFLINE = {
    "litellm_url": None,
    "openrouter_url": None,
    "models_dev_url": None,
    "genai_prices_url": None,
    "github_models_url": str(GITHUB_CATALOG),
}
SECTIONS = {f.name for f in fields(AuditReport)}
runner = CliRunner()


@pytest.fixture(scope="module")
def catalog_url(module_db_url: str) -> Iterator[str]:
    reports = sync(module_db_url, settings=make_settings(**OFFLINE), offline=True)
    by_source = {r.source: r for r in reports}
    assert by_source["github-models"].status == "succeeded", by_source["github-models"].error
    assert all(r.status in ("succeeded", "skipped") for r in reports), reports
    yield module_db_url


@pytest.fixture(scope="module")
def report(catalog_url: str) -> AuditReport:
    with psycopg.connect(catalog_url) as conn:
        return run_audit(conn)


def _counts(value: Any) -> Iterator[int]:
    """Every integer in the report (bools are not counts)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _counts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _counts(item)


def test_every_section_and_count(report: AuditReport) -> None:
    data = report.as_json()
    assert set(data) == SECTIONS
    assert all(n >= 0 for n in _counts(data))
    assert report.catalog.active_offers > 10_000 and report.catalog.models > 1_000


def test_vendor_minimums_are_consistent(report: AuditReport) -> None:
    vm = report.vendor_minimums
    assert vm.closed_models > 100  # OpenAI, Anthropic, Google and xAI list their own prices
    assert {r.rule for r in vm.rules} == {"any offer", "model_rankings"}
    for rule in vm.rules:
        assert rule.models == vm.closed_models
        assert 0 <= rule.below_50 <= rule.below_90 <= rule.models
    naive = next(r for r in vm.rules if r.rule == "any offer")
    honest = next(r for r in vm.rules if r.rule == "model_rankings")
    # The catalog's minimum is never further below the list price than the naive one.
    assert honest.below_90 <= naive.below_90 and honest.below_50 <= naive.below_50
    assert sum(t.models for t in vm.by_tier) == vm.closed_models
    assert sum(t.below_90 for t in vm.by_tier) == naive.below_90
    assert sum(t.below_50 for t in vm.by_tier) == naive.below_50


def test_outliers_conflicts_and_free_tiers(report: AuditReport) -> None:
    o = report.outliers
    assert sum(o.by_tier.values()) == o.outliers + o.quarantined
    k = report.conflicts
    assert k.source_rows >= 2 * k.offers  # every conflict has two sources at least
    assert sum(k.by_rule.values()) == k.offers
    f = report.free_tiers
    assert f.github_models_offers == 10  # the fixture's free models (gpt-5 is not free)
    assert f.with_rate_limits >= f.github_models_offers
    assert f.api_free_tier > 0


def test_affix_pairs() -> None:
    names = {"codestral", "codestral-latest", "fw-llama-3-70b", "llama-3-70b", "gpt-4o-mini"}
    assert affix_pairs(names) == [
        ("codestral-latest", "codestral"),
        ("fw-llama-3-70b", "llama-3-70b"),
    ]


def test_render_fits_80_columns(report: AuditReport) -> None:
    lines = render(report)
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    for heading in (
        "Catalog:",
        "vendor's own list price",
        "Price outliers:",
        "Price conflicts:",
        "Duplicate-name candidates:",
        "Authors:",
        "Non-text models",
        "Free tiers:",
    ):
        assert heading in text  # fmt: skip


@pytest.fixture
def cli_env(catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", catalog_url)
    monkeypatch.setenv("COLUMNS", "80")
    return catalog_url


def test_audit_command(cli_env: str, report: AuditReport) -> None:
    result = runner.invoke(app, ["audit"])
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.output.splitlines()) <= 80
    assert result.output.splitlines() == render(report)

    as_json = runner.invoke(app, ["audit", "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data == report.as_json()


def test_conflicts_command(cli_env: str) -> None:
    with psycopg.connect(cli_env) as conn:
        rows = conflict_rows(conn, limit=5)
    assert rows and all(set(row) == set(CONFLICT_COLUMNS) for row in rows)
    offers = {(r["model_name"], r["provider_name"], r["gateway"], r["deployment"]) for r in rows}
    assert len(offers) <= 5
    assert sum(r["is_chosen"] for r in rows) == len(offers)  # one shown value per offer

    result = runner.invoke(app, ["conflicts", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert max(len(line.rstrip()) for line in result.output.splitlines()) <= 80
    assert rows[0]["model_name"] in result.output

    model = rows[0]["model_name"]
    as_json = runner.invoke(app, ["conflicts", model, "--json"])
    assert as_json.exit_code == 0, as_json.output
    parsed = json.loads(as_json.output)
    assert parsed and {row["model_name"] for row in parsed} == {model}
    assert all(isinstance(row["input_price_per_million"], str | None) for row in parsed)


def test_conflicts_of_an_unknown_model_is_one_line(cli_env: str) -> None:
    result = runner.invoke(app, ["conflicts", "no-such-model-at-all"])
    assert result.exit_code == 1
    assert "unknown model" in result.output and len(result.output.splitlines()) == 1
