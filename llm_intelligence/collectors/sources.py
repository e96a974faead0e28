"""How each price source of the registry (`llm_intelligence.sources`) is fetched and parsed.

The registry holds the facts (names, cadence, priority, variables); this module binds each
price source's name to its code, and refuses to import when the two disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import httpx

from llm_intelligence.collectors import genai_prices, github_models, litellm, models_dev, openrouter
from llm_intelligence.collectors.fetch import fetch_json, is_remote
from llm_intelligence.collectors.rows import ParsedSource
from llm_intelligence.config import Settings
from llm_intelligence.errors import ConfigError
from llm_intelligence.sources import SOURCES as REGISTRY
from llm_intelligence.sources import SourceKind, unknown_source_message
from llm_intelligence.sources import source_names as registry_names


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    fetch: Callable[[Settings, bool, httpx.Client | None], Any]
    """Read the upstream payload (network, mirror file or bundled snapshot)."""
    parse: Callable[[Any], ParsedSource]
    """Validate and map a payload to rows (pure)."""
    credential: str | None = None
    """The Settings attribute (a token) without which it cannot read its API: unset, a sync
    skips it, unless its location is a local file."""

    @property
    def has_offline_snapshot(self) -> bool:
        """False: offline syncs skip it (unless its location is a local file)."""
        return REGISTRY[self.name].offline_snapshot is not None

    @property
    def location_setting(self) -> str:
        """The Settings attribute (env var `REGISTRY[name].url_env`) holding its location."""
        return f"{REGISTRY[self.name].setting_stem}_url"

    def collect(
        self, settings: Settings, offline: bool, client: httpx.Client | None
    ) -> ParsedSource:
        return self.parse(self.fetch(settings, offline, client))


def _snapshot_or_location(
    *,
    name: str,
    location: str | None,
    default_url: str,
    offline: bool,
    client: httpx.Client | None,
    load_snapshot: Callable[[], Any],
) -> Any:
    if offline:
        if location is None:
            return load_snapshot()
        if location is not None and is_remote(location):
            raise ConfigError(
                f"{name}: offline sync cannot fetch {location}; give a local file or unset it"
            )
    return fetch_json(location or default_url, source=name, client=client)


def _fetch_litellm(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
    return litellm.fetch_litellm(location=settings.litellm_url, offline=offline, client=client)


def _fetch_openrouter(
    settings: Settings, offline: bool, client: httpx.Client | None
) -> openrouter.OpenRouterPayload:
    key = settings.openrouter_api_key
    return openrouter.fetch_openrouter(
        base_url=settings.openrouter_url,
        api_key=key.get_secret_value() if key is not None else None,
        client=client,
        # A local mirror (LLM_INTEL_OPENROUTER_URL=/path/to/api/v1) works offline too.
        offline=offline and settings.openrouter_url is None,
    )


def _fetch_models_dev(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
    return _snapshot_or_location(
        name=models_dev.SOURCE,
        location=settings.models_dev_url,
        default_url=models_dev.DEFAULT_MODELS_DEV_URL,
        offline=offline,
        client=client,
        load_snapshot=models_dev.load_models_dev_snapshot,
    )


def _fetch_genai_prices(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
    return _snapshot_or_location(
        name=genai_prices.SOURCE,
        location=settings.genai_prices_url,
        default_url=genai_prices.DEFAULT_GENAI_PRICES_URL,
        offline=offline,
        client=client,
        load_snapshot=genai_prices.load_genai_prices_snapshot,
    )


def _parse_genai_prices(payload: Any) -> ParsedSource:
    return genai_prices.parse_genai_prices(payload)


def _fetch_github_models(settings: Settings, offline: bool, client: httpx.Client | None) -> Any:
    token = settings.github_token
    return github_models.fetch_github_models(
        location=settings.github_models_url,
        token=token.get_secret_value() if token is not None else None,
        client=client,
        offline=offline,
    )


def _parse_github_models(payload: Any) -> ParsedSource:
    return github_models.parse_github_models(payload)


SOURCES: Mapping[str, Source] = MappingProxyType(
    {
        "litellm": Source("litellm", _fetch_litellm, litellm.parse_litellm),
        "openrouter": Source("openrouter", _fetch_openrouter, openrouter.parse_fetched),
        "models-dev": Source("models-dev", _fetch_models_dev, models_dev.parse_models_dev),
        "genai-prices": Source("genai-prices", _fetch_genai_prices, _parse_genai_prices),
        "github-models": Source(
            "github-models", _fetch_github_models, _parse_github_models, credential="github_token"
        ),
    }
)
if list(SOURCES) != registry_names(SourceKind.PRICES):  # pragma: no cover - a coding error
    raise ImportError(
        "collectors.sources binds "
        f"{list(SOURCES)} but the registry lists {registry_names(SourceKind.PRICES)}"
    )


def source_names() -> list[str]:
    return list(SOURCES)


def get_source(name: str) -> Source:
    try:
        return SOURCES[name]
    except KeyError:
        raise ConfigError(unknown_source_message(name)) from None


def skips_offline(source: Source, settings: Settings) -> bool:
    """An offline sync skips sources with no snapshot unless a local mirror file is set."""
    location = getattr(settings, source.location_setting)
    return not source.has_offline_snapshot and (location is None or is_remote(location))


def skip_reason(source: Source, settings: Settings, *, offline: bool) -> str | None:
    """Why a sync skips `source` (reported, not failed), or None: offline, a source with no
    snapshot and no local mirror; online, a source whose required token is not set (a
    local mirror needs none)."""
    location = getattr(settings, source.location_setting)
    registry = REGISTRY[source.name]
    if offline:
        if skips_offline(source, settings):
            return (
                f"no offline snapshot; set {registry.url_env} to a local mirror to sync it offline"
            )
        return None
    if source.credential is None or (location is not None and not is_remote(location)):
        return None
    if getattr(settings, source.credential) is None:
        return (
            f"{registry.api_key_env} is not set; set it to sync {source.name}"
            f" (or {registry.url_env} to a local mirror)"
        )
    return None
