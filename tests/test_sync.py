"""End-to-end collector runs: `sync()` against upstreams served by httpx.MockTransport,
with every effect checked on the real Postgres of the `db_url` fixture.

`sync()` has no `sleep` seam, and `fetch_json` binds `time.sleep` as a default argument
(so patching `time.sleep` would not reach it): the `sleeps` fixture swaps that default
for a recorder, so retry tests neither wait nor lose track of the delays asked for.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from llm_intelligence.collectors import fetch, openrouter
from llm_intelligence.collectors.runner import SourceReport, payload_fingerprint, sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import SyncLockedError
from llm_intelligence.sources import SourceKind, source_names
from tests.factories import refresh_count

DATA = Path(__file__).parent / "data"
CHANNEL = "llm_intel_price_changes"

LITELLM_URL = "https://litellm.test/model_prices_and_context_window.json"
OPENROUTER_URL = "https://openrouter.test/api/v1"
MODELS_DEV_URL = "https://models-dev.test/api.json"
GENAI_PRICES_URL = "https://genai-prices.test/data.json"
FINISHED = {"succeeded", "failed", "refused"}


# --- upstream ------------------------------------------------------------------------

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def _key(url: str | httpx.URL) -> str:
    return str(httpx.URL(str(url)).copy_with(query=None))


def json_response(payload: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(payload).encode())


class FakeUpstream:
    """Every upstream at once, by URL. A route replies in turn; its last reply repeats.
    Unknown URLs are a 404, as on the real sites."""

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self.requests: list[httpx.Request] = []

    def route(self, url: str, *replies: Reply) -> None:
        self._routes[_key(url)] = list(replies)

    def json(self, url: str, payload: Any) -> None:
        self.route(url, lambda _request: json_response(payload))

    def count(self, url: str) -> int:
        return sum(1 for r in self.requests if _key(r.url) == _key(url))

    def handler(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            replies = self._routes.get(_key(request.url))
            if not replies:
                return httpx.Response(404, json={"error": "not found"})
            reply = replies.pop(0) if len(replies) > 1 else replies[0]
        if isinstance(reply, Exception):
            raise reply
        if callable(reply):
            return reply(request)
        return reply

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))


@pytest.fixture
def upstream() -> FakeUpstream:
    return FakeUpstream()


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry delays fetch_json asked for, recorded instead of slept."""
    slept: list[float] = []
    for function in (fetch.fetch_json, openrouter.fetch_openrouter, openrouter.collect_openrouter):
        assert function.__kwdefaults__ is not None
        monkeypatch.setitem(function.__kwdefaults__, "sleep", slept.append)
    return slept


