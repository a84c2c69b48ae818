"""Checks for collections of plain numbers, such as survey scores.

Single numbers are checked with ``Checker.number``.  Problems point at the
argument (or one of its elements) and never show the value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from customer_model._validation import Checker, type_name
from customer_model.errors import ValidationError


def integers(
    name: str, values: object, *, minimum: int, maximum: int, subject: str
) -> tuple[int, ...]:
    """The integers of the iterable *values*, each in ``[minimum, maximum]``, non-empty.

    Raises :class:`ValidationError` whose problems point at ``name`` (the
    argument) or ``name[i]`` (a bad element).  Strings, bytes and mappings are
    refused rather than split into characters or keys.
    """
    if isinstance(values, str | bytes | bytearray | Mapping) or not isinstance(values, Iterable):
        raise ValidationError.single(
            name, f"must be an iterable of integers, not {type_name(values)}", subject
        )
    out = tuple(values)
    check = Checker()
    if not out:
        check.add(name, "must contain at least one score")
    for i, v in enumerate(out):
        if type(v) is not int:
            check.add((name, i), f"must be an integer, not {type_name(v)}")
        elif not minimum <= v <= maximum:
            check.add((name, i), f"must be between {minimum} and {maximum}")
    check.done(subject)
    return out  # every element checked above
