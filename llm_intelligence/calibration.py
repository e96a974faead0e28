"""Put benchmarks of different difficulty on one scale: the fit behind `llm-intel calibrate`.

Every benchmark's `normalized_score` x (chance-adjusted, clipped; an Arena rating's win
rate against a fixed reference) is read on the logit scale, y = logit(clip(x, 0.01, 0.99)),
and modelled per category as one latent ability per model:

    y[model, benchmark] = a[benchmark] + s[benchmark] * theta[model] + noise

`a` is the benchmark's difficulty offset (HumanEval's is high: most models pass), `s` how
strongly it separates models. The fit is alternating least squares on the models that
appear on at least two leaderboards of the category (on at least two of its benchmarks
when the category has one leaderboard only), deterministic (fixed start, fixed number of
iterations, sorted inputs). The stored `a` and `s` then link each benchmark to the
abilities by mean and spread (s = sd(y) / sd(theta) on the fitted models, the line through
the means) rather than by the least-squares line, whose slope r x sd(y) / sd(theta) would
make z = (y - a) / s spread 1 / r times wider than the ability for a benchmark that agrees
weakly (r) with the others; how well it agrees is its weight (r^2). The scale is then
fixed so that, over the fitted benchmarks of
the category, the offsets average 0 and the slopes average 1: the reference scale is "the
category's average benchmark, in logits". The database maps a score with the stored
parameters, z = (y - a) / s (`llm_intel_private.calibrated_logit`); a benchmark without
parameters keeps the identity (a = 0, s = 1).

The parameters are stored in `llm_intel_private.benchmark_calibration` and change only
when `llm-intel calibrate` writes them: a model added later is mapped with the stored
parameters and moves nobody else.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import psycopg

__all__ = [
    "BenchmarkFit",
    "LinkReport",
    "ScoreRow",
    "fit_calibration",
    "link_new_benchmarks",
    "logit",
    "read_rows",
    "storable",
    "write_calibration",
    "write_links",
]

CLIP = 0.01
"""Normalized scores are read within 0.01..0.99 before the logit (a 0 or a 1 is finite)."""
MIN_MODELS = 8
"""A benchmark needs this many fitting models to get parameters; fewer keep the identity."""
MIN_SLOPE = 0.1
"""A slope below this (a benchmark that barely separates the fitted models) is held here."""
MIN_WEIGHT = 0.05
ITERATIONS = 60
RIDGE = 0.05
"""A small pull of each model's ability toward the middle, for models on two benchmarks."""


def logit(x: float) -> float:
    p = min(1 - CLIP, max(CLIP, x))
    return math.log(p / (1 - p))


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One primary, active score: what the fit and the validation read."""

    model_id: int
    source: str
    benchmark_name: str
    metric_type: str
    category: str
    normalized_score: float


@dataclass(frozen=True, slots=True)
class BenchmarkFit:
    benchmark_name: str
    metric_type: str
    category: str
    offset: float
    slope: float
    n_models: int
    rmse: float
    """Residual root mean square on the logit scale, over the fitted models."""
    correlation: float
    """Pearson r between the benchmark's logits and the fitted abilities."""
    weight: float
    """The benchmark's weight within its leaderboard: r^2 (its reliability), at least 0.05."""


_ROWS = """
select b.model_id, coalesce(b.source, b.benchmark_name), b.benchmark_name, b.metric_type,
       b.benchmark_category, b.normalized_score::float8
from public.benchmark_scores b
where b.is_active and b.is_primary and b.normalized_score is not null
  and not (b.source = any(%s))
order by 1, 2, 3, 4
"""


def read_rows(
    conn: psycopg.Connection[Any], *, exclude_sources: Sequence[str] = ()
) -> list[ScoreRow]:
    """The rows rankings use (active, primary), optionally without some leaderboards."""
    return [ScoreRow(*r) for r in conn.execute(_ROWS, (list(exclude_sources),))]


def fit_calibration(rows: Iterable[ScoreRow]) -> list[BenchmarkFit]:
    """Fit offsets and slopes per category (module docstring); sorted by category, name."""
    by_category: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in rows:
        by_category[row.category].append(row)
    fits: list[BenchmarkFit] = []
    for category in sorted(by_category):
        fits.extend(_fit_category(category, by_category[category]))
    return fits


