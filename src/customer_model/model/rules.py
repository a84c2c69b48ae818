"""Segment rules: a small, typed language over a customer's non-identifying attributes.

Build rules with :func:`field`, combine them with ``&``, ``|`` and ``~`` (a
rule has no truth value: ``and``/``or`` would drop one), and parenthesize
comparisons (``&`` binds tighter than ``==``)::

    (field("country") == "DE") & field("interests").contains("golf")

A rule is a frozen, hashable value, checked when it is built or loaded from
JSON: an unknown field, a comparison the field's type does not allow, a value
of the wrong type or a range whose low end is above its high end raises
:class:`~customer_model.ValidationError` right there, never while it runs.

Semantics, the same in Python and in SQL (:mod:`customer_model.sql`): a
comparison against a missing value is false (two-valued logic, so ``~`` of a
comparison is true for a missing value); ``missing()`` is true for ``None``
and, for set fields, for the empty set.  Time windows are relative to an
``as_of`` given when the rule runs: ``within(d)`` means
``as_of - d <= value <= as_of``, ``older_than(d)`` means ``value < as_of - d``.

:data:`NODES` lists every kind of node.  Each says its operators (``ops``,
with the field kinds each accepts), what its attributes hold (:class:`Part`,
read by JSON and the test strategies) and its piece of the compiled Python
function (``_py``); a new node is a class here plus its SQL translation.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import attrs

from customer_model.model import _rule_checks, _rule_compiler, _rule_fields
from customer_model.model._messages import type_name
from customer_model.model._moments import instant_key, instants_key
from customer_model.model._rule_checks import (
    allow,
    check_as_of,
    check_depth,
    check_tags,
    check_value,
    check_window,
    spec_of,
    unchecked_values,
)
from customer_model.model._rule_compiler import compile_rule
from customer_model.model._rule_fields import EQUATABLE, ORDERED, FieldSpec, Kind
from customer_model.model._validation import Checker, to_tuple

if TYPE_CHECKING:
    from customer_model.model._rule_compiler import Emitter
    from customer_model.model.rfm import RFMScore

__all__ = [
    "FIELDS",
    "MAX_DEPTH",
    "NODES",
    "OPS",
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
    "Part",
    "Predicate",
    "Rule",
    "Within",
    "field",
    "parts",
]

# Defined in private modules (the checks and compiler use them); described here, for the API page.
#: Every rule field by name, with its kind, its meaning and whether it may be
#: missing (a :class:`FieldSpec`); :func:`field` accepts exactly these names.
#:
#: :meta hide-value:
FIELDS: Mapping[str, FieldSpec] = _rule_fields.FIELDS
#: How deeply rules may nest (a single condition is one level).  A deeper rule,
#: which only a program writes, is refused when built or loaded from JSON.
MAX_DEPTH = _rule_checks.MAX_DEPTH
#: The function :meth:`Rule.compile` returns, true for a customer the rule matches.
Predicate = _rule_compiler.Predicate

#: The first instant an aware datetime can denote (year 1 at the largest offset).
_EARLIEST = datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59)))
#: The first instant UTC text can hold, where SQL compares times.
_EARLIEST_UTC = datetime.min.replace(tzinfo=UTC)
_NO_FIELD: frozenset[Kind] = frozenset()  # the field kinds of a node that reads no field
_ALL_KINDS = frozenset(Kind)
_TIMES = frozenset({Kind.DATETIME})


class Part(enum.Enum):
    """What an attribute of a rule node holds; JSON and test strategies go by it."""

    OP = "op"  #: which of the node's operators (``Compare`` has six)
    FIELD = "field"  #: the name of a rule field
    VALUE = "value"  #: one value of the field's type
    LOW = "low"  #: the low end of a range, of the field's type
    HIGH = "high"  #: the high end of a range, of the field's type
    VALUES = "values"  #: a non-empty set of values of the field's type
    WINDOW = "window"  #: a time span before ``as_of``
    RULES = "rules"  #: the rules a node combines
    RULE = "rule"  #: the one rule a node wraps


_PART = "customer_model.rule_part"


def _is(part: Part) -> dict[str, Part]:
    """The attrs metadata that says an attribute holds *part*."""
    return {_PART: part}


def parts(node: type[Rule]) -> tuple[tuple[str, Part], ...]:
    """The attributes of the node type *node*, in order, each with its :class:`Part`."""
    if not attrs.has(node):
        return ()  # a Rule subclass of someone else's, with no attributes we know
    shape: tuple[attrs.Attribute[Any], ...] = attrs.fields(node)
    return tuple((a.name, a.metadata[_PART]) for a in shape)


class Rule:
    """A condition on a customer.  Combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()
    #: The operator this rule applies (the ``"op"`` of its JSON).
    op: ClassVar[str]
    #: Every operator of this node type, with the field kinds each one accepts.
    ops: ClassVar[Mapping[str, frozenset[Kind]]]

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

    def __bool__(self) -> bool:  # r1 and r2 would be r2 alone
        raise TypeError("a rule has no truth value: combine rules with &, | and ~")

    @property
    def children(self) -> tuple[Rule, ...]:
        """The rules directly inside this one."""
        return ()

    def walk(self) -> Iterator[Rule]:
        """This rule and every rule inside it, depth first."""
        stack: list[Rule] = [self]
        while stack:
            rule = stack.pop()
            yield rule
            stack.extend(reversed(rule.children))

    @property
    def fields(self) -> frozenset[str]:
        """The names of the fields the rule reads."""
        return frozenset(f for r in self.walk() if (f := getattr(r, "field", None)) is not None)

    @property
    def needs_as_of(self) -> bool:
        """Whether the rule has a time window, so it needs ``as_of`` to run."""
        return any(part is Part.WINDOW for r in self.walk() for _, part in parts(type(r)))

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
        return compile_rule(
            self._py, needs_as_of=self.needs_as_of, needs_rfm=self.needs_rfm, as_of=as_of, rfm=rfm
        )

    def _py(self, emit: Emitter) -> str:
        """This node as a Python expression over the customer ``c``."""
        raise NotImplementedError


