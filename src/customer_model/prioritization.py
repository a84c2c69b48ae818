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
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Literal

import attrs

from customer_model._frozenmap import FrozenMap
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
from customer_model.roles import Role, roles_of
from customer_model.satisfaction import SegmentLike, _customer_index, _segments

__all__ = ["prioritize"]

_SUBJECT = "prioritize input"
_FACTORS = tuple(Factor)
_ROLE_ORDER = {role: i for i, role in enumerate(VoiceRole)}
_NEED_ORDER = {need: i for i, need in enumerate(Need)}
_NEEDS: tuple[Need | None, ...] = (*Need, None)


def _voice_role(roles: frozenset[Role]) -> VoiceRole:
    if len(roles) == 2:
        return VoiceRole.BOTH
    if Role.PURCHASER in roles:
        return VoiceRole.PURCHASER
    if Role.USER in roles:
        return VoiceRole.USER
    return VoiceRole.UNLISTED


_VOICE_ROLES = {
    VoiceRole.PURCHASER: frozenset({Role.PURCHASER}),
    VoiceRole.USER: frozenset({Role.USER}),
    VoiceRole.BOTH: frozenset({Role.PURCHASER, Role.USER}),
    VoiceRole.UNLISTED: frozenset(),
}


def _who_table(policy: PrioritizationPolicy) -> dict[tuple[VoiceRole, Need | None], float]:
    """The role x need weight of every combination, looked up once per voice."""
    table = {
        (voice, need): policy.role_weight(roles, need)
        for voice, roles in _VOICE_ROLES.items()
        for need in _NEEDS
    }
    for need in _NEEDS:
        table[VoiceRole.ANONYMOUS, need] = policy.anonymous_weight
    return table


class _CustomerFacts:
    """What the hot loop needs of one customer, computed once."""

    __slots__ = ("roles", "segment", "value")

    def __init__(self, roles: dict[str, VoiceRole], value: float, segment: float) -> None:
        self.roles = roles
        self.value = value
        self.segment = segment


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
    index = _customer_index(check, customers)
    rules = _segments(check, segments)
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
    ids_by_theme: dict[str, list[str]] = {}
    seen: set[str] = set()
    repeated: set[str] = set()
    skipped: list[str] = []
    unknown: dict[str, int] = {}
    future: list[int] = []
    unchecked: Iterable[object] = feedback
    for i, item in enumerate(unchecked):
        if not isinstance(item, FeedbackItem):
            check.add(("feedback", i), f"must be a FeedbackItem, not {type_name(item)}")
            continue
        fid = item.id
        if fid in seen:
            repeated.add(fid)
        else:
            seen.add(fid)
        if item.customer_id not in index:
            if skip:
                skipped.append(fid)
            elif item.customer_id not in unknown:
                unknown[item.customer_id] = i
            continue
        created = item.created_at
        if created > as_of:
            future.append(i)
            continue
        theme = item.theme
        ids = ids_by_theme.get(theme)
        if ids is None:
            ids_by_theme[theme] = [fid]
        else:
            ids.append(fid)
        author = item.author_id
        if author is None:
            anonymous.append(item)
            continue
        key = (theme, author)
        prev = latest.get(key)
        if (
            prev is None
            or prev.created_at < created
            or (prev.created_at == created and prev.id < fid)
        ):
            latest[key] = item
    _report(check, repeated, unknown, future)

    # -- per customer, once: roles of its people, value and segment weights ----------
    facts: dict[str, _CustomerFacts] = {}
    missing_rates: set[str] = set()
    voices = [*latest.values(), *anonymous]
    for item in voices:
        cid = item.customer_id
        if cid not in facts:
            facts[cid] = _facts(index[cid], policy, weighted, as_of, missing_rates)
    if missing_rates:
        codes = ", ".join(map(repr, sorted(missing_rates)))
        check.add(
            ("policy", "exchange_rates"),
            f"has no rate from {codes} to {policy.currency}; add one, or weigh customers "
            "with customer_value=ValueWeighting.NONE",
        )
    check.done(_SUBJECT)

    # -- per voice: the partial products, factor by factor -----------------------------
    who = _who_table(policy)
    points: dict[Importance | None, float] = {level: policy.points(level) for level in Importance}
    points[None] = policy.unspecified_points
    kinds = {kind: policy.kind_weight(kind) for kind in FeedbackKind}
    half_life = policy.half_life
    fits: dict[str, float] = {}
    groups: dict[str, dict[tuple[VoiceRole, Need | None], list[tuple[float, ...]]]] = {}
    behind: dict[str, set[str]] = {}
    anonymous_role = VoiceRole.ANONYMOUS
    unlisted = VoiceRole.UNLISTED
    for item in voices:
        theme = item.theme
        fit = fits.get(theme)
        if fit is None:
            fit = fits[theme] = policy.fit(theme)
            groups[theme] = {}
            behind[theme] = set()
        cid = item.customer_id
        fact = facts[cid]
        author = item.author_id
        role = anonymous_role if author is None else fact.roles.get(author, unlisted)
        need = item.need
        p0 = points[item.importance]
        p1 = p0 * who[role, need]
        p2 = p1 * kinds[item.kind]
        p3 = p2 if half_life is None else p2 * 0.5 ** ((as_of - item.created_at) / half_life)
        p4 = p3 * fact.value
        p5 = p4 * fact.segment
        p6 = p5 * fit
        by_group = groups[theme]
        rows = by_group.get((role, need))
        if rows is None:
            by_group[role, need] = [(p0, p1, p2, p3, p4, p5, p6)]
        else:
            rows.append((p0, p1, p2, p3, p4, p5, p6))
        behind[theme].add(cid)

    # -- per theme: sums, counts, revenue; then rank -----------------------------------
    revenue_cache: dict[str, dict[str, Decimal]] = {}
    built = [
        _item(theme, groups[theme], behind[theme], ids_by_theme[theme], index, revenue_cache)
        for theme in groups
    ]
    built.sort(key=lambda item: (-item.score, item.theme))
    items = tuple(attrs.evolve(item, rank=rank) for rank, item in enumerate(built, start=1))
    return Backlog(items, as_of, policy, skipped=tuple(sorted(skipped)))


