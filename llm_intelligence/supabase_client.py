"""The seed's integration module: `await get_optimal_provider(model_name)`.

    from llm_intelligence.supabase_client import get_optimal_provider
    provider_data = await get_optimal_provider("gpt-4o")
    provider_data["provider_id"]     # the model id to send to that provider

It answers from the default `AsyncRouter` (`llm_intelligence.async_router()`): Supabase's
REST API when SUPABASE_URL and SUPABASE_KEY are set (and DATABASE_URL is not), otherwise
DATABASE_URL or the embedded default. The dict is `ProviderChoice.as_dict()`:
model, provider_name, provider_id, input/output/blended prices (Decimal), probability,
reason.
"""

from __future__ import annotations

from typing import Any

from llm_intelligence.routing import async_router

__all__ = ["get_optimal_provider"]


async def get_optimal_provider(model_name: str) -> dict[str, Any]:
    """The provider to send `model_name` to (1/price^2 among healthy offers), as a dict."""
    choice = await async_router().get_optimal_provider(model_name)
    return choice.as_dict()
