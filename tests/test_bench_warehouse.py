"""The warehouse benchmark times only what agrees: its baselines compute the same backlog."""

from __future__ import annotations

import importlib.util
import math
import sys
from datetime import timedelta
from pathlib import Path
from types import ModuleType

import pytest

from customer_model import (
    FeedbackKind,
    Need,
    PrioritizationPolicy,
    Role,
    ValueWeighting,
    prioritize,
)

pytest.importorskip("duckdb")

_BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(_BENCHMARKS))  # for its sibling _timing
    try:
        spec = importlib.util.spec_from_file_location(
            "bench_warehouse", _BENCHMARKS / "bench_warehouse.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(_BENCHMARKS))
    return module


@pytest.fixture(scope="module")
def folder(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bench.prepare(tmp_path_factory.mktemp("bench"), 80)  # type: ignore[no-any-return]


def test_the_scores_only_query_scores_as_prioritize_does_without_weights(
    bench: ModuleType, folder: Path
) -> None:
    neutral = PrioritizationPolicy(
        role_weights={need: dict.fromkeys(Role, 1.0) for need in Need},
        unlisted_weight=1.0,
        anonymous_weight=1.0,
        kind_weights=dict.fromkeys(FeedbackKind, 1.0),
        customer_value=ValueWeighting.NONE,
        half_life=timedelta(days=90),
    )
    con = bench.connect(folder)
    as_of = bench.newest(con)
    customers, feedback = bench.objects(con)
    assert len(feedback) == con.execute("SELECT count(*) FROM feedback").fetchone()[0]
    expected = [
        (item.theme, item.score)
        for item in prioritize(feedback, customers, policy=neutral, as_of=as_of)
    ]
    got = con.execute(bench.scores_query(neutral, as_of)).fetchall()
    assert [theme for theme, _ in got] == [theme for theme, _ in expected]
    assert all(
        math.isclose(score, want, rel_tol=1e-9)
        for (_, score), (_, want) in zip(got, expected, strict=True)
    )
