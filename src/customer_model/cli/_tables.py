"""The five record tables as files: written in chunks, loaded into DuckDB where they lie.

``customer-model generate --format jsonl|parquet`` writes ``customers``,
``purchasers``, ``users``, ``purchases`` and ``feedback`` (the records of
:mod:`customer_model.records`) into a folder; ``customer-model rank --engine
duckdb`` loads such a folder, or a Dataset JSON file, into DuckDB tables typed
as the records page says.  Every file is written to a temporary file beside
it and moved into place only when all five are complete.  Moving five files
is five steps, so a marker file stands in the folder while they are moved:
a run stopped between them leaves the marker, and ``rank`` refuses a folder
that holds it rather than rank tables of two runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from customer_model.cli._files import InputError, Staged, put, shown, stage, sync_folder
from customer_model.cli._progress import ProgressBar
from customer_model.cli._rows import (
    NOT_AWARE,
    aware,
    first_bad_line,
    one_line_files,
    parquet_time,
    said_of_times,
    staging,
)
from customer_model.cli._signals import deferred, interrupting
from customer_model.records import (
    COLUMN_TYPES,
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    PURCHASE_COLUMNS,
    PURCHASER_COLUMNS,
    USER_COLUMNS,
    Record,
)

Progress = Callable[[int, int], None]
TableFormat = Literal["jsonl", "parquet"]

#: Every table's columns, in file order.
COLUMNS: Mapping[str, tuple[str, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "purchasers": PURCHASER_COLUMNS,
    "users": USER_COLUMNS,
    "purchases": PURCHASE_COLUMNS,
    "feedback": FEEDBACK_COLUMNS,
}

#: The DuckDB type of each kind of column (``records.COLUMN_TYPES``).
DUCKDB_TYPES = {
    "text": "VARCHAR",
    "tags": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "decimal": "DECIMAL(38, 9)",
    "datetime": "TIMESTAMPTZ",
    "date": "DATE",
}

#: File endings a table is read from, by format.
ENDINGS = {".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}

#: In a folder while ``generate`` moves its tables into place (and after a stop then).
MOVING = ".customer-model-moving"


def column_types(table: str) -> dict[str, str]:
    """Column name to DuckDB type for *table*."""
    return {name: DUCKDB_TYPES[COLUMN_TYPES[name]] for name in COLUMNS[table]}


def duckdb_module() -> Any:
    """The duckdb module, or one clear line on how to install it."""
    try:
        import duckdb
    except ImportError:
        raise InputError(
            ["DuckDB is not installed: pip install 'customer-model[duckdb]'"]
        ) from None
    return duckdb


# -- writing ----------------------------------------------------------------------------


def _folder(out: str) -> tuple[Path, list[Path]]:
    """The folder *out*, made if need be, and the folders made for it (outermost first)."""
    if not out:  # Path("") is the current folder, whose tables would be replaced
        raise InputError(["--out: an empty name is not a folder"])
    path = Path(out)
    new: list[Path] = []
    try:
        missing = []
        for folder in (path, *path.parents):
            if folder.exists() or folder.is_symlink():
                break
            missing.append(folder)
        with deferred():  # made and noted at once: a stop then removes them (see _unmake)
            for folder in reversed(missing):
                try:
                    folder.mkdir()
                except FileExistsError:  # made meanwhile by another: not ours to remove
                    continue
                new.append(folder)
        if not path.is_dir():
            raise FileExistsError(out)
    except FileExistsError:
        _unmake(new)
        raise InputError([f"{shown(out)}: is a file; tables are written into a folder"]) from None
    except OSError as e:
        _unmake(new)
        raise InputError(
            [f"{shown(out)}: cannot create ({e.strerror or type(e).__name__})"]
        ) from None
    except ValueError:  # a NUL character in the name
        _unmake(new)
        raise InputError([f"{out!r}: not a valid folder name"]) from None
    return path, new


def _unmake(new: list[Path]) -> None:
    """Remove the folders :func:`_folder` made, innermost first, those left empty only.

    (A run stopped while moving its tables leaves its marker, and so the folder.)
    """
    with deferred():
        for folder in reversed(new):
            try:
                folder.rmdir()
            except OSError:
                return


@contextlib.contextmanager
def _temporaries(folder: Path, names: Iterable[str]) -> Iterator[dict[str, Path]]:
    """A temporary file beside each final name, removed unless moved into place."""
    paths: dict[str, Path] = {}
    try:
        with deferred():  # a stop between making a file and noting it would leave it behind
            for name in names:
                fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
                os.close(fd)
                paths[name] = Path(tmp)
        yield paths
    finally:
        with deferred():
            for path in paths.values():
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def write_tables(
    out: str,
    chunks: Iterable[Mapping[str, list[Record]]],
    *,
    file_format: TableFormat,
    total: int,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Write every chunk's rows to ``<table>.jsonl`` or ``<table>.parquet`` in *out*.

    Returns the rows written per table.  *progress* is called with customers
    written so far and *total*.  Parquet goes through JSON Lines: DuckDB
    reads them typed (:func:`column_types`) and writes Parquet, so no table
    is ever held in memory.
    """
    duckdb = duckdb_module() if file_format == "parquet" else None
    folder, new = _folder(out)
    try:
        return _write_tables(folder, out, chunks, duckdb, total=total, progress=progress)
    except BaseException:  # a failure or a stop: a folder this run made does not stay
        _unmake(new)
        raise


