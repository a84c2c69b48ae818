"""Reading the command line's input files: Dataset JSON, JSON arrays and JSON Lines.

Every problem becomes one line that names the file and the path of the bad
record (``data.json: $.customers[0].id: is required``; in JSON Lines the line
number comes first: ``feedback.jsonl:7: $.theme: is required``).  Messages
come from :class:`~customer_model.ValidationError`, so they never repeat the
offending value.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from customer_model.errors import Problem, ValidationError
from customer_model.serialization import from_dict, from_json

T = TypeVar("T")

#: File name endings read as JSON Lines (one record per line).
LINE_SUFFIXES = (".jsonl", ".ndjson")


class InputError(Exception):
    """Bad input: one line per problem, each naming the file and the record."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))

    def summary(self, hint: str | None = None) -> str:
        """The first problem on one line, with a count of the rest."""
        first = self.lines[0]
        rest = len(self.lines) - 1
        if rest:
            first += f" (and {rest} more problem{'s' if rest > 1 else ''}"
            first += f"; {hint})" if hint else ")"
        return first


def is_lines(path: str) -> bool:
    """Whether *path* names a JSON Lines file (by its ending)."""
    return path.lower().endswith(LINE_SUFFIXES)


def read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise InputError([f"{path}: is a directory, not a file"]) from None
    except OSError as e:
        raise InputError([f"{path}: cannot read ({e.strerror or type(e).__name__})"]) from None
    except ValueError:  # a NUL character in the name
        raise InputError([f"{path!r}: not a valid file name"]) from None


def _lines(path: str, problems: Iterable[Problem], line: int | None = None) -> list[str]:
    where = path if line is None else f"{path}:{line}"
    return [f"{where}: {p}" for p in problems]


def load_json(path: str, cls: Any, *, array_cls: Any = None) -> Any:
    """Parse the whole of *path* as one JSON value of type *cls*.

    With *array_cls*, a file whose JSON value is an array is read as that type
    instead (a list of customers rather than a dataset, say).
    """
    data = read_bytes(path)
    if array_cls is not None and data.lstrip()[:1] == b"[":
        cls = array_cls
    try:
        return from_json(data, cls, repeated_keys="error")
    except ValidationError as e:
        raise InputError(_lines(path, e.problems)) from None


def load_array(path: str, cls: type[T], *, errors: list[str]) -> list[tuple[int, T]]:
    """Parse *path* as a JSON array of *cls*; returns (index, value) pairs of the good ones.

    Problems are appended to *errors*, and the records that load are still
    returned, so checks across records (repeated ids) can run on them too.
    """
    data = read_bytes(path)
    array: Any = list[cls]  # type: ignore[valid-type]
    try:
        values: list[T] = from_json(data, array, repeated_keys="error")
        return list(enumerate(values))
    except ValidationError as e:
        errors.extend(_lines(path, e.problems))
        if any(not p.path for p in e.problems):
            return []  # not JSON, or not an array: nothing to salvage
        bad = {p.path[0] for p in e.problems}
    raw = json.loads(data)
    return [(i, from_dict(item, cls)) for i, item in enumerate(raw) if i not in bad]


def load_lines(
    path: str,
    cls: type[T],
    *,
    progress: Callable[[int, int], None] | None = None,
    errors: list[str] | None = None,
) -> list[tuple[int, T]]:
    """Parse every non-blank line of *path* as a *cls*; returns (line number, value) pairs.

    All lines are read before failing, so every bad line is reported.  Given
    an *errors* list, problems are appended to it and the good lines returned
    instead of raising.  *progress* is called with bytes read so far and the
    file's size.
    """
    data = read_bytes(path)
    total = len(data)
    out: list[tuple[int, T]] = []
    collect = errors is not None
    errors = [] if errors is None else errors
    done = 0
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        done += len(raw)
        if raw.strip():
            try:
                out.append((number, from_json(raw, cls, repeated_keys="error")))
            except ValidationError as e:
                errors.extend(_lines(path, e.problems, number))
        if progress is not None:
            progress(done, total)
    if errors and not collect:
        raise InputError(errors)
    return out


def duplicate_ids(
    path: str, records: Iterable[tuple[int, Any]], *, lines: bool = True
) -> list[str]:
    """A problem line for every record whose ``id`` an earlier record already used.

    *records* are (line number, value) pairs from JSON Lines, or (index, value)
    pairs from a JSON array when *lines* is false.
    """
    seen: dict[str, int] = {}
    errors = []
    for number, record in records:
        first = seen.setdefault(record.id, number)
        if first == number:
            continue
        if lines:
            errors.append(
                f"{path}:{number}: $.id: id {record.id!r} is already used on line {first}"
            )
        else:
            errors.append(f"{path}: $[{number}].id: id {record.id!r} is already used by $[{first}]")
    return errors


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def publish(tmp: str | os.PathLike[str], path: str | os.PathLike[str]) -> None:
    """Move a finished temporary file into place, with the permissions a new file gets.

    (Temporary files are private to their owner until they are complete.)
    """
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def write_whole(path: str, text: str) -> None:
    """Write *text* to *path* whole or not at all: a temporary file beside it, then a move."""
    try:
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".customer-model.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InputError([f"{path}: cannot write ({e.strerror or type(e).__name__})"]) from None
    except ValueError:  # a NUL character in the name
        raise InputError([f"{path!r}: not a valid file name"]) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        publish(tmp, path)
    except OSError as e:
        raise InputError([f"{path}: cannot write ({e.strerror or type(e).__name__})"]) from None
    except ValueError:  # a NUL character in the file's own name
        raise InputError([f"{path!r}: not a valid file name"]) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