def _flatten(rule: Rule, cls: type[And | Or]) -> tuple[Rule, ...]:
    return rule.rules if isinstance(rule, cls) else (rule,)


# -- conditions on one field -------------------------------------------------------

_PY_OPS = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@attrs.frozen(slots=True)
class Compare(Rule):
    """``field <op> value`` with *op* one of eq, ne, lt, le, gt, ge."""

    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType(
        {op: EQUATABLE if op in ("eq", "ne") else ORDERED for op in _PY_OPS}
    )
    # An instance field here, a class constant on the other nodes.
    op: str = attrs.field(metadata=_is(Part.OP))  # type: ignore[misc]
    field: str = attrs.field(metadata=_is(Part.FIELD))
    value: Any = attrs.field(metadata=_is(Part.VALUE), eq=instant_key)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = spec_of(check, self.field)
        if type(self.op) is not str:  # before the lookup: a list or sNaN cannot be hashed
            check.add("op", f"must be one of {', '.join(self.ops)}, not {type_name(self.op)}")
        elif self.op not in self.ops:
            check.add("op", f"must be one of {', '.join(self.ops)}")
        elif spec is not None:
            what = "==" if self.ops[self.op] is EQUATABLE else "ordering"
            if allow(check, spec, self.ops[self.op], what):
                object.__setattr__(self, "value", check_value(check, "value", spec, self.value))
        check.done("Compare rule")

    def _py(self, emit: Emitter) -> str:
        k = emit.const(self.value)
        pyop = _PY_OPS[self.op]
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} {pyop} {k}")


@attrs.frozen(slots=True)
class Between(Rule):
    """``lo <= field <= hi``, both ends included."""

    op: ClassVar[str] = "between"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: ORDERED})
    field: str = attrs.field(metadata=_is(Part.FIELD))
    lo: Any = attrs.field(metadata=_is(Part.LOW), eq=instant_key)
    hi: Any = attrs.field(metadata=_is(Part.HIGH), eq=instant_key)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = spec_of(check, self.field)
        if spec is not None and allow(check, spec, self.ops[self.op], "ranges"):
            lo = check_value(check, "lo", spec, self.lo)
            hi = check_value(check, "hi", spec, self.hi)
            object.__setattr__(self, "lo", lo)
            object.__setattr__(self, "hi", hi)
            # Times as instants: two in one zone compare by wall clock in Python.
            if not check.problems and instant_key(lo) > instant_key(hi):  # type: ignore[operator]
                check.add("lo", "must not be greater than hi")
        check.done("Between rule")

    def _py(self, emit: Emitter) -> str:
        lo, hi = emit.const(self.lo), emit.const(self.hi)
        return emit.guarded(FIELDS[self.field], lambda v: f"{lo} <= {v} <= {hi}")


