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

import decimal
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter
from typing import Literal, NamedTuple, NoReturn

import attrs

from customer_model._rule_inputs import customer_index, segment_list
from customer_model.backlog import (
    Backlog,
    BacklogItem,
    Factor,
    ScoreComponent,
    ScoreStep,
    VoiceRole,
)
from customer_model.errors import ValidationError
from customer_model.model._frozenmap import FrozenMap
from customer_model.model._money import EXACT, ZERO, add_by_currency
from customer_model.model._validation import Checker, duplicates, some, type_name
from customer_model.model.customers import Customer, Purchase, Role
from customer_model.model.feedback import FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.model.segments import SegmentLike

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
    :attr:`~customer_model.BacklogItem.explanation`.  Ties rank by theme key.

    *customers* is an iterable or a mapping by id; a voice's roles are the
    author's roles for the customer of their latest item
    (:func:`~customer_model.roles_of`).  *segments* are objects with an ``id``
    and ``matches(customer, *, as_of=...)``; only those named in
    ``policy.segment_weights`` are consulted, and every weighted segment
    must be given.  *as_of* (timezone-aware) is the moment the backlog is
    made for: feedback created after it is an error.

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
    # The steps check their arguments again (cheaply); what they can still
    # refuse here is the policy or a segment, so say it as prioritize's input.
    try:
        voices = latest_voices(items)
        speaking = set(map(_CUSTOMER_ID, voices.latest))
        facts = customer_facts(
            map(index.__getitem__, speaking), policy, as_of=as_of, segments=weighted
        )
        factors = voice_factors(voices.latest, facts, policy, as_of=as_of)
        ranked = backlog_items(factors, facts, policy, superseded=voices.superseded)
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
) -> tuple[dict[str, Customer], list[SegmentLike]]:
    """The customers by id and the weighted segments, once every argument is sound."""
    check = Checker()
    _check_policy(check, policy)
    check.aware("as_of", as_of)
    if on_unknown_customer not in ("raise", "skip"):
        check.add("on_unknown_customer", "must be 'raise' or 'skip'")
    index = customer_index(check, customers)
    given = segment_list(check, segments)
    if isinstance(feedback, str | bytes | Mapping) or not isinstance(feedback, Iterable):
        check.add("feedback", f"must be an iterable of FeedbackItem, not {type_name(feedback)}")
    check.done(_SUBJECT)
    assert isinstance(policy, PrioritizationPolicy)  # checked just above
    weighted = _weighted_segments(check, policy, given)
    check.done(_SUBJECT)
    return index, weighted


def _check_policy(check: Checker, policy: object) -> None:
    if not isinstance(policy, PrioritizationPolicy):
        check.add("policy", f"must be a PrioritizationPolicy, not {type_name(policy)}")


def _check_mapping(check: Checker, path: str, value: object, what: str) -> None:
    if not isinstance(value, Mapping):
        check.add(path, f"must be a mapping of {what}, not {type_name(value)}")


def _weighted_segments(
    check: Checker, policy: PrioritizationPolicy, given: list[SegmentLike]
) -> list[SegmentLike]:
    """The segments *policy* weighs, each of which must be among *given*."""
    absent = sorted(set(policy.segment_weights) - {s.id for s in given})
    if absent:
        check.add(
            ("policy", "segment_weights"),
            f"weights segment(s) {', '.join(map(repr, absent))} that were not given",
        )
    return [s for s in given if s.id in policy.segment_weights]


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
    if items and max(map(_CREATED, items)) > as_of:
        late = sorted(item.id for item in items if item.created_at > as_of)
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
        for cid, i in sorted(first.items()):
            check.add(
                ("feedback", i, "customer_id"),
                f"refers to customer {cid!r}, which is not among the customers "
                "(pass on_unknown_customer='skip' to leave such items out)",
            )
    check.done(_SUBJECT)
    return items, tuple(sorted(skipped))


