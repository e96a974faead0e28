"""LiteLLM integration (issue 13 item 7): our routing strategy on a real `litellm.Router`
(mock_response, no network), the usage-recording CustomLogger, and `llm-intel
litellm-config`'s output loaded into a Router; on real Postgres with a small catalog."""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # before litellm loads: offline

import litellm
import psycopg
import pytest
import yaml
from typer.testing import CliRunner

from llm_intelligence import Constraints, NoRouteError, Router
from llm_intelligence.cli import app
from llm_intelligence.integrations.litellm import UsageLogger, install
from llm_intelligence.integrations.litellm_config import build_config, dump_config
from tests.factories import add_model, add_price
from tests.test_sync import make_settings

# The catalog's offers of m-route: provider_name -> (provider_id, $/M input = output).
OFFERS = {
    "openai": ("m-route", "1"),
    "together_ai": ("acme/m-route", "1.5"),
    "fireworks_ai": ("accounts/acme/m-route", "2"),
}


def deployment(provider: str, model_id: str, price: str, **info: Any) -> dict[str, Any]:
    per_token = float(Decimal(price) / 1_000_000)
    return {
        "model_name": "m-route",
        "litellm_params": {"model": f"{provider}/{model_id}", "api_key": "sk-test"},
        "model_info": {
            "id": provider,
            "input_cost_per_token": per_token,
            "output_cost_per_token": per_token,
            **info,
        },
    }


def model_list(**info: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        deployment(p, model_id, price, **info.get(p, {})) for p, (model_id, price) in OFFERS.items()
    ]


@pytest.fixture
def catalog(db_url: str) -> str:
    """m-route (three offers, 128k context), m-vision (vision + function calling), m-plain
    (no capabilities), ranked in the general category."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        route = add_model(conn, "m-route", provider="acme", context_window=128000)
        for provider, (model_id, price) in OFFERS.items():
            add_price(conn, route, provider, price, price, provider_id=model_id)
        vision = add_model(
            conn,
            "m-vision",
            provider="acme",
            context_window=128000,
            capabilities='{"vision": true, "function_calling": true}',
        )
        add_price(conn, vision, "openai", "3", "6", provider_id="m-vision")
        add_price(conn, vision, "groq", "2", "4", provider_id="m-vision-groq")
        plain = add_model(conn, "m-plain", provider="acme", context_window=32000)
        add_price(conn, plain, "mistral", "0.5", "0.5", provider_id="m-plain")
    return db_url


@pytest.fixture
def intel(catalog: str) -> Iterator[Router]:
    r = Router(settings=make_settings(), database_url=catalog, realtime=False, flush_interval=60)
    yield r
    r.close()


CALLBACK_LISTS = (
    "callbacks",
    "input_callback",
    "success_callback",
    "failure_callback",
    "_async_success_callback",
    "_async_failure_callback",
)


@pytest.fixture(autouse=True)
def _no_global_callbacks() -> Iterator[None]:
    """LiteLLM copies a CustomLogger from litellm.callbacks into its other callback lists
    at call time: restore them all, so a test's logger does not outlive its database."""
    saved = {name: list(getattr(litellm, name)) for name in CALLBACK_LISTS}
    yield
    for name, value in saved.items():
        setattr(litellm, name, value)


def expected_shares() -> dict[str, float]:
    weights = {p: 1 / float(price) ** 2 for p, (_, price) in OFFERS.items()}
    total = sum(weights.values())
    return {p: w / total for p, w in weights.items()}


async def picks(router: litellm.Router, n: int, **kwargs: Any) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _ in range(n):
        chosen = await router.async_get_available_deployment(
            model="m-route",
            messages=kwargs.get("messages", [{"role": "user", "content": "hi"}]),
            request_kwargs=dict(kwargs.get("request_kwargs", {})),
        )
        counts[chosen["model_info"]["id"]] += 1
    return counts


def within(counts: Counter[str], shares: dict[str, float], n: int) -> None:
    for provider, share in shares.items():
        bound = 4 * math.sqrt(share * (1 - share) / n)  # ~4 sigma: a seeded run, no flakes
        assert abs(counts[provider] / n - share) <= bound, (provider, counts, shares)


# --- the routing strategy -----------------------------------------------------------------


def test_picks_follow_one_over_price_squared(intel: Router) -> None:
    router = litellm.Router(model_list=model_list())
    strategy = install(router, intel=intel, seed=7)
    snapshot = intel.snapshots.get()
    weighed = strategy.weights(snapshot, router.model_list)
    assert [w.weight for w in weighed] == [1.0, 1 / 1.5**2, 0.25]
    n = 4000
    counts = asyncio.run(picks(router, n))
    within(counts, expected_shares(), n)


