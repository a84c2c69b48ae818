"""pytest fixtures for suites that use customer-model, loaded automatically.

Installed packages register this module through the ``pytest11`` entry point,
so the fixtures are available in any suite without a conftest import.  Every
fixture name starts with ``cm_`` to stay clear of a team's own fixtures.

Loading it is cheap and never imports hypothesis: the library itself is
imported only when a ``cm_`` fixture is first used.  Override ``cm_seed`` in
a conftest to change the data every factory fixture builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from customer_model.model.customers import Customer
    from customer_model.model.dataset import Dataset
    from customer_model.testing.factories import CustomerFactory, FeedbackFactory

__all__ = [
    "cm_business",
    "cm_customer_factory",
    "cm_dataset",
    "cm_feedback_factory",
    "cm_household",
    "cm_seed",
    "cm_self_serve",
]

#: Size of the corpus behind ``cm_dataset``.
DATASET_CUSTOMERS = 30


@pytest.fixture
def cm_seed() -> int:
    """The seed of the factory fixtures; override it in a conftest for other data."""
    return 0


@pytest.fixture
def cm_customer_factory(cm_seed: int) -> CustomerFactory:
    """A fresh :class:`~customer_model.testing.factories.CustomerFactory`.

    Call it with field overrides (``cm_customer_factory(kind=...)``) or use
    its traits (``.household()``, ``.self_serve()``, ``.business()``,
    ``.batch(n)``).
    """
    from customer_model.testing.factories import CustomerFactory

    return CustomerFactory(seed=cm_seed)


@pytest.fixture
def cm_feedback_factory(cm_seed: int) -> FeedbackFactory:
    """A fresh :class:`~customer_model.testing.factories.FeedbackFactory`.

    ``cm_feedback_factory(customer=c, theme="sso")`` builds one item from one
    of ``c``'s people.
    """
    from customer_model.testing.factories import FeedbackFactory

    return FeedbackFactory(seed=cm_seed)


@pytest.fixture
def cm_household(cm_seed: int) -> Customer:
    """A household where a parent buys and a small child uses (buyer is not the user)."""
    return _one("household", cm_seed).household()


@pytest.fixture
def cm_self_serve(cm_seed: int) -> Customer:
    """An individual who buys and uses the product (buyer is the user)."""
    return _one("self-serve", cm_seed).self_serve()


@pytest.fixture
def cm_business(cm_seed: int) -> Customer:
    """An organization whose buying group overlaps its users (a champion does both)."""
    return _one("business", cm_seed).business()


def _one(trait: str, seed: int) -> CustomerFactory:
    """A factory of the trait's own, so that a fixture's customer does not change
    with the other fixtures a test asks for (ids ``c-household-1`` and so on)."""
    from customer_model.testing.factories import CustomerFactory

    return CustomerFactory(seed=seed, id_prefix=f"c-{trait}-")


@pytest.fixture(scope="session")
def cm_dataset() -> Dataset:
    """A realistic corpus: the sample generator's data for a fixed seed.

    Households, consumers and businesses (some of them intermediaries), a
    year of purchases, usage, feedback with rising and falling themes, and
    NPS and CSAT answers.  It is immutable, so one value serves the session.
    """
    from customer_model.examples.bundled import sample_dataset

    return sample_dataset(customers=DATASET_CUSTOMERS, seed=0)
