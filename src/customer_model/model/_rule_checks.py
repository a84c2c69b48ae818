"""The checks segment rule nodes run when they are built: fields, values, windows, nesting.

Every node constructor reports through a :class:`Checker`, so a rule is
refused when it is built (or loaded), never later while it runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Protocol

from customer_model.errors import Path, ValidationError
from customer_model.model._messages import type_name
from customer_model.model._moments import is_aware
from customer_model.model._rule_fields import FIELDS, FieldSpec, Kind, fits_sql_decimal
from customer_model.model._validation import Checker, exact_member, to_tuple

#: The longest time window: a century covers any customer history, and the
#: bound keeps ``as_of - window`` far from the limits of ``datetime``.
MAX_WINDOW = timedelta(days=36525)

#: How deep rules may nest.  People write a few levels; deeper rules are
#: generated, and compiling them (Python's parser) or turning them into SQL
#: would hit limits of their own, so they are refused when built.
MAX_DEPTH = 32
TOO_DEEP = f"too deeply nested: rules may nest at most {MAX_DEPTH} levels"


def spec_of(check: Checker, name: object) -> FieldSpec | None:
    """The catalogue entry of the field *name*, or ``None`` with the problem noted."""
    if type(name) is not str:
        check.add("field", f"must be a string, not {type_name(name)}")
        return None
    spec = FIELDS.get(name)
    if spec is None:
        # The name is not repeated: it is text a user typed.
        check.add("field", f"must be a rule field, one of {', '.join(FIELDS)}")
    return spec


def allow(check: Checker, spec: FieldSpec, allowed: frozenset[Kind], what: str) -> bool:
    """Whether the field's kind allows *what* (noted on *check* when it does not)."""
    if spec.kind not in allowed:
        check.add("field", f"{spec.name!r} ({spec.kind.value}) does not support {what}")
        return False
    return True


def check_value(check: Checker, path: Path | str, spec: FieldSpec, value: object) -> object:
    """Check *value* against the field's type; return it normalized."""
    kind = spec.kind
    if kind is Kind.ENUM:
        assert spec.enum is not None
        value = exact_member(spec.enum, value)  # field("kind") == "household"
        check.member(path, value, spec.enum, values=True)
    elif kind is Kind.TEXT and check.text(path, value, allow_empty=True):
        # A country or a currency is a code: "Germany" or "de" would never match.
        if spec.code == "country":
            check.country(path, value)
        elif spec.code == "currency":
            check.currency(path, value)
    elif kind is Kind.SET:
        check.text(path, value)  # a tag is never blank
    elif kind is Kind.INT:
        check.integer(path, value)  # at most 64 bits, like every integer
    elif kind is Kind.SCORE:
        check.integer(path, value, minimum=0, maximum=5)
    elif kind is Kind.DECIMAL:
        if type(value) is int:
            value = Decimal(value)
        if type(value) is not Decimal:
            check.add(path, f"must be an int or Decimal amount, not {type_name(value)}")
        elif not value.is_finite():
            check.add(path, "must be a finite amount")
        elif not fits_sql_decimal(value):
            # SQL compares spend as DECIMAL(38, 9); trailing zeros do not count.
            places = "9 decimal places (trailing zeros aside)"
            check.add(path, f"must have at most 29 integer digits and {places}")
    elif kind is Kind.DATETIME:
        check.aware(path, value)
        if isinstance(value, datetime) and not isinstance(value.tzinfo, timezone | None):
            # A zone's time at its own fixed offset: the same instant and text, but a
            # time in a repeated hour is then equal to that instant (a customer's
            # times are), and two such times an hour apart are two values of a set.
            offset = value.utcoffset()
            if offset is not None:
                value = value.replace(tzinfo=timezone(offset), fold=0)
    return value


def check_window(check: Checker, window: object) -> None:
    """A window is a positive whole number of seconds, at most a century."""
    if type(window) is not timedelta:
        check.add("window", f"must be a timedelta, not {type_name(window)}")
    elif window <= timedelta(0):
        check.add("window", "must be positive")
    elif window.microseconds:
        check.add("window", "must be a whole number of seconds")
    elif window > MAX_WINDOW:
        check.add("window", "must be at most 100 years (36525 days)")


class Nested(Protocol):
    """A rule, as far as nesting goes."""

    @property
    def children(self) -> tuple[Nested, ...]: ...


def depth(rule: Nested) -> int:
    """How many levels *rule* nests (a single condition is 1), without recursion."""
    deepest = 0
    stack = [(rule, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node.children)
    return deepest


def check_depth(check: Checker, path: str, rules: Iterable[Nested]) -> None:
    """Note *path* when a rule nested under it would pass :data:`MAX_DEPTH`."""
    if max(map(depth, rules), default=0) >= MAX_DEPTH:
        check.add(path, TOO_DEEP)


def sort_key(value: object) -> tuple[str, str]:
    """A total order over values of mixed types, for a stable order before checking."""
    return (type(value).__name__, repr(value))


def unchecked_values(value: Iterable[Any]) -> frozenset[Any]:
    """The values of an ``In`` rule in a stable order, kept apart until each one is checked.

    A set would merge values of different types that compare equal
    (``1``, ``1.0`` and ``True``) before the check could refuse the wrong ones.
    """
    if isinstance(value, frozenset | set):
        return tuple(sorted(value, key=sort_key))  # type: ignore[return-value]
    return to_tuple(value)  # type: ignore[return-value]  # made a frozenset once checked


def check_as_of(as_of: object, subject: str) -> None:
    """Refuse an *as_of* that is no aware datetime: a naive one is read in the machine's zone."""
    if not (type(as_of) is datetime and is_aware(as_of)):
        check = Checker()
        check.aware("as_of", as_of)
        check.done(subject)


def check_tags(values: Iterable[str]) -> list[str]:
    """The tags given to ``contains_any``/``contains_all``: non-blank strings, at least one."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError.single(
            "values", f"must be an iterable of strings, not {type_name(values)}", "field"
        )
    out = list(values)
    check = Checker()
    for i, v in enumerate(out):
        check.text(("values", i), v)  # a tag is never blank: say which one is
    if not out:
        check.add("values", "must not be empty")
    check.done("field")
    return out


def one_of_each(values: list[Any]) -> frozenset[Any]:
    """*values* as a set that keeps, of equal values (``1.5`` and ``1.50``, one instant
    in two zones), the one with the shortest text (then the first in text order),
    whatever the order they come in: equal rules write the same JSON."""
    kept: dict[Any, Any] = {}
    for value in values:
        if value not in kept or _text_key(value) < _text_key(kept[value]):
            kept[value] = value  # a dict keeps its first key, so the value is the one kept
    return frozenset(kept.values())


def _text_key(value: object) -> tuple[int, str]:
    text = str(value)
    return (len(text), text)
