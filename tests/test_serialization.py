from __future__ import annotations

import collections.abc
import json
import math
import tracemalloc
import typing
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import attrs
import cattrs
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from customer_model import (
    Backlog,
    Channel,
    Customer,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Location,
    Need,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    Segment,
    User,
    ValidationError,
    field,
    from_dict,
    from_json,
    prioritize,
    serialization,
    to_dict,
    to_json,
)
from customer_model.errors import format_path
from customer_model.examples import demo_dataset
from customer_model.frameworks import KanoCoefficients
from customer_model.serialization import as_validation_error, format_exception, make_converter
from customer_model.testing import (
    customers,
    datasets,
    feedback_items,
    locations,
    personas,
    persons,
    purchasers,
    purchases,
    users,
)


@pytest.mark.parametrize(
    ("strategy", "cls"),
    [
        (persons(), Person),
        (locations(), Location),
        (purchases(), Purchase),
        (purchasers(), Purchaser),
        (users(), User),
        (customers(), Customer),
        (feedback_items(), FeedbackItem),
        (personas(), Persona),
        (st.builds(Segment, st.just("s-1"), st.just("Key accounts")), Segment),
        (datasets(), Dataset),
    ],
)
@given(data=st.data())
def test_json_round_trip(
    strategy: st.SearchStrategy[Any], cls: type[Any], data: st.DataObject
) -> None:
    value = data.draw(strategy)
    text = to_json(value)
    assert from_json(text, cls) == value
    assert from_dict(to_dict(value), cls) == value
    # Stable: the same value always gives the same text.
    assert to_json(from_json(text, cls)) == text
    # The generated writer gives exactly the json module's text for the plain data.
    assert text == json.dumps(to_dict(value), ensure_ascii=False)
    assert to_json([value, value]) == json.dumps([to_dict(value)] * 2, ensure_ascii=False)


@given(st.lists(feedback_items(), max_size=5))
def test_lists_of_models_round_trip(items: list[FeedbackItem]) -> None:
    assert from_json(to_json(items), list[FeedbackItem]) == items
    assert from_json(to_json(items), tuple[FeedbackItem, ...]) == tuple(items)


@given(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, places=None).filter(
        lambda d: d.adjusted() < 29 and int(d.as_tuple().exponent) >= -9
    )
)
def test_decimal_amounts_round_trip_exactly(amount: Decimal) -> None:
    p = Purchase(amount, "EUR", datetime(2026, 1, 1, tzinfo=UTC))
    back = from_json(to_json(p), Purchase)
    assert str(back.amount) == str(amount)


def test_datetimes_keep_their_offset_and_accept_z() -> None:
    tz = timezone(timedelta(hours=-3))
    p = Purchase(Decimal(1), "EUR", datetime(2026, 1, 1, 9, tzinfo=tz))
    assert '"2026-01-01T09:00:00-03:00"' in to_json(p)
    raw = {"amount": "1", "currency": "EUR", "at": "2026-01-01T12:00:00Z"}
    assert from_dict(raw, Purchase).at == datetime(2026, 1, 1, 12, tzinfo=UTC)


def test_sets_are_written_sorted() -> None:
    u = User(Person("p"), features_used={"zeta", "alpha", "mid"})
    assert to_dict(u)["features_used"] == ["alpha", "mid", "zeta"]


def _feedback_dict(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "id": "f-1",
        "customer_id": "c-1",
        "author_id": None,
        "theme": "export",
        "kind": "bug",
        "need": None,
        "importance": "critical",
        "channel": "in_app",
        "text": "",
        "created_at": "2026-01-01T10:00:00+00:00",
    }
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("changes", "path", "message"),
    [
        ({"id": 3}, "$.id", "must be a string, not an integer"),
        ({"author_id": 1}, "$.author_id", "must be a string"),
        ({"kind": "Bug"}, "$.kind", "must be one of"),
        ({"importance": 3}, "$.importance", "must be one of"),
        ({"created_at": "2026-01-01T10:00:00"}, "$.created_at", "naive"),
        ({"created_at": "yesterday"}, "$.created_at", "ISO 8601"),
        ({"created_at": 1700000000}, "$.created_at", "ISO 8601"),
        ({"extra": 1}, "$", "has 1 unknown field"),
        ({"theme": ""}, "$.theme", "empty"),
    ],
)
def test_strict_loading(changes: dict[str, object], path: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(_feedback_dict(**changes), FeedbackItem)
    assert info.value.paths == [path]
    assert message in str(info.value)


def test_missing_fields_are_reported_by_name() -> None:
    raw = _feedback_dict()
    del raw["kind"], raw["created_at"]
    with pytest.raises(ValidationError) as info:
        from_dict(raw, FeedbackItem)
    assert sorted(info.value.paths) == ["$.created_at", "$.kind"]
    assert all("required" in p.message for p in info.value.problems)


def test_nested_paths_in_a_dataset() -> None:
    raw = to_dict(demo_dataset())
    raw["customers"][1]["purchasers"][0]["person"]["email"] = 5
    raw["customers"][2]["purchases"][0]["amount"] = 12.5
    raw["feedback"][0]["created_at"] = "2026-03-02"
    with pytest.raises(ValidationError) as info:
        from_dict(raw, Dataset)
    assert info.value.paths == [
        "$.customers[1].purchasers[0].person.email",
        "$.customers[2].purchases[0].amount",
        "$.feedback[0].created_at",
    ]


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("12.50", True),
        (12, True),
        (12.5, False),
        ("NaN", False),
        ("Infinity", False),
        ("abc", False),
        (True, False),
        ("+1.5", True),
        ("-0", True),
        (".5", True),
        ("1E+5", True),
        ("2e-3", True),
        # Python's Decimal reads these too: a coercion, not decimal text.
        ("1_000", False),
        (" 12.50", False),
        ("12.50\n", False),
        ("\u00a012.50", False),
        ("\u0661\u0662", False),  # Arabic-Indic digits
        ("\uff11\uff12", False),  # full-width digits
    ],
)
def test_amounts_are_strings_or_integers(value: object, ok: bool) -> None:
    raw = {"amount": value, "currency": "EUR", "at": "2026-01-01T00:00:00Z"}
    if ok:
        assert from_dict(raw, Purchase).amount == Decimal(str(value))
    else:
        with pytest.raises(ValidationError, match=r"\$\.amount"):
            from_dict(raw, Purchase)


