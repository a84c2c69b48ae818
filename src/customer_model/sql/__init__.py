"""Segment rules as SQL ``WHERE`` expressions, for any engine sqlglot speaks.

Needs the ``sql`` extra (sqlglot); ``import customer_model`` never loads this
module.  The expression reads the columns of
:func:`customer_model.records.to_records` (or the caller's own names, through
*columns*) and gives exactly the customers that
:meth:`Segment.matches <customer_model.Segment.matches>` gives:

* every comparison is wrapped in ``COALESCE(..., FALSE)``, so a missing value
  makes it false, never unknown, and ``NOT`` behaves as in Python;
* set columns hold escaped tags joined with commas (see the records page), and
  ``contains`` searches ``',' || column || ','`` for ``',tag,'``;
* spend is compared as ``DECIMAL(38, 9)`` (``NUMERIC`` in BigQuery), which is
  why spend thresholds may have at most 9 decimal places and 29 integer digits,
  and why ``to_records`` refuses a total spend beyond that (a rounded total
  would select different customers than Python);
* times are compared with ISO 8601 UTC text literals: exact against the
  fixed-width text of the records, and converted implicitly by engines whose
  column is a real timestamp.  Windows are resolved against ``as_of`` in Python,
  so the SQL carries two literal bounds, never the clock;
* RFM fields read precomputed ``rfm_*`` columns (fill them with
  ``to_records(customers, rfm=rfm_scores(...))``): scores are relative to a
  population and not computed per row.

Every value becomes an escaped literal built as a sqlglot expression, never
text pasted into SQL, so no value can change the shape of the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import UnsupportedError

from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._rule_fields import (
    FIELDS,
    FieldSpec,
    Kind,
    encode_tag,
    iso,
    sql_decimal_text,
)
from customer_model.model._validation import Checker
from customer_model.model.policy import PrioritizationPolicy
from customer_model.model.rules import (
    Always,
    And,
    Between,
    Compare,
    Contains,
    In,
    Missing,
    Not,
    OlderThan,
    Or,
    Rule,
    Within,
)
from customer_model.model.segments import Segment
from customer_model.sql._backlog import BacklogSQL, build, check_arguments, check_dialect
from customer_model.sql._engine import prioritize_sql
from customer_model.sql._writing import TABLES as _TABLES
from customer_model.sql._writing import holds_nul

#: The record tables the backlog reads, by the name it gives them unless ``tables=`` renames them.
TABLES = _TABLES

__all__ = [
    "DIALECTS",
    "TABLES",
    "BacklogSQL",
    "backlog_sql",
    "prioritize_sql",
    "where_expression",
    "where_sql",
]

#: Dialects the expressions are tested against; any other sqlglot dialect is accepted too.
DIALECTS = ("duckdb", "postgres", "spark", "bigquery", "snowflake")

_BACKLOG_SUBJECT = "backlog_sql arguments"

_DECIMAL = exp.DataType.build("DECIMAL(38, 9)")
_COMPARE: dict[str, Callable[..., exp.Expr]] = {
    "eq": exp.EQ,
    "ne": exp.NEQ,
    "lt": exp.LT,
    "le": exp.LTE,
    "gt": exp.GT,
    "ge": exp.GTE,
}


def _safe(condition: exp.Expr) -> exp.Expr:
    """False instead of unknown when a column is NULL."""
    return exp.Coalesce(this=condition, expressions=[exp.false()])


class _Builder:
    def __init__(self, as_of: datetime | None, columns: Mapping[str, str]) -> None:
        self.as_of = as_of
        self.columns = columns

    def column(self, spec: FieldSpec) -> exp.Expr:
        custom = self.columns.get(spec.name)
        if custom is None:
            col: exp.Expr = exp.column(exp.to_identifier(spec.column))
        else:
            col = exp.column(exp.to_identifier(custom, quoted=True))
        if spec.kind is Kind.DECIMAL:
            return exp.Cast(this=col, to=_DECIMAL.copy())
        return col

    def literal(self, spec: FieldSpec, value: object) -> exp.Expr:
        kind = spec.kind
        if kind is Kind.ENUM:
            return exp.Literal.string(value.value)  # type: ignore[attr-defined]
        if kind is Kind.DATETIME:
            assert isinstance(value, datetime)  # one UTC can hold: the model checks it
            return exp.Literal.string(iso(value))
        if kind is Kind.DECIMAL:
            return _number(sql_decimal_text(value))  # type: ignore[arg-type]
        if kind in (Kind.INT, Kind.SCORE):
            return _number(str(value))
        assert isinstance(value, str)
        return exp.Literal.string(value)

    def build(self, rule: Rule) -> exp.Expr:
        for node in type(rule).__mro__:
            translate = _SQL.get(node)
            if translate is not None:
                return translate(self, rule)
        raise ValidationError.single(
            "segment",
            f"has a rule node SQL has no form for: {type(rule).__name__}",
            "where_sql arguments",
        )

    def field(self, rule: Rule) -> tuple[FieldSpec, exp.Expr]:
        """The catalogue entry of the field *rule* reads, and its column."""
        spec = FIELDS[rule.field]  # type: ignore[attr-defined]
        return spec, self.column(spec)


# -- one translation per node type (rules.NODES); a test checks that none is missing --


def _compare(b: _Builder, rule: Compare) -> exp.Expr:
    spec, col = b.field(rule)
    return _safe(_COMPARE[rule.op](this=col, expression=b.literal(spec, rule.value)))


def _between(b: _Builder, rule: Between) -> exp.Expr:
    spec, col = b.field(rule)
    low, high = b.literal(spec, rule.lo), b.literal(spec, rule.hi)
    return _safe(exp.Between(this=col, low=low, high=high))


def _in(b: _Builder, rule: In) -> exp.Expr:
    spec, col = b.field(rule)
    values = sorted((b.literal(spec, v) for v in rule.values), key=lambda e: e.sql())
    return _safe(exp.In(this=col, expressions=values))


def _contains(b: _Builder, rule: Contains) -> exp.Expr:
    _, col = b.field(rule)
    haystack = exp.DPipe(
        this=exp.DPipe(this=exp.Literal.string(","), expression=col),
        expression=exp.Literal.string(","),
    )
    needle = exp.Literal.string(f",{encode_tag(rule.value)},")
    found = exp.GT(
        this=exp.StrPosition(this=haystack, substr=needle),
        expression=exp.Literal.number(0),
    )
    return _safe(found)


def _missing(b: _Builder, rule: Missing) -> exp.Expr:
    spec, col = b.field(rule)
    if spec.kind is Kind.SET:
        return _safe(exp.EQ(this=col, expression=exp.Literal.string("")))
    return exp.Is(this=col, expression=exp.Null())


def _within(b: _Builder, rule: Within) -> exp.Expr:
    spec, col = b.field(rule)
    assert b.as_of is not None
    lo, hi = (b.literal(spec, t) for t in rule.utc_bounds(b.as_of))
    return _safe(exp.Between(this=col, low=lo, high=hi))


def _older_than(b: _Builder, rule: OlderThan) -> exp.Expr:
    spec, col = b.field(rule)
    assert b.as_of is not None
    lo = b.literal(spec, rule.utc_bounds(b.as_of)[0])
    return _safe(exp.LT(this=col, expression=lo))


def _and(b: _Builder, rule: And) -> exp.Expr:
    return exp.and_(*(b.build(r) for r in rule.rules), copy=False)


def _or(b: _Builder, rule: Or) -> exp.Expr:
    return exp.or_(*(b.build(r) for r in rule.rules))


def _not(b: _Builder, rule: Not) -> exp.Expr:
    return exp.Not(this=exp.paren(b.build(rule.rule), copy=False))


def _always(b: _Builder, rule: Always) -> exp.Expr:
    return exp.true()


_SQL: dict[type[Rule], Callable[[_Builder, Any], exp.Expr]] = {
    Compare: _compare,
    Between: _between,
    In: _in,
    Contains: _contains,
    Missing: _missing,
    Within: _within,
    OlderThan: _older_than,
    And: _and,
    Or: _or,
    Not: _not,
    Always: _always,
}


def _number(text: str) -> exp.Expr:
    if text.startswith("-"):
        return exp.Neg(this=exp.Literal.number(text[1:]))
    return exp.Literal.number(text)


def _rule_of(segment: Segment | Rule) -> Rule:
    if isinstance(segment, Segment):
        return segment.rule
    if isinstance(segment, Rule):
        return segment
    raise ValidationError.single(
        "segment", f"must be a Segment or a Rule, not {type_name(segment)}", "where_sql"
    )


def where_expression(
    segment: Segment | Rule,
    *,
    as_of: datetime | None = None,
    columns: Mapping[str, str] | None = None,
) -> exp.Expr:
    """The segment's rule as a sqlglot boolean expression (see :func:`where_sql`)."""
    rule = _rule_of(segment)
    check = Checker()
    check.aware("as_of", as_of, optional=True)
    if as_of is None and rule.needs_as_of:
        check.add("as_of", "is required: the rule has a time window")
    mapping: dict[str, str] = {}
    if columns is not None:
        given: object = columns  # untyped callers may pass anything
        if not isinstance(given, Mapping):
            check.add("columns", f"must be a mapping of field to column, not {type_name(columns)}")
        else:
            for key, name in columns.items():
                if key not in FIELDS:
                    # The key is not repeated: it is text a user typed.
                    check.add("columns", f"keys must be rule fields, one of {', '.join(FIELDS)}")
                elif check.text(("columns", key), name):
                    mapping[key] = name
    check.done("where_sql arguments")
    return _Builder(as_of, mapping).build(rule)


