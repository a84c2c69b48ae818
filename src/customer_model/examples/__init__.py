"""Small, hand-made examples of the classic buyer/user splits.

Used by the docs, the ``customer-model demo`` command and anyone who wants a
realistic value to try things on.  All timestamps are fixed, so every call
returns equal values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from customer_model.model.customers import (
    BuyingRole,
    Customer,
    CustomerKind,
    Purchase,
    Purchaser,
    User,
)
from customer_model.model.dataset import Dataset
from customer_model.model.feedback import Channel, FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.people import Location, Person
from customer_model.model.surveys import SurveyMeasure, SurveyResponse

__all__ = [
    "business_buying_group",
    "demo_dataset",
    "diaper_household",
    "self_serve_consumer",
]


def _at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def diaper_household() -> Customer:
    """Parents buy diapers, the baby uses them: nobody who buys uses."""
    parent = Person(
        "p-maria", name="Maria Silva", email="maria@example.com", birth_date=date(1991, 4, 2)
    )
    baby = Person("p-leo", name="Leo Silva", birth_date=date(2026, 1, 15))
    return Customer(
        "c-silva",
        CustomerKind.HOUSEHOLD,
        purchasers=[Purchaser(parent, roles={BuyingRole.DECIDER, BuyingRole.BUYER})],
        users=[User(baby)],
        name="Silva household",
        location=Location("BR", city="Recife"),
        size=3,
        interests={"parenting"},
        purchases=[
            Purchase(Decimal("24.90"), "BRL", _at(2, 1)),
            Purchase(Decimal("24.90"), "BRL", _at(3, 1)),
        ],
    )


def self_serve_consumer() -> Customer:
    """One person who buys and uses: a self-serve consumer."""
    jon = Person("p-jon", name="Jon Berg", email="jon@example.com", birth_date=date(1988, 9, 9))
    return Customer(
        "c-jon",
        CustomerKind.INDIVIDUAL,
        purchasers=[Purchaser(jon)],
        users=[User(jon, sessions=42, last_active=_at(5, 30), features_used={"export", "search"})],
        location=Location("SE", city="Malmo"),
        interests={"cycling"},
        purchases=[Purchase(Decimal("9.99"), "EUR", _at(1, 10))],
    )


def business_buying_group() -> Customer:
    """A buying group decides, employees use, and one team lead does both."""
    cfo = Person("p-ines", name="Ines Novak", email="ines@acme.example")
    it = Person("p-kai", name="Kai Tanaka", email="kai@acme.example")
    lead = Person("p-dara", name="Dara Okafor", email="dara@acme.example")
    analyst = Person("p-eli", name="Eli Rossi", email="eli@acme.example")
    return Customer(
        "c-acme",
        CustomerKind.ORGANIZATION,
        purchasers=[
            Purchaser(
                cfo,
                roles={BuyingRole.DECIDER, BuyingRole.BUYER},
                spending_authority=Decimal("50000"),
                currency="EUR",
            ),
            Purchaser(it, roles={BuyingRole.GATEKEEPER, BuyingRole.TECHNICAL_BUYER}),
            Purchaser(lead, roles={BuyingRole.CHAMPION, BuyingRole.INFLUENCER}),
        ],
        users=[
            User(lead, sessions=310, last_active=_at(6, 2), features_used={"dashboard", "api"}),
            User(analyst, sessions=120, last_active=_at(6, 1), features_used={"reports"}),
        ],
        name="Acme GmbH",
        location=Location("DE", region="Bavaria", city="Munich"),
        industry="logistics",
        size=240,
        purchases=[
            Purchase(Decimal("12000.00"), "EUR", _at(1, 5)),
            Purchase(Decimal("12000.00"), "EUR", _at(4, 5)),
        ],
    )


def demo_dataset() -> Dataset:
    """The three example customers with a little feedback and NPS answers from each side.

    Purchasers who do not use (Maria, Ines, Kai) answer less warmly than the
    people who use the product every day, so NPS by role shows a gap.  The
    household pays in BRL and the others in EUR, so prioritizing it needs a
    policy that converts (the default one never mixes currencies):

    >>> from datetime import UTC, datetime
    >>> from customer_model import PrioritizationPolicy, prioritize
    >>> ds = demo_dataset()
    >>> policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    >>> backlog = prioritize(
    ...     ds.feedback, ds.customers, as_of=datetime(2026, 6, 30, tzinfo=UTC), policy=policy
    ... )
    >>> backlog[0].theme
    'bulk-export'
    """
    household, consumer, business = (
        diaper_household(),
        self_serve_consumer(),
        business_buying_group(),
    )
    kinds, needs, channels = FeedbackKind, Need, Channel
    imp = Importance
    # customer, author, theme, kind, need, importance, channel, month, day
    table = [
        (
            household,
            "p-maria",
            "subscription-price",
            kinds.COMPLAINT,
            needs.COST,
            imp.CRITICAL,
            channels.SURVEY,
            3,
            2,
        ),
        (
            consumer,
            "p-jon",
            "bulk-export",
            kinds.FEATURE_REQUEST,
            needs.EFFICIENCY,
            imp.IMPORTANT,
            channels.IN_APP,
            5,
            3,
        ),
        (
            business,
            "p-ines",
            "subscription-price",
            kinds.FEATURE_REQUEST,
            needs.COST,
            imp.IMPORTANT,
            channels.SALES_CALL,
            4,
            20,
        ),
        (
            business,
            "p-dara",
            "bulk-export",
            kinds.FEATURE_REQUEST,
            needs.EFFICIENCY,
            imp.CRITICAL,
            channels.INTERVIEW,
            5,
            21,
        ),
        (
            business,
            "p-eli",
            "dashboard-speed",
            kinds.BUG,
            needs.USABILITY,
            imp.IMPORTANT,
            channels.SUPPORT_TICKET,
            6,
            1,
        ),
        (
            business,
            "p-kai",
            "sso",
            kinds.FEATURE_REQUEST,
            needs.SECURITY,
            imp.CRITICAL,
            channels.SALES_CALL,
            4,
            22,
        ),
        (
            consumer,
            None,
            "dashboard-speed",
            kinds.COMPLAINT,
            needs.USABILITY,
            None,
            channels.REVIEW,
            5,
            28,
        ),
    ]
    feedback = [
        FeedbackItem(
            id=f"f-{n}",
            customer_id=customer.id,
            author_id=author,
            theme=theme,
            kind=kind,
            need=need,
            importance=importance,
            channel=channel,
            created_at=_at(month, day),
        )
        for n, (customer, author, theme, kind, need, importance, channel, month, day) in enumerate(
            table, start=1
        )
    ]
    # customer, respondent, score, month, day
    answers = [
        (household, "p-maria", 6, 3, 5),
        (consumer, "p-jon", 9, 5, 5),
        (business, "p-ines", 7, 4, 25),
        (business, "p-kai", 5, 4, 25),
        (business, "p-dara", 10, 5, 25),
        (business, "p-eli", 9, 6, 3),
        (consumer, None, 8, 6, 10),
    ]
    responses = [
        SurveyResponse(
            id=f"r-{n}",
            customer_id=customer.id,
            respondent_id=respondent,
            measure=SurveyMeasure.NPS,
            score=score,
            at=_at(month, day),
        )
        for n, (customer, respondent, score, month, day) in enumerate(answers, start=1)
    ]
    return Dataset([household, consumer, business], feedback, responses=responses)
