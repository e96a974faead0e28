"""Every price insert or change writes one price_changes row and one notification.

The notification is a hint (the price_changes id and a few short fields); the change itself
is read from price_changes, e.g. with price_changes_since."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import psycopg

from tests.factories import add_model, add_price

CHANNEL = "llm_intel_price_changes"


def _notifications(listener: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return [
        json.loads(n.payload, parse_float=Decimal)
        for n in listener.notifies(timeout=0.5)
        if n.channel == CHANNEL
    ]


def test_insert_and_change_are_recorded_and_announced(db_url: str) -> None:
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url, autocommit=True) as writer,
    ):
        listener.execute(f"listen {CHANNEL}")
        model_id = add_model(writer, "claude-x")
        pricing_id = add_price(writer, model_id, "anthropic", Decimal("3"), Decimal("15"))
        writer.execute(
            "update provider_pricing set input_price_per_million = 2.5 where id = %s",
            (pricing_id,),
        )
        # A change of something other than price is not a price change.
        writer.execute(
            "update provider_pricing set context_window = 200000 where id = %s", (pricing_id,)
        )
        events = _notifications(listener)

    assert [e["change_type"] for e in events] == ["insert", "update"]
    update = events[1]
    assert update["model"] == "claude-x"
    assert update["provider_name"] == "anthropic"

    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "select id, change_type, old_input_price_per_million, new_input_price_per_million,"
            " new_output_price_per_million from price_changes order by id"
        ).fetchall()
        # The hint's id is the row to read: price_changes_since(id - 1, 1) is that change.
        (changed,) = conn.execute(
            "select id, change_type, old_input_price_per_million, new_input_price_per_million,"
            " new_output_price_per_million from price_changes_since(%s, 1)",
            (update["id"] - 1,),
        ).fetchall()
    assert [r[1:] for r in rows] == [
        ("insert", None, Decimal("3"), Decimal("15")),
        ("update", Decimal("3"), Decimal("2.5"), Decimal("15")),
    ]
    assert [e["id"] for e in events] == [r[0] for r in rows]
    assert changed == rows[1]


def test_bulk_change_writes_one_row_per_changed_price(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    for i in range(10):
        add_price(conn, model_id, f"p{i}", str(i + 1))
    conn.execute(
        "update provider_pricing set output_price_per_million = output_price_per_million * 2"
        " where provider_name in ('p1', 'p2', 'p3')"
    )
    counts = dict(
        conn.execute("select change_type, count(*) from price_changes group by change_type")
    )
    assert counts == {"insert": 10, "update": 3}


def test_rolled_back_change_is_not_announced(db_url: str) -> None:
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url) as writer,
    ):
        listener.execute(f"listen {CHANNEL}")
        model_id = add_model(writer, "m")
        add_price(writer, model_id, "p", "1")
        writer.rollback()
        assert _notifications(listener) == []


def test_payload_is_valid_json_with_every_field_and_escaped_strings(db_url: str) -> None:
    # The payload is assembled by concatenation (fast), so prove it is the JSON a
    # json_build_object would give: quotes, backslashes and unicode survive.
    name = 'we"ird\\model ✓'
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url, autocommit=True) as writer,
    ):
        listener.execute(f"listen {CHANNEL}")
        model_id = add_model(writer, name)
        pricing_id = add_price(writer, model_id, 'az"ure', Decimal("0.000000123456789"), "15")
        (event,) = _notifications(listener)
        (expected,) = writer.execute(
            "select json_build_object("
            " 'id', id, 'change_type', change_type, 'pricing_id', pricing_id,"
            " 'model_id', model_id, 'model', model_name, 'provider_name', provider_name,"
            " 'source', source, 'changed_at', changed_at)::text from price_changes"
        ).fetchone()
    assert event == json.loads(expected, parse_float=Decimal)
    assert list(event) == [
        "id",
        "change_type",
        "pricing_id",
        "model_id",
        "model",
        "provider_name",
        "source",
        "changed_at",
    ]
    assert event["model"] == name
    assert event["provider_name"] == 'az"ure'
    assert event["pricing_id"] == pricing_id
