from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Channel,
    Customer,
    CustomerKind,
    FeedbackItem,
    FeedbackKind,
    Person,
    Purchaser,
    Role,
    RoleSplit,
    User,
    ValidationError,
    author_roles,
    role_split,
    roles_of,
)
from customer_model.examples import business_buying_group, diaper_household, self_serve_consumer
from customer_model.roles import check_roles
from customer_model.testing import customers, identifiers


def test_classic_examples() -> None:
    assert role_split(diaper_household()) is RoleSplit.DISJOINT
    assert role_split(self_serve_consumer()) is RoleSplit.SAME
    assert role_split(business_buying_group()) is RoleSplit.OVERLAPPING


def test_roles_of_each_person_in_a_buying_group() -> None:
    acme = business_buying_group()
    assert roles_of(acme, "p-ines") == {Role.PURCHASER}
    assert roles_of(acme, "p-dara") == {Role.PURCHASER, Role.USER}
    assert roles_of(acme, "p-eli") == {Role.USER}
    assert roles_of(acme, "stranger") == frozenset()
    assert roles_of(acme, None) == frozenset()


@given(customers())
def test_split_agrees_with_roles_of(c: Customer) -> None:
    both = [p.id for p in c.people if roles_of(c, p.id) == {Role.PURCHASER, Role.USER}]
    only = [p.id for p in c.people if len(roles_of(c, p.id)) == 1]
    split = role_split(c)
    if split is RoleSplit.SAME:
        assert not only
    elif split is RoleSplit.DISJOINT:
        assert not both
    else:
        assert both
        assert only


@pytest.mark.parametrize("split", list(RoleSplit))
@given(data=st.data())
def test_strategy_honours_requested_split(split: RoleSplit, data: st.DataObject) -> None:
    kinds = list(CustomerKind)
    if split is RoleSplit.OVERLAPPING:  # an individual is one person: refused below
        kinds.remove(CustomerKind.INDIVIDUAL)
    kind = data.draw(st.sampled_from(kinds))
    assert role_split(data.draw(customers(kind=kind, split=split))) is split


def test_an_individual_cannot_be_asked_to_overlap() -> None:
    with pytest.raises(ValidationError) as info:
        customers(kind="individual", split="overlapping")
    assert [str(p) for p in info.value.problems] == [
        "$.split: cannot be 'overlapping' for an individual, who is one person"
    ]


@given(customers())
def test_strategy_head_counts_hold_everyone_listed(c: Customer) -> None:
    # Realistic for other teams' tests: a household of one does not list six people.
    if c.kind is CustomerKind.INDIVIDUAL:
        assert c.size in (None, 1)
        assert len({p.id for p in c.people}) == 1  # who buys, and uses or not
    elif c.size is not None:
        assert c.size >= len({p.id for p in c.people})


def test_customer_without_users_is_disjoint() -> None:
    c = Customer("c", CustomerKind.HOUSEHOLD, purchasers=[Purchaser(Person("p"))])
    assert role_split(c) is RoleSplit.DISJOINT


def _household(birth: date | None) -> Customer:
    return Customer(
        "c", CustomerKind.HOUSEHOLD, purchasers=[Purchaser(Person("p", birth_date=birth))]
    )


def test_minor_purchaser_is_rejected_on_the_given_day() -> None:
    c = _household(date(2010, 6, 15))
    with pytest.raises(ValidationError) as info:
        check_roles(c, on=date(2028, 6, 14))
    assert info.value.paths == ["$.purchasers[0].person.birth_date"]
    assert "2010" not in str(info.value)
    check_roles(c, on=date(2028, 6, 15))  # eighteenth birthday: of age
    check_roles(c, on=date(2026, 1, 1), majority_age=15)


def test_unknown_birth_date_passes() -> None:
    check_roles(_household(None), on=date(2026, 1, 1))


