"""OpenRouter collector: the gateway's list price and every serving provider's price.

Payloads (base `https://openrouter.ai/api/v1`, JSON, prices per token as strings):

- `GET /models` -> `{"data": [{id, canonical_slug, name, created, context_length,
  architecture{modality, input_modalities, output_modalities, tokenizer, instruct_type},
  pricing{prompt, completion, request, image, web_search, internal_reasoning,
  input_cache_read, input_cache_write, ...}, top_provider{context_length,
  max_completion_tokens, is_moderated}, supported_parameters[...]}]}`
- `GET /models/{author}/{slug}/endpoints` -> `{"data": {id, name, architecture, ...,
  "endpoints": [{name, model_name, context_length, pricing{..., discount}, provider_name,
  tag, quantization, max_completion_tokens, max_prompt_tokens, supported_parameters,
  status, uptime_last_30m, latency_last_30m{p50..p99}, throughput_last_30m{p50..p99}}]}}`

Mapping (all rows have `gateway="openrouter"` and `provider_id` = the OpenRouter model
id, which is what a client sends):

- the `/models` price is one row: `provider_name="openrouter"`, `source_key` = model id;
- each endpoint is one row: `provider_name` = the endpoint's raw `provider_name`,
  `deployment` = `tag`,
  `source_key` = `"{model_id}@{tag or provider_name}"`, with quantization, 30-minute
  uptime, p50 latency (ms, time to first token) and p50 throughput (tokens/s);
- `:free` variants are `is_free_tier` rows; `ModelInfo.source_model_id` keeps the suffix;
- a model entry whose price is invalid is rejected, but its endpoints are still read.

The API key is optional (sent as `Authorization: Bearer`), never logged. There is no
offline snapshot of this API: offline, OpenRouter prices come only from models.dev's
`openrouter` provider, or from a mirror directory given as the base URL
(`{base}/models.json`, `{base}/models/{author}/{slug}/endpoints.json`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, NamedTuple
from urllib.parse import quote, urlsplit

import httpx
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from llm_intelligence.collectors.fetch import fetch_json, new_client
from llm_intelligence.collectors.limits import echo
from llm_intelligence.collectors.prices import (
    InvalidPrice,
    decimal_text,
    exact_decimal,
    per_million,
)
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
    "DEFAULT_CONCURRENCY",
    "DEFAULT_OPENROUTER_URL",
    "SOURCE",
    "OpenRouterPayload",
    "collect_openrouter",
    "endpoints_url",
    "fetch_openrouter",
    "models_url",
    "parse_fetched",
    "parse_openrouter",
]

logger = logging.getLogger(__name__)

SOURCE = "openrouter"
DEFAULT_OPENROUTER_URL = "https://openrouter.ai/api/v1"
API_KEY_ENV = "OPENROUTER_API_KEY"
DEFAULT_CONCURRENCY = 8
GATEWAY = "openrouter"


# --- upstream payload ------------------------------------------------------------------

_TokenPrice = Annotated[Decimal | None, BeforeValidator(per_million)]
_UnitPrice = Annotated[Decimal | None, BeforeValidator(exact_decimal)]
_Tokens = Annotated[StrictInt | None, Field(ge=0)]
_Stat = Annotated[Decimal | None, Field(ge=0, allow_inf_nan=False)]

# Per-token prices that have no column, by their name in the shared metadata vocabulary.
_EXTRA_TOKEN_PRICES = {
    "input_cache_write_1h": "cache_write_1h",
    "internal_reasoning": "output_reasoning",
    "audio": "input_audio",
    "audio_output": "output_audio",
    "input_audio_cache": "cache_read_audio",
    "image_token": "input_image",
}
# Prices per request / image / search, kept in OpenRouter's own names and units.
_UNIT_PRICES = ("request", "image", "image_output", "web_search")


class _Pricing(BaseModel):
    """A `pricing` object. Every field, known or not, must be a valid price: OpenRouter's
    "-1" (router models whose price is decided per request) rejects the row."""

    model_config = ConfigDict(extra="allow", frozen=True)

    prompt: _TokenPrice = None
    completion: _TokenPrice = None
    input_cache_read: _TokenPrice = None
    input_cache_write: _TokenPrice = None
    input_cache_write_1h: _TokenPrice = None
    internal_reasoning: _TokenPrice = None
    audio: _TokenPrice = None
    audio_output: _TokenPrice = None
    input_audio_cache: _TokenPrice = None
    image_token: _TokenPrice = None
    request: _UnitPrice = None
    image: _UnitPrice = None
    image_output: _UnitPrice = None
    web_search: _UnitPrice = None
    discount: Annotated[Decimal | None, Field(ge=0, le=1, allow_inf_nan=False)] = None

    @model_validator(mode="after")
    def _unknown_prices_are_prices(self) -> _Pricing:
        for name, value in (self.model_extra or {}).items():
            try:
                exact_decimal(value)
            except InvalidPrice as e:
                raise ValueError(f"{name}: {e}") from e
        return self

    def extra_prices(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        for name in _EXTRA_TOKEN_PRICES:
            if (value := getattr(self, name)) is not None:
                texts[_EXTRA_TOKEN_PRICES[name]] = decimal_text(value)
        return texts

    def unit_prices(self) -> dict[str, str]:
        texts = {
            name: decimal_text(value)
            for name in _UNIT_PRICES
            if (value := getattr(self, name)) is not None
        }
        # Fields newer than this module: exact, in OpenRouter's name and unit.
        for name, value in sorted((self.model_extra or {}).items()):
            if (number := exact_decimal(value)) is not None:
                texts[name] = decimal_text(number)
        return texts


class _Architecture(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    modality: StrictStr | None = None
    input_modalities: list[StrictStr] = []
    output_modalities: list[StrictStr] = []
    tokenizer: StrictStr | None = None
    instruct_type: StrictStr | None = None


class _TopProvider(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    context_length: _Tokens = None
    max_completion_tokens: _Tokens = None
    is_moderated: StrictBool | None = None


class _Model(BaseModel):
    """A `/models` entry. `pricing` is validated on its own (`_Pricing`) so that a bad
    price rejects the price row but keeps the model description for its endpoints."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: Annotated[StrictStr, Field(min_length=1)]
    canonical_slug: StrictStr | None = None
    name: StrictStr | None = None
    created: StrictInt | None = None
    context_length: _Tokens = None
    architecture: _Architecture | None = None
    pricing: dict[str, Any] | None = None
    top_provider: _TopProvider | None = None
    supported_parameters: list[StrictStr] = []
    hugging_face_id: StrictStr | None = None


