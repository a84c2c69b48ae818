"""Segment rules: a small, typed language over a customer's non-identifying attributes.

Build rules with :func:`field` and combine them with ``&``, ``|`` and ``~``::

    (field("country") == "DE") & field("interests").contains("golf")

(Parenthesize comparisons: ``&`` binds tighter than ``==`` in Python.)

A rule is a frozen, hashable value.  It is checked when it is built or
loaded from JSON: an unknown field, a comparison the field's type does not
allow, a value of the wrong type or a range whose low end is above its high
end raises :class:`~customer_model.ValidationError` right there, never later
while it runs.

Semantics, the same in Python and in SQL (:mod:`customer_model.sql`): a
comparison against a missing value is false (two-valued logic, so ``~`` of a
comparison is true for a missing value); ``missing()`` is true for ``None``
and, for set fields, for the empty set.  Time windows are relative to an
``as_of`` given when the rule runs: ``within(d)`` means
``as_of - d <= value <= as_of``, ``older_than(d)`` means ``value < as_of - d``.

A rule runs by compiling it, once, into one plain Python function (the way
attrs generates methods): values are bound as constants, never pasted into
source text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._rule_fields import (
    EQUATABLE,
    FIELDS,
    HELPERS,
    ORDERED,
    FieldSpec,
    Kind,
    fits_sql_decimal,
)
from customer_model.model._validation import (
    TOO_FINE,
    Checker,
    exact_member,
    finer_than_microseconds,
    is_aware,
    to_tuple,
    type_name,
)

if TYPE_CHECKING:
    import cattrs

    from customer_model.model.customers import Customer
    from customer_model.model.rfm import RFMScore

__all__ = [
    "FIELDS",
    "Always",
    "And",
    "Between",
    "Compare",
    "Contains",
    "FieldRef",
    "FieldSpec",
    "In",
    "Missing",
    "Not",
    "OlderThan",
    "Or",
    "Predicate",
    "Rule",
    "Within",
    "field",
]

#: A compiled rule: customer in, verdict out.
Predicate = Callable[["Customer"], bool]

#: The longest time window: a century covers any customer history, and the
#: bound keeps ``as_of - window`` far from the limits of ``datetime``.
MAX_WINDOW = timedelta(days=36525)
#: The first instant an aware datetime can denote (year 1 at the largest offset).
_EARLIEST = datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59)))
#: The first instant UTC text can hold, where SQL compares times.
_EARLIEST_UTC = datetime.min.replace(tzinfo=UTC)

_COMPARE_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


class Rule:
    """A condition on a customer.  Combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()
    op: ClassVar[str]

    def __and__(self, other: Rule) -> Rule:
        if not isinstance(other, Rule):
            return NotImplemented
        return And((*_flatten(self, And), *_flatten(other, And)))

    def __or__(self, other: Rule) -> Rule:
        if not isinstance(other, Rule):
            return NotImplemented
        return Or((*_flatten(self, Or), *_flatten(other, Or)))

    def __invert__(self) -> Rule:
        return Not(self)

    def walk(self) -> Iterator[Rule]:
        """This rule and every rule inside it, depth first."""
        yield self

    @property
    def fields(self) -> frozenset[str]:
        """The names of the fields the rule reads."""
        return frozenset(f for r in self.walk() if (f := getattr(r, "field", None)) is not None)

    @property
    def needs_as_of(self) -> bool:
        """Whether the rule has a time window, so it needs ``as_of`` to run."""
        return any(isinstance(r, Within | OlderThan) for r in self.walk())

    @property
    def needs_rfm(self) -> bool:
        """Whether the rule reads RFM scores, which depend on a population."""
        return any(FIELDS[f].rfm for f in self.fields)

    def compile(
        self, *, as_of: datetime | None = None, rfm: Mapping[str, RFMScore] | None = None
    ) -> Predicate:
        """One fast Python function that tells whether a customer matches.

        *as_of* is required when :attr:`needs_as_of`; *rfm* (scores keyed by
        customer id, from :func:`~customer_model.rfm_scores`) when
        :attr:`needs_rfm`.  The function raises
        :class:`~customer_model.ValidationError` for a customer that *rfm*
        has no score for (only when the rule reads RFM scores).
        """
        from customer_model.model.customers import Customer  # customers sits below rules
        from customer_model.model.rfm import check_scores  # rfm sits above rules

        check = Checker()
        check.aware("as_of", as_of, optional=True)
        if as_of is None and self.needs_as_of:
            check.add("as_of", "is required: the rule has a time window")
        if rfm is None:
            if self.needs_rfm:
                check.add("rfm", "is required: the rule reads RFM scores (see rfm_scores)")
        else:
            check_scores(check, rfm)
        check.done("rule evaluation")
        emit = _Emitter(as_of)
        # The try costs nothing while it does not fail; a failure on something that
        # is not a Customer becomes a ValidationError, any other is re-raised.
        source = (
            "def _rule(c):\n"
            "    try:\n"
            f"        return {self._py(emit)}\n"
            "    except (AttributeError, TypeError):\n"
            "        _check_customer(c)\n"
            "        raise\n"
        )
        emit.namespace["_rfm_score"] = _score_reader({} if rfm is None else dict(rfm))
        emit.namespace["_check_customer"] = _check_customer
        emit.namespace["_is_customer"] = _is_customer
        emit.namespace["_Customer"] = Customer
        exec(compile(source, "<customer_model rule>", "exec"), emit.namespace)
        return emit.namespace["_rule"]  # type: ignore[no-any-return]

    def _py(self, emit: _Emitter) -> str:
        raise NotImplementedError


