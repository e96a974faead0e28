"""Migration 20261202001000 (faster rankings refresh) changes how model_rankings is
computed, not what it holds: every row equals what the previous definition (migration
20261202000900, read from its file) returns, on an offline-synced catalog with the
leaderboards' benchmark rows and usage stats, and on a generated catalog with price and
score ties (the frontier's groups)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from llm_intelligence.benchmarks.sources import get_leaderboard
from llm_intelligence.collectors.runner import RunStatus, sync
from llm_intelligence.config import Settings
from llm_intelligence.sources import SourceKind, source_names
from tests.conftest import fresh_database

MIGRATIONS = Path(__file__).resolve().parent.parent / "supabase" / "migrations"
PREVIOUS = MIGRATIONS / "20261202000900_calibrated_rankings.sql"
SNAPSHOTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks"

# Usage stats for some models (the usage_factor branch), both sides of min_requests.
USAGE = """
insert into public.model_usage_stats (model_id, provider_name, date, total_requests,
                                      success_count, latency_ms_sum)
select m.id, 'openai', current_date - 2, 50 + (m.id % 5) * 50, 40 + (m.id % 5) * 45,
       (m.id % 7) * 9000 * (50 + (m.id % 5) * 50)
from public.models m
where m.id % 11 = 0
"""

# Many models on few prices and few score levels: frontier groups with ties.
GENERATED = """
insert into public.models (name, provider, model_family, context_window, max_tokens)
select 'refresh-speed-' || i, 'author-' || (i % 9), 'family-' || (i % 30),
       (array[8192, 128000, 1000000])[1 + i % 3], 4096
from generate_series(1, 3000) i;
insert into public.benchmark_scores (
  model_id, benchmark_name, benchmark_category, source_organization, score)
select m.id, 'bench-' || k, (array['coding', 'reasoning', 'math', 'general'])[1 + (m.id + k) % 4],
       'bench', ((m.id * 31 + k * 17) % 12) / 12.0
from public.models m
cross join generate_series(1, 3) k
where k <= 1 + m.id % 3 and m.id % 13 <> 0;
insert into public.provider_pricing (
  model_id, source, source_key, provider_name, provider_id,
  input_price_per_million, output_price_per_million, context_window)
select m.id, 'litellm', m.name || '@' || p.provider_name, p.provider_name, m.name,
       ((m.id * 7 + p.k * 3) % 25) / 4.0, ((m.id * 7 + p.k * 3) % 25),
       m.context_window
from public.models m
cross join (values (1, 'openai'), (2, 'azure'), (3, 'bedrock')) p (k, provider_name)
where m.id % 17 <> 0 and (p.k = 1 or m.id % (p.k + 1) = 0)
"""


def _previous_query() -> str:
    """The body of `create materialized view public.model_rankings` in 20261202000900."""
    found = re.search(
        r"create materialized view public\.model_rankings as\n(.*?)\nwith data;\n",
        PREVIOUS.read_text(),
        re.DOTALL,
    )
    assert found
    return found.group(1)


def _rows(conn: psycopg.Connection[Any], relation: str) -> Counter[str]:
    # Text form: equal values with a different scale (1.0 and 1.00) count as different.
    # The relation is the view or a query from a migration file, never user input.
    query = f"select x::text from {relation} x"  # noqa: S608
    return Counter(r[0] for r in conn.execute(query).fetchall())


def _assert_same_as_before(conn: psycopg.Connection[Any]) -> Counter[str]:
    conn.execute("select public.refresh_model_rankings()")
    new_rows = _rows(conn, "public.model_rankings")
    old_rows = _rows(conn, f"({_previous_query()})")
    assert new_rows == old_rows, (
        list((new_rows - old_rows).elements())[:3],
        list((old_rows - new_rows).elements())[:3],
    )
    return new_rows


@pytest.fixture(scope="module")
def synced_url(admin_url: str, template_url: str) -> Iterator[str]:
    settings = Settings(_env_file=None, LLM_INTEL_BENCHMARKS_DIR=str(SNAPSHOTS))
    with fresh_database(admin_url) as url:
        prices = sync(url, settings=settings, sources=["litellm", "models-dev"], offline=True)
        assert all(r.status is RunStatus.SUCCEEDED for r in prices), prices
        # The boards the snapshots hold a file for (the others would be skipped).
        boards = [
            n
            for n in source_names(SourceKind.BENCHMARKS)
            if get_leaderboard(n).skip_reason(settings, offline=True) is None
        ]
        reports = sync(url, settings=settings, sources=boards, offline=True)
        assert all(r.status is RunStatus.SUCCEEDED for r in reports), reports
        with psycopg.connect(url) as conn:
            conn.execute(USAGE)
        yield url


def test_offline_catalog_every_row_as_before(synced_url: str) -> None:
    with psycopg.connect(synced_url) as conn:
        rows = _assert_same_as_before(conn)
        evidenced, frontier, usage = conn.execute(
            "select count(*) filter (where category_count > 0),"
            " count(*) filter (where on_pareto_frontier or coding_on_frontier),"
            " count(*) filter (where usage_factor <> 1)"
            " from public.model_rankings"
        ).fetchone() or (0, 0, 0)
    assert sum(rows.values()) > 1000
    assert evidenced > 50 and frontier > 0 and usage > 0


def test_generated_catalog_with_ties_every_row_as_before(conn: psycopg.Connection[Any]) -> None:
    conn.execute(GENERATED)
    conn.execute(USAGE)
    rows = _assert_same_as_before(conn)
    assert sum(rows.values()) >= 3000
    tied = conn.execute(
        "select count(*) from (select min_blended_cost from public.model_rankings"
        " where min_blended_cost is not null group by 1 having count(*) > 1) t"
    ).fetchone()
    assert tied is not None and tied[0] > 0


def test_refresh_stays_concurrent_with_its_own_work_mem(conn: psycopg.Connection[Any]) -> None:
    row = conn.execute(
        "select p.proconfig, p.prosrc from pg_catalog.pg_proc p"
        " where p.oid = 'public.refresh_model_rankings()'::regprocedure"
    ).fetchone()
    assert row is not None
    config, source = row
    assert "work_mem=128MB" in config
    assert "refresh materialized view concurrently public.model_rankings" in source
    before = conn.execute("show work_mem").fetchone()
    conn.execute("select public.refresh_model_rankings()")
    # The SET clause holds for the call only.
    assert conn.execute("show work_mem").fetchone() == before
