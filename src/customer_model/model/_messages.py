"""The words of messages about an argument's type, shared by every check.

A message names the type of what was given, never the value itself (it may
be personal data), and says what would have been accepted.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import attrs


def type_name(value: object) -> str:
    """The name of *value*'s type, for messages that must not show the value."""
    return type(value).__name__


def not_a_list(value: object) -> str:
    """Why *value* is refused where an ordered collection goes (a set: its order varies)."""
    why = " (a set's order changes from run to run)" if isinstance(value, AbstractSet) else ""
    return f"must be a list or tuple{why}, not {type_name(value)}"


def not_an_iterable(of: str, value: object, field: str) -> str:
    """Why *value* is refused for *field*, an iterable of *of*.

    A model that holds such a collection under the same name (a
    :class:`~customer_model.Dataset` given as ``customers``) is pointed at it.
    """
    cls = type(value)
    hint = f"; pass its .{field}" if attrs.has(cls) and field in attrs.fields_dict(cls) else ""
    return f"must be an iterable of {of}, not {type_name(value)}{hint}"