@pytest.mark.parametrize(
    "text",
    ["", "{", '{"id": NaN}', "[1, 2", b"\xff\xfe{", '{"a": Infinity}', "[" * 100_000],
)
def test_invalid_json_text_is_a_validation_error(text: str | bytes) -> None:
    with pytest.raises(ValidationError) as info:
        from_json(text, FeedbackItem)
    assert info.value.paths == ["$"]
    assert "not valid JSON" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "cls"),
    [
        ([], FeedbackItem),
        ("x", FeedbackItem),
        ({}, list[FeedbackItem]),
        ([1], list[FeedbackItem]),
        (
            {
                "id": "p",
                "name": None,
                "email": None,
                "phone": None,
                "birth_date": "2020-13-01",
                "gender": None,
                "location": None,
            },
            Person,
        ),
        ({"roles": "decider", "person": {"id": "p"}}, Purchaser),
    ],
)
def test_wrong_shapes_never_escape_as_bare_errors(raw: object, cls: Any) -> None:
    with pytest.raises(ValidationError):
        from_dict(raw, cls)


def test_duplicate_set_elements_are_not_silently_dropped() -> None:
    raw = to_dict(User(Person("p")))
    raw["features_used"] = ["api", "api"]
    with pytest.raises(ValidationError, match=r"\$\.features_used"):
        from_dict(raw, User)


def test_unknown_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot load object: cls must be a model class"):
        from_dict({}, object)


@pytest.mark.parametrize("load", [from_dict, lambda _, cls: from_json("{}", cls)])
def test_a_class_name_instead_of_a_class_is_a_clear_type_error(load: Any) -> None:
    # A wrong cls is the caller's bug, not bad input: TypeError, saying what cls must be.
    with pytest.raises(TypeError, match=r"cls must be a model class .*, not str"):
        load({}, "Person")


def test_an_integer_with_too_many_digits_is_invalid_json() -> None:
    text = '{"score": ' + "9" * 5000 + "}"
    with pytest.raises(ValidationError) as info:
        from_json(text, Person)
    assert info.value.paths == ["$"]
    assert "a number has too many digits" in str(info.value)


def test_an_integer_too_large_for_a_float_field() -> None:
    raw = {"better": 10**400, "worse": 0}
    with pytest.raises(ValidationError) as info:
        from_dict(raw, KanoCoefficients)
    assert info.value.paths == ["$.better"]
    assert "range of a float" in str(info.value)


def test_repeated_keys_keep_the_last_value_by_default() -> None:
    # As json.loads, pydantic and msgspec do; checking costs 5-10 % of loading.
    assert from_json('{"id": "a", "id": "b"}', Person).id == "b"


def test_repeated_keys_can_be_errors_located_by_path() -> None:
    data = (
        '[{"id": "a"}, {"id": "b", "name": "Ann", "name": "Bo", "id": "c"},'
        ' {"id": "d", "location": {"country": "BR", "country": "PT"}}]'
    )
    with pytest.raises(ValidationError) as info:
        from_json(data, list[Person], repeated_keys="error")
    assert info.value.paths == ["$[1]", "$[2].location"]
    assert "repeats the key(s) 'id', 'name'" in str(info.value)
    assert "Ann" not in str(info.value)
    assert len(from_json(data, list[Person])) == 3
    with pytest.raises(ValidationError) as info:
        from_json("{}", Person, repeated_keys="first")  # type: ignore[call-overload]
    assert info.value.paths == ["$.repeated_keys"]


@given(feedback_items())
def test_checking_repeats_changes_nothing_without_repeats(item: FeedbackItem) -> None:
    text = to_json(item)
    assert from_json(text, FeedbackItem, repeated_keys="error") == item


#: The fields of Person and of its Location, and keys nobody defined.
_FIELDS = {"person": ("id", "name", "email", "location"), "location": ("country", "city")}
_KEYS = st.sampled_from(_FIELDS["person"] + _FIELDS["location"]) | st.text(max_size=2)

_JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=10,
)


def _with_repeats(
    value: object, at: str | None = "person", path: tuple[str | int, ...] = ()
) -> tuple[str, dict[str, list[str]]]:
    """JSON text of *value* in which every non-empty object repeats its first key.

    With the objects the check reaches, following Person's type (*at* is the
    class there, ``None`` where the type says nothing): their location, and
    the repeated key when it is a field of that class.  Objects where the
    type expects something else are reached but not searched below.
    """
    fields = _FIELDS.get(at or "", ())
    if isinstance(value, list):  # Person has no array: nothing in one is searched
        parts = [_with_repeats(v, None, (*path, i)) for i, v in enumerate(value)]
        return "[" + ", ".join(t for t, _ in parts) + "]", {}
    if isinstance(value, dict):
        pairs = [
            (k, *_with_repeats(v, "location" if k == "location" else None, (*path, k)))
            for k, v in value.items()
        ]
        text = [f"{json.dumps(k)}: {t}" for k, t, _ in pairs]
        found = {k: v for key, _, inner in pairs if key in fields for k, v in inner.items()}
        if pairs:
            first = pairs[0][0]
            text.insert(0, f"{json.dumps(first)}: null")
            found[format_path(path)] = [first] if first in fields else []
        return "{" + ", ".join(text) + "}", found
    return json.dumps(value), {}


@given(_JSON)
def test_every_object_that_repeats_a_key_is_named_and_unknown_keys_are_only_counted(
    raw: object,
) -> None:
    text, expected = _with_repeats(raw)
    assume(expected)
    with pytest.raises(ValidationError) as info:
        from_json(text, Person, repeated_keys="error")
    repeats = {p.location: p.message for p in info.value.problems if "repeats" in p.message}
    assert sorted(repeats) == sorted(expected)
    for location, named in expected.items():
        if named:
            assert repeats[location].startswith(f"repeats the key(s) {named[0]!r};")
        else:
            assert repeats[location] == "repeats 1 key; JSON keeps only one of each"
    assert json.loads(text) == raw  # the last value wins, as without the check


def test_errors_never_echo_personal_data() -> None:
    raw = to_dict(demo_dataset())
    person = raw["customers"][0]["purchasers"][0]["person"]
    person["email"] = "maria.secret@nowhere"
    person["phone"] = "Maria's phone"
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps(raw), Dataset)
    assert len(info.value.problems) == 2
    person["email"] = None
    person["birth_date"] = "1991-02-30"
    with pytest.raises(ValidationError) as second:
        from_json(json.dumps(raw), Dataset)
    message = str(info.value) + str(second.value)
    for secret in ["maria", "Maria", "1991"]:
        assert secret not in message