def _write_tables(
    folder: Path,
    out: str,
    chunks: Iterable[Mapping[str, list[Record]]],
    duckdb: Any,
    *,
    total: int,
    progress: Progress | None,
) -> dict[str, int]:
    counts = dict.fromkeys(COLUMNS, 0)
    try:
        with _temporaries(folder, COLUMNS) as lines, contextlib.ExitStack() as stack:
            files = {
                name: stack.enter_context(path.open("w", encoding="utf-8", newline="\n"))
                for name, path in lines.items()
            }
            done = 0
            dumps = json.JSONEncoder(separators=(",", ":")).encode
            for chunk in chunks:
                for name, rows in chunk.items():
                    files[name].write("".join([dumps(row) + "\n" for row in rows]))
                    counts[name] += len(rows)
                done += len(chunk["customers"])
                if progress is not None:
                    progress(done, total)
            stack.close()
            if duckdb is None:
                _move_into_place(folder, lines, ".jsonl")
                return counts
            with _temporaries(folder, COLUMNS) as parquet:
                con = duckdb.connect()
                try:
                    with interrupting(con.interrupt):  # a stop ends DuckDB's writing at once
                        for name in COLUMNS:
                            _to_parquet(con, lines[name], parquet[name], name)
                except duckdb.Error as e:  # a full disk, say; our own rows are always valid
                    raise InputError(
                        [f"{shown(out)}: cannot write Parquet ({type(e).__name__})"]
                    ) from None
                finally:
                    con.close()
                _move_into_place(folder, parquet, ".parquet")
    except OSError as e:
        raise InputError(
            [f"{shown(out)}: cannot write ({e.strerror or type(e).__name__})"]
        ) from None
    return counts


def _move_into_place(folder: Path, files: Mapping[str, Path], ending: str) -> None:
    """Give each finished file its table's name, with :data:`MOVING` standing meanwhile.

    A table's file in another format goes: the folder is to hold this run's
    tables only (``rank`` refuses a table found in two files).  The files are
    flushed to disk (and copied, for a link to another disk) first, so a stop
    waits only for the renames.
    """
    staged: list[Staged] = []
    try:
        for name, path in files.items():
            staged.append(stage(path, folder / f"{name}{ending}"))
        with deferred():  # a stop waits for the moves; a crash or a failed move leaves the marker
            _put_marker(folder / MOVING)
            for one in staged:
                put(one)
            for name in files:
                for other in ENDINGS:
                    stale = folder / f"{name}{other}"
                    if other != ending and stale.is_file():  # a folder (Spark's Parquet) stays
                        stale.unlink()
            for directory in {os.path.dirname(one.target) for one in staged}:
                sync_folder(directory)
            (folder / MOVING).unlink()
            sync_folder(folder)
    finally:  # a staged copy that was not moved into place (the temporaries go by themselves)
        for one in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(one.source)


