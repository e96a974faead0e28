"""GitHub Models collector: the free-tier tracker (models GitHub serves at no cost, and
the rate limits of that free use).

Payload (`GET https://models.github.ai/catalog/models`, GitHub's REST docs "Models ->
Catalog -> List all models"; headers `Authorization: Bearer $GITHUB_TOKEN`,
`Accept: application/vnd.github+json`, `X-GitHub-Api-Version: 2022-11-28`): a JSON array
of `{id ("openai/gpt-4.1"), name, publisher, registry, summary, html_url, version,
rate_limit_tier ("low" | "high" | "embeddings" | "custom"), supported_input_modalities,
supported_output_modalities, tags, capabilities, limits{max_input_tokens,
max_output_tokens}}`. The catalog carries no prices: its `rate_limit_tier` names a row of
GitHub's documented table of free limits (`FREE_TIER_LIMITS` below, one place to update).

Mapping, one `PriceRow` per model the free plan serves:

- `source_key` and `provider_id` are the catalog id (what a client sends to
  `models.github.ai/inference`); `provider_name` is `github_models` (identity spells the
  provider as it spells models.dev's `github-models`);
- `is_free_tier` is true, input and output prices 0; `rate_limits` holds the free plan's
  limits for the model's tier (requests per minute and day, tokens per request in and out,
  concurrent requests), the plan and the documentation they come from;
- the offer's `context_window` / `max_output_tokens` are the free plan's tokens per
  request (what a free request may send and get), the model's own limits go to the model;
- `model_type` follows the output modalities (`embeddings` -> `embedding`, text ->
  `chat`, image or audio only -> `image_generation` / `audio_speech`);
- a `custom` tier is looked up by model name in `CUSTOM_FREE_LIMITS`: models the free
  plan does not serve (GitHub documents them "not applicable" to Copilot Free) are left
  out and listed in `GitHubModelsParsed.not_free`; a custom model or a tier the table does
  not know is a rejected row whose reason says to update the table.

The token is required for the API (never logged: it is only a header); a local mirror of
the catalog (`LLM_INTEL_GITHUB_MODELS_URL=/path/to/catalog.json`) needs none and works
offline. There is no offline snapshot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Annotated, Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from llm_intelligence.collectors.fetch import fetch_json, is_remote
from llm_intelligence.collectors.limits import echo
from llm_intelligence.collectors.rows import (
    ModelInfo,
    ParsedSource,
    PriceRow,
    RejectedRow,
    unexpected_rejection,
    validation_reason,
)
from llm_intelligence.errors import AuthError, PayloadError, SourceError

__all__ = [
    "API_KEY_ENV",
    "API_VERSION",
    "CUSTOM_FREE_LIMITS",
    "DEFAULT_GITHUB_MODELS_URL",
    "FREE_PLAN",
    "FREE_TIER_LIMITS",
    "PROVIDER",
    "RATE_LIMITS_DOC",
    "SOURCE",
    "FreeLimits",
    "GitHubModelsParsed",
    "fetch_github_models",
    "parse_github_models",
    "request_headers",
]

logger = logging.getLogger(__name__)

SOURCE = "github-models"
PROVIDER = "github_models"
DEFAULT_GITHUB_MODELS_URL = "https://models.github.ai/catalog/models"
API_KEY_ENV = "GITHUB_TOKEN"
API_VERSION = "2022-11-28"


# --- the documented free limits: update here when GitHub changes them -------------------

RATE_LIMITS_DOC = (
    "https://docs.github.com/en/github-models/use-github-models/"
    "prototyping-with-ai-models#rate-limits"
)
"""GitHub Docs, "Prototyping with AI models" -> "Rate limits": the playground and free API
usage are limited per rate-limit tier by requests per minute, requests per day, tokens per
request and concurrent requests ("subject to change without notice"). Figures below are
the "Copilot Free" column as read on 2026-12-02."""
FREE_PLAN = "copilot_free"


@dataclass(frozen=True, slots=True)
class FreeLimits:
    """One tier's free limits, as the documentation's table gives them."""

    requests_per_minute: int
    requests_per_day: int
    input_tokens_per_request: int
    output_tokens_per_request: int | None
    """None where the table gives one figure per request (embeddings: input only)."""
    concurrent_requests: int

    def as_json(self, tier: str) -> dict[str, Any]:
        """The `provider_pricing.rate_limits` object of an offer in this tier."""
        limits: dict[str, Any] = {
            "plan": FREE_PLAN,
            "tier": tier,
            "requests_per_minute": self.requests_per_minute,
            "requests_per_day": self.requests_per_day,
            "input_tokens_per_request": self.input_tokens_per_request,
            "output_tokens_per_request": self.output_tokens_per_request,
            "concurrent_requests": self.concurrent_requests,
            "documentation": RATE_LIMITS_DOC,
        }
        return {k: v for k, v in limits.items() if v is not None}


FREE_TIER_LIMITS: Mapping[str, FreeLimits] = MappingProxyType(
    {
        "low": FreeLimits(15, 150, 8000, 4000, 5),
        "high": FreeLimits(10, 50, 8000, 4000, 2),
        "embeddings": FreeLimits(15, 150, 64000, None, 5),
    }
)
"""`rate_limit_tier` -> the free plan's limits (the table's Low, High and Embedding rows)."""

_DEEPSEEK_R1 = FreeLimits(1, 8, 4000, 4000, 1)
CUSTOM_FREE_LIMITS: Mapping[str, FreeLimits | None] = MappingProxyType(
    {
        # Models with their own rows in the table, by the model part of the catalog id.
        "deepseek-r1": _DEEPSEEK_R1,
        "deepseek-r1-0528": _DEEPSEEK_R1,
        "mai-ds-r1": _DEEPSEEK_R1,
        "grok-3": FreeLimits(1, 15, 4000, 4000, 1),
        "grok-3-mini": FreeLimits(2, 30, 4000, 8000, 1),
        # "Not applicable" to Copilot Free: served only on paid Copilot plans.
        **dict.fromkeys(
            (
                "o1-preview",
                "o1",
                "o3",
                "gpt-5",
                "o1-mini",
                "o3-mini",
                "o4-mini",
                "gpt-5-mini",
                "gpt-5-nano",
                "gpt-5-chat",
            )
        ),
    }
)
"""`custom` tier models -> their free limits, or None when the free plan does not serve
them."""

_TIER_SPELLINGS = {"embedding": "embeddings"}  # the docs' row is "Embedding"


# --- upstream payload ------------------------------------------------------------------

_Tokens = Annotated[StrictInt | None, Field(ge=0)]


class _Limits(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    max_input_tokens: _Tokens = None
    max_output_tokens: _Tokens = None


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: Annotated[StrictStr, Field(min_length=1)]
    name: StrictStr | None = None
    publisher: StrictStr | None = None
    registry: StrictStr | None = None
    summary: StrictStr | None = None
    html_url: StrictStr | None = None
    version: StrictStr | None = None
    rate_limit_tier: StrictStr | None = None
    supported_input_modalities: list[StrictStr] = []
    supported_output_modalities: list[StrictStr] = []
    tags: list[StrictStr] = []
    capabilities: list[StrictStr] = []
    limits: _Limits | None = None


@dataclass(slots=True)
class GitHubModelsParsed(ParsedSource):
    not_free: list[str] = field(default_factory=list)
    """Catalog ids the free plan does not serve (neither price rows nor rejected)."""


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- mapping -------------------------------------------------------------------------


def _model_part(model_id: str) -> str:
    return model_id.rsplit("/", 1)[-1].lower()


def _author(model_id: str) -> str | None:
    return model_id.split("/", 1)[0].lower() if "/" in model_id else None


def _model_type(model: _Model, tier: str | None) -> str | None:
    outputs = {m.lower() for m in model.supported_output_modalities}
    if outputs & {"embeddings", "embedding"} or (not outputs and tier == "embeddings"):
        return "embedding"
    if "text" in outputs:
        return "chat"
    if outputs == {"image"}:
        return "image_generation"
    if outputs == {"audio"}:
        return "audio_speech"
    return None


def _capabilities(model: _Model) -> dict[str, bool]:
    said = {c.lower() for c in (*model.capabilities, *model.tags)}
    inputs = {m.lower() for m in model.supported_input_modalities}
    flags = {
        "function_calling": "tool-calling" in said,
        "vision": "image" in inputs,
        "audio_input": "audio" in inputs,
        "reasoning": "reasoning" in said,
    }
    return {name: True for name, on in flags.items() if on}


def _free_limits(model: _Model) -> tuple[str, FreeLimits | None]:
    """(tier, the free plan's limits or None when the free plan does not serve it)."""
    raw = (model.rate_limit_tier or "").strip().lower()
    if not raw:
        raise _Rejected("rate_limit_tier: missing; the free limits are unknown")
    tier = _TIER_SPELLINGS.get(raw, raw)
    if tier in FREE_TIER_LIMITS:
        return tier, FREE_TIER_LIMITS[tier]
    if tier == "custom":
        name = _model_part(model.id)
        if name not in CUSTOM_FREE_LIMITS:
            raise _Rejected(
                f"rate_limit_tier 'custom' for {echo(name)}: its free limits are not in"
                " github_models.CUSTOM_FREE_LIMITS (see RATE_LIMITS_DOC)"
            )
        return tier, CUSTOM_FREE_LIMITS[name]
    raise _Rejected(
        f"rate_limit_tier {echo(raw)} is not a documented tier"
        " (github_models.FREE_TIER_LIMITS: low, high, embeddings, custom)"
    )


def _row(model: _Model) -> PriceRow | None:
    tier, free = _free_limits(model)
    if free is None:
        return None
    limits = model.limits
    max_input = limits.max_input_tokens if limits else None
    max_output = limits.max_output_tokens if limits else None
    model_type = _model_type(model, tier)
    info = ModelInfo(
        source_model_id=model.id,
        author=_author(model.id),
        display_name=model.name,
        model_type=model_type,
        context_window=max_input or None,
        max_output_tokens=max_output or None,
        capabilities=_capabilities(model),
    )
    metadata: dict[str, Any] = {
        "publisher": model.publisher,
        "registry": model.registry,
        "version": model.version,
        "html_url": model.html_url,
        "rate_limit_tier": model.rate_limit_tier,
        "input_modalities": model.supported_input_modalities or None,
        "output_modalities": model.supported_output_modalities or None,
        "tags": model.tags or None,
        "capabilities": model.capabilities or None,
    }
    out_cap = free.output_tokens_per_request
    return PriceRow(
        source_key=model.id,
        model=info,
        provider_name=PROVIDER,
        provider_id=model.id,
        input_price_per_million=Decimal(0),
        output_price_per_million=Decimal(0),
        is_free_tier=True,
        context_window=min(filter(None, (free.input_tokens_per_request, max_input))),
        max_output_tokens=(
            min(filter(None, (out_cap, max_output)))
            if out_cap and model_type != "embedding"
            else None
        ),
        provider_metadata={k: v for k, v in metadata.items() if v is not None},
        rate_limits=free.as_json(tier),
    )


def _models_list(payload: Any) -> list[Any]:
    if not isinstance(payload, list):
        raise PayloadError(f"{SOURCE}: the catalog is not a JSON array of models as documented")
    return payload


def parse_github_models(payload: Any) -> GitHubModelsParsed:
    """Map the catalog to free-tier rows. A payload that is not an array raises
    PayloadError; a bad entry is a RejectedRow with its reason."""
    parsed = GitHubModelsParsed(source=SOURCE)
    seen: set[str] = set()
    for index, raw in enumerate(_models_list(payload)):
        try:
            model = _Model.model_validate(raw)
        except ValidationError as e:
            key = raw.get("id") if isinstance(raw, Mapping) else None
            parsed.rejected.append(
                RejectedRow(key if isinstance(key, str) and key else f"[{index}]",
                            validation_reason(e))
            )  # fmt: skip
            continue
        if model.id in seen:
            parsed.rejected.append(RejectedRow(model.id, "duplicate source_key"))
            continue
        seen.add(model.id)
        try:
            row = _row(model)
        except _Rejected as e:
            parsed.rejected.append(RejectedRow(model.id, e.reason))
            continue
        except Exception as e:  # noqa: BLE001 - one bad model never stops the payload
            parsed.rejected.append(unexpected_rejection(model.id, e))
            continue
        if row is None:
            parsed.not_free.append(model.id)
        else:
            parsed.prices.append(row)
    if parsed.not_free:
        logger.info(
            "%s: %d models are not served on the free plan: %s",
            SOURCE,
            len(parsed.not_free),
            ", ".join(parsed.not_free[:10]),
        )
    return parsed


# --- fetching ------------------------------------------------------------------------


def request_headers(token: str) -> dict[str, str]:
    """The headers GitHub's REST docs give for the catalog."""
    return {
        "Accept": "application/vnd.github+json",
        "Authorization": f"Bearer {token}",
        "X-GitHub-Api-Version": API_VERSION,
    }


def fetch_github_models(
    *,
    location: str | None,
    token: str | None,
    client: httpx.Client | None = None,
    offline: bool = False,
    timeout: float = 30.0,
    max_attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Read the catalog: a local mirror file (no token needed, offline too), else the API
    with the token. Without a token the API is not asked (SourceError naming the variable;
    a sync skips the source before that)."""
    if location is not None and not is_remote(location):  # a local mirror file
        return fetch_json(location, source=SOURCE, client=client)
    if offline:
        raise SourceError(
            f"{SOURCE}: the catalog API has no offline snapshot; set"
            " LLM_INTEL_GITHUB_MODELS_URL to a local copy of the catalog to read it offline"
        )
    if token is None or not token.strip():
        raise AuthError(
            f"{SOURCE}: {API_KEY_ENV} is not set; GitHub Models' catalog API needs a GitHub"
            " token (a fine-grained token with `models: read` will do)"
        )
    return fetch_json(
        location or DEFAULT_GITHUB_MODELS_URL,
        source=SOURCE,
        client=client,
        headers=request_headers(token.strip()),
        timeout=timeout,
        max_attempts=max_attempts,
        sleep=sleep,
        api_key_env=API_KEY_ENV,
    )
