"""One place per fact: the source registry, run statuses and ranking constants agree with
everything that reads or repeats them (settings, collectors, migrations, CLI)."""

from __future__ import annotations

import ast
import importlib.util
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import psycopg
import pytest
from typer.main import get_command

from llm_intelligence.cli import app
from llm_intelligence.collectors import runner
from llm_intelligence.collectors import sources as bindings
from llm_intelligence.collectors.runner import RunStatus
from llm_intelligence.config import Settings
from llm_intelligence.sources import (
    MANUAL_PRIORITY,
    PIPELINE_MODULES,
    SOURCES,
    SourceKind,
    source_names,
)


def test_price_sources_rows_equal_the_registry(conn: psycopg.Connection[Any]) -> None:
    rows = dict(conn.execute("select source, priority from public.price_sources").fetchall())
    expected = {s.name: s.priority for s in SOURCES.values() if s.kind is SourceKind.PRICES}
    assert rows == {"manual": MANUAL_PRIORITY, **expected}


def test_collectors_bind_every_price_source_in_registry_order() -> None:
    assert list(bindings.SOURCES) == source_names(SourceKind.PRICES)
    for name, binding in bindings.SOURCES.items():
        assert binding.has_offline_snapshot == (SOURCES[name].offline_snapshot is not None)


def test_every_source_has_its_settings() -> None:
    aliases = {str(field.validation_alias): name for name, field in Settings.model_fields.items()}
    for source in SOURCES.values():
        assert aliases[source.url_env] == f"{source.setting_stem}_url"
        assert aliases[source.minutes_env] == f"schedule_{source.setting_stem}_minutes"
        if source.api_key_env is not None:
            assert source.api_key_env in aliases


def _package_imports(module: str) -> set[str]:
    """The llm_intelligence modules `module` imports, transitively (read, not imported)."""
    found: set[str] = set()
    todo = [module]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        if current in _NOT_MAPPING or current.startswith("llm_intelligence.db."):
            continue  # errors and database plumbing: not how a payload maps to rows
        spec = importlib.util.find_spec(current)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                if name.startswith("llm_intelligence.") and _is_module(name):
                    todo.append(name)
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # `from module import function`
        return False


# What a collector may import without being a fingerprint input: no mapping logic.
_NOT_MAPPING = {"llm_intelligence.errors", "llm_intelligence.db", "llm_intelligence"}


@pytest.mark.parametrize("name", source_names(SourceKind.PRICES))
def test_fingerprint_inputs_cover_what_the_mapping_imports(name: str) -> None:
    source = SOURCES[name]
    imported = set()
    for module in (source.collector, *PIPELINE_MODULES):
        imported |= _package_imports(module)
    declared = set(source.fingerprint_modules)
    missing = {
        m
        for m in imported - declared
        if m not in _NOT_MAPPING and not m.startswith("llm_intelligence.db.")
    }
    assert not missing, f"{name}: fingerprint inputs miss {sorted(missing)}"


def test_a_collector_module_changes_only_its_own_fingerprint() -> None:
    collectors = {s.collector for s in SOURCES.values()}
    for source in SOURCES.values():
        others = collectors - {source.collector}
        assert not others & set(source.fingerprint_modules), source.name
    # And the digest really is per source: two sources, two code digests.
    digests = {runner._code_digest(s.fingerprint_modules) for s in SOURCES.values()}
    assert len(digests) == len(SOURCES)


def test_run_statuses_equal_the_collector_runs_check(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "select pg_get_constraintdef(oid) from pg_constraint"
        " where conrelid = 'public.collector_runs'::regclass and contype = 'c'"
        " and pg_get_constraintdef(oid) like '%status%'"
    ).fetchone()
    assert row is not None
    stored = set(re.findall(r"'(\w+)'::text", row[0]))
    assert stored == set(RunStatus) - {RunStatus.SKIPPED}


def _sql_categories(conn: psycopg.Connection[Any]) -> list[str]:
    """The categories rank_models accepts, as its own error message lists them."""
    with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
        conn.execute("select * from public.rank_models(category => 'none-such')")
    listed = str(raised.value).split("expected ", 1)[1].splitlines()[0]
    return re.split(r", | or ", listed)


def test_cli_categories_are_sql_categories(conn: psycopg.Connection[Any]) -> None:
    categories = _sql_categories(conn)
    for category in categories:  # each one accepted
        conn.execute("select * from public.rank_models(category => %s)", (category,))
    rank = get_command(app).commands["rank"]  # type: ignore[attr-defined]
    [option] = [p for p in rank.params if p.name == "category"]
    # The help lists them in parentheses: "(coding, reasoning, ...; any case)".
    listed = re.search(r"\(([a-z, ]+)[;)]", option.help)
    assert listed is not None, option.help
    assert listed.group(1).split(", ") == categories


def test_rank_defaults_are_sql_defaults(conn: psycopg.Connection[Any]) -> None:
    # Python passes no weights of its own: the signature's defaults are the only ones.
    from llm_intelligence import rankings

    assert rankings.rank_models.__kwdefaults__ is not None
    assert set(rankings.rank_models.__kwdefaults__.values()) == {None}
    row = conn.execute("select pg_get_function_arguments('public.rank_models'::regproc)").fetchone()
    # SQL's own defaults live in ranking_constants(); the signature says null = the default.
    assert row is not None and "cost_weight numeric DEFAULT NULL::numeric" in row[0]
    weights = conn.execute(
        "select cost_weight, performance_weight from ranking_method()"
    ).fetchone()
    assert weights == (Decimal("0.4"), Decimal("0.6"))


def test_task_categories_are_sql_categories(conn: psycopg.Connection[Any]) -> None:
    # The classifier names a ranking category per task type: each one must be SQL's.
    from llm_intelligence.routing.classifier import RankingCategory

    assert set(get_args(RankingCategory)) <= set(_sql_categories(conn))
