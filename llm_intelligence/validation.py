"""Leave-one-leaderboard-out validation of the ranking (issue 12, item 5).

For each leaderboard L: inside one transaction that is rolled back, L's rows are marked
inactive, the calibration is refitted without them (`calibration.fit_calibration`, so
nothing L published informs the prediction), `model_rankings` is rebuilt by the SQL that
serves it, and the category scores it gives the models L covers are compared with L's own
order by Spearman's rank correlation. L's own order in a category is the mean
`normalized_score` of its primary rows there (overall: of all its rows), that is of the
model's best setting on L (benchmarks/writer.py's variant rule); only models with
some other evidence in that category are compared (a model with none has the prior, a tie:
its prediction is "unknown", not a rank). The database is left as it was.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from llm_intelligence import calibration

__all__ = ["Agreement", "leave_one_out", "spearman"]


@dataclass(frozen=True, slots=True)
class Agreement:
    leaderboard: str
    category: str
    """A ranking category, or `overall`."""
    models: int
    rho: float | None
    """Spearman's rho with calibration refitted without the leaderboard; None: < 5 models."""
    rho_uncalibrated: float | None
    """The same with every benchmark at the identity (the plain average of logits)."""


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def spearman(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Spearman's rho (Pearson on average ranks, ties shared); None when undefined."""
    if len(a) != len(b) or len(a) < 2:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ma, mb = sum(ra) / len(ra), sum(rb) / len(rb)
    sab = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    saa = sum((x - ma) ** 2 for x in ra)
    sbb = sum((y - mb) ** 2 for y in rb)
    if saa == 0 or sbb == 0:
        return None
    return sab / math.sqrt(saa * sbb)


_OWN = """
select model_id, benchmark_category, avg(normalized_score)::float8
from public.benchmark_scores
where source = %s and is_active and is_primary and normalized_score is not null
group by rollup (model_id, benchmark_category)
having model_id is not null
"""


def _own_order(conn: psycopg.Connection[Any], board: str) -> dict[str, dict[int, float]]:
    own: dict[str, dict[int, float]] = {}
    for model_id, category, mean in conn.execute(_OWN, (board,)):
        own.setdefault(category or "overall", {})[model_id] = mean
    return own


def _predicted(
    conn: psycopg.Connection[Any], categories: Sequence[str]
) -> dict[str, dict[int, tuple[float, int]]]:
    columns = [("overall", "performance_score", "category_count")] + [
        (c, f"{c}_score", f"{c}_coverage") for c in categories
    ]
    query = sql.SQL("select model_id, {} from public.model_rankings").format(
        sql.SQL(", ").join(
            sql.SQL("{}::float8, {}").format(sql.Identifier(s), sql.Identifier(n))
            for _, s, n in columns
        )
    )
    out: dict[str, dict[int, tuple[float, int]]] = {c: {} for c, _, _ in columns}
    for row in conn.execute(query):
        for i, (category, _, _) in enumerate(columns):
            out[category][row[0]] = (row[1 + 2 * i], row[2 + 2 * i])
    return out


def _agreement(
    own: dict[int, float], predicted: dict[int, tuple[float, int]]
) -> tuple[int, float | None]:
    models = sorted(m for m in own if m in predicted and predicted[m][1] > 0)
    if len(models) < 5:
        return len(models), None
    rho = spearman([predicted[m][0] for m in models], [own[m] for m in models])
    return len(models), None if rho is None else round(rho, 3)


def _rebuild(conn: psycopg.Connection[Any], board: str, *, calibrated: bool) -> None:
    if calibrated:
        fits = calibration.fit_calibration(calibration.read_rows(conn, exclude_sources=[board]))
        conn.execute("delete from llm_intel_private.benchmark_calibration")
        calibration.write_calibration(conn, fits)
    else:
        # The column's default is the identity (a = 0, s = 1): stated there once.
        conn.execute("update llm_intel_private.benchmark_calibration set parameters = default")
    # A bare REFRESH reads the stored per-model scores: rescore them first (the
    # calibration change marks every model).
    conn.execute("select llm_intel_private.update_model_scores()")
    conn.execute("refresh materialized view public.model_rankings")


def leave_one_out(
    conn: psycopg.Connection[Any], *, categories: Sequence[str] = ("coding",)
) -> list[Agreement]:
    """Agreements per leaderboard (those with rows) and category (plus overall). Rolls back
    everything it does; `conn` must be idle (not inside a transaction). A category that
    `llm_intel_private.ranking_categories` does not list is a ValueError naming it."""
    boards = [
        r[0]
        for r in conn.execute(
            "select distinct source from public.benchmark_scores"
            " where source is not null and is_active order by 1"
        )
    ]
    all_categories = [
        r[0]
        for r in conn.execute(
            "select category from llm_intel_private.ranking_categories order by position"
        )
    ]
    if unknown := [c for c in categories if c not in all_categories]:
        raise ValueError(
            f"unknown ranking categor{'y' if len(unknown) == 1 else 'ies'}"
            f" {', '.join(map(repr, unknown))}; expected some of {', '.join(all_categories)}"
        )
    results: list[Agreement] = []
    for board in boards:
        own = _own_order(conn, board)
        predictions: dict[bool, dict[str, dict[int, tuple[float, int]]]] = {}
        for calibrated in (True, False):
            with conn.transaction(force_rollback=True):
                conn.execute(
                    "update public.benchmark_scores set is_active = false"
                    " where source = %s and is_active",
                    (board,),
                )
                _rebuild(conn, board, calibrated=calibrated)
                predictions[calibrated] = _predicted(conn, all_categories)
        for category in ("overall", *categories):
            if category not in own:
                continue
            n, rho = _agreement(own[category], predictions[True][category])
            _, plain = _agreement(own[category], predictions[False][category])
            results.append(Agreement(board, category, n, rho, plain))
    return results
