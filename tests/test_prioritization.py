"""Tests for prioritize, PrioritizationPolicy and the Backlog it returns."""

from __future__ import annotations

import html
import json
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from _tables import COUNTS
from customer_model import (
    Backlog,
    BacklogItem,
    Channel,
    Customer,
    CustomerKind,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Importance,
    Need,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    Role,
    User,
    ValidationError,
    ValueWeighting,
    from_dict,
    from_json,
    prioritize,
    to_dict,
    to_json,
)
from customer_model.backlog import Factor, VoiceRole
from customer_model.examples import demo_dataset
from customer_model.frameworks import IceEstimate, RiceEstimate, WsjfEstimate
from customer_model.testing import datasets, feedback_items

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
#: Only the published Productboard rule: no role, kind, value or recency weighting.
PLAIN = PrioritizationPolicy(
    role_weights={},
    kind_weights={},
    customer_value=ValueWeighting.NONE,
)
RATES = {"USD": 0.9, "GBP": 1.2}


def at(month: int, day: int = 1) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def person(pid: str) -> Person:
    return Person(pid)


def business(cid: str = "c-biz", *, revenue: str | None = None, currency: str = "EUR") -> Customer:
    """Ann buys only, Bob uses only, Cy does both, Dee is listed nowhere."""
    ann, bob, cy = person(f"{cid}-ann"), person(f"{cid}-bob"), person(f"{cid}-cy")
    purchases = [Purchase(Decimal(revenue), currency, at(1))] if revenue else []
    return Customer(
        cid,
        CustomerKind.ORGANIZATION,
        purchasers=[Purchaser(ann), Purchaser(cy)],
        users=[User(bob), User(cy)],
        purchases=purchases,
    )


_counter = iter(range(1_000_000))


def fb(
    customer: Customer | str,
    author: str | None,
    theme: str = "export",
    *,
    importance: Importance | None = Importance.IMPORTANT,
    need: Need | None = None,
    kind: FeedbackKind = FeedbackKind.FEATURE_REQUEST,
    created_at: datetime | None = None,
    id: str | None = None,
) -> FeedbackItem:
    cid = customer if isinstance(customer, str) else customer.id
    return FeedbackItem(
        id=id or f"f-{next(_counter):06d}",
        customer_id=cid,
        author_id=None if author is None else f"{cid}-{author}" if "-" not in author else author,
        theme=theme,
        kind=kind,
        need=need,
        importance=importance,
        channel=Channel.INTERVIEW,
        created_at=created_at or at(3),
    )


def score(backlog: Backlog, theme: str) -> float:
    item = backlog.get(theme)
    return 0.0 if item is None else item.score


# -- the published rule: Productboard's customer importance ----------------------------


class TestProductboardImportance:
    def test_points_per_importance_and_unspecified(self) -> None:
        c = business()
        backlog = prioritize(
            [
                fb(c, "ann", "a", importance=Importance.NOT_IMPORTANT),
                fb(c, "ann", "b", importance=Importance.NICE_TO_HAVE),
                fb(c, "ann", "c", importance=Importance.IMPORTANT),
                fb(c, "ann", "d", importance=Importance.CRITICAL),
                fb(c, "ann", "e", importance=None),
            ],
            [c],
            policy=PLAIN,
            as_of=AS_OF,
        )
        assert {i.theme: i.score for i in backlog} == {"a": 0, "b": 1, "c": 2, "d": 3, "e": 1}

    def test_same_person_twice_counts_once_with_latest_importance(self) -> None:
        # Ann first says nice-to-have, later critical: one voice worth 3, not 4.
        c = business()
        items = [
            fb(c, "ann", importance=Importance.NICE_TO_HAVE, created_at=at(1), id="f-1"),
            fb(c, "ann", importance=Importance.CRITICAL, created_at=at(4), id="f-2"),
            fb(c, "bob", importance=Importance.IMPORTANT, created_at=at(2), id="f-3"),
        ]
        item = prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0]
        assert item.score == 5.0
        assert item.voices == 2
        assert item.feedback_ids == ("f-1", "f-2", "f-3")

    def test_latest_wins_even_when_it_is_less_important(self) -> None:
        c = business()
        items = [
            fb(c, "ann", importance=Importance.CRITICAL, created_at=at(1)),
            fb(c, "ann", importance=Importance.NICE_TO_HAVE, created_at=at(5)),
        ]
        assert prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0].score == 1.0

    def test_same_instant_goes_to_larger_id(self) -> None:
        c = business()
        later_offset = at(3).astimezone(timezone(timedelta(hours=5)))
        items = [
            fb(c, "ann", importance=Importance.CRITICAL, created_at=at(3), id="f-b"),
            fb(c, "ann", importance=Importance.NICE_TO_HAVE, created_at=later_offset, id="f-a"),
        ]
        assert prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0].score == 3.0
        assert prioritize(items[::-1], [c], policy=PLAIN, as_of=AS_OF)[0].score == 3.0

    def test_anonymous_items_each_count_with_their_own_weight(self) -> None:
        c = business()
        items = [fb(c, None, importance=Importance.CRITICAL) for _ in range(3)]
        item = prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0]
        assert item.anonymous_voices == 3
        assert item.score == 3 * 3 * 0.5
        policy = attrs.evolve(PLAIN, anonymous_weight=0.2)
        assert prioritize(items, [c], policy=policy, as_of=AS_OF)[0].score == pytest.approx(1.8)


# -- purchasers versus users ---------------------------------------------------------------


class TestRoleAndNeed:
    @pytest.mark.parametrize(
        ("author", "need", "expected"),
        [
            ("ann", Need.COST, 2.0),  # purchaser on a purchaser need: full
            ("bob", Need.COST, 1.0),  # user who does not buy: half
            ("cy", Need.COST, 2.0),  # both roles: full
            ("ann", Need.USABILITY, 1.0),  # purchaser who does not use: half
            ("bob", Need.USABILITY, 2.0),
            ("cy", Need.EFFICIENCY, 2.0),
            ("ann", Need.SECURITY, 2.0),  # shared needs count fully from anyone
            ("bob", None, 2.0),
            ("dee", Need.COST, 1.0),  # listed neither as purchaser nor user
        ],
    )
    def test_default_weights(self, author: str, need: Need | None, expected: float) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, role_weights=PrioritizationPolicy().role_weights)
        backlog = prioritize([fb(c, author, need=need)], [c], policy=policy, as_of=AS_OF)
        assert backlog[0].score == expected

    def test_voice_counts_by_role(self) -> None:
        c = business()
        items = [fb(c, a) for a in ("ann", "bob", "cy", "dee")] + [fb(c, None)]
        item = prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0]
        assert (item.purchaser_voices, item.user_voices, item.both_voices) == (2, 2, 1)
        assert (item.unlisted_voices, item.anonymous_voices, item.voices) == (1, 1, 5)
        roles = {c.role for c in item.explanation}
        assert roles == set(VoiceRole)

    def test_the_explanation_is_by_role_and_need_with_points_before_weights(self) -> None:
        # Two needs of one role: the role's voices add up over both groups.
        c = business()
        items = [
            fb(c, "ann", need=Need.USABILITY, importance=Importance.CRITICAL),
            fb(c, "cy", need=Need.COST, importance=Importance.CRITICAL),
        ]
        item = prioritize(items, [c], policy=PrioritizationPolicy(), as_of=AS_OF)[0]
        assert [(p.role, p.need, p.voices, p.points) for p in item.explanation] == [
            (VoiceRole.PURCHASER, Need.USABILITY, 1, 3.0),
            (VoiceRole.BOTH, Need.COST, 1, 3.0),
        ]
        # The points are before the role weight (a purchaser on a user need weighs 0.5).
        assert [p.value for p in item.explanation] == [1.5, 3.0]
        two = [fb(c, "ann", need=Need.USABILITY), fb(c, "ann", "b", need=Need.COST)]
        two.append(fb(c, "cy", "b", need=Need.COST))
        two.append(fb(c, "bob", "b", need=Need.USABILITY))
        theme_b = prioritize(two, [c], policy=PLAIN, as_of=AS_OF).get("b")
        assert theme_b is not None
        assert (theme_b.purchaser_voices, theme_b.user_voices, theme_b.both_voices) == (2, 2, 1)

    def test_custom_role_weights(self) -> None:
        c = business()
        policy = attrs.evolve(
            PLAIN, role_weights={Need.COST: {Role.PURCHASER: 3.0, Role.USER: 0.0}}
        )
        items = [fb(c, "ann", need=Need.COST), fb(c, "bob", need=Need.COST)]
        item = prioritize(items, [c], policy=policy, as_of=AS_OF)[0]
        assert item.score == 6.0
        assert item.purchaser_share == 1.0
        assert item.user_share == 0.0

    def test_shares(self) -> None:
        c = business()
        items = [fb(c, "ann"), fb(c, "bob"), fb(c, "cy")]
        item = prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0]
        assert item.purchaser_share == pytest.approx(2 / 3)
        assert item.user_share == pytest.approx(2 / 3)


