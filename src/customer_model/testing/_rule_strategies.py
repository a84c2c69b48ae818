"""Strategies for segment rules and segments: every node type, hostile texts included."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from customer_model.model._rule_fields import FIELDS, Kind
from customer_model.model._validation import Checker
from customer_model.model.rules import NODES, Part, Rule, parts
from customer_model.model.segments import Segment, SegmentBasis
from customer_model.testing._basics import (
    _done,
    _drawing,
    _strategy,
    aware_datetimes,
    identifiers,
    texts,
)
from customer_model.testing._vocabulary import (
    _COUNTRIES,
    _CURRENCIES,
    _FEATURES,
    _INDUSTRIES,
    _INTERESTS,
)

__all__ = ["rules", "segments"]

_SEGMENT_IDS = identifiers("s-")


# -- segment rules -----------------------------------------------------------------

#: Text that tries to break out of SQL string literals.
_HOSTILE = ["'", "''", "\\", "\\'", "; DROP TABLE t; --", "/* x */", "%", "_", ",", "a,b", "\n"]
_SPEND = st.integers(0, 2_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
_WINDOWS = st.integers(1, 3 * 365 * 86_400).map(lambda s: timedelta(seconds=s))


def _texts(realistic: Sequence[str]) -> st.SearchStrategy[str]:
    """Mostly realistic values, sometimes hostile or arbitrary text."""
    return st.one_of(
        st.sampled_from(list(realistic)),
        st.sampled_from(_HOSTILE),
        texts(6),
    )


def _tags(realistic: Sequence[str]) -> st.SearchStrategy[str]:
    return _texts(realistic).filter(lambda s: bool(s.strip()))


@functools.cache
def _field_values(name: str) -> st.SearchStrategy[Any]:
    """The values a rule may compare field *name* with (built once per field: drawing is hot)."""
    spec = FIELDS[name]
    if spec.kind is Kind.ENUM:
        assert spec.enum is not None
        return st.sampled_from(list(spec.enum))
    if spec.kind is Kind.INT:
        return st.integers(-1, 60) if name == "size" else st.integers(0, 6)
    if spec.kind is Kind.SCORE:
        return st.integers(0, 5)
    if spec.kind is Kind.DECIMAL:
        return _SPEND
    if spec.kind is Kind.DATETIME:
        return aware_datetimes()
    realistic = {
        "country": _COUNTRIES,
        "region": ["North", "South", "Bavaria", "Texas"],
        "industry": _INDUSTRIES,
        "currency": _CURRENCIES,
        "interests": _INTERESTS,
        "preferences": ["email", "sms", "eco"],
        "lifestyle": ["urban", "rural", "family"],
        "features_used": _FEATURES,
    }[name]
    if spec.code is not None:  # a code: other text is refused, as it would never match
        return st.sampled_from(realistic)
    return _tags(realistic) if spec.kind is Kind.SET else _texts(realistic)


#: The node types that test one field (the others combine rules or read nothing).
_CONDITIONS = [node for node in NODES if any(part is Part.FIELD for _, part in parts(node))]
_NODE_TYPES = st.sampled_from(_CONDITIONS)


def _leaf(
    ops: Mapping[Any, st.SearchStrategy[str]],
    names: Mapping[Any, Any],
    types: st.SearchStrategy[type[Rule]] = _NODE_TYPES,
) -> st.SearchStrategy[Rule]:
    """A condition on one field, built from its node type's parts.

    The node type is drawn first, so every kind of condition is as likely as
    any other (``Compare``'s six operators do not crowd out the rest).  *ops*
    holds each node type's operators and *names*, for each node type and
    operator, the fields it can test: built once, as drawing is hot.  They
    are the closure's, not the composite's arguments, which hypothesis would
    show (some 50 kB) in the repr it makes of a failing example's strategy.
    """

    @st.composite
    def condition(draw: st.DrawFn) -> Rule:
        return _condition(draw, ops, names, types)

    return condition()


def _condition(
    draw: st.DrawFn,
    ops: Mapping[Any, st.SearchStrategy[str]],
    names: Mapping[Any, Any],
    types: st.SearchStrategy[type[Rule]],
) -> Rule:
    node = draw(types)
    op = draw(ops[node])
    name = draw(names[node, op])
    values = _field_values(name)
    shape = parts(node)
    ends = sorted((draw(values), draw(values))) if (Part.LOW in dict(shape).values()) else []
    drawn: dict[Part, Callable[[], object]] = {
        Part.OP: lambda: op,
        Part.FIELD: lambda: name,
        Part.VALUE: lambda: draw(values),
        Part.LOW: lambda: ends[0],
        Part.HIGH: lambda: ends[-1],
        Part.VALUES: lambda: draw(st.lists(values, min_size=1, max_size=4)),
        Part.WINDOW: lambda: draw(_WINDOWS),
    }
    return node(**{attr: drawn[part]() for attr, part in shape})


def _combined(
    inner: st.SearchStrategy[Rule], nodes: Sequence[type[Rule]] = NODES
) -> st.SearchStrategy[Rule]:
    """The node types of *nodes* that combine rules, over the rules of *inner*."""
    options: list[st.SearchStrategy[Rule]] = []
    for node in nodes:
        shape = [part for _, part in parts(node)]
        if shape == [Part.RULES]:
            options.append(st.lists(inner, min_size=1, max_size=3).map(node))
        elif shape == [Part.RULE]:
            options.append(inner.map(node))
    return st.one_of(options)


def rules(
    *, rfm: bool = False, max_leaves: int = 6, node: type[Rule] | None = None
) -> st.SearchStrategy[Rule]:
    """Valid segment rules of every node type over every rule field, nested.

    Values mix realistic ones (so rules match generated customers) with
    hostile text (quotes, comment markers, separators).  RFM fields appear
    only with ``rfm=True``, since running them needs RFM scores.  Rules with
    time windows need an ``as_of`` to run.  The node types come from
    :data:`customer_model.model.rules.NODES`; with *node*, one of them, every
    rule drawn is of that type (its inner rules of any).
    """
    check = Checker()
    check.boolean("rfm", rfm)
    check.integer("max_leaves", max_leaves, minimum=1)
    if node is not None and node not in NODES:
        check.add("node", "must be one of the rule node types of customer_model.model.rules.NODES")
    _done(check, "rules")
    fields = [name for name, spec in FIELDS.items() if rfm or not spec.rfm]
    ops = {node: st.sampled_from(list(node.ops)) for node in _CONDITIONS}
    names = {
        (node, op): st.sampled_from([f for f in fields if FIELDS[f].kind in kinds])
        for node in _CONDITIONS
        for op, kinds in node.ops.items()
    }
    constants = [st.just(kind()) for kind in NODES if not parts(kind)]
    every = st.recursive(st.one_of(_leaf(ops, names), *constants), _combined, max_leaves=max_leaves)
    if node is None:
        return every
    if node in _CONDITIONS:
        return _leaf(ops, names, st.just(node))
    if not parts(node):
        return st.just(node())
    return _combined(every, [node])


def segments(
    *, rule: st.SearchStrategy[Rule] | None = None, rfm: bool = False
) -> st.SearchStrategy[Segment]:
    """Valid segments whose rules come from :func:`rules` (or *rule*)."""
    check = Checker()
    _strategy(check, "rule", rule)
    check.boolean("rfm", rfm)
    _done(check, "segments")
    return st.builds(
        Segment,
        _SEGMENT_IDS,
        st.sampled_from(["Key accounts", "Families", "Golfers", "Lapsed", "Big spenders"]),
        rules(rfm=rfm) if rule is None else _drawing(rule, "rule", "segments", Rule),
        basis=st.none() | st.sampled_from(SegmentBasis),
        description=st.none() | st.just("generated"),
    )
