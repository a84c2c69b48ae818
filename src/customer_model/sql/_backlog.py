"""The backlog as SQL: what :func:`~customer_model.prioritize` computes, over the record tables.

The query is one fixed text (in ``_query``), parsed by sqlglot once; the policy's
numbers, the theme keys, the segment rules and ``as_of`` go into it as
sqlglot literals and expressions, and every name is a quoted identifier.
Nothing a caller gives is pasted into SQL text, so no value can change the
shape of the query.  sqlglot then writes it in the dialect asked for.

Floats are the same operations in the same order as in Python (a voice's
factors are multiplied left to right, each weight a ``CAST('<repr>' AS
DOUBLE)`` that parses to the very float the policy holds); only the sums
differ in order, which is why scores agree within 1e-9 relative, not bit for
bit.  Money stays ``DECIMAL(38, 9)`` and is summed exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

import attrs
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from customer_model.backlog import VoiceRole
from customer_model.errors import ValidationError
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._rule_fields import iso
from customer_model.model._validation import Checker
from customer_model.model.customers import Role
from customer_model.model.feedback import FeedbackKind, Importance, Need
from customer_model.model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.model.segments import Segment
from customer_model.sql._checks import checks_tree
from customer_model.sql._query import QUERY, SKIPPED
from customer_model.sql._writing import (
    CTES,
    TABLES,
    adapted,
    holds_nul,
    rename,
    table_parts,
    template,
    written,
)

__all__ = [
    "BacklogSQL",
    "Built",
    "build",
    "check_arguments",
    "check_dialect",
    "ids_text",
]

_SUBJECT = "backlog_sql arguments"

_VOICE_ROLES = {
    VoiceRole.PURCHASER: frozenset({Role.PURCHASER}),
    VoiceRole.USER: frozenset({Role.USER}),
    VoiceRole.BOTH: frozenset({Role.PURCHASER, Role.USER}),
    VoiceRole.UNLISTED: frozenset(),
}


@attrs.frozen(slots=True)
class BacklogSQL:
    """The SQL that computes a backlog, as text in one dialect.

    ``backlog`` gives one row per theme, best first: ``theme``, ``rank``,
    ``score``, ``customer_count``, the voice counts of
    :class:`~customer_model.BacklogItem`, ``revenue`` (a list of
    ``currency``/``amount`` pairs, exact ``DECIMAL(38, 9)``), ``feedback_ids``
    (unordered) and ``feedback_count``, ``explanation`` (a list with one entry
    per role and need: ``voices``, raw ``points``, the running totals after
    each factor and the ``value``) and ``steps``.  It relies on unique
    feedback ids, as ``checks`` verifies.  Feedback whose customer is not in
    the customers table is left out of it; ``skipped`` lists those items' ids and
    ``checks`` counts, in one row with a column per check, what the tables
    hold that ``prioritize()`` would refuse (a count that is not zero fails).
    ``str()`` gives ``backlog``.
    """

    dialect: str
    backlog: str
    checks: str
    skipped: str

    def __str__(self) -> str:
        return self.backlog


# -- literals ---------------------------------------------------------------------


def _double(value: float) -> exp.Expr:
    """A float that every engine parses back to exactly *value* (``repr`` round-trips)."""
    return exp.cast(exp.Literal.string(repr(float(value))), exp.DataType.Type.DOUBLE)


def _text(value: str) -> exp.Expr:
    return exp.Literal.string(value)


def _timestamp(value: datetime) -> exp.Expr:
    return exp.cast(exp.Literal.string(iso(value)), exp.DataType.Type.TIMESTAMPTZ)


def _col(table: str, name: str) -> exp.Column:
    return exp.column(name, table=table)


def _case(
    subject: exp.Expr, branches: Iterable[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None
) -> exp.Expr:
    """``CASE subject WHEN .. THEN .. ELSE default END``, or just *default* without branches."""
    ifs = [exp.If(this=exp.EQ(this=subject.copy(), expression=k), true=v) for k, v in branches]
    if not ifs:
        return default if default is not None else exp.Null()
    return exp.Case(ifs=ifs, default=default)


# -- the policy's factors as expressions --------------------------------------------


def _points(policy: PrioritizationPolicy) -> exp.Expr:
    importance = _col("o", "importance")
    branches = [(_text(level.value), _double(policy.points(level))) for level in Importance]
    return _case(importance, branches, _double(policy.unspecified_points))


def _kind_weight(policy: PrioritizationPolicy) -> exp.Expr:
    kind = _col("o", "kind")
    branches = [
        (_text(kind.value), _double(policy.kind_weight(kind)))
        for kind in FeedbackKind
        if kind in policy.kind_weights
    ]
    return _case(kind, branches, _double(1.0))


def _who(policy: PrioritizationPolicy) -> exp.Expr:
    """The role-and-need weight: the anonymous and unlisted weights, or the need's row."""
    role, need = _col("o", "role"), _col("o", "need")
    by_role: list[tuple[exp.Expr, exp.Expr]] = [
        (_text(VoiceRole.ANONYMOUS.value), _double(policy.anonymous_weight)),
        (_text(VoiceRole.UNLISTED.value), _double(policy.unlisted_weight)),
    ]
    by_need = []
    for listed in Need:
        if listed not in policy.role_weights:
            continue
        weights = [
            (_text(r.value), _double(policy.role_weight(_VOICE_ROLES[r], listed)))
            for r in (VoiceRole.PURCHASER, VoiceRole.USER, VoiceRole.BOTH)
        ]
        by_need.append((_text(listed.value), _case(role, weights, None)))
    return _case(role, by_role, _case(need, by_need, _double(1.0)))


