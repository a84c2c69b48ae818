from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Channel,
    Customer,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Person,
    ValidationError,
    redact,
    role_split,
    to_json,
)
from customer_model.privacy import is_personal, personal_fields
from customer_model.records import PERSONAL_FEEDBACK_COLUMNS, feedback_records
from customer_model.testing import customers, datasets, persons


def _personal_values(obj: Any) -> list[object]:
    """Every personal-data value anywhere inside *obj* that is not erased (None or "")."""
    found: list[object] = []
    if isinstance(obj, tuple | list):
        for v in obj:
            found += _personal_values(v)
    elif attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            value = getattr(obj, f.name)
            if is_personal(f):
                if value is not None and value != "":
                    found.append(value)
            else:
                found += _personal_values(value)
    return found


@given(datasets())
def test_redact_erases_all_personal_data_and_keeps_the_rest(dataset: Dataset) -> None:
    erased = redact(dataset)
    assert _personal_values(erased) == []
    assert [c.id for c in erased.customers] == [c.id for c in dataset.customers]
    # Feedback keeps everything but its free text, which may name or reach a person.
    assert [attrs.evolve(f, text="") for f in dataset.feedback] == list(erased.feedback)
    assert all(f.text == "" for f in erased.feedback)
    for before, after in zip(dataset.customers, erased.customers, strict=True):
        assert role_split(after) is role_split(before)
        assert after.purchases == before.purchases
        assert after.purchaser_ids == before.purchaser_ids
        assert after.user_ids == before.user_ids


@given(customers())
def test_redact_is_idempotent(c: Customer) -> None:
    once = redact(c)
    assert redact(once) == once


@given(st.lists(persons(), max_size=3))
def test_redact_works_on_lists(people: list[Person]) -> None:
    assert all(p.name is None and p.email is None for p in redact(people))


@given(customers())
def test_no_personal_value_in_any_repr(c: Customer) -> None:
    # A purchase time's zone is not personal, though a city may share its name.
    text = re.sub(r"ZoneInfo\(key='[^']*'\)", "ZoneInfo(...)", repr(c) + str(c))
    for value in _personal_values(c):
        if isinstance(value, str):
            assert value not in text
        elif hasattr(value, "isoformat"):
            assert repr(value) not in text
    # ...but JSON is the interchange format and keeps them.
    for person in c.people:
        if person.email:
            assert person.email in to_json(c)


def test_personal_fields_are_marked() -> None:
    assert personal_fields(Person) == ("name", "email", "phone", "birth_date", "gender", "location")
    assert personal_fields(Customer) == ("name",)
    assert personal_fields(FeedbackItem) == ("text",)


def test_redact_erases_feedback_text_as_the_records_leave_it_out() -> None:
    """What records treat as personal, redact erases: the two lists agree."""
    item = FeedbackItem(
        id="f-1",
        customer_id="c-1",
        theme="billing",
        kind=FeedbackKind.COMPLAINT,
        channel=Channel.EMAIL,
        text="call me at 867 5309",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    erased = redact(item)
    assert erased.text == ""
    assert "867" not in to_json(erased)
    assert attrs.evolve(erased, text=item.text) == item
    assert set(personal_fields(FeedbackItem)) == set(PERSONAL_FEEDBACK_COLUMNS)
    assert feedback_records([erased], include_personal=True)[0]["text"] == ""


@pytest.mark.parametrize("value", [1, "text", None])
def test_redact_leaves_non_models_alone(value: object) -> None:
    assert redact(value) == value


def test_redact_reaches_into_mappings_and_sets() -> None:
    from customer_model.examples import diaper_household

    household = diaper_household()
    by_id = redact({household.id: household})
    assert list(by_id) == [household.id]
    assert _personal_values(by_id[household.id]) == []
    people = redact(frozenset(household.people))
    assert isinstance(people, frozenset)
    assert all(p.name is None for p in people)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (iter, "list_iterator"),
        (lambda people: (p for p in people), "generator"),
        (lambda people: {p.id: p for p in people}.values(), "dict_values"),
        (deque, "deque"),
        (lambda people: {"by_id": map(attrs.evolve, people)}, "map"),
    ],
    ids=["iterator", "generator", "dict values", "deque", "nested map"],
)
def test_redact_refuses_an_iterable_it_cannot_copy(
    make: Callable[[list[Person]], object], kind: str
) -> None:
    # Once given back as it was: the people in it kept their names without a word.
    from customer_model.examples import diaper_household

    people = list(diaper_household().people)
    assert _personal_values(people)
    with pytest.raises(ValidationError) as info:
        redact(make(people))
    assert info.value.paths == ["$"]
    assert f"holds a {kind}, which redact cannot copy" in str(info.value)


def _household() -> Customer:
    from customer_model.examples import diaper_household

    return diaper_household()


@attrs.frozen
class _Private:
    """A caller's own class holding a model in a private field (``__init__`` takes ``c``)."""

    _c: Customer