@given(
    st.dates(date(1950, 1, 1), date(2030, 1, 1)),
    st.dates(date(1950, 1, 1), date(2060, 1, 1)),
    st.dates(date(1950, 1, 1), date(2060, 1, 1)),
)
def test_check_roles_is_monotone_in_time(born: date, day: date, other: date) -> None:
    """Once a purchaser is of age, they stay of age on every later day."""
    earlier, later = sorted([day, other])
    c = _household(born)
    try:
        check_roles(c, on=earlier)
    except ValidationError:
        return
    check_roles(c, on=later)


def _eli_on_export(acme: Customer, author: str | None = "p-eli", fid: str = "f") -> FeedbackItem:
    """Feedback on export from Eli, a user at the business buying group (or anonymous)."""
    return FeedbackItem(
        id=fid,
        customer_id=acme.id,
        author_id=author,
        theme="export",
        kind=FeedbackKind.BUG,
        channel=Channel.IN_APP,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_author_roles_of_feedback() -> None:
    acme = business_buying_group()
    item = _eli_on_export(acme)
    assert author_roles(item, acme) == {Role.USER}
    anonymous = _eli_on_export(acme, author=None, fid="g")
    assert author_roles(anonymous, acme) == frozenset()
    with pytest.raises(ValidationError, match="different customer"):
        author_roles(item, diaper_household())


@given(customers(), identifiers("zz-"))
def test_strangers_have_no_role(c: Customer, pid: str) -> None:
    assert roles_of(c, pid) == frozenset()


def test_same_person_in_both_roles_counts_for_both() -> None:
    p = Person("p")
    c = Customer("c", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(p)], users=[User(p)])
    assert roles_of(c, "p") == {Role.PURCHASER, Role.USER}


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: roles_of(None, "p"), "$.customer"),  # type: ignore[arg-type]
        (lambda: roles_of("c", "p"), "$.customer"),  # type: ignore[arg-type]
        (lambda: roles_of(diaper_household(), ["p"]), "$.person_id"),  # type: ignore[arg-type]
        (lambda: roles_of(diaper_household(), 7), "$.person_id"),  # type: ignore[arg-type]
        (lambda: role_split("c"), "$.customer"),  # type: ignore[arg-type]
        (lambda: role_split(None), "$.customer"),  # type: ignore[arg-type]
        (lambda: check_roles(None, on=date(2025, 1, 1)), "$.customer"),  # type: ignore[arg-type]
        (lambda: author_roles(None, diaper_household()), "$.item"),  # type: ignore[arg-type]
    ],
)
def test_role_functions_refuse_wrong_argument_types(call: Any, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.paths == [path]


@pytest.mark.parametrize("age", [2**63, 10**5000], ids=["2**63", "10**5000"])
def test_check_roles_refuses_a_majority_age_past_64_bits(age: int) -> None:
    # Like every integer argument; the long one once raised a bare ValueError in the message.
    with pytest.raises(ValidationError) as info:
        check_roles(_household(date(1990, 1, 1)), on=date(2026, 1, 1), majority_age=age)
    assert info.value.paths == ["$.majority_age"]


@pytest.mark.parametrize(
    ("purchasers", "users", "path"),
    [
        (["p"], frozenset({"q"}), "$.purchaser_ids"),  # once a bare AttributeError
        (frozenset({"p"}), "p", "$.user_ids"),  # once OVERLAPPING
        (frozenset({"p"}), None, "$.user_ids"),
    ],
)
def test_role_split_of_takes_sets_of_ids_only(purchasers: Any, users: Any, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        RoleSplit.of(purchasers, users)
    assert info.value.paths == [path]
    with pytest.raises(ValidationError) as info:
        RoleSplit.of("ab", "ab")  # type: ignore[arg-type]  # once SAME: two "sets" of letters
    assert info.value.paths == ["$.purchaser_ids", "$.user_ids"]
    assert RoleSplit.of({"p"}, frozenset({"p"})) is RoleSplit.SAME  # type: ignore[arg-type]


def test_author_roles_refuses_a_missing_customer() -> None:
    acme = business_buying_group()
    item = _eli_on_export(acme)
    with pytest.raises(ValidationError) as info:
        author_roles(item, None)  # type: ignore[arg-type]
    assert info.value.paths == ["$.customer"]


@pytest.mark.parametrize("on", ["2025-01-01", None, datetime(2025, 1, 1, tzinfo=UTC), 20250101])
@pytest.mark.parametrize("birth", [None, date(1990, 1, 1)])
def test_check_roles_refuses_a_day_that_is_not_a_date(on: Any, birth: date | None) -> None:
    """Even when no purchaser has a birth date, so the day would never be read."""
    with pytest.raises(ValidationError) as info:
        check_roles(_household(birth), on=on)
    assert info.value.paths == ["$.on"]


@pytest.mark.parametrize("age", [None, "18", Decimal("NaN"), Decimal(18), 18.0, True, -1])
def test_check_roles_refuses_a_bad_majority_age(age: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_roles(_household(date(2020, 1, 1)), on=date(2025, 1, 1), majority_age=age)
    assert info.value.paths == ["$.majority_age"]
    assert "NaN" not in str(info.value)
    assert "18" not in str(info.value)


def test_check_roles_accepts_a_majority_age_of_zero() -> None:
    check_roles(_household(date(2020, 1, 1)), on=date(2025, 1, 1), majority_age=0)


def test_a_majority_age_of_zero_lets_a_purchaser_born_that_very_day_pass() -> None:
    """At the boundary: age 0 is not under 0, and age 1 is under 2."""
    check_roles(_household(date(2025, 1, 1)), on=date(2025, 1, 1), majority_age=0)
    check_roles(_household(date(2024, 1, 1)), on=date(2025, 1, 1), majority_age=1)
    with pytest.raises(ValidationError) as info:
        check_roles(_household(date(2024, 1, 1)), on=date(2025, 1, 1), majority_age=2)
    assert "(2 or older)" in str(info.value)


@given(customers(), st.one_of(st.none(), identifiers("p-")))
def test_roles_of_agrees_with_the_id_sets(c: Customer, pid: str | None) -> None:
    """The shared answer sets are the right ones for every kind of person."""
    expected = {
        r for r, ids in ((Role.PURCHASER, c.purchaser_ids), (Role.USER, c.user_ids)) if pid in ids
    }
    assert roles_of(c, pid) == expected
    for p in c.people:
        assert (Role.PURCHASER in roles_of(c, p.id)) == (p.id in c.purchaser_ids)
        assert (Role.USER in roles_of(c, p.id)) == (p.id in c.user_ids)


def test_each_refusal_of_the_role_rules_names_its_rule_and_place() -> None:
    """What a caller reads: the rule's name, the argument's path and what is wrong."""
    c = _household(date(2020, 1, 1))
    stray = FeedbackItem(
        id="f",
        customer_id="other",
        theme="t",
        kind=FeedbackKind.BUG,
        channel=Channel.EMAIL,
        created_at=datetime(2025, 1, 1, tzinfo=UTC),
    )
    calls: list[tuple[Any, str]] = [
        (
            lambda: roles_of(c, 5),  # type: ignore[arg-type]
            "invalid roles_of input: $.person_id: must be a string or None, not int",
        ),
        (
            lambda: roles_of("c", "p"),  # type: ignore[arg-type]
            "invalid roles_of input: $.customer: must be a Customer, not str",
        ),
        (
            lambda: author_roles("f", c),  # type: ignore[arg-type]
            "invalid author_roles input: $.item: must be a FeedbackItem, not str",
        ),
        (
            lambda: author_roles(stray, c),
            "invalid FeedbackItem: $.customer_id: feedback item belongs to a different customer",
        ),
        (
            lambda: check_roles(c, on="2025-01-01", majority_age=0),  # type: ignore[arg-type]  # only $.on
            "invalid check_roles input: $.on: must be a date (not a datetime), not str",
        ),
        (
            lambda: check_roles(c, on=date(2025, 1, 1)),
            "invalid Customer roles: $.purchasers[0].person.birth_date: "
            "a purchaser must be of age (18 or older) on 2025-01-01",
        ),
        (
            lambda: role_split("c"),  # type: ignore[arg-type]
            "invalid role_split input: $.customer: must be a Customer, not str",
        ),
    ]
    for call, message in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert str(info.value) == message
