"""Routing: in-process snapshot, strategies, task classification, fallback chains.

The routing facade is built on top of these modules; import what you need from the
submodules (`llm_intelligence.routing.classifier`, ...)."""
