from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from customer_model import (
    CustomerKind,
    Dataset,
    Role,
    RoleSplit,
    SurveyMeasure,
    ValidationError,
    from_json,
    role_split,
    roles_of,
    to_json,
)
from customer_model.examples.bundled import (
    BUNDLED_CUSTOMERS,
    BUNDLED_SEED,
    DEFAULT_START,
    bundled_dataset,
    sample_as_of,
    sample_dataset,
)
from customer_model.satisfaction import satisfaction_by_role


@pytest.fixture(scope="module")
def corpus() -> Dataset:
    return sample_dataset(customers=400, seed=11)


def test_same_seed_same_bytes_other_seed_other_data() -> None:
    assert to_json(sample_dataset(customers=25, seed=4)) == to_json(
        sample_dataset(customers=25, seed=4)
    )
    assert sample_dataset(customers=25, seed=4) != sample_dataset(customers=25, seed=5)


def test_a_negative_seed_is_refused_rather_than_repeating_its_positive() -> None:
    # random.Random takes a seed's absolute value: -4 made seed 4's dataset.
    with pytest.raises(ValidationError) as info:
        sample_dataset(customers=25, seed=-4)
    assert [str(p) for p in info.value.problems] == ["$.seed: must be at least 0"]


def test_bundled_demo_data_is_what_the_generator_writes() -> None:
    assert bundled_dataset() == sample_dataset(customers=BUNDLED_CUSTOMERS, seed=BUNDLED_SEED)


def test_round_trips_through_json(corpus: Dataset) -> None:
    assert from_json(to_json(corpus), Dataset) == corpus


def test_every_kind_split_and_intermediary_appears(corpus: Dataset) -> None:
    kinds = Counter(c.kind for c in corpus.customers)
    assert set(kinds) == set(CustomerKind)
    splits = {(c.kind, role_split(c)) for c in corpus.customers}
    assert (CustomerKind.INDIVIDUAL, RoleSplit.SAME) in splits
    assert (CustomerKind.HOUSEHOLD, RoleSplit.DISJOINT) in splits
    assert (CustomerKind.ORGANIZATION, RoleSplit.OVERLAPPING) in splits
    assert any(c.is_intermediary for c in corpus.customers)
    assert all(
        not c.is_intermediary for c in corpus.customers if c.kind is not CustomerKind.ORGANIZATION
    )


def test_everything_happens_inside_the_window(corpus: Dataset) -> None:
    start, end = datetime(2025, 1, 1, tzinfo=UTC), sample_as_of()
    assert all(start <= p.at < end for c in corpus.customers for p in c.purchases)
    assert all(start <= f.created_at < end for f in corpus.feedback)
    assert all(start <= r.at < end for r in corpus.responses)


def test_feedback_is_in_time_order_with_sequential_ids(corpus: Dataset) -> None:
    times = [f.created_at for f in corpus.feedback]
    assert times == sorted(times)
    assert corpus.feedback[0].id == "f-00001"


def test_rising_theme_rises_and_falling_theme_falls(corpus: Dataset) -> None:
    def share(theme: str, months: range) -> float:
        items = [f for f in corpus.feedback if f.created_at.month in months]
        return sum(f.theme == theme for f in items) / len(items)

    first_half, second_half = range(1, 7), range(7, 13)
    assert share("ai-assistant", second_half) > 1.5 * share("ai-assistant", first_half)
    assert share("onboarding", second_half) < share("onboarding", first_half)


def test_purchasers_mostly_talk_about_purchaser_needs(corpus: Dataset) -> None:
    by_id = corpus.customers_by_id
    cost = Counter(
        frozenset(roles_of(by_id[f.customer_id], f.author_id))
        for f in corpus.feedback
        if f.need is not None and f.need.value == "cost"
    )
    assert cost[frozenset({Role.PURCHASER})] > cost[frozenset({Role.USER})]


def test_survey_answers_show_a_buyer_user_gap(corpus: Dataset) -> None:
    measures = {r.measure for r in corpus.responses}
    assert measures == {SurveyMeasure.NPS, SurveyMeasure.CSAT}
    breakdown = satisfaction_by_role(corpus.responses, corpus.customers)
    assert breakdown.gap is not None
    assert breakdown.gap > 0


def test_small_children_neither_write_nor_answer(corpus: Dataset) -> None:
    by_id = corpus.customers_by_id
    day = datetime(2025, 1, 1, tzinfo=UTC).date()

    def age(customer_id: str, person_id: str | None) -> int | None:
        if person_id is None:
            return None
        people = {p.id: p for p in by_id[customer_id].people}
        return people[person_id].age_on(day)

    ages = [age(f.customer_id, f.author_id) for f in corpus.feedback]
    ages += [age(r.customer_id, r.respondent_id) for r in corpus.responses]
    assert all(a is None or a >= 13 for a in ages)


def test_progress_is_reported_per_customer() -> None:
    calls: list[tuple[int, int]] = []
    sample_dataset(customers=3, seed=1, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_arguments_are_checked() -> None:
    with pytest.raises(ValidationError) as info:
        sample_dataset(customers=0, seed=1.5, start=datetime(2025, 1, 1), months=0, progress=3)  # type: ignore[arg-type]
    assert set(info.value.paths) == {"$.customers", "$.seed", "$.start", "$.months", "$.progress"}
    # the end of that window is asked the same of its start and length
    dataset = sample_dataset(customers=1, seed=1)  # a value of the wrong type: once a TypeError
    for start, months in [(datetime(2025, 1, 1), 0), ("2025-01-01", 121), (dataset, 12)]:
        with pytest.raises(ValidationError) as window:
            sample_as_of(start, months)  # type: ignore[arg-type]
        assert window.value.paths == (["$.start", "$.months"] if months != 12 else ["$.start"])
    with pytest.raises(ValidationError, match=r"\$\.start: must be in the years 1900 to 9000"):
        sample_as_of(datetime(9500, 1, 1, tzinfo=UTC))


def test_other_start_and_length() -> None:
    start = datetime(2023, 7, 1, tzinfo=UTC)
    data = sample_dataset(customers=20, seed=2, start=start, months=3)
    end = sample_as_of(start, 3)
    assert end == datetime(2023, 10, 1, tzinfo=UTC)
    assert all(start <= f.created_at < end for f in data.feedback)


def test_segments_and_personas_describe_the_base(corpus: Dataset) -> None:
    from customer_model.reports import split_report

    assert [s.id for s in corpus.segments] == [
        "families",
        "key-accounts",
        "channel-partners",
        "lapsed",
    ]
    assert {p.segment_id for p in corpus.personas} <= {s.id for s in corpus.segments}
    report = split_report(corpus.customers, corpus.segments, as_of=sample_as_of())
    families = report.segment("families")
    assert families.customers == report.kind(CustomerKind.HOUSEHOLD).customers
    assert families.same == 0  # parents never are all the users
    assert report.segment("channel-partners").customers >= 1
    assert 0 < report.segment("lapsed").customers < len(corpus.customers)


@pytest.mark.parametrize("seed", [1, 26])
def test_nobody_is_born_inside_the_window_or_active_before_birth(seed: int) -> None:
    data = sample_dataset(customers=300, seed=seed)
    for customer in data.customers:
        for person in customer.people:
            assert person.birth_date is not None
            assert person.birth_date < DEFAULT_START.date()
        for user in customer.users:
            assert user.person.birth_date is not None
            if user.last_active is not None:
                assert user.person.birth_date <= user.last_active.date()
