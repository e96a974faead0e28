"""OpenRouter collector: gateway and per-provider rows, sentinels, requests made."""

from __future__ import annotations

import json
import logging
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from llm_intelligence.collectors.fetch import fetch_json
from llm_intelligence.collectors.openrouter import (
    DEFAULT_OPENROUTER_URL,
    collect_openrouter,
    endpoints_url,
    fetch_openrouter,
    models_url,
    parse_openrouter,
)
from llm_intelligence.collectors.rows import ParsedSource, PriceRow
from llm_intelligence.errors import AuthError, FetchError, PayloadError, SourceError

DATA = Path(__file__).parent / "data"
BASE = "https://openrouter.example.test/api/v1"
KEY = "sk-or-v1-test-0123456789abcdef"


@pytest.fixture(scope="module")
def models() -> Any:
    return fetch_json(str(DATA / "openrouter_models.json"), source="openrouter")


@pytest.fixture(scope="module")
def endpoints() -> dict[str, Any]:
    payload: dict[str, Any] = fetch_json(
        str(DATA / "openrouter_endpoints.json"), source="openrouter"
    )
    return payload


@pytest.fixture(scope="module")
def parsed(models: Any, endpoints: dict[str, Any]) -> ParsedSource:
    return parse_openrouter(models, endpoints)


@pytest.fixture(scope="module")
def rows(parsed: ParsedSource) -> dict[str, PriceRow]:
    return {row.source_key: row for row in parsed.prices}


# --- parsing -------------------------------------------------------------------------


def test_rows_and_rejections(parsed: ParsedSource) -> None:
    assert parsed.source == "openrouter"
    assert sorted(row.source_key for row in parsed.prices) == [
        "anthropic/claude-sonnet-4.5",
        "anthropic/claude-sonnet-4.5@amazon-bedrock",
        "anthropic/claude-sonnet-4.5@anthropic",
        "anthropic/claude-sonnet-4.5@google-vertex/global",
        "meta-llama/llama-3.3-70b-instruct",
        "meta-llama/llama-3.3-70b-instruct:free",
        "meta-llama/llama-3.3-70b-instruct:free@venice/fp8",
        "meta-llama/llama-3.3-70b-instruct@deepinfra/fp8",
        "meta-llama/llama-3.3-70b-instruct@groq",
        "mistralai/mistral-small-3.2-24b-instruct@mistral",
        "openai/gpt-4o-mini",
        "openai/gpt-4o-mini@azure",
        "openai/gpt-4o-mini@openai",
        "qwen/qwen3-embedding-8b",
        "qwen/qwen3-embedding-8b@nebius/fp8",
    ]
    reasons = {r.source_key: r.reason for r in parsed.rejected}
    assert set(reasons) == {
        "openrouter/auto",
        "mistralai/mistral-small-3.2-24b-instruct",
        "meta-llama/llama-3.3-70b-instruct@together/fp8",
        "meta-llama/llama-3.3-70b-instruct@novita/bf16",
    }
    assert "pricing.prompt" in reasons["openrouter/auto"]
    assert "'-1' sentinel" in reasons["openrouter/auto"]
    assert (
        "pricing.completion: not a finite number"
        in reasons["mistralai/mistral-small-3.2-24b-instruct"]
    )
    assert "negative price" in reasons["meta-llama/llama-3.3-70b-instruct@together/fp8"]
    assert "not a number: 'free'" in reasons["meta-llama/llama-3.3-70b-instruct@novita/bf16"]


def test_gateway_row(rows: dict[str, PriceRow]) -> None:
    row = rows["anthropic/claude-sonnet-4.5"]
    assert (row.provider_name, row.gateway, row.deployment) == ("openrouter", "openrouter", "")
    assert row.provider_id == "anthropic/claude-sonnet-4.5"
    assert row.input_price_per_million == Decimal("3")
    assert row.output_price_per_million == Decimal("15")
    assert row.cache_read_price_per_million == Decimal("0.3")
    assert row.cache_write_price_per_million == Decimal("3.75")
    assert row.context_window == 1_000_000 and row.max_output_tokens == 64_000
    assert row.provider_metadata["unit_prices"] == {
        "request": "0",
        "image": "0.0048",
        "web_search": "0.01",
    }
    assert row.provider_metadata["prices"] == {"output_reasoning": "0"}
    assert row.provider_metadata["canonical_slug"] == "anthropic/claude-4.5-sonnet-20250929"
    assert row.provider_metadata["created_at"] == "2025-09-29T16:01:16+00:00"
    info = row.model
    assert info.source_model_id == "anthropic/claude-sonnet-4.5"
    assert info.author == "anthropic"
    assert info.display_name == "Anthropic: Claude Sonnet 4.5"
    assert info.model_type == "chat"
    assert info.open_weights is None


