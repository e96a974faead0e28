"""A LiteLLM proxy `config.yaml` from the rankings (`llm-intel litellm-config`).

`model_list`: the category's top models by our ranking, each a model group named by its
canonical name with one deployment per offer in SQL's pool (`<provider_name>/<provider_id>`,
provider_name being LiteLLM's provider vocabulary), keys as `os.environ/<VAR>`
placeholders (never a secret), and `weight` = the offer's 1/price^2 share (LiteLLM's
default simple-shuffle picks by it even without our routing strategy).
`router_settings.fallbacks`: each model's next models of the category, in our order, that
have every capability it has (vision, function calling, JSON output, reasoning).

Needs no LiteLLM: the output is plain data, validated in the tests by loading it into a
`litellm.Router`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import yaml

from llm_intelligence.routing import Constraints, Router
from llm_intelligence.routing.snapshot import ModelEntry, offer_weight

KEY_VARIABLES: Final[Mapping[str, Mapping[str, str]]] = {
    # provider_name -> litellm_params that carry credentials, by environment variable
    # (LiteLLM's own variable names). Others: api_key from <PROVIDER>_API_KEY.
    "azure": {"api_key": "AZURE_API_KEY", "api_base": "AZURE_API_BASE"},
    "bedrock": {
        "aws_access_key_id": "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
        "aws_region_name": "AWS_REGION_NAME",
    },
    "sagemaker": {
        "aws_access_key_id": "AWS_ACCESS_KEY_ID",
        "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
        "aws_region_name": "AWS_REGION_NAME",
    },
    "vertex_ai": {"vertex_project": "VERTEXAI_PROJECT", "vertex_location": "VERTEXAI_LOCATION"},
    "gemini": {"api_key": "GEMINI_API_KEY"},
    "together_ai": {"api_key": "TOGETHERAI_API_KEY"},
    "fireworks_ai": {"api_key": "FIREWORKS_AI_API_KEY"},
    "ollama": {"api_base": "OLLAMA_API_BASE"},
    "lm_studio": {"api_base": "LM_STUDIO_API_BASE"},
}

MAX_FALLBACKS: Final = 3


def key_params(provider_name: str) -> dict[str, str]:
    """The credential litellm_params of a provider, as `os.environ/<VAR>` placeholders."""
    variables = KEY_VARIABLES.get(provider_name)
    if variables is None:
        slug = "".join(ch if ch.isalnum() else "_" for ch in provider_name.upper())
        variables = {"api_key": f"{slug}_API_KEY"}
    return {param: f"os.environ/{var}" for param, var in variables.items()}


def litellm_model(provider_name: str, provider_id: str) -> str:
    """`<provider>/<model id>`: LiteLLM's provider-prefixed model string."""
    prefix = f"{provider_name}/"
    return provider_id if provider_id.startswith(prefix) else prefix + provider_id


def _deployments(entry: ModelEntry) -> list[dict[str, Any]]:
    pool = list(entry.pool)
    if not pool:
        return []
    weights = [offer_weight(o) for o in pool]
    top = max(weights)
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for option, weight in sorted(
        zip(pool, weights, strict=True), key=lambda ow: (-ow[1], ow[0].provider_name)
    ):
        model = litellm_model(option.provider_name, option.provider_id)
        if model in seen:
            continue
        seen.add(model)
        found.append(
            {
                "model_name": entry.name,
                "litellm_params": {
                    "model": model,
                    **key_params(option.provider_name),
                    "weight": float(f"{weight / top:.6g}"),
                },
                "model_info": {
                    "llm_intelligence_provider_name": option.provider_name,
                    "input_cost_per_token": float(option.input_price_per_million / 1_000_000),
                    "output_cost_per_token": float(option.output_price_per_million / 1_000_000),
                    **({"max_input_tokens": entry.context_window} if entry.context_window else {}),
                },
            }
        )
    return found


def build_config(intel: Router, *, category: str | None = None, limit: int = 10) -> dict[str, Any]:
    """The proxy config (a dict; `dump_config` writes YAML): see the module doc."""
    ranked = intel.get_ranked_models(category, limit=limit)
    snapshot = intel.snapshots.get()
    entries = [e for e in (snapshot.lookup(str(m)) for m in ranked) if e is not None]
    model_list: list[dict[str, Any]] = []
    listed: list[ModelEntry] = []
    for entry in entries:
        deployments = _deployments(entry)
        if deployments:
            model_list.extend(deployments)
            listed.append(entry)
    names = {e.name for e in listed}
    fallbacks: list[dict[str, list[str]]] = []
    for index, entry in enumerate(listed):
        # The category's order, restricted to models with at least this one's capabilities.
        capable = intel.get_ranked_models(
            category,
            constraints=Constraints(required_capabilities=entry.capabilities),
            limit=1000,
        )
        later = {e.name for e in listed[index + 1 :]}
        chain = [str(m) for m in capable if str(m) in later and str(m) in names]
        if chain:
            fallbacks.append({entry.name: chain[:MAX_FALLBACKS]})
    return {
        "model_list": model_list,
        "router_settings": {
            "routing_strategy": "simple-shuffle",
            "enable_pre_call_checks": True,
            "num_retries": 2,
            "fallbacks": fallbacks,
        },
        "litellm_settings": {
            "callbacks": ["llm_intelligence.integrations.litellm.proxy_handler"],
            "drop_params": True,
        },
    }


def dump_config(config: Mapping[str, Any], *, header: str = "") -> str:
    """The config as YAML (keys in the order built), with an optional comment header."""
    text = yaml.safe_dump(dict(config), sort_keys=False, default_flow_style=False, width=100)
    if header:
        text = "".join(f"# {line}\n" for line in header.splitlines()) + text
    return text
