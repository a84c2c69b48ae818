"""What the terminal and notebook displays show: escaped cells, plain money."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from customer_model import (
    Channel,
    Customer,
    CustomerKind,
    FeedbackItem,
    FeedbackKind,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    User,
    ValueWeighting,
    prioritize,
)
from customer_model._display import money

AT = datetime(2025, 1, 1, tzinfo=UTC)


def _customer() -> Customer:
    person = Person("p-1")
    return Customer(
        "c-1",
        CustomerKind.INDIVIDUAL,
        purchasers=[Purchaser(person)],
        users=[User(person)],
        purchases=[
            Purchase(Decimal("1E+3"), "EUR", AT),
            Purchase(Decimal("1E-9"), "USD", AT),
        ],
    )


def test_money_is_in_plain_notation() -> None:
    assert money({"EUR": Decimal("1E+3"), "USD": Decimal("1E-9")}) == "1000 EUR, 0.000000001 USD"
    assert money({}) == ""


def test_customer_and_backlog_displays_show_money_without_exponents() -> None:
    customer = _customer()
    item = FeedbackItem(
        id="f-1",
        customer_id="c-1",
        author_id="p-1",
        theme="export",
        kind=FeedbackKind.BUG,
        channel=Channel.SURVEY,
        created_at=AT,
    )
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    backlog = prioritize([item], [customer], as_of=AT, policy=policy)
    for page in (customer._repr_html_(), backlog[0]._repr_html_()):
        assert "1000 EUR, 0.000000001 USD" in page
        assert "E+" not in page
        assert "E-9" not in page