def _everything_said(exc: BaseException) -> str:
    """Every message, argument and note in *exc* and all it links to, suppressed or not."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    out = []
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        out += [repr(e.args), *getattr(e, "__notes__", ()), repr(getattr(e, "doc", ""))]
        stack += [e.__cause__, e.__context__, *getattr(e, "exceptions", ())]
    return "\n".join(out)


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("gender", "secret-gender"),
        ("birth_date", "secret-1991"),
        ("location", {"country": "DE", "city": "Secretville", "region": 5}),
    ],
)
def test_no_input_value_hides_in_an_exception_chain(field: str, bad: object) -> None:
    # Error reporters and ``logging.exception`` print __context__ chains; a
    # service using the converter directly must not log a person's data.
    raw: dict[str, Any] = {"id": "p-1", field: bad}
    loads: list[Callable[[], object]] = [
        lambda: serialization.converter.structure(raw, Person),
        lambda: from_dict(raw, Person),
        lambda: from_json(json.dumps(raw), Person),
    ]
    for load in loads:
        with pytest.raises((ValidationError, cattrs.ClassValidationError)) as info:
            load()
        assert "ecret" not in _everything_said(info.value)
    item = _feedback_dict(created_at="secret-2026-01-01T00:00:00Z")
    with pytest.raises(cattrs.ClassValidationError) as caught:
        serialization.converter.structure(item, FeedbackItem)
    assert "secret" not in _everything_said(caught.value)
    with pytest.raises(ValidationError) as broken:
        from_json('{"id": "p-1", "name": "Secret Name", ', Person)
    assert "Secret" not in _everything_said(broken.value)


def test_lenient_converter_is_opt_in() -> None:
    raw = _feedback_dict(created_at="2026-01-01T10:00:00", extra="ignored")
    lenient = make_converter(forbid_extra_keys=False, naive_timezone=UTC)
    item = lenient.structure(raw, FeedbackItem)
    assert item.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(ValidationError):
        from_dict(raw, FeedbackItem)


def test_a_lenient_converter_ignores_unknown_keys_inside_segment_rules_too() -> None:
    # The rule hooks once refused them whatever the converter was told.
    rule = {"op": "not", "rule": {"op": "eq", "field": "country", "value": "DE", "note": 1}}
    raw = {"id": "s-1", "name": "Germany", "rule": {"op": "and", "rules": [rule], "x": 2}}
    segment = make_converter(forbid_extra_keys=False).structure(raw, Segment)
    clean = {"op": "not", "rule": {"op": "eq", "field": "country", "value": "DE"}}
    assert segment == from_dict({**raw, "rule": {"op": "and", "rules": [clean]}}, Segment)
    conv = cattrs.Converter()
    serialization.configure_converter(conv, forbid_extra_keys=False)
    assert conv.structure(raw, Segment) == segment
    with pytest.raises(ValidationError) as info:
        from_dict(raw, Segment)
    assert [str(p) for p in info.value.problems] == ["$.rule: has 1 unknown field"]


def test_a_lenient_converter_reads_datetimes_in_segment_rules_as_it_reads_fields() -> None:
    # The rule hooks once read datetimes their own strict way, whatever the
    # converter was told about naive times and digits past the microsecond.
    lenient = make_converter(naive_timezone=UTC, finer_than_microseconds="truncate")
    for text in ("2026-01-01T10:00:00", "2026-01-01T10:00:00.0000004Z"):
        raw = {"id": "s-1", "name": "n", "rule": {"op": "gt", "field": "last_active_at"}}
        raw["rule"]["value"] = text  # type: ignore[index]
        segment = lenient.structure(raw, Segment)
        assert segment.rule == (field("last_active_at") > datetime(2026, 1, 1, 10, tzinfo=UTC))
        with pytest.raises(ValidationError):
            from_dict(raw, Segment)


def test_schema_version_is_checked() -> None:
    raw = to_dict(demo_dataset())
    raw["schema_version"] = 99
    with pytest.raises(ValidationError, match=r"\$\.schema_version"):
        from_dict(raw, Dataset)


# -- durations and mappings (added with the prioritization policy) ------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P90D", timedelta(days=90)),
        ("P2W", timedelta(weeks=2)),
        ("PT12H30M", timedelta(hours=12, minutes=30)),
        ("PT1.5S", timedelta(seconds=1, microseconds=500_000)),
        ("P1DT0.000001S", timedelta(days=1, microseconds=1)),
        ("-P1D", timedelta(days=-1)),
        ("PT0S", timedelta(0)),
    ],
)
def test_durations_load(text: str, expected: timedelta) -> None:
    from customer_model.serialization import converter

    assert converter.structure(text, timedelta) == expected


@pytest.mark.parametrize("text", ["P", "PT", "P1Y", "P1M", "1D", "PT1.1234567S", "P1DT", ""])
def test_bad_durations_are_refused(text: str) -> None:
    from customer_model.serialization import converter

    with pytest.raises(Exception, match="ISO 8601 duration"):
        converter.structure(text, timedelta)


@pytest.mark.parametrize("text", ["P" + "9" * 5000 + "D", "PT" + "9" * 5000 + "S"])
def test_a_duration_with_too_many_digits_says_so(text: str) -> None:
    # Python refuses to read an int of more than 4300 digits with a ValueError,
    # which once came out as "is invalid (ValueError)".
    with pytest.raises(ValidationError) as info:
        from_dict({"half_life": text}, PrioritizationPolicy)
    assert [str(p) for p in info.value.problems] == [
        "$.half_life: must be a duration of at most 999999999 days"
    ]


@given(st.timedeltas())
def test_durations_round_trip(value: timedelta) -> None:
    from customer_model.serialization import converter

    text = converter.unstructure(value)
    assert converter.structure(text, timedelta) == value


_MISSING_KEY = object()
_JSON_ODDITIES: st.SearchStrategy[object] = st.sampled_from(
    [None, "", " x", "bug", "Bug", "cost", "critical", "in_app", 0, 1, 2.5, True, [], {}, ["x"]]
)
_JSON_CHANGES = st.sampled_from(sorted(_feedback_dict())).flatmap(
    lambda name: st.tuples(
        st.just(name),
        _JSON_ODDITIES | st.text(max_size=3) | st.just(_MISSING_KEY),
    )
) | st.tuples(st.text(max_size=3), _JSON_ODDITIES)


def _outcome(load: Any, raw: object) -> object:
    """The value *load* builds, or where its problems are."""
    try:
        return load(raw, FeedbackItem)
    except Exception as e:
        return sorted(as_validation_error(e, "FeedbackItem").paths)


@settings(max_examples=300)
@given(st.lists(_JSON_CHANGES, max_size=3))
def test_quick_structuring_agrees_with_cattrs_detailed_structuring(
    changes: list[tuple[str, object]],
) -> None:
    # The converter's quick path must accept exactly what cattrs' own detailed
    # function accepts, build the same value, and find problems in the same places.
    raw = _feedback_dict()
    for key, value in changes:
        if value is _MISSING_KEY:
            raw.pop(key, None)
        else:
            raw[key] = value
    conv = make_converter()
    # Unknown keys are the converter's own check (cattrs' would name them), made
    # alongside the fields', so one round of fixes is enough.
    detailed = cattrs.gen.make_dict_structure_fn(
        FeedbackItem, conv, _cattrs_forbid_extra_keys=False
    )
    expected = _outcome(detailed, raw)
    if raw.keys() - set(_feedback_dict()):
        expected = sorted(["$", *(expected if isinstance(expected, list) else [])])
    assert _outcome(conv.structure, raw) == expected


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_to_json_never_writes_non_finite_numbers(value: float) -> None:
    # Every model refuses such numbers; plain data can still hold them.
    with pytest.raises(ValidationError, match="NaN or infinity"):
        to_json([value])
    with pytest.raises(ValidationError, match="NaN or infinity"):
        to_json({"total": value}, indent=2)


def test_repeated_keys_are_reported_with_every_other_problem() -> None:
    data = '[{"id": "a", "id": "b"}, {"id": "c", "gender": "x"}]'
    with pytest.raises(ValidationError) as info:
        from_json(data, list[Person], repeated_keys="error")
    assert info.value.paths == ["$[0]", "$[1].gender"]


@given(st.text(min_size=1), st.text(min_size=1))
def test_paths_escape_keys_so_a_message_stays_one_printable_line(key: str, other: str) -> None:
    rendered = format_path(("weights", key, 0))
    assert rendered.isprintable()
    assert rendered.startswith("$.weights")
    assert rendered.endswith("[0]")
    # Escaped once, so two keys never render alike.
    assert (rendered == format_path(("weights", other, 0))) == (key == other)


def test_a_path_key_is_escaped_once() -> None:
    assert format_path(("m", 'a\\b"c\nd')) == '$.m["a\\\\b\\"c\\nd"]'


@pytest.mark.parametrize("indent", [1.5, 10**20, "x", True, -1, 65])
def test_to_json_refuses_an_odd_indent(indent: Any) -> None:
    with pytest.raises(ValidationError) as info:
        to_json(Person("p"), indent=indent)
    assert info.value.paths == ["$.indent"]


def test_to_json_of_what_json_cannot_hold_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        to_json({1})
    assert str(info.value) == "invalid set: $: is a set, which JSON cannot hold"
    with pytest.raises(ValidationError) as nested:
        to_json({"totals": [1, {"at": {2}}]}, indent=2)
    assert nested.value.paths == ["$.totals[1].at"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({("k",): 1}, "invalid dict: $: has a tuple key, which JSON cannot hold"),
        (
            {math.nan: 1},
            "invalid dict: $: has a key that is NaN or infinity, which JSON cannot represent",
        ),
        (
            {10**5000: 1},
            "invalid dict: $: has a key that is an integer with more digits than Python "
            "converts to text",
        ),
        # Unstructuring the whole failed on the key: the Decimal is still writable.
        (
            {"x": {"d": Decimal(1)}, "y": {("k",): 1}},
            "invalid dict: $.y: has a tuple key, which JSON cannot hold",
        ),
        ({"a": {frozenset(): 1}}, "invalid dict: $.a: has a frozenset key, which JSON cannot hold"),
        (object(), "invalid object: $: is an object, which JSON cannot hold"),
        ([1j], "invalid list: $[0]: is a complex, which JSON cannot hold"),
    ],
)
def test_to_json_and_to_dict_refuse_data_json_cannot_hold_alike(
    data: object, expected: str
) -> None:
    # A tuple key made unstructuring itself fail: a bare TypeError, or, from
    # to_dict, data handed back unchanged that no JSON encoder takes.
    for write in (to_json, to_dict):
        with pytest.raises(ValidationError) as info:
            write(data)
        assert str(info.value) == expected


_PLAIN = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=3)
    | st.sampled_from([Decimal("1.5"), frozenset({1}), (1, 2), Person("p")]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.text(max_size=2) | st.integers() | st.floats() | st.just(("k",)), inner, max_size=3
        )
    ),
    max_leaves=8,
)


def _written(write: Callable[[object], Any], data: object) -> object:
    """What *write* gives, as JSON reads it back, or the problems it refuses *data* with."""
    try:
        written = write(data)
    except ValidationError as e:
        return e.problems
    return json.loads(written if write is to_json else json.dumps(written))


@given(_PLAIN)
def test_to_dict_gives_what_to_json_writes_or_both_refuse_it_alike(data: object) -> None:
    assert _written(to_dict, data) == _written(to_json, data)


def test_collection_errors_are_cattrs_groups_for_a_converter_used_directly() -> None:
    # A service structuring with make_converter() gets cattrs' own error tree,
    # so cattrs.transform_error and except* reach the bad element by path.
    from cattrs.errors import IterableValidationError

    @attrs.frozen
    class Envelope:
        items: list[FeedbackItem]
        by_id: dict[str, Customer]

    data = demo_dataset()
    conv = make_converter()
    good = conv.unstructure(Envelope(list(data.feedback[:2]), {"k": data.customers[0]}))
    bad = json.loads(json.dumps(good))
    bad["items"][1]["created_at"] = "2026-01-01T00:00:00"
    del bad["by_id"]["k"]["kind"]
    with pytest.raises(cattrs.ClassValidationError) as caught:
        conv.structure(bad, Envelope)
    subs = caught.value.exceptions
    assert all(isinstance(sub, IterableValidationError) for sub in subs)
    assert cattrs.transform_error(caught.value) == [
        "invalid value for type, expected datetime @ $.items[1].created_at",
        "required field missing @ $.by_id['k'].kind",
    ]
    # from_dict still reports every problem with its JSONPath.
    with pytest.raises(ValidationError) as wrapped:
        from_dict(bad, Envelope)
    assert wrapped.value.paths == ["$.items[1].created_at", "$.by_id.k.kind"]


def test_a_service_class_gets_the_same_strict_rules_for_every_collection_type() -> None:
    # make_converter() for a service's own attrs class: no string read as an
    # array of characters, exact tuple lengths, literals by exact value, and
    # each collection built as its annotation says (as cattrs does).
    @attrs.frozen
    class Request:
        ids: collections.abc.Sequence[str]
        tags: collections.abc.Set[str]
        seen: set[str]
        pair: tuple[int, str]
        mode: typing.Literal["fast", 1]

    conv = make_converter()
    good = {"ids": ["a"], "tags": ["t"], "seen": ["s"], "pair": [1, "x"], "mode": "fast"}
    loaded = conv.structure(good, Request)
    assert loaded == Request(("a",), frozenset({"t"}), {"s"}, (1, "x"), "fast")
    assert type(loaded.seen) is set
    assert json.loads(json.dumps(conv.unstructure(loaded))) == good
    bad = {"ids": "abc", "tags": "tt", "seen": "s", "pair": [1, "x", 2], "mode": True}
    with pytest.raises(ValidationError) as info:
        from_dict(bad, Request)
    assert [str(p) for p in info.value.problems] == [
        "$.ids: must be an array, not a string",
        "$.tags: must be an array, not a string",
        "$.seen: must be an array, not a string",
        "$.pair: must be an array of exactly 2 element(s)",
        '$.mode: must be one of "fast", 1',
    ]
    assert from_dict({**good, "mode": 1}, Request).mode == 1


@pytest.mark.parametrize("key", [1, None, 1.5, True, (1, 2)])
def test_plain_data_with_a_key_that_is_not_a_string_is_a_validation_error(key: object) -> None:
    # Plain data from YAML, msgpack or code can have keys JSON cannot.
    @attrs.frozen
    class Scores:
        by_theme: dict[str, int]

    with pytest.raises(ValidationError) as info:
        from_dict({"by_theme": {key: 1, "ok": "two"}}, Scores)
    assert info.value.paths == ["$.by_theme.ok", "$.by_theme"]
    assert "key 1 (in input order) is not allowed: must be a string" in str(info.value)
    with pytest.raises(ValidationError) as unknown:
        from_dict({"id": "p-1", key: "x", "zz": 1}, Person)
    assert unknown.value.paths == ["$"]
    assert "has 2 unknown fields" in str(unknown.value)


def test_a_set_field_of_dates_amounts_or_models_is_written_element_by_element() -> None:
    # A service's own class: each element through its own hook, in one order.
    @attrs.frozen
    class Snapshot:
        days: frozenset[date]
        amounts: frozenset[Decimal]
        items: frozenset[FeedbackItem]

    feedback = demo_dataset().feedback[:3]
    snapshot = Snapshot(
        frozenset([date(2026, 1, 2), date(2025, 1, 1)]),
        frozenset([Decimal("1.50"), Decimal("2")]),
        frozenset(feedback),
    )
    plain = to_dict(snapshot)
    assert plain["days"] == ["2025-01-01", "2026-01-02"]
    assert plain["amounts"] == ["1.50", "2"]
    assert plain["items"] == sorted(
        (to_dict(i) for i in feedback), key=lambda d: json.dumps(d, sort_keys=True)
    )
    text = to_json(snapshot)
    assert text == to_json(Snapshot(snapshot.days, snapshot.amounts, frozenset(reversed(feedback))))
    assert from_json(text, Snapshot) == snapshot


def test_make_converter_checks_its_arguments_when_called() -> None:
    with pytest.raises(ValidationError) as info:
        make_converter(forbid_extra_keys="no", naive_timezone="UTC")  # type: ignore[arg-type]
    assert info.value.paths == ["$.forbid_extra_keys", "$.naive_timezone"]
    assert make_converter(naive_timezone=timezone(timedelta(hours=2))) is not None


def test_int_keys_round_trip_through_json_text() -> None:
    # json writes int keys as strings; reading them back takes canonical digits only.
    @attrs.frozen
    class Counts:
        by_size: dict[int, str]

    counts = Counts({10: "a", 9: "b", -1: "c", 0: "d"})
    text = to_json(counts)
    assert text == '{"by_size": {"-1": "c", "0": "d", "9": "b", "10": "a"}}'
    assert from_json(text, Counts) == counts
    assert from_dict(to_dict(counts), Counts) == counts
    for key in ["+1", "-0", "007", "1.0", " 1", "1e3"]:
        with pytest.raises(ValidationError) as info:
            from_json(json.dumps({"by_size": {key: "a"}}), Counts)
        assert info.value.paths == ["$.by_size"]
        assert "key 1 (in input order) is not allowed" in str(info.value)
        assert f'"{key}"' not in str(info.value)  # a bad key is never repeated


def test_an_int_too_long_for_text_is_a_validation_error_from_to_json() -> None:
    @attrs.frozen
    class Tally:
        n: int

    for indent in (None, 2):
        with pytest.raises(ValidationError, match="more digits than Python converts"):
            to_json(Tally(10**5000), indent=indent)


def test_a_time_finer_than_a_microsecond_is_refused_not_cut_off() -> None:
    # .NET writes 7 fractional digits, Go and Java up to 9; Python keeps 6 and
    # fromisoformat would drop the rest without a word.
    for fine in (
        "2026-01-01T10:00:00.1234567Z",
        "2026-01-01T10:00:00.123456789+02:00",
        "2026-01-01T10:00:00,1234567Z",  # ISO 8601 allows a comma too
    ):
        with pytest.raises(ValidationError) as info:
            from_dict(_feedback_dict(created_at=fine), FeedbackItem)
        assert [str(p) for p in info.value.problems] == [
            "$.created_at: must be precise to the microsecond at most (6 fractional digits)"
        ]
    exact = from_dict(_feedback_dict(created_at="2026-01-01T10:00:00.1234560Z"), FeedbackItem)
    assert exact.created_at == datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC)


def test_plain_data_nested_too_deeply_is_a_validation_error() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    for convert in (to_dict, to_json):
        with pytest.raises(ValidationError, match="nested too deeply"):
            convert(deep)


_JUNK_FIELD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=60)
@given(
    item=feedback_items(),
    broken=st.dictionaries(
        st.sampled_from(["id", "customer_id", "theme", "kind", "channel", "created_at", "extra"]),
        _JUNK_FIELD,
        min_size=1,
        max_size=3,
    ),
)
def test_as_validation_error_reports_a_foreign_converter_error_like_from_dict(
    item: FeedbackItem, broken: dict[str, Any]
) -> None:
    """A service reusing our hook in its own converter gets from_dict's problems back."""
    data = {**to_dict(item), **broken}
    try:
        from_dict(data, FeedbackItem)
    except ValidationError as e:
        expected = e.problems
    else:
        return  # the junk happened to be valid
    mine = cattrs.Converter()
    mine.register_structure_hook(
        FeedbackItem, serialization.converter.get_structure_hook(FeedbackItem)
    )
    with pytest.raises(Exception) as info:  # noqa: PT011 - whatever cattrs raises
        mine.structure(data, FeedbackItem)
    assert as_validation_error(info.value, "FeedbackItem").problems == expected


