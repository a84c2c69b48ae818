"""Loading and dumping 100k FeedbackItems: customer-model against pydantic v2.

Run alone with ``python benchmarks/bench_json.py [N]``.
"""

from __future__ import annotations

import json
import sys

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
        for validate, error in [
            (lambda t: from_json(t, list[FeedbackItem]), ValidationError),
            (adapter.validate_json, PydanticError),
        ]:
            try:
                validate(bad)
            except error:
                continue
            raise AssertionError(f"{change} was accepted by {validate}")


def run(n: int = 100_000, repeat: int = 5) -> list[Figure]:
    check_peer_is_as_strict()
    data = feedback_json(n)
    adapter = TypeAdapter(list[PydanticFeedback])
    ours_load, peer_load = best_of(
        [lambda: from_json(data, list[FeedbackItem]), lambda: adapter.validate_json(data)],
        repeat,
    )
    items = from_json(data, list[FeedbackItem])
    models = adapter.validate_json(data)
    ours_dump, peer_dump = best_of(
        [lambda: to_json(items), lambda: adapter.dump_json(models)], repeat
    )
    return [
        Figure(f"load {n:,} FeedbackItems from JSON", ours_load, peer_load, "pydantic", "s", 1.0),
        Figure(f"dump {n:,} FeedbackItems to JSON", ours_dump, peer_dump, "pydantic", "s", 2.0),
    ]


if __name__ == "__main__":
    for figure in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        print(f"{figure.name}: {figure.ours:.3f}s vs {figure.peer:.3f}s = {figure.ratio:.2f}x")
