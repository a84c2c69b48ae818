"""Memory per loaded FeedbackItem against a msgspec Struct with the same fields.

Both load the same JSON; tracemalloc counts every block still held once the
list is built (instances, strings, datetimes, zones), divided by the count.
Enum members are shared by both; fixed-offset zones from ``fromisoformat``
are per value on both sides.  Run alone with ``python benchmarks/bench_memory.py``.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable, Sequence

import msgspec
from _data import feedback_json
from _peers import MsgspecFeedback
from _timing import Figure

from customer_model import FeedbackItem, from_json


def retained_per_object(load: Callable[[], Sequence[object]], n: int) -> float:
    load()  # warm up: hooks are generated on first use
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    objects = load()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(objects) == n
    return (after - before) / n


def run(n: int = 100_000) -> list[Figure]:
    data = feedback_json(n)
    decoder = msgspec.json.Decoder(list[MsgspecFeedback])
    ours = retained_per_object(lambda: from_json(data, list[FeedbackItem]), n)
    peer = retained_per_object(lambda: decoder.decode(data), n)
    return [Figure("memory per loaded FeedbackItem", ours, peer, "msgspec", "B", 1.1)]


def shallow_sizes() -> tuple[int, int]:
    """``sys.getsizeof`` of one instance of each, without what it refers to."""
    data = feedback_json(1)
    ours = from_json(data, list[FeedbackItem])[0]
    peer = msgspec.json.decode(data, type=list[MsgspecFeedback])[0]
    return sys.getsizeof(ours), sys.getsizeof(peer)


if __name__ == "__main__":
    (figure,) = run()
    print(f"{figure.name}: {figure.ours:.0f} B vs {figure.peer:.0f} B = {figure.ratio:.2f}x")
    print("shallow instance sizes (ours, msgspec):", shallow_sizes())
