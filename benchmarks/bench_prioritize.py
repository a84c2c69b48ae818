"""Benchmark: prioritize 100k and 1M feedback items over 50k customers.

Compares :func:`customer_model.prioritize` with a minimal single pass written
here (one dict pass keeping each author's latest item per theme, decay, sum,
sort) and prints items per second and the ratio at each size.  Targets: within
2x the reference, and growth no worse than n log n.

It also times a *floor*: the least work that yields what a backlog must hold
(each voice's buyer/user role, its weight and decay, a sum per theme and
role-and-need group, distinct customers, sorted feedback ids, exact revenue),
given every customer's roles, value weight and revenue for free (worked out
before the clock starts) and checking no input.  It shows how much of the gap
to the reference is work the result requires rather than overhead.

    python benchmarks/bench_prioritize.py            # 100k and 1M
    python benchmarks/bench_prioritize.py --quick    # 20k and 100k

Data are synthetic and deterministic (``random.Random(seed)``).  Building the
1M items takes a while and ~1 GB of memory; only the prioritizing is timed.
"""

from __future__ import annotations

import argparse
import decimal
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
    Role,
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


Facts = tuple[dict[tuple[str, str], tuple[int, float]], dict[str, float], dict[str, Decimal]]


def customer_facts(customers: Sequence[Customer], policy: PrioritizationPolicy) -> Facts:
    """For the floor: (role code, value weight) by (customer, person), and by customer.

    A named voice then needs one lookup for both its role and its value weight.
    """
    people: dict[tuple[str, str], tuple[int, float]] = {}
    value: dict[str, float] = {}
    revenue: dict[str, Decimal] = {}
    for customer in customers:
        spent = customer.revenue(until=AS_OF).get("EUR", Decimal(0))
        weight = value[customer.id] = policy.value_weight(float(spent))
        revenue[customer.id] = spent
        for buyer in customer.purchasers:
            people[customer.id, buyer.person.id] = (0, weight)
        for user in customer.users:
            key = (customer.id, user.person.id)
            people[key] = (2 if key in people else 1, weight)
    return people, value, revenue


_NEEDS = (*Need, None)


def floor(
    feedback: Sequence[FeedbackItem],
    facts: Facts,
    weights: dict[tuple[int, int, int], float],
) -> list[tuple[str, float, int, list[str], Decimal, list[float]]]:
    """The least work a backlog requires, with the customers' facts given for free."""
    people, value, revenue = facts
    latest: dict[tuple[str, str], FeedbackItem] = {}
    anonymous: list[FeedbackItem] = []
    older: list[FeedbackItem] = []
    for item in feedback:
        author = item.author_id
        if author is None:
            anonymous.append(item)
            continue
        key = (item.theme, author)
        prev = latest.get(key)
        if prev is None:
            latest[key] = item
        elif prev.created_at < item.created_at or (
            prev.created_at == item.created_at and prev.id < item.id
        ):
            latest[key] = item
            older.append(prev)
        else:
            older.append(item)
    half_life = HALF_LIFE
    slot = {id(need): i for i, need in enumerate(_NEEDS)}
    groups: dict[tuple[str, int], list[tuple[float, str, str]]] = {}
    for item in [*latest.values(), *anonymous]:
        cid, author = item.customer_id, item.author_id
        known = None if author is None else people.get((cid, author))
        if known is None:
            role, worth = (4 if author is None else 3), value[cid]
        else:
            role, worth = known
        group = role * len(_NEEDS) + slot[id(item.need)]
        weight = weights[group, id(item.importance), id(item.kind)]
        score = weight * 0.5 ** ((AS_OF - item.created_at) / half_life) * worth
        rows = groups.get((item.theme, group))
        if rows is None:
            groups[item.theme, group] = rows = []
        rows.append((score, cid, item.id))
    by_theme: dict[str, list[tuple[int, list[tuple[float, str, str]]]]] = {}
    for (theme, group), rows in groups.items():
        by_theme.setdefault(theme, []).append((group, rows))
    ids_before: dict[str, list[str]] = {}
    for item in older:
        ids_before.setdefault(item.theme, []).append(item.id)
    out = []
    with decimal.localcontext(decimal.Context(prec=decimal.MAX_PREC)):
        for theme, parts in by_theme.items():
            behind: set[str] = set()
            ids = list(ids_before.get(theme, ()))
            sums = []
            for _, rows in sorted(parts):
                scores, cids, fids = zip(*rows, strict=True)
                behind.update(cids)
                ids.extend(fids)
                sums.append(math.fsum(scores))
            money = sum(map(revenue.__getitem__, behind), Decimal(0))
            out.append((theme, math.fsum(sums), len(behind), sorted(ids), money, sums))
    out.sort(key=lambda row: (-row[1], row[0]))
    return out


