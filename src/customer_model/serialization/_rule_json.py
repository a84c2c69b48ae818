"""Segment rules as JSON: a tagged union on the ``"op"`` key, read from the node types.

``{"op": "eq", "field": "country", "value": "DE"}``: the ``"op"`` first, then
each attribute of the node in order, under its own name (a window as
``"seconds"``).  The JSON type of a value depends on the rule field, so values
are encoded and decoded by the field's kind from the catalogue, not guessed
from the JSON.  Everything else follows from the node types' parts
(:data:`~customer_model.model.rules.NODES`), so a new node needs nothing here.

cattrs' own ``configure_tagged_union`` does not fit this format: it gives a
class one tag (``Compare`` has six), writes the tag after the other keys (the
format has it first), and a missing, unknown or unhashable tag or a non-object
ends in a bare ``KeyError`` or ``TypeError`` rather than a ``ValidationError``
at ``$.op``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._money import parse_decimal
from customer_model.model._rule_checks import MAX_DEPTH, TOO_DEEP, spec_of
from customer_model.model._rule_fields import FIELDS, FieldSpec, Kind
from customer_model.model._validation import Checker
from customer_model.model.rules import NODES, OPS, Part, Rule, parts
from customer_model.serialization._problems import unknown_fields
from customer_model.serialization._scalars import Invalid, datetime_hook

if TYPE_CHECKING:
    import cattrs

__all__ = ["RULE_WORDS", "register_hooks", "structure_rule", "unstructure_rule"]

#: The JSON keys of rules that are not attribute names.
RULE_WORDS = frozenset({"op", "seconds"})

#: The parts whose values are of the rule field's type.
_TYPED = (Part.VALUE, Part.LOW, Part.HIGH)
#: The longest window JSON may give, in seconds (the node refuses more than a century).
_MAX_SECONDS = 10**12


#: Reads a JSON datetime (the converter's own hook, lenient if it was made so).
ReadDatetime = Callable[[object, object], datetime]
_STRICT_DATETIME = datetime_hook(None)


@attrs.frozen
class _Reading:
    """How a converter reads rules: as it reads every other object and datetime."""

    forbid_extra_keys: bool = True
    read_datetime: ReadDatetime = _STRICT_DATETIME


#: A node type's attributes but its op: name, JSON key and part of each.
Shape = tuple[tuple[str, str, Part], ...]


def _shape(node: type[Rule]) -> Shape:
    """Each attribute of *node* but its op: its name, its JSON key and its part."""
    return tuple(
        (name, "seconds" if part is Part.WINDOW else name, part)
        for name, part in parts(node)
        if part is not Part.OP
    )


#: The shapes of the node types, worked out once.
_SHAPES = MappingProxyType({node: _shape(node) for node in NODES})
#: The attribute that holds the op, for the node types that have several.
_OP_NAMES = MappingProxyType(
    {node: name for node in NODES for name, part in parts(node) if part is Part.OP}
)


def _keys(node: type[Rule]) -> Shape:
    known = _SHAPES.get(node)
    return known if known is not None else _shape(node)


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
    spec: FieldSpec | None = None
    for name, key, part in _keys(type(rule)):  # the field comes first
        value = getattr(rule, name)
        if part is Part.FIELD:
            spec = FIELDS[value]
            out[key] = value
        elif part in _TYPED:
            assert spec is not None
            out[key] = _encode(spec, value)
        elif part is Part.VALUES:
            assert spec is not None
            out[key] = sorted(_encode(spec, v) for v in value)
        elif part is Part.WINDOW:
            out[key] = int(value.total_seconds())
        elif part is Part.RULES:
            out[key] = [unstructure_rule(r) for r in value]
        else:
            out[key] = unstructure_rule(value)
    return out


def _decode(check: Checker, path: Path, spec: FieldSpec, raw: object, how: _Reading) -> object:
    """A JSON value as the field's Python value; the node checks the rest."""
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
            amount = parse_decimal(raw)
            if amount is not None:
                return amount
        check.add(path, 'must be a decimal string such as "12.50"')
    elif kind is Kind.DATETIME:
        try:
            return how.read_datetime(raw, datetime)
        except Invalid as e:  # our own words: they never repeat the input
            why = str(e)
        check.add(path, why)
    elif kind in (Kind.INT, Kind.SCORE) and (type(raw) is not int):
        check.add(path, "must be an integer")
    elif kind is Kind.TEXT and type(raw) is not str:
        check.add(path, "must be a string")  # a tag (Kind.SET) is checked by its node
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


def structure_rule(data: object, _: object = None, *, how: _Reading = _Reading()) -> Rule:
    """Build a rule from plain JSON data, checking it fully, read *how* a converter reads."""
    # Checked before building: data nested thousands deep would otherwise end
    # in a RecursionError rather than the rule about nesting.
    if _raw_depth_exceeds(data, MAX_DEPTH):
        raise ValidationError.single((), TOO_DEEP, "Rule")
    return _structure(data, how)


