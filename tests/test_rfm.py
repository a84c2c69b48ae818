from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import Customer, CustomerKind, Person, Purchase, Purchaser, ValidationError
from customer_model.model.rfm import RFMScore, rfm_scores
from customer_model.testing import aware_datetimes, customers

AS_OF = datetime(2024, 12, 31, tzinfo=UTC)


def _buyer(cid: str, *purchases: tuple[int, str, int]) -> Customer:
    """A customer with purchases of (amount, currency, days before AS_OF)."""
    return Customer(
        cid,
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person(f"{cid}-p"))],
        purchases=[
            Purchase(Decimal(amount), currency, AS_OF - timedelta(days=days))
            for amount, currency, days in purchases
        ],
    )


def test_five_distinct_customers_get_one_score_each() -> None:
    population = [
        _buyer(f"c{i}", *[(10 * (i + 1), "EUR", 50 - 10 * i)] * (i + 1)) for i in range(5)
    ]
    scores = rfm_scores(population, as_of=AS_OF)
    assert [scores[f"c{i}"].code for i in range(5)] == ["111", "222", "333", "444", "555"]


def test_ties_share_the_score_of_their_first_position() -> None:
    # Ten customers, frequencies 1,1,1,1,1,1,2,2,3,4: the six 1s are below no one -> 1;
    # the 2s are above six of ten -> 1 + floor(30/10) = 4; 3 -> 1 + floor(40/10) = 5.
    counts = [1, 1, 1, 1, 1, 1, 2, 2, 3, 4]
    population = [_buyer(f"c{i}", *[(5, "EUR", 1)] * n) for i, n in enumerate(counts)]
    scores = rfm_scores(population, as_of=AS_OF)
    assert [scores[f"c{i}"].frequency for i in range(10)] == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]


def test_no_purchases_scores_zero_and_later_purchases_do_not_count() -> None:
    future = Customer(
        "late",
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person("late-p"))],
        purchases=[Purchase(Decimal(9), "EUR", AS_OF + timedelta(seconds=1))],
    )
    scores = rfm_scores([_buyer("none"), future, _buyer("one", (5, "EUR", 3))], as_of=AS_OF)
    assert scores["none"] == RFMScore(0, 0, 0)
    assert scores["none"].code == "000"
    assert scores["late"].code == "000"
    assert scores["one"].code == "111"


def test_mixed_currencies_need_rates() -> None:
    population = [_buyer("a", (10, "EUR", 1)), _buyer("b", (10, "USD", 1))]
    with pytest.raises(ValidationError) as info:
        rfm_scores(population, as_of=AS_OF)
    assert info.value.paths == ["$.customers"]
    scores = rfm_scores(population, as_of=AS_OF, rates={"EUR": Decimal(1), "USD": Decimal("0.5")})
    assert scores["a"].monetary > scores["b"].monetary
    with pytest.raises(ValidationError) as info:
        rfm_scores(population, as_of=AS_OF, rates={"EUR": Decimal(1)})
    assert info.value.paths == ["$.rates"]
    with pytest.raises(ValidationError):
        rfm_scores(population, as_of=AS_OF, rates={"EUR": Decimal(0), "USD": Decimal(1)})


def test_bad_arguments() -> None:
    with pytest.raises(ValidationError):
        rfm_scores([_buyer("a")], as_of=datetime(2024, 1, 1))
    with pytest.raises(ValidationError):
        rfm_scores([_buyer("a"), _buyer("a")], as_of=AS_OF)
    with pytest.raises(ValidationError):
        rfm_scores(["a"], as_of=AS_OF)  # type: ignore[list-item]
    with pytest.raises(ValidationError):
        RFMScore(6, 1, 1)
    with pytest.raises(ValidationError) as info:
        rfm_scores(None, as_of=None)  # type: ignore[arg-type]
    assert info.value.paths == ["$.as_of", "$.customers"]
    with pytest.raises(ValidationError) as info:
        rfm_scores(["a", _buyer("b")], as_of=datetime(2024, 1, 1))  # type: ignore[list-item]
    assert info.value.paths == ["$.as_of", "$.customers[0]"]


_population = st.lists(customers(currency="EUR"), max_size=12, unique_by=lambda c: c.id)


@given(_population, aware_datetimes(), st.randoms())
def test_scores_do_not_depend_on_order(
    population: list[Customer], as_of: datetime, rnd: Random
) -> None:
    shuffled = list(population)
    rnd.shuffle(shuffled)
    assert rfm_scores(population, as_of=as_of) == rfm_scores(shuffled, as_of=as_of)


