"""Epoch AI's benchmarking hub: fixture zips built here in both shapes the archive has had
(per-benchmark CSVs with `benchmark_metadata.csv`, and the combined `benchmarks_runs.csv`),
parsed, fetched over a mock transport, and synced into Postgres against the catalog of the
offline price snapshots; archives that are not zips or break a bound fail clearly."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.benchmarks.rows import Category, Scale
from llm_intelligence.benchmarks.sources import epoch, get_leaderboard
from llm_intelligence.cli import app
from llm_intelligence.collectors.runner import RunStatus, SourceReport, sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import PayloadError
from tests.conftest import fresh_database

RUN_HEADER = (
    "Model version,mean_score,Best score (across scorers),Release date,Organization,Country,"
    "Training compute (FLOP),Training compute notes,stderr,Log viewer,Logs,Started at,id"
)


def _run(version: str, score: str, started: str, run_id: str, org: str = "OpenAI") -> str:
    notes = '"estimated,\nsee ""notes"""' if run_id.endswith("1") else ""
    return (
        f"{version},{score},{score},2024-08-06,{org},United States of America,,{notes},0.03,"
        f"https://logs.epoch.ai/viewer/{run_id},https://logs.epoch.ai/{run_id}.eval,"
        f"{started},{run_id}"
    )


def _csv(header: str, *rows: str) -> str:
    return "\n".join((header, *rows)) + "\n"


# The current shape: one file per benchmark Epoch runs, fractions (GPQA, by the metadata's
# scale), percents (MATH Level 5: detected from its values), an unmapped task (Chess
# Puzzles), a run without a model version, a model the catalog lacks, a rerun.
PER_BENCHMARK = {
    "benchmark_metadata.csv": _csv(
        "benchmark,in_eci,source_file,score_column,scale,random_baseline,score_ceiling,"
        "release_date,superseded_by",
        "GPQA diamond,True,gpqa_diamond.csv,Best score (across scorers),1.0,0.25,1,2023-11-20,",
        "Chess Puzzles,True,chess_puzzles.csv,Best score (across scorers),1.0,0,1,2025-01-01,",
        "LiveBench,False,live_bench_external.csv,Global average,0.01,0,1,,",
    ),
    "gpqa_diamond.csv": _csv(
        RUN_HEADER,
        _run("gpt-4o-2024-08-06", "0.49", "2025-02-01T10:00:00.000Z", "g1"),
        _run("claude-3-5-sonnet-20241022", "0.59", "2025-02-02T10:00:00Z", "g2", "Anthropic"),
        _run("o3-2025-04-16_high", "0.82", "2025-05-01T10:00:00Z", "g3"),
        _run("o3-2025-04-16_unknown", "0.80", "2025-05-02T10:00:00Z", "g4"),
        _run("", "0.31", "2025-05-03T10:00:00Z", "g5", ""),
        _run("acme-reasoner-9000", "0.40", "2025-05-04T10:00:00Z", "g6", "Acme"),
    ),
    "math_level_5.csv": _csv(
        RUN_HEADER,
        _run("gpt-4o-2024-08-06", "52.3", "2025-02-01T10:00:00Z", "m1"),
        _run("DeepSeek-R1", "93.1", "2025-02-03T10:00:00Z", "m2", "DeepSeek"),
        _run("o3-2025-04-16_high", "97.2", "2025-05-01T10:00:00Z", "m3"),
        _run("o3-2025-04-16_high", "97.8", "2025-05-09T10:00:00Z", "m4"),
    ),
    "swe_bench_verified.csv": _csv(
        RUN_HEADER,
        _run("claude-3-7-sonnet-20250219_16K", "0.61", "2025-03-01T10:00:00Z", "s1", "Anthropic"),
    ),
    "chess_puzzles.csv": _csv(
        RUN_HEADER,
        _run("gpt-4o-2024-08-06", "0.12", "2025-02-01T10:00:00Z", "c1"),
        _run("DeepSeek-R1", "0.20", "2025-02-01T10:00:00Z", "c2"),
    ),
    # Another leaderboard's scores, collected by Epoch: never read.
    "live_bench_external.csv": _csv(
        "Model version,Global average,Release date,Organization", "gpt-4o-2024-08-06,55.1,,"
    ),
    "README.md": "Epoch AI, 'AI Benchmarking'. CC BY 4.0.\n",
}

