"""Done-when: an outside project uses the fixtures and from_type with no configuration.

The project is a temporary directory with its own test file and no conftest:
it relies only on the entry points of the installed library (``pytest11`` for
the ``cm_*`` fixtures, ``hypothesis`` for ``st.from_type``), exactly as a
team that ran ``pip install customer-model[testing]`` would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXTERNAL_TEST = """
from hypothesis import given, settings, strategies as st

from customer_model import Customer, Dataset, FeedbackItem, RoleSplit, SurveyResponse, role_split


def test_split_fixtures(cm_household, cm_self_serve, cm_business):
    assert role_split(cm_household) is RoleSplit.DISJOINT
    assert role_split(cm_self_serve) is RoleSplit.SAME
    assert role_split(cm_business) is RoleSplit.OVERLAPPING


def test_factories(cm_customer_factory, cm_feedback_factory):
    customer = cm_customer_factory(size=3)
    item = cm_feedback_factory(customer=customer, theme="pricing")
    assert (customer.size, item.customer_id, item.theme) == (3, customer.id, "pricing")


def test_dataset(cm_dataset):
    assert isinstance(cm_dataset, Dataset) and cm_dataset.feedback


@settings(max_examples=10)
@given(st.from_type(Customer), st.from_type(FeedbackItem), st.from_type(SurveyResponse))
def test_from_type(customer, item, response):
    assert customer.purchasers
    assert item.id and response.id
"""


def test_an_outside_project_uses_fixtures_and_from_type(tmp_path: Path) -> None:
    project = tmp_path / "their-project"
    (project / "tests").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "their-project"\n', encoding="utf-8")
    (project / "tests" / "test_with_customer_model.py").write_text(EXTERNAL_TEST, encoding="utf-8")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD")
        and not k.startswith("HYPOTHESIS")
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
