"""Objects in JSON text that repeat a key, found while parsing.

A repeated key is named only when it is one of the words the target type
reads (a field name such as ``'id'``); any other key is counted, as unknown
keys are: a key nobody defined may be personal data.  For the same reason the
search goes down only through such words, never through a key nobody
defined: what sits under an unknown key is refused as a whole when the
input is structured.
"""

from __future__ import annotations

import collections
import functools
import sys
import typing
from collections.abc import Callable
from typing import Any

import attrs

from customer_model.errors import Path, Problem
from customer_model.serialization._rule_json import RULE_WORDS

__all__ = ["repeat_finder", "repeats"]

#: Modules whose classes' subclasses are not walked (``str`` has hundreds, none a model).
_STANDARD = frozenset(sys.stdlib_module_names) | {"builtins"}

#: Objects noted by :func:`repeat_finder`: ``id(object)`` to its repeated keys.
Found = dict[int, list[str]]


def repeat_finder() -> tuple[Callable[[list[tuple[str, Any]]], dict[str, Any]], Found]:
    """An ``object_pairs_hook`` that notes every object repeating a key, and its notes.

    The notes hold only while the parsed value is alive (they are keyed by ``id``).
    """
    found: Found = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = collections.Counter(key for key, _ in pairs)
            found[id(obj)] = sorted(key for key, n in counts.items() if n > 1)
        return obj

    return hook, found


def repeats(raw: Any, found: Found, cls: Any) -> list[Problem]:
    """A problem for every object of *raw* that :func:`repeat_finder` noted."""
    words = vocabulary(cls)
    problems = []
    stack: list[tuple[Path, Any]] = [((), raw)]
    while found and stack:  # no recursion: the parser accepted the nesting, so must this
        path, value = stack.pop()
        if isinstance(value, dict):
            keys = found.get(id(value))
            if keys is not None:
                problems.append(Problem(path, _message(keys, words)))
            stack.extend(((*path, key), item) for key, item in value.items() if key in words)
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
    return problems


def _message(keys: list[str], words: frozenset[str]) -> str:
    named = [key for key in keys if key in words]
    others = len(keys) - len(named)
    if not named:
        return f"repeats {others} key{'s' if others > 1 else ''}; JSON keeps only one of each"
    text = ", ".join(map(repr, named))
    if others:
        text += f" and {others} other key{'s' if others > 1 else ''}"
    return f"repeats the key(s) {text}; JSON keeps only one"


@functools.cache
def vocabulary(cls: Any) -> frozenset[str]:
    """Every field name of every attrs class *cls* can hold, at any depth."""
    words: set[str] = set()
    seen: set[Any] = set()
    todo = [cls]
    while todo:
        t = todo.pop()
        try:
            if t in seen:
                continue
            seen.add(t)
        except TypeError:  # an unhashable annotation: nothing to read from it
            continue
        if isinstance(t, type) and t.__module__.partition(".")[0] not in _STANDARD:
            todo.extend(t.__subclasses__())  # a Rule field holds any kind of rule
        if isinstance(t, type) and attrs.has(t):
            try:
                hints = typing.get_type_hints(t)
            except Exception:  # an annotation that does not resolve: its names still count
                hints = {}
            for field in attrs.fields(t):
                words.add(field.name)
                todo.append(hints.get(field.name, field.type))
        else:
            todo.extend(typing.get_args(t))
    return frozenset(words | RULE_WORDS)
