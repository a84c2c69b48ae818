"""Benchmark: ranking themes by a scorecard against the framework function in a plain loop.

    python benchmarks/bench_scorecards.py            # 10k themes
    python benchmarks/bench_scorecards.py --themes 100000

Times, side by side in one run (best of three): ``Scorecard.rice().score()``
(checks every estimate, parses the formula once, evaluates it per theme,
explains every score and builds the ranking), the same with Canny's weighted
combination, and a loop that calls :func:`~customer_model.frameworks.rice` per
theme and sorts (no explanation).  The gap is the price of the explanation
and of the checks.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from customer_model import Backlog, PrioritizationPolicy, Scorecard
from customer_model.frameworks import rice
from customer_model.scorecards import FactorKind, Scale, ScorecardFactor

EMPTY = Backlog((), datetime(2026, 6, 30, tzinfo=UTC), PrioritizationPolicy())
WEIGHTED = Scorecard(
    [
        ScorecardFactor("reach", Scale.RELATIVE),
        ScorecardFactor("impact", Scale.ZERO_TO_TEN, weight=2),
        ScorecardFactor("confidence", Scale.PERCENTAGE),
        ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
    ]
)


def estimates(n: int, rng: random.Random) -> dict[str, dict[str, float]]:
    return {
        f"theme-{i}": {
            "reach": float(rng.randint(0, 5000)),
            "impact": float(rng.randint(0, 10)),
            "confidence": rng.choice([50.0, 80.0, 100.0]),
            "effort": rng.choice([0.5, 1.0, 2.0, 3.0, 5.0, 8.0]),
        }
        for i in range(n)
    }


def loop(values: dict[str, dict[str, float]]) -> list[tuple[float, str]]:
    scored = [
        (rice(v["reach"], v["impact"], v["confidence"] / 100, v["effort"]), theme)
        for theme, v in values.items()
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return scored


def best(run: Callable[[], object]) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--themes", type=int, default=10_000)
    args = parser.parse_args()
    values = estimates(args.themes, random.Random(7))
    as_rice = {t: {**v, "confidence": v["confidence"] / 100} for t, v in values.items()}
    card = Scorecard.rice()
    figures = {
        "rice() in a loop, sorted": best(lambda: loop(values)),
        "Scorecard.rice().score()": best(lambda: card.score(EMPTY, as_rice)),
        "weighted scorecard .score()": best(lambda: WEIGHTED.score(EMPTY, values)),
    }
    floor = figures["rice() in a loop, sorted"]
    print(f"{args.themes} themes, best of 3")
    for name, seconds in figures.items():
        print(f"  {name:30} {seconds * 1e3:9.1f} ms  {seconds / floor:5.1f}x")


if __name__ == "__main__":
    main()