# -- the other knobs ---------------------------------------------------------------------------


class TestKnobs:
    def test_bug_severity(self) -> None:
        c = business()
        items = [fb(c, "ann", kind=FeedbackKind.BUG)]
        assert prioritize(items, [c], as_of=AS_OF, policy=PrioritizationPolicy())[0].score == 3.0
        assert prioritize(items, [c], as_of=AS_OF, policy=PLAIN)[0].score == 2.0

    def test_half_life(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, half_life=timedelta(days=30))
        items = [
            fb(c, "ann", "now", created_at=AS_OF),
            fb(c, "ann", "old", created_at=AS_OF - timedelta(days=30)),
            fb(c, "ann", "older", created_at=AS_OF - timedelta(days=60)),
        ]
        scores = {i.theme: i.score for i in prioritize(items, [c], policy=policy, as_of=AS_OF)}
        assert scores == {"now": 2.0, "old": 1.0, "older": 0.5}

    def test_decay_uses_the_latest_item_of_the_voice(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, half_life=timedelta(days=30))
        items = [
            fb(c, "ann", created_at=AS_OF - timedelta(days=300)),
            fb(c, "ann", created_at=AS_OF - timedelta(days=30)),
        ]
        assert prioritize(items, [c], policy=policy, as_of=AS_OF)[0].score == 1.0

    @pytest.mark.parametrize(
        ("mode", "expected"),
        [
            (ValueWeighting.NONE, 2.0),
            (ValueWeighting.LINEAR, 2.0 * 3.0),
            (ValueWeighting.LOG, 2.0 * (1 + math.log1p(2.0))),
        ],
    )
    def test_customer_value(self, mode: ValueWeighting, expected: float) -> None:
        c = business(revenue="2000")
        policy = attrs.evolve(PLAIN, customer_value=mode)
        assert prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)[0].score == expected

    def test_customer_without_purchases_weighs_one(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, customer_value=ValueWeighting.LINEAR)
        assert prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)[0].score == 2.0

    def test_exchange_rates_convert_revenue(self) -> None:
        c = business(revenue="1000", currency="USD")
        policy = attrs.evolve(
            PLAIN, customer_value=ValueWeighting.LINEAR, currency="EUR", exchange_rates={"USD": 0.5}
        )
        item = prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)[0]
        assert item.score == 2.0 * 1.5
        assert item.revenue == {"USD": Decimal("1000")}

    def test_missing_rate_is_an_error_naming_the_currency(self) -> None:
        c = business(revenue="1000", currency="BRL")
        policy = PrioritizationPolicy(currency="EUR")
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)
        assert info.value.problems[0].path == ("policy", "exchange_rates")
        assert "'BRL'" in str(info.value)

    def test_default_policy_takes_any_single_currency(self) -> None:
        c = business(revenue="1000", currency="BRL")
        item = prioritize([fb(c, "ann")], [c], as_of=AS_OF)[0]
        assert item.revenue == {"BRL": Decimal("1000")}

    def test_default_policy_refuses_to_mix_currencies(self) -> None:
        real, dollar = (
            business("c-1", revenue="10", currency="BRL"),
            business("c-2", revenue="10", currency="USD"),
        )
        with pytest.raises(ValidationError) as info:
            prioritize([fb(real, "ann"), fb(dollar, "ann")], [real, dollar], as_of=AS_OF)
        assert info.value.problems[0].path == ("policy", "currency")
        assert "'BRL', 'USD'" in str(info.value)

    def test_rates_need_a_currency(self) -> None:
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy(exchange_rates={"USD": 0.9})
        assert info.value.paths == ["$.exchange_rates"]

    def test_strategic_fit(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, strategic_fit={"a": 0.0, "b": 2.0}, default_fit=0.5)
        items = [fb(c, "ann", t) for t in ("a", "b", "c")]
        scores = {i.theme: i.score for i in prioritize(items, [c], policy=policy, as_of=AS_OF)}
        assert scores == {"a": 0.0, "b": 4.0, "c": 1.0}

    def test_segment_weights_take_the_largest(self) -> None:
        big, small = business("c-big"), business("c-small")
        segments = [
            IdSegment("key", frozenset({"c-big"})),
            IdSegment("all", frozenset({"c-big", "c-small"})),
            IdSegment("unweighted", frozenset({"c-small"})),
        ]
        policy = attrs.evolve(PLAIN, segment_weights={"key": 3.0, "all": 0.5})
        items = [fb(big, "c-big-ann", "x"), fb(small, "c-small-ann", "y")]
        backlog = prioritize(items, [big, small], policy=policy, as_of=AS_OF, segments=segments)
        assert score(backlog, "x") == 6.0
        assert score(backlog, "y") == 1.0
        assert segments[0].calls == [AS_OF, AS_OF]  # once per customer
        assert segments[2].calls == []  # unweighted segments are not consulted

    def test_weighted_segment_must_be_given(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, segment_weights={"key": 2.0})
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)
        assert info.value.problems[0].path == ("policy", "segment_weights")

    def test_segment_must_answer_a_bool(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, segment_weights={"odd": 2.0})
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF, segments=[Odd("odd")])  # type: ignore[list-item]
        assert info.value.problems[0].path == ("segments", 0)

    def test_non_bool_answer_is_located_among_the_segments_given(self) -> None:
        # Only weighted segments are asked, but the path counts every segment given.
        c = business()
        policy = attrs.evolve(PLAIN, segment_weights={"odd": 2.0})
        unweighted = IdSegment("plain", frozenset())
        with pytest.raises(ValidationError) as info:
            prioritize(
                [fb(c, "ann")],
                [c],
                policy=policy,
                as_of=AS_OF,
                segments=[unweighted, Odd("odd")],  # type: ignore[list-item]
            )
        assert info.value.problems[0].path == ("segments", 1)
        assert unweighted.calls == []


@attrs.define
class IdSegment:
    """A stand-in for the segments issue's Segment: an id and matches()."""

    id: str
    members: frozenset[str]
    calls: list[Any] = attrs.field(factory=list)

    def matches(self, customer: Customer, *, as_of: Any = None) -> bool:
        self.calls.append(as_of)
        return customer.id in self.members


@attrs.frozen
class Odd:
    id: str

    def matches(self, customer: Customer, *, as_of: Any = None) -> object:
        return "yes"


@attrs.frozen
class KindSegment:
    id: str
    kind: CustomerKind

    def matches(self, customer: Customer, *, as_of: Any = None) -> bool:
        return customer.kind is self.kind


# -- errors ------------------------------------------------------------------------------------


