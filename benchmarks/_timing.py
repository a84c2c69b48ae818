"""Side-by-side timing: best of N, the contenders interleaved so drift hits both."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure of ours against its peer's, and the goal for their ratio."""

    name: str
    ours: float
    peer: float
    peer_name: str
    unit: str
    goal: float

    @property
    def ratio(self) -> float:
        return self.ours / self.peer

    @property
    def met(self) -> bool:
        return self.ratio <= self.goal


def best_of(contenders: list[Callable[[], object]], repeat: int) -> list[float]:
    """The best wall time of each contender over *repeat* interleaved rounds."""
    best = [float("inf")] * len(contenders)
    for _ in range(repeat):
        for i, run in enumerate(contenders):
            gc.collect()
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best
