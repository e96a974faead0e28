"""Integrations with the tools requests go through (optional extras).

- `llm_intelligence.integrations.litellm` (the `[litellm]` extra): a routing strategy for
  `litellm.Router`, a usage-recording `CustomLogger`, and the proxy handler.
- `llm_intelligence.integrations.litellm_config`: a LiteLLM proxy `config.yaml` from the
  rankings (`llm-intel litellm-config`); needs no LiteLLM.

Nothing here is imported by `llm_intelligence` itself: the package imports without LiteLLM.
"""