class TestErrors:
    def test_unknown_customer_names_the_ids(self) -> None:
        c = business()
        items = [fb(c, "ann"), fb("c-ghost", None), fb("c-other", None), fb("c-ghost", None)]
        with pytest.raises(ValidationError) as info:
            prioritize(items, [c], as_of=AS_OF)
        paths = [p.path for p in info.value.problems]
        assert paths == [("feedback", 1, "customer_id"), ("feedback", 2, "customer_id")]
        assert "'c-ghost'" in str(info.value)
        assert "'c-other'" in str(info.value)

    def test_skip_reports_the_skipped_items(self) -> None:
        c = business()
        items = [fb(c, "ann", id="f-1"), fb("c-ghost", None, id="f-9"), fb("c-x", None, id="f-3")]
        backlog = prioritize(items, [c], as_of=AS_OF, on_unknown_customer="skip", policy=PLAIN)
        assert backlog.skipped == ("f-3", "f-9")
        assert backlog[0].feedback_ids == ("f-1",)
        assert "2 feedback item(s) skipped" in str(backlog)

    def test_feedback_after_as_of(self) -> None:
        c = business()
        with pytest.raises(ValidationError, match="after as_of"):
            prioritize([fb(c, "ann", created_at=AS_OF + timedelta(seconds=1))], [c], as_of=AS_OF)

    def test_every_item_after_as_of_is_named_even_when_skipped_or_superseded(self) -> None:
        c = business()
        items = [
            fb(c, "ann", created_at=AS_OF + timedelta(days=2), id="f-2"),
            fb(c, "ann", created_at=AS_OF + timedelta(days=1), id="f-1"),
            fb("c-nobody", None, created_at=AS_OF + timedelta(days=1), id="f-3"),
        ]
        with pytest.raises(ValidationError) as info:
            prioritize(items, [c], as_of=AS_OF, on_unknown_customer="skip")
        assert "after as_of: 'f-1', 'f-2', 'f-3'" in str(info.value)

    def test_superseded_future_item_is_found_too(self) -> None:
        c = business()
        items = [
            fb(c, "ann", created_at=AS_OF + timedelta(days=2), id="f-2"),
            fb(c, "ann", created_at=AS_OF + timedelta(days=1), id="f-1"),
        ]
        with pytest.raises(ValidationError, match="'f-2'"):
            prioritize(items, [c], as_of=AS_OF)

    def test_repeated_ids(self) -> None:
        c = business()
        with pytest.raises(ValidationError, match="repeats the id"):
            prioritize([fb(c, "ann", id="f-1"), fb(c, "bob", "x", id="f-1")], [c], as_of=AS_OF)

    def test_bad_arguments_are_all_reported(self) -> None:
        with pytest.raises(ValidationError) as info:
            prioritize(
                "feedback",  # type: ignore[arg-type]
                [business(), "nope"],  # type: ignore[list-item]
                policy={},  # type: ignore[arg-type]
                as_of=datetime(2026, 1, 1),
                on_unknown_customer="ignore",  # type: ignore[arg-type]
            )
        paths = {p.path for p in info.value.problems}
        assert paths == {
            ("policy",),
            ("as_of",),
            ("on_unknown_customer",),
            ("customers", 1),
            ("feedback",),
        }

    def test_items_must_be_feedback(self) -> None:
        c = business()
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann"), "x"], [c], as_of=AS_OF)  # type: ignore[list-item]
        assert info.value.problems[0].path == ("feedback", 1)

    def test_every_refusal_in_these_words(self) -> None:
        c = business()
        late = fb(c, "ann", created_at=AS_OF + timedelta(seconds=1), id="f-9")
        with pytest.raises(ValidationError) as info:
            prioritize(
                3,  # type: ignore[arg-type]
                [c],
                policy=PLAIN,
                as_of=AS_OF,
                segments=3,  # type: ignore[arg-type]
                on_unknown_customer="ignore",  # type: ignore[arg-type]
            )
        assert str(info.value) == (
            "invalid prioritize input: 3 problems\n"
            "  $.on_unknown_customer: must be 'raise' or 'skip'\n"
            "  $.segments: must be an iterable of segments, not int\n"
            "  $.feedback: must be an iterable of FeedbackItem, not int"
        )
        items = [fb(c, "ann", id="f-1"), 2, fb(c, "bob", id="f-1"), late, fb("c-x", None)]
        items.append(fb(c, "cy", created_at=AS_OF, id="f-5"))  # at as_of itself: in time
        with pytest.raises(ValidationError) as info:
            prioritize(items, [c], policy=PLAIN, as_of=AS_OF)  # type: ignore[arg-type]
        assert str(info.value) == (
            "invalid prioritize input: 4 problems\n"
            "  $.feedback[1]: must be a FeedbackItem, not int\n"
            "  $.feedback: repeats the id(s) 'f-1'\n"
            "  $.feedback: has item(s) created after as_of: 'f-9'\n"
            "  $.feedback[4].customer_id: refers to customer 'c-x', which is not among the"
            " customers (pass on_unknown_customer='skip' to leave such items out)"
        )

    def test_a_weighted_segment_not_given_is_said_as_prioritize_input(self) -> None:
        c = business()
        policy = attrs.evolve(PLAIN, segment_weights={"big": 2.0})
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)
        assert str(info.value) == (
            "invalid prioritize input: $.policy.segment_weights: weights segment(s) 'big'"
            " that were not given"
        )

    def test_anonymous_voices_over_two_needs_all_count(self) -> None:
        c = business()
        items = [fb(c, None, need=Need.COST), fb(c, None, need=Need.USABILITY), fb(c, None)]
        item = prioritize(items, [c], policy=PLAIN, as_of=AS_OF)[0]
        assert (item.anonymous_voices, item.voices) == (3, 3)

    def test_an_item_made_at_as_of_itself_counts(self) -> None:
        c = business()
        backlog = prioritize([fb(c, "ann", created_at=AS_OF)], [c], policy=PLAIN, as_of=AS_OF)
        assert backlog[0].voices == 1

    def test_what_a_step_refuses_is_said_as_prioritize_input(self) -> None:
        c = business(revenue="10", currency="GBP")
        policy = attrs.evolve(PLAIN, currency="EUR", customer_value="linear")
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], policy=policy, as_of=AS_OF)
        assert info.value.subject == "prioritize input"
        assert info.value.paths == ["$.policy.exchange_rates"]

    def test_few_speaking_among_many_customers(self) -> None:
        # Few voices among many customers: those few are looked up, not all walked.
        many = [business(f"c-{i}", revenue=str(i + 1)) for i in range(40)]
        items = [fb(many[7], "ann"), fb(many[31], "bob")]
        weighed = attrs.evolve(PLAIN, customer_value="linear")
        backlog = prioritize(items, many, policy=weighed, as_of=AS_OF)
        assert backlog == prioritize(items, many[7:8] + many[31:32], policy=weighed, as_of=AS_OF)
        assert dict(backlog[0].revenue) == {"EUR": Decimal("40")}

    def test_messages_do_not_show_personal_data(self) -> None:
        c = business()
        with pytest.raises(ValidationError) as info:
            prioritize([fb(c, "ann")], [c], as_of=datetime(2026, 1, 1))
        assert "2026" not in str(info.value)


# -- the backlog -------------------------------------------------------------------------------


def demo_backlog() -> Backlog:
    ds = demo_dataset()
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    return prioritize(ds.feedback, ds.customers, policy=policy, as_of=AS_OF)


