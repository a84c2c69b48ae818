"""The prioritization benchmark's floor: only a floor that agrees with prioritize is timed."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from customer_model import PrioritizationPolicy

_SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_prioritize.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_prioritize", _SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def setup(bench: ModuleType) -> tuple[Any, ...]:
    rng = random.Random(7)
    customers = bench.make_customers(200, rng)
    feedback = bench.make_feedback(2_000, customers, rng)
    policy = PrioritizationPolicy(half_life=bench.HALF_LIFE)
    return feedback, customers, policy, bench.customer_facts(customers, policy)


Row = tuple[str, float, int, list[str], Decimal, list[float]]


def _one_sum_per_theme(row: Row) -> Row:
    theme, score, n, ids, money, _ = row
    return theme, score, n, ids, money, [score]


def _one_id_missing(row: Row) -> Row:
    theme, score, n, ids, money, sums = row
    return theme, score, n, ids[1:], money, sums


def _revenue_off_by_a_cent(row: Row) -> Row:
    theme, score, n, ids, money, sums = row
    return theme, score, n, ids, money + Decimal("0.01"), sums


def test_the_floor_agrees_with_prioritize(bench: ModuleType, setup: tuple[Any, ...]) -> None:
    feedback, customers, policy, facts = setup
    bench.check_floor(feedback, customers, policy, facts, bench.floor_weights(policy))


@pytest.mark.parametrize("break_row", [_one_sum_per_theme, _one_id_missing, _revenue_off_by_a_cent])
def test_check_floor_catches_a_floor_that_disagrees(
    bench: ModuleType,
    setup: tuple[Any, ...],
    monkeypatch: pytest.MonkeyPatch,
    break_row: Callable[[Row], Row],
) -> None:
    feedback, customers, policy, facts = setup
    right = bench.floor

    def wrong(*args: Any) -> list[Row]:
        rows = right(*args)
        return [break_row(rows[0]), *rows[1:]]

    monkeypatch.setattr(bench, "floor", wrong)
    with pytest.raises(SystemExit, match="the floor disagrees"):
        bench.check_floor(feedback, customers, policy, facts, bench.floor_weights(policy))
