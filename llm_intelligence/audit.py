"""`llm-intel audit`: how far the catalog's answers can be trusted, read from the live
database. Every query of the audit is in this module; the figures are one dataclass
(`AuditReport`), which the CLI prints in 80 columns or as JSON.

Sections (issue 11's audit, reproducible on any catalog):

- `vendor_minimums`: closed models (authors `CLOSED_VENDORS`) whose cheapest input price
  is below the vendor's own list price (below 90 % and below 50 %), for the minimum over
  every offer (what a naive minimum shows) and for `model_rankings.min_input_cost` (the
  catalog's minimum, trusted providers first), and which provider tier sets the naive one;
- `outliers`: offers `current_pricing` flags (`is_price_outlier`: below half the trusted
  median; `is_quarantined`: 20x off the median), never used for minimums or routing;
- `conflicts`: offers whose sources disagree (`public.price_conflicts`), by choice rule;
- `duplicates`: names that differ only by a known prefix or suffix (`fw-`, `-free`, ...),
  and provider ids one provider lists under several models;
- `authors`: models without an author, or with one that is a path segment, not a maker;
- `non_text`: models typed as text (chat, completion, responses) whose name says they are
  not (rerank, moderation, embedding, speech, music, image), and how many are ranked;
- `free_tiers`: models with an API free tier, with subscription access only, and the
  free offers GitHub Models' catalog brings (with rate limits).
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

import psycopg

__all__ = [
    "CLOSED_VENDORS",
    "CONFLICT_COLUMNS",
    "DUPLICATE_PREFIXES",
    "DUPLICATE_SUFFIXES",
    "NON_TEXT_NAME",
    "SUSPICIOUS_AUTHORS",
    "AuditReport",
    "conflict_rows",
    "render",
    "run_audit",
]

CLOSED_VENDORS: dict[str, tuple[str, ...]] = {
    "openai": ("openai",),
    "anthropic": ("anthropic",),
    "google": ("gemini",),
    "x-ai": ("xai",),
}
"""Closed-model authors -> the provider_name(s) of their own API (the list price)."""

DUPLICATE_PREFIXES = (
    "fw-",
    "nvidia-",
    "coding-",
    "zai-org-",
    "anthropic-",
    "openai-",
    "google-",
    "meta-",
    "mistralai-",
    "accounts-",
)
"""Prefixes sources put before a model's name (a provider's or a plan's)."""
DUPLICATE_SUFFIXES = (
    "-free",
    "-us",
    "-eu",
    "-global",
    "-original",
    "-basic",
    "-latest",
    "-fast",
    "-turbo",
    "-tee",
)
"""Suffixes sources put after it (a tier, a region, a plan)."""

SUSPICIOUS_AUTHORS = ("accounts", "models", "library", "api", "default", "unknown", "user")
"""Authors that are path segments of a provider's ids, not who made the model."""

NON_TEXT_NAME = re.compile(
    r"rerank|moderation|embed|(^|-)tts(-|$)|whisper|music|lyria|transcribe|speech"
    r"|dall-e|imagen|stable-diffusion|(^|-)flux(-|$)|(^|-)sora(-|$)|(^|-)veo(-|$)"
)
"""Names of models that do not generate text (a heuristic: the audit's, not the catalog's)."""

_EXAMPLES = 5


@dataclass(frozen=True, slots=True)
class Catalog:
    models: int
    active_models: int
    active_offers: int
    ranked_models: int


@dataclass(frozen=True, slots=True)
class BelowVendor:
    """Closed models whose minimum input price is below the vendor's list price."""

    rule: str
    models: int
    below_90: int
    below_50: int


@dataclass(frozen=True, slots=True)
class TierCount:
    tier: str
    models: int
    below_90: int
    below_50: int


@dataclass(frozen=True, slots=True)
class Example:
    model: str
    provider: str
    price: str
    reference: str
    """The price it is compared with (vendor's price, median, other source's)."""


@dataclass(slots=True)
class VendorMinimums:
    closed_models: int
    """Closed models (authors CLOSED_VENDORS) with a paid input price from their vendor."""
    rules: list[BelowVendor] = field(default_factory=list)
    by_tier: list[TierCount] = field(default_factory=list)
    """For the minimum over every offer: the tier of the provider that sets it."""
    examples: list[Example] = field(default_factory=list)


