"""The backlog where the tables are: ``rank --engine duckdb`` and ``sql backlog``.

Both go through :mod:`customer_model.sql`: the first runs
:func:`~customer_model.sql.prioritize_sql` on an in-process DuckDB loaded
from a folder of tables or a Dataset JSON file; the second prints
:func:`~customer_model.sql.backlog_sql` for a warehouse to run.
"""

from __future__ import annotations

import argparse
import os
import stat
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from customer_model.cli._files import InputError, load_json, shown, source_of
from customer_model.cli._progress import ProgressBar
from customer_model.cli._signals import interrupting
from customer_model.cli._tables import COLUMNS, ENDINGS, load_dataset, load_folder
from customer_model.errors import ValidationError

_SQL_EPILOG = """\
Examples:
  customer-model sql backlog --as-of 2025-12-31
  customer-model sql backlog --dialect snowflake --policy policy.json --as-of 2025-12-31
  customer-model sql backlog --dialect spark --as-of 2025-12-31T00:00:00Z \\
      --table feedback=crm.tickets --table customers=crm.accounts

The tables hold the columns of customer_model.records, typed as its docs page
says (DECIMAL(38, 9) money, TIMESTAMPTZ times).  Every value of the policy
reaches the SQL as a literal and every table name as a quoted identifier.
"""


def add_sql_command(sub: Any, *, as_of: Callable[[str], datetime], formatter: Any) -> None:
    """The ``sql`` command and its ``backlog`` subcommand, on the main parser's *sub*."""
    sql = sub.add_parser(
        "sql",
        help="print SQL to run in a warehouse",
        description="Print SQL that computes what this library computes, for a warehouse "
        "holding the record tables.",
        epilog=_SQL_EPILOG,
        formatter_class=formatter,
    )
    sql_sub = sql.add_subparsers(dest="what", metavar="WHAT", required=True)
    backlog = sql_sub.add_parser(
        "backlog",
        help="the backlog of a policy",
        description="Print the SQL of the prioritized backlog for a policy: from the tables "
        "customers, purchasers, users, purchases and feedback (the records' columns), per "
        "theme its rank, score, voices, revenue, feedback ids and explanation.",
        epilog=_SQL_EPILOG,
        formatter_class=formatter,
    )
    backlog.add_argument(
        "--dialect",
        metavar="NAME",
        default="duckdb",
        help="duckdb (default), spark, postgres, bigquery, snowflake or another sqlglot dialect",
    )
    backlog.add_argument("--policy", metavar="FILE", help="a PrioritizationPolicy as JSON")
    backlog.add_argument(
        "--as-of", type=as_of, metavar="ISO", required=True, help="the moment ranked for"
    )
    backlog.add_argument(
        "--segments", metavar="FILE", help="segments the policy weighs (JSON array or Dataset)"
    )
    backlog.add_argument(
        "--table",
        action="append",
        type=table_pair,
        metavar="NAME=TABLE",
        help="read a record table from another table, e.g. feedback=crm.tickets (repeatable)",
    )
    backlog.add_argument(
        "--part",
        choices=("backlog", "checks", "skipped"),
        default="backlog",
        help="the backlog query (default), the checks of the tables, or the skipped ids",
    )
    backlog.set_defaults(handler=_sql_backlog)


def _sql_backlog(args: argparse.Namespace) -> int:
    from customer_model.sql import DIALECTS

    sys.stdout.write(backlog_sql_text(args))
    if args.dialect not in DIALECTS:  # sqlglot does not flag every construct it lacks
        print(
            f"customer-model sql backlog: note: {args.dialect} is not among the dialects the"
            f" backlog SQL is tested in ({', '.join(DIALECTS)}); check it runs there",
            file=sys.stderr,
        )
    return 0


def _policy(args: argparse.Namespace) -> Any:
    from customer_model.model.policy import PrioritizationPolicy

    if args.policy is None:  # an empty name is refused, not taken for no policy
        return PrioritizationPolicy()
    return load_json(args.policy, PrioritizationPolicy, kind="policy")


def segments_from(path: str | None) -> tuple[Any, ...]:
    """Segments from a JSON array of segments or a Dataset JSON file."""
    if path is None:
        return ()
    from customer_model.model.dataset import Dataset
    from customer_model.model.segments import Segment

    value = load_json(path, Dataset, array_cls=list[Segment], array_kind="segments")
    return tuple(value) if isinstance(value, list) else tuple(value.segments)


def _problems(source: str, error: ValidationError) -> InputError:
    return InputError(
        [f"{shown(source)}: {p}" for p in error.problems] or [f"{shown(source)}: {error}"]
    )


def _ranking_problems(args: argparse.Namespace, error: ValidationError) -> InputError:
    """Each problem of ranking under the file it comes from (policy, segments or data)."""
    return InputError(
        [f"{shown(source_of(args, p.path))}: {p}" for p in error.problems]
        or [f"{shown(args.file)}: {error}"]
    )