def test_endpoint_rows(rows: dict[str, PriceRow]) -> None:
    anthropic = rows["anthropic/claude-sonnet-4.5@anthropic"]
    assert (anthropic.provider_name, anthropic.gateway, anthropic.deployment) == (
        "Anthropic",
        "openrouter",
        "anthropic",
    )
    assert anthropic.provider_id == "anthropic/claude-sonnet-4.5"
    assert anthropic.uptime_pct == Decimal("99.82")
    assert anthropic.latency_ms == Decimal("1843.5")
    assert anthropic.throughput_tps == Decimal("61.3")
    assert anthropic.quantization is None  # "unknown" upstream
    assert anthropic.provider_metadata["prices"] == {"cache_write_1h": "6", "output_reasoning": "0"}
    assert anthropic.provider_metadata["latency_last_30m_ms"]["p99"] == "6034.7"

    bedrock = rows["anthropic/claude-sonnet-4.5@amazon-bedrock"]
    assert bedrock.provider_name == "Amazon Bedrock" and bedrock.context_window == 200_000

    deepinfra = rows["meta-llama/llama-3.3-70b-instruct@deepinfra/fp8"]
    assert deepinfra.quantization == "fp8"
    assert deepinfra.input_price_per_million == Decimal("0.13")
    assert deepinfra.output_price_per_million == Decimal("0.4")
    assert deepinfra.max_output_tokens == 16_384

    azure = rows["openai/gpt-4o-mini@azure"]
    assert azure.provider_metadata["discount"] == "0.2"
    assert azure.latency_ms == Decimal("512.0")  # older responses: a bare number
    assert azure.throughput_tps == Decimal("80.25")


def test_missing_optional_fields_are_none(rows: dict[str, PriceRow]) -> None:
    groq = rows["meta-llama/llama-3.3-70b-instruct@groq"]
    assert groq.quantization is None
    assert groq.latency_ms is None and groq.throughput_tps is None
    assert groq.cache_read_price_per_million is None
    assert "unit_prices" not in groq.provider_metadata
    vertex = rows["anthropic/claude-sonnet-4.5@google-vertex/global"]
    assert vertex.uptime_pct is None and vertex.latency_ms is None
    assert vertex.provider_metadata["status"] == -2
    embedding = rows["qwen/qwen3-embedding-8b"]
    assert embedding.max_output_tokens is None
    assert embedding.model.model_type == "embedding"
    assert embedding.cache_read_price_per_million is None


def test_free_variant(rows: dict[str, PriceRow]) -> None:
    free = rows["meta-llama/llama-3.3-70b-instruct:free"]
    assert free.is_free_tier
    assert free.input_price_per_million == Decimal("0")
    assert free.model.source_model_id == "meta-llama/llama-3.3-70b-instruct:free"
    assert free.provider_metadata["variant"] == "free"
    endpoint = rows["meta-llama/llama-3.3-70b-instruct:free@venice/fp8"]
    assert endpoint.is_free_tier and endpoint.provider_name == "Venice"
    assert endpoint.provider_id == "meta-llama/llama-3.3-70b-instruct:free"
    assert not rows["meta-llama/llama-3.3-70b-instruct"].is_free_tier
    assert not rows["meta-llama/llama-3.3-70b-instruct@groq"].is_free_tier


