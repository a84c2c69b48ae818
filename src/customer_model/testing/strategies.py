"""Hypothesis strategies that build valid, realistic customer-model values.

Every value these strategies produce satisfies every invariant of the model
and round-trips through JSON.  Needs the ``testing`` extra (hypothesis).

Arguments are checked when a strategy is built, not when a test first draws
from it (hypothesis' own strategies check lazily, on first use; these check
at once so the error points at the line that built them).  A bad one raises
hypothesis' :class:`~hypothesis.errors.InvalidArgument`, which is also a
:class:`~customer_model.ValidationError` whose problems name each bad argument
and the rule it breaks (never its value), so either ``except`` catches it.

>>> from hypothesis.errors import InvalidArgument
>>> try:
...     customers(id="c-1")
... except InvalidArgument as error:
...     print(error.problems[0])
$.id: must be a hypothesis strategy (such as st.just(...)) or None, not str
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs

try:
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a subprocess
    raise ModuleNotFoundError(
        "customer_model.testing's strategies need hypothesis: "
        "pip install 'customer-model[testing]'",
        name=missing.name,
    ) from missing

from customer_model.errors import ValidationError
from customer_model.model._money import EXACT
from customer_model.model._rule_fields import FIELDS, Kind
from customer_model.model._validation import (
    MONEY_INTEGER_DIGITS,
    MONEY_LIMIT,
    MONEY_PLACES,
    Checker,
    is_aware,
    type_name,
)
from customer_model.model.customers import (
    BuyingRole,
    Customer,
    CustomerKind,
    IntermediaryRole,
    Purchase,
    Purchaser,
    Role,
    RoleSplit,
    User,
)
from customer_model.model.dataset import Dataset
from customer_model.model.feedback import Channel, FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.people import Gender, Location, Person
from customer_model.model.personas import Persona
from customer_model.model.rules import NODES, Part, Rule, parts
from customer_model.model.segments import Segment, SegmentBasis
from customer_model.model.surveys import SurveyMeasure, SurveyResponse
from customer_model.testing import _time

__all__ = [
    "aware_datetimes",
    "customers",
    "datasets",
    "feedback_items",
    "identifiers",
    "locations",
    "persons",
    "personas",
    "purchasers",
    "purchases",
    "rules",
    "segments",
    "survey_responses",
    "users",
]

_FIRST = ["Ana", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jon", "Kai", "Lea"]
_LAST = ["Meyer", "Okafor", "Silva", "Tanaka", "Novak", "Haddad", "Berg", "Rossi", "Kowalski"]
_COUNTRIES = ["DE", "FR", "US", "GB", "JP", "BR", "IN", "NG", "SE", "ES"]
_CITIES = ["Berlin", "Lyon", "Austin", "Leeds", "Osaka", "Recife", "Pune", "Lagos", "Malmo"]
_CURRENCIES = ["EUR", "USD", "GBP"]
_INTERESTS = ["cycling", "cooking", "gaming", "gardening", "travel", "music", "reading", "golf"]
_INDUSTRIES = ["software", "retail", "healthcare", "logistics", "education", "finance"]
_FEATURES = ["export", "search", "dashboard", "sso", "api", "billing", "reports", "mobile"]
_THEMES = ["onboarding", "pricing", "performance", "export", "sso", "mobile-app", "reporting"]
_OFFSETS = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5, minutes=-30))]

#: The window most generated timestamps fall in.
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
HORIZON = datetime(2030, 1, 1, tzinfo=UTC)


class _ArgumentError(ValidationError, InvalidArgument):
    """A bad argument to a strategy: hypothesis' error, with the library's problems."""


def _done(check: Checker, strategy: str) -> None:
    if check.problems:
        raise _ArgumentError(check.problems, f"arguments of {strategy}()")


def _strategy(check: Checker, name: str, value: object) -> None:
    if value is not None and not isinstance(value, st.SearchStrategy):
        check.add(
            name,
            f"must be a hypothesis strategy (such as st.just(...)) or None, not {type_name(value)}",
        )


def _window(
    check: Checker, since: object, until: object, names: tuple[str, str] = ("since", "until")
) -> None:
    """Two aware datetimes in order (compared as instants, so any zones may mix)."""
    check.aware(names[0], since)
    check.aware(names[1], until)
    if not (_aware(since) and _aware(until)):
        return  # reported just above
    assert isinstance(since, datetime)
    assert isinstance(until, datetime)
    if _time.utc(since) > _time.utc(until):
        check.add(names[1], f"must not be earlier than {names[0]}")


def _aware(value: object) -> bool:
    return isinstance(value, datetime) and is_aware(value)


def _optional_currency(check: Checker, value: object) -> None:
    if value is not None:
        check.currency("currency", value)


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Non-empty ids of letters, digits and dashes, optionally with a prefix."""
    check = Checker()
    if check.text("prefix", prefix, allow_empty=True) and prefix[:1].isspace():
        check.add("prefix", "must not start with white space: ids cannot")
    _done(check, "identifiers")
    return st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10).map(
        lambda s: prefix + s
    )