def _check_customer(value: object) -> None:
    from customer_model.model.customers import Customer  # customers sits below rules

    if not isinstance(value, Customer):
        raise ValidationError.single(
            "customer", f"must be a Customer, not {type_name(value)}", "rule evaluation"
        )


def _is_customer(value: object) -> bool:
    """True for a Customer (of a subclass too); a ValidationError for anything else."""
    _check_customer(value)
    return True


def _score_reader(scores: dict[str, RFMScore]) -> Callable[[Customer], RFMScore]:
    def score(c: Customer) -> RFMScore:
        found = scores.get(c.id)
        if found is None:
            raise ValidationError.single(
                "rfm", f"has no score for customer {c.id!r}", "rule evaluation"
            )
        return found

    return score


class _Emitter:
    """Collects constants for the generated function; names them ``_k0``, ``_k1``..."""

    def __init__(self, as_of: datetime | None) -> None:
        self.as_of = as_of
        self.namespace: dict[str, Any] = dict(HELPERS)
        self.count = 0

    def const(self, value: object) -> str:
        name = f"_k{self.count}"
        self.count += 1
        self.namespace[name] = value
        return name

    def temp(self) -> str:
        self.count += 1
        return f"_t{self.count}"

    def guarded(self, spec: FieldSpec, test: Callable[[str], str]) -> str:
        """*test* on the field's value, false when the value is missing."""
        if not spec.nullable:
            return f"({test(spec.expr)})"
        t = self.temp()
        return f"(({t} := {spec.expr}) is not None and {test(t)})"


def _flatten(rule: Rule, cls: type[And | Or]) -> tuple[Rule, ...]:
    return rule.rules if isinstance(rule, cls) else (rule,)


# -- checks ----------------------------------------------------------------------


def _spec(check: Checker, name: object) -> FieldSpec | None:
    if type(name) is not str:
        check.add("field", f"must be a string, not {type_name(name)}")
        return None
    spec = FIELDS.get(name)
    if spec is None:
        check.add("field", f"{name!r} is not a rule field; known fields: {', '.join(FIELDS)}")
    return spec


def _allow(check: Checker, spec: FieldSpec, allowed: frozenset[Kind], what: str) -> bool:
    if spec.kind not in allowed:
        check.add("field", f"{spec.name!r} ({spec.kind.value}) does not support {what}")
        return False
    return True


