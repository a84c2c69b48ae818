"""Records as an Arrow table with real types (needs the ``arrow`` extra: pyarrow).

Dict records are for JSON: money, times and tag sets are text there, and a
data frame built from them sums money by concatenating strings.  An Arrow
table carries the types instead, so pandas (``ArrowDtype``), polars and
DuckDB sum, compare and join without a cast.  A column's type comes from its
name (every name means one thing in every kind of record); a column the
library does not know takes the type of its values, and so does a column of
floats only (a scorecard's factor columns, named by the team).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from customer_model._backlog_columns import COUNTS
from customer_model.errors import Path
from customer_model.model._messages import not_a_list, type_name
from customer_model.model._moments import is_aware
from customer_model.model._money import parse_decimal
from customer_model.model._text import NOT_UNICODE, is_unicode
from customer_model.model._validation import Checker

__all__ = ["to_arrow"]

ArrowKind = Literal["text", "tags", "integer", "float", "boolean", "decimal", "datetime", "date"]

#: Columns of results' records (backlog, reports, breakdowns...), so that a
#: column holding only ``None`` still gets its type.
RESULT_TYPES: Mapping[str, ArrowKind] = {
    **dict.fromkeys(
        (
            "rank",
            *COUNTS,
            "feedback_count",
            "responses",
            "customers",
            "same",
            "disjoint",
            "overlapping",
            "purchasers",
            "users",
            "both",
            "purchasers_only",
            "users_only",
            "count",
            "previous",
            "current",
            "change",
        ),
        "integer",
    ),
    **dict.fromkeys(
        (
            "score",
            "framework_score",
            "purchaser_share",
            "user_share",
            "points",
            "value",
            "total",
            "share",
            "jaccard",
            "same_share",
            "disjoint_share",
            "overlapping_share",
            "purchasers_only_share",
            "users_only_share",
            "growth",
        ),
        "float",
    ),
    **dict.fromkeys(
        (
            "theme",
            "role",
            "need",
            "factor",
            "measure",
            "group",
            "key",
            "segment_id",
            "other_id",
            "persona_id",
            "period",
            "previous_period",
            "current_period",
        ),
        "text",
    ),
    "revenue": "decimal",
    "start": "date",
    "previous_start": "date",
    "current_start": "date",
}

_REVENUE_COLUMN = re.compile(r"revenue_[A-Z]{3}")
_ESCAPE = re.compile(r"%(25|2C)")
_UNESCAPED = {"25": "%", "2C": ","}

_EXPECTED: Mapping[ArrowKind, str] = {
    "text": "a string",
    "tags": "a tag set (comma-joined text or a set of strings)",
    "integer": "an integer",
    "float": "a number",
    "boolean": "a bool",
    "decimal": "a decimal (exact decimal text or a Decimal)",
    "datetime": "an ISO 8601 time with an offset, or an aware datetime",
    "date": "an ISO date (YYYY-MM-DD) or a date",
}


class _Bad(Exception):
    """A value that does not fit its column (caught and turned into a problem)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ModuleNotFoundError as e:
        raise ModuleNotFoundError(
            "customer_model.records.to_arrow needs pyarrow: pip install 'customer-model[arrow]'",
            name=e.name,
        ) from e
    return pyarrow


def _kind_of(name: str, values: Sequence[object]) -> ArrowKind | None:
    """The kind of column *name*: by its name if the library knows it, else by its values."""
    from customer_model.records import COLUMN_TYPES

    present = [v for v in values if v is not None]
    if present and all(type(v) is float for v in present):
        # No record puts a float in a column of another type, but a scorecard names its
        # factors' columns: its "revenue" or "customer_count" holds raw floats.
        return "float"
    known = COLUMN_TYPES.get(name) or RESULT_TYPES.get(name)
    if known is not None:
        return known
    if _REVENUE_COLUMN.fullmatch(name):
        return "decimal"
    kinds = {_value_kind(v) for v in values if v is not None}
    if not kinds:
        return None
    if kinds == {"integer", "float"}:
        return "float"
    if len(kinds) == 1:
        return kinds.pop()
    return "text"  # mixed: the per-value check below names the odd ones out


def _value_kind(value: object) -> ArrowKind:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, Decimal):
        return "decimal"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, (frozenset, set, list, tuple)):
        return "tags"
    return "text"


