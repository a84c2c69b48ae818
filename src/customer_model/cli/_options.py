"""The command line's option values: each read from its text, or refused in one line.

Each is an argparse ``type``: a bad value raises ``ArgumentTypeError`` with
what the value must be, which argparse reports as a usage error (status 2).
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

from customer_model.model._validation import in_utc_range

__all__ = ["amount", "as_of", "count", "indent", "seed", "start"]


def as_of(text: str) -> datetime:
    """``--as-of``: an ISO date (the end of that day, UTC) or a datetime with an offset.

    A bare date means "as of that day", so the day's own feedback counts.
    """
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.max.time(), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "must be an ISO 8601 date (2025-06-30) or datetime with an offset"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError("must carry a UTC offset such as Z or +02:00")
    if not in_utc_range(value):  # told here, not as a problem of the data file
        raise argparse.ArgumentTypeError("must fall within years 1 to 9999 in UTC")
    return value


def start(text: str) -> datetime:
    """``--start``: an ISO date (the first moment of that day, UTC) or a datetime with an offset.

    Data starts at the day's beginning, not at its end as ``--as-of`` reads a date.
    """
    if len(text) == 10:
        return as_of(text).replace(hour=0, minute=0, second=0, microsecond=0)
    return as_of(text)


def _whole(text: str, least: int, most: int | None = None) -> int:
    """The whole number *text* spells, from *least* (to *most*, if given)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if most is not None and not least <= value <= most:
        raise argparse.ArgumentTypeError(f"must be from {least} to {most}")
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more")
    return value


def count(text: str) -> int:
    return _whole(text, 1)


def amount(text: str) -> int:
    return _whole(text, 0)


def indent(text: str) -> int:
    from customer_model.serialization import MAX_INDENT

    return _whole(text, 0, MAX_INDENT)


def seed(text: str) -> int:
    return _whole(text, 0)  # random.Random(-1) repeats random.Random(1)
