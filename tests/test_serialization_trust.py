"""Serialization at the edges: a service's converter, hostile keys and text, huge bad input."""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import cattrs
import pytest
from cattrs.errors import StructureHandlerNotFoundError
from hypothesis import example, given
from hypothesis import strategies as st

import customer_model
from customer_model import (
    Customer,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchase,
    Role,
    User,
    ValidationError,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from customer_model.cli import main
from customer_model.errors import MAX_SHOWN
from customer_model.examples import demo_dataset
from customer_model.serialization import (
    as_validation_error,
    configure_converter,
    format_exception,
)
from customer_model.testing import customers, feedback_items
from customer_model.trends import Granularity


def _item(**changes: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "id": "f-1",
        "customer_id": "c-1",
        "theme": "export",
        "kind": "bug",
        "channel": "in_app",
        "created_at": "2026-01-01T10:00:00+00:00",
    }
    raw.update(changes)
    return raw


def _everything_said(exc: BaseException) -> str:
    """Every message, argument, attribute and note in *exc* and all it links to."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    out = []
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        out += [str(e), repr(e.args), repr(vars(e)), *map(str, getattr(e, "__notes__", ()))]
        stack += [e.__cause__, e.__context__, *getattr(e, "exceptions", ())]
    return "\n".join(out)


# -- a service's own converter ------------------------------------------------------


@attrs.frozen
class _Inbox:
    """A service's own class: its own rules for its own fields, ours for the models."""

    received: datetime
    items: list[FeedbackItem]
    owner: Customer | None = None


def _service_converter() -> cattrs.Converter:
    conv = cattrs.Converter()
    conv.register_structure_hook(datetime, lambda v, _: datetime.fromtimestamp(v, UTC))
    conv.register_unstructure_hook(datetime, lambda d: d.timestamp())
    configure_converter(conv)
    return conv


@given(st.lists(feedback_items(), max_size=3), customers())
def test_a_service_converter_round_trips_the_models_as_the_library_does(
    items: list[FeedbackItem], owner: Customer
) -> None:
    conv = _service_converter()
    inbox = _Inbox(datetime(2026, 1, 1, tzinfo=UTC), items, owner)
    plain = conv.unstructure(inbox)
    # The service's own field keeps the service's hook; the models are ours.
    assert plain["received"] == inbox.received.timestamp()
    assert plain["items"] == [to_dict(i) for i in items]
    assert plain["owner"] == to_dict(owner)
    assert conv.structure(json.loads(json.dumps(plain)), _Inbox) == inbox


def _base_hooking_converter() -> cattrs.Converter:
    """A service whose own hooks for base classes would take our enums and models."""
    conv = cattrs.Converter()
    conv.register_unstructure_hook(enum.Enum, lambda e: e.name)
    conv.register_structure_hook(enum.Enum, lambda v, t: t[v])
    conv.register_unstructure_hook(object, lambda _: "service's")
    return conv


@given(st.lists(feedback_items(), max_size=3), customers())
def test_a_service_hook_for_a_base_class_does_not_take_the_models(
    items: list[FeedbackItem], owner: Customer
) -> None:
    # cattrs asks hooks for a class and its bases before predicates: before
    # registering each library class by itself, FeedbackKind went out as "BUG".
    for order in ("before", "after"):
        conv = cattrs.Converter()
        conv.register_structure_hook(datetime, lambda v, _: datetime.fromtimestamp(v, UTC))
        conv.register_unstructure_hook(datetime, lambda d: d.timestamp())
        if order == "after":
            configure_converter(conv)
        conv.register_unstructure_hook(enum.Enum, lambda e: e.name)
        conv.register_structure_hook(enum.Enum, lambda v, t: t[v])
        if order == "before":
            configure_converter(conv)
        inbox = _Inbox(datetime(2026, 1, 1, tzinfo=UTC), items, owner)
        plain = conv.unstructure(inbox)
        assert plain["items"] == [to_dict(i) for i in items]
        assert plain["owner"] == to_dict(owner)
        assert conv.structure(plain, _Inbox) == inbox
        assert conv.unstructure(FeedbackKind.BUG) == "bug"
        # The service's own enums keep the service's hook.
        assert conv.unstructure(_Priority.HIGH) == "HIGH"


class _Priority(enum.Enum):
    HIGH = "h"


def _public_library_classes() -> set[type[Any]]:
    """Every public enum and attrs class defined in a core module (extras aside)."""
    found: set[type[Any]] = set()
    for module in pkgutil.walk_packages(customer_model.__path__, "customer_model."):
        parts = module.name.split(".")
        if any(p.startswith("_") for p in parts) or parts[1] in _EXTRAS:
            continue
        for name, value in vars(importlib.import_module(module.name)).items():
            if (
                not name.startswith("_")
                and isinstance(value, type)
                and value.__module__ == module.name
                and (issubclass(value, enum.Enum) or attrs.has(value))
            ):
                found.add(value)
    return found


#: Subpackages that need an extra (or are the command line), not models.
_EXTRAS = {"cli", "examples", "plotting", "sql", "testing"}


def test_every_public_class_of_the_library_is_registered_by_itself() -> None:
    from customer_model.serialization._converter import _library_classes

    registered = set(_library_classes())
    public = _public_library_classes()
    assert {c.__name__ for c in public - registered} == set()
    assert {FeedbackKind, Customer, Purchase, Granularity} <= registered
    conv = _base_hooking_converter()
    configure_converter(conv)
    # Neither the service's Enum hook nor its object hook takes any library class.
    services = {conv.get_unstructure_hook(_Priority), conv.get_unstructure_hook(_Order)}
    assert len(services) == 2
    for cls in registered:
        assert conv.get_unstructure_hook(cls) not in services, cls


def test_a_service_converter_reports_model_problems_with_their_paths() -> None:
    conv = _service_converter()
    bad = {"received": 0, "items": [_item(), _item(kind="Bug", extra="secret@example.com")]}
    with pytest.raises(cattrs.ClassValidationError) as info:
        conv.structure(bad, _Inbox)
    error = as_validation_error(info.value, "Inbox")
    assert [str(p) for p in error.problems] == [
        "$.items[1].kind: must be one of 'bug', 'feature_request', 'complaint', 'praise', "
        "'question'",
        "$.items[1]: has 1 unknown field",
    ]
    assert "secret" not in _everything_said(info.value)


def test_configure_converter_checks_what_it_is_given() -> None:
    with pytest.raises(ValidationError) as info:
        configure_converter("converter")  # type: ignore[arg-type]
    assert info.value.paths == ["$.converter"]
    with pytest.raises(ValidationError) as lenient:
        configure_converter(cattrs.Converter(), naive_timezone="UTC")  # type: ignore[arg-type]
    assert lenient.value.paths == ["$.naive_timezone"]


@pytest.mark.parametrize("cls", [cattrs.Converter, cattrs.BaseConverter])
def test_configure_converter_refuses_a_converter_that_cannot_say_where(
    cls: type[cattrs.BaseConverter],
) -> None:
    # Such a converter raised a nested model's error as if it were the top
    # object's: as_validation_error then placed it at the wrong path.
    with pytest.raises(ValidationError) as info:
        configure_converter(cls(detailed_validation=False))
    assert info.value.paths == ["$.converter"]
    assert "detailed_validation" in str(info.value)


def test_configure_converter_passes_lenient_choices_on() -> None:
    conv = cattrs.Converter()
    configure_converter(conv, forbid_extra_keys=False, naive_timezone=UTC)
    item = conv.structure(_item(created_at="2026-01-01T10:00:00", note="x"), FeedbackItem)
    assert item.created_at == datetime(2026, 1, 1, 10, tzinfo=UTC)


# -- programmer errors are not bad data (issue 14, item 8) ---------------------------


class _NoHook:
    pass


@attrs.frozen
class _Broken:
    item: FeedbackItem
    odd: _NoHook


def test_a_missing_hook_is_a_programmer_error_not_bad_data() -> None:
    conv = _service_converter()
    with pytest.raises(StructureHandlerNotFoundError) as info:
        conv.structure({"item": _item(), "odd": {}}, _Broken)
    # The service gets its own bug back, not a 422-worthy ValidationError.
    with pytest.raises(StructureHandlerNotFoundError) as again:
        as_validation_error(info.value)
    assert again.value is info.value
    inside = cattrs.ClassValidationError("While structuring _Broken", [info.value], _Broken)
    with pytest.raises(cattrs.ClassValidationError):
        as_validation_error(inside)


@pytest.mark.parametrize("bug", [AttributeError("x"), NameError("x"), RecursionError()])
def test_as_validation_error_raises_a_bug_again(bug: Exception) -> None:
    with pytest.raises(type(bug)):
        as_validation_error(bug)
    group = ExceptionGroup("mixed", [ValueError("bad"), bug])
    with pytest.raises(ExceptionGroup):
        as_validation_error(group)


@pytest.mark.parametrize("data_error", [ValueError("v"), TypeError("t"), KeyError("k")])
def test_as_validation_error_turns_data_errors_and_names_only_their_type(
    data_error: Exception,
) -> None:
    error = as_validation_error(data_error)
    assert error.paths == ["$"]
    assert type(data_error).__name__ in str(error)


# -- unknown keys are counted, never echoed (issue 14, item 6) ----------------------


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"zz@secret.example": 1}, "has 1 unknown field"),
        ({"zz@secret.example": 1, "another secret": 2}, "has 2 unknown fields"),
        ({"namee": 1}, "has 1 unknown field (did you mean 'name'?)"),
        ({"secret_x": 1, "emial": 2}, "has 2 unknown fields (did you mean 'email'?)"),
    ],
)
def test_unknown_keys_are_counted_and_never_echoed(extra: dict[str, Any], message: str) -> None:
    raw = {"id": "p", **extra}
    loads: list[Callable[[], object]] = [
        lambda: from_dict(raw, Person),
        lambda: from_json(json.dumps(raw), Person),
    ]
    for load in loads:
        with pytest.raises(ValidationError) as info:
            load()
        assert [str(p) for p in info.value.problems] == [f"$: {message}"]
        assert "secret" not in _everything_said(info.value)
        # cattrs' tree, which may quote input, is not kept behind the error.
        assert info.value.__context__ is None
    cattrs_conv = cattrs.Converter()
    configure_converter(cattrs_conv)
    with pytest.raises(cattrs.ClassValidationError) as direct:
        cattrs_conv.structure(raw, Person)
    assert "secret" not in _everything_said(direct.value)
    # cattrs' own report, with the library's words for what it never keeps.
    told = cattrs.transform_error(direct.value, format_exception=format_exception)
    assert told == [f"{message} @ $"]