class TestBacklog:
    def test_demo_ranking(self) -> None:
        backlog = demo_backlog()
        assert backlog.themes == ("bulk-export", "dashboard-speed", "sso", "subscription-price")
        assert [i.rank for i in backlog] == [1, 2, 3, 4]
        export = backlog.get("bulk-export")
        assert export is not None
        assert export.customer_count == 2
        assert export.revenue == {"EUR": Decimal("24009.99")}
        assert export.feedback_ids == ("f-2", "f-4")

    def test_sequence_protocol(self) -> None:
        backlog = demo_backlog()
        assert len(backlog) == 4
        assert list(backlog) == list(backlog.items)
        assert backlog[-1].theme == "subscription-price"
        assert [i.theme for i in backlog[:2]] == ["bulk-export", "dashboard-speed"]
        assert backlog.get("nope") is None
        assert backlog[0] in backlog

    def test_get_takes_a_theme_not_a_rank(self) -> None:
        # get(1) once answered None: no theme is the number 1, so it looked absent.
        with pytest.raises(ValidationError) as info:
            demo_backlog().get(1)  # type: ignore[arg-type]
        assert [str(p) for p in info.value.problems] == ["$.theme: must be a string, not int"]

    def test_each_kind_of_record_has_its_columns_named_for_an_empty_table(self) -> None:
        from customer_model.backlog import (
            EXPLANATION_COLUMNS,
            RECORD_COLUMNS,
            REVENUE_COLUMNS,
            STEP_COLUMNS,
        )
        from customer_model.records import to_arrow

        backlog = demo_backlog()
        kinds: list[tuple[list[dict[str, Any]], tuple[str, ...]]] = [
            (backlog.revenue_records(), REVENUE_COLUMNS),
            (backlog.explanation_records(), EXPLANATION_COLUMNS),
            (backlog.step_records(), STEP_COLUMNS),
        ]
        for rows, columns in kinds:
            assert rows
            assert all(tuple(row) == columns for row in rows)
        assert all(
            tuple(row)[: len(RECORD_COLUMNS)] == RECORD_COLUMNS for row in backlog.to_records()
        )
        # An empty backlog's tables keep their header (and types) when named.
        for columns in (RECORD_COLUMNS, REVENUE_COLUMNS, EXPLANATION_COLUMNS, STEP_COLUMNS):
            assert to_arrow([], columns=columns).column_names == list(columns)

    def test_a_theme_used_as_an_index_or_member_says_where_themes_are_found(self) -> None:
        # backlog["sso"] said "tuple indices must be integers"; "sso" in backlog
        # was always False, since no item equals a theme.
        backlog = demo_backlog()
        with pytest.raises(TypeError, match=r"by rank position \(get\(theme\).*not str$"):
            backlog["bulk-export"]  # type: ignore[call-overload]
        with pytest.raises(TypeError, match=r"`theme in backlog.themes` asks for a theme$"):
            "bulk-export" in backlog  # type: ignore[comparison-overlap]  # noqa: B015
        with pytest.raises(TypeError, match=r"`backlog.themes.index\(theme\)` finds a theme$"):
            backlog.index("bulk-export")
        with pytest.raises(TypeError, match=r"`backlog.themes.count\(theme\)` counts a theme$"):
            backlog.count("bulk-export")
        assert backlog.index(backlog[1]) == 1
        assert backlog.index(backlog[1], 1, 2) == 1
        assert backlog.count(backlog[0]) == 1
        assert "bulk-export" in backlog.themes
        assert backlog[0] in backlog
        assert backlog.items[0] in backlog
        assert object() not in backlog

    def test_explanation_adds_up_to_the_score(self) -> None:
        for item in demo_backlog():
            assert math.fsum(c.value for c in item.explanation) == item.score
            assert item.steps[-1].factor is Factor.FIT
            assert item.steps[-1].total == item.score
            assert [s.factor for s in item.steps] == list(Factor)

    def test_ties_break_by_theme(self) -> None:
        c = business()
        items = [fb(c, "ann", t) for t in ("zeta", "alpha", "mid")]
        assert prioritize(items, [c], policy=PLAIN, as_of=AS_OF).themes == ("alpha", "mid", "zeta")

    def test_text_and_html(self) -> None:
        c = business()
        backlog = prioritize([fb(c, "ann", "<b>&")], [c], policy=PLAIN, as_of=AS_OF)
        assert "<b>&" in str(backlog)
        assert "purchaser share" in str(backlog)
        page = backlog._repr_html_()
        assert html.escape("<b>&") in page
        assert "<b>&" not in page
        assert html.escape("<b>&") in backlog[0]._repr_html_()
        assert "purchaser (no need given)" in str(backlog[0])

    def test_to_records(self) -> None:
        records = demo_backlog().to_records()
        assert records[0]["theme"] == "bulk-export"
        assert records[0]["revenue_EUR"] == "24009.99"
        assert records[0]["revenue_BRL"] == "0"
        assert json.loads(json.dumps(records)) == records
        assert {len(r) for r in records} == {len(records[0])}

    def test_items_are_hashable_and_frozen(self) -> None:
        item = demo_backlog()[0]
        assert hash(item) == hash(attrs.evolve(item))
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            item.score = 0  # type: ignore[misc]


class TestRerank:
    def test_rice_reach_defaults_to_customer_count(self) -> None:
        backlog = demo_backlog()
        estimates = {t: RiceEstimate(impact=1, confidence=1.0, effort=1) for t in backlog.themes}
        estimates["sso"] = RiceEstimate(impact=3, confidence=1.0, effort=0.5, reach=10)
        ranked = backlog.rerank("rice", estimates)
        assert ranked.ranked_by == "rice"
        assert ranked.themes[0] == "sso"
        assert ranked[0].framework_score == 60.0
        # equal RICE scores (2 customers each) fall back to the feedback score
        assert ranked.themes[1:] == ("bulk-export", "dashboard-speed", "subscription-price")
        assert [i.rank for i in ranked] == [1, 2, 3, 4]
        for item in ranked:
            assert item.score == backlog.get(item.theme).score  # type: ignore[union-attr]
        assert "rice" in str(ranked)

    def test_ice_needs_a_method(self) -> None:
        backlog = demo_backlog()
        estimates = {t: IceEstimate(impact=5, confidence=5, ease=5) for t in backlog.themes}
        with pytest.raises(ValidationError) as info:
            backlog.rerank("ice", estimates)
        assert info.value.problems[0].path == ("ice_method",)
        estimates["sso"] = IceEstimate(impact=9, confidence=8, ease=7)
        ranked = backlog.rerank("ice", estimates, ice_method="mean")
        assert ranked.ranked_by == "ice-mean"
        assert ranked[0].theme == "sso"
        assert ranked[0].framework_score == 8.0

    def test_only_ice_takes_an_ice_method(self) -> None:
        # Given with RICE it changed nothing, silently.
        backlog = demo_backlog()
        estimates = {t: RiceEstimate(impact=2, confidence=0.8, effort=1) for t in backlog.themes}
        with pytest.raises(ValidationError) as info:
            backlog.rerank("rice", estimates, ice_method="mean")
        assert [str(p) for p in info.value.problems] == ["$.ice_method: is only for ranking by ICE"]

    def test_wsjf(self) -> None:
        backlog = demo_backlog()
        estimates = {
            t: WsjfEstimate(business_value=8, time_criticality=5, risk_reduction=3, job_size=s)
            for t, s in zip(backlog.themes, (8, 4, 2, 1), strict=True)
        }
        ranked = backlog.rerank("wsjf", estimates)
        assert ranked.themes == tuple(reversed(backlog.themes))
        assert ranked[0].framework_score == 16.0

    def test_missing_and_wrong_estimates(self) -> None:
        backlog = demo_backlog()
        estimates: dict[str, Any] = {"sso": IceEstimate(impact=1, confidence=1, ease=1)}
        with pytest.raises(ValidationError) as info:
            backlog.rerank("rice", estimates)
        message = str(info.value)
        assert "'bulk-export'" in message
        assert info.value.problems[-1].path == ("estimates", "sso")

    def test_bad_method(self) -> None:
        with pytest.raises(ValidationError) as info:
            demo_backlog().rerank("moscow", {})  # type: ignore[arg-type]
        assert info.value.problems[0].path == ("method",)

    def test_none_estimates_are_named_not_crashed_on(self) -> None:
        backlog = demo_backlog()
        with pytest.raises(ValidationError) as info:
            backlog.rerank("wsjf", dict.fromkeys(backlog.themes))  # type: ignore[arg-type]
        assert {p.path for p in info.value.problems} == {("estimates", t) for t in backlog.themes}
        assert "must be a WsjfEstimate, not NoneType" in str(info.value)

    def test_an_overflowing_score_names_the_theme(self) -> None:
        backlog = demo_backlog()
        estimates = {
            t: WsjfEstimate(business_value=1, time_criticality=1, risk_reduction=1, job_size=1)
            for t in backlog.themes
        }
        estimates["sso"] = WsjfEstimate(
            business_value=1e308, time_criticality=1e308, risk_reduction=0, job_size=1
        )
        with pytest.raises(ValidationError) as info:
            backlog.rerank("wsjf", estimates)
        assert [p.path for p in info.value.problems] == [("estimates", "sso")]
        assert "overflows" in str(info.value)

    def test_estimates_validate_themselves(self) -> None:
        with pytest.raises(ValidationError) as info:
            RiceEstimate(impact=1, confidence=1.5, effort=0)
        assert {p.path for p in info.value.problems} == {("confidence",), ("effort",)}
        with pytest.raises(ValidationError):
            IceEstimate(impact=0, confidence=5, ease=5)
        with pytest.raises(ValidationError):
            WsjfEstimate(business_value=1, time_criticality=1, risk_reduction=True, job_size=1)


