"""SWE-bench: the bash-only board (models in one fixed agent) parsed from a small fixture
in the site's layout, fetched over a mock transport, and synced into Postgres against the
catalog of the offline price snapshots; the agent-system boards are never read."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.benchmarks.rows import Category
from llm_intelligence.benchmarks.sources import get_leaderboard, swebench
from llm_intelligence.cli import app
from llm_intelligence.collectors.runner import RunStatus, SourceReport, sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import PayloadError
from tests.conftest import fresh_database

FIXTURE = Path(__file__).resolve().parent / "data" / "swebench_leaderboards.json"
BENCHMARK = "swe-bench-verified-bash-only"


def _payload() -> Any:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_only_the_bash_only_board_is_read() -> None:
    parsed = swebench.parse(_payload())
    keys = {r.source_key for r in parsed.rows}
    assert len(parsed.rows) == 9 and all(r.metadata["board"] == "bash-only" for r in parsed.rows)
    # The Verified and Test boards rank agent systems: none of their entries is a row.
    assert not keys & {"20251001_someagent_sonnet-4-5", "20251002_another", "20240601_old-agent"}
    assert {r.benchmark for r in parsed.rows} == {swebench.VERIFIED_BASH_ONLY}
    assert swebench.VERIFIED_BASH_ONLY.category is Category.AGENTIC
    assert swebench.VERIFIED_BASH_ONLY.metric == "resolved"
    # A row on the board run by another agent is not the board's comparison.
    assert [(r.source_key, r.reason) for r in parsed.rejected] == [
        ("20251013_some-agent_gpt-4.1", "run by 'Some Agent', not the board's mini-SWE-agent")
    ]


def test_model_settings_and_metadata() -> None:
    by = {r.source_key: r for r in swebench.parse(_payload()).rows}
    sonnet = by["20250929_mini-v1.13.3_sonnet-4-5"]
    assert sonnet.leaderboard_name == "claude-sonnet-4-5-20250929"  # the Model: tag
    assert str(sonnet.score) == "66.2" and sonnet.is_verified
    assert sonnet.settings == {"mini_swe_agent": "1.13.3"}
    assert sonnet.test_date is not None and sonnet.test_date.isoformat() == "2025-09-29"
    assert {
        k: sonnet.metadata[k]
        for k in ("checked", "os_model", "os_system", "org", "cost_usd", "instance_calls")
    } == {
        "checked": True,
        "os_model": False,
        "os_system": True,
        "org": "Anthropic",
        "cost_usd": "250.5",
        "instance_calls": "48.2",
    }
    gpt5 = by["20250807_mini-v1.7.0_gpt-5"]
    assert gpt5.settings == {"reasoning": "medium", "mini_swe_agent": "1.7.0"}  # from the name
    assert gpt5.metadata["cost_usd"] is None  # 0.0: not reported
    o3 = by["20260105_mini-v2.0.0_o3-high"]  # the newer layout: agent, reasoning_effort
    assert o3.settings == {"reasoning": "high", "mini_swe_agent": "2.0.0"}
    assert not o3.is_verified and o3.metadata["org"] == "OpenAI"
    # No Model: tag: the displayed name is the model.
    assert by["20250807_mini-v1.7.0_kimi-k2"].leaderboard_name == "Kimi K2 Instruct"
    assert by["20250807_mini-v1.7.0_kimi-k2"].metadata["os_model"] is True
    assert by["20251011_mini-v1.13.3_undisclosed"].unidentified == (
        "no `Model:` tag and no model name"
    )
    router = by["20251012_mini-v1.13.3_router"]
    assert router.unidentified is not None and "multi-model run" in router.unidentified


def test_without_a_bash_only_board_the_verified_mini_swe_agent_entries_are_read() -> None:
    rows = [
        {"name": "o3", "agent": "mini-SWE-agent", "resolved": 58, "tags": ["Model: o3"]},
        {"name": "System X", "agent": "System X", "resolved": 80, "tags": ["Model: o3"]},
    ]
    parsed = swebench.parse({"leaderboards": [{"name": "Verified", "results": rows}]})
    assert [(r.leaderboard_name, r.score) for r in parsed.rows] == [("o3", 58)]
    assert parsed.rows[0].metadata["board"] == "Verified (mini-SWE-agent)"
    with pytest.raises(PayloadError, match="rank agent systems"):
        swebench.parse({"leaderboards": [{"name": "Verified", "results": rows[1:]}]})
    with pytest.raises(PayloadError):
        swebench.parse([])


def test_live_fetch_sends_one_get_to_the_site_repository() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=FIXTURE.read_bytes())

    board = get_leaderboard("swebench")
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        payload = board.fetch(Settings(_env_file=None), False, client)
        other = "https://mirror.example/swebench/leaderboards.json"
        board.fetch(Settings(_env_file=None, LLM_INTEL_SWEBENCH_URL=other), False, client)
    assert [(r.method, str(r.url)) for r in requests] == [
        (
            "GET",
            "https://raw.githubusercontent.com/SWE-bench/swe-bench.github.io/master/data/"
            "leaderboards.json",
        ),
        ("GET", other),
    ]
    assert "authorization" not in requests[0].headers
    assert len(board.parse(payload).rows) == 9


def test_offline_a_mirror_without_its_file_is_skipped_saying_so(tmp_path: Path) -> None:
    board = get_leaderboard("swebench")
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(tmp_path))
    reason = board.skip_reason(settings, offline=True)
    assert reason is not None and "swebench_leaderboards.json" in reason
    assert "LLM_INTEL_SWEBENCH_URL" in reason
    assert board.skip_reason(settings, offline=False) is None
    shutil.copy(FIXTURE, tmp_path / swebench.FILE)
    assert board.skip_reason(settings, offline=True) is None


@pytest.fixture(scope="module")
def synced(
    admin_url: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SourceReport]]:
    mirror = tmp_path_factory.mktemp("mirror")
    shutil.copy(FIXTURE, mirror / swebench.FILE)
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(mirror))
    with fresh_database(admin_url) as url:
        prices = sync(url, settings=settings, sources=["litellm", "models-dev"], offline=True)
        assert all(r.status is RunStatus.SUCCEEDED for r in prices), prices
        (report,) = sync(url, settings=settings, sources=["swebench"], offline=True)
        yield url, report


def _scores(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select m.name, b.variant, b.score, b.normalized_score, b.is_primary, b.is_verified,"
            " b.benchmark_category, b.metric_type, b.test_date::text, b.metadata"
            " from public.benchmark_scores b join public.models m on m.id = b.model_id"
            " where b.source = 'swebench' and b.is_active order by m.name, b.variant"
        ).fetchall()


def test_sync_writes_the_bash_only_scores_to_catalog_models(
    synced: tuple[str, SourceReport],
) -> None:
    url, report = synced
    assert report.status is RunStatus.SUCCEEDED, report.error
    rows = _scores(url)
    by = {(name, variant): rest for name, variant, *rest in rows}
    assert set(by) == {
        ("claude-sonnet-4.5", "mini_swe_agent=1.13.3,snapshot=2025-09-29"),
        ("claude-sonnet-4.5", "mini_swe_agent=2.0.0,snapshot=2025-09-29"),
        ("gpt-5", "mini_swe_agent=1.7.0,reasoning=medium,snapshot=2025-08-07"),
        ("kimi-k2", "mini_swe_agent=1.7.0"),
        ("o3", "mini_swe_agent=2.0.0,reasoning=high,snapshot=2025-04-16"),
    }
    score, normalized, primary, verified, category, metric, tested, metadata = by[
        ("claude-sonnet-4.5", "mini_swe_agent=2.0.0,snapshot=2025-09-29")
    ]
    # Two runs by one harness version: the better is kept, the other reported (rerun rule);
    # two harness versions are two variants, the better one primary.
    assert (float(score), float(normalized), primary, verified) == (71.4, 0.714, True, True)
    assert (category, metric, tested) == ("agentic", "resolved", "2025-11-20")
    assert metadata["folder"] == "20251120_mini-v2.0.0_sonnet-4-5"
    assert metadata["leaderboard_name"] == "claude-sonnet-4-5-20250929"
    assert by[("claude-sonnet-4.5", "mini_swe_agent=1.13.3,snapshot=2025-09-29")][2] is False
    assert by[("o3", "mini_swe_agent=2.0.0,reasoning=high,snapshot=2025-04-16")][3] is False
    # No agent-system board leaked in: its scores (78.8, 74.0, 18.5) are nowhere.
    assert {float(r[2]) for r in rows}.isdisjoint({78.8, 74.0, 18.5})
    assert report.rejected == 2  # another agent on the board, and the rerun


def test_unmatched_rows_are_counted_with_their_reasons(
    synced: tuple[str, SourceReport], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, report = synced
    names = {
        "acme-coder-9000",
        "Undisclosed",
        "gpt-5-2025-08-07 + claude-sonnet-4-5-20250929",
    }
    assert set(report.unmatched_names) == names and report.unmatched == 3
    with psycopg.connect(url) as conn:
        (details,) = conn.execute(
            "select details from public.collector_runs where source = 'swebench'"
        ).fetchone() or (None,)
    reasons = {item["name"]: item["reason"] for item in details["unmatched"]}
    assert reasons["acme-coder-9000"] == "no catalog model has this name or alias"
    assert reasons["Undisclosed"] == "no `Model:` tag and no model name"
    assert "multi-model run" in reasons["gpt-5-2025-08-07 + claude-sonnet-4-5-20250929"]
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["runs", "--unmatched", "swebench"])
    assert result.exit_code == 0, result.output
    assert "3 names" in result.output
    assert "acme-coder-9000" in result.output and "multi-model run" in result.output


def test_an_uncalibrated_benchmark_counts_with_the_identity(
    synced: tuple[str, SourceReport],
) -> None:
    """No model of the fixture has a fitted agentic benchmark (no LiveBench here), so the
    sync cannot link SWE-bench to the others (calibration.link_new_benchmarks) and says so
    in the run; the score counts at the identity until `llm-intel calibrate`."""
    url, report = synced
    with psycopg.connect(url) as conn:
        details = conn.execute(
            "select details from public.collector_runs where id = %s", (report.run_id,)
        ).fetchone()
        assert details is not None
        unlinked = details[0]["calibration"]["unlinked"]
        assert "needs 8" in unlinked[f"{BENCHMARK}/resolved"]
        assert details[0]["calibration"]["linked"] == []
        calibrated = conn.execute(
            "select count(*) from llm_intel_private.benchmark_calibration"
            " where benchmark_name = %s",
            (BENCHMARK,),
        ).fetchone()
        conn.execute("select public.refresh_model_rankings()")
        ranked = conn.execute(
            "select r.agentic_coverage, r.agentic_score from public.model_rankings r"
            " join public.models m on m.id = r.model_id where m.name = 'claude-sonnet-4.5'"
        ).fetchone()
    assert calibrated == (0,)  # until `llm-intel calibrate` fits it
    assert ranked is not None

    def logit(p: float) -> float:
        return math.log(p / (1 - p))

    # offset 0, slope 1, weight 1; shrunk toward the prior logit(0.10) with weight 0.25.
    theta = (logit(0.714) + 0.25 * logit(0.10)) / 1.25
    assert ranked[0] == 1
    assert float(ranked[1]) == pytest.approx(1 / (1 + math.exp(-theta)), abs=1e-6)


def test_a_second_sync_writes_nothing(synced: tuple[str, SourceReport], tmp_path: Path) -> None:
    url, first = synced
    shutil.copy(FIXTURE, tmp_path / swebench.FILE)
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(tmp_path))
    (again,) = sync(url, settings=settings, sources=["swebench"], offline=True)
    assert again.status is RunStatus.SUCCEEDED
    assert (again.inserted, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unmatched == first.unmatched