@dataclass(slots=True)
class Outliers:
    outliers: int
    quarantined: int
    by_tier: dict[str, int] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)


@dataclass(slots=True)
class Conflicts:
    offers: int
    source_rows: int
    by_rule: dict[str, int] = field(default_factory=dict)
    examples: list[Example] = field(default_factory=list)


@dataclass(slots=True)
class Duplicates:
    affix_pairs: int
    shared_provider_ids: int
    affix_examples: list[str] = field(default_factory=list)
    shared_examples: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Authors:
    without_author: int
    suspicious: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class NonText:
    typed_as_text: int
    ranked: int
    examples: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class FreeTiers:
    api_free_tier: int
    subscription_only: int
    github_models_offers: int
    with_rate_limits: int


@dataclass(slots=True)
class AuditReport:
    catalog: Catalog
    vendor_minimums: VendorMinimums
    outliers: Outliers
    conflicts: Conflicts
    duplicates: Duplicates
    authors: Authors
    non_text: NonText
    free_tiers: FreeTiers

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


# --- queries -------------------------------------------------------------------------

_CATALOG = """
select (select count(*) from public.models),
       (select count(*) from public.models where is_active),
       (select count(*) from public.provider_pricing where is_active),
       (select count(*) from public.model_rankings)
"""

# Per closed model: its vendor's list input price (the vendor's own paid offer, direct),
# the minimum over every paid offer (and the tier of the provider that sets it), and the
# catalog's minimum (model_rankings). Blended prices are not used: the figures are
# input prices, as `min_input_cost` is.
_VENDOR_MINIMUMS = """
with closed as (
  select m.id, m.name, v.vendor
  from public.models m
  join unnest(%(authors)s::text[], %(vendors)s::text[]) as v (author, vendor)
    on m.provider = v.author
),
offers as (
  select cp.model_id, cp.provider_name, cp.trust_tier, cp.gateway,
         cp.input_price_per_million as price
  from public.current_pricing cp
  where not cp.is_free_tier and cp.input_price_per_million > 0
),
listed as (
  select c.id, c.name, min(o.price) as list_price
  from closed c
  join offers o on o.model_id = c.id and o.provider_name = c.vendor and o.gateway = ''
  group by c.id, c.name
),
cheapest as (
  select distinct on (o.model_id) o.model_id, o.price, o.provider_name, o.trust_tier
  from offers o
  where o.model_id in (select id from listed)
  order by o.model_id, o.price, o.provider_name
)
select l.name, l.list_price, ch.price, ch.provider_name, ch.trust_tier, r.min_input_cost
from listed l
join cheapest ch on ch.model_id = l.id
left join public.model_rankings r on r.model_id = l.id
order by ch.price / l.list_price, l.name
"""

_OUTLIERS = """
select o.flag, o.trust_tier, o.model_name, o.provider_name, o.blended_price_per_million,
       case when o.flag = 'quarantined' then o.paid_median_price else o.trusted_median_price end
from public.price_outliers o
order by o.flag, o.blended_price_per_million / nullif(
  case when o.flag = 'quarantined' then o.paid_median_price else o.trusted_median_price end, 0),
  o.model_name, o.provider_name
"""

_CONFLICTS = """
select c.model_name, c.provider_name, c.gateway, c.deployment, c.is_free_tier, c.source,
       c.is_chosen, c.choice_rule, c.input_price_per_million, c.output_price_per_million,
       greatest(coalesce(c.input_spread_pct, 0), coalesce(c.output_spread_pct, 0)) as spread
from public.price_conflicts c
order by spread desc, c.model_name, c.provider_name, c.source
"""

_NAMES = "select name from public.models where is_active"

_SHARED_PROVIDER_IDS = """
select p.provider_name, p.provider_id, array_agg(distinct m.name order by m.name)
from public.provider_pricing p
join public.models m on m.id = p.model_id
where p.is_active
group by p.provider_name, p.provider_id
having count(distinct p.model_id) > 1
order by count(distinct p.model_id) desc, p.provider_name, p.provider_id
"""

_AUTHORS = """
select count(*) filter (where provider is null or btrim(provider) = ''),
       coalesce(jsonb_object_agg(provider, n) filter (where provider = any(%(suspicious)s)),
                '{}'::jsonb)
from (select provider, count(*) as n from public.models where is_active group by provider) a
"""