def test_transform_error_tells_the_librarys_reasons_and_defers_to_cattrs_otherwise() -> None:
    conv = cattrs.Converter()
    configure_converter(conv)
    raw = {"id": "f", "customer_id": 3, "kind": "bug", "channel": "email"}
    raw["created_at"] = "2026-01-01T00:00:00"  # no theme, and no offset
    with pytest.raises(cattrs.ClassValidationError) as info:
        conv.structure(raw, FeedbackItem)
    told = cattrs.transform_error(info.value, format_exception=format_exception)
    plain = cattrs.transform_error(info.value)
    assert sorted(told) == [
        "must be a string, not an integer @ $.customer_id",
        "must carry a UTC offset such as Z or +02:00 (naive datetime) @ $.created_at",
        "required field missing @ $.theme",  # cattrs' words: the library has none of its own
    ]
    assert "required field missing @ $.theme" in plain
    # A model's own refusal: its problems, paths relative to the model.
    with pytest.raises(cattrs.IterableValidationError) as listed:
        conv.structure([{"id": " p"}], list[Person])
    assert cattrs.transform_error(listed.value, format_exception=format_exception) == [
        "$.id: must not start or end with white space @ $[0]"
    ]


@attrs.frozen
class _Order:
    ref: str
    note: str


def _quoting_converter() -> cattrs.Converter:
    """A service's own converter: its keys forbidden, its own hook that quotes its input."""
    conv = cattrs.Converter(forbid_extra_keys=True)
    configure_converter(conv)

    def note(value: object, _: object) -> str:
        raise RuntimeError(f"cannot take {value}")

    conv.register_structure_hook(str, note)
    return conv


