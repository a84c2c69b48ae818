"""What the record tables can hold that :func:`~customer_model.prioritize` would refuse.

Objects are checked when they are made; rows are not.  The checks query finds,
per table, column and problem, how many rows are wrong and up to five ids
(never a value: a theme or an enum column may hold what a user typed), and
:func:`problems` turns them into the words ``prioritize()`` uses.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

import attrs
from sqlglot import exp

from customer_model.errors import Problem
from customer_model.model._rule_fields import FIELDS, Kind, iso
from customer_model.model.feedback import FeedbackKind, Importance, Need
from customer_model.model.policy import PrioritizationPolicy
from customer_model.model.segments import Segment

__all__ = ["EXAMPLES", "checks_tree", "problems"]

#: How many offending ids a check shows.
EXAMPLES = 5

#: Columns the backlog reads that must hold a value, per table, and the id each row shows.
_REQUIRED: dict[str, tuple[str, tuple[str, ...]]] = {
    "feedback": ("id", ("id", "customer_id", "theme", "kind", "created_at")),
    "customers": ("id", ("id",)),
    "purchases": ("customer_id", ("customer_id", "amount", "currency", "at")),
    "purchasers": ("customer_id", ("customer_id", "person_id")),
    "users": ("customer_id", ("customer_id", "person_id")),
}
_ENUMS: tuple[tuple[str, type[enum.Enum]], ...] = (
    ("kind", FeedbackKind),
    ("need", Need),
    ("importance", Importance),
)


@attrs.frozen
class _Probe:
    table: str
    column: str
    problem: str
    rows: exp.Select


def _c(table: str, name: str) -> exp.Column:
    return exp.column(name, table=table)


def _from(table: str, alias: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(table), alias=exp.TableAlias(this=alias))


def _rows(table: str, example: str, where: exp.Expr) -> exp.Select:
    return exp.select(_c("q", example).as_("example")).from_(_from(table, "q")).where(where)


def _upper_letter(column: exp.Expr, position: int) -> exp.Expr:
    char = exp.Substring(
        this=column.copy(), start=exp.Literal.number(position), length=exp.Literal.number(1)
    )
    return exp.Between(this=char, low=exp.Literal.string("A"), high=exp.Literal.string("Z"))


def _probes(
    policy: PrioritizationPolicy, as_of: datetime, segments: Sequence[Segment]
) -> list[_Probe]:
    out: list[_Probe] = []
    for table, (shown, columns) in _REQUIRED.items():
        for column in columns:
            where = exp.Is(this=_c("q", column), expression=exp.Null())
            out.append(_Probe(table, column, "null", _rows(table, shown, where)))
    out.append(
        _Probe(
            "feedback",
            "id",
            "repeated",
            _rows("feedback", "id", exp.Not(this=exp.Is(this=_c("q", "id"), expression=exp.Null())))
            .group_by(_c("q", "id"))
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))),
        )
    )
    late = exp.GT(
        this=_c("q", "created_at"),
        expression=exp.cast(exp.Literal.string(iso(as_of)), exp.DataType.Type.TIMESTAMPTZ),
    )
    out.append(_Probe("feedback", "created_at", "after_as_of", _rows("feedback", "id", late)))
    known = (
        exp.select(_c("c", "id"))
        .from_(_from("customers", "c"))
        .where(exp.Not(this=exp.Is(this=_c("c", "id"), expression=exp.Null())))
    )
    unknown = exp.Not(this=exp.In(this=_c("q", "customer_id"), query=exp.Subquery(this=known)))
    out.append(
        _Probe(
            "feedback",
            "customer_id",
            "unknown_customer",
            _rows("feedback", "customer_id", unknown).distinct(),
        )
    )
    for column, members in _ENUMS:
        values = [exp.Literal.string(m.value) for m in members]
        outside = exp.Not(this=exp.In(this=_c("q", column), expressions=values))
        out.append(_Probe("feedback", column, "not_a_member", _rows("feedback", "id", outside)))
    out.append(
        _Probe(
            "customers",
            "id",
            "repeated",
            _rows(
                "customers", "id", exp.Not(this=exp.Is(this=_c("q", "id"), expression=exp.Null()))
            )
            .group_by(_c("q", "id"))
            .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1))),
        )
    )
    for name in sorted({f for s in segments for f in s.rule.fields}):
        spec = FIELDS[name]
        if spec.kind is Kind.ENUM and spec.enum is not None:
            values = [exp.Literal.string(m.value) for m in spec.enum]
            outside = exp.Not(this=exp.In(this=_c("q", spec.column), expressions=values))
            out.append(
                _Probe("customers", spec.column, "not_a_member", _rows("customers", "id", outside))
            )
        elif not spec.nullable:
            where = exp.Is(this=_c("q", spec.column), expression=exp.Null())
            out.append(_Probe("customers", spec.column, "null", _rows("customers", "id", where)))
    currency = _c("q", "currency")
    well_formed = exp.and_(
        exp.EQ(this=exp.Length(this=currency.copy()), expression=exp.Literal.number(3)),
        *(_upper_letter(currency, i) for i in (1, 2, 3)),
    )
    out.append(
        _Probe(
            "purchases",
            "currency",
            "malformed_currency",
            _rows("purchases", "customer_id", exp.Not(this=exp.paren(well_formed))),
        )
    )
    negative = exp.LT(this=_c("q", "amount"), expression=exp.Literal.number(0))
    out.append(
        _Probe("purchases", "amount", "negative", _rows("purchases", "customer_id", negative))
    )
    return out


def checks_tree(
    policy: PrioritizationPolicy, as_of: datetime, segments: Sequence[Segment]
) -> exp.Expr:
    """One query: a row per problem found (table, column, problem, count, one example id).

    Each problem gives up to :data:`EXAMPLES` rows, the smallest ids first,
    each with the count of offending rows (or ids, for repeats and unknown
    customers).
    """
    branches = []
    for probe in _probes(policy, as_of, segments):
        inner = exp.select(
            exp.Literal.string(probe.table).as_("table_name"),
            exp.Literal.string(probe.column).as_("column_name"),
            exp.Literal.string(probe.problem).as_("problem"),
            exp.Window(this=exp.Count(this=exp.Star())).as_("offending"),
            exp.Window(
                this=exp.RowNumber(),
                order=exp.Order(expressions=[exp.Ordered(this=_c("p", "example"))]),
            ).as_("position"),
            exp.cast(_c("p", "example"), exp.DataType.Type.TEXT).as_("example"),
        ).from_(exp.Subquery(this=probe.rows, alias=exp.TableAlias(this="p")))
        branches.append(inner)
    union: exp.Expr = branches[0]
    for branch in branches[1:]:
        union = exp.Union(this=union, expression=branch, distinct=False)
    return (
        exp.select("table_name", "column_name", "problem", "offending", "example")
        .from_(exp.Subquery(this=union, alias=exp.TableAlias(this="cm_checks")))
        .where(exp.LTE(this=exp.column("position"), expression=exp.Literal.number(EXAMPLES)))
        .order_by("table_name", "column_name", "problem", "example")
    )


def _shown(examples: Iterable[str | None], count: int) -> str:
    ids = sorted(e for e in examples if e is not None)
    shown = ", ".join(map(repr, ids))
    return shown if count <= len(ids) else f"{shown} and {count - len(ids)} more"


def problems(
    rows: Iterable[Sequence[object]],
    names: Mapping[str, str],
    *,
    skip_unknown: bool,
) -> list[Problem]:
    """The problems the checks query found, in ``prioritize()``'s words where it has them."""
    grouped: dict[tuple[str, str, str], tuple[int, list[str | None]]] = {}
    for table, column, problem, count, example in rows:
        key = (str(table), str(column), str(problem))
        grouped.setdefault(key, (int(count), []))[1].append(  # type: ignore[call-overload]
            None if example is None else str(example)
        )
    out: list[Problem] = []
    for (table, column, problem), (count, examples) in sorted(grouped.items()):
        path = (names.get(table, table), column)
        label = _REQUIRED[table][0]
        listed = _shown(examples, count)
        which = f" ({label} {listed})" if listed else ""
        if problem == "unknown_customer":
            if skip_unknown:
                continue
            for cid in sorted(e for e in examples if e is not None):
                out.append(
                    Problem(
                        path,
                        f"refers to customer {cid!r}, which is not among the customers "
                        "(pass on_unknown_customer='skip' to leave such items out)",
                    )
                )
            if count > len(examples):
                out.append(
                    Problem(path, f"refers to {count - len(examples)} more absent customer(s)")
                )
        elif problem == "repeated" and table == "feedback":
            out.append(Problem((names.get(table, table),), f"repeats the id(s) {listed}"))
        elif problem == "repeated":
            out.append(Problem(path, f"repeats the id(s) {listed}"))
        elif problem == "after_as_of":
            out.append(
                Problem((names.get(table, table),), f"has item(s) created after as_of: {listed}")
            )
        elif problem == "null":
            out.append(Problem(path, f"is required, but is NULL in {count} row(s){which}"))
        elif problem == "not_a_member":
            out.append(Problem(path, f"holds a value that is not allowed in {count} row(s){which}"))
        elif problem == "malformed_currency":
            out.append(
                Problem(
                    path,
                    "must be an ISO 4217 code (three upper-case letters), "
                    f"but is not in {count} row(s){which}",
                )
            )
        else:  # negative
            out.append(Problem(path, f"must not be negative, but is in {count} row(s){which}"))
    return out
