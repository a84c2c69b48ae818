from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
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
        ("kind", "bug"),
        ("need", "cost"),
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