def make_settings(**overrides: Any) -> Settings:
    """Every location pointing at the fake upstream; nothing read from the environment."""
    values: dict[str, Any] = {
        "database_url": None,
        "litellm_url": LITELLM_URL,
        "openrouter_url": OPENROUTER_URL,
        "models_dev_url": MODELS_DEV_URL,
        "genai_prices_url": GENAI_PRICES_URL,
        "openrouter_api_key": None,
        "github_token": None,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def run(db_url: str, upstream: FakeUpstream, *sources: str, **kwargs: Any) -> list[SourceReport]:
    settings = kwargs.pop("settings", None) or make_settings()
    with upstream.client() as client:
        return sync(db_url, settings=settings, sources=list(sources), client=client, **kwargs)


def run_one(db_url: str, upstream: FakeUpstream, source: str, **kwargs: Any) -> SourceReport:
    [report] = run(db_url, upstream, source, **kwargs)
    return report


# --- payloads ------------------------------------------------------------------------


def litellm_entry(
    input_per_token: Any,
    output_per_token: Any,
    *,
    provider: str = "openai",
    **fields: Any,
) -> dict[str, Any]:
    return {
        "litellm_provider": provider,
        "mode": "chat",
        "max_input_tokens": 128000,
        "max_output_tokens": 16384,
        "input_cost_per_token": input_per_token,
        "output_cost_per_token": output_per_token,
        **fields,
    }


def litellm_models(count: int, *, prefix: str = "acme-model") -> dict[str, Any]:
    """`count` distinct models, model i priced at i and 2i USD per million tokens."""
    return {f"{prefix}-{i}": litellm_entry(i * 1e-06, 2 * i * 1e-06) for i in range(1, count + 1)}


def models_dev_payload(provider_id: str, models: Mapping[str, Mapping[str, Any]]) -> dict:
    return {
        provider_id: {
            "id": provider_id,
            "name": provider_id.title(),
            "env": [],
            "npm": "@ai-sdk/openai-compatible",
            "doc": "https://example.test/docs",
            "models": {
                model_id: {
                    "id": model_id,
                    "name": model_id,
                    "limit": {"context": 200000, "output": 64000},
                    "modalities": {"input": ["text"], "output": ["text"]},
                    "cost": dict(cost),
                }
                for model_id, cost in models.items()
            },
        }
    }


def genai_prices_payload(provider_id: str, models: Mapping[str, Mapping[str, Any]]) -> list:
    return [
        {
            "id": provider_id,
            "name": provider_id.title(),
            "api_pattern": "https://api\\.example\\.test",
            "models": [
                {"id": model_id, "match": {"equals": model_id}, "prices": dict(prices)}
                for model_id, prices in models.items()
            ],
        }
    ]


def openrouter_model(model_id: str, prompt: str, completion: str, **pricing: str) -> dict:
    return {
        "id": model_id,
        "name": model_id,
        "context_length": 200000,
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "pricing": {"prompt": prompt, "completion": completion, **pricing},
        "top_provider": {"context_length": 200000, "max_completion_tokens": 64000},
        "supported_parameters": ["tools", "max_tokens"],
    }


def openrouter_endpoint(provider_name: str, tag: str, prompt: str, completion: str) -> dict:
    return {
        "name": f"{provider_name} | endpoint",
        "provider_name": provider_name,
        "tag": tag,
        "context_length": 200000,
        "pricing": {"prompt": prompt, "completion": completion},
        "quantization": "unknown",
        "status": 0,
        "uptime_last_30m": 99.5,
    }


def serve_openrouter(
    upstream: FakeUpstream,
    models: list[dict[str, Any]],
    endpoints: Mapping[str, list[dict[str, Any]]] | None = None,
) -> None:
    """`/models`, and every model's `/endpoints` (an empty list unless given)."""
    upstream.json(openrouter.models_url(OPENROUTER_URL), {"data": models})
    for model in models:
        listed = (endpoints or {}).get(model["id"], [])
        upstream.json(
            openrouter.endpoints_url(OPENROUTER_URL, model["id"]),
            {"data": {"id": model["id"], "name": model["id"], "endpoints": listed}},
        )


# --- database ------------------------------------------------------------------------


def query(db_url: str, sql: str, params: Any = None) -> list[dict[str, Any]]:
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        return conn.execute(sql, params).fetchall()


def scalar(db_url: str, sql: str, params: Any = None) -> Any:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def pricing(db_url: str, source: str) -> dict[str, dict[str, Any]]:
    rows = query(
        db_url,
        "select p.*, m.name as model_name from provider_pricing p"
        " join models m on m.id = p.model_id where p.source = %s",
        (source,),
    )
    return {row["source_key"]: row for row in rows}


def runs(db_url: str) -> list[dict[str, Any]]:
    return query(db_url, "select * from collector_runs order by id")


def catalog_state(db_url: str) -> dict[str, int]:
    """Row counts of everything a sync writes, and of the active rows."""
    return query(
        db_url,
        "select (select count(*) from models) as models,"
        " (select count(*) from models where is_active) as active_models,"
        " (select count(*) from model_aliases) as aliases,"
        " (select count(*) from provider_pricing) as prices,"
        " (select count(*) from provider_pricing where is_active) as active_prices,"
        " (select count(*) from price_changes) as price_changes",
    )[0]


EMPTY = {
    "models": 0,
    "active_models": 0,
    "aliases": 0,
    "prices": 0,
    "active_prices": 0,
    "price_changes": 0,
}


def notifications(listener: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    return [
        json.loads(n.payload, parse_float=Decimal)
        for n in listener.notifies(timeout=0.5)
        if n.channel == CHANNEL
    ]


# --- 1. exact prices -------------------------------------------------------------------


def test_litellm_per_token_prices_become_exact_per_million(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.json(
        LITELLM_URL,
        {
            "claude-sonnet-4-5-20250929": litellm_entry(
                3e-06, 1.5e-05, provider="anthropic", cache_read_input_token_cost=3e-07
            ),
            # Float arithmetic would make this 2.9999900000000004; it must stay as written.
            "databricks/databricks-claude-sonnet-4-5": litellm_entry(
                2.9999900000000002e-06, 1.5000020000000002e-05, provider="databricks"
            ),
        },
    )

    report = run_one(db_url, upstream, "litellm")

    assert (report.status, report.inserted, report.rejected) == ("succeeded", 2, 0)
    rows = pricing(db_url, "litellm")
    anthropic = rows["claude-sonnet-4-5-20250929"]
    assert anthropic["input_price_per_million"] == Decimal("3")
    assert anthropic["output_price_per_million"] == Decimal("15")
    assert anthropic["cache_read_price_per_million"] == Decimal("0.3")
    databricks = rows["databricks/databricks-claude-sonnet-4-5"]
    assert str(databricks["input_price_per_million"]) == "2.9999900000000002"
    assert str(databricks["output_price_per_million"]) == "15.000020000000002"


def test_models_dev_prices_are_stored_as_published(db_url: str, upstream: FakeUpstream) -> None:
    upstream.json(
        MODELS_DEV_URL,
        models_dev_payload(
            "anthropic",
            {
                "claude-sonnet-4-5": {
                    "input": 3,
                    "output": 15,
                    "cache_read": 0.3,
                    "cache_write": 3.75,
                }
            },
        ),
    )

    report = run_one(db_url, upstream, "models-dev")

    assert (report.status, report.inserted) == ("succeeded", 1)
    row = pricing(db_url, "models-dev")["anthropic/claude-sonnet-4-5"]
    assert row["input_price_per_million"] == Decimal("3")
    assert row["output_price_per_million"] == Decimal("15")
    assert row["cache_read_price_per_million"] == Decimal("0.3")
    assert row["cache_write_price_per_million"] == Decimal("3.75")
    assert row["model_name"] == "claude-sonnet-4.5"


def test_genai_prices_prices_are_stored_as_published(db_url: str, upstream: FakeUpstream) -> None:
    upstream.json(
        GENAI_PRICES_URL,
        genai_prices_payload(
            "anthropic",
            {"claude-sonnet-4-5": {"input_mtok": 3, "output_mtok": 15, "cache_read_mtok": 0.3}},
        ),
    )

    report = run_one(db_url, upstream, "genai-prices")

    assert (report.status, report.inserted) == ("succeeded", 1)
    row = pricing(db_url, "genai-prices")["anthropic/claude-sonnet-4-5"]
    assert row["input_price_per_million"] == Decimal("3")
    assert row["output_price_per_million"] == Decimal("15")
    assert row["cache_read_price_per_million"] == Decimal("0.3")


# --- 2. rejected rows ------------------------------------------------------------------

LITELLM_WITH_BAD_PRICES = (
    "{"
    '"good-model": {"litellm_provider": "openai", "mode": "chat",'
    ' "input_cost_per_token": 1e-06, "output_cost_per_token": 2e-06},'
    '"negative-model": {"litellm_provider": "openai", "input_cost_per_token": -1e-06},'
    '"nan-string-model": {"litellm_provider": "openai", "input_cost_per_token": "NaN"},'
    '"nan-literal-model": {"litellm_provider": "openai", "input_cost_per_token": NaN},'
    '"text-price-model": {"litellm_provider": "openai", "output_cost_per_token": "cheap"}'
    "}"
)
BAD_KEYS = {"negative-model", "nan-string-model", "nan-literal-model", "text-price-model"}


def test_invalid_prices_are_rejected_counted_and_never_stored(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.route(LITELLM_URL, httpx.Response(200, content=LITELLM_WITH_BAD_PRICES.encode()))

    report = run_one(db_url, upstream, "litellm")

    assert (report.status, report.seen, report.rejected) == ("succeeded", 1, 4)
    [run_row] = runs(db_url)
    assert (run_row["rows_seen"], run_row["rows_rejected"]) == (1, 4)
    sample = {item["key"]: item["reason"] for item in run_row["details"]["rejected_sample"]}
    assert set(sample) == BAD_KEYS
    assert "negative" in sample["negative-model"]
    assert set(pricing(db_url, "litellm")) == {"good-model"}
    names = {r["name"] for r in query(db_url, "select name from models")}
    assert names == {"good-model"}


def test_openrouter_minus_one_price_is_rejected_and_not_stored(
    db_url: str, upstream: FakeUpstream
) -> None:
    serve_openrouter(
        upstream,
        [
            openrouter_model("openai/gpt-4o-mini", "0.00000015", "0.0000006"),
            openrouter_model("openrouter/auto", "-1", "-1"),
        ],
    )

    report = run_one(db_url, upstream, "openrouter")

    assert (report.status, report.seen, report.rejected) == ("succeeded", 1, 1)
    [run_row] = runs(db_url)
    assert run_row["rows_rejected"] == 1
    [rejected] = run_row["details"]["rejected_sample"]
    assert rejected["key"] == "openrouter/auto"
    assert "-1" in rejected["reason"]
    rows = pricing(db_url, "openrouter")
    assert set(rows) == {"openai/gpt-4o-mini"}
    assert rows["openai/gpt-4o-mini"]["input_price_per_million"] == Decimal("0.15")


def test_price_above_the_catalog_ceiling_rejects_only_its_row(
    db_url: str, upstream: FakeUpstream
) -> None:
    # 0.2 USD per token is 200,000 per million: above the 100,000 the schema accepts (a
    # unit mistake upstream). It must cost that one row, not the whole run.
    upstream.json(
        LITELLM_URL,
        {
            "good-model": litellm_entry(1e-06, 2e-06),
            "unit-mistake-model": litellm_entry(0.2, 0.4),
        },
    )

    report = run_one(db_url, upstream, "litellm")

    assert report.error is None
    assert (report.status, report.seen, report.rejected) == ("succeeded", 1, 1)
    assert set(pricing(db_url, "litellm")) == {"good-model"}


# --- 3. idempotent re-run --------------------------------------------------------------


def _serve_samples(upstream: FakeUpstream) -> None:
    """The checked-in upstream samples, byte for byte (routers have no endpoints: 404)."""
    upstream.route(
        LITELLM_URL, httpx.Response(200, content=(DATA / "litellm_prices_sample.json").read_bytes())
    )
    upstream.route(
        MODELS_DEV_URL,
        httpx.Response(200, content=(DATA / "models_dev_api_sample.json").read_bytes()),
    )
    upstream.route(
        GENAI_PRICES_URL,
        httpx.Response(200, content=(DATA / "genai_prices_sample.json").read_bytes()),
    )
    models = json.loads((DATA / "openrouter_models.json").read_text())
    upstream.json(openrouter.models_url(OPENROUTER_URL), models)
    for model_id, payload in json.loads((DATA / "openrouter_endpoints.json").read_text()).items():
        upstream.json(openrouter.endpoints_url(OPENROUTER_URL, model_id), payload)


def _updated_at(db_url: str) -> tuple[dict[int, Any], dict[int, Any]]:
    prices = query(db_url, "select id, updated_at from provider_pricing")
    models = query(db_url, "select id, updated_at from models")
    return (
        {r["id"]: r["updated_at"] for r in prices},
        {r["id"]: r["updated_at"] for r in models},
    )


@pytest.mark.parametrize("source", ["litellm", "openrouter", "models-dev", "genai-prices"])
def test_same_payload_twice_writes_nothing_the_second_time(
    db_url: str, upstream: FakeUpstream, source: str
) -> None:
    _serve_samples(upstream)
    first = run_one(db_url, upstream, source)
    assert first.status == "succeeded" and first.inserted == first.seen > 0
    before = _updated_at(db_url)
    changes = scalar(db_url, "select count(*) from price_changes")
    with psycopg.connect(db_url) as conn:
        refreshes = refresh_count(conn)

    second = run_one(db_url, upstream, source)

    assert second.status == "succeeded"
    assert (second.inserted, second.updated, second.deactivated) == (0, 0, 0)
    assert second.unchanged == second.seen == first.seen
    last = runs(db_url)[-1]
    assert (last["rows_inserted"], last["rows_updated"], last["rows_unchanged"]) == (
        0,
        0,
        first.seen,
    )
    assert last["details"]["models_inserted"] == last["details"]["models_updated"] == 0
    assert scalar(db_url, "select count(*) from price_changes") == changes
    assert _updated_at(db_url) == before
    with psycopg.connect(db_url) as conn:
        assert refresh_count(conn) == refreshes


# --- 4. one changed price ----------------------------------------------------------------


def test_one_changed_price_is_one_update_one_history_row_one_notification(
    db_url: str, upstream: FakeUpstream
) -> None:
    payload = litellm_models(5)
    upstream.json(LITELLM_URL, payload)
    run_one(db_url, upstream, "litellm")
    changes_before = scalar(db_url, "select count(*) from price_changes")
    payload["acme-model-3"] = litellm_entry(2.5e-06, 6e-06)  # input 3 -> 2.5, output same
    upstream.json(LITELLM_URL, payload)
    stamps_before = {k: row["updated_at"] for k, row in pricing(db_url, "litellm").items()}

    with psycopg.connect(db_url, autocommit=True) as listener:
        listener.execute(f"listen {CHANNEL}")
        report = run_one(db_url, upstream, "litellm")
        events = notifications(listener)

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 4)
    stamps_after = {k: row["updated_at"] for k, row in pricing(db_url, "litellm").items()}
    assert {k for k in stamps_after if stamps_after[k] != stamps_before[k]} == {"acme-model-3"}
    new_changes = query(
        db_url, "select * from price_changes where id > %s order by id", (changes_before,)
    )
    assert len(new_changes) == 1
    assert new_changes[0]["change_type"] == "update"
    assert new_changes[0]["model_name"] == "acme-model-3"
    assert len(events) == 1
    [event] = events
    assert (event["model"], event["provider_name"], event["source"]) == (
        "acme-model-3",
        "openai",
        "litellm",
    )
    # The notification is a hint: the change itself is the price_changes row it names.
    assert event["id"] == new_changes[0]["id"]
    change = new_changes[0]
    assert change["old_input_price_per_million"] == Decimal("3")
    assert change["new_input_price_per_million"] == Decimal("2.5")
    assert change["old_output_price_per_million"] == Decimal("6")
    assert change["new_output_price_per_million"] == Decimal("6")


# --- 5. vanishing and reappearing models ---------------------------------------------------


def _catalog_with_two_hosted_models() -> dict[str, Any]:
    payload = litellm_models(4)
    # Two models served by OpenAI and Azure; one of them will lose both, one only Azure.
    payload["azure/acme-model-3"] = litellm_entry(3.3e-06, 6.6e-06, provider="azure")
    payload["azure/acme-model-4"] = litellm_entry(4.4e-06, 8.8e-06, provider="azure")
    return payload


def _model_active(db_url: str, name: str) -> bool:
    return bool(scalar(db_url, "select is_active from models where name = %s", (name,)))


def test_vanished_model_is_deactivated_not_deleted(db_url: str, upstream: FakeUpstream) -> None:
    payload = _catalog_with_two_hosted_models()
    upstream.json(LITELLM_URL, payload)
    run_one(db_url, upstream, "litellm")
    gone = {"acme-model-4", "azure/acme-model-4", "azure/acme-model-3"}
    upstream.json(LITELLM_URL, {k: v for k, v in payload.items() if k not in gone})

    report = run_one(db_url, upstream, "litellm")

    assert (report.status, report.deactivated) == ("succeeded", 3)
    assert runs(db_url)[-1]["rows_deactivated"] == 3
    rows = pricing(db_url, "litellm")
    assert len(rows) == len(payload)  # nothing deleted
    for key in gone:
        assert rows[key]["is_active"] is False
        assert rows[key]["deactivated_at"] is not None
    assert all(row["is_active"] for key, row in rows.items() if key not in gone)
    assert _model_active(db_url, "acme-model-4") is False  # no active price left
    assert _model_active(db_url, "acme-model-3") is True  # still priced by OpenAI


def test_reappearing_model_is_reactivated(db_url: str, upstream: FakeUpstream) -> None:
    payload = _catalog_with_two_hosted_models()
    upstream.json(LITELLM_URL, payload)
    run_one(db_url, upstream, "litellm")
    upstream.json(LITELLM_URL, {k: v for k, v in payload.items() if "acme-model-4" not in k})
    run_one(db_url, upstream, "litellm")
    assert _model_active(db_url, "acme-model-4") is False
    upstream.json(LITELLM_URL, payload)

    report = run_one(db_url, upstream, "litellm")

    assert (report.inserted, report.updated) == (0, 2)
    rows = pricing(db_url, "litellm")
    assert all(row["is_active"] and row["deactivated_at"] is None for row in rows.values())
    assert _model_active(db_url, "acme-model-4") is True
    assert scalar(db_url, "select count(*) from models") == 4


# --- 6. shrink guard -------------------------------------------------------------------------


def test_payload_shrunk_below_half_is_refused_and_changes_nothing(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.json(LITELLM_URL, litellm_models(10))
    run_one(db_url, upstream, "litellm")
    before = catalog_state(db_url)
    upstream.json(LITELLM_URL, litellm_models(4))

    report = run_one(db_url, upstream, "litellm")

    assert report.status == "refused"
    assert report.error is not None
    assert re.search(r"\b4\b", report.error) and re.search(r"\b10\b", report.error)
    assert catalog_state(db_url) == before
    last = runs(db_url)[-1]
    assert (last["status"], last["error"]) == ("refused", report.error)
    assert last["rows_inserted"] == last["rows_updated"] == last["rows_deactivated"] == 0


def test_forced_sync_accepts_a_shrunk_payload(db_url: str, upstream: FakeUpstream) -> None:
    upstream.json(LITELLM_URL, litellm_models(10))
    run_one(db_url, upstream, "litellm")
    upstream.json(LITELLM_URL, litellm_models(4))

    report = run_one(db_url, upstream, "litellm", force=True)

    assert (report.status, report.unchanged, report.deactivated) == ("succeeded", 4, 6)
    state = catalog_state(db_url)
    assert (state["prices"], state["active_prices"]) == (10, 4)
    assert (state["models"], state["active_models"]) == (10, 4)


def test_half_the_entries_is_not_a_shrink(db_url: str, upstream: FakeUpstream) -> None:
    upstream.json(LITELLM_URL, litellm_models(10))
    run_one(db_url, upstream, "litellm")
    upstream.json(LITELLM_URL, litellm_models(5))

    report = run_one(db_url, upstream, "litellm")

    assert (report.status, report.deactivated) == ("succeeded", 5)


# --- 7. network --------------------------------------------------------------------------


def test_429_with_retry_after_is_retried_then_succeeds(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.route(
        LITELLM_URL,
        httpx.Response(429, headers={"Retry-After": "7"}),
        json_response(litellm_models(3)),
    )

    report = run_one(db_url, upstream, "litellm")

    assert (report.status, report.inserted) == ("succeeded", 3)
    assert upstream.count(LITELLM_URL) == 2
    assert sleeps == [7.0]  # the server's delay, not the backoff


def test_500_on_every_attempt_fails_the_run_and_writes_nothing(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.route(LITELLM_URL, httpx.Response(500))

    report = run_one(db_url, upstream, "litellm")

    assert report.status == "failed"
    assert upstream.count(LITELLM_URL) == 4
    assert len(sleeps) == 3
    assert report.error is not None and "500" in report.error and "4 attempt" in report.error
    [run_row] = runs(db_url)
    assert (run_row["status"], run_row["error"]) == ("failed", report.error)
    assert run_row["finished_at"] is not None
    assert catalog_state(db_url) == EMPTY


def test_timeout_on_every_attempt_fails_the_run(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.route(MODELS_DEV_URL, httpx.ReadTimeout("read timed out"))

    report = run_one(db_url, upstream, "models-dev")

    assert report.status == "failed"
    assert report.error is not None and "ReadTimeout" in report.error
    assert upstream.count(MODELS_DEV_URL) == 4
    assert runs(db_url)[0]["status"] == "failed"
    assert catalog_state(db_url) == EMPTY


def test_truncated_json_fails_the_run_with_a_clear_error(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    body = json.dumps(litellm_models(20)).encode()
    upstream.route(LITELLM_URL, httpx.Response(200, content=body[: len(body) // 2]))

    report = run_one(db_url, upstream, "litellm")

    assert report.status == "failed"
    assert report.error is not None
    assert "litellm" in report.error and "not valid JSON" in report.error
    assert runs(db_url)[0]["error"] == report.error
    assert catalog_state(db_url) == EMPTY


def test_openrouter_401_names_the_key_variable_but_not_the_key(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    secret = "sk-or-v1-0123456789abcdef-do-not-leak"
    upstream.route(openrouter.models_url(OPENROUTER_URL), httpx.Response(401))

    report = run_one(
        db_url, upstream, "openrouter", settings=make_settings(openrouter_api_key=secret)
    )

    assert report.status == "failed"
    assert report.error is not None and "OPENROUTER_API_KEY" in report.error
    assert upstream.count(openrouter.models_url(OPENROUTER_URL)) == 1  # never retried
    assert upstream.requests[0].headers["authorization"] == f"Bearer {secret}"
    [run_row] = runs(db_url)
    assert secret not in json.dumps(run_row, default=str)
    assert catalog_state(db_url) == EMPTY


def test_one_failing_source_does_not_stop_the_others(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.route(LITELLM_URL, httpx.Response(500))
    upstream.json(
        MODELS_DEV_URL, models_dev_payload("openai", {"gpt-4o": {"input": 2.5, "output": 10}})
    )

    reports = run(db_url, upstream, "litellm", "models-dev")

    assert [(r.source, r.status) for r in reports] == [
        ("litellm", "failed"),
        ("models-dev", "succeeded"),
    ]
    assert set(pricing(db_url, "models-dev")) == {"openai/gpt-4o"}
    assert pricing(db_url, "litellm") == {}


def test_malformed_source_url_fails_only_that_source(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.json(
        MODELS_DEV_URL, models_dev_payload("openai", {"gpt-4o": {"input": 2.5, "output": 10}})
    )
    settings = make_settings(litellm_url="https://litellm.test:99999/prices.json")

    reports = run(db_url, upstream, "litellm", "models-dev", settings=settings)

    assert [(r.source, r.status) for r in reports] == [
        ("litellm", "failed"),
        ("models-dev", "succeeded"),
    ]
    assert reports[0].error is not None and "malformed" in reports[0].error


# --- 8. every run is recorded ----------------------------------------------------------------


def test_every_run_is_recorded_finished_with_a_final_status(
    db_url: str, upstream: FakeUpstream, sleeps: list[float]
) -> None:
    upstream.json(LITELLM_URL, litellm_models(10))
    upstream.route(MODELS_DEV_URL, httpx.Response(503))
    upstream.route(GENAI_PRICES_URL, httpx.Response(200, content=b"[{"))
    upstream.route(openrouter.models_url(OPENROUTER_URL), httpx.Response(403))
    reports = run(db_url, upstream, "litellm", "openrouter", "models-dev", "genai-prices")
    upstream.json(LITELLM_URL, litellm_models(2))
    reports += run(db_url, upstream, "litellm")  # refused by the shrink guard

    recorded = runs(db_url)

    assert [r.status for r in reports] == ["succeeded", "failed", "failed", "failed", "refused"]
    assert [(r["id"], r["source"], r["status"]) for r in recorded] == [
        (r.run_id, r.source, r.status) for r in reports
    ]
    for row in recorded:
        assert row["status"] in FINISHED
        assert row["finished_at"] is not None and row["finished_at"] >= row["started_at"]
        assert "timings" in row["details"]
        assert (row["error"] is None) == (row["status"] == "succeeded")


def test_an_unexpected_error_fails_only_its_own_source(
    db_url: str, upstream: FakeUpstream, caplog: pytest.LogCaptureFixture
) -> None:
    upstream.route(LITELLM_URL, RuntimeError("bug in a transport " + "x" * 5000))
    upstream.json(
        MODELS_DEV_URL, models_dev_payload("openai", {"gpt-4o": {"input": 2.5, "output": 10}})
    )

    with caplog.at_level(logging.ERROR, logger="llm_intelligence.collectors.runner"):
        reports = run(db_url, upstream, "litellm", "models-dev")

    assert [(r.source, r.status) for r in reports] == [
        ("litellm", "failed"),
        ("models-dev", "succeeded"),
    ]
    litellm_run = runs(db_url)[0]
    assert litellm_run["status"] == "failed" and litellm_run["finished_at"] is not None
    assert litellm_run["error"].startswith("litellm: unexpected RuntimeError: bug in a transport")
    assert len(litellm_run["error"]) <= 600  # capped, saying how long it was
    assert set(pricing(db_url, "models-dev")) == {"openai/gpt-4o"}
    assert "Traceback" in caplog.text and "RuntimeError" in caplog.text


# --- 9. concurrent syncs -------------------------------------------------------------------


def _waiting_for_a_lock(db_url: str) -> bool:
    return bool(
        scalar(
            db_url,
            "select count(*) > 0 from pg_locks l join pg_database d on d.oid = l.database"
            " where not l.granted and d.datname = current_database()",
        )
        or scalar(
            db_url,
            "select count(*) > 0 from pg_stat_activity"
            " where datname = current_database() and wait_event_type = 'Lock'",
        )
    )


def _wait_until(condition: Callable[[], bool], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.02)


@pytest.fixture
def lock_holder(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection holding the sync lock in an open transaction until it commits, as a
    running sync does."""
    with psycopg.connect(db_url) as holder:
        holder.execute("select from llm_intel_private.sync_lock where name = 'sync' for update")
        yield holder
        holder.rollback()


def test_sync_is_refused_while_another_sync_holds_the_lock(
    db_url: str, upstream: FakeUpstream, lock_holder: psycopg.Connection[Any]
) -> None:
    upstream.json(LITELLM_URL, litellm_models(3))

    with pytest.raises(SyncLockedError, match="another sync is running"):
        run_one(db_url, upstream, "litellm", wait_for_lock=False)

    assert runs(db_url) == []  # refused before anything: no run rows, nothing fetched
    assert upstream.requests == []
    assert catalog_state(db_url) == EMPTY


def test_waiting_sync_completes_once_the_lock_is_released(
    db_url: str, upstream: FakeUpstream, lock_holder: psycopg.Connection[Any]
) -> None:
    upstream.json(LITELLM_URL, litellm_models(3))

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            future = pool.submit(run_one, db_url, upstream, "litellm", wait_for_lock=True)
            _wait_until(lambda: _waiting_for_a_lock(db_url), timeout=15)
            waited = not future.done()
            state_while_waiting = catalog_state(db_url)
        finally:
            lock_holder.commit()  # the other sync finishes: its lock is released
        report = future.result(timeout=30)

    assert waited
    assert state_while_waiting == EMPTY
    assert (report.status, report.inserted) == ("succeeded", 3)
    assert catalog_state(db_url)["active_prices"] == 3


# --- 10. identity across sources -------------------------------------------------------------

SONNET_LITELLM = {
    # Keys and prices as in LiteLLM's model_prices_and_context_window.json.
    "claude-sonnet-4-5-20250929": litellm_entry(
        3e-06, 1.5e-05, provider="anthropic", cache_read_input_token_cost=3e-07
    ),
    "us.anthropic.claude-sonnet-4-5-20250929-v1:0": litellm_entry(
        3.3e-06, 1.65e-05, provider="bedrock_converse"
    ),
    "global.anthropic.claude-sonnet-4-5-20250929-v1:0": litellm_entry(
        3e-06, 1.5e-05, provider="bedrock_converse"
    ),
    "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0": litellm_entry(
        3.6e-06, 1.8e-05, provider="bedrock"
    ),
    "vertex_ai/claude-sonnet-4-5@20250929": litellm_entry(
        3e-06, 1.5e-05, provider="vertex_ai-anthropic_models"
    ),
    "gpt-4o": litellm_entry(2.5e-06, 1e-05, provider="openai"),
    "gpt-4o-mini": litellm_entry(1.5e-07, 6e-07, provider="openai"),
}


def test_one_model_across_sources_providers_and_deployments(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.json(LITELLM_URL, SONNET_LITELLM)
    serve_openrouter(
        upstream,
        [openrouter_model("anthropic/claude-sonnet-4.5", "0.000003", "0.000015")],
        {
            "anthropic/claude-sonnet-4.5": [
                openrouter_endpoint("Anthropic", "anthropic", "0.000003", "0.000015"),
                openrouter_endpoint("Amazon Bedrock", "amazon-bedrock", "0.0000033", "0.0000165"),
            ]
        },
    )
    upstream.json(
        MODELS_DEV_URL,
        models_dev_payload("anthropic", {"claude-sonnet-4-5": {"input": 3, "output": 15}}),
    )

    reports = run(db_url, upstream, "litellm", "openrouter", "models-dev")

    assert [r.status for r in reports] == ["succeeded"] * 3
    [sonnet] = query(db_url, "select * from models where name like %s", ("%sonnet%",))
    assert sonnet["name"] == "claude-sonnet-4.5"
    assert sonnet["provider"] == "anthropic"
    prices = query(
        db_url,
        "select source, provider_name, gateway, deployment, input_price_per_million as input"
        " from provider_pricing where model_id = %s",
        (sonnet["id"],),
    )
    found = {
        (p["source"], p["provider_name"], p["gateway"], p["deployment"]): p["input"] for p in prices
    }
    assert found == {
        ("litellm", "anthropic", "", ""): Decimal("3"),
        ("litellm", "bedrock", "", "us"): Decimal("3.3"),
        ("litellm", "bedrock", "", "global"): Decimal("3"),
        ("litellm", "bedrock", "", "us-gov-west-1"): Decimal("3.6"),
        ("litellm", "vertex_ai", "", ""): Decimal("3"),
        ("openrouter", "openrouter", "openrouter", ""): Decimal("3"),
        ("openrouter", "anthropic", "openrouter", "anthropic"): Decimal("3"),
        ("openrouter", "bedrock", "openrouter", "amazon-bedrock"): Decimal("3.3"),
        ("models-dev", "anthropic", "", ""): Decimal("3"),
    }
    aliases = {
        r["alias"]
        for r in query(
            db_url, "select alias from model_aliases where model_id = %s", (sonnet["id"],)
        )
    }
    assert {
        "claude-sonnet-4-5-20250929",
        "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
        "bedrock/us-gov-west-1/anthropic.claude-sonnet-4-5-20250929-v1:0",
        "vertex_ai/claude-sonnet-4-5@20250929",
        "anthropic/claude-sonnet-4.5",
    } <= aliases


def test_a_model_and_its_mini_stay_two_models(db_url: str, upstream: FakeUpstream) -> None:
    upstream.json(LITELLM_URL, SONNET_LITELLM)
    serve_openrouter(
        upstream,
        [
            openrouter_model("openai/gpt-4o", "0.0000025", "0.00001"),
            openrouter_model("openai/gpt-4o-mini", "0.00000015", "0.0000006"),
        ],
    )

    run(db_url, upstream, "litellm", "openrouter")

    rows = query(
        db_url,
        "select m.name, p.source, p.input_price_per_million as input from models m"
        " join provider_pricing p on p.model_id = m.id where m.name like 'gpt-4o%'",
    )
    assert {(r["name"], r["source"], r["input"]) for r in rows} == {
        ("gpt-4o", "litellm", Decimal("2.5")),
        ("gpt-4o", "openrouter", Decimal("2.5")),
        ("gpt-4o-mini", "litellm", Decimal("0.15")),
        ("gpt-4o-mini", "openrouter", Decimal("0.15")),
    }
    alias_owner = dict(
        (r["alias"], r["name"])
        for r in query(
            db_url,
            "select a.alias, m.name from model_aliases a join models m on m.id = a.model_id",
        )
    )
    assert alias_owner["openai/gpt-4o"] == "gpt-4o"
    assert alias_owner["openai/gpt-4o-mini"] == "gpt-4o-mini"


# --- 11. offline sync of the bundled snapshots -------------------------------------------------


def test_offline_sync_of_the_bundled_snapshots(db_url: str) -> None:
    settings = make_settings(
        litellm_url=None, openrouter_url=None, models_dev_url=None, genai_prices_url=None
    )

    first = sync(db_url, settings=settings, offline=True)

    by_source = {r.source: r for r in first}
    assert by_source["openrouter"].status == "skipped"
    assert "LLM_INTEL_OPENROUTER_URL" in (by_source["openrouter"].error or "")
    for name in ("litellm", "models-dev", "genai-prices"):
        report = by_source[name]
        assert report.status == "succeeded", report.error
        assert report.inserted == report.seen > 1000  # thousands in each snapshot
    stored = scalar(db_url, "select count(*) from provider_pricing where is_active")
    assert stored == sum(r.seen for r in first)
    with psycopg.connect(db_url) as conn:
        refreshes = refresh_count(conn)
    changes = scalar(db_url, "select count(*) from price_changes")

    second = sync(db_url, settings=settings, offline=True)

    assert [r.source for r in second] == [r.source for r in first]
    for report in second:
        # No bundled snapshot: OpenRouter, GitHub Models and the leaderboards (without
        # LLM_INTEL_BENCHMARKS_DIR) are skipped offline.
        if report.source in ("openrouter", "github-models") or report.source in source_names(
            SourceKind.BENCHMARKS
        ):
            assert report.status == "skipped"
            continue
        assert report.status == "succeeded", report.error
        assert (report.inserted, report.updated, report.deactivated) == (0, 0, 0), report.source
        assert report.unchanged == by_source[report.source].seen
    models_updated = [r["details"]["models_updated"] for r in runs(db_url)[-3:]]
    assert models_updated == [0, 0, 0]
    assert scalar(db_url, "select count(*) from price_changes") == changes
    with psycopg.connect(db_url) as conn:
        assert refresh_count(conn) == refreshes


# --- 12. same payload: skipped by fingerprint, unless rows went missing or forced ---------


def test_same_payload_is_recognised_and_not_parsed_again(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.json(LITELLM_URL, litellm_models(5))
    run_one(db_url, upstream, "litellm")
    run_one(db_url, upstream, "litellm")
    assert runs(db_url)[-1]["details"]["same_payload_as_last_run"] is True


def test_a_nan_price_that_becomes_null_is_a_new_payload(
    db_url: str, upstream: FakeUpstream
) -> None:
    """NaN (a rejected row) and null (a price not published) must not share a fingerprint;
    the fast encoder behind it writes a plain float NaN as null."""

    def payload(cache_read: Any) -> dict[str, Any]:
        models = litellm_models(3)
        models["acme-model-3"]["cache_read_input_token_cost"] = cache_read
        return models

    upstream.json(LITELLM_URL, payload(float("nan")))  # json.dumps writes the NaN literal
    first = run_one(db_url, upstream, "litellm")
    upstream.json(LITELLM_URL, payload(None))
    second = run_one(db_url, upstream, "litellm")

    assert (first.inserted, first.rejected) == (2, 1)
    assert "same_payload_as_last_run" not in runs(db_url)[-1]["details"]
    assert (second.inserted, second.rejected) == (1, 0)


def test_fingerprint_of_integers_beyond_64_bits() -> None:
    """orjson refuses them; the fallback still gives one digest per payload."""

    def fingerprint(payload: Any) -> str:
        return payload_fingerprint(payload, source="litellm")

    assert fingerprint({"n": 10**30}) == fingerprint({"n": 10**30})
    assert fingerprint({"n": 10**30}) != fingerprint({"n": 10**30 + 1})


def test_forced_rewrite_of_the_same_payload_changes_nothing(
    db_url: str, upstream: FakeUpstream
) -> None:
    """The write path itself is idempotent, not only the fingerprint shortcut."""
    _serve_samples(upstream)
    first = run_one(db_url, upstream, "litellm")
    before = _updated_at(db_url)
    changes = scalar(db_url, "select count(*) from price_changes")

    again = run_one(db_url, upstream, "litellm", force=True)

    assert "same_payload_as_last_run" not in runs(db_url)[-1]["details"]
    assert (again.inserted, again.updated, again.deactivated) == (0, 0, 0)
    assert again.unchanged == first.seen
    assert _updated_at(db_url) == before
    assert scalar(db_url, "select count(*) from price_changes") == changes


def test_rows_changed_behind_the_collectors_back_are_restored(
    db_url: str, upstream: FakeUpstream
) -> None:
    upstream.json(LITELLM_URL, litellm_models(5))
    run_one(db_url, upstream, "litellm")
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "update provider_pricing set is_active = false where source_key = 'acme-model-1'"
        )

    report = run_one(db_url, upstream, "litellm")

    assert "same_payload_as_last_run" not in runs(db_url)[-1]["details"]
    assert report.updated == 1
    assert scalar(db_url, "select count(*) from provider_pricing where is_active") == 5
