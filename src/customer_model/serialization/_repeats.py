"""Objects in JSON text that repeat a key, found while parsing.

The search follows the target type down the parsed value: through an attrs
class's fields, a mapping's keys (the library's are identifiers: themes,
currency codes, vocabulary words) and an array's items.  A repeated key is
named when it is one of those (a field name such as ``'id'``, a mapping
key); any other key is counted, as unknown keys are, since a key nobody
defined may be personal data.  For the same reason the search never goes
down through such a key: what sits under it is refused as an unknown field
when the input is structured.
"""

from __future__ import annotations

import collections
import collections.abc
import enum
import functools
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from customer_model.errors import Path, Problem
from customer_model.model.rules import Rule
from customer_model.serialization._rule_json import RULE_WORDS

__all__ = ["repeat_finder", "repeated_keys", "repeats"]

#: Objects noted by :func:`repeat_finder`: ``id(object)`` to the object and its
#: repeated keys.  The object is held, so that its id is not given to another
#: (an object a repeated key replaced would otherwise free its id for reuse).
Found = dict[int, tuple[dict[str, Any], list[str]]]

#: Modules whose classes' subclasses are not walked (``str`` has hundreds, none a model).
_STANDARD = frozenset(sys.stdlib_module_names) | {"builtins"}

_MAPPINGS = frozenset({dict, Mapping, collections.abc.MutableMapping})
_ARRAYS = frozenset(
    {list, tuple, set, frozenset, collections.deque, collections.abc.Sequence}
    | {collections.abc.Set, collections.abc.MutableSequence, collections.abc.MutableSet}
)