# -- the policy --------------------------------------------------------------------------------


class TestPolicy:
    def test_defaults_follow_productboard(self) -> None:
        policy = PrioritizationPolicy()
        assert [policy.points(i) for i in Importance] == [0, 1, 2, 3]
        assert policy.points(None) == 1
        assert policy.half_life is None

    @pytest.mark.parametrize(
        ("lookup", "path"),
        [
            # once a bare KeyError or TypeError
            (lambda p: p.points("high"), "$.importance"),
            (lambda p: p.points([]), "$.importance"),
            (lambda p: p.fit([]), "$.theme"),
            (lambda p: p.rate([]), "$.currency"),
            (lambda p: p.role_weight(frozenset({"purchaser"}), Need.COST), "$.roles"),
            (lambda p: p.role_weight(Role.USER, Need.COST), "$.roles"),
            (lambda p: p.value_weight("1000"), "$.revenue"),
            (lambda p: p.value_weight(-5e300), "$.revenue"),  # log1p: a math domain error
            (lambda p: p.value_weight(10**400), "$.revenue"),  # an OverflowError
            # once the weight of no kind, need or theme at all, without a word
            (lambda p: p.kind_weight("bug"), "$.kind"),
            (lambda p: p.role_weight(frozenset({Role.USER}), "cost"), "$.need"),
            (lambda p: p.fit(7), "$.theme"),
            (lambda p: p.value_weight(math.nan), "$.revenue"),
        ],
    )
    def test_lookups_name_a_bad_argument(self, lookup: Any, path: str) -> None:
        policy = PrioritizationPolicy(
            kind_weights={FeedbackKind.BUG: 2.0},
            role_weights={Need.COST: {Role.PURCHASER: 2.0, Role.USER: 0.5}},
            customer_value=ValueWeighting.LOG,
            currency="EUR",
        )
        with pytest.raises(ValidationError) as info:
            lookup(policy)
        assert info.value.paths == [path]
        assert policy.value_weight(math.inf) == math.inf  # an overflowing total scores so
        assert policy.value_weight(10**6) == policy.value_weight(1e6)

    @pytest.mark.parametrize(
        ("knob", "value", "path"),
        [
            ("unspecified_points", -1, ("unspecified_points",)),
            ("anonymous_weight", math.nan, ("anonymous_weight",)),
            ("unlisted_weight", True, ("unlisted_weight",)),
            ("half_life", timedelta(0), ("half_life",)),
            ("half_life", 30, ("half_life",)),
            ("revenue_scale", 0, ("revenue_scale",)),
            ("currency", "euro", ("currency",)),
            ("default_fit", math.inf, ("default_fit",)),
            ("customer_value", "LOG", ("customer_value",)),
            ("importance_points", {Importance.CRITICAL: 3}, ("importance_points", "important")),
            ("kind_weights", {FeedbackKind.BUG: -1}, ("kind_weights", "bug")),
            ("kind_weights", [1], ("kind_weights",)),
            ("role_weights", {Need.COST: {Role.USER: 1}}, ("role_weights", "cost", "purchaser")),
            ("exchange_rates", {"USD": 0}, ("exchange_rates", "USD")),
            ("segment_weights", {"key": "2"}, ("segment_weights", "key")),
            ("strategic_fit", {"sso": -0.5}, ("strategic_fit", "sso")),
        ],
    )
    def test_each_knob_is_validated(self, knob: str, value: object, path: tuple[str, ...]) -> None:
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy(**{knob: value})  # type: ignore[arg-type]
        assert path in [p.path for p in info.value.problems]

    def test_a_rate_for_the_policy_currency_is_refused(self) -> None:
        # It used to be accepted and silently replaced by 1.
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy(currency="EUR", exchange_rates={"EUR": 2.0, "USD": 0.9})
        assert [p.path for p in info.value.problems] == [("exchange_rates", "EUR")]
        assert "own currency" in str(info.value)

    @pytest.mark.parametrize("knob", ["segment_weights", "strategic_fit"])
    def test_blank_keys_are_called_blank(self, knob: str) -> None:
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy(**{knob: {"  ": 1.0}})  # type: ignore[arg-type]
        assert [p.path for p in info.value.problems] == [(knob,)]
        message = str(info.value)
        assert "must not be empty or blank" in message
        assert "not str" not in message

    def test_json_is_stable_and_sorted(self) -> None:
        policy = PrioritizationPolicy(
            half_life=timedelta(days=90),
            strategic_fit={"zeta": 1.5, "alpha": 0.5},
            currency="EUR",
            exchange_rates={"USD": 0.9, "BRL": 0.17},
        )
        text = to_json(policy)
        data = json.loads(text)
        assert data["half_life"] == "P90D"
        assert list(data["strategic_fit"]) == ["alpha", "zeta"]
        assert list(data["importance_points"]) == sorted(data["importance_points"])
        assert data["role_weights"]["cost"] == {"purchaser": 1.0, "user": 0.5}
        assert from_json(text, PrioritizationPolicy) == policy
        same = PrioritizationPolicy(
            half_life=timedelta(days=90),
            strategic_fit={"alpha": 0.5, "zeta": 1.5},
            currency="EUR",
            exchange_rates={"BRL": 0.17, "USD": 0.9},
        )
        assert to_json(same) == text
        assert hash(same) == hash(policy)

    def test_json_errors_name_the_knob(self) -> None:
        data = json.loads(to_json(PrioritizationPolicy()))
        data["kind_weights"] = {"bugg": 2.0}
        data["half_life"] = "P1M"
        with pytest.raises(ValidationError) as info:
            from_json(json.dumps(data), PrioritizationPolicy)
        paths = {p.path for p in info.value.problems}
        assert paths == {("kind_weights",), ("half_life",)}  # a bad key is not repeated
        assert "key 1 (in input order) is not allowed" in str(info.value)
        assert "bugg" not in str(info.value)

    @settings(max_examples=40)
    @given(
        policy=st.builds(
            PrioritizationPolicy,
            importance_points=st.fixed_dictionaries(
                {i: st.floats(0, 10, allow_nan=False) for i in Importance}
            ),
            role_weights=st.dictionaries(
                st.sampled_from(Need),
                st.fixed_dictionaries({r: st.floats(0, 5) for r in Role}),
            ),
            kind_weights=st.dictionaries(st.sampled_from(FeedbackKind), st.floats(0, 5)),
            half_life=st.none() | st.timedeltas(min_value=timedelta(microseconds=1)),
            customer_value=st.sampled_from(ValueWeighting),
            currency=st.just("EUR"),
            exchange_rates=st.dictionaries(
                st.sampled_from(["USD", "GBP", "BRL"]), st.floats(0.01, 100)
            ),
            segment_weights=st.dictionaries(st.text("abc-", min_size=1), st.floats(0, 5)),
            strategic_fit=st.dictionaries(st.text("xyz-", min_size=1), st.floats(0, 5)),
        )
    )
    def test_json_round_trip(self, policy: PrioritizationPolicy) -> None:
        text = to_json(policy)
        again = from_json(text, PrioritizationPolicy)
        assert again == policy
        assert to_json(again) == text


# -- properties --------------------------------------------------------------------------------

POLICY = PrioritizationPolicy(
    half_life=timedelta(days=200),
    currency="EUR",
    exchange_rates=RATES,
    segment_weights={"orgs": 2.0, "homes": 0.5},
    strategic_fit={"pricing": 1.5},
)
SEGMENTS = [
    KindSegment("orgs", CustomerKind.ORGANIZATION),
    KindSegment("homes", CustomerKind.HOUSEHOLD),
]
HORIZON = datetime(2030, 1, 1, tzinfo=UTC)