def _value(check: Checker, path: Path | str, spec: FieldSpec, value: object) -> object:
    """Check *value* against the field's type; return it normalized."""
    kind = spec.kind
    if kind is Kind.ENUM:
        assert spec.enum is not None
        value = exact_member(spec.enum, value)  # field("kind") == "household"
        check.member(path, value, spec.enum)
    elif kind is Kind.TEXT:
        check.text(path, value, allow_empty=True)
    elif kind is Kind.SET:
        check.text(path, value)  # a tag is never blank
    elif kind is Kind.INT:
        check.integer(path, value)  # at most 64 bits, like every integer
    elif kind is Kind.SCORE:
        check.integer(path, value, minimum=0, maximum=5)
    elif kind is Kind.DECIMAL:
        if type(value) is int:
            value = Decimal(value)
        if type(value) is not Decimal:
            check.add(path, f"must be an int or Decimal amount, not {type_name(value)}")
        elif not value.is_finite():
            check.add(path, "must be a finite amount")
        elif not fits_sql_decimal(value):
            # SQL compares spend as DECIMAL(38, 9); trailing zeros do not count.
            places = "9 decimal places (trailing zeros aside)"
            check.add(path, f"must have at most 29 integer digits and {places}")
    elif kind is Kind.DATETIME:
        check.aware(path, value)
    return value


def _window(check: Checker, window: object) -> None:
    if type(window) is not timedelta:
        check.add("window", f"must be a timedelta, not {type_name(window)}")
    elif window <= timedelta(0):
        check.add("window", "must be positive")
    elif window.microseconds:
        check.add("window", "must be a whole number of seconds")
    elif window > MAX_WINDOW:
        check.add("window", "must be at most 100 years (36525 days)")


# -- the rule nodes --------------------------------------------------------------


@attrs.frozen(slots=True)
class Compare(Rule):
    """``field <op> value`` with *op* one of eq, ne, lt, le, gt, ge."""

    op: str  # type: ignore[misc]  # an instance field here, a class constant elsewhere
    field: str
    value: Any

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = _spec(check, self.field)
        if type(self.op) is not str:  # before the lookup: a list or sNaN cannot be hashed
            check.add("op", f"must be one of {', '.join(_COMPARE_OPS)}, not {type_name(self.op)}")
        elif self.op not in _COMPARE_OPS:
            check.add("op", f"must be one of {', '.join(_COMPARE_OPS)}")
        elif spec is not None:
            ordered = self.op not in ("eq", "ne")
            if _allow(
                check, spec, ORDERED if ordered else EQUATABLE, "ordering" if ordered else "=="
            ):
                object.__setattr__(self, "value", _value(check, "value", spec, self.value))
        check.done("Compare rule")

    def _py(self, emit: _Emitter) -> str:
        k = emit.const(self.value)
        pyop = _COMPARE_OPS[self.op]
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} {pyop} {k}")


@attrs.frozen(slots=True)
class Between(Rule):
    """``lo <= field <= hi``, both ends included."""

    op: ClassVar[str] = "between"
    field: str
    lo: Any
    hi: Any

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = _spec(check, self.field)
        if spec is not None and _allow(check, spec, ORDERED, "ranges"):
            lo = _value(check, "lo", spec, self.lo)
            hi = _value(check, "hi", spec, self.hi)
            object.__setattr__(self, "lo", lo)
            object.__setattr__(self, "hi", hi)
            if not check.problems and lo > hi:  # type: ignore[operator]
                check.add("lo", "must not be greater than hi")
        check.done("Between rule")

    def _py(self, emit: _Emitter) -> str:
        lo, hi = emit.const(self.lo), emit.const(self.hi)
        return emit.guarded(FIELDS[self.field], lambda v: f"{lo} <= {v} <= {hi}")


def _values(value: Iterable[Any]) -> frozenset[Any]:
    """The values in a stable order, kept apart until each one is checked.

    A set would merge values of different types that compare equal
    (``1``, ``1.0`` and ``True``) before the check could refuse the wrong ones.
    """
    if isinstance(value, frozenset | set):
        return tuple(sorted(value, key=_sort_key))  # type: ignore[return-value]
    return to_tuple(value)  # type: ignore[return-value]  # made a frozenset once checked


@attrs.frozen(slots=True)
class In(Rule):
    """``field`` equals one of *values* (a non-empty set)."""

    op: ClassVar[str] = "in"
    field: str
    values: frozenset[Any] = attrs.field(converter=_values)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = _spec(check, self.field)
        given: object = self.values  # the converter's tuple until checked
        if type(given) is not tuple:
            check.add("values", f"must be a set (or any iterable), not {type_name(given)}")
        elif not given:
            check.add("values", "must not be empty")
        if spec is not None and not check.problems and _allow(check, spec, EQUATABLE, "in"):
            assert isinstance(given, tuple)
            normal = [_value(check, ("values", i), spec, v) for i, v in enumerate(given)]
            check.done("In rule")
            object.__setattr__(self, "values", frozenset(normal))
        check.done("In rule")

    def _py(self, emit: _Emitter) -> str:
        k = emit.const(self.values)
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} in {k}")


