"""sample_tables: rows a model accepts, encoded exactly as the records write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import chain

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    BuyingRole,
    Channel,
    Customer,
    CustomerKind,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Importance,
    IntermediaryRole,
    Location,
    Need,
    Person,
    Purchase,
    Purchaser,
    User,
    ValidationError,
    prioritize,
)
from customer_model.examples.tables import TABLES, sample_tables
from customer_model.records import (
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    PURCHASE_COLUMNS,
    PURCHASER_COLUMNS,
    USER_COLUMNS,
    Record,
    feedback_records,
    purchase_records,
    purchaser_records,
    to_records,
    user_records,
)

COLUMNS = {
    "customers": CUSTOMER_COLUMNS,
    "purchasers": PURCHASER_COLUMNS,
    "users": USER_COLUMNS,
    "purchases": PURCHASE_COLUMNS,
    "feedback": FEEDBACK_COLUMNS,
}


def _time(text: object) -> datetime:
    assert isinstance(text, str)
    return datetime.fromisoformat(text)


def _tags(text: object) -> frozenset[str]:
    assert isinstance(text, str)
    return frozenset(text.split(",")) if text else frozenset()


def tables(**kwargs: object) -> dict[str, list[Record]]:
    """Every chunk's rows, concatenated per table."""
    out: dict[str, list[Record]] = {name: [] for name in TABLES}
    for chunk in sample_tables(**kwargs):  # type: ignore[arg-type]
        assert set(chunk) == set(TABLES)
        for name in TABLES:
            out[name].extend(chunk[name])
    return out


def objects(rows: dict[str, list[Record]]) -> tuple[list[Customer], list[FeedbackItem]]:
    """The model values the rows describe, built with the public constructors."""
    purchasers: dict[object, list[Purchaser]] = {}
    for r in rows["purchasers"]:
        authority = r["spending_authority"]
        purchasers.setdefault(r["customer_id"], []).append(
            Purchaser(
                Person(str(r["person_id"])),
                roles={BuyingRole(v) for v in _tags(r["roles"])},
                spending_authority=None if authority is None else Decimal(str(authority)),
                currency=r["currency"],  # type: ignore[arg-type]
            )
        )
    users: dict[object, list[User]] = {}
    for r in rows["users"]:
        users.setdefault(r["customer_id"], []).append(
            User(
                Person(str(r["person_id"])),
                sessions=r["sessions"],  # type: ignore[arg-type]
                last_active=_time(r["last_active_at"]),
                features_used=_tags(r["features_used"]),
            )
        )
    purchases: dict[object, list[Purchase]] = {}
    for r in rows["purchases"]:
        purchases.setdefault(r["customer_id"], []).append(
            Purchase(Decimal(str(r["amount"])), str(r["currency"]), _time(r["at"]))
        )
    customers = [
        Customer(
            str(r["id"]),
            CustomerKind(r["kind"]),
            purchasers=purchasers.get(r["id"], []),
            users=users.get(r["id"], []),
            intermediary=None if r["intermediary"] is None else IntermediaryRole(r["intermediary"]),
            location=Location(r["country"], r["region"]),  # type: ignore[arg-type]
            industry=r["industry"],  # type: ignore[arg-type]
            size=r["size"],  # type: ignore[arg-type]
            interests=_tags(r["interests"]),
            preferences=_tags(r["preferences"]),
            lifestyle=_tags(r["lifestyle"]),
            purchases=purchases.get(r["id"], []),
        )
        for r in rows["customers"]
    ]
    feedback = [
        FeedbackItem(
            id=str(r["id"]),
            customer_id=str(r["customer_id"]),
            author_id=r["author_id"],  # type: ignore[arg-type]
            theme=str(r["theme"]),
            kind=FeedbackKind(r["kind"]),
            need=None if r["need"] is None else Need(r["need"]),
            importance=None if r["importance"] is None else Importance(r["importance"]),
            channel=Channel(r["channel"]),
            created_at=_time(r["created_at"]),
        )
        for r in rows["feedback"]
    ]
    return customers, feedback


_STARTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
).map(lambda t: t.replace(microsecond=0))


