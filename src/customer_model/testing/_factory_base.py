"""What every factory shares: argument checks, the seeded generator and id sequences."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from customer_model.errors import ValidationError
from customer_model.examples import _words as cat
from customer_model.model._moments import in_utc_range, is_aware
from customer_model.model._validation import Checker
from customer_model.testing import _time

#: Where generated timestamps start unless a factory is told otherwise.
DEFAULT_START = cat.DEFAULT_START


def check_common(
    check: Checker,
    seed: object,
    id_prefix: object,
    start: object,
    days: object,
    *,
    moments: bool = True,
    births: bool = False,
) -> None:
    check_window(check, seed, start, days, moments=moments, births=births)
    # Checked like identifiers()' prefix: every id made would start with it.
    if check.text("id_prefix", id_prefix) and str(id_prefix)[:1].isspace():
        check.add("id_prefix", "must not start with white space: ids cannot")


#: Adults are born up to this many years before a factory's start.
OLDEST = 70


def check_window(
    check: Checker,
    seed: object,
    start: object,
    days: object,
    *,
    moments: bool = True,
    births: bool = False,
) -> None:
    """*seed*, and a window the factory can fill without leaving the calendar.

    With *births*, people are born up to :data:`OLDEST` years before *start*;
    with *moments*, times fall anywhere from *start* to *days* days later.
    Every value must be a datetime both in *start*'s zone and in UTC (SQL and
    the records compare times as UTC), so both must stay within years 1 to 9999.
    """
    # None would seed from the clock (not reproducible); random.Random takes a
    # negative seed's absolute value, so -1 would repeat 1's objects.
    check.integer("seed", seed, minimum=0)
    check.aware("start", start)  # also within years 1 to 9999 in UTC
    days_ok = check.integer("days", days, minimum=1)
    if not isinstance(start, datetime) or not is_aware(start) or not in_utc_range(start):
        return  # reported just above
    if births and start.year <= OLDEST:
        check.add(
            "start",
            f"must be in the year {OLDEST + 1} or later: "
            f"people are born up to {OLDEST} years before it",
        )
    if not moments:
        return
    first = min(_time.wall(start), _time.utc(start))
    if first < 0:
        check.add("start", "must fall within years 1 to 9999 in UTC as well as in its own zone")
        return
    last_second = 1_000_000  # the latest time is start + days, less one second
    room = (_time.LAST + last_second - max(_time.wall(start), _time.utc(start))) // _time.DAY
    if room < 1:
        check.add("start", "must leave at least one day before the year 10000")
    elif days_ok and isinstance(days, int) and days > room:
        check.add(
            "days",
            f"must be at most {room} with this start: the window must end before the year 10000",
        )
    elif days_ok and isinstance(days, int) and not in_utc_range(start + timedelta(days, -1)):
        # The last moment, on the wall clock as _moment counts, in a zone whose
        # offset has changed since start (summer time ended) is past 9999 in UTC.
        check.add(
            "days",
            f"must be at most {room - 1} with this start: the zone's offset at the end "
            "of the window takes it past the year 9999 in UTC",
        )


def fields_of(
    cls: type[Any], overrides: dict[str, Any], subject: str, extra: Iterable[str] = ()
) -> None:
    known = {f.name for f in attrs.fields(cls)} | set(extra)
    unknown = sorted(set(overrides) - known)
    if unknown:
        check = Checker()
        for name in unknown:
            check.add(name, f"is not a field of {cls.__name__}")
        check.done(subject)


def count_of(n: object) -> int:
    check = Checker()
    check.integer("n", n, minimum=0)
    check.done("batch size")
    assert isinstance(n, int)
    return n


def batch_count(n: object, overrides: dict[str, Any], subject: str, cls: type[Any]) -> int:
    """*n*, refusing a fixed ``id`` for more than one value: ids must be unique.

    The *overrides* must be fields of *cls*, even when *n* is 0.
    """
    fields_of(cls, overrides, subject)
    count = count_of(n)
    if "id" in overrides and count > 1:
        raise ValidationError.single(
            "id", "cannot be fixed for a batch: ids must be unique", subject
        )
    return count


def email_part(pid: object) -> str:
    """*pid* as it may appear in a made-up email address."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", str(pid))


class FactoryBase:
    """Seeded randomness, an id sequence and a time window."""

    _prefix_default = "x-"
    #: Whether the factory makes times within its window (people have none).
    _moments = True
    #: Whether the factory makes people, born up to OLDEST years before start.
    _births = False

    def __init__(
        self,
        *,
        seed: int = 0,
        id_prefix: str | None = None,
        start: datetime = DEFAULT_START,
        days: int = 365,
    ) -> None:
        prefix = self._prefix_default if id_prefix is None else id_prefix
        check = Checker()
        check_common(check, seed, prefix, start, days, moments=self._moments, births=self._births)
        self._check_more(check)
        check.done(type(self).__name__)
        self.seed = seed
        self.id_prefix = prefix
        self.start = start
        self.days = days
        self._rng = random.Random(seed)
        self._ids: Iterator[int] = itertools.count(1)
        self._pinned: set[str] = set()  # ids given as overrides, which the sequence skips

    def _check_more(self, check: Checker) -> None:
        """Subclasses add checks of their own arguments here, reported with the rest."""

    def next_id(self) -> str:
        """The next id of this factory's sequence: ``<prefix>1``, ``<prefix>2``, ...

        An id an earlier call was given as an override is skipped, so the
        sequence never repeats an id, given or its own.  An override is used as
        given, even one the factory made before (a changed copy of an object).
        """
        while True:
            candidate = f"{self.id_prefix}{next(self._ids)}"
            if candidate not in self._pinned:
                return candidate

    def id_for(self, overrides: Mapping[str, Any]) -> Any:
        """The ``id`` *overrides* pin (the sequence then skips it), else the next id."""
        if "id" not in overrides:
            return self.next_id()
        given = overrides["id"]
        if type(given) is str:  # anything else the model refuses
            self._pinned.add(given)
        return given

    def _moment(self) -> datetime:
        """A time in the window, on the wall clock of *start*'s zone.

        A wall time that a clock change skips or repeats is drawn again: Python
        compares it unequal to every time of another zone, so an object holding
        it would not equal itself read back from JSON.
        """
        while True:
            seconds = self._rng.randrange(self.days * 86_400)
            moment = self.start + timedelta(seconds=seconds)
            if type(moment.tzinfo) is timezone or not _shifts(moment):
                return moment

    def __repr__(self) -> str:
        return f"{type(self).__name__}(seed={self.seed!r}, id_prefix={self.id_prefix!r})"


def _shifts(moment: datetime) -> bool:
    """Whether *moment*'s wall time is skipped or repeated in its zone (needs ``fold``)."""
    return moment.utcoffset() != moment.replace(fold=1 - moment.fold).utcoffset()