def _sort_key(value: object) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


@attrs.frozen(slots=True)
class Contains(Rule):
    """A set field (interests, features used...) contains *value*."""

    op: ClassVar[str] = "contains"
    field: str
    value: str

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = _spec(check, self.field)
        if spec is not None and _allow(check, spec, frozenset({Kind.SET}), "contains"):
            _value(check, "value", spec, self.value)
        check.done("Contains rule")

    def _py(self, emit: _Emitter) -> str:
        return f"({emit.const(self.value)} in {FIELDS[self.field].expr})"


@attrs.frozen(slots=True)
class Missing(Rule):
    """The field has no value (``None``, or an empty set for set fields)."""

    op: ClassVar[str] = "missing"
    field: str

    def __attrs_post_init__(self) -> None:
        check = Checker()
        _spec(check, self.field)
        check.done("Missing rule")

    def _py(self, emit: _Emitter) -> str:
        spec = FIELDS[self.field]
        if spec.kind is Kind.SET:
            return f"(not {spec.expr})"
        if spec.nullable:
            return f"({spec.expr} is None)"
        return "False"


class _Window(Rule):
    __slots__ = ()
    field: str
    window: timedelta

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = _spec(check, self.field)
        if spec is not None:
            _allow(check, spec, frozenset({Kind.DATETIME}), "time windows")
        _window(check, self.window)
        check.done(f"{type(self).__name__} rule")

    def bounds(self, as_of: datetime) -> tuple[datetime, datetime]:
        """The earliest and latest time the window covers at *as_of*.

        The window is measured in UTC, so *as_of*'s offset cannot move it (a
        subtraction in local time could reach the start of the calendar where
        the same one in UTC does not).  Near the start of the calendar the
        earliest time is the first instant ``datetime`` can hold: nothing is
        earlier, so the window means the same.
        """
        try:
            start = as_of.astimezone(UTC)
        except OverflowError:  # as_of is before year 1 in UTC
            start = as_of
        try:
            return start - self.window, as_of
        except OverflowError:
            return _EARLIEST, as_of

    def utc_bounds(self, as_of: datetime) -> tuple[datetime, datetime]:
        """:meth:`bounds` in UTC, within years 1 to 9999, for SQL's UTC text.

        Times SQL compares are never before year 1 in UTC, so an earlier
        start means the same.  *as_of* must be representable in UTC.
        """
        lo, hi = self.bounds(as_of)
        return max(lo, _EARLIEST_UTC).astimezone(UTC), hi.astimezone(UTC)


@attrs.frozen(slots=True)
class Within(_Window):
    """The time in *field* lies in the last *window* before ``as_of`` (inclusive)."""

    op: ClassVar[str] = "within"
    field: str
    window: timedelta

    def _py(self, emit: _Emitter) -> str:
        assert emit.as_of is not None
        lo, hi = (emit.const(b) for b in self.bounds(emit.as_of))
        return emit.guarded(FIELDS[self.field], lambda v: f"{lo} <= {v} <= {hi}")


@attrs.frozen(slots=True)
class OlderThan(_Window):
    """The time in *field* is more than *window* before ``as_of``."""

    op: ClassVar[str] = "older_than"
    field: str
    window: timedelta

    def _py(self, emit: _Emitter) -> str:
        assert emit.as_of is not None
        lo = emit.const(self.bounds(emit.as_of)[0])
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} < {lo}")


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return to_tuple(value)


#: How deep rules may nest.  People write a few levels; deeper rules are
#: generated, and compiling them (Python's parser) or turning them into SQL
#: would hit limits of their own, so they are refused when built.
MAX_DEPTH = 32
_TOO_DEEP = f"too deeply nested: rules may nest at most {MAX_DEPTH} levels"


