"""Personal data: which fields hold it, and erasing it on request.

Identity data (names, contact details, birth dates, gender, a person's
location) is marked on the models.  :func:`redact` honours the right to
erasure: it returns a copy with all of it removed, while ids, roles,
purchases and feedback stay, so aggregate analysis keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import attrs

from customer_model.model._personal import is_personal, personal_fields

__all__ = ["is_personal", "personal_fields", "redact"]

T = TypeVar("T")


def redact(obj: T) -> T:
    """A copy of *obj* with every personal-data field set to ``None``.

    Works on any model, nested at any depth, and on lists, tuples, sets and
    mappings of models (a mapping comes back as a ``dict`` with the same
    keys).  Ids and structure are kept.
    """
    return _redact(obj)  # type: ignore[no-any-return]


def _redact(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return tuple(_redact(v) for v in obj)
    if isinstance(obj, list):
        return [_redact(v) for v in obj]
    if isinstance(obj, frozenset | set):
        return type(obj)(_redact(v) for v in obj)
    if isinstance(obj, Mapping):
        return {key: _redact(value) for key, value in obj.items()}
    if not attrs.has(type(obj)):
        return obj
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if is_personal(field):
            if value is not None:
                changes[field.name] = None
        else:
            new = _redact(value)
            if new is not value:
                changes[field.name] = new
    return attrs.evolve(obj, **changes) if changes else obj
