"""Run every benchmark and print each figure next to its peer's.

    pip install -e ".[bench]"
    python benchmarks/run.py          # 100k items; --quick for 10k

Exits with status 1 if a goal is missed.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import version

import bench_codegen
import bench_import
import bench_json
import bench_memory
from _timing import Figure


def _show(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1e3:9.1f} ms"
    return f"{value:9.0f} {unit} "


def main() -> int:
    quick = "--quick" in sys.argv
    n = 10_000 if quick else 100_000
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(
        ", ".join(
            f"{name} {version(name)}"
            for name in ("attrs", "cattrs", "python-dateutil", "pydantic", "msgspec")
        )
    )
    figures: list[Figure] = [
        *bench_json.run(n),
        *bench_codegen.run(n),
        *bench_memory.run(n),
        *bench_import.run(11 if quick else 41),
    ]
    print()
    print(f"{'figure':<80} {'ours':>12} {'peer':>12} {'ratio':>6}  goal")
    missed = 0
    for f in figures:
        goal = "-" if f.goal == float("inf") else f"<= {f.goal:.1f}x {'met' if f.met else 'MISSED'}"
        missed += not f.met
        print(
            f"{f.name:<80} {_show(f.ours, f.unit)} {_show(f.peer, f.unit)} "
            f"{f.ratio:5.2f}x  {goal} ({f.peer_name})"
        )
    print("\nprioritize() against its minimal reference: see the prioritization benchmark.")
    print("The backlog as SQL on DuckDB and Spark: see bench_warehouse.py.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
