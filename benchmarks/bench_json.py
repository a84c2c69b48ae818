"""Loading, rejecting and dumping 100k FeedbackItems: customer-model against pydantic v2.

Two good corpora: the usual one (optional fields often unset) and one with
every optional field set.  Two bad ones of the same number of items: every
item of the usual corpus broken in one field, and the smallest bad item
(``{"id": 1}``) repeated.  Rejecting a bad payload must cost no more than
accepting a good one of the same size.

Run alone with ``python benchmarks/bench_json.py [N]``; ``--sizes`` times
loading at batch sizes from 10 to 100k items instead.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import partial

from _data import feedback_json, feedback_records
from _peers import PydanticFeedback
from _timing import Figure, best_of
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from customer_model import FeedbackItem, ValidationError, from_json, to_json

# Inputs both sides must reject: the pydantic model is only a fair peer if it
# is as strict as FeedbackItem.
BAD_CHANGES: list[dict[str, object]] = [
    {"id": ""},
    {"id": "   "},
    {"id": " f-1"},
    {"customer_id": 7},
    {"author_id": "\t"},
    {"kind": "Bug"},
    {"need": 1},
    {"channel": None},
    {"text": 5},
    {"created_at": "2025-01-01T10:00:00"},
    {"created_at": "yesterday"},
    {"created_at": 1700000000},
    {"unknown": 1},
]


def check_peer_is_as_strict() -> None:
    """Fail loudly unless both sides reject every bad record and accept the good ones."""
    adapter = TypeAdapter(list[PydanticFeedback])
    good = feedback_records(200)
    text = json.dumps(good)
    assert len(from_json(text, list[FeedbackItem])) == len(adapter.validate_json(text)) == 200
    for change in BAD_CHANGES:
        bad = json.dumps([{**good[0], **change}])
        checks: list[tuple[Callable[[str], object], type[Exception]]] = [
            (lambda t: from_json(t, list[FeedbackItem]), ValidationError),
            (adapter.validate_json, PydanticError),
        ]
        for validate, error in checks:
            try:
                validate(bad)
            except error:
                continue
            raise AssertionError(f"{change} was accepted by {validate}")


def _load(data: bytes) -> object:
    return from_json(data, list[FeedbackItem])


def _times(load: Callable[[bytes], object], data: bytes, loops: int) -> list[object]:
    """*data* loaded *loops* times (small batches are timed many at once)."""
    return [load(data) for _ in range(loops)]


def _reject(validate: Callable[[bytes], object], error: type[Exception]) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        try:
            validate(data)
        except error:
            return
        raise AssertionError("a bad payload was accepted")

    return run


def broken_json(n: int) -> bytes:
    """The usual corpus with every item broken in one field (the strictness checks in turn)."""
    records = feedback_records(n)
    changes = [c for c in BAD_CHANGES if "unknown" not in c]
    broken = [{**r, **changes[i % len(changes)]} for i, r in enumerate(records)]
    return json.dumps(broken, separators=(",", ":")).encode()


def run(n: int = 100_000, repeat: int = 5) -> list[Figure]:
    check_peer_is_as_strict()
    adapter = TypeAdapter(list[PydanticFeedback])
    usual = feedback_json(n)
    full = feedback_json(n, every_field=True)
    figures = []
    for name, data in [("FeedbackItems", usual), ("FeedbackItems, every field set,", full)]:
        ours, peer = best_of([partial(_load, data), partial(adapter.validate_json, data)], repeat)
        figures.append(Figure(f"load {n:,} {name} from JSON", ours, peer, "pydantic", "s", 0.9))
    accept_usual = figures[0].ours

    our_reject = _reject(_load, ValidationError)
    peer_reject = _reject(adapter.validate_json, PydanticError)
    tiny = json.dumps([{"id": 1}] * n).encode()
    for name, data in [("every item broken", broken_json(n)), ('{"id": 1} repeated', tiny)]:
        ours, peer = best_of([partial(our_reject, data), partial(peer_reject, data)], repeat)
        figures.append(Figure(f"reject {n:,} items, {name}", ours, peer, "pydantic", "s", INF))
        figures.append(
            Figure(
                f"reject {n:,} items, {name}, vs accepting the usual corpus",
                ours,
                accept_usual,
                "accepting",
                "s",
                1.0,
            )
        )

    figures.append(long_collection(n, repeat))

    items = from_json(usual, list[FeedbackItem])
    models = adapter.validate_json(usual)
    ours_dump, peer_dump = best_of(
        [lambda: to_json(items), lambda: adapter.dump_json(models)], repeat
    )
    figures.append(
        Figure(f"dump {n:,} FeedbackItems to JSON", ours_dump, peer_dump, "pydantic", "s", 2.0)
    )
    return figures


INF = float("inf")


def long_collection(n: int, repeat: int) -> Figure:
    """One model holding *n* ids, every one padded, against the same model with good ids.

    The model's own checks refuse it, after the reader has read every id:
    the refusal must cost no more than loading the good one.
    """
    from datetime import UTC, datetime

    from customer_model import BacklogItem, PrioritizationPolicy, ValueWeighting, prioritize
    from customer_model.examples import demo_dataset

    data = demo_dataset()
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    item = json.loads(
        to_json(prioritize(data.feedback, data.customers, policy=policy, as_of=as_of).items[0])
    )
    good = json.dumps({**item, "feedback_ids": [f"f-{i}" for i in range(n)]}).encode()
    bad = json.dumps({**item, "feedback_ids": [f" f-{i}" for i in range(n)]}).encode()
    load = partial(from_json, cls=BacklogItem)
    ours, peer = best_of(
        [partial(_reject(load, ValidationError), bad), partial(load, good)], repeat
    )
    return Figure(
        f"reject a BacklogItem of {n:,} padded ids, vs accepting it with good ids",
        ours,
        peer,
        "accepting",
        "s",
        1.0,
    )


def by_size(sizes: tuple[int, ...] = (10, 100, 1_000, 10_000, 100_000), repeat: int = 5) -> None:
    """Loading at several batch sizes: the goal is stated at 100k, where pydantic's
    time per item has grown; at small batches ours is dearer (see the performance page).

    Each size loads about 100k items in all (many small payloads or one large one).
    """
    adapter = TypeAdapter(list[PydanticFeedback])
    print(f"{'items':>8}  {'ours/item':>10}  {'pydantic/item':>13}  ratio (usual, every field set)")
    for n in sizes:
        loops = max(1, 100_000 // n)
        ratios = []
        for data in (feedback_json(n), feedback_json(n, every_field=True)):
            ours, peer = best_of(
                [
                    partial(_times, _load, data, loops),
                    partial(_times, adapter.validate_json, data, loops),
                ],
                repeat,
            )
            ratios.append((ours, peer))
        (ours, peer), (ours_full, peer_full) = ratios
        per = 1e6 / (n * loops)
        print(
            f"{n:>8,}  {ours * per:>8.2f}us  {peer * per:>11.2f}us"
            f"  {ours / peer:.2f}x, {ours_full / peer_full:.2f}x"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["--sizes"]:
        by_size()
        raise SystemExit(0)
    for figure in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        goal = "" if figure.goal == INF else f" (goal <= {figure.goal}x)"
        print(
            f"{figure.name}: {figure.ours:.3f}s vs {figure.peer_name} {figure.peer:.3f}s"
            f" = {figure.ratio:.2f}x{goal}"
        )
