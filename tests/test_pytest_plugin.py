"""The cm_* fixtures, loaded here through the pytest11 entry point (no conftest import)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from customer_model import Customer, CustomerKind, Dataset, FeedbackItem, RoleSplit, role_split
from customer_model.testing.factories import CustomerFactory, FeedbackFactory


def test_plugin_is_registered_as_a_pytest11_entry_point() -> None:
    ours = [e for e in entry_points(group="pytest11") if e.value.startswith("customer_model")]
    # Named by its module, so that -p and pytest_plugins find it registered already.
    assert [(e.name, e.value) for e in ours] == [("customer_model.testing.pytest_plugin",) * 2]


def test_pyproject_names_the_plugin_by_its_module() -> None:
    import tomllib

    pyproject = Path(__file__).parent.parent / "pyproject.toml"
    plugins = tomllib.loads(pyproject.read_text())["project"]["entry-points"]["pytest11"]
    assert plugins == {
        "customer_model.testing.pytest_plugin": "customer_model.testing.pytest_plugin"
    }


def test_split_fixtures(
    cm_household: Customer, cm_self_serve: Customer, cm_business: Customer
) -> None:
    assert role_split(cm_household) is RoleSplit.DISJOINT
    assert role_split(cm_self_serve) is RoleSplit.SAME
    assert role_split(cm_business) is RoleSplit.OVERLAPPING
    assert len({cm_household.id, cm_self_serve.id, cm_business.id}) == 3


def test_customer_factory_fixture_takes_overrides(cm_customer_factory: CustomerFactory) -> None:
    assert isinstance(cm_customer_factory, CustomerFactory)
    c = cm_customer_factory(kind=CustomerKind.ORGANIZATION, industry="retail")
    assert (c.kind, c.industry) == (CustomerKind.ORGANIZATION, "retail")


def test_feedback_factory_fixture_takes_overrides(
    cm_feedback_factory: FeedbackFactory, cm_business: Customer
) -> None:
    item = cm_feedback_factory(customer=cm_business, theme="sso")
    assert isinstance(item, FeedbackItem)
    assert (item.customer_id, item.theme) == (cm_business.id, "sso")


def test_dataset_fixture_is_a_realistic_corpus(cm_dataset: Dataset) -> None:
    assert len(cm_dataset.customers) == 30
    assert {c.kind for c in cm_dataset.customers} == set(CustomerKind)
    assert set(map(role_split, cm_dataset.customers)) == set(RoleSplit)
    assert cm_dataset.feedback
    assert cm_dataset.responses


class TestSeedOverride:
    @pytest.fixture
    def cm_seed(self) -> int:
        return 42

    def test_overridden_seed_reaches_the_factories(self, cm_household: Customer) -> None:
        assert cm_household == CustomerFactory(seed=42, id_prefix="c-household-").household()
        assert cm_household != CustomerFactory(seed=0, id_prefix="c-household-").household()


def test_a_fixture_customer_does_not_depend_on_the_other_fixtures_asked_for(
    cm_business: Customer, cm_customer_factory: CustomerFactory, cm_household: Customer
) -> None:
    # They once shared one factory: asking for cm_business first changed cm_household.
    assert cm_household == CustomerFactory(seed=0, id_prefix="c-household-").household()
    assert cm_business == CustomerFactory(seed=0, id_prefix="c-business-").business()
    assert cm_customer_factory().id == "c-1"


_USES_A_FIXTURE = """
from customer_model import RoleSplit, role_split

def test_household(cm_household):
    assert role_split(cm_household) is RoleSplit.DISJOINT
"""


@pytest.mark.parametrize("how", ["-p", "pytest_plugins", "autoload off", "turned off"])
def test_the_plugin_can_also_be_named(how: str, tmp_path: Path) -> None:
    """Suites name it so they work without autoloading; with it, naming it was an error."""
    (tmp_path / "test_it.py").write_text(_USES_A_FIXTURE)
    args = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    env = dict(os.environ)
    if how == "-p":
        args += ["-p", "customer_model.testing.pytest_plugin"]
    elif how == "pytest_plugins":
        (tmp_path / "conftest.py").write_text(
            'pytest_plugins = ["customer_model.testing.pytest_plugin"]\n'
        )
    elif how == "autoload off":
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
        args += ["-p", "customer_model.testing.pytest_plugin"]
    else:
        args += ["-p", "no:customer_model.testing.pytest_plugin"]
    run = subprocess.run(args, check=False, capture_output=True, text=True, cwd=tmp_path, env=env)
    if how == "turned off":
        assert "fixture 'cm_household' not found" in run.stdout
        return
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout


_NO_HYPOTHESIS = """
import importlib.abc, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ImportError("hypothesis is not installed (blocked for this test)")
        return None

sys.meta_path.insert(0, Block())
import customer_model.testing.pytest_plugin as plugin
import customer_model.testing.factories as factories
import customer_model.testing._hypothesis_plugin
c = factories.CustomerFactory(seed=1).household()
assert "hypothesis" not in sys.modules
print("ok", c.kind.value)
"""


def test_plugin_and_factories_work_without_hypothesis() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _NO_HYPOTHESIS], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "household"]


def test_loading_the_plugin_imports_neither_hypothesis_nor_the_library() -> None:
    code = (
        "import sys\n"
        "import customer_model.testing.pytest_plugin\n"
        "loaded = [m for m in ('hypothesis', 'customer_model.testing.strategies',"
        " 'customer_model.testing.factories', 'customer_model.examples.bundled')"
        " if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("run", [1, 2])
def test_each_test_gets_a_fresh_factory(cm_customer_factory: CustomerFactory, run: int) -> None:
    # Function scope: a test that builds customers never moves another test's
    # id sequence or generator on.
    assert cm_customer_factory.build() == CustomerFactory(seed=0).build()
    cm_customer_factory.batch(3)