def _depth(rule: Rule) -> int:
    """How many levels *rule* nests (a single condition is 1), without recursion."""
    deepest = 0
    stack = [(rule, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, _Group):
            stack.extend((child, level + 1) for child in node.rules)
        elif isinstance(node, Not):
            stack.append((node.rule, level + 1))
    return deepest


def _too_deep(check: Checker, path: str, rules: Iterable[Rule]) -> None:
    if max(map(_depth, rules), default=0) >= MAX_DEPTH:
        check.add(path, _TOO_DEEP)


class _Group(Rule):
    __slots__ = ()
    rules: tuple[Rule, ...]
    joiner: ClassVar[str]

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.items("rules", self.rules, Rule):
            if not self.rules:
                check.add("rules", "must hold at least one rule")
            _too_deep(check, "rules", self.rules)
        check.done(f"{type(self).__name__} rule")

    def walk(self) -> Iterator[Rule]:
        yield self
        for r in self.rules:
            yield from r.walk()

    def _py(self, emit: _Emitter) -> str:
        return "(" + f" {self.joiner} ".join(r._py(emit) for r in self.rules) + ")"


@attrs.frozen(slots=True)
class And(_Group):
    """Every rule holds."""

    op: ClassVar[str] = "and"
    joiner: ClassVar[str] = "and"
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)


@attrs.frozen(slots=True)
class Or(_Group):
    """At least one rule holds."""

    op: ClassVar[str] = "or"
    joiner: ClassVar[str] = "or"
    rules: tuple[Rule, ...] = attrs.field(converter=_rules)


@attrs.frozen(slots=True)
class Not(Rule):
    """The rule does not hold."""

    op: ClassVar[str] = "not"
    rule: Rule

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.instance("rule", self.rule, Rule):
            _too_deep(check, "rule", (self.rule,))
        check.done("Not rule")

    def walk(self) -> Iterator[Rule]:
        yield self
        yield from self.rule.walk()

    def _py(self, emit: _Emitter) -> str:
        return f"(not {self.rule._py(emit)})"


@attrs.frozen(slots=True)
class Always(Rule):
    """Every customer matches (the rule of a segment that is everyone)."""

    op: ClassVar[str] = "always"

    def _py(self, emit: _Emitter) -> str:
        # Reads nothing of the customer, so it checks that there is one: otherwise
        # a rule that short-circuits on it would match anything, even None.
        return "(type(c) is _Customer or _is_customer(c))"


# -- the builder -----------------------------------------------------------------


class FieldRef:
    """A rule field, ready for comparison: ``field("size") >= 50``."""

    __slots__ = ("name",)
    __hash__ = None  # type: ignore[assignment]  # == builds a rule, so no hashing

    def __init__(self, name: str) -> None:
        check = Checker()
        _spec(check, name)
        check.done("field")
        self.name = name

    def __repr__(self) -> str:
        return f"field({self.name!r})"

    def __eq__(self, value: object) -> Compare:  # type: ignore[override]
        return Compare("eq", self.name, value)

    def __ne__(self, value: object) -> Compare:  # type: ignore[override]
        return Compare("ne", self.name, value)

    def __lt__(self, value: object) -> Compare:
        return Compare("lt", self.name, value)

    def __le__(self, value: object) -> Compare:
        return Compare("le", self.name, value)

    def __gt__(self, value: object) -> Compare:
        return Compare("gt", self.name, value)

    def __ge__(self, value: object) -> Compare:
        return Compare("ge", self.name, value)

    def is_in(self, values: Iterable[Any]) -> In:
        """Equals one of *values*."""
        return In(self.name, values)

    def between(self, lo: Any, hi: Any) -> Between:
        """Between *lo* and *hi*, both included."""
        return Between(self.name, lo, hi)

    def contains(self, value: str) -> Contains:
        """The set holds *value*."""
        return Contains(self.name, value)

    def contains_any(self, values: Iterable[str]) -> Rule:
        """The set holds at least one of *values*."""
        return _join(Or, [Contains(self.name, v) for v in sorted(_tags(values))])

    def contains_all(self, values: Iterable[str]) -> Rule:
        """The set holds every one of *values*."""
        return _join(And, [Contains(self.name, v) for v in sorted(_tags(values))])

    def missing(self) -> Missing:
        """No value (or an empty set)."""
        return Missing(self.name)

    def present(self) -> Not:
        """Has a value (or a non-empty set)."""
        return Not(Missing(self.name))

    def within(self, window: timedelta) -> Within:
        """In the last *window* before ``as_of``: ``within(timedelta(days=30))``."""
        return Within(self.name, window)

    def older_than(self, window: timedelta) -> OlderThan:
        """More than *window* before ``as_of``."""
        return OlderThan(self.name, window)


