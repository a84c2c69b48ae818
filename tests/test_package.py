from __future__ import annotations

import subprocess
import sys

import pytest

import customer_model

PINNED = [
    "Person",
    "Location",
    "Customer",
    "CustomerKind",
    "Purchase",
    "Purchaser",
    "User",
    "Persona",
    "FeedbackItem",
    "FeedbackKind",
    "Need",
    "Importance",
    "Channel",
    "Segment",
    "Dataset",
    "Role",
    "RoleSplit",
    "roles_of",
    "role_split",
    "check_roles",
    "CustomerModelError",
    "ValidationError",
    "to_json",
    "from_json",
    "to_dict",
    "from_dict",
    "make_converter",
    "converter",
    "redact",
    "rice",
    "ice",
    "wsjf",
    "kano_category",
    "kano_coefficients",
    "KanoAnswer",
    "KanoCategory",
    "opportunity_score",
    "nps",
    "csat",
    "ces",
    "prioritize",
    "PrioritizationPolicy",
    "Backlog",
    "BacklogItem",
]


def test_pinned_names_are_importable() -> None:
    for name in PINNED:
        assert hasattr(customer_model, name), name
        assert name in customer_model.__all__


def test_validation_error_is_a_value_error() -> None:
    assert issubclass(customer_model.ValidationError, ValueError)
    assert issubclass(customer_model.ValidationError, customer_model.CustomerModelError)


def test_import_is_lean() -> None:
    """The core import pulls in neither test tools nor the CLI nor dateutil's parser."""
    code = (
        "import sys, customer_model\n"
        "heavy = [m for m in ('hypothesis', 'pytest', 'customer_model.cli', 'dateutil.parser',"
        " 'sqlglot', 'customer_model.testing.strategies') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_public_name_resolves() -> None:
    # Names load lazily; each must come from the module the table names.
    for name in customer_model.__all__:
        assert getattr(customer_model, name) is not None, name
    assert set(customer_model.__all__) <= set(dir(customer_model))
    assert set(customer_model._MODULE_OF) | {"__version__"} == set(customer_model.__all__)


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        customer_model.no_such_name  # noqa: B018


def _modules_after(code: str) -> set[str]:
    run = f"import sys\n{code}\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_loads_only_what_is_used() -> None:
    """``import customer_model`` loads no dependency; a model loads no serialization.

    If this fails after adding a public name, add it to ``_EXPORTS`` in
    ``customer_model/__init__.py`` instead of importing it there.
    """
    assert not {"attrs", "cattrs", "dateutil"} & _modules_after("import customer_model")
    loaded = _modules_after("from customer_model import FeedbackItem")
    assert "attrs" in loaded
    assert not {"cattrs", "customer_model.serialization"} & loaded
    assert "cattrs" in _modules_after("from customer_model import to_json")


def test_py_typed_is_shipped() -> None:
    from importlib.resources import files

    assert files("customer_model").joinpath("py.typed").is_file()
