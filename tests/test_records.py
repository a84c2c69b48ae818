from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    FeedbackItem,
    Person,
    Purchase,
    Purchaser,
    Segment,
    User,
    ValidationError,
    field,
)
from customer_model.examples import business_buying_group, demo_dataset

# The rule-field catalogue is the oracle here: every field a segment rule can read must be a
# column, with the same value (white-box on purpose; the model has no public total_spend).
from customer_model.model._rule_fields import FIELDS, fits_sql_decimal, total_spend
from customer_model.model.rfm import rfm_scores
from customer_model.records import (
    COLUMN_TYPES,
    CUSTOMER_COLUMNS,
    FEEDBACK_COLUMNS,
    PERSONAL_CUSTOMER_COLUMNS,
    PERSONAL_FEEDBACK_COLUMNS,
    PERSONAL_PERSON_COLUMNS,
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
from customer_model.testing import customers, feedback_items

SCALARS = (str, int, float, bool, type(None))


def test_business_record() -> None:
    (row,) = to_records([business_buying_group()])
    assert row == {
        "id": "c-acme",
        "kind": "organization",
        "intermediary": None,
        "country": "DE",
        "region": "Bavaria",
        "industry": "logistics",
        "size": 240,
        "interests": "",
        "preferences": "",
        "lifestyle": "",
        "purchase_count": 2,
        "currency": "EUR",
        "total_spend": "24000.00",
        "first_purchase_at": "2026-01-05T12:00:00.000000+00:00",
        "last_purchase_at": "2026-04-05T12:00:00.000000+00:00",
        "last_active_at": "2026-06-02T12:00:00.000000+00:00",
        "features_used": "api,dashboard,reports",
        "user_count": 2,
        "purchaser_count": 3,
        "rfm_recency": None,
        "rfm_frequency": None,
        "rfm_monetary": None,
        "rfm_code": None,
    }


def test_personal_columns_only_on_request() -> None:
    c = business_buying_group()
    assert "name" not in to_records([c])[0]
    row = to_records([c], include_personal=True)[0]
    assert tuple(row) == CUSTOMER_COLUMNS + PERSONAL_CUSTOMER_COLUMNS
    assert row["name"] == "Acme GmbH"
    assert row["city"] == "Munich"
    users = user_records([c])
    assert [tuple(u) for u in users] == [USER_COLUMNS] * 2
    assert all("ines" not in json.dumps(u) for u in users)
    assert (
        tuple(user_records([c], include_personal=True)[0]) == USER_COLUMNS + PERSONAL_PERSON_COLUMNS
    )
    buyers = purchaser_records([c])
    assert buyers[0]["roles"] == "buyer,decider"
    assert buyers[0]["spending_authority"] == "50000"
    assert [b["is_user"] for b in buyers] == [False, False, True]
    assert "Ines Novak" in json.dumps(purchaser_records([c], include_personal=True))
    with pytest.raises(ValidationError):
        to_records([c], include_personal=1)  # type: ignore[arg-type]


def test_feedback_and_purchase_records() -> None:
    data = demo_dataset()
    rows = feedback_records(data.feedback)
    assert all(tuple(r) == FEEDBACK_COLUMNS for r in rows)
    assert {r["importance_level"] for r in rows} <= {None, 0, 1, 2, 3}
    with_text = feedback_records(data.feedback, include_personal=True)
    assert tuple(with_text[0]) == FEEDBACK_COLUMNS + PERSONAL_FEEDBACK_COLUMNS
    purchases = purchase_records(data.customers)
    assert all(tuple(p) == PURCHASE_COLUMNS for p in purchases)
    assert purchases[0]["amount"] == "24.90"
    with pytest.raises(ValidationError):
        feedback_records([data.customers[0]])  # type: ignore[list-item]


def test_rfm_columns_when_scores_given() -> None:
    c = business_buying_group()
    scores = rfm_scores([c], as_of=datetime(2027, 1, 1, tzinfo=UTC))
    row = to_records([c], rfm=scores)[0]
    assert (row["rfm_recency"], row["rfm_code"]) == (1, "111")


def test_rfm_argument_is_checked() -> None:
    c = business_buying_group()
    for bad in ([1], {c.id: 5}, {c.id: "111"}):
        with pytest.raises(ValidationError) as info:
            to_records([c], rfm=bad)  # type: ignore[arg-type]
        assert info.value.paths == ["$.rfm"]
    (row,) = to_records([c], rfm={})  # no score for this customer: empty columns
    assert row["rfm_code"] is None


def test_tags_with_separators_are_escaped() -> None:
    c = Customer(
        "c",
        business_buying_group().kind,
        business_buying_group().purchasers,
        interests={"a,b", "100%", "z"},
    )
    assert to_records([c])[0]["interests"] == "100%25,a%2Cb,z"


def test_datetimes_are_utc_fixed_width() -> None:
    from customer_model.model._rule_fields import iso

    at = datetime(2024, 1, 1, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    assert iso(at) == "2023-12-31T23:30:00.000000+00:00"


def test_rule_fields_have_columns() -> None:
    assert {spec.column for spec in FIELDS.values()} <= set(CUSTOMER_COLUMNS)


@given(st.lists(customers(), max_size=4, unique_by=lambda c: c.id), st.booleans())
def test_records_are_json_scalars_with_stable_columns(
    population: list[Customer], personal: bool
) -> None:
    extra = PERSONAL_CUSTOMER_COLUMNS if personal else ()
    for row, c in zip(to_records(population, include_personal=personal), population, strict=True):
        assert tuple(row) == CUSTOMER_COLUMNS + extra
        assert all(isinstance(v, SCALARS) for v in row.values())
        json.dumps(row)
        if row["total_spend"] is not None:
            assert Decimal(str(row["total_spend"])) == total_spend(c)
    for rows in (user_records(population), purchaser_records(population)):
        for row in rows:
            assert all(isinstance(v, SCALARS) for v in row.values())


@given(st.lists(feedback_items(), max_size=4, unique_by=lambda f: f.id))
def test_feedback_text_is_personal(items: list[FeedbackItem]) -> None:
    for row, item in zip(feedback_records(items), items, strict=True):
        assert "text" not in row
        assert row["id"] == item.id


def test_every_time_a_model_holds_has_utc_text_even_at_the_calendars_ends() -> None:
    """The model refuses what UTC cannot hold, so the first and last instants write."""
    first = datetime(1, 1, 1, 5, tzinfo=timezone(timedelta(hours=5)))  # 0001-01-01T00:00Z
    last = datetime(9999, 12, 31, 18, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5)))
    person = Person("p-1")
    c = Customer(
        "c-1",
        CustomerKind.INDIVIDUAL,
        [Purchaser(person)],
        users=[User(person, last_active=last)],
        purchases=[Purchase(Decimal(1), "EUR", first)],
    )
    (row,) = to_records([c])
    assert row["first_purchase_at"] == "0001-01-01T00:00:00.000000+00:00"
    assert row["last_active_at"] == "9999-12-31T23:59:59.999999+00:00"
    assert purchase_records([c])[0]["at"] == row["first_purchase_at"]
    assert user_records([c])[0]["last_active_at"] == row["last_active_at"]