@given(_population, aware_datetimes())
def test_scores_are_monotone_in_the_values(population: list[Customer], as_of: datetime) -> None:
    scores = rfm_scores(population, as_of=as_of)
    facts = {}
    for c in population:
        counted = [p for p in c.purchases if p.at <= as_of]
        if counted:
            facts[c.id] = (max(p.at for p in counted), len(counted), sum(p.amount for p in counted))
        else:
            assert scores[c.id].code == "000"
    for a, fa in facts.items():
        for b, fb in facts.items():
            sa, sb = scores[a], scores[b]
            for i, name in enumerate(("recency", "frequency", "monetary")):
                if fa[i] == fb[i]:
                    assert getattr(sa, name) == getattr(sb, name)
                elif fa[i] < fb[i]:  # type: ignore[operator]
                    assert getattr(sa, name) <= getattr(sb, name)
            assert 1 <= sa.recency <= 5
    if facts:
        fewest = min(f[1] for f in facts.values())
        assert all(scores[c].frequency == 1 for c, f in facts.items() if f[1] == fewest)


#: New York's clocks went back at 06:00 UTC on 3 November 2024: 01:00-02:00 came twice.
_FOLD = datetime(2024, 11, 3, 5, tzinfo=UTC)


@given(_population, st.data())
def test_scores_count_times_as_instants_whatever_zone_they_are_written_in(
    population: list[Customer], data: st.DataObject
) -> None:
    # Every purchase and as_of in the two hours around the change: written in
    # New York, their wall clocks disagree with their order in time.
    within = st.integers(0, 7199).map(lambda s: _FOLD + timedelta(seconds=s))
    moved = [
        attrs.evolve(c, purchases=[attrs.evolve(p, at=data.draw(within)) for p in c.purchases])
        for c in population
    ]
    as_of = data.draw(within)
    ny = ZoneInfo("America/New_York")
    local = [
        attrs.evolve(c, purchases=[attrs.evolve(p, at=p.at.astimezone(ny)) for p in c.purchases])
        for c in moved
    ]
    assert rfm_scores(local, as_of=as_of.astimezone(ny)) == rfm_scores(moved, as_of=as_of)


def test_a_purchase_in_the_repeated_hour_counts_by_its_instant() -> None:
    ny = ZoneInfo("America/New_York")
    bought = datetime(2023, 11, 5, 1, 30, fold=1, tzinfo=ny)  # 06:30 UTC, the second 01:30
    until = datetime(2023, 11, 5, 1, 45, tzinfo=ny)  # 05:45 UTC, the first 01:45
    customer = Customer(
        "c", CustomerKind.INDIVIDUAL, [Purchaser(Person("p"))],
        purchases=[Purchase(Decimal(5), "EUR", bought)],
    )  # fmt: skip
    assert customer.revenue(until=until) == {}
    assert customer.revenue(until=until + timedelta(hours=1)) == {"EUR": Decimal(5)}
    assert rfm_scores([customer], as_of=until)["c"].code == "000"


_ONE_OF_EACH = [
    _buyer("a", (10, "EUR", 1)),
    _buyer("b", (10, "USD", 1)),
    _buyer("c", (10, "GBP", 1)),
]

#: Each refusal of the RFM scores, and its exact words.
_REFUSALS: list[tuple[Callable[[], object], str]] = [
    (
        lambda: RFMScore(-1, 0, 6),
        "invalid RFMScore: 2 problems\n  $.recency: must be at least 0\n"
        "  $.monetary: must be at most 5",
    ),
    (
        lambda: rfm_scores([], as_of=AS_OF, rates=[("EUR", Decimal(1))]),  # type: ignore[arg-type]
        "invalid rfm_scores arguments: $.rates: must be a mapping of currency to Decimal, not list",
    ),
    # Every rate is checked, past a key that is no code (counted from 1, never quoted).
    (
        lambda: rfm_scores(
            [],
            as_of=AS_OF,
            rates={
                "EUR": Decimal(1),
                "eur": Decimal(1),
                "USD": Decimal(-1),
                "GBP": 1.0,  # type: ignore[dict-item]
                "JPY": Decimal(0),
            },
        ),
        "invalid rfm_scores arguments: 4 problems\n"
        "  $.rates: key 2 (in input order) is not allowed:"
        " must be an ISO 4217 code (three upper-case letters)\n"
        "  $.rates.USD: must be positive\n"
        "  $.rates.GBP: must be a Decimal, not float\n"
        "  $.rates.JPY: must be positive",
    ),
    (
        lambda: rfm_scores(_ONE_OF_EACH, as_of=AS_OF),
        "invalid rfm_scores arguments: $.customers: purchases are in 3 currencies;"
        " pass rates= to convert them",
    ),
    (
        lambda: rfm_scores(_ONE_OF_EACH, as_of=AS_OF, rates={"EUR": Decimal(1)}),
        "invalid rfm_scores arguments: $.rates: has no rate for GBP, USD",
    ),
]


@pytest.mark.parametrize(("call", "words"), _REFUSALS)
def test_each_refusal_says_what_where_and_why(call: Callable[[], object], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert str(info.value) == words


def test_a_score_is_zero_to_five() -> None:
    assert RFMScore(0, 0, 0).code == "000"
    assert RFMScore(5, 1, 0).code == "510"