def rank_in_duckdb(args: argparse.Namespace) -> Any:
    """The backlog of DATA (a folder of tables or a Dataset JSON file), computed by DuckDB."""
    from customer_model.cli._tables import duckdb_module

    if args.customers is not None:
        raise InputError(["--customers: not used with --engine duckdb (DATA holds the customers)"])
    policy = _policy(args)
    segments = segments_from(args.segments)
    data, folder = Path(args.file), _is_folder(args.file)
    if data.suffix.lower() in ENDINGS and not folder:
        raise InputError(
            [
                f"{shown(args.file)}: holds one table; give --engine duckdb the folder of all"
                f" five ({', '.join(COLUMNS)}), such as {shown(str(data.parent))}"
            ]
        )
    con = duckdb_module().connect()
    try:
        with interrupting(con.interrupt):  # Ctrl-C stops DuckDB at once
            return _rank(args, con, policy, segments, folder=folder)
    finally:
        con.close()


def _is_folder(data: str) -> bool:
    """Whether DATA names a folder (of tables) rather than a file; refused if it names neither."""
    if data == "":
        raise InputError(["'': the path is empty; give a Dataset JSON file or a folder of tables"])
    try:
        return stat.S_ISDIR(os.stat(data).st_mode)
    except FileNotFoundError:
        raise InputError([f"{shown(data)}: no such file or folder"]) from None
    except (OSError, ValueError) as e:  # too long, a loop of links, a NUL character
        why = getattr(e, "strerror", None) or type(e).__name__
        raise InputError([f"{shown(data)}: cannot read ({why})"]) from None


def _rank(
    args: argparse.Namespace, con: Any, policy: Any, segments: tuple[Any, ...], *, folder: bool
) -> Any:
    """Load DATA (a *folder* of tables, or a Dataset JSON file) into *con* and rank it there."""
    from customer_model.cli._tables import duckdb_module
    from customer_model.sql import prioritize_sql

    duckdb = duckdb_module()
    con.execute("SET TimeZone = 'UTC'")
    with ProgressBar(sys.stderr, "loading") as bar:
        if folder:
            load_folder(con, args.file, progress=bar)
        else:
            from customer_model.model.dataset import Dataset

            dataset = load_json(args.file, Dataset)
            try:
                load_dataset(con, dataset, progress=bar)
            except ValidationError as e:
                raise _problems(args.file, e) from None
            if args.segments is None:
                segments = tuple(dataset.segments)
    as_of = args.as_of
    if as_of is None:
        # infinity and years outside 1 to 9999 are no moment to rank at (nor a
        # Python datetime); prioritize_sql refuses the rows that hold them
        rows, as_of = con.execute(
            "SELECT count(*), max(created_at) FILTER (WHERE isfinite(created_at)"
            " AND created_at >= TIMESTAMPTZ '0001-01-02 00:00:00+00'"
            " AND created_at < TIMESTAMPTZ '9999-12-31 00:00:00+00') FROM feedback"
        ).fetchone()
        if not rows:
            raise InputError([f"{shown(args.file)}: no feedback to rank"])
        if as_of is None:
            raise InputError(
                [
                    f"{shown(args.file)}: no feedback row has a created_at to rank at"
                    " (each is NULL, infinite or outside the years 1 to 9999); give --as-of"
                ]
            )
    try:
        return prioritize_sql(con, policy=policy, as_of=as_of, segments=segments)
    except ValidationError as e:  # the tables, the policy and the segments disagree
        raise _ranking_problems(args, e) from None
    except duckdb.Error as e:  # out of memory, say; its message may quote a value
        raise InputError(
            [f"{shown(args.file)}: DuckDB could not rank it ({type(e).__name__})"]
        ) from None


def table_pair(text: str) -> tuple[str, str]:
    """``--table NAME=TABLE``: a record table's name and the table to read it from.

    Refused without repeating what was typed (a table's name may say whose it is).
    """
    name, sep, table = text.partition("=")
    if not sep or name not in COLUMNS or not table:
        raise argparse.ArgumentTypeError(
            f"must be NAME=TABLE with NAME one of {', '.join(COLUMNS)}"
        )
    return name, table


def _tables(pairs: list[tuple[str, str]] | None) -> dict[str, str] | None:
    if not pairs:
        return None
    out: dict[str, str] = {}
    for name, table in pairs:
        if name in out:  # the first would be dropped without a word
            raise InputError([f"--table {name}: is given more than once"])
        out[name] = table
    return out


def backlog_sql_text(args: argparse.Namespace) -> str:
    """The SQL of the backlog for the policy, as text to paste into a warehouse."""
    from customer_model.sql import backlog_sql

    policy = _policy(args)
    segments = segments_from(args.segments)
    try:
        result = backlog_sql(
            policy,
            as_of=args.as_of,
            dialect=args.dialect,
            segments=segments,
            tables=_tables(args.table),
        )
    except ValidationError as e:
        raise _problems(args.policy or "customer-model sql backlog", e) from None
    text: str = getattr(result, args.part)
    return text.rstrip().rstrip(";") + ";\n"