@attrs.frozen(slots=True)
class In(Rule):
    """``field`` equals one of *values* (a non-empty set)."""

    op: ClassVar[str] = "in"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: EQUATABLE})
    field: str = attrs.field(metadata=_is(Part.FIELD))
    values: frozenset[Any] = attrs.field(
        metadata=_is(Part.VALUES), converter=unchecked_values, eq=instants_key
    )

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = spec_of(check, self.field)
        given: object = self.values  # the converter's tuple until checked
        if type(given) is not tuple:
            check.add("values", f"must be a set (or any iterable), not {type_name(given)}")
        elif not given:
            check.add("values", "must not be empty")
        if spec is not None and not check.problems and allow(check, spec, self.ops[self.op], "in"):
            assert isinstance(given, tuple)
            normal = [check_value(check, ("values", i), spec, v) for i, v in enumerate(given)]
            check.done("In rule")
            object.__setattr__(self, "values", _rule_checks.one_of_each(normal))
        check.done("In rule")

    def _py(self, emit: Emitter) -> str:
        k = emit.const(self.values)
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} in {k}")


@attrs.frozen(slots=True)
class Contains(Rule):
    """A set field (interests, features used...) contains *value*."""

    op: ClassVar[str] = "contains"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: frozenset({Kind.SET})})
    field: str = attrs.field(metadata=_is(Part.FIELD))
    value: str = attrs.field(metadata=_is(Part.VALUE))

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = spec_of(check, self.field)
        if spec is not None and allow(check, spec, self.ops[self.op], "contains"):
            check_value(check, "value", spec, self.value)
        check.done("Contains rule")

    def _py(self, emit: Emitter) -> str:
        return f"({emit.const(self.value)} in {FIELDS[self.field].expr})"


@attrs.frozen(slots=True)
class Missing(Rule):
    """The field has no value (``None``, or an empty set for set fields)."""

    op: ClassVar[str] = "missing"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _ALL_KINDS})
    field: str = attrs.field(metadata=_is(Part.FIELD))

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec_of(check, self.field)
        check.done("Missing rule")

    def _py(self, emit: Emitter) -> str:
        spec = FIELDS[self.field]
        if spec.kind is Kind.SET:
            return f"(not {spec.expr})"
        if spec.nullable:
            return f"({spec.expr} is None)"
        return "False"


class _Window(Rule):
    __slots__ = ()
    ops: ClassVar[Mapping[str, frozenset[Kind]]]
    field: str
    window: timedelta

    def __attrs_post_init__(self) -> None:
        check = Checker()
        spec = spec_of(check, self.field)
        if spec is not None:
            allow(check, spec, self.ops[self.op], "time windows")
        check_window(check, self.window)
        check.done(f"{type(self).__name__} rule")

    def bounds(self, as_of: datetime) -> tuple[datetime, datetime]:
        """The earliest and latest time the window covers at *as_of*.

        The window is measured in UTC, so *as_of*'s offset cannot move it (a
        subtraction in local time could reach the start of the calendar where
        the same one in UTC does not).  Near the start of the calendar the
        earliest time is the first instant ``datetime`` can hold: nothing is
        earlier, so the window means the same.  *as_of* must be aware.
        """
        check_as_of(as_of, f"{type(self).__name__}.bounds input")
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
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _TIMES})
    field: str = attrs.field(metadata=_is(Part.FIELD))
    window: timedelta = attrs.field(metadata=_is(Part.WINDOW))

    def _py(self, emit: Emitter) -> str:
        assert emit.as_of is not None
        lo, hi = (emit.const(b) for b in self.bounds(emit.as_of))
        return emit.guarded(FIELDS[self.field], lambda v: f"{lo} <= {v} <= {hi}")


@attrs.frozen(slots=True)
class OlderThan(_Window):
    """The time in *field* is more than *window* before ``as_of``."""

    op: ClassVar[str] = "older_than"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _TIMES})
    field: str = attrs.field(metadata=_is(Part.FIELD))
    window: timedelta = attrs.field(metadata=_is(Part.WINDOW))

    def _py(self, emit: Emitter) -> str:
        assert emit.as_of is not None
        lo = emit.const(self.bounds(emit.as_of)[0])
        return emit.guarded(FIELDS[self.field], lambda v: f"{v} < {lo}")


