"""Migration 20261202001200 (incremental model scores): a refresh rescores only the models
whose inputs changed, and model_rankings still holds exactly what a from-scratch
computation gives (its own definition over every model scored now; that 1200 changed no
value is tests/test_rankings_refresh_speed.py's comparison with 0900's query). Every kind of write
an input can take is checked: offers added, repriced, deactivated and moved to another
model; benchmark rows added, rescored and deleted; a model deactivated or retyped; a
provider's trust tier, an alias, a calibration changed; refreshes deferred; two writers
at once."""

from __future__ import annotations

import re
import shutil
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from llm_intelligence.db import apply_migrations
from llm_intelligence.db.migrations import migrations_dir
from tests.conftest import fresh_database
from tests.test_rankings_refresh_speed import GENERATED, USAGE


def _from_scratch_query(conn: psycopg.Connection[Any]) -> str:
    """model_rankings' own definition with the stored scores replaced by scoring every
    model now: what the view must hold if every incremental update was right (and stays
    the reference whatever a later migration changes in the method)."""
    row = conn.execute("select pg_get_viewdef('public.model_rankings'::regclass)").fetchone()
    assert row is not None
    definition, replaced = re.subn(
        r"\bllm_intel_private\.model_scores\s+s\b",
        "llm_intel_private.score_models(NULL::bigint[]) s",
        str(row[0]).rstrip().rstrip(";"),
    )
    assert replaced == 1, definition
    return definition


def _rows(conn: psycopg.Connection[Any], relation: str) -> Counter[str]:
    # Text form, so that a different scale of an equal number (1.0, 1.00) counts too. The
    # relation is the view or a query from a migration file, never user input.
    return Counter(r[0] for r in conn.execute(f"select x::text from {relation} x").fetchall())  # noqa: S608


def _assert_rankings_as_from_scratch(conn: psycopg.Connection[Any]) -> None:
    stored = _rows(conn, "public.model_rankings")
    computed = _rows(conn, f"({_from_scratch_query(conn)})")
    assert stored == computed, (
        list((stored - computed).elements())[:2],
        list((computed - stored).elements())[:2],
    )


def _dirty(conn: psycopg.Connection[Any]) -> list[int | None]:
    rows = conn.execute(
        "select distinct model_id from llm_intel_private.model_scores_dirty order by 1"
    ).fetchall()
    return [r[0] for r in rows]