ALL_COLUMNS = (
    CUSTOMER_COLUMNS
    + PERSONAL_CUSTOMER_COLUMNS
    + USER_COLUMNS
    + PURCHASER_COLUMNS
    + PERSONAL_PERSON_COLUMNS
    + PURCHASE_COLUMNS
    + FEEDBACK_COLUMNS
    + PERSONAL_FEEDBACK_COLUMNS
)


def test_every_column_has_a_type() -> None:
    assert set(COLUMN_TYPES) == set(ALL_COLUMNS)
    assert COLUMN_TYPES["total_spend"] == "decimal"
    assert COLUMN_TYPES["last_purchase_at"] == "datetime"
    assert COLUMN_TYPES["size"] == "integer"
    assert COLUMN_TYPES["interests"] == "tags"
    assert COLUMN_TYPES["birth_date"] == "date"
    assert COLUMN_TYPES["is_user"] == "boolean"
    with pytest.raises(TypeError):
        COLUMN_TYPES["id"] = "integer"  # type: ignore[index]


def _holds(kind: str, value: object) -> bool:
    if value is None:
        return True
    if kind == "integer":
        return type(value) is int
    if kind == "boolean":
        return type(value) is bool
    if not isinstance(value, str):
        return False
    if kind == "decimal":
        return Decimal(value).is_finite() and "E" not in value
    if kind == "datetime":
        return datetime.fromisoformat(value).utcoffset() == timedelta(0)
    if kind == "date":
        return date.fromisoformat(value).isoformat() == value
    return True  # text and tags


