"""The bench scripts are not run by the test suite (they measure, on purpose, outside
it), but they import the library's internals: a rename there must not leave them broken
until someone next measures."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
SCRIPTS = sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "openrouter_mirror")


@pytest.mark.parametrize("name", SCRIPTS)
def test_bench_script_imports_and_has_a_main(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(BENCH))  # the scripts import their siblings by name
    module = importlib.import_module(name)
    try:
        assert callable(module.main)
    finally:
        sys.modules.pop(name, None)


def test_every_bench_script_is_listed() -> None:
    assert {
        "bench_big_upstream",
        "bench_leaderboards",
        "bench_bulk_changes",
        "bench_classifier",
        "bench_database",
        "bench_realtime",
        "bench_routing",
        "bench_sync",
        "identity_eval",
        "leaderboard_names_eval",
        "write_costs",
    } <= set(SCRIPTS)