def _fit_category(category: str, rows: list[ScoreRow]) -> list[BenchmarkFit]:
    Key = tuple[str, str]
    y: dict[int, dict[Key, float]] = defaultdict(dict)
    sources_of: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        y[r.model_id][(r.benchmark_name, r.metric_type)] = logit(r.normalized_score)
        sources_of[r.model_id].add(r.source)
    n_sources = len({r.source for r in rows})
    if n_sources >= 2:
        models = sorted(m for m in y if len(sources_of[m]) >= 2)
    else:
        models = sorted(m for m in y if len(y[m]) >= 2)
    count: dict[Key, int] = defaultdict(int)
    for m in models:
        for key in y[m]:
            count[key] += 1
    benchmarks = sorted(k for k, n in count.items() if n >= MIN_MODELS)
    if len(benchmarks) < 2:
        return []
    wanted = set(benchmarks)
    data = {m: {k: v for k, v in y[m].items() if k in wanted} for m in models}
    data = {m: d for m, d in data.items() if len(d) >= 2}
    models = sorted(data)
    # Start: each model's mean standardized logit.
    stats = {}
    for k in benchmarks:
        values = [data[m][k] for m in models if k in data[m]]
        mean = sum(values) / len(values)
        sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
        stats[k] = (mean, sd)
    theta = {
        m: sum((v - stats[k][0]) / stats[k][1] for k, v in data[m].items()) / len(data[m])
        for m in models
    }
    offset = {k: stats[k][0] for k in benchmarks}
    slope = {k: stats[k][1] for k in benchmarks}
    for _ in range(ITERATIONS):
        _standardize(theta)
        for k in benchmarks:
            pairs = [(theta[m], data[m][k]) for m in models if k in data[m]]
            offset[k], slope[k] = _line(pairs)
        for m in models:
            num = sum(slope[k] * (v - offset[k]) for k, v in data[m].items())
            den = sum(slope[k] ** 2 for k in data[m]) + RIDGE
            theta[m] = num / den
    _standardize(theta)
    for k in benchmarks:
        pairs = [(theta[m], data[m][k]) for m in models if k in data[m]]
        offset[k], slope[k] = _link(pairs)
    # The reference scale: offsets average 0, slopes average 1 (theta* = mean_a + mean_s
    # theta, so y = (a - s mean_a / mean_s) + (s / mean_s) theta*).
    mean_a = sum(offset.values()) / len(benchmarks)
    mean_s = sum(slope.values()) / len(benchmarks)
    return [
        _benchmark_fit(
            k,
            category,
            offset=offset[k] - slope[k] * mean_a / mean_s,
            slope=slope[k] / mean_s,
            pairs=[(theta[m], data[m][k]) for m in models if k in data[m]],
        )
        for k in benchmarks
    ]


def _benchmark_fit(
    key: tuple[str, str],
    category: str,
    *,
    offset: float,
    slope: float,
    pairs: list[tuple[float, float]],
) -> BenchmarkFit:
    """A benchmark's stored parameters, with how well it agrees with the abilities it was
    linked to (`pairs`: (ability, logit) per model) — for a full fit and a link alike."""
    fit_a, fit_s = _line(pairs)  # the least-squares residuals, not the linking line's
    rmse = math.sqrt(sum((v - fit_a - fit_s * t) ** 2 for t, v in pairs) / len(pairs))
    agreement = _pearson(pairs)
    return BenchmarkFit(
        benchmark_name=key[0],
        metric_type=key[1],
        category=category,
        offset=round(offset, 6),
        slope=round(slope, 6),
        n_models=len(pairs),
        rmse=round(rmse, 4),
        correlation=round(agreement, 4),
        weight=round(max(MIN_WEIGHT, agreement**2), 4),
    )


def _standardize(theta: dict[int, float]) -> None:
    values = list(theta.values())
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) or 1.0
    for m in theta:
        theta[m] = (theta[m] - mean) / sd