@attrs.frozen
class _Shape:
    """What the target type says of a JSON value at one place.

    ``fields`` are an object's keys and their types; a *mapping* names
    every key its key type accepts (``keys``, or any key when that is
    ``None``: ids, themes, currency codes), its values of type ``values``.
    ``items`` is an array's item type, ``positions`` a fixed tuple's;
    ``array`` says whether the type is an array at all (only then are a JSON
    array's items searched).
    """

    fields: Mapping[str, Any] = attrs.field(factory=dict)
    mapping: bool = False
    keys: frozenset[str] | None = None
    values: Any = None
    array: bool = False
    items: Any = None
    positions: tuple[Any, ...] = ()

    def known(self, value: dict[str, Any]) -> collections.abc.Collection[str]:
        """The keys of *value* the type defines: all of a mapping's, a class's fields."""
        if not self.mapping:
            return self.fields.keys()
        if self.keys is None:
            return value.keys()
        return self.keys & value.keys()

    def child(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self.positions[key] if key < len(self.positions) else self.items
        return self.values if self.mapping else self.fields.get(key)


_NOTHING = _Shape()

#: Where a value sits: its parent's place and its key, so that a place costs one
#: small tuple however deep it is; the path is spelt out only for a problem.
_Place = tuple["_Place", str | int] | None


def _path(place: _Place) -> Path:
    parts: list[str | int] = []
    while place is not None:
        place, key = place
        parts.append(key)
    return tuple(reversed(parts))


def repeat_finder() -> tuple[Callable[[list[tuple[str, Any]]], dict[str, Any]], Found]:
    """An ``object_pairs_hook`` that notes every object repeating a key, and its notes.

    The notes hold each noted object, so an ``id`` stays its object's.
    """
    found: Found = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = collections.Counter(key for key, _ in pairs)
            found[id(obj)] = (obj, sorted(key for key, n in counts.items() if n > 1))
        return obj

    return hook, found


def repeated_keys(found: Found, obj: object) -> list[str]:
    """The keys *obj* repeats, as :func:`repeat_finder` noted them (none if not noted)."""
    noted = found.get(id(obj))
    return noted[1] if noted is not None and noted[0] is obj else []


def repeats(
    raw: Any, found: Found, cls: Any, refused: collections.abc.Container[Path] = ()
) -> list[Problem]:
    """A problem for every object of *raw* that :func:`repeat_finder` noted.

    A mapping at a path in *refused* (where loading found a problem) has its
    repeated keys counted, not named: one of them may be a key it refuses,
    which is bad input and never repeated.  Vocabulary is named all the same.
    """
    problems = []
    stack: list[tuple[_Place, Any, Any]] = [(None, raw, cls)]
    while found and stack:  # no recursion: the parser accepted the nesting, so must this
        place, value, t = stack.pop()
        shape = _shape(t)
        if isinstance(value, dict):
            known = shape.known(value)
            keys = repeated_keys(found, value)
            if keys:
                path = _path(place)
                open_keys = shape.mapping and shape.keys is None and path in refused
                problems.append(Problem(path, _message(keys, () if open_keys else known)))
            stack.extend(
                ((place, key), item, shape.child(key))
                for key, item in value.items()
                if key in known and isinstance(item, dict | list)
            )
        elif isinstance(value, list) and shape.array:
            stack.extend(
                ((place, i), item, shape.child(i))
                for i, item in enumerate(value)
                if isinstance(item, dict | list)
            )
    return problems


def _message(keys: list[str], known: collections.abc.Collection[str]) -> str:
    named = [key for key in keys if key in known]
    others = len(keys) - len(named)
    if not named:
        return f"repeats {others} key{'s' if others > 1 else ''}; JSON keeps only one of each"
    text = ", ".join(map(repr, named))
    if others:
        text += f" and {others} other key{'s' if others > 1 else ''}"
    return f"repeats the key(s) {text}; JSON keeps only one"


def _shape(t: Any) -> _Shape:
    try:
        return _cached_shape(t)
    except TypeError:  # an unhashable annotation: nothing known of it
        return _NOTHING


@functools.cache
def _cached_shape(t: Any) -> _Shape:
    """The shape of *t*: its fields, a mapping's values, or an array's items."""
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if t in _ARRAYS:  # a bare list or tuple: arrays of anything, each searched
        return _Shape(array=True)
    if origin in _MAPPINGS and len(args) == 2:
        return _Shape(mapping=True, keys=_keys(args[0]), values=args[1])
    if origin in _ARRAYS and args:
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return _Shape(array=True, positions=args)
        return _Shape(array=True, items=args[0])
    fields: dict[str, Any] = {}
    array: _Shape | None = None
    for part in args if origin is not None else (t,):  # a union: what any member reads
        if part is t:
            fields.update(_fields(t))
            continue
        shape = _shape(part)
        if shape.mapping:
            return shape  # a mapping among the members
        fields.update(shape.fields)
        array = array or (shape if shape.array else None)
    if array is not None:
        return attrs.evolve(array, fields=fields)
    return _Shape(fields=fields)


def _fields(t: Any) -> dict[str, Any]:
    """Field name to type, for an attrs class or for every attrs class below a base class."""
    if not isinstance(t, type) or t.__module__.partition(".")[0] in _STANDARD:
        return {}
    out: dict[str, Any] = {}
    if attrs.has(t):
        try:
            hints = typing.get_type_hints(t)
        except Exception:  # an annotation that does not resolve: its names still count
            hints = {}
        out.update((f.name, hints.get(f.name)) for f in attrs.fields(t))
    for sub in t.__subclasses__():  # a Rule field holds any kind of rule
        for name, type_ in _fields(sub).items():
            out.setdefault(name, type_)
    if out and issubclass(t, Rule):
        out.update(dict.fromkeys(RULE_WORDS))
    return out


def _keys(t: Any) -> frozenset[str] | None:
    """The texts a mapping's key type accepts: an enum's values, a literal's; None for any."""
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return frozenset(m.value for m in t if isinstance(m.value, str))
    if typing.get_origin(t) is typing.Literal:
        return frozenset(a for a in typing.get_args(t) if isinstance(a, str))
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        parts = [_keys(a) for a in typing.get_args(t)]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p for p in parts if p is not None))
    return None