@given(
    st.lists(customers(), max_size=3, unique_by=lambda c: c.id),
    st.lists(feedback_items(), unique_by=lambda f: f.id),
)
def test_every_value_has_its_column_type(
    population: list[Customer], items: list[FeedbackItem]
) -> None:
    population = [c for c in population if fits_sql_decimal(total_spend(c) or Decimal(0))]
    rows = [
        *to_records(population, include_personal=True),
        *user_records(population, include_personal=True),
        *purchaser_records(population, include_personal=True),
        *purchase_records(population),
        *feedback_records(items, include_personal=True),
    ]
    for row in rows:
        for name, value in row.items():
            assert _holds(COLUMN_TYPES[name], value), name


def test_typed_columns_keep_the_schema_of_empty_and_all_null_records() -> None:
    duckdb = pytest.importorskip("duckdb")
    sql = {"integer": "BIGINT", "boolean": "BOOLEAN", "decimal": "DECIMAL(38, 9)"}
    sql |= {"datetime": "TIMESTAMPTZ", "date": "DATE", "text": "VARCHAR", "tags": "VARCHAR"}
    con = duckdb.connect()
    columns = ", ".join(f"{c} {sql[COLUMN_TYPES[c]]}" for c in CUSTOMER_COLUMNS)
    marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
    for name, population in (("no_rows", []), ("demo", list(demo_dataset().customers))):
        con.execute(f"CREATE TABLE {name} ({columns})")
        rows = [[r[c] for c in CUSTOMER_COLUMNS] for r in to_records(population)]
        if rows:
            con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)
        declared = map(str, con.sql(f"SELECT * FROM {name}").types)
        types = dict(zip(CUSTOMER_COLUMNS, declared, strict=True))
        assert types["rfm_code"] == "VARCHAR"  # None in every row
        assert types["rfm_recency"] == "BIGINT"
        assert types["total_spend"] == "DECIMAL(38,9)"
        assert types["last_purchase_at"] == "TIMESTAMP WITH TIME ZONE"
    assert con.execute("SELECT sum(total_spend) FROM demo").fetchone() == (Decimal("24059.79"),)
    con.close()


def test_feedback_roles_need_every_items_customer() -> None:
    data = demo_dataset()
    with pytest.raises(ValidationError) as info:
        feedback_records(data.feedback, data.customers[1:])
    assert info.value.paths[0] == "$.items[0].customer_id"
    with pytest.raises(ValidationError) as info:
        feedback_records(data.feedback, [*data.customers, data.customers[0]])
    assert info.value.paths == [f"$.customers[{len(data.customers)}]"]
    with pytest.raises(ValidationError) as info:
        feedback_records(data.feedback, segments=[])
    assert info.value.paths == ["$.segments"]


def test_feedback_roles_and_segments_of_the_demo() -> None:
    data = demo_dataset()
    families = Segment("s-fam", "Families", field("kind") == "household")
    rows = feedback_records(data.feedback, data.customers, segments=[families])
    assert [(r["customer_id"], r["author_role"]) for r in rows] == [
        ("c-silva", "purchaser"),
        ("c-jon", "both"),
        ("c-acme", "purchaser"),
        ("c-acme", "both"),
        ("c-acme", "user"),
        ("c-acme", "purchaser"),
        ("c-jon", "anonymous"),
    ]
    assert [r["segments"] for r in rows] == ["s-fam", "", "", "", "", "", ""]
    plain = feedback_records(data.feedback)
    assert {(r["author_role"], r["customer_kind"], r["segments"]) for r in plain} == {
        (None, None, None)
    }


def test_two_segments_of_one_id_are_refused_not_merged_into_one_tag() -> None:
    # As segment_sizes refuses them: a row's tag would not say which one matched.
    data = demo_dataset()
    families = Segment("s", "Families", field("kind") == "household")
    firms = Segment("s", "Firms", field("kind") == "organization")
    with pytest.raises(ValidationError) as info:
        feedback_records(data.feedback, data.customers, segments=[families, firms])
    assert [str(p) for p in info.value.problems] == ["$.segments[1]: id 's' is used more than once"]


