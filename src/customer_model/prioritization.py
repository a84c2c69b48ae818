"""From raw feedback to a ranked, explained backlog.

:func:`prioritize` keeps one voice per person per theme (their latest item,
as Productboard does), weighs each voice by the knobs of a
:class:`~customer_model.PrioritizationPolicy` and ranks the themes.  It is
pure: time comes in as ``as_of``, and the same feedback and customers in any
order give the same backlog, bit for bit (every sum is a :func:`math.fsum`,
every collection is sorted before it is reported).
"""

from __future__ import annotations

import decimal
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, Literal, NoReturn, cast

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
from customer_model.model._validation import Checker, some, type_name
from customer_model.model.customers import Customer, Role
from customer_model.model.feedback import FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.policy import PrioritizationPolicy, ValueWeighting
from customer_model.model.segments import SegmentLike

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


def _base_factors(
    policy: PrioritizationPolicy,
) -> dict[tuple[int, int, int], tuple[float, float, float]]:
    """The first three factors of a voice, which depend only on its group, importance and kind.

    Keyed by ``(group, id(importance), id(kind))``, where a group number is
    ``role position * len(_NEEDS) + need slot``; the values are the running
    products points, x role-and-need weight, x kind weight.  Enum members are
    keyed by ``id()`` because they hash in Python code (they are singletons).
    """
    table = {}
    for role in VoiceRole:
        for slot, need in enumerate(_NEEDS):
            group = _ROLE_ORDER[role] * len(_NEEDS) + slot
            if role is VoiceRole.ANONYMOUS:
                who = policy.anonymous_weight
            else:
                who = policy.role_weight(_VOICE_ROLES[role], need)
            for level in (*Importance, None):
                points = policy.points(level)
                for kind in FeedbackKind:
                    factors = (points, points * who, points * who * policy.kind_weight(kind))
                    table[group, id(level), id(kind)] = factors
    return table


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

    # -- the items: FeedbackItems whose customers are given -------------------------------
    entries: list[object] = list(feedback)
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
    # Feedback from after as_of is an error even from a customer that is skipped.
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

    # -- one pass: latest item per (theme, author) -----------------------------------------
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
    voices = [*latest.values(), *anonymous]

    # -- what the voices need of their customers ----------------------------------------------
    facts = _Facts(index, policy, weighted, as_of)
    known = facts.gather(set(map(_CUSTOMER_ID, voices)))
    if facts.missing_rates:
        codes = ", ".join(map(repr, sorted(facts.missing_rates)))
        check.add(
            ("policy", "exchange_rates"),
            f"has no rate from {codes} to {policy.currency}; add one, or weigh customers "
            "with customer_value=ValueWeighting.NONE",
        )
    if len(facts.seen_currencies) > 1:
        codes = ", ".join(map(repr, sorted(facts.seen_currencies)))
        check.add(
            ("policy", "currency"),
            f"is needed: revenue comes in {codes}; set a currency and exchange_rates, "
            "or weigh customers with customer_value=ValueWeighting.NONE",
        )
    check.done(_SUBJECT)

    # -- the voices: each one's group and factors, collected per (theme, group) ---------
    base = _base_factors(policy)
    half_life = policy.half_life
    n_needs = len(_NEEDS)
    rows_by_key: defaultdict[tuple[str, int], list[_Row]] = defaultdict(list)
    for item in voices:
        cid = item.customer_id
        roles, value, segment = known[cid]
        author = item.author_id
        role = _ANONYMOUS if author is None else roles.get(author, _UNLISTED)
        group = role * n_needs + _NEED_SLOT[id(item.need)]
        # points, x role and need, x kind: the same for every voice with these three
        p0, p1, p2 = base[group, id(item.importance), id(item.kind)]
        p3 = p2 if half_life is None else p2 * 0.5 ** ((as_of - item.created_at) / half_life)
        p4 = p3 * value
        rows_by_key[item.theme, group].append((p0, p1, p2, p3, p4, p4 * segment, cid, item.id))

    # -- one item per theme ---------------------------------------------------------------
    rows_by_theme: dict[str, dict[int, list[_Row]]] = {}
    for (theme, group), rows in rows_by_key.items():
        rows_by_theme.setdefault(theme, {})[group] = rows
    older: dict[str, list[str]] = {}
    for item in superseded:
        older.setdefault(item.theme, []).append(item.id)
    try:
        built = [
            _item(theme, policy.fit(theme), by_group, older.get(theme, []), facts)
            for theme, by_group in rows_by_theme.items()
        ]
    except OverflowError:  # math.fsum of infinite partial sums
        _overflow()
    built.sort(key=lambda fields: (-fields["score"], fields["theme"]))
    ranked = tuple(BacklogItem(rank=rank, **fields) for rank, fields in enumerate(built, start=1))
    return Backlog(ranked, as_of, policy, skipped=tuple(sorted(skipped)))


_Row = tuple[float, float, float, float, float, float, str, str]
_ID = attrgetter("id")
_CUSTOMER_ID = attrgetter("customer_id")
_CREATED = attrgetter("created_at")
_NEED_SLOT = {id(need): slot for slot, need in enumerate(_NEEDS)}
_PURCHASER, _USER, _BOTH, _UNLISTED, _ANONYMOUS = (_ROLE_ORDER[r] for r in VoiceRole)
_NO_REVENUE: dict[str, Decimal] = {}
_NOTHING = ("", ZERO)


def _overflow() -> NoReturn:
    """Finite knobs can still multiply past a float; say which, rather than rank infinities."""
    raise ValidationError.single(
        "policy",
        "makes a score overflow a float (infinite or undefined): lower the points and "
        "weights, or raise revenue_scale",
        _SUBJECT,
    )


