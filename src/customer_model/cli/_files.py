"""The command line's files: reading Dataset JSON, JSON arrays and JSON Lines, writing whole.

Every problem becomes one line that names the file and the path of the bad
record (``data.json: $.customers[0].id: is required``; in JSON Lines the line
number comes first: ``feedback.jsonl:7: $.theme: is required``).  Messages
come from :class:`~customer_model.ValidationError`, so they never repeat the
offending value.  Only regular files are read (a FIFO would wait for a writer
for ever) and ``-`` is standard input; a file is written whole or not at all.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import errno
import functools
import io
import json
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple, TypeVar

from customer_model.cli._signals import made
from customer_model.errors import Problem, ValidationError
from customer_model.serialization import from_dict, from_json

T = TypeVar("T")

#: File name endings read as JSON Lines (one record per line).
LINE_SUFFIXES = (".jsonl", ".ndjson")


#: The file name that means standard input (or output).
STDIO = "-"


class InputError(Exception):
    """Bad input: one line per problem, each naming the file and the record.

    *hint* says how to list them all, when a command can (``customer-model
    validate`` with the file and its type).
    """

    def __init__(self, lines: Iterable[str], hint: str | None = None) -> None:
        self.lines = list(lines)
        self.hint = hint
        super().__init__("\n".join(self.lines))

    def summary(self) -> str:
        """The first problem on one line, with a count of the rest."""
        first = self.lines[0]
        rest = len(self.lines) - 1
        if rest:
            first += f" (and {rest} more problem{'s' if rest > 1 else ''}"
            first += f"; {self.hint})" if self.hint else ")"
        return first


class ClosedOutput(io.StringIO):
    """Standard output the shell closed (``>&-``): a write fails as on a bad descriptor.

    Python sets ``sys.stdout`` to ``None`` then, and a ``print`` would vanish unseen.
    """

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))


def open_output() -> contextlib.ExitStack:
    """Standard output and error for a command, put back as they were after.

    When the shell closed standard output (``>&-``) Python has none, and a
    write to the one put in its place fails, so a command that prints says
    so.  Without standard error (``2>&-``) messages are dropped: a
    ``print(file=None)`` would put them into the output.
    """
    streams = contextlib.ExitStack()
    if sys.stdout is None:
        streams.enter_context(contextlib.redirect_stdout(ClosedOutput()))
    if sys.stderr is None:
        streams.enter_context(contextlib.redirect_stderr(io.StringIO()))
    return streams


def source_of(args: argparse.Namespace, path: tuple[str | int, ...]) -> str:
    """The file a ranking problem comes from, by the argument its path names."""
    head = path[0] if path else None
    if head == "policy" and args.policy:
        return str(args.policy)
    if head == "segments" and getattr(args, "segments", None):
        return str(args.segments)
    if head == "customers" and getattr(args, "customers", None) is not None:
        return str(args.customers)
    return str(args.file)


def shown(path: str) -> str:
    """*path* as messages show it: on one line, in text any terminal can print.

    ``-`` is standard input; a character that is not printable (a newline, a
    byte that was not UTF-8) is written as an escape.
    """
    if path == STDIO:
        return "<stdin>"
    if path == "":
        return "''"
    if path.isprintable():
        return path
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in path)


#: The arguments that name a file to read, as messages call them.
_INPUTS = {
    "file": "the file argument",
    "customers": "--customers",
    "policy": "--policy",
    "segments": "--segments",
    "scorecard": "--scorecard",
    "estimates": "--estimates",
}


def one_standard_input(args: argparse.Namespace) -> None:
    """Refuse ``-`` for two inputs: the second read of standard input would find it empty."""
    given = [name for key, name in _INPUTS.items() if getattr(args, key, None) == STDIO]
    if len(given) > 1:
        raise InputError(
            [f"<stdin>: given for {' and '.join(given)}; standard input can be read only once"]
        )


def validate_hint(path: str, kind: str | None = None, extra: str = "") -> str:
    """How to list every problem of *path*: a ``customer-model validate`` command."""
    flag = f" --type {kind}" if kind else ""
    return f"run `customer-model validate {shown(path)}{flag}{extra}` to list them all"


def is_lines(path: str) -> bool:
    """Whether *path* names a JSON Lines file (by its ending)."""
    return path.lower().endswith(LINE_SUFFIXES)


def _refuse(path: str, message: str) -> InputError:
    return InputError([f"{shown(path)}: {message}"])


def read_bytes(path: str) -> bytes:
    """The whole of a regular file, or of standard input for ``-``.

    A FIFO, a device or a socket is refused at once: opened without waiting
    (``O_NONBLOCK``), it is looked at before anything is read from it.
    """
    if path == "":
        raise _refuse(path, "the file name is empty; give the path of a file")
    if path == STDIO:
        if sys.stdin is None:  # closed by the shell (`<&-`)
            raise _refuse(path, "is closed")
        try:
            return sys.stdin.buffer.read()
        except OSError as e:  # opened for writing only (`0>file`), say
            raise _refuse(path, f"cannot read ({e.strerror or type(e).__name__})") from None
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _refuse(path, "no such file") from None
    except OSError as e:
        raise _refuse(path, f"cannot read ({e.strerror or type(e).__name__})") from None
    except ValueError:  # a NUL character, or text the file system cannot encode
        raise InputError([f"{shown(repr(path))}: not a valid file name"]) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise _refuse(path, "is a directory, not a file")
        raise _refuse(path, "is not a regular file (a pipe, device or socket); give a file")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as f:
        try:
            return f.read()
        except OSError as e:
            raise _refuse(path, f"cannot read ({e.strerror or type(e).__name__})") from None


def _lines(path: str, problems: Iterable[Problem], line: int | None = None) -> list[str]:
    where = shown(path) if line is None else f"{shown(path)}:{line}"
    return [f"{where}: {p}" for p in problems]


def _holds_array(data: bytes) -> bool:
    """Whether JSON *data* is an array, in any encoding ``json.loads`` reads (a BOM too)."""
    encoding = json.detect_encoding(data)
    if encoding in ("utf-8", "utf-8-sig"):
        return data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"["
    return data.decode(encoding, errors="replace").lstrip()[:1] == "["  # UTF-16 or 32


def load_json(
    path: str,
    cls: Any,
    *,
    array_cls: Any = None,
    kind: str | None = None,
    array_kind: str | None = None,
) -> Any:
    """Parse the whole of *path* as one JSON value of type *cls*.

    With *array_cls*, a file whose JSON value is an array is read as that type
    instead (a list of customers rather than a dataset, say).  *kind* and
    *array_kind* are what ``customer-model validate --type`` calls them; an
    array without one gets no hint, since validate could not check it.
    """
    data = read_bytes(path)
    hint: str | None = validate_hint(path, kind)
    if array_cls is not None and _holds_array(data):
        cls = array_cls
        hint = validate_hint(path, array_kind) if array_kind else None
    try:
        return from_json(data, cls, repeated_keys="error")
    except ValidationError as e:
        raise InputError(_lines(path, e.problems), hint) from None


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
    kind: str | None = None,
) -> list[tuple[int, T]]:
    """Parse every non-blank line of *path* as a *cls*; returns (line number, value) pairs.

    All lines are read before failing, so every bad line is reported.  Given
    an *errors* list, problems are appended to it and the good lines returned
    instead of raising.  *progress* is called with bytes read so far and the
    file's size; *kind* is what ``customer-model validate --type`` calls them.
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
        raise InputError(errors, validate_hint(path, kind))
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
        where = shown(path)
        if lines:
            errors.append(
                f"{where}:{number}: $.id: id {record.id!r} is already used on line {first}"
            )
        else:
            errors.append(
                f"{where}: $[{number}].id: id {record.id!r} is already used by $[{first}]"
            )
    return errors