def test_format_exception_repeats_no_input_where_cattrs_would() -> None:
    # cattrs' own words list unknown keys and repeat other errors' messages, which
    # may quote input; as_validation_error already counts keys and names types only.
    conv = _quoting_converter()
    with pytest.raises(cattrs.ClassValidationError) as info:
        conv.structure({"ref": "secret-ref", "note": "secret-note", "secret@x.org": 1}, _Order)
    told = cattrs.transform_error(info.value, format_exception=format_exception)
    assert "secret" not in " ".join(told)
    assert sorted(told) == [
        "has 1 unknown field @ $",
        "is invalid (RuntimeError) @ $.note",
        "is invalid (RuntimeError) @ $.ref",
    ]
    # A TypeError or AttributeError without a message once raised cattrs' IndexError.
    assert format_exception(TypeError(), None) == "is invalid (TypeError)"
    assert format_exception(AttributeError(), None) == "is invalid (AttributeError)"
    assert format_exception(TypeError("secret"), None) == "is invalid (TypeError)"
    assert format_exception(TypeError("'int' object is not iterable"), None) == (
        "invalid value for type, expected an iterable"
    )


def test_unknown_keys_are_located_in_nested_values() -> None:
    customer = to_dict(demo_dataset().customers[0])
    customer["purchasers"][0]["person"]["secret@example.com"] = 1
    customer["zz"] = 1
    with pytest.raises(ValidationError) as info:
        from_dict(customer, Customer)
    assert [str(p) for p in info.value.problems] == [
        "$.purchasers[0].person: has 1 unknown field",
        "$: has 1 unknown field",
    ]


