"""Hooks for JSON arrays and objects: sequences, sets, fixed tuples, literals, mappings.

Each collection hook has a quick form (``hook.quick``, see
:func:`~customer_model.serialization._codegen.quick_of`) that stops at the
first problem, and a detailed form that reports problems in cattrs' own
exception tree, by position.  Reporting is bounded: the first
:data:`MAX_ITEMIZED` bad elements are itemized, the rest are only counted
with the quick form, so rejecting a large bad payload costs about what
accepting a good one does.
"""

from __future__ import annotations

import collections.abc
import json
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from types import MappingProxyType
from typing import Any

import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.fns import identity

from customer_model.model._frozenmap import key_order
from customer_model.model._text_keys import KeyRule, refused_key
from customer_model.model._validation import MAX_ITEMIZED
from customer_model.serialization._codegen import Refused, Retry, enum_value, quick_of
from customer_model.serialization._scalars import Invalid, json_type, structure_int

__all__ = [
    "MAX_ITEMIZED",
    "NotItemized",
    "fixed_tuple_hook",
    "is_fixed_tuple",
    "is_literal",
    "is_mapping",
    "is_sequence",
    "is_set",
    "literal_hook",
    "mapping_hook",
    "nested",
    "sequence_hook",
    "set_hook",
    "unstructure_fixed_tuple_hook",
    "unstructure_mapping_hook",
    "unstructure_set_hook",
]

Hook = Callable[[Any, Any], Any]


#: One bad element: its index (or key), the error, the type it should have
#: had, and what it is (cattrs' words: ``"iterable @ index"``, ``"mapping key
#: @ key"`` or ``"mapping value @ key"``).
_Failure = tuple[int | str, Exception, Any, str]
_AT_INDEX = "iterable @ index"


def nested(
    failures: Sequence[_Failure], t: Any, unplaced: Sequence[Exception] = ()
) -> IterableValidationError:
    """Problems found inside a collection of type *t*, by position (or key in a mapping).

    cattrs' own error type, with an :class:`~cattrs.errors.IterableValidationNote`
    per element, so a service using the converter directly can walk the tree
    (``except*``, :func:`cattrs.transform_error`) down to the element.
    *unplaced* problems belong to the collection itself.
    """
    excs = []
    for index, exc, of, what in failures:
        exc.add_note(IterableValidationNote(f"Structuring {what} {index!r}", index, of))
        excs.append(exc)
    return IterableValidationError(f"While structuring {_subject(t)}", [*excs, *unplaced], t)


def _subject(t: Any) -> str:
    return getattr(t, "__name__", None) or str(t).replace("typing.", "")


class NotItemized(Invalid):
    """How many elements of a collection are bad, when more than are itemized."""

    def __init__(self, count: int, what: str) -> None:
        super().__init__(f"{count:,} {what} not valid; the first {MAX_ITEMIZED} are itemized")


# -- arrays ------------------------------------------------------------------------


# Each array type and what it builds, as cattrs does: a bare string is never
# read as an array of characters.
_SEQUENCES: Mapping[Any, type[Any]] = MappingProxyType(
    {
        list: list,
        collections.abc.MutableSequence: list,
        collections.abc.Sequence: tuple,
        tuple: tuple,
    }
)
_SETS: Mapping[Any, type[Any]] = MappingProxyType(
    {
        frozenset: frozenset,
        collections.abc.Set: frozenset,
        set: set,
        collections.abc.MutableSet: set,
    }
)


def is_sequence(t: Any) -> bool:
    origin = typing.get_origin(t)
    if origin is tuple:
        args = typing.get_args(t)
        return len(args) == 2 and args[1] is Ellipsis
    return origin in _SEQUENCES and len(typing.get_args(t)) == 1


def is_set(t: Any) -> bool:
    return typing.get_origin(t) in _SETS and len(typing.get_args(t)) == 1


def is_fixed_tuple(t: Any) -> bool:
    """``tuple[int, str]``: one type per position (``tuple[()]`` is the empty tuple)."""
    return typing.get_origin(t) is tuple and not is_sequence(t)


def is_literal(t: Any) -> bool:
    return typing.get_origin(t) is typing.Literal


