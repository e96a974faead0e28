"""Bad writes are refused with an error that names the column."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.factories import add_model, add_price


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("input_price_per_million", "-1"),
        ("input_price_per_million", "NaN"),
        ("input_price_per_million", "Infinity"),
        ("output_price_per_million", "-0.01"),
        ("cache_read_price_per_million", "NaN"),
        ("cache_write_price_per_million", "1e9"),
        ("batch_input_price_per_million", "-5"),
        ("batch_output_price_per_million", "Infinity"),
    ],
)
def test_impossible_prices_rejected_naming_the_column(
    conn: psycopg.Connection, column: str, value: str
) -> None:
    model_id = add_model(conn, "m")
    with pytest.raises(psycopg.errors.CheckViolation, match=column):
        add_price(conn, model_id, "p", "1", "2", **{column: Decimal(value)})
    assert conn.execute("select count(*) from provider_pricing").fetchone() == (0,)


def test_prices_are_exact_numeric(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "p", Decimal("0.000000123456789"), Decimal("3"))
    row = conn.execute(
        "select input_price_per_million, pg_typeof(input_price_per_million)::text"
        " from provider_pricing"
    ).fetchone()
    assert row == (Decimal("0.000000123456789"), "numeric")


def test_free_tier_row_must_cost_nothing(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    with pytest.raises(psycopg.errors.CheckViolation, match="free_tier"):
        add_price(conn, model_id, "p", "1", "1", is_free_tier=True)


def test_unknown_source_rejected(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match=r"source.*somewhere"):
        add_price(conn, model_id, "p", "1", source="somewhere")


def test_changing_a_price_to_an_unknown_source_rejected(conn: psycopg.Connection) -> None:
    pricing_id = add_price(conn, add_model(conn, "m"), "p", "1")
    with pytest.raises(psycopg.errors.ForeignKeyViolation, match="elsewhere"):
        conn.execute(
            "update provider_pricing set source = 'elsewhere' where id = %s", (pricing_id,)
        )


def test_a_source_in_use_cannot_be_removed_or_renamed(conn: psycopg.Connection) -> None:
    add_price(conn, add_model(conn, "m"), "p", "1", source="litellm")
    for statement in (
        "delete from price_sources where source = 'litellm'",
        "update price_sources set source = 'lite-llm' where source = 'litellm'",
    ):
        with conn.transaction(), pytest.raises(psycopg.errors.ForeignKeyViolation, match="litellm"):
            conn.execute(statement)
    # Unused sources and other columns stay editable.
    conn.execute("update price_sources set description = 'x' where source = 'litellm'")
    conn.execute("delete from price_sources where source = 'genai-prices'")


def test_same_source_key_twice_rejected(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "p", "1", source_key="k")
    with pytest.raises(psycopg.errors.UniqueViolation, match="source_key"):
        add_price(conn, model_id, "q", "1", source_key="k")


@pytest.mark.parametrize(
    ("column", "value"),
    [("context_window", 0), ("max_tokens", -1), ("capabilities", "[]")],
)
def test_model_constraints_name_the_column(
    conn: psycopg.Connection, column: str, value: object
) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match=column):
        add_model(conn, "m", **{column: value})


def test_benchmark_normalization_is_chance_adjusted_and_clipped(
    conn: psycopg.Connection,
) -> None:
    model_id = add_model(conn, "m")
    conn.execute(
        "insert into benchmark_scores (model_id, benchmark_name, benchmark_category,"
        " source_organization, score, scale, chance_score, ceiling_score, elo_reference) values"
        " (%(m)s, 'mmlu', 'general', 't', 62.5, 'percent', 25, null, null),"
        " (%(m)s, 'over', 'general', 't', 1.2, 'fraction', 0, null, null),"
        " (%(m)s, 'under', 'reasoning', 't', 0.1, 'fraction', 0.25, null, null),"
        " (%(m)s, 'arena', 'general', 't', 1200, 'elo', 0, null, 1000)",
        {"m": model_id},
    )
    scores = dict(conn.execute("select benchmark_name, normalized_score from benchmark_scores"))
    assert scores["mmlu"] == Decimal("0.5")
    assert scores["over"] == 1
    assert scores["under"] == 0
    # 200 Elo points above the reference: 1 / (1 + 10^(-0.5)) = 0.7597...
    assert abs(scores["arena"] - Decimal("0.759746926647958")) < Decimal("1e-12")


def test_usage_success_count_cannot_exceed_requests(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    with pytest.raises(psycopg.errors.CheckViolation, match="success_count"):
        conn.execute(
            "insert into model_usage_stats"
            " (model_id, provider_name, date, total_requests, success_count)"
            " values (%s, 'p', current_date, 1, 2)",
            (model_id,),
        )


def test_price_changes_are_append_only(conn: psycopg.Connection) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "p", "1")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute("update price_changes set new_input_price_per_million = 2")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
        conn.execute("delete from price_changes")
