"""Sphinx configuration for customer-model."""

from __future__ import annotations

from typing import Any

import customer_model

project = "customer-model"
author = "customer-model developers"
copyright = "2026, customer-model developers"
release = customer_model.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "customer-model"
exclude_patterns = ["_build"]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}

# Every reference to the library must resolve: a broken one renders as plain
# text without a word.  Other projects' names stay unlinked (no inventories
# are fetched), as do private helpers and type variables in signatures.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!customer_model\.).*"),
    (r"py:.*", r"customer_model\.(.*\.)?_\w+(\..*)?"),
    (r"py:.*", r"customer_model\..*\.T"),
]


def _documented_name(target: str) -> str | None:
    """Where the object *target* names (``customer_model.Person``, a re-export) is documented."""
    parts = target.split(".")
    for end in range(len(parts), 1, -1):
        obj: object = customer_model
        try:
            for part in parts[1:end]:
                obj = getattr(obj, part)
        except AttributeError:
            continue
        module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
        if isinstance(module, str) and isinstance(qualname, str):
            real = ".".join([module, qualname, *parts[end:]])
            return real if real != target else None
    return None


def _resolve_reexport(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    """Resolve ``customer_model.X`` to the module that defines and documents X."""
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("customer_model."):
        return None
    real = _documented_name(target)
    if real is None:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(
        env, node["refdoc"], app.builder, node["reftype"], real, node, contnode
    )


def setup(app: Any) -> None:
    app.connect("missing-reference", _resolve_reexport)
