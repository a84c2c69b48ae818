"""The ``customer-model`` command line.

Kept out of the core import: ``import customer_model`` never loads it.
Commands: ``demo``, ``rank``, ``validate``, ``generate`` and ``nps``.  Bad
input exits with status 2 and a one-line message on stderr naming the file
and the path of the bad record; never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from customer_model.cli._demo import run_demo
from customer_model.cli._files import (
    STDIO,
    InputError,
    duplicate_ids,
    is_lines,
    known_customers,
    load_array,
    load_customers,
    load_dataset,
    load_json,
    load_lines,
    no_duplicates,
    one_standard_input,
    open_output,
    shown,
    source_of,
    write_whole,
)
from customer_model.cli._options import (
    BAD_INPUT,
    Parser,
    amount,
    as_of,
    count,
    indent,
    seed,
    start,
)
from customer_model.cli._progress import ProgressBar
from customer_model.cli._signals import stops
from customer_model.errors import ValidationError

__all__ = ["main"]

# -- rank -------------------------------------------------------------------------------


def _rank(args: argparse.Namespace) -> int:
    from customer_model.serialization import to_json

    if args.estimates is not None and args.scorecard is None:
        raise InputError([f"{shown(args.estimates)}: --estimates needs --scorecard FILE"])
    result: Any
    if args.engine == "duckdb":
        if args.scorecard is not None:
            raise InputError([f"{shown(args.scorecard)}: --scorecard needs the python engine"])
        from customer_model.cli._warehouse import rank_in_duckdb

        result = rank_in_duckdb(args)
    else:
        result = _rank_in_python(args)
    if args.top is not None:
        import attrs

        result = attrs.evolve(result, items=tuple(result)[: args.top])
    if args.format == "json":
        print(to_json(result, indent=2))
    elif args.format == "csv":
        sys.stdout.write(_backlog_csv(result.to_records()))
    else:
        print(result)
    return 0


def _rank_in_python(args: argparse.Namespace) -> Any:
    """The backlog of a file, ranked in this process (by a scorecard if one is given)."""
    from customer_model.cli._warehouse import segments_from
    from customer_model.model.feedback import FeedbackItem
    from customer_model.model.policy import PrioritizationPolicy
    from customer_model.prioritization import prioritize

    segments = segments_from(args.segments)
    lines = is_lines(args.file)
    if os.path.isdir(args.file):  # a folder of tables: only DuckDB reads those
        raise InputError([f"{shown(args.file)}: is a folder; rank its tables with --engine duckdb"])
    if lines:
        if args.customers is None:
            raise InputError([f"{shown(args.file)}: a JSON Lines feedback file needs --customers"])
        with ProgressBar(sys.stderr, "feedback") as bar:
            records = load_lines(args.file, FeedbackItem, progress=bar)
        no_duplicates(args.file, records)
    else:
        dataset = load_dataset(args.file)
        records = list(enumerate(dataset.feedback))
        customers = list(dataset.customers)
        if args.segments is None:
            segments = tuple(dataset.segments)
    if args.customers is not None:
        customers = load_customers(args.customers)
        known_customers(args.file, args.customers, customers, records, lines=lines)
    feedback = [item for _, item in records]
    policy = (
        load_json(args.policy, PrioritizationPolicy, kind="policy")
        if args.policy is not None  # an empty name is refused, not taken for no policy
        else PrioritizationPolicy()
    )
    as_of = args.as_of
    if as_of is None:
        if not feedback:
            raise InputError([f"{shown(args.file)}: no feedback to rank"])
        as_of = max(item.created_at for item in feedback)
    try:
        backlog = prioritize(feedback, customers, policy=policy, as_of=as_of, segments=segments)
    except ValueError as e:  # ValidationError: feedback, customers and policy disagree
        raise InputError(
            [f"{shown(source_of(args, p.path))}: {p}" for p in getattr(e, "problems", ())]
            or [f"{shown(args.file)}: {e}"]
        ) from None
    if args.scorecard is None:
        return backlog
    from customer_model.cli._scorecard import rank_by_scorecard

    return rank_by_scorecard(
        backlog,
        scorecard_path=args.scorecard,
        estimates_path=args.estimates,
        files={
            "feedback": args.file,
            "segments": args.segments or args.file,
            "backlog": args.policy or args.file,
            "customers": args.customers or args.file,
        },
        feedback=feedback,
        customers=customers,
        segments=list(segments),
    )


def _csv_cell(value: object) -> object:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _backlog_csv(records: Sequence[dict[str, Any]]) -> str:
    """``Backlog.to_records()`` as CSV: floats in full (``repr``), money as decimal text.

    Themes are data: one that starts like a formula (``=``, ``+``, ``-``, ``@``)
    is written with a leading ``'`` so a spreadsheet shows it instead of running it.
    """
    from customer_model.backlog import RECORD_COLUMNS

    out = io.StringIO()
    # An empty backlog is its header alone, which a CSV reader takes as no rows.
    columns = list(records[0]) if records else list(RECORD_COLUMNS)
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_cell(v) for k, v in record.items()})
    return out.getvalue()


# -- validate ---------------------------------------------------------------------------

_RECORD_TYPES = ("dataset", "customers", "feedback", "responses", "segments", "policy")


def _validate(args: argparse.Namespace) -> int:
    from customer_model.model.customers import Customer
    from customer_model.model.dataset import Dataset
    from customer_model.model.feedback import FeedbackItem
    from customer_model.model.policy import PrioritizationPolicy
    from customer_model.model.segments import Segment
    from customer_model.model.surveys import SurveyResponse

    path, where = args.file, shown(args.file)
    lines = is_lines(path)
    kind = args.type or ("feedback" if lines else "dataset")
    cls: Any = {
        "customers": Customer,
        "feedback": FeedbackItem,
        "responses": SurveyResponse,
        "segments": Segment,
    }.get(kind, Dataset)
    if args.customers is not None and kind not in ("feedback", "responses"):  # never ignored
        raise InputError(
            [f"--customers: checks the customers of feedback or responses, not of a {kind} file"]
        )
    errors: list[str] = []
    try:
        if kind == "policy":
            policy = load_json(path, PrioritizationPolicy)
            print(f"{where}: valid policy: currency {policy.currency or 'none'}")
            return 0
        if kind == "dataset":
            if lines:
                raise InputError([f"{where}: a dataset is one JSON document; use --type for lines"])
            dataset = load_json(path, Dataset)
            print(
                f"{where}: valid dataset: {len(dataset.customers)} customers, "
                f"{len(dataset.feedback)} feedback items, {len(dataset.responses)} survey "
                f"responses, {len(dataset.personas)} personas, {len(dataset.segments)} segments"
            )
            return 0
        if lines and kind == "segments":  # as `rank --segments` reads them
            raise InputError([f"{where}: segments are one JSON array, not JSON Lines"])
        if lines:
            with ProgressBar(sys.stderr, "validating") as bar:
                records = load_lines(path, cls, progress=bar, errors=errors)
        else:
            records = load_array(path, cls, errors=errors)
        errors.extend(duplicate_ids(path, records, lines=lines))
        if args.customers is not None:
            known = {c.id for c in load_customers(args.customers)}
            source = shown(args.customers)
            errors.extend(
                f"{where}:{n}: $.customer_id: refers to no customer in {source}"
                if lines
                else f"{where}: $[{n}].customer_id: refers to no customer in {source}"
                for n, record in records
                if record.customer_id not in known
            )
    except InputError as e:
        errors.extend(e.lines)
    if errors:
        for line in errors:
            print(line, file=sys.stderr)
        if len(errors) > 1:  # one problem is its own summary
            print(f"{where}: {len(errors)} problems", file=sys.stderr)
        return BAD_INPUT
    print(f"{where}: valid: {len(records)} {kind} records")
    return 0


# -- generate ---------------------------------------------------------------------------


#: The most customers ``generate --format json`` makes: about 4.6 GB of memory at the peak.
JSON_CUSTOMERS = 200_000


def _generate(args: argparse.Namespace) -> int:
    from customer_model.examples.bundled import DEFAULT_START, sample_dataset
    from customer_model.serialization import to_json

    start = args.start if args.start is not None else DEFAULT_START
    if args.format != "json":
        from customer_model.cli._tables import generate_tables

        return generate_tables(args, start)
    if args.feedback is not None:
        raise InputError(["--feedback: works with --format jsonl or parquet"])
    if args.customers > JSON_CUSTOMERS:  # the Dataset and its text are held whole
        raise InputError(
            [
                f"--customers: at most {JSON_CUSTOMERS} with --format json, one document made"
                " in memory (about 23 kB a customer); --format jsonl or parquet stream any number"
            ]
        )
    with ProgressBar(sys.stderr, "generating") as bar:
        dataset = sample_dataset(
            customers=args.customers, seed=args.seed, start=start, months=args.months, progress=bar
        )
    text = to_json(dataset, indent=args.indent) + "\n"
    if args.out is None or args.out == STDIO:
        sys.stdout.write(text)
        return 0
    write_whole(args.out, text)  # whole or not at all: a failed write leaves the old file
    print(
        f"wrote {shown(args.out)}: {len(dataset.customers)} customers, {len(dataset.feedback)} "
        f"feedback items, {len(dataset.responses)} survey responses",
        file=sys.stderr,
    )
    return 0


# -- nps --------------------------------------------------------------------------------


def _nps(args: argparse.Namespace) -> int:
    from customer_model.model.surveys import SurveyMeasure
    from customer_model.satisfaction import satisfaction_by_role
    from customer_model.serialization import to_json

    dataset = load_dataset(args.file)
    breakdown = satisfaction_by_role(
        dataset.responses, dataset.customers, measure=SurveyMeasure.NPS
    )
    if args.format == "json":
        print(to_json(breakdown, indent=2))
        return 0
    if breakdown.overall is None:
        print(f"{shown(args.file)}: no NPS answers in responses")
        return 0
    print("NPS by role")
    print()
    print(breakdown)
    return 0


_FORMATTER = argparse.RawDescriptionHelpFormatter

_MAIN_EPILOG = """\
Examples:
  customer-model demo
  customer-model generate --customers 500 --seed 7 --out sample.json
  customer-model validate sample.json
  customer-model rank sample.json --top 10
  customer-model rank feedback.jsonl --customers customers.json --format csv
  customer-model nps sample.json
  customer-model generate --customers 100000 --format parquet --out tables/
  customer-model rank --engine duckdb tables/
  customer-model sql backlog --dialect snowflake --as-of 2025-12-31

