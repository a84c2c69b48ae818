"""From raw feedback to a ranked, explained backlog.

:func:`prioritize` keeps one voice per person per theme (their latest item,
as Productboard does), weighs each voice by the knobs of a
:class:`~customer_model.PrioritizationPolicy` and ranks the themes.  It is
pure: time comes in as ``as_of``, and the same feedback and customers in any
order give the same backlog, bit for bit (every sum is a :func:`math.fsum`,
every collection is sorted before it is reported).

It runs in four steps, each a function of this module that can be called and
tested on its own:

1. :func:`latest_voices`: the voices, each author's latest item per theme
   and every anonymous item;
2. :func:`customer_facts`: what the voices need of their customers (who is
   purchaser or user, the customer's value and segment weights, its revenue);
3. :func:`voice_factors`: each voice's contribution, factor by factor,
   grouped by theme, role and need;
4. :func:`backlog_items`: one ranked :class:`~customer_model.BacklogItem`
   per theme.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import repeat
from operator import attrgetter
from typing import Literal

from customer_model._rule_inputs import segment_list
from customer_model.backlog import Backlog
from customer_model.errors import ValidationError
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._validation import MAX_ITEMIZED, Checker, some
from customer_model.model.customers import Customer, customer_index
from customer_model.model.feedback import FeedbackItem
from customer_model.model.policy import PrioritizationPolicy
from customer_model.model.segments import SegmentLike
from customer_model.prioritization._items import (
    GroupFactors,
    backlog_items,
    factors_of,
    ranked_items,
    voice_factors,
)
from customer_model.prioritization._items import (
    GroupKey as _GroupKey,
)
from customer_model.prioritization._voices import (
    CustomerFacts,
    Voices,
    check_policy,
    created_after,
    customer_facts,
    facts_of,
    latest_voices,
    voices_of,
    weighted_segments,
)

#: Where a voice's factors are summed: its theme, and the explanation's role and need.
GroupKey = _GroupKey

__all__ = [
    "CustomerFacts",
    "GroupFactors",
    "GroupKey",
    "Voices",
    "backlog_items",
    "customer_facts",
    "latest_voices",
    "prioritize",
    "voice_factors",
]

_SUBJECT = "prioritize input"
_ID = attrgetter("id")
_CUSTOMER_ID = attrgetter("customer_id")


def prioritize(
    feedback: Iterable[FeedbackItem],
    customers: Iterable[Customer] | Mapping[str, Customer],
    *,
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    as_of: datetime,
    segments: Iterable[SegmentLike] = (),
    on_unknown_customer: Literal["raise", "skip"] = "raise",
) -> Backlog:
    """Rank the themes of *feedback* into a :class:`~customer_model.Backlog`.

    One voice per person per theme: an author's items on a theme count once,
    with their most recent item (latest ``created_at``; a tie goes to the
    larger id).  Anonymous items are each a voice of their own.  A voice's
    contribution is importance points x role-and-need weight x kind weight x
    recency decay x customer value x segment weight x strategic fit, all set
    by *policy*; a theme's score is the :func:`math.fsum` of its
    ``explanation`` (:class:`~customer_model.BacklogItem`).  Ties rank by theme key.

    *customers* is an iterable or a mapping by id; a voice's roles are the
    author's roles for the customer of their latest item
    (:func:`~customer_model.roles_of`).  *segments* are objects with an ``id``
    and ``matches(customer, *, as_of=...)``; only those named in
    ``policy.segment_weights`` are consulted, and every weighted segment
    must be given.  *as_of* (timezone-aware) is the moment the backlog is
    made for: feedback created after it is an error.  Times count as
    instants, whatever zone each is written in (two times of one
    ``ZoneInfo`` zone are not compared by their wall clock).

    Raises :class:`~customer_model.ValidationError` for bad arguments,
    repeated feedback ids, feedback after *as_of*, revenue in a currency
    the policy cannot convert, and feedback whose customer is not given
    (naming those customers), unless ``on_unknown_customer="skip"``: then
    those items are left out and listed in ``Backlog.skipped``.
    """
    index, weighted = _checked_arguments(
        feedback,
        customers,
        policy=policy,
        as_of=as_of,
        segments=segments,
        on_unknown_customer=on_unknown_customer,
    )
    items, skipped = _known_feedback(feedback, index, as_of, on_unknown_customer)
    # The arguments are checked once, above, so the steps' cores run without
    # checking them again; what the data can still refuse (a missing exchange
    # rate, a segment's answer) is said as prioritize's input.
    try:
        voices = voices_of(items)
        facts = facts_of(_speaking(voices, index), policy, as_of, weighted)
        factors = factors_of(voices.latest, facts, policy, as_of)
        ranked = ranked_items(factors, facts, policy, voices.superseded)
    except ValidationError as error:
        raise ValidationError(error.problems, _SUBJECT) from None
    return Backlog(ranked, as_of, policy, skipped=skipped)


# -- the arguments -------------------------------------------------------------------------


def _checked_arguments(
    feedback: object,
    customers: object,
    *,
    policy: object,
    as_of: object,
    segments: object,
    on_unknown_customer: object,
) -> tuple[dict[str, Customer], list[tuple[int, SegmentLike]]]:
    """The customers by id and the weighted segments (with their positions), once all is sound."""
    check = Checker()
    check_policy(check, policy)
    check.aware("as_of", as_of)
    if on_unknown_customer not in ("raise", "skip"):
        check.add("on_unknown_customer", "must be 'raise' or 'skip'")
    index = customer_index(check, customers)
    given = segment_list(check, segments)
    if isinstance(feedback, str | bytes | Mapping) or not isinstance(feedback, Iterable):
        check.add("feedback", not_an_iterable("FeedbackItem", feedback, "feedback"))
    check.done(_SUBJECT)
    assert isinstance(policy, PrioritizationPolicy)  # checked just above
    weighted = weighted_segments(check, policy, given)
    check.done(_SUBJECT)
    return index, weighted


def _speaking(voices: Voices, index: Mapping[str, Customer]) -> list[Customer]:
    """The customers with a voice, in the order the customers were given.

    That is usually the order they sit in memory, and walking them so takes
    about two thirds of the time hash order takes (43k of 50k customers in
    ``benchmarks/bench_prioritize.py``).  When few of many customers speak,
    looking those few up costs less than walking them all.
    """
    speaking = set(map(_CUSTOMER_ID, voices.latest))
    if len(speaking) * 4 < len(index):
        return list(map(index.__getitem__, speaking))
    return [customer for cid, customer in index.items() if cid in speaking]


def _known_feedback(
    feedback: Iterable[object],
    index: Mapping[str, Customer],
    as_of: datetime,
    on_unknown_customer: str,
) -> tuple[list[FeedbackItem], tuple[str, ...]]:
    """The feedback items whose customers are given, and the ids of those skipped.

    Every entry must be a FeedbackItem with an id of its own, created by
    *as_of* (even one that is skipped or superseded).
    """
    check = Checker()
    entries = list(feedback)
    items: list[FeedbackItem] = entries  # type: ignore[assignment]  # checked next
    if not all(map(isinstance, entries, repeat(FeedbackItem))):
        for i, entry in enumerate(entries):
            if not isinstance(entry, FeedbackItem):
                check.add(("feedback", i), f"must be a FeedbackItem, not {type_name(entry)}")
        items = [entry for entry in entries if isinstance(entry, FeedbackItem)]
    every_id = list(map(_ID, items))
    if len(set(every_id)) != len(every_id):
        counts: dict[str, int] = {}
        for fid in every_id:
            counts[fid] = counts.get(fid, 0) + 1
        dups = some(fid for fid, n in sorted(counts.items()) if n > 1)
        check.add("feedback", f"repeats the id(s) {dups}")
    late = created_after(items, as_of)
    if late:
        check.add("feedback", f"has item(s) created after as_of: {some(late)}")
    unknown = set(map(_CUSTOMER_ID, items)).difference(index)
    skipped: list[str] = []
    if unknown and on_unknown_customer == "skip":
        skipped = [item.id for item in items if item.customer_id in unknown]
        items = [item for item in items if item.customer_id not in unknown]
    elif unknown:
        first: dict[str, int] = {}
        for i, entry in enumerate(entries):
            if isinstance(entry, FeedbackItem) and entry.customer_id in unknown:
                first.setdefault(entry.customer_id, i)
        # By id, as the SQL path, whose rows have no position, names them.
        for cid in heapq.nsmallest(MAX_ITEMIZED, first):
            check.add(
                ("feedback", first[cid], "customer_id"),
                f"refers to customer {cid!r}, which is not among the customers "
                "(pass on_unknown_customer='skip' to leave such items out)",
            )
        if len(first) > MAX_ITEMIZED:
            more = len(first) - MAX_ITEMIZED
            check.add("feedback", f"refers to {more:,} more absent customer(s)")
    check.done(_SUBJECT)
    return items, tuple(sorted(skipped))