@settings(max_examples=25, deadline=None)
@given(
    customers=st.integers(1, 40),
    seed=st.integers(0, 2**63 - 1),  # a seed is a 64-bit integer, as every checked one
    months=st.integers(1, 30),
    start=_STARTS,
    feedback=st.none() | st.integers(0, 600),
)
def test_rows_are_the_records_of_valid_model_values(
    customers: int, seed: int, months: int, start: datetime, feedback: int | None
) -> None:
    rows = tables(customers=customers, seed=seed, months=months, start=start, feedback=feedback)
    for name in TABLES:  # the records' columns, in their order
        assert all(tuple(row) == COLUMNS[name] for row in rows[name]), name
    people, items = objects(rows)  # the model's checks accept every value
    dataset = Dataset(people, items)  # ids unique, every item's customer and author known
    assert len(dataset.customers) == customers
    # written back by customer_model.records, the values give the very same rows
    assert to_records(people) == rows["customers"]
    assert purchaser_records(people) == rows["purchasers"]
    assert user_records(people) == rows["users"]
    assert purchase_records(people) == rows["purchases"]
    assert feedback_records(items) == rows["feedback"]
    end = start + timedelta(days=31 * months)
    assert all(start <= item.created_at < end for item in items)
    backlog = prioritize(items, people, as_of=end)
    assert sum(len(entry.feedback_ids) for entry in backlog) <= len(items)


@settings(max_examples=10, deadline=None)
@given(customers=st.integers(1, 60), chunk=st.integers(1, 70), seed=st.integers(0, 1000))
def test_chunking_changes_no_row(customers: int, chunk: int, seed: int) -> None:
    chunks = list(sample_tables(customers=customers, seed=seed, chunk=chunk))
    assert len(chunks) == -(-customers // chunk)
    assert [len(c["customers"]) for c in chunks[:-1]] == [chunk] * (len(chunks) - 1)
    whole = tables(customers=customers, seed=seed, chunk=customers)
    for name in TABLES:
        assert list(chain.from_iterable(c[name] for c in chunks)) == whole[name]


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    assert tables(customers=30, seed=4) == tables(customers=30, seed=4)
    assert tables(customers=30, seed=4) != tables(customers=30, seed=5)


@pytest.mark.parametrize(
    ("customers", "asked", "within"), [(1_000, 0, 0.0), (1_000, 500, 0.2), (5_000, 50_000, 0.06)]
)
def test_feedback_lands_near_the_count_asked_for(customers: int, asked: int, within: float) -> None:
    # a customer base of random make-up (a business has dozens of voices, a
    # household a few) lands near the count asked for, closer the larger it is
    made = len(tables(customers=customers, seed=2, feedback=asked)["feedback"])
    assert abs(made - asked) <= within * asked


def test_a_realistic_mix_of_customers_and_voices() -> None:
    rows = tables(customers=2_000, seed=9)
    kinds = [r["kind"] for r in rows["customers"]]
    shares = {k.value: kinds.count(k.value) / len(kinds) for k in CustomerKind}
    assert shares["individual"] == pytest.approx(0.45, abs=0.05)
    assert shares["household"] == pytest.approx(0.30, abs=0.05)
    assert shares["organization"] == pytest.approx(0.25, abs=0.05)
    anonymous = sum(r["author_id"] is None for r in rows["feedback"])
    assert 0 < anonymous < 0.2 * len(rows["feedback"])
    both = sum(bool(r["is_user"]) for r in rows["purchasers"])
    assert 0 < both < len(rows["purchasers"])  # some buy and use, some only buy
    per_customer = len(rows["feedback"]) / 2_000
    assert 4.0 < per_customer < 5.3


def test_a_head_count_holds_everyone_the_customer_lists() -> None:
    # Seed 187 drew an organization listing 25 people with a head count of 23.
    rows = tables(customers=300, seed=187)
    listed: dict[object, set[object]] = {}
    for r in [*rows["purchasers"], *rows["users"]]:
        listed.setdefault(r["customer_id"], set()).add(r["person_id"])
    for r in rows["customers"]:
        size = r["size"]
        assert size is None or (isinstance(size, int) and size >= len(listed[r["id"]]))


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"customers": 0}, "customers"),
        ({"customers": 5, "feedback": -1}, "feedback"),
        ({"customers": 5, "seed": "7"}, "seed"),
        ({"customers": 5, "seed": -7}, "seed"),  # random.Random(-7) repeats seed 7
        ({"customers": 5, "start": datetime(2025, 1, 1)}, "start"),
        ({"customers": 5, "months": 0}, "months"),
        ({"customers": 5, "chunk": 0}, "chunk"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], where: str) -> None:
    with pytest.raises(ValidationError) as caught:
        sample_tables(**kwargs)  # type: ignore[arg-type]
    assert [p.path for p in caught.value.problems] == [(where,)]