# -- lone surrogates are refused at every door (issue 14, item 2) ------------------


@pytest.mark.parametrize("bad", ["\ud800", "ok\udfff", "\udc00x"])
def test_a_lone_surrogate_is_refused_wherever_text_enters(bad: str) -> None:
    escaped = json.dumps(bad)  # "\ud800": valid JSON text, not valid Unicode
    text = '{"id": "p", "name": ' + escaped + "}"
    loads: list[Callable[[], object]] = [
        lambda: from_json(text, Person),
        lambda: from_json(text.encode("utf-8"), Person),
        lambda: from_dict({"id": "p", "name": bad}, Person),
        lambda: Person("p", name=bad),
    ]
    for load in loads:
        with pytest.raises(ValidationError) as info:
            load()
        assert info.value.paths == ["$.name"]
        assert "lone surrogate" in str(info.value)
    with pytest.raises(ValidationError) as item:
        from_dict(_item(theme=bad), FeedbackItem)
    assert item.value.paths == ["$.theme"]


def test_a_surrogate_pair_is_one_character_and_fine() -> None:
    text = '{"id": "p", "name": "\\ud83d\\ude00"}'  # an escaped emoji
    person = from_json(text, Person)
    assert person.name == "\N{GRINNING FACE}"
    assert to_json(person).encode("utf-8")


def test_to_json_refuses_plain_data_holding_a_lone_surrogate() -> None:
    with pytest.raises(ValidationError) as info:
        to_json({"notes": ["fine", "\ud800"]})
    assert info.value.paths == ["$.notes[1]"]


@given(st.text())
def test_whatever_text_a_model_accepts_can_be_written_as_utf8(name: str) -> None:
    try:
        person = Person("p", name=name)
    except ValidationError:
        return
    assert from_json(to_json(person).encode("utf-8"), Person) == person