def _moments(pairs: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    """The means of x and y and the sums of squares sxx, syy, sxy of (x, y) pairs."""
    n = len(pairs)
    mx = sum(x for x, _ in pairs) / n
    my = sum(v for _, v in pairs) / n
    sxx = sum((x - mx) ** 2 for x, _ in pairs)
    syy = sum((v - my) ** 2 for _, v in pairs)
    sxy = sum((x - mx) * (v - my) for x, v in pairs)
    return mx, my, sxx, syy, sxy


def _line(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares intercept and slope of y on x, the slope held at >= MIN_SLOPE."""
    mx, my, sxx, _, sxy = _moments(pairs)
    slope = max(MIN_SLOPE, sxy / sxx if sxx > 0 else MIN_SLOPE)
    return my - slope * mx, slope


def _link(pairs: list[tuple[float, float]]) -> tuple[float, float]:
    """Mean-sigma linking of y to x: the slope is sd(y) / sd(x), held at >= MIN_SLOPE, and
    the line passes through the means.

    The least-squares slope (`_line`) is r x sd(y) / sd(x): for a benchmark that agrees
    weakly with the others (r small) it is small, and the database divides by it, so the
    mapped score z = (y - a) / s would spread 1 / r times wider than the ability it
    estimates (LMArena's math rating, r = 0.38 on 23 models, was stretched 2.7 times past
    the ability's spread, and half of the models it lists fell to the floor). Linking the
    spreads instead gives every benchmark's z the spread of the ability on the models the
    fit saw, whatever r is; r goes into the benchmark's weight instead."""
    mx, my, sxx, syy, _ = _moments(pairs)
    slope = max(MIN_SLOPE, math.sqrt(syy / sxx) if sxx > 0 else MIN_SLOPE)
    return my - slope * mx, slope


def _pearson(pairs: list[tuple[float, float]]) -> float:
    _, _, sxx, syy, sxy = _moments(pairs)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else 0.0


# Fits (a JSON array, `_payload`) stored per benchmark; `{only}` says which existing
# rows they may replace.
_UPSERT = """
insert into llm_intel_private.benchmark_calibration as c
  (benchmark_name, metric_type, parameters, fitted_at, n_models)
select f.benchmark_name, f.metric_type, f.parameters, now(), f.n_models
from pg_catalog.jsonb_to_recordset(%s::jsonb)
  as f(benchmark_name text, metric_type text, parameters jsonb, n_models integer)
on conflict (benchmark_name, metric_type) do update
  set parameters = excluded.parameters, fitted_at = excluded.fitted_at,
      n_models = excluded.n_models
where {only}
"""
# A refit replaces what differs.
_REPLACE = _UPSERT.format(
    only="(c.parameters, c.n_models) is distinct from (excluded.parameters, excluded.n_models)"
)

_RESET = """
update llm_intel_private.benchmark_calibration c
set parameters = '{"offset": 0, "slope": 1, "weight": 1}'::jsonb, fitted_at = now(),
    n_models = 0
where not ((c.benchmark_name, c.metric_type) in (
  select f.benchmark_name, f.metric_type
  from pg_catalog.jsonb_to_recordset(%s::jsonb) as f(benchmark_name text, metric_type text)))
  and c.parameters <> '{"offset": 0, "slope": 1, "weight": 1}'::jsonb
"""


def _payload(fits: Sequence[BenchmarkFit]) -> str:
    """The fits as the JSON rows the statements above read."""
    return orjson.dumps(
        [
            {
                "benchmark_name": f.benchmark_name,
                "metric_type": f.metric_type,
                "parameters": {
                    "offset": f.offset,
                    "slope": f.slope,
                    "weight": f.weight,
                    "rmse": f.rmse,
                    "r": f.correlation,
                },
                "n_models": f.n_models,
            }
            for f in fits
        ]
    ).decode()


_OFFSET_LIMIT = 20.0
_SLOPE_LIMIT = 20.0
"""The table's CHECK: offsets within +-20, slopes within 0.05..20 (MIN_SLOPE holds the
lower bound)."""


def storable(fit: BenchmarkFit) -> bool:
    """Whether the table's CHECK accepts the fit: one benchmark with extreme data must not
    fail the whole refit."""
    return abs(fit.offset) <= _OFFSET_LIMIT and fit.slope <= _SLOPE_LIMIT


def write_calibration(
    conn: psycopg.Connection[Any], fits: Sequence[BenchmarkFit]
) -> list[BenchmarkFit]:
    """Store the fitted parameters (one statement each: the rankings refresh once, at the
    caller's commit). Benchmarks the fit no longer covers go back to the identity, and so
    do fits outside the table's range: those are returned, for the caller to report."""
    refused = [f for f in fits if not storable(f)]
    payload = _payload([f for f in fits if storable(f)])
    conn.execute(_REPLACE, (payload,))
    conn.execute(_RESET, (payload,))
    return refused


# --- A new benchmark linked on first sight ------------------------------------------------
#
# `llm-intel calibrate` refits every benchmark together; between two refits the parameters
# stay put, so a model added later moves nobody else. A benchmark that appears in between
# (a new leaderboard, a task a new LiveBench release adds) would keep the identity
# (a = 0, s = 1) until then: an easy benchmark read as if it were the category's average
# one, which is exactly what the calibration exists to prevent. So a leaderboard sync links
# each benchmark it brings that has no fitted parameters to the abilities the stored
# parameters already give the models it shares with them, the same mean-and-spread linking
# as the full fit (`_link`), and its weight is its agreement (r^2). No stored parameter
# changes; the next `llm-intel calibrate` refits everything together as before.


@dataclass(frozen=True, slots=True)
class LinkReport:
    linked: list[BenchmarkFit]
    unlinked: dict[str, str]
    """benchmark (name/metric) -> why it keeps the identity for now."""


_FITTED = """
select benchmark_name, metric_type, (parameters ->> 'offset')::float8,
       (parameters ->> 'slope')::float8
from llm_intel_private.benchmark_calibration
where n_models > 0
"""


def link_new_benchmarks(
    conn: psycopg.Connection[Any], *, sources: Sequence[str] | None = None
) -> LinkReport:
    """Parameters for every benchmark without fitted ones (of `sources`, default all), from
    the models it shares with fitted benchmarks of its category; nothing is written."""
    fitted = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(_FITTED)}
    by_category: dict[str, list[ScoreRow]] = defaultdict(list)
    for row in read_rows(conn):
        by_category[row.category].append(row)
    linked: list[BenchmarkFit] = []
    unlinked: dict[str, str] = {}
    for category in sorted(by_category):
        rows = by_category[category]
        # Each model's ability from the fitted benchmarks: the mean of z = (y - a) / s.
        zs: dict[int, list[float]] = defaultdict(list)
        for r in rows:
            if (key := (r.benchmark_name, r.metric_type)) in fitted:
                a, s = fitted[key]
                zs[r.model_id].append((logit(r.normalized_score) - a) / s)
        theta = {m: sum(v) / len(v) for m, v in zs.items()}
        new: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for r in rows:
            key = (r.benchmark_name, r.metric_type)
            if key in fitted or (sources is not None and r.source not in sources):
                continue
            pairs_of = new.setdefault(key, [])  # listed even when it shares no model
            if r.model_id in theta:
                pairs_of.append((theta[r.model_id], logit(r.normalized_score)))
        for key in sorted(new):
            label = f"{key[0]}/{key[1]}"
            pairs = new[key]
            if len(pairs) < MIN_MODELS:
                unlinked[label] = (
                    f"{len(pairs)} of its models have fitted {category} benchmarks"
                    f" (needs {MIN_MODELS}): the identity until `llm-intel calibrate`"
                )
                continue
            offset, slope = _link(pairs)
            fit = _benchmark_fit(key, category, offset=offset, slope=slope, pairs=pairs)
            if not storable(fit):
                unlinked[label] = f"offset {offset:.2f} / slope {slope:.2f} out of range"
                continue
            linked.append(fit)
    return LinkReport(linked=linked, unlinked=unlinked)


# A link fills only a row no fit wrote (none, or the identity row a refit left).
_ADD_LINKS = _UPSERT.format(only="c.n_models = 0")


def write_links(conn: psycopg.Connection[Any], fits: Sequence[BenchmarkFit]) -> None:
    """Store linked parameters where a benchmark has none fitted (an identity row left by
    `write_calibration` counts as none); a fitted row is never replaced here."""
    if fits:
        conn.execute(_ADD_LINKS, (_payload(fits),))
