"""What every strategy builds on: argument checks, ids and aware datetimes."""

from __future__ import annotations

import contextlib
import functools
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._moments import is_aware
from customer_model.model._validation import Checker
from customer_model.testing import _time

T = TypeVar("T")

_OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]
#: Zones with daylight saving, whose repeated hour tells a wall clock from an instant.
_DST_ZONES = ("Europe/Berlin", "America/New_York")


def _zones() -> list[tzinfo]:
    """The fixed offsets, and the daylight-saving zones where a time zone database is found."""
    zones: list[tzinfo] = list(_OFFSETS)
    for key in _DST_ZONES:
        with contextlib.suppress(ZoneInfoNotFoundError):  # no system database, no tzdata
            zones.append(ZoneInfo(key))
    return zones


#: Characters of free text: plain letters first (what text shrinks to), then
#: what breaks naive code: quotes and escapes, control and white-space
#: characters, accents composed and combining, right-to-left scripts and
#: marks, joiners, CJK, characters beyond the BMP, a byte-order mark (a fixed
#: alphabet: see strings()).
_TEXT_ALPHABET = (
    "aeiou nrstlBCDXYZ0123456789.,;:!?-_'\"/\\%&<>(){}[]@#$*+=|~`^"
    "\t\n\r\x00\x0b\x1f\x7f\x85\xa0\u2028\u2029\u3000"
    "\xe9\xdf\xf1\xe7\xf8\u0301\u0308\u03a9\u0416\u05d0\u0627\u200f\u200e"
    "\u200d\u200b\u4e2d\u6587\u3042\ud55c\U0001f600\U0001f44d\U0001d518\ufffd\ufeff"
)


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Free text of up to *max_size* characters from a fixed, hostile alphabet."""
    return strings(_TEXT_ALPHABET, max_size=max_size)


def strings(alphabet: str, *, min_size: int = 0, max_size: int) -> st.SearchStrategy[str]:
    """Text of characters from *alphabet*, shrinking towards its first one.

    Not ``st.text``: even with an alphabet given, it builds hypothesis' Unicode
    table (over a second) on a suite's first run, which fails the health check.
    """
    chars = st.sampled_from(alphabet)
    return st.lists(chars, min_size=min_size, max_size=max_size).map("".join)


_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz-"

#: The window most generated timestamps fall in.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
HORIZON = datetime(2030, 1, 1, tzinfo=UTC)


class _ArgumentError(ValidationError, InvalidArgument):
    """A bad argument to a strategy: hypothesis' error, with the library's problems."""


def _done(check: Checker, strategy: str) -> None:
    check.done(f"arguments of {strategy}()", _ArgumentError)


def _strategy(check: Checker, name: str, value: object) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        check.add(
            name,
            f"must be a hypothesis strategy (such as st.just(...)) or None, not {type_name(value)}",
        )


def _drawing(
    strategy: st.SearchStrategy[T], name: str, caller: str, cls: type | tuple[type, ...]
) -> st.SearchStrategy[T]:
    """*strategy*, the caller's argument *name*, with each value it draws checked to be a *cls*.

    A strategy of the wrong type would otherwise fail inside the model it
    feeds, blaming a field of that model rather than the argument.
    """
    return strategy.map(functools.partial(_drawn, name, caller, cls))


def _drawn(name: str, caller: str, cls: type | tuple[type, ...], value: T) -> T:
    if not isinstance(value, cls):
        what = " or ".join(c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,)))
        check = Checker()  # the type, never the value: it may be personal data
        check.add(
            name,
            f"must be a strategy of {what} values, but drew a value of type {type_name(value)}",
        )
        _done(check, caller)
    return value


def _window(
    check: Checker, since: object, until: object, names: tuple[str, str] = ("since", "until")
) -> None:
    """Two aware datetimes in order (compared as instants, so any zones may mix)."""
    check.aware(names[0], since)
    check.aware(names[1], until)
    if not (_aware(since) and _aware(until)):
        return  # reported just above
    assert isinstance(since, datetime)
    assert isinstance(until, datetime)
    if _time.utc(since) > _time.utc(until):
        check.add(names[1], f"must not be earlier than {names[0]}")


def _aware(value: object) -> bool:
    return isinstance(value, datetime) and is_aware(value)


def _optional_currency(check: Checker, value: object) -> None:
    if value is not None:
        check.currency("currency", value)


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Non-empty ids of letters, digits and dashes, optionally with a prefix.

    >>> from hypothesis import find
    >>> find(identifiers("c-"), lambda _: True)
    'c-0'
    """
    check = Checker()
    if check.text("prefix", prefix, allow_empty=True) and prefix[:1].isspace():
        check.add("prefix", "must not start with white space: ids cannot")
    _done(check, "identifiers")
    return strings(_ID_ALPHABET, min_size=1, max_size=10).map(lambda s: prefix + s)