def where_sql(
    segment: Segment | Rule,
    dialect: str = "duckdb",
    *,
    as_of: datetime | None = None,
    columns: Mapping[str, str] | None = None,
) -> str:
    """The segment's rule as a SQL boolean expression in *dialect*.

    *columns* maps rule field names to the caller's column names where they
    differ from the record columns; those names are quoted, so give them
    exactly as the engine stores them.  *as_of* is required when the rule has
    a time window.
    """
    check = Checker()
    if check.text("dialect", dialect):
        try:
            sqlglot.Dialect.get_or_raise(dialect)
        except ValueError:
            check.add("dialect", "is not a SQL dialect sqlglot knows")
    check.done("where_sql arguments")
    where = where_expression(segment, as_of=as_of, columns=columns)
    if dialect == "postgres" and holds_nul(where):
        raise ValidationError.single(
            "segment",
            "compares with text that holds the character U+0000, which PostgreSQL text cannot hold",
            "where_sql arguments",
        )
    return where.sql(dialect=dialect)


def backlog_sql(
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    *,
    as_of: datetime,
    dialect: str = "duckdb",
    segments: Iterable[Segment] = (),
    tables: Mapping[str, str] | None = None,
) -> BacklogSQL:
    """The SQL that ranks the backlog :func:`~customer_model.prioritize` ranks, from tables.

    The tables are the record tables (:data:`TABLES`, with the columns of
    :mod:`customer_model.records`, typed as ``records.COLUMN_TYPES`` says);
    *tables* maps any of those names to the caller's (``"feedback":
    "crm.support_tickets"``; a dotted name is a schema-qualified one).
    *segments* are the :class:`~customer_model.Segment` values whose weights
    the policy names; a segment whose rule reads RFM scores is refused, since
    SQL cannot score a population per row.  *dialect* is any dialect sqlglot
    knows and can write the query in (MySQL, which has no arrays, is
    refused); ``duckdb``, ``spark``, ``postgres``, ``bigquery`` and
    ``snowflake`` are tested.  sqlglot writes some dialects whose engines
    lack arrays of structs without complaint (SQLite, T-SQL, Oracle): their
    text does not run.
    """
    check = Checker()
    chosen, names = check_arguments(check, policy, as_of, segments, tables, dialect=dialect)
    check_dialect(check, dialect)
    check.done(_BACKLOG_SUBJECT)
    try:
        return build(policy, as_of, chosen, names).sql(dialect)
    except UnsupportedError as e:  # sqlglot's words are about SQL constructs, never values
        said = str(e).split("\n", 1)[0]
        raise ValidationError.single(
            "dialect",
            f"sqlglot cannot write the backlog in this dialect ({said}); {', '.join(DIALECTS)} are"
            " tested",
            _BACKLOG_SUBJECT,
        ) from None