_TEXT_TYPED = """
select m.name, r.model_id is not null as ranked
from public.models m
left join public.model_rankings r on r.model_id = m.id
where m.is_active and m.model_type in ('chat', 'completion', 'responses')
order by m.name
"""

_FREE_TIERS = """
select (select count(*) from public.model_rankings where has_free_tier),
       (select count(*) from public.model_rankings
        where has_subscription_access and not has_free_tier),
       (select count(*) from public.provider_pricing
        where is_active and source = 'github-models' and is_free_tier),
       (select count(*) from public.provider_pricing
        where is_active and is_free_tier and rate_limits <> '{}'::jsonb)
"""


def _text(value: Decimal | None) -> str:
    if value is None:
        return "-"
    return f"{value.normalize():f}" if value else "0"


def _vendor_minimums(conn: psycopg.Connection[Any]) -> VendorMinimums:
    authors = [a for a, vendors in CLOSED_VENDORS.items() for _ in vendors]
    vendors = [v for vendors in CLOSED_VENDORS.values() for v in vendors]
    rows = conn.execute(_VENDOR_MINIMUMS, {"authors": authors, "vendors": vendors}).fetchall()
    naive = [0, 0]
    honest = [0, 0]
    tiers: dict[str, list[int]] = {}
    examples: list[Example] = []
    for name, list_price, cheapest, provider, tier, catalog_min in rows:
        count = tiers.setdefault(tier or "unrated", [0, 0, 0])
        count[0] += 1
        if cheapest < Decimal("0.9") * list_price:
            naive[0] += 1
            count[1] += 1
        if cheapest < Decimal("0.5") * list_price:
            naive[1] += 1
            count[2] += 1
            if len(examples) < _EXAMPLES:
                examples.append(Example(name, provider, _text(cheapest), _text(list_price)))
        if catalog_min is not None and catalog_min < Decimal("0.9") * list_price:
            honest[0] += 1
        if catalog_min is not None and catalog_min < Decimal("0.5") * list_price:
            honest[1] += 1
    return VendorMinimums(
        closed_models=len(rows),
        rules=[
            BelowVendor("any offer", len(rows), *naive),
            BelowVendor("model_rankings", len(rows), *honest),
        ],
        by_tier=[TierCount(t, *c) for t, c in sorted(tiers.items(), key=lambda kv: -kv[1][0])],
        examples=examples,
    )


def _outliers(conn: psycopg.Connection[Any]) -> Outliers:
    rows = conn.execute(_OUTLIERS).fetchall()
    flags = Counter(row[0] for row in rows)
    by_tier = Counter(row[1] or "unrated" for row in rows)
    examples: list[Example] = []
    for _flag, _tier, model, provider, price, median in rows:
        if len(examples) < _EXAMPLES and all(e.model != model for e in examples):
            examples.append(Example(model, provider, _text(price), _text(median)))
    return Outliers(
        outliers=flags.get("outlier", 0),
        quarantined=flags.get("quarantined", 0),
        by_tier=dict(by_tier.most_common()),
        examples=examples,
    )


def _conflicts(conn: psycopg.Connection[Any]) -> Conflicts:
    rows = conn.execute(_CONFLICTS).fetchall()
    offers: dict[tuple[Any, ...], str] = {}
    chosen: dict[tuple[Any, ...], str] = {}
    for model, provider, gateway, deployment, free, _, is_chosen, rule, in_, out, _ in rows:
        key = (model, provider, gateway, deployment, free)
        offers.setdefault(key, rule or "?")
        if is_chosen:
            chosen[key] = f"{_text(in_)}/{_text(out)}"
    examples: list[Example] = []
    for model, provider, gateway, deployment, free, source, is_chosen, _, in_, out, _ in rows:
        key = (model, provider, gateway, deployment, free)
        price = f"{_text(in_)}/{_text(out)}"
        if (
            not is_chosen
            and price != chosen.get(key)
            and len(examples) < _EXAMPLES
            and all(e.model != model for e in examples)
        ):
            examples.append(Example(model, f"{provider} ({source})", price, chosen.get(key, "-")))
    return Conflicts(
        offers=len(offers),
        source_rows=len(rows),
        by_rule=dict(Counter(offers.values()).most_common()),
        examples=examples,
    )