_ID = attrgetter("id")
_CUSTOMER_ID = attrgetter("customer_id")
_CREATED = attrgetter("created_at")


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
    items = _feedback_items(feedback, "feedback", "latest_voices input")
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
        elif prev.created_at < item.created_at or (
            prev.created_at == item.created_at and prev.id < item.id
        ):
            latest[key] = item
            superseded.append(prev)
        else:
            superseded.append(item)
    return Voices((*latest.values(), *anonymous), tuple(superseded))


def _feedback_items(values: object, path: str, subject: str) -> Sequence[FeedbackItem]:
    """*values* as a sequence of FeedbackItem, or a ValidationError naming each stranger."""
    check = Checker()
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        check.add(path, f"must be an iterable of FeedbackItem, not {type_name(values)}")
        check.done(subject)
    assert isinstance(values, Iterable)  # checked just above
    items: Sequence[object] = values if isinstance(values, list | tuple) else list(values)
    if not all(map(isinstance, items, repeat(FeedbackItem))):
        for i, item in enumerate(items):
            if not isinstance(item, FeedbackItem):
                check.add((path, i), f"must be a FeedbackItem, not {type_name(item)}")
        check.done(subject)
    return items  # type: ignore[return-value]  # checked just above


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


def customer_facts(
    customers: Iterable[Customer],
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
    _check_policy(check, policy)
    check.aware("as_of", as_of)
    weighed = segment_list(check, segments)
    check.done(subject)
    weighted = _weighted_segments(check, policy, weighed)
    check.done(subject)

    weigh = policy.customer_value is not ValueWeighting.NONE
    rates = _Rates(policy)
    facts: dict[str, CustomerFacts] = {}
    # One pass, so each customer is fetched from memory once.
    for customer in given:
        revenue = _revenue(customer.purchases, as_of)
        if not (weigh and revenue):
            value = 1.0
        elif len(revenue) == 1:  # the common case, short
            ((code, amount),) = revenue.items()
            value = policy.value_weight(float(amount) * rates[code])
        else:
            value = policy.value_weight(
                math.fsum([float(amount) * rates[code] for code, amount in revenue.items()])
            )
        facts[customer.id] = CustomerFacts(
            _roles(customer),
            value,
            _segment_weight(customer, weighted, policy, as_of) if weighted else 1.0,
            revenue,
        )
    if len(facts) != len(given):
        dups = duplicates(customer.id for customer in given)
        check.add("customers", f"repeat the id(s) {some(sorted(dups))}")
    rates.check(check)
    check.done(subject)
    return facts


def _customers(check: Checker, customers: object) -> list[Customer]:
    """*customers* as a list of Customer; problems go to *check*."""
    if isinstance(customers, str | bytes | Mapping) or not isinstance(customers, Iterable):
        check.add("customers", f"must be an iterable of Customer, not {type_name(customers)}")
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
    segments: list[SegmentLike],
    policy: PrioritizationPolicy,
    as_of: datetime,
) -> float:
    """The largest weight of the weighted segments *customer* is in; 1 when none."""
    matched = []
    for i, segment in enumerate(segments):
        verdict = segment.matches(customer, as_of=as_of)
        if type(verdict) is not bool:
            raise ValidationError.single(
                ("segments", i),
                f"matches() must return a bool, not {type_name(verdict)}",
                "customer_facts input",
            )
        if verdict:
            matched.append(policy.segment_weights[segment.id])
    return max(matched) if matched else 1.0


# -- step 3: the factors ---------------------------------------------------------------------


