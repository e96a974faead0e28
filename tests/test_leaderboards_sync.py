"""A real offline sync of the leaderboards into Postgres, on a catalog synced from the
offline price snapshots (a leaderboard the snapshots folder has no file for is skipped,
saying so): recorded runs, unmatched names listed, an idempotent second
run, normalized scores within 0..1, one primary variant per model and benchmark, a
failing leaderboard that stops nobody else, and name matching at precision 1.000 on the
labeled pairs against this catalog."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from llm_intelligence.benchmarks.names import Catalog
from llm_intelligence.benchmarks.rows import Category
from llm_intelligence.benchmarks.sources import get_leaderboard
from llm_intelligence.cli import app
from llm_intelligence.collectors.runner import RunStatus, sync
from llm_intelligence.config import Settings
from llm_intelligence.identity import model_key
from llm_intelligence.sources import SourceKind, source_names
from tests.conftest import fresh_database

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"
PAIRS = Path(__file__).resolve().parent / "data" / "leaderboard_name_pairs.csv"
LEADERBOARDS = source_names(SourceKind.BENCHMARKS)
BASE_BOARDS = {"evalplus", "bigcodebench"}


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(SNAPSHOTS), **values)


# The leaderboards the snapshots folder holds a file for (it predates SWE-bench's).
SNAPSHOTTED = [
    n for n in LEADERBOARDS if get_leaderboard(n).skip_reason(_settings(), offline=True) is None
]


@pytest.fixture(scope="module")
def synced(admin_url: str, template_url: str) -> Iterator[tuple[str, list[Any]]]:
    with fresh_database(admin_url) as url:
        prices = sync(url, settings=_settings(), sources=["litellm", "models-dev"], offline=True)
        assert all(r.status is RunStatus.SUCCEEDED for r in prices), prices
        reports = sync(url, settings=_settings(), sources=LEADERBOARDS, offline=True)
        yield url, reports


def test_every_leaderboard_runs_and_is_recorded(synced: tuple[str, list[Any]]) -> None:
    url, all_reports = synced
    assert [r.source for r in all_reports] == LEADERBOARDS
    assert len(SNAPSHOTTED) >= 5
    skipped = [r for r in all_reports if r.source not in SNAPSHOTTED]
    for r in skipped:
        assert r.status is RunStatus.SKIPPED
        mirror_file = get_leaderboard(r.source).mirror_file
        assert mirror_file is not None and mirror_file in (r.error or "")
    reports = [r for r in all_reports if r.source in SNAPSHOTTED]
    for r in reports:
        assert r.status is RunStatus.SUCCEEDED, (r.source, r.error)
        assert r.inserted > 0 and r.seen >= r.inserted
        assert (
            r.unmatched == r.seen - r.inserted - r.rejected - r.unchanged - r.updated
            or r.unmatched >= 0
        )
    with psycopg.connect(url) as conn:
        runs = conn.execute(
            "select source, status, rows_seen, rows_inserted, details from public.collector_runs"
            " where source = any(%s) order by id",
            (LEADERBOARDS,),
        ).fetchall()
    assert [r[0] for r in runs] == SNAPSHOTTED
    for source, status, seen, inserted, details in runs:
        assert status == "succeeded"
        report = next(r for r in reports if r.source == source)
        assert (seen, inserted) == (report.seen, report.inserted)
        # Unmatched names are listed with their row counts, never dropped silently.
        listed = {item["name"]: item["rows"] for item in details["unmatched"]}
        assert sorted(listed) == report.unmatched_names
        assert sum(listed.values()) == details["unmatched_rows"] == report.unmatched
        assert details["matched_rows"] + report.unmatched + report.rejected >= report.seen


def test_combinations_stay_unmatched_and_are_listed(synced: tuple[str, list[Any]]) -> None:
    _, reports = synced
    aider = next(r for r in reports if r.source == "aider")
    assert "DeepSeek R1 + claude-3-5-sonnet-20241022" in aider.unmatched_names
    assert "o3 (high) + gpt-4.1" in aider.unmatched_names


def test_scores_are_normalized_within_0_and_1(synced: tuple[str, list[Any]]) -> None:
    url, _ = synced
    with psycopg.connect(url) as conn:
        low, high, nulls = conn.execute(
            "select min(normalized_score), max(normalized_score),"
            " count(*) filter (where normalized_score is null) from public.benchmark_scores"
        ).fetchone() or (None, None, None)
        assert low is not None and high is not None
        assert 0 <= low <= high <= 1 and nulls == 0
        # One primary row per model, benchmark, metric and publisher.
        groups = conn.execute(
            "select count(*) filter (where is_primary) from public.benchmark_scores"
            " where is_active group by model_id, benchmark_name, metric_type, source_organization"
        ).fetchall()
        assert groups and all(n == 1 for (n,) in groups)
        o3 = dict(
            conn.execute(
                "select b.variant, b.is_primary from public.benchmark_scores b"
                " join public.models m on m.id = b.model_id"
                " where m.name = 'o3-mini' and b.benchmark_name = 'aider-polyglot'"
            ).fetchall()
        )
    assert o3 == {
        "edit_format=diff,reasoning=high": True,
        "edit_format=diff,reasoning=medium": False,
    }


def test_the_leaderboard_categories_are_the_sql_categories(
    synced: tuple[str, list[Any]],
) -> None:
    # `Category` restates SQL's rows (the foreign key of benchmark_category): a category
    # added on one side only would fail a whole board's write, or never be collected.
    url, _ = synced
    with psycopg.connect(url) as conn:
        rows = conn.execute("select category from llm_intel_private.ranking_categories").fetchall()
    assert {str(c) for c in Category} == {category for (category,) in rows}


_SETTINGS = """
select model_id, source_organization, benchmark_category, variant,
       count(*) as n, avg(normalized_score) as mean,
       count(*) filter (where is_primary) as primary_rows