def test_capabilities(rows: dict[str, PriceRow]) -> None:
    sonnet = rows["anthropic/claude-sonnet-4.5"].model.capabilities
    assert sonnet["function_calling"] and sonnet["tool_choice"] and sonnet["reasoning"]
    assert sonnet["vision"] and sonnet["pdf_input"] and sonnet["response_schema"]
    assert sonnet["prompt_caching"]
    assert sonnet["audio_input"] is False and sonnet["web_search"] is False
    llama = rows["meta-llama/llama-3.3-70b-instruct"].model
    assert llama.capabilities["function_calling"] and not llama.capabilities["vision"]
    assert llama.capabilities["reasoning"] is False
    assert llama.open_weights is True
    assert rows["openai/gpt-4o-mini"].model.capabilities["web_search"] is True


def test_an_invalid_gateway_price_keeps_the_endpoints(rows: dict[str, PriceRow]) -> None:
    mistral = rows["mistralai/mistral-small-3.2-24b-instruct@mistral"]
    assert mistral.input_price_per_million == Decimal("0.1")
    assert mistral.model.display_name == "Mistral: Mistral Small 3.2 24B"
    assert mistral.model.capabilities["vision"] is True


def test_prices_are_decimals_and_metadata_is_json(rows: dict[str, PriceRow]) -> None:
    for row in rows.values():
        for value in (
            row.input_price_per_million,
            row.output_price_per_million,
            row.cache_read_price_per_million,
            row.cache_write_price_per_million,
            row.uptime_pct,
            row.latency_ms,
            row.throughput_tps,
        ):
            assert value is None or type(value) is Decimal
        assert "float" not in json.dumps(row.provider_metadata, default=lambda v: type(v).__name__)


def test_bad_endpoint_payloads_are_rejected_alone(models: Any) -> None:
    parsed = parse_openrouter(
        models,
        {
            "openai/gpt-4o-mini": {"data": {"id": "openai/gpt-4o-mini"}},
            "unknown/model": {
                "data": {
                    "name": "Unknown",
                    "endpoints": [
                        {"provider_name": "X", "tag": "x", "pricing": {"prompt": "1e-6"}},
                        {"provider_name": "X", "tag": "x", "pricing": {"prompt": "2e-6"}},
                        {"tag": "y", "pricing": {"prompt": "1e-6"}},
                        "not an endpoint",
                    ],
                }
            },
        },
    )
    reasons = {r.source_key: r.reason for r in parsed.rejected}
    assert reasons["openai/gpt-4o-mini@endpoints"].startswith("endpoints payload: data.endpoints")
    assert reasons["unknown/model@x"] == "duplicate source_key"
    assert "provider_name" in reasons["unknown/model@y"]
    assert "unknown/model@endpoints[3]" in reasons
    row = next(r for r in parsed.prices if r.source_key == "unknown/model@x")
    assert row.input_price_per_million == Decimal("1")
    assert row.model.display_name == "Unknown"


def test_malformed_models_document_fails_the_run() -> None:
    with pytest.raises(PayloadError, match="openrouter"):
        parse_openrouter({"models": []}, {})


# --- fetching ------------------------------------------------------------------------


class FakeOpenRouter:
    """A MockTransport handler serving the fixtures like the real API (404 for routers)."""

    def __init__(self) -> None:
        self.models_body = (DATA / "openrouter_models.json").read_bytes()
        self.endpoints_raw = json.loads((DATA / "openrouter_endpoints.json").read_text())
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.overrides: dict[str, list[httpx.Response]] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(0.005)  # long enough for the pool to overlap requests
            url = str(request.url)
            if queue := self.overrides.get(url):
                return queue.pop(0) if len(queue) > 1 else queue[0]
            if url == f"{BASE}/models":
                return httpx.Response(200, content=self.models_body)
            prefix, suffix = f"{BASE}/models/", "/endpoints"
            model_id = url.removeprefix(prefix).removesuffix(suffix)
            if url.startswith(prefix) and url.endswith(suffix) and model_id in self.endpoints_raw:
                return httpx.Response(200, json=self.endpoints_raw[model_id])
            return httpx.Response(404, json={"error": {"code": 404, "message": "Not Found"}})
        finally:
            with self.lock:
                self.in_flight -= 1


@pytest.fixture
def api() -> FakeOpenRouter:
    return FakeOpenRouter()


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