def _voice_roles(customer: Customer) -> dict[str, int]:
    """Person id -> voice role (its position in VoiceRole), for everyone *customer* lists.

    Agrees with :func:`~customer_model.roles_of` (tested), but is filled straight
    from the purchasers and users because it runs for every customer with a voice.
    """
    roles = {buyer.person.id: _PURCHASER for buyer in customer.purchasers}
    for user in customer.users:
        pid = user.person.id
        roles[pid] = _BOTH if pid in roles else _USER
    return roles


#: What the voices need of one customer: roles by person id, value weight, segment weight.
_CustomerFacts = tuple[dict[str, int], float, float]


class _Facts:
    """What the voices need of their customers, and their revenue.

    ``single`` holds each customer's purchases up to ``as_of`` as one
    ``(currency, amount)`` pair when they bought in one currency only (``None``
    otherwise), so that most themes total their revenue without a
    per-customer loop; ``revenue`` holds the others' totals per currency.
    """

    __slots__ = (
        "as_of",
        "index",
        "missing_rates",
        "policy",
        "rates",
        "revenue",
        "seen_currencies",
        "segments",
        "single",
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
        # Without a policy currency, revenue is taken as it is: one currency only.
        self.rates = (
            None if policy.currency is None else {**policy.exchange_rates, policy.currency: 1.0}
        )
        self.seen_currencies: set[str] = set()
        self.missing_rates: set[str] = set()
        self.revenue: dict[str, dict[str, Decimal]] = {}
        self.single: dict[str, tuple[str, Decimal] | None] = {}

    def gather(self, customer_ids: Iterable[str]) -> dict[str, _CustomerFacts]:
        """The facts of each of *customer_ids*, by id."""
        index, as_of, single, policy = self.index, self.as_of, self.single, self.policy
        weigh = policy.customer_value is not ValueWeighting.NONE
        # Unconverted revenue in one currency weighs its amount as it is.
        plain = weigh and self.rates is None
        out: dict[str, _CustomerFacts] = {}
        for cid in customer_ids:
            customer = index[cid]
            # Only what was bought by as_of counts: the backlog is made for that moment.
            purchases = customer.purchases
            if len(purchases) == 1 and purchases[0].at <= as_of:
                only = purchases[0]
                single[cid] = (only.currency, only.amount)
                if plain:
                    value = policy.value_weight(float(only.amount))
                else:
                    value = self._value({only.currency: only.amount}) if weigh else 1.0
            else:
                revenue = customer.revenue(until=as_of) if purchases else _NO_REVENUE
                if not revenue:
                    single[cid] = _NOTHING
                elif len(revenue) == 1:
                    single[cid] = next(iter(revenue.items()))
                else:
                    single[cid] = None
                    self.revenue[cid] = revenue
                value = self._value(revenue) if revenue and weigh else 1.0
            out[cid] = (
                _voice_roles(customer),
                value,
                self._segment(customer) if self.segments else 1.0,
            )
        if plain:
            self.seen_currencies.update(pair[0] for pair in single.values() if pair is not None)
            self.seen_currencies.discard("")
        return out

    def total(self, customer_ids: set[str]) -> dict[str, Decimal]:
        """The customers' revenue per currency, exact, keys sorted."""
        pairs = list(map(self.single.__getitem__, customer_ids))
        if None not in pairs:
            present = cast("list[tuple[str, Decimal]]", pairs)
            currencies = set(map(_FIRST, present))
            currencies.discard("")  # customers who bought nothing by as_of
            if not currencies:
                return {}
            if len(currencies) == 1:
                with decimal.localcontext(EXACT):
                    return {currencies.pop(): sum(map(_SECOND, present), ZERO)}
        return add_by_currency(map(self._revenue, sorted(customer_ids)))

    def _revenue(self, customer_id: str) -> dict[str, Decimal]:
        pair = self.single[customer_id]
        if pair is None:
            return self.revenue[customer_id]
        return {} if pair is _NOTHING else dict((pair,))

    def _value(self, revenue: dict[str, Decimal]) -> float:
        if self.rates is None:
            self.seen_currencies.update(revenue)
            return self.policy.value_weight(math.fsum(map(float, revenue.values())))
        parts = []
        for code, amount in revenue.items():
            rate = self.rates.get(code)
            if rate is None:
                self.missing_rates.add(code)
            else:
                parts.append(float(amount) * rate)
        return self.policy.value_weight(math.fsum(parts))

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


_FIRST = itemgetter(0)
_SECOND = itemgetter(1)


def _item(
    theme: str,
    fit: float,
    groups: dict[int, list[_Row]],
    older_ids: list[str],
    facts: _Facts,
) -> dict[str, Any]:
    """The fields of the theme's BacklogItem but its rank (known once all are scored)."""
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
        if not all(map(math.isfinite, sums)):
            _overflow()
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
    revenue = facts.total(behind)
    return {
        "theme": theme,
        "score": math.fsum(c.value for c in explanation),
        "customer_count": len(behind),
        "voices": sum(counts.values()),
        "purchaser_voices": counts[VoiceRole.PURCHASER] + both,
        "user_voices": counts[VoiceRole.USER] + both,
        "both_voices": both,
        "unlisted_voices": counts[VoiceRole.UNLISTED],
        "anonymous_voices": counts[VoiceRole.ANONYMOUS],
        "revenue": FrozenMap(revenue),
        "feedback_ids": tuple(sorted(feedback_ids)),
        "explanation": tuple(explanation),
        "steps": steps,
    }
