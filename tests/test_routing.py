"""Routing (issue 13 items 1-4): the seed's integration snippets as written, the Router /
AsyncRouter twins, provider picks, constraints, strategies, the snapshot's refreshes and
record_usage, on real Postgres (an offline-synced catalog, or a few rows from factories)."""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest

import llm_intelligence
from llm_intelligence import (
    AsyncRouter,
    Constraints,
    NoRouteError,
    RankedModel,
    Router,
    UnknownModelError,
)
from llm_intelligence.errors import DatabaseError
from llm_intelligence.routing import close_default_routers
from llm_intelligence.routing.transports import PsycopgTransport
from tests.factories import add_model, add_price
from tests.test_seed_examples import catalog_url  # noqa: F401 (a module fixture)
from tests.test_sync import make_settings

CODING_PROMPT = (
    "Write a Python function that parses a CSV file and returns a list of dicts, "
    "with type hints and a unit test. "
) * 16


def router(url: str, **kwargs: Any) -> Router:
    return Router(settings=make_settings(), database_url=url, realtime=False, **kwargs)


@pytest.fixture
def small_url(db_url: str) -> str:
    """Three models: m-one (three providers), m-vision (vision, one provider), m-big (1M
    context, one expensive provider)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        one = add_model(conn, "m-one", provider="acme", context_window=8000)
        add_price(conn, one, "one", "1", "1")
        add_price(conn, one, "two", "2", "2")
        add_price(conn, one, "three", "3", "3")
        vision = add_model(
            conn,
            "m-vision",
            provider="acme",
            context_window=128000,
            capabilities='{"vision": true, "function_calling": true}',
        )
        add_price(conn, vision, "two", "5", "15")
        big = add_model(conn, "m-big", provider="acme", context_window=1_000_000)
        add_price(conn, big, "three", "10", "30")
    return db_url


# --- the seed's snippets, as written ----------------------------------------------------

SEED_SNIPPETS = """
from llm_intelligence.supabase_client import get_optimal_provider
async def select_provider(model_name: str) -> str:
    provider_data = await get_optimal_provider(model_name)
    return provider_data['provider_id']

from llm_intelligence.rankings import get_model_pricing
def get_real_time_pricing(model_name: str) -> dict:
    return get_model_pricing(model_name)

from llm_intelligence.rankings import get_ranked_models
def get_recommended_model(use_case: str) -> str:
    if use_case == "coding":
        return get_ranked_models(category="coding")[0]
    elif use_case == "reasoning":
        return get_ranked_models(category="reasoning")[0]