# -- bad input is bounded (issue 14, item 7) -------------------------------------------


def test_a_huge_bad_payload_gives_a_short_error() -> None:
    n = 20_000
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps([{"id": 1}] * n), list[FeedbackItem])
    error = info.value
    first = str(error.problems[0])
    assert first == f"$: {n:,} elements are not valid; the first 10 are itemized"
    # The first ten elements are itemized with every problem, the rest counted.
    assert {p.path[0] for p in error.problems[1:]} == set(range(10))
    assert len(error.problems) == 1 + 10 * 6
    lines = str(error).splitlines()
    assert len(lines) == 1 + MAX_SHOWN + 1
    assert lines[-1] == f"  and {len(error.problems) - MAX_SHOWN} more problems"


def test_bad_elements_after_good_ones_are_counted_from_where_they_start() -> None:
    good = to_dict(from_dict(_item(), FeedbackItem))
    data = [good] * 5 + [{**good, "kind": "Bug"}] * 15 + [good]
    with pytest.raises(ValidationError) as info:
        from_dict(data, list[FeedbackItem])
    assert str(info.value.problems[0]) == "$: 15 elements are not valid; the first 10 are itemized"
    assert [p.location for p in info.value.problems[1:]] == [f"$[{i}].kind" for i in range(5, 15)]


def test_a_huge_bad_mapping_is_counted_too() -> None:
    @attrs.frozen
    class Scores:
        by_theme: dict[str, int]

    raw = {"by_theme": {f"t{i}": "x" for i in range(500)}}
    with pytest.raises(ValidationError) as info:
        from_dict(raw, Scores)
    assert str(info.value.problems[0]) == (
        "$.by_theme: 500 entries are not valid; the first 10 are itemized"
    )
    assert len(info.value.problems) == 11


@given(st.lists(st.sampled_from([None, 1, "x", {}, {"id": "p"}]), max_size=30))
def test_itemizing_is_bounded_and_every_bad_element_is_counted(raw: list[object]) -> None:
    bad = [i for i, value in enumerate(raw) if value != {"id": "p"}]
    try:
        loaded = from_dict(raw, list[Person])
    except ValidationError as e:
        problems = e.problems
    else:
        assert not bad
        assert len(loaded) == len(raw)
        return
    itemized = sorted({p.path[0] for p in problems if p.path})
    assert itemized == bad[:10]
    summary = [str(p) for p in problems if not p.path]
    if len(bad) > 10:
        assert summary == [f"$: {len(bad)} elements are not valid; the first 10 are itemized"]
    else:
        assert summary == []


def test_errors_name_the_collection_type() -> None:
    with pytest.raises(ValidationError, match=r"^invalid list\[Customer\]: "):
        from_dict([1], list[Customer])


@pytest.mark.parametrize("output", ["json", "csv"])
def test_the_command_line_refuses_a_lone_surrogate_with_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str
) -> None:
    data = to_dict(demo_dataset())
    data["feedback"][0]["theme"] = "\ud800"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # escaped: valid JSON text
    assert main(["rank", str(path), "--format", output]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"{path}: $.feedback[0].theme: must be valid Unicode text")


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda bad: User(Person("p"), features_used={"api", bad}), "$.features_used"),
        (lambda bad: Persona("x", "X", Role.USER, goals=("ok", bad)), "$.goals[1]"),
        (Person, "$.id"),
    ],
)
def test_every_kind_of_model_text_refuses_a_lone_surrogate(build: Any, path: str) -> None:
    assert build("fine \N{GRINNING FACE}") is not None
    with pytest.raises(ValidationError) as info:
        build("x\ud800")
    assert info.value.paths == [path]
    assert "lone surrogate" in str(info.value)


