"""What a moment in the model must be: aware, in whole seconds of offset, within UTC's calendar.

Shared by the models' checks (:class:`~customer_model.model._validation.Checker`),
the JSON reader and the command line, so that a time is refused in the same
words wherever it is read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

__all__ = [
    "OUT_OF_UTC_RANGE",
    "TOO_FINE",
    "ZONE_ERRORS",
    "finer_than_microseconds",
    "in_utc_range",
    "instant",
    "is_aware",
    "utc_offset",
]


def is_aware(value: datetime) -> bool:
    """Whether *value* has a time zone that gives it a valid UTC offset, in whole seconds."""
    return (
        value.tzinfo is not None
        and (offset := utc_offset(value)) is not None
        and not offset.microseconds
    )


#: What a misbehaving tzinfo subclass makes ``datetime`` raise (a method left
#: unimplemented, an offset that is not a timedelta, or one of a day or more).
ZONE_ERRORS = (NotImplementedError, TypeError, ValueError)


def utc_offset(value: datetime) -> timedelta | None:
    """*value*'s offset from UTC, or ``None`` when its zone gives no usable one.

    ``datetime.utcoffset()`` checks the zone's answer (a timedelta under a
    day); a broken tzinfo raises, which here means "no usable offset".
    """
    try:
        return value.utcoffset()
    except ZONE_ERRORS:
        return None


#: A fraction of a second with a non-zero digit past the sixth, which
#: datetime.fromisoformat would cut off (Python keeps microseconds).
_FINER_THAN_MICROSECONDS = re.compile(r"[.,][0-9]{6}[0-9]*[1-9]")


#: What to say of such a time: the same words wherever one is read.
TOO_FINE = "must be precise to the microsecond at most (6 fractional digits)"


def finer_than_microseconds(text: str) -> bool:
    """Whether ISO 8601 *text* has a time more precise than a datetime can hold."""
    # Most times have no fraction at all: the pattern runs only when one may
    # (it runs for every loaded datetime, and searching cost ~3 % of loading).
    return ("." in text or "," in text) and _FINER_THAN_MICROSECONDS.search(text) is not None


#: What to say of an aware time that UTC cannot hold (an offset pushes it past
#: the first or last day of the calendar): records, SQL and reports compare in UTC.
OUT_OF_UTC_RANGE = "must fall within years 1 to 9999 in UTC"


def in_utc_range(value: datetime) -> bool:
    """Whether aware *value* can be written in UTC (only the calendar's ends need a look)."""
    if 1 < value.year < 9999:  # an offset is under a day: the usual case costs nothing
        return True
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


def instant(moment: datetime) -> datetime:
    """*moment* (aware, in UTC's range) as a value that compares and subtracts by time.

    Python compares and subtracts two datetimes that share one tzinfo by their
    wall-clock fields: in one ``ZoneInfo`` zone, a daylight-saving change then
    loses or repeats an hour.  A fixed offset (``datetime.timezone``, which
    ``fromisoformat`` gives) has no such change and is kept as it is.
    """
    return moment if type(moment.tzinfo) is timezone else moment.astimezone(UTC)


def instant_key(value: object) -> object:
    """What a model's time field, or a rule's value, compares and hashes by.

    An aware time by its :func:`instant`, anything else (``None``, a number)
    as it is.  Python holds a time in a ``ZoneInfo`` zone's repeated hour
    (``fold=1``) unequal to the same instant at a fixed offset, which is what
    JSON gives back; compared by instant, a model equals its own round trip,
    and two times an hour apart in one zone are not taken for one.
    """
    if isinstance(value, datetime) and value.tzinfo is not None:
        return instant(value)
    return value


def instants_key(values: frozenset[object]) -> frozenset[object]:
    """What a rule's set of values compares and hashes by (see :func:`instant_key`)."""
    return frozenset(map(instant_key, values))
