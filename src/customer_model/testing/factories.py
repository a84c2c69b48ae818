"""Plain factories for tests: valid values with sensible defaults, one call away.

No dependency beyond the library itself (no hypothesis, no factory_boy).  Each
factory holds its own seeded :class:`random.Random` and its own id sequence,
so two factories made with the same seed build the same values in the same
order, and nothing is shared between factories or tests.

>>> from customer_model.testing.factories import CustomerFactory
>>> customers = CustomerFactory(seed=1)
>>> customers.build().id, customers.build().id
('c-1', 'c-2')
>>> customers.household().kind.value
'household'
>>> CustomerFactory(seed=1).build() == CustomerFactory(seed=1).build()
True
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from customer_model.errors import ValidationError
from customer_model.examples import _words as cat
from customer_model.model._messages import type_name
from customer_model.model._validation import Checker, exact_member
from customer_model.model.customers import (
    BuyingRole,
    Customer,
    CustomerKind,
    Purchase,
    Purchaser,
    Role,
    User,
)
from customer_model.model.dataset import Dataset
from customer_model.model.feedback import Channel, FeedbackItem, Importance
from customer_model.model.people import Gender, Location, Person
from customer_model.model.surveys import SurveyMeasure, SurveyResponse
from customer_model.testing._factory_base import (
    DEFAULT_START,
    FactoryBase,
    batch_count,
    check_window,
    count_of,
    email_part,
    fields_of,
)

__all__ = [
    "CustomerFactory",
    "DatasetFactory",
    "FeedbackFactory",
    "PersonFactory",
    "SurveyResponseFactory",
]


class PersonFactory(FactoryBase):
    """People with made-up names and contact details (fake personal data)."""

    _prefix_default = "p-"
    _moments = False
    _births = True

    def build(self, **overrides: Any) -> Person:
        """An adult; any :class:`~customer_model.Person` field can be overridden.

        An ``id`` override is used as given (even an invalid one, which
        :class:`~customer_model.Person` then rejects).
        """
        fields_of(Person, overrides, "PersonFactory overrides")
        pid = self.id_for(overrides)
        overrides.pop("id", None)
        return self._person(pid, adult=True, **overrides)

    __call__ = build

    def child(self, **overrides: Any) -> Person:
        """A young child: someone who uses a product but cannot buy it."""
        fields_of(Person, overrides, "PersonFactory overrides")
        pid = self.id_for(overrides)
        overrides.pop("id", None)
        return self._person(pid, adult=False, **overrides)

    def batch(self, n: int, **overrides: Any) -> list[Person]:
        """*n* adults with distinct ids (so *overrides* cannot pin ``id``)."""
        count = batch_count(n, overrides, "PersonFactory.batch", Person)
        return [self.build(**overrides) for _ in range(count)]

    def _person(self, pid: object, *, adult: bool, **overrides: Any) -> Person:
        rng = self._rng
        first, last = rng.choice(cat.FIRST_NAMES), rng.choice(cat.LAST_NAMES)
        if adult:
            born = date(
                self.start.year - rng.randint(20, 70), rng.randint(1, 12), rng.randint(1, 28)
            )
        else:
            born = date(self.start.year - rng.randint(0, 2), rng.randint(1, 12), rng.randint(1, 28))
            if born >= self.start.date():  # born before the window, so never active unborn
                born = born.replace(year=born.year - 1)
        country, region, city, _ = rng.choice(cat.PLACES)
        values: dict[str, Any] = {
            "id": pid,
            "name": f"{first} {last}",
            "email": f"{first.lower()}.{last.lower()}.{email_part(pid)}@example.com"
            if adult
            else None,
            "birth_date": born,
            "gender": rng.choice(list(Gender)),
            "location": Location(country, region, city),
        }
        values.update(overrides)
        return Person(**values)


class CustomerFactory(FactoryBase):
    """Customers of every kind, with the classic buyer/user splits as traits.

    ``build(**overrides)`` (also the factory's ``__call__``) picks the trait
    from ``kind``: an individual is a self-serve consumer, a household has a
    parent who buys and a child who uses, an organization has a buying group
    that overlaps its users.  Any :class:`~customer_model.Customer` field can
    be overridden; people get ids derived from the customer id
    (``c-1-p1``...), so customers from one factory never share a person.
    """

    _prefix_default = "c-"
    _births = True

    def __init__(
        self,
        *,
        seed: int = 0,
        id_prefix: str | None = None,
        start: datetime = DEFAULT_START,
        days: int = 365,
        currency: str = "EUR",
    ) -> None:
        self.currency = currency
        super().__init__(seed=seed, id_prefix=id_prefix, start=start, days=days)
        self._people = PersonFactory(seed=self._rng.randrange(2**32), start=start)

    def _check_more(self, check: Checker) -> None:
        check.currency("currency", self.currency)

    def build(self, **overrides: Any) -> Customer:
        """A valid customer; the trait follows ``kind`` (default: a self-serve individual)."""
        # The model takes a kind's value ("household") for the kind.
        kind = exact_member(CustomerKind, overrides.get("kind", CustomerKind.INDIVIDUAL))
        if kind is CustomerKind.HOUSEHOLD:
            return self.household(**overrides)
        if kind is CustomerKind.ORGANIZATION:
            return self.business(**overrides)
        return self.self_serve(**overrides)

    __call__ = build

    def batch(self, n: int, **overrides: Any) -> list[Customer]:
        """*n* customers with distinct ids (so *overrides* cannot pin ``id``)."""
        count = batch_count(n, overrides, "CustomerFactory.batch", Customer)
        return [self.build(**overrides) for _ in range(count)]

    def mixed(self, n: int) -> list[Customer]:
        """*n* customers cycling through the three traits: self-serve, household, business."""
        traits = (self.self_serve, self.household, self.business)
        return [traits[i % 3]() for i in range(count_of(n))]

    # -- traits -------------------------------------------------------------------

    def self_serve(self, **overrides: Any) -> Customer:
        """An individual who buys and uses the product: the split is SAME."""
        fields_of(Customer, overrides, "CustomerFactory overrides")
        cid = self.id_for(overrides)
        me = self._people.build(id=f"{cid}-p1")
        values: dict[str, Any] = {
            "id": cid,
            "kind": CustomerKind.INDIVIDUAL,
            "purchasers": [Purchaser(me)],
            "users": [self._user(me)],
            "location": me.location,
            "interests": self._some(cat.INTERESTS, 2),
            "preferences": self._some(cat.PREFERENCES, 1),
            "purchases": self._purchases(1, 3, 5, 30),
        }
        values.update(overrides)
        return Customer(**values)

    def household(self, **overrides: Any) -> Customer:
        """A household where a parent buys and a small child uses: the split is DISJOINT."""
        fields_of(Customer, overrides, "CustomerFactory overrides")
        cid = self.id_for(overrides)
        parent = self._people.build(id=f"{cid}-p1")
        child = self._people.child(id=f"{cid}-p2", location=parent.location)
        values: dict[str, Any] = {
            "id": cid,
            "kind": CustomerKind.HOUSEHOLD,
            "purchasers": [Purchaser(parent, roles={BuyingRole.DECIDER, BuyingRole.BUYER})],
            "users": [self._user(child)],
            "name": f"{self._rng.choice(cat.LAST_NAMES)} household",
            "location": parent.location,
            "size": self._rng.randint(2, 5),
            "interests": self._some(cat.INTERESTS, 2) | {"parenting"},
            "lifestyle": {"family"},
            "purchases": self._purchases(1, 4, 10, 60),
        }
        values.update(overrides)
        return Customer(**values)

    def business(self, **overrides: Any) -> Customer:
        """An organization whose buying group overlaps its users: the split is OVERLAPPING.

        A decider who signs, a gatekeeper from IT and a champion who also uses
        the product, plus two to four employees who only use it.
        """
        fields_of(Customer, overrides, "CustomerFactory overrides")
        cid = self.id_for(overrides)
        rng = self._rng
        decider = self._people.build(id=f"{cid}-p1")
        gatekeeper = self._people.build(id=f"{cid}-p2")
        champion = self._people.build(id=f"{cid}-p3")
        employees = [self._people.build(id=f"{cid}-p{i}") for i in range(4, 4 + rng.randint(2, 4))]
        values: dict[str, Any] = {
            "id": cid,
            "kind": CustomerKind.ORGANIZATION,
            "purchasers": [
                Purchaser(
                    decider,
                    roles={BuyingRole.DECIDER, BuyingRole.BUYER},
                    spending_authority=Decimal(rng.choice((10_000, 50_000, 250_000))),
                    currency=self.currency,
                ),
                Purchaser(gatekeeper, roles={BuyingRole.GATEKEEPER, BuyingRole.TECHNICAL_BUYER}),
                Purchaser(champion, roles={BuyingRole.CHAMPION, BuyingRole.INFLUENCER}),
            ],
            "users": [self._user(champion, heavy=True), *(self._user(e) for e in employees)],
            "name": f"{rng.choice(cat.COMPANY_WORDS)} {rng.choice(cat.COMPANY_SUFFIXES)}",
            "location": decider.location,
            "industry": rng.choice(cat.INDUSTRIES),
            "size": rng.randint(20, 2_000),
            "purchases": self._purchases(1, 4, 1_000, 25_000),
        }
        values.update(overrides)
        return Customer(**values)

    # -- parts ----------------------------------------------------------------------

    def _some(self, words: Sequence[str], most: int) -> frozenset[str]:
        return frozenset(self._rng.sample(words, self._rng.randint(0, most)))

    def _user(self, person: Person, *, heavy: bool = False) -> User:
        rng = self._rng
        return User(
            person,
            sessions=rng.randint(50, 400) if heavy else rng.randint(0, 120),
            last_active=self._moment(),
            features_used=self._some(cat.FEATURES, 3),
        )

    def _purchases(self, least: int, most: int, low: int, high: int) -> list[Purchase]:
        rng = self._rng
        moments = sorted(self._moment() for _ in range(rng.randint(least, most)))
        return [
            Purchase(Decimal(rng.randint(low * 100, high * 100)).scaleb(-2), self.currency, at)
            for at in moments
        ]


class FeedbackFactory(FactoryBase):
    """Feedback items; pass ``customer=`` to have one of its people say it.

    ``customer`` is not a field of :class:`~customer_model.FeedbackItem`: it
    sets ``customer_id`` and picks an author among the customer's people.
    Without it the item belongs to ``"c-1"`` and is anonymous.  The need and
    kind follow the theme (a price complaint speaks to cost).
    """

    _prefix_default = "f-"

    def build(self, *, customer: Customer | None = None, **overrides: Any) -> FeedbackItem:
        """One valid feedback item; any field can be overridden."""
        return self._item(customer, None, overrides)

    __call__ = build

    def batch(
        self, n: int, *, customer: Customer | None = None, **overrides: Any
    ) -> list[FeedbackItem]:
        """*n* items with distinct ids."""
        _check_customer(customer, "FeedbackFactory")
        count = batch_count(n, overrides, "FeedbackFactory.batch", FeedbackItem)
        return [self._item(customer, None, dict(overrides)) for _ in range(count)]

    def from_purchaser(self, customer: Customer, **overrides: Any) -> FeedbackItem:
        """An item written by one of *customer*'s purchasers."""
        return self._item(_required(customer), Role.PURCHASER, overrides)

    def from_user(self, customer: Customer, **overrides: Any) -> FeedbackItem:
        """An item written by one of *customer*'s users."""
        return self._item(_required(customer), Role.USER, overrides)

    def anonymous(self, customer: Customer, **overrides: Any) -> FeedbackItem:
        """An item about *customer* with no known author (a store review, say)."""
        return self._item(_required(customer), None, {"author_id": None, **overrides})

    def _item(
        self, customer: Customer | None, role: Role | None, overrides: dict[str, Any]
    ) -> FeedbackItem:
        fields_of(FeedbackItem, overrides, "FeedbackFactory overrides")
        _check_customer(customer, "FeedbackFactory")
        rng = self._rng
        moment = self._moment()
        author: str | None = None
        if customer is not None:
            if role is Role.PURCHASER:
                pool = [p.person.id for p in customer.purchasers]
            elif role is Role.USER:
                pool = [u.person.id for u in customer.users]
                if not pool:
                    raise ValidationError.single(
                        "customer", "has no users to write feedback", "FeedbackFactory"
                    )
            else:
                pool = _writers(customer, overrides.get("created_at", moment))
            author = rng.choice(pool)
        key = overrides.get("theme")
        theme = cat.THEMES_BY_KEY.get(key) if type(key) is str else None
        if theme is None:  # no theme given, or one the catalogue does not know
            theme = rng.choice(cat.THEMES)
        values: dict[str, Any] = {
            "id": self.id_for(overrides),
            "customer_id": customer.id if customer is not None else "c-1",
            "author_id": author,
            "theme": theme.key,
            "kind": rng.choice(theme.kinds),
            "need": theme.need,
            "importance": rng.choice((None, *Importance)),
            "channel": rng.choice(list(Channel)),
            "text": rng.choice(cat.SNIPPETS),
            "created_at": moment,
        }
        values.update(overrides)
        return FeedbackItem(**values)


#: The youngest age at which the factories let a person write feedback or answer a survey.
_WRITING_AGE = 13


def _writers(customer: Customer, when: object) -> list[str]:
    """The ids of *customer*'s people old enough to write at *when* (the household's
    baby does not); all of them if none is, or *when* is not a time."""
    people = [p.id for p in customer.people]
    if not isinstance(when, datetime):
        return people
    day = when.date()
    ages = [(p.id, p.age_on(day)) for p in customer.people]
    old_enough = [person for person, age in ages if age is None or age >= _WRITING_AGE]
    return old_enough or people


def _check_customer(customer: object, subject: str) -> None:
    """Refuse a *customer* argument that is neither ``None`` nor a Customer."""
    if customer is not None and not isinstance(customer, Customer):
        raise ValidationError.single(
            "customer", f"must be a Customer, not {type_name(customer)}", subject
        )


def _required(customer: Customer) -> Customer:
    """*customer*, which these traits need: without one the item would be anonymous."""
    if customer is None:
        raise ValidationError.single("customer", "is required", "FeedbackFactory")
    return customer


class SurveyResponseFactory(FactoryBase):
    """Survey answers (NPS by default); ``customer=`` picks a respondent among its people."""

    _prefix_default = "r-"

    def build(self, *, customer: Customer | None = None, **overrides: Any) -> SurveyResponse:
        """One valid response; the score is drawn from the measure's scale."""
        fields_of(SurveyResponse, overrides, "SurveyResponseFactory overrides")
        _check_customer(customer, "SurveyResponseFactory")
        rng = self._rng
        # The model takes a measure's value ("csat") for the measure.
        measure = exact_member(SurveyMeasure, overrides.get("measure", SurveyMeasure.NPS))
        low, high = measure.scale if isinstance(measure, SurveyMeasure) else (0, 10)
        moment = self._moment()
        values: dict[str, Any] = {
            "id": self.id_for(overrides),
            "customer_id": customer.id if customer is not None else "c-1",
            "respondent_id": rng.choice(_writers(customer, overrides.get("at", moment)))
            if customer is not None
            else None,
            "measure": measure,
            "score": rng.randint(low, high),
            "at": moment,
        }
        values.update(overrides)
        return SurveyResponse(**values)

    __call__ = build

    def batch(
        self, n: int, *, customer: Customer | None = None, **overrides: Any
    ) -> list[SurveyResponse]:
        """*n* responses with distinct ids."""
        _check_customer(customer, "SurveyResponseFactory")
        count = batch_count(n, overrides, "SurveyResponseFactory.batch", SurveyResponse)
        return [self.build(customer=customer, **overrides) for _ in range(count)]


class DatasetFactory:
    """Consistent datasets: customers of all three traits, their feedback and answers."""

    def __init__(
        self,
        *,
        seed: int = 0,
        start: datetime = DEFAULT_START,
        days: int = 365,
        currency: str = "EUR",
    ) -> None:
        check = Checker()
        check_window(check, seed, start, days, births=True)
        check.currency("currency", currency)
        check.done("DatasetFactory")
        rng = random.Random(seed)
        self.seed = seed
        self.start, self.days, self.currency = start, days, currency
        self.customers = CustomerFactory(
            seed=rng.randrange(2**32), start=start, days=days, currency=currency
        )
        self.feedback = FeedbackFactory(seed=rng.randrange(2**32), start=start, days=days)
        self.responses = SurveyResponseFactory(seed=rng.randrange(2**32), start=start, days=days)

    def build(
        self,
        *,
        customers: int | Iterable[Customer] = 6,
        feedback_per_customer: int = 3,
        responses_per_customer: int = 2,
        **overrides: Any,
    ) -> Dataset:
        """A dataset; *customers* is a count (mixed traits) or the customers to use.

        Every customer gets exactly *feedback_per_customer* items and
        *responses_per_customer* NPS answers from its own people.  Other
        :class:`~customer_model.Dataset` fields (``personas``, ``segments``)
        can be passed as overrides.
        """
        fields_of(Dataset, overrides, "DatasetFactory overrides")
        check = Checker()
        given: object = customers
        people: list[object] = []
        if type(given) is int:
            check.integer("customers", given, minimum=0)
        elif isinstance(given, str | bytes | Mapping) or not isinstance(given, Iterable):
            check.add(
                "customers",
                f"must be a count or an iterable of Customer, not {type_name(given)}",
            )
        else:
            people = list(given)
            for i, customer in enumerate(people):
                if not isinstance(customer, Customer):
                    check.add(("customers", i), f"must be a Customer, not {type_name(customer)}")
        check.integer("feedback_per_customer", feedback_per_customer, minimum=0)
        check.integer("responses_per_customer", responses_per_customer, minimum=0)
        check.done("DatasetFactory")
        chosen = (
            self.customers.mixed(given)
            if type(given) is int
            else [c for c in people if isinstance(c, Customer)]  # all of them: checked above
        )
        values: dict[str, Any] = {
            "customers": chosen,
            "feedback": [
                item
                for c in chosen
                for item in self.feedback.batch(feedback_per_customer, customer=c)
            ],
            "responses": [
                r for c in chosen for r in self.responses.batch(responses_per_customer, customer=c)
            ],
        }
        values.update(overrides)
        return Dataset(**values)

    __call__ = build

    def __repr__(self) -> str:
        return f"DatasetFactory(seed={self.seed!r})"