def test_as_validation_error_shows_no_message_of_an_unknown_exception() -> None:
    """A foreign exception's message may repeat input: only its type is named."""
    error = as_validation_error(ValueError("secret@example.com"))
    assert str(error) == "invalid input: $: is invalid (ValueError)"


@pytest.mark.parametrize(
    ("args", "path"),
    [(("not an exception",), "$.exc"), ((ValueError(), " "), "$.subject")],
)
def test_as_validation_error_checks_its_arguments(args: tuple[Any, ...], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        as_validation_error(*args)
    assert info.value.paths == [path]


class _Sku(str):
    pass


@attrs.frozen
class _Order:
    sku: _Sku
    qty: dict[_Sku, int]


def test_a_foreign_key_hook_message_is_not_repeated() -> None:
    """Like any exception this library does not know: its message may quote the key."""

    def parse_sku(value: object, _: object) -> _Sku:
        raise ValueError(f"unknown sku {value!r} (secret-detail)")

    conv = make_converter()
    conv.register_structure_hook(_Sku, parse_sku)
    with pytest.raises(cattrs.ClassValidationError) as info:
        conv.structure({"sku": "a", "qty": {"b": 1}}, _Order)
    error = as_validation_error(info.value, "Order")
    assert [p.message for p in error.problems] == [
        "is invalid (ValueError)",
        "key 1 (in input order) is not allowed (ValueError)",
    ]
    assert error.paths == ["$.sku", "$.qty"]
    assert "secret" not in str(error)


@attrs.frozen
class _Pair:
    pair: tuple[int, str]


def test_a_fixed_tuple_element_error_names_the_type_of_its_own_position() -> None:
    # cattrs.transform_error reads the type from each element's note.
    with pytest.raises(cattrs.ClassValidationError) as info:
        make_converter().structure({"pair": ["x", 2]}, _Pair)
    assert cattrs.transform_error(info.value) == [
        "invalid value for type, expected int @ $.pair[0]",
        "invalid value for type, expected str @ $.pair[1]",
    ]


@attrs.frozen
class _Weights:
    by_need: dict[Need, float]


def test_a_bad_mapping_key_belongs_to_the_mapping_and_is_never_repeated() -> None:
    # The key is bad input, so cattrs' tree notes it on the mapping, by position.
    with pytest.raises(cattrs.ClassValidationError) as info:
        make_converter().structure({"by_need": {"bogus": 1.0, "cost": "x"}}, _Weights)
    assert cattrs.transform_error(info.value) == [
        "invalid value for type, expected float @ $.by_need['cost']",
        "invalid value @ $.by_need",
    ]
    assert cattrs.transform_error(info.value, format_exception=format_exception) == [
        "must be a number, not a string @ $.by_need['cost']",
        "key 1 (in input order) is not allowed: must be one of "
        + ", ".join(repr(need.value) for need in Need)
        + " @ $.by_need",
    ]


@pytest.mark.parametrize("text", ["P90D\n", "P\u0669D", "PT1.\u0665S"])
def test_a_duration_takes_ascii_digits_and_nothing_after(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        from_dict({"half_life": text}, PrioritizationPolicy)
    assert info.value.paths == ["$.half_life"]


def test_a_currency_with_a_trailing_newline_is_refused() -> None:
    # It would be a second currency next to "EUR", splitting every total.
    raw = to_dict(Purchase(Decimal("1"), "EUR", datetime(2026, 1, 1, tzinfo=UTC)))
    raw["currency"] = "EUR\n"
    with pytest.raises(ValidationError) as info:
        from_dict(raw, Purchase)
    assert info.value.paths == ["$.currency"]


def test_as_validation_error_reads_what_except_star_hands_over() -> None:
    """``except* ValueError`` hands over a group split from cattrs' error."""
    mine = cattrs.Converter()
    mine.register_structure_hook(
        FeedbackItem, serialization.converter.get_structure_hook(FeedbackItem)
    )
    data = {**_feedback_dict(), "kind": "nope"}
    caught: list[ExceptionGroup[ValueError]] = []
    try:
        mine.structure(data, FeedbackItem)
    except* ValueError as group:
        caught.append(group)
    (split,) = caught
    expected = [
        "$.kind: must be one of 'bug', 'feature_request', 'complaint', 'praise', 'question'"
    ]
    assert [str(p) for p in as_validation_error(split).problems] == expected
    wrapped = ExceptionGroup("a service's own group", [split])
    assert [str(p) for p in as_validation_error(wrapped).problems] == expected


def test_a_lenient_converter_can_truncate_times_finer_than_a_microsecond() -> None:
    """For services fed by .NET, Go or Java: the caller chooses to drop the extra digits."""
    lenient = make_converter(finer_than_microseconds="truncate")
    for text in ("2026-01-01T10:00:00.1234567Z", "2026-01-01T10:00:00,123456999+00:00"):
        item = lenient.structure(_feedback_dict(created_at=text), FeedbackItem)
        assert item.created_at == datetime(2026, 1, 1, 10, 0, 0, 123456, tzinfo=UTC)
    naive = make_converter(naive_timezone=UTC, finer_than_microseconds="truncate")
    item = naive.structure(_feedback_dict(created_at="2026-01-01T10:00:00.9999999"), FeedbackItem)
    assert item.created_at == datetime(2026, 1, 1, 10, 0, 0, 999999, tzinfo=UTC)
    strict = make_converter()
    with pytest.raises(cattrs.ClassValidationError) as info:
        strict.structure(_feedback_dict(created_at="2026-01-01T10:00:00.1234567Z"), FeedbackItem)
    assert "6 fractional digits" in str(as_validation_error(info.value))


@pytest.mark.parametrize("value", ["round", None, True, "TRUNCATE"])
def test_make_converter_names_a_bad_choice_for_fine_times(value: object) -> None:
    with pytest.raises(ValidationError) as info:
        make_converter(finer_than_microseconds=value)  # type: ignore[arg-type]
    assert info.value.paths == ["$.finer_than_microseconds"]


@pytest.mark.parametrize(
    ("text", "cls", "expected"),
    [
        # an object where the type expects an array: its keys are the user's
        ('{"customers": {"Jane Doe": 1, "Jane Doe": 2}, "feedback": []}', Dataset, "$.customers"),
        ('{"customers": {"Jane": {"a": 1, "a": 2}}, "feedback": []}', None, ""),
        ('[{"id": "s", "name": "n", "rule": {"op": "in", "field": "country",'
         ' "values": {"Jane": 1, "Jane": 2}}}]', list[Segment], "$[0].rule.values"),
    ],
)  # fmt: skip
def test_keys_where_the_type_expects_no_object_are_counted_and_not_searched(
    text: str, cls: Any, expected: str
) -> None:
    with pytest.raises(ValidationError) as info:
        from_json(text, cls or Dataset, repeated_keys="error")
    repeats = [str(p) for p in info.value.problems if "repeats" in p.message]
    assert repeats == (
        [f"{expected}: repeats 1 key; JSON keeps only one of each"] if expected else []
    )
    assert "Jane" not in str(info.value)


def test_searching_for_repeats_costs_memory_in_proportion_to_the_input() -> None:
    # Deep arrays where the type expects none are not searched at all.
    text = (
        '{"customers": ' + "[" * 900 + ",".join(["0"] * 60000) + "]" * 900
        + ', "feedback": [], "x": 1, "x": 1}'
    )  # fmt: skip
    tracemalloc.start()
    try:
        with pytest.raises(ValidationError):
            from_json(text, Dataset, repeated_keys="error")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * len(text)


@pytest.mark.parametrize(
    ("text", "cls", "expected"),
    [
        # a key nobody defined is counted, and what is under it not searched
        ('{"id": "p", "name": "A", "name": "B", "ann@example.com": 1, "ann@example.com": 2,'
         ' "x@y": {"q": 1, "q": 2}}', Person,
         ["$: repeats the key(s) 'name' and 1 other key; JSON keeps only one",
          "$: has 2 unknown fields"]),
        # rule fields hold any kind of rule: the words of every node type are known
        ('{"id": "s-de", "name": "DE", "rule": {"op": "and", "rules":'
         ' [{"op": "eq", "field": "country", "field": "country", "value": "DE"}]}}', Segment,
         ["$.rule.rules[0]: repeats the key(s) 'field'; JSON keeps only one"]),
        # mapping keys are identifiers or vocabulary: the search goes down through them
        ('{"role_weights": {"cost": {"purchaser": 9, "purchaser": 1, "user": 1}}}',
         PrioritizationPolicy,
         ["$.role_weights.cost: repeats the key(s) 'purchaser'; JSON keeps only one"]),
        # an enum-keyed mapping names only its vocabulary; the rest is counted, not searched
        ('{"kind_weights": {"Ann Smith": 1, "Ann Smith": 2, "bug": 1, "bug": 2}}',
         PrioritizationPolicy,
         ["$.kind_weights: repeats the key(s) 'bug' and 1 other key; JSON keeps only one",
          "$.kind_weights: key 1 (in input order) is not allowed: must be one of 'bug', "
          "'feature_request', 'complaint', 'praise', 'question'"]),
        ('{"role_weights": {"x@y": {"ann": 1, "ann": 2}, "x@y": {}}}', PrioritizationPolicy,
         ["$.role_weights: repeats 1 key; JSON keeps only one of each",
          "$.role_weights: key 1 (in input order) is not allowed: must be one of 'cost', "
          "'scalability', 'usability', 'efficiency', 'reliability', 'security', "
          "'compliance', 'integration'"]),
    ],
)  # fmt: skip
def test_a_repeated_key_is_named_where_the_type_defines_it(
    text: str, cls: Any, expected: list[str]
) -> None:
    with pytest.raises(ValidationError) as info:
        from_json(text, cls, repeated_keys="error")
    assert [str(p) for p in info.value.problems] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"currency": "EUR", "exchange_rates": {"Ann Smith": 1, "Ann Smith": 2}}',
            [
                "$.exchange_rates: repeats 1 key; JSON keeps only one of each",
                "$.exchange_rates: key 1 (in input order) is not allowed: must be an ISO 4217 "
                "code (three upper-case letters)",
            ],
        ),
        (
            '{"strategic_fit": {"\\ud800": 1, "\\ud800": 2}}',
            [
                "$.strategic_fit: repeats 1 key; JSON keeps only one of each",
                "$.strategic_fit: key 1 (in input order) is not allowed: must be valid Unicode "
                "text (it holds a lone surrogate, which UTF-8 cannot encode)",
            ],
        ),
    ],
)
def test_a_repeated_mapping_key_that_is_refused_is_counted_not_named(
    text: str, expected: list[str]
) -> None:
    # A key the mapping refuses is bad input, never repeated, even when repeated.
    with pytest.raises(ValidationError) as info:
        from_json(text, PrioritizationPolicy, repeated_keys="error")
    assert [str(p) for p in info.value.problems] == expected