def floor_weights(policy: PrioritizationPolicy) -> dict[tuple[int, int, int], float]:
    """Points x role-and-need weight x kind weight, by (group, id(importance), id(kind))."""
    role_sets = [
        frozenset({Role.PURCHASER}),
        frozenset({Role.USER}),
        frozenset({Role.PURCHASER, Role.USER}),
        frozenset(),
    ]
    table = {}
    for role in range(5):
        for i, need in enumerate(_NEEDS):
            if role == 4:
                who = policy.anonymous_weight
            else:
                who = policy.role_weight(role_sets[role], need)
            for level in (*Importance, None):
                for kind in FeedbackKind:
                    weight = policy.points(level) * who * policy.kind_weight(kind)
                    table[role * len(_NEEDS) + i, id(level), id(kind)] = weight
    return table


def check_floor(
    feedback: Sequence[FeedbackItem],
    customers: Sequence[Customer],
    policy: PrioritizationPolicy,
    facts: Facts,
    weights: dict[tuple[int, int, int], float],
) -> None:
    """The floor must compute what prioritize does, or comparing with it means nothing.

    Every part it returns is compared: themes in rank order, scores, customer
    counts, feedback ids, the whole revenue map (the floor's facts hold euros
    only) and the sum of each role-and-need group (the explanation's values).
    """
    backlog = prioritize(feedback, customers, policy=policy, as_of=AS_OF)
    ours = [
        (
            i.theme,
            i.score,
            i.customer_count,
            list(i.feedback_ids),
            dict(i.revenue),
            [c.value for c in i.explanation],
        )
        for i in backlog
    ]
    least = [
        (theme, score, n, ids, {"EUR": money}, sums)
        for theme, score, n, ids, money, sums in floor(feedback, facts, weights)
    ]
    if ours != least:
        raise SystemExit("the floor disagrees with prioritize; fix the floor before timing it")


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
    facts = customer_facts(customers, policy)
    weights = floor_weights(policy)
    check_floor(feedback[: sizes[0]], customers, policy, facts, weights)
    print(
        f"{'items':>9}  {'prioritize':>10}  {'items/s':>10}  {'reference':>10}  {'ratio':>6}"
        f"  {'floor':>8}  {'floor/ref':>9}"
    )
    results = []
    for n in sizes:
        subset = feedback[:n]
        ours = best_of(args.repeat, prioritize, subset, customers, policy=policy, as_of=AS_OF)
        ref = best_of(args.repeat, reference, subset)
        least = best_of(args.repeat, floor, subset, facts, weights)
        results.append((n, ours, ref))
        print(
            f"{n:>9}  {ours:>9.3f}s  {n / ours:>10,.0f}  {ref:>9.3f}s  {ours / ref:>5.2f}x"
            f"  {least:>7.3f}s  {least / ref:>8.2f}x"
        )
    (n1, t1, _), (n2, t2, _) = results
    nlogn = (n2 * math.log(n2)) / (n1 * math.log(n1))
    print(f"growth {n1} -> {n2}: time x{t2 / t1:.2f} (linear x{n2 / n1:.1f}, n log n x{nlogn:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