@attrs.frozen(slots=True)
class GroupFactors:
    """The factors of the voices of one theme, role and need, as columns.

    Voice *i* has ``points[i]``, ``role[i]``, ... ``segment[i]``: each the
    running product up to and including that :class:`~customer_model.Factor`
    (strategic fit, the same for a whole theme, applies to the theme's sums),
    and ``customer_ids[i]`` and ``feedback_ids[i]``.
    """

    points: tuple[float, ...]
    role: tuple[float, ...]
    kind: tuple[float, ...]
    recency: tuple[float, ...]
    customer_value: tuple[float, ...]
    segment: tuple[float, ...]
    customer_ids: tuple[str, ...]
    feedback_ids: tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        n = len(self.feedback_ids)
        if not (
            len(self.points)
            == len(self.role)
            == len(self.kind)
            == len(self.recency)
            == len(self.customer_value)
            == len(self.segment)
            == len(self.customer_ids)
            == n
        ):
            raise ValidationError.single(
                (), "columns must have one entry per voice", "GroupFactors"
            )

    @property
    def columns(self) -> tuple[tuple[float, ...], ...]:
        """The factor columns, in the order the factors apply."""
        return (
            self.points,
            self.role,
            self.kind,
            self.recency,
            self.customer_value,
            self.segment,
        )


#: Where a voice's factors are summed: its theme, and the explanation's role and need.
GroupKey = tuple[str, VoiceRole, Need | None]


def voice_factors(
    voices: Iterable[FeedbackItem],
    facts: Mapping[str, CustomerFacts],
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    *,
    as_of: datetime,
) -> dict[GroupKey, GroupFactors]:
    """The voices' factors, grouped by theme, role and need.

    A named author's role is the one their customer's facts give them
    (:attr:`VoiceRole.UNLISTED` when not listed); an anonymous item's is
    :attr:`VoiceRole.ANONYMOUS`.  Every voice's customer must be among
    *facts*, and no voice may be created after *as_of*.
    """
    subject = "voice_factors input"
    items = _feedback_items(voices, "voices", subject)
    check = Checker()
    _check_mapping(check, "facts", facts, "CustomerFacts")
    _check_policy(check, policy)
    check.aware("as_of", as_of)
    check.done(subject)
    if items and max(map(_CREATED, items)) > as_of:
        late = sorted(item.id for item in items if item.created_at > as_of)
        check.add("voices", f"has item(s) created after as_of: {some(late)}")
        check.done(subject)

    base = _base_factors(policy)
    half_life = policy.half_life
    groups: defaultdict[GroupKey, list[tuple[float, float, float, float, float, float, str, str]]]
    groups = defaultdict(list)
    try:
        for item in items:
            cid = item.customer_id
            roles, value, segment, _ = facts[cid]
            author = item.author_id
            role = VoiceRole.ANONYMOUS if author is None else roles.get(author, VoiceRole.UNLISTED)
            points, by_role, by_kind = base[role, item.need, item.importance, item.kind]
            if half_life is None:
                recency = by_kind
            else:
                recency = by_kind * 0.5 ** ((as_of - item.created_at) / half_life)
            by_value = recency * value
            # A plain tuple per voice (no record, nothing for the garbage
            # collector to track), turned into named columns below.
            groups[item.theme, role, item.need].append(
                (
                    points,
                    by_role,
                    by_kind,
                    recency,
                    by_value,
                    by_value * segment,
                    cid,
                    item.id,
                )
            )
    except KeyError:
        absent = set(map(_CUSTOMER_ID, items)).difference(facts)
        if not absent:
            raise
        check.add("facts", f"lack the voices' customer(s) {some(sorted(absent))}")
        check.done(subject)
    return {key: GroupFactors(*zip(*rows, strict=True)) for key, rows in groups.items()}


_NEEDS: tuple[Need | None, ...] = (*Need, None)
_IMPORTANCES: tuple[Importance | None, ...] = (*Importance, None)
#: The roles behind each voice role, as :func:`~customer_model.roles_of` gives them.
_ROLES = {
    VoiceRole.PURCHASER: frozenset({Role.PURCHASER}),
    VoiceRole.USER: frozenset({Role.USER}),
    VoiceRole.BOTH: frozenset({Role.PURCHASER, Role.USER}),
    VoiceRole.UNLISTED: frozenset(),
}

_BaseKey = tuple[VoiceRole, Need | None, Importance | None, FeedbackKind]


