"""Benchmark: how long the hypothesis strategies take to draw one example.

    python benchmarks/bench_strategies.py            # 300 examples each
    python benchmarks/bench_strategies.py --quick    # 60

Another team's suite pays this for every example of every ``@given`` test, and
hypothesis fails a test whose examples come slowly (``HealthCheck.too_slow``),
so a strategy must not build new strategies inside each draw.  Prints the best
of three runs, in milliseconds per example (generation only: no shrinking, no
database).  Needs the ``testing`` extra.
"""

from __future__ import annotations

import argparse
import time

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from customer_model import testing


def per_example(strategy: st.SearchStrategy[object], examples: int) -> float:
    """Milliseconds per generated example, best of three runs."""

    @seed(1)
    @settings(
        database=None,
        max_examples=examples,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def draw(_: object) -> None:
        pass

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        draw()
        best = min(best, time.perf_counter() - start)
    return best / examples * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="60 examples instead of 300")
    examples = 60 if parser.parse_args().quick else 300
    cases = {
        "customers()": testing.customers(),
        "feedback_items()": testing.feedback_items(),
        "survey_responses()": testing.survey_responses(),
        "segments()": testing.segments(),
        "datasets()": testing.datasets(),
        "datasets(max_customers=8)": testing.datasets(max_customers=8),
    }
    for name, strategy in cases.items():
        print(f"{name:28} {per_example(strategy, examples):7.2f} ms/example")


if __name__ == "__main__":
    main()
