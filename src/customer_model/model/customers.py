"""Customers: the parties that pay for or acquire the product.

A customer is an individual, a household or an organization.  Its
*purchasers* hold buying power and its *users* touch the product; the rules
that relate the two live in :mod:`customer_model.roles`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Literal

import attrs

from customer_model._display import short_items
from customer_model.model._messages import not_a_list, not_an_iterable, type_name
from customer_model.model._moments import instant, instant_key
from customer_model.model._money import MONEY_INTEGER_DIGITS, MONEY_LIMIT
from customer_model.model._personal import personal
from customer_model.model._validation import (
    Checker,
    duplicates,
    exact_member,
    exact_members,
    to_frozenset,
    to_tuple,
)
from customer_model.model.people import Location, Person

__all__ = [
    "BuyingRole",
    "BuyingRoleValue",
    "Customer",
    "CustomerKind",
    "CustomerKindValue",
    "IntermediaryRole",
    "IntermediaryRoleValue",
    "RoleSplitValue",
    "RoleValue",
    "Purchase",
    "Purchaser",
    "User",
]


class Role(enum.Enum):
    """The two sides of the customer-versus-user split."""

    PURCHASER = "purchaser"
    USER = "user"


#: The values of :class:`Role`.
RoleValue = Literal["purchaser", "user"]


def role_member(value: Role | RoleValue) -> Role:
    """*value* as a :class:`Role` when it is one's exact value (a converter)."""
    return value if type(value) is Role else exact_member(Role, value)


#: A :class:`RoleSplit`'s value, which functions taking a split accept for it.
RoleSplitValue = Literal["same", "disjoint", "overlapping"]


class RoleSplit(enum.Enum):
    """How a customer's purchasers and users relate."""

    #: Everyone who buys uses, and everyone who uses buys (self-serve).
    SAME = "same"
    #: No buyer uses the product (parents buy diapers, babies use them).
    DISJOINT = "disjoint"
    #: Some people are both, some only one (a business buying group).
    OVERLAPPING = "overlapping"

    @classmethod
    def of(cls, purchaser_ids: frozenset[str], user_ids: frozenset[str]) -> RoleSplit:
        """How a set of buyers and a set of users overlap (no users yet: ``DISJOINT``)."""
        given: tuple[object, object] = (purchaser_ids, user_ids)  # untyped callers pass anything
        if not (isinstance(given[0], AbstractSet) and isinstance(given[1], AbstractSet)):
            check = Checker()
            for name, ids in zip(("purchaser_ids", "user_ids"), given, strict=True):
                if not isinstance(ids, AbstractSet):
                    check.add(name, f"must be a set of person ids, not {type_name(ids)}")
            check.done("RoleSplit.of input")
        if purchaser_ids == user_ids:
            return cls.SAME
        if purchaser_ids.isdisjoint(user_ids):
            return cls.DISJOINT
        return cls.OVERLAPPING


class CustomerKind(enum.Enum):
    """Who the customer is: one person (B2C), a household, or an organization (B2B)."""

    INDIVIDUAL = "individual"
    HOUSEHOLD = "household"
    ORGANIZATION = "organization"


class IntermediaryRole(enum.Enum):
    """How a customer that is not the end customer stands between us and one."""

    RESELLER = "reseller"
    DISTRIBUTOR = "distributor"
    AGENT = "agent"
    AFFILIATE = "affiliate"


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


#: The values of :class:`CustomerKind`, which constructors accept for its members.
CustomerKindValue = Literal["individual", "household", "organization"]
#: The values of :class:`IntermediaryRole`.
IntermediaryRoleValue = Literal["reseller", "distributor", "agent", "affiliate"]
#: The values of :class:`BuyingRole`.
BuyingRoleValue = Literal[
    "decider",
    "buyer",
    "influencer",
    "gatekeeper",
    "initiator",
    "champion",
    "evaluator",
    "technical_buyer",
    "executive_sponsor",
    "blocker",
    "other",
]


_EVERY_BUYING_ROLE = frozenset(BuyingRole)


def _buying_roles(value: Iterable[BuyingRole | BuyingRoleValue]) -> frozenset[BuyingRole]:
    return exact_members(BuyingRole, value, _EVERY_BUYING_ROLE)


def _kind(value: CustomerKind | CustomerKindValue) -> CustomerKind:
    return value if type(value) is CustomerKind else exact_member(CustomerKind, value)


def _intermediary(
    value: IntermediaryRole | IntermediaryRoleValue | None,
) -> IntermediaryRole | None:
    if value is None or type(value) is IntermediaryRole:
        return value
    return exact_member(IntermediaryRole, value)


def _strings(value: Iterable[str]) -> frozenset[str]:
    return to_frozenset(value)


