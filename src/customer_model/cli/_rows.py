"""What the rows of a record table must hold before DuckDB reads them, and where a bad one is.

Times first: DuckDB reads a time without an offset in its own zone, and
parses forms the model refuses (nanoseconds, an offset of ``+99:99``), so
JSON Lines times are read as text and must be written as the model's JSON
writes them.  Then, once DuckDB has refused a JSON Lines table, which line
is to blame: DuckDB's own message quotes the value (it may be personal) and
counts lines its own way, so the file is read again, and a line DuckDB
also refuses on its own is named.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path

from customer_model.cli._signals import deferred, made
from customer_model.model._text import is_unicode
from customer_model.serialization._repeats import repeat_finder, repeated_keys

__all__ = [
    "NOT_AWARE",
    "aware",
    "first_bad_line",
    "one_line_files",
    "parquet_time",
    "said_of_times",
    "staging",
]

#: A time as the model writes it, and as DuckDB reads it the same way: ISO 8601
#: extended, at most microseconds, an offset of Z or ±hh[:mm] of less than a day.
_AWARE = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)"
)
_AWARE_RE = re.compile(_AWARE)

#: What DuckDB's error() says for another time; no value of the file is in it.
NOT_AWARE = "customer-model: a time not written as the model writes times, in column "

#: What a time must be.
_ASKED = (
    "an ISO 8601 time with a UTC offset, written YYYY-MM-DDTHH:MM[:SS[.ffffff]] then Z or"
    " ±HH:MM (such as 2025-01-31T09:30:00Z)"
)

#: How many lines a failed load asks DuckDB's verdict on, at most.
_CONFIRMED = 20
#: How many lines a failed load reads again, at most (about 5 s in Python).
_READ = 1_000_000
#: What DuckDB skips around a line, and as a line: JSON's white space, and VT and FF.
_BLANK = " \t\n\r\x0b\x0c"
#: What is said of a line DuckDB refuses though no value of it is refused alone.
_UNTOLD = "$: refused by DuckDB, for a reason this check cannot name"
_BOM = "\ufeff"
_MID_FILE_BOM = "$: starts with a byte-order mark, which DuckDB skips only at the start of a file"


def said_of_times(column: str) -> str:
    """What is said of a column holding a time not written as :data:`_ASKED` says."""
    return f"{column} holds a time that is not {_ASKED}"


def aware(column: str) -> str:
    """A select expression for the JSON text column *column* (quoted) as TIMESTAMPTZ.

    Stops with DuckDB's ``error()`` and :data:`NOT_AWARE` at another time.
    """
    said = (NOT_AWARE + column.strip('"').replace('""', '"')).replace("'", "''")
    return (
        f"CASE WHEN NOT regexp_full_match({column}, '{_AWARE}') THEN error('{said}')"
        f" ELSE CAST({column} AS TIMESTAMPTZ) END AS {column}"
    )


def parquet_time(column: str, found: str) -> str | None:
    """How to read a Parquet column of type *found* as a time; ``None`` if it holds none.

    A time with a zone is read as it is, text as in JSON Lines; a time without
    a zone (any unit), a date or anything else is refused.
    """
    if found == "TIMESTAMP WITH TIME ZONE":
        return f"CAST({column} AS TIMESTAMPTZ) AS {column}"
    if found == "VARCHAR":
        return aware(column)
    return None


class _Number(str):
    """A JSON number with a fraction or an exponent, kept as written.

    DuckDB reads the text itself, and Python's float would lose what it
    judges (``1e-40000`` becomes 0.0, ``100000000000000000000000000000e-10``
    1e19, though DuckDB refuses both as DECIMAL(38, 9)).
    """

    __slots__ = ()


_BIGINTS = range(-(2**63), 2**63)
_BOOLEAN_INTEGERS = range(-(2**63), 2**64)  # DuckDB refuses 2**64 and past
#: What DuckDB takes for white space around a number written as text (not U+00A0).
_PAD = "[ \t\n\r\x0b\x0c]*"
#: Integer text DuckDB reads as BIGINT (it refuses "+5", "05", "2.5" and "1e5").
_INTEGER_TEXT = re.compile(f"{_PAD}-?(0|[1-9][0-9]{{0,18}}){_PAD}")
#: Decimal text DuckDB reads (it reads more, such as "+1.5" and ".5": those are suspects).
_DECIMAL_TEXT = re.compile(
    f"{_PAD}-?(?P<whole>[0-9]+)(\\.[0-9]+)?([eE](?P<exponent>[+-]?[0-9]{{1,9}}))?{_PAD}"
)
#: DECIMAL(38, 9) holds 29 digits before the point and 9 after; DuckDB also
#: refuses more digits before the point as written, exponents past 16 bits, and
#: some numbers with an exponent of 30 or more that the type holds
#: (``0.01E30``, 10**28): those are only suspects.
_DIGITS_BEFORE_POINT = 29
_EXPONENTS = range(-32768, 30)
_DECIMAL_LIMIT = Decimal(10) ** _DIGITS_BEFORE_POINT
_NINE_PLACES = Decimal("1e-9")
_WIDE = Context(prec=_DIGITS_BEFORE_POINT + 10)  # rounds to nine places, never more


def _float(value: object) -> float | None:
    """A number json read as a float, or kept as written: as a float (None if neither)."""
    if type(value) is float:
        return value
    return float(value) if type(value) is _Number else None


def _is_bigint(value: object) -> bool:
    if type(value) is int:
        return value in _BIGINTS
    number = _float(value)  # DuckDB reads 2.5 and 1e5 written as numbers
    if number is not None:
        return math.isfinite(number) and -(2.0**63) <= number < 2.0**63
    if type(value) is str:
        return _INTEGER_TEXT.fullmatch(value) is not None and int(value) in _BIGINTS
    return False


def _is_boolean(value: object) -> bool:
    if type(value) is int:
        return value in _BOOLEAN_INTEGERS
    number = _float(value)
    if number is not None:
        return math.isfinite(number)
    if type(value) is str:  # DuckDB refuses "1", "y" and padded words
        return value.lower() in ("true", "false")
    return type(value) is bool


def _is_decimal(value: object) -> bool:
    """Whether DuckDB reads *value* as DECIMAL(38, 9): finite, under 10**29 once rounded.

    NaN and infinities are refused, bare (``json`` reads them as floats) or as text.
    """
    if type(value) is int:
        return abs(value) < _DECIMAL_LIMIT
    if type(value) not in (str, _Number):
        return False  # NaN and infinities come as floats
    written = _DECIMAL_TEXT.fullmatch(str(value))
    if written is None or len(written["whole"].lstrip("0")) > _DIGITS_BEFORE_POINT:
        return False
    if written["exponent"] is not None and int(written["exponent"]) not in _EXPONENTS:
        return False
    try:
        number = Decimal(str(value).strip(_BLANK))
        rounded = number.quantize(_NINE_PLACES, rounding=ROUND_HALF_UP, context=_WIDE)
    except ArithmeticError:  # too large to round to nine places
        return False
    return rounded.copy_abs() < _DECIMAL_LIMIT


def _is_time(value: object) -> bool:
    if type(value) is not str or _AWARE_RE.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value)  # no 30 February
    except ValueError:
        return False
    return True


def _is_text(value: object) -> bool:
    return type(value) is not str or is_unicode(value)  # DuckDB refuses a lone surrogate


#: A JSON value DuckDB surely reads as a column of each type.  What else DuckDB
#: reads (``"0x10"`` as BIGINT, ``"t"`` as BOOLEAN) only makes a line a suspect:
#: it is blamed once DuckDB refuses it alone too.
_READABLE: Mapping[str, Callable[[object], bool]] = {
    "BIGINT": _is_bigint,
    "BOOLEAN": _is_boolean,
    "DECIMAL(38, 9)": _is_decimal,
    "TIMESTAMPTZ": _is_time,
    "VARCHAR": _is_text,
}
#: What a value of each type must be, where its name does not say.
_SAID = {"TIMESTAMPTZ": _ASKED, "VARCHAR": "valid Unicode text"}


def first_bad_line(
    path: Path, types: Mapping[str, str], refused: Callable[[str], bool]
) -> str | None:
    """Where a refused JSON Lines table is bad: ``"7: $.column: is not ..."``.

    A line this reading finds bad is named once *refused* (DuckDB, given
    that line alone) agrees, and a column once DuckDB refuses its value
    alone too: this reading may doubt a value DuckDB reads, beside the one
    it refuses.  ``None`` when no line is named, then DuckDB refused
    something this does not see, or the bad line lies past the first
    :data:`_READ` lines (reading more would keep a user waiting for a line
    number).  Lines end at ``\\n`` only, as DuckDB reads them; a
    byte-order mark at the start is skipped, as there, and one elsewhere named.
    """
    asked = 0
    for number, line, faults in _suspects(path, types):
        if asked == _CONFIRMED:
            break
        asked += 1
        if not refused(line):
            continue
        for said, alone in faults:
            if alone is None:  # the line as a whole
                return f"{number}: {said}"
            if asked == _CONFIRMED:
                break
            asked += 1
            if refused(alone):
                return f"{number}: {said}"
        return f"{number}: {_UNTOLD}"
    return None  # no suspect DuckDB refuses too, or the lines to read ran out


def _json(value: object) -> str:
    """*value* as JSON text, a number as it was written."""
    return str(value) if type(value) is _Number else json.dumps(value)


def _as_text(line: str, types: Mapping[str, str]) -> str | None:
    """*line* as the value of a text column, which DuckDB refuses only if it cannot read *line*.

    DuckDB reads an object or a list in a ``VARCHAR`` column as its JSON
    text, so this asks whether DuckDB reads the line as JSON at all, its
    values' types aside.
    """
    text = next((name for name, type_ in types.items() if type_ == "VARCHAR"), None)
    return None if text is None else f"{{{json.dumps(text)}:{line.strip(_BLANK)}}}"


def _repeated(row: dict[str, object], keys: list[str]) -> list[tuple[str, str | None]]:
    """A fault for columns whose key the line repeats: DuckDB refuses those, json keeps one.

    Only the table's columns are named (DuckDB passes over other keys, repeated or not).
    """
    if not keys:
        return []
    value = ",".join(f"{json.dumps(k)}:{_json(row[k])}" for k in keys)
    return [(f"$: repeats the key(s) {', '.join(map(repr, keys))}", f"{{{value},{value}}}")]


def _suspects(
    path: Path, types: Mapping[str, str]
) -> Iterator[tuple[int, str, list[tuple[str, str | None]]]]:
    """Each line Python's reading finds bad: its number, its text and what is wrong.

    What is wrong comes with the line cut down to that column, for DuckDB
    to judge the column alone (``None`` for the line as a whole).
    """
    with path.open(encoding="utf-8-sig", errors="surrogateescape", newline="\n") as lines:
        for number, line in enumerate(itertools.islice(lines, _READ), start=1):
            if not line.strip(_BLANK):  # a no-break space is no blank to DuckDB
                continue
            if not is_unicode(line):  # bytes that are not UTF-8, kept as they were
                yield number, line, [("$: not valid UTF-8", None)]
                continue
            if line.startswith(_BOM):  # DuckDB skips one only where a file starts: not here
                yield number, "\n" + line, [(_MID_FILE_BOM, None)]  # judged where it stands
                continue
            hook, repeats = repeat_finder()
            try:
                row = json.loads(line.strip(_BLANK), object_pairs_hook=hook, parse_float=_Number)
            except RecursionError:  # DuckDB reads any depth: the bad value may be anywhere
                yield number, line, [("$: nested too deep to check which value is bad", None)]
                continue
            except ValueError:  # DuckDB reads some such lines: a trailing comma, nan
                yield number, line, [("$: not valid JSON", _as_text(line, types))]
                continue
            if type(row) is not dict:
                yield number, line, [("$: must be an object", None)]
                continue
            keys = [k for k in repeated_keys(repeats, row) if k in types and k in row]
            faults = _repeated(row, keys)
            for name, type_ in types.items():
                value = row.get(name)
                readable = _READABLE.get(type_)
                if value is not None and readable is not None and not readable(value):
                    what = _SAID.get(type_, type_)
                    faults.append(
                        (f"$.{name}: is not {what}", f"{{{json.dumps(name)}:{_json(value)}}}")
                    )
            if "\\u" in line and not is_unicode(json.dumps(row, ensure_ascii=False)):
                # DuckDB refuses a lone surrogate anywhere: a key, a nested value
                faults.append(("$: holds text that is not valid Unicode (a lone surrogate)", None))
            if faults:
                yield number, line, faults


@contextlib.contextmanager
def staging() -> Iterator[str]:
    """A temporary folder of this program's, removed when the ``with`` block ends.

    A stop is held back while the folder is made and while it is removed, so
    that it can neither be left unnoted nor half removed.
    """
    folder = made(
        lambda: tempfile.TemporaryDirectory(prefix="customer-model-"),
        tempfile.TemporaryDirectory.cleanup,
    )
    try:
        yield folder.name
    finally:
        with deferred():
            folder.cleanup()


@contextlib.contextmanager
def one_line_files() -> Iterator[Callable[[str], Path]]:
    """Write a line to a file of its own (the same file each time), in a folder removed after."""
    with staging() as name:
        path = Path(name) / "line.jsonl"

        def write(line: str) -> Path:
            path.write_text(line, encoding="utf-8", errors="surrogateescape")  # bytes as read
            return path

        yield write