def aware_datetimes(
    min_value: datetime = EPOCH, max_value: datetime = HORIZON
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes between two aware bounds, in a few UTC offsets and zones.

    The zones (Europe/Berlin, America/New_York, as ``zoneinfo.ZoneInfo``)
    change their offset for daylight saving, so some times fall in a
    repeated hour, as services' times do; they are drawn where the machine
    has a time zone database (the ``testing`` extra installs ``tzdata``).
    Times spread over the whole window (hypothesis' ``datetimes()``, which
    also seeks out the hours around a zone's transitions), and some lie on
    or right next to a bound.  Any aware bounds work, up to the first and
    last microsecond of the calendar: a time that one of the usual offsets
    would push out of years 1 to 9999 is given in UTC or in the offset of
    one of the bounds instead.  The bounds hold as instants: compare with
    ``astimezone(UTC)``, since Python compares two times of one ``ZoneInfo``
    zone by their wall clock (a bound and a time in the hour a zone repeats).
    """
    check = Checker()
    _window(check, min_value, max_value, ("min_value", "max_value"))
    _done(check, "aware_datetimes")
    low = _time.utc(min_value)
    span = _time.utc(max_value) - low  # exact: a float of microseconds is not, past 2**53
    fallbacks = [
        (zone, _offset(zone))
        for zone in (UTC, timezone(_aware_offset(min_value)), timezone(_aware_offset(max_value)))
    ]

    origin = _time.at(low, UTC) if _time.fits(low) else None

    def place(micros: int, zone: tzinfo) -> datetime:
        if origin is not None:  # the usual case, and the fastest way
            try:
                return (origin + timedelta(microseconds=micros)).astimezone(zone)
            except OverflowError:
                pass
        instant = low + micros
        offset = _OFFSET_MICROS.get(zone)  # a fixed offset's; a zone's changes
        if offset is not None and _time.fits(instant + offset):
            return _time.at(instant + offset, zone)
        # Near the ends of the calendar: one of the bounds' own offsets always fits,
        # since the instant lies between them and offsets are less than a day.
        for other, offset in fallbacks:  # pragma: no branch
            if _time.fits(instant + offset):
                return _time.at(instant + offset, other)
        raise AssertionError("unreachable: a bound's offset always fits")  # pragma: no cover

    def spread(zone: tzinfo) -> st.SearchStrategy[datetime]:
        """Wall times of *zone* between the bounds', each then held to the instants between."""
        try:
            first, last = (b.astimezone(zone).replace(tzinfo=None) for b in (min_value, max_value))
        except OverflowError:  # a bound's wall time there is outside the calendar
            first, last = datetime.max, datetime.min
        if first > last:  # or a window within the hour the clocks go back: later on the clock
            return st.builds(place, st.integers(0, span), st.just(zone))

        def held(value: datetime) -> datetime:
            # Around a repeated hour, a wall time inside the bounds' may be an
            # instant just outside them.
            micros = _time.utc(value) - low
            return value if 0 <= micros <= span else place(min(max(micros, 0), span), zone)

        drawn = st.datetimes(first, last, timezones=st.just(zone), allow_imaginary=False)
        return drawn.map(held)

    # One time in eight is a bound or the instant just inside it; the others
    # spread over the window.
    edges = st.builds(
        place,
        st.sampled_from(sorted({0, min(1, span), span - 1, span} - {-1})),
        st.sampled_from(_ZONES),
    )
    inside = st.one_of([spread(zone) for zone in _ZONES])
    return st.integers(0, 7).flatmap(lambda pick: edges if pick == 0 else inside)


def _aware_offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    assert offset is not None  # checked aware
    return offset


def _offset(zone: timezone) -> int:
    return _aware_offset(datetime(2000, 1, 1, tzinfo=zone)) // _time.MICROSECOND


_OFFSET_MICROS: dict[tzinfo, int] = {zone: _offset(zone) for zone in _OFFSETS}
_ZONES = _zones()