def test_a_cattrs_preconf_converter_gives_the_library_s_json() -> None:
    from cattrs.preconf.json import make_converter as json_converter

    conv = json_converter()
    configure_converter(conv)
    data = demo_dataset()
    assert conv.unstructure(data) == to_dict(data)
    assert conv.loads(conv.dumps(data), Dataset) == data
    assert json.loads(conv.dumps(data)) == json.loads(to_json(data))


@attrs.frozen
class _Label:
    text: str
    title: str = attrs.field(default=attrs.Factory(lambda self: self.text.upper(), takes_self=True))


def test_a_default_that_takes_self_is_served_by_cattrs_own_quick_function() -> None:
    assert from_dict({"text": "a"}, _Label) == _Label("a", "A")
    with pytest.raises(ValidationError) as info:
        from_dict({"text": 1, "secret@example.com": 2}, _Label)
    assert [str(p) for p in info.value.problems] == [
        "$.text: must be a string, not an integer",
        "$: has 1 unknown field",
    ]


@pytest.mark.parametrize("name", ["segment_weights", "strategic_fit"])
def test_policy_weight_keys_refuse_a_lone_surrogate(name: str) -> None:
    with pytest.raises(ValidationError) as info:
        PrioritizationPolicy(**{name: {"ok": 1.0, "x\ud800": 1.0}})  # type: ignore[arg-type]
    assert info.value.paths == [f"$.{name}"]
    assert "lone surrogate" in str(info.value)


# -- a model refusing what the reader read ---------------------------------------


def _demo_backlog() -> customer_model.Backlog:
    from customer_model import ValueWeighting, prioritize

    data = demo_dataset()
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    return prioritize(
        data.feedback, data.customers, policy=policy, as_of=datetime(2026, 12, 1, tzinfo=UTC)
    )


def _outcome_of(build: Callable[[], object]) -> object:
    try:
        return build()
    except ValidationError as e:
        return e.problems


_IDS = st.lists(st.sampled_from(["f-1", "f-2", " f-3", "f-4 ", "", "\u3000", "f 5"]), max_size=30)


@given(_IDS)
def test_a_model_refusing_what_was_read_reports_what_its_own_checks_report(ids: list[str]) -> None:
    # The reader builds the model once: when the model's own checks refuse the
    # fields read, that refusal is the report, word for word, as if built directly.
    item = _demo_backlog().items[0]
    raw = json.loads(to_json(item))
    raw["feedback_ids"] = ids
    direct = _outcome_of(lambda: attrs.evolve(item, feedback_ids=tuple(ids)))
    assert _outcome_of(lambda: from_dict(raw, type(item))) == direct
    assert _outcome_of(lambda: from_json(json.dumps(raw), type(item))) == direct


def test_a_refused_element_is_reported_under_its_place_beside_other_problems() -> None:
    backlog = _demo_backlog()
    raw = json.loads(to_json(backlog))
    raw["items"][1]["feedback_ids"] = [" f-1", "f-2", "f-2"]
    raw["items"][2]["rank"] = "3"
    own = _outcome_of(lambda: attrs.evolve(backlog.items[1], feedback_ids=(" f-1", "f-2", "f-2")))
    assert isinstance(own, tuple | list)
    with pytest.raises(ValidationError) as info:
        from_dict(raw, type(backlog))
    assert list(info.value.problems) == [
        *(p.under(("items", 1)) for p in own),
        customer_model.errors.Problem(("items", 2, "rank"), "must be an integer, not a string"),
    ]


def test_a_parent_refusing_its_children_is_told_from_a_child_refusing_itself() -> None:
    backlog = _demo_backlog()
    raw = json.loads(to_json(backlog))
    raw["items"][0], raw["items"][1] = raw["items"][1], raw["items"][0]
    direct = _outcome_of(
        lambda: type(backlog)(
            **{
                **attrs.asdict(backlog, recurse=False),
                "items": (backlog.items[1], backlog.items[0], *backlog.items[2:]),
            }
        )
    )
    assert isinstance(direct, tuple | list)
    assert direct
    assert all(p.path[:1] == ("items",) for p in direct)
    assert _outcome_of(lambda: from_dict(raw, type(backlog))) == direct
    # A person refusing its own id is reported inside the customer, not at it.
    customer = json.loads(to_json(demo_dataset().customers[0]))
    customer["purchasers"][0]["person"]["id"] = " p"
    with pytest.raises(ValidationError) as info:
        from_dict(customer, Customer)
    assert info.value.paths == ["$.purchasers[0].person.id"]