def _text(value: str) -> str:
    """*value*, if Arrow can hold it (UTF-8 cannot encode a lone surrogate)."""
    if not is_unicode(value):
        raise _Bad(NOT_UNICODE)
    return value


def _tags(value: object) -> list[str]:
    if isinstance(value, str):
        if not value:
            return []
        _text(value)
        # Sorted again: the text sorts escaped tags ("a%2C" before "a+"), a set its tags.
        return sorted(_ESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], t) for t in value.split(","))
    if isinstance(value, (frozenset, set, list, tuple)) and all(type(t) is str for t in value):
        return sorted(map(_text, value))
    raise _Bad


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        found = value
    elif type(value) is str:
        parsed = parse_decimal(value)
        if parsed is None:
            raise _Bad
        found = parsed
    else:
        raise _Bad
    if not found.is_finite():
        raise _Bad("must be a finite decimal (not NaN or infinity)")
    whole, places = _digits(found)
    if whole + max(9, places) > _MAX_DIGITS:
        raise _Bad(f"must have at most {_MAX_DIGITS} digits (Arrow's widest decimal)")
    return found


def _datetime(value: object) -> datetime:
    if type(value) is str:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad from None
    if not isinstance(value, datetime) or not is_aware(value):  # a broken zone too
        raise _Bad
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise _Bad from None


def _date(value: object) -> date:
    if type(value) is str:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Bad from None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _Bad


def _convert(kind: ArrowKind, value: object) -> object:
    if kind == "text":
        if type(value) is not str:
            raise _Bad
        return _text(value)
    if kind == "integer":
        if type(value) is not int:
            raise _Bad
        if not -(2**63) <= value < 2**63:
            raise _Bad("must fit 64 bits")
        return value
    if kind == "float":
        if type(value) is float:
            if not math.isfinite(value):  # no record of ours holds one: None is "no value"
                raise _Bad("must be a finite number (not NaN or infinity)")
            return value
        if type(value) is not int:
            raise _Bad
        try:
            return float(value)
        except OverflowError:
            raise _Bad("must fit a float") from None
    if kind == "boolean":
        if type(value) is not bool:
            raise _Bad
        return value
    if kind == "tags":
        return _tags(value)
    if kind == "decimal":
        return _decimal(value)
    if kind == "datetime":
        return _datetime(value)
    return _date(value)


_MAX_DIGITS = 76


def _digits(value: Decimal) -> tuple[int, int]:
    """Integer digits and decimal places of *value*, trailing zeros aside (exact: no context)."""
    if value.is_zero():
        return 0, 0
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    places = max(0, -exponent - zeros)
    return max(0, len(digits) + exponent), places


def _decimal_type(pa: Any, values: Iterable[object]) -> Any:
    """``decimal128(38, 9)`` when every value fits (the common case, SQL's
    ``DECIMAL(38, 9)``); otherwise the narrowest type that holds every value exactly;
    ``None`` when none does (one scale for all needs more than 76 digits).
    """
    whole, places = 0, 0
    for value in values:
        if isinstance(value, Decimal):
            w, p = _digits(value)
            whole, places = max(whole, w), max(places, p)
    scale = max(9, places)
    if whole + scale <= 38:
        return pa.decimal128(38, scale)
    if whole + scale > _MAX_DIGITS:
        return None
    return pa.decimal256(max(47, whole + scale), scale)


def _finest(values: Sequence[object]) -> int:
    """The row of the value with the most decimal places: the one that widens the scale."""
    places = [_digits(v)[1] if isinstance(v, Decimal) else -1 for v in values]
    return places.index(max(places))


def _column_names(
    rows: Sequence[object], columns: Sequence[str] | None, check: Checker
) -> list[str]:
    if columns is not None:
        given: object = columns
        # Read once: a generator of names would be empty the second time.
        names = (
            list(given)
            if isinstance(given, Iterable) and not isinstance(given, str | bytes | Mapping)
            else None
        )
        if isinstance(given, AbstractSet):  # the table's columns would change order
            check.add("columns", not_a_list(given))
            return []
        if names is None or not all(type(c) is str for c in names):
            check.add("columns", "must be a sequence of column names")
            return []
        if len(set(names)) != len(names):  # a table's columns have one name each
            check.add("columns", "must name each column once")
            return []
        return _unicode_names(names, "columns", check)
    if not rows or not isinstance(rows[0], Mapping):
        return []
    return _unicode_names([k for k in rows[0] if type(k) is str], ("records", 0), check)


