"""Steps 1 and 2 of prioritize: the voices, and what they need of their customers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import attrgetter
from typing import NamedTuple

import attrs

from customer_model._rule_inputs import in_segment, segment_list
from customer_model.backlog import (
    VoiceRole,
)
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._moments import instant
from customer_model.model._money import EXACT, ZERO
from customer_model.model._validation import Checker, first_repeats, some
from customer_model.model.customers import Customer, Purchase, customer_index
from customer_model.model.feedback import FeedbackItem
from customer_model.model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.model.segments import SegmentLike

__all__ = [
    "CustomerFacts",
    "Voices",
    "created_after",
    "customer_facts",
    "facts_of",
    "latest_voices",
    "voices_of",
]


def check_policy(check: Checker, policy: object) -> None:
    if not isinstance(policy, PrioritizationPolicy):
        check.add("policy", f"must be a PrioritizationPolicy, not {type_name(policy)}")


def check_mapping(check: Checker, path: str, value: object, what: str) -> None:
    if not isinstance(value, Mapping):
        check.add(path, f"must be a mapping of {what}, not {type_name(value)}")


def weighted_segments(
    check: Checker, policy: PrioritizationPolicy, given: list[SegmentLike]
) -> list[tuple[int, SegmentLike]]:
    """The segments *policy* weighs, with their positions in *given* (where errors point).

    Each segment the policy weighs must be among *given*.
    """
    absent = sorted(set(policy.segment_weights) - {s.id for s in given})
    if absent:
        check.add(
            ("policy", "segment_weights"),
            f"weights segment(s) {some(absent)} that were not given",
        )
    return [(i, s) for i, s in enumerate(given) if s.id in policy.segment_weights]


_ID = attrgetter("id")
CUSTOMER_ID = attrgetter("customer_id")
CREATED = attrgetter("created_at")
_ZONE = attrgetter("tzinfo")


def created_after(items: Sequence[FeedbackItem], as_of: datetime) -> list[str]:
    """The sorted ids of *items* created after *as_of*, compared as instants.

    Times in one ``ZoneInfo`` zone are compared in UTC (see
    :func:`~customer_model.model._validation.instant`); fixed offsets, the
    usual case, as they are.
    """
    moments = list(map(CREATED, items))
    if not moments:
        return []
    at = instant(as_of)
    if all(type(zone) is timezone for zone in set(map(_ZONE, moments))):
        latest = max(moments)
    else:
        moments = list(map(instant, moments))
        latest = max(moments)
    if latest <= at:
        return []
    return sorted(item.id for item, moment in zip(items, moments, strict=True) if moment > at)


# -- step 1: the voices ----------------------------------------------------------------------


@attrs.frozen(slots=True)
class Voices:
    """The feedback that speaks, and the older items it replaced.

    ``latest`` holds the item of each voice: an author's latest item on a
    theme, then every anonymous item.  ``superseded`` holds the authors'
    earlier items, which count only as ids of their theme.
    """

    latest: tuple[FeedbackItem, ...]
    superseded: tuple[FeedbackItem, ...]


def latest_voices(feedback: Iterable[FeedbackItem]) -> Voices:
    """One voice per person per theme: each author's latest item, and every anonymous item.

    The latest item is the one created last; of two created at the same
    instant, the one with the larger id.  Feedback ids should be unique (as
    :func:`prioritize` requires), or the choice between equals is arbitrary.
    """
    check = Checker()
    items = feedback_items(check, "feedback", feedback)
    check.done("latest_voices input")
    return voices_of(items)


def voices_of(items: Iterable[FeedbackItem]) -> Voices:
    """:func:`latest_voices` of items already checked (the core :func:`prioritize` calls)."""
    latest: dict[tuple[str, str], FeedbackItem] = {}
    anonymous: list[FeedbackItem] = []
    superseded: list[FeedbackItem] = []
    for item in items:
        author = item.author_id
        if author is None:
            anonymous.append(item)
            continue
        key = (item.theme, author)
        prev = latest.get(key)
        if prev is None:
            latest[key] = item
        elif _later(item, prev):
            latest[key] = item
            superseded.append(prev)
        else:
            superseded.append(item)
    return Voices((*latest.values(), *anonymous), tuple(superseded))


def _later(item: FeedbackItem, than: FeedbackItem) -> bool:
    """Whether *item* was created after *than* (as instants), or at once with a larger id."""
    mine, theirs = instant(item.created_at), instant(than.created_at)
    return theirs < mine or (theirs == mine and than.id < item.id)


def feedback_items(check: Checker, path: str, values: object) -> Sequence[FeedbackItem]:
    """*values* as a sequence of FeedbackItem; each stranger is a problem for *check*."""
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        check.add(path, not_an_iterable("FeedbackItem", values, path))
        return ()
    items: Sequence[object] = values if isinstance(values, list | tuple) else list(values)
    if not all(map(isinstance, items, repeat(FeedbackItem))):
        for i, item in enumerate(items):
            if not isinstance(item, FeedbackItem):
                check.add((path, i), f"must be a FeedbackItem, not {type_name(item)}")
    return items  # type: ignore[return-value]  # the strangers are check's problems


# -- step 2: the customer facts -------------------------------------------------------------


class CustomerFacts(NamedTuple):
    """What a customer's voices need of it.

    ``roles`` gives the role (purchaser, user or both) of every person the
    customer lists, by person id; ``value`` is the customer-value weight of
    its revenue, ``segment`` the largest weight of its weighted segments (1
    when none), and ``revenue`` its purchases by ``as_of`` per currency,
    exact.  (A named tuple, as one is made for every customer with a voice.)
    """

    roles: Mapping[str, VoiceRole]
    value: float
    segment: float
    revenue: Mapping[str, Decimal]


#: CustomerFacts from a 4-tuple with no Python frame (a NamedTuple's own
#: ``__new__`` is one), as one is made per customer with a voice.
_new_facts = partial(tuple.__new__, CustomerFacts)


def customer_facts(
    customers: Iterable[Customer] | Mapping[str, Customer],
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    *,
    as_of: datetime,
    segments: Iterable[SegmentLike] = (),
) -> dict[str, CustomerFacts]:
    """The facts of each of *customers* that their voices need, by customer id.

    Only purchases made by *as_of* count.  Revenue is weighed by
    ``policy.customer_value`` in the policy's currency
    (:meth:`~customer_model.PrioritizationPolicy.rate`); without a policy
    currency it must all be in one currency.  *segments* are consulted as
    :func:`prioritize` does: those named in ``policy.segment_weights``, each
    of which must be given, asked once per customer.
    """
    subject = "customer_facts input"
    check = Checker()
    given = _customers(check, customers)
    check_policy(check, policy)
    check.aware("as_of", as_of)
    weighed = segment_list(check, segments)
    check.done(subject)
    weighted = weighted_segments(check, policy, weighed)
    check.done(subject)
    return facts_of(given, policy, as_of, weighted)


def facts_of(
    given: Sequence[Customer],
    policy: PrioritizationPolicy,
    as_of: datetime,
    weighted: Sequence[tuple[int, SegmentLike]],
) -> dict[str, CustomerFacts]:
    """:func:`customer_facts` of arguments already checked (the core :func:`prioritize` calls).

    *weighted* are the segments the policy weighs, each with its position
    among the segments the caller gave.  What only the data can
    show (repeated customer ids, a missing exchange rate) is still refused.
    """
    check = Checker()
    weigh = policy.customer_value is not ValueWeighting.NONE
    rates = _Rates(policy)
    cut = instant(as_of)  # purchases by this instant; segments see as_of as given
    facts: dict[str, CustomerFacts] = {}
    # One pass, so each customer is fetched from memory once.
    for customer in given:
        revenue = _revenue(customer.purchases, cut)
        if not (weigh and revenue):
            value = 1.0
        elif len(revenue) == 1:
            ((code, amount),) = revenue.items()
            value = policy.value_weight(float(amount) * rates[code])
        else:
            value = policy.value_weight(_converted_total(revenue, rates))
        roles = _roles(customer)
        segment = _segment_weight(customer, weighted, policy, as_of) if weighted else 1.0
        facts[customer.id] = _new_facts((roles, value, segment, revenue))
    if len(facts) != len(given):  # as prioritize() and a Dataset say it
        check.repeated_ids("customers", first_repeats(customer.id for customer in given))
    rates.check(check)
    check.done("customer_facts input")
    return facts


def _converted_total(revenue: Mapping[str, Decimal], rates: Mapping[str, float]) -> float:
    """Revenue in several currencies, in the policy's, as one float (infinite past floats).

    Each converted amount can be finite and their sum not: ``math.fsum``
    then raises, where one currency's overflow gives infinity.  Either way
    the score overflows, which the items step refuses with the policy named.
    """
    try:
        return math.fsum([float(amount) * rates[code] for code, amount in revenue.items()])
    except OverflowError:
        return math.inf


def _customers(check: Checker, customers: object) -> list[Customer]:
    """*customers* as a list of Customer; problems go to *check*.

    A mapping by id is taken as :func:`prioritize` takes it; repeated ids in
    an iterable are left to :func:`facts_of`, which refuses them.
    """
    if isinstance(customers, Mapping):
        return list(customer_index(check, customers).values())
    if isinstance(customers, str | bytes) or not isinstance(customers, Iterable):
        check.add("customers", not_an_iterable("Customer", customers, "customers"))
        return []
    given = list(customers)
    if not all(map(isinstance, given, repeat(Customer))):
        for i, customer in enumerate(given):
            if not isinstance(customer, Customer):
                check.add(("customers", i), f"must be a Customer, not {type_name(customer)}")
    return given


class _Rates(dict[str, float]):
    """The policy's rate into its currency for each currency met, asked once.

    A currency without a rate weighs nothing here and is reported by
    :meth:`check`; without a policy currency, every rate is 1 and revenue
    must all be in one currency.
    """

    def __init__(self, policy: PrioritizationPolicy) -> None:
        super().__init__()
        self.policy = policy
        self.missing: list[str] = []

    def __missing__(self, currency: str) -> float:
        rate = self.policy.rate(currency)
        if rate is None:
            self.missing.append(currency)
            rate = 0.0
        self[currency] = rate
        return rate

    def check(self, check: Checker) -> None:
        """Report a missing rate, or several currencies without a policy currency."""
        policy = self.policy
        if policy.currency is None and len(self) > 1:
            codes = ", ".join(map(repr, sorted(self)))
            check.add(
                ("policy", "currency"),
                f"is needed: revenue comes in {codes}; set a currency and exchange_rates, "
                "or weigh customers with customer_value=ValueWeighting.NONE",
            )
        if self.missing:
            codes = ", ".join(map(repr, sorted(self.missing)))
            check.add(
                ("policy", "exchange_rates"),
                f"has no rate from {codes} to {policy.currency}; "
                "add one, or weigh customers with customer_value=ValueWeighting.NONE",
            )


def _roles(customer: Customer) -> dict[str, VoiceRole]:
    """Person id -> role, for everyone *customer* lists (as :func:`~customer_model.roles_of`)."""
    roles = {buyer.person.id: VoiceRole.PURCHASER for buyer in customer.purchasers}
    for user in customer.users:
        pid = user.person.id
        roles[pid] = VoiceRole.BOTH if pid in roles else VoiceRole.USER
    return roles


def _revenue(purchases: Sequence[Purchase], as_of: datetime) -> dict[str, Decimal]:
    """What *purchases* made by *as_of* add up to per currency, as ``Customer.revenue``."""
    if len(purchases) == 1:  # the common case, short
        only = purchases[0]
        return {only.currency: EXACT.add(ZERO, only.amount)} if only.at <= as_of else {}
    totals: dict[str, Decimal] = {}
    for p in purchases:
        if p.at <= as_of:
            totals[p.currency] = EXACT.add(totals.get(p.currency, ZERO), p.amount)
    return dict(sorted(totals.items()))


def _segment_weight(
    customer: Customer,
    segments: Sequence[tuple[int, SegmentLike]],
    policy: PrioritizationPolicy,
    as_of: datetime,
) -> float:
    """The largest weight of the weighted segments *customer* is in; 1 when none."""
    matched = []
    for i, segment in segments:
        if in_segment(segment, i, customer, as_of, "customer_facts input"):
            matched.append(policy.segment_weights[segment.id])
    return max(matched) if matched else 1.0