# -- times in a zone with daylight saving -----------------------------------------

_BERLIN_REPEATED_HOUR = datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin"))


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2037, 12, 31),
        timezones=st.sampled_from(
            [ZoneInfo(z) for z in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]
        ),
    )
)
@example(_BERLIN_REPEATED_HOUR)
@example(_BERLIN_REPEATED_HOUR.replace(fold=0))
def test_a_model_in_a_zone_equals_its_json_round_trip(moment: datetime) -> None:
    # JSON keeps the instant and the offset, not the zone: a time in a zone's
    # repeated hour came back unequal (Python's rule for such times).
    item = FeedbackItem(
        id="f", customer_id="c", theme="t", kind="bug", channel="email", created_at=moment
    )
    loaded = from_json(to_json(item), FeedbackItem)
    assert loaded == item
    assert hash(loaded) == hash(item)
    assert loaded.created_at.utcoffset() == moment.utcoffset()


def test_two_times_an_hour_apart_in_one_zone_are_not_one() -> None:
    # Python compares two times of one zone by their wall clock: 02:30 before
    # and after the clocks go back would be equal.
    first = _BERLIN_REPEATED_HOUR.replace(fold=0)
    later = _BERLIN_REPEATED_HOUR
    assert first == later  # Python's own rule, which the models do not follow
    made = [Purchase(amount=Decimal("1"), currency="EUR", at=at) for at in (first, later)]
    assert made[0] != made[1]
    items = [
        FeedbackItem(id="f", customer_id="c", theme="t", kind="bug", channel="email", created_at=at)
        for at in (first, later)
    ]
    assert items[0] != items[1]


def test_a_rule_on_a_time_in_a_zone_equals_its_json_round_trip() -> None:
    from customer_model import Segment, field

    moment = _BERLIN_REPEATED_HOUR
    when = field("last_purchase_at")
    for rule in (
        when >= moment,
        when.between(moment.replace(fold=0), moment),
        when.is_in([moment]),
    ):
        segment = Segment("s", "S", rule)
        loaded = from_json(to_json(segment), Segment)
        assert loaded == segment
        assert hash(loaded) == hash(segment)
    assert (when >= moment) != (when >= moment.replace(fold=0))


#: The names of the _Built objects made, in order: each refused one is built once.
_BUILT: list[str] = []


@attrs.frozen
class _Built:
    name: str

    def __attrs_post_init__(self) -> None:
        _BUILT.append(self.name)
        if self.name.startswith("bad"):
            raise ValidationError.single("name", "must not start with 'bad'")


@pytest.mark.parametrize("kind", [list[_Built], tuple[_Built, ...]])
def test_a_list_element_refusing_itself_is_built_once(kind: Any) -> None:
    # The list's quick pass met the refusal; the report reuses it, not a second build.
    _BUILT.clear()
    raw = [{"name": "a"}, {"name": "bad-b"}, {"name": "c"}, {"name": "bad-d"}]
    with pytest.raises(ValidationError) as info:
        from_dict(raw, kind)
    assert _BUILT == ["a", "bad-b", "c", "bad-d"]
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("$[1].name", "must not start with 'bad'"),
        ("$[3].name", "must not start with 'bad'"),
    ]


@pytest.mark.parametrize("given", [None, "an error", 3])
def test_format_exception_refuses_what_is_not_an_exception(given: object) -> None:
    # format_exception(None, None) once raised a bare AttributeError.
    with pytest.raises(ValidationError) as info:
        format_exception(given, None)  # type: ignore[arg-type]
    assert info.value.paths == ["$.exc"]
