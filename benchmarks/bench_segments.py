"""Benchmark: a five-condition segment in Python (compiled rule vs a hand-written
lambda vs the rule's nodes evaluated directly) and the same segment as SQL in DuckDB.

    python benchmarks/bench_segments.py              # 1M customers, 10M DuckDB rows
    python benchmarks/bench_segments.py --quick      # 100k / 1M
    python benchmarks/bench_segments.py --customers 200000 --rows 2000000

Prints the best of three runs for each engine; the Python contenders run
interleaved, so drift hits them alike.  Needs the ``test`` extra (duckdb).
"""

from __future__ import annotations

import argparse
import operator
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import duckdb
from _timing import best_of as interleaved

from customer_model import (
    Customer,
    CustomerKind,
    Location,
    Person,
    Purchase,
    Purchaser,
    Segment,
    field,
)
from customer_model.model.rules import And, Compare, Contains, In, Not, Or, Rule
from customer_model.sql import where_sql

COUNTRIES = ["DE", "FR", "SE", "US", "GB", "JP", "BR", "ES"]
INTERESTS = ["golf", "cycling", "travel", "music", "cooking"]
KINDS = list(CustomerKind)

SEGMENT = Segment(
    "golf-b2b",
    "European golfing organizations that came back",
    (field("kind") == CustomerKind.ORGANIZATION)
    & field("country").is_in(["DE", "FR", "SE"])
    & (field("size") >= 50)
    & field("interests").contains("golf")
    & (field("purchase_count") >= 2),
)

ORG = CustomerKind.ORGANIZATION
EUROPE = frozenset({"DE", "FR", "SE"})


def by_hand(c: Customer) -> bool:
    """The same five comparisons, written out by hand."""
    return (
        c.kind is ORG
        and c.location is not None
        and c.location.country in EUROPE
        and c.size is not None
        and c.size >= 50
        and "golf" in c.interests
        and len(c.purchases) >= 2
    )


# -- evaluating the nodes directly, without generated code ---------------------------
# What Rule.compile would be without exec: the same nodes read by plain Python.
# Only the nodes and fields of SEGMENT are covered; the figures decide whether
# the exec-based compiler earns its place (see docs/performance.md).

_READ: dict[str, Callable[[Customer], object]] = {
    "kind": lambda c: c.kind,
    "country": lambda c: c.location.country if c.location is not None else None,
    "size": lambda c: c.size,
    "interests": lambda c: c.interests,
    "purchase_count": lambda c: len(c.purchases),
}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}


def closures(rule: Rule) -> Callable[[Customer], bool]:
    """The rule as nested closures, built once: one call per node and field."""
    if isinstance(rule, And | Or):
        inner = tuple(closures(r) for r in rule.rules)
        return _every(inner) if isinstance(rule, And) else _some(inner)
    if isinstance(rule, Not):
        negated = closures(rule.rule)
        return lambda c: not negated(c)
    read = _READ[rule.field]  # type: ignore[attr-defined]
    if isinstance(rule, Compare):
        op, value = _OPS[rule.op], rule.value
        return lambda c: (v := read(c)) is not None and op(v, value)
    if isinstance(rule, In):
        values = rule.values
        return lambda c: (v := read(c)) is not None and v in values
    if isinstance(rule, Contains):
        tag = rule.value
        return lambda c: tag in read(c)  # type: ignore[operator]
    raise NotImplementedError(type(rule).__name__)


def _every(inner: tuple[Callable[[Customer], bool], ...]) -> Callable[[Customer], bool]:
    def every(c: Customer) -> bool:
        for p in inner:  # noqa: SIM110  # a plain loop: faster than all() over a generator
            if not p(c):
                return False
        return True

    return every


def _some(inner: tuple[Callable[[Customer], bool], ...]) -> Callable[[Customer], bool]:
    def some(c: Customer) -> bool:
        for p in inner:  # noqa: SIM110
            if p(c):
                return True
        return False

    return some


def interpret(rule: Rule, c: Customer) -> bool:
    """The rule walked node by node for each customer (a tree-walking interpreter)."""
    if isinstance(rule, And):
        return all(interpret(r, c) for r in rule.rules)
    if isinstance(rule, Or):
        return any(interpret(r, c) for r in rule.rules)
    if isinstance(rule, Not):
        return not interpret(rule.rule, c)
    value = _READ[rule.field](c)  # type: ignore[attr-defined]
    if isinstance(rule, Contains):
        return rule.value in value  # type: ignore[operator]
    if value is None:
        return False
    if isinstance(rule, Compare):
        return _OPS[rule.op](value, rule.value)
    if isinstance(rule, In):
        return value in rule.values
    raise NotImplementedError(type(rule).__name__)


