"""Import cost against pydantic: fresh interpreters, median of many runs.

Each run times the import statement inside a new interpreter, so the figure
is the cost over a bare interpreter.  Run alone with
``python benchmarks/bench_import.py``.
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
from pathlib import Path

from _timing import Figure

import customer_model

TIMED = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"


def import_time(statement: str, runs: int) -> float:
    """Median seconds *statement* takes in a fresh interpreter."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", TIMED.format(statement)],
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(float(out.stdout))
    return statistics.median(times)


def compile_package() -> None:
    """Write the package's bytecode, as installing a wheel does.

    An editable install under ``PYTHONDONTWRITEBYTECODE=1`` would otherwise
    compile every module from source in each run, and time the compiler
    rather than the import (pydantic's bytecode was written when pip
    installed it).
    """
    compileall.compile_dir(Path(customer_model.__file__).parent, quiet=1)


def run(runs: int = 41) -> list[Figure]:
    compile_package()
    pairs = [
        ("import customer_model", "import pydantic", 1.0),
        # What a service that loads feedback actually pays, against its peer.
        (
            "from customer_model import FeedbackItem, from_json",
            "from pydantic import BaseModel, TypeAdapter",
            None,
        ),
    ]
    figures = []
    for ours, peer, goal in pairs:
        figures.append(
            Figure(
                f"`{ours}` vs `{peer}`",
                import_time(ours, runs),
                import_time(peer, runs),
                "pydantic",
                "s",
                goal if goal is not None else float("inf"),
            )
        )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(f"{figure.name}: {figure.ours * 1e3:.1f} ms vs {figure.peer * 1e3:.1f} ms")