class _Percentiles(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    p50: _Stat = None
    p75: _Stat = None
    p90: _Stat = None
    p99: _Stat = None


class _Endpoint(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    provider_name: Annotated[StrictStr, Field(min_length=1)]
    pricing: _Pricing
    name: StrictStr | None = None
    model_name: StrictStr | None = None
    tag: StrictStr | None = None
    context_length: _Tokens = None
    max_completion_tokens: _Tokens = None
    max_prompt_tokens: _Tokens = None
    quantization: StrictStr | None = None
    supported_parameters: list[StrictStr] = []
    status: StrictInt | None = None
    uptime_last_30m: Annotated[Decimal | None, Field(ge=0, le=100, allow_inf_nan=False)] = None
    uptime_last_5m: Annotated[Decimal | None, Field(ge=0, le=100, allow_inf_nan=False)] = None
    uptime_last_1d: Annotated[Decimal | None, Field(ge=0, le=100, allow_inf_nan=False)] = None
    # Percentile objects since 2025; a bare number in older responses.
    latency_last_30m: _Percentiles | _Stat = None
    throughput_last_30m: _Percentiles | _Stat = None
    supports_implicit_caching: StrictBool | None = None


class _EndpointsData(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    id: StrictStr | None = None
    name: StrictStr | None = None
    architecture: _Architecture | None = None
    endpoints: list[Any]


class _EndpointsPayload(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    data: _EndpointsData


# --- mapping -------------------------------------------------------------------------

_PARAMETER_CAPABILITIES = {
    "tools": "function_calling",
    "tool_choice": "tool_choice",
    "reasoning": "reasoning",
    "structured_outputs": "response_schema",
    "web_search_options": "web_search",
}
_INPUT_CAPABILITIES = {
    "image": "vision",
    "file": "pdf_input",
    "audio": "audio_input",
    "video": "video_input",
}
_OUTPUT_CAPABILITIES = {"image": "image_output", "audio": "audio_output"}


class _Rejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _capabilities(
    parameters: list[str], architecture: _Architecture | None, pricing: Mapping[str, Any]
) -> dict[str, bool]:
    capabilities: dict[str, bool] = {}
    if parameters:
        given = set(parameters)
        for parameter, name in _PARAMETER_CAPABILITIES.items():
            capabilities[name] = parameter in given
        capabilities["reasoning"] = "reasoning" in given or "include_reasoning" in given
    if architecture is not None and (
        architecture.input_modalities or architecture.output_modalities
    ):
        inputs, outputs = set(architecture.input_modalities), set(architecture.output_modalities)
        capabilities |= {name: m in inputs for m, name in _INPUT_CAPABILITIES.items()}
        capabilities |= {name: m in outputs for m, name in _OUTPUT_CAPABILITIES.items()}
    if pricing.get("input_cache_read") is not None:
        capabilities["prompt_caching"] = True
    return capabilities


def _model_type(architecture: _Architecture | None) -> str:
    """OpenRouter output modalities in LiteLLM's `mode` vocabulary."""
    outputs = set(architecture.output_modalities) if architecture else set()
    if "embeddings" in outputs:
        return "embedding"
    if "text" not in outputs and "image" in outputs:
        return "image_generation"
    if "text" not in outputs and "audio" in outputs:
        return "audio_speech"
    return "chat"


def _author(model_id: str) -> str | None:
    # `~openai/gpt-latest` style ids are aliases that always point at the newest model.
    author = model_id.split("/", 1)[0].lstrip("~") if "/" in model_id else ""
    return author or None


def _model_info(model: _Model) -> ModelInfo:
    top = model.top_provider
    return ModelInfo(
        source_model_id=model.id,
        author=_author(model.id),
        display_name=model.name,
        model_type=_model_type(model.architecture),
        context_window=model.context_length or (top.context_length if top else None) or None,
        max_output_tokens=(top.max_completion_tokens if top else None) or None,
        capabilities=_capabilities(
            model.supported_parameters, model.architecture, model.pricing or {}
        ),
        open_weights=True if model.hugging_face_id else None,
    )


def _fallback_info(model_id: str, data: _EndpointsData | None) -> ModelInfo:
    """Model description for endpoints whose model is missing from `/models`."""
    architecture = data.architecture if data else None
    return ModelInfo(
        source_model_id=model_id,
        author=_author(model_id),
        display_name=data.name if data else None,
        model_type=_model_type(architecture),
        capabilities=_capabilities([], architecture, {}),
    )


def _price_metadata(pricing: _Pricing) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if prices := pricing.extra_prices():
        metadata["prices"] = prices
    if unit_prices := pricing.unit_prices():
        metadata["unit_prices"] = unit_prices
    if pricing.discount is not None:
        metadata["discount"] = decimal_text(pricing.discount)
    return metadata


def _variant(model_id: str) -> str | None:
    return model_id.rsplit(":", 1)[1] if ":" in model_id else None


def _gateway_row(model: _Model, info: ModelInfo) -> PriceRow:
    if model.pricing is None:
        raise _Rejected("pricing: missing")
    try:
        pricing = _Pricing.model_validate(model.pricing)
    except ValidationError as e:
        raise _Rejected(validation_reason(e, prefix="pricing.")) from e
    metadata = _price_metadata(pricing)
    architecture = model.architecture
    if architecture is not None:
        metadata["modality"] = architecture.modality
        metadata["input_modalities"] = architecture.input_modalities
        metadata["output_modalities"] = architecture.output_modalities
        metadata["tokenizer"] = architecture.tokenizer
        metadata["instruct_type"] = architecture.instruct_type
    if model.top_provider is not None and model.top_provider.is_moderated is not None:
        metadata["is_moderated"] = model.top_provider.is_moderated
    if model.supported_parameters:
        metadata["supported_parameters"] = model.supported_parameters
    if model.canonical_slug:
        metadata["canonical_slug"] = model.canonical_slug
    if model.hugging_face_id:
        metadata["hugging_face_id"] = model.hugging_face_id
    if model.created is not None:
        metadata["created_at"] = datetime.fromtimestamp(model.created, UTC).isoformat()
    if variant := _variant(model.id):
        metadata["variant"] = variant
    return PriceRow(
        source_key=model.id,
        model=info,
        provider_name=GATEWAY,
        provider_id=model.id,
        input_price_per_million=pricing.prompt,
        output_price_per_million=pricing.completion,
        gateway=GATEWAY,
        cache_read_price_per_million=pricing.input_cache_read,
        cache_write_price_per_million=pricing.input_cache_write,
        is_free_tier=model.id.endswith(":free"),
        context_window=info.context_window,
        max_output_tokens=info.max_output_tokens,
        provider_metadata={k: v for k, v in metadata.items() if v is not None},
    )


def _p50(stat: _Percentiles | Decimal | None) -> Decimal | None:
    return stat.p50 if isinstance(stat, _Percentiles) else stat


def _percentile_texts(stat: _Percentiles | Decimal | None) -> dict[str, str] | None:
    if not isinstance(stat, _Percentiles):
        return None
    values = {"p50": stat.p50, "p75": stat.p75, "p90": stat.p90, "p99": stat.p99}
    return {name: decimal_text(value) for name, value in values.items() if value is not None}


def _endpoint_key(model_id: str, raw: Any, index: int) -> str:
    if isinstance(raw, Mapping):
        for name in ("tag", "provider_name"):
            if isinstance(value := raw.get(name), str) and value:
                return f"{model_id}@{value}"
    return f"{model_id}@endpoints[{index}]"


def _endpoint_row(model_id: str, info: ModelInfo, raw: Any, index: int) -> PriceRow:
    key = _endpoint_key(model_id, raw, index)
    try:
        endpoint = _Endpoint.model_validate(raw)
    except ValidationError as e:
        raise _Rejected(validation_reason(e)) from e
    metadata = _price_metadata(endpoint.pricing)
    metadata |= {
        "endpoint_name": endpoint.name,
        "model_name": endpoint.model_name,
        "status": endpoint.status,
        "max_prompt_tokens": endpoint.max_prompt_tokens,
        "supports_implicit_caching": endpoint.supports_implicit_caching,
        "supported_parameters": endpoint.supported_parameters or None,
        "uptime_last_5m": _text(endpoint.uptime_last_5m),
        "uptime_last_1d": _text(endpoint.uptime_last_1d),
        "latency_last_30m_ms": _percentile_texts(endpoint.latency_last_30m),
        "throughput_last_30m": _percentile_texts(endpoint.throughput_last_30m),
        "variant": _variant(model_id),
    }
    return PriceRow(
        source_key=key,
        model=info,
        provider_name=endpoint.provider_name,
        provider_id=model_id,
        input_price_per_million=endpoint.pricing.prompt,
        output_price_per_million=endpoint.pricing.completion,
        gateway=GATEWAY,
        deployment=endpoint.tag or "",
        cache_read_price_per_million=endpoint.pricing.input_cache_read,
        cache_write_price_per_million=endpoint.pricing.input_cache_write,
        is_free_tier=model_id.endswith(":free"),
        context_window=endpoint.context_length or None,
        max_output_tokens=endpoint.max_completion_tokens or None,
        quantization=_quantization(endpoint.quantization),
        uptime_pct=endpoint.uptime_last_30m,
        latency_ms=_p50(endpoint.latency_last_30m),
        throughput_tps=_p50(endpoint.throughput_last_30m),
        provider_metadata={k: v for k, v in metadata.items() if v is not None},
    )


def _quantization(value: str | None) -> str | None:
    # OpenRouter says "unknown" when the provider does not disclose its precision.
    return None if not value or value == "unknown" else value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else decimal_text(value)


def _models_list(models_payload: Any) -> list[Any]:
    if not isinstance(models_payload, Mapping) or not isinstance(
        data := models_payload.get("data"), list
    ):
        raise PayloadError(f'{SOURCE}: /models is not {{"data": [...]}} as documented')
    return data


def parse_openrouter(
    models_payload: Any, endpoints_by_model: Mapping[str, Any] | None = None
) -> ParsedSource:
    """Map `/models` and the per-model `/endpoints` payloads (keyed by model id) to rows.

    A malformed `/models` document raises PayloadError; a bad model entry, endpoint list
    or endpoint is a RejectedRow with its reason.
    """
    parsed = ParsedSource(source=SOURCE)
    endpoints_by_model = endpoints_by_model or {}
    seen: set[str] = set()

    def add(row: PriceRow) -> None:
        if row.source_key in seen:
            parsed.rejected.append(RejectedRow(row.source_key, "duplicate source_key"))
        else:
            seen.add(row.source_key)
            parsed.prices.append(row)

    infos: dict[str, ModelInfo] = {}
    for index, raw in enumerate(_models_list(models_payload)):
        try:
            model = _Model.model_validate(raw)
        except ValidationError as e:
            key = raw.get("id") if isinstance(raw, Mapping) else None
            parsed.rejected.append(
                RejectedRow(
                    key if isinstance(key, str) and key else f"data[{index}]", validation_reason(e)
                )
            )
            continue
        try:
            info = infos[model.id] = _model_info(model)
            add(_gateway_row(model, info))
        except _Rejected as e:
            parsed.rejected.append(RejectedRow(model.id, e.reason))
        except Exception as e:  # noqa: BLE001 - one bad model never stops the payload
            parsed.rejected.append(unexpected_rejection(model.id, e))

    for model_id, payload in endpoints_by_model.items():
        try:
            data = _EndpointsPayload.model_validate(payload).data
        except ValidationError as e:
            parsed.rejected.append(
                RejectedRow(f"{model_id}@endpoints", f"endpoints payload: {validation_reason(e)}")
            )
            continue
        try:
            info = infos.get(model_id) or _fallback_info(model_id, data)
        except Exception as e:  # noqa: BLE001 - one bad endpoint list never stops the payload
            parsed.rejected.append(unexpected_rejection(f"{model_id}@endpoints", e))
            continue
        for index, raw in enumerate(data.endpoints):
            try:
                add(_endpoint_row(model_id, info, raw, index))
            except _Rejected as e:
                parsed.rejected.append(RejectedRow(_endpoint_key(model_id, raw, index), e.reason))
            except Exception as e:  # noqa: BLE001 - one bad endpoint never stops the payload
                parsed.rejected.append(unexpected_rejection(_endpoint_key(model_id, raw, index), e))
    return parsed


# --- fetching ------------------------------------------------------------------------


class OpenRouterPayload(NamedTuple):
    """What `fetch_openrouter` read: feed `models` and `endpoints` to `parse_openrouter`
    and add `failures` (models whose endpoint list could not be fetched) to its rejects."""

    models: Any
    endpoints: dict[str, Any]
    failures: list[RejectedRow]


def _base(base_url: str | None) -> tuple[str, bool]:
    base = (base_url or DEFAULT_OPENROUTER_URL).rstrip("/")
    return base, urlsplit(base).scheme.lower() in ("http", "https")


def models_url(base_url: str | None) -> str:
    """`{base}/models`; for a local mirror directory (path or file:// URL) `models.json`."""
    base, remote = _base(base_url)
    return f"{base}/models" if remote else f"{base}/models.json"


def endpoints_url(base_url: str | None, model_id: str) -> str:
    """`{base}/models/{author}/{slug}/endpoints`; in a mirror, `.../endpoints.json`.

    An id with an empty, `.` or `..` segment or a backslash is refused (PayloadError): it
    would address another file of a local mirror, or another path of the API.
    """
    segments = model_id.split("/")
    if "\\" in model_id or any(s in ("", ".", "..") for s in segments):
        raise PayloadError(
            f"{SOURCE}: model id {echo(model_id)} is not an author/slug path;"
            " its endpoints were not fetched"
        )
    base, remote = _base(base_url)
    # Ids are `author/slug[:variant]`; the slash is part of the documented path.
    path = model_id if not remote and "://" not in base else quote(model_id, safe="/:~")
    return f"{base}/models/{path}/endpoints" + ("" if remote else ".json")


def _headers(api_key: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json"}
    if api_key and api_key.strip():
        headers["Authorization"] = f"Bearer {api_key.strip()}"
    return headers


def _model_ids(models_payload: Any) -> list[str]:
    ids: dict[str, None] = {}
    for raw in _models_list(models_payload):
        if isinstance(raw, Mapping) and isinstance(model_id := raw.get("id"), str) and model_id:
            ids[model_id] = None
    return list(ids)


def fetch_openrouter(
    *,
    base_url: str | None,
    api_key: str | None,
    client: httpx.Client | None = None,
    offline: bool = False,
    with_endpoints: bool = True,
    concurrency: int = DEFAULT_CONCURRENCY,
    timeout: float = 30.0,
    max_attempts: int = 4,
    sleep: Callable[[float], None] = time.sleep,
) -> OpenRouterPayload:
    """Read `/models`, then every model's `/endpoints`, at most `concurrency` at once.

    A failing `/models` fails the run (FetchError/AuthError/PayloadError); a failing
    endpoint list is recorded in `failures` and the run goes on, except an AuthError,
    which no other model would escape either.
    """
    if offline:
        raise SourceError(
            f"{SOURCE}: the OpenRouter API has no offline snapshot; offline, its prices come "
            "only from models.dev (provider `openrouter`)"
        )
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    headers = _headers(api_key)
    # A local mirror needs no HTTP client (making one loads the TLS trust store).
    own_client = client is None and _base(base_url)[1]
    http = new_client(timeout=timeout, max_connections=concurrency) if own_client else client

    def get(url: str) -> Any:
        return fetch_json(
            url,
            source=SOURCE,
            client=http,
            headers=headers,
            timeout=timeout,
            max_attempts=max_attempts,
            sleep=sleep,
            api_key_env=API_KEY_ENV,
        )

    def get_endpoints(model_id: str) -> Any:
        return get(endpoints_url(base_url, model_id))

    try:
        models = get(models_url(base_url))
        ids = _model_ids(models) if with_endpoints else []
        endpoints: dict[str, Any] = {}
        failures: list[RejectedRow] = []
        with ThreadPoolExecutor(concurrency, thread_name_prefix="openrouter") as pool:
            futures: dict[str, Future[Any]] = {
                model_id: pool.submit(get_endpoints, model_id) for model_id in ids
            }
            try:
                for model_id, future in futures.items():
                    try:
                        endpoints[model_id] = future.result()
                    except AuthError:
                        raise
                    except SourceError as e:
                        logger.warning("%s: skipping the endpoints of %s: %s", SOURCE, model_id, e)
                        failures.append(RejectedRow(f"{model_id}@endpoints", str(e)))
            except AuthError:
                pool.shutdown(cancel_futures=True)
                raise
        return OpenRouterPayload(models=models, endpoints=endpoints, failures=failures)
    finally:
        if own_client and http is not None:
            http.close()


def collect_openrouter(
    *,
    base_url: str | None,
    api_key: str | None,
    client: httpx.Client | None = None,
    offline: bool = False,
    concurrency: int = DEFAULT_CONCURRENCY,
    sleep: Callable[[float], None] = time.sleep,
) -> ParsedSource:
    """Fetch and parse in one call; endpoint lists that failed are counted as rejected."""
    payload = fetch_openrouter(
        base_url=base_url,
        api_key=api_key,
        client=client,
        offline=offline,
        concurrency=concurrency,
        sleep=sleep,
    )
    return parse_fetched(payload)


def parse_fetched(payload: OpenRouterPayload) -> ParsedSource:
    """Parse what `fetch_openrouter` read; endpoint lists that failed count as rejected."""
    parsed = parse_openrouter(payload.models, payload.endpoints)
    parsed.rejected.extend(payload.failures)
    return parsed
