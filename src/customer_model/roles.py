"""Who buys and who uses: the rules that tell purchasers from users.

A customer's purchasers hold buying power; its users touch the product.  The
same person can be both (a self-serve consumer), neither overlaps (parents buy
diapers, babies use them), or some overlap (a business buying group where one
lead also uses the product).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import customer_model.model.feedback as _feedback
from customer_model.errors import Problem, ValidationError
from customer_model.model._messages import type_name
from customer_model.model._validation import INT64_MAX, Checker
from customer_model.model.customers import BuyingRole, Customer, Role, RoleSplit

if TYPE_CHECKING:
    from customer_model.model.feedback import FeedbackItem

__all__ = [
    "BuyingRole",
    "Role",
    "RoleSplit",
    "author_roles",
    "check_roles",
    "role_split",
    "roles_of",
]


# The four answers of roles_of, built once: it may run once per feedback item.
_NO_ROLE: frozenset[Role] = frozenset()
_PURCHASER = frozenset({Role.PURCHASER})
_USER = frozenset({Role.USER})
_BOTH = frozenset({Role.PURCHASER, Role.USER})


def roles_of(customer: Customer, person_id: str | None) -> frozenset[Role]:
    """The roles *person_id* holds for *customer*; empty for a stranger or ``None``."""
    if not isinstance(customer, Customer) or not (person_id is None or type(person_id) is str):
        raise _roles_of_error(customer, person_id)
    if person_id is None:
        return _NO_ROLE
    if person_id in customer.purchaser_ids:
        return _BOTH if person_id in customer.user_ids else _PURCHASER
    return _USER if person_id in customer.user_ids else _NO_ROLE


def role_split(customer: Customer) -> RoleSplit:
    """Classify how *customer*'s buyers and users overlap.

    A customer with no users recorded yet is ``DISJOINT``: nobody who buys is
    known to use.
    """
    if not isinstance(customer, Customer):
        raise _wrong_types("role_split input", customer=(customer, Customer))
    return RoleSplit.of(customer.purchaser_ids, customer.user_ids)


def check_roles(customer: Customer, *, on: date, majority_age: int = 18) -> None:
    """Raise :class:`ValidationError` if a purchaser is known to be a minor on *on*.

    A baby cannot hold buying authority.  Purchasers whose birth date is unknown
    pass: the rule only rejects what the data proves wrong.  The day is an
    argument because the library never reads the clock.  *majority_age* is a
    whole number of years, 0 or more.
    """
    if (
        not isinstance(customer, Customer)
        or type(on) is not date
        or type(majority_age) is not int
        or not 0 <= majority_age <= INT64_MAX
    ):
        check = Checker()
        check.instance("customer", customer, Customer)
        check.day("on", on)
        check.integer("majority_age", majority_age, minimum=0)
        check.done("check_roles input")
    problems = []
    for i, purchaser in enumerate(customer.purchasers):
        age = purchaser.person.age_on(on)
        if age is not None and age < majority_age:
            problems.append(
                Problem(
                    ("purchasers", i, "person", "birth_date"),
                    f"a purchaser must be of age ({majority_age} or older) on {on.isoformat()}",
                )
            )
    if problems:
        raise ValidationError(problems, "Customer roles")


def author_roles(item: FeedbackItem, customer: Customer) -> frozenset[Role]:
    """The roles the author of *item* holds within its own customer.

    Anonymous feedback, and feedback from someone the customer does not list,
    has no role.  Raises :class:`ValidationError` if *item* belongs to another
    customer.
    """
    if not isinstance(item, _feedback.FeedbackItem) or not isinstance(customer, Customer):
        raise _wrong_types(
            "author_roles input",
            item=(item, _feedback.FeedbackItem),
            customer=(customer, Customer),
        )
    if item.customer_id != customer.id:
        raise ValidationError.single(
            "customer_id", "feedback item belongs to a different customer", "FeedbackItem"
        )
    return roles_of(customer, item.author_id)


# The errors below are built only once a cheap check on the hot path has failed.


def _wrong_types(subject: str, **arguments: tuple[object, type[object]]) -> ValidationError:
    """The error for arguments (``name=(value, expected class)``) of which one is wrong."""
    check = Checker()
    for name, (value, cls) in arguments.items():
        check.instance(name, value, cls)
    assert check.problems
    return ValidationError(check.problems, subject)


def _roles_of_error(customer: object, person_id: object) -> ValidationError:
    check = Checker()
    check.instance("customer", customer, Customer)
    if person_id is not None and type(person_id) is not str:
        check.add("person_id", f"must be a string or None, not {type_name(person_id)}")
    assert check.problems
    return ValidationError(check.problems, "roles_of input")
