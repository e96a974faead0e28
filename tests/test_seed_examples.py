"""The seed document's four SQL examples, verbatim, on a catalog synced from the bundled
offline snapshots (issue 10, item 2): they run as written, as the owner and as `anon`
(the role a Supabase client reads with), and return sensible rows.

Every public function of the SQL API is also called once on that catalog, so a function
whose stored body still named a column the seed's names replaced would fail here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

from llm_intelligence.collectors.runner import sync
from tests.conftest import fresh_database
from tests.test_sync import make_settings

# The seed's examples, character for character.
TOP_COST_EFFICIENCY = """\
SELECT name, provider, cost_efficiency_score, has_free_tier FROM model_rankings ORDER BY cost_efficiency_score DESC LIMIT 10;"""  # noqa: E501
MULTI_PROVIDER = """\
SELECT name, provider_count, min_input_cost, composite_score FROM model_rankings WHERE provider_count > 1 ORDER BY composite_score DESC;"""  # noqa: E501
FREE_TIER = """\
SELECT name, provider, coding_score, reasoning_score FROM model_rankings WHERE has_free_tier = true ORDER BY performance_score DESC;"""  # noqa: E501
CLAUDE_OFFERS = """\
SELECT pp.provider_name, pp.input_price_per_million, pp.is_free_tier, pp.rate_limits
FROM provider_pricing pp JOIN models m ON pp.model_id = m.id
WHERE m.name = 'claude-3.5-sonnet' ORDER BY pp.input_price_per_million ASC;"""

ROLES = ["owner", "anon"]


@pytest.fixture(scope="module")
def catalog_url(admin_url: str, template_url: str) -> Iterator[str]:
    """One database synced offline from the bundled snapshots, shared by the module (the
    tests only read it)."""
    with fresh_database(admin_url) as url:
        settings = make_settings(
            litellm_url=None, openrouter_url=None, models_dev_url=None, genai_prices_url=None
        )
        reports = sync(url, settings=settings, offline=True)
        statuses = {r.source: r.status for r in reports}
        assert [statuses[n] for n in ("litellm", "models-dev", "genai-prices")] == ["succeeded"] * 3
        yield url


def _run(url: str, role: str, statement: str) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        if role != "owner":
            conn.execute(f"set role {role}")
        return conn.execute(statement).fetchall()


def _scalar(url: str, statement: str, *params: Any) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(statement, params).fetchone()
    assert row is not None
    return row[0]


def _descending(values: list[Any]) -> bool:
    return all(a >= b for a, b in pairwise(values))


def _by_name(url: str, statement: str) -> dict[str, Any]:
    """name -> value, for a statement that selects (name, value) from model_rankings."""
    with psycopg.connect(url) as conn:
        return dict(conn.execute(statement).fetchall())


@pytest.mark.parametrize("role", ROLES)
def test_top_ten_by_cost_efficiency(catalog_url: str, role: str) -> None:
    rows = _run(catalog_url, role, TOP_COST_EFFICIENCY)

    assert len(rows) == 10
    assert list(rows[0]) == ["name", "provider", "cost_efficiency_score", "has_free_tier"]
    scores = [r["cost_efficiency_score"] for r in rows]
    # Every model has a score (0 without a token price), so the cheapest come first, not
    # the unpriced ones a descending order would put first if they were null.
    assert None not in scores
    assert _descending(scores)
    assert scores[0] == _scalar(
        catalog_url, "select max(cost_efficiency_score) from model_rankings"
    )
    assert all(Decimal(0) < score <= Decimal(1) for score in scores)
    priced = _by_name(catalog_url, "select name, min_input_cost from model_rankings")
    assert all(priced[r["name"]] is not None for r in rows)
    assert (
        _scalar(
            catalog_url, "select count(*) from model_rankings where cost_efficiency_score is null"
        )
        == 0
    )


@pytest.mark.parametrize("role", ROLES)
def test_models_served_by_several_providers(catalog_url: str, role: str) -> None:
    rows = _run(catalog_url, role, MULTI_PROVIDER)

    assert len(rows) > 100
    assert list(rows[0]) == ["name", "provider_count", "min_input_cost", "composite_score"]
    assert _descending([r["composite_score"] for r in rows])
    # provider_count is what the offers say: that many serving providers with a price.
    served_by = _by_name(
        catalog_url,
        "select m.name, count(distinct cp.provider_name) from current_pricing cp"
        " join models m on m.id = cp.model_id group by m.name",
    )
    for row in rows:
        assert row["provider_count"] > 1
        assert served_by[row["name"]] == row["provider_count"], row["name"]
        assert row["min_input_cost"] is not None


@pytest.mark.parametrize("role", ROLES)
def test_free_tier_models_by_performance(catalog_url: str, role: str) -> None:
    rows = _run(catalog_url, role, FREE_TIER)

    assert len(rows) > 10
    assert list(rows[0]) == ["name", "provider", "coding_score", "reasoning_score"]
    performance = _by_name(catalog_url, "select name, performance_score from model_rankings")
    assert _descending([performance[r["name"]] for r in rows])
    assert all(r["coding_score"] is not None and r["reasoning_score"] is not None for r in rows)
    # Each really has an active free offer.
    free = set(
        _by_name(
            catalog_url,
            "select m.name, count(*) from provider_pricing p join models m on m.id = p.model_id"
            " where p.is_active and p.is_free_tier group by m.name",
        )
    )
    assert {r["name"] for r in rows} <= free


@pytest.mark.parametrize("role", ROLES)
def test_claude_3_5_sonnet_offers_cheapest_first(catalog_url: str, role: str) -> None:
    rows = _run(catalog_url, role, CLAUDE_OFFERS)

    assert rows, "no offer for claude-3.5-sonnet: its canonical name is not spelled with a dot"
    assert list(rows[0]) == [
        "provider_name",
        "input_price_per_million",
        "is_free_tier",
        "rate_limits",
    ]
    prices = [
        r["input_price_per_million"] for r in rows if r["input_price_per_million"] is not None
    ]
    assert prices == sorted(prices)
    # Who serves it, not who made it: Anthropic and at least one cloud or gateway.
    served_by = {r["provider_name"] for r in rows}
    assert "anthropic" in served_by and len(served_by) > 1
    assert all(isinstance(r["rate_limits"], dict) for r in rows)
    assert all(Decimal(1) <= price <= Decimal(10) for price in prices)  # $3 list price


def test_every_public_function_runs_on_the_synced_catalog(catalog_url: str) -> None:
    """Function bodies are text: one that still named a renamed column fails when called."""
    with psycopg.connect(catalog_url) as conn:
        model = conn.execute(
            "select name from model_rankings where provider_count > 1 and min_input_cost > 0"
            " order by provider_count desc, name limit 1"
        ).fetchone()
        assert model is not None
        name = model[0]
        (server,) = conn.execute(
            "select provider_name from provider_options(%s) limit 1", (name,)
        ).fetchone() or (None,)
        calls: dict[str, tuple[str, tuple[Any, ...]]] = {
            "resolve_model": ("select resolve_model(%s)", (name,)),
            "rank_models": (
                "select count(*) from rank_models(category => 'coding', max_results => 5)",
                (),
            ),
            "provider_options": (
                "select count(*) from provider_options(%s)"
                " where provider_id is not null and pricing_id is not null",
                (name,),
            ),
            "estimate_cost": (
                "select estimate_cost(model => %s, input_tokens => 1000, output_tokens => 100,"
                " provider_name => %s)",
                (name, server),
            ),
            "record_usage": (
                "select record_usage(model => %s, provider_name => %s, input_tokens => 10,"
                " output_tokens => 5, cost => 0.001, latency_ms => 120, success => true)",
                (name, server),
            ),
            "refresh_model_rankings": ("select refresh_model_rankings()", ()),
            "price_changes_since": ("select count(*) from price_changes_since(0, 10)", ()),
            "model_rankings_status": ("select stale from model_rankings_status()", ()),
            "ranking_method": ("select categories from ranking_method()", ()),
        }
        public = {
            row[0]
            for row in conn.execute(
                "select p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                " where n.nspname = 'public'"
            )
        }
        assert public <= set(calls), f"add a call for {sorted(public - set(calls))}"
        for function, (statement, params) in calls.items():
            if function in public:
                assert conn.execute(statement, params).fetchone() is not None, function
        usage = conn.execute(
            "select id, provider_name, date, total_requests, total_input_tokens,"
            " total_output_tokens, avg_response_time_ms, success_rate from model_usage_stats"
        ).fetchone()
        assert (
            usage is not None
            and usage[1:2] == (server,)
            and usage[3:] == (1, 10, 5, Decimal(120), Decimal(1))
        )
        # The trigger functions (history, notification, refresh request): a price change
        # writes one history row that names who serves it. Rolled back below.
        conn.execute(
            "update provider_pricing set input_price_per_million = input_price_per_million + 1"
            " where id = (select min(id) from provider_pricing"
            " where is_active and input_price_per_million is not null)"
        )
        change = conn.execute(
            "select provider_name, provider_id from price_changes where change_type = 'update'"
        ).fetchone()
        assert change is not None and all(change)
        conn.rollback()


def test_no_function_body_names_a_column_the_seed_renamed(catalog_url: str) -> None:
    old_names = r"\m(provider_model_id|raw_score|request_count|measured_on|avg_latency_ms|family)\M"
    with psycopg.connect(catalog_url) as conn:
        stale = conn.execute(
            "select n.nspname || '.' || p.proname from pg_proc p"
            " join pg_namespace n on n.oid = p.pronamespace"
            " where n.nspname in ('public', 'llm_intel_private') and p.prosrc ~ %s",
            (old_names,),
        ).fetchall()
    assert stale == []
