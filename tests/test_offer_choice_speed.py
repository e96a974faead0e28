"""Migration 20261202000800 (faster offer choice) changes how source_offers counts the
sources that agree, not what it returns: every row of source_offers, current_pricing,
price_conflicts and price_outliers equals what the previous definitions (migration
20261202000500, read from its file) return, on an offline-synced catalog and on offers
built to reach each branch of the agreement count."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest

from llm_intelligence.collectors.runner import sync
from tests.conftest import fresh_database
from tests.factories import add_model, add_price
from tests.test_sync import make_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "supabase" / "migrations"
PREVIOUS = MIGRATIONS / "20261202000500_provider_catalog_and_honest_minimums.sql"


def _previous_view(name: str) -> str:
    """The body of `create view public.<name>` as migration 20261202000500 wrote it."""
    text = PREVIOUS.read_text()
    found = re.search(
        rf"create view public\.{name}\nwith \(security_invoker = true\) as\n(.*?);\n",
        text,
        re.DOTALL,
    )
    assert found, name
    return found.group(1)


def _old_queries() -> dict[str, str]:
    source_offers = f"({_previous_view('source_offers')})"
    current_pricing = "({})".format(
        _previous_view("current_pricing").replace("public.source_offers", source_offers)
    )
    return {
        "source_offers": source_offers,
        "current_pricing": current_pricing,
        "price_conflicts": "({})".format(
            _previous_view("price_conflicts").replace("public.source_offers", source_offers)
        ),
        "price_outliers": "({})".format(
            _previous_view("price_outliers").replace("public.current_pricing", current_pricing)
        ),
    }


def _rows(conn: psycopg.Connection[Any], relation: str) -> Counter[str]:
    # Text form: equal values with a different scale (1.0 and 1.00) count as different.
    # The relation is a view name or a query from a migration file, never user input.
    query = f"select x::text from {relation} x"  # noqa: S608
    return Counter(r[0] for r in conn.execute(query).fetchall())


def _assert_same_as_before(conn: psycopg.Connection[Any]) -> dict[str, int]:
    sizes = {}
    for view, old in _old_queries().items():
        new_rows = _rows(conn, f"public.{view}")
        old_rows = _rows(conn, old)
        assert new_rows == old_rows, (
            view,
            list((new_rows - old_rows).elements())[:5],
            list((old_rows - new_rows).elements())[:5],
        )
        sizes[view] = sum(new_rows.values())
    return sizes


@pytest.fixture(scope="module")
def offline_url(admin_url: str, template_url: str) -> Iterator[str]:
    with fresh_database(admin_url) as url:
        settings = make_settings(
            litellm_url=None, openrouter_url=None, models_dev_url=None, genai_prices_url=None
        )
        sync(url, settings=settings, offline=True)
        yield url


def test_offline_catalog_every_row_as_before(offline_url: str) -> None:
    with psycopg.connect(offline_url) as conn:
        sizes = _assert_same_as_before(conn)
        # The catalog reaches every branch: single-source offers, offers on which every
        # source agrees, and offers a source is more than 1 % away from.
        branches = dict(
            conn.execute(
                "select choice_rule, count(*) from public.source_offers"
                " where choice_rank = 1 group by choice_rule"
            ).fetchall()
        )
    assert sizes["source_offers"] > 5000
    assert sizes["price_conflicts"] > 0 and sizes["price_outliers"] > 0
    assert {"only source", "sources agree", "agreement", "priority"} <= set(branches)


def test_built_offers_every_row_as_before(conn: psycopg.Connection[Any]) -> None:
    model = add_model(conn, "choice-speed-model")
    # Tight: three sources within 1 % of each other (every source agrees).
    add_price(conn, model, "openai", "1.00", "4.00", source="litellm", source_key="t1")
    add_price(conn, model, "openai", "1.005", "4.01", source="models-dev", source_key="t2")
    add_price(conn, model, "openai", "0.995", "3.99", source="genai-prices", source_key="t3")
    # Loose: two sources agree, a third is off; the odd one agrees with a second id of
    # another source (an id that is not the one that source shows).
    add_price(conn, model, "together_ai", "2", "2", source="litellm", source_key="l1")
    add_price(conn, model, "together_ai", "2.01", "2.01", source="models-dev", source_key="l2")
    add_price(conn, model, "together_ai", "5", "5", source="genai-prices", source_key="l3")
    add_price(
        conn,
        model,
        "together_ai",
        "5",
        "5",
        source="litellm",
        source_key="l4",
        provider_id="together_ai/choice-speed-model:extended",
    )
    # Input agrees, output does not; an alias of the provider; a free tier.
    add_price(conn, model, "nano-gpt", "1", "1", source="litellm", source_key="a1")
    add_price(conn, model, "nanogpt", "1", "1.5", source="models-dev", source_key="a2")
    add_price(conn, model, "openrouter", "0", "0", source="openrouter", is_free_tier=True)
    for key, price in (("g1", "3"), ("g2", "3.02"), ("g3", "3.05")):
        add_price(
            conn,
            model,
            "deepinfra",
            price,
            Decimal(price) * 2,
            source={"g1": "litellm", "g2": "models-dev", "g3": "genai-prices"}[key],
            source_key=key,
            gateway="openrouter",
        )
    sizes = _assert_same_as_before(conn)
    assert sizes["source_offers"] >= 12
    rules = dict(
        conn.execute(
            "select provider_name || '/' || gateway, choice_rule from public.source_offers"
            " where choice_rank = 1 and model_id = %s",
            (model,),
        ).fetchall()
    )
    assert rules["openai/"] == "sources agree"
    assert rules["together_ai/"] != "sources agree"
