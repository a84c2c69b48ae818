"""Deterministic benchmark data: FeedbackItems as JSON, the same bytes for every peer."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone

from customer_model import Channel, FeedbackKind, Importance, Need

THEMES = ["export", "billing", "search", "onboarding", "sso", "reports", "api", "mobile"]
WORDS = [
    "the",
    "export",
    "is",
    "slow",
    "when",
    "the",
    "report",
    "has",
    "many",
    "rows",
    "and",
    "it",
    "times",
    "out",
    "often",
]
OFFSETS = [UTC, UTC, UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]


def feedback_records(
    n: int, seed: int = 6, *, every_field: bool = False
) -> list[dict[str, object]]:
    """*n* valid FeedbackItem records as plain JSON data, reproducibly.

    By default about a fifth are anonymous and the optional need and importance
    are often unset, as in survey exports; with *every_field* each record has
    an author, a need, an importance and a text.
    """
    rng = random.Random(seed)
    kinds = [k.value for k in FeedbackKind]
    unset = [] if every_field else [None]
    needs = [*unset, *(k.value for k in Need)]
    importances = [*unset, *(k.value for k in Importance)]
    anonymous = 0.0 if every_field else 0.2
    shortest_text = 1 if every_field else 0
    channels = [c.value for c in Channel]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out: list[dict[str, object]] = []
    for i in range(n):
        at = (start + timedelta(seconds=rng.randrange(40_000_000))).astimezone(rng.choice(OFFSETS))
        out.append(
            {
                "id": f"f-{i:07d}",
                "customer_id": f"c-{rng.randrange(5000):05d}",
                "author_id": (
                    None if rng.random() < anonymous else f"p-{rng.randrange(20000):06d}"
                ),
                "theme": rng.choice(THEMES),
                "kind": rng.choice(kinds),
                "need": rng.choice(needs),
                "importance": rng.choice(importances),
                "channel": rng.choice(channels),
                "text": " ".join(rng.choices(WORDS, k=rng.randrange(shortest_text, 16))),
                "created_at": at.isoformat().replace("+00:00", "Z"),
            }
        )
    return out


def feedback_json(n: int, seed: int = 6, *, every_field: bool = False) -> bytes:
    """The records of :func:`feedback_records` as compact UTF-8 JSON."""
    records = feedback_records(n, seed, every_field=every_field)
    return json.dumps(records, separators=(",", ":")).encode()