from public.benchmark_scores where is_active
group by 1, 2, 3, 4
"""


def test_one_setting_counts_per_model_board_and_category(synced: tuple[str, list[Any]]) -> None:
    """The variant rule (benchmarks/writer.py): the setting that ran most of the category's
    benchmarks, then the best mean, is primary on every benchmark it ran; not the best row
    of each benchmark taken separately (a mix of settings)."""
    url, _ = synced
    with psycopg.connect(url) as conn:
        groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for model, org, category, variant, n, mean, primary in conn.execute(_SETTINGS):
            groups.setdefault((model, org, category), []).append((variant, n, mean, primary))
        mixed = conn.execute(
            "select count(*) from (select 1 from public.benchmark_scores b"
            " join public.models m on m.id = b.model_id where b.is_active and b.is_primary"
            " and b.source = 'livebench' group by b.model_id, b.benchmark_category"
            " having count(distinct b.variant) > 1) x"
        ).fetchone()
    several = 0
    for settings in groups.values():
        chosen = min(settings, key=lambda s: (-s[1], -s[2], s[0]))
        assert chosen[3] == chosen[1], (settings, chosen)  # primary wherever it ran
        several += len(settings) > 1
    assert several > 50  # the snapshots publish many settings of one model
    # Every LiveBench setting runs every task: one setting per model and category.
    assert mixed == (0,)


def test_a_second_run_writes_nothing(synced: tuple[str, list[Any]]) -> None:
    url, first = synced
    with psycopg.connect(url) as conn:
        before = conn.execute(
            "select max(updated_at), count(*) from public.benchmark_scores"
        ).fetchone()
    again = sync(url, settings=_settings(), sources=LEADERBOARDS, offline=True)
    for r, previous in zip(again, first, strict=True):
        if previous.status is RunStatus.SKIPPED:
            assert r.status is RunStatus.SKIPPED
            continue
        assert r.status is RunStatus.SUCCEEDED
        assert (r.inserted, r.updated, r.deactivated) == (0, 0, 0), r.source
        assert r.unchanged == previous.inserted
    with psycopg.connect(url) as conn:
        after = conn.execute(
            "select max(updated_at), count(*) from public.benchmark_scores"
        ).fetchone()
    assert before == after


def test_unmatched_names_are_printed_by_runs(
    synced: tuple[str, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, reports = synced
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["runs", "--unmatched", "aider"])
    assert result.exit_code == 0, result.output
    aider = next(r for r in reports if r.source == "aider")
    assert f"{len(aider.unmatched_names)} names" in result.output
    assert "a combination of models" in result.output


def test_benchmark_sources_rows_equal_the_registry(synced: tuple[str, list[Any]]) -> None:
    url, _ = synced
    with psycopg.connect(url) as conn:
        rows = [
            r[0] for r in conn.execute("select source from public.benchmark_sources order by 1")
        ]
    assert rows == sorted(LEADERBOARDS)


def test_matching_precision_is_one_on_the_labeled_pairs(synced: tuple[str, list[Any]]) -> None:
    url, _ = synced
    with psycopg.connect(url) as conn:
        catalog = Catalog(
            names=dict(conn.execute("select name, id from public.models").fetchall()),
            aliases=dict(
                conn.execute("select alias, model_id from public.model_aliases").fetchall()
            ),
        )
    with PAIRS.open(encoding="utf-8", newline="") as f:
        pairs = list(csv.DictReader(f))
    assert len(pairs) >= 120
    assert sum(1 for p in pairs if not p["expected"]) >= 25  # near misses that must stay apart
    wrong = []
    hits = 0
    for pair in pairs:
        got = catalog.match(
            pair["leaderboard_name"], bare_names_are_base=pair["source"] in BASE_BOARDS
        ).model_name
        expected = pair["expected"]
        if got is None:
            continue
        if expected and model_key(got) == model_key(expected):
            hits += 1
        else:
            wrong.append((pair["leaderboard_name"], expected, got))
    assert not wrong  # precision 1.000
    positives = sum(1 for p in pairs if p["expected"])
    assert hits / positives >= 0.9


def test_a_failing_leaderboard_does_not_stop_the_others(
    synced: tuple[str, list[Any]], tmp_path: Path
) -> None:
    url, _ = synced
    broken = tmp_path / "aider.yml"
    broken.write_text("- model: [unclosed\n", encoding="utf-8")
    settings = _settings(LLM_INTEL_AIDER_URL=str(broken))
    reports = sync(url, settings=settings, sources=["aider", "evalplus"], offline=True)
    by = {r.source: r for r in reports}
    assert by["aider"].status is RunStatus.FAILED
    assert "not valid YAML" in (by["aider"].error or "")
    assert by["evalplus"].status is RunStatus.SUCCEEDED


def test_a_score_the_board_drops_is_deactivated_not_deleted(
    admin_url: str, template_url: str, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    shutil.copy(SNAPSHOTS / "evalplus_results.json", mirror / "evalplus_results.json")
    with fresh_database(admin_url) as url:
        settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(mirror))
        sync(url, settings=settings, sources=["litellm"], offline=True)
        first = sync(url, settings=settings, sources=["evalplus"], offline=True)[0]
        assert first.inserted > 0
        text = (mirror / "evalplus_results.json").read_text(encoding="utf-8")
        (mirror / "evalplus_results.json").write_text(
            text.replace('"GPT 4o (Aug 2024)"', '"Not A Model (Aug 2024)"'), encoding="utf-8"
        )
        second = sync(url, settings=settings, sources=["evalplus"], offline=True)[0]
        assert second.deactivated == 4 and second.inserted == 0
        with psycopg.connect(url) as conn:
            rows = conn.execute(
                "select count(*) filter (where not is_active), count(*)"
                " from public.benchmark_scores"
            ).fetchone()
        assert rows == (4, first.inserted)
