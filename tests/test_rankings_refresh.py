"""model_rankings is refreshed by trigger at most once per transaction, never per row."""

from __future__ import annotations

from typing import Any

import psycopg

from tests.factories import add_model, add_price, refresh_count

BULK_UPSERT = """
insert into provider_pricing as p (model_id, source, source_key, provider_name, provider_id,
                                   input_price_per_million, output_price_per_million)
select m.id, 'litellm', 'key-' || g, 'provider-' || (g %% 50), 'id-' || g,
       (g %% 97) / 10.0 + %(bump)s, (g %% 89) / 5.0
from generate_series(1, 5000) g
join models m on m.name = 'model-' || (g %% 1000)
on conflict (source, source_key) do update set
  input_price_per_million = excluded.input_price_per_million,
  output_price_per_million = excluded.output_price_per_million
where (p.input_price_per_million, p.output_price_per_million)
      is distinct from (excluded.input_price_per_million, excluded.output_price_per_million)
"""


def _add_models(conn: psycopg.Connection[Any]) -> None:
    conn.execute("insert into models (name) select 'model-' || g from generate_series(0, 999) g")


def test_bulk_upsert_of_5000_rows_refreshes_once(conn: psycopg.Connection[Any]) -> None:
    _add_models(conn)
    before = refresh_count(conn)
    conn.execute(BULK_UPSERT, {"bump": 0})
    assert refresh_count(conn) == before + 1
    assert conn.execute(
        "select count(*) from model_rankings where min_input_cost is not null"
    ).fetchone() == (1000,)

    # The same rows again with new prices: 5,000 updates, still one refresh.
    before = refresh_count(conn)
    conn.execute(BULK_UPSERT, {"bump": 1})
    assert refresh_count(conn) == before + 1


def test_many_statements_in_one_transaction_refresh_once(conn: psycopg.Connection[Any]) -> None:
    before = refresh_count(conn)
    with conn.transaction():
        for i in range(20):
            model_id = add_model(conn, f"m{i}")
            add_price(conn, model_id, "p", str(i + 1))
            conn.execute(
                "insert into benchmark_scores"
                " (model_id, benchmark_name, benchmark_category, source_organization, score)"
                " values (%s, 'b', 'coding', 't', 0.5)",
                (model_id,),
            )
        # Not yet: the refresh runs at commit, after all statements.
        assert refresh_count(conn) == before
    assert refresh_count(conn) == before + 1
    assert conn.execute("select count(*) from model_rankings").fetchone() == (20,)


def test_unchanged_upsert_does_not_refresh(conn: psycopg.Connection[Any]) -> None:
    _add_models(conn)
    conn.execute(BULK_UPSERT, {"bump": 0})
    before = refresh_count(conn)
    conn.execute(BULK_UPSERT, {"bump": 0})
    assert refresh_count(conn) == before


def test_rolled_back_write_does_not_refresh(conn: psycopg.Connection[Any]) -> None:
    before = refresh_count(conn)
    with conn.transaction(force_rollback=True):
        add_model(conn, "ghost")
    assert refresh_count(conn) == before
    assert conn.execute("select count(*) from model_rankings").fetchone() == (0,)


def test_readers_see_the_old_view_until_commit(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as reader, psycopg.connect(db_url) as writer:
        model_id = add_model(writer, "visible-later")
        add_price(writer, model_id, "p", "1")
        assert reader.execute("select count(*) from model_rankings").fetchone() == (0,)
        writer.commit()
        assert reader.execute("select count(*) from model_rankings").fetchone() == (1,)
