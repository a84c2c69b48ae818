"""Tests for user stories and drafting them from backlog items."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Backlog,
    Persona,
    PrioritizationPolicy,
    Role,
    ValidationError,
    from_json,
    prioritize,
    to_json,
)
from customer_model.examples import demo_dataset
from customer_model.stories import UserStory, draft_story

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def backlog() -> Backlog:
    ds = demo_dataset()
    return prioritize(
        ds.feedback,
        ds.customers,
        policy=PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17}),
        as_of=AS_OF,
    )


LEAD = Persona("persona-lead", "operations lead", Role.USER)
CFO = Persona("persona-cfo", "economic buyer", Role.PURCHASER)


class TestUserStory:
    def test_renders_the_template(self) -> None:
        story = UserStory(persona="team lead", goal="bulk export", benefit="I save time")
        assert str(story) == "As a team lead, I want bulk export so that I save time"
        other = UserStory(persona="analyst", goal="x", benefit="y")
        assert str(other).startswith("As an analyst,")

    def test_ids_sorted_and_unique(self) -> None:
        story = UserStory(persona="p", goal="g", benefit="b", feedback_ids=["f-2", "f-1"])
        assert story.feedback_ids == ("f-1", "f-2")
        with pytest.raises(ValidationError) as info:
            UserStory(persona="p", goal="g", benefit="b", feedback_ids=["f-1", "f-1"])
        assert info.value.problems[0].path == ("feedback_ids",)

    @pytest.mark.parametrize("bad", ["", " f-1", "f-1\n", "\ud800"])
    def test_feedback_ids_are_identifiers(self, bad: str) -> None:
        # Once any string: a lone surrogate was taken, then refused by to_json.
        with pytest.raises(ValidationError) as info:
            UserStory(persona="p", goal="g", benefit="b", feedback_ids=["f-2", bad])
        where = sorted(["f-2", bad]).index(bad)  # the ids are kept sorted
        assert info.value.paths == [f"$.feedback_ids[{where}]"]

    def test_validation(self) -> None:
        with pytest.raises(ValidationError) as info:
            UserStory(persona=" ", goal="", benefit=3, acceptance_criteria=["ok", ""])  # type: ignore[arg-type]
        paths = {p.path for p in info.value.problems}
        assert paths == {("persona",), ("goal",), ("benefit",), ("acceptance_criteria", 1)}

    def test_json_round_trip(self) -> None:
        story = UserStory(
            persona="p", goal="g", benefit="b", acceptance_criteria=["c"], feedback_ids=["f-1"]
        )
        assert from_json(to_json(story), UserStory) == story

    def test_markdown(self) -> None:
        story = UserStory(
            persona="p", goal="g", benefit="b", acceptance_criteria=["works"], feedback_ids=["f-1"]
        )
        assert story.to_markdown().splitlines() == [
            "As a p, I want g so that b",
            "",
            "Acceptance criteria:",
            "- [ ] works",
            "",
            "Feedback: f-1",
        ]


class TestDraft:
    def test_user_persona_on_a_user_theme(self) -> None:
        item = backlog().get("bulk-export")
        assert item is not None
        story = draft_story(item, LEAD)
        assert str(story) == (
            "As an operations lead, I want bulk export so that I get my work done faster"
        )
        assert story.feedback_ids == item.feedback_ids
        assert (story.persona_id, story.theme) == ("persona-lead", "bulk-export")

    def test_benefit_follows_the_personas_side(self) -> None:
        item = backlog().get("subscription-price")
        assert item is not None
        assert draft_story(item, CFO).benefit == "I get more value for what we pay"
        # no user spoke: fall back to every voice
        assert draft_story(item, LEAD).benefit == "I get more value for what we pay"

    def test_overrides(self) -> None:
        item = backlog()[0]
        story = draft_story(
            item, CFO, goal="exports of any size", benefit="b", acceptance_criteria=["10k rows"]
        )
        assert story.goal == "exports of any size"
        assert story.acceptance_criteria == ("10k rows",)

    def test_bad_input(self) -> None:
        with pytest.raises(ValidationError) as info:
            draft_story("item", LEAD, goal="")  # type: ignore[arg-type]
        assert {p.path for p in info.value.problems} == {("item",), ("goal",)}

    @given(st.text(alphabet="-_ ab", min_size=1, max_size=6))
    def test_every_theme_drafts_a_goal(self, theme: str) -> None:
        # Once a theme of dashes ("-") drafted a blank goal, refused as "$.goal" never given.
        try:
            item = attrs.evolve(backlog()[0], theme=theme)
        except ValidationError:  # not a theme: blank or padded
            return
        goal = draft_story(item, LEAD).goal
        assert goal == goal.strip() != ""
        words = theme.replace("-", " ").replace("_", " ").split()
        assert goal.split() == words if words else goal == theme
