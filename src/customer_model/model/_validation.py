"""Small, fast checks shared by the models' constructors.

Each model validates itself in ``__attrs_post_init__`` with a :class:`Checker`
that collects every problem before raising one :class:`ValidationError`.
Messages name the rule and the type of a bad value, never the value itself.
"""

from __future__ import annotations

import collections
import heapq
import math
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from itertools import repeat
from typing import Any, TypeVar, cast

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._messages import not_a_list, type_name
from customer_model.model._moments import OUT_OF_UTC_RANGE, in_utc_range, utc_offset
from customer_model.model._money import MONEY_INTEGER_DIGITS, MONEY_PLACES, decimal_places
from customer_model.model._text import (
    NOT_UNICODE,
    has_repeats,
    is_unicode,
    not_identifiers,
)
from customer_model.model._text_keys import CURRENCY_CODE, currency_key, key_problem, refused_key

T = TypeVar("T")
E = TypeVar("E", bound=Enum)

# \Z, not $: "$" also matches before a final newline ("EUR\n" once passed as a currency).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{5,32}\Z")
_COUNTRY = re.compile(r"^[A-Z]{2}\Z")

#: Integers beyond this cannot be converted to float.
_FLOAT_MAX = int(sys.float_info.max)


def to_tuple(value: Iterable[T]) -> tuple[T, ...]:
    """Accept any ordered iterable for a sequence field (notebooks pass lists).

    Strings, bytes and mappings are left alone so the constructor reports them
    instead of silently splitting them into characters or keys, and so are
    sets: their order changes with ``PYTHONHASHSEED``, and the same input
    must give the same value in every run.
    """
    if type(value) is tuple:
        return value
    if isinstance(value, str | bytes | Mapping | set | frozenset) or not isinstance(
        value, Iterable
    ):
        return value  # type: ignore[return-value]  # rejected by the checker
    return tuple(value)


def to_frozenset(value: Iterable[T]) -> frozenset[T]:
    """Accept any iterable for a set field; see :func:`to_tuple`."""
    if type(value) is frozenset:
        return value
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # rejected by the checker
    items = tuple(value)
    try:
        return frozenset(items)
    except TypeError:  # unhashable elements: let the checker name them
        return items  # type: ignore[return-value]


def exact_member(cls: type[E], value: object) -> E:
    """The member of *cls* whose value is exactly *value*; anything else unchanged.

    Typing ``"household"`` where a :class:`CustomerKind` goes is naming the
    member, not a coercion.  Other case, member names and other types come
    back unchanged, for the field's check to refuse.
    """
    if type(value) is str:
        try:
            return cls(value)
        except ValueError:
            pass
    return cast(E, value)


def member_argument(cls: type[E], name: str, value: object, subject: str) -> E:
    """An argument taking a member of *cls* or its exact value; anything else is refused.

    The :class:`ValidationError` names the argument *name* and lists the
    values, without repeating what was given.
    """
    given = exact_member(cls, value)
    if not isinstance(given, cls):
        check = Checker()
        check.member(name, given, cls, values=True)
        check.done(subject)
    return given


def exact_members(cls: type[E], value: Iterable[object], every: frozenset[E]) -> frozenset[E]:
    """A set field's values, each as :func:`exact_member`; see :func:`to_frozenset`.

    *every* is ``frozenset(cls)``: a set of members only (the usual case) is
    recognised by one subset test.
    """
    found: Any = to_frozenset(value)
    if type(found) is frozenset and not found <= every:
        return frozenset(exact_member(cls, v) for v in found)
    return cast("frozenset[E]", found)


#: The bad elements of one collection (a model's, or a JSON array or object) each
#: reported with every problem; the rest are counted.  Ten show the pattern; a
#: hundred thousand would cost seconds.
MAX_ITEMIZED = 10


#: The largest integer any model, result or argument holds (Checker.integer): it
#: fits a 64-bit column, and far larger numbers are mistakes, not data.
INT64_MAX = 2**63 - 1