def _structure(data: object, how: _Reading) -> Rule:
    if type(data) is not dict:
        raise ValidationError.single((), "must be an object with an 'op' key", "Rule")
    op = data.get("op")
    node = OPS.get(op) if type(op) is str else None
    if node is None:
        raise ValidationError.single("op", f"must be one of {', '.join(OPS)}", "Rule")
    keys = _keys(node)
    check = Checker()
    if len(data) != len(keys) + 1 or not all(key in data for _, key, _ in keys):
        _check_keys(check, data, keys, how.forbid_extra_keys)
    op_name = _OP_NAMES.get(node)
    args: dict[str, object] = {} if op_name is None else {op_name: op}
    spec: FieldSpec | None = None
    as_given = False
    for name, key, part in keys:  # the field comes first: values are read by its kind
        raw = data[key]
        if part is Part.FIELD:
            spec = FIELDS.get(raw) if type(raw) is str else None
            if spec is None:
                spec_of(check, raw)  # says what is wrong with it
                check.done("Rule")
            # A field the op does not take: the node says so, as when built in Python,
            # rather than the value being read as the wrong type.
            assert spec is not None
            as_given = spec.kind not in node.ops[str(op)]
            args[name] = raw
        elif as_given and part in _TYPED:
            args[name] = raw
        elif part in _TYPED:
            assert spec is not None
            args[name] = _decode(check, (key,), spec, raw, how)
        elif part is Part.VALUES:
            assert spec is not None
            args[name] = _list(key, raw) if as_given else _decode_set(check, key, spec, raw, how)
        elif part is Part.WINDOW:
            if type(raw) is not int or not 0 < raw <= _MAX_SECONDS:
                check.add(key, "must be a positive whole number")
            else:
                args[name] = timedelta(seconds=raw)
        elif part is Part.RULES:
            args[name] = _structure_all(key, raw, how)
        else:
            args[name] = _under(key, raw, how)
    check.done("Rule")
    try:
        return node(**args)
    except ValidationError as e:
        raise _at_json_keys(e, keys) from None


def _check_keys(check: Checker, data: dict[Any, Any], keys: Shape, forbid_extra: bool) -> None:
    known = ["op", *(key for _, key, _ in keys)]
    extra = [k for k in data if k not in known]
    if extra and forbid_extra:  # never named: a key may be personal data
        check.add((), unknown_fields(extra, known, data.keys()))
    for _, key, _ in keys:
        if key not in data:
            check.add(key, "is required")
    check.done("Rule")


def _list(key: str, raw: object) -> list[object]:
    if type(raw) is not list:
        raise ValidationError.single(key, "must be an array", "Rule")
    return raw


def _decode_set(
    check: Checker, key: str, spec: FieldSpec, raw: object, how: _Reading
) -> list[object]:
    values = [_decode(check, (key, i), spec, v, how) for i, v in enumerate(_list(key, raw))]
    check.done("Rule")
    if len(set(values)) != len(values):
        raise ValidationError.single(key, "must not repeat a value (it is a set)", "Rule")
    return values


def _structure_all(key: str, raw: object, how: _Reading) -> list[Rule]:
    if type(raw) is not list:
        raise ValidationError.single(key, "must be an array", "Rule")
    problems: list[Problem] = []
    rules = []
    for i, item in enumerate(raw):
        try:
            rules.append(_structure(item, how))
        except ValidationError as e:
            problems.extend(p.under((key, i)) for p in e.problems)
    if problems:
        raise ValidationError(problems, "Rule")
    return rules


def _under(key: str, raw: object, how: _Reading) -> Rule:
    try:
        return _structure(raw, how)
    except ValidationError as e:
        raise e.under((key,)) from None


def _at_json_keys(error: ValidationError, keys: Shape) -> ValidationError:
    """The node's *error*, each problem told at its JSON key (``window`` is ``seconds``)."""
    renamed = {name: key for name, key, _ in keys if name != key}
    if not renamed:
        return error
    return ValidationError([_renamed(p, renamed) for p in error.problems], "Rule")


def _renamed(problem: Problem, renamed: dict[str, str]) -> Problem:
    path = problem.path
    if path and path[0] in renamed:
        return Problem((renamed[str(path[0])], *path[1:]), problem.message)
    return problem


def _is_rule(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Rule)


def register_hooks(conv: cattrs.Converter, *, forbid_extra_keys: bool = True) -> None:
    """Teach *conv* the rule tagged union (called by ``make_converter``).

    Rules read unknown keys and datetimes as *conv* reads them elsewhere.
    """
    how = _Reading(forbid_extra_keys, conv.get_structure_hook(datetime))

    def structure_factory(t: type[Rule]) -> Callable[[object, object], Rule]:
        def structure(data: object, _: object) -> Rule:
            rule = structure_rule(data, how=how)
            if not isinstance(rule, t):
                raise ValidationError.single("op", f"must be a {t.__name__} rule", "Rule")
            return rule

        return structure

    conv.register_unstructure_hook_factory(_is_rule, lambda _: unstructure_rule)
    conv.register_structure_hook_factory(_is_rule, structure_factory)