def _put_marker(path: Path) -> None:
    """Make the empty :data:`MOVING` file, on disk before any table moves.

    Made beside and renamed, so that a symbolic link found at its name is
    replaced, never followed to write somewhere else.
    """
    fd, tmp = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    sync_folder(path.parent)


def _to_parquet(con: Any, source: Path, target: Path, table: str) -> None:
    types = column_types(table)
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in types.items()) + "}"
    # names and types are ours (the records' columns); the source is a parameter, and the
    # target, which COPY cannot take as one, is our temporary file's path, quoted
    con.execute(
        f"COPY (SELECT * FROM read_json($1, format = 'newline_delimited', columns = {columns}))"
        " TO '"
        + str(target).replace("'", "''")
        + "' (FORMAT parquet, COMPRESSION zstd, USE_TMP_FILE false)",
        [str(source)],
    )


# -- loading ----------------------------------------------------------------------------


def _table_file(folder: Path, table: str) -> tuple[Path, str]:
    label = shown(str(folder))
    found = [
        (folder / f"{table}{ending}", kind)
        for ending, kind in ENDINGS.items()
        if (folder / f"{table}{ending}").is_file()
    ]
    if not found:
        raise InputError(
            [f"{label}: no {table} table ({table}.parquet, {table}.jsonl or {table}.ndjson)"]
        )
    if len(found) > 1:
        names = " and ".join(path.name for path, _ in found)
        raise InputError([f"{label}: {names} both hold the {table} table; keep one"])
    return found[0]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: Any, source: str, path: Path) -> set[str]:
    """The column names DuckDB finds in *source* (its ``$1`` is *path*)."""
    rows = con.execute(f"DESCRIBE SELECT * FROM {source}", [str(path)]).fetchall()
    return {row[0] for row in rows}


def _require(present: set[str], types: Mapping[str, str], path: Path, table: str) -> None:
    missing = [name for name in types if name not in present]
    if missing:
        named = ", ".join(map(repr, missing))
        raise InputError([f"{shown(str(path))}: no column {named} in the {table} table"])


def _load_file(duckdb: Any, con: Any, path: Path, kind: str, table: str) -> None:
    types = column_types(table)
    label = shown(str(path))  # as messages show it: on one line
    if kind == "parquet":
        source = "read_parquet($1)"
        try:
            rows = con.execute(f"DESCRIBE SELECT * FROM {source}", [str(path)]).fetchall()
        except duckdb.Error:
            raise InputError([f"{label}: not a readable Parquet file"]) from None
        found = {row[0]: row[1] for row in rows}
        _require(set(found), types, path, table)
        parts = []
        for name, type_ in types.items():
            part = f"CAST({_quoted(name)} AS {type_}) AS {_quoted(name)}"
            if type_ == "TIMESTAMPTZ":
                time = parquet_time(_quoted(name), found[name])
                if time is None:  # a time without a zone would be read in DuckDB's
                    raise InputError(
                        [f"{label}: {name} is {found[name]}, not TIMESTAMP WITH TIME ZONE"]
                    )
                part = time
            parts.append(part)
        select = ", ".join(parts)
    else:
        # read_json with the columns given fills an absent key with NULL: ask
        # first which keys the records hold (a sample of them, as DuckDB reads
        # them to guess types; an empty file has none, and no records to miss).
        try:
            keys = _columns(con, "read_json($1, format = 'newline_delimited')", path)
        except duckdb.Error:
            keys = set()  # reading it below says what is wrong
        if keys and keys != {"json"}:
            _require(keys, types, path, table)
        # times are read as text first: DuckDB reads one without an offset in its own zone
        read = {n: "VARCHAR" if t == "TIMESTAMPTZ" else t for n, t in types.items()}
        columns = "{" + ", ".join(f"'{n}': '{t}'" for n, t in read.items()) + "}"
        source = f"read_json($1, format = 'newline_delimited', columns = {columns})"
        select = ", ".join(
            aware(_quoted(n)) if t == "TIMESTAMPTZ" else _quoted(n) for n, t in types.items()
        )
    try:
        con.execute(f"CREATE TABLE {_quoted(table)} AS SELECT {select} FROM {source}", [str(path)])
    except duckdb.Error as e:
        said = str(e).partition(NOT_AWARE)[2]
        query = f"SELECT {select} FROM {source}"
        where = _bad_line(duckdb, con, path, types, query) if kind == "jsonl" else None
        if where is not None:
            raise InputError([f"{label}:{where}"]) from None
        if said in types:  # our own error(): the column's name, no value
            raise InputError([f"{label}: {said_of_times(said)}"]) from None
        # DuckDB's message quotes the offending value, which may be personal: not shown
        raise InputError(
            [
                f"{label}: cannot be read as the {table} table (a value of the wrong type for its "
                "column, or not JSON Lines); see the records page for the columns and types"
            ]
        ) from None


