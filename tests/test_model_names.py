"""Canonical names as people type them, in Python and in SQL (issue 10, item 3).

* `resolve_model` in SQL finds what `identity.canonical_model_name` finds for names
  people type (a catalog synced from the offline snapshots);
* a catalog synced with the old, dashed names is renamed in place by the next sync:
  model ids, prices and aliases stay, and every old name still resolves;
* an unknown name's error suggests the closest canonical names.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from llm_intelligence.collectors.renames import RENAME_SOURCE
from llm_intelligence.collectors.runner import sync
from llm_intelligence.identity import canonical_model_name, model_key
from tests.factories import add_model, add_price
from tests.test_sync import make_settings

OFFLINE = {"litellm_url": None, "openrouter_url": None, "models_dev_url": None,
           "genai_prices_url": None}  # fmt: skip

# Names as people type them: the issue's, OpenRouter ids, vendor ids, other cases and
# separators. Each must resolve in SQL to the model Python names.
TYPED = [
    "Claude-3.5-Sonnet",
    "claude-3.5-sonnet",
    "claude-3-5-sonnet",
    "claude-3-5-sonnet-20241022",
    "anthropic/claude-3.5-sonnet",
    "claude-opus-4.1",
    "claude-opus-4-1",
    "claude-sonnet-4.5",
    "claude-sonnet-4-5-20250929",
    "CLAUDE-HAIKU-4.5",
    "qwen2.5-72b-instruct",
    "Qwen/Qwen2.5-72B-Instruct",
    "mistral-small-3.2",
    "gpt-4.1",
    "GPT-4.1",
    "gpt-4.1-mini",
    "openai/gpt-4.1-mini",
    "gpt 4.1 nano",
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4o-2024-08-06",
    "gpt-3.5-turbo",
    "o1-mini",
    "o3",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "Gemini-2.0-Flash",
    "llama-3.3-70b-instruct",
    "meta-llama/llama-3.3-70b-instruct",
    "llama-3.1-405b-instruct",
    "deepseek-r1",
    "deepseek-v3.1",
    "mistral-large-2411",
    "grok-4",
]


@pytest.fixture(scope="module")
def offline_catalog(module_db_url: str) -> Iterator[psycopg.Connection[Any]]:
    reports = sync(module_db_url, settings=make_settings(**OFFLINE), offline=True)
    assert all(r.status in ("succeeded", "skipped") for r in reports), reports
    with psycopg.connect(module_db_url, autocommit=True) as conn:
        yield conn


def _resolved(conn: psycopg.Connection[Any], typed: str) -> str:
    row = conn.execute(
        "select m.name from public.models m where m.id = public.resolve_model(%s)", (typed,)
    ).fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.parametrize("typed", TYPED)
def test_sql_finds_what_python_finds(offline_catalog: psycopg.Connection[Any], typed: str) -> None:
    assert _resolved(offline_catalog, typed) == canonical_model_name(typed)


def test_names_hold_their_dots_and_no_junk(offline_catalog: psycopg.Connection[Any]) -> None:
    names = [r[0] for r in offline_catalog.execute("select name from public.models")]
    dotted = [n for n in names if "." in n]
    assert len(dotted) > 500
    for name in ("gpt-4.1", "claude-3.5-sonnet", "claude-sonnet-4.5", "gemini-2.5-pro",
                 "llama-3.3-70b-instruct", "deepseek-r1"):  # fmt: skip
        assert name in names
    assert not {"chat", "small", "free", "gpt", "dev", "gpt-4-1", "claude-3-5-sonnet"} & set(names)


def test_unknown_name_suggests_the_closest(offline_catalog: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.NoDataFound) as raised:
        offline_catalog.execute("select public.resolve_model('claude-3.5-sonet')")
    message = raised.value.diag.message_primary or ""
    assert message.startswith("unknown model: claude-3.5-sonet; did you mean claude-3.5-sonnet")
    assert "claude-3.5-haiku" in message


def test_unrelated_name_suggests_nothing(offline_catalog: psycopg.Connection[Any]) -> None:
    with pytest.raises(psycopg.errors.NoDataFound) as raised:
        offline_catalog.execute("select public.resolve_model('zzzz-no-such-model')")
    assert raised.value.diag.message_primary == "unknown model: zzzz-no-such-model"


def test_separator_blind_lookup_is_never_ambiguous(conn: psycopg.Connection[Any]) -> None:
    add_model(conn, "qwen3-1.7b")
    add_model(conn, "qwen3.1-7b")
    assert _resolved(conn, "QWEN3-1.7B") == "qwen3-1.7b"
    with pytest.raises(psycopg.errors.NoDataFound):
        conn.execute("select public.resolve_model('qwen3_1_7b')")  # one key, two models


# --- an old catalog is renamed in place ------------------------------------------------------


def test_old_names_are_renamed_in_place_and_still_resolve(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        # As the old rule wrote them: dashed names, source ids as aliases, prices attached.
        gpt = add_model(conn, "gpt-4-1", provider="openai")
        conn.execute(
            "insert into public.model_aliases (alias, model_id, source)"
            " values ('gpt-4.1-2025-04-14', %s, 'litellm')",
            (gpt,),
        )
        gpt_price = add_price(
            conn, gpt, "openai", Decimal(2), Decimal(8), source_key="gpt-4.1-2025-04-14",
            provider_id="gpt-4.1-2025-04-14",
        )  # fmt: skip
        sonnet = add_model(conn, "claude-3-5-sonnet", provider="anthropic")  # no alias at all
        old_price = add_price(conn, sonnet, "somewhere", Decimal(3), source="models-dev")
        llama = add_model(conn, "llama-3-3-70b", provider="meta-llama")

    sync(db_url, settings=make_settings(**OFFLINE), sources=["litellm"], offline=True)

    with psycopg.connect(db_url, autocommit=True) as conn:
        ids = dict(conn.execute("select name, id from public.models").fetchall())
        assert ids["gpt-4.1"] == gpt
        assert ids["claude-3.5-sonnet"] == sonnet
        assert ids["llama-3.3-70b-instruct"] == llama
        assert not {"gpt-4-1", "claude-3-5-sonnet", "llama-3-3-70b"} & set(ids)
        prices = dict(conn.execute("select id, model_id from public.provider_pricing").fetchall())
        assert prices[gpt_price] == gpt
        assert prices[old_price] == sonnet
        aliases = dict(
            conn.execute(
                "select alias, model_id from public.model_aliases where source = %s",
                (RENAME_SOURCE,),
            ).fetchall()
        )
        assert aliases == {"gpt-4-1": gpt, "claude-3-5-sonnet": sonnet, "llama-3-3-70b": llama}
        for old, model_id in aliases.items():
            assert _resolved(conn, old) == canonical_model_name(old)
            assert conn.execute("select public.resolve_model(%s)", (old,)).fetchone() == (model_id,)
        assert _resolved(conn, "gpt-4.1-2025-04-14") == "gpt-4.1"

    # A second sync has nothing left to rename, and changes nothing.
    sync(db_url, settings=make_settings(**OFFLINE), sources=["litellm"], offline=True)
    with psycopg.connect(db_url) as conn:
        assert conn.execute(
            "select count(*) from public.model_aliases where source = %s", (RENAME_SOURCE,)
        ).fetchone() == (3,)


def test_old_names_are_the_model_keys() -> None:
    assert model_key("gpt-4.1") == "gpt-4-1"
    assert model_key("llama-3.3-70b-instruct") == "llama-3-3-70b"