def test_a_real_completion_goes_through_the_strategy(intel: Router) -> None:
    router = litellm.Router(model_list=model_list())
    install(router, intel=intel, seed=1)

    async def run() -> set[str]:
        seen = set()
        for _ in range(40):
            response = await router.acompletion(
                model="m-route",
                messages=[{"role": "user", "content": "hello"}],
                mock_response="hi",
            )
            seen.add(response._hidden_params["model_id"])
        return seen

    assert asyncio.run(run()) <= set(OFFERS)
    # The sync path runs the same selection.
    response = router.completion(
        model="m-route", messages=[{"role": "user", "content": "hello"}], mock_response="hi"
    )
    assert response._hidden_params["model_id"] in OFFERS


def test_a_cooled_down_deployment_is_never_chosen(intel: Router) -> None:
    router = litellm.Router(model_list=model_list())
    install(router, intel=intel, seed=3)
    # openai is the cheapest (76 % of the picks): LiteLLM cools it down after a 429.
    router.cooldown_cache.add_deployment_to_cooldown(
        model_id="openai",
        original_exception=litellm.RateLimitError("slow down", "openai", "m-route"),
        exception_status=429,
        cooldown_time=600,
    )
    n = 1500
    counts = asyncio.run(picks(router, n))
    assert counts["openai"] == 0
    rest = {p: s for p, s in expected_shares().items() if p != "openai"}
    total = sum(rest.values())
    within(counts, {p: s / total for p, s in rest.items()}, n)


def test_a_deployment_whose_context_is_too_small_is_not_chosen(intel: Router) -> None:
    router = litellm.Router(
        model_list=model_list(openai={"max_input_tokens": 100}), enable_pre_call_checks=True
    )
    install(router, intel=intel, seed=5)
    long_prompt = [{"role": "user", "content": "word " * 2000}]
    counts = asyncio.run(picks(router, 300, messages=long_prompt))
    assert counts["openai"] == 0 and sum(counts.values()) == 300
    # A short prompt fits: openai takes its share again.
    assert asyncio.run(picks(router, 300))["openai"] > 150


def test_unknown_deployments_get_a_neutral_weight(intel: Router) -> None:
    router = litellm.Router(
        model_list=[
            *model_list(),
            {
                "model_name": "m-route",
                "litellm_params": {"model": "groq/not-in-the-catalog", "api_key": "k"},
                "model_info": {"id": "unknown"},
            },
        ]
    )
    strategy = install(router, intel=intel, seed=11)
    weighed = strategy.weights(intel.snapshots.get(), router.model_list)
    assert weighed[-1].weight == 1 / 1.5**2  # the median of the known weights
    assert "not in the catalog" in weighed[-1].reason


def test_constraints_exclude_deployments(intel: Router) -> None:
    router = litellm.Router(model_list=model_list())
    install(router, intel=intel, seed=2, constraints=Constraints(excluded_providers={"openai"}))
    counts = asyncio.run(picks(router, 200))
    assert counts["openai"] == 0 and sum(counts.values()) == 200
    # Per request, through metadata: a price ceiling only openai meets.
    per_request = {"metadata": {"llm_intelligence_constraints": {"max_price_per_million": "1"}}}
    router2 = litellm.Router(model_list=model_list())
    install(router2, intel=intel, seed=2)
    assert set(asyncio.run(picks(router2, 50, request_kwargs=per_request))) == {"openai"}
    nobody = {"metadata": {"llm_intelligence_constraints": {"max_price_per_million": "0.1"}}}
    with pytest.raises(NoRouteError, match=r"offer constraints"):
        asyncio.run(picks(router2, 1, request_kwargs=nobody))


def test_recent_failures_are_skipped(intel: Router) -> None:
    router = litellm.Router(model_list=model_list())
    install(router, intel=intel, seed=4)
    intel.get_model_pricing("m-route")  # loads the snapshot
    intel.report_failure("m-route", "openai")
    assert asyncio.run(picks(router, 200))["openai"] == 0


# --- the usage logger ---------------------------------------------------------------------


