"""A small immutable, hashable mapping for the fields of frozen models.

Frozen attrs models must be hashable, and a ``dict`` field is not.  A
:class:`FrozenMap` keeps its keys in a canonical order (enum members by value,
other keys by themselves), so equal maps iterate, print and serialize the same
way whatever order they were built in.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any, TypeVar

K = TypeVar("K")
V = TypeVar("V")


def key_order(key: object) -> tuple[int, str, Any]:
    """The canonical sort key of a mapping key: enums by value, strings as they are."""
    if isinstance(key, Enum):
        return (0, type(key).__name__, key.value)
    return (1, type(key).__name__, key)


class FrozenMap(Mapping[K, V]):
    """A read-only mapping with a canonical key order; equal to any equal mapping."""

    __slots__ = ("_data", "_hash", "in_key_order")

    def __init__(self, items: Mapping[K, V]) -> None:
        #: Whether the keys are in their canonical order (they are unless they do not sort).
        self.in_key_order = True
        try:
            pairs = sorted(items.items(), key=lambda kv: key_order(kv[0]))
        except TypeError:  # keys of one type that do not order; the model rejects them
            pairs = list(items.items())
            self.in_key_order = False
        self._data: dict[K, V] = dict(pairs)
        self._hash: int | None = None

    def __getitem__(self, key: K) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenMap):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __reduce__(self) -> tuple[Any, ...]:
        # Only the items: the cached hash of str keys differs between processes.
        return (type(self), (self._data,))

    def __repr__(self) -> str:
        inner = ", ".join(f"{_short(k)}: {v!r}" for k, v in self._data.items())
        return "{" + inner + "}"


def _short(key: object) -> str:
    if isinstance(key, Enum):
        return f"{type(key).__name__}.{key.name}"
    return repr(key)


def freeze(value: Any) -> Any:
    """Converter for mapping fields: any mapping becomes a :class:`FrozenMap`.

    Anything else is returned unchanged so the model's checks can reject it by
    name instead of failing inside a conversion.
    """
    if isinstance(value, FrozenMap) or not isinstance(value, Mapping):
        return value
    return FrozenMap(value)
