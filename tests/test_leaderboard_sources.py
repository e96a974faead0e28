"""Leaderboard collectors on the real snapshots in ../shared/data/benchmarks (read there,
never copied), and leaderboard names read into a model part and its settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from llm_intelligence.benchmarks.names import parse_name, variant_text
from llm_intelligence.benchmarks.rows import Category, Scale
from llm_intelligence.benchmarks.sources import LEADERBOARDS, get_leaderboard
from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError
from llm_intelligence.sources import SourceKind, source_names

SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(SNAPSHOTS), **values)


def _parsed(name: str):  # type: ignore[no-untyped-def]
    board = LEADERBOARDS[name]
    return board.parse(board.fetch(_settings(), True, None))


def test_the_bindings_are_the_registry_leaderboards() -> None:
    assert list(LEADERBOARDS) == source_names(SourceKind.BENCHMARKS)


def test_aider_pass_rate_variants_and_metadata() -> None:
    parsed = _parsed("aider")
    assert len(parsed.rows) == 69 and not parsed.rejected
    rows = {r.source_key: r for r in parsed.rows}
    sonnet = rows["2025-01-17-19-44-33--sonnet-baseline-jan-17"]
    assert sonnet.leaderboard_name == "claude-3-5-sonnet-20241022"
    assert sonnet.score == Decimal("51.6")
    assert sonnet.benchmark.category is Category.CODING
    assert sonnet.benchmark.scale is Scale.PERCENT and sonnet.benchmark.chance == 0
    assert sonnet.test_date == date(2025, 1, 17)
    assert sonnet.settings == {"edit_format": "diff"}
    assert sonnet.metadata["percent_cases_well_formed"] == "99.6"
    assert sonnet.metadata["total_cost_usd"] == "14.4063"
    # 0.0 is Aider's "unknown or free": stored as unknown, not as a zero cost.
    gemini = next(r for r in parsed.rows if r.leaderboard_name == "Gemini 2.0 Pro exp-02-05")
    assert gemini.metadata["total_cost_usd"] is None
    # Reasoning effort and thinking budget stated as fields become settings (variants).
    efforts = {r.settings.get("reasoning") for r in parsed.rows}
    assert {"high", "medium", "low"} <= efforts
    assert any("thinking" in r.settings for r in parsed.rows)


def test_livebench_tasks_grouped_into_its_categories() -> None:
    parsed = _parsed("livebench")
    assert not parsed.rejected
    models = {r.leaderboard_name for r in parsed.rows}
    assert len(models) == 127
    tasks = {r.metadata["task"]: r for r in parsed.rows}
    assert len(tasks) == 23
    assert tasks["code_generation"].benchmark.category is Category.CODING
    assert tasks["javascript"].metadata["livebench_category"] == "Agentic Coding"
    assert tasks["AMPS_Hard"].benchmark.category is Category.MATH
    assert tasks["zebra_puzzle"].benchmark.category is Category.REASONING
    assert tasks["typos"].benchmark.category is Category.GENERAL
    assert all(r.test_date == date(2026, 1, 8) for r in parsed.rows)
    assert all(Decimal(0) <= r.score <= 100 for r in parsed.rows)


def test_lmarena_ratings_bounds_and_categories() -> None:
    parsed = _parsed("lmarena")
    names = {r.benchmark.name for r in parsed.rows}
    assert {"lmarena-text-overall", "lmarena-text-coding", "lmarena-text-math",
            "lmarena-text-creative-writing", "lmarena-text-hard-prompts"} <= names  # fmt: skip
    overall = [r for r in parsed.rows if r.benchmark.name == "lmarena-text-overall"]
    assert len(overall) == 282
    top = max(overall, key=lambda r: r.score)
    assert top.benchmark.scale is Scale.ELO and top.benchmark.elo_reference == Decimal(1300)
    low, high = Decimal(top.metadata["rating_q025"]), Decimal(top.metadata["rating_q975"])
    assert low < top.score < high
    coding = next(r for r in parsed.rows if r.benchmark.name == "lmarena-text-coding")
    assert coding.benchmark.category is Category.CODING


def test_a_livebench_table_csv_cannot_read_fails_the_board_naming_the_line() -> None:
    from llm_intelligence.benchmarks.sources import livebench
    from llm_intelligence.errors import PayloadError

    table = "model,lcb\ngpt-4o,50.0\nbig," + "9" * 200_000 + "\n"
    payload = livebench.Payload(
        table=table, categories={"Coding": ["lcb"]}, release=livebench.pinned_release("test")
    )
    with pytest.raises(
        PayloadError, match=r"livebench: the table is not a readable CSV after line 2: field larger"
    ):
        livebench.parse(payload)


def test_an_lmarena_rating_too_large_to_round_rejects_only_its_row() -> None:
    from llm_intelligence.benchmarks.sources import lmarena

    board = {
        "ok": {"rating": 1250.123456, "rating_q025": 1240.5, "rating_q975": 1260.5},
        "huge": {"rating": 1e50},
        "huge-bound": {"rating": 1200.0, "rating_q975": 1e50},
    }
    parsed = lmarena.parse({"full": board})
    assert sorted(r.source_key for r in parsed.rows) == ["full/huge-bound", "full/ok"]
    assert [r.source_key for r in parsed.rejected] == ["full/huge"]
    assert "outside" in parsed.rejected[0].reason


def test_evalplus_four_benchmarks_and_missing_values() -> None:
    parsed = _parsed("evalplus")
    by = {r.source_key: r for r in parsed.rows}
    assert by["GPT 4o (Aug 2024)/humaneval+"].score == Decimal("87.2")
    assert {r.benchmark.name for r in parsed.rows} == {
        "humaneval", "humaneval-plus", "mbpp", "mbpp-plus"
    }  # fmt: skip
    # Null mbpp values are "not run": no row, not a zero.
    assert "Code-13B/mbpp" not in by and "Code-13B/humaneval" in by
    assert by["OpenCoder-8B-Instruct/mbpp"].match_ids == ("infly/OpenCoder-8B-Instruct",)
    assert all(r.bare_names_are_base for r in parsed.rows)


def test_bigcodebench_complete_and_instruct() -> None:
    parsed = _parsed("bigcodebench")
    by = {r.source_key: r for r in parsed.rows}
    assert "StarCoder2-3B/complete" in by and "StarCoder2-3B/instruct" not in by  # null
    row = by["GPT-4o-2024-05-13/instruct"]
    assert row.benchmark.name == "bigcodebench-instruct" and row.score > 0
    assert row.test_date is not None


def test_offline_without_a_mirror_is_skipped_saying_how() -> None:
    board = get_leaderboard("aider")
    reason = board.skip_reason(Settings(_env_file=None), offline=True)
    assert reason is not None and "LLM_INTEL_BENCHMARKS_DIR" in reason
    assert board.skip_reason(Settings(_env_file=None), offline=False) is None
    local = str(SNAPSHOTS / "aider_polyglot_leaderboard.yml")
    assert (
        board.skip_reason(Settings(_env_file=None, LLM_INTEL_AIDER_URL=local), offline=True) is None
    )
    with pytest.raises(ConfigError):
        get_leaderboard("nowhere")


def test_live_fetch_retries_through_the_shared_fetch_core() -> None:
    body = (SNAPSHOTS / "evalplus_results.json").read_bytes()
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if len(calls) == 1:
            return httpx.Response(503)
        return httpx.Response(200, content=body)

    board = get_leaderboard("evalplus")
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        payload = board.fetch(Settings(_env_file=None), False, client)
    assert calls == ["https://evalplus.github.io/results.json"] * 2
    assert len(board.parse(payload).rows) > 300


@pytest.mark.parametrize(
    ("name", "base", "settings", "month"),
    [
        ("GPT 4o (Aug 2024)", "GPT-4o", {}, (2024, 8)),
        ("Claude Sonnet 3.5 (June 2024)", "Claude-Sonnet-3.5", {}, (2024, 6)),
        ("o3-mini (high)", "o3-mini", {"reasoning": "high"}, None),
        ("claude-opus-4-1-20250805-thinking-16k", "claude-opus-4-1-20250805",
         {"thinking": "16k"}, None),
        ("claude-opus-4-5-20251101-thinking-64k-high-effort", "claude-opus-4-5-20251101",
         {"thinking": "64k", "reasoning": "high"}, None),
        ("o1-2024-12-17 (temperature=1, reasoning=low)", "o1-2024-12-17",
         {"temperature": "1", "reasoning": "low"}, None),
        ("DeepSeek V3 (0324)", "DeepSeek-V3-0324", {}, None),
        ("gpt-5.1-2025-11-13-nothinking", "gpt-5.1-2025-11-13", {"thinking": "off"}, None),
        ("llama-3.1-405b-instruct-fp8", "llama-3.1-405b-instruct", {"quantization": "fp8"}, None),
        ("mistral-medium", "mistral-medium", {}, None),
        ("Command R+", "Command-R-plus", {}, None),
    ],
)  # fmt: skip
def test_names_split_into_model_and_settings(
    name: str, base: str, settings: dict[str, str], month: tuple[int, int] | None
) -> None:
    parsed = parse_name(name)
    assert parsed.unmatchable is None
    assert (parsed.base, parsed.settings, parsed.month) == (base, settings, month)


@pytest.mark.parametrize(
    "name", ["DeepSeek R1 + claude-3-5-sonnet-20241022", "o3 (high) + gpt-4.1", "foo (bar baz)"]
)
def test_combinations_and_unknown_settings_stay_unmatched(name: str) -> None:
    assert parse_name(name).unmatchable is not None


def test_variant_text_is_sorted_and_stable() -> None:
    assert variant_text({"thinking": "16k", "reasoning": "high"}) == "reasoning=high,thinking=16k"
    assert variant_text({}) == ""


def test_a_setting_the_catalog_cannot_hold_rejects_only_its_row() -> None:
    from llm_intelligence.benchmarks.sources import aider

    good = {"model": "gpt-4o", "dirname": "ok", "pass_rate_2": 50.0, "edit_format": "diff"}
    runs = [
        good,
        {**good, "dirname": "nul", "edit_format": "di\x00ff"},
        {**good, "dirname": "long", "edit_format": "x" * 10_000},
        {**good, "dirname": "deep-cost", "total_cost": "1e999999"},
    ]
    parsed = aider.parse(runs)
    reasons = {r.source_key: r.reason for r in parsed.rejected}
    # An absurd cost is unknown; the score stays.
    assert [r.source_key for r in parsed.rows] == ["ok", "deep-cost"]
    assert parsed.rows[1].metadata["total_cost_usd"] is None
    assert "\\x00" in reasons["nul"]
    assert "10,000 characters" in reasons["long"]
    assert all(len(reason) <= 500 for reason in reasons.values())