# -- what the commands load --------------------------------------------------------


def load_dataset(path: str) -> Any:
    """A Dataset JSON file."""
    from customer_model.model.dataset import Dataset

    return load_json(path, Dataset)


def load_customers(path: str) -> list[Any]:
    """Customers from a Dataset JSON file, a JSON array of customers, or JSON Lines."""
    from customer_model.model.customers import Customer
    from customer_model.model.dataset import Dataset

    if is_lines(path):
        from customer_model.cli._progress import ProgressBar

        with ProgressBar(sys.stderr, "customers") as bar:  # its line ended on a bad line too
            records = load_lines(path, Customer, progress=bar, kind="customers")
        no_duplicates(path, records, "customers")
        return [c for _, c in records]
    value = load_json(path, Dataset, array_cls=list[Customer], array_kind="customers")
    if not isinstance(value, list):
        return list(value.customers)  # a Dataset checks its own ids
    errors = duplicate_ids(path, enumerate(value), lines=False)
    if errors:
        raise InputError(errors, validate_hint(path, "customers"))
    return value


def no_duplicates(path: str, records: list[tuple[int, Any]], kind: str | None = None) -> None:
    errors = duplicate_ids(path, records)
    if errors:
        raise InputError(errors, validate_hint(path, kind))


def known_customers(
    path: str, customers_path: str, customers: list[Any], feedback: list[Any], *, lines: bool
) -> None:
    """Every feedback item's customer is among the --customers, each miss on its own line."""
    known = {c.id for c in customers}
    where, source = shown(path), shown(customers_path)
    errors = [
        f"{where}:{n}: $.customer_id: refers to no customer in {source}"
        if lines
        else f"{where}: $.feedback[{n}].customer_id: refers to no customer in {source}"
        for n, item in feedback
        if item.customer_id not in known
    ]
    if errors:
        hint = validate_hint(path, None, f" --customers {source}") if lines else None
        raise InputError(errors, hint)