@attrs.frozen(slots=True)
class Purchase:
    """One purchase: how much, in which currency, and when.

    Amounts are :class:`~decimal.Decimal` so money round-trips exactly; they
    must be finite and not negative (refunds are not modelled yet).
    """

    amount: Decimal
    currency: str
    at: datetime = attrs.field(eq=instant_key)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.decimal("amount", self.amount, non_negative=True, money=True)
        check.currency("currency", self.currency)
        check.aware("at", self.at)
        check.done("Purchase")


@attrs.frozen(slots=True)
class Purchaser:
    """A person who holds buying power for a customer and makes the decision.

    ``roles`` are the buying-center roles they play; ``spending_authority`` is
    how much they may commit on their own, in ``currency``.
    """

    person: Person
    roles: frozenset[BuyingRole] = attrs.field(default=frozenset(), converter=_buying_roles)
    spending_authority: Decimal | None = None
    currency: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.instance("person", self.person, Person)
        check.members("roles", self.roles, BuyingRole)
        check.decimal(
            "spending_authority",
            self.spending_authority,
            optional=True,
            non_negative=True,
            money=True,
        )
        if self.spending_authority is None:
            if self.currency is not None:
                check.add("currency", "is only meaningful with a spending_authority")
        else:
            check.currency("currency", self.currency)
        check.done("Purchaser")


@attrs.frozen(slots=True)
class User:
    """A person who interacts with the product, with what we know of their usage."""

    person: Person
    sessions: int = 0
    last_active: datetime | None = attrs.field(default=None, eq=instant_key)
    features_used: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.instance("person", self.person, Person)
        check.integer("sessions", self.sessions, minimum=0)
        check.aware("last_active", self.last_active, optional=True)
        check.tags("features_used", self.features_used)
        check.done("User")


def _purchasers(value: Iterable[Purchaser]) -> tuple[Purchaser, ...]:
    return to_tuple(value)


def _users(value: Iterable[User]) -> tuple[User, ...]:
    return to_tuple(value)


def _purchases(value: Iterable[Purchase]) -> tuple[Purchase, ...]:
    return to_tuple(value)


def _check_totals(check: Checker, purchases: tuple[Purchase, ...]) -> None:
    """Each currency's total stays below 10**29, as each amount does.

    SQL's ``DECIMAL(38, 9)`` then holds a customer's total spend (the records'
    ``total_spend``): what the model accepts, records and SQL take too.
    """
    from customer_model.model._money import EXACT, ZERO

    totals: dict[str, Decimal] = {}
    for p in purchases:
        totals[p.currency] = EXACT.add(totals.get(p.currency, ZERO), p.amount)
    for code, amount in sorted(totals.items()):
        if amount >= MONEY_LIMIT:
            check.add(
                "purchases",
                f"the {code} amounts must add up to less than 10**{MONEY_INTEGER_DIGITS} "
                "(a total spend fits SQL's DECIMAL(38, 9))",
            )