def _tags(values: Iterable[str]) -> list[str]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ValidationError.single(
            "values", f"must be an iterable of strings, not {type_name(values)}", "field"
        )
    out = list(values)
    check = Checker()
    for i, v in enumerate(out):
        check.text(("values", i), v, allow_empty=True)
    if not out:
        check.add("values", "must not be empty")
    check.done("field")
    return out


def _join(cls: type[And | Or], rules: list[Contains]) -> Rule:
    return rules[0] if len(rules) == 1 else cls(rules)


def field(name: str) -> FieldRef:
    """The rule field *name*; see :data:`FIELDS` for the catalogue."""
    return FieldRef(name)


# -- JSON ------------------------------------------------------------------------
# Rules travel as a tagged union: {"op": "eq", "field": "country", "value": "DE"}.
# The value's JSON type depends on the field, so the hooks below read the field
# catalogue instead of guessing from the JSON value.

_NODES: dict[str, type[Rule]] = {
    **dict.fromkeys(_COMPARE_OPS, Compare),
    "between": Between,
    "in": In,
    "contains": Contains,
    "missing": Missing,
    "within": Within,
    "older_than": OlderThan,
    "and": And,
    "or": Or,
    "not": Not,
    "always": Always,
}
_KEYS: dict[type[Rule], tuple[str, ...]] = {
    Compare: ("field", "value"),
    Between: ("field", "lo", "hi"),
    In: ("field", "values"),
    Contains: ("field", "value"),
    Missing: ("field",),
    Within: ("field", "seconds"),
    OlderThan: ("field", "seconds"),
    And: ("rules",),
    Or: ("rules",),
    Not: ("rule",),
    Always: (),
}


def _encode(spec: FieldSpec, value: Any) -> Any:
    if spec.kind is Kind.ENUM:
        return value.value
    if spec.kind is Kind.DECIMAL:
        return format(value, "f")
    if spec.kind is Kind.DATETIME:
        return value.isoformat()
    return value


def unstructure_rule(rule: Rule) -> dict[str, Any]:
    """A rule as plain JSON data (the ``op`` key tags the kind of rule)."""
    out: dict[str, Any] = {"op": rule.op}
    if isinstance(rule, _Group):
        out["rules"] = [unstructure_rule(r) for r in rule.rules]
    elif isinstance(rule, Not):
        out["rule"] = unstructure_rule(rule.rule)
    elif not isinstance(rule, Always):
        spec = FIELDS[rule.field]  # type: ignore[attr-defined]
        out["field"] = spec.name
        if isinstance(rule, Compare):
            out["value"] = _encode(spec, rule.value)
        elif isinstance(rule, Between):
            out["lo"] = _encode(spec, rule.lo)
            out["hi"] = _encode(spec, rule.hi)
        elif isinstance(rule, In):
            out["values"] = sorted(_encode(spec, v) for v in rule.values)
        elif isinstance(rule, Contains):
            out["value"] = rule.value
        elif isinstance(rule, _Window):
            out["seconds"] = int(rule.window.total_seconds())
    return out


def _decode(check: Checker, path: Path, spec: FieldSpec, raw: object) -> object:
    kind = spec.kind
    if kind is Kind.ENUM:
        assert spec.enum is not None
        for member in spec.enum:
            if member.value == raw and type(raw) is str:
                return member
        check.add(path, f"must be one of {', '.join(repr(m.value) for m in spec.enum)}")
    elif kind is Kind.DECIMAL:
        if type(raw) is int:
            return Decimal(raw)
        if type(raw) is str:
            try:
                return Decimal(raw)
            except InvalidOperation:
                pass
        check.add(path, 'must be a decimal string such as "12.50"')
    elif kind is Kind.DATETIME:
        if type(raw) is str:
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                pass
            else:
                if finer_than_microseconds(raw):  # it has its offset: say what is wrong
                    check.add(path, TOO_FINE)
                    return raw
                if is_aware(value):
                    return value
        check.add(path, "must be an ISO 8601 datetime string with a UTC offset")
    elif kind in (Kind.INT, Kind.SCORE) and (type(raw) is not int):
        check.add(path, "must be an integer")
    elif kind in (Kind.TEXT, Kind.SET) and type(raw) is not str:
        check.add(path, "must be a string")
    return raw


