"""Side-by-side timing: best of N, the contenders interleaved so drift hits both.

Times are CPU time of this process (``time.process_time``): on a machine
shared with other work, wall time also counts the moments another job held
the CPU, which hits whichever contender happened to be running.  Every
contender here runs on one thread, so CPU time is the work it did.
"""

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
    """The best CPU time of each contender over *repeat* interleaved rounds."""
    best = [float("inf")] * len(contenders)
    for _ in range(repeat):
        for i, run in enumerate(contenders):
            gc.collect()
            start = time.process_time()
            run()
            best[i] = min(best[i], time.process_time() - start)
    return best
