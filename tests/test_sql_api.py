"""rank_models, provider_options, estimate_cost and record_usage on a real Postgres."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from tests.factories import add_model, add_price


def _shares(conn: psycopg.Connection[Any], model: str) -> dict[str, Decimal]:
    return dict(
        conn.execute(
            "select provider_name, selection_probability from provider_options(%s)", (model,)
        )
    )


def _add_alias(conn: psycopg.Connection[Any], alias: str, model_id: int) -> None:
    conn.execute(
        "insert into model_aliases (alias, model_id, source) values (%s, %s, 'test')",
        (alias, model_id),
    )


def _add_score(conn: psycopg.Connection[Any], model_id: int, category: str, score: str) -> None:
    conn.execute(
        "insert into benchmark_scores"
        " (model_id, benchmark_name, benchmark_category, source_organization, score)"
        " values (%s, %s, %s, 'test', %s)",
        (model_id, f"bench-{category}-{score}", category, Decimal(score)),
    )


@pytest.fixture
def three_providers(conn: psycopg.Connection[Any]) -> psycopg.Connection[Any]:
    model_id = add_model(conn, "claude-sonnet-4-5", provider="anthropic")
    _add_alias(conn, "anthropic/claude-sonnet-4.5", model_id)
    for provider, price in [("one", "1"), ("two", "2"), ("three", "3")]:
        add_price(conn, model_id, provider, price, price)
    return conn


def test_provider_options_follow_inverse_square_price(
    three_providers: psycopg.Connection[Any],
) -> None:
    rows = three_providers.execute(
        "select provider_name, selection_probability from provider_options('claude-sonnet-4-5')"
    ).fetchall()
    shares = {name: float(p) for name, p in rows}
    assert shares == pytest.approx({"one": 0.7347, "two": 0.1837, "three": 0.0816}, abs=5e-5)
    assert sum(p for _, p in rows) == pytest.approx(Decimal(1), abs=Decimal("1e-9"))
    assert [name for name, _ in rows] == ["one", "two", "three"]


def test_provider_options_use_blended_price(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "cheap-input", "1", "9")  # blended (3 + 9) / 4 = 3
    add_price(conn, model_id, "flat", "3", "3")  # blended 3
    rows = _shares(conn, "m")
    assert rows["cheap-input"] == rows["flat"] == Decimal("0.5")


def test_provider_options_free_rows_only_when_nothing_paid(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "llama")
    add_price(conn, model_id, "paid", "1", source_key="paid")
    add_price(conn, model_id, "free-host", "0", "0", is_free_tier=True, source_key="free")
    rows = _shares(conn, "llama")
    assert rows == {"paid": Decimal(1), "free-host": Decimal(0)}

    conn.execute("update provider_pricing set is_active = false where source_key = 'paid'")
    rows = _shares(conn, "llama")
    assert rows == {"free-host": Decimal(1)}


def test_provider_options_skip_recent_outages(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "healthy", "2", uptime_pct=Decimal("99.5"))
    add_price(conn, model_id, "down", "1", uptime_pct=Decimal("40"))
    rows = _shares(conn, "m")
    assert rows == {"healthy": Decimal(1), "down": Decimal(0)}


def test_preferred_source_wins_for_the_same_offer(conn: psycopg.Connection[Any]) -> None:
    model_id = add_model(conn, "m")
    add_price(conn, model_id, "openai", "5", source="genai-prices", source_key="a")
    add_price(conn, model_id, "openai", "4", source="litellm", source_key="b")
    rows = conn.execute(
        "select provider_name, input_price_per_million, source from provider_options('m')"
    ).fetchall()
    assert rows == [("openai", Decimal("4"), "litellm")]


def test_alias_and_unknown_model(three_providers: psycopg.Connection[Any]) -> None:
    by_alias = three_providers.execute(
        "select count(*) from provider_options('anthropic/claude-sonnet-4.5')"
    ).fetchone()
    assert by_alias == (3,)
    with pytest.raises(psycopg.errors.NoDataFound, match="unknown model: gpt-9"):
        three_providers.execute("select * from provider_options('gpt-9')")


def test_estimate_cost_exact_and_cheapest(three_providers: psycopg.Connection[Any]) -> None:
    cost = three_providers.execute(
        "select estimate_cost('claude-sonnet-4-5', 1234, 567)"
    ).fetchone()
    assert cost == (Decimal("0.001801"),)  # (1234 x 1 + 567 x 1) / 1e6 at provider "one"
    named = three_providers.execute(
        "select estimate_cost(model => 'anthropic/claude-sonnet-4.5', input_tokens => 1000000,"
        " output_tokens => 1000000, provider_name => 'three')"
    ).fetchone()
    assert named == (Decimal("6"),)


def test_estimate_cost_errors_name_what_was_wrong(
    three_providers: psycopg.Connection[Any],
) -> None:
    with pytest.raises(psycopg.errors.NoDataFound, match="at provider_name nowhere"):
        three_providers.execute("select estimate_cost('claude-sonnet-4-5', 1, 1, 'nowhere')")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="input_tokens"):
        three_providers.execute("select estimate_cost('claude-sonnet-4-5', -1, 1)")
    with pytest.raises(psycopg.errors.NoDataFound, match="unknown model: nope"):
        three_providers.execute("select estimate_cost('nope', 1, 1)")


def _ranked(conn: psycopg.Connection[Any], call: str = "rank_models()") -> list[str]:
    return [r[0] for r in conn.execute(f"select name from {call}")]  # noqa: S608


def test_rank_models_orders_by_composite(conn: psycopg.Connection[Any]) -> None:
    strong = add_model(conn, "strong", context_window=200000, capabilities='{"vision": true}')
    cheap = add_model(conn, "cheap", context_window=8000)
    unscored = add_model(conn, "unscored-free", context_window=32000)
    add_model(conn, "unpriced")
    add_price(conn, strong, "p", "3", "15")
    add_price(conn, cheap, "p", "0.1", "0.4")
    add_price(conn, unscored, "p", "0", "0", is_free_tier=True)
    for category in ("coding", "reasoning", "math", "general"):
        _add_score(conn, strong, category, "0.9")
        _add_score(conn, strong, category, "0.85")
        _add_score(conn, cheap, category, "0.5")

    rows = conn.execute("select rank, name, composite_score from rank_models()").fetchall()
    names = [r[1] for r in rows]
    # No benchmark evidence must not win on price alone; models without a price are not ranked.
    assert names == ["strong", "cheap", "unscored-free"]
    assert [r[0] for r in rows] == [1, 2, 3]

    view = dict(conn.execute("select name, composite_score from model_rankings"))
    assert [r[-1] for r in rows] == [view[name] for name in names]
    # Unpriced models stay in the view (one row per model) with no cost credit.
    assert view["unpriced"] == view["unscored-free"] == Decimal("0.06")


def test_rank_models_weights_filters_and_category(conn: psycopg.Connection[Any]) -> None:
    strong = add_model(conn, "strong", context_window=200000, capabilities='{"vision": true}')
    cheap = add_model(conn, "cheap", context_window=8000)
    add_price(conn, strong, "p", "3", "15")
    add_price(conn, cheap, "p", "0.1", "0.4")
    _add_score(conn, strong, "coding", "0.95")
    _add_score(conn, cheap, "math", "0.99")

    assert _ranked(conn, "rank_models(cost_weight => 1, performance_weight => 0)") == [
        "cheap",
        "strong",
    ]
    assert _ranked(conn, "rank_models(category => 'coding', cost_weight => 0)") == [
        "strong",
        "cheap",
    ]
    assert _ranked(conn, "rank_models(category => 'math', cost_weight => 0)") == [
        "cheap",
        "strong",
    ]
    assert _ranked(conn, "rank_models(max_input_price => 1)") == ["cheap"]
    assert _ranked(conn, "rank_models(min_context => 100000)") == ["strong"]
    assert _ranked(conn, "rank_models(capabilities => array['vision'])") == ["strong"]
    assert _ranked(conn, "rank_models(max_results => 1)") == _ranked(conn)[:1]


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ("rank_models(category => 'poetry')", "category"),
        ("rank_models(cost_weight => -1)", "cost_weight"),
        ("rank_models(cost_weight => 0, performance_weight => 0)", "both be 0"),
        ("rank_models(max_results => 0)", "max_results"),
        ("rank_models(max_input_price => -2)", "max_input_price"),
    ],
)
def test_rank_models_rejects_bad_arguments(
    conn: psycopg.Connection[Any], call: str, named: str
) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=named):
        conn.execute(f"select * from {call}")  # noqa: S608


def test_missing_evidence_shrinks_toward_prior(conn: psycopg.Connection[Any]) -> None:
    one = add_model(conn, "one-perfect-score")
    many = add_model(conn, "many-good-scores")
    add_price(conn, one, "p", "1")
    add_price(conn, many, "p", "1")
    _add_score(conn, one, "coding", "1.0")
    for i in range(8):
        conn.execute(
            "insert into benchmark_scores"
            " (model_id, benchmark_name, benchmark_category, source_organization, score)"
            " values (%s, %s, 'coding', 'test', 0.8)",
            (many, f"b{i}"),
        )
    scores = dict(conn.execute("select name, coding_score from model_rankings"))
    # Hand-entered rows are one leaderboard each, at the identity calibration: theta =
    # (n x mean logit + 0.25 x logit(0.1)) / (n + 0.25); a perfect score reads as 0.99.
    prior = math.log(0.1 / 0.9)
    one_theta = (math.log(0.99 / 0.01) + 0.25 * prior) / 1.25
    many_theta = (8 * math.log(0.8 / 0.2) + 0.25 * prior) / 8.25
    assert scores["one-perfect-score"] == round(Decimal(1 / (1 + math.exp(-one_theta))), 6)
    assert scores["many-good-scores"] == round(Decimal(1 / (1 + math.exp(-many_theta))), 6)
    assert scores["many-good-scores"] < Decimal("0.8") < scores["one-perfect-score"]


def test_record_usage_adds_to_todays_row(conn: psycopg.Connection[Any]) -> None:
    add_model(conn, "m")
    conn.execute("select record_usage('m', 'p', 100, 50, 0.0015, 200, true)")
    conn.execute("select record_usage('m', 'p', 10, 5, 0.0005, 400, false)")
    row = conn.execute(
        "select total_requests, success_count, total_input_tokens, total_output_tokens,"
        " total_cost, latency_ms_sum, success_rate, avg_response_time_ms,"
        " date = (now() at time zone 'utc')::date"
        " from model_usage_stats"
    ).fetchone()
    assert row == (2, 1, 110, 55, Decimal("0.0020"), 600, Decimal("0.5"), Decimal(300), True)


def test_record_usage_rejects_bad_input(conn: psycopg.Connection[Any]) -> None:
    add_model(conn, "m")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="cost"):
        conn.execute("select record_usage('m', 'p', 1, 1, -1, 1, true)")
    with pytest.raises(psycopg.errors.NoDataFound, match="unknown model: ghost"):
        conn.execute("select record_usage('ghost', 'p', 1, 1, 0, 1, true)")
    assert conn.execute("select count(*) from model_usage_stats").fetchone() == (0,)


def test_fifty_concurrent_record_usage_calls_sum_exactly(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        add_model(conn, "m")

    def call(i: int) -> None:
        with psycopg.connect(db_url, autocommit=True) as c:
            c.execute(
                "select record_usage('m', 'p', %s, %s, %s, %s, %s)",
                (i, 2 * i, Decimal("0.000001") * i, i, i % 5 != 0),
            )

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(call, range(1, 51)))

    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "select total_requests, success_count, total_input_tokens, total_output_tokens,"
            " total_cost, latency_ms_sum from model_usage_stats"
        ).fetchone()
    total = sum(range(1, 51))
    assert row == (50, 40, total, 2 * total, Decimal("0.000001") * total, total)


@pytest.mark.parametrize("category", [None, "coding", "reasoning", "math", "general"])
def test_index_path_agrees_with_scoring_every_candidate(
    conn: psycopg.Connection[Any], category: str | None
) -> None:
    """Default weights read the stored composite from an index; weights a hair away take
    the full-scoring path. Both must rank the same models the same way."""
    conn.execute(
        "insert into models (name, context_window) select 'm' || g, 1000 * g"
        " from generate_series(1, 60) g"
    )
    conn.execute(
        "insert into provider_pricing (model_id, source, source_key, provider_name,"
        " provider_id, input_price_per_million, output_price_per_million)"
        " select id, 'litellm', name, 'p', name, (id % 7) + 0.5, (id % 5) + 1 from models"
    )
    conn.execute(
        "insert into benchmark_scores"
        " (model_id, benchmark_name, benchmark_category, source_organization, score)"
        " select id, 'b' || c, c, 't', ((id * 37 + length(c)) % 100) / 100.0"
        " from models, unnest(array['coding', 'reasoning', 'math', 'general']) c"
        " where id % 3 <> 0"
    )
    fast = conn.execute(
        "select name, composite_score from rank_models(category => %s, max_results => 25)",
        (category,),
    ).fetchall()
    full = conn.execute(
        "select name, composite_score from rank_models(category => %s,"
        " cost_weight => 0.4000000001, performance_weight => 0.6, max_results => 25)",
        (category,),
    ).fetchall()
    assert fast == full
    assert len({score for _, score in fast}) > 5  # a real ordering, not all ties
