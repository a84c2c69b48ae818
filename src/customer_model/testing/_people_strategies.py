"""Strategies for people and customers: persons, purchases, purchasers, users, customers."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal

from hypothesis import strategies as st

from customer_model.model._money import EXACT, MONEY_INTEGER_DIGITS, MONEY_LIMIT, MONEY_PLACES
from customer_model.model._validation import Checker, exact_member
from customer_model.model.customers import (
    BuyingRole,
    Customer,
    CustomerKind,
    CustomerKindValue,
    IntermediaryRole,
    Purchase,
    Purchaser,
    RoleSplit,
    RoleSplitValue,
    User,
)
from customer_model.model.people import Gender, Location, Person
from customer_model.testing._basics import (
    EPOCH,
    HORIZON,
    _done,
    _drawing,
    _optional_currency,
    _strategy,
    _window,
    aware_datetimes,
    identifiers,
)
from customer_model.testing._vocabulary import (
    _CITIES,
    _COUNTRIES,
    _CURRENCIES,
    _FEATURES,
    _FIRST,
    _INDUSTRIES,
    _INTERESTS,
    _LAST,
    _LIFESTYLES,
    _PREFERENCES,
)

__all__ = ["customers", "locations", "persons", "purchasers", "purchases", "users"]


def locations() -> st.SearchStrategy[Location]:
    """A location from a short list of real countries, regions and cities, any part unset.

    >>> from hypothesis import find
    >>> find(locations(), lambda place: place.city is not None).city
    'Austin'
    """
    return st.builds(
        Location,
        country=st.none() | st.sampled_from(_COUNTRIES),
        region=st.none() | st.sampled_from(["North", "South", "Bavaria", "Texas"]),
        city=st.none() | st.sampled_from(_CITIES),
    )


# Strategies built once: hypothesis validates each new strategy object on first
# use, so building them inside a draw would cost more than the draw itself.
_NAMES = st.tuples(st.sampled_from(_FIRST), st.sampled_from(_LAST))
_FLAGS = st.booleans()
_PHONES = st.none() | st.integers(10**7, 10**12 - 1).map(lambda n: f"+{n}")
#: Everyone is 18 by 2019-12-31, the first day of the default window in any of
#: the offsets (EPOCH at -05:30), so no purchaser is a minor when purchases fall.
_BIRTH_DATES = st.none() | st.dates(date(1940, 1, 1), date(2001, 12, 31))
_GENDERS = st.none() | st.sampled_from(Gender)
_LOCATIONS = st.none() | locations()
_BUYING_ROLES = st.frozensets(st.sampled_from(BuyingRole), max_size=3)
_AUTHORITIES = st.none() | st.tuples(
    st.integers(0, 100_000).map(Decimal), st.sampled_from(_CURRENCIES)
)
_SESSIONS = st.integers(0, 500)
_LAST_ACTIVE = st.none() | aware_datetimes()
_FEATURE_SETS = st.frozensets(st.sampled_from(_FEATURES), max_size=4)


def _person(draw: st.DrawFn, pid: str) -> Person:
    first, last = draw(_NAMES)
    return Person(
        pid,
        name=f"{first} {last}" if draw(_FLAGS) else None,
        email=f"{first.lower()}.{last.lower()}@example.com" if draw(_FLAGS) else None,
        phone=draw(_PHONES),
        birth_date=draw(_BIRTH_DATES),
        gender=draw(_GENDERS),
        location=draw(_LOCATIONS),
    )


def _buyer_for(draw: st.DrawFn, person: Person, currency: str | None = None) -> Purchaser:
    """A purchaser; a spending authority, if any, in *currency* when one is given."""
    authority = draw(_AUTHORITIES)
    return Purchaser(
        person,
        roles=draw(_BUYING_ROLES),
        spending_authority=authority[0] if authority else None,
        currency=(currency or authority[1]) if authority else None,
    )


def _user_for(draw: st.DrawFn, person: Person) -> User:
    return User(
        person,
        sessions=draw(_SESSIONS),
        last_active=draw(_LAST_ACTIVE),
        features_used=draw(_FEATURE_SETS),
    )


_PERSON_IDS = identifiers("p-")
_CUSTOMER_IDS = identifiers("c-")
_AUTHOR_IDS = st.none() | _PERSON_IDS


def persons(id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Person]:
    """A person with some (or none) of their identity data filled in."""
    check = Checker()
    _strategy(check, "id", id)
    _done(check, "persons")
    return _persons(_PERSON_IDS if id is None else _drawing(id, "id", "persons", str))


@st.composite
def _persons(draw: st.DrawFn, ids: st.SearchStrategy[str]) -> Person:
    return _person(draw, draw(ids))


#: Mostly prices in cents; sometimes amounts as large and as precise as money
#: may be (29 integer digits, 9 decimal places: what SQL's DECIMAL(38, 9)
#: holds).  Built from text, so exact.
_CENTS = st.integers(0, 5_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
_AMOUNTS = st.one_of(
    _CENTS,  # three times: one_of picks a branch uniformly, so mostly cents
    _CENTS,
    _CENTS,
    st.builds(
        lambda digits, places: Decimal(f"{digits}E-{places}"),
        st.integers(0, 10**MONEY_INTEGER_DIGITS - 1),
        st.integers(0, MONEY_PLACES),
    ),
)


def purchases(
    currency: str | None = None,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
    *,
    amounts: st.SearchStrategy[Decimal] | None = None,
) -> st.SearchStrategy[Purchase]:
    """Purchases, mostly with two-place amounts, sometimes very precise or very large.

    The very large (29 integer digits) and very precise (9 decimal places)
    amounts are there to find bugs; every one is a valid amount.  Pass
    *amounts* (say ``st.decimals(0, 10_000, places=2)``) for the amounts your
    code expects.
    """
    check = Checker()
    _optional_currency(check, currency)
    _window(check, since, until)
    _strategy(check, "amounts", amounts)
    _done(check, "purchases")
    return _purchases(currency, since, until, amounts, "purchases")


# Checked arguments only: all hashable.  Bounded: each call with a new *amounts*
# strategy is a new key, and an unbounded cache would keep every one alive.
@functools.lru_cache(maxsize=64)
def _purchases(
    currency: str | None,
    since: datetime,
    until: datetime,
    amounts: st.SearchStrategy[Decimal] | None,
    caller: str,
) -> st.SearchStrategy[Purchase]:
    return st.builds(
        Purchase,
        amount=_AMOUNTS if amounts is None else _drawing(amounts, "amounts", caller, Decimal),
        currency=st.just(currency) if currency is not None else st.sampled_from(_CURRENCIES),
        at=aware_datetimes(since, until),
    )


_ANY_PERSON = persons()


def purchasers(person: st.SearchStrategy[Person] | None = None) -> st.SearchStrategy[Purchaser]:
    """A purchaser, with buying-center roles and sometimes a spending authority."""
    check = Checker()
    _strategy(check, "person", person)
    _done(check, "purchasers")
    return _purchasers(
        _ANY_PERSON if person is None else _drawing(person, "person", "purchasers", Person)
    )


@st.composite
def _purchasers(draw: st.DrawFn, people: st.SearchStrategy[Person]) -> Purchaser:
    return _buyer_for(draw, draw(people))


def users(person: st.SearchStrategy[Person] | None = None) -> st.SearchStrategy[User]:
    """A user with some usage."""
    check = Checker()
    _strategy(check, "person", person)
    _done(check, "users")
    return _users(_ANY_PERSON if person is None else _drawing(person, "person", "users", Person))


@st.composite
def _users(draw: st.DrawFn, people: st.SearchStrategy[Person]) -> User:
    return _user_for(draw, draw(people))


# The parts of a customer, built once (see _NAMES above).
_KINDS = st.sampled_from(CustomerKind)
_GROUP_KINDS = st.sampled_from([k for k in CustomerKind if k is not CustomerKind.INDIVIDUAL])
_SPLITS = st.sampled_from(RoleSplit)
#: An individual is one person: who buys uses, or buys without using.
_SOLO_SPLITS = st.sampled_from([RoleSplit.SAME, RoleSplit.DISJOINT])
_SURNAMES = st.none() | st.sampled_from(_LAST)
_INTERMEDIARIES = st.none() | st.sampled_from(IntermediaryRole)
_INDUSTRY = st.none() | st.sampled_from(_INDUSTRIES)
_MOST_IN_HOUSEHOLD = 8
_MOST_IN_ORGANIZATION = 5000
_INTEREST_SETS = st.frozensets(st.sampled_from(_INTERESTS), max_size=3)
_PREFERENCE_SETS = st.frozensets(st.sampled_from(_PREFERENCES), max_size=2)
_LIFESTYLE_SETS = st.frozensets(st.sampled_from(_LIFESTYLES), max_size=2)


def _people(draw: st.DrawFn, customer_id: str, n: int) -> list[Person]:
    return [_person(draw, f"{customer_id}-p{i}") for i in range(n)]


def customers(
    *,
    kind: CustomerKind | CustomerKindValue | None = None,
    split: RoleSplit | RoleSplitValue | None = None,
    id: st.SearchStrategy[str] | None = None,
    currency: str | None = None,
    max_purchases: int = 5,
    amounts: st.SearchStrategy[Decimal] | None = None,
) -> st.SearchStrategy[Customer]:
    """A valid customer; ``kind`` and ``split`` pin its kind and role split.

    *kind* and *split* may be given by their values (``"household"``,
    ``"disjoint"``).  An individual is one person, who buys and uses
    (``"same"``) or buys without using (``"disjoint"``); it cannot be
    ``"overlapping"``.

    People get ids derived from the customer id, so customers drawn with
    distinct ids never share a person.  With *currency*, every purchase and
    every spending authority is in it; without, each has its own (so totals
    are often in mixed currencies).  *amounts* are as in :func:`purchases`.

    >>> from hypothesis import find
    >>> from customer_model import role_split
    >>> household = find(customers(kind="household", split="disjoint"), lambda c: c.users)
    >>> household.kind.value, role_split(household).value
    ('household', 'disjoint')
    """
    kind = exact_member(CustomerKind, kind)
    split = exact_member(RoleSplit, split)
    check = Checker()
    check.member("kind", kind, CustomerKind, optional=True, values=True)
    check.member("split", split, RoleSplit, optional=True, values=True)
    if kind is CustomerKind.INDIVIDUAL and split is RoleSplit.OVERLAPPING:
        check.add("split", "cannot be 'overlapping' for an individual, who is one person")
    _strategy(check, "id", id)
    _optional_currency(check, currency)
    check.integer("max_purchases", max_purchases, minimum=0)
    _strategy(check, "amounts", amounts)
    _done(check, "customers")
    return _customers(
        kind=kind,
        split=split,
        ids=_CUSTOMER_IDS if id is None else _drawing(id, "id", "customers", str),
        currency=currency,
        bought=st.lists(
            _purchases(currency, EPOCH, HORIZON, amounts, "customers"), max_size=max_purchases
        ),
    )


@st.composite
def _customers(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None,
    split: RoleSplit | None,
    ids: st.SearchStrategy[str],
    currency: str | None,
    bought: st.SearchStrategy[list[Purchase]],
) -> Customer:
    cid = draw(ids)
    if kind is None:  # an individual, one person, cannot overlap
        kind = draw(_GROUP_KINDS if split is RoleSplit.OVERLAPPING else _KINDS)
    solo = kind is CustomerKind.INDIVIDUAL
    if split is None:
        split = draw(_SOLO_SPLITS if solo else _SPLITS)
    n_buyers = 1 if solo else draw(st.integers(1, 3))
    if split is RoleSplit.SAME:
        people = _people(draw, cid, n_buyers)
        buyers, user_people = people, people
    elif split is RoleSplit.DISJOINT:
        n_users = 0 if solo else draw(st.integers(0, 3))
        people = _people(draw, cid, n_buyers + n_users)
        buyers, user_people = people[:n_buyers], people[n_buyers:]
    else:
        # At least one person in both roles and at least one in only one role.
        n_only_users = draw(st.integers(1 if n_buyers == 1 else 0, 3))
        people = _people(draw, cid, n_buyers + n_only_users)
        buyers = people[:n_buyers]
        shared = (
            draw(st.integers(1, n_buyers)) if n_only_users else draw(st.integers(1, n_buyers - 1))
        )
        user_people = buyers[:shared] + people[n_buyers:]
    organization = kind is CustomerKind.ORGANIZATION
    surname = draw(_SURNAMES)
    return Customer(
        cid,
        kind,
        purchasers=[_buyer_for(draw, p, currency) for p in buyers],
        users=[_user_for(draw, p) for p in user_people],
        name=None if surname is None else f"{surname} {kind.value}",
        intermediary=draw(_INTERMEDIARIES) if organization else None,
        location=draw(_LOCATIONS),
        industry=draw(_INDUSTRY) if organization else None,
        size=draw(_sizes(kind, len(people))),
        interests=draw(_INTEREST_SETS),
        preferences=draw(_PREFERENCE_SETS),
        lifestyle=draw(_LIFESTYLE_SETS),
        purchases=_within_limit(draw(bought)),
    )


def _sizes(kind: CustomerKind, people: int) -> st.SearchStrategy[int | None]:
    """A head count that holds everyone the customer lists, or none given.

    An individual is one person; a household or an organization has at
    least as many members as it lists purchasers and users.
    """
    if kind is CustomerKind.INDIVIDUAL:
        return st.sampled_from((None, 1))
    most = _MOST_IN_ORGANIZATION if kind is CustomerKind.ORGANIZATION else _MOST_IN_HOUSEHOLD
    return st.none() | st.integers(people, max(people, most))


def _within_limit(purchases: list[Purchase]) -> list[Purchase]:
    """The purchases in order, leaving out any that would take its currency's
    total to 10**29 (a customer's total spend must fit SQL's DECIMAL(38, 9))."""
    totals: dict[str, Decimal] = {}
    kept = []
    for p in purchases:
        total = EXACT.add(totals.get(p.currency, Decimal(0)), p.amount)
        if total < MONEY_LIMIT:
            totals[p.currency] = total
            kept.append(p)
    return kept


_ANY_CUSTOMER = customers()


def _customers_in(currency: str) -> st.SearchStrategy[Customer]:
    """Default customers paying only in *currency* (``datasets`` shadows the name ``customers``)."""
    return customers(currency=currency)