def aware_datetimes(
    min_value: datetime = EPOCH, max_value: datetime = HORIZON
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes between two aware bounds, in a few UTC offsets.

    Any aware bounds work, up to the first and last microsecond of the
    calendar: a time that one of the usual offsets would push out of years
    1 to 9999 is given in UTC or in the offset of one of the bounds instead.
    """
    check = Checker()
    _window(check, min_value, max_value, ("min_value", "max_value"))
    _done(check, "aware_datetimes")
    low = _time.utc(min_value)
    span = _time.utc(max_value) - low  # exact: a float of microseconds is not, past 2**53
    fallbacks = [
        (zone, _offset(zone))
        for zone in (UTC, timezone(_aware_offset(min_value)), timezone(_aware_offset(max_value)))
    ]

    origin = _time.at(low, UTC) if _time.fits(low) else None

    def place(micros: int, zone: timezone) -> datetime:
        if origin is not None:  # the usual case, and the fastest way
            try:
                return (origin + timedelta(microseconds=micros)).astimezone(zone)
            except OverflowError:
                pass
        instant = low + micros
        wall = instant + _OFFSET_MICROS[zone]
        if _time.fits(wall):
            return _time.at(wall, zone)
        # Near the ends of the calendar: one of the bounds' own offsets always fits,
        # since the instant lies between them and offsets are less than a day.
        for other, offset in fallbacks:  # pragma: no branch
            if _time.fits(instant + offset):
                return _time.at(instant + offset, other)
        raise AssertionError("unreachable: a bound's offset always fits")  # pragma: no cover

    return st.builds(place, st.integers(0, span), st.sampled_from(_OFFSETS))


def _aware_offset(value: datetime) -> timedelta:
    offset = value.utcoffset()
    assert offset is not None  # checked aware
    return offset


def _offset(zone: timezone) -> int:
    return _aware_offset(datetime(2000, 1, 1, tzinfo=zone)) // _time.MICROSECOND


_OFFSET_MICROS = {zone: _offset(zone) for zone in _OFFSETS}


def locations() -> st.SearchStrategy[Location]:
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
_BIRTH_DATES = st.none() | st.dates(date(1940, 1, 1), date(2004, 12, 31))
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


def _buyer_for(draw: st.DrawFn, person: Person) -> Purchaser:
    authority = draw(_AUTHORITIES)
    return Purchaser(
        person,
        roles=draw(_BUYING_ROLES),
        spending_authority=authority[0] if authority else None,
        currency=authority[1] if authority else None,
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
    return _persons(id if id is not None else _PERSON_IDS)


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
    return _purchases(currency, since, until, amounts)


@functools.cache  # checked arguments only: all hashable
def _purchases(
    currency: str | None,
    since: datetime,
    until: datetime,
    amounts: st.SearchStrategy[Decimal] | None = None,
) -> st.SearchStrategy[Purchase]:
    return st.builds(
        Purchase,
        amount=_AMOUNTS if amounts is None else amounts,
        currency=st.just(currency) if currency is not None else st.sampled_from(_CURRENCIES),
        at=aware_datetimes(since, until),
    )


_ANY_PERSON = persons()


def purchasers(person: st.SearchStrategy[Person] | None = None) -> st.SearchStrategy[Purchaser]:
    """A purchaser, with buying-center roles and sometimes a spending authority."""
    check = Checker()
    _strategy(check, "person", person)
    _done(check, "purchasers")
    return _purchasers(person if person is not None else _ANY_PERSON)


@st.composite
def _purchasers(draw: st.DrawFn, people: st.SearchStrategy[Person]) -> Purchaser:
    return _buyer_for(draw, draw(people))


def users(person: st.SearchStrategy[Person] | None = None) -> st.SearchStrategy[User]:
    """A user with some usage."""
    check = Checker()
    _strategy(check, "person", person)
    _done(check, "users")
    return _users(person if person is not None else _ANY_PERSON)


@st.composite
def _users(draw: st.DrawFn, people: st.SearchStrategy[Person]) -> User:
    return _user_for(draw, draw(people))


# The parts of a customer, built once (see _NAMES above).
_KINDS = st.sampled_from(CustomerKind)
_SPLITS = st.sampled_from(RoleSplit)
_SURNAMES = st.none() | st.sampled_from(_LAST)
_INTERMEDIARIES = st.none() | st.sampled_from(IntermediaryRole)
_INDUSTRY = st.none() | st.sampled_from(_INDUSTRIES)
_ORGANIZATION_SIZE = st.none() | st.integers(1, 5000)
_HOUSEHOLD_SIZE = st.none() | st.integers(1, 8)
_INTEREST_SETS = st.frozensets(st.sampled_from(_INTERESTS), max_size=3)
_PREFERENCE_SETS = st.frozensets(st.sampled_from(["email", "sms", "eco"]), max_size=2)
_LIFESTYLE_SETS = st.frozensets(st.sampled_from(["urban", "rural", "family"]), max_size=2)


def _people(draw: st.DrawFn, customer_id: str, n: int) -> list[Person]:
    return [_person(draw, f"{customer_id}-p{i}") for i in range(n)]


def customers(
    *,
    kind: CustomerKind | None = None,
    split: RoleSplit | None = None,
    id: st.SearchStrategy[str] | None = None,
    currency: str | None = None,
    max_purchases: int = 5,
    amounts: st.SearchStrategy[Decimal] | None = None,
) -> st.SearchStrategy[Customer]:
    """A valid customer; ``kind`` and ``split`` pin its kind and role split.

    People get ids derived from the customer id, so customers drawn with
    distinct ids never share a person.  Without *currency*, each purchase
    has its own (so totals are often in mixed currencies); *amounts* are as
    in :func:`purchases`.
    """
    check = Checker()
    check.member("kind", kind, CustomerKind, optional=True)
    check.member("split", split, RoleSplit, optional=True)
    _strategy(check, "id", id)
    _optional_currency(check, currency)
    check.integer("max_purchases", max_purchases, minimum=0)
    _strategy(check, "amounts", amounts)
    _done(check, "customers")
    return _customers(
        kind=kind,
        split=split,
        ids=id if id is not None else _CUSTOMER_IDS,
        bought=st.lists(_purchases(currency, EPOCH, HORIZON, amounts), max_size=max_purchases),
    )


@st.composite
def _customers(
    draw: st.DrawFn,
    *,
    kind: CustomerKind | None,
    split: RoleSplit | None,
    ids: st.SearchStrategy[str],
    bought: st.SearchStrategy[list[Purchase]],
) -> Customer:
    cid = draw(ids)
    kind = kind if kind is not None else draw(_KINDS)
    if split is None:
        split = draw(_SPLITS)
    solo = kind is CustomerKind.INDIVIDUAL
    n_buyers = 1 if solo else draw(st.integers(1, 3))
    if split is RoleSplit.SAME:
        people = _people(draw, cid, n_buyers)
        buyers, user_people = people, people
    elif split is RoleSplit.DISJOINT:
        n_users = draw(st.integers(0, 3))
        people = _people(draw, cid, n_buyers + n_users)
        buyers, user_people = people[:n_buyers], people[n_buyers:]
    else:
        # At least one person in both roles and at least one in only one role.
        n_only_users = draw(st.integers(1 if solo or n_buyers == 1 else 0, 3))
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
        purchasers=[_buyer_for(draw, p) for p in buyers],
        users=[_user_for(draw, p) for p in user_people],
        name=None if surname is None else f"{surname} {kind.value}",
        intermediary=draw(_INTERMEDIARIES) if organization else None,
        location=draw(_LOCATIONS),
        industry=draw(_INDUSTRY) if organization else None,
        size=draw(_ORGANIZATION_SIZE if organization else _HOUSEHOLD_SIZE),
        interests=draw(_INTEREST_SETS),
        preferences=draw(_PREFERENCE_SETS),
        lifestyle=draw(_LIFESTYLE_SETS),
        purchases=_within_limit(draw(bought)),
    )


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


_FEEDBACK_IDS = identifiers("f-")
_SEGMENT_IDS = identifiers("s-")
_RESPONSE_IDS = identifiers("r-")
_THEME_CHOICES = st.sampled_from(_THEMES)


def _customer(check: Checker, value: object) -> None:
    check.instance("customer", value, Customer, optional=True)


def feedback_items(
    *,
    customer: Customer | None = None,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
    themes: Iterable[str] = _THEMES,
    id: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[FeedbackItem]:
    """A feedback item; given a *customer*, it comes from one of its people (or nobody).

    *themes* is any non-empty collection of theme keys (read once, here; a
    set is sorted, so that the draws do not depend on string hashing).
    """
    check = Checker()
    _customer(check, customer)
    _window(check, since, until)
    chosen = _theme_keys(check, themes)
    _strategy(check, "id", id)
    _done(check, "feedback_items")
    return _feedback_items(
        customer=customer,
        times=aware_datetimes(since, until),
        themes=_THEME_CHOICES if themes is _THEMES else st.sampled_from(chosen),
        ids=id if id is not None else _FEEDBACK_IDS,
    )


def _theme_keys(check: Checker, themes: object) -> tuple[str, ...]:
    if isinstance(themes, str | bytes | Mapping) or not isinstance(themes, Iterable):
        check.add("themes", f"must be a collection of theme keys, not {type_name(themes)}")
        return ()
    keys = tuple(themes)
    if isinstance(themes, AbstractSet) and all(isinstance(key, str) for key in keys):
        # A set's order changes with PYTHONHASHSEED; sorted, a seed (or a failing
        # example hypothesis saved) draws the same themes in every process.
        keys = tuple(sorted(keys))
    if not keys:
        check.add("themes", "must not be empty: every item needs a theme")
    for i, key in enumerate(keys):
        check.ident(("themes", i), key)
    return keys


@st.composite
def _feedback_items(
    draw: st.DrawFn,
    *,
    customer: Customer | None,
    times: st.SearchStrategy[datetime],
    themes: st.SearchStrategy[str],
    ids: st.SearchStrategy[str],
) -> FeedbackItem:
    return _feedback_item(draw, customer, times, themes, draw(ids))


def _someone(draw: st.DrawFn, customer: Customer | None) -> tuple[str, str | None]:
    """A customer id and one of its people's ids or None (anonymous), which it shrinks to."""
    if customer is None:
        return draw(_CUSTOMER_IDS), draw(_AUTHOR_IDS)
    people = tuple(p.id for p in customer.people)
    return customer.id, draw(st.sampled_from(people)) if draw(_FLAGS) else None


_KINDS_OF_FEEDBACK = st.sampled_from(FeedbackKind)
_NEEDS = st.none() | st.sampled_from(Need)
_IMPORTANCES = st.none() | st.sampled_from(Importance)
_CHANNELS = st.sampled_from(Channel)
_FEEDBACK_TEXTS = st.text(max_size=40)


def _feedback_item(
    draw: st.DrawFn,
    customer: Customer | None,
    times: st.SearchStrategy[datetime],
    themes: st.SearchStrategy[str],
    item_id: str,
) -> FeedbackItem:
    # A plain function, not a strategy: datasets call it for every item, and a
    # strategy built per item would be validated per item.
    customer_id, author_id = _someone(draw, customer)
    return FeedbackItem(
        id=item_id,
        customer_id=customer_id,
        author_id=author_id,
        theme=draw(themes),
        kind=draw(_KINDS_OF_FEEDBACK),
        need=draw(_NEEDS),
        importance=draw(_IMPORTANCES),
        channel=draw(_CHANNELS),
        text=draw(_FEEDBACK_TEXTS),
        created_at=draw(times),
    )


def survey_responses(
    *,
    customer: Customer | None = None,
    measure: SurveyMeasure | None = None,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
    id: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[SurveyResponse]:
    """A survey answer on its measure's scale; given a *customer*, from one of its people."""
    check = Checker()
    _customer(check, customer)
    check.member("measure", measure, SurveyMeasure, optional=True)
    _window(check, since, until)
    _strategy(check, "id", id)
    _done(check, "survey_responses")
    return _survey_responses(
        customer=customer,
        measure=measure,
        times=aware_datetimes(since, until),
        ids=id if id is not None else _RESPONSE_IDS,
    )


@st.composite
def _survey_responses(
    draw: st.DrawFn,
    *,
    customer: Customer | None,
    measure: SurveyMeasure | None,
    times: st.SearchStrategy[datetime],
    ids: st.SearchStrategy[str],
) -> SurveyResponse:
    return _survey_response(draw, customer, measure, times, draw(ids))


_MEASURES = st.sampled_from(SurveyMeasure)


def _survey_response(
    draw: st.DrawFn,
    customer: Customer | None,
    measure: SurveyMeasure | None,
    times: st.SearchStrategy[datetime],
    response_id: str,
) -> SurveyResponse:
    customer_id, respondent = _someone(draw, customer)
    chosen = measure if measure is not None else draw(_MEASURES)
    low, high = chosen.scale
    return SurveyResponse(
        id=response_id,
        customer_id=customer_id,
        respondent_id=respondent,
        measure=chosen,
        score=draw(st.integers(low, high)),
        at=draw(times),
    )


def personas(segment_id: st.SearchStrategy[str | None] | None = None) -> st.SearchStrategy[Persona]:
    """Personas; *segment_id* is a strategy for the segment each belongs to (none by default)."""
    check = Checker()
    _strategy(check, "segment_id", segment_id)
    _done(check, "personas")
    return _personas(segment_id if segment_id is not None else st.none())


def _personas(segment_id: st.SearchStrategy[str | None]) -> st.SearchStrategy[Persona]:
    return st.builds(
        Persona,
        identifiers("persona-"),
        st.sampled_from(["Budget-minded Bea", "Power-user Pat", "Procurement Priya", "New Ned"]),
        st.sampled_from(Role),
        goals=st.lists(st.sampled_from(["save time", "cut cost", "scale up"]), max_size=2),
        pain_points=st.lists(st.sampled_from(["slow exports", "price", "setup"]), max_size=2),
        needs=st.frozensets(st.sampled_from(Need), max_size=3),
        segment_id=segment_id,
    )


def datasets(
    *,
    customers: st.SearchStrategy[Customer] | None = None,
    currency: str | None = None,
    max_customers: int = 4,
    feedback_per_customer: int = 3,
    responses_per_customer: int = 2,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
) -> st.SearchStrategy[Dataset]:
    """A consistent dataset: unique ids, feedback and answers only from its own customers.

    Each customer gets up to *feedback_per_customer* feedback items and up to
    *responses_per_customer* survey responses.  With *currency*, every
    purchase is in that one currency, so :func:`~customer_model.prioritize`'s
    default policy (which converts nothing) accepts the revenue; without it,
    customers often pay in several currencies.  *currency* shapes the
    default customers, so it does not go with *customers*.
    """
    check = Checker()
    _strategy(check, "customers", customers)
    _optional_currency(check, currency)
    if currency is not None and customers is not None:
        check.add("currency", "is for the default customers; pass it to customers() instead")
    check.integer("max_customers", max_customers, minimum=1)
    check.integer("feedback_per_customer", feedback_per_customer, minimum=0)
    check.integer("responses_per_customer", responses_per_customer, minimum=0)
    _window(check, since, until)
    _done(check, "datasets")
    return _datasets(
        base=(
            customers.map(_drawn_customer)
            if customers is not None
            else _ANY_CUSTOMER
            if currency is None
            else _customers_in(currency)
        ),
        max_customers=max_customers,
        feedback_per_customer=feedback_per_customer,
        responses_per_customer=responses_per_customer,
        times=aware_datetimes(since, until),
    )


def _drawn_customer(value: object) -> Customer:
    """*value*, drawn from the caller's ``customers`` strategy, if it is a Customer."""
    if not isinstance(value, Customer):
        check = Checker()
        check.add(
            "customers", f"must be a strategy of Customer values, but drew a {type_name(value)}"
        )
        _done(check, "datasets")
    assert isinstance(value, Customer)
    return value


_DATASET_SEGMENTS = st.lists(
    st.builds(Segment, _SEGMENT_IDS, st.sampled_from(["Key accounts", "Families"])),
    max_size=2,
    unique_by=lambda s: s.id,
)
_DATASET_PERSONAS = st.lists(_personas(st.none()), max_size=2, unique_by=lambda p: p.id)


@st.composite
def _datasets(
    draw: st.DrawFn,
    *,
    base: st.SearchStrategy[Customer],
    max_customers: int,
    feedback_per_customer: int,
    responses_per_customer: int,
    times: st.SearchStrategy[datetime],
) -> Dataset:
    cs = draw(st.lists(base, min_size=1, max_size=max_customers, unique_by=lambda c: c.id))
    feedback: list[FeedbackItem] = []
    for c in cs:
        n = draw(st.integers(0, feedback_per_customer))
        for j in range(n):
            feedback.append(_feedback_item(draw, c, times, _THEME_CHOICES, f"f-{c.id}-{j}"))
    responses: list[SurveyResponse] = []
    for c in cs:
        for j in range(draw(st.integers(0, responses_per_customer))):
            responses.append(_survey_response(draw, c, None, times, f"r-{c.id}-{j}"))
    segments = draw(_DATASET_SEGMENTS)
    segment_ids = tuple(s.id for s in segments)
    ps: list[Persona] = []
    for persona in draw(_DATASET_PERSONAS):
        # A persona belongs to one of the dataset's segments, or (shrinking to) none.
        in_segment: bool = bool(segment_ids) and draw(_FLAGS)
        if in_segment:
            ps.append(attrs.evolve(persona, segment_id=draw(st.sampled_from(segment_ids))))
        else:
            ps.append(persona)
    return Dataset(cs, feedback, personas=ps, segments=segments, responses=responses)


# -- segment rules -----------------------------------------------------------------

#: Text that tries to break out of SQL string literals.
_HOSTILE = ["'", "''", "\\", "\\'", "; DROP TABLE t; --", "/* x */", "%", "_", ",", "a,b", "\n"]
_SPEND = st.integers(0, 2_000_000).map(lambda cents: Decimal(cents).scaleb(-2))
_WINDOWS = st.integers(1, 3 * 365 * 86_400).map(lambda s: timedelta(seconds=s))


def _texts(realistic: Sequence[str]) -> st.SearchStrategy[str]:
    """Mostly realistic values, sometimes hostile or arbitrary text."""
    return st.one_of(
        st.sampled_from(list(realistic)),
        st.sampled_from(_HOSTILE),
        st.text(max_size=6),
    )


def _tags(realistic: Sequence[str]) -> st.SearchStrategy[str]:
    return _texts(realistic).filter(lambda s: bool(s.strip()))


def _field_values(name: str) -> st.SearchStrategy[Any]:
    spec = FIELDS[name]
    if spec.kind is Kind.ENUM:
        assert spec.enum is not None
        return st.sampled_from(list(spec.enum))
    if spec.kind is Kind.INT:
        return st.integers(-1, 60) if name == "size" else st.integers(0, 6)
    if spec.kind is Kind.SCORE:
        return st.integers(0, 5)
    if spec.kind is Kind.DECIMAL:
        return _SPEND
    if spec.kind is Kind.DATETIME:
        return aware_datetimes()
    realistic = {
        "country": _COUNTRIES,
        "region": ["North", "South", "Bavaria", "Texas"],
        "industry": _INDUSTRIES,
        "currency": _CURRENCIES,
        "interests": _INTERESTS,
        "preferences": ["email", "sms", "eco"],
        "lifestyle": ["urban", "rural", "family"],
        "features_used": _FEATURES,
    }[name]
    return _tags(realistic) if spec.kind is Kind.SET else _texts(realistic)


#: The node types that test one field (the others combine rules or read nothing).
_CONDITIONS = [node for node in NODES if any(part is Part.FIELD for _, part in parts(node))]


@st.composite
def _leaf(draw: st.DrawFn, fields: Sequence[str]) -> Rule:
    """A condition on one field, built from its node type's parts.

    The node type is drawn first, so every kind of condition is as likely as
    any other (``Compare``'s six operators do not crowd out the rest).
    """
    node = draw(st.sampled_from(_CONDITIONS))
    op = draw(st.sampled_from(list(node.ops)))
    name = draw(st.sampled_from([f for f in fields if FIELDS[f].kind in node.ops[op]]))
    values = _field_values(name)
    shape = parts(node)
    ends = sorted((draw(values), draw(values))) if (Part.LOW in dict(shape).values()) else []
    drawn: dict[Part, Callable[[], object]] = {
        Part.OP: lambda: op,
        Part.FIELD: lambda: name,
        Part.VALUE: lambda: draw(values),
        Part.LOW: lambda: ends[0],
        Part.HIGH: lambda: ends[-1],
        Part.VALUES: lambda: draw(st.lists(values, min_size=1, max_size=4)),
        Part.WINDOW: lambda: draw(_WINDOWS),
    }
    return node(**{attr: drawn[part]() for attr, part in shape})


def _combined(inner: st.SearchStrategy[Rule]) -> st.SearchStrategy[Rule]:
    """The node types that combine rules, over the rules of *inner*."""
    options: list[st.SearchStrategy[Rule]] = []
    for node in NODES:
        shape = [part for _, part in parts(node)]
        if shape == [Part.RULES]:
            options.append(st.lists(inner, min_size=1, max_size=3).map(node))
        elif shape == [Part.RULE]:
            options.append(inner.map(node))
    return st.one_of(options)


def rules(*, rfm: bool = False, max_leaves: int = 6) -> st.SearchStrategy[Rule]:
    """Valid segment rules of every node type over every rule field, nested.

    Values mix realistic ones (so rules match generated customers) with
    hostile text (quotes, comment markers, separators).  RFM fields appear
    only with ``rfm=True``, since running them needs RFM scores.  Rules with
    time windows need an ``as_of`` to run.  The node types come from
    :data:`customer_model.model.rules.NODES`.
    """
    check = Checker()
    check.boolean("rfm", rfm)
    check.integer("max_leaves", max_leaves, minimum=1)
    _done(check, "rules")
    fields = [name for name, spec in FIELDS.items() if rfm or not spec.rfm]
    constants = [st.just(node()) for node in NODES if not parts(node)]
    return st.recursive(st.one_of(_leaf(fields), *constants), _combined, max_leaves=max_leaves)


def segments(
    *, rule: st.SearchStrategy[Rule] | None = None, rfm: bool = False
) -> st.SearchStrategy[Segment]:
    """Valid segments whose rules come from :func:`rules` (or *rule*)."""
    check = Checker()
    _strategy(check, "rule", rule)
    check.boolean("rfm", rfm)
    _done(check, "segments")
    return st.builds(
        Segment,
        _SEGMENT_IDS,
        st.sampled_from(["Key accounts", "Families", "Golfers", "Lapsed", "Big spenders"]),
        rule if rule is not None else rules(rfm=rfm),
        basis=st.none() | st.sampled_from(SegmentBasis),
        description=st.none() | st.just("generated"),
    )
