"""From a source's parsed rows to what the writer stores: one canonical model per real
model (via `llm_intelligence.identity`), provider slugs in LiteLLM's vocabulary, every
source id kept as an alias, duplicates counted instead of silently dropped.

Every row of every collector passes through `resolve`, so this is where the catalog's
limits are enforced row by row (`limits.row_problem`, the CHECK ranges below): a row the
database would refuse is rejected here with its reason, and never fails a source's write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from llm_intelligence import identity
from llm_intelligence.collectors.limits import MAX_ECHO, clip, id_problem, row_problem, tidy
from llm_intelligence.collectors.rows import (
    PRICE_FIELDS,
    ModelInfo,
    ParsedSource,
    PriceRow,
    RejectedRow,
)


@dataclass(slots=True)
class ResolvedModel:
    name: str
    display_name: str | None = None
    author: str | None = None
    """Stored in `models.provider` (the author)."""
    model_family: str | None = None
    model_type: str | None = None
    context_window: int | None = None
    max_tokens: int | None = None
    capabilities: dict[str, bool] = field(default_factory=dict)
    release_date: date | None = None
    deprecation_date: date | None = None
    open_weights: bool | None = None

    def absorb(self, info: ModelInfo) -> None:
        """Merge what one more row says: first value wins, limits take the largest, and a
        capability is true when any row says so."""
        self.display_name = self.display_name or tidy(info.display_name)
        self.author = self.author or identity.author_of(info.source_model_id) or info.author
        self.model_family = self.model_family or tidy(info.model_family)
        self.model_type = self.model_type or info.model_type
        self.context_window = _larger(self.context_window, _positive(info.context_window))
        self.max_tokens = _larger(self.max_tokens, _positive(info.max_output_tokens))
        for flag, value in info.capabilities.items():
            self.capabilities[flag] = self.capabilities.get(flag, False) or value
        self.release_date = self.release_date or info.release_date
        self.deprecation_date = self.deprecation_date or info.deprecation_date
        if self.open_weights is None:
            self.open_weights = info.open_weights


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    row: PriceRow
    model_name: str
    provider_name: str
    """The serving provider's canonical slug (`provider_pricing.provider_name`)."""


@dataclass(slots=True)
class ResolvedSource:
    source: str
    models: list[ResolvedModel]
    aliases: dict[str, str]
    prices: list[ResolvedPrice]
    rejected: list[RejectedRow]
    alias_conflicts: int = 0


def _positive(tokens: int | None) -> int | None:
    """A limit of zero or less is no limit a source knows (the catalog refuses it)."""
    return tokens if tokens is not None and tokens > 0 else None


def _larger(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


# The catalog's CHECK constraints, row by row: a row that would break one is rejected
# here, with the reason, instead of failing the whole source's write. Per-million prices
# above the ceiling are unit mistakes.
MAX_PRICE_PER_MILLION = Decimal(100_000)
_RANGES: tuple[tuple[str, Decimal, Decimal, str], ...] = (
    *((name, Decimal(0), MAX_PRICE_PER_MILLION, "USD per million tokens") for name in PRICE_FIELDS),
    ("uptime_pct", Decimal(0), Decimal(100), "percent"),
    ("latency_ms", Decimal(0), Decimal(86_400_000), "ms"),
    ("throughput_tps", Decimal(0), Decimal(10_000_000), "tokens per second"),
)


def _price_problem(row: PriceRow) -> str | None:
    for name, low, high, unit in _RANGES:
        value = getattr(row, name)
        if value is None:
            continue
        # Finite first: comparing a NaN Decimal raises instead of answering.
        if not Decimal(value).is_finite() or not (low <= value <= high):
            return f"{name} {value} is outside {low}..{high} {unit}"
    for name in ("context_window", "max_output_tokens"):
        value = getattr(row, name)
        if value is not None and value <= 0:
            return f"{name} {value} is not a positive number of tokens"
    if row.is_free_tier and (row.input_price_per_million or row.output_price_per_million):
        return (
            f"a free-tier row with a price (input {row.input_price_per_million},"
            f" output {row.output_price_per_million})"
        )
    return None


def _identity_problem(row: PriceRow, name: str, provider: str) -> str | None:
    """Why the canonical name or provider slug cannot be stored, or None."""
    shown = clip(row.model.source_model_id, MAX_ECHO)
    if not name.strip():
        return f"no model name in {shown!r}"
    if not provider.strip():
        return f"{shown}: no provider slug in {clip(row.provider_name, MAX_ECHO)!r}"
    return id_problem("canonical model name", name) or id_problem("provider slug", provider)


def resolve(parsed: ParsedSource, *, source: str) -> ResolvedSource:
    models: dict[str, ResolvedModel] = {}
    aliases: dict[str, str] = {}
    prices: list[ResolvedPrice] = []
    rejected = list(parsed.rejected)
    seen_keys: set[str] = set()
    alias_conflicts = 0

    for row in parsed.prices:
        # Limits first: identity rules need not be fast on a 9,000-character id.
        problem = row_problem(row) or _price_problem(row)
        if problem is not None:
            shown = clip(row.model.source_model_id, MAX_ECHO)
            rejected.append(RejectedRow(row.source_key, f"{shown}: {problem}"))
            continue
        if row.source_key in seen_keys:
            rejected.append(RejectedRow(row.source_key, "duplicate source_key in this payload"))
            continue
        name = identity.canonical_model_name(row.model.source_model_id, source=source)
        provider = identity.canonical_provider(row.provider_name)
        problem = _identity_problem(row, name, provider)
        if problem is not None:
            rejected.append(RejectedRow(row.source_key, problem))
            continue
        seen_keys.add(row.source_key)
        model = models.get(name)
        if model is None:  # not setdefault: that would build a ResolvedModel for every row
            model = models[name] = ResolvedModel(name=name)
        model.absorb(row.model)
        for alias in (row.model.source_model_id, row.provider_id):
            if alias == name or not alias.strip():  # the catalog refuses blank aliases
                continue
            known = aliases.setdefault(alias, name)
            if known != name:
                alias_conflicts += 1
        prices.append(ResolvedPrice(row=row, model_name=name, provider_name=provider))

    return ResolvedSource(
        source=source,
        models=list(models.values()),
        aliases=aliases,
        prices=prices,
        rejected=rejected,
        alias_conflicts=alias_conflicts,
    )