def _base_factors(policy: PrioritizationPolicy) -> dict[_BaseKey, tuple[float, float, float]]:
    """Points, x role-and-need weight, x kind weight: the same for every voice alike.

    They depend only on the voice's role, need, importance and kind, so they
    are worked out once for each of the few combinations.
    """
    table = {}
    for role in VoiceRole:
        for need in _NEEDS:
            if role is VoiceRole.ANONYMOUS:
                who = policy.anonymous_weight
            else:
                who = policy.role_weight(_ROLES[role], need)
            for importance in _IMPORTANCES:
                points = policy.points(importance)
                for kind in FeedbackKind:
                    by_kind = points * who * policy.kind_weight(kind)
                    table[role, need, importance, kind] = (points, points * who, by_kind)
    return table


# -- step 4: the items -----------------------------------------------------------------------


def backlog_items(
    factors: Mapping[GroupKey, GroupFactors],
    facts: Mapping[str, CustomerFacts],
    policy: PrioritizationPolicy = PrioritizationPolicy(),  # noqa: B008 - frozen value
    *,
    superseded: Iterable[FeedbackItem] = (),
) -> tuple[BacklogItem, ...]:
    """One :class:`~customer_model.BacklogItem` per theme, best first.

    A theme's score is the :func:`math.fsum` of its explanation: per role
    and need, the sum of the voices' contributions times the theme's
    strategic fit.  Ties rank by theme key.  *superseded* items add their
    ids to their theme; *facts* give the revenue of the customers behind.
    """
    subject = "backlog_items input"
    older_items = _feedback_items(superseded, "superseded", subject)
    check = Checker()
    _check_mapping(check, "factors", factors, "GroupFactors")
    _check_mapping(check, "facts", facts, "CustomerFacts")
    _check_policy(check, policy)
    check.done(subject)
    by_theme: dict[str, dict[tuple[VoiceRole, Need | None], GroupFactors]] = {}
    for key, group in factors.items():
        if not _is_group_key(key) or not isinstance(group, GroupFactors):
            check.add("factors", "must map (theme, VoiceRole, Need or None) to GroupFactors")
            check.done(subject)
        theme, role, need = key
        by_theme.setdefault(theme, {})[role, need] = group
    older: dict[str, list[str]] = {}
    for item in older_items:
        older.setdefault(item.theme, []).append(item.id)
    explained = [(_explain(groups, policy.fit(theme)), theme) for theme, groups in by_theme.items()]
    explained.sort(key=lambda pair: (-pair[0].score, pair[1]))
    revenue = _RevenueTotals(facts)
    try:
        return tuple(
            _item(
                rank,
                theme,
                explanation,
                groups=by_theme[theme],
                older_ids=older.get(theme, []),
                revenue=revenue,
            )
            for rank, (explanation, theme) in enumerate(explained, start=1)
        )
    except KeyError:
        behind = set().union(*(group.customer_ids for group in factors.values()))
        check.add("facts", f"lack the voices' customer(s) {some(sorted(behind - facts.keys()))}")
        check.done(subject)
        raise


def _is_group_key(key: object) -> bool:
    return (
        type(key) is tuple
        and len(key) == 3
        and type(key[0]) is str
        and type(key[1]) is VoiceRole
        and (key[2] is None or type(key[2]) is Need)
    )


class _Explanation(NamedTuple):
    score: float
    components: tuple[ScoreComponent, ...]
    steps: tuple[ScoreStep, ...]


_ROLE_ORDER = {role: i for i, role in enumerate(VoiceRole)}
_NEED_ORDER = {need: i for i, need in enumerate(_NEEDS)}


def _group_order(key: tuple[VoiceRole, Need | None]) -> tuple[int, int]:
    return _ROLE_ORDER[key[0]], _NEED_ORDER[key[1]]


