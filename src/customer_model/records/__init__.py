"""Flat records for data tools: one dict of JSON scalars per row.

Ready for ``pandas.DataFrame(records)``, polars, or a DuckDB or warehouse
table.  Column names are stable and listed in :data:`CUSTOMER_COLUMNS` and
friends (the docs page *Records* describes each one).  The encodings:

* datetimes: ISO 8601 text in UTC with microseconds and offset,
  ``2024-05-01T12:00:00.000000+00:00`` (fixed width, so text order is time order);
* dates: ``YYYY-MM-DD``;
* money (:class:`~decimal.Decimal`): exact decimal text in plain notation, ``"120.50"``;
  the model keeps every amount and every customer's ``total_spend`` within SQL's
  ``DECIMAL(38, 9)`` (at most 29 integer digits and 9 decimal places), so
  :mod:`customer_model.sql` compares it exactly;
* enums: their string value;
* sets of tags: escaped tags (``%`` → ``%25``, ``,`` → ``%2C``), sorted by
  code point and joined with ``,``; the empty set is ``""``;
* a missing value: ``None``.

Identity data (names, contact details, birth dates, gender, a person's
location, a customer's city, feedback text) is left out unless the caller
passes ``include_personal=True``; those columns then come last.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Literal, TypeVar

from customer_model.errors import ValidationError
from customer_model.model._rule_fields import (
    currency_of,
    encode_set,
    features_used,
    first_purchase_at,
    iso,
    last_active_at,
    last_purchase_at,
    plain_decimal,
    total_spend,
)
from customer_model.model._validation import Checker, checked_items, first_repeats
from customer_model.model.customers import Customer, customer_index
from customer_model.model.feedback import FeedbackItem
from customer_model.model.people import Person
from customer_model.model.rfm import RFMScore, check_scores
from customer_model.model.segments import Segment
from customer_model.records._arrow import to_arrow
from customer_model.roles import roles_of

__all__ = [
    "COLUMN_TYPES",
    "CUSTOMER_COLUMNS",
    "FEEDBACK_COLUMNS",
    "PERSONAL_CUSTOMER_COLUMNS",
    "PERSONAL_FEEDBACK_COLUMNS",
    "PERSONAL_PERSON_COLUMNS",
    "PURCHASER_COLUMNS",
    "PURCHASE_COLUMNS",
    "Record",
    "USER_COLUMNS",
    "feedback_records",
    "purchase_records",
    "purchaser_records",
    "to_arrow",
    "to_records",
    "user_records",
]

T = TypeVar("T")

#: One row: column name to a JSON scalar.
Record = dict[str, str | int | float | bool | None]

#: The columns of :func:`to_records` for customers, in order (no personal data).
CUSTOMER_COLUMNS = (
    "id",
    "kind",
    "intermediary",
    "country",
    "region",
    "industry",
    "size",
    "interests",
    "preferences",
    "lifestyle",
    "purchase_count",
    "currency",
    "total_spend",
    "first_purchase_at",
    "last_purchase_at",
    "last_active_at",
    "features_used",
    "user_count",
    "purchaser_count",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_code",
)
#: The customer columns that hold personal data, added only when asked for.
PERSONAL_CUSTOMER_COLUMNS = ("name", "city")
#: The columns of :func:`user_records`, one row per user of a customer.
USER_COLUMNS = (
    "customer_id",
    "person_id",
    "sessions",
    "last_active_at",
    "features_used",
    "is_purchaser",
)
#: The columns of :func:`purchaser_records`, one row per purchaser of a customer.
PURCHASER_COLUMNS = (
    "customer_id",
    "person_id",
    "roles",
    "spending_authority",
    "currency",
    "is_user",
)
#: The person columns (of users and purchasers) that hold personal data, added only when asked for.
PERSONAL_PERSON_COLUMNS = (
    "name",
    "email",
    "phone",
    "birth_date",
    "gender",
    "country",
    "region",
    "city",
)
#: The columns of :func:`purchase_records`, one row per purchase.
PURCHASE_COLUMNS = ("customer_id", "amount", "currency", "at")
#: The columns of :func:`feedback_records`, in order (no personal data).
FEEDBACK_COLUMNS = (
    "id",
    "customer_id",
    "author_id",
    "theme",
    "kind",
    "need",
    "importance",
    "importance_level",
    "channel",
    "created_at",
    "author_role",
    "customer_kind",
    "segments",
)
#: The feedback columns that hold personal data (free text), added only when asked for.
PERSONAL_FEEDBACK_COLUMNS = ("text",)

#: What a column holds, for typing a table or a data frame (see below).
ColumnType = Literal["text", "tags", "integer", "boolean", "decimal", "datetime", "date"]

_INTEGERS = (
    "size",
    "purchase_count",
    "user_count",
    "purchaser_count",
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "sessions",
    "importance_level",
)
_TYPED: dict[str, ColumnType] = {
    **dict.fromkeys(_INTEGERS, "integer"),
    **dict.fromkeys(
        ("interests", "preferences", "lifestyle", "features_used", "roles", "segments"), "tags"
    ),
    **dict.fromkeys(("is_purchaser", "is_user"), "boolean"),
    **dict.fromkeys(("total_spend", "spending_authority", "amount"), "decimal"),
    **dict.fromkeys(
        ("first_purchase_at", "last_purchase_at", "last_active_at", "at", "created_at"),
        "datetime",
    ),
    "birth_date": "date",
}

#: The type of every column of every kind of record, by name (a name means the
#: same thing in every kind of record).  A list of dicts carries no types, so a
#: data tool guesses them from the values: an empty list gives no columns at
#: all, and a column that is ``None`` in every row gets a null type.  Declare
#: the columns with their types instead (the *Records* docs page shows how for
#: pandas, polars and DuckDB).  Values stay encoded as described above:
#: ``decimal`` is exact decimal text, ``datetime`` ISO 8601 UTC text, ``date``
#: ``YYYY-MM-DD`` text and ``tags`` an escaped, comma-joined tag set.
COLUMN_TYPES: Mapping[str, ColumnType] = MappingProxyType(
    {
        name: _TYPED.get(name, "text")
        for name in (
            *CUSTOMER_COLUMNS,
            *PERSONAL_CUSTOMER_COLUMNS,
            *USER_COLUMNS,
            *PURCHASER_COLUMNS,
            *PERSONAL_PERSON_COLUMNS,
            *PURCHASE_COLUMNS,
            *FEEDBACK_COLUMNS,
            *PERSONAL_FEEDBACK_COLUMNS,
        )
    }
)


def _checked(values: object, cls: type[T], what: str) -> tuple[T, ...]:
    return checked_items(values, cls, what)


def _customers(check: Checker, customers: object) -> tuple[Customer, ...]:
    """*customers* as :func:`~customer_model.prioritize` takes them; problems go to *check*.

    An iterable or a mapping by id (each customer under its own id), each id
    once; not a set, since the records follow the order given.
    """
    return tuple(customer_index(check, customers, ordered=True).values())


def _population(customers: object, include_personal: object) -> tuple[Customer, ...]:
    check = Checker()
    check.boolean("include_personal", include_personal)
    population = _customers(check, customers)
    check.done("records")
    return population


def _iso(value: object) -> str | None:
    return None if value is None else iso(value)  # type: ignore[arg-type]


def to_records(
    customers: Iterable[Customer] | Mapping[str, Customer],
    *,
    include_personal: bool = False,
    rfm: Mapping[str, RFMScore] | None = None,
) -> list[Record]:
    """One record per customer, columns :data:`CUSTOMER_COLUMNS` in that order.

    *customers* is an iterable or a mapping by id, as :func:`~customer_model.prioritize`
    takes them (so are the customers of the other record functions): each id
    once, each customer of a mapping under its own id.

    The columns are the segment rule fields (so :mod:`customer_model.sql`
    can run a segment over them) plus ``rfm_code``.  ``rfm_*`` columns are
    ``None`` unless *rfm* (from :func:`~customer_model.rfm_scores`) is given;
    they stay ``None`` for a customer *rfm* has no score for.

    Every customer the model accepts has a record: its total spend fits
    SQL's ``DECIMAL(38, 9)`` and its times fall within years 1 to 9999 in UTC
    (the model checks both), so a segment selects the same customers in SQL
    as in Python.
    """
    check = Checker()
    check.boolean("include_personal", include_personal)
    if rfm is not None:
        check_scores(check, rfm)
    population = _customers(check, customers)
    check.done("records")
    out: list[Record] = []
    for c in population:
        spend = total_spend(c)
        loc = c.location
        score = rfm.get(c.id) if rfm is not None else None
        row: Record = {
            "id": c.id,
            "kind": c.kind.value,
            "intermediary": None if c.intermediary is None else c.intermediary.value,
            "country": None if loc is None else loc.country,
            "region": None if loc is None else loc.region,
            "industry": c.industry,
            "size": c.size,
            "interests": encode_set(c.interests),
            "preferences": encode_set(c.preferences),
            "lifestyle": encode_set(c.lifestyle),
            "purchase_count": len(c.purchases),
            "currency": currency_of(c),
            "total_spend": None if spend is None else plain_decimal(spend),
            "first_purchase_at": _iso(first_purchase_at(c)),
            "last_purchase_at": _iso(last_purchase_at(c)),
            "last_active_at": _iso(last_active_at(c)),
            "features_used": encode_set(features_used(c)),
            "user_count": len(c.users),
            "purchaser_count": len(c.purchasers),
            "rfm_recency": None if score is None else score.recency,
            "rfm_frequency": None if score is None else score.frequency,
            "rfm_monetary": None if score is None else score.monetary,
            "rfm_code": None if score is None else score.code,
        }
        if include_personal:
            row["name"] = c.name
            row["city"] = None if loc is None else loc.city
        out.append(row)
    return out


def _person(person: Person) -> Record:
    loc = person.location
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "birth_date": None if person.birth_date is None else person.birth_date.isoformat(),
        "gender": None if person.gender is None else person.gender.value,
        "country": None if loc is None else loc.country,
        "region": None if loc is None else loc.region,
        "city": None if loc is None else loc.city,
    }


def user_records(
    customers: Iterable[Customer] | Mapping[str, Customer], *, include_personal: bool = False
) -> list[Record]:
    """One record per user of each customer, columns :data:`USER_COLUMNS`."""
    out: list[Record] = []
    for c in _population(customers, include_personal):
        for u in c.users:
            row: Record = {
                "customer_id": c.id,
                "person_id": u.person.id,
                "sessions": u.sessions,
                "last_active_at": _iso(u.last_active),
                "features_used": encode_set(u.features_used),
                "is_purchaser": u.person.id in c.purchaser_ids,
            }
            if include_personal:
                row.update(_person(u.person))
            out.append(row)
    return out


def purchaser_records(
    customers: Iterable[Customer] | Mapping[str, Customer], *, include_personal: bool = False
) -> list[Record]:
    """One record per purchaser of each customer, columns :data:`PURCHASER_COLUMNS`."""
    out: list[Record] = []
    for c in _population(customers, include_personal):
        for p in c.purchasers:
            authority = p.spending_authority
            row: Record = {
                "customer_id": c.id,
                "person_id": p.person.id,
                "roles": encode_set(frozenset(r.value for r in p.roles)),
                "spending_authority": None if authority is None else plain_decimal(authority),
                "currency": p.currency,
                "is_user": p.person.id in c.user_ids,
            }
            if include_personal:
                row.update(_person(p.person))
            out.append(row)
    return out


def purchase_records(customers: Iterable[Customer] | Mapping[str, Customer]) -> list[Record]:
    """One record per purchase, columns :data:`PURCHASE_COLUMNS` (no personal data)."""
    out: list[Record] = []
    for c in _population(customers, False):
        out.extend(
            {
                "customer_id": c.id,
                "amount": plain_decimal(p.amount),
                "currency": p.currency,
                "at": iso(p.at),
            }
            for p in c.purchases
        )
    return out


def feedback_records(
    items: Iterable[FeedbackItem],
    customers: Iterable[Customer] | Mapping[str, Customer] | None = None,
    *,
    segments: Iterable[Segment] | None = None,
    as_of: datetime | None = None,
    include_personal: bool = False,
) -> list[Record]:
    """One record per feedback item, columns :data:`FEEDBACK_COLUMNS`.

    ``importance_level`` is 0 (not important) to 3 (critical), ``None`` when
    unstated.  The free ``text`` may hold personal data, so it is a personal
    column.

    With *customers*, each item says who spoke: ``author_role`` is
    ``purchaser`` (buys, does not use), ``user`` (uses, does not buy),
    ``both``, ``unlisted`` (named, but the customer lists them in neither
    role) or ``anonymous``, and ``customer_kind`` is the customer's kind;
    every item's customer must be among *customers*, and each item's id
    is given once (a repeated one would multiply a join's rows).  With *segments* too,
    ``segments`` is the tag set of the ids of the segments the customer
    belongs to (*as_of* and RFM as in :meth:`~customer_model.Segment.members`).
    Without them those columns are ``None``.
    """
    check = Checker()
    check.boolean("include_personal", include_personal)
    check.aware("as_of", as_of, optional=True)  # even when no segment reads it
    check.done("records")
    found = _checked(items, FeedbackItem, "items")
    # One row per item: a repeated id would multiply the rows of any join on it.
    check.repeated_ids("items", first_repeats(f.id for f in found))
    check.done("records")
    by_id: dict[str, Customer] | None = None
    member_of: dict[str, list[str]] = {}
    if segments is not None and customers is None:
        raise ValidationError.single("segments", "need customers to match", "records")
    if customers is not None:
        check = Checker()
        by_id = customer_index(check, customers)
        check.done("records")
        population = tuple(by_id.values())
        for i, f in enumerate(found):
            if f.customer_id not in by_id:
                check.add(("items", i, "customer_id"), "refers to no customer in customers")
        check.done("records")
        if segments is not None:
            chosen = _checked(segments, Segment, "segments")
            check = Checker()  # two segments of one id would merge into one tag
            seen: set[str] = set()
            for i, segment in enumerate(chosen):
                if segment.id in seen:
                    check.add(("segments", i), f"id {segment.id!r} is used more than once")
                seen.add(segment.id)
            check.done("records")
            for i, segment in enumerate(chosen):
                try:
                    members = segment.members(population, as_of=as_of)
                except ValidationError as e:  # a window without as_of: said of this segment
                    raise ValidationError(e.under(("segments", i)).problems, "records") from None
                for c in members:
                    member_of.setdefault(c.id, []).append(segment.id)
    out: list[Record] = []
    for f in found:
        row: Record = {
            "id": f.id,
            "customer_id": f.customer_id,
            "author_id": f.author_id,
            "theme": f.theme,
            "kind": f.kind.value,
            "need": None if f.need is None else f.need.value,
            "importance": None if f.importance is None else f.importance.value,
            "importance_level": None if f.importance is None else f.importance.level,
            "channel": f.channel.value,
            "created_at": iso(f.created_at),
            "author_role": None,
            "customer_kind": None,
            "segments": None,
        }
        if by_id is not None:
            customer = by_id[f.customer_id]
            row["author_role"] = _author_role(customer, f.author_id)
            row["customer_kind"] = customer.kind.value
            if segments is not None:
                row["segments"] = encode_set(frozenset(member_of.get(customer.id, ())))
        if include_personal:
            row["text"] = f.text
        out.append(row)
    return out


def _author_role(customer: Customer, author_id: str | None) -> str:
    """The author's place with their customer, as :class:`~customer_model.VoiceRole` values."""
    if author_id is None:
        return "anonymous"
    roles = roles_of(customer, author_id)
    if len(roles) == 2:
        return "both"
    if not roles:
        return "unlisted"
    return next(iter(roles)).value