def _elements(value: object, hook: Hook, elem: Any, t: Any) -> list[Any]:
    """Every element of a JSON array through *hook*; bad ones reported by index."""
    if type(value) is not list:
        raise Invalid(f"must be an array, not {json_type(value)}")
    quick = quick_of(hook)
    model = getattr(hook, "model", None)  # a class hook, which reports a Refused as is
    out: list[Any] = []
    append = out.append
    refused: Exception | None = None
    try:
        for item in value:
            append(quick(item, elem))
    except Refused as e:
        if model is not None and e.source is value[len(out)]:  # the element's own checks
            refused = e.report(model)  # made here, raised (in a group) outside the handler
    except Exception:
        pass  # report outside the handler: no input in __context__
    else:
        return out
    failures: list[_Failure] = []
    start = len(out)
    if refused is not None:  # what hook() would raise, without building the element again
        failures.append((start, refused, elem, _AT_INDEX))
        start += 1
    more = 0
    for i in range(start, len(value)):
        item = value[i]
        try:
            if len(failures) < MAX_ITEMIZED:
                append(hook(item, elem))
            else:
                append(quick(item, elem))
        except Exception as e:
            if len(failures) < MAX_ITEMIZED:
                failures.append((i, e, elem, _AT_INDEX))
            else:
                more += 1
    summary = [NotItemized(len(failures) + more, "elements are")] if more else []
    raise nested(failures, t, summary)


def _quick_elements(value: object, quick: Hook, elem: Any) -> list[Any]:
    if type(value) is not list:
        raise Retry
    return [quick(item, elem) for item in value]


def sequence_hook(t: Any, conv: cattrs.Converter) -> Hook:
    elem = typing.get_args(t)[0]
    make = _SEQUENCES[typing.get_origin(t)]
    item_hook = conv.get_structure_hook(elem)
    quick_item = quick_of(item_hook)

    def structure_sequence(value: object, _: object) -> Any:
        return make(_elements(value, item_hook, elem, t))

    def quick(value: object, _: object) -> Any:
        return make(_quick_elements(value, quick_item, elem))

    structure_sequence.quick = quick  # type: ignore[attr-defined]
    return structure_sequence


def set_hook(t: Any, conv: cattrs.Converter) -> Hook:
    elem = typing.get_args(t)[0]
    make = _SETS[typing.get_origin(t)]
    item_hook = conv.get_structure_hook(elem)
    quick_item = quick_of(item_hook)

    def structure_set(value: object, _: object) -> Any:
        items = _elements(value, item_hook, elem, t)
        result = make(items)
        if len(result) != len(items):
            raise Invalid("must not repeat an element (it is a set)")
        return result

    def quick(value: object, _: object) -> Any:
        items = _quick_elements(value, quick_item, elem)
        result = make(items)
        if len(result) != len(items):
            raise Retry
        return result

    structure_set.quick = quick  # type: ignore[attr-defined]
    return structure_set


def fixed_tuple_hook(t: Any, conv: cattrs.Converter) -> Hook:
    types = typing.get_args(t)
    hooks = [conv.get_structure_hook(arg) for arg in types]

    def structure_fixed_tuple(value: object, _: object) -> Any:
        if type(value) is not list:
            raise Invalid(f"must be an array, not {json_type(value)}")
        if len(value) != len(types):
            raise Invalid(f"must be an array of exactly {len(types)} element(s)")
        out = []
        errors: list[_Failure] = []
        for i, (item, hook, arg) in enumerate(zip(value, hooks, types, strict=True)):
            try:
                out.append(hook(item, arg))
            except Exception as e:
                errors.append((i, e, arg, _AT_INDEX))
        if errors:
            raise nested(errors, t)
        return tuple(out)

    return structure_fixed_tuple


def unstructure_fixed_tuple_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], list[Any]]:
    """A JSON array, each position through its own hook, as the structure hook reads it back."""
    hooks = [conv.get_unstructure_hook(arg) for arg in typing.get_args(t)]

    def unstructure_fixed_tuple(value: Any) -> list[Any]:
        return [hook(item) for hook, item in zip(hooks, value, strict=True)]

    return unstructure_fixed_tuple


def literal_hook(t: Any) -> Hook:
    # Exact types: True is not the literal 1, nor 1 the literal True.
    allowed = [(v.value if isinstance(v, Enum) else v, v) for v in typing.get_args(t)]
    message = "must be one of " + ", ".join(json.dumps(plain) for plain, _ in allowed)

    def structure_literal(value: object, _: object) -> Any:
        for plain, member in allowed:
            if type(value) is type(plain) and value == plain:
                return member
        raise Invalid(message)

    return structure_literal


