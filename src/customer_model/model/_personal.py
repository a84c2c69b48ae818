"""Marking of personal (identity) data on model fields.

A field made with :func:`personal` is masked in ``repr()`` and erased by
:func:`customer_model.redact`.  The marker lives in the field's metadata, so
other code (records, logs) can ask :func:`is_personal` too.
"""

from __future__ import annotations

from typing import Any

import attrs

PERSONAL = "customer_model.personal"
MASK = "'***'"


def _mask(value: object) -> str:
    return "None" if value is None else MASK


def personal(**kwargs: Any) -> Any:
    """An attrs field holding personal data: masked in reprs, erased by redact."""
    metadata = dict(kwargs.pop("metadata", {}))
    metadata[PERSONAL] = True
    return attrs.field(repr=_mask, metadata=metadata, **kwargs)


def is_personal(field: attrs.Attribute[Any]) -> bool:
    """Whether an attrs field was declared with :func:`personal`."""
    return bool(field.metadata.get(PERSONAL, False))


def personal_fields(cls: type[Any]) -> tuple[str, ...]:
    """Names of the personal-data fields of an attrs class."""
    return tuple(f.name for f in attrs.fields(cls) if is_personal(f))