MODEL_IDS = [
    "anthropic/claude-sonnet-4.5",
    "meta-llama/llama-3.3-70b-instruct",
    "meta-llama/llama-3.3-70b-instruct:free",
    "openai/gpt-4o-mini",
    "openrouter/auto",
    "mistralai/mistral-small-3.2-24b-instruct",
    "qwen/qwen3-embedding-8b",
]


@pytest.mark.parametrize("api_key", [KEY, None])
def test_fetch_makes_exactly_the_documented_requests(
    api: FakeOpenRouter, api_key: str | None
) -> None:
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        payload = fetch_openrouter(base_url=BASE, api_key=api_key, client=client, sleep=Sleeps())
    urls = [str(r.url) for r in api.requests]
    assert urls[0] == f"{BASE}/models"
    assert sorted(urls[1:]) == sorted(f"{BASE}/models/{m}/endpoints" for m in MODEL_IDS)
    assert f"{BASE}/models/meta-llama/llama-3.3-70b-instruct:free/endpoints" in urls
    for request in api.requests:
        assert request.method == "GET"
        assert request.headers["Accept"] == "application/json"
        if api_key:
            assert request.headers["Authorization"] == f"Bearer {KEY}"
        else:
            assert "Authorization" not in request.headers
    assert list(payload.endpoints) == [m for m in MODEL_IDS if m != "openrouter/auto"]
    (failure,) = payload.failures
    assert failure.source_key == "openrouter/auto@endpoints"
    assert "HTTP 404" in failure.reason


def test_endpoint_fetches_are_concurrent_but_bounded(api: FakeOpenRouter) -> None:
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        fetch_openrouter(base_url=BASE, api_key=None, client=client, concurrency=2)
    assert api.max_in_flight == 2


def test_collect_counts_failed_endpoint_lists_as_rejected(api: FakeOpenRouter) -> None:
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        parsed = collect_openrouter(base_url=BASE, api_key=None, client=client, sleep=Sleeps())
    assert len(parsed.prices) == 15
    assert len(parsed.rejected) == 5
    assert "openrouter/auto@endpoints" in {r.source_key for r in parsed.rejected}


def test_endpoint_429_is_retried_after_retry_after(api: FakeOpenRouter) -> None:
    url = endpoints_url(BASE, "openai/gpt-4o-mini")
    api.overrides[url] = [
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(200, json=api.endpoints_raw["openai/gpt-4o-mini"]),
    ]
    sleeps = Sleeps()
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        payload = fetch_openrouter(base_url=BASE, api_key=None, client=client, sleep=sleeps)
    assert sleeps == [2.0]
    assert "openai/gpt-4o-mini" in payload.endpoints


def test_one_failing_endpoint_list_does_not_fail_the_run(api: FakeOpenRouter) -> None:
    url = endpoints_url(BASE, "openai/gpt-4o-mini")
    api.overrides[url] = [httpx.Response(503)]
    sleeps = Sleeps()
    with httpx.Client(transport=httpx.MockTransport(api)) as client:
        payload = fetch_openrouter(
            base_url=BASE, api_key=None, client=client, sleep=sleeps, max_attempts=3
        )
    assert len(sleeps) == 2
    assert "openai/gpt-4o-mini" not in payload.endpoints
    reasons = {f.source_key: f.reason for f in payload.failures}
    assert "after 3 attempt(s): HTTP 503" in reasons["openai/gpt-4o-mini@endpoints"]