def _explain(
    groups: Mapping[tuple[VoiceRole, Need | None], GroupFactors], fit: float
) -> _Explanation:
    """The theme's score, its parts by role and need, and its running total factor by factor."""
    components = []
    column_sums = []
    try:
        for role, need in sorted(groups, key=_group_order):
            group = groups[role, need]
            sums = [math.fsum(column) for column in group.columns]
            # fit is the same for the whole theme, so it scales each group's sum.
            sums.append(sums[-1] * fit)
            if not all(map(math.isfinite, sums)):
                _overflow()
            column_sums.append(sums)
            components.append(
                ScoreComponent(role, need, len(group.feedback_ids), sums[0], sums[-1])
            )
        # Each step sums its column over the groups the way the score sums the
        # last column, so the FIT step equals the score exactly.
        steps = tuple(
            ScoreStep(factor, math.fsum(sums[k] for sums in column_sums))
            for k, factor in enumerate(Factor)
        )
        score = math.fsum(c.value for c in components)
    except OverflowError:  # math.fsum of infinite partial sums
        _overflow()
    return _Explanation(score, tuple(components), steps)


def _overflow() -> NoReturn:
    """Finite knobs can still multiply past a float; say which, rather than rank infinities."""
    raise ValidationError.single(
        "policy",
        "makes a score overflow a float (infinite or undefined): lower the points and "
        "weights, or raise revenue_scale",
        "backlog_items input",
    )


def _item(
    rank: int,
    theme: str,
    explanation: _Explanation,
    *,
    groups: Mapping[tuple[VoiceRole, Need | None], GroupFactors],
    older_ids: list[str],
    revenue: _RevenueTotals,
) -> BacklogItem:
    """The theme's BacklogItem: its voices counted by role, customers, revenue and ids."""
    behind: set[str] = set()
    feedback_ids = list(older_ids)
    counts = dict.fromkeys(VoiceRole, 0)
    for (role, _), group in groups.items():
        counts[role] += len(group.feedback_ids)
        behind.update(group.customer_ids)
        feedback_ids.extend(group.feedback_ids)
    both = counts[VoiceRole.BOTH]
    return BacklogItem(
        theme=theme,
        rank=rank,
        score=explanation.score,
        customer_count=len(behind),
        voices=sum(counts.values()),
        purchaser_voices=counts[VoiceRole.PURCHASER] + both,
        user_voices=counts[VoiceRole.USER] + both,
        both_voices=both,
        unlisted_voices=counts[VoiceRole.UNLISTED],
        anonymous_voices=counts[VoiceRole.ANONYMOUS],
        revenue=FrozenMap(revenue(behind)),
        feedback_ids=tuple(sorted(feedback_ids)),
        explanation=explanation.components,
        steps=explanation.steps,
    )


class _RevenueTotals:
    """The revenue of a set of customers per currency, exact, keys sorted.

    Most data bill every customer in one currency: then each customer's
    amount is kept in one flat table (0 for those who bought nothing) and a
    theme's total is one sum over it.
    """

    __slots__ = ("amounts", "currency", "facts", "paying")

    def __init__(self, facts: Mapping[str, CustomerFacts]) -> None:
        self.facts = facts
        currencies: set[str] = set()
        self.amounts: dict[str, Decimal] = {}
        self.paying: set[str] = set()
        for cid, fact in facts.items():
            if fact.revenue:
                currencies.update(fact.revenue)
                self.paying.add(cid)
                if len(fact.revenue) == 1:
                    self.amounts[cid] = next(iter(fact.revenue.values()))
            else:
                self.amounts[cid] = ZERO
        self.currency = currencies.pop() if len(currencies) == 1 else None

    def __call__(self, customer_ids: set[str]) -> dict[str, Decimal]:
        if self.paying.isdisjoint(customer_ids):
            if not customer_ids <= self.facts.keys():
                raise KeyError  # a customer without facts: backlog_items names it
            return {}
        if self.currency is not None:
            with decimal.localcontext(EXACT):
                return {self.currency: sum(map(self.amounts.__getitem__, customer_ids), ZERO)}
        return add_by_currency(map(_REVENUE, map(self.facts.__getitem__, customer_ids)))


_REVENUE = attrgetter("revenue")