def affix_pairs(names: set[str]) -> list[tuple[str, str]]:
    """(name, the name it would be without a known prefix or suffix) for every name whose
    shorter form is also a model: candidates for one model under two names."""
    pairs = []
    for name in sorted(names):
        for prefix in DUPLICATE_PREFIXES:
            if name.startswith(prefix) and (bare := name.removeprefix(prefix)) in names:
                pairs.append((name, bare))
        for suffix in DUPLICATE_SUFFIXES:
            if name.endswith(suffix) and (bare := name.removesuffix(suffix)) in names:
                pairs.append((name, bare))
    return pairs


def _duplicates(conn: psycopg.Connection[Any]) -> Duplicates:
    names = {row[0] for row in conn.execute(_NAMES)}
    pairs = affix_pairs(names)
    shared = conn.execute(_SHARED_PROVIDER_IDS).fetchall()
    return Duplicates(
        affix_pairs=len(pairs),
        shared_provider_ids=len(shared),
        affix_examples=[f"{a} = {b}?" for a, b in pairs[:_EXAMPLES]],
        shared_examples=[
            f"{provider}:{provider_id} -> {', '.join(models)}"
            for provider, provider_id, models in shared[:_EXAMPLES]
        ],
    )


def _authors(conn: psycopg.Connection[Any]) -> Authors:
    row = conn.execute(_AUTHORS, {"suspicious": list(SUSPICIOUS_AUTHORS)}).fetchone()
    assert row is not None
    return Authors(without_author=row[0], suspicious=dict(sorted(row[1].items())))


def _non_text(conn: psycopg.Connection[Any]) -> NonText:
    hits = [
        (name, ranked) for name, ranked in conn.execute(_TEXT_TYPED) if NON_TEXT_NAME.search(name)
    ]
    return NonText(
        typed_as_text=len(hits),
        ranked=sum(1 for _, ranked in hits if ranked),
        examples=[name for name, _ in hits[:_EXAMPLES]],
    )


def _free_tiers(conn: psycopg.Connection[Any]) -> FreeTiers:
    row = conn.execute(_FREE_TIERS).fetchone()
    assert row is not None
    return FreeTiers(*row)


def run_audit(conn: psycopg.Connection[Any]) -> AuditReport:
    """Every figure of the audit, in one read-only transaction (one snapshot)."""
    with conn.transaction():
        conn.execute("set transaction isolation level repeatable read, read only")
        row = conn.execute(_CATALOG).fetchone()
        assert row is not None
        return AuditReport(
            catalog=Catalog(*row),
            vendor_minimums=_vendor_minimums(conn),
            outliers=_outliers(conn),
            conflicts=_conflicts(conn),
            duplicates=_duplicates(conn),
            authors=_authors(conn),
            non_text=_non_text(conn),
            free_tiers=_free_tiers(conn),
        )


# --- rendering -----------------------------------------------------------------------

WIDTH = 80


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _example_lines(examples: list[Example], against: str) -> list[str]:
    lines = []
    for e in examples:
        left = f"    {_clip(e.model, 26):<26} {_clip(e.provider, 26):<26}"
        lines.append(_clip(f"{left} {e.price} ({against} {e.reference})", WIDTH))
    return lines


def _wrap(text: str) -> list[str]:
    if len(text) <= WIDTH:
        return [text]
    indent = " " * (len(text) - len(text.lstrip()) + 2)
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False)


