"""The catalogue of customer attributes that segment rules, records and SQL share.

One table says, for each rule field: what type its values have, how to read it
from a :class:`~customer_model.Customer` (as a Python expression, so a rule
compiles into one plain function), which record column holds it, whether it can
be missing, and whether it needs an ``as_of`` time or RFM scores.  Keeping the
three views in one place is what makes Python and SQL agree.

Only non-identifying attributes are here: a segment never looks at names,
contact details or a person's location.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from customer_model.model._moments import instant
from customer_model.model._money import EXACT, ZERO, decimal_places, total
from customer_model.model.customers import CustomerKind, IntermediaryRole

if TYPE_CHECKING:
    from customer_model.model.customers import Customer

__all__ = [
    "FIELDS",
    "FieldSpec",
    "Kind",
    "currency_of",
    "encode_set",
    "features_used",
    "first_purchase_at",
    "iso",
    "last_active_at",
    "last_purchase_at",
    "fits_sql_decimal",
    "plain_decimal",
    "sql_decimal_text",
    "total_spend",
]


class Kind(enum.Enum):
    """The value type of a rule field, which decides the comparisons it allows."""

    ENUM = "enum"
    TEXT = "text"
    INT = "int"
    DECIMAL = "decimal"
    DATETIME = "datetime"
    SET = "set"
    SCORE = "score"


#: Comparisons allowed per kind (besides missing/present, allowed on every field).
ORDERED = frozenset({Kind.INT, Kind.DECIMAL, Kind.DATETIME, Kind.SCORE})
EQUATABLE = frozenset({Kind.ENUM, Kind.TEXT, Kind.INT, Kind.DECIMAL, Kind.DATETIME, Kind.SCORE})


@attrs.frozen
class FieldSpec:
    """One rule field: its value type, its Python reader and its record column."""

    name: str
    kind: Kind
    #: Python expression over the customer ``c`` (helpers are in the namespace).
    expr: str
    column: str
    nullable: bool
    description: str
    enum: type[enum.Enum] | None = None
    #: RFM fields need scores computed over a population at an ``as_of``.
    rfm: bool = False
    #: A text field holding a code (``"country"``, ``"currency"``): another value never matches.
    code: str | None = None


# -- derived behaviour (also used by records) ------------------------------------


def total_spend(c: Customer) -> Decimal | None:
    """Sum of all purchase amounts (exact); 0 without purchases; ``None`` if currencies mix."""
    purchases = c.purchases
    if not purchases:
        return ZERO
    currency = purchases[0].currency
    if any(p.currency != currency for p in purchases):
        return None
    return total(p.amount for p in purchases)


def currency_of(c: Customer) -> str | None:
    """The one currency of all purchases; ``None`` without purchases or if they mix."""
    purchases = c.purchases
    if not purchases:
        return None
    currency = purchases[0].currency
    for p in purchases:
        if p.currency != currency:
            return None
    return currency


def first_purchase_at(c: Customer) -> datetime | None:
    """The first purchase's time, as an instant (see :func:`instant`), as are the next two."""
    return min((instant(p.at) for p in c.purchases), default=None)


def last_purchase_at(c: Customer) -> datetime | None:
    return max((instant(p.at) for p in c.purchases), default=None)


def last_active_at(c: Customer) -> datetime | None:
    """The most recent ``last_active`` of the customer's users."""
    return max((instant(u.last_active) for u in c.users if u.last_active is not None), default=None)


def features_used(c: Customer) -> frozenset[str]:
    """Every feature any of the customer's users used."""
    users = c.users
    if not users:
        return frozenset()
    if len(users) == 1:
        return users[0].features_used
    return frozenset().union(*(u.features_used for u in users))


# -- encodings shared by records and SQL -----------------------------------------


def iso(value: datetime) -> str:
    """A datetime as fixed-width ISO 8601 in UTC, so text order is time order.

    Every time a model holds fits (the model checks that UTC can hold it).
    """
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def plain_decimal(value: Decimal) -> str:
    """A decimal in plain notation (never an exponent), exactly."""
    return format(value, "f")


#: SQL compares spend as DECIMAL(38, 9): 29 integer digits and 9 decimal places.
SQL_DECIMAL_PLACES = 9
SQL_DECIMAL_LIMIT = Decimal("1E+29")


def sql_decimal_text(value: Decimal) -> str:
    """Plain text of an amount that :func:`fits_sql_decimal`, with at most 9 decimal places.

    Only trailing zeros are dropped (the value is unchanged): an engine types a
    literal by its digits, and more than 38 of them would make it a float.
    """
    if decimal_places(value) > SQL_DECIMAL_PLACES:
        value = value.quantize(Decimal(1).scaleb(-SQL_DECIMAL_PLACES), context=EXACT)
    return plain_decimal(value)