@pytest.mark.parametrize("cls", [list, tuple, collections.deque[Segment]])
def test_a_bare_or_other_array_target_is_searched_for_repeats(cls: Any) -> None:
    with pytest.raises(ValidationError) as info:
        from_json('[{"id": "x", "id": "y", "name": "n"}]', cls, repeated_keys="error")
    assert [p.location for p in info.value.problems if "repeats" in p.message] == ["$[0]"]


def _results() -> list[object]:
    from customer_model.persona_fit import persona_coverage
    from customer_model.segmentation import overlap_matrix, segment_sizes

    customers = demo_dataset().customers
    segments = [
        Segment("s-all", "everyone"),
        Segment("s-none", "nobody", rule=field("size") > 1000),
    ]
    personas = [Persona("pe-1", "Pat", "user", segment_id="s-all")]
    return [
        segment_sizes(customers, segments),
        overlap_matrix(customers, segments),
        persona_coverage(customers, personas, segments),
    ]


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_to_dict_gives_the_plain_data_of_the_json_text_and_from_dict_takes_it(
    result: object,
) -> None:
    # A pair such as (segment id, count) was once left a tuple, which from_dict refuses.
    plain = to_dict(result)
    assert plain == json.loads(to_json(result))
    assert repr(plain) == repr(json.loads(to_json(result)))  # lists, not tuples
    assert from_dict(plain, type(result)) == result


