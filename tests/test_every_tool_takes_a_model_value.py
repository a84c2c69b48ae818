"""A value the model accepts is accepted by every function that takes it.

Each strategy in :mod:`customer_model.testing` draws values; each value goes
through JSON, dicts, records and, where it applies, the SQL path on DuckDB,
prioritize and the reports, without an error.  Few examples each: CI runs it
on every change, and the strategies' own tests search deeper.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import customer_model.testing as cmt
from customer_model import (
    Channel,
    Customer,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    Rule,
    Segment,
    SurveyMeasure,
    SurveyResponse,
    User,
    ValidationError,
    from_dict,
    from_json,
    prioritize,
    redact,
    rfm_scores,
    split_report,
    to_dict,
    to_json,
)
from customer_model.model.customers import CustomerKind
from customer_model.persona_fit import persona_coverage
from customer_model.records import (
    COLUMN_TYPES,
    CUSTOMER_COLUMNS,
    feedback_records,
    purchase_records,
    purchaser_records,
    to_records,
    user_records,
)
from customer_model.satisfaction import satisfaction_by_role, satisfaction_by_segment
from customer_model.segmentation import overlap_matrix, segment_sizes
from customer_model.sql import where_sql
from customer_model.trends import feedback_volume, rising_themes

FEW = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AS_OF = datetime(2030, 1, 1, tzinfo=UTC)


def _round_trip(value: object, cls: Any) -> None:
    assert from_json(to_json(value), cls) == value
    assert from_dict(to_dict(value), cls) == value
    assert redact(value) == redact(redact(value))


def _customer_tools(customers: list[Customer]) -> None:
    for personal in (False, True):
        assert len(to_records(customers, include_personal=personal)) == len(customers)
        user_records(customers, include_personal=personal)
        purchaser_records(customers, include_personal=personal)
    purchase_records(customers)
    split_report(customers)


_CON = duckdb.connect()


def _sql_members(records: list[dict[str, Any]], where: str) -> set[str]:
    cols = ", ".join(
        f"{c} {'BIGINT' if COLUMN_TYPES[c] == 'integer' else 'VARCHAR'}" for c in CUSTOMER_COLUMNS
    )
    _CON.execute(f"CREATE OR REPLACE TEMP TABLE t ({cols})")
    if records:
        marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
        _CON.executemany(
            f"INSERT INTO t VALUES ({marks})", [[r[c] for c in CUSTOMER_COLUMNS] for r in records]
        )
    return {row[0] for row in _CON.execute(f"SELECT id FROM t WHERE {where}").fetchall()}


def _rates(customers: tuple[Customer, ...] | list[Customer]) -> dict[str, Decimal]:
    return {p.currency: Decimal("1.5") for c in customers for p in c.purchases}


def _segment_tools(segments: list[Segment], customers: list[Customer], as_of: datetime) -> None:
    """Python and the SQL on DuckDB select the same members for every segment."""
    rfm = rfm_scores(customers, as_of=as_of, rates=_rates(customers))
    records = to_records(customers, rfm=rfm)
    for segment in segments:
        expected = {c.id for c in segment.members(customers, as_of=as_of, rfm=rfm)}
        assert _sql_members(records, where_sql(segment, as_of=as_of)) == expected
    segment_sizes(customers, segments, as_of=as_of, rfm=rfm)
    overlap_matrix(customers, segments, as_of=as_of, rfm=rfm)


def _dataset_tools(data: Dataset) -> None:
    """prioritize, the reports and the trends take every drawn dataset."""
    customers = list(data.customers)
    _customer_tools(customers)
    feedback_records(data.feedback, include_personal=True)
    as_of = max([AS_OF, *(f.created_at for f in data.feedback)])
    rates = {code: float(rate) for code, rate in _rates(customers).items() if code != "EUR"}
    policy = PrioritizationPolicy(currency="EUR", exchange_rates=rates)
    backlog = prioritize(data.feedback, customers, policy=policy, as_of=as_of)
    assert from_json(to_json(backlog), type(backlog)) == backlog
    backlog.to_records()
    str(backlog)
    segments = list(data.segments)
    _segment_tools(segments, customers, as_of)
    report = split_report(customers, segments, as_of=as_of)
    report.to_records()
    to_json(report)
    satisfaction_by_role(data.responses, customers)
    satisfaction_by_segment(data.responses, customers, segments, as_of=as_of)
    persona_coverage(customers, data.personas, segments, as_of=as_of)
    feedback_volume(data.feedback)
    rising_themes(data.feedback, as_of=as_of)


def _check_segment(segment: Segment) -> None:
    _round_trip(segment, Segment)
    people = [
        Customer("c-1", CustomerKind.INDIVIDUAL, [Purchaser(Person("p-1"))]),
    ]
    _segment_tools([segment], people, AS_OF)


def _check_rule(rule: Rule) -> None:
    _check_segment(Segment(id="s-rule", name="rule", rule=rule))


def _check_customer(customer: Customer) -> None:
    _round_trip(customer, Customer)
    _customer_tools([customer])
    _segment_tools([], [customer], AS_OF)


def _check_time(at: datetime) -> None:
    _round_trip(Purchase(Decimal(1), "EUR", at), Purchase)
    _check_customer(
        Customer(
            "c-1",
            CustomerKind.INDIVIDUAL,
            [Purchaser(Person("p-1"))],
            users=[User(Person("p-1"), last_active=at)],
            purchases=[Purchase(Decimal(1), "EUR", at)],
        )
    )


def _check_feedback(item: FeedbackItem) -> None:
    _round_trip(item, FeedbackItem)
    feedback_records([item], include_personal=True)
    feedback_volume([item])
    rising_themes([item], as_of=max(item.created_at, AS_OF))


#: Every strategy the testing kit offers, what it draws and what to do with it.
CHECKS: dict[str, Callable[[], tuple[st.SearchStrategy[Any], Callable[[Any], None]]]] = {
    "aware_datetimes": lambda: (
        cmt.aware_datetimes(
            datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
        ),
        _check_time,
    ),
    "customers": lambda: (cmt.customers(), _check_customer),
    "datasets": lambda: (cmt.datasets(max_customers=3), _dataset_tools),
    "feedback_items": lambda: (cmt.feedback_items(), _check_feedback),
    "identifiers": lambda: (
        cmt.identifiers(),
        lambda ident: _round_trip(Person(ident), Person),
    ),
    "locations": lambda: (
        cmt.locations(),
        lambda loc: _round_trip(Person("p-1", location=loc), Person),
    ),
    "personas": lambda: (cmt.personas(), lambda p: _round_trip(p, Persona)),
    "persons": lambda: (cmt.persons(), lambda p: _round_trip(p, Person)),
    "purchasers": lambda: (
        cmt.purchasers(),
        lambda p: _check_customer(Customer("c-1", CustomerKind.HOUSEHOLD, [p])),
    ),
    "purchases": lambda: (
        cmt.purchases(),
        lambda p: _check_customer(
            Customer("c-1", CustomerKind.INDIVIDUAL, [Purchaser(Person("p-1"))], purchases=[p])
        ),
    ),
    "rules": lambda: (cmt.rules(), _check_rule),
    "segments": lambda: (cmt.segments(), _check_segment),
    "survey_responses": lambda: (cmt.survey_responses(), lambda r: _round_trip(r, SurveyResponse)),
    "users": lambda: (
        cmt.users(),
        lambda u: _check_customer(
            Customer("c-1", CustomerKind.HOUSEHOLD, [Purchaser(Person("p-buyer"))], users=[u])
        ),
    ),
}


def test_every_strategy_of_the_testing_kit_is_checked() -> None:
    assert set(CHECKS) == set(cmt.__all__)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_drawn_value_goes_everywhere(name: str) -> None:
    strategy, check = CHECKS[name]()

    @FEW
    @given(strategy)
    def run(value: object) -> None:
        check(value)

    run()


@FEW
@given(cmt.segments(rfm=True), st.lists(cmt.customers(), max_size=4, unique_by=lambda c: c.id))
def test_rfm_segments_agree_in_sql(segment: Segment, customers: list[Customer]) -> None:
    _segment_tools([segment], customers, AS_OF)


# -- the door: what records and SQL need is checked where a value is made ------------

_EAST = timezone(timedelta(hours=5))
_TOO_EARLY = datetime(1, 1, 1, 2, tzinfo=_EAST)  # the year 0 in UTC
_TOO_LATE = datetime(9999, 12, 31, 22, tzinfo=timezone(timedelta(hours=-5)))  # the year 10000


@pytest.mark.parametrize("at", [_TOO_EARLY, _TOO_LATE])
@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda at: Purchase(Decimal(1), "EUR", at), "$.at"),
        (lambda at: User(Person("p-1"), last_active=at), "$.last_active"),
        (
            lambda at: FeedbackItem(
                id="f-1",
                customer_id="c-1",
                theme="x",
                kind=FeedbackKind.BUG,
                channel=Channel.EMAIL,
                created_at=at,
            ),
            "$.created_at",
        ),
        (
            lambda at: SurveyResponse(
                id="r-1", customer_id="c-1", measure=SurveyMeasure.NPS, score=5, at=at
            ),
            "$.at",
        ),
    ],
)
def test_every_model_time_is_one_utc_can_hold(
    make: Callable[[datetime], object], path: str, at: datetime
) -> None:
    with pytest.raises(ValidationError) as info:
        make(at)
    assert info.value.paths == [path]
    assert "within years 1 to 9999 in UTC" in str(info.value)
    make(at.replace(tzinfo=UTC))  # the same wall time in UTC is fine
