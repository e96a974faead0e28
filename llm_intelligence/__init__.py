"""llm-intelligence: LLM models, provider prices and benchmarks, ranked in SQL."""

from llm_intelligence.config import Settings, load_settings
from llm_intelligence.errors import LLMIntelError, UnknownModelError

__all__ = ["LLMIntelError", "Settings", "UnknownModelError", "load_settings"]