def _unicode_names(names: list[str], path: Path | str, check: Checker) -> list[str]:
    """*names*, if Arrow can write them (as UTF-8); the bad one is not quoted: a caller typed it."""
    if all(map(is_unicode, names)):
        return names
    check.add(path, "must name columns in valid Unicode text (a name holds a lone surrogate)")
    return []


def to_arrow(
    records: Iterable[Mapping[str, object]], *, columns: Sequence[str] | None = None
) -> Any:
    """*records* (any list of records this library made) as a ``pyarrow.Table``.

    Types: money ``decimal128(38, 9)`` (wider only when a value needs more
    places or digits), times ``timestamp[us, tz=UTC]``, dates ``date32``, tag
    sets ``list<string>`` (sorted), counts and scores ``int64`` and ``float64``,
    flags ``bool``, text ``string``; ``None`` is a null of the column's type.
    Every record must have the same columns; *columns* names them (in order)
    when *records* may be empty, e.g. ``columns=FEEDBACK_COLUMNS``.  A value
    that does not fit its column raises :class:`~customer_model.ValidationError`
    naming ``records[i].column``, never showing the value.
    """
    pa = _pyarrow()
    check = Checker()
    given: object = records
    rows: Sequence[object] = ()
    if isinstance(given, Iterable) and not isinstance(given, str | bytes | Mapping):
        rows = tuple(given)
    else:
        check.add("records", f"must be a list of records, not {type_name(given)}")
    names = _column_names(rows, columns, check)
    check.done("to_arrow input")
    expected = set(names)
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            check.add(("records", i), f"must be a record (a dict), not {type_name(row)}")
        elif set(row) != expected:
            check.add(("records", i), _difference(row, names))
    check.done("to_arrow input")
    arrays = []
    for name in names:
        raw = [row[name] for row in rows]  # type: ignore[index]  # rows checked above
        kind = _kind_of(name, raw)
        if kind is None:
            arrays.append(pa.nulls(len(raw)))
            continue
        values = [
            None if v is None else _checked(check, ("records", i, name), kind, v)
            for i, v in enumerate(raw)
        ]
        arrow_type = _arrow_type(pa, kind, values)
        if arrow_type is None:  # each value fits alone, but not all in one scale
            message = f"must have at most {_MAX_DIGITS} digits with the column's widest value"
            check.add(("records", _finest(values), name), message)
            continue
        arrays.append(pa.array(values, type=arrow_type))
    check.done("to_arrow input")
    return pa.Table.from_arrays(arrays, names=names)


def _checked(check: Checker, path: Path, kind: ArrowKind, value: object) -> object:
    try:
        return _convert(kind, value)
    except _Bad as bad:
        check.add(path, bad.message or f"must be {_EXPECTED[kind]}, not {type_name(value)}")
        return None


def _arrow_type(pa: Any, kind: ArrowKind, values: list[object]) -> Any:
    if kind == "decimal":
        return _decimal_type(pa, values)
    return {
        "text": pa.string(),
        "tags": pa.list_(pa.string()),
        "integer": pa.int64(),
        "float": pa.float64(),
        "boolean": pa.bool_(),
        "datetime": pa.timestamp("us", tz="UTC"),
        "date": pa.date32(),
    }[kind]


def _difference(row: Mapping[Any, object], names: Sequence[str]) -> str:
    # Counts only: a caller's own keys could be anything they typed.
    missing = [n for n in names if n not in row]
    extra = [k for k in row if k not in names]
    why = (
        f"must have the table's columns (those of the first record, or *columns*): "
        f"{len(missing)} missing, {len(extra)} more"
    )
    if any(type(k) is str and k.startswith("revenue_") for k in (*missing, *extra)):
        # Backlogs in other currencies: their revenue_<CUR> columns differ.
        why += (
            "; a backlog's revenue_<CUR> columns follow its currencies (revenue_records() does not)"
        )
    return why
