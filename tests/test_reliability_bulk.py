"""Large updates stay linear whatever ran before them in the session (issue 9, defect 3).

PL/pgSQL keeps the plan of a static statement for the whole session. A statement trigger's
query over a transition table was planned at its first call; after a zero-row UPDATE that
plan joined old_rows to new_rows by nested loop, and the next 84k-row deactivation took
1,742 s. The triggers now run those queries through EXECUTE, planned per call.

Timing is the bench's job (bench/bench_bulk_changes.py); these tests assert the cause is
gone, without a clock:
- auto_explain (where the server has it) logs the plan of every statement the triggers run,
  with row counts: after zero-row statements in the same session, every transition table
  of a bulk statement is read once (a nested loop would rescan it once per outer row) by
  a plan made for its real size;
- no plan of a statement over a transition table is kept in the session's plan cache;
- the semantics: a bulk deactivation records no price change; a bulk price change records
  exactly one per row and announces each once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

BULK = 3000
SCAN = "Named Tuplestore Scan"

# Every statement below fires every statement trigger that has a transition table (the
# coverage test checks that against pg_trigger). Zero-row versions run first.
PRICE_UPDATE = (
    "update provider_pricing set input_price_per_million = input_price_per_million + 1"
    " where id in (select id from provider_pricing order by id limit %s)"
)
DEACTIVATION = (
    "update provider_pricing set is_active = false, deactivated_at = now()"
    " where id in (select id from provider_pricing order by id limit %s)"
)
STATEMENTS: list[tuple[str, str]] = [
    # (zero-row statement, bulk statement); the bulk ones use %s for BULK
    ("update provider_pricing set deactivated_at = now() where false", DEACTIVATION),
    ("update provider_pricing set input_price_per_million = 1 where false", PRICE_UPDATE),
    (
        "insert into provider_pricing (model_id, source, source_key, provider_name,"
        " provider_id) select 1, 'litellm', 'none', 'p', 'x' where false",
        "insert into provider_pricing (model_id, source, source_key, provider_name,"
        " provider_id, input_price_per_million)"
        " select id, 'models-dev', 'md-' || id, 'p', 'x', 1 from models order by id limit %s",
    ),
    (
        "delete from provider_pricing where false",
        "delete from provider_pricing where id in"
        " (select id from provider_pricing where source = 'models-dev' limit %s)",
    ),
    (
        "insert into models (name) select 'none' where false",
        "insert into models (name) select 'new-' || g from generate_series(1, %s) g",
    ),
    (
        "update models set model_family = 'f' where false",
        "update models set model_family = 'f' where id in (select id from models limit %s)",
    ),
    (
        "delete from models where false",
        "delete from models where name like 'new-%%' and id in (select id from models"
        " where name like 'new-%%' limit %s)",
    ),
    (
        "insert into benchmark_scores"
        " (model_id, benchmark_name, benchmark_category, source_organization, score)"
        " select 1, 'b', 'coding', 's', 0.5 where false",
        "insert into benchmark_scores"
        " (model_id, benchmark_name, benchmark_category, source_organization, score)"
        " select id, 'b', 'coding', 's', 0.5 from models order by id limit %s",
    ),
    (
        "update benchmark_scores set score = 0.6 where false",
        "update benchmark_scores set score = 0.6 where id in"
        " (select id from benchmark_scores limit %s)",
    ),
    (
        "delete from benchmark_scores where false",
        "delete from benchmark_scores where id in (select id from benchmark_scores limit %s)",
    ),
    (
        "insert into price_sources select 'x', 99, 'x' where false",
        "insert into price_sources select 'bench-' || g, 100 + g, 'x'"
        " from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update price_sources set description = 'y' where false",
        "update price_sources set description = 'y' where priority > 99 and 0 < %s",
    ),
    (
        "delete from price_sources where false",
        "delete from price_sources where priority > 99 and 0 < %s",
    ),
    (
        "insert into providers (provider_name, display_name, trust_tier)"
        " select 'x', 'x', 'unrated' where false",
        "insert into providers (provider_name, display_name, trust_tier)"
        " select 'bench-p-' || g, 'x', 'unrated' from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update providers set notes = 'y' where false",
        "update providers set notes = 'y' where provider_name like 'bench-p-%%' and 0 < %s",
    ),
    (
        "insert into provider_aliases select 'x', 'openai' where false",
        "insert into provider_aliases select 'bench-a-' || g, 'bench-p-' || g"
        " from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update provider_aliases set alias = alias where false",
        "update provider_aliases set alias = alias where alias like 'bench-a-%%' and 0 < %s",
    ),
    (
        "delete from provider_aliases where false",
        "delete from provider_aliases where alias like 'bench-a-%%' and 0 < %s",
    ),
    (
        "insert into llm_intel_private.benchmark_calibration (benchmark_name, metric_type)"
        " select 'x', 'x' where false",
        "insert into llm_intel_private.benchmark_calibration (benchmark_name, metric_type)"
        " select 'bench-' || g, 'accuracy' from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update llm_intel_private.benchmark_calibration set n_models = 1 where false",
        "update llm_intel_private.benchmark_calibration set n_models = 1"
        " where benchmark_name like 'bench-%%' and 0 < %s",
    ),
    (
        "delete from llm_intel_private.benchmark_calibration where false",
        "delete from llm_intel_private.benchmark_calibration"
        " where benchmark_name like 'bench-%%' and 0 < %s",
    ),
    (
        "insert into llm_intel_private.trust_tiers select 'x', 9, 'x', false, 'x' where false",
        "insert into llm_intel_private.trust_tiers select 'bench-t-' || g, 9, 'reseller',"
        " false, 'x' from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update llm_intel_private.trust_tiers set description = 'y' where false",
        "update llm_intel_private.trust_tiers set description = 'y'"
        " where tier like 'bench-t-%%' and 0 < %s",
    ),
    (
        "delete from llm_intel_private.trust_tiers where false",
        "delete from llm_intel_private.trust_tiers where tier like 'bench-t-%%' and 0 < %s",
    ),
    (
        "insert into llm_intel_private.text_model_types select 'x' where false",
        "insert into llm_intel_private.text_model_types"
        " select 'bench-type-' || g from generate_series(1, least(%s, 50)) g",
    ),
    (
        "update llm_intel_private.text_model_types set model_type = model_type where false",
        "update llm_intel_private.text_model_types set model_type = model_type"
        " where model_type like 'bench-type-%%' and 0 < %s",
    ),
    (
        "delete from llm_intel_private.text_model_types where false",
        "delete from llm_intel_private.text_model_types"
        " where model_type like 'bench-type-%%' and 0 < %s",
    ),
    (
        "insert into model_usage_stats (model_id, provider_name, date) select 1, 'x',"
        " current_date where false",
        "insert into model_usage_stats (model_id, provider_name, date, total_requests)"
        " select m.id, 'openai', current_date - 1, 10 from models m limit %s",
    ),
    (
        "update model_usage_stats set total_requests = 1 where false",
        "update model_usage_stats set total_requests = 11 where id in"
        " (select id from model_usage_stats limit %s)",
    ),
    (
        "delete from model_usage_stats where false",
        "delete from model_usage_stats where id in (select id from model_usage_stats limit %s)",
    ),
    (
        "delete from providers where false",
        "delete from providers where provider_name like 'bench-p-%%' and 0 < %s",
    ),
]


def _seed(conn: psycopg.Connection[Any], models: int) -> None:
    """`models` models with three active prices each, made fast with generate_series."""
    conn.execute(
        "insert into models (name) select 'm' || g from generate_series(1, %s) g", (models,)
    )
    conn.execute(
        "insert into provider_pricing (model_id, source, source_key, provider_name,"
        " provider_id, input_price_per_million, output_price_per_million)"
        " select m.id, 'litellm', 'k' || m.id || '-' || p, 'p' || p, m.name, p, 2 * p"
        " from models m, generate_series(1, 3) p"
    )
    conn.execute("analyze")


@pytest.fixture(scope="module")
def seeded_url(module_db_url: str) -> str:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        _seed(conn, 2 * BULK)
    return module_db_url


@pytest.fixture
def session(seeded_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A new session on the seeded database; whatever it does is rolled back."""
    with psycopg.connect(seeded_url) as conn:
        yield conn
        conn.rollback()