def _raw_depth_exceeds(data: object, limit: int) -> bool:
    """Whether plain rule data nests deeper than *limit*, found without recursion."""
    stack = [(data, 1)]
    while stack:
        node, level = stack.pop()
        if type(node) is dict:
            if level > limit:
                return True
            children = node.get("rules")
            if type(children) is list:
                stack.extend((child, level + 1) for child in children)
            stack.append((node.get("rule"), level + 1))
    return False


def structure_rule(data: object, _: object = None) -> Rule:
    """Build a rule from plain JSON data, checking it fully."""
    # Checked before building: data nested thousands deep would otherwise end
    # in a RecursionError rather than the rule about nesting.
    if _raw_depth_exceeds(data, MAX_DEPTH):
        raise ValidationError.single((), _TOO_DEEP, "Rule")
    return _structure_rule(data)


def _structure_rule(data: object) -> Rule:
    if type(data) is not dict:
        raise ValidationError.single((), "must be an object with an 'op' key", "Rule")
    op = data.get("op")
    cls = _NODES.get(op) if type(op) is str else None
    if cls is None:
        raise ValidationError.single("op", f"must be one of {', '.join(_NODES)}", "Rule")
    keys = _KEYS[cls]
    check = Checker()
    extra = sorted(str(k) for k in data if k != "op" and k not in keys)
    if extra:
        check.add((), f"unknown field(s): {', '.join(repr(k) for k in extra)}")
    for key in keys:
        if key not in data:
            check.add(key, "is required")
    check.done("Rule")
    if cls in (And, Or):
        raw_rules = data["rules"]
        if type(raw_rules) is not list:
            raise ValidationError.single("rules", "must be an array", "Rule")
        problems: list[Problem] = []
        children = []
        for i, raw in enumerate(raw_rules):
            try:
                children.append(_structure_rule(raw))
            except ValidationError as e:
                problems.extend(p.under(("rules", i)) for p in e.problems)
        if problems:
            raise ValidationError(problems, "Rule")
        return cls(children)
    if cls is Not:
        try:
            return Not(_structure_rule(data["rule"]))
        except ValidationError as e:
            raise e.under(("rule",)) from None
    if cls is Always:
        return Always()
    name = data["field"]
    spec = _spec(check, name)
    check.done("Rule")
    assert spec is not None
    if cls is Compare:
        value = _decode(check, ("value",), spec, data["value"])
        check.done("Rule")
        return Compare(str(op), name, value)
    if cls is Between:
        lo = _decode(check, ("lo",), spec, data["lo"])
        hi = _decode(check, ("hi",), spec, data["hi"])
        check.done("Rule")
        return Between(name, lo, hi)
    if cls is In:
        raw_values = data["values"]
        if type(raw_values) is not list:
            raise ValidationError.single("values", "must be an array", "Rule")
        values = [_decode(check, ("values", i), spec, v) for i, v in enumerate(raw_values)]
        check.done("Rule")
        if len(set(values)) != len(values):
            raise ValidationError.single("values", "must not repeat a value (it is a set)", "Rule")
        return In(name, values)
    if cls is Contains:
        return Contains(name, data["value"])
    if cls is Missing:
        return Missing(name)
    seconds = data["seconds"]
    if type(seconds) is not int or not 0 < seconds <= 10**12:
        raise ValidationError.single("seconds", "must be a positive whole number", "Rule")
    return cls(name, timedelta(seconds=seconds))  # type: ignore[call-arg]


def _is_rule(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Rule)


def register_hooks(conv: cattrs.Converter) -> None:
    """Teach *conv* the rule tagged union (called by ``make_converter``)."""

    def structure_factory(t: type[Rule]) -> Callable[[object, object], Rule]:
        def structure(data: object, _: object) -> Rule:
            rule = structure_rule(data)
            if not isinstance(rule, t):
                raise ValidationError.single("op", f"must be a {t.__name__} rule", "Rule")
            return rule

        return structure

    conv.register_unstructure_hook_factory(_is_rule, lambda _: unstructure_rule)
    conv.register_structure_hook_factory(_is_rule, structure_factory)
