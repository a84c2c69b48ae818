from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from customer_model import (
    Customer,
    CustomerKind,
    Person,
    Purchase,
    Purchaser,
    User,
    ValidationError,
    from_json,
    to_dict,
    to_json,
)
from customer_model.testing import customers

ANN = Person("p-ann")
BO = Person("p-bo")
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_collections_accept_any_iterable_and_are_stored_immutably() -> None:
    c = Customer(
        "c",
        CustomerKind.HOUSEHOLD,
        purchasers=[Purchaser(ANN)],
        users=(u for u in [User(BO)]),
        interests=["golf", "golf", "tea"],
    )
    assert c.purchasers == (Purchaser(ANN),)
    assert c.users == (User(BO),)
    assert c.interests == frozenset({"golf", "tea"})


def test_models_are_frozen_and_hashable() -> None:
    c = Customer("c", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(ANN)])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        c.id = "d"  # type: ignore[misc]
    assert hash(c) == hash(Customer("c", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(ANN)]))


def test_a_string_is_not_split_into_characters() -> None:
    with pytest.raises(ValidationError) as info:
        Customer("c", CustomerKind.HOUSEHOLD, purchasers=[Purchaser(ANN)], interests="golf")
    assert info.value.paths == ["$.interests"]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"purchasers": []}, "$.purchasers"),
        (
            {"purchasers": [Purchaser(ANN), Purchaser(ANN)], "kind": CustomerKind.HOUSEHOLD},
            "$.purchasers",
        ),
        ({"purchasers": [Purchaser(ANN), Purchaser(BO)]}, "$.purchasers"),
        ({"users": [User(BO), User(BO)]}, "$.users"),
        ({"users": [User(Person("p-ann", name="Other"))]}, "$.users[0].person"),
        ({"industry": "retail"}, "$.industry"),
        ({"size": 0}, "$.size"),
        ({"purchasers": ["ann"]}, "$.purchasers[0]"),
        ({"kind": "INDIVIDUAL"}, "$.kind"),
    ],
)
def test_customer_invariants(kwargs: dict[str, object], path: str) -> None:
    args: dict[str, object] = {
        "id": "c",
        "kind": CustomerKind.INDIVIDUAL,
        "purchasers": [Purchaser(ANN)],
    }
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        Customer(**args)  # type: ignore[arg-type]
    assert path in info.value.paths


def test_organization_may_have_industry_and_several_purchasers() -> None:
    c = Customer(
        "c",
        CustomerKind.ORGANIZATION,
        purchasers=[Purchaser(ANN), Purchaser(BO)],
        industry="retail",
    )
    assert c.purchaser_ids == {"p-ann", "p-bo"}


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"amount": 3.5}, "$.amount"),
        ({"amount": Decimal("NaN")}, "$.amount"),
        ({"amount": Decimal("-1")}, "$.amount"),
        ({"currency": "eur"}, "$.currency"),
        ({"at": datetime(2026, 1, 1)}, "$.at"),
    ],
)
def test_purchase_rules(kwargs: dict[str, object], path: str) -> None:
    args: dict[str, object] = {"amount": Decimal("1.00"), "currency": "EUR", "at": NOW}
    args.update(kwargs)
    with pytest.raises(ValidationError) as info:
        Purchase(**args)  # type: ignore[arg-type]
    assert info.value.paths == [path]


def test_spending_authority_needs_a_currency() -> None:
    with pytest.raises(ValidationError, match=r"\$\.currency"):
        Purchaser(ANN, spending_authority=Decimal(10))
    with pytest.raises(ValidationError, match=r"\$\.currency"):
        Purchaser(ANN, currency="EUR")


def test_user_sessions_are_non_negative_integers() -> None:
    for bad in (-1, 1.0, True):
        with pytest.raises(ValidationError, match=r"\$\.sessions"):
            User(ANN, sessions=bad)  # type: ignore[arg-type]


def test_counts_fit_a_64_bit_column_so_every_output_can_hold_them() -> None:
    # 10**5000 once made repr(), to_json and SQL fail with a bare ValueError.
    biggest = 2**63 - 1
    assert User(ANN, sessions=biggest).sessions == biggest
    org = Customer("c", CustomerKind.ORGANIZATION, [Purchaser(ANN)], size=biggest)
    assert from_json(to_json(org), Customer) == org
    for huge in (biggest + 1, 10**5000):
        with pytest.raises(ValidationError, match=r"\$\.sessions: must be at most"):
            User(ANN, sessions=huge)
        with pytest.raises(ValidationError, match=r"\$\.size: must be at most"):
            attrs.evolve(org, size=huge)


def test_a_huge_negative_count_is_told_the_fields_own_bound() -> None:
    # The 64-bit limit is far below the rule the value breaks ("at least 1").
    org = Customer("c", CustomerKind.ORGANIZATION, [Purchaser(ANN)], size=5)
    for negative in (-5, -(10**20)):
        with pytest.raises(ValidationError) as info:
            attrs.evolve(org, size=negative)
        assert [str(p) for p in info.value.problems] == ["$.size: must be at least 1"]
        with pytest.raises(ValidationError) as info:
            User(ANN, sessions=negative)
        assert [str(p) for p in info.value.problems] == ["$.sessions: must be at least 0"]


