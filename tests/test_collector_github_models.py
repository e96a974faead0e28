"""GitHub Models (the free-tier tracker): the exact request, the mapping of a catalog in
the documented shape, skipping without a token, and a real sync into Postgres."""

from __future__ import annotations

import copy
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from psycopg.rows import dict_row

from llm_intelligence.collectors import github_models
from llm_intelligence.collectors.fetch import decode_json
from llm_intelligence.collectors.github_models import (
    CUSTOM_FREE_LIMITS,
    DEFAULT_GITHUB_MODELS_URL,
    FREE_TIER_LIMITS,
    fetch_github_models,
    parse_github_models,
)
from llm_intelligence.collectors.runner import sync
from llm_intelligence.config import Settings
from llm_intelligence.errors import AuthError, SourceError

CATALOG_FILE = Path(__file__).parent / "data" / "github_models_catalog.json"
CATALOG: list[dict[str, Any]] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
TOKEN = "github_pat_11TESTTOKENabcdef0123456789"


class Api:
    """The catalog endpoint; records every request."""

    def __init__(self, *replies: httpx.Response) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if str(request.url) != DEFAULT_GITHUB_MODELS_URL:
            return httpx.Response(404)
        if self.replies:
            return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]
        return httpx.Response(200, json=CATALOG)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def _parsed() -> github_models.GitHubModelsParsed:
    return parse_github_models(
        decode_json(CATALOG_FILE.read_bytes(), source="github-models", where="fixture")
    )


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": None,
        "github_models_url": None,
        "github_token": None,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


# --- the request ---------------------------------------------------------------------


def test_the_documented_request() -> None:
    api = Api()
    with api.client() as client:
        payload = fetch_github_models(location=None, token=TOKEN, client=client)
    assert len(payload) == len(CATALOG)
    [request] = api.requests
    assert request.method == "GET"
    assert str(request.url) == "https://models.github.ai/catalog/models"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["accept"] == "application/vnd.github+json"
    assert request.headers["x-github-api-version"] == "2022-11-28"


def test_401_names_the_variable_never_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = Api(httpx.Response(401, json={"message": "Bad credentials"}))
    with api.client() as client, pytest.raises(AuthError) as e:
        fetch_github_models(location=None, token=TOKEN, client=client)
    assert "GITHUB_TOKEN" in str(e.value) and "github-models" in str(e.value)
    assert TOKEN not in str(e.value) and TOKEN not in caplog.text
    assert len(api.requests) == 1


