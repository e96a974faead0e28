"""Grants and RLS, proven by running SQL as Supabase's roles on a real Postgres.

PostgREST runs every request as `anon` (no JWT) or `authenticated` after `set role`; the
same statements here show what a REST caller can and cannot do.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.factories import add_model, add_price

PUBLIC_READ = [
    "models",
    "model_aliases",
    "provider_pricing",
    "benchmark_scores",
    "price_changes",
    "price_sources",
    "model_rankings",
    "current_pricing",
]
ALL_TABLES = [
    "models",
    "model_aliases",
    "provider_pricing",
    "benchmark_scores",
    "price_changes",
    "price_sources",
    "model_usage_stats",
    "collector_runs",
]


@pytest.fixture(scope="module")
def seeded_url(module_db_url: str) -> str:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        model_id = add_model(conn, "gpt-x", provider="openai")
        add_price(conn, model_id, "openai", "1", "2")
        conn.execute("select record_usage('gpt-x', 'openai', 10, 20, 0.001, 100, true)")
        conn.execute("insert into collector_runs (source, status) values ('litellm', 'succeeded')")
    return module_db_url


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[psycopg.Connection[Any]]:
    """The seeded database; whatever a test does is rolled back."""
    with psycopg.connect(seeded_url) as conn:
        yield conn
        conn.rollback()


@pytest.fixture(params=["anon", "authenticated"])
def as_public(
    request: pytest.FixtureRequest, seeded: psycopg.Connection[Any]
) -> Iterator[psycopg.Connection[Any]]:
    seeded.execute(f"set local role {request.param}")
    yield seeded


@pytest.mark.parametrize("relation", PUBLIC_READ)
def test_public_roles_can_read_the_catalog(
    as_public: psycopg.Connection[Any], relation: str
) -> None:
    as_public.execute(f"select * from public.{relation} limit 1")  # noqa: S608


def test_public_roles_see_rows_through_rls(as_public: psycopg.Connection[Any]) -> None:
    assert as_public.execute("select count(*) from public.provider_pricing").fetchone() == (1,)
    assert as_public.execute("select name from public.model_rankings").fetchall() == [("gpt-x",)]


@pytest.mark.parametrize("relation", ["model_usage_stats", "collector_runs"])
def test_public_roles_cannot_read_private_tables(
    as_public: psycopg.Connection[Any], relation: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_public.execute(f"select * from public.{relation}")  # noqa: S608


@pytest.mark.parametrize("table", ALL_TABLES)
@pytest.mark.parametrize(
    "statement",
    [
        "insert into public.{t} default values",
        "update public.{t} set {c} = {c}",
        "delete from public.{t}",
    ],
)
def test_public_roles_cannot_write(
    as_public: psycopg.Connection[Any], table: str, statement: str
) -> None:
    column = {
        "models": "name",
        "model_aliases": "alias",
        "provider_pricing": "provider_name",
        "benchmark_scores": "benchmark_name",
        "price_changes": "provider_name",
        "price_sources": "source",
        "model_usage_stats": "provider_name",
        "collector_runs": "source",
    }[table]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_public.execute(statement.format(t=table, c=column))


def test_public_roles_can_call_the_read_api(as_public: psycopg.Connection[Any]) -> None:
    assert as_public.execute("select name from rank_models()").fetchall() == [("gpt-x",)]
    assert as_public.execute("select count(*) from provider_options('gpt-x')").fetchone() == (1,)
    assert as_public.execute("select estimate_cost('gpt-x', 1000000, 0)").fetchone() is not None


@pytest.mark.parametrize(
    "call",
    [
        "select record_usage('gpt-x', 'openai', 1, 1, 0, 1, true)",
        "select refresh_model_rankings()",
        "select llm_intel_private.refresh_rankings_at_commit()",
        "refresh materialized view public.model_rankings",
    ],
)
def test_public_roles_cannot_record_usage_or_refresh(
    as_public: psycopg.Connection[Any], call: str
) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_public.execute(call)


def test_service_role_writes_and_records_usage(seeded: psycopg.Connection[Any]) -> None:
    seeded.execute("set local role service_role")
    model_id = add_model(seeded, "svc-model")
    add_price(seeded, model_id, "openai", "3")
    seeded.execute("select record_usage('svc-model', 'openai', 5, 5, 0.5, 10, false)")
    seeded.execute("select refresh_model_rankings()")
    assert seeded.execute(
        "select total_requests, success_count from model_usage_stats where model_id = %s",
        (model_id,),
    ).fetchone() == (1, 0)


def test_every_table_has_rls(seeded: psycopg.Connection[Any]) -> None:
    rows = seeded.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname in ('public', 'llm_intel_private') and c.relkind = 'r'"
        " and not c.relrowsecurity"
    ).fetchall()
    assert rows == []


def test_security_definer_functions_pin_search_path(seeded: psycopg.Connection[Any]) -> None:
    rows = seeded.execute(
        "select p.oid::regprocedure::text from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname in ('public', 'llm_intel_private') and p.prosecdef"
        " and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%')"
    ).fetchall()
    assert rows == []