# -- rules of rules ------------------------------------------------------------------


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    return to_tuple(value)


class _Group(Rule):
    __slots__ = ()
    rules: tuple[Rule, ...]
    joiner: ClassVar[str]

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.items("rules", self.rules, Rule):
            if not self.rules:
                check.add("rules", "must hold at least one rule")
            check_depth(check, "rules", self.rules)
        check.done(f"{type(self).__name__} rule")

    @property
    def children(self) -> tuple[Rule, ...]:
        return self.rules

    def _py(self, emit: Emitter) -> str:
        return "(" + f" {self.joiner} ".join(r._py(emit) for r in self.rules) + ")"


@attrs.frozen(slots=True)
class And(_Group):
    """Every rule holds."""

    op: ClassVar[str] = "and"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _NO_FIELD})
    joiner: ClassVar[str] = "and"
    rules: tuple[Rule, ...] = attrs.field(metadata=_is(Part.RULES), converter=_rules)


@attrs.frozen(slots=True)
class Or(_Group):
    """At least one rule holds."""

    op: ClassVar[str] = "or"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _NO_FIELD})
    joiner: ClassVar[str] = "or"
    rules: tuple[Rule, ...] = attrs.field(metadata=_is(Part.RULES), converter=_rules)


@attrs.frozen(slots=True)
class Not(Rule):
    """The rule does not hold."""

    op: ClassVar[str] = "not"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _NO_FIELD})
    rule: Rule = attrs.field(metadata=_is(Part.RULE))

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.instance("rule", self.rule, Rule):
            check_depth(check, "rule", (self.rule,))
        check.done("Not rule")

    @property
    def children(self) -> tuple[Rule, ...]:
        return (self.rule,)

    def _py(self, emit: Emitter) -> str:
        return f"(not {self.rule._py(emit)})"


@attrs.frozen(slots=True)
class Always(Rule):
    """Every customer matches (the rule of a segment that is everyone)."""

    op: ClassVar[str] = "always"
    ops: ClassVar[Mapping[str, frozenset[Kind]]] = MappingProxyType({op: _NO_FIELD})

    def _py(self, emit: Emitter) -> str:
        # Reads nothing of the customer, so it checks that there is one: otherwise
        # a rule that short-circuits on it would match anything, even None.
        return "(type(c) is _Customer or _is_customer(c))"


#: Every kind of rule node: the one list that JSON, SQL and the test strategies follow.
NODES: tuple[type[Rule], ...] = (
    *(Compare, Between, In, Contains, Missing, Within, OlderThan),  # conditions on a field
    *(And, Or, Not, Always),  # rules of rules
)
#: Each operator and the node type that has it, in the order of :data:`NODES`.
#:
#: :meta hide-value:
OPS: Mapping[str, type[Rule]] = MappingProxyType({op: node for node in NODES for op in node.ops})


# -- the builder -----------------------------------------------------------------


class FieldRef:
    """A rule field, ready for comparison: ``field("size") >= 50``."""

    __slots__ = ("name",)
    __hash__ = None  # type: ignore[assignment]  # == builds a rule, so no hashing

    def __init__(self, name: str) -> None:
        check = Checker()
        spec_of(check, name)
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

    def _not_a_rule(self, *_: object) -> NoReturn:
        # field("a") == 1 & field("b") == 2 reads as field("a") == (1 & field("b")) == 2
        raise TypeError(f"{self!r} is not a rule: compare it first, in parentheses")

    __and__ = __rand__ = __or__ = __ror__ = __invert__ = __bool__ = _not_a_rule

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
        return _join(Or, [Contains(self.name, v) for v in sorted(check_tags(values))])

    def contains_all(self, values: Iterable[str]) -> Rule:
        """The set holds every one of *values*."""
        return _join(And, [Contains(self.name, v) for v in sorted(check_tags(values))])

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


def _join(cls: type[And | Or], rules: list[Contains]) -> Rule:
    return rules[0] if len(rules) == 1 else cls(rules)


def field(name: str) -> FieldRef:
    """The rule field *name*; see :data:`FIELDS` for the catalogue."""
    return FieldRef(name)
