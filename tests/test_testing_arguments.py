"""The hypothesis strategies check their arguments when they are built, not on draw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, find, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument, NoSuchExample

from customer_model import (
    Customer,
    CustomerKind,
    FeedbackItem,
    RoleSplit,
    SurveyMeasure,
    ValidationError,
    from_json,
    to_json,
)
from customer_model.records import to_records
from customer_model.roles import check_roles
from customer_model.testing import strategies as cms
from customer_model.testing._basics import _DST_ZONES, EPOCH, HORIZON
from customer_model.testing.factories import CustomerFactory

#: A value that stands for personal data: no message may repeat it.
SECRET = "ana.meyer@example.com"
_PLUS_2 = timezone(timedelta(hours=2))
_EDGE_ZONES = [
    UTC,
    _PLUS_2,
    timezone(timedelta(hours=-5, minutes=-30)),
    timezone(timedelta(hours=23, minutes=59)),
    timezone(-timedelta(hours=23, minutes=59)),
]
FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)


BAD: list[tuple[str, Callable[[], object], list[str]]] = [
    ("identifiers", lambda: cms.identifiers(prefix=5), ["$.prefix"]),  # type: ignore[arg-type]
    ("identifiers", lambda: cms.identifiers(prefix=" c-"), ["$.prefix"]),
    ("purchases", lambda: cms.purchases(currency=["EUR"]), ["$.currency"]),  # type: ignore[arg-type]
    ("purchases", lambda: cms.purchases(currency=SECRET), ["$.currency"]),
    ("purchases", lambda: cms.purchases(currency=""), ["$.currency"]),
    ("purchases", lambda: cms.purchases(since=datetime(2020, 1, 1)), ["$.since"]),
    ("purchases", lambda: cms.purchases(until="2030"), ["$.until"]),  # type: ignore[arg-type]
    ("purchases", lambda: cms.purchases(since=HORIZON, until=EPOCH), ["$.until"]),
    ("persons", lambda: cms.persons(id="p"), ["$.id"]),  # type: ignore[arg-type]
    ("purchasers", lambda: cms.purchasers(person=SECRET), ["$.person"]),  # type: ignore[arg-type]
    ("users", lambda: cms.users(person=SECRET), ["$.person"]),  # type: ignore[arg-type]
    ("customers", lambda: cms.customers(id="c1"), ["$.id"]),  # type: ignore[arg-type]
    ("customers", lambda: cms.customers(max_purchases=-1), ["$.max_purchases"]),
    ("customers", lambda: cms.customers(max_purchases=True), ["$.max_purchases"]),
    ("customers", lambda: cms.customers(kind="Household"), ["$.kind"]),  # type: ignore[arg-type]
    ("customers", lambda: cms.customers(split="Same"), ["$.split"]),  # type: ignore[arg-type]
    (
        "customers",
        lambda: cms.customers(kind=1, id=2, currency="eur", max_purchases=None),  # type: ignore[arg-type]
        ["$.kind", "$.id", "$.currency", "$.max_purchases"],
    ),
    ("feedback_items", lambda: cms.feedback_items(customer=SECRET), ["$.customer"]),  # type: ignore[arg-type]
    ("feedback_items", lambda: cms.feedback_items(themes=[]), ["$.themes"]),
    ("feedback_items", lambda: cms.feedback_items(themes="pricing"), ["$.themes"]),
    (
        "feedback_items",
        lambda: cms.feedback_items(themes=["ok", " x", 3]),  # type: ignore[list-item]
        ["$.themes[1]", "$.themes[2]"],
    ),
    ("feedback_items", lambda: cms.feedback_items(id="f-1"), ["$.id"]),  # type: ignore[arg-type]
    ("feedback_items", lambda: cms.feedback_items(since=HORIZON, until=EPOCH), ["$.until"]),
    ("survey_responses", lambda: cms.survey_responses(measure="NPS"), ["$.measure"]),  # type: ignore[arg-type]
    ("survey_responses", lambda: cms.survey_responses(customer=SECRET), ["$.customer"]),  # type: ignore[arg-type]
    ("survey_responses", lambda: cms.survey_responses(until=datetime(2030, 1, 1)), ["$.until"]),
    ("personas", lambda: cms.personas(segment_id="s"), ["$.segment_id"]),  # type: ignore[arg-type]
    ("datasets", lambda: cms.datasets(max_customers=0), ["$.max_customers"]),
    ("datasets", lambda: cms.datasets(currency="eur"), ["$.currency"]),
    (
        "datasets",
        lambda: cms.datasets(customers=cms.customers(), currency="EUR"),
        ["$.currency"],
    ),
    ("datasets", lambda: cms.datasets(customers=SECRET), ["$.customers"]),  # type: ignore[arg-type]
    ("datasets", lambda: cms.datasets(feedback_per_customer=-1), ["$.feedback_per_customer"]),
    ("datasets", lambda: cms.datasets(responses_per_customer=2.0), ["$.responses_per_customer"]),  # type: ignore[arg-type]
    ("datasets", lambda: cms.datasets(since=datetime(2020, 1, 1)), ["$.since"]),
    ("rules", lambda: cms.rules(max_leaves="x"), ["$.max_leaves"]),  # type: ignore[arg-type]
    ("rules", lambda: cms.rules(max_leaves=0), ["$.max_leaves"]),
    ("rules", lambda: cms.rules(rfm=1), ["$.rfm"]),  # type: ignore[arg-type]
    ("segments", lambda: cms.segments(rule=SECRET), ["$.rule"]),  # type: ignore[arg-type]
    ("aware_datetimes", lambda: cms.aware_datetimes(datetime(2020, 1, 1)), ["$.min_value"]),
    ("aware_datetimes", lambda: cms.aware_datetimes(max_value=None), ["$.max_value"]),  # type: ignore[arg-type]
    ("aware_datetimes", lambda: cms.aware_datetimes(HORIZON, EPOCH), ["$.max_value"]),
]


@pytest.mark.parametrize(
    ("name", "build", "paths"), BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)]
)
def test_bad_arguments_are_refused_when_the_strategy_is_built(
    name: str, build: Callable[[], object], paths: list[str]
) -> None:
    # Nothing is drawn here: before, most of these failed only on the first draw,
    # with a bare TypeError, AttributeError or a hypothesis error from deep inside.
    with pytest.raises(InvalidArgument) as info:
        build()
    error = info.value
    assert isinstance(error, ValidationError)
    assert error.paths == paths
    assert str(error).startswith(f"invalid arguments of {name}():")
    assert SECRET not in str(error)


def test_a_strategy_where_a_value_was_given_says_so() -> None:
    with pytest.raises(InvalidArgument, match=r"\$\.id: must be a hypothesis strategy"):
        cms.customers(id="c-1")  # type: ignore[arg-type]


# Every argument that takes a strategy: (strategy, argument, what it must draw).
_STRATEGY_ARGUMENTS: list[
    tuple[Callable[[st.SearchStrategy[Any]], st.SearchStrategy[Any]], str, str]
] = [
    (lambda s: cms.datasets(customers=s), "customers", "Customer"),
    (lambda s: cms.customers(id=s), "id", "str"),
    (lambda s: cms.customers(amounts=s), "amounts", "Decimal"),
    (lambda s: cms.purchases(amounts=s), "amounts", "Decimal"),
    (lambda s: cms.persons(id=s), "id", "str"),
    (lambda s: cms.purchasers(person=s), "person", "Person"),
    (lambda s: cms.users(person=s), "person", "Person"),
    (lambda s: cms.feedback_items(id=s), "id", "str"),
    (lambda s: cms.survey_responses(id=s), "id", "str"),
    (lambda s: cms.personas(segment_id=s), "segment_id", "str or NoneType"),
    (lambda s: cms.segments(rule=s), "rule", "Rule"),
]


@pytest.mark.parametrize(("build", "name", "what"), _STRATEGY_ARGUMENTS)
@pytest.mark.parametrize("wrong", [st.just(7), st.just([SECRET]), cms.feedback_items()])
def test_a_strategy_argument_that_draws_something_else_is_named(
    build: Callable[[st.SearchStrategy[Any]], st.SearchStrategy[Any]],
    name: str,
    what: str,
    wrong: st.SearchStrategy[Any],
) -> None:
    # Only a draw can tell what a strategy makes: before, the model it fed
    # refused the value (blaming one of its own fields), or an AttributeError.
    @settings(max_examples=5, database=None)
    @given(build(wrong))
    def draw(_: object) -> None:
        pass

    with pytest.raises(InvalidArgument) as info:
        draw()
    assert isinstance(info.value, ValidationError)
    assert info.value.paths == [f"$.{name}"]
    assert f"must be a strategy of {what} values, but drew a value of type" in str(info.value)
    assert SECRET not in str(info.value)


def test_a_strategy_argument_of_the_right_type_draws_as_given() -> None:
    person = find(cms.persons(id=st.just("p-given")), lambda _: True)
    assert person.id == "p-given"
    buyer = find(cms.purchasers(person=st.just(person)), lambda _: True)
    assert buyer.person == person
    assert find(cms.personas(segment_id=st.just(None)), lambda _: True).segment_id is None
    amounts = st.just(Decimal("9.99"))
    assert find(cms.purchases(amounts=amounts), lambda _: True).amount == Decimal("9.99")


@pytest.mark.parametrize("build", [cms.customers, cms.purchases])
def test_amounts_must_be_a_strategy(build: Callable[..., object]) -> None:
    with pytest.raises(InvalidArgument) as info:
        build(amounts=Decimal("9.99"))
    assert isinstance(info.value, ValidationError)
    assert info.value.paths == ["$.amounts"]


@settings(max_examples=50)
@given(cms.customers(currency="EUR", amounts=st.decimals(0, 10_000, places=2)))
def test_pinned_amounts_and_currency_give_customers_every_tool_accepts(customer: Customer) -> None:
    # The default amounts are sometimes 29 digits long or 9 places precise; these are not.
    assert all(p.currency == "EUR" and p.amount <= 10_000 for p in customer.purchases)
    # A spending authority in another currency than every purchase made no sense.
    assert {b.currency for b in customer.purchasers} <= {"EUR", None}
    (row,) = to_records([customer])
    assert row["currency"] == ("EUR" if customer.purchases else None)


def _drawn_themes(themes: Any) -> list[str]:
    drawn: list[str] = []

    @seed(7)
    @settings(max_examples=20, database=None)
    @given(cms.feedback_items(themes=themes))
    def draw(item: FeedbackItem) -> None:
        drawn.append(item.theme)

    draw()
    return drawn


def test_a_set_of_themes_draws_as_its_sorted_list_whatever_the_hash_seed() -> None:
    # A set iterates in an order that changes with PYTHONHASHSEED: seeded draws (and
    # failing examples hypothesis replays) must not.  Make this process's order unsorted.
    themes = {f"theme-{i}" for i in range(5)}
    while list(themes) == sorted(themes):
        themes.add(f"theme-{len(themes)}")
    assert _drawn_themes(themes) == _drawn_themes(sorted(themes))
    assert _drawn_themes(frozenset(themes)) == _drawn_themes(sorted(themes))


def test_good_arguments_still_pin_what_they_say() -> None:
    customer = CustomerFactory(seed=3).build()
    pinned = {
        "customer": cms.customers(
            kind=CustomerKind.HOUSEHOLD, split=RoleSplit.DISJOINT, id=st.just("c-9"), currency="GBP"
        ),
        "person": cms.persons(id=st.just("p-9")),
        "feedback": cms.feedback_items(customer=customer, themes=iter(["billing", "sso"])),
        "response": cms.survey_responses(customer=customer, measure=SurveyMeasure.CSAT),
        "persona": cms.personas(segment_id=st.just("s-1")),
        "ids": cms.identifiers(""),
    }

    @settings(max_examples=25, database=None)
    @given(st.fixed_dictionaries(pinned))
    def check(values: dict[str, Any]) -> None:
        c = values["customer"]
        assert (c.id, c.kind) == ("c-9", CustomerKind.HOUSEHOLD)
        assert all(p.currency == "GBP" for p in c.purchases)
        assert values["person"].id == "p-9"
        item: FeedbackItem = values["feedback"]
        # an iterator of themes is read once, when the strategy is built
        assert item.theme in {"billing", "sso"}
        assert item.customer_id == customer.id
        assert values["response"].measure is SurveyMeasure.CSAT
        assert values["persona"].segment_id == "s-1"
        assert values["ids"]

    check()


def test_purchases_are_built_once_per_argument_set() -> None:
    assert cms.purchases("EUR") is cms.purchases("EUR")
    assert cms.purchases() is cms.purchases(None, EPOCH, HORIZON)


def test_built_strategies_do_not_keep_every_amounts_strategy_alive() -> None:
    # A suite that builds customers(amounts=...) in every test must not keep
    # each of those strategies (and what they hold) for the rest of the run.
    import gc
    import weakref

    amounts = st.just(Decimal(1))
    gone = weakref.ref(amounts)
    cms.customers(amounts=amounts)
    del amounts
    for i in range(2000):  # more than hypothesis' own (bounded) cache of strategies holds
        cms.purchases(amounts=st.just(Decimal(i)))
    gc.collect()
    assert gone() is None


@settings(max_examples=100, deadline=None)
@given(
    bounds=st.lists(
        st.datetimes(timezones=st.sampled_from(_EDGE_ZONES))
        | st.sampled_from([FIRST, LAST])
        | st.sampled_from(_EDGE_ZONES).map(lambda z: datetime.min.replace(tzinfo=z))
        | st.sampled_from(_EDGE_ZONES).map(lambda z: datetime.max.replace(tzinfo=z)),
        min_size=2,
        max_size=2,
    ),
    data=st.data(),
)
def test_aware_datetimes_work_between_any_aware_bounds(
    bounds: list[datetime], data: st.DataObject
) -> None:
    # 0001-01-01 to 9999-12-31 in UTC used to raise OverflowError, and a float
    # span of microseconds could step past the upper bound.  A bound UTC cannot
    # hold is refused, as the model refuses such a time (see below).
    assume(all(_in_utc(b) for b in bounds))
    low, high = sorted(bounds)
    value = data.draw(cms.aware_datetimes(low, high))
    assert value.utcoffset() is not None
    assert low <= value <= high


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (FIRST, LAST),
        (LAST, LAST),
        (FIRST, FIRST),
        (datetime(1, 1, 1, 2, tzinfo=_PLUS_2), datetime(1, 1, 1, 3, tzinfo=_PLUS_2)),
    ],
)
def test_aware_datetimes_reach_the_ends_of_the_calendar(low: datetime, high: datetime) -> None:
    @settings(max_examples=30, database=None)
    @given(cms.aware_datetimes(low, high))
    def check(value: datetime) -> None:
        assert low <= value <= high

    check()


def _in_utc(value: datetime) -> bool:
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


@pytest.mark.parametrize(
    "bound",
    [datetime.min.replace(tzinfo=_PLUS_2), datetime.max.replace(tzinfo=_EDGE_ZONES[4])],
)
def test_aware_datetimes_refuse_a_bound_utc_cannot_hold(bound: datetime) -> None:
    """Such a time is no model value: the model refuses it, so the strategy does too."""
    with pytest.raises(InvalidArgument, match="years 1 to 9999 in UTC"):
        cms.aware_datetimes(bound, bound).example()


@settings(max_examples=30, deadline=None)
@given(cms.aware_datetimes())
def test_default_datetimes_keep_their_window_and_offsets(value: datetime) -> None:
    assert EPOCH <= value <= HORIZON
    # UTC and two offsets either side of it, one not a whole hour, or one of two
    # zones with daylight saving.
    fixed = {timedelta(0), timedelta(hours=2), timedelta(hours=-5, minutes=-30)}
    zone = getattr(value.tzinfo, "key", None)
    assert value.utcoffset() in fixed if zone is None else zone in _DST_ZONES


def test_default_datetimes_fall_in_zones_with_daylight_saving_too() -> None:
    # Times in a zone's repeated hour (fold=1) or an hour apart across a change:
    # code that compares or subtracts two times of one zone by wall clock fails.
    berlin = find(cms.aware_datetimes(), lambda d: getattr(d.tzinfo, "key", "") == "Europe/Berlin")
    assert berlin.utcoffset() in {timedelta(hours=1), timedelta(hours=2)}
    (loaded,) = from_json(to_json([berlin]), list[datetime])
    assert loaded.astimezone(UTC) == berlin.astimezone(UTC)
    assert loaded.utcoffset() == berlin.utcoffset()


@settings(max_examples=10, deadline=None)
@given(
    cms.datasets(
        max_customers=2,
        since=datetime(9999, 12, 31, tzinfo=UTC),
        until=LAST,
    )
)
def test_datasets_at_the_end_of_the_calendar_round_trip(data: Any) -> None:
    assert from_json(to_json(data), type(data)) == data


def _a_minor_buys_on(day: date) -> Callable[[Customer], bool]:
    def minor(customer: Customer) -> bool:
        try:
            check_roles(customer, on=day)
        except ValidationError:
            return True
        return False

    return minor


def test_drawn_purchasers_are_of_age_on_the_first_day_purchases_are_drawn() -> None:
    # Purchases fall from 2020-01-01 UTC on (2019-12-31 at -05:30), but people were
    # born up to 2004: a 15-year-old could hold a customer's buying power, which
    # check_roles refuses.  Such births are rare, so search for one.
    with pytest.raises(NoSuchExample):
        find(
            cms.customers(),
            _a_minor_buys_on(date(2019, 12, 31)),
            settings=settings(max_examples=1500, database=None, deadline=None),
        )


def test_many_bad_themes_are_ten_problems_and_a_count() -> None:
    # A strategy's argument error goes through the same checker as the models':
    # the problems of the first ten elements, then how many more there are.
    with pytest.raises(InvalidArgument) as info:
        cms.feedback_items(themes=[" x"] * 30)
    assert isinstance(info.value, ValidationError)
    assert info.value.paths == [*(f"$.themes[{i}]" for i in range(10)), "$.themes"]
    assert str(info.value.problems[-1]).endswith(
        "20 more problems in other elements; the first 10 elements are itemized"
    )


def test_default_datetimes_reach_a_repeated_hour() -> None:
    # The docs promise such times; drawn as microseconds from 2020-01-01, none came.
    def repeated(d: datetime) -> bool:
        return d.replace(fold=1 - d.fold).utcoffset() != d.utcoffset()

    found = find(cms.aware_datetimes(), repeated, settings=settings(max_examples=2_000))
    assert getattr(found.tzinfo, "key", None) in _DST_ZONES


@pytest.mark.parametrize("make", [cms.rules, cms.segments, cms.datasets])
def test_a_strategy_has_a_short_repr(make: Callable[[], st.SearchStrategy[Any]]) -> None:
    # hypothesis shows it when an example fails, and warned of a 47 kB repr of rules().
    assert len(repr(make())) < 2_000


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_a_window_inside_the_hour_the_clocks_go_back_draws(data: st.DataObject) -> None:
    # New York's wall clock reads 01:50 at the start and 01:10 at the end:
    # hypothesis refused the zone's own bounds, later before earlier.
    low = datetime(2021, 11, 7, 5, 50, tzinfo=UTC)
    high = datetime(2021, 11, 7, 6, 10, tzinfo=UTC)
    value = data.draw(cms.aware_datetimes(low, high))
    assert low <= value <= high


@given(cms.customers(split="overlapping"))
def test_an_overlapping_customer_is_never_an_individual(customer: Customer) -> None:
    assert customer.kind is not CustomerKind.INDIVIDUAL