def run(ds: Dataset, feedback: Any = None, customers_: Any = None) -> Backlog:
    return prioritize(
        ds.feedback if feedback is None else feedback,
        ds.customers if customers_ is None else customers_,
        policy=POLICY,
        as_of=HORIZON,
        segments=SEGMENTS,
    )


def datasets_() -> st.SearchStrategy[Dataset]:
    return datasets(max_customers=3, feedback_per_customer=5)


class TestProperties:
    @settings(max_examples=20)
    @given(ds=datasets_(), data=st.data())
    def test_order_independent(self, ds: Dataset, data: st.DataObject) -> None:
        feedback = data.draw(st.permutations(ds.feedback))
        people = data.draw(st.permutations(ds.customers))
        assert run(ds, feedback, people) == run(ds)

    @settings(max_examples=20)
    @given(ds=datasets_())
    def test_ranks_and_explanations(self, ds: Dataset) -> None:
        backlog = run(ds)
        assert [i.rank for i in backlog] == list(range(1, len(backlog) + 1))
        keys = [(-i.score, i.theme) for i in backlog]
        assert keys == sorted(keys)
        assert set(backlog.themes) == {f.theme for f in ds.feedback}
        for item in backlog:
            assert math.fsum(c.value for c in item.explanation) == item.score
            assert item.steps[-1].total == item.score
            assert item.voices == (
                item.purchaser_voices
                + item.user_voices
                - item.both_voices
                + item.unlisted_voices
                + item.anonymous_voices
            )
            assert item.feedback_ids == tuple(sorted(item.feedback_ids))
        assert sum(len(i.feedback_ids) for i in backlog) == len(ds.feedback)

    @settings(max_examples=20)
    @given(ds=datasets_(), data=st.data())
    def test_a_new_voice_never_lowers_its_theme(self, ds: Dataset, data: st.DataObject) -> None:
        customer = data.draw(st.sampled_from(ds.customers))
        new = data.draw(feedback_items(customer=customer, until=HORIZON, id=st.just("f-new")))
        spoken = {(f.theme, f.author_id) for f in ds.feedback}
        if (new.theme, new.author_id) in spoken:
            new = attrs.evolve(new, author_id=None)
        before, after = run(ds), run(ds, [*ds.feedback, new])
        assert score(after, new.theme) >= score(before, new.theme)
        for item in before:
            if item.theme != new.theme:
                assert score(after, item.theme) == item.score

    @settings(max_examples=20)
    @given(ds=datasets_(), data=st.data())
    def test_an_older_duplicate_changes_nothing(self, ds: Dataset, data: st.DataObject) -> None:
        named = [f for f in ds.feedback if f.author_id is not None]
        if not named:
            return
        latest = max(named, key=lambda f: (f.created_at, f.id))
        older = attrs.evolve(
            latest,
            id="f-older",
            created_at=latest.created_at
            - data.draw(st.timedeltas(timedelta(seconds=1), timedelta(days=3650))),
            importance=data.draw(st.none() | st.sampled_from(Importance)),
            need=data.draw(st.none() | st.sampled_from(Need)),
            kind=data.draw(st.sampled_from(FeedbackKind)),
        )
        before, after = run(ds), run(ds, [older, *ds.feedback])
        for old, new in zip(before, after, strict=True):
            ids = old.feedback_ids
            if old.theme == latest.theme:
                ids = tuple(sorted((*ids, "f-older")))
            assert new == attrs.evolve(old, feedback_ids=ids)

    @settings(max_examples=20)
    @given(ds=datasets_(), zone=st.sampled_from(["America/New_York", "Australia/Lord_Howe"]))
    def test_times_count_as_instants_whatever_zone_they_are_written_in(
        self, ds: Dataset, zone: str
    ) -> None:
        # Python compares and subtracts two datetimes of one ZoneInfo zone by
        # wall clock: a daylight-saving change between an item and as_of would
        # move its age by up to an hour (Lord Howe shifts by half an hour).
        tz = ZoneInfo(zone)
        feedback = [attrs.evolve(f, created_at=f.created_at.astimezone(tz)) for f in ds.feedback]
        customers = [attrs.evolve(c, purchases=_in_zone(c.purchases, tz)) for c in ds.customers]
        local = prioritize(
            feedback, customers, policy=POLICY, as_of=HORIZON.astimezone(tz), segments=SEGMENTS
        )
        assert tuple(local) == tuple(run(ds))


def _in_zone(purchases: tuple[Purchase, ...], tz: ZoneInfo) -> list[Purchase]:
    return [attrs.evolve(p, at=p.at.astimezone(tz)) for p in purchases]


NEW_YORK = "America/New_York"


def _at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, fold=fold, tzinfo=ZoneInfo(NEW_YORK))


def _ny_item(fid: str, at: datetime, importance: Importance | None = None) -> FeedbackItem:
    return FeedbackItem(
        id=fid, customer_id="a", author_id="x", theme="t", kind="feature_request",
        channel="email", created_at=at, importance=importance,
    )  # fmt: skip


_NY_CUSTOMERS = [Customer("a", "organization", purchasers=[Purchaser(Person("x"))])]


def test_an_item_s_age_is_the_time_since_it_not_the_wall_clock_difference() -> None:
    # 01:00 EST to 03:00 EDT on 12 March 2023 is one hour, though the clock moved two.
    one_hour = PrioritizationPolicy(half_life=timedelta(hours=1))
    backlog = prioritize(
        [_ny_item("f1", _at(2023, 3, 12, 1))], _NY_CUSTOMERS, policy=one_hour,
        as_of=_at(2023, 3, 12, 3),
    )  # fmt: skip
    assert backlog[0].score == 0.5


def test_the_latest_item_and_lateness_in_the_repeated_hour_go_by_instants() -> None:
    # On 5 November 2023 01:00-02:00 happens twice: fold=1 is the later, EST one.
    later = _ny_item("f-later", _at(2023, 11, 5, 1, 10, fold=1), Importance.CRITICAL)  # 06:10 UTC
    earlier = _ny_item("f-earlier", _at(2023, 11, 5, 1, 30), Importance.NOT_IMPORTANT)  # 05:30 UTC
    backlog = prioritize([later, earlier], _NY_CUSTOMERS, as_of=_at(2023, 11, 6))
    assert backlog[0].score == 3.0  # the critical item speaks
    with pytest.raises(ValidationError, match="created after as_of: 'f-later'"):
        prioritize([later, earlier], _NY_CUSTOMERS, as_of=_at(2023, 11, 5, 1, 45))  # 05:45 UTC


def test_backlog_item_is_a_plain_value() -> None:
    item = demo_backlog()[0]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        item.theme = "other"  # type: ignore[misc]
    copy = attrs.evolve(item)
    assert copy is not item
    assert (copy, hash(copy)) == (item, hash(item))
    assert attrs.evolve(item, feedback_ids=(*item.feedback_ids, "zz-extra")) != item


def test_the_library_segments_plug_in() -> None:
    from customer_model import Segment, field

    ds = demo_dataset()
    b2b = Segment("b2b", "Organizations", field("kind") == CustomerKind.ORGANIZATION)
    policy = PrioritizationPolicy(
        currency="EUR", exchange_rates={"BRL": 0.17}, segment_weights={"b2b": 2.0}
    )
    weighted = prioritize(ds.feedback, ds.customers, policy=policy, as_of=AS_OF, segments=[b2b])
    plain = demo_backlog()
    sso = weighted.get("sso")  # only the business asked for SSO
    assert sso is not None
    assert sso.score == 2 * plain.get("sso").score  # type: ignore[union-attr]
    assert sso.steps[-2].factor is Factor.SEGMENT


def test_purchases_after_as_of_do_not_count() -> None:
    """The backlog is made for as_of: later purchases change neither score nor revenue."""
    early = Purchase(Decimal("10.00"), "EUR", at(1))
    later = Purchase(Decimal("100000"), "EUR", AS_OF + timedelta(days=200))
    policy = PrioritizationPolicy(customer_value=ValueWeighting.LINEAR)
    before = business(revenue="10.00")
    after = attrs.evolve(before, purchases=[early, later])
    a = prioritize([fb(before, "ann", id="f-1")], [before], policy=policy, as_of=AS_OF)
    b = prioritize([fb(after, "ann", id="f-1")], [after], policy=policy, as_of=AS_OF)
    assert a == b
    assert b[0].revenue == {"EUR": Decimal("10.00")}