@attrs.frozen(slots=True)
class Customer:
    """A party that pays for or acquires the product.

    Invariants checked on construction: at least one purchaser; nobody listed
    twice in the same role; a person listed in both roles is the same
    :class:`Person` in both; an ``INDIVIDUAL`` has exactly one purchaser;
    industry is only for organizations.  ``intermediary`` is ``None`` for an
    end customer.  ``size`` is head count: household members or employees.
    ``name`` is treated as personal data (for individuals and households it
    names people).
    """

    id: str
    kind: CustomerKind = attrs.field(converter=_kind)
    purchasers: tuple[Purchaser, ...] = attrs.field(converter=_purchasers, repr=short_items)
    users: tuple[User, ...] = attrs.field(default=(), converter=_users, repr=short_items)
    name: str | None = personal(default=None)
    intermediary: IntermediaryRole | None = attrs.field(default=None, converter=_intermediary)
    location: Location | None = None
    industry: str | None = None
    size: int | None = None
    interests: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    preferences: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    lifestyle: frozenset[str] = attrs.field(default=frozenset(), converter=_strings)
    purchases: tuple[Purchase, ...] = attrs.field(
        default=(), converter=_purchases, repr=short_items
    )

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.member("kind", self.kind, CustomerKind, values=True)
        check.text("name", self.name, optional=True)
        check.member(
            "intermediary", self.intermediary, IntermediaryRole, optional=True, values=True
        )
        check.instance("location", self.location, Location, optional=True)
        check.text("industry", self.industry, optional=True)
        check.integer("size", self.size, optional=True, minimum=1)
        check.tags("interests", self.interests)
        check.tags("preferences", self.preferences)
        check.tags("lifestyle", self.lifestyle)
        if check.items("purchases", self.purchases, Purchase) and len(self.purchases) > 1:
            _check_totals(check, self.purchases)
        buyers_ok = check.items("purchasers", self.purchasers, Purchaser)
        users_ok = check.items("users", self.users, User)
        if buyers_ok and not self.purchasers:
            check.add("purchasers", "a customer needs at least one purchaser")
        if buyers_ok and self.kind is CustomerKind.INDIVIDUAL and len(self.purchasers) > 1:
            check.add("purchasers", "an individual customer has exactly one purchaser")
        if self.industry is not None and self.kind is not CustomerKind.ORGANIZATION:
            check.add("industry", "only organizations have an industry")
        if buyers_ok:
            for pid in duplicates(p.person.id for p in self.purchasers):
                check.add("purchasers", f"person {pid!r} is listed more than once")
        if users_ok:
            for pid in duplicates(u.person.id for u in self.users):
                check.add("users", f"person {pid!r} is listed more than once")
        if buyers_ok and users_ok:
            as_buyer = {p.person.id: p.person for p in self.purchasers}
            for i, u in enumerate(self.users):
                other = as_buyer.get(u.person.id)
                if other is not None and other != u.person:
                    check.add(
                        ("users", i, "person"),
                        "differs from the purchaser with the same person id",
                    )
        check.done("Customer")

    @cached_property
    def purchaser_ids(self) -> frozenset[str]:
        """Ids of the people who buy for this customer."""
        return frozenset(p.person.id for p in self.purchasers)

    @cached_property
    def user_ids(self) -> frozenset[str]:
        """Ids of the people who use the product for this customer."""
        return frozenset(u.person.id for u in self.users)

    @property
    def people(self) -> tuple[Person, ...]:
        """Everyone around this customer, purchasers first, each once."""
        seen: dict[str, Person] = {}
        for p in self.purchasers:
            seen.setdefault(p.person.id, p.person)
        for u in self.users:
            seen.setdefault(u.person.id, u.person)
        return tuple(seen.values())

    @property
    def is_intermediary(self) -> bool:
        """Whether this customer resells, distributes or buys on behalf of others."""
        return self.intermediary is not None

    def _repr_html_(self) -> str:
        # No personal data: ids, kind, role split and aggregates only.
        from customer_model._display import html_table, money

        revenue = money(self.revenue())
        rows = [
            ("kind", self.kind.value),
            ("intermediary", self.intermediary.value if self.intermediary else "no (end customer)"),
            ("purchasers", len(self.purchasers)),
            ("users", len(self.users)),
            ("buy and use", len(self.purchaser_ids & self.user_ids)),
            ("role split", RoleSplit.of(self.purchaser_ids, self.user_ids).value),
            ("purchases", len(self.purchases)),
            ("revenue", revenue or "none"),
        ]
        return html_table(f"Customer {self.id}", ["", ""], rows)

    def revenue(self, *, until: datetime | None = None) -> dict[str, Decimal]:
        """Total purchase amount per currency (currencies never mix silently).

        Sums are exact whatever the decimal context.  With *until*, only
        purchases made at or before that moment count.
        """
        from customer_model.model._money import EXACT, ZERO

        if until is not None:
            check = Checker()
            check.aware("until", until)
            check.done("Customer.revenue")
            until = instant(until)  # not the wall clock of a zone the purchases share
        totals: dict[str, Decimal] = {}
        for p in self.purchases:
            if until is None or p.at <= until:
                totals[p.currency] = EXACT.add(totals.get(p.currency, ZERO), p.amount)
        return dict(sorted(totals.items()))


def customer_index(
    check: Checker, customers: object, *, ordered: bool = False
) -> dict[str, Customer]:
    """Customers (an iterable, or a mapping by id) keyed by id; problems go to *check*.

    A mapping's keys must be its customers' ids: under another key a
    customer would be found by neither.  With *ordered* (the result has a
    row per customer, in the order given) a set is refused.
    """
    values: object = customers.values() if isinstance(customers, Mapping) else customers
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        check.add("customers", not_an_iterable("Customer", customers, "customers"))
        return {}
    if ordered and isinstance(values, AbstractSet):
        check.add("customers", not_a_list(values))
        return {}
    keys = list(customers) if isinstance(customers, Mapping) else None
    index: dict[str, Customer] = {}
    again: dict[str, int] = {}
    for i, customer in enumerate(values):
        if not isinstance(customer, Customer):
            check.add(("customers", i), f"must be a Customer, not {type_name(customer)}")
        elif keys is not None and keys[i] != customer.id:
            check.add(("customers", i), "must be under its own id in the mapping")
        elif customer.id in index:
            again.setdefault(customer.id, i)
        else:
            index[customer.id] = customer
    check.repeated_ids("customers", again)
    return index