# -- objects -------------------------------------------------------------------------


_MAPPINGS = (dict, collections.abc.Mapping, typing.Mapping)

#: An int key as JSON writes it: canonical decimal digits (no "+", "-0" or "007").
_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


def is_mapping(t: Any) -> bool:
    return typing.get_origin(t) in _MAPPINGS and len(typing.get_args(t)) == 2


def mapping_hook(t: Any, conv: cattrs.Converter, key_rule: KeyRule | None = None) -> Hook:
    """JSON objects only; keys (always strings in JSON) go through the key type's hook.

    A field's *key_rule* (:mod:`customer_model.model._text_keys`) is asked
    about each key before its value, so that a bad key is never named.
    """
    key_type, value_type = typing.get_args(t)
    key_hook = conv.get_structure_hook(key_type)
    value_hook = conv.get_structure_hook(value_type)
    quick_value = quick_of(value_hook)
    int_keys = key_hook is structure_int

    def structure_key(raw_key: object) -> Any:
        if int_keys and type(raw_key) is str and _INT_KEY.match(raw_key):
            return int(raw_key)  # JSON writes int keys as strings
        key = key_hook(raw_key, key_type)
        if key_rule is not None:
            why = key_rule(key)
            if why is not None:
                raise Invalid(why)
        return key

    def quick(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise Retry
        return {structure_key(k): quick_value(v, value_type) for k, v in value.items()}

    def structure_mapping(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise Invalid(f"must be an object, not {json_type(value)}")
        try:
            return quick(value, _)
        except Exception:
            pass  # report outside the handler: no input in __context__
        out = {}
        errors: list[_Failure] = []
        unplaced: list[Exception] = []
        more = 0
        for position, (raw_key, raw_value) in enumerate(value.items(), 1):
            if len(errors) + len(unplaced) >= MAX_ITEMIZED:
                try:
                    out[structure_key(raw_key)] = quick_value(raw_value, value_type)
                except Exception:
                    more += 1
                continue
            try:
                key = structure_key(raw_key)
            except Exception as e:
                # Only our own messages are safe to repeat: another hook's may quote the key.
                # The key itself is bad input, so it is placed by its position, not named.
                if isinstance(e, Invalid):
                    unplaced.append(Invalid(refused_key(position, str(e))))
                else:
                    name = type(e).__name__
                    unplaced.append(
                        Invalid(f"key {position} (in input order) is not allowed ({name})")
                    )
                continue
            try:
                out[key] = value_hook(raw_value, value_type)
            except Exception as e:
                errors.append((raw_key, e, value_type, "mapping value @ key"))
        if more:
            unplaced.insert(0, NotItemized(len(errors) + len(unplaced) + more, "entries are"))
        raise nested(errors, t, unplaced)

    structure_mapping.quick = quick  # type: ignore[attr-defined]
    return structure_mapping


def unstructure_mapping_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Plain dicts with keys in canonical (sorted) order, so equal maps give equal JSON."""
    key_type, value_type = typing.get_args(t)

    def unstructure_mapping(value: Any) -> dict[Any, Any]:
        pairs = sorted(value.items(), key=lambda kv: key_order(kv[0]))
        return {conv.unstructure(k, key_type): conv.unstructure(v, value_type) for k, v in pairs}

    return unstructure_mapping


def _sorted_plain(items: list[Any]) -> list[Any]:
    """Plain set elements in canonical order: natural order, else by their JSON text."""
    try:
        return sorted(items)
    except TypeError:  # objects (models), or mixed types
        return sorted(items, key=_canonical_text)


def _canonical_text(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=repr)


def _unstructure_set(value: frozenset[Any]) -> list[Any]:
    """A set of strings or enum members (the models' own sets), sorted."""
    return _sorted_plain([v.value if isinstance(v, Enum) else v for v in value])


def unstructure_set_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], list[Any]]:
    """Each element through its own hook (a date, a Decimal, a model), then sorted."""
    args = typing.get_args(t)
    hook = conv.get_unstructure_hook(args[0]) if args else conv.unstructure
    if hook is identity or hook is enum_value:
        return _unstructure_set

    def unstructure_set(value: Any) -> list[Any]:
        # Ordered by plain form, so equal sets always give the same JSON.
        return _sorted_plain([hook(v) for v in value])

    return unstructure_set