def test_revenue_is_exact_whatever_the_decimal_context() -> None:
    import decimal

    big = business("c-big", revenue="1E+28")
    small = business("c-small", revenue="0.01")
    items = [fb(big, "ann"), fb(small, "ann")]
    with decimal.localcontext(decimal.Context(prec=5)):
        backlog = prioritize(items, [big, small], as_of=AS_OF)
    assert backlog[0].revenue == {"EUR": Decimal("10000000000000000000000000000.01")}


@settings(max_examples=40)
@given(ds=datasets(max_customers=5, feedback_per_customer=4))
def test_revenue_is_the_exact_total_of_the_customers_behind(ds: Dataset) -> None:
    """Per-currency totals, whatever mix of currencies and empty purchase lists."""
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    backlog = prioritize(ds.feedback, ds.customers, policy=policy, as_of=HORIZON)
    by_id = {c.id: c for c in ds.customers}
    for item in backlog:
        on_theme = [f for f in ds.feedback if f.theme == item.theme]
        latest: dict[str, FeedbackItem] = {}
        for f in sorted(on_theme, key=lambda f: (f.created_at, f.id)):
            latest[f.author_id or f.id] = f  # the latest item of an author counts
        behind = {f.customer_id for f in latest.values()}
        assert item.customer_count == len(behind)
        expected: dict[str, Decimal] = {}
        with localcontext(Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)):
            for cid in behind:
                for p in by_id[cid].purchases:
                    if p.at <= HORIZON:
                        expected[p.currency] = expected.get(p.currency, Decimal(0)) + p.amount
        assert dict(item.revenue) == expected
        assert list(item.revenue) == sorted(expected)


def test_customers_who_bought_nothing_add_no_revenue() -> None:
    none, paid = business("c-none"), business("c-paid", revenue="12.50")
    late = attrs.evolve(business("c-late"), purchases=[Purchase(Decimal(9), "EUR", at(9))])
    feedback = [
        fb(none, None, "quiet", id="f-1"),
        fb(late, None, "quiet", id="f-2"),
        fb(none, None, "mixed", id="f-3"),
        fb(paid, None, "mixed", id="f-4"),
    ]
    backlog = prioritize(feedback, [none, paid, late], policy=PLAIN, as_of=at(6))
    assert {i.theme: dict(i.revenue) for i in backlog} == {
        "quiet": {},
        "mixed": {"EUR": Decimal("12.50")},
    }


@given(theme=st.text(min_size=1).map(lambda t: f"x{t}x"))
def test_text_display_escapes_non_printing_characters_in_themes(theme: str) -> None:
    """A newline or a terminal control sequence in a theme must not break the table."""
    c = business()

    def shown(key: str) -> tuple[str, str]:
        backlog = prioritize([fb(c, None, key, id="f-1")], [c], policy=PLAIN, as_of=at(6))
        return str(backlog), str(backlog[0])

    for text, plain in zip(shown(theme), shown("plain"), strict=True):
        assert text.count("\n") == plain.count("\n")
        assert all(line.isprintable() for line in text.split("\n"))


def _theme_shown(theme: str) -> str:
    """How the backlog's text display shows *theme* (the first column of its one row)."""
    c = business()
    backlog = prioritize([fb(c, None, theme, id="f-1")], [c], policy=PLAIN, as_of=at(6))
    return str(backlog[0])


def test_text_display_escapes_only_what_does_not_print() -> None:
    assert "Zoë's export" in _theme_shown("Zoë's export")
    assert "a\\nb\\x1b[31m" in _theme_shown("a\nb\x1b[31m")


@given(a=st.text(max_size=6), b=st.text(max_size=6))
def test_text_display_never_shows_two_themes_alike(a: str, b: str) -> None:
    """A newline and a written backslash-n must not look the same in a table."""
    assume(a.strip() and b.strip() and a.strip() == a and b.strip() == b)
    assert (_theme_shown(a) == _theme_shown(b)) == (a == b)
    assert _theme_shown("a\nb") != _theme_shown("a\\nb")


@pytest.mark.parametrize(
    "knobs",
    [
        {"unspecified_points": 1e308},
        {"revenue_scale": 1e-310, "customer_value": ValueWeighting.LINEAR},
        {
            "revenue_scale": 1e-310,
            "customer_value": ValueWeighting.LINEAR,
            "unspecified_points": 0.0,
        },
    ],
)
def test_a_policy_that_overflows_a_score_is_named(knobs: dict[str, Any]) -> None:
    """Finite knobs can multiply to inf (or 0 x inf = nan); never rank those."""
    c = business(revenue="10")
    items = [fb(c, None, importance=None, id="f-1"), fb(c, None, importance=None, id="f-2")]
    with pytest.raises(ValidationError) as info:
        prioritize(items, [c], policy=PrioritizationPolicy(**knobs), as_of=AS_OF)
    assert info.value.paths == ["$.policy"]
    assert "overflow" in str(info.value)


def test_a_backlog_loaded_from_json_keeps_its_invariants() -> None:
    """Services store backlogs; a tampered or corrupted one must not load."""
    backlog = demo_backlog()
    assert from_json(to_json(backlog), Backlog) == backlog
    raw = json.loads(to_json(backlog))
    raw["items"][0]["customer_count"] = -1
    raw["items"][1]["score"] += 1.0
    raw["items"][1]["voices"] += 1
    with pytest.raises(ValidationError) as info:
        from_json(json.dumps(raw), Backlog)
    assert info.value.paths == [
        "$.items[0].customer_count",
        "$.items[1].voices",
        "$.items[1].score",
        "$.items[1].steps",
    ]


def test_a_backlog_is_hashable_and_immutable_built_or_loaded() -> None:
    """Frozen means hashable: services cache and deduplicate backlogs."""
    backlog = demo_backlog()
    loaded = from_json(to_json(backlog), Backlog)
    assert hash(loaded) == hash(backlog)
    assert {backlog, loaded} == {backlog}
    revenue: Any = loaded[0].revenue
    with pytest.raises(TypeError):
        revenue["EUR"] = Decimal(0)
    assert to_json(loaded) == to_json(backlog)


def test_backlog_items_are_in_rank_order_with_one_item_per_theme() -> None:
    backlog = demo_backlog()
    first, second = backlog[0], backlog[1]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(backlog, items=[second, first])
    assert info.value.paths == ["$.items[0].rank", "$.items[1].rank"]
    with pytest.raises(ValidationError, match="more than one item"):
        attrs.evolve(backlog, items=[first, attrs.evolve(second, theme=first.theme)])


@given(st.permutations(range(4)))
def test_a_stored_backlog_keeps_the_order_its_scores_give(order: list[int]) -> None:
    # A service loads backlogs it stored: re-ranked by hand, the order must still follow the scores.
    backlog = demo_backlog()
    items = [attrs.evolve(backlog[i], rank=rank) for rank, i in enumerate(order, start=1)]
    if order == sorted(order):
        assert attrs.evolve(backlog, items=items) == backlog
        return
    with pytest.raises(ValidationError) as info:
        attrs.evolve(backlog, items=items)
    late = [f"$.items[{k}].score" for k in range(1, 4) if order[k] < order[k - 1]]
    assert info.value.paths == late
    assert "out of order" in str(info.value)


