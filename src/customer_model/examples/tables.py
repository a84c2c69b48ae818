"""Sample record tables, made row by row and handed out in chunks: no model objects.

:func:`sample_tables` is :func:`~customer_model.examples.bundled.sample_dataset`'s
kind of customer base (individuals, households and organizations, their
purchasers, users, purchases and feedback with rising and falling themes) made
straight as the rows of :mod:`customer_model.records`, so that ten million
feedback rows need no ten million objects.  ``customer-model generate --format
parquet`` writes its chunks to files as they come, in bounded memory.

It is pure: the same arguments give the same rows, with no clock involved.  It
uses its own draws, so its rows are not ``sample_dataset``'s for the same seed;
they follow the same recipe.  No personal columns are made, and no survey
answers, personas or segments: only the five tables the backlog is computed from.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from customer_model.examples import _words as cat
from customer_model.model._validation import Checker
from customer_model.model.customers import CustomerKind, IntermediaryRole, Role
from customer_model.model.feedback import Channel, FeedbackKind, Importance
from customer_model.records import Record

__all__ = ["FEEDBACK_PER_CUSTOMER", "TABLES", "TableChunk", "sample_tables"]

#: The record tables, in the order they are made and written.
TABLES = ("customers", "purchasers", "users", "purchases", "feedback")

#: One chunk of rows: table name to its rows, columns in the order of
#: :data:`~customer_model.records.CUSTOMER_COLUMNS` and friends.
TableChunk = dict[str, list[Record]]

#: Feedback items per customer on average when no ``feedback`` count is asked
#: for (about what ``sample_dataset`` makes).
FEEDBACK_PER_CUSTOMER = 4.63

_INDIVIDUAL_PLAN = Decimal("9.99")
_HOUSEHOLD_PLAN = Decimal("19.99")
_SEAT_QUARTER = Decimal("45")
_CENT = Decimal("0.01")
_CURRENCY = "EUR"  # one billing currency, as in sample_dataset: no exchange rates needed
_VOICE_AGE = 13  # younger people neither write feedback nor answer surveys
_THEMES = cat.THEMES
_IMPORTANCE = (None, *Importance, Importance.IMPORTANT, Importance.NICE_TO_HAVE)
_IMPORTANCE_CELLS = tuple((None, None) if i is None else (i.value, i.level) for i in _IMPORTANCE)
_ANONYMOUS_CHANNELS = tuple(
    c.value for c in (Channel.REVIEW, Channel.SOCIAL_MEDIA, Channel.COMMUNITY)
)
_BUG_CHANNELS = tuple(c.value for c in (Channel.SUPPORT_TICKET, Channel.IN_APP))
_OTHER_CHANNELS = tuple(
    c.value
    for c in (Channel.SURVEY, Channel.INTERVIEW, Channel.IN_APP, Channel.SALES_CALL, Channel.EMAIL)
)
#: An organization's buying group, by seat: the roles column (sorted, comma-joined).
_GROUP_ROLES = ("buyer,decider", "gatekeeper,technical_buyer", "champion,influencer", "evaluator")
_INTERMEDIARIES = tuple(r.value for r in IntermediaryRole)
#: "HH:MM:SS.000000+00:00" for every second of a day: times are whole seconds.
_CLOCK = tuple(
    f"{h:02d}:{m:02d}:{s:02d}.000000+00:00" for h in range(24) for m in range(60) for s in range(60)
)


def _tags(values: list[str]) -> str:
    """A tag set as the records write it; catalogue words need no escaping."""
    return ",".join(sorted(values))


def sample_tables(
    *,
    customers: int = 200,
    feedback: int | None = None,
    seed: int = 0,
    start: datetime = cat.DEFAULT_START,
    months: int = 12,
    chunk: int = 10_000,
) -> Iterator[TableChunk]:
    """The rows of a realistic customer base, *chunk* customers at a time.

    Each chunk maps every name in :data:`TABLES` to the rows of its customers
    (the records of :mod:`customer_model.records`, no personal columns, RFM
    columns ``None``).  *feedback* asks for about that many feedback rows in
    all (people write more or less often; the count lands within a few
    percent); by default about :data:`FEEDBACK_PER_CUSTOMER` per customer.

    >>> chunks = list(sample_tables(customers=3, seed=1))
    >>> [len(chunks[0][name]) > 0 for name in TABLES]
    [True, True, True, True, True]
    >>> chunks == list(sample_tables(customers=3, seed=1))
    True
    """
    check = Checker()
    check.integer("customers", customers, minimum=1)
    check.integer("feedback", feedback, optional=True, minimum=0)
    check.integer("seed", seed, minimum=0)  # random.Random(-1) repeats random.Random(1)
    check.aware("start", start)
    if isinstance(start, datetime) and not 1900 <= start.year <= 9000:
        check.add("start", "must be in the years 1900 to 9000")
    check.integer("months", months, minimum=1, maximum=120)
    check.integer("chunk", chunk, minimum=1)
    check.done("sample_tables")
    return _chunks(customers, feedback, seed, start, months=months, chunk=chunk)


def _chunks(
    customers: int, feedback: int | None, seed: int, start: datetime, *, months: int, chunk: int
) -> Iterator[TableChunk]:
    expected = customers * FEEDBACK_PER_CUSTOMER if feedback is None else feedback
    rate = expected / (customers * FEEDBACK_PER_CUSTOMER)
    rows = _Rows(seed, start, months, rate, width=max(5, len(str(int(expected * 1.5) + 1))))
    width = max(4, len(str(customers)))
    for i in range(1, customers + 1):
        rows.customer(f"c-{i:0{width}d}")
        if i % chunk == 0 or i == customers:
            yield rows.take()


class _Rows:
    """The generator's state: its random stream, the calendar and the rows so far."""

    def __init__(self, seed: int, start: datetime, months: int, rate: float, width: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        self.months = months
        self.rate = rate
        self.width = width
        self.next_feedback = 1
        # month boundaries as whole seconds since the epoch
        self.bounds = [
            int((start + relativedelta(months=m)).timestamp()) for m in range(months + 1)
        ]
        self.days: dict[int, str] = {}
        # cumulative theme weights by (is purchaser, is user) and month: each
        # role mostly raises what it cares for, and trends compound by month
        self.themes: dict[tuple[bool, bool], list[list[float]]] = {}
        for buyer in (False, True):
            for user in (False, True):
                roles = {r for r, on in ((Role.PURCHASER, buyer), (Role.USER, user)) if on}
                by_month = []
                for month in range(months):
                    total, cumulative = 0.0, []
                    for theme in _THEMES:
                        fit = 1.0 if theme.audience is None or theme.audience in roles else 0.15
                        total += fit * (1.0 + theme.trend) ** (month - months / 2)
                        cumulative.append(total)
                    by_month.append(cumulative)
                self.themes[buyer, user] = by_month
        self.tables: TableChunk = {name: [] for name in TABLES}
        self.feedback = self.tables["feedback"]
        self.usage: tuple[int, set[str]] = (0, set())

    def take(self) -> TableChunk:
        """The rows made since the last call."""
        chunk = self.tables
        self.tables = {name: [] for name in TABLES}
        self.feedback = self.tables["feedback"]
        return chunk

    # -- time ---------------------------------------------------------------------------

    def moment(self, month: int) -> int:
        begin = self.bounds[month]
        return begin + int(self.random() * (self.bounds[month + 1] - begin))

    def text(self, seconds: int) -> str:
        """ISO 8601 UTC text as the records write it."""
        day, rest = divmod(seconds, 86_400)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
            self.days[day] = prefix
        return prefix + _CLOCK[rest]

    # -- customers ----------------------------------------------------------------------

    def customer(self, cid: str) -> None:
        rng = self.rng
        roll = rng.random()
        signup = rng.randrange(max(1, self.months - 2))
        country, region, _, _ = rng.choice(cat.PLACES)
        # (person id, age, purchases, uses); (person id, roles, spending authority)
        people: list[tuple[str, int, bool, bool]] = []
        buying: list[tuple[str, str, Decimal | None]] = []
        using: list[tuple[str, int]] = []  # (person id, sessions a month at most)
        industry = intermediary = None
        size: int | None = None
        interests: list[str] = []
        preferences: list[str] = []
        lifestyle: list[str] = []
        if roll < 0.45:  # an individual, mostly self-serve
            kind = CustomerKind.INDIVIDUAL
            buyer = f"{cid}-p1"
            age = rng.randint(19, 75)
            buying.append((buyer, "", None))
            if rng.random() < 0.85:
                people.append((buyer, age, True, True))
                using.append((buyer, 20))
            else:  # buys for someone else (a gift, an elderly parent)
                people.append((buyer, age, True, False))
                people.append((f"{cid}-p2", rng.randint(8, 90), False, True))
                using.append((f"{cid}-p2", 15))
            interests = rng.sample(cat.INTERESTS, rng.randint(0, 3))
            preferences = rng.sample(cat.PREFERENCES, rng.randint(0, 2))
            lifestyle = rng.sample(cat.LIFESTYLES, rng.randint(0, 1))
            purchases = self.subscription(_INDIVIDUAL_PLAN, signup)
        elif roll < 0.75:  # a household: parents buy, children use, a parent sometimes too
            kind = CustomerKind.HOUSEHOLD
            parents = 2 if rng.random() < 0.5 else 1
            kids = rng.randint(1, 3)
            parent_uses = rng.random() < 0.4
            if parent_uses:
                using.append((f"{cid}-p1", 8))
            for k in range(parents):
                pid = f"{cid}-p{k + 1}"
                buying.append((pid, "decider" if k == 0 else "influencer", None))
                people.append((pid, rng.randint(24, 55), True, k == 0 and parent_uses))
            for k in range(kids):
                pid = f"{cid}-p{parents + k + 1}"
                people.append((pid, rng.randint(0, 15), False, True))
                using.append((pid, 25))
            size = parents + kids
            interests = list({"parenting", *rng.sample(cat.INTERESTS, rng.randint(0, 2))})
            lifestyle = ["family"]
            purchases = self.subscription(_HOUSEHOLD_PLAN, signup)
        else:  # an organization: a buying group and staff; one in four an intermediary
            kind = CustomerKind.ORGANIZATION
            intermediary = rng.choice(_INTERMEDIARIES) if rng.random() < 0.25 else None
            buyers = rng.randint(2, 4)
            authority = _INDIVIDUAL_PLAN * rng.choice((1_000, 5_000, 20_000))
            seats = rng.randint(2, 6) if intermediary else rng.randint(3, 25)
            in_both: set[int] = set()
            if intermediary is None and rng.random() < 0.85:  # the champion uses it too
                in_both.add(min(2, buyers - 1))
                if buyers == 4 and rng.random() < 0.5:  # and sometimes the evaluator
                    in_both.add(3)
            for k in range(buyers):
                pid = f"{cid}-p{k + 1}"
                buying.append((pid, _GROUP_ROLES[k], authority if k == 0 else None))
                people.append((pid, rng.randint(25, 64), True, k in in_both))
            using.extend((f"{cid}-p{k + 1}", 40 if k < 3 else 20) for k in sorted(in_both))
            for k in range(seats):
                pid = f"{cid}-p{buyers + k + 1}"
                people.append((pid, rng.randint(20, 64), False, True))
                using.append((pid, 30))
            price = (_SEAT_QUARTER * len(using)).quantize(_CENT)
            purchases = [(price, self.moment(m)) for m in range(signup, self.months, 3)]
            industry = rng.choice(cat.INDUSTRIES)
            size = rng.randint(max(20, len(people)), 5_000)  # everyone listed
        self.rows(cid, signup, buying, using, purchases)
        user_ids = [pid for pid, _ in using]
        last_active, features = self.usage
        times = [at for _, at in purchases]
        self.tables["customers"].append(
            {
                "id": cid,
                "kind": kind.value,
                "intermediary": intermediary,
                "country": country,
                "region": region,
                "industry": industry,
                "size": size,
                "interests": _tags(interests),
                "preferences": _tags(preferences),
                "lifestyle": _tags(lifestyle),
                "purchase_count": len(purchases),
                "currency": _CURRENCY,
                "total_spend": format(sum((a for a, _ in purchases), Decimal(0)), "f"),
                "first_purchase_at": self.text(min(times)),
                "last_purchase_at": self.text(max(times)),
                "last_active_at": self.text(last_active),
                "features_used": _tags(sorted(features)),
                "user_count": len(user_ids),
                "purchaser_count": len(buying),
                "rfm_recency": None,
                "rfm_frequency": None,
                "rfm_monetary": None,
                "rfm_code": None,
            }
        )
        self.voices(cid, people, signup)

    def rows(
        self,
        cid: str,
        signup: int,
        buying: list[tuple[str, str, Decimal | None]],
        using: list[tuple[str, int]],
        purchases: list[tuple[Decimal, int]],
    ) -> None:
        """The purchaser, user and purchase rows of one customer; keeps its usage."""
        rng = self.rng
        buyer_ids = {pid for pid, _, _ in buying}
        user_ids = {pid for pid, _ in using}
        self.tables["purchasers"].extend(
            {
                "customer_id": cid,
                "person_id": pid,
                "roles": roles,
                "spending_authority": None if authority is None else format(authority, "f"),
                "currency": None if authority is None else _CURRENCY,
                "is_user": pid in user_ids,
            }
            for pid, roles, authority in buying
        )
        last_active = 0
        features: set[str] = set()
        active_months = self.months - signup
        users = self.tables["users"]
        for pid, intensity in using:
            active = self.moment(rng.randint(max(signup, self.months - 2), self.months - 1))
            used = rng.sample(cat.FEATURES, rng.randint(1, 4))
            users.append(
                {
                    "customer_id": cid,
                    "person_id": pid,
                    "sessions": rng.randint(0, intensity * active_months),
                    "last_active_at": self.text(active),
                    "features_used": _tags(used),
                    "is_purchaser": pid in buyer_ids,
                }
            )
            last_active = max(last_active, active)
            features.update(used)
        self.usage = (last_active, features)
        self.tables["purchases"].extend(
            {"customer_id": cid, "amount": format(amount, "f"), "currency": _CURRENCY,
             "at": self.text(at)}
            for amount, at in purchases
        )  # fmt: skip

    def subscription(self, price: Decimal, signup: int) -> list[tuple[Decimal, int]]:
        """Monthly payments from sign-up; one in five churns part-way."""
        rng = self.rng
        churn = self.months if rng.random() < 0.8 else rng.randint(signup + 1, self.months)
        return [(price, self.moment(m)) for m in range(signup, churn)]

    # -- feedback -----------------------------------------------------------------------

    def voices(self, cid: str, people: list[tuple[str, int, bool, bool]], signup: int) -> None:
        """Feedback month by month: each person at their own pace, and a few anonymous posts."""
        random_ = self.random
        for pid, age, buys, uses in people:
            if age < _VOICE_AGE:
                continue
            pace = random_() * 0.25 * self.rate
            weights = self.themes[buys, uses]
            for month in range(signup, self.months):
                for _ in range(int(pace) + (random_() < pace % 1)):
                    self.item(cid, pid, weights[month], month)
        pace = 0.03 * self.rate
        weights = self.themes[False, True]
        for month in range(signup, self.months):
            for _ in range(int(pace) + (random_() < pace % 1)):
                self.item(cid, None, weights[month], month)

    def item(self, cid: str, author: str | None, weights: list[float], month: int) -> None:
        random_ = self.random
        theme = _THEMES[bisect(weights, random_() * weights[-1])]
        kinds = theme.kinds
        kind = kinds[int(random_() * len(kinds))]
        at = self.moment(month)
        importance, level = _IMPORTANCE_CELLS[int(random_() * len(_IMPORTANCE_CELLS))]
        if author is None:
            channels = _ANONYMOUS_CHANNELS
        elif kind is FeedbackKind.BUG:
            channels = _BUG_CHANNELS
        else:
            channels = _OTHER_CHANNELS
        n = self.next_feedback
        self.next_feedback = n + 1
        self.feedback.append(
            {
                "id": f"f-{n:0{self.width}d}",
                "customer_id": cid,
                "author_id": author,
                "theme": theme.key,
                "kind": kind.value,
                "need": theme.need.value,
                "importance": importance,
                "importance_level": level,
                "channel": channels[int(random_() * len(channels))],
                "created_at": self.text(at),
                # As feedback_records(items) writes them without customers: the
                # tables hold who buys and who uses; SQL joins them.
                "author_role": None,
                "customer_kind": None,
                "segments": None,
            }
        )
