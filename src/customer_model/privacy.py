"""Personal data: which fields hold it, and erasing it on request.

Identity data (names, contact details, birth dates, gender, a person's
location, a customer's name) and free text people typed (feedback text) are
marked on the models.  :func:`redact` honours the right to erasure: it returns
a copy with all of it removed, while ids, roles, purchases and the feedback's
themes, kinds and times stay, so aggregate analysis keeps working.  The
records leave out exactly these fields unless asked for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs

from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._personal import erased_value, is_personal, personal_fields

__all__ = ["is_personal", "personal_fields", "redact"]

T = TypeVar("T")


def redact(obj: T) -> T:
    """A copy of *obj* with every personal-data field erased.

    An optional field becomes ``None``; feedback ``text``, always a string,
    becomes ``""``.  Works on any model, nested at any depth, and on lists,
    tuples, sets and mappings of models (a mapping comes back as a ``dict``
    with the same keys).  Ids and structure are kept.  Data nested thousands
    deep, or holding itself, or another iterable (a generator, a dict view),
    raises :class:`~customer_model.ValidationError`.
    """
    try:
        return _redact(obj)  # type: ignore[no-any-return]
    except RecursionError:  # plain containers nested thousands deep; models never are
        pass
    raise ValidationError.single((), "is nested too deeply to redact", "redact input")


def _redact(obj: Any) -> Any:
    if isinstance(obj, tuple):
        values = tuple(_redact(v) for v in obj)
        # A named tuple (a row) stays one: its fields are its positions.
        make = getattr(type(obj), "_make", None)
        return values if make is None else make(values)
    if isinstance(obj, list):
        return [_redact(v) for v in obj]
    if isinstance(obj, frozenset | set):
        return type(obj)(_redact(v) for v in obj)
    if isinstance(obj, Mapping):
        return {key: _redact(value) for key, value in obj.items()}
    if not attrs.has(type(obj)):
        if isinstance(obj, Iterable) and not isinstance(obj, str | bytes | bytearray):
            # A generator, a dict view, a deque, a DataFrame: given back as it is, its
            # models would keep their personal data without a word.
            raise ValidationError.single(
                (),
                f"holds a {type_name(obj)}, which redact cannot copy: "
                "pass a list, tuple, set or mapping",
                "redact input",
            )
        return obj
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(obj)):
        value = getattr(obj, field.name)
        if is_personal(field):
            erased = erased_value(field)
            new = value if value == erased else erased
        else:
            new = _redact(value)
        if new is value:
            continue
        if not field.init:  # a class of the caller's own: evolve cannot set it
            raise ValidationError.single(
                (),
                f"holds a {type_name(obj)} whose field {field.name} holds personal data "
                "but is not set by __init__, so redact cannot copy it",
                "redact input",
            )
        changes[field.alias] = new  # what __init__ takes: "_c" is set as "c"
    return attrs.evolve(obj, **changes) if changes else obj