class Checker:
    """Collects problems for one value under construction.

    Problems of a collection's elements (a path with an index) are kept for
    its first :data:`MAX_ITEMIZED` elements; those of the others are only
    counted, in one more problem at the collection, so that a million bad
    elements make a short error at little cost wherever they are checked.
    """

    __slots__ = ("_beyond", "_shown", "problems")

    def __init__(self) -> None:
        self.problems: list[Problem] | None = None
        # Per collection path, made at its first problem (models make a Checker
        # each, on the path of valid input): the elements itemized, problems not.
        self._shown: dict[Path, set[int]] | None = None
        self._beyond: dict[Path, int] | None = None

    def add(self, path: Path | str, message: str) -> None:
        if isinstance(path, str):
            at = None
            path = (path,)
        else:
            at = next((k for k, part in enumerate(path) if type(part) is int), None)
        if at is not None:  # an element's problem: itemized for the first few elements
            if self._shown is None:
                self._shown, self._beyond = {}, {}
            shown = self._shown.setdefault(path[:at], set())
            if path[at] not in shown and len(shown) == MAX_ITEMIZED:
                assert self._beyond is not None  # made with _shown
                self._beyond[path[:at]] = self._beyond.get(path[:at], 0) + 1
                return
            shown.add(path[at])  # type: ignore[arg-type]  # an int, found just above
        if self.problems is None:
            self.problems = []
        self.problems.append(Problem(path, message))

    def nested(self, path: Path | str, error: ValidationError) -> None:
        if isinstance(path, str):
            path = (path,)
        for problem in error.problems:
            self.add(path + problem.path, problem.message)

    def done(self, subject: str, error: type[ValidationError] = ValidationError) -> None:
        if self.problems:
            for collection, count in (self._beyond or {}).items():
                first = f"the first {MAX_ITEMIZED} elements are itemized"
                message = f"{count:,} more problems in other elements; {first}"
                self.problems.append(Problem(collection, message))
            raise error(self.problems, subject)

    # -- scalars -----------------------------------------------------------

    def text(
        self,
        path: Path | str,
        value: object,
        *,
        optional: bool = False,
        allow_empty: bool = False,
    ) -> bool:
        """A string; non-blank unless *allow_empty*; ``None`` if *optional*."""
        if value is None:
            if not optional:
                self.add(path, "is required")
                return False
            return True
        if type(value) is not str:
            self.add(path, f"must be a string, not {type_name(value)}")
            return False
        if not is_unicode(value):
            self.add(path, NOT_UNICODE)
            return False
        if not allow_empty and not value.strip():
            self.add(path, "must not be empty or blank")
            return False
        return True

    def ident(self, path: Path | str, value: object, *, optional: bool = False) -> None:
        """An identifier: a non-empty string without surrounding white space."""
        if self.text(path, value, optional=optional) and value is not None:
            assert isinstance(value, str)
            if value != value.strip():
                self.add(path, "must not start or end with white space")

    def idents(self, path: Path | str, values: object, *, unique: bool = False) -> bool:
        """A tuple of identifiers (each once, with *unique*); whether it passed.

        Results can hold many ids (a theme's feedback, the customers no persona
        fits), so the valid case is checked with C-level calls only.
        """
        if type(values) is tuple and set(map(type, values)) <= {str}:
            bad = not_identifiers(values)
            repeated = unique and has_repeats(values)
            if not bad and not repeated:
                return True
        elif self.items(path, values, str):
            assert isinstance(values, tuple)
            bad = not_identifiers(values)
            repeated = unique and has_repeats(values)
        else:
            return False
        if isinstance(path, str):
            path = (path,)
        for i in bad[:MAX_ITEMIZED]:
            self.ident((*path, i), values[i])
        self.not_itemized(path, len(bad), "ids are not valid")
        if repeated:
            listed = duplicates(values)
            for value in listed[:MAX_ITEMIZED]:
                self.add(path, f"id {value!r} is listed more than once")
            self.not_itemized(path, len(listed), "ids are listed more than once")
        return False

    def not_itemized(self, path: Path | str, count: int, what: str) -> None:
        """Say how many problems of a kind there are, when more than are itemized.

        A collection of a million bad values is refused with the first
        :data:`MAX_ITEMIZED` of them and a count, as the JSON reader refuses
        a long bad array: rejecting it costs about what accepting it does.
        """
        if count > MAX_ITEMIZED:
            self.add(path, f"{count:,} {what}; the first {MAX_ITEMIZED} are itemized")

    def repeated_ids(self, collection: str, again: Mapping[str, int]) -> None:
        """Ids used more than once (*again*: each where first met again), smallest first.

        By id, not position, so that the SQL path, whose rows have none,
        names the same ids; past :data:`MAX_ITEMIZED` ids they are counted.
        """
        for value in heapq.nsmallest(MAX_ITEMIZED, again):
            self.add((collection, again[value]), f"id {value!r} is used more than once")
        if len(again) > MAX_ITEMIZED:
            more = len(again) - MAX_ITEMIZED
            self.add(collection, f"{more:,} more id(s) are used more than once")

    def counts_by_id(
        self, path: str, pairs: object, what: str, *, maximum: int | None = None
    ) -> bool:
        """A tuple of ``(id, count)`` pairs, each id once, counts 0 to *maximum*.

        *what* names the ids in messages (``"segment"``).  Returns whether
        *pairs* is a tuple of tuples, so that its length can be compared.
        """
        if not self.items(path, pairs, tuple):
            return False
        assert isinstance(pairs, tuple)
        for i, pair in enumerate(pairs):
            if len(pair) != 2 or type(pair[0]) is not str:
                self.add((path, i), f"must be a ({what} id, count) pair")
                continue
            self.ident((path, i, 0), pair[0])
            self.integer((path, i, 1), pair[1], minimum=0, maximum=maximum)
        ids = (pair[0] for pair in pairs if len(pair) == 2 and type(pair[0]) is str)
        for key in duplicates(ids):
            self.add(path, f"{what} {key!r} is listed more than once")
        return True

    def pattern(self, path: Path | str, value: object, regex: re.Pattern[str], what: str) -> None:
        if self.text(path, value, optional=True) and value is not None:
            assert isinstance(value, str)
            if not regex.match(value):
                self.add(path, f"must be {what}")

    def email(self, path: Path | str, value: object) -> None:
        self.pattern(path, value, _EMAIL, "an email address like local@domain.tld")

    def phone(self, path: Path | str, value: object) -> None:
        self.pattern(path, value, _PHONE, "a phone number of digits, spaces and + ( ) . / -")

    def country(self, path: Path | str, value: object) -> None:
        self.pattern(path, value, _COUNTRY, "an ISO 3166-1 alpha-2 code (two upper-case letters)")

    def currency(self, path: Path | str, value: object) -> None:
        if value is None:
            self.add(path, "is required")
            return
        self.pattern(path, value, CURRENCY_CODE, "an ISO 4217 code (three upper-case letters)")

    def currency_key(
        self, path: Path | str, key: object, position: int, order: str = "input order"
    ) -> bool:
        """The mapping's key at *position* (from 1) is an ISO 4217 code; whether it is.

        A key that is not is told at *path*, the mapping, by its position in
        *order* and never quoted: a caller may have typed anything there.
        """
        why = key_problem(currency_key, key)
        if why is None:
            return True
        self.add(path, refused_key(position, why, order))
        return False

    def integer(
        self,
        path: Path | str,
        value: object,
        *,
        optional: bool = False,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> bool:
        """An ``int`` (not a bool) in range and within 64 bits; whether it passed."""
        if value is None:
            if not optional:
                self.add(path, "is required")
            return optional
        if type(value) is not int:
            self.add(path, f"must be an integer, not {type_name(value)}")
            return False
        # The field's own bounds first: a count of -10**20 breaks "at least 0",
        # not a 64-bit limit far below it.  A bound past 64 bits (a loaded total
        # that is itself too big) is not repeated: it may be too long to show.
        low = minimum if minimum is not None and minimum >= -INT64_MAX else None
        high = maximum if maximum is not None and maximum <= INT64_MAX else None
        if low is not None and value < low:
            self.add(path, f"must be at least {low}")
        elif high is not None and value > high:
            self.add(path, f"must be at most {high}")
        # Every count and level here fits a 64-bit column; a longer number is a
        # mistake, and one past 4,300 digits cannot even be shown.
        elif value > INT64_MAX:
            self.add(path, f"must be at most {INT64_MAX} (a 64-bit integer)")
        elif value < -INT64_MAX:
            self.add(path, f"must be at least {-INT64_MAX} (a 64-bit integer)")
        else:
            return True
        return False

    def number(
        self,
        path: Path | str,
        value: object,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
    ) -> bool:
        """A finite ``int`` or ``float`` in range; whether it passed.

        ``bool`` is refused even though it subclasses ``int``: ``True`` is not a
        score.  *positive* demands a value strictly greater than zero.
        """
        if type(value) not in (int, float):
            self.add(path, f"must be a real number (int or float), not {type_name(value)}")
            return False
        assert isinstance(value, int | float)
        if type(value) is int and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            self.add(path, "is too large for a float")
        elif not math.isfinite(value):
            self.add(path, "must be a finite number (not NaN or infinity)")
        elif positive and value <= 0:
            self.add(path, "must be greater than 0")
        elif minimum is not None and value < minimum:
            self.add(path, f"must be at least {minimum:g}")
        elif maximum is not None and value > maximum:
            self.add(path, f"must be at most {maximum:g}")
        else:
            return True
        return False

    def decimal(
        self,
        path: Path | str,
        value: object,
        *,
        optional: bool = False,
        non_negative: bool = False,
        money: bool = False,
    ) -> None:
        """A finite ``Decimal``; with *money*, of a size money can have.

        Money is bounded (at most 29 integer digits and 9 decimal places as
        written): SQL's ``DECIMAL(38, 9)`` then holds every amount and every
        total, so records and the SQL path take what the model takes; and
        exact sums of amounts far apart in scale, such as ``1E+999999999`` and
        ``0.01``, would need that many digits: one such amount in untrusted
        JSON could make a revenue total take minutes and gigabytes.
        """
        if value is None:
            if not optional:
                self.add(path, "is required")
            return
        if type(value) is not Decimal:
            self.add(path, f"must be a Decimal, not {type_name(value)}")
            return
        assert isinstance(value, Decimal)
        if not value.is_finite():
            self.add(path, "must be a finite amount")
        elif non_negative and value < 0:
            self.add(path, "must not be negative")
        elif money and (
            value.adjusted() >= MONEY_INTEGER_DIGITS or decimal_places(value) > MONEY_PLACES
        ):
            self.add(
                path,
                f"must have at most {MONEY_INTEGER_DIGITS} integer digits "
                f"and {MONEY_PLACES} decimal places",
            )

    def boolean(self, path: Path | str, value: object) -> None:
        if type(value) is not bool:
            self.add(path, f"must be true or false, not {type_name(value)}")

    def aware(self, path: Path | str, value: object, *, optional: bool = False) -> None:
        """A timezone-aware datetime that UTC can hold: naive ones are ambiguous.

        Near the calendar's ends an offset can push a time out of years 1 to
        9999 in UTC, where records, SQL and the rules compare times; such a
        time is refused here, so everything that takes a model value takes it.
        """
        if value is None:
            if not optional:
                self.add(path, "is required")
            return
        if not isinstance(value, datetime):
            self.add(path, f"must be a datetime, not {type_name(value)}")
        elif value.tzinfo is None:
            self.add(path, "must be timezone-aware (naive datetimes are ambiguous)")
        elif (offset := utc_offset(value)) is None:
            self.add(path, "must have a time zone that gives a valid UTC offset")
        elif offset.microseconds:
            # ISO 8601 cannot write it, and Python reads "+00:00:00.000001" as UTC.
            self.add(path, "must have a UTC offset in whole seconds")
        elif not in_utc_range(value):
            self.add(path, OUT_OF_UTC_RANGE)

    def day(self, path: Path | str, value: object, *, optional: bool = False) -> None:
        if value is None:
            if not optional:
                self.add(path, "is required")
            return
        if type(value) is not date:
            self.add(path, f"must be a date (not a datetime), not {type_name(value)}")

    def member(
        self,
        path: Path | str,
        value: object,
        enum: type[Enum],
        *,
        optional: bool = False,
        values: bool = False,
    ) -> None:
        """A member of *enum*; *values* says the field also takes a member's exact value."""
        if value is None:
            if not optional:
                self.add(path, "is required")
            return
        if not isinstance(value, enum):
            # A number where a word goes (importance=4) is refused too, with
            # the words listed: the message must say what to write instead.
            a = "an" if enum.__name__[0] in "AEIOU" else "a"
            if values:
                listed = ", ".join(repr(m.value) for m in enum)
                wrong = "" if type(value) is str else f", not {type_name(value)}"
                self.add(path, f"must be {a} {enum.__name__} or one of its values: {listed}{wrong}")
            else:
                self.add(path, f"must be {a} {enum.__name__}, not {type_name(value)}")

    def instance(
        self, path: Path | str, value: object, cls: type[Any], *, optional: bool = False
    ) -> bool:
        if value is None:
            if not optional:
                self.add(path, "is required")
            return False
        if not isinstance(value, cls):
            self.add(path, f"must be a {cls.__name__}, not {type_name(value)}")
            return False
        return True

    # -- collections -------------------------------------------------------

    def items(
        self, path: Path | str, value: object, cls: type[Any] | tuple[type[Any], ...]
    ) -> bool:
        """A tuple whose elements are all instances of *cls*."""
        if isinstance(path, str):
            path = (path,)
        if type(value) is not tuple:
            self.add(path, not_a_list(value))  # any ordered iterable is a tuple by now
            return False
        if all(map(isinstance, value, repeat(cls))):  # in C: results hold many ids
            return True
        bad = [i for i, item in enumerate(value) if not isinstance(item, cls)]
        for i in bad[:MAX_ITEMIZED]:
            self.add((*path, i), f"must be a {_names(cls)}, not {type_name(value[i])}")
        self.not_itemized(path, len(bad), f"elements are not a {_names(cls)}")
        return not bad

    def members(
        self, path: Path | str, value: object, cls: type[Any] | tuple[type[Any], ...]
    ) -> bool:
        """A frozenset whose elements are all instances of *cls*."""
        if type(value) is not frozenset:
            self.add(path, f"must be a set (or any iterable), not {type_name(value)}")
            return False
        bad = {type_name(v) for v in value if not isinstance(v, cls)}
        if bad:
            wanted = f"{_names(cls)} values"
            if isinstance(cls, type) and issubclass(cls, Enum):  # say what to write instead
                listed = ", ".join(repr(m.value) for m in cls)
                wanted = f"{cls.__name__} members or their values: {listed}"
            self.add(path, f"must contain only {wanted}, not {', '.join(sorted(bad))}")
            return False
        return True

    def tags(self, path: Path | str, value: object) -> None:
        """A set of non-blank strings (interests, features, preferences)."""
        if self.members(path, value, str):
            assert isinstance(value, frozenset)
            if any(not v.strip() for v in value):
                self.add(path, "must not contain empty or blank strings")
            if not all(map(is_unicode, value)):
                self.add(path, NOT_UNICODE)

    def texts(self, path: Path | str, value: object) -> None:
        """A tuple of non-blank strings (goals, pain points)."""
        if isinstance(path, str):
            path = (path,)
        if self.items(path, value, str):
            assert isinstance(value, tuple)
            bad = [i for i, v in enumerate(value) if not (v.strip() and is_unicode(v))]
            for i in bad[:MAX_ITEMIZED]:
                self.text((*path, i), value[i])
            self.not_itemized(path, len(bad), "texts are not valid")


def _names(cls: type[Any] | tuple[type[Any], ...]) -> str:
    if isinstance(cls, tuple):
        return " or ".join(c.__name__ for c in cls)
    return cls.__name__


def some(values: Iterable[str], limit: int = 5) -> str:
    """Up to *limit* values, quoted, then how many more: messages stay one short line."""
    items = list(values)
    shown = ", ".join(repr(v) for v in items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def duplicates(values: Iterable[T]) -> list[T]:
    """Values that occur more than once, in the order they first occur (counted in C)."""
    return [value for value, count in collections.Counter(values).items() if count > 1]


def first_repeats(values: Iterable[str]) -> dict[str, int]:
    """Each value met again, with the position where it is first met again."""
    seen: set[str] = set()
    again: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            again.setdefault(value, i)
        seen.add(value)
    return again


def checked_items(values: object, cls: type[T], what: str) -> tuple[T, ...]:
    """*values* (any iterable) as a tuple of *cls*, or a ValidationError naming *what*."""
    found = to_tuple(values) if isinstance(values, Iterable) else values  # a set is refused
    check = Checker()
    check.items(what, found, cls)
    check.done(what)
    return found  # type: ignore[return-value]  # checked just above