def _decay(policy: PrioritizationPolicy, as_of: datetime) -> exp.Expr:
    """``0.5 ** (age / half_life)``, the age in microseconds as Python divides timedeltas.

    From 1075 halvings on, the power is written as the 0.0 that Python's (and
    every IEEE engine's) ``0.5 ** x`` rounds it to: PostgreSQL's ``POWER``
    raises an error instead of underflowing to zero.
    """
    if policy.half_life is None:
        return _double(1.0)
    as_of_us = _micros(as_of - _EPOCH)
    age = exp.Sub(
        this=exp.Literal.number(as_of_us),
        expression=exp.UnixMicros(this=_col("o", "created_at")),
    )
    ratio = exp.Div(
        this=exp.cast(exp.paren(age), exp.DataType.Type.DOUBLE),
        expression=_double(float(_micros(policy.half_life))),
    )
    past_zero = exp.GTE(this=ratio.copy(), expression=exp.Literal.number(1075))
    power = exp.Pow(this=_double(0.5), expression=ratio)
    return exp.Case(ifs=[exp.If(this=past_zero, true=_double(0.0))], default=power)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _value_weight(policy: PrioritizationPolicy) -> exp.Expr:
    """The customer-value multiplier over the customer's revenue rows (one per currency)."""
    amount: exp.Expr = exp.cast(_col("rv", "amount"), exp.DataType.Type.DOUBLE)
    if policy.currency is not None:
        rates = [(_text(policy.currency), _double(1.0))]
        rates += [
            (_text(code), _double(rate)) for code, rate in sorted(policy.exchange_rates.items())
        ]
        amount = exp.Mul(this=amount, expression=_case(_col("rv", "currency"), rates, None))
    ratio = exp.Div(this=exp.Sum(this=amount), expression=_double(policy.revenue_scale))
    if policy.customer_value is ValueWeighting.LINEAR:
        return exp.Add(this=_double(1.0), expression=ratio)
    if policy.customer_value is ValueWeighting.LOG:
        return exp.Add(
            this=_double(1.0), expression=exp.Ln(this=exp.Add(this=_double(1.0), expression=ratio))
        )
    return _double(1.0)


def _segment_weight(
    policy: PrioritizationPolicy, segments: list[Segment], as_of: datetime
) -> exp.Expr:
    """The largest weight of the weighted segments a customer is in, else 1.

    ``CASE`` tries the segments from the heaviest down, so the first that
    matches gives the largest weight, as ``max()`` does in Python.
    """
    from customer_model.sql import where_expression  # the package imports this module

    weighted = sorted(
        (policy.segment_weights[s.id], i, s)
        for i, s in enumerate(segments)
        if s.id in policy.segment_weights
    )
    ifs = [
        exp.If(this=where_expression(s, as_of=as_of), true=_double(w))
        for w, _, s in reversed(weighted)
    ]
    return exp.Case(ifs=ifs, default=_double(1.0)) if ifs else _double(1.0)


def _fit(policy: PrioritizationPolicy) -> exp.Expr:
    branches = [(_text(t), _double(f)) for t, f in sorted(policy.strategic_fit.items())]
    return _case(_col("g", "theme"), branches, _double(policy.default_fit))


# -- values into the query ------------------------------------------------------