def _bad_line(
    duckdb: Any, con: Any, path: Path, types: Mapping[str, str], query: str
) -> str | None:
    """Where a refused JSON Lines table is bad (see :func:`first_bad_line`)."""
    with one_line_files() as write:

        def refused(line: str) -> bool:
            try:
                con.execute(query, [str(write(line))]).fetchall()
            except duckdb.Error:
                return True
            return False

        return first_bad_line(path, types, refused)


def load_folder(con: Any, folder: str, progress: Progress | None = None) -> None:
    """Load the five tables of *folder* into DuckDB tables of the same names, typed."""
    duckdb = duckdb_module()
    root = Path(folder)
    if os.path.lexists(root / MOVING):  # a link there counts, whatever it points at
        raise InputError(
            [
                f"{shown(folder)}: generate was stopped while moving its tables into place, so they"
                f" may be of two runs (the folder holds {MOVING}); run generate again"
            ]
        )
    files = {table: _table_file(root, table) for table in COLUMNS}
    sizes = {table: path.stat().st_size for table, (path, _) in files.items()}
    total, done = sum(sizes.values()), 0
    for table, (path, kind) in files.items():
        _load_file(duckdb, con, path, kind, table)
        done += sizes[table]
        if progress is not None:
            progress(done, total)


def load_dataset(con: Any, dataset: Any, progress: Progress | None = None) -> None:
    """Load a Dataset's customers and feedback into DuckDB as the five record tables."""
    from customer_model.records import (
        feedback_records,
        purchase_records,
        purchaser_records,
        to_records,
        user_records,
    )

    customers = dataset.customers
    chunk = {
        "customers": to_records(customers),
        "purchasers": purchaser_records(customers),
        "users": user_records(customers),
        "purchases": purchase_records(customers),
        "feedback": feedback_records(dataset.feedback),
    }
    with staging() as folder:
        write_tables(folder, [chunk], file_format="jsonl", total=len(customers))
        load_folder(con, folder, progress)


# -- the generate command --------------------------------------------------------------


def generate_tables(args: argparse.Namespace, start: datetime) -> int:
    """``generate --format jsonl|parquet``: the sample's five tables into ``--out``."""
    from customer_model.examples.tables import sample_tables

    if args.out is None or args.out == "-":
        raise InputError([f"--format {args.format}: needs --out FOLDER for its five tables"])
    if args.indent is not None:
        raise InputError(["--indent: works with --format json only"])
    chunks = sample_tables(
        customers=args.customers,
        feedback=args.feedback,
        seed=args.seed,
        start=start,
        months=args.months,
    )
    with ProgressBar(sys.stderr, "generating") as bar:
        counts = write_tables(
            args.out, chunks, file_format=args.format, total=args.customers, progress=bar
        )
    print(
        f"wrote {args.format} tables into {shown(args.out)}: "
        + ", ".join(f"{n} {name}" for name, n in counts.items()),
        file=sys.stderr,
    )
    return 0