def test_usage_logger_records_exact_sums(intel: Router, catalog: str) -> None:
    router = litellm.Router(model_list=model_list(), num_retries=0)
    install(router, intel=intel, seed=9)
    usage_logger = UsageLogger(intel=intel)
    litellm.callbacks = [usage_logger]
    expected: dict[str, list[int]] = {}

    def add(provider: str, tokens_in: int, tokens_out: int, ok: bool) -> None:
        row = expected.setdefault(provider, [0, 0, 0, 0])
        row[0] += 1
        row[1] += ok
        row[2] += tokens_in
        row[3] += tokens_out

    async def run() -> None:
        for i in range(30):
            response = await router.acompletion(
                model="m-route",
                messages=[{"role": "user", "content": "tell me something " * (i + 1)}],
                mock_response="a fine answer " * (i % 4 + 1),
            )
            usage = response.usage
            add(
                response._hidden_params["model_id"],
                usage.prompt_tokens,
                usage.completion_tokens,
                True,
            )
        for _ in range(4):
            with pytest.raises((litellm.exceptions.APIError, litellm.InternalServerError)):
                await router.acompletion(
                    model="m-route",
                    messages=[{"role": "user", "content": "fail"}],
                    mock_response=Exception("boom"),
                )
        deadline = time.monotonic() + 20
        while usage_logger.recorded < 34 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    asyncio.run(run())
    # The sync hooks too.
    response = router.completion(
        model="m-route", messages=[{"role": "user", "content": "sync"}], mock_response="ok"
    )
    add(
        response._hidden_params["model_id"],
        response.usage.prompt_tokens,
        response.usage.completion_tokens,
        True,
    )
    deadline = time.monotonic() + 20
    while usage_logger.recorded < 35 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert usage_logger.recorded == 35 and usage_logger.skipped == 0
    assert intel.flush() == 35
    with psycopg.connect(catalog) as conn:
        rows = conn.execute(
            "select provider_name, total_requests, success_count, total_input_tokens,"
            " total_output_tokens, total_cost from model_usage_stats"
        ).fetchall()
    got = {r[0]: r[1:] for r in rows}
    assert sum(r[0] for r in got.values()) == 35
    assert sum(r[1] for r in got.values()) == 31
    for provider, (_, _, tokens_in, tokens_out) in expected.items():
        if provider not in got:
            continue
        assert got[provider][2:4] == (tokens_in, tokens_out), provider
        price = Decimal(OFFERS[provider][1])
        assert got[provider][4] == (tokens_in + tokens_out) * price / 1_000_000, provider
    assert sum(v[2] for v in got.values()) == sum(v[2] for v in expected.values())
    assert sum(v[3] for v in got.values()) == sum(v[3] for v in expected.values())


# --- litellm-config -----------------------------------------------------------------------


def test_litellm_config_loads_into_a_router_with_ranked_fallbacks(intel: Router) -> None:
    config = build_config(intel, limit=10)
    text = dump_config(config)
    assert "sk-" not in text
    loaded = yaml.safe_load(text)
    router = litellm.Router(
        model_list=loaded["model_list"], fallbacks=loaded["router_settings"]["fallbacks"]
    )
    groups = set(router.get_model_names())
    assert groups == {"m-route", "m-vision", "m-plain"}
    order = [str(m) for m in intel.get_ranked_models(limit=10)]
    by_group: dict[str, list[dict[str, Any]]] = {}
    for d in loaded["model_list"]:
        by_group.setdefault(d["model_name"], []).append(d)
        params = d["litellm_params"]
        assert all(str(v).startswith("os.environ/") for k, v in params.items() if "key" in k)
    assert {d["litellm_params"]["model"] for d in by_group["m-route"]} == {
        f"{p}/{model_id}" for p, (model_id, _) in OFFERS.items()
    }
    assert by_group["m-route"][0]["litellm_params"]["weight"] == 1.0
    fallbacks = {k: v for f in loaded["router_settings"]["fallbacks"] for k, v in f.items()}
    for model in ("m-route", "m-plain"):
        # The next models in our ranking (no capabilities to match).
        later = [m for m in order if order.index(m) > order.index(model)]
        assert fallbacks.get(model, []) == later[:3]
    # Nothing else has vision and function calling: m-vision has no fallback.
    assert "m-vision" not in fallbacks

    async def call() -> Any:
        return await router.acompletion(
            model=order[0], messages=[{"role": "user", "content": "hi"}], mock_response="ok"
        )

    assert asyncio.run(call()).choices[0].message.content == "ok"


def test_litellm_config_command_writes_the_file(
    catalog: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", catalog)
    out = tmp_path / "config.yaml"
    result = CliRunner().invoke(app, ["litellm-config", "--limit", "2", "--output", str(out)])
    assert result.exit_code == 0, result.output
    loaded = yaml.safe_load(out.read_text())
    assert len({d["model_name"] for d in loaded["model_list"]}) == 2
    litellm.Router(model_list=loaded["model_list"])


def test_proxy_handler_installs_the_strategy_once(intel: Router) -> None:
    from llm_intelligence.integrations import litellm as integration

    assert integration.proxy_handler is integration.proxy_handler  # built once, on access
    handler = integration.ProxyHandler(intel=intel)
    router = litellm.Router(model_list=model_list())
    assert handler.ensure_installed(router) is True
    assert handler.ensure_installed(router) is False
    strategy = router.async_get_available_deployment.__self__
    assert isinstance(strategy, integration.RoutingStrategy)


def test_the_package_imports_without_litellm() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['litellm'] = None\n"  # an import of litellm would fail
        "import llm_intelligence, llm_intelligence.cli\n"
        "import llm_intelligence.integrations.litellm_config\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