Input files: a Dataset as JSON (what `generate` writes), or, for large
exports, JSON Lines (.jsonl / .ndjson) with one record per line.  FILE `-`
reads one JSON document from standard input; a pipe, device or directory
given by name is refused.
Bad input exits with status 2 and names the file and the bad record.
"""

_DEMO_EPILOG = """\
Example:
  customer-model demo
"""

_RANK_EPILOG = """\
Examples:
  customer-model rank data.json
  customer-model rank data.json --as-of 2025-12-31 --top 5
  customer-model rank data.json --policy policy.json --format json > backlog.json
  customer-model rank feedback.jsonl --customers customers.jsonl --format csv
  customer-model rank data.json --scorecard card.json --estimates estimates.csv
  customer-model rank --engine duckdb tables/ --top 10

DATA is a Dataset JSON file (its customers and feedback are used) or a JSON
Lines file of feedback items, one per line, which needs --customers: a
Dataset JSON file, a JSON array of customers, or JSON Lines of customers.
With --engine duckdb, DATA is a folder of record tables (what generate
--format parquet or jsonl writes) or a Dataset JSON file, and the backlog is
computed by SQL in DuckDB.  Without --as-of, the time of the newest feedback
item is used, so the same data always ranks the same way.  --scorecard ranks
the backlog by a team's Scorecard; --estimates gives its manual factors, one
CSV row per theme.
"""

_VALIDATE_EPILOG = """\
Examples:
  customer-model validate data.json
  customer-model validate feedback.jsonl --customers customers.json
  customer-model validate customers.jsonl --type customers
  customer-model validate policy.json --type policy
  customer-model validate segments.json --type segments
  customer-model generate | customer-model validate -

