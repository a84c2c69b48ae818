"""Steps 3 and 4 of prioritize: each voice's factors, and the ranked items."""

from __future__ import annotations

import decimal
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple, NoReturn

import attrs

from customer_model.backlog import (
    BacklogItem,
    Factor,
    ScoreComponent,
    ScoreStep,
    VoiceRole,
)
from customer_model.errors import ValidationError
from customer_model.model._frozenmap import FrozenMap
from customer_model.model._moments import instant
from customer_model.model._money import EXACT, ZERO, add_by_currency, shortest
from customer_model.model._validation import Checker, some
from customer_model.model.customers import Role
from customer_model.model.feedback import FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.policy import PrioritizationPolicy
from customer_model.prioritization._voices import (
    CUSTOMER_ID,
    CustomerFacts,
    check_mapping,
    check_policy,
    created_after,
    feedback_items,
)

__all__ = [
    "GroupFactors",
    "GroupKey",
    "backlog_items",
    "factors_of",
    "ranked_items",
    "voice_factors",
]


# -- step 3: the factors ---------------------------------------------------------------------


@attrs.frozen(slots=True)
class GroupFactors:
    """The factors of the voices of one theme, role and need, as columns.

    Voice *i* has ``points[i]``, ``role[i]``, ... ``segment[i]``: each the
    running product up to and including that :class:`~customer_model.backlog.Factor`
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
    check = Checker()
    items = feedback_items(check, "voices", voices)
    check_mapping(check, "facts", facts, "CustomerFacts")
    check_policy(check, policy)
    check.aware("as_of", as_of)
    check.done(subject)
    late = created_after(items, as_of)
    if late:
        check.add("voices", f"has item(s) created after as_of: {some(late)}")
        check.done(subject)
    return factors_of(items, facts, policy, as_of)


def factors_of(
    items: Iterable[FeedbackItem],
    facts: Mapping[str, CustomerFacts],
    policy: PrioritizationPolicy,
    as_of: datetime,
) -> dict[GroupKey, GroupFactors]:
    """:func:`voice_factors` of arguments already checked (the core :func:`prioritize` calls).

    A voice whose customer is not among *facts* is still refused.
    """
    base = _base_factors(policy)
    half_life = policy.half_life
    as_of = instant(as_of)  # ages as times apart, whatever zone as_of is written in
    groups: defaultdict[GroupKey, list[tuple[float, float, float, float, float, float, str, str]]]
    groups = defaultdict(list)
    # An enum member read from its class costs ~0.1 us; this loop runs per voice.
    anonymous, unlisted = VoiceRole.ANONYMOUS, VoiceRole.UNLISTED
    try:
        for item in items:
            cid = item.customer_id
            roles, value, segment, _ = facts[cid]
            author = item.author_id
            role = anonymous if author is None else roles.get(author, unlisted)
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
        absent = set(map(CUSTOMER_ID, items)).difference(facts)
        if not absent:
            raise
        raise ValidationError.single(
            "facts", f"lack the voices' customer(s) {some(sorted(absent))}", "voice_factors input"
        ) from None
    # Each group's rows are dropped as its columns are made: the garbage
    # collector, which counts what is allocated and not yet freed, then
    # sees no more objects at once than the rows themselves (holding rows
    # and columns together made it run a full collection in larger runs).
    return {key: GroupFactors(*zip(*groups.pop(key), strict=True)) for key in list(groups)}


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
    check = Checker()
    check_mapping(check, "factors", factors, "GroupFactors")
    check_mapping(check, "facts", facts, "CustomerFacts")
    check_policy(check, policy)
    older_items = feedback_items(check, "superseded", superseded)
    if isinstance(factors, Mapping) and not all(
        _is_group_key(key) and isinstance(group, GroupFactors) for key, group in factors.items()
    ):
        check.add("factors", "must map (theme, VoiceRole, Need or None) to GroupFactors")
    check.done(subject)
    return ranked_items(factors, facts, policy, older_items)


def ranked_items(
    factors: Mapping[GroupKey, GroupFactors],
    facts: Mapping[str, CustomerFacts],
    policy: PrioritizationPolicy,
    superseded: Iterable[FeedbackItem],
) -> tuple[BacklogItem, ...]:
    """:func:`backlog_items` of arguments already checked (the core :func:`prioritize` calls).

    A voice whose customer is not among *facts* is still refused.
    """
    by_theme: dict[str, dict[tuple[VoiceRole, Need | None], GroupFactors]] = {}
    for (theme, role, need), group in factors.items():
        by_theme.setdefault(theme, {})[role, need] = group
    older: dict[str, list[str]] = {}
    for item in superseded:
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
        raise ValidationError.single(
            "facts",
            f"lack the voices' customer(s) {some(sorted(behind - facts.keys()))}",
            "backlog_items input",
        ) from None


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
        revenue=FrozenMap({code: shortest(amount) for code, amount in revenue(behind).items()}),
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
