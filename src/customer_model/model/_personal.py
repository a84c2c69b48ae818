"""Marking of personal (identity) data on model fields.

A field made with :func:`personal` is masked in ``repr()`` and erased by
:func:`customer_model.redact`.  The marker lives in the field's metadata, so
other code (records, logs) can ask :func:`is_personal` too.
"""

from __future__ import annotations

from typing import Any

import attrs

PERSONAL = "customer_model.personal"
#: Metadata key of the value :func:`customer_model.redact` puts in the field's place.
ERASED = "customer_model.erased"
MASK = "'***'"


def _mask(value: object) -> str:
    return "None" if value is None else MASK


def personal(*, erased: object = None, **kwargs: Any) -> Any:
    """An attrs field holding personal data: masked in reprs, erased by redact.

    *erased* is what :func:`customer_model.redact` leaves in its place:
    ``None`` for an optional field, ``""`` for free text that is always a
    string.  A field may bring its own masking ``repr``.
    """
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[PERSONAL] = True
    metadata[ERASED] = erased
    kwargs.setdefault("repr", _mask)
    return attrs.field(metadata=metadata, **kwargs)


def is_personal(field: attrs.Attribute[Any]) -> bool:
    """Whether an attrs field was declared with :func:`personal`."""
    return bool(field.metadata.get(PERSONAL, False))


def erased_value(field: attrs.Attribute[Any]) -> object:
    """What erasing a personal field leaves: ``None``, or ``""`` for free text."""
    return field.metadata.get(ERASED)


def personal_fields(cls: type[Any]) -> tuple[str, ...]:
    """Names of the personal-data fields of an attrs class."""
    return tuple(f.name for f in attrs.fields(cls) if is_personal(f))