def test_retries_never_log_the_token(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = Api(httpx.Response(503), httpx.Response(200, json=CATALOG))
    slept: list[float] = []
    with api.client() as client:
        fetch_github_models(location=None, token=TOKEN, client=client, sleep=slept.append)
    assert len(api.requests) == 2 and len(slept) == 1
    assert "503" in caplog.text and TOKEN not in caplog.text


def test_no_token_no_request() -> None:
    api = Api()
    with api.client() as client, pytest.raises(AuthError, match="GITHUB_TOKEN is not set"):
        fetch_github_models(location=None, token=" ", client=client)
    assert api.requests == []


def test_a_local_mirror_needs_no_token_and_works_offline() -> None:
    payload = fetch_github_models(location=str(CATALOG_FILE), token=None, offline=True)
    assert [m["id"] for m in payload] == [m["id"] for m in CATALOG]


def test_offline_without_a_mirror_has_no_snapshot() -> None:
    with pytest.raises(SourceError, match="LLM_INTEL_GITHUB_MODELS_URL"):
        fetch_github_models(location=None, token=TOKEN, offline=True)


# --- the mapping ---------------------------------------------------------------------


def test_every_free_model_is_a_free_tier_offer_with_its_tier_limits() -> None:
    parsed = _parsed()
    assert parsed.rejected == []
    assert parsed.not_free == ["openai/gpt-5"]  # "not applicable" to Copilot Free
    assert len(parsed.prices) == len(CATALOG) - 1
    tiers = {m["id"]: m["rate_limit_tier"] for m in CATALOG}
    for row in parsed.prices:
        assert row.provider_name == "github_models"
        assert row.provider_id == row.source_key == row.model.source_model_id
        assert row.is_free_tier
        assert row.input_price_per_million == row.output_price_per_million == Decimal(0)
        assert row.rate_limits["tier"] == tiers[row.source_key]
        assert row.rate_limits["plan"] == "copilot_free"
        assert row.rate_limits["documentation"].startswith("https://docs.github.com/")


def test_tier_figures() -> None:
    rows = {r.source_key: r for r in _parsed().prices}
    assert rows["openai/gpt-4.1-mini"].rate_limits | {"documentation": ""} == {
        "plan": "copilot_free",
        "tier": "low",
        "requests_per_minute": 15,
        "requests_per_day": 150,
        "input_tokens_per_request": 8000,
        "output_tokens_per_request": 4000,
        "concurrent_requests": 5,
        "documentation": "",
    }
    high = rows["openai/gpt-4.1"].rate_limits
    assert (high["requests_per_minute"], high["requests_per_day"]) == (10, 50)
    assert high["concurrent_requests"] == 2
    embeddings = rows["openai/text-embedding-3-small"].rate_limits
    assert embeddings["input_tokens_per_request"] == 64000
    assert "output_tokens_per_request" not in embeddings
    grok = rows["xai/grok-3-mini"].rate_limits
    assert (grok["tier"], grok["requests_per_day"], grok["output_tokens_per_request"]) == (
        "custom",
        30,
        8000,
    )
    assert rows["deepseek/deepseek-r1-0528"].rate_limits["requests_per_minute"] == 1


def test_offer_limits_are_the_free_request_caps_and_the_model_keeps_its_own() -> None:
    rows = {r.source_key: r for r in _parsed().prices}
    gpt = rows["openai/gpt-4.1"]
    assert (gpt.context_window, gpt.max_output_tokens) == (8000, 4000)
    assert (gpt.model.context_window, gpt.model.max_output_tokens) == (1048576, 32768)
    cohere = rows["cohere/cohere-embed-v3-multilingual"]
    assert (cohere.context_window, cohere.max_output_tokens) == (512, None)


def test_model_type_and_capabilities() -> None:
    rows = {r.source_key: r for r in _parsed().prices}
    types = {key: row.model.model_type for key, row in rows.items()}
    assert types["openai/text-embedding-3-small"] == "embedding"
    assert types["cohere/cohere-embed-v3-multilingual"] == "embedding"
    assert types["openai/gpt-4.1"] == "chat"
    assert set(types.values()) == {"chat", "embedding"}
    phi = rows["microsoft/phi-4-multimodal-instruct"].model.capabilities
    assert phi == {"vision": True, "audio_input": True}
    assert rows["openai/gpt-4.1"].model.capabilities == {"function_calling": True, "vision": True}
    assert rows["xai/grok-3-mini"].model.capabilities["reasoning"]
    assert rows["openai/gpt-4.1"].model.author == "openai"
    assert rows["openai/gpt-4.1"].provider_metadata["registry"] == "azure-openai"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"rate_limit_tier": "premium"}, "not a documented tier"),
        ({"rate_limit_tier": None}, "rate_limit_tier: missing"),
        ({"id": "acme/brand-new", "rate_limit_tier": "custom"}, "CUSTOM_FREE_LIMITS"),
        ({"limits": {"max_input_tokens": -1}}, "limits.max_input_tokens"),
        ({"supported_output_modalities": "text"}, "supported_output_modalities"),
    ],
)
def test_bad_entries_are_rejected_alone(change: dict[str, Any], reason: str) -> None:
    catalog = copy.deepcopy(CATALOG)
    catalog[0] |= change
    parsed = parse_github_models(catalog)
    [rejected] = parsed.rejected
    assert reason in rejected.reason
    assert len(parsed.prices) == len(CATALOG) - 2