@attrs.frozen
class _Derived:
    """A service's class with a field worked out, not given: cattrs leaves it out."""

    name: str
    size: int = attrs.field(init=False, default=0)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=5))
def test_to_json_writes_what_to_dict_gives_for_a_field_not_given_to_init(name: str) -> None:
    # The generated writer once wrote init=False fields, which from_json refuses.
    value = _Derived(name)
    assert to_json(value) == json.dumps(to_dict(value), ensure_ascii=False)
    assert to_json([value]) == json.dumps([to_dict(value)], ensure_ascii=False)
    assert from_json(to_json(value), _Derived) == value


@given(st.timedeltas(min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23)))
@example(timedelta(microseconds=1))
def test_every_utc_offset_a_model_accepts_round_trips(offset: timedelta) -> None:
    # An offset with a fraction of a second was once accepted, written as
    # "+00:00:00.000001" and read back as +00:00: another instant.
    at = datetime(2026, 1, 1, tzinfo=timezone(offset))
    if offset.microseconds:
        with pytest.raises(
            ValidationError, match=r"\$\.at: must have a UTC offset in whole seconds"
        ):
            Purchase(Decimal(1), "EUR", at)
        with pytest.raises(ValidationError, match=r"\$\.created_at: must have a UTC offset"):
            _feedback(at)
        return
    purchase = Purchase(Decimal(1), "EUR", at)
    assert from_json(to_json(purchase), Purchase) == purchase
    item = _feedback(at)
    assert from_json(to_json(item), FeedbackItem) == item