def render(report: AuditReport) -> list[str]:
    """The report as lines of at most 80 characters."""
    c = report.catalog
    vm = report.vendor_minimums
    lines = [
        f"Catalog: {c.models:,} models ({c.active_models:,} active), "
        f"{c.active_offers:,} active offers, {c.ranked_models:,} ranked",
        "",
        "Closed models' cheapest input price below the vendor's own list price",
        f"  ({', '.join(CLOSED_VENDORS)}: {vm.closed_models:,} models the vendor prices)",
        f"  {'minimum':<36}{'models':>8}{'< 90 %':>9}{'< 50 %':>9}",
    ]
    labels = {
        "any offer": "cheapest offer of any provider",
        "model_rankings": "model_rankings.min_input_cost",
    }
    for r in vm.rules:
        lines.append(
            f"  {labels.get(r.rule, r.rule):<36}{r.models:>8,}{r.below_90:>9,}{r.below_50:>9,}"
        )
    lines.append(f"  {'cheapest offer, by its provider tier':<36}")
    for t in vm.by_tier:
        lines.append(f"    {t.tier:<34}{t.models:>8,}{t.below_90:>9,}{t.below_50:>9,}")
    if vm.examples:
        lines.append("  below half, for example:")
        lines += _example_lines(vm.examples, "vendor")
    o = report.outliers
    tiers = ", ".join(f"{tier} {n:,}" for tier, n in o.by_tier.items()) or "none"
    lines += [
        "",
        f"Price outliers: {o.outliers:,} below half the trusted median, "
        f"{o.quarantined:,} quarantined (20x off)",
        f"  by provider tier: {tiers}",
    ]
    lines += _example_lines(o.examples, "median")
    k = report.conflicts
    rules = ", ".join(f"{rule} {n:,}" for rule, n in k.by_rule.items()) or "none"
    lines += [
        "",
        f"Price conflicts: {k.offers:,} offers where sources disagree "
        f"({k.source_rows:,} source rows)",
        f"  chosen by: {rules}",
    ]
    lines += _example_lines(k.examples, "shown")
    d = report.duplicates
    lines += [
        "",
        f"Duplicate-name candidates: {d.affix_pairs:,} by prefix/suffix, "
        f"{d.shared_provider_ids:,} provider ids under several models",
    ]
    lines += [_clip(f"    {text}", WIDTH) for text in (*d.affix_examples, *d.shared_examples)]
    a = report.authors
    odd = ", ".join(f"{name} {n:,}" for name, n in a.suspicious.items()) or "none"
    n = report.non_text
    f = report.free_tiers
    lines += [
        "",
        f"Authors: {a.without_author:,} active models without one; suspicious: {odd}",
        "",
        f"Non-text models typed chat/completion: {n.typed_as_text:,} "
        f"({n.ranked:,} in model_rankings)",
    ]
    lines += [_clip(f"    {name}", WIDTH) for name in n.examples]
    lines += [
        "",
        f"Free tiers: {f.api_free_tier:,} ranked models with an API free tier, "
        f"{f.subscription_only:,} with subscription access only",
        f"  GitHub Models free offers: {f.github_models_offers:,}; "
        f"free offers with rate limits: {f.with_rate_limits:,}",
    ]
    return [wrapped for line in lines for wrapped in _wrap(line)]


# --- conflicts (`llm-intel conflicts`) ---------------------------------------------------

_CONFLICT_OFFERS = """
with offers as (
  select c.model_id, c.provider_name, c.gateway, c.deployment, c.is_free_tier,
         max(greatest(coalesce(c.input_spread_pct, 0), coalesce(c.output_spread_pct, 0)))
           as spread
  from public.price_conflicts c
  where %(model_id)s::bigint is null or c.model_id = %(model_id)s::bigint
  group by c.model_id, c.provider_name, c.gateway, c.deployment, c.is_free_tier
  order by spread desc, c.model_id, c.provider_name, c.gateway, c.deployment, c.is_free_tier
  limit %(limit)s
)
select c.model_name, c.provider_name, c.gateway, c.deployment, c.is_free_tier, c.source,
       c.provider_id, c.input_price_per_million, c.output_price_per_million, c.is_chosen,
       c.chosen_source, c.choice_rule, c.input_spread_pct, c.output_spread_pct, c.updated_at
from public.price_conflicts c
join offers o using (model_id, provider_name, gateway, deployment, is_free_tier)
order by o.spread desc, c.model_name, c.provider_name, c.gateway, c.deployment,
         c.is_free_tier, c.is_chosen desc, c.source
"""

CONFLICT_COLUMNS = (
    "model_name",
    "provider_name",
    "gateway",
    "deployment",
    "is_free_tier",
    "source",
    "provider_id",
    "input_price_per_million",
    "output_price_per_million",
    "is_chosen",
    "chosen_source",
    "choice_rule",
    "input_spread_pct",
    "output_spread_pct",
    "updated_at",
)


def conflict_rows(
    conn: psycopg.Connection[Any], *, model: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """`public.price_conflicts` rows of the `limit` offers whose sources disagree most
    (of one model when `model` is given: any name or alias `resolve_model` accepts; an
    unknown name raises the database's error, which suggests the closest names)."""
    model_id = None
    if model is not None:
        row = conn.execute("select public.resolve_model(%s)", (model,)).fetchone()
        model_id = row[0] if row else None
    rows = conn.execute(_CONFLICT_OFFERS, {"model_id": model_id, "limit": limit}).fetchall()
    return [dict(zip(CONFLICT_COLUMNS, row, strict=True)) for row in rows]