def _model_id(conn: psycopg.Connection[Any], name: str) -> int:
    row = conn.execute("select id from public.models where name = %s", (name,)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def catalog(conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    """3,000 models with ties in price and score, usage stats, refreshed at commit."""
    conn.execute(GENERATED)
    conn.execute(USAGE)
    conn.execute("select public.refresh_model_rankings()")
    return conn


# Each change is one autocommit statement: its commit refreshes model_rankings.
CHANGES: list[tuple[str, str]] = [
    (
        "offers repriced",
        "update public.provider_pricing set input_price_per_million = input_price_per_million"
        " * 3 + 0.5 where model_id % 97 = 1",
    ),
    (
        "offers deactivated",
        "update public.provider_pricing set is_active = false where model_id % 89 = 2",
    ),
    (
        "offers moved to another model",
        "update public.provider_pricing set model_id = model_id + 1"
        " where model_id % 83 = 3 and provider_name = 'azure'"
        " and not exists (select 1 from public.provider_pricing q"
        "  where q.model_id = provider_pricing.model_id + 1 and q.provider_name = 'azure')",
    ),
    (
        "offers deleted",
        "delete from public.provider_pricing where model_id % 79 = 4 and provider_name = 'openai'",
    ),
    (
        "offers added",
        "insert into public.provider_pricing (model_id, source, source_key, provider_name,"
        " provider_id, input_price_per_million, output_price_per_million)"
        " select id, 'litellm', name || '@groq', 'groq', name, 0.07, 0.21"
        " from public.models where id % 71 = 5",
    ),
    (
        "benchmark rows rescored",
        "update public.benchmark_scores set score = (score + 0.37) - floor(score + 0.37)"
        " where model_id % 67 = 6",
    ),
    (
        "benchmark rows deleted",
        "delete from public.benchmark_scores where model_id % 61 = 7",
    ),
    (
        "benchmark rows added",
        "insert into public.benchmark_scores (model_id, benchmark_name, benchmark_category,"
        " source_organization, score) select id, 'bench-extra', 'coding', 'bench', 0.83"
        " from public.models where id % 59 = 8",
    ),
    (
        "models deactivated",
        "update public.models set is_active = false where id % 53 = 9",
    ),
    (
        "models retyped out of the text rankings",
        "update public.models set model_type = 'embedding' where id % 47 = 10",
    ),
    (
        "a provider's trust tier",
        "update public.providers set trust_tier = 'reseller' where provider_name = 'azure'",
    ),
    (
        "a trust tier's place in the default pool",
        "update llm_intel_private.trust_tiers set is_default_pool = true where tier = 'reseller'",
    ),
    (
        "a text model type",
        "delete from llm_intel_private.text_model_types where model_type = 'completion'",
    ),
    (
        "a calibration",
        "insert into llm_intel_private.benchmark_calibration (benchmark_name, metric_type,"
        " parameters) values ('bench-2', 'accuracy',"
        ' \'{"offset": 0.4, "slope": 1.3, "weight": 2}\')'
        " on conflict (benchmark_name, metric_type) do update set parameters = excluded.parameters",
    ),
]


def test_every_kind_of_change_leaves_rankings_as_from_scratch(
    catalog: psycopg.Connection[Any],
) -> None:
    _assert_rankings_as_from_scratch(catalog)
    for label, statement in CHANGES:
        changed = catalog.execute(statement).rowcount
        assert changed > 0, label  # the change really changed something
        assert _dirty(catalog) == [], label  # the commit's refresh rescored it
        _assert_rankings_as_from_scratch(catalog)


def test_a_write_marks_only_the_models_it_touched(catalog: psycopg.Connection[Any]) -> None:
    first, second = _model_id(catalog, "refresh-speed-1"), _model_id(catalog, "refresh-speed-2")
    with catalog.transaction():
        catalog.execute("set local llm_intel.defer_rankings_refresh = on")
        catalog.execute(
            "update public.provider_pricing set model_id = %s where model_id = %s"
            " and provider_name = 'openai'",
            (second, first),
        )
        # An offer that moved: both models are rescored.
        assert _dirty(catalog) == sorted([first, second])
        catalog.execute("update public.provider_pricing set is_active = true where false")
        assert _dirty(catalog) == sorted([first, second])  # no row changed, none marked
    before = catalog.execute("select count(*) from llm_intel_private.model_scores").fetchone()
    rescored = catalog.execute("select llm_intel_private.update_model_scores()").fetchone()
    assert rescored == (2,)
    assert _dirty(catalog) == []
    after = catalog.execute("select count(*) from llm_intel_private.model_scores").fetchone()
    assert before == after


def test_a_provider_change_rescores_every_model(catalog: psycopg.Connection[Any]) -> None:
    with catalog.transaction():
        catalog.execute("set local llm_intel.defer_rankings_refresh = on")
        catalog.execute(
            "insert into public.provider_aliases (alias, provider_name)"
            " values ('azure_openai_test', 'azure')"
        )
        assert _dirty(catalog) == [None]
    catalog.execute("select public.refresh_model_rankings()")
    _assert_rankings_as_from_scratch(catalog)


def test_deferred_refreshes_catch_up(catalog: psycopg.Connection[Any]) -> None:
    """A sync defers its refresh (stale flag): the marks wait for the next refresh."""
    for label, statement in CHANGES[:6]:
        with catalog.transaction():
            catalog.execute("set local llm_intel.defer_rankings_refresh = on")
            assert catalog.execute(statement).rowcount > 0, label
    assert _dirty(catalog) != []
    stale = catalog.execute("select stale from llm_intel_private.rankings_refresh_state")
    assert stale.fetchone() == (True,)
    catalog.execute("select public.refresh_model_rankings()")
    assert _dirty(catalog) == []
    _assert_rankings_as_from_scratch(catalog)


def test_a_rolled_back_write_leaves_nothing_behind(catalog: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.RaiseException), catalog.transaction():
        catalog.execute(CHANGES[0][1])
        catalog.execute("do $$ begin raise exception 'abort the sync'; end $$")
    assert _dirty(catalog) == []
    _assert_rankings_as_from_scratch(catalog)


def test_two_writers_at_once(admin_url: str, template_url: str) -> None:
    """Two transactions reprice different models and commit together; each commit's
    refresh rescores its own models, and neither waits on the other's marks."""
    with fresh_database(admin_url) as url:
        with psycopg.connect(url, autocommit=True) as setup:
            setup.execute(GENERATED)
            setup.execute("select public.refresh_model_rankings()")
        barrier = threading.Barrier(2, timeout=30)
        errors: list[BaseException] = []

        def writer(remainder: int) -> None:
            try:
                with psycopg.connect(url) as conn:
                    conn.execute(
                        "update public.provider_pricing set input_price_per_million ="
                        " input_price_per_million + 1 where model_id %% 37 = %s",
                        (remainder,),
                    )
                    barrier.wait()  # both have marked their models before either commits
                    conn.commit()
            except (psycopg.Error, threading.BrokenBarrierError) as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=writer, args=(r,)) for r in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        with psycopg.connect(url, autocommit=True) as check:
            assert _dirty(check) == []
            _assert_rankings_as_from_scratch(check)


def test_readers_wait_only_for_the_first_fill(db_url: str) -> None:
    """A populated view is refreshed CONCURRENTLY (a reader never waits); an empty one is
    filled by a plain REFRESH (bulk index builds), which a reader waits for."""
    with psycopg.connect(db_url) as writer, psycopg.connect(db_url, autocommit=True) as reader:
        reader.execute("set lock_timeout = '500ms'")
        writer.execute(GENERATED)
        writer.execute("select public.refresh_model_rankings()")  # empty: plain REFRESH
        with pytest.raises(psycopg.errors.LockNotAvailable):
            reader.execute("select count(*) from public.model_rankings")
        writer.commit()
        writer.execute(
            "update public.provider_pricing set input_price_per_million = 9 where model_id % 10 = 1"
        )
        writer.execute("select public.refresh_model_rankings()")  # populated: CONCURRENTLY
        row = reader.execute("select count(*) from public.model_rankings").fetchone()
        assert row is not None and row[0] > 2000
        writer.commit()
        _assert_rankings_as_from_scratch(reader)


UPGRADE_FROM = "20261202001200"  # the first migration of incremental scores


def test_an_existing_catalog_upgrades_with_its_rankings(admin_url: str, tmp_path: Path) -> None:
    """A database holding a catalog under 20261202001100 (rankings computed from scratch)
    upgrades: the stored scores are filled from its rows, and model_rankings holds the
    same rows as before."""
    for path in sorted(migrations_dir().glob("*.sql")):
        if path.name < UPGRADE_FROM:
            shutil.copy(path, tmp_path)
    url = make_conninfo(admin_url, dbname="llm_intel_before_incremental")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("drop database if exists llm_intel_before_incremental with (force)")
        conn.execute("create database llm_intel_before_incremental")
    try:
        apply_migrations(url, directory=tmp_path)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(GENERATED)
            conn.execute(USAGE)
            conn.execute("select public.refresh_model_rankings()")
            before = _rows(conn, "public.model_rankings")
        apply_migrations(url)
        with psycopg.connect(url, autocommit=True) as conn:
            assert _dirty(conn) == []
            # The calibration seed (1400) moves only benchmarks this catalog does not use
            # (its 'bench-*' rows have no calibration): no value changes.
            assert _rows(conn, "public.model_rankings") == before
            _assert_rankings_as_from_scratch(conn)
            conn.execute(CHANGES[0][1])
            _assert_rankings_as_from_scratch(conn)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("drop database if exists llm_intel_before_incremental with (force)")