def _feedback(at: datetime) -> FeedbackItem:
    return FeedbackItem(
        id="f-1",
        customer_id="c-1",
        theme="export",
        kind=FeedbackKind.BUG,
        channel=Channel.IN_APP,
        created_at=at,
    )


@given(st.integers(0, 2**53))
def test_a_whole_number_in_a_float_field_is_written_as_it_is_read_back(n: int) -> None:
    # It was once written as 3, read back as 3.0 and written as 3.0: equal
    # values, two texts.
    policy = PrioritizationPolicy(strategic_fit={"export": n}, revenue_scale=n + 1)
    text = to_json(policy)
    assert to_json(from_json(text, PrioritizationPolicy)) == text
    assert (
        to_json(PrioritizationPolicy(strategic_fit={"export": float(n)}, revenue_scale=n + 1.0))
        == text
    )


@pytest.mark.parametrize(
    ("value", "what"),
    [(FeedbackKind.BUG, "FeedbackKind"), (1, "an integer"), (["bug"], "an array")],
)
def test_a_vocabulary_value_that_is_not_a_string_is_refused_by_what_it_is(
    value: object, what: str
) -> None:
    # A member given to from_dict was once told it "must be one of" what it is.
    with pytest.raises(ValidationError) as info:
        from_dict({**_feedback_dict(), "kind": value}, FeedbackItem)
    allowed = ", ".join(repr(k.value) for k in FeedbackKind)
    assert [str(p) for p in info.value.problems] == [
        f"$.kind: must be one of {allowed}, not {what}"
    ]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({1: "a", "1": "b"}, "$"),
        ({True: 1, "true": 2}, "$"),
        ({"x": [{None: 1, "null": 2}]}, "$.x[0]"),
    ],
)
def test_to_json_refuses_plain_keys_that_json_writes_alike(data: object, where: str) -> None:
    # {1: "a", "1": "b"} was written with the key "1" twice; reading keeps one.
    with pytest.raises(ValidationError) as info:
        to_json(data)
    assert [str(p) for p in info.value.problems] == [
        f"{where}: has keys that JSON writes alike (such as 1 and '1')"
    ]
    assert to_json({1: "a", "2": "b"}) == '{"1": "a", "2": "b"}'  # distinct keys still written


