"""Instants as whole microseconds, so the testing kit never overflows near year 1 or 9999.

``datetime`` arithmetic raises ``OverflowError`` as soon as an intermediate
value leaves years 1 to 9999, even when the answer would fit.  Counting
microseconds in plain integers lets the factories and strategies check their
windows, and place values in them, with no intermediate datetimes at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

#: One microsecond, the unit of every count here.
MICROSECOND = timedelta(microseconds=1)
#: Microseconds in a day.
DAY = 86_400_000_000

_ORIGIN = datetime(1, 1, 1)
#: The last representable wall-clock time, in microseconds since 0001-01-01 00:00.
LAST = (datetime.max - _ORIGIN) // MICROSECOND


def wall(value: datetime) -> int:
    """*value*'s wall-clock time (ignoring its zone) in microseconds since 0001-01-01."""
    return (value.replace(tzinfo=None) - _ORIGIN) // MICROSECOND


def utc(value: datetime) -> int:
    """The instant of aware *value* in microseconds since 0001-01-01 UTC (may be negative)."""
    offset = value.utcoffset()
    assert offset is not None  # callers check awareness first
    return wall(value) - offset // MICROSECOND


def fits(micros: int) -> bool:
    """Whether a wall-clock time of *micros* is a representable datetime."""
    return 0 <= micros <= LAST


def at(micros: int, zone: tzinfo) -> datetime:
    """The datetime whose wall-clock time is *micros* (which must fit), in *zone*."""
    return (_ORIGIN + timedelta(microseconds=micros)).replace(tzinfo=zone)