# The earlier shape: one combined runs file, lower-case and snake-case column names.
COMBINED = {
    "benchmarks_runs.csv": _csv(
        "id,task,model,Best score (across scorers),Scores,log viewer,logs,started_at,stderr",
        "r1,GPQA diamond,gpt-4o-2024-08-06,0.47,,,,2025-01-10T00:00:00Z,0.03",
        "r2,MATH level 5,gpt-4o-2024-08-06,0.51,,,,2025-01-11T00:00:00Z,0.02",
        "r3,OTIS Mock AIME 2024-2025,o3-2025-04-16_medium,0.85,,,,2025-05-11T00:00:00Z,",
        "r4,FrontierMath-2025-02-28-Private,o3-2025-04-16_high,0.10,,,,2025-05-12T00:00:00Z,",
        "r5,SimpleQA Verified,gpt-4o-2024-08-06,0.38,,,,2025-01-12T00:00:00Z,",
    ),
    "model_versions.csv": _csv("id,Model", "gpt-4o-2024-08-06,GPT-4o"),
}


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _parse(files: dict[str, str | bytes]) -> Any:
    return epoch.parse(epoch.load(_zip(files), where="fixture.zip"))


def test_the_per_benchmark_shape() -> None:
    parsed = _parse(dict(PER_BENCHMARK))
    by = {r.source_key: r for r in parsed.rows}
    assert parsed.notes["shape"] == "per-benchmark files"
    assert parsed.notes["files_read"] == "4"
    assert "1 *_external.csv" in parsed.notes["not_read"]
    assert "benchmark_metadata.csv" in parsed.notes["not_read"]
    assert parsed.notes["unmapped_tasks"] == "Chess Puzzles: 2 runs"
    gpt4o = by["GPQA diamond/g1"]
    assert gpt4o.leaderboard_name == "gpt-4o-2024-08-06" and gpt4o.score == Decimal("0.49")
    assert gpt4o.benchmark.name == "epoch-gpqa-diamond"
    assert gpt4o.benchmark.category is Category.REASONING
    assert (gpt4o.benchmark.scale, gpt4o.benchmark.chance) == (Scale.FRACTION, Decimal("0.25"))
    assert gpt4o.is_verified and gpt4o.test_date is not None
    assert gpt4o.test_date.isoformat() == "2025-02-01"
    assert gpt4o.metadata["stderr"] == "0.03" and gpt4o.metadata["mean_score"] == "0.49"
    assert gpt4o.metadata["log_viewer"] == "https://logs.epoch.ai/viewer/g1"
    assert gpt4o.metadata["model_release_date"] == "2024-08-06"
    # Epoch's setting suffixes: an effort, a thinking budget, `_unknown` dropped.
    assert (by["GPQA diamond/g3"].leaderboard_name, by["GPQA diamond/g3"].settings) == (
        "o3-2025-04-16",
        {"reasoning": "high"},
    )
    assert by["GPQA diamond/g4"].settings == {}
    assert by["GPQA diamond/g4"].metadata["setting_suffix"] == "_unknown"
    swe = by["SWE-Bench verified/s1"]
    assert (swe.leaderboard_name, swe.settings) == (
        "claude-3-7-sonnet-20250219",
        {"thinking": "16k"},
    )
    assert swe.benchmark.category is Category.AGENTIC and swe.benchmark.scale is Scale.FRACTION
    # MATH Level 5 has no metadata row: its values (above 1) say percent.
    math = by["MATH level 5/m2"]
    assert (math.benchmark.name, math.benchmark.category) == ("epoch-math-level-5", Category.MATH)
    assert (math.benchmark.scale, math.benchmark.chance) == (Scale.PERCENT, Decimal(0))
    assert "math_level_5.csv: percent (values)" in parsed.notes["scales"]
    assert "gpqa_diamond.csv: fraction (benchmark_metadata.csv)" in parsed.notes["scales"]
    # A run without a model version is kept, to be counted unmatched with the reason.
    nameless = by["GPQA diamond/g5"]
    assert nameless.unidentified == "no model version in the run"
    # The unmapped task's runs are rejected by name, none silently dropped.
    assert [(r.source_key, r.reason) for r in parsed.rejected] == [
        ("Chess Puzzles/c1", "task 'Chess Puzzles' is not in the Epoch task table"),
        ("Chess Puzzles/c2", "task 'Chess Puzzles' is not in the Epoch task table"),
    ]
    assert len(parsed.rows) == 11