def test_a_payload_that_is_not_an_array_is_a_payload_error() -> None:
    with pytest.raises(SourceError, match="not a JSON array"):
        parse_github_models({"data": CATALOG})


def test_the_limit_tables_are_well_formed() -> None:
    assert set(FREE_TIER_LIMITS) == {"low", "high", "embeddings"}
    for limits in (*FREE_TIER_LIMITS.values(), *filter(None, CUSTOM_FREE_LIMITS.values())):
        assert limits.requests_per_minute > 0 and limits.requests_per_day > 0
        assert limits.concurrent_requests > 0 and limits.input_tokens_per_request > 0


# --- in a sync -----------------------------------------------------------------------


def test_without_a_token_the_sync_skips_it_naming_the_variable(db_url: str) -> None:
    api = Api()
    with api.client() as client:
        [report] = sync(db_url, settings=settings(), sources=["github-models"], client=client)
    assert report.status == "skipped"
    assert report.error is not None and "GITHUB_TOKEN" in report.error
    assert api.requests == []


def test_offline_without_a_mirror_is_skipped(db_url: str) -> None:
    [report] = sync(
        db_url, settings=settings(github_token=TOKEN), sources=["github-models"], offline=True
    )
    assert report.status == "skipped"
    assert report.error is not None and "LLM_INTEL_GITHUB_MODELS_URL" in report.error


def test_a_mirror_file_syncs_offline_without_a_token(db_url: str) -> None:
    [report] = sync(
        db_url,
        settings=settings(github_models_url=str(CATALOG_FILE)),
        sources=["github-models"],
        offline=True,
    )
    assert report.status == "succeeded", report.error
    assert report.inserted == len(CATALOG) - 1


def test_sync_stores_free_offers_with_rate_limits(db_url: str) -> None:
    api = Api()
    with api.client() as client:
        [report] = sync(
            db_url, settings=settings(github_token=TOKEN), sources=["github-models"], client=client
        )
    assert report.status == "succeeded", report.error
    assert report.inserted == report.seen == len(CATALOG) - 1 and report.rejected == 0
    assert TOKEN not in json.dumps([str(r) for r in api.requests])  # only in the header
    with psycopg.connect(db_url, row_factory=dict_row) as conn:
        rows = conn.execute(
            "select p.provider_id, p.provider_name, p.is_free_tier, p.rate_limits,"
            " p.input_price_per_million, m.name, m.model_type"
            " from provider_pricing p join models m on m.id = p.model_id"
            " where p.source = 'github-models'"
        ).fetchall()
        ranked = {
            r["name"]: r["has_free_tier"]
            for r in conn.execute(
                "select name, has_free_tier from model_rankings"
                " where name in ('gpt-4.1', 'llama-3.3-70b-instruct')"
            )
        }
        stored_token = conn.execute(
            "select count(*) as n from collector_runs where details::text like %s",
            (f"%{TOKEN}%",),
        ).fetchone()
    by_id = {r["provider_id"]: r for r in rows}
    assert len(by_id) == len(CATALOG) - 1
    assert all(r["is_free_tier"] and r["input_price_per_million"] == 0 for r in rows)
    assert {r["provider_name"] for r in rows} == {"github"}  # identity's one slug
    gpt = by_id["openai/gpt-4.1"]
    assert gpt["name"] == "gpt-4.1" and gpt["model_type"] == "chat"
    assert gpt["rate_limits"]["requests_per_day"] == 50
    assert gpt["rate_limits"]["tier"] == "high"
    assert by_id["openai/text-embedding-3-small"]["model_type"] == "embedding"
    assert ranked == {"gpt-4.1": True, "llama-3.3-70b-instruct": True}
    assert stored_token == {"n": 0}

    # Unchanged catalog: nothing written again.
    with api.client() as client:
        [again] = sync(
            db_url, settings=settings(github_token=TOKEN), sources=["github-models"], client=client
        )
    assert again.status == "succeeded" and again.inserted == again.updated == 0
