"""From raw feedback to a ranked, explained backlog.

:func:`prioritize` keeps one voice per person per theme (their latest item,
as Productboard does), weighs each voice by the knobs of a
:class:`~customer_model.PrioritizationPolicy` and ranks the themes.  It is
pure: time comes in as ``as_of``, and the same feedback and customers in any
order give the same backlog, bit for bit (every sum is a :func:`math.fsum`,
every collection is sorted before it is reported).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from operator import add, attrgetter, lt, methodcaller, mul, sub, truediv
from typing import Literal

import attrs

from customer_model._frozenmap import FrozenMap
from customer_model._inputs import customer_index, segment_list
from customer_model._validation import Checker, type_name
from customer_model.backlog import (
    Backlog,
    BacklogItem,
    Factor,
    ScoreComponent,
    ScoreStep,
    VoiceRole,
)
from customer_model.customers import Customer
from customer_model.errors import ValidationError
from customer_model.feedback import FeedbackItem, FeedbackKind, Importance, Need
from customer_model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.roles import Role
from customer_model.satisfaction import SegmentLike

__all__ = ["prioritize"]

_SUBJECT = "prioritize input"
_FACTORS = tuple(Factor)
_ROLE_ORDER = {role: i for i, role in enumerate(VoiceRole)}
_NEEDS: tuple[Need | None, ...] = (*Need, None)


_VOICE_ROLES = {
    VoiceRole.PURCHASER: frozenset({Role.PURCHASER}),
    VoiceRole.USER: frozenset({Role.USER}),
    VoiceRole.BOTH: frozenset({Role.PURCHASER, Role.USER}),
    VoiceRole.UNLISTED: frozenset(),
}


def _who_weights(policy: PrioritizationPolicy) -> list[float]:
    """The role x need weight of every (role, need) group, indexed by group number.

    A group number is ``role position * len(_NEEDS) + need slot``.
    """
    return [
        policy.anonymous_weight
        if role is VoiceRole.ANONYMOUS
        else policy.role_weight(_VOICE_ROLES[role], need)
        for role in VoiceRole
        for need in _NEEDS
    ]


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
    check = Checker()
    given: object = policy
    if not isinstance(given, PrioritizationPolicy):
        check.add("policy", f"must be a PrioritizationPolicy, not {type_name(given)}")
    check.aware("as_of", as_of)
    if on_unknown_customer not in ("raise", "skip"):
        check.add("on_unknown_customer", "must be 'raise' or 'skip'")
    index = customer_index(check, customers)
    rules: list[SegmentLike] = segment_list(check, segments)
    if isinstance(feedback, str | bytes | Mapping) or not isinstance(feedback, Iterable):
        check.add("feedback", f"must be an iterable of FeedbackItem, not {type_name(feedback)}")
    check.done(_SUBJECT)
    weighted = [s for s in rules if s.id in policy.segment_weights]
    absent = sorted(set(policy.segment_weights) - {s.id for s in rules})
    if absent:
        check.add(
            ("policy", "segment_weights"),
            f"weights segment(s) {', '.join(map(repr, absent))} that were not given",
        )
    check.done(_SUBJECT)

    # -- one pass over the feedback: latest item per (theme, author) ------------------
    skip = on_unknown_customer == "skip"
    latest: dict[tuple[str, str], FeedbackItem] = {}
    anonymous: list[FeedbackItem] = []
    superseded: list[FeedbackItem] = []
    skipped: list[str] = []
    unknown: dict[str, int] = {}
    count = 0
    unchecked: Iterable[object] = feedback
    for i, item in enumerate(unchecked):
        if not isinstance(item, FeedbackItem):
            check.add(("feedback", i), f"must be a FeedbackItem, not {type_name(item)}")
            continue
        count += 1
        if item.customer_id not in index:
            if skip:
                skipped.append(item.id)
            elif item.customer_id not in unknown:
                unknown[item.customer_id] = i
            continue
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

    # -- the voices, column by column ----------------------------------------------------
    # Each column holds one attribute or factor of every voice, computed with map()
    # so the per-voice work runs in C; enum members are looked up by id() because
    # they hash in Python code (they are singletons, so id() is a safe key).
    named = list(latest.values())
    voices = named + anonymous
    ids = list(map(_ID, voices))
    created = list(map(_CREATED, voices))
    _report(check, voices, ids, created, superseded, skipped, count, unknown, as_of)
    cids = list(map(_CUSTOMER, voices))
    facts = _Facts(index, policy, weighted, as_of)
    for cid in set(cids):
        facts.add(cid)
    if facts.missing_rates:
        codes = ", ".join(map(repr, sorted(facts.missing_rates)))
        check.add(
            ("policy", "exchange_rates"),
            f"has no rate from {codes} to {policy.currency}; add one, or weigh customers "
            "with customer_value=ValueWeighting.NONE",
        )
        check.done(_SUBJECT)
    roles = [
        # the named voices come first in cids; zip stops at the last of them
        *map(facts.role.get, zip(cids, map(_AUTHOR, named), strict=False), repeat(_UNLISTED)),
        *repeat(_ANONYMOUS, len(anonymous)),
    ]
    slots = map(_NEED_SLOT.__getitem__, map(id, map(_NEED, voices)))
    groups = list(map(add, map(mul, roles, repeat(len(_NEEDS))), slots))
    points = {id(level): policy.points(level) for level in (*Importance, None)}
    kinds = {id(kind): policy.kind_weight(kind) for kind in FeedbackKind}
    who = _who_weights(policy)
    p0 = list(map(points.__getitem__, map(id, map(_IMPORTANCE, voices))))
    p1 = list(map(mul, p0, map(who.__getitem__, groups)))
    p2 = list(map(mul, p1, map(kinds.__getitem__, map(id, map(_KIND, voices)))))
    if policy.half_life is None:
        p3 = p2
    else:
        ages = map(sub, repeat(as_of), created)
        decay = map(pow, repeat(0.5), map(truediv, ages, repeat(policy.half_life)))
        p3 = list(map(mul, p2, decay))
    p4 = list(map(mul, p3, map(facts.value.__getitem__, cids)))
    p5 = list(map(mul, p4, map(facts.segment.__getitem__, cids)))

    # -- group the voices by theme and (role, need); then one item per theme ------------
    rows_by_key: defaultdict[tuple[str, int], list[_Row]] = defaultdict(list)
    keys = zip(map(_THEME, voices), groups, strict=True)
    for theme_group, row in zip(
        keys, zip(p0, p1, p2, p3, p4, p5, cids, ids, strict=True), strict=True
    ):
        rows_by_key[theme_group].append(row)
    rows_by_theme: dict[str, dict[int, list[_Row]]] = {}
    for (theme, group), rows in rows_by_key.items():
        rows_by_theme.setdefault(theme, {})[group] = rows
    older: dict[str, list[str]] = {}
    for item in superseded:
        older.setdefault(item.theme, []).append(item.id)
    built = [
        _item(theme, policy.fit(theme), by_group, older.get(theme, []), facts.revenue)
        for theme, by_group in rows_by_theme.items()
    ]
    built.sort(key=lambda item: (-item.score, item.theme))
    items = tuple(attrs.evolve(item, rank=rank) for rank, item in enumerate(built, start=1))
    return Backlog(items, as_of, policy, skipped=tuple(sorted(skipped)))


_Row = tuple[float, float, float, float, float, float, str, str]
_ID = attrgetter("id")
_THEME = attrgetter("theme")
_AUTHOR = attrgetter("author_id")
_CUSTOMER = attrgetter("customer_id")
_CREATED = attrgetter("created_at")
_NEED = attrgetter("need")
_IMPORTANCE = attrgetter("importance")
_KIND = attrgetter("kind")
_NEED_SLOT = {id(need): slot for slot, need in enumerate(_NEEDS)}
_PURCHASER, _USER, _BOTH, _UNLISTED, _ANONYMOUS = (_ROLE_ORDER[r] for r in VoiceRole)


def _report(  # noqa: PLR0917 - private
    check: Checker,
    voices: list[FeedbackItem],
    ids: list[str],
    created: list[datetime],
    superseded: list[FeedbackItem],
    skipped: list[str],
    count: int,
    unknown: dict[str, int],
    as_of: datetime,
) -> None:
    """Raise one error for everything wrong found in the feedback pass.

    An item after *as_of* is always a voice or superseded by one, so checking the
    voices finds them all.
    """
    every_id = [*ids, *map(_ID, superseded), *skipped]
    if len(set(every_id)) != len(every_id):
        counts: dict[str, int] = {}
        for fid in every_id:
            counts[fid] = counts.get(fid, 0) + 1
        dups = ", ".join(repr(fid) for fid, n in sorted(counts.items()) if n > 1)
        check.add("feedback", f"repeats the id(s) {dups}")
    for cid, first in sorted(unknown.items()):
        check.add(
            ("feedback", first, "customer_id"),
            f"refers to customer {cid!r}, which is not among the customers "
            "(pass on_unknown_customer='skip' to leave such items out)",
        )
    if any(map(lt, repeat(as_of), created)):
        late = sorted(item.id for item in voices if item.created_at > as_of)
        check.add("feedback", f"has item(s) created after as_of: {', '.join(map(repr, late))}")
    check.done(_SUBJECT)
    assert count >= len(every_id)


def _voice_role(roles: frozenset[Role]) -> VoiceRole:
    if len(roles) == 2:
        return VoiceRole.BOTH
    if Role.PURCHASER in roles:
        return VoiceRole.PURCHASER
    if Role.USER in roles:
        return VoiceRole.USER
    return VoiceRole.UNLISTED


class _Facts:
    """What the voices need of each customer, computed once per customer.

    ``role`` maps (customer id, person id) to the person's voice role (its
    position in :class:`VoiceRole`); it agrees with
    :func:`~customer_model.roles_of` (tested) but is filled straight from the
    customer's purchasers and users because it runs for every customer.
    ``revenue`` is :meth:`Customer.revenue`, ``value`` and ``segment`` the
    customer's weights.
    """

    __slots__ = (
        "as_of",
        "index",
        "missing_rates",
        "policy",
        "rates",
        "revenue",
        "role",
        "segment",
        "segments",
        "value",
    )

    def __init__(
        self,
        index: Mapping[str, Customer],
        policy: PrioritizationPolicy,
        segments: list[SegmentLike],
        as_of: datetime,
    ) -> None:
        self.index = index
        self.policy = policy
        self.segments = segments
        self.as_of = as_of
        self.rates = {**policy.exchange_rates, policy.currency: 1.0}
        self.role: dict[tuple[str, str], int] = {}
        self.revenue: dict[str, dict[str, Decimal]] = {}
        self.value: dict[str, float] = {}
        self.segment: dict[str, float] = {}
        self.missing_rates: set[str] = set()

    def add(self, cid: str) -> None:
        customer = self.index[cid]
        role = self.role
        for buyer in customer.purchasers:
            role[cid, buyer.person.id] = _PURCHASER
        for user in customer.users:
            key = (cid, user.person.id)
            role[key] = _BOTH if key in role else _USER
        purchases = customer.purchases
        if not purchases:
            revenue = {}
        elif len(purchases) == 1:
            revenue = {purchases[0].currency: purchases[0].amount}
        else:
            revenue = customer.revenue()
        self.revenue[cid] = revenue
        self.value[cid] = self._value(revenue) if revenue else 1.0
        self.segment[cid] = self._segment(customer) if self.segments else 1.0

    def _value(self, revenue: dict[str, Decimal]) -> float:
        policy = self.policy
        if policy.customer_value is ValueWeighting.NONE:
            return 1.0
        parts = []
        for code, amount in revenue.items():
            rate = self.rates.get(code)
            if rate is None:
                self.missing_rates.add(code)
            else:
                parts.append(float(amount) * rate)
        return policy.value_weight(math.fsum(parts))

    def _segment(self, customer: Customer) -> float:
        matched = []
        for i, rule in enumerate(self.segments):
            verdict = rule.matches(customer, as_of=self.as_of)
            if type(verdict) is not bool:
                raise ValidationError.single(
                    ("segments", i),
                    f"matches() must return a bool, not {type_name(verdict)}",
                    _SUBJECT,
                )
            if verdict:
                matched.append(self.policy.segment_weights[rule.id])
        return max(matched) if matched else 1.0


def _item(
    theme: str,
    fit: float,
    groups: dict[int, list[_Row]],
    older_ids: list[str],
    revenue_of: Mapping[str, Mapping[str, Decimal]],
) -> BacklogItem:
    n_needs = len(_NEEDS)
    roles = tuple(VoiceRole)
    behind: set[str] = set()
    feedback_ids = list(older_ids)
    explanation = []
    column_sums = []
    counts = dict.fromkeys(VoiceRole, 0)
    for group in sorted(groups):
        rows = groups[group]
        *factor_columns, customer_ids, voice_ids = zip(*rows, strict=True)
        behind.update(customer_ids)
        feedback_ids.extend(voice_ids)
        sums = [math.fsum(column) for column in factor_columns]
        # fit is the same for the whole theme, so it scales each group's sum.
        sums.append(sums[-1] * fit)
        column_sums.append(sums)
        role = roles[group // n_needs]
        counts[role] += len(rows)
        explanation.append(
            ScoreComponent(role, _NEEDS[group % n_needs], len(rows), sums[0], sums[-1])
        )
    # Each step sums its column over the groups the way the score sums the last
    # column, so the FIT step equals the score exactly.
    steps = tuple(
        ScoreStep(factor, math.fsum(sums[k] for sums in column_sums))
        for k, factor in enumerate(_FACTORS)
    )
    both = counts[VoiceRole.BOTH]
    # Decimal sums are exact in practice; summing in customer-id order keeps them
    # identical even when an amount has more digits than the context keeps.
    totals = [revenue_of[cid] for cid in sorted(behind)]
    revenue = {
        code: sum(filter(None, map(methodcaller("get", code), totals)), Decimal(0))
        for code in set().union(*totals)
    }
    return BacklogItem(
        theme=theme,
        rank=0,
        score=math.fsum(c.value for c in explanation),
        customer_count=len(behind),
        voices=sum(counts.values()),
        purchaser_voices=counts[VoiceRole.PURCHASER] + both,
        user_voices=counts[VoiceRole.USER] + both,
        both_voices=both,
        unlisted_voices=counts[VoiceRole.UNLISTED],
        anonymous_voices=counts[VoiceRole.ANONYMOUS],
        revenue=FrozenMap(revenue),
        feedback_ids=tuple(sorted(feedback_ids)),
        explanation=tuple(explanation),
        steps=steps,
    )