def _plans(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", []):
        yield from _plans(child)


def test_the_statements_fire_every_transition_table_trigger(
    session: psycopg.Connection[Any],
) -> None:
    tables = {
        table
        for (table,) in session.execute(
            "select tgrelid::regclass::text from pg_trigger"
            " where tgoldtable is not null or tgnewtable is not null"
        )
    }
    # price_changes' trigger fires from the price statements' history inserts.
    touched = {"price_changes"} | {
        word
        for _, bulk in STATEMENTS
        for word in (
            "provider_pricing",
            "models",
            "benchmark_scores",
            "price_sources",
            "providers",
            "provider_aliases",
            "llm_intel_private.benchmark_calibration",
            "llm_intel_private.trust_tiers",
            "llm_intel_private.text_model_types",
            "model_usage_stats",
        )
        if word in bulk.split()
    }
    assert tables <= touched


def test_bulk_statements_after_zero_row_ones_scan_each_transition_table_once(
    session: psycopg.Connection[Any],
) -> None:
    try:
        session.execute("load 'auto_explain'")
    except psycopg.Error:
        pytest.skip("auto_explain is not available on this server")
    plans: list[dict[str, Any]] = []

    def collect(diag: psycopg.errors.Diagnostic) -> None:
        text = diag.message_primary or ""
        if "plan:" in text:
            plans.append(json.loads(text.split("plan:", 1)[1])["Plan"])

    session.add_notice_handler(collect)
    for setting, value in [
        ("log_min_duration", "0"),
        ("log_nested_statements", "on"),
        ("log_analyze", "on"),
        ("log_timing", "off"),
        ("log_format", "json"),
        ("log_level", "notice"),
    ]:
        session.execute(f"set auto_explain.{setting} = {value}")

    # The bad case: zero-row statements first, so that a cached plan would be made for
    # empty transition tables. Then every bulk statement.
    for zero_rows, _ in STATEMENTS:
        session.execute(zero_rows)
    plans.clear()
    for _, bulk in STATEMENTS:
        session.execute(bulk, (BULK,))

    scans = [node for plan in plans for node in _plans(plan) if node["Node Type"] == SCAN]
    # The statements did read big transition tables (old, new and changed rows).
    assert len([scan for scan in scans if scan["Actual Rows"] >= BULK / 2]) >= 10
    # No big transition table on the inner side of a nested loop (rescanned, or
    # materialized and rescanned, once per outer row).
    for plan in plans:
        for node in _plans(plan):
            if node["Node Type"] == "Nested Loop":
                inner = [
                    n
                    for n in _plans(node["Plans"][1])
                    if n["Node Type"] == SCAN and n["Actual Rows"] >= 100
                ]
                assert inner == [], node
    for scan in scans:
        # Read at most once per statement (an EXISTS over old and new rows can stop
        # before it reaches the second).
        assert scan["Actual Loops"] <= 1, scan
        # Planned for its real size (a plan cached from an empty table says 1 row).
        if scan["Actual Rows"] >= 100:
            assert scan["Plan Rows"] >= scan["Actual Rows"] / 2, scan


def test_no_plan_over_a_transition_table_stays_cached(session: psycopg.Connection[Any]) -> None:
    for zero_rows, bulk in STATEMENTS:
        session.execute(zero_rows)
        session.execute(bulk, (10,))
    # PL/pgSQL's kept plans are memory contexts named after their query (its first kB).
    # The triggers' EXECUTE strings are cached as expressions too ('...' or $q$...$q$
    # constants): those are text, not plans over a transition table.
    cached = session.execute(
        "select ident from pg_backend_memory_contexts"
        " where name in ('CachedPlanSource', 'CachedPlan')"
        "   and ident ~ '\\m(old_rows|new_rows|changed_rows)\\M'"
        "   and ident !~ '^\\s*(''|\\$q\\$)'"
    ).fetchall()
    assert cached == []


def test_bulk_deactivation_after_a_zero_row_update_records_no_price_change(
    session: psycopg.Connection[Any],
) -> None:
    before = session.execute("select count(*) from price_changes").fetchone()
    session.execute("update provider_pricing set deactivated_at = now() where false")
    session.execute(DEACTIVATION, (BULK,))
    assert session.execute("select count(*) from price_changes").fetchone() == before
    inactive = session.execute("select count(*) from provider_pricing where not is_active")
    assert inactive.fetchone() == (BULK,)


def test_bulk_price_change_records_and_announces_one_change_per_row(db_url: str) -> None:
    rows = 2000
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url) as writer,
    ):
        _seed(writer, rows // 3 + 1)
        writer.commit()
        (last,) = writer.execute("select max(id) from price_changes").fetchone() or (0,)
        listener.execute("listen llm_intel_price_changes")
        writer.execute("update provider_pricing set input_price_per_million = 1 where false")
        writer.execute(PRICE_UPDATE, (rows,))
        # Changing something other than a price is no price change.
        writer.execute("update provider_pricing set context_window = 1000")
        writer.commit()
        hints = [json.loads(n.payload)["id"] for n in listener.notifies(timeout=1, stop_after=rows)]
        changes = writer.execute(
            "select id, pricing_id, change_type,"
            " new_input_price_per_million - old_input_price_per_million"
            " from price_changes where id > %s order by id",
            (last,),
        ).fetchall()
    assert len(changes) == rows
    assert len({c[1] for c in changes}) == rows
    assert {(c[2], c[3]) for c in changes} == {("update", 1)}
    assert hints == [c[0] for c in changes]
