"""Realistic sample data: a customer base with a year of purchases, feedback and answers.

:func:`sample_dataset` is pure given its arguments: the same seed, size and
start give an equal dataset (and byte-identical JSON) on every run, with no
clock involved.  It feeds ``customer-model generate``, the bundled data
and the ``cm_dataset`` fixture.

What it contains:

* individuals (mostly self-serve, some buying for someone else), households
  (a parent buys, children use; sometimes a parent uses too) and
  organizations (a buying group of two to four, dozens of users, a champion
  in both roles; about one in four an intermediary: reseller, distributor,
  agent or affiliate);
* purchases: monthly plans for consumers and households, quarterly invoices
  for organizations, with some churn, all billed in EUR (customers are in
  ten countries, but revenue stays comparable without exchange rates);
* usage on every user (sessions, last activity, features used);
* feedback month by month, each person mostly about what their role cares
  for (purchasers about price and scale, users about usability and speed),
  with trends: ``ai-assistant``, ``data-residency`` and ``dashboard-speed``
  rise, ``onboarding`` falls;
* quarterly NPS answers (buyers a little happier than users) and CSAT
  answers after support contacts;
* four segments (families, key accounts, channel partners, and lapsed
  customers, which needs an ``as_of``) and three personas linked to them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from customer_model.examples import _words as cat
from customer_model.model._messages import type_name
from customer_model.model._validation import Checker
from customer_model.model.customers import (
    BuyingRole,
    Customer,
    CustomerKind,
    IntermediaryRole,
    Purchase,
    Purchaser,
    Role,
    User,
)
from customer_model.model.dataset import Dataset
from customer_model.model.feedback import Channel, FeedbackItem, FeedbackKind, Importance
from customer_model.model.people import Gender, Location, Person
from customer_model.model.personas import Persona
from customer_model.model.rules import field
from customer_model.model.segments import Segment, SegmentBasis
from customer_model.model.surveys import SurveyMeasure, SurveyResponse

__all__ = [
    "BUNDLED_CUSTOMERS",
    "BUNDLED_SEED",
    "DEFAULT_START",
    "bundled_dataset",
    "sample_as_of",
    "sample_dataset",
]

#: Where generated data starts unless told otherwise (UTC midnight, 1 January 2025).
DEFAULT_START = cat.DEFAULT_START

#: Every customer is billed in one currency, so that revenue can be compared
#: (and weighed by prioritize's default policy) without exchange rates.
_BILLING_CURRENCY = "EUR"

#: Monthly plan prices by currency: (individual, household).
_PLANS = {"EUR": (Decimal("9.99"), Decimal("19.99"))}
#: Price of one seat for a quarter.
_SEAT_QUARTER = Decimal("45")

Progress = Callable[[int, int], None]

#: The bundled ``data/bundled.json`` is ``sample_dataset(customers=12, seed=26)``.
BUNDLED_CUSTOMERS = 12
#: The seed of the bundled dataset (see :data:`BUNDLED_CUSTOMERS`).
BUNDLED_SEED = 26


def sample_as_of(start: datetime = DEFAULT_START, months: int = 12) -> datetime:
    """The end of the window :func:`sample_dataset` covers: *months* after *start*."""
    check = Checker()
    _window(check, start, months)
    check.done("sample_as_of")
    return start + relativedelta(months=months)


def _window(check: Checker, start: object, months: object) -> None:
    """What :func:`sample_dataset` and :func:`sample_as_of` ask of *start* and *months*."""
    check.aware("start", start)
    if isinstance(start, datetime) and not 1900 <= start.year <= 9000:
        check.add("start", "must be in the years 1900 to 9000")
    check.integer("months", months, minimum=1, maximum=120)


def bundled_dataset() -> Dataset:
    """The small generated dataset shipped with the package (``data/bundled.json``).

    It equals ``sample_dataset(customers=BUNDLED_CUSTOMERS, seed=BUNDLED_SEED)``
    and is what ``customer-model generate`` writes for those arguments.
    """
    from importlib.resources import files

    from customer_model.serialization import from_json

    text = files("customer_model.examples").joinpath("data", "bundled.json").read_bytes()
    return from_json(text, Dataset)


def sample_dataset(
    *,
    customers: int = 200,
    seed: int = 0,
    start: datetime = DEFAULT_START,
    months: int = 12,
    progress: Progress | None = None,
) -> Dataset:
    """A realistic, reproducible dataset of *customers* customers over *months* months.

    *progress*, if given, is called as ``progress(done, total)`` after each
    customer (the CLI draws a progress bar with it).

    >>> data = sample_dataset(customers=5, seed=1)
    >>> len(data.customers), data == sample_dataset(customers=5, seed=1)
    (5, True)
    """
    check = Checker()
    check.integer("customers", customers, minimum=1)
    check.integer("seed", seed, minimum=0)  # random.Random(-1) repeats random.Random(1)
    _window(check, start, months)
    hook: object = progress
    if hook is not None and not callable(hook):
        check.add("progress", f"must be callable, not {type_name(hook)}")
    check.done("sample_dataset")
    return _Generator(seed, start, months).run(customers, progress)


class _Generator:
    def __init__(self, seed: int, start: datetime, months: int) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.months = months
        self.month_starts = [start + relativedelta(months=m) for m in range(months + 1)]
        # (created_at, customer id, author id, theme, kind); ids are given after sorting
        self.feedback: list[tuple[datetime, str, str | None, cat.Theme, FeedbackKind]] = []
        self.answers: list[tuple[datetime, str, str | None, SurveyMeasure, int]] = []

    # -- time -------------------------------------------------------------------------

    def moment_in(self, month: int) -> datetime:
        begin, end = self.month_starts[month], self.month_starts[month + 1]
        span = int((end - begin).total_seconds())
        return begin + timedelta(seconds=self.rng.randrange(span))

    # -- people -----------------------------------------------------------------------

    def person(self, pid: str, place: tuple[str, str, str, str], *, age: tuple[int, int]) -> Person:
        rng = self.rng
        first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
        year = self.start.year - rng.randint(*age)
        adult = age[0] >= 18
        country, region, city, _ = place
        born = date(year, rng.randint(1, 12), rng.randint(1, 28))
        if born >= self.start.date():  # born before the window, so never active unborn
            born = born.replace(year=year - 1)
        return Person(
            pid,
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}.{pid}@example.com" if adult else None,
            birth_date=born,
            gender=rng.choice(list(Gender)),
            location=Location(country, region, city),
        )

    def user(self, person: Person, signup: int, *, intensity: int) -> User:
        rng = self.rng
        active_months = self.months - signup
        last_month = rng.randint(max(signup, self.months - 2), self.months - 1)
        return User(
            person,
            sessions=rng.randint(0, intensity * active_months),
            last_active=self.moment_in(last_month),
            features_used=frozenset(rng.sample(cat.FEATURES, rng.randint(1, 4))),
        )

    # -- customers ----------------------------------------------------------------------

    def run(self, n: int, progress: Progress | None) -> Dataset:
        width = max(4, len(str(n)))
        customers = []
        for i in range(n):
            cid = f"c-{i + 1:0{width}d}"
            customers.append(self.customer(cid))
            if progress is not None:
                progress(i + 1, n)
        ordered_feedback = sorted(self.feedback, key=lambda f: (f[0], f[1], f[2] or "", f[3].key))
        fwidth = max(5, len(str(len(ordered_feedback))))
        rng = self.rng
        feedback = [
            FeedbackItem(
                id=f"f-{k + 1:0{fwidth}d}",
                customer_id=cid,
                author_id=author,
                theme=theme.key,
                kind=kind,
                need=theme.need,
                importance=rng.choice(_IMPORTANCE),
                channel=_channel(rng, kind, author),
                text=rng.choice(cat.SNIPPETS),
                created_at=at,
            )
            for k, (at, cid, author, theme, kind) in enumerate(ordered_feedback)
        ]
        ordered_answers = sorted(self.answers, key=lambda a: (a[0], a[1], a[2] or "", a[3].value))
        rwidth = max(5, len(str(len(ordered_answers))))
        responses = [
            SurveyResponse(
                id=f"r-{k + 1:0{rwidth}d}",
                customer_id=cid,
                respondent_id=who,
                measure=measure,
                score=score,
                at=at,
            )
            for k, (at, cid, who, measure, score) in enumerate(ordered_answers)
        ]
        return Dataset(
            customers, feedback, personas=_PERSONAS, segments=_SEGMENTS, responses=responses
        )

    def customer(self, cid: str) -> Customer:
        rng = self.rng
        roll = rng.random()
        signup = rng.randrange(max(1, self.months - 2))
        place = rng.choice(cat.PLACES)
        if roll < 0.45:
            customer = self.individual(cid, place, signup)
        elif roll < 0.75:
            customer = self.household(cid, place, signup)
        else:
            customer = self.organization(cid, place, signup)
        self.voices(customer, signup)
        return customer

    def individual(self, cid: str, place: tuple[str, str, str, str], signup: int) -> Customer:
        rng = self.rng
        buyer = self.person(f"{cid}-p1", place, age=(19, 75))
        if rng.random() < 0.85:  # self-serve: buys and uses
            users = [self.user(buyer, signup, intensity=20)]
        else:  # buys for someone else (a gift, an elderly parent)
            users = [self.user(self.person(f"{cid}-p2", place, age=(8, 90)), signup, intensity=15)]
        currency = _BILLING_CURRENCY
        return Customer(
            cid,
            CustomerKind.INDIVIDUAL,
            purchasers=[Purchaser(buyer)],
            users=users,
            location=Location(place[0], place[1], place[2]),
            interests=frozenset(rng.sample(cat.INTERESTS, rng.randint(0, 3))),
            preferences=frozenset(rng.sample(cat.PREFERENCES, rng.randint(0, 2))),
            lifestyle=frozenset(rng.sample(cat.LIFESTYLES, rng.randint(0, 1))),
            purchases=self.subscription(_PLANS[currency][0], currency, signup),
        )

    def household(self, cid: str, place: tuple[str, str, str, str], signup: int) -> Customer:
        rng = self.rng
        parents = [self.person(f"{cid}-p1", place, age=(24, 55))]
        if rng.random() < 0.5:
            parents.append(self.person(f"{cid}-p2", place, age=(24, 55)))
        kids = [
            self.person(f"{cid}-p{len(parents) + k + 1}", place, age=(0, 15))
            for k in range(rng.randint(1, 3))
        ]
        users = [self.user(k, signup, intensity=25) for k in kids]
        if rng.random() < 0.4:  # a parent uses it too: the split overlaps
            users.insert(0, self.user(parents[0], signup, intensity=8))
        currency = _BILLING_CURRENCY
        return Customer(
            cid,
            CustomerKind.HOUSEHOLD,
            purchasers=[
                Purchaser(p, roles={BuyingRole.DECIDER} if i == 0 else {BuyingRole.INFLUENCER})
                for i, p in enumerate(parents)
            ],
            users=users,
            name=f"{rng.choice(cat.LAST_NAMES)} household",
            location=Location(place[0], place[1], place[2]),
            size=len(parents) + len(kids),
            interests=frozenset({"parenting", *rng.sample(cat.INTERESTS, rng.randint(0, 2))}),
            lifestyle=frozenset({"family"}),
            purchases=self.subscription(_PLANS[currency][1], currency, signup),
        )

    def organization(self, cid: str, place: tuple[str, str, str, str], signup: int) -> Customer:
        rng = self.rng
        intermediary = rng.choice(list(IntermediaryRole)) if rng.random() < 0.25 else None
        n_buyers = rng.randint(2, 4)
        group_roles = (
            {BuyingRole.DECIDER, BuyingRole.BUYER},
            {BuyingRole.GATEKEEPER, BuyingRole.TECHNICAL_BUYER},
            {BuyingRole.CHAMPION, BuyingRole.INFLUENCER},
            {BuyingRole.EVALUATOR},
        )
        buyers = [self.person(f"{cid}-p{k + 1}", place, age=(25, 64)) for k in range(n_buyers)]
        currency = _BILLING_CURRENCY
        authority = _PLANS[currency][0] * rng.choice((1_000, 5_000, 20_000))
        purchasers = [
            Purchaser(
                b,
                roles=group_roles[k],
                spending_authority=authority if k == 0 else None,
                currency=currency if k == 0 else None,
            )
            for k, b in enumerate(buyers)
        ]
        seats = rng.randint(2, 6) if intermediary else rng.randint(3, 25)
        staff = [
            self.person(f"{cid}-p{n_buyers + k + 1}", place, age=(20, 64)) for k in range(seats)
        ]
        users = [self.user(s, signup, intensity=30) for s in staff]
        if intermediary is None and rng.random() < 0.85:
            # the champion (and sometimes the evaluator) use it too
            users.insert(0, self.user(buyers[min(2, n_buyers - 1)], signup, intensity=40))
            if n_buyers == 4 and rng.random() < 0.5:
                users.insert(1, self.user(buyers[3], signup, intensity=20))
        price = (_SEAT_QUARTER * len(users)).quantize(Decimal("0.01"))
        purchases = [
            Purchase(price, currency, self.moment_in(m)) for m in range(signup, self.months, 3)
        ]
        return Customer(
            cid,
            CustomerKind.ORGANIZATION,
            purchasers=purchasers,
            users=users,
            name=f"{rng.choice(cat.COMPANY_WORDS)} {rng.choice(cat.COMPANY_SUFFIXES)}",
            intermediary=intermediary,
            location=Location(place[0], place[1], place[2]),
            industry=rng.choice(cat.INDUSTRIES),
            size=rng.randint(max(20, n_buyers + seats), 5_000),  # everyone listed
            purchases=purchases,
        )

    def subscription(self, price: Decimal, currency: str, signup: int) -> list[Purchase]:
        rng = self.rng
        churn = self.months if rng.random() < 0.8 else rng.randint(signup + 1, self.months)
        return [Purchase(price, currency, self.moment_in(m)) for m in range(signup, churn)]

    # -- feedback and answers ---------------------------------------------------------------

    def voices(self, customer: Customer, signup: int) -> None:
        rng = self.rng
        buyers, users = customer.purchaser_ids, customer.user_ids
        today = self.start.date()
        for person in customer.people:
            age = person.age_on(today)
            if age is not None and age < _VOICE_AGE:  # small children neither write nor answer
                continue
            roles = {Role.PURCHASER} if person.id in buyers else set()
            if person.id in users:
                roles.add(Role.USER)
            chatty = rng.random() * 0.25
            for month in range(signup, self.months):
                if rng.random() < chatty:
                    theme = self.theme_for(roles, month)
                    at = self.moment_in(month)
                    kind = rng.choice(theme.kinds)
                    self.feedback.append((at, customer.id, person.id, theme, kind))
                    if kind in (FeedbackKind.BUG, FeedbackKind.COMPLAINT) and rng.random() < 0.5:
                        csat = _clamp(
                            rng.randint(1, 5) + (1 if Role.PURCHASER in roles else 0), 1, 5
                        )
                        # asked soon after, and still inside the month
                        asked = at + (self.month_starts[month + 1] - at) / 2
                        self.answers.append(
                            (asked, customer.id, person.id, SurveyMeasure.CSAT, csat)
                        )
                if month % 3 == 2 and rng.random() < 0.35:
                    self.answers.append(
                        (self.moment_in(month), customer.id, person.id, SurveyMeasure.NPS,
                         self.nps_score(customer, roles))
                    )  # fmt: skip
        for month in range(signup, self.months):  # anonymous reviews and posts
            if rng.random() < 0.03:
                theme = self.theme_for({Role.USER}, month)
                at = self.moment_in(month)
                self.feedback.append((at, customer.id, None, theme, rng.choice(theme.kinds)))

    def theme_for(self, roles: set[Role], month: int) -> cat.Theme:
        weights = []
        for theme in cat.THEMES:
            affinity = 1.0 if theme.audience is None or theme.audience in roles else 0.15
            # compound growth, centred on the middle of the window
            growth = (1.0 + theme.trend) ** (month - self.months / 2)
            weights.append(affinity * growth)
        return self.rng.choices(cat.THEMES, weights=weights)[0]

    def nps_score(self, customer: Customer, roles: set[Role]) -> int:
        if roles == {Role.USER} and customer.kind is CustomerKind.ORGANIZATION:
            # employees who did not choose the tool are harder to please
            return self.rng.choice(_NPS_EMPLOYEES)
        return self.rng.choice(_NPS_BASE)


#: People younger than this give no feedback and answer no surveys.
_VOICE_AGE = 13
#: A typical answer spread: about 45% promoters, 30% passives, 25% detractors.
_NPS_BASE = (10, 10, 10, 9, 9, 9, 9, 9, 9, 8, 8, 8, 7, 7, 7, 8, 6, 5, 4, 2)
#: Users who did not pick the product: about 30% promoters, 35% detractors.
_NPS_EMPLOYEES = (10, 9, 9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 6, 6, 5, 5, 4, 3, 2)
_IMPORTANCE = (None, *Importance, Importance.IMPORTANT, Importance.NICE_TO_HAVE)


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _channel(rng: random.Random, kind: FeedbackKind, author: str | None) -> Channel:
    if author is None:
        return rng.choice((Channel.REVIEW, Channel.SOCIAL_MEDIA, Channel.COMMUNITY))
    if kind is FeedbackKind.BUG:
        return rng.choice((Channel.SUPPORT_TICKET, Channel.IN_APP))
    return rng.choice(
        (Channel.SURVEY, Channel.INTERVIEW, Channel.IN_APP, Channel.SALES_CALL, Channel.EMAIL)
    )


_SEGMENTS = (
    Segment(
        "families",
        "Families",
        field("kind") == CustomerKind.HOUSEHOLD,
        SegmentBasis.DEMOGRAPHIC,
        description="Households: parents buy, children use.",
    ),
    Segment(
        "key-accounts",
        "Key accounts",
        (field("kind") == CustomerKind.ORGANIZATION)
        & field("intermediary").missing()
        & (field("user_count") >= 10),
        SegmentBasis.FIRMOGRAPHIC,
        description="End-customer organizations with ten or more users.",
    ),
    Segment(
        "channel-partners",
        "Channel partners",
        field("intermediary").present(),
        SegmentBasis.FIRMOGRAPHIC,
        description="Resellers, distributors, agents and affiliates.",
    ),
    Segment(
        "lapsed",
        "Lapsed",
        field("last_purchase_at").older_than(timedelta(days=60)),
        SegmentBasis.BEHAVIORAL,
        description="No purchase in the last 60 days (needs as_of).",
    ),
)

_PERSONAS = (
    Persona(
        "persona-procurement",
        "Procurement Priya",
        Role.PURCHASER,
        goals=("predictable cost", "one contract for every team"),
        pain_points=("per-seat surprises", "slow security reviews"),
        needs=frozenset(
            {cat.THEMES_BY_KEY["subscription-price"].need, cat.THEMES_BY_KEY["sso"].need}
        ),
        segment_id="key-accounts",
    ),
    Persona(
        "persona-power-user",
        "Power-user Pat",
        Role.USER,
        goals=("finish reports fast",),
        pain_points=("slow dashboards", "manual exports"),
        needs=frozenset({cat.THEMES_BY_KEY["bulk-export"].need, cat.THEMES_BY_KEY["search"].need}),
        segment_id="key-accounts",
    ),
    Persona(
        "persona-parent",
        "Budget-minded Bea",
        Role.PURCHASER,
        goals=("value for money",),
        pain_points=("price rises",),
        needs=frozenset({cat.THEMES_BY_KEY["subscription-price"].need}),
        segment_id="families",
    ),
)
