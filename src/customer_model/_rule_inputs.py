"""Checks for the collections that rules over many customers take.

Shared by prioritization, satisfaction breakdowns and reports, so every one of
them rejects the same bad input with the same messages and paths.  The
customers themselves go through
:func:`customer_model.model.customers.customer_index`, which the model's own
functions over many customers share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import Any

from customer_model.errors import ValidationError
from customer_model.model._messages import not_a_list, not_an_iterable, type_name
from customer_model.model._text import all_identifiers
from customer_model.model._validation import Checker
from customer_model.model.customers import Customer


def segment_list(check: Checker, segments: object, *, ordered: bool = False) -> list[Any]:
    """Segment-like objects (an identifier ``id`` and ``matches()``), each id once.

    With *ordered* (the result has a row per segment, in the order given) a
    set is refused: its order changes with ``PYTHONHASHSEED``, and the same
    input must give the same result in every run.
    """
    if isinstance(segments, str | bytes | Mapping) or not isinstance(segments, Iterable):
        check.add("segments", not_an_iterable("segments", segments, "segments"))
        return []
    if ordered and isinstance(segments, AbstractSet):
        check.add("segments", not_a_list(segments))
        return []
    out: list[Any] = []
    seen: set[str] = set()
    for i, segment in enumerate(segments):
        segment_id = getattr(segment, "id", None)
        if type(segment_id) is not str or not callable(getattr(segment, "matches", None)):
            check.add(("segments", i), "must have a string id and a matches() method")
        elif not all_identifiers((segment_id,)):  # as a Segment's own id must be
            check.ident(("segments", i, "id"), segment_id)
        elif segment_id in seen:
            check.add(("segments", i), f"id {segment_id!r} is used more than once")
        else:
            seen.add(segment_id)
            out.append(segment)
    return out


def in_segment(
    segment: Any, position: int, customer: Customer, as_of: datetime | None, subject: str
) -> bool:
    """Whether *customer* is in *segment*, the segment at *position* among those given.

    What goes wrong is told at that segment: an answer that is not a bool,
    or the segment's own refusal (a rule on RFM scores, which need a
    population these rules are not given).
    """
    try:
        verdict = segment.matches(customer, as_of=as_of)
    except ValidationError as error:
        raise ValidationError(error.under(("segments", position)).problems, subject) from None
    if type(verdict) is not bool:
        raise ValidationError.single(
            ("segments", position),
            f"matches() must return a bool, not {type_name(verdict)}",
            subject,
        )
    return verdict
