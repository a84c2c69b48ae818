"""Benchmark: prioritize 100k and 1M feedback items over 50k customers.

Compares :func:`customer_model.prioritize` with a minimal single pass written
here (one dict pass keeping each author's latest item per theme, decay, sum,
sort) and prints items per second and the ratio at each size.  Targets: within
2x the reference, and growth no worse than n log n.

    python benchmarks/bench_prioritize.py            # 100k and 1M
    python benchmarks/bench_prioritize.py --quick    # 20k and 100k

Data are synthetic and deterministic (``random.Random(seed)``).  Building the
1M items takes a while and ~1 GB of memory; only the prioritizing is timed.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from customer_model import (
    Channel,
    Customer,
    CustomerKind,
    FeedbackItem,
    FeedbackKind,
    Importance,
    Need,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    User,
    prioritize,
)

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
HALF_LIFE = timedelta(days=90)
THEMES = [f"theme-{i:03d}" for i in range(200)]
POINTS = {None: 1.0, Importance.NOT_IMPORTANT: 0.0, Importance.NICE_TO_HAVE: 1.0}
POINTS |= {Importance.IMPORTANT: 2.0, Importance.CRITICAL: 3.0}


def make_customers(n: int, rng: random.Random) -> list[Customer]:
    customers = []
    for i in range(n):
        cid = f"c{i}"
        people = [Person(f"{cid}-p{j}") for j in range(rng.randint(1, 4))]
        buyers = people[: max(1, len(people) // 2)]
        users = people[len(people) // 3 :]
        customers.append(
            Customer(
                cid,
                CustomerKind.ORGANIZATION,
                purchasers=[Purchaser(p) for p in buyers],
                users=[User(p) for p in users],
                purchases=[
                    Purchase(Decimal(rng.randint(0, 50_000)), "EUR", AS_OF - timedelta(days=200))
                ],
            )
        )
    return customers


def make_feedback(n: int, customers: Sequence[Customer], rng: random.Random) -> list[FeedbackItem]:
    kinds, needs, channels = list(FeedbackKind), [*Need, None], list(Channel)
    importances = [*Importance, None]
    span = 365 * 24 * 3600
    items = []
    for i in range(n):
        customer = customers[rng.randrange(len(customers))]
        people = customer.people
        author = None if rng.random() < 0.1 else people[rng.randrange(len(people))].id
        items.append(
            FeedbackItem(
                id=f"f{i}",
                customer_id=customer.id,
                author_id=author,
                theme=THEMES[min(int(rng.expovariate(1 / 40)), len(THEMES) - 1)],
                kind=kinds[rng.randrange(len(kinds))],
                need=needs[rng.randrange(len(needs))],
                importance=importances[rng.randrange(len(importances))],
                channel=channels[rng.randrange(len(channels))],
                created_at=AS_OF - timedelta(seconds=rng.randrange(span)),
            )
        )
    return items


def reference(feedback: Sequence[FeedbackItem]) -> list[tuple[str, float]]:
    """The minimal single pass: latest item per (author, theme), decay, sum, sort."""
    latest: dict[tuple[str | None, str], FeedbackItem] = {}
    anonymous = []
    for item in feedback:
        if item.author_id is None:
            anonymous.append(item)
            continue
        key = (item.author_id, item.theme)
        prev = latest.get(key)
        if prev is None or prev.created_at < item.created_at:
            latest[key] = item
    half_life = HALF_LIFE.total_seconds()
    sums: dict[str, float] = {}
    for item in [*latest.values(), *anonymous]:
        age = (AS_OF - item.created_at).total_seconds()
        value = POINTS[item.importance] * 0.5 ** (age / half_life)
        sums[item.theme] = sums.get(item.theme, 0.0) + value
    return sorted(sums.items(), key=lambda kv: (-kv[1], kv[0]))


def best_of(repeat: int, fn: object, *args: object, **kwargs: object) -> float:
    best = math.inf
    for _ in range(repeat):
        gc.collect()
        start = time.process_time()
        fn(*args, **kwargs)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (20k, 100k)")
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    parser.add_argument("--seed", type=int, default=20260630)
    args = parser.parse_args(argv)
    sizes = [20_000, 100_000] if args.quick else [100_000, 1_000_000]
    n_customers = 5_000 if args.quick else 50_000
    rng = random.Random(args.seed)
    t0 = time.process_time()
    customers = make_customers(n_customers, rng)
    feedback = make_feedback(sizes[-1], customers, rng)
    print(f"built {n_customers} customers and {sizes[-1]} items in {time.process_time() - t0:.1f}s")
    policy = PrioritizationPolicy(half_life=HALF_LIFE)
    print(f"{'items':>9}  {'prioritize':>10}  {'items/s':>10}  {'reference':>10}  {'ratio':>6}")
    results = []
    for n in sizes:
        subset = feedback[:n]
        ours = best_of(args.repeat, prioritize, subset, customers, policy=policy, as_of=AS_OF)
        ref = best_of(args.repeat, reference, subset)
        results.append((n, ours, ref))
        print(f"{n:>9}  {ours:>9.3f}s  {n / ours:>10,.0f}  {ref:>9.3f}s  {ours / ref:>5.2f}x")
    (n1, t1, _), (n2, t2, _) = results
    nlogn = (n2 * math.log(n2)) / (n1 * math.log(n1))
    print(f"growth {n1} -> {n2}: time x{t2 / t1:.2f} (linear x{n2 / n1:.1f}, n log n x{nlogn:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
