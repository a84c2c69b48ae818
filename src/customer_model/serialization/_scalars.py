"""Hooks for single JSON values: strings, numbers, booleans, amounts, dates, times, durations.

Each accepts exactly one JSON type and coerces nothing; a problem is an
:class:`Invalid` whose message never repeats the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from customer_model.model._messages import type_name
from customer_model.model._moments import TOO_FINE, finer_than_microseconds, is_aware
from customer_model.model._money import parse_decimal
from customer_model.model._text import NOT_UNICODE, is_unicode

__all__ = [
    "Invalid",
    "datetime_hook",
    "json_type",
    "structure_bool",
    "structure_date",
    "structure_decimal",
    "structure_float",
    "structure_int",
    "structure_str",
    "structure_timedelta",
    "unstructure_timedelta",
]


class Invalid(ValueError):
    """A problem found by one of this library's hooks; its message is safe to show."""


def json_type(value: object) -> str:
    """What *value* is, in JSON's words (``"an integer"``), for messages that must not show it."""
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type_name(value))


def structure_str(value: object, _: object) -> str:
    if type(value) is not str:
        raise Invalid(f"must be a string, not {json_type(value)}")
    if not is_unicode(value):
        raise Invalid(NOT_UNICODE)
    return value


def structure_int(value: object, _: object) -> int:
    if type(value) is not int:
        raise Invalid(f"must be an integer, not {json_type(value)}")
    return value


def structure_float(value: object, _: object) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        try:
            return float(value)
        except OverflowError:
            raise Invalid("must be a number within the range of a float") from None
    raise Invalid(f"must be a number, not {json_type(value)}")


def structure_bool(value: object, _: object) -> bool:
    if type(value) is not bool:
        raise Invalid(f"must be true or false, not {json_type(value)}")
    return value


def structure_decimal(value: object, _: object) -> Decimal:
    if type(value) is int:
        return Decimal(value)
    if type(value) is not str:
        raise Invalid(f'must be a decimal string such as "12.50", not {json_type(value)}')
    result = parse_decimal(value)
    if result is None:
        raise Invalid('must be a decimal string such as "12.50"')
    if not result.is_finite():
        raise Invalid("must be a finite amount")
    return result


def structure_date(value: object, _: object) -> date:
    if type(value) is not str:
        raise Invalid(f"must be an ISO 8601 date string (YYYY-MM-DD), not {json_type(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass  # its message repeats the input; raise ours outside the handler
    raise Invalid("must be an ISO 8601 date (YYYY-MM-DD)")


def datetime_hook(
    naive_timezone: tzinfo | None, *, truncate: bool = False
) -> Callable[[object, object], datetime]:
    def structure_datetime(value: object, _: object) -> datetime:
        if type(value) is not str:
            raise Invalid(f"must be an ISO 8601 datetime string, not {json_type(value)}")
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            result = None  # its message repeats the input; raise ours outside the handler
        if result is None:
            raise Invalid("must be an ISO 8601 datetime with an offset")
        # A seventh fractional digit would be cut off without a word.
        if not truncate and finer_than_microseconds(value):
            raise Invalid(TOO_FINE)
        if not is_aware(result):
            if naive_timezone is None:
                raise Invalid("must carry a UTC offset such as Z or +02:00 (naive datetime)")
            result = result.replace(tzinfo=naive_timezone)
        return result

    return structure_datetime


_DURATION = re.compile(
    # ASCII digits and \Z: \d takes any script's digits and $ a final newline.
    r"^(-)?P(?:([0-9]+)W)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.([0-9]{1,6}))?S)?)?\Z"
)
_DURATION_RULE = (
    "must be an ISO 8601 duration in weeks, days, hours, minutes and seconds, "
    "such as P90D or PT12H30M (years and months are ambiguous, so refused)"
)


def structure_timedelta(value: object, _: object) -> timedelta:
    if type(value) is not str:
        raise Invalid(f"{_DURATION_RULE}; got {json_type(value)}")
    match = _DURATION.match(value)
    if match is None or value.endswith(("P", "T")):
        raise Invalid(_DURATION_RULE)
    sign, weeks, days, hours, minutes, seconds, fraction = match.groups()
    try:
        result = timedelta(
            weeks=int(weeks or 0),
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int((fraction or "0").ljust(6, "0")),
        )
    except (OverflowError, ValueError):  # ValueError: more digits than int() reads
        raise Invalid("must be a duration of at most 999999999 days") from None
    return -result if sign else result


def unstructure_timedelta(value: timedelta) -> str:
    """Canonical ISO 8601 duration: days, then seconds (with microseconds if any)."""
    micros = value // timedelta(microseconds=1)  # an int: no overflow for timedelta.min
    sign = "-" if micros < 0 else ""
    days, rest = divmod(abs(micros), 86_400_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    if rest or not days:
        digits = f".{fraction:06d}".rstrip("0") if fraction else ""
        out += f"T{seconds}{digits}S"
    return out
