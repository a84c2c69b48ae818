from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import Channel, FeedbackItem, FeedbackKind, Importance, Need, ValidationError

BASE: dict[str, object] = {
    "id": "f-1",
    "customer_id": "c-1",
    "theme": "export",
    "kind": FeedbackKind.FEATURE_REQUEST,
    "channel": Channel.IN_APP,
    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
}


def test_optional_fields_default_to_unknown() -> None:
    item = FeedbackItem(**BASE)  # type: ignore[arg-type]
    assert item.is_anonymous
    assert item.importance is None
    assert item.need is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", ""),
        ("customer_id", None),
        ("author_id", ""),
        ("theme", "  "),
        ("kind", "Bug"),
        ("need", "COST"),
        ("importance", 2),
        ("channel", None),
        ("text", None),
        ("created_at", datetime(2026, 1, 1)),
    ],
)
def test_each_field_is_checked(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as info:
        FeedbackItem(**{**BASE, field: value})  # type: ignore[arg-type]
    assert info.value.paths == [f"$.{field}"]


@given(st.sampled_from(Importance), st.sampled_from(Importance))
def test_importance_order_follows_level(a: Importance, b: Importance) -> None:
    assert (a < b) == (a.level < b.level)
    assert (a <= b) == (a.level <= b.level)


def test_importance_order() -> None:
    assert sorted(Importance, reverse=True)[0] is Importance.CRITICAL
    assert [i.level for i in Importance] == [0, 1, 2, 3]


def test_text_is_not_shown_in_repr() -> None:
    item = FeedbackItem(**{**BASE, "text": "call me on +49 170 1234567"})  # type: ignore[arg-type]
    assert "1234567" not in repr(item)
    assert "<26 chars>" in repr(item)


def test_vocabularies_cover_the_domain() -> None:
    assert {k.name for k in FeedbackKind} >= {
        "BUG",
        "FEATURE_REQUEST",
        "COMPLAINT",
        "PRAISE",
        "QUESTION",
    }
    assert {n.name for n in Need} >= {"COST", "SCALABILITY", "USABILITY", "EFFICIENCY"}
    assert {c.name for c in Channel} >= {
        "SURVEY",
        "INTERVIEW",
        "FOCUS_GROUP",
        "USER_TEST",
        "SUPPORT_TICKET",
        "SOCIAL_MEDIA",
        "SALES_CALL",
        "IN_APP",
        "REVIEW",
    }


class _NotAZone(tzinfo):
    """A tzinfo that does not know its offset: datetimes with it are naive."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None


_ODD_VALUES = st.sampled_from(
    [None, "", " ", "x", " x", "x ", "\u00a0x", "x\n", 3, True, b"x", FeedbackKind.BUG, Need.COST]
)
_FIELD_VALUES: dict[str, st.SearchStrategy[object]] = {
    "id": st.text(max_size=4) | _ODD_VALUES,
    "customer_id": st.text(max_size=4) | _ODD_VALUES,
    "author_id": st.text(max_size=4) | _ODD_VALUES,
    "theme": st.text(max_size=4) | _ODD_VALUES,
    "kind": st.sampled_from(FeedbackKind) | _ODD_VALUES,
    "need": st.sampled_from(Need) | _ODD_VALUES,
    "importance": st.sampled_from(Importance) | _ODD_VALUES,
    "channel": st.sampled_from(Channel) | _ODD_VALUES,
    "text": st.text(max_size=4) | _ODD_VALUES,
    "created_at": st.sampled_from(
        [
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-3))),
            datetime(2026, 1, 1),
            datetime(2026, 1, 1, tzinfo=_NotAZone()),  # type: ignore[abstract]
            date(2026, 1, 1),
        ]
    )
    | _ODD_VALUES,
}


_CHANGES = st.sampled_from(sorted(_FIELD_VALUES)).flatmap(
    lambda name: st.tuples(st.just(name), _FIELD_VALUES[name])
)


@settings(max_examples=300)
@given(st.lists(_CHANGES, min_size=1, max_size=2))
def test_fast_check_agrees_with_the_full_check(changes: list[tuple[str, object]]) -> None:
    # The constructor's inline fast path must never let through what the full
    # Checker rejects, and errors must come from the full Checker.
    kwargs = {**BASE, **dict(changes)}
    full_check = FeedbackItem._check
    expected: ValidationError | None = None
    try:
        full_check(
            SimpleNamespace(  # type: ignore[arg-type]
                **{"author_id": None, "need": None, "importance": None, "text": "", **kwargs}
            )
        )
    except ValidationError as e:
        expected = e
    if expected is None:
        assert FeedbackItem(**kwargs).id == kwargs["id"]  # type: ignore[arg-type]
    else:
        with pytest.raises(ValidationError) as info:
            FeedbackItem(**kwargs)  # type: ignore[arg-type]
        assert info.value.problems == expected.problems


def _refusal(**changes: object) -> str:
    with pytest.raises(ValidationError) as info:
        FeedbackItem(**{**BASE, **changes})  # type: ignore[arg-type]
    assert info.value.subject == "FeedbackItem"
    return str(info.value)


_VALUES = {
    "kind": "'bug', 'feature_request', 'complaint', 'praise', 'question'",
    "need": "'cost', 'scalability', 'usability', 'efficiency', 'reliability', 'security', "
    "'compliance', 'integration'",
    "importance": "'not_important', 'nice_to_have', 'important', 'critical'",
    "channel": "'survey', 'interview', 'focus_group', 'user_test', 'support_ticket', "
    "'social_media', 'sales_call', 'in_app', 'review', 'email', 'community'",
}
_SURROGATE = "must be valid Unicode text (it holds a lone surrogate, which UTF-8 cannot encode)"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id", " f", "must not start or end with white space"),
        ("id", "f ", "must not start or end with white space"),
        ("id", 3, "must be a string, not int"),
        ("id", "", "must not be empty or blank"),
        ("customer_id", "", "must not be empty or blank"),
        ("customer_id", "c\n", "must not start or end with white space"),
        ("customer_id", b"c", "must be a string, not bytes"),
        ("author_id", " a", "must not start or end with white space"),
        ("author_id", "", "must not be empty or blank"),
        ("author_id", 7, "must be a string, not int"),
        ("theme", "", "must not be empty or blank"),
        ("theme", "export ", "must not start or end with white space"),
        ("theme", 1.5, "must be a string, not float"),
        ("id", "f\ud800", _SURROGATE),
        ("customer_id", "\udc00c", _SURROGATE),
        ("author_id", "a\ud800", _SURROGATE),
        ("theme", "\ud800", _SURROGATE),
        ("text", "hi \ud800", _SURROGATE),
        ("text", 3, "must be a string, not int"),
        ("kind", "Bug", f"must be a FeedbackKind or one of its values: {_VALUES['kind']}"),
        ("kind", None, "is required"),
        ("need", "COST", f"must be a Need or one of its values: {_VALUES['need']}"),
        (
            "need",
            Importance.CRITICAL,
            f"must be a Need or one of its values: {_VALUES['need']}, not Importance",
        ),
        (
            "importance",
            "HIGH",
            f"must be an Importance or one of its values: {_VALUES['importance']}",
        ),
        (
            "importance",
            Need.COST,
            f"must be an Importance or one of its values: {_VALUES['importance']}, not Need",
        ),
        ("channel", "x", f"must be a Channel or one of its values: {_VALUES['channel']}"),
        (
            "channel",
            FeedbackKind.BUG,
            f"must be a Channel or one of its values: {_VALUES['channel']}, not FeedbackKind",
        ),
        (
            "created_at",
            datetime(2026, 1, 1),
            "must be timezone-aware (naive datetimes are ambiguous)",
        ),
        (
            "created_at",
            datetime(2026, 1, 1, tzinfo=_NotAZone()),  # type: ignore[abstract]
            "must have a time zone that gives a valid UTC offset",
        ),
        ("created_at", "2026-01-01", "must be a datetime, not str"),
        ("created_at", date(2026, 1, 1), "must be a datetime, not date"),
        (
            "created_at",
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
            "must fall within years 1 to 9999 in UTC",
        ),
        (
            "created_at",
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-3))),
            "must fall within years 1 to 9999 in UTC",
        ),
    ],
)
def test_each_refusal_word_for_word(field: str, value: object, message: str) -> None:
    assert _refusal(**{field: value}) == f"invalid FeedbackItem: $.{field}: {message}"


def test_every_problem_is_reported_in_field_order() -> None:
    message = _refusal(
        id="",
        customer_id=" c",
        author_id="",
        theme="",
        kind="x",
        need="x",
        importance="x",
        channel="x",
        text=1,
        created_at=None,
    )
    paths = message.splitlines()[1:]
    assert message.splitlines()[0] == "invalid FeedbackItem: 10 problems"
    assert [line.split(":")[0].strip() for line in paths] == [
        "$.id",
        "$.customer_id",
        "$.author_id",
        "$.theme",
        "$.kind",
        "$.need",
        "$.importance",
        "$.channel",
        "$.text",
        "$.created_at",
    ]


@pytest.mark.parametrize(
    "at",
    [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=-3))),
        datetime(2, 1, 1, tzinfo=timezone(timedelta(hours=3))),
        datetime(9998, 12, 31, 23, tzinfo=timezone(timedelta(hours=-3))),
        datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=3))),
        datetime(2026, 6, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
)
def test_times_near_the_calendars_ends_and_in_other_zones(at: datetime) -> None:
    assert FeedbackItem(**{**BASE, "created_at": at}).created_at == at  # type: ignore[arg-type]


def test_values_are_taken_for_members_and_fields_kept() -> None:
    item = FeedbackItem(
        id="f-9",
        customer_id="c-9",
        author_id="p-9",
        theme="sso",
        kind="bug",
        need="security",
        importance="critical",
        channel="email",
        text="",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert item.kind is FeedbackKind.BUG
    assert item.need is Need.SECURITY
    assert item.importance is Importance.CRITICAL
    assert item.channel is Channel.EMAIL
    assert item.author_id == "p-9"
    assert not item.is_anonymous
    assert item.text == ""
    assert "text='<0 chars>'" in repr(item) or "<0 chars>" in repr(item)


def test_equal_instants_in_other_zones_are_equal_items() -> None:
    utc = FeedbackItem(**BASE)  # type: ignore[arg-type]
    later_zone = datetime(2026, 1, 1, 3, tzinfo=timezone(timedelta(hours=3)))
    assert FeedbackItem(**{**BASE, "created_at": later_zone}) == utc  # type: ignore[arg-type]


def test_importance_is_not_ordered_against_other_values() -> None:
    assert Importance.CRITICAL.__lt__(3) is NotImplemented
    with pytest.raises(TypeError):
        _ = Importance.CRITICAL < "critical"
    assert Importance.NICE_TO_HAVE.level == 1
    assert Importance.NOT_IMPORTANT < Importance.CRITICAL
    assert not Importance.CRITICAL < Importance.CRITICAL
