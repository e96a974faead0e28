"""The calibration fit (`llm_intelligence.calibration`), on synthetic scores: no database."""

from __future__ import annotations

import math
import statistics

from llm_intelligence.calibration import ScoreRow, fit_calibration, logit


def _rows() -> list[ScoreRow]:
    """Three boards of one category over 30 models: two that agree closely with the
    ability, one (`weak`) that agrees only loosely (r about 0.4)."""
    rows = []
    for m in range(30):
        ability = (m - 14.5) / 8.7
        wobble = 1.6 * math.sin(7.3 * m)  # deterministic, uncorrelated with the ability
        for source, name, y in (
            ("a", "a-1", 0.2 + 1.0 * ability + 0.05 * math.cos(3.1 * m)),
            ("b", "b-1", -0.5 + 1.5 * ability + 0.05 * math.sin(5.7 * m)),
            ("weak", "weak-1", 0.1 + 0.25 * ability + 0.6 * wobble / 1.6),
        ):
            x = 1 / (1 + math.exp(-y))
            rows.append(ScoreRow(m, source, name, "score", "math", x))
    return rows


def test_a_weakly_agreeing_benchmark_is_not_stretched_past_the_ability() -> None:
    rows = _rows()
    fits = {f.benchmark_name: f for f in fit_calibration(rows)}
    weak = fits["weak-1"]
    assert weak.correlation < 0.6  # the premise
    # z = (y - offset) / slope: its spread over the fitted models is the spread of the
    # well-measured boards' z, not 1 / r times wider.
    spread = {}
    for name, fit in fits.items():
        z = [
            (logit(r.normalized_score) - fit.offset) / fit.slope
            for r in rows
            if r.benchmark_name == name
        ]
        spread[name] = statistics.pstdev(z)
    assert abs(spread["weak-1"] - spread["a-1"]) / spread["a-1"] < 0.1
    assert abs(spread["b-1"] - spread["a-1"]) / spread["a-1"] < 0.1
    # How weakly it agrees is its weight instead.
    assert weak.weight < 0.4 < min(fits["a-1"].weight, fits["b-1"].weight)


def test_the_scale_is_the_categorys_average_benchmark() -> None:
    fits = fit_calibration(_rows())
    assert abs(sum(f.offset for f in fits) / len(fits)) < 1e-5
    assert abs(sum(f.slope for f in fits) / len(fits) - 1) < 1e-5
