"""Strategies registered through hypothesis' entry point: from_type works without imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import entry_points
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Customer,
    Dataset,
    FeedbackItem,
    Location,
    Person,
    Persona,
    Purchase,
    Purchaser,
    Segment,
    SurveyResponse,
    User,
    from_json,
    to_json,
)
from customer_model.model.rules import Rule
from customer_model.testing import survey_responses
from customer_model.testing._hypothesis_plugin import _strategy_table

MODELS = [
    Person,
    Location,
    Customer,
    Purchase,
    Purchaser,
    User,
    FeedbackItem,
    Persona,
    Segment,
    SurveyResponse,
    Dataset,
    Rule,
]


def test_hook_is_registered_as_a_hypothesis_entry_point() -> None:
    values = {e.value for e in entry_points(group="hypothesis")}
    assert "customer_model.testing._hypothesis_plugin:_hypothesis_setup_hook" in values


def test_every_model_has_a_strategy() -> None:
    assert set(MODELS) <= set(_strategy_table())


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_from_type_builds_valid_values_that_round_trip(model: type[Any]) -> None:
    @settings(max_examples=15)
    @given(st.from_type(model))
    def check(value: Any) -> None:
        assert isinstance(value, model)
        assert from_json(to_json(value), model) == value

    check()


def test_from_type_segments_carry_rules_that_run() -> None:
    @settings(max_examples=15)
    @given(st.from_type(Segment), st.from_type(Customer))
    def check(segment: Segment, customer: Customer) -> None:
        verdict = segment.matches(customer, as_of=datetime(2026, 1, 1, tzinfo=UTC))
        assert type(verdict) is bool

    check()


def test_from_type_works_in_a_fresh_interpreter_without_importing_the_testing_kit() -> None:
    code = (
        "from hypothesis import strategies as st\n"
        "from customer_model import Customer, Dataset\n"
        "c = st.from_type(Customer).example()\n"
        "d = st.from_type(Dataset).example()\n"
        "print(type(c).__name__, type(d).__name__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["Customer", "Dataset"]


@settings(max_examples=30)
@given(st.data())
def test_survey_responses_are_on_scale_and_from_the_customers_people(data: st.DataObject) -> None:
    customer = data.draw(st.from_type(Customer))
    response = data.draw(survey_responses(customer=customer))
    low, high = response.measure.scale
    assert low <= response.score <= high
    assert response.customer_id == customer.id
    assert response.respondent_id is None or response.respondent_id in {
        p.id for p in customer.people
    }


@settings(max_examples=20)
@given(st.from_type(Dataset))
def test_generated_datasets_carry_responses_from_their_own_customers(data: Dataset) -> None:
    ids = {c.id for c in data.customers}
    assert {r.customer_id for r in data.responses} <= ids