def _report(check: Checker, repeated: set[str], unknown: dict[str, int], future: list[int]) -> None:
    """Raise one error for everything wrong found in the feedback pass."""
    if repeated:
        dups = ", ".join(map(repr, sorted(repeated)))
        check.add("feedback", f"repeats the id(s) {dups}")
    for cid, first in sorted(unknown.items()):
        check.add(
            ("feedback", first, "customer_id"),
            f"refers to customer {cid!r}, which is not among the customers "
            "(pass on_unknown_customer='skip' to leave such items out)",
        )
    for i in future:
        check.add(("feedback", i, "created_at"), "is after as_of")
    check.done(_SUBJECT)


def _facts(
    customer: Customer,
    policy: PrioritizationPolicy,
    segments: list[SegmentLike],
    as_of: datetime,
    missing_rates: set[str],
) -> _CustomerFacts:
    roles = {p.id: _voice_role(roles_of(customer, p.id)) for p in customer.people}
    value = 1.0
    if policy.customer_value is not ValueWeighting.NONE:
        parts = []
        for code, amount in customer.revenue().items():
            rate = policy.rate(code)
            if rate is None:
                missing_rates.add(code)
            else:
                parts.append(float(amount) * rate)
        value = policy.value_weight(math.fsum(parts))
    segment = 1.0
    matched = []
    for i, rule in enumerate(segments):
        verdict = rule.matches(customer, as_of=as_of)
        if type(verdict) is not bool:
            raise ValidationError.single(
                ("segments", i),
                f"matches() must return a bool, not {type_name(verdict)}",
                _SUBJECT,
            )
        if verdict:
            matched.append(policy.segment_weights[rule.id])
    if matched:
        segment = max(matched)
    return _CustomerFacts(roles, value, segment)


def _item(  # noqa: PLR0917 - private, called once
    theme: str,
    groups: dict[tuple[VoiceRole, Need | None], list[tuple[float, ...]]],
    behind: set[str],
    feedback_ids: list[str],
    index: Mapping[str, Customer],
    revenue_cache: dict[str, dict[str, Decimal]],
) -> BacklogItem:
    order = sorted(
        groups,
        key=lambda k: (_ROLE_ORDER[k[0]], len(_NEED_ORDER) if k[1] is None else _NEED_ORDER[k[1]]),
    )
    # Column sums per group, then across groups: the same nesting for every step,
    # so the last step is the score exactly.
    sums = {key: [math.fsum(col) for col in zip(*groups[key], strict=True)] for key in order}
    steps = tuple(
        ScoreStep(factor, math.fsum(sums[key][k] for key in order))
        for k, factor in enumerate(_FACTORS)
    )
    explanation = tuple(
        ScoreComponent(key[0], key[1], len(groups[key]), sums[key][0], sums[key][-1])
        for key in order
    )
    counts = dict.fromkeys(VoiceRole, 0)
    for key in order:
        counts[key[0]] += len(groups[key])
    both = counts[VoiceRole.BOTH]
    revenue: dict[str, Decimal] = {}
    for cid in sorted(behind):
        totals = revenue_cache.get(cid)
        if totals is None:
            totals = revenue_cache[cid] = index[cid].revenue()
        for code, amount in totals.items():
            revenue[code] = revenue.get(code, Decimal(0)) + amount
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
        explanation=explanation,
        steps=steps,
    )
