"""What the record tables can hold that :func:`~customer_model.prioritize` would refuse.

Objects are checked when they are made; rows are not.  The checks query
counts, in one row, the offending rows (or ids) of every check, one pass
per table; only when a count is not zero are a few ids fetched, never a
value (a theme or an enum column may hold what a user typed).
:func:`problems` says what is wrong in the words ``prioritize()`` uses.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

import attrs
from sqlglot import exp

from customer_model.errors import Path, Problem
from customer_model.model._moments import OUT_OF_UTC_RANGE
from customer_model.model._rule_fields import FIELDS, Kind, iso
from customer_model.model._validation import MAX_ITEMIZED
from customer_model.model.feedback import FeedbackKind, Importance, Need
from customer_model.model.segments import Segment

__all__ = [
    "EXAMPLES",
    "WHITE_SPACE",
    "Probe",
    "checks_tree",
    "not_identifiers",
    "probes",
    "problems",
    "unreadable",
]

#: How many offending ids a problem shows.
EXAMPLES = 5

#: Columns the backlog reads that must hold a value, per table, and the id a row shows.
_REQUIRED: dict[str, tuple[str, tuple[str, ...]]] = {
    "feedback": ("id", ("id", "customer_id", "theme", "kind", "created_at")),
    "customers": ("id", ("id",)),
    "purchases": ("customer_id", ("customer_id", "amount", "currency", "at")),
    "purchasers": ("customer_id", ("customer_id", "person_id")),
    "users": ("customer_id", ("customer_id", "person_id")),
}
#: The characters Python's ``str.strip()`` removes (those whose ``isspace()`` is true).
WHITE_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_ENUMS: tuple[tuple[str, type[enum.Enum]], ...] = (
    ("kind", FeedbackKind),
    ("need", Need),
    ("importance", Importance),
)


@attrs.frozen
class Probe:
    """One check: offending rows of *table* (``rows``), ids repeated, or distinct values."""

    table: str
    column: str
    problem: str
    where: exp.Expr
    #: What is counted: rows where *where* holds, ids occurring twice, or distinct *column*.
    count: Literal["rows", "repeated", "distinct"] = "rows"
    enum: type[enum.Enum] | None = None

    @property
    def name(self) -> str:
        """The column of the checks row that counts it."""
        return f"{self.table}_{self.column}_{self.problem}"

    @property
    def itemized(self) -> int:
        """How many ids to fetch: up to :data:`EXAMPLES`, or as many as ``prioritize()`` itemizes.

        Each absent customer and each repeated customer id is a problem of its
        own in ``prioritize()``, which names :data:`MAX_ITEMIZED` of them.
        """
        named = self.problem == "unknown" or (self.problem, self.table) == ("repeated", "customers")
        return MAX_ITEMIZED if named else EXAMPLES

    @property
    def shown(self) -> str:
        """The column whose values identify the offending rows."""
        return self.column if self.count != "rows" else _REQUIRED[self.table][0]

    def examples(self) -> exp.Select:
        """Up to :attr:`itemized` offending ids, smallest first, each with two exact counts.

        The first count is of offending rows, or of distinct ids for repeats
        and absent customers; the second of the ids (an id that stands for
        several offending rows is shown, and counted, once).
        """
        column = _c(self.shown)
        query = exp.select(column).from_(_from(self.table)).where(self.where)
        if self.count == "repeated":
            query = query.group_by(column.copy()).having(_more_than_once())
        elif self.count == "distinct":
            query = query.distinct()
        shown = exp.column(self.shown, table="e")
        total: exp.Expr = exp.Window(this=exp.Count(this=exp.Star()))
        if self.count == "rows":  # one id may stand for several rows: shown once, all counted
            total = exp.Window(this=exp.Sum(this=exp.Count(this=exp.Star())))
            total = exp.cast(total, exp.DataType.build("BIGINT"))
        ids = exp.Window(this=exp.Count(this=shown.copy()))  # of the ids (not NULL), grouped
        counted = exp.select(shown, total, ids).from_(
            exp.Subquery(this=query, alias=exp.TableAlias(this="e"))
        )
        if self.count == "rows":
            counted = counted.group_by(shown.copy())
        # ASC written out: a DuckDB connection may order descending by default
        # (default_order), or NULLs first (default_null_order), where an id-less
        # row, which cannot be shown, would take a slot: ids first, then by id.
        ids_first = exp.Ordered(this=exp.Is(this=shown.copy(), expression=exp.Null()), desc=False)
        smallest = exp.Ordered(this=shown.copy(), desc=False)
        return counted.order_by(ids_first, smallest).limit(self.itemized)


def _c(name: str) -> exp.Column:
    return exp.column(name, table="q")


def _from(table: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(table), alias=exp.TableAlias(this="q"))


def _null(column: str) -> exp.Expr:
    return exp.Is(this=_c(column), expression=exp.Null())


def _not_null(column: str) -> exp.Expr:
    return exp.Not(this=_null(column))


def _more_than_once() -> exp.Expr:
    return exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))


def _outside(column: str, members: type[enum.Enum]) -> exp.Expr:
    values = [exp.Literal.string(m.value) for m in members]
    return exp.Not(this=exp.In(this=_c(column), expressions=values))


def _upper_letter(column: exp.Expr, position: int) -> exp.Expr:
    """The character at *position* is A to Z, by its code (a collation may put ``u`` there)."""
    char = exp.Substring(
        this=column.copy(), start=exp.Literal.number(position), length=exp.Literal.number(1)
    )
    return exp.Between(
        this=exp.Ascii(this=char), low=exp.Literal.number(65), high=exp.Literal.number(90)
    )


def probes(as_of: datetime, segments: Sequence[Segment]) -> list[Probe]:
    """Every check the tables get, in the order of the checks row."""
    out = [
        Probe(table, column, "null", _null(column))
        for table, (_, columns) in _REQUIRED.items()
        for column in columns
    ]
    late = exp.GT(
        this=_c("created_at"),
        expression=exp.cast(exp.Literal.string(iso(as_of)), exp.DataType.Type.TIMESTAMPTZ),
    )
    known = (
        exp.select(exp.column("id", table="c"))
        .from_(
            exp.Table(this=exp.to_identifier("customers"), alias=exp.TableAlias(this="c")),
            copy=False,
        )
        .where(
            exp.Not(this=exp.Is(this=exp.column("id", table="c"), expression=exp.Null())),
            copy=False,
        )
    )
    out += [
        Probe("feedback", "id", "repeated", _not_null("id"), "repeated"),
        Probe("feedback", "created_at", "late", late),
        # (after year 9999 is after as_of: late)
        Probe("feedback", "created_at", "out_of_range", _before_year_1("created_at")),
        Probe(
            "feedback",
            "customer_id",
            "unknown",
            exp.Not(this=exp.In(this=_c("customer_id"), query=exp.Subquery(this=known))),
            "distinct",
        ),
        *(
            Probe("feedback", column, "outside", _outside(column, members), enum=members)
            for column, members in _ENUMS
        ),
        Probe("customers", "id", "repeated", _not_null("id"), "repeated"),
    ]
    for name in sorted({f for s in segments for f in s.rule.fields}):
        spec = FIELDS[name]
        if spec.kind is Kind.ENUM and spec.enum is not None:
            outside = _outside(spec.column, spec.enum)
            out.append(Probe("customers", spec.column, "outside", outside, enum=spec.enum))
        elif not spec.nullable:
            out.append(Probe("customers", spec.column, "null", _null(spec.column)))
    currency = _c("currency")
    well_formed = exp.and_(
        exp.EQ(this=exp.Length(this=currency.copy()), expression=exp.Literal.number(3)),
        *(_upper_letter(currency, i) for i in (1, 2, 3)),
    )
    out += [
        Probe("purchases", "currency", "malformed", exp.Not(this=exp.paren(well_formed))),
        Probe(
            "purchases",
            "amount",
            "negative",
            exp.LT(this=_c("amount"), expression=exp.Literal.number(0)),
        ),
        Probe("purchases", "at", "out_of_range", _outside_years_1_to_9999("at")),
    ]
    return out


def _before_year_1(column: str) -> exp.Expr:
    """Before the first instant a datetime holds: DuckDB's and PostgreSQL's ``-infinity``."""
    first = exp.cast(exp.Literal.string("0001-01-01T00:00:00+00:00"), exp.DataType.Type.TIMESTAMPTZ)
    return exp.LT(this=_c(column), expression=first)


def _outside_years_1_to_9999(column: str) -> exp.Expr:
    """Outside the instants a datetime holds: ``-infinity``, ``infinity``, year 10000 on.

    A purchase there would otherwise be left out of revenue (or counted in it)
    where ``prioritize()`` could not have been given it at all.
    """
    last = exp.cast(
        exp.Literal.string("9999-12-31T23:59:59.999999+00:00"), exp.DataType.Type.TIMESTAMPTZ
    )
    return exp.or_(_before_year_1(column), exp.GT(this=_c(column), expression=last))


def not_identifiers() -> list[Probe]:
    """Feedback ids and themes that are empty or start or end with white space.

    Not part of the checks query: trimming every id and theme costs DuckDB
    more than the whole backlog query, and the model (a ``BacklogItem``, or
    the ``Backlog``'s skipped ids) refuses such values anyway.  These probes
    run only after it has, to say which rows.
    """
    out = []
    for column in ("id", "theme"):
        trimmed = exp.Trim(this=_c(column), expression=exp.Literal.string(WHITE_SPACE))
        where = exp.or_(
            exp.EQ(this=_c(column), expression=exp.Literal.string("")),
            exp.NEQ(this=trimmed, expression=_c(column)),
        )
        out.append(Probe("feedback", column, "not_identifier", where))
    return out


#: The rows of a table sharing one combination of its vocabulary columns' values.
_ROWS = "cm_rows"


def _flagged(condition: exp.Expr, rows: exp.Expr | None = None) -> exp.Expr:
    """The rows where *condition* holds (each row standing for *rows* rows, if given).

    A sum of counts is cast back to a count: PostgreSQL sums ``BIGINT`` as ``NUMERIC``.
    """
    flag = exp.Case(
        ifs=[exp.If(this=condition, true=rows or exp.Literal.number(1))],
        default=exp.Literal.number(0),
    )
    total = exp.Coalesce(this=exp.Sum(this=flag), expressions=[exp.Literal.number(0)])
    return total if rows is None else exp.cast(total, exp.DataType.Type.BIGINT)


def _counted(probe: Probe) -> exp.Expr:
    """Not zero exactly when the probe finds something (repeats: the surplus rows)."""
    if probe.count == "rows" and probe.enum is not None:  # over rows grouped by value
        return _flagged(probe.where, _c(_ROWS))
    if probe.count == "rows":
        return _flagged(probe.where)
    if probe.count == "repeated":
        column = _c(probe.column)
        return exp.Sub(
            this=exp.Count(this=column),
            expression=exp.Count(this=exp.Distinct(expressions=[column.copy()])),
        )
    # feedback whose customer the joined list of customer ids lacks
    absent = exp.and_(
        _not_null("customer_id"), exp.Is(this=exp.column("id", table="k"), expression=exp.Null())
    )
    return _flagged(absent)


def checks_tree(as_of: datetime, segments: Sequence[Segment]) -> exp.Expr:
    """One row: per check, a count that is not zero when the check fails; one pass per table.

    The feedback pass joins the distinct customer ids to find absent customers.
    Values outside a vocabulary are counted over the rows grouped by the
    vocabulary columns' values, a pass of its own: a few hundred groups
    tested instead of every row (at 10M feedback rows 1.17 s for the whole
    checks query instead of 1.36 s).  Repeated feedback ids are counted in a
    pass of their own too: beside the other counts, DuckDB first writes the
    whole joined feedback pass aside for the distinct count (2.0 CPU seconds
    instead of 2.3 at 10M rows).  The tree is built in place
    (``copy=False``): the builders' default copies the query at every step,
    which cost about 10 ms a call instead of 3.
    """
    checks = probes(as_of, segments)
    by_table: dict[tuple[str, bool, bool], list[Probe]] = {}
    for probe in checks:
        alone = probe.table == "feedback" and probe.count == "repeated"
        by_table.setdefault((probe.table, probe.enum is not None, alone), []).append(probe)
    parts = []
    for (table, by_value, _), group in by_table.items():
        counts = (_counted(p).as_(p.name, copy=False) for p in group)
        source = _grouped(table, group) if by_value else _from(table)
        part = exp.select(*counts).from_(source, copy=False)
        if any(p.count == "distinct" for p in group):
            ids = (
                exp.select(exp.column("id", table="c"))
                .distinct(copy=False)
                .from_(
                    exp.Table(this=exp.to_identifier("customers"), alias=exp.TableAlias(this="c")),
                    copy=False,
                )
            )
            part = part.join(
                exp.Subquery(this=ids, alias=exp.TableAlias(this="k")),
                on=exp.EQ(this=exp.column("id", table="k"), expression=_c("customer_id")),
                join_type="LEFT",
                copy=False,
            )
        parts.append(part)
    names = [p.name for p in checks]
    first = exp.Subquery(this=parts[0], alias=exp.TableAlias(this="t0"))
    query = exp.select(*names).from_(first, copy=False)
    for i, part in enumerate(parts[1:], start=1):
        query = query.join(
            exp.Subquery(this=part, alias=exp.TableAlias(this=f"t{i}")),
            join_type="CROSS",
            copy=False,
        )
    return query


def _grouped(table: str, group: list[Probe]) -> exp.Subquery:
    """*table*'s rows counted by the values of the columns *group* reads, as ``q``."""
    columns = list(dict.fromkeys(p.column for p in group))
    keys = [exp.column(c, table="r") for c in columns]
    rows = exp.Count(this=exp.Star()).as_(_ROWS, copy=False)
    source = exp.Table(this=exp.to_identifier(table), alias=exp.TableAlias(this="r"))
    values = (
        exp.select(*keys, rows)
        .from_(source, copy=False)
        .group_by(*(k.copy() for k in keys), copy=False)
    )
    return exp.Subquery(this=values, alias=exp.TableAlias(this="q"))


def _shown(examples: Iterable[str], count: int) -> str:
    ids = sorted(examples)
    shown = ", ".join(map(repr, ids))
    return shown if count <= len(ids) else f"{shown} and {count - len(ids)} more"


def problems(
    found: Iterable[tuple[Probe, int, list[str], int]], names: Mapping[str, str]
) -> list[Problem]:
    """What each failed check means, in ``prioritize()``'s words where it has them.

    *found* holds each failed probe with its count, some of its ids and how
    many ids there are in all.
    """
    out: list[Problem] = []
    for probe, count, examples, ids in found:
        table = names.get(probe.table, probe.table)
        path: Path = (table, probe.column)
        listed = _shown(examples, ids)
        which = f" ({probe.shown} {listed})" if examples else ""
        problem = probe.problem
        if problem == "unknown":
            out += [
                Problem(
                    path,
                    f"refers to customer {cid!r}, which is not among the customers "
                    "(pass on_unknown_customer='skip' to leave such items out)",
                )
                for cid in sorted(examples)
            ]
            if count > len(examples):
                out.append(
                    Problem(path, f"refers to {count - len(examples):,} more absent customer(s)")
                )
        elif problem == "repeated" and probe.table == "feedback":
            out.append(Problem((table,), f"repeats the id(s) {listed}"))
        elif problem == "repeated":  # customers: prioritize() names each repeated id
            out += [Problem(path, f"id {cid!r} is used more than once") for cid in sorted(examples)]
            if ids > len(examples):
                more = ids - len(examples)
                out.append(Problem(path, f"{more:,} more id(s) are used more than once"))
        elif problem == "late":
            out.append(Problem((table,), f"has item(s) created after as_of: {listed}"))
        elif problem == "out_of_range":
            out.append(Problem(path, f"{OUT_OF_UTC_RANGE}, but does not in {count} row(s){which}"))
        elif problem == "null":
            out.append(Problem(path, f"is required, but is NULL in {count} row(s){which}"))
        elif problem == "outside":
            assert probe.enum is not None
            allowed = ", ".join(repr(m.value) for m in probe.enum)
            out.append(
                Problem(path, f"must be one of {allowed}, but is not in {count} row(s){which}")
            )
        elif problem == "malformed":
            out.append(
                Problem(
                    path,
                    "must be an ISO 4217 code (three upper-case letters), "
                    f"but is not in {count} row(s){which}",
                )
            )
        elif problem == "not_identifier":
            out.append(
                Problem(
                    path,
                    "must not be empty or start or end with white space, "
                    f"but does in {count} row(s){which}",
                )
            )
        else:  # negative
            out.append(Problem(path, f"must not be negative, but is in {count} row(s){which}"))
    return out


#: The engines' errors for a statement naming a table or column the connection
#: does not have, or of another type: DuckDB's, Spark's and psycopg's.
_UNREADABLE = frozenset(
    {"CatalogException", "BinderException", "AnalysisException", "UndefinedTable"}
    | {"UndefinedColumn", "DatatypeMismatch", "UndefinedFunction"}
)


def unreadable(error: Exception) -> Problem | None:
    """What an engine's *error* says of the caller's tables or connection; else None.

    By the error's class, never its message, which quotes the statement.
    """
    name = type(error).__name__
    if name == "ConnectionException":  # DuckDB's, for a closed connection
        return Problem(("connection",), "is closed")
    if name not in _UNREADABLE:
        return None
    return Problem(
        ("tables",),
        "cannot be read as the backlog reads them: a table or a column it reads is "
        "missing, or a column is not of the type records.COLUMN_TYPES gives",
    )
