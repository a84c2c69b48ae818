"""Who buys and who uses: the rules that tell purchasers from users.

A customer's purchasers hold buying power; its users touch the product.  The
same person can be both (a self-serve consumer), neither overlaps (parents buy
diapers, babies use them), or some overlap (a business buying group where one
lead also uses the product).
"""

from __future__ import annotations

import enum
from datetime import date
from typing import TYPE_CHECKING

from customer_model.errors import Problem, ValidationError

if TYPE_CHECKING:
    from customer_model.customers import Customer
    from customer_model.feedback import FeedbackItem

__all__ = [
    "BuyingRole",
    "Role",
    "RoleSplit",
    "author_roles",
    "check_roles",
    "role_split",
    "roles_of",
]


class Role(enum.Enum):
    """The two sides of the customer-versus-user split."""

    PURCHASER = "purchaser"
    USER = "user"


class RoleSplit(enum.Enum):
    """How a customer's purchasers and users relate."""

    #: Everyone who buys uses, and everyone who uses buys (self-serve).
    SAME = "same"
    #: No buyer uses the product (parents buy diapers, babies use them).
    DISJOINT = "disjoint"
    #: Some people are both, some only one (a business buying group).
    OVERLAPPING = "overlapping"


class BuyingRole(enum.Enum):
    """Roles in an organizational buying center.

    Webster & Wind's roles (buyer, decider, influencer, gatekeeper; *user* is
    modelled by :class:`~customer_model.User`), Bonoma's initiator, and the
    contact roles CRM and sales tools add.  Salesforce's *Economic Buyer* and
    *Economic Decision Maker* map to ``BUYER`` and ``DECIDER``, *Technical
    Buyer* and *Evaluator* to their own members.
    """

    DECIDER = "decider"
    BUYER = "buyer"
    INFLUENCER = "influencer"
    GATEKEEPER = "gatekeeper"
    INITIATOR = "initiator"
    CHAMPION = "champion"
    EVALUATOR = "evaluator"
    TECHNICAL_BUYER = "technical_buyer"
    EXECUTIVE_SPONSOR = "executive_sponsor"
    BLOCKER = "blocker"
    OTHER = "other"


def roles_of(customer: Customer, person_id: str | None) -> frozenset[Role]:
    """The roles *person_id* holds for *customer*; empty for a stranger or ``None``."""
    if person_id is None:
        return frozenset()
    roles: set[Role] = set()
    if person_id in customer.purchaser_ids:
        roles.add(Role.PURCHASER)
    if person_id in customer.user_ids:
        roles.add(Role.USER)
    return frozenset(roles)


def role_split(customer: Customer) -> RoleSplit:
    """Classify how *customer*'s buyers and users overlap.

    A customer with no users recorded yet is ``DISJOINT``: nobody who buys is
    known to use.
    """
    buyers = customer.purchaser_ids
    users = customer.user_ids
    if buyers == users:
        return RoleSplit.SAME
    if buyers.isdisjoint(users):
        return RoleSplit.DISJOINT
    return RoleSplit.OVERLAPPING


def check_roles(customer: Customer, *, on: date, majority_age: int = 18) -> None:
    """Raise :class:`ValidationError` if a purchaser is known to be a minor on *on*.

    A baby cannot hold buying authority.  Purchasers whose birth date is unknown
    pass: the rule only rejects what the data proves wrong.  The day is an
    argument because the library never reads the clock.
    """
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
    if item.customer_id != customer.id:
        raise ValidationError.single(
            "customer_id", "feedback item belongs to a different customer", "FeedbackItem"
        )
    return roles_of(customer, item.author_id)
