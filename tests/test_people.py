from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import Gender, Location, Person, ValidationError
from customer_model.testing import persons


def test_minimal_person_needs_only_an_id() -> None:
    assert Person("p-1").name is None


@pytest.mark.parametrize(
    ("kwargs", "path", "message"),
    [
        ({"id": ""}, "$.id", "empty"),
        ({"id": " p"}, "$.id", "white space"),
        ({"id": 1}, "$.id", "must be a string, not int"),
        ({"id": "p", "email": "nope"}, "$.email", "email address"),
        ({"id": "p", "phone": "call me"}, "$.phone", "phone number"),
        ({"id": "p", "birth_date": datetime(2000, 1, 1)}, "$.birth_date", "not a datetime"),
        ({"id": "p", "name": "   "}, "$.name", "blank"),
        ({"id": "p", "gender": "f"}, "$.gender", "Gender"),
    ],
)
def test_invalid_person_names_the_field(kwargs: dict[str, object], path: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        Person(**kwargs)  # type: ignore[arg-type]
    assert info.value.paths == [path]
    assert message in str(info.value)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        Person("", email="x", phone="y")
    assert info.value.paths == ["$.id", "$.email", "$.phone"]


@pytest.mark.parametrize("code", ["de", "DEU", "D1", ""])
def test_country_must_be_alpha2(code: str) -> None:
    with pytest.raises(ValidationError, match=r"\$\.country"):
        Location(code)


def test_age_is_calendar_aware() -> None:
    assert Person("p", birth_date=date(2000, 6, 15)).age_on(date(2018, 6, 14)) == 17
    assert Person("p", birth_date=date(2000, 6, 15)).age_on(date(2018, 6, 15)) == 18
    # dateutil's convention: a 29 February birthday is reached on 28 February.
    leap = Person("p", birth_date=date(2008, 2, 29))
    assert leap.age_on(date(2026, 2, 27)) == 17
    assert leap.age_on(date(2026, 2, 28)) == 18
    assert Person("q").age_on(date(2026, 1, 1)) is None


@pytest.mark.parametrize("day", ["2020", None, 2020, datetime(2020, 1, 1)])
@pytest.mark.parametrize("birth_date", [date(2000, 6, 15), None])
def test_age_on_needs_a_date(day: object, birth_date: date | None) -> None:
    # "2020" used to raise TypeError and None to give 0 (or None, without a birth date).
    with pytest.raises(ValidationError) as info:
        Person("p", birth_date=birth_date).age_on(day)  # type: ignore[arg-type]
    assert info.value.paths == ["$.day"]


@given(persons(), st.dates(date(1900, 1, 1), date(2100, 1, 1)))
def test_age_never_negative_after_birth(person: Person, day: date) -> None:
    age = person.age_on(day)
    if age is not None and person.birth_date is not None and day >= person.birth_date:
        assert age >= 0


SECRETS: dict[str, Any] = {
    "name": "Zelda Quux",
    "email": "zelda@secret.example",
    "phone": "+4912345678",
}


def test_repr_and_errors_never_show_identity_data() -> None:
    person = Person("p", birth_date=date(1970, 5, 17), **SECRETS)
    text = repr(person) + str(person)
    for secret in [*SECRETS.values(), "1970"]:
        assert secret not in text
    with pytest.raises(ValidationError) as info:
        Person("p", name="Zelda Quux", email="zelda-at-secret", phone="Zelda's phone")
    for secret in ["Zelda", "secret"]:
        assert secret not in str(info.value)


@pytest.mark.parametrize(
    ("make", "path"),
    [
        (lambda: Location("DE\n"), "$.country"),
        (lambda: Person("p-1", email="ann@example.com\n"), "$.email"),
        (lambda: Person("p-1", phone="+49 30 1234567\n"), "$.phone"),
    ],
)
def test_a_code_with_a_trailing_newline_is_refused(make: object, path: str) -> None:
    # A regex "$" matches before a final newline; "DE\n" is not the country DE.
    with pytest.raises(ValidationError) as info:
        make()  # type: ignore[operator]
    assert info.value.paths == [path]


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"id": ""}, "$.id: must not be empty or blank"),
        ({"id": 1}, "$.id: must be a string, not int"),
        ({"id": "p", "name": 3}, "$.name: must be a string, not int"),
        ({"id": "p", "email": 3}, "$.email: must be a string, not int"),
        ({"id": "p", "phone": 3}, "$.phone: must be a string, not int"),
        (
            {"id": "p", "birth_date": "2000-01-01"},
            "$.birth_date: must be a date (not a datetime), not str",
        ),
        (
            {"id": "p", "gender": "f"},
            "$.gender: must be a Gender or one of its values: "
            "'female', 'male', 'non_binary', 'undisclosed'",
        ),
        ({"id": "p", "location": "DE"}, "$.location: must be a Location, not str"),
    ],
)
def test_a_person_refused_says_what_and_where(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(ValidationError) as info:
        Person(**kwargs)  # type: ignore[arg-type]
    assert info.value.subject == "Person"
    assert str(info.value) == f"invalid Person: {text}"


@pytest.mark.parametrize("gender", ["female", "male", "non_binary", "undisclosed"])
def test_a_gender_is_taken_by_its_value(gender: str) -> None:
    assert Person("p", gender=gender).gender is Gender(gender)  # type: ignore[arg-type]
    assert Person("p", gender=Gender(gender)).gender is Gender(gender)
    assert Person("p").gender is None


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"country": 3}, "$.country: must be a string, not int"),
        ({"region": " "}, "$.region: must not be empty or blank"),
        ({"region": 3}, "$.region: must be a string, not int"),
        ({"city": ""}, "$.city: must not be empty or blank"),
        ({"city": 3}, "$.city: must be a string, not int"),
    ],
)
def test_a_location_refused_says_what_and_where(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(ValidationError) as info:
        Location(**kwargs)  # type: ignore[arg-type]
    assert info.value.subject == "Location"
    assert str(info.value) == f"invalid Location: {text}"


def test_a_location_tells_every_field_wrong_and_never_the_city() -> None:
    with pytest.raises(ValidationError) as info:
        Location("de", region="\ud800", city="Quuxhausen\ud800")
    assert info.value.paths == ["$.country", "$.region", "$.city"]
    assert "Quuxhausen" not in str(info.value)
    place = Location("DE", region="Berlin", city="Quuxhausen")
    assert (place.country, place.region, place.city) == ("DE", "Berlin", "Quuxhausen")
    assert "Quuxhausen" not in repr(place)


def test_an_age_asked_on_no_date_says_so() -> None:
    with pytest.raises(ValidationError) as info:
        Person("p", birth_date=date(2000, 6, 15)).age_on("2020-01-01")  # type: ignore[arg-type]
    assert info.value.subject == "Person.age_on input"
    assert str(info.value) == (
        "invalid Person.age_on input: $.day: must be a date (not a datetime), not str"
    )
