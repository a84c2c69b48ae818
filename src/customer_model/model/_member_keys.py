"""Mappings keyed by a vocabulary: each key a member or its exact value.

The policy's weights and the Kano counts take ``{"bug": 2.0}`` as they take
``{FeedbackKind.BUG: 2.0}``, and say the same words for a key that is
neither, or one given both ways.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from customer_model.model._frozenmap import FrozenMap, freeze
from customer_model.model._messages import type_name
from customer_model.model._validation import exact_member

__all__ = ["bad_member_key", "member_keys"]

E = TypeVar("E", bound=enum.Enum)


def member_keys(cls: type[E], value: object) -> Any:
    """A mapping with exact values as keys turned into members, then frozen.

    A key given both as a member and as its value is left as given, for the
    check to name (:func:`bad_member_key`).
    """
    frozen = freeze(value)
    if not isinstance(frozen, Mapping) or not any(type(k) is str for k in frozen):
        return frozen
    converted = {exact_member(cls, k): v for k, v in frozen.items()}
    return FrozenMap(converted) if len(converted) == len(frozen) else frozen


def bad_member_key(key: object, key_type: type[Any]) -> str:
    """Why *key* is refused in a mapping keyed by *key_type*, never repeating a typed key."""
    if isinstance(key_type, enum.EnumMeta) and type(key) is str:
        values = [m.value for m in key_type]
        if key in values:  # a vocabulary word, safe to name
            return f"key {key!r} is given twice: as a {key_type.__name__} and as its value"
        return f"keys must be {key_type.__name__} members or their values: " + ", ".join(
            map(repr, values)
        )
    return f"keys must be {key_type.__name__} values, not {type_name(key)}"