def _fill(tree: exp.Expr, values: Mapping[str, exp.Expr]) -> exp.Expr:
    """*tree*, changed in place: each ``:name`` replaced by its expression (copies after the first).

    The expressions are made for this tree, so the first ``:name`` takes its own.
    """
    used: set[str] = set()
    for node in list(tree.find_all(exp.Placeholder)):
        value = values[node.name]
        node.replace(value.copy() if node.name in used else value)
        used.add(node.name)
    return tree


# -- checking the arguments ---------------------------------------------------------


def check_arguments(
    check: Checker,
    policy: object,
    as_of: object,
    segments: object,
    tables: object,
    *,
    dialect: object = None,
) -> tuple[list[Segment], dict[str, str]]:
    """Problems with the arguments go to *check*; the weighted segments and table names.

    For PostgreSQL, whose text cannot hold U+0000, a weighted segment or a
    strategic fit that compares with such text is refused: it could match
    nothing there, where ``prioritize()`` could match it.
    """
    if not isinstance(policy, PrioritizationPolicy):
        check.add("policy", f"must be a PrioritizationPolicy, not {type_name(policy)}")
    check.aware("as_of", as_of)  # also within years 1 to 9999 in UTC, where SQL compares
    names: dict[str, str] = {}
    if tables is not None:
        if not isinstance(tables, Mapping):
            check.add("tables", f"must be a mapping of table to name, not {type_name(tables)}")
        else:
            for key, name in tables.items():
                if key not in TABLES:
                    check.add("tables", f"keys must be among {', '.join(map(repr, TABLES))}")
                elif check.text(("tables", key), name):
                    parts = table_parts(name)
                    if len(parts) > 3 or any(not p.strip() for p in parts):
                        check.add(
                            ("tables", key), "must be a name, or a dotted name of up to 3 parts"
                        )
                    elif parts[-1].lower() in CTES:
                        check.add(("tables", key), "is a name the backlog query uses itself")
                    else:
                        names[key] = name
    chosen: list[Segment] = []
    if isinstance(segments, str | bytes | Mapping) or not isinstance(segments, Iterable):
        check.add("segments", not_an_iterable("Segment", segments, "segments"))
        return chosen, names
    weights: Mapping[str, float] = (
        policy.segment_weights if isinstance(policy, PrioritizationPolicy) else {}
    )
    seen: set[str] = set()
    for i, segment in enumerate(segments):
        if not isinstance(segment, Segment):
            check.add(
                ("segments", i),
                f"must be a Segment (only a segment's rule compiles to SQL), "
                f"not {type_name(segment)}",
            )
            continue
        if segment.id in seen:
            check.add(("segments", i), f"id {segment.id!r} is used more than once")
            continue
        seen.add(segment.id)
        if segment.id not in weights:
            continue
        if segment.rule.needs_rfm:
            check.add(
                ("segments", i),
                f"segment {segment.id!r} reads RFM scores, which are relative to a "
                "population and not computed in SQL; weigh a segment without them",
            )
            continue
        if dialect == "postgres" and _holds_nul(segment, as_of):
            check.add(
                ("segments", i),
                f"segment {segment.id!r} compares with text that holds the character U+0000, "
                "which PostgreSQL text cannot hold",
            )
            continue
        chosen.append(segment)
    if (
        dialect == "postgres"
        and isinstance(policy, PrioritizationPolicy)
        and any("\x00" in theme for theme in policy.strategic_fit)
    ):
        check.add(
            ("policy", "strategic_fit"),
            "has a theme that holds the character U+0000, which PostgreSQL text cannot hold",
        )
    absent = sorted(set(weights) - seen)
    if absent:
        check.add(
            ("policy", "segment_weights"),
            f"weights segment(s) {', '.join(map(repr, absent))} that were not given",
        )
    return chosen, names


def _holds_nul(segment: Segment, as_of: object) -> bool:
    """Whether *segment*'s rule, written as SQL, compares with text holding U+0000."""
    from customer_model.sql import where_expression  # the package imports this module

    try:
        return holds_nul(where_expression(segment, as_of=as_of))  # type: ignore[arg-type]
    except ValidationError:  # as_of is refused on its own; build() says what else fails
        return False


def check_dialect(check: Checker, dialect: object) -> None:
    if check.text("dialect", dialect):
        try:
            sqlglot.Dialect.get_or_raise(str(dialect))
        except ValueError:
            check.add("dialect", "is not a SQL dialect sqlglot knows")


