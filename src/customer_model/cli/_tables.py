"""The five record tables as files: written in chunks, loaded into DuckDB where they lie.

``customer-model generate --format jsonl|parquet`` writes ``customers``,
``purchasers``, ``users``, ``purchases`` and ``feedback`` (the records of
:mod:`customer_model.records`) into a folder; ``customer-model rank --engine
duckdb`` loads such a folder, or a Dataset JSON file, into DuckDB tables typed
as the records page says.  Every file is written to a temporary file beside
it and moved into place only when all five are complete: a folder holds the
new tables whole or keeps what it had.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from customer_model.cli._files import InputError, publish
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


def column_types(table: str) -> dict[str, str]:
    """Column name to DuckDB type for *table*."""
    return {name: DUCKDB_TYPES[COLUMN_TYPES[name]] for name in COLUMNS[table]}


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise InputError(
            ["DuckDB is not installed: pip install 'customer-model[duckdb]'"]
        ) from None
    return duckdb


# -- writing ----------------------------------------------------------------------------


def _folder(out: str) -> Path:
    path = Path(out)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InputError([f"{out}: is a file; tables are written into a folder"]) from None
    except OSError as e:
        raise InputError([f"{out}: cannot create ({e.strerror or type(e).__name__})"]) from None
    except ValueError:  # a NUL character in the name
        raise InputError([f"{out!r}: not a valid folder name"]) from None
    return path


@contextlib.contextmanager
def _temporaries(folder: Path, names: Iterable[str]) -> Iterator[dict[str, Path]]:
    """A temporary file beside each final name, removed unless moved into place."""
    paths: dict[str, Path] = {}
    try:
        for name in names:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
            os.close(fd)
            paths[name] = Path(tmp)
        yield paths
    finally:
        for tmp in paths.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


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
    folder = _folder(out)
    duckdb = _duckdb() if file_format == "parquet" else None
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
                for name, path in lines.items():
                    publish(path, folder / f"{name}.jsonl")
                return counts
            with _temporaries(folder, COLUMNS) as parquet:
                con = duckdb.connect()
                try:
                    for name in COLUMNS:
                        _to_parquet(con, lines[name], parquet[name], name)
                finally:
                    con.close()
                for name, path in parquet.items():
                    publish(path, folder / f"{name}.parquet")
    except OSError as e:
        raise InputError([f"{out}: cannot write ({e.strerror or type(e).__name__})"]) from None
    return counts


def _to_parquet(con: Any, source: Path, target: Path, table: str) -> None:
    types = column_types(table)
    columns = "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in types.items()) + "}"
    # names and types are ours (records' column names); the paths are parameters
    con.execute(
        f"COPY (SELECT * FROM read_json($1, format = 'newline_delimited', columns = {columns}))"
        " TO '" + str(target).replace("'", "''") + "' (FORMAT parquet, COMPRESSION zstd)",
        [str(source)],
    )