def _walk_texts(error: BaseException) -> list[str]:
    """Everything an error shows: its text, notes, and those of its cause and context."""
    seen: list[str] = []
    todo: list[BaseException | None] = [error]
    while todo:
        e = todo.pop()
        if e is None:
            continue
        seen += [str(e), repr(e), *getattr(e, "__notes__", [])]
        todo += [e.__cause__, e.__context__, *getattr(e, "exceptions", ())]
    return seen


@given(
    typed=st.text(max_size=12),
    value=st.sampled_from(['"x"', "-1", "null", "[]", "1"]),
)
@example(typed="secret@x.io", value='"x"')
@example(typed="eur", value="null")
def test_a_bad_currency_key_is_never_named_whatever_its_value(typed: str, value: str) -> None:
    # A bad value once put its key in the path ($.exchange_rates["secret@x.io"]).
    key = f"\u00a7{typed}\u00a7"  # never an ISO code, and found only where the key is shown
    text = f'{{"currency": "EUR", "exchange_rates": {{{json.dumps(key)}: {value}}}}}'
    with pytest.raises(ValidationError) as info:
        from_json(text, PrioritizationPolicy)
    assert [p.path for p in info.value.problems] == [("exchange_rates",)]
    assert "key 1 (in input order) is not allowed" in info.value.problems[0].message
    assert not any(key in shown for shown in _walk_texts(info.value))


@pytest.mark.parametrize("field", ["strategic_fit", "segment_weights"])
@pytest.mark.parametrize("key", ["", "   ", "\t"])
def test_a_blank_theme_or_segment_key_with_a_bad_value_is_told_by_position(
    field: str, key: str
) -> None:
    text = json.dumps({field: {"sso": 1, key: "x"}})
    with pytest.raises(ValidationError) as info:
        from_json(text, PrioritizationPolicy)
    assert [str(p) for p in info.value.problems] == [
        f"$.{field}: key 2 (in input order) is not allowed: must not be empty or blank"
    ]


def test_a_good_key_with_a_bad_value_is_named_where_it_is() -> None:
    text = '{"currency": "EUR", "exchange_rates": {"USD": "x"}, "strategic_fit": {"sso": "y"}}'
    with pytest.raises(ValidationError) as info:
        from_json(text, PrioritizationPolicy)
    assert [p.path for p in info.value.problems] == [
        ("exchange_rates", "USD"),
        ("strategic_fit", "sso"),
    ]


def test_a_backlog_item_revenue_key_is_checked_before_its_amount() -> None:
    ds = demo_dataset()
    policy = PrioritizationPolicy(customer_value="none")
    as_of = datetime(2026, 7, 1, tzinfo=UTC)
    data = to_dict(prioritize(ds.feedback, ds.customers, policy=policy, as_of=as_of))
    data["items"][0]["revenue"] = {"Maria Silva": "x"}
    with pytest.raises(ValidationError) as info:
        from_dict(data, Backlog)
    assert [str(p) for p in info.value.problems] == [
        "$.items[0].revenue: key 1 (in input order) is not allowed: must be an ISO 4217 "
        "code (three upper-case letters)"
    ]
    assert not any("Maria" in shown for shown in _walk_texts(info.value))


@pytest.mark.parametrize(
    ("field", "mapping", "why"),
    [
        ("exchange_rates", {"USD": 2.0, "secret@x.io": 1.5}, "must be an ISO 4217 code"),
        ("strategic_fit", {"sso": 1.0, "  ": 2.0}, "must not be empty or blank"),
        ("segment_weights", {"": 2.0}, "must not be empty or blank"),
    ],
)
def test_a_refused_key_gets_the_same_words_built_or_read(
    field: str, mapping: dict[str, float], why: str
) -> None:
    # The rule is the field's own (its metadata), asked by the model and by reading.
    extra: dict[str, Any] = {"currency": "EUR"} if field == "exchange_rates" else {}
    arguments: dict[str, Any] = {**extra, field: mapping}
    with pytest.raises(ValidationError) as built:
        PrioritizationPolicy(**arguments)
    with pytest.raises(ValidationError) as read:
        from_json(json.dumps({**extra, field: mapping}), PrioritizationPolicy)
    (made,) = built.value.problems
    (loaded,) = read.value.problems
    assert made.path == loaded.path == (field,)
    assert made.message.split(": ", 1)[1] == loaded.message.split(": ", 1)[1]
    assert why in made.message
    assert "(in sorted order)" in made.message
    assert "(in input order)" in loaded.message


def test_a_key_of_another_type_is_counted_where_the_keys_do_not_sort() -> None:
    # The mapping keeps such keys as given, so it counts them in input order.
    with pytest.raises(ValidationError) as info:
        PrioritizationPolicy(segment_weights={"vip": 2.0, 1j: 1.0, 2j: 1.0})
    assert [str(p) for p in info.value.problems] == [
        f"$.segment_weights: key {n} (in input order) is not allowed: must be text, not complex"
        for n in (2, 3)
    ]
    with pytest.raises(ValidationError) as sorted_keys:
        PrioritizationPolicy(segment_weights={"vip": 2.0, 5: 1.0})
    assert [str(p) for p in sorted_keys.value.problems] == [
        "$.segment_weights: key 1 (in sorted order) is not allowed: must be text, not int"
    ]