# -- writing ----------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _destination(path: str | os.PathLike[str]) -> tuple[str, os.stat_result | None]:
    """Where writing *path* lands (a symbolic link's target), and what is there now."""
    target = os.path.realpath(path) if os.path.islink(path) else os.fspath(path)
    try:
        return target, os.stat(target)
    except FileNotFoundError:
        return target, None


def _take_mode(temp: str | os.PathLike[str], existing: os.stat_result | None) -> None:
    """Give *temp* the permissions (and owner) of the file it replaces, or a new file's."""
    if existing is None or not stat.S_ISREG(existing.st_mode):
        os.chmod(temp, 0o666 & ~_umask())
        return
    os.chmod(temp, stat.S_IMODE(existing.st_mode))
    with contextlib.suppress(OSError):  # only root may give a file away
        os.chown(temp, existing.st_uid, existing.st_gid)


class Staged(NamedTuple):
    """A finished file in the directory of the file it is to replace: one rename away."""

    source: str
    target: str
    existing: os.stat_result | None


def stage(tmp: str | os.PathLike[str], path: str | os.PathLike[str]) -> Staged:
    """Make a finished temporary file ready to take *path*'s name as :func:`write_whole` does.

    What can take long happens here, before the moment the name changes
    hands (which a stop waits for): the bytes are flushed to disk and, when
    *path* lies in another directory (a symbolic link there is followed: its
    target is replaced, the link stays), the file is moved beside it first,
    copied whole when that directory is on another file system.  A stop
    meanwhile removes the copy.  :func:`put` then gives the file its name,
    with the permissions (and owner, where allowed) of the file it replaces
    or those of a new file.
    """
    sync_file(tmp)
    target, existing = _destination(path)
    directory = os.path.dirname(target) or "."
    if os.path.dirname(os.path.abspath(tmp)) == os.path.abspath(directory):
        return Staged(os.fspath(tmp), target, existing)
    fd, beside = made(
        functools.partial(
            tempfile.mkstemp, dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        ),
        _discard,
    )
    try:
        os.close(fd)
        try:
            os.replace(tmp, beside)
        except OSError as e:
            if e.errno != errno.EXDEV:
                raise
            with open(beside, "wb") as f, open(tmp, "rb") as source:
                shutil.copyfileobj(source, f)
                f.flush()
                os.fsync(f.fileno())
            os.unlink(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(beside)
        raise
    return Staged(beside, target, existing)


def put(staged: Staged) -> None:
    r"""Give a :func:`stage`\ d file its name (one rename in one directory)."""
    _take_mode(staged.source, staged.existing)
    os.replace(staged.source, staged.target)


def sync_file(path: str | os.PathLike[str]) -> None:
    """Flush a written file's bytes to disk, so that a crash after its rename finds them."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(directory: str | os.PathLike[str]) -> None:
    """Make the names just given in *directory* survive a crash, where the system allows it."""
    with contextlib.suppress(OSError):  # not every system opens or syncs a directory
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(made: tuple[int, str]) -> None:
    """Close and remove a temporary file :func:`tempfile.mkstemp` made."""
    fd, name = made
    with contextlib.suppress(OSError):
        os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


def write_whole(path: str, text: str) -> None:
    """Write *text* to *path* as UTF-8, whole or not at all.

    The bytes go to a temporary file in the same directory, are flushed to
    disk, and only then take the name (``os.replace``, atomic), so a full disk
    or a file size limit leaves an existing file as it was and no partial file
    behind.  A symbolic link is followed (its target is replaced); a FIFO, a
    device or a directory is refused rather than written into.
    """
    if path == "":
        raise _refuse(path, "the file name is empty; give the path of a file")
    data = text.encode("utf-8")
    try:
        target, existing = _destination(path)
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise _refuse(path, "is a directory, not a file")
        if existing is not None and not stat.S_ISREG(existing.st_mode):
            raise _refuse(
                path, "is not a regular file (a pipe, device or socket); use --out - for stdout"
            )
        directory = os.path.dirname(target) or "."
        fd, temp = made(  # made and noted at once (removed below on a stop)
            functools.partial(
                tempfile.mkstemp,
                dir=directory,
                prefix=f".{os.path.basename(target)}.",
                suffix=".tmp",
            ),
            _discard,
        )
    except InputError:
        raise
    except ValueError:  # a NUL character, or text the file system cannot encode
        raise InputError([f"{shown(repr(path))}: not a valid file name"]) from None
    except OSError as e:
        raise _refuse(path, f"cannot write ({e.strerror or type(e).__name__})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _take_mode(temp, existing)
        os.replace(temp, target)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        unchanged = "the file is unchanged" if existing is not None else "nothing was written"
        raise _refuse(
            path, f"cannot write ({e.strerror or type(e).__name__}); {unchanged}"
        ) from None
    except BaseException:  # a stop (Ctrl-C, SIGTERM): no temporary file stays behind
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    sync_folder(directory)  # make the new name itself survive a crash
