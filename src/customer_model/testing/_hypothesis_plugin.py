"""Registers customer-model's strategies with hypothesis, through its entry point.

hypothesis calls :func:`_hypothesis_setup_hook` when it is imported (the
``hypothesis`` entry-point group), so ``st.from_type(Customer)`` works in any
suite without importing :mod:`customer_model.testing`.  This module does not
import hypothesis at import time: only hypothesis itself loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy


def _strategy_table() -> dict[type[Any], str]:
    """Each model and the name of the strategy in :mod:`customer_model.testing` for it."""
    from customer_model.model.customers import Customer, Purchase, Purchaser, User
    from customer_model.model.dataset import Dataset
    from customer_model.model.feedback import FeedbackItem
    from customer_model.model.people import Location, Person
    from customer_model.model.personas import Persona
    from customer_model.model.rules import Rule
    from customer_model.model.segments import Segment
    from customer_model.model.surveys import SurveyResponse

    return {
        Person: "persons",
        Location: "locations",
        Customer: "customers",
        Purchase: "purchases",
        Purchaser: "purchasers",
        User: "users",
        FeedbackItem: "feedback_items",
        Persona: "personas",
        Segment: "segments",
        Rule: "rules",
        SurveyResponse: "survey_responses",
        Dataset: "datasets",
    }


def _hypothesis_setup_hook() -> None:
    """Register a strategy for every data model (results and policies have none).

    Each registration is a resolver called when a test first asks for the
    type, so the strategies module is imported only then, not while
    hypothesis itself is still being imported.
    """
    from hypothesis import strategies as st

    from customer_model import testing

    for cls, name in _strategy_table().items():

        def resolve(_: type[Any], name: str = name) -> SearchStrategy[Any]:
            strategy: SearchStrategy[Any] = getattr(testing, name)()
            return strategy

        st.register_type_strategy(cls, resolve)

    # Each rule node type too (Compare, And, ...), as the API lists them.
    from customer_model.model.rules import NODES

    for node in NODES:

        def resolve_node(_: type[Any], node: type[Any] = node) -> SearchStrategy[Any]:
            strategy: SearchStrategy[Any] = testing.rules(node=node)
            return strategy

        st.register_type_strategy(node, resolve_node)