def test_401_names_the_env_var_but_never_the_key(
    api: FakeOpenRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.overrides[f"{BASE}/models"] = [httpx.Response(401, json={"error": {"code": 401}})]
    caplog.set_level(logging.DEBUG)
    sleeps = Sleeps()
    with httpx.Client(transport=httpx.MockTransport(api)) as client, pytest.raises(AuthError) as e:
        fetch_openrouter(base_url=BASE, api_key=KEY, client=client, sleep=sleeps)
    assert "OPENROUTER_API_KEY" in str(e.value) and "openrouter" in str(e.value)
    assert KEY not in str(e.value) and KEY not in caplog.text
    assert len(api.requests) == 1 and sleeps == []


def test_auth_error_on_endpoints_fails_the_run(api: FakeOpenRouter) -> None:
    api.overrides[endpoints_url(BASE, "openai/gpt-4o-mini")] = [httpx.Response(403)]
    with httpx.Client(transport=httpx.MockTransport(api)) as client, pytest.raises(AuthError):
        fetch_openrouter(base_url=BASE, api_key=KEY, client=client, sleep=Sleeps())


def test_models_failure_fails_the_run(api: FakeOpenRouter) -> None:
    api.overrides[f"{BASE}/models"] = [httpx.Response(500)]
    sleeps = Sleeps()
    with httpx.Client(transport=httpx.MockTransport(api)) as client, pytest.raises(FetchError):
        fetch_openrouter(base_url=BASE, api_key=None, client=client, sleep=sleeps, max_attempts=2)
    assert len(api.requests) == 2 and len(sleeps) == 1


def test_truncated_models_document_is_a_payload_error(api: FakeOpenRouter) -> None:
    api.overrides[f"{BASE}/models"] = [httpx.Response(200, content=api.models_body[:500])]
    with httpx.Client(transport=httpx.MockTransport(api)) as client, pytest.raises(PayloadError):
        fetch_openrouter(base_url=BASE, api_key=None, client=client)
    assert len(api.requests) == 1


def test_offline_has_no_snapshot() -> None:
    with pytest.raises(SourceError, match="no offline snapshot"):
        fetch_openrouter(base_url=None, api_key=None, offline=True)


def test_default_base_url_and_id_quoting() -> None:
    assert models_url(None) == f"{DEFAULT_OPENROUTER_URL}/models"
    assert endpoints_url(None, "meta-llama/llama-3.3-70b-instruct:free") == (
        f"{DEFAULT_OPENROUTER_URL}/models/meta-llama/llama-3.3-70b-instruct:free/endpoints"
    )
    assert endpoints_url(BASE + "/", "a/b c") == f"{BASE}/models/a/b%20c/endpoints"


def test_local_mirror_directory(tmp_path: Path) -> None:
    mirror = tmp_path / "openrouter" / "api" / "v1"
    mirror.mkdir(parents=True)
    (mirror / "models.json").write_bytes((DATA / "openrouter_models.json").read_bytes())
    endpoints = json.loads((DATA / "openrouter_endpoints.json").read_text())
    for model_id in ("anthropic/claude-sonnet-4.5", "meta-llama/llama-3.3-70b-instruct:free"):
        target = mirror / "models" / model_id / "endpoints.json"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(endpoints[model_id]))
    for base in (str(mirror), mirror.as_uri()):
        payload = fetch_openrouter(base_url=base, api_key=None)
        assert sorted(payload.endpoints) == [
            "anthropic/claude-sonnet-4.5",
            "meta-llama/llama-3.3-70b-instruct:free",
        ]
        assert len(payload.failures) == 5
        assert all("no such file" in f.reason for f in payload.failures)
        parsed = parse_openrouter(payload.models, payload.endpoints)
        assert "anthropic/claude-sonnet-4.5@anthropic" in {r.source_key for r in parsed.prices}


@pytest.mark.parametrize("model_id", ["../../secret", "a/../../b", "a//b", "/etc/passwd", "a\\b"])
def test_an_id_that_is_not_an_author_slug_path_is_refused(model_id: str) -> None:
    with pytest.raises(PayloadError, match="not an author/slug path"):
        endpoints_url(BASE, model_id)


def test_a_mirror_model_id_cannot_read_outside_the_mirror(tmp_path: Path) -> None:
    # A file next to the mirror that a `../` id would reach if it were used as a path.
    mirror = tmp_path / "mirror"
    (mirror / "models").mkdir(parents=True)
    secret = tmp_path / "secret" / "endpoints.json"
    secret.parent.mkdir()
    secret.write_text(json.dumps({"data": {"endpoints": []}}))
    (mirror / "models.json").write_text(json.dumps({"data": [{"id": "../../secret"}]}))
    payload = fetch_openrouter(base_url=str(mirror), api_key=None)
    assert payload.endpoints == {}
    assert [f.source_key for f in payload.failures] == ["../../secret@endpoints"]
    assert "not an author/slug path" in payload.failures[0].reason