def test_a_stored_backlog_breaks_ties_by_theme_and_keeps_a_rerank_order() -> None:
    backlog = demo_backlog()
    first, second = backlog[0], backlog[1]
    tied = attrs.evolve(second, score=first.score, explanation=first.explanation, steps=first.steps)
    with pytest.raises(ValidationError) as info:  # 'dashboard-speed' comes after 'bulk-export'
        attrs.evolve(backlog, items=[attrs.evolve(tied, rank=1), attrs.evolve(first, rank=2)])
    assert info.value.paths == ["$.items[1].score"]
    estimates = {t: RiceEstimate(impact=1, confidence=0.5, effort=1) for t in backlog.themes}
    reranked = backlog.rerank("rice", estimates)
    assert from_json(to_json(reranked), Backlog) == reranked
    swapped = [attrs.evolve(reranked[1], rank=1), attrs.evolve(reranked[0], rank=2)]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(reranked, items=[*swapped, *reranked[2:]])
    assert info.value.paths == ["$.items[1].framework_score"]
    with pytest.raises(ValidationError) as info:  # a framework's ranking without its scores
        attrs.evolve(backlog, ranked_by="rice")
    assert info.value.paths == [f"$.items[{i}].framework_score" for i in range(4)]
    with pytest.raises(ValidationError) as info:  # scores of a framework, ranked by feedback
        attrs.evolve(reranked, ranked_by="feedback")
    assert info.value.paths[0].endswith(".framework_score")


def test_score_parts_refuse_what_no_backlog_can_hold() -> None:
    from customer_model.backlog import Factor, ScoreComponent, ScoreStep

    with pytest.raises(ValidationError) as info:
        ScoreComponent(VoiceRole.USER, None, -1, math.nan, 1.0)
    assert info.value.paths == ["$.voices", "$.points"]
    with pytest.raises(ValidationError) as info:
        ScoreStep(Factor.FIT, math.inf)
    assert info.value.paths == ["$.total"]
    assert ScoreComponent(VoiceRole.USER, None, 1, 2, 3).value == 3  # ints are numbers too


def test_score_parts_take_their_vocabularies_by_value_and_name_a_wrong_one() -> None:
    # As every model field does: a stored explanation comes back as plain strings.
    from customer_model.backlog import Factor, ScoreComponent, ScoreStep

    part = ScoreComponent("both", "cost", 2, 1.0, 1.5)
    assert part == ScoreComponent(VoiceRole.BOTH, Need.COST, 2, 1.0, 1.5)
    assert part.role is VoiceRole.BOTH
    assert part.need is Need.COST
    assert ScoreStep("fit", 1.5).factor is Factor.FIT
    with pytest.raises(ValidationError) as info:
        ScoreComponent("Both", "secret-need", 2, 1.0, 1.5)  # type: ignore[arg-type]
    assert info.value.paths == ["$.role", "$.need"]
    assert "Both" not in str(info.value)
    assert "secret-need" not in str(info.value)
    assert "one of its values: 'purchaser', 'user', 'both'" in str(info.value)
    with pytest.raises(ValidationError) as info:
        ScoreStep("FIT", 1.5)  # type: ignore[arg-type]
    assert info.value.paths == ["$.factor"]
    assert "'customer_value'" in str(info.value)
    assert "FIT" not in str(info.value)


@pytest.mark.parametrize("field", ["voices", "customer_count", "purchaser_voices", "rank"])
@pytest.mark.parametrize("huge", ["2**63", "10**4999"])  # as text: pytest shows the ids
def test_a_loaded_backlog_refuses_counts_beyond_64_bits(field: str, huge: str) -> None:
    """Such a count is a mistake, and past 4,300 digits repr() itself would fail."""
    c = business(revenue="10")
    data = to_dict(prioritize([fb(c, None, "t", id="f-1")], [c], as_of=AS_OF))
    base, exponent = map(int, huge.split("**"))
    data["items"][0][field] = base**exponent
    with pytest.raises(ValidationError) as info:
        from_dict(data, Backlog)
    assert info.value.paths == [f"$.items[0].{field}"]
    assert "64-bit" in str(info.value)


@pytest.mark.parametrize("huge", ["2**63", "10**4999"])
def test_a_score_component_refuses_voices_beyond_64_bits(huge: str) -> None:
    """The quick check for the valid case must not let a huge count through."""
    from customer_model.backlog import ScoreComponent

    base, exponent = map(int, huge.split("**"))
    with pytest.raises(ValidationError) as info:
        ScoreComponent(VoiceRole.USER, None, base**exponent, 1.0, 1.0)
    assert info.value.paths == ["$.voices"]
    assert "64-bit" in str(info.value)
    c = business(revenue="10")
    data = to_dict(prioritize([fb(c, None, "t", id="f-1")], [c], as_of=AS_OF))
    data["items"][0]["explanation"][0]["voices"] = base**exponent
    with pytest.raises(ValidationError) as loaded:
        from_dict(data, Backlog)
    assert loaded.value.paths == ["$.items[0].explanation[0].voices"]


def _voiceless_item(**fields: Any) -> BacklogItem:
    """A backlog item with no voices, score or explanation, but for *fields*."""
    bare: dict[str, Any] = {
        "theme": "t",
        "rank": 1,
        "score": 0.0,
        **dict.fromkeys(COUNTS, 0),
        "revenue": {},
        "feedback_ids": (),
        "explanation": (),
        "steps": (),
    }
    return BacklogItem(**(bare | fields))


@given(st.lists(st.sampled_from(["a", "b", "f-1", "f-10", "f-2", "é"]), max_size=8), st.booleans())
def test_a_backlog_item_lists_each_feedback_id_once(ids: list[str], in_order: bool) -> None:
    # Sorted ids are checked by comparing neighbours, others with a set: both refuse repeats.
    if in_order:
        ids = sorted(ids)

    def build() -> BacklogItem:
        return _voiceless_item(feedback_ids=tuple(ids))

    if len(set(ids)) == len(ids):
        assert build().feedback_ids == tuple(ids)
    else:
        with pytest.raises(ValidationError, match="is listed more than once"):
            build()


@pytest.mark.parametrize(
    ("key", "typed"),
    [("maria@example.com", "maria"), ("eur", "eur"), (10**5000, "10000")],
    ids=["email", "lower-case", "10**5000"],
)
def test_a_revenue_key_that_is_no_currency_is_told_at_revenue_unquoted(
    key: Any, typed: str
) -> None:
    # Once quoted in the path ($.revenue["maria@example.com"]), or a bare ValueError.
    with pytest.raises(ValidationError) as info:
        _voiceless_item(revenue={key: Decimal(-1)})  # and a bad amount: the key was its path
    assert info.value.paths == ["$.revenue"]
    assert typed not in str(info.value)


def test_rerank_names_a_few_themes_without_an_estimate_then_counts_the_rest() -> None:
    # Every theme was listed: a backlog of thousands gave a message of thousands.
    items = [_voiceless_item(theme=f"theme-{i:04d}", rank=i + 1) for i in range(2000)]
    backlog = Backlog(tuple(items), AS_OF, PrioritizationPolicy())
    with pytest.raises(ValidationError) as info:
        backlog.rerank("wsjf", {})
    assert info.value.paths == ["$.estimates"]
    message = info.value.problems[0].message
    assert "'theme-0000'" in message
    assert "1995 more" in message
    assert len(message) < 200


def test_weighted_segments_not_given_are_named_a_few_then_counted() -> None:
    policy = PrioritizationPolicy(segment_weights={f"s-{i:04d}": 2.0 for i in range(2000)})
    with pytest.raises(ValidationError) as info:
        prioritize([], [], policy=policy, as_of=AS_OF)
    assert info.value.paths == ["$.policy.segment_weights"]
    message = info.value.problems[0].message
    assert "'s-0000'" in message
    assert "1995 more" in message
    assert len(message) < 200


@settings(max_examples=25)
@given(ds=datasets(max_customers=4, feedback_per_customer=2))
def test_customers_by_id_must_be_under_their_own_ids(ds: Dataset) -> None:
    # Under another key a customer would be found by neither id; once ranked silently.
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    by_id = {c.id: c for c in ds.customers}
    assert prioritize(ds.feedback, by_id, policy=policy, as_of=HORIZON) == prioritize(
        ds.feedback, ds.customers, policy=policy, as_of=HORIZON
    )
    assume(len(ds.customers) >= 2)
    first, second = ds.customers[:2]
    swapped = {**by_id, first.id: second, second.id: first}
    with pytest.raises(ValidationError) as info:
        prioritize(ds.feedback, swapped, policy=policy, as_of=HORIZON)
    assert [str(p) for p in info.value.problems] == [
        f"$.customers[{i}]: must be under its own id in the mapping"
        for i, cid in enumerate(by_id)
        if cid in (first.id, second.id)
    ]