@attrs.frozen
class _Derived:
    """A caller's own class holding a model in a field ``__init__`` does not take."""

    c: Customer = attrs.field(init=False, factory=_household)


def test_redact_copies_a_callers_own_attrs_class_or_says_why_not() -> None:
    # Once a bare TypeError: evolve was given "_c", which __init__ calls "c".
    erased = redact(_Private(_household()))
    assert _personal_values(erased._c) == []
    with pytest.raises(ValidationError) as info:
        redact(_Derived())
    assert info.value.paths == ["$"]
    assert "field c holds personal data but is not set by __init__" in str(info.value)


class _Row(NamedTuple):
    customer: Customer
    score: int


def test_redact_keeps_a_named_tuple_a_named_tuple() -> None:
    # Once a plain tuple: row.customer then failed on what redact gave back.
    row = redact(_Row(_household(), 9))
    assert type(row) is _Row
    assert row.score == 9
    assert _personal_values(row.customer) == []


def test_city_is_personal_but_country_and_region_are_not() -> None:
    from customer_model import Location
    from customer_model.examples import business_buying_group

    acme = business_buying_group()
    assert "Munich" not in repr(acme)
    erased = redact(acme)
    assert erased.location == Location("DE", region="Bavaria")


def _rates_error(make: Any) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        make()
    return info.value


@pytest.mark.parametrize(
    ("key", "typed"),
    [("maria@example.com", "maria"), ("eur", "eur"), (10**5000, "10000"), (("EUR",), "('EUR'")],
    ids=["email", "lower-case", "10**5000", "tuple"],
)
def test_a_rate_key_that_is_no_currency_is_not_repeated(key: Any, typed: str) -> None:
    # A typed key that fails its check is told by place, never quoted (as from_json does
    # for other keys); the 5,000-digit int once raised a bare ValueError in the path.
    import json
    from datetime import UTC, datetime
    from decimal import Decimal

    from customer_model import PrioritizationPolicy, from_json, rfm_scores
    from customer_model.examples import demo_dataset

    customers = demo_dataset().customers
    as_of = datetime(2026, 6, 1, tzinfo=UTC)
    errors = [
        (
            "$.rates",
            _rates_error(lambda: rfm_scores(customers, as_of=as_of, rates={key: Decimal(1)})),
        ),
        (
            "$.exchange_rates",
            _rates_error(lambda: PrioritizationPolicy(currency="EUR", exchange_rates={key: 1.0})),
        ),
    ]
    if type(key) is str:
        text = json.dumps({"currency": "EUR", "exchange_rates": {key: 1.0}})
        errors.append(
            ("$.exchange_rates", _rates_error(lambda: from_json(text, PrioritizationPolicy)))
        )
    for path, error in errors:
        assert error.paths == [path]
        assert typed not in str(error)


def test_redact_names_data_nested_too_deeply_or_holding_itself() -> None:
    # Once a bare RecursionError, as to_json gave before it named such data.
    deep: list[Any] = []
    for _ in range(100_000):  # deeper than any recursion limit a test run sets
        deep = [deep]
    itself: list[Any] = []
    itself.append(itself)
    for value in (deep, itself):
        with pytest.raises(ValidationError) as info:
            redact(value)
        assert info.value.paths == ["$"]
        assert "nested too deeply" in str(info.value)
    shallow: list[Any] = []
    for _ in range(50):
        shallow = [shallow]
    assert redact(shallow) == shallow


def test_redact_refusals_say_what_to_pass_word_for_word() -> None:
    people = list(_household().people)
    refusals: list[tuple[Callable[[], object], str]] = [
        (
            lambda: redact(p for p in people),
            "invalid redact input: $: holds a generator, which redact cannot copy: "
            "pass a list, tuple, set or mapping",
        ),
        (
            lambda: redact(_Derived()),
            "invalid redact input: $: holds a _Derived whose field c holds personal data "
            "but is not set by __init__, so redact cannot copy it",
        ),
    ]
    itself: list[Any] = []
    itself.append(itself)
    refusals.append(
        (lambda: redact(itself), "invalid redact input: $: is nested too deeply to redact")
    )
    for make, message in refusals:
        with pytest.raises(ValidationError) as info:
            make()
        assert str(info.value) == message


@attrs.define
class _Tally:
    """A caller's own class with state ``__init__`` does not set (so a copy would lose it)."""

    person: Person
    seen: int = attrs.field(init=False, default=0)


@given(persons())
def test_what_has_nothing_to_erase_comes_back_as_it_is(person: Person) -> None:
    # No copy: a copy made through __init__ would reset what __init__ does not set.
    erased = redact(person)
    assert redact(erased) is erased
    tally = _Tally(erased)
    tally.seen = 3
    assert redact(tally) is tally
    assert tally.seen == 3
    # With something to erase, the person in it is erased.
    assert redact(_Tally(person)).person == erased
