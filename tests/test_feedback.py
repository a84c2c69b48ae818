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