def fits_sql_decimal(value: Decimal) -> bool:
    """Whether DECIMAL(38, 9) holds *value* exactly (trailing zeros do not count).

    Only exact operations: comparisons and the digit tuple, so the caller's
    decimal context (its precision, its traps) cannot change the answer.
    """
    if not value.is_finite() or value.copy_abs() >= SQL_DECIMAL_LIMIT:
        return False
    if value.is_zero():
        return True
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    places = -exponent
    for digit in reversed(digits):
        if places <= SQL_DECIMAL_PLACES or digit != 0:
            break
        places -= 1
    return places <= SQL_DECIMAL_PLACES


def encode_tag(tag: str) -> str:
    """Escape the separator: ``%`` becomes ``%25`` and ``,`` becomes ``%2C``."""
    return tag.replace("%", "%25").replace(",", "%2C")


def encode_set(values: frozenset[str]) -> str:
    """A set of tags as one string: escaped tags, sorted, joined with commas."""
    return ",".join(sorted(encode_tag(v) for v in values))


# -- the catalogue ----------------------------------------------------------------


def _f(
    name: str,
    kind: Kind,
    expr: str,
    description: str,
    *,
    nullable: bool = True,
    enum: type[enum.Enum] | None = None,
    rfm: bool = False,
    code: str | None = None,
) -> FieldSpec:
    return FieldSpec(name, kind, expr, name, nullable, description, enum, rfm, code)


_LOC = "(c.location.{0} if c.location is not None else None)"

FIELDS: MappingProxyType[str, FieldSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            _f(
                "kind",
                Kind.ENUM,
                "c.kind",
                "individual, household or organization",
                nullable=False,
                enum=CustomerKind,
            ),
            _f(
                "intermediary",
                Kind.ENUM,
                "c.intermediary",
                "intermediary role; missing for an end customer",
                enum=IntermediaryRole,
            ),
            _f(
                "country",
                Kind.TEXT,
                _LOC.format("country"),
                "ISO 3166-1 alpha-2 country code",
                code="country",
            ),
            _f("region", Kind.TEXT, _LOC.format("region"), "region, free text"),
            _f("size", Kind.INT, "c.size", "head count: household members or employees"),
            _f("industry", Kind.TEXT, "c.industry", "industry of an organization"),
            _f("interests", Kind.SET, "c.interests", "interest tags", nullable=False),
            _f("preferences", Kind.SET, "c.preferences", "preference tags", nullable=False),
            _f("lifestyle", Kind.SET, "c.lifestyle", "lifestyle tags", nullable=False),
            _f(
                "purchase_count",
                Kind.INT,
                "len(c.purchases)",
                "number of purchases",
                nullable=False,
            ),
            _f(
                "total_spend",
                Kind.DECIMAL,
                "_total_spend(c)",
                "sum of purchase amounts; 0 without purchases; missing if currencies mix",
            ),
            _f(
                "currency",
                Kind.TEXT,
                "_currency_of(c)",
                "the one currency of all purchases; missing without purchases or if mixed",
                code="currency",
            ),
            _f(
                "first_purchase_at",
                Kind.DATETIME,
                "_first_purchase_at(c)",
                "time of the first purchase",
            ),
            _f(
                "last_purchase_at",
                Kind.DATETIME,
                "_last_purchase_at(c)",
                "time of the latest purchase",
            ),
            _f(
                "last_active_at",
                Kind.DATETIME,
                "_last_active_at(c)",
                "latest last_active of the customer's users",
            ),
            _f(
                "features_used",
                Kind.SET,
                "_features_used(c)",
                "features any user used",
                nullable=False,
            ),
            _f("user_count", Kind.INT, "len(c.users)", "number of users", nullable=False),
            _f(
                "purchaser_count",
                Kind.INT,
                "len(c.purchasers)",
                "number of purchasers",
                nullable=False,
            ),
            _f(
                "rfm_recency",
                Kind.SCORE,
                "_rfm_score(c).recency",
                "RFM recency score, 0-5",
                nullable=False,
                rfm=True,
            ),
            _f(
                "rfm_frequency",
                Kind.SCORE,
                "_rfm_score(c).frequency",
                "RFM frequency score, 0-5",
                nullable=False,
                rfm=True,
            ),
            _f(
                "rfm_monetary",
                Kind.SCORE,
                "_rfm_score(c).monetary",
                "RFM monetary score, 0-5",
                nullable=False,
                rfm=True,
            ),
        )
    }
)

#: Names the generated rule functions may use besides the customer ``c``.
HELPERS = MappingProxyType(
    {
        "_total_spend": total_spend,
        "_currency_of": currency_of,
        "_first_purchase_at": first_purchase_at,
        "_last_purchase_at": last_purchase_at,
        "_last_active_at": last_active_at,
        "_features_used": features_used,
    }
)