"""


@pytest.fixture
def default_routers(catalog_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:  # noqa: F811
    monkeypatch.setenv("DATABASE_URL", catalog_url)
    monkeypatch.setenv("ENABLE_REAL_TIME_UPDATES", "false")
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    close_default_routers()
    yield
    close_default_routers()


def test_seed_snippets_run_as_written(default_routers: None, catalog_url: str) -> None:  # noqa: F811
    namespace: dict[str, Any] = {}
    exec(compile(SEED_SNIPPETS, "seed.py", "exec"), namespace)  # the seed's code, verbatim
    provider_id = asyncio.run(namespace["select_provider"]("gpt-4o"))
    with psycopg.connect(catalog_url) as conn:
        ids = {
            r[0]
            for r in conn.execute(
                "select provider_id from provider_options('gpt-4o') where selection_probability > 0"
            )
        }
    assert provider_id in ids

    pricing = namespace["get_real_time_pricing"]("gpt-4o")
    assert isinstance(pricing, dict)
    assert isinstance(pricing["min_input_cost"], Decimal)
    assert {p["provider_name"] for p in pricing["providers"]} >= {"openai", "azure"}

    coding = namespace["get_recommended_model"]("coding")
    assert isinstance(coding, str) and isinstance(coding, RankedModel)
    with psycopg.connect(catalog_url) as conn:
        top = conn.execute("select name from rank_models(category => 'coding', max_results => 1)")
        assert coding == top.fetchone()[0]  # type: ignore[index]
    assert coding.rank == 1 and coding.coding_composite is not None
    assert namespace["get_recommended_model"]("reasoning")
    # Usable wherever a model name string is expected: back into the API.
    assert namespace["get_real_time_pricing"](coding)["model"] == coding


# --- one core, two twins ----------------------------------------------------------------


def _public(cls: type) -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(member)
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_")
    }


def test_sync_and_async_twins_have_the_same_api() -> None:
    sync_api, async_api = _public(Router), _public(AsyncRouter)
    assert sync_api.keys() == async_api.keys()
    for name, signature in sync_api.items():
        assert list(signature.parameters) == list(async_api[name].parameters), name
        assert all(
            p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD, p.POSITIONAL_ONLY)
            for p in signature.parameters.values()
        )
        twin = getattr(AsyncRouter, name)
        if name != "report_failure":
            assert inspect.iscoroutinefunction(twin), name


def test_sync_and_async_twins_answer_the_same(catalog_url: str) -> None:  # noqa: F811
    settings = make_settings()

    async def async_answers() -> list[Any]:
        async with AsyncRouter(
            settings=settings, database_url=catalog_url, realtime=False, seed=7
        ) as r:
            return [
                await r.get_optimal_provider("gpt-4o"),
                await r.get_ranked_models("math", limit=5),
                await r.estimate_cost("gpt-4o", 1234, 567, provider="openai"),
                await r.get_model_pricing("claude-3.5-sonnet"),
                await r.build_fallback_chain("coding", strategy="cost_optimized"),
                await r.route(CODING_PROMPT, strategy="quality_optimized"),
            ]

    with Router(settings=settings, database_url=catalog_url, realtime=False, seed=7) as r:
        sync_answers = [
            r.get_optimal_provider("gpt-4o"),
            r.get_ranked_models("math", limit=5),
            r.estimate_cost("gpt-4o", 1234, 567, provider="openai"),
            r.get_model_pricing("claude-3.5-sonnet"),
            r.build_fallback_chain("coding", strategy="cost_optimized"),
            r.route(CODING_PROMPT, strategy="quality_optimized"),
        ]
    assert asyncio.run(async_answers()) == sync_answers


# --- answers against SQL ----------------------------------------------------------------


def test_snapshot_answers_match_sql(catalog_url: str) -> None:  # noqa: F811
    with router(catalog_url) as r, psycopg.connect(catalog_url) as conn:
        for category in (None, "coding", "general"):
            names = [
                row[0]
                for row in conn.execute(
                    "select name from rank_models(category => %s, max_results => 10)",
                    (category,),
                )
            ]
            assert r.get_ranked_models(category, limit=10) == names
        for model, provider in [
            ("gpt-4o", None),
            ("gpt-4o", "openai"),
            ("gpt-4o", "azure"),
            ("claude-3.5-sonnet", None),
            ("claude-3.5-sonnet", "anthropic"),
        ]:
            sql = conn.execute(
                "select estimate_cost(%s, 123457, 9876, %s)", (model, provider)
            ).fetchone()
            assert sql is not None
            assert r.estimate_cost(model, 123457, 9876, provider) == sql[0]
        shares = dict(
            conn.execute(
                "select provider_name || '/' || provider_id || '/' || pricing_id,"
                " selection_probability from provider_options('gpt-4o')"
            ).fetchall()
        )
        choice = r.get_optimal_provider("gpt-4o")
        key = f"{choice.provider_name}/{choice.provider_id}/{choice.option.pricing_id}"
        assert choice.probability == pytest.approx(shares[key], abs=Decimal("1e-9"))


def test_custom_weights_ask_sql(catalog_url: str) -> None:  # noqa: F811
    with router(catalog_url) as r, psycopg.connect(catalog_url) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "select name from rank_models(cost_weight => 1, performance_weight => 0,"
                " max_results => 5)"
            )
        ]
        got = r.get_ranked_models(weights={"cost": 1, "performance": 0}, limit=5)
        assert got == names and got[0].rank == 1


# --- provider picks ---------------------------------------------------------------------


def test_pick_follows_inverse_square_price_and_skips_failures(small_url: str) -> None:
    with router(small_url, seed=3) as r:
        counts = Counter(r.get_optimal_provider("m-one").provider_name for _ in range(4000))
        shares = {k: v / 4000 for k, v in counts.items()}
        # 1/1 : 1/4 : 1/9 -> 0.7347, 0.1837, 0.0816 (the SQL test's figures)
        assert shares == pytest.approx({"one": 0.7347, "two": 0.1837, "three": 0.0816}, abs=0.03)

        r.report_failure("m-one", "one")
        picks = {r.get_optimal_provider("m-one").provider_name for _ in range(300)}
        assert picks == {"two", "three"}
        choice = r.get_optimal_provider("m-one")
        assert "one: failed in the last 30 s" in choice.reason
        # A success afterwards does not outweigh it yet (1 failure of 2 outcomes).
        r.failures.record("m-one", "one", success=True)
        assert "one" not in {r.get_optimal_provider("m-one").provider_name for _ in range(200)}


def test_pick_keeps_all_when_all_failed(small_url: str) -> None:
    with router(small_url, seed=1) as r:
        r.report_failure("m-vision", "two")
        choice = r.get_optimal_provider("m-vision")
        assert choice.provider_name == "two"
        assert "all kept" in choice.reason


def test_failures_expire_after_thirty_seconds(
    small_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with router(small_url) as r:
        r.report_failure("m-one", "one")
        assert r.failures.failing("m-one", "one")
        later = time.monotonic() + 31
        monkeypatch.setattr(time, "monotonic", lambda: later)
        assert not r.failures.failing("m-one", "one")


# --- constraints and errors -------------------------------------------------------------


def test_unknown_model(small_url: str) -> None:
    with router(small_url) as r:
        with pytest.raises(UnknownModelError, match="unknown model: no-such-model"):
            r.get_optimal_provider("no-such-model")
        assert r.get_model_pricing("M-One").model == "m-one"


def test_constraints_explain_what_excluded_what(small_url: str) -> None:
    with router(small_url) as r:
        with pytest.raises(NoRouteError) as caught:
            r.route("hello there", constraints=Constraints(min_context=2_000_000))
        assert "min_context excluded 3 models" in str(caught.value)
        assert caught.value.excluded == {"models:min_context": 3}

        with pytest.raises(NoRouteError, match=r"excluded_providers excluded 3 offers"):
            r.get_optimal_provider(
                "m-one", constraints=Constraints(excluded_providers={"one", "two", "three"})
            )
        with pytest.raises(
            NoRouteError,
            match=r"min_context excluded 2 models; required_capabilities excluded 1 model$",
        ):
            r.route(
                "hi", constraints=Constraints(required_capabilities={"vision"}, min_context=200000)
            )

        decision = r.route("hi", constraints=Constraints(required_capabilities={"vision"}))
        assert decision.model == "m-vision"
        with pytest.raises(ValueError, match="unknown capabilities"):
            Constraints(required_capabilities={"telepathy"})


def test_request_must_fit_and_cost_limits(small_url: str) -> None:
    with router(small_url) as r:
        long_prompt = "word " * 8000  # 40,000 chars -> 10,000 tokens: only 128k+ models fit
        decision = r.route(long_prompt)
        assert decision.model in {"m-vision", "m-big"}
        assert decision.input_tokens == 10_000
        expected = (
            decision.input_tokens * Decimal(5) + decision.expected_output_tokens * Decimal(15)
        ) / Decimal(1_000_000)
        if decision.model == "m-vision":
            assert decision.expected_cost == expected
        cheap = r.route(
            "hi",
            constraints=Constraints(max_cost_per_request=Decimal("0.0004")),
        )
        assert cheap.model == "m-one" and cheap.expected_cost <= Decimal("0.0004")
        with pytest.raises(NoRouteError, match="budget_remaining"):
            r.route("hi", constraints=Constraints(budget_remaining=Decimal("0.0000001")))
        priced = r.route("hi", constraints=Constraints(max_price_per_million=Decimal("1.5")))
        assert (priced.model, priced.provider_name) == ("m-one", "one")
        only = r.route("hi", constraints=Constraints(allowed_models={"m-big"}))
        assert only.model == "m-big" and only.provider_name == "three"


def test_strategies_and_fallback_chain(small_url: str) -> None:
    with router(small_url, seed=5) as r:
        for strategy in llm_intelligence.STRATEGIES:
            decision = r.route(CODING_PROMPT, strategy=strategy)
            assert decision.strategy == strategy
            assert decision.task_type == "coding" and 0 < decision.confidence <= 1
            assert decision.reasons
        vision = r.route(
            [
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "What is in this picture?"},
                        {"type": "image_url", "image_url": {"url": "data:,"}},
                    ],
                }
            ],
            strategy="capability_match",
        )
        assert vision.model == "m-vision" and "needs vision" in vision.reasons
        chain = r.build_fallback_chain("m-one")
        assert [(o.model, o.provider_name) for o in chain][:3] == [
            ("m-one", "one"),
            ("m-one", "two"),
            ("m-one", "three"),
        ]
        assert chain[0].expected_cost == Decimal("0.002")  # 1000 + 1000 tokens at $1/M
        chain = r.build_fallback_chain(
            None, constraints=Constraints(excluded_providers={"one"}), limit=10
        )
        assert all(o.provider_name != "one" for o in chain)
        with pytest.raises(NoRouteError):
            r.build_fallback_chain("m-one", constraints=Constraints(allowed_providers={"zzz"}))


# --- the snapshot ------------------------------------------------------------------------


class FlakyTransport(PsycopgTransport):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.broken = False

    def rankings(self) -> list[dict[str, Any]]:
        if self.broken:
            raise DatabaseError("routing read failed: connection refused (test)")
        return super().rankings()


def test_failed_refresh_keeps_the_last_good_snapshot(
    small_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    transport = FlakyTransport(small_url)
    with Router(settings=make_settings(), transport=transport, realtime=False) as r:
        good = r.snapshots.get()
        assert good.stale_since is None
        transport.broken = True
        with caplog.at_level(logging.WARNING):
            stale = r.refresh()
        assert stale.stale_since is not None and "connection refused" in (stale.last_error or "")
        assert stale.models == good.models
        assert "keeping the one loaded at" in caplog.text
        assert r.get_optimal_provider("m-one").provider_name in {"one", "two", "three"}
        transport.broken = False
        assert r.refresh().stale_since is None


def test_snapshot_refreshes_on_a_committed_price_change(small_url: str) -> None:
    settings = make_settings()
    with Router(settings=settings, database_url=small_url, realtime=True, ttl=600) as r:
        assert r.estimate_cost("m-big", 1_000_000, 0) == Decimal(10)
        before = r.snapshots.refreshes
        with psycopg.connect(small_url, autocommit=True) as conn:
            conn.execute(
                "update provider_pricing set input_price_per_million = 7"
                " where provider_name = 'three' and model_id ="
                " (select id from models where name = 'm-big')"
            )
        deadline = time.monotonic() + 15
        while r.snapshots.refreshes == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert r.snapshots.refreshes > before
        assert r.estimate_cost("m-big", 1_000_000, 0) == Decimal(7)


def test_ttl_polling_refreshes(small_url: str) -> None:
    with Router(settings=make_settings(), database_url=small_url, realtime=False, ttl=0.2) as r:
        r.snapshots.get()
        deadline = time.monotonic() + 10
        while r.snapshots.refreshes == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert r.snapshots.refreshes >= 1


# --- record_usage -------------------------------------------------------------------------


def test_record_usage_is_flushed_on_close_with_exact_sums(small_url: str) -> None:
    r = router(small_url, flush_interval=60)
    started = time.perf_counter()
    for i in range(250):
        r.record_usage(
            model="m-one",
            provider_name="two",
            input_tokens=1000 + i,
            output_tokens=10,
            latency_ms=100 + i,
            success=i % 10 != 0,
            cost=Decimal("0.000123"),
        )
    r.record_usage(
        model="m-one",
        provider_name="one",
        input_tokens=1000,
        output_tokens=500,
        latency_ms=5,
        success=True,
    )
    enqueue_seconds = time.perf_counter() - started
    assert enqueue_seconds < 2  # never waits for the database (60 s flush interval)
    r.close()
    with psycopg.connect(small_url) as conn:
        rows = conn.execute(
            "select provider_name, total_requests, success_count, total_input_tokens,"
            " total_output_tokens, total_cost, latency_ms_sum from model_usage_stats"
            " order by provider_name"
        ).fetchall()
    assert rows == [
        ("one", 1, 1, 1000, 500, Decimal("0.0015"), 5),
        (
            "two",
            250,
            225,
            250 * 1000 + sum(range(250)),
            2500,
            Decimal("0.000123") * 250,
            250 * 100 + sum(range(250)),
        ),
    ]


def test_router_as_context_manager_flushes(small_url: str) -> None:
    with router(small_url, flush_interval=60) as r:
        r.record_usage(
            model="m-one",
            provider_name="one",
            input_tokens=1,
            output_tokens=2,
            latency_ms=3,
            success=False,
        )
    with psycopg.connect(small_url) as conn:
        row = conn.execute("select total_requests, success_count from model_usage_stats").fetchone()
    assert row == (1, 0)