def test_the_combined_runs_shape() -> None:
    parsed = _parse(dict(COMBINED))
    assert parsed.notes["shape"] == "combined runs file"
    by = {r.source_key: r for r in parsed.rows}
    assert set(by) == {"GPQA diamond/r1", "MATH level 5/r2", "OTIS Mock AIME 2024-2025/r3",
                       "FrontierMath-2025-02-28-Private/r4"}  # fmt: skip
    assert by["GPQA diamond/r1"].benchmark.scale is Scale.FRACTION
    assert by["OTIS Mock AIME 2024-2025/r3"].settings == {"reasoning": "medium"}
    fm = by["FrontierMath-2025-02-28-Private/r4"]
    assert fm.benchmark.name == "epoch-frontiermath-2025-02-28-private"
    assert fm.test_date is not None and fm.test_date.isoformat() == "2025-05-12"
    assert parsed.notes["unmapped_tasks"] == "SimpleQA Verified: 1 runs"
    assert [r.source_key for r in parsed.rejected] == ["SimpleQA Verified/r5"]
    # Both shapes in one archive: the per-benchmark files, not the runs repeated.
    both = _parse({**PER_BENCHMARK, **COMBINED})
    assert both.notes["shape"] == "per-benchmark files" and len(both.rows) == 11
    assert "benchmarks_runs.csv" in both.notes["not_read"]


def test_neither_shape_fails_naming_the_missing_columns() -> None:
    files: dict[str, str | bytes] = {
        "gpqa_diamond.csv": _csv("Model,Score", "gpt-4o,0.5"),
        "arc_agi_external.csv": _csv("Model version,Score", "gpt-4o,0.5"),
    }
    with pytest.raises(PayloadError) as caught:
        _parse(files)
    message = str(caught.value)
    assert (
        "gpqa_diamond.csv lacks 'Model version', 'Best score (across scorers)' (a per-benchmark"
        " file) and 'task', 'Best score (across scorers)' (a combined runs file)"
    ) in message
    assert "arc_agi_external" not in message


def test_a_payload_that_is_not_a_zip_fails_clearly() -> None:
    with pytest.raises(PayloadError, match=r"epoch: page.html is not a zip archive"):
        epoch.load(b"<!doctype html><title>Not found</title>", where="page.html")
    with pytest.raises(PayloadError, match="not a zip archive"):
        epoch.load(_zip(PER_BENCHMARK)[:200], where="truncated.zip")


def test_a_member_beyond_the_bound_fails_the_run() -> None:
    # 16 MB of one repeated line deflates to about 20 kB: a small zip bomb.
    line = b"gpt-4o,0.5\n"
    body = b"Model version,Best score (across scorers)\n" + line * (
        epoch.MAX_MEMBER_BYTES // len(line) + 1
    )
    payload = _zip({"gpqa_diamond.csv": body})
    assert len(payload) < 100_000
    with pytest.raises(PayloadError, match=r"gpqa_diamond.csv is [\d,]+ bytes decompressed"):
        epoch.load(payload, where="bomb.zip")
    # A member that is not a CSV is never inflated at all.
    assert epoch.load(_zip({"eci_bootstraps.json": body}), where="x.zip") == {"files": {}}


def test_a_member_whose_header_understates_its_size_is_refused() -> None:
    body = b"Model version,Best score (across scorers)\n" + b"gpt-4o,0.5\n" * 5_000
    payload = bytearray(_zip({"gpqa_diamond.csv": body}))
    # Claim 100 bytes in the central directory (the size zipfile trusts).
    central = payload.index(b"PK\x01\x02")
    payload[central + 24 : central + 28] = (100).to_bytes(4, "little")
    with pytest.raises(PayloadError, match=r"cannot read gpqa_diamond\.csv"):
        epoch.load(bytes(payload), where="liar.zip")


def test_live_fetch_sends_one_get_to_epoch() -> None:
    requests: list[httpx.Request] = []
    body = _zip(PER_BENCHMARK)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "application/zip"})

    board = get_leaderboard("epoch")
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        payload = board.fetch(Settings(_env_file=None), False, client)
        other = "https://mirror.example/epoch/benchmark_data.zip"
        board.fetch(Settings(_env_file=None, LLM_INTEL_EPOCH_URL=other), False, client)
    assert [(r.method, str(r.url)) for r in requests] == [
        ("GET", "https://epoch.ai/data/benchmark_data.zip"),
        ("GET", other),
    ]
    assert "authorization" not in requests[0].headers
    assert len(board.parse(payload).rows) == 11


def test_offline_a_mirror_without_its_file_is_skipped_saying_so(tmp_path: Path) -> None:
    board = get_leaderboard("epoch")
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(tmp_path))
    reason = board.skip_reason(settings, offline=True)
    assert reason is not None and "epoch_benchmark_data.zip" in reason
    assert "LLM_INTEL_EPOCH_URL" in reason
    (tmp_path / epoch.FILE).write_bytes(_zip(PER_BENCHMARK))
    assert board.skip_reason(settings, offline=True) is None


