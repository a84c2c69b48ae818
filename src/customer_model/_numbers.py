"""Checks for the plain numbers the scoring frameworks take.

Every framework validates its arguments through :func:`real` and reports all
problems at once with one :class:`~customer_model.ValidationError`, each
problem's path naming the argument.  Messages state the rule and the type,
never the value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from customer_model._validation import Checker, type_name
from customer_model.errors import Path, ValidationError


def real(
    check: Checker,
    path: Path | str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
) -> bool:
    """Whether *value* is a finite ``int`` or ``float`` in range; adds a problem if not.

    ``bool`` is refused even though it subclasses ``int``: ``True`` is not a
    score.  *positive* demands a value strictly greater than zero.
    """
    if type(value) not in (int, float):
        check.add(path, f"must be a real number (int or float), not {type_name(value)}")
        return False
    assert isinstance(value, int | float)
    if not math.isfinite(value):
        check.add(path, "must be a finite number (not NaN or infinity)")
        return False
    if positive and value <= 0:
        check.add(path, "must be greater than 0")
        return False
    if minimum is not None and value < minimum:
        check.add(path, f"must be at least {minimum:g}")
        return False
    if maximum is not None and value > maximum:
        check.add(path, f"must be at most {maximum:g}")
        return False
    return True


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