FAMILIES = Segment("s-fam", "Families", field("kind") == "household")
#: Each records function that takes customers, given only the customers.
BY_CUSTOMERS: dict[str, Callable[[Any], list[Record]]] = {
    "to_records": lambda given: to_records(given, include_personal=True),
    "user_records": lambda given: user_records(given, include_personal=True),
    "purchaser_records": lambda given: purchaser_records(given, include_personal=True),
    "purchase_records": purchase_records,
    "feedback_records": lambda given: feedback_records(demo_dataset().feedback, given),
    "feedback_records with segments": lambda given: feedback_records(
        demo_dataset().feedback, given, segments=[FAMILIES]
    ),
}


@given(st.lists(customers(), max_size=4, unique_by=lambda c: c.id))
def test_customers_by_id_give_the_records_of_the_list(population: list[Customer]) -> None:
    # As prioritize takes them: a mapping by id is its customers, not its keys.
    by_id = {c.id: c for c in population}
    assert to_records(by_id) == to_records(population)
    assert user_records(by_id) == user_records(population)
    assert purchaser_records(by_id) == purchaser_records(population)
    assert purchase_records(by_id) == purchase_records(population)


@pytest.mark.parametrize("records", BY_CUSTOMERS.values(), ids=BY_CUSTOMERS)
def test_demo_customers_by_id_give_the_records_of_the_list(
    records: Callable[[Any], list[Record]],
) -> None:
    given = demo_dataset().customers
    assert records({c.id: c for c in given}) == records(given) != []


@pytest.mark.parametrize("records", BY_CUSTOMERS.values(), ids=BY_CUSTOMERS)
def test_a_customer_under_another_id_or_given_twice_is_refused(
    records: Callable[[Any], list[Record]],
) -> None:
    first, second, third = demo_dataset().customers
    with pytest.raises(ValidationError) as info:
        records({first.id: second, second.id: first, third.id: third})
    assert [str(p) for p in info.value.problems] == [
        "$.customers[0]: must be under its own id in the mapping",
        "$.customers[1]: must be under its own id in the mapping",
    ]
    with pytest.raises(ValidationError) as info:  # two rows of one id, once kept silently
        records([first, second, third, first])
    assert [str(p) for p in info.value.problems] == [
        f"$.customers[3]: id {first.id!r} is used more than once"
    ]


_DEMO = demo_dataset()


@pytest.mark.parametrize(
    ("make", "where"),
    [
        (lambda: to_records(set(_DEMO.customers)), "$.customers"),
        (lambda: user_records(set(_DEMO.customers)), "$.customers"),
        (lambda: purchaser_records(set(_DEMO.customers)), "$.customers"),
        (lambda: purchase_records(set(_DEMO.customers)), "$.customers"),
        (lambda: feedback_records(set(_DEMO.feedback)), "$.items"),
    ],
)
def test_records_refuse_a_set_whose_order_would_change_the_rows(
    make: Callable[[], object], where: str
) -> None:
    # Rows follow the order given: a set's order changes with PYTHONHASHSEED.
    with pytest.raises(ValidationError) as info:
        make()
    assert info.value.paths == [where]
    assert "a set's order changes from run to run" in str(info.value)
    # A mapping by id keeps its order and is still taken.
    assert to_records({c.id: c for c in _DEMO.customers}) == to_records(_DEMO.customers)


def test_feedback_records_refuse_a_repeated_id_as_prioritize_does() -> None:
    # Two rows of one id multiplied the rows of every join on it.
    ds = demo_dataset()
    first, second = ds.feedback[:2]
    with pytest.raises(ValidationError) as info:
        feedback_records([first, second, first], ds.customers)
    assert [str(p) for p in info.value.problems] == [
        f"$.items[2]: id {first.id!r} is used more than once"
    ]


def test_a_segment_window_without_as_of_is_said_of_that_segment() -> None:
    ds = demo_dataset()
    recent = Segment("recent", "Recent", field("last_purchase_at").within(timedelta(days=30)))
    with pytest.raises(ValidationError) as info:
        feedback_records(ds.feedback, ds.customers, segments=[Segment("all", "All"), recent])
    assert [str(p) for p in info.value.problems] == [
        "$.segments[1].as_of: is required: the rule has a time window"
    ]
    assert info.value.subject == "records"
