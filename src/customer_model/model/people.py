"""People and where they are: the identity data of the model.

Everything identifying about a person lives on :class:`Person`, marked as
personal data, so it can be masked in output and erased on request while the
rest of the model (roles, purchases, feedback) stays usable.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Literal

import attrs

from customer_model.model._personal import personal
from customer_model.model._validation import Checker, exact_member

__all__ = ["Gender", "GenderValue", "Location", "Person"]


class Gender(enum.Enum):
    """Self-described gender; personal data like the rest of identity."""

    FEMALE = "female"
    MALE = "male"
    NON_BINARY = "non_binary"
    UNDISCLOSED = "undisclosed"


#: The values of :class:`Gender`, which constructors accept for its members.
GenderValue = Literal["female", "male", "non_binary", "undisclosed"]


def _gender(value: Gender | GenderValue | None) -> Gender | None:
    return value if value is None or type(value) is Gender else exact_member(Gender, value)


@attrs.frozen(slots=True)
class Location:
    """Where a person or customer is.

    ``country`` is an ISO 3166-1 alpha-2 code; only its shape (two upper-case
    letters) is checked, since the full code list would be a new runtime
    dependency.  Region and city are free text.  Country and region are
    coarse enough for segmentation; the city can single out a household, so it
    is personal data (masked in reprs, erased by :func:`~customer_model.redact`).
    """

    country: str | None = None
    region: str | None = None
    city: str | None = personal(default=None)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.country("country", self.country)
        check.text("region", self.region, optional=True)
        check.text("city", self.city, optional=True)
        check.done("Location")


@attrs.frozen(slots=True)
class Person:
    """A human being around the product: someone who buys, uses, or both.

    Name, email, phone, birth date, gender and location are personal data:
    they never appear in ``repr()`` or error messages, and
    :func:`customer_model.redact` erases them.
    """

    id: str
    name: str | None = personal(default=None)
    email: str | None = personal(default=None)
    phone: str | None = personal(default=None)
    birth_date: date | None = personal(default=None)
    gender: Gender | None = personal(default=None, converter=_gender)
    location: Location | None = personal(default=None)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.text("name", self.name, optional=True)
        check.email("email", self.email)
        check.phone("phone", self.phone)
        check.day("birth_date", self.birth_date, optional=True)
        check.member("gender", self.gender, Gender, optional=True, values=True)
        check.instance("location", self.location, Location, optional=True)
        check.done("Person")

    def age_on(self, day: date) -> int | None:
        """Age in whole years on *day*, or ``None`` when the birth date is unknown.

        Calendar arithmetic is dateutil's: someone born on 29 February turns a
        year older on 28 February in common years.  *day* must be a
        :class:`~datetime.date`; a :class:`~datetime.datetime` is refused,
        because its calendar day depends on a time zone only the caller knows
        (pass ``moment.astimezone(zone).date()``).  A *day* before the birth
        date gives a negative age.
        """
        check = Checker()
        check.day("day", day)
        check.done("Person.age_on input")
        if self.birth_date is None:
            return None
        from dateutil.relativedelta import relativedelta  # calendar-aware; loaded on use

        return relativedelta(day, self.birth_date).years
