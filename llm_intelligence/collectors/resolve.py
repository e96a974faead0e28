"""From a source's parsed rows to what the writer stores: one canonical model per real
model (via `llm_intelligence.identity`), provider slugs in LiteLLM's vocabulary, every
source id kept as an alias, duplicates counted instead of silently dropped.

Every row of every collector passes through `resolve`, so this is where the catalog's
limits are enforced row by row (`limits.row_problem`, the CHECK ranges below): a row the
database would refuse is rejected here with its reason, and never fails a source's write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from llm_intelligence import identity
from llm_intelligence.collectors.labels import TEXT_TYPES, is_subscription, model_type_from_name
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

    def absorb(self, info: ModelInfo, *, provider: str = "") -> None:
        """Merge what one more row says: first value wins, limits take the largest, and a
        capability is true when any row says so. A non-text type from any row wins over
        `chat`; `provider` (the serving provider) names the author of a maker's own models."""
        self.display_name = self.display_name or tidy(info.display_name)
        self.author = (
            self.author
            or identity.author_of(info.source_model_id)
            or (identity.canonical_author(info.author) if info.author else None)
            or identity.author_of(info.source_model_id, provider=provider or None)
        )
        self.model_family = self.model_family or tidy(info.model_family)
        if self.model_type is None or (
            self.model_type in TEXT_TYPES
            and info.model_type is not None
            and info.model_type not in TEXT_TYPES
        ):
            self.model_type = info.model_type or self.model_type
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


def _offer_labels(row: PriceRow, provider: str) -> PriceRow:
    """Row-level labels every source shares.

    * A subscription product's offer (GitHub Copilot, ChatGPT, coding plans) is no API free
      tier, whatever its token price: `is_free_tier` is false and `provider_metadata`
      says `{"access": "subscription"}`.
    * A `:batch` id (OpenRouter's batch endpoints as LiteLLM and genai-prices list them)
      prices batch requests: its prices go to the batch columns, never the base ones.
    """
    changes: dict[str, object] = {}
    if is_subscription(provider) or is_subscription(row.provider_name):
        changes["is_free_tier"] = False
        changes["provider_metadata"] = {**row.provider_metadata, "access": "subscription"}
    variant = identity.variant_of(row.model.source_model_id) or ""
    if "batch" in variant.split(":") and row.batch_input_price_per_million is None:
        changes |= {
            "batch_input_price_per_million": row.input_price_per_million,
            "batch_output_price_per_million": row.output_price_per_million,
            "input_price_per_million": None,
            "output_price_per_million": None,
            "is_free_tier": False,
        }
    return replace(row, **changes) if changes else row  # type: ignore[arg-type]


def _serving_provider(row: PriceRow, name: str) -> str:
    """The provider slug; the Gemini API serves Google's models only, so another maker's
    model under Google's provider (genai-prices' `google/claude-3-5-sonnet`) is Vertex AI."""
    provider = identity.canonical_provider(row.provider_name)
    if provider == "gemini":
        author = identity.author_of(row.model.source_model_id) or identity.author_of(name)
        if author is not None and author != "google":
            return "vertex_ai"
    return provider


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
        # Rows priced through OpenRouter use OpenRouter's ids, whoever collected them.
        host = "openrouter" if row.gateway == "openrouter" else source
        name = identity.canonical_model_name(row.model.source_model_id, source=host)
        provider = _serving_provider(row, name)
        problem = _identity_problem(row, name, provider)
        if problem is not None:
            rejected.append(RejectedRow(row.source_key, problem))
            continue
        seen_keys.add(row.source_key)
        model = models.get(name)
        if model is None:  # not setdefault: that would build a ResolvedModel for every row
            model = models[name] = ResolvedModel(name=name)
        model.absorb(row.model, provider=provider)
        row = _offer_labels(row, provider)
        for alias in (row.model.source_model_id, row.provider_id):
            if alias == name or not alias.strip():  # the catalog refuses blank aliases
                continue
            known = aliases.setdefault(alias, name)
            if known != name:
                alias_conflicts += 1
        prices.append(ResolvedPrice(row=row, model_name=name, provider_name=provider))

    for model in models.values():
        if model.model_type is None or model.model_type in TEXT_TYPES:
            model.model_type = model_type_from_name(model.name) or model.model_type

    return ResolvedSource(
        source=source,
        models=list(models.values()),
        aliases=aliases,
        prices=prices,
        rejected=rejected,
        alias_conflicts=alias_conflicts,
    )