# -- putting it together -----------------------------------------------------------


@attrs.frozen
class Built:
    """The backlog statements as sqlglot trees, before they are written in a dialect."""

    backlog: exp.Expr
    checks: exp.Expr
    skipped: exp.Expr
    names: Mapping[str, str]

    def sql(
        self,
        dialect: str,
        *,
        pretty: bool = True,
        joined_ids: bool = False,
        customers_known: bool = False,
    ) -> BacklogSQL:
        """The texts in *dialect*; laid out on lines for people to read unless not *pretty*.

        With *joined_ids* each theme's ``feedback_ids`` come as one string,
        the ids joined by :data:`~customer_model.sql._writing.ID_SEPARATOR`:
        DuckDB's Python client turns a million ids in lists into Python
        strings in about 0.29 s, in one string (split in Python) in about
        0.10 s.  *customers_known* says
        that the checks found every feedback row's customer among the
        customers, so the backlog need not look each one up again.
        """
        return BacklogSQL(
            dialect,
            self.backlog_text(
                dialect, pretty=pretty, joined_ids=joined_ids, customers_known=customers_known
            ),
            self.checks_text(dialect, pretty=pretty),
            self.skipped_text(dialect, pretty=pretty),
        )

    def checks_text(self, dialect: str, *, pretty: bool = False) -> str:
        """The ``checks`` statement alone (see :meth:`sql`), for running it."""
        return written(self.checks, dialect, pretty=pretty)

    def skipped_text(self, dialect: str, *, pretty: bool = False) -> str:
        """The ``skipped`` statement alone (see :meth:`sql`), for running it."""
        return written(self.skipped, dialect, pretty=pretty)

    def backlog_text(
        self,
        dialect: str,
        *,
        pretty: bool = False,
        joined_ids: bool = False,
        customers_known: bool = False,
    ) -> str:
        """The ``backlog`` statement alone (see :meth:`sql`), for running it."""
        backlog = adapted(
            self.backlog,
            dialect,
            self.names,
            joined_ids=joined_ids,
            customers_known=customers_known,
        )
        return backlog.sql(  # a copy of its own
            dialect=dialect, pretty=pretty, copy=False, unsupported_level=ErrorLevel.RAISE
        )

    def without_ids(self, dialect: str, **adapt: bool) -> str:
        """The ``backlog`` less the ids and their count, which :func:`ids_text` gives.

        Python can split the ids while the engine runs this.  *adapt* as for :meth:`backlog_text`.
        """
        tree = adapted(self.backlog, dialect, self.names, **adapt)
        (ids,) = (c for c in tree.find_all(exp.CTE) if c.alias == "cm_ids")
        (join,) = (j for j in tree.args["joins"] if j.this.name == "cm_ids")
        columns = (c for c in tree.expressions if isinstance(c, exp.Column) and c.table == "i")
        for part in [ids, join, *columns]:
            part.pop()
        return tree.sql(dialect=dialect, copy=False)


def ids_text(dialect: str, names: Mapping[str, str], **adapt: bool) -> str:
    """Each theme's ``feedback_ids`` and ``feedback_count`` (the backlog's ``cm_ids``) alone.

    It needs no policy: an engine can run it while the backlog is being built.
    """
    (ids,) = (c for c in template(QUERY).find_all(exp.CTE) if c.alias == "cm_ids")
    tree = adapted(rename(ids.this.copy(), names), dialect, names, **adapt)
    return tree.sql(dialect=dialect, copy=False)


def build(
    policy: PrioritizationPolicy,
    as_of: datetime,
    segments: list[Segment],
    names: Mapping[str, str],
) -> Built:
    """The statements for checked arguments (see :func:`check_arguments`)."""
    values: dict[str, exp.Expr] = {
        "as_of": _timestamp(as_of),
        "one": _double(1.0),
        "points": _points(policy),
        "who": _who(policy),
        "kind_weight": _kind_weight(policy),
        "decay": _decay(policy, as_of),
        "value_weight": _value_weight(policy),
        "fit": _fit(policy),
    }
    try:
        values["segment_weight"] = _segment_weight(policy, segments, as_of)
    except ValidationError as e:  # a time in a rule that UTC text cannot hold
        raise ValidationError(e.problems, _SUBJECT) from None
    backlog = _fill(template(QUERY).copy(), values)
    return Built(
        rename(backlog, names),
        rename(checks_tree(as_of, segments), names),
        rename(template(SKIPPED).copy(), names),
        names,
    )