Every problem is listed on stderr, one per line, with the file, the line (for
JSON Lines) and the path of the bad field; the exit status is then 2.  A
valid file prints a one-line summary and exits with 0.
"""

_GENERATE_EPILOG = """\
Examples:
  customer-model generate --customers 200 --seed 1 --out sample.json
  customer-model generate --customers 50000 --seed 1 --indent 0 --out big.json
  customer-model generate --customers 20 --seed 3 --start 2024-01-01 --months 24
  customer-model generate --customers 1000000 --feedback 10000000 \\
      --format parquet --out tables/

The same arguments always write the same bytes: the data starts at --start
(default 2025-01-01, UTC) and no clock is read.
"""

_NPS_EPILOG = """\
Examples:
  customer-model nps data.json
  customer-model nps data.json --format json

Scores the NPS answers in the dataset's survey responses overall and by the
respondent's role for their customer: purchasers against users (a person in
both roles counts in both), with the gap between them.
"""


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="customer-model",
        description="Explore customers, purchasers, users and their feedback.",
        epilog=_MAIN_EPILOG,
        formatter_class=_FORMATTER,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = sub.add_parser(
        "demo",
        help="show the role split of a built-in example",
        description="Show who buys and who uses in a built-in example: a household where "
        "the parent buys and the baby uses, a self-serve consumer, and a business "
        "buying group where one lead also uses the product.",
        epilog=_DEMO_EPILOG,
        formatter_class=_FORMATTER,
    )
    demo.set_defaults(handler=run_demo)

    rank = sub.add_parser(
        "rank",
        help="rank feedback themes into a backlog",
        description="Rank the themes of a dataset's feedback into a prioritized backlog.",
        epilog=_RANK_EPILOG,
        formatter_class=_FORMATTER,
    )
    rank.add_argument(
        "file",
        metavar="DATA",
        help="Dataset JSON, JSON Lines of feedback, or (duckdb) a folder of record tables",
    )
    rank.add_argument(
        "--engine",
        choices=("python", "duckdb"),
        default="python",
        help="where to compute: prioritize() in memory, or SQL in DuckDB (needs duckdb)",
    )
    rank.add_argument("--customers", metavar="FILE", help="where the customers come from")
    rank.add_argument("--policy", metavar="FILE", help="a PrioritizationPolicy as JSON")
    rank.add_argument(
        "--as-of", type=as_of, metavar="ISO", help="reference time (default: newest feedback)"
    )
    rank.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="a table to read (default), the Backlog as JSON, or one CSV row per theme",
    )
    rank.add_argument("--top", type=count, metavar="N", help="show only the first N themes")
    rank.add_argument("--scorecard", metavar="FILE", help="rank by a Scorecard (JSON) instead")
    rank.add_argument("--estimates", metavar="FILE", help="CSV: a theme column, one per factor")
    rank.add_argument(
        "--segments",
        metavar="FILE",
        help="segments the policy weighs: a JSON array of them or a Dataset JSON file "
        "(default: a Dataset DATA's own)",
    )
    rank.set_defaults(handler=_rank)

    from customer_model.cli._warehouse import add_sql_command

    add_sql_command(sub, as_of=as_of, formatter=_FORMATTER)

    validate = sub.add_parser(
        "validate",
        help="check a file and list every problem",
        description="Check a Dataset JSON file (or a JSON array or JSON Lines of records) "
        "and list every problem found.",
        epilog=_VALIDATE_EPILOG,
        formatter_class=_FORMATTER,
    )
    validate.add_argument(
        "file", metavar="FILE", help="a Dataset JSON file, a JSON array, or JSON Lines records"
    )
    validate.add_argument(
        "--type",
        choices=_RECORD_TYPES,
        help="what the file holds (default: dataset for .json, feedback for .jsonl)",
    )
    validate.add_argument(
        "--customers", metavar="FILE", help="also check that every record's customer exists"
    )
    validate.set_defaults(handler=_validate)

    generate = sub.add_parser(
        "generate",
        help="write a realistic sample dataset",
        description="Write a realistic, reproducible Dataset as JSON: households, consumers "
        "and businesses (some of them intermediaries), a year of purchases and usage, "
        "feedback with rising and falling themes, and survey answers.",
        epilog=_GENERATE_EPILOG,
        formatter_class=_FORMATTER,
    )
    generate.add_argument(
        "--customers", type=count, metavar="N", default=200, help="how many (default: 200)"
    )
    generate.add_argument(
        "--seed",
        type=seed,
        metavar="S",
        default=0,
        help="the same seed, the same data (default: 0)",
    )
    generate.add_argument(
        "--out", metavar="PATH", help="file (json; default stdout) or folder (jsonl, parquet)"
    )
    generate.add_argument(
        "--format",
        choices=("json", "jsonl", "parquet"),
        default="json",
        help="a Dataset JSON file, or the five record tables as JSON Lines or Parquet",
    )
    generate.add_argument(
        "--feedback",
        type=amount,
        metavar="N",
        help="about N feedback rows in all (tables only; default about 4.6 per customer)",
    )
    generate.add_argument(
        "--start", type=start, metavar="ISO", help="first day of data (default 2025-01-01)"
    )
    generate.add_argument(
        "--months",
        type=count,
        metavar="M",
        default=12,
        help="months of activity from --start (default: 12)",
    )
    generate.add_argument(
        "--indent", type=indent, metavar="N", default=None, help="pretty-print with N spaces"
    )
    generate.set_defaults(handler=_generate)

    nps = sub.add_parser(
        "nps",
        help="NPS overall and by role (purchasers vs users)",
        description="Net Promoter Score of a dataset's survey responses, by role.",
        epilog=_NPS_EPILOG,
        formatter_class=_FORMATTER,
    )
    nps.add_argument("file", metavar="FILE", help="a Dataset JSON file with survey responses")
    nps.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="a table to read (default), or the RoleBreakdown as JSON",
    )
    nps.set_defaults(handler=_nps)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    received: list[int] = []
    command = "customer-model"
    try:
        with stops(received):  # a stop while the handlers are set or reset is caught too
            args = _parser().parse_args(argv)
            command = f"customer-model {args.command}"
            with open_output():  # either closed by the shell (`>&-`, `2>&-`)
                return _run(args, received)
    except BaseException as e:
        if not received and isinstance(e, KeyboardInterrupt):  # SIGINT after ours was put back
            received.append(signal.SIGINT)
        if not received:
            raise
        name = signal.Signals(received[0]).name
        print(f"{command}: stopped ({name})", file=sys.stderr)
        return 128 + received[0]


def _run(args: argparse.Namespace, received: list[int]) -> int:
    """The command's status; an error once a stop was *received* is the stop's doing."""
    try:
        one_standard_input(args)
        status = int(args.handler(args))
        sys.stdout.flush()  # a full disk is told here, not in a traceback at exit
        return status
    except InputError as e:
        if received:  # DuckDB's query interrupted by the stop, say
            raise
        print(e.summary(), file=sys.stderr)
        return BAD_INPUT
    except ValidationError as e:  # arguments a command passed on that broke a rule
        if received:
            raise
        for problem in e.problems:
            print(f"customer-model {args.command}: {problem}", file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:  # `customer-model rank big.json | head`
        sys.stderr.close()
        return 1
    except OSError as e:  # writing standard output (files are read and written elsewhere)
        why = e.strerror or type(e).__name__
        if e.filename is not None:  # a file a step looked at without saying so itself
            print(f"{shown(os.fsdecode(e.filename))}: cannot use ({why})", file=sys.stderr)
            return BAD_INPUT
        print(
            f"customer-model {args.command}: cannot write to standard output ({why})",
            file=sys.stderr,
        )
        return 1