@pytest.fixture(scope="module")
def synced(
    admin_url: str, template_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SourceReport, Path]]:
    mirror = tmp_path_factory.mktemp("mirror")
    (mirror / epoch.FILE).write_bytes(_zip(PER_BENCHMARK))
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(mirror))
    with fresh_database(admin_url) as url:
        prices = sync(url, settings=settings, sources=["litellm", "models-dev"], offline=True)
        assert all(r.status is RunStatus.SUCCEEDED for r in prices), prices
        (report,) = sync(url, settings=settings, sources=["epoch"], offline=True)
        yield url, report, mirror


def _scores(url: str) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select m.name, b.benchmark_name, b.variant, b.score, b.normalized_score,"
            " b.is_primary, b.benchmark_category, b.metric_type, b.test_date::text, b.metadata"
            " from public.benchmark_scores b join public.models m on m.id = b.model_id"
            " where b.source = 'epoch' and b.is_active"
        ).fetchall()
    return {(name, bench, variant): tuple(rest) for name, bench, variant, *rest in rows}


def test_sync_writes_the_runs_to_catalog_models(
    synced: tuple[str, SourceReport, Path],
) -> None:
    url, report, _ = synced
    assert report.status is RunStatus.SUCCEEDED, report.error
    by = _scores(url)
    assert set(by) == {
        ("gpt-4o", "epoch-gpqa-diamond", "snapshot=2024-08-06"),
        ("claude-3.5-sonnet", "epoch-gpqa-diamond", "snapshot=2024-10-22"),
        ("o3", "epoch-gpqa-diamond", "reasoning=high,snapshot=2025-04-16"),
        ("o3", "epoch-gpqa-diamond", "snapshot=2025-04-16"),
        ("gpt-4o", "epoch-math-level-5", "snapshot=2024-08-06"),
        ("deepseek-r1", "epoch-math-level-5", ""),
        ("o3", "epoch-math-level-5", "reasoning=high,snapshot=2025-04-16"),
        ("claude-3.7-sonnet", "epoch-swe-bench-verified", "snapshot=2025-02-19,thinking=16k"),
    }
    score, normalized, _, category, metric, tested, metadata = by[
        ("claude-3.5-sonnet", "epoch-gpqa-diamond", "snapshot=2024-10-22")
    ]
    # Chance-adjusted: (0.59 - 0.25) / (1 - 0.25).
    assert (float(score), float(normalized)) == (0.59, pytest.approx(0.34 / 0.75))
    assert (category, metric, tested) == ("reasoning", "best_score", "2025-02-02")
    assert metadata["file"] == "gpqa_diamond.csv" and metadata["run_id"] == "g2"
    # A percent file: 93.1 of 100, chance 0.
    assert float(by[("deepseek-r1", "epoch-math-level-5", "")][1]) == pytest.approx(0.931)
    # The rerun keeps the better score.
    rerun = by[("o3", "epoch-math-level-5", "reasoning=high,snapshot=2025-04-16")]
    assert float(rerun[0]) == 97.8
    assert (
        by[("claude-3.7-sonnet", "epoch-swe-bench-verified", "snapshot=2025-02-19,thinking=16k")][3]
        == "agentic"
    )
    # Two Chess Puzzles runs (not in the table) and the rerun.
    assert report.rejected == 3
    assert report.rejected_reasons is not None


def test_unmatched_runs_are_counted_with_their_reasons(
    synced: tuple[str, SourceReport, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, report, _ = synced
    assert set(report.unmatched_names) == {"acme-reasoner-9000", "(no model version)"}
    assert report.unmatched == 2
    with psycopg.connect(url) as conn:
        (details,) = conn.execute(
            "select details from public.collector_runs where source = 'epoch'"
        ).fetchone() or (None,)
    reasons = {item["name"]: item["reason"] for item in details["unmatched"]}
    assert reasons["acme-reasoner-9000"] == "no catalog model has this name or alias"
    assert reasons["(no model version)"] == "no model version in the run"
    assert details["notes"]["unmapped_tasks"] == "Chess Puzzles: 2 runs"
    assert details["notes"]["shape"] == "per-benchmark files"
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["runs", "--unmatched", "epoch"])
    assert result.exit_code == 0, result.output
    assert "2 names" in result.output
    assert "acme-reasoner-9000" in result.output and "no model version" in result.output


def test_a_second_sync_writes_nothing(
    synced: tuple[str, SourceReport, Path], tmp_path: Path
) -> None:
    url, first, mirror = synced
    shutil.copy(mirror / epoch.FILE, tmp_path / epoch.FILE)
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(tmp_path))
    (again,) = sync(url, settings=settings, sources=["epoch"], offline=True)
    assert again.status is RunStatus.SUCCEEDED
    assert (again.inserted, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unmatched == first.unmatched
