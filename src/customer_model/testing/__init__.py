"""Test support for code that uses customer-model.

* Hypothesis strategies (needs the ``testing`` extra): ``customers()``,
  ``feedback_items()``, ``datasets()``, ``segments()``, ``rules()`` and
  friends, loaded on first use so that importing this package never requires
  hypothesis.  They are also registered with hypothesis through its entry
  point, so ``st.from_type(Customer)`` works without importing anything
  from here.
* Plain factories with no extra dependency:
  :mod:`customer_model.testing.factories`.
* pytest fixtures (``cm_household``, ``cm_dataset``...), loaded automatically
  through the ``pytest11`` entry point: ``customer_model.testing.pytest_plugin``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from customer_model.testing.strategies import (
        aware_datetimes,
        customers,
        datasets,
        feedback_items,
        identifiers,
        locations,
        personas,
        persons,
        purchasers,
        purchases,
        rules,
        segments,
        survey_responses,
        users,
    )

__all__ = [
    "aware_datetimes",
    "customers",
    "datasets",
    "feedback_items",
    "identifiers",
    "locations",
    "personas",
    "persons",
    "purchasers",
    "purchases",
    "rules",
    "segments",
    "survey_responses",
    "users",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        module = importlib.import_module("customer_model.testing.strategies")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
