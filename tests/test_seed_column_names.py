"""The seed's column names (migration 20261202000300): a database made before it keeps every
row under the new names, with its constraints renamed and record_usage's upsert working."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from llm_intelligence.db import apply_migrations
from llm_intelligence.db.migrations import migrations_dir

RENAME = "20261202000300"

OLD_CATALOG = """
insert into models (name, provider, family) values ('gpt-x', 'openai', 'gpt');
insert into provider_pricing (model_id, source, source_key, provider, provider_model_id,
                              input_price_per_million, output_price_per_million, metadata)
select id, 'litellm', 'azure/gpt-x', 'azure', 'gpt-x-deploy', 2, 8, '{"tier": "standard"}'
from models;
insert into benchmark_scores (model_id, benchmark, category, metric, source, raw_score,
                              measured_on, verified)
select id, 'humaneval', 'coding', 'pass@1', 'openai', 0.9, '2026-01-02', true from models;
insert into model_usage_stats (model_id, provider, day, request_count, success_count,
                               input_tokens, output_tokens, total_cost, latency_ms_sum)
select id, 'azure', (now() at time zone 'utc')::date, 2, 1, 100, 50, 0.5, 300 from models;
"""


@pytest.fixture
def old_database(admin_url: str, tmp_path: Path) -> Iterator[str]:
    """A database migrated up to just before the rename, holding one row of each kind."""
    for path in sorted(migrations_dir().glob("*.sql")):
        if path.name < RENAME:
            shutil.copy(path, tmp_path)
    name = "llm_intel_before_rename"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = make_conninfo(admin_url, dbname=name)
    try:
        apply_migrations(url, directory=tmp_path)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(OLD_CATALOG)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"drop database if exists {name} with (force)")


def _one(conn: psycopg.Connection[Any], statement: str) -> dict[str, Any]:
    row = conn.cursor(row_factory=dict_row).execute(statement).fetchone()
    assert row is not None
    return row


def test_existing_rows_keep_their_values_under_the_seeds_names(old_database: str) -> None:
    apply_migrations(old_database)

    with psycopg.connect(old_database, autocommit=True) as conn:
        model = _one(conn, "select name, provider, model_family from models")
        assert model == {"name": "gpt-x", "provider": "openai", "model_family": "gpt"}
        price = _one(
            conn, "select provider_name, provider_id, provider_metadata from provider_pricing"
        )
        assert price == {
            "provider_name": "azure",
            "provider_id": "gpt-x-deploy",
            "provider_metadata": {"tier": "standard"},
        }
        score = _one(
            conn,
            "select benchmark_name, benchmark_category, metric_type, score, normalized_score,"
            " test_date::text, source_organization, is_verified from benchmark_scores",
        )
        assert score == {
            "benchmark_name": "humaneval",
            "benchmark_category": "coding",
            "metric_type": "pass@1",
            "score": Decimal("0.9"),
            "normalized_score": Decimal("0.9"),
            "test_date": "2026-01-02",
            "source_organization": "openai",
            "is_verified": True,
        }
        history = _one(conn, "select provider_name, provider_id from price_changes")
        assert history == {"provider_name": "azure", "provider_id": "gpt-x-deploy"}
        offer = _one(conn, "select pricing_id, provider_name, provider_id from current_pricing")
        assert (offer["provider_name"], offer["provider_id"]) == ("azure", "gpt-x-deploy")
        ranked = _one(conn, "select model_family, provider_count from model_rankings")
        assert ranked == {"model_family": "gpt", "provider_count": 1}

        # Usage: the old row got an id; the same model, provider and day still adds up.
        conn.execute("select record_usage('gpt-x', 'azure', 10, 5, 0.25, 100, true)")
        usage = _one(
            conn,
            "select id, provider_name, total_requests, success_count, total_input_tokens,"
            " total_output_tokens, total_cost, avg_response_time_ms, success_rate"
            " from model_usage_stats",
        )
        assert usage["id"] is not None
        assert (usage["provider_name"], usage["total_requests"], usage["success_count"]) == (
            "azure",
            3,
            2,
        )
        assert (usage["total_input_tokens"], usage["total_output_tokens"]) == (110, 55)
        assert usage["total_cost"] == Decimal("0.75")
        assert round(usage["avg_response_time_ms"], 6) == Decimal("133.333333")


def test_constraints_name_the_renamed_columns(conn: psycopg.Connection[Any]) -> None:
    names = {
        row[0]
        for row in conn.execute(
            "select conname from pg_constraint where conrelid in"
            " ('public.provider_pricing'::regclass, 'public.benchmark_scores'::regclass,"
            " 'public.model_usage_stats'::regclass)"
        )
    }
    assert {
        "provider_pricing_provider_name_not_blank",
        "provider_pricing_provider_metadata_is_object",
        "benchmark_scores_benchmark_category_valid",
        "benchmark_scores_score_finite",
        "model_usage_stats_pkey",
        "model_usage_stats_model_id_provider_name_date_key",
        "model_usage_stats_total_requests_valid",
        "model_usage_stats_total_input_tokens_valid",
        "model_usage_stats_total_output_tokens_valid",
    } <= names
    with pytest.raises(psycopg.errors.CheckViolation, match="provider_name"):
        conn.execute(
            "insert into models (name) values ('m');"
            "insert into provider_pricing (model_id, source, source_key, provider_name,"
            " provider_id) select id, 'litellm', 'k', ' ', 'x' from models"
        )


def test_old_names_are_gone(conn: psycopg.Connection[Any]) -> None:
    old = {
        ("models", "family"),
        ("provider_pricing", "provider"),
        ("provider_pricing", "provider_model_id"),
        ("provider_pricing", "metadata"),
        ("benchmark_scores", "raw_score"),
        ("benchmark_scores", "benchmark"),
        ("model_usage_stats", "request_count"),
        ("model_usage_stats", "day"),
        ("price_changes", "provider_model_id"),
        ("current_pricing", "provider"),
        ("model_rankings", "family"),
    }
    columns = set(
        conn.execute(
            "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid"
            " join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = 'public' and a.attnum > 0 and not a.attisdropped"
        ).fetchall()
    )
    assert old & columns == set()
    assert ("model_usage_stats", "id") in columns
    assert ("current_pricing", "pricing_id") in columns