def test_revenue_keeps_currencies_apart() -> None:
    c = Customer(
        "c",
        CustomerKind.INDIVIDUAL,
        purchasers=[Purchaser(ANN)],
        purchases=[
            Purchase(Decimal("1.10"), "EUR", NOW),
            Purchase(Decimal("2.20"), "USD", NOW),
            Purchase(Decimal("3.30"), "EUR", NOW),
        ],
    )
    assert c.revenue() == {"EUR": Decimal("4.40"), "USD": Decimal("2.20")}


@given(customers())
def test_people_lists_everyone_once(c: Customer) -> None:
    ids = [p.id for p in c.people]
    assert len(ids) == len(set(ids))
    assert set(ids) == c.purchaser_ids | c.user_ids


def test_revenue_until_and_exact_sums() -> None:
    import decimal

    c = Customer(
        "c",
        CustomerKind.INDIVIDUAL,
        purchasers=[Purchaser(ANN)],
        purchases=[
            Purchase(Decimal("1E+28"), "EUR", NOW),
            Purchase(Decimal("0.01"), "EUR", NOW),
            Purchase(Decimal("5"), "EUR", datetime(2027, 1, 1, tzinfo=UTC)),
        ],
    )
    with decimal.localcontext(decimal.Context(prec=3)):
        assert c.revenue(until=NOW) == {"EUR": Decimal("10000000000000000000000000000.01")}
    assert c.revenue()["EUR"] == Decimal("10000000000000000000000000005.01")
    with pytest.raises(ValidationError, match=r"\$\.until"):
        c.revenue(until=datetime(2026, 1, 1))


@pytest.mark.parametrize(
    "amount",
    ["1E+999999999", "1E+29", "0E+40", "0E-999999999", "1E-10", "0.0000000001", "1.5000000000"],
)
def test_money_beyond_29_integer_digits_or_9_places_is_refused(amount: str) -> None:
    """Beyond SQL's DECIMAL(38, 9), and exact sums would need unbounded digits."""
    with pytest.raises(ValidationError) as info:
        Purchase(Decimal(amount), "EUR", NOW)
    assert info.value.paths == ["$.amount"]
    assert "29 integer digits and 9 decimal places" in str(info.value)
    with pytest.raises(ValidationError) as info:
        Purchaser(ANN, spending_authority=Decimal(amount), currency="EUR")
    assert info.value.paths == ["$.spending_authority"]


@pytest.mark.parametrize(
    "amount", ["9" * 29, "0.000000001", "1.500000000", "9" * 29 + ".999999999", "0"]
)
def test_money_up_to_29_integer_digits_and_9_places_is_fine(amount: str) -> None:
    assert Purchase(Decimal(amount), "EUR", NOW).amount == Decimal(amount)


def _customer(purchases: list[Purchase]) -> Customer:
    return Customer("c", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(ANN)], purchases=purchases)


def test_a_customers_total_in_one_currency_stays_below_10_to_the_29() -> None:
    """Each amount fits DECIMAL(38, 9); so must their sum, the records' total spend."""
    big = Decimal("6E+28")
    with pytest.raises(ValidationError) as info:
        _customer(purchases=[Purchase(big, "EUR", NOW), Purchase(big, "EUR", NOW)])
    assert info.value.paths == ["$.purchases"]
    assert "EUR amounts must add up to less than 10**29" in str(info.value)
    # Apart, the currencies never add up; just below the limit is fine.
    both = _customer(purchases=[Purchase(big, "EUR", NOW), Purchase(big, "USD", NOW)])
    assert both.revenue() == {"EUR": big, "USD": big}
    edge = Decimal("3" + "9" * 28 + ".999999999")  # 6E+28 + edge == 10**29 - 1E-9
    assert _customer(purchases=[Purchase(big, "EUR", NOW), Purchase(edge, "EUR", NOW)])


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, 3, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 22, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_a_time_utc_cannot_hold_is_refused_at_the_door(at: datetime) -> None:
    """Records, SQL and the rules compare times in UTC: the model refuses what UTC cannot hold."""
    with pytest.raises(ValidationError) as info:
        Purchase(Decimal(1), "EUR", at)
    assert info.value.paths == ["$.at"]
    assert "must fall within years 1 to 9999 in UTC" in str(info.value)
    # The same wall time in UTC, or an offset that keeps it in range, is fine.
    assert Purchase(Decimal(1), "EUR", at.replace(tzinfo=UTC))
    offset = at.utcoffset() or timedelta()
    assert Purchase(Decimal(1), "EUR", at.replace(tzinfo=timezone(-offset)))


def test_a_huge_exponent_in_json_is_refused_quickly() -> None:
    raw = to_dict(Purchase(Decimal(1), "EUR", NOW))
    raw["amount"] = "1E+999999999"
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps(raw), Purchase)
    assert info.value.paths == ["$.amount"]
