"""Strategies registered through hypothesis' entry point: from_type works without imports."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import entry_points
from pathlib import Path
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
    ValidationError,
    from_json,
    prioritize,
    to_json,
)
from customer_model.model.rules import NODES, Rule
from customer_model.testing import datasets, rules, survey_responses

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
    *NODES,  # each node type too: st.from_type(Compare) once failed, or drew invalid nodes
]


def test_hook_is_registered_as_a_hypothesis_entry_point() -> None:
    values = {e.value for e in entry_points(group="hypothesis")}
    assert "customer_model.testing._hypothesis_plugin:_hypothesis_setup_hook" in values


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_from_type_builds_valid_values_that_round_trip(model: type[Any]) -> None:
    @settings(max_examples=15)
    @given(st.from_type(model))
    def check(value: Any) -> None:
        assert isinstance(value, model)
        assert from_json(to_json(value), model) == value

    check()


@pytest.mark.parametrize("node", NODES, ids=lambda n: n.__name__)
def test_rules_of_one_node_type_are_of_that_type(node: type[Rule]) -> None:
    @settings(max_examples=10)
    @given(rules(node=node))
    def check(rule: Rule) -> None:
        assert type(rule) is node

    check()


def test_rules_refuse_a_node_type_that_is_none() -> None:
    with pytest.raises(ValidationError) as info:
        rules(node=Customer)  # type: ignore[arg-type]
    assert info.value.paths == ["$.node"]


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


def test_every_strategy_passes_the_health_checks_on_a_suite_s_first_run(tmp_path: Path) -> None:
    # Hypothesis' full Unicode needs a character table, built (over a second) and
    # stored on a suite's first run: a strategy drawing from it failed the
    # "too slow" health check in a fresh checkout.  Our text has its own alphabet.
    code = (
        "from hypothesis import given, settings\n"
        "from customer_model.testing import strategies\n"
        "for name in strategies.__all__:\n"
        "    @settings(max_examples=10, database=None)\n"
        "    @given(getattr(strategies, name)())\n"
        "    def draw(value): pass\n"
        "    draw()\n"
        "print('drawn')\n"
    )
    env = {**os.environ, "HYPOTHESIS_STORAGE_DIRECTORY": str(tmp_path / "store")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert (out.returncode, out.stdout) == (0, "drawn\n"), out.stderr[-2000:]
    assert not list(tmp_path.rglob("unicode_data"))


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


def _backlog_input(customers: list[Customer], items: list[FeedbackItem], data: Dataset) -> int:
    return len(customers) + len(items) + len(data.customers)


@settings(max_examples=10)
@given(st.builds(_backlog_input))
def test_builds_fills_parameters_annotated_with_models(total: int) -> None:
    # st.builds on the caller's own function or class resolves model-typed
    # parameters through the registered strategies.
    assert total >= 1  # a dataset has at least one customer


def test_builds_on_a_model_itself_is_not_claimed() -> None:
    # st.builds(Customer) calls the constructor field by field (a random
    # string id, no invariants), so the docs point to st.from_type instead.
    page = (Path(__file__).parents[1] / "docs" / "testing.md").read_text(encoding="utf-8")
    assert "st.builds(Customer)" in page
    assert "do `st.builds` and" not in page


@settings(max_examples=15)
@given(datasets(currency="EUR"))
def test_one_currency_datasets_pass_the_default_policy(data: Dataset) -> None:
    backlog = prioritize(data.feedback, data.customers, as_of=datetime(2030, 1, 1, tzinfo=UTC))
    assert {code for item in backlog for code in item.revenue} <= {"EUR"}


def test_strategies_without_hypothesis_name_the_extra() -> None:
    code = (
        "import sys; sys.modules['hypothesis'] = None\n"
        "try:\n    from customer_model.testing import customers\n"
        "except ModuleNotFoundError as e:\n    print(e)\n"
    )
    env = {**os.environ, "HYPOTHESIS_NO_PLUGINS": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert "pip install 'customer-model[testing]'" in out.stdout


def test_the_testing_page_documents_every_strategy_and_knob() -> None:
    # Teams read docs/testing.md, not the source: a strategy or an argument
    # missing from it is one they never learn about.
    import inspect

    from customer_model import testing

    page = (Path(__file__).parents[1] / "docs" / "testing.md").read_text(encoding="utf-8")
    for name in testing.__all__:
        assert f"`{name}(" in page, name
        for knob in inspect.signature(getattr(testing, name)).parameters:
            assert f"`{knob}=`" in page, (name, knob)
