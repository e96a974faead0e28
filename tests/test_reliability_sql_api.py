"""SQL API abuse (issue 9: defects 2, 7, 8 and 11), run as Supabase's roles on a real Postgres.

- every numeric argument of every public function refuses NaN and +/-Infinity, naming it;
- input echoed in an error is cut, never returned whole;
- the price-change notification is a bounded hint: anyone can NOTIFY the channel (NOTIFY
  needs no privilege), so a consumer reads the change from price_changes by id, which the
  public roles cannot write, and a forged hint reads as nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from tests.factories import add_model, add_price

CHANNEL = "llm_intel_price_changes"
NON_FINITE = ["NaN", "Infinity", "-Infinity"]

# (function, numeric argument, call with a %s placeholder for that argument, role)
NUMERIC_ARGUMENTS: list[tuple[str, str, str, str]] = [
    ("rank_models", "cost_weight", "select * from rank_models(cost_weight => %s)", "anon"),
    (
        "rank_models",
        "performance_weight",
        "select * from rank_models(performance_weight => %s)",
        "anon",
    ),
    (
        "rank_models",
        "max_input_price",
        "select * from rank_models(max_input_price => %s)",
        "anon",
    ),
    ("rank_models", "max_price", "select * from rank_models(max_price => %s)", "anon"),
    (
        "record_usage",
        "cost",
        "select record_usage('gpt-x', 'openai', 1, 1, %s, 10, true)",
        "service_role",
    ),
]
HUGE = "x" * 1_048_576


@pytest.fixture(scope="module")
def seeded_url(module_db_url: str) -> str:
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        model_id = add_model(conn, "gpt-x", provider="openai")
        add_price(conn, model_id, "openai", "1", "2")
    return module_db_url


@pytest.fixture
def seeded(seeded_url: str) -> Iterator[psycopg.Connection[Any]]:
    """The seeded database; whatever a test does is rolled back."""
    with psycopg.connect(seeded_url) as conn:
        yield conn
        conn.rollback()


# --- defect 7: NaN and Infinity ------------------------------------------------------------


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize(("function", "argument", "call", "role"), NUMERIC_ARGUMENTS)
def test_non_finite_numbers_are_refused_naming_the_argument(
    seeded: psycopg.Connection[Any], function: str, argument: str, call: str, role: str, value: str
) -> None:
    seeded.execute(f"set local role {role}")
    with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
        seeded.execute(call, (Decimal(value),))
    message = str(raised.value)
    assert message.startswith(f"{function}: {argument} must be a finite number")
    assert value in message


def test_every_numeric_argument_of_every_public_function_is_covered(
    seeded: psycopg.Connection[Any],
) -> None:
    # A new public function with a numeric (or float) argument must join NUMERIC_ARGUMENTS.
    # Integer arguments cannot hold NaN or Infinity: their input conversion refuses them.
    rows = seeded.execute(
        "select p.proname, a.name"
        " from pg_proc p"
        " cross join lateral unnest(p.proargtypes::oid[], p.proargnames)"
        "   with ordinality a(type, name, n)"
        " where p.pronamespace = 'public'::regnamespace"
        "   and a.type in ('numeric'::regtype, 'float4'::regtype, 'float8'::regtype)"
    ).fetchall()
    assert set(rows) == {(f, a) for f, a, _, _ in NUMERIC_ARGUMENTS}


def test_finite_arguments_still_work(seeded: psycopg.Connection[Any]) -> None:
    seeded.execute("set local role anon")
    names = seeded.execute(
        "select name from rank_models(cost_weight => 1e-20, max_input_price => 1e20)"
    ).fetchall()
    assert names == [("gpt-x",)]


# --- defect 11: echoed input is cut ----------------------------------------------------------

ECHOES: list[tuple[str, str, type[psycopg.Error]]] = [
    ("anon", "select resolve_model(%s)", psycopg.errors.NoDataFound),
    ("anon", "select * from provider_options(%s)", psycopg.errors.NoDataFound),
    ("anon", "select estimate_cost(%s, 1, 1)", psycopg.errors.NoDataFound),
    ("anon", "select estimate_cost('gpt-x', 1, 1, %s)", psycopg.errors.NoDataFound),
    ("anon", "select * from rank_models(category => %s)", psycopg.errors.InvalidParameterValue),
    (
        "service_role",
        "select record_usage(%s, 'openai', 1, 1, 0, 1, true)",
        psycopg.errors.NoDataFound,
    ),
]


@pytest.mark.parametrize(("role", "call", "error"), ECHOES)
def test_huge_input_is_echoed_cut_with_its_length(
    seeded: psycopg.Connection[Any], role: str, call: str, error: type[psycopg.Error]
) -> None:
    seeded.execute(f"set local role {role}")
    with pytest.raises(error) as raised:
        seeded.execute(call, (HUGE,))
    message = raised.value.diag.message_primary or ""
    assert len(message) < 300
    assert "x" * 100 + "… (1048576 characters)" in message
    assert len(str(raised.value)) < 1000  # nor in its hint or context


def test_blank_huge_model_is_echoed_cut(seeded: psycopg.Connection[Any]) -> None:
    seeded.execute("set local role anon")
    with pytest.raises(psycopg.errors.InvalidParameterValue) as raised:
        seeded.execute("select resolve_model(%s)", (" " * 1_048_576,))
    message = raised.value.diag.message_primary or ""
    assert len(message) < 300
    assert message.endswith("… (1048576 characters)'")


def test_short_input_is_echoed_whole(seeded: psycopg.Connection[Any]) -> None:
    name = "n" * 100
    with pytest.raises(psycopg.errors.NoDataFound) as raised:
        seeded.execute("select resolve_model(%s)", (name,))
    assert raised.value.diag.message_primary == f"unknown model: {name}"


# --- defects 2 and 8: the notification is a bounded hint -------------------------------------


def _hints(listener: psycopg.Connection[Any]) -> list[tuple[bytes, dict[str, Any]]]:
    return [
        (n.payload.encode(), json.loads(n.payload))
        for n in listener.notifies(timeout=0.5)
        if n.channel == CHANNEL
    ]


def test_payload_stays_small_whatever_the_data_and_the_hint_reads_the_full_change(
    db_url: str,
) -> None:
    # 9,000 characters in every text field the trigger copies; control characters and
    # quotes are the ones JSON escapes widest (\u0001 is six bytes). Repetitive values
    # compress, so they fit the unique indexes; the payload would not have fit NOTIFY.
    name = "\x01" * 9000
    provider_name = '"' * 9000
    provider_id = "p" * 9000
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url, autocommit=True) as writer,
    ):
        listener.execute(f"listen {CHANNEL}")
        model_id = add_model(writer, name)
        pricing_id = add_price(
            writer,
            model_id,
            provider_name,
            "3",
            "15",
            source_key="k" * 9000,
            provider_id=provider_id,
        )
        writer.execute(
            "update provider_pricing set input_price_per_million = 2.5 where id = %s",
            (pricing_id,),
        )
        hints = _hints(listener)

        assert [h["change_type"] for _, h in hints] == ["insert", "update"]
        for raw, hint in hints:
            assert len(raw) < 1500
            assert hint["model"] == "\x01" * 64 + "…"
            assert hint["provider_name"] == '"' * 64 + "…"
            assert hint["pricing_id"] == pricing_id

        # A consumer that last saw id 0 reads both changes, whole.
        writer.execute("set role anon")
        changes = (
            writer.cursor(row_factory=dict_row)
            .execute("select * from price_changes_since(0)")
            .fetchall()
        )
    assert [c["id"] for c in changes] == [h["id"] for _, h in hints]
    update = changes[1]
    assert update["model_name"] == name
    assert update["provider_name"] == provider_name
    assert update["provider_id"] == provider_id
    assert (update["old_input_price_per_million"], update["new_input_price_per_million"]) == (
        Decimal("3"),
        Decimal("2.5"),
    )


def test_anon_can_send_a_hint_but_cannot_fake_a_change(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        model_id = add_model(conn, "gpt-x")
        add_price(conn, model_id, "openai", "1")
        (last_real,) = conn.execute("select max(id) from price_changes").fetchone() or (0,)

    forged = '{"id": 999999, "change_type": "update", "model": "gpt-x", "provider_name": "openai"}'
    with (
        psycopg.connect(db_url, autocommit=True) as listener,
        psycopg.connect(db_url, autocommit=True) as anon,
    ):
        listener.execute(f"listen {CHANNEL}")
        anon.execute("set role anon")
        # NOTIFY needs no privilege in Postgres (the statement, not just pg_notify()): anyone
        # may send a hint. That is why a hint is never the data.
        anon.execute(f"notify {CHANNEL}, '{forged}'")
        anon.execute("select pg_notify(%s, %s)", (CHANNEL, forged))
        [(_, first), (_, second)] = _hints(listener)
        assert first["id"] == second["id"] == 999999
        # ... but the change it names is read from price_changes, which anon cannot write.
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            anon.execute(
                "insert into price_changes (pricing_id, model_id, model_name, provider_name,"
                " provider_id, gateway, deployment, source, change_type)"
                " values (999999, 1, 'gpt-x', 'openai', 'x', '', '', 'litellm', 'update')"
            )
        assert anon.execute("select * from price_changes_since(999998, 10)").fetchall() == []
        # A consumer that tracks the last id it read finds only the real change.
        real = anon.execute("select id, change_type from price_changes_since(0)").fetchall()
        assert real == [(last_real, "insert")]


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        ("select * from price_changes_since(null)", "after_id"),
        ("select * from price_changes_since(0, 0)", "max_rows"),
        ("select * from price_changes_since(0, 10001)", "max_rows"),
        ("select * from price_changes_since(0, null)", "max_rows"),
    ],
)
def test_price_changes_since_refuses_bad_arguments(
    seeded: psycopg.Connection[Any], call: str, argument: str
) -> None:
    seeded.execute("set local role anon")
    with pytest.raises(
        psycopg.errors.InvalidParameterValue, match=f"^price_changes_since: {argument}"
    ):
        seeded.execute(call)


def test_price_changes_since_pages_in_id_order(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    for i in range(5):
        add_price(conn, model_id, f"p{i}", str(i + 1))
    conn.execute("set role authenticated")
    ids = [r[0] for r in conn.execute("select id from price_changes order by id")]
    first = [r[0] for r in conn.execute("select id from price_changes_since(0, 2)")]
    rest = [r[0] for r in conn.execute("select id from price_changes_since(%s)", (first[-1],))]
    assert first + rest == ids
    assert len(first) == 2
