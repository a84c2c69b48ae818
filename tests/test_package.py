from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest

import customer_model

#: The package's public names (its ``__all__`` comes from a module ``__getattr__``).
PUBLIC = cast("list[str]", customer_model.__all__)

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
        assert name in PUBLIC


def test_validation_error_is_a_value_error() -> None:
    assert issubclass(customer_model.ValidationError, ValueError)
    assert issubclass(customer_model.ValidationError, customer_model.CustomerModelError)


def test_import_is_lean() -> None:
    """The core import pulls in neither test tools nor the CLI nor dateutil's parser."""
    code = (
        "import sys, customer_model\n"
        "heavy = [m for m in ('hypothesis', 'pytest', 'customer_model.cli', 'dateutil.parser',"
        " 'sqlglot', 'duckdb', 'pyspark', 'customer_model.testing.strategies')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _typing_block() -> dict[str, str]:
    """Name -> module, as the ``TYPE_CHECKING`` block of ``__init__.py`` lists them."""
    tree = ast.parse(Path(customer_model.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If))
    names: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom), ast.dump(node)
        for alias in node.names:
            # "X as X" is the explicit re-export mypy --strict needs to see the name.
            assert alias.asname == alias.name, alias.name
            assert alias.name not in names, f"{alias.name} is listed twice"
            names[alias.name] = str(node.module)
    return names


def test_all_lazy_loading_and_types_agree() -> None:
    listed = _typing_block()
    assert sorted(listed) == customer_model.__all__
    assert set(PUBLIC) <= set(dir(customer_model))
    for name, module in listed.items():
        value = getattr(customer_model, name)
        # Each name is loaded from, and defined in, the module the block names.
        assert value is getattr(importlib.import_module(module), name), name
        assert value.__module__ == module, name


def test_star_import_gives_every_public_name() -> None:
    scope: dict[str, object] = {}
    exec("from customer_model import *", scope)
    assert set(PUBLIC) <= set(scope)


def test_mypy_sees_every_public_name_typed(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    lines = [f"from customer_model import {name}" for name in PUBLIC]
    lines += [f"reveal_type({name})" for name in PUBLIC]
    (tmp_path / "use.py").write_text("\n".join(lines) + "\n")
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--python-version", "3.11", str(tmp_path / "use.py")]
    )
    assert status == 0, out + err
    revealed = [line for line in out.splitlines() if "Revealed type" in line]
    assert len(revealed) == len(PUBLIC)
    for line in revealed:
        # A name mypy cannot see types as Any (or object, through a module __getattr__).
        untyped = ('Revealed type is "Any"', 'Revealed type is "builtins.object"')
        assert not line.endswith(untyped), line


def test_an_install_of_compiled_files_only_imports(tmp_path: Path) -> None:
    """Slim images ship ``.pyc`` files without sources; the lazy names still load."""
    import compileall
    import shutil

    package = tmp_path / "customer_model"
    shutil.copytree(Path(customer_model.__file__).parent, package)
    assert compileall.compile_dir(package, legacy=True, quiet=1)
    for source in package.rglob("*.py"):
        source.unlink()
    code = "import customer_model as cm; print(cm.__file__, cm.prioritize.__module__, len(dir(cm)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    origin, module, names = out.stdout.split()
    assert origin == str(package / "__init__.pyc")
    assert module == "customer_model.prioritization"
    assert int(names) >= len(_typing_block())


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        customer_model.no_such_name  # noqa: B018


def _modules_after(code: str) -> set[str]:
    run = f"import sys\n{code}\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", run], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_import_loads_only_what_is_used() -> None:
    """``import customer_model`` loads no dependency; a model loads no serialization.

    If this fails after adding a public name, add it to the ``TYPE_CHECKING``
    block of ``customer_model/__init__.py`` instead of importing it there.
    """
    assert not {"attrs", "cattrs", "dateutil"} & _modules_after("import customer_model")
    loaded = _modules_after("from customer_model import FeedbackItem")
    assert "attrs" in loaded
    assert not {"cattrs", "customer_model.serialization"} & loaded
    assert "cattrs" in _modules_after("from customer_model import to_json")


def test_py_typed_is_shipped() -> None:
    from importlib.resources import files

    assert files("customer_model").joinpath("py.typed").is_file()


def _described(module: object) -> set[str]:
    """Names the module assigns with a ``#:`` comment on the line above, as Sphinx reads them.

    Read with :mod:`ast` rather than Sphinx's analyzer: the tests run without
    the docs tools installed.
    """
    source = inspect.getsource(module)  # type: ignore[arg-type]
    lines = source.splitlines()
    described = set()
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        if above.startswith("#:"):
            described |= {t.id for t in targets if isinstance(t, ast.Name)}
    return described


def test_every_documented_module_describes_each_constant_and_alias_it_exports() -> None:
    # The API page shows a module's data names only with a ``#:`` comment where
    # the module defines them; a name imported from a private module shows nothing.
    import re
    import typing

    api = (Path(__file__).parent.parent / "docs" / "api.md").read_text(encoding="utf-8")
    missing = []
    for name in re.findall(r"automodule:: (\S+)", api):
        module = importlib.import_module(name)
        described = _described(module)
        for export in getattr(module, "__all__", ()):
            value = getattr(module, export)
            if (
                inspect.isclass(value)
                or inspect.isfunction(value)
                or inspect.ismodule(value)
                or isinstance(value, typing.TypeVar)
            ):
                continue
            if export not in described:
                missing.append(f"{name}.{export}")
    assert missing == []