def make_customers(n: int, seed: int = 7) -> list[Customer]:
    rnd = random.Random(seed)
    buyer = Purchaser(Person("p-shared"))
    start = datetime(2024, 1, 1, tzinfo=UTC)
    locations = [Location(c) for c in COUNTRIES] + [None]
    purchases = [
        tuple(Purchase(Decimal(10 * k), "EUR", start + timedelta(days=k * 7)) for k in range(count))
        for count in range(5)
    ]
    out = []
    for i in range(n):
        out.append(
            Customer(
                f"c{i}",
                KINDS[i % 3],
                (buyer,),
                location=rnd.choice(locations),
                size=rnd.choice([None, 1, 5, 20, 50, 200, 1000]),
                interests=frozenset(rnd.sample(INTERESTS, rnd.randint(0, 2))),
                purchases=rnd.choice(purchases),
            )
        )
    return out


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def duckdb_table(con: duckdb.DuckDBPyConnection, rows: int) -> None:
    """A synthetic table in the records layout, generated inside DuckDB."""
    con.execute(
        f"""
        CREATE TABLE customers AS
        SELECT
            'c' || i AS id,
            ['individual', 'household', 'organization'][1 + i % 3] AS kind,
            ['DE', 'FR', 'SE', 'US', 'GB', 'JP', 'BR', 'ES', NULL]
                [1 + (hash(i) % 9)::BIGINT] AS country,
            [NULL, 1, 5, 20, 50, 200, 1000][1 + (hash(i + 1) % 7)::BIGINT]::BIGINT AS size,
            ['', 'golf', 'cycling', 'golf,travel', 'music,travel', 'cooking,golf']
                [1 + (hash(i + 2) % 6)::BIGINT] AS interests,
            (hash(i + 3) % 5)::BIGINT AS purchase_count
        FROM range({rows}) AS r(i)
        """
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--quick", action="store_true", help="100k customers, 1M rows")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.quick:
        args.customers, args.rows = 100_000, 1_000_000

    t0 = time.perf_counter()
    population = make_customers(args.customers)
    print(f"built {len(population):,} customers in {time.perf_counter() - t0:.1f} s")

    compiled = SEGMENT.predicate()
    direct = closures(SEGMENT.rule)
    counters: list[Callable[[], int]] = [
        lambda: sum(1 for c in population if compiled(c)),
        lambda: sum(1 for c in population if by_hand(c)),
        lambda: sum(1 for c in population if direct(c)),
        lambda: sum(1 for c in population if interpret(SEGMENT.rule, c)),
    ]
    n_rule, n_hand, n_direct, n_walk = (count() for count in counters)
    members = SEGMENT.members(population)
    assert n_rule == n_hand == n_direct == n_walk == len(members)
    t_rule, t_hand, t_direct, t_walk, t_members = interleaved(
        [*counters, lambda: SEGMENT.members(population)], args.runs
    )

    where = where_sql(SEGMENT, "duckdb")
    con = duckdb.connect()
    t0 = time.perf_counter()
    duckdb_table(con, args.rows)
    print(f"built a {args.rows:,}-row DuckDB table in {time.perf_counter() - t0:.1f} s")
    query = f"SELECT count(*) FROM customers WHERE {where}"
    t_sql, found = best_of(args.runs, lambda: con.execute(query).fetchone())
    hand_sql = (
        "SELECT count(*) FROM customers WHERE kind = 'organization' AND country IN ('DE', 'FR', "
        "'SE') AND size >= 50 AND strpos(',' || interests || ',', ',golf,') > 0 "
        "AND purchase_count >= 2"
    )
    t_hand_sql, found_hand = best_of(args.runs, lambda: con.execute(hand_sql).fetchone())
    assert found == found_hand, (found, found_hand)

    print()
    print(f"segment: {where}")
    print()
    print(f"{'engine':<42}{'rows':>12}{'matches':>10}{'best s':>10}{'ns/row':>9}")
    table = [
        ("Python, compiled rule (predicate)", args.customers, n_rule, t_rule),
        ("Python, hand-written lambda", args.customers, n_hand, t_hand),
        ("Python, Segment.members()", args.customers, len(members), t_members),
        ("Python, nodes as closures (no exec)", args.customers, n_direct, t_direct),
        ("Python, nodes interpreted (tree walk)", args.customers, n_walk, t_walk),
        ("DuckDB, where_sql()", args.rows, found[0], t_sql),  # type: ignore[index]
        ("DuckDB, hand-written SQL", args.rows, found_hand[0], t_hand_sql),  # type: ignore[index]
    ]
    for name, rows, n, t in table:
        print(f"{name:<42}{rows:>12,}{n:>10,}{t:>10.3f}{t / rows * 1e9:>9.0f}")
    print()
    print(f"compiled rule / hand-written lambda: {t_rule / t_hand:.2f}x (target <= 1.5x)")
    print(f"nodes as closures / compiled rule:   {t_direct / t_rule:.2f}x")
    print(f"nodes interpreted / compiled rule:   {t_walk / t_rule:.2f}x")


if __name__ == "__main__":
    main()
