"""Scorecards: what mutation testing found no test pinning down.

Refusals word for word (path, words and subject), the presets' ranges, the
formula parser's columns and depth limit, the interval arithmetic behind the
zero check, the explanation's parts, the ranking's own checks and its text.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Backlog,
    BacklogItem,
    CustomerKind,
    PrioritizationPolicy,
    Scorecard,
    Segment,
    ValidationError,
    field,
    prioritize,
    to_json,
)
from customer_model._scorecard_formula import Interval, Ref, parse, signs
from customer_model.examples import demo_dataset
from customer_model.frameworks import IceEstimate, RiceEstimate
from customer_model.scorecard_ranking import adds_up
from customer_model.scorecards import (
    Evidence,
    FactorKind,
    FactorPart,
    RankedTheme,
    Scale,
    ScorecardFactor,
    ScorecardRanking,
)

_INPUT = "scorecard input"
AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
EMPTY = Backlog((), AS_OF, PrioritizationPolicy())


def item(theme: str, rank: int, **counts: Any) -> BacklogItem:
    """A backlog item of one purchaser's voice, with the revenue given."""
    return BacklogItem(
        theme=theme,
        rank=rank,
        score=1.0,
        customer_count=1,
        voices=1,
        purchaser_voices=1,
        user_voices=0,
        both_voices=0,
        unlisted_voices=0,
        anonymous_voices=0,
        revenue=counts.pop("revenue", {}),
        feedback_ids=(),
        explanation=(),
        steps=(),
    )


def _ranking() -> ScorecardRanking:
    """Two themes by value over effort, plus 1: a named card with a constant part."""
    card = Scorecard(
        [
            ScorecardFactor("value", Scale.ZERO_TO_TEN),
            ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
        ],
        "value / effort + 1",
        name="value/effort",
    )
    return card.score(
        EMPTY, {"<b>x</b>": {"value": 8, "effort": 2}, "y": {"value": 4, "effort": 1}}
    )


def refusal(call: Callable[[], object]) -> tuple[str | None, list[str]]:
    """The subject and every problem of the ValidationError *call* raises."""
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.subject, [str(p) for p in caught.value.problems]


# -- factors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"name": "2fast"},
            "$.name: must be a name a formula can use: letters, digits and _, not starting "
            "with a digit, in NFKC form, not a Python keyword, nor rank, theme or score",
        ),
        ({"name": 3}, "$.name: must be a string, not int"),
        (
            {"name": "x", "kind": "Cost"},
            "$.kind: must be a FactorKind or one of its values: 'benefit', 'cost'",
        ),
        (
            {"name": "x", "evidence": 3},
            "$.evidence: must be an Evidence or one of its values: 'customer_importance', "
            "'customer_count', 'revenue', 'purchaser_voices', 'user_voices', "
            "'segment_voices', not int",
        ),
        ({"name": "x", "positive": "yes"}, "$.positive: must be true or false, not str"),
        (
            {"name": "x", "positive": True, "maximum": 0},
            "$.maximum: must be above 0 when positive=True, or no value is left",
        ),
        (
            {"name": "x", "scale": Scale.CHECKBOX, "default": True},
            "$.default: must be a number (0 or 1 for a checkbox), not a boolean",
        ),
    ],
)
def test_a_bad_factor_is_told_word_for_word(kwargs: dict[str, Any], message: str) -> None:
    assert refusal(lambda: ScorecardFactor(**kwargs)) == ("ScorecardFactor", [message])


def test_kind_and_evidence_take_their_values_as_text() -> None:
    factor = ScorecardFactor("e", positive=True, kind="cost", evidence="customer_count")
    assert factor.kind is FactorKind.COST
    assert factor.evidence is Evidence.CUSTOMER_COUNT


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"name": "p", "scale": Scale.PERCENTAGE}, Interval(0.0, 1.0)),
        ({"name": "s", "scale": Scale.STARS}, Interval(0.0, 100.0)),
        ({"name": "r", "scale": Scale.RELATIVE}, Interval(0.0, 100.0)),
        ({"name": "n"}, Interval(-math.inf, math.inf, True, True)),
        ({"name": "n", "minimum": -2, "maximum": 3}, Interval(-2.0, 3.0)),
        ({"name": "n", "positive": True}, Interval(0.0, math.inf, True, True)),
        # positive=True with a minimum above 0 keeps the minimum, closed
        ({"name": "n", "positive": True, "minimum": 0.5}, Interval(0.5, math.inf, False, True)),
        ({"name": "n", "positive": True, "minimum": -1, "maximum": 2}, Interval(0.0, 2.0, True)),
    ],
)
def test_a_factors_range_is_what_its_scale_and_bounds_let_through(
    options: dict[str, Any], expected: Interval
) -> None:
    assert ScorecardFactor(**options).range() == expected


def test_a_percentage_divisor_is_checked_against_its_range() -> None:
    factors = [ScorecardFactor("a"), ScorecardFactor("p", Scale.PERCENTAGE)]
    assert refusal(lambda: Scorecard(factors, "a / p"))[1] == [
        "$.formula: at column 5: divides by 'p', which can be 0: give the divisor a range "
        "that excludes 0 (positive=True or a minimum above 0)"
    ]
    Scorecard(factors, "a / (p - 1.5)")  # p is at most 1 (100 %): never 1.5


@pytest.mark.parametrize(
    ("scale", "value", "message"),
    [
        (Scale.CHECKBOX, "yes", "must be 0 or 1 (or true or false) for a checkbox"),
        (
            Scale.FIBONACCI,
            "5",
            "must be a Fibonacci number: 0, 1, 2, 3, 5, 8, 13, ... up to 233",
        ),
        (Scale.ZERO_TO_TEN, -1, "must be at least 0"),
        (Scale.STARS, -0.5, "must be at least 0"),
        (Scale.RELATIVE, -1, "must be at least 0"),
    ],
)
def test_an_estimate_off_its_scale_is_told_at_theme_and_factor(
    scale: Scale, value: Any, message: str
) -> None:
    card = Scorecard([ScorecardFactor("x", scale)], "x")
    assert refusal(lambda: card.score(EMPTY, {"t": {"x": value}})) == (
        _INPUT,
        [f"$.estimates.t.x: {message}"],
    )


def test_normalize_names_a_highest_below_raw_word_for_word() -> None:
    factor = ScorecardFactor("x", Scale.RELATIVE)
    assert refusal(lambda: factor.normalize(3, 2)) == (
        "ScorecardFactor.normalize",
        ["$.highest: must be at least raw: it is the highest on the roadmap"],
    )
    assert factor.normalize(2, 2) == 100.0


# -- scorecards ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "messages"),
    [
        (
            lambda: Scorecard("reach"),  # type: ignore[arg-type]
            ["$.factors: must be a list or tuple, not str"],
        ),
        (
            lambda: Scorecard([1]),  # type: ignore[list-item]
            ["$.factors[0]: must be a ScorecardFactor, not int"],
        ),
        (lambda: Scorecard([]), ["$.factors: must name at least one factor"]),
        (
            lambda: Scorecard([ScorecardFactor("a"), ScorecardFactor("a")]),
            ["$.factors: factor 'a' is named more than once"],
        ),
        (
            lambda: Scorecard([ScorecardFactor("a")], name=" "),
            ["$.name: must not be empty or blank"],
        ),
        (
            lambda: Scorecard([ScorecardFactor("a", weight=0), ScorecardFactor("b", weight=0)]),
            ["$.factors: needs a benefit with a weight above 0"],
        ),
        (
            lambda: Scorecard([ScorecardFactor("a"), ScorecardFactor("e", kind=FactorKind.COST)]),
            [
                "$.factors[1].scale: must not allow 0 for a cost, which divides the score: use "
                "the 'number' scale with positive=True or a minimum above 0, and a weight above 0"
            ],
        ),
        (
            lambda: Scorecard(
                [ScorecardFactor("a"), ScorecardFactor("e", positive=True, kind="cost")], "a + e"
            ),
            [
                "$.formula: at column 5: 'e' is a cost, but the formula rewards it: "
                "divide by it or subtract it"
            ],
        ),
    ],
)
def test_a_bad_scorecard_is_told_word_for_word(
    call: Callable[[], object], messages: list[str]
) -> None:
    assert refusal(call) == ("Scorecard", messages)


def test_a_weighted_cost_of_weight_2_is_its_weighted_mean() -> None:
    card = Scorecard(
        [
            ScorecardFactor("a", Scale.ZERO_TO_HUNDRED),
            ScorecardFactor("e", positive=True, kind=FactorKind.COST, weight=2),
        ]
    )
    # The cost's mean is (2 x 4) / 2 = 4: the score is 40 / 4.
    assert card.score(EMPTY, {"t": {"a": 40, "e": 4}})[0].score == 10.0


# -- the presets -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "name", "formula", "cost"),
    [
        (Scorecard.rice, "RICE", "reach * impact * confidence / effort", "effort"),
        (
            partial(Scorecard.ice, method="product"),
            "ICE (product)",
            "impact * confidence * ease",
            None,
        ),
        (
            partial(Scorecard.ice, method="mean"),
            "ICE (mean)",
            "(impact + confidence + ease) / 3",
            None,
        ),
        (
            Scorecard.wsjf,
            "WSJF",
            "(business_value + time_criticality + risk_reduction) / job_size",
            "job_size",
        ),
        (Scorecard.value_effort, "value vs effort", "value / effort", "effort"),
    ],
)
def test_a_preset_is_named_writes_its_formula_and_guards_its_cost(
    preset: Callable[[], Scorecard], name: str, formula: str, cost: str | None
) -> None:
    card = preset()  # made here, not when the tests are collected: mutmut sees it
    # A team starts from a preset's JSON: its name and formula are what it edits.
    assert card.name == name
    assert f'"formula": "{formula}"' in to_json(card)
    assert card.score(EMPTY).scorecard == name
    if cost is not None:  # rewarding the cost is refused: it is marked as one
        with pytest.raises(ValidationError, match=f"'{cost}' is a cost"):
            attrs.evolve(card, formula=f"{formula} * {cost} * {cost}")


_RICE, _WSJF, _VALUE = Scorecard.rice, Scorecard.wsjf, Scorecard.value_effort
_ICE = partial(Scorecard.ice, method="product")


@pytest.mark.parametrize(
    ("preset", "values", "message"),
    [
        (_RICE, {"reach": -1}, "reach: must be at least 0"),
        (_RICE, {"impact": -1}, "impact: must be at least 0"),
        (_RICE, {"confidence": -0.1}, "confidence: must be at least 0"),
        (_RICE, {"confidence": 1.1}, "confidence: must be at most 1"),
        (_ICE, {"ease": 0.5}, "ease: must be at least 1"),
        (_ICE, {"impact": 10.5}, "impact: must be at most 10"),
        (_WSJF, {"business_value": -1}, "business_value: must be at least 0"),
        (_WSJF, {"time_criticality": -1}, "time_criticality: must be at least 0"),
        (_WSJF, {"risk_reduction": -1}, "risk_reduction: must be at least 0"),
        (_VALUE, {"value": -1}, "value: must be at least 0"),
        (_VALUE, {"value": 10.5}, "value: must be at most 10"),
    ],
)  # fmt: skip
def test_a_presets_ranges_are_as_documented(
    preset: Callable[[], Scorecard], values: dict[str, float], message: str
) -> None:
    card = preset()
    fine = {
        "reach": 1, "impact": 1, "confidence": 1, "effort": 1, "ease": 1, "business_value": 1,
        "time_criticality": 1, "risk_reduction": 1, "job_size": 1, "value": 1,
    }  # fmt: skip
    names = {f.name for f in card.factors}
    estimates = {n: v for n, v in fine.items() if n in names} | values
    assert refusal(lambda: card.score(EMPTY, {"t": estimates})) == (
        _INPUT,
        [f"$.estimates.t.{message}"],
    )


def test_ice_without_a_method_is_told_as_the_ice_scorecard() -> None:
    assert refusal(lambda: Scorecard.ice(method="sum")) == (  # type: ignore[arg-type]
        "ICE scorecard",
        ["$.method: must be 'product' or 'mean'"],
    )


# -- scoring ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "messages"),
    [
        (
            lambda: Scorecard.rice().score("b"),  # type: ignore[arg-type]
            ["$.backlog: must be a Backlog, not str"],
        ),
        (
            lambda: Scorecard.rice().score(EMPTY, [("t", {})]),  # type: ignore[arg-type]
            ["$.estimates: must be a mapping of theme to factor values, not list"],
        ),
        (
            lambda: Scorecard.rice().score(EMPTY, {1: {}, 2: {}}),  # type: ignore[dict-item]
            [
                "$.estimates: keys must be theme strings, not int",
                "$.estimates: keys must be theme strings, not int",
            ],
        ),
        (
            lambda: Scorecard.rice().score(EMPTY, {" a": {}, "b ": {}}),
            [
                "$.estimates: keys must be themes: not blank, without white space at either "
                "end, valid Unicode text"
            ]
            * 2,
        ),
        (
            lambda: Scorecard.rice().score(EMPTY, {"t": [1]}),  # type: ignore[dict-item]
            ["$.estimates.t: must be a mapping of factor name to number, not list"],
        ),
        (
            lambda: Scorecard.rice().score(EMPTY, {"t": {1: 1}}),  # type: ignore[dict-item]
            ["$.estimates.t: keys must be factor names, not int"],
        ),
    ],
)
def test_bad_score_arguments_are_told_word_for_word(
    call: Callable[[], object], messages: list[str]
) -> None:
    assert refusal(call) == (_INPUT, messages)


def test_an_empty_backlog_without_estimates_ranks_nothing() -> None:
    ranking = Scorecard([ScorecardFactor("x", Scale.RELATIVE)], name="ours").score(EMPTY)
    assert (len(ranking), ranking.factors, ranking.scorecard) == (0, ("x",), "ours")


def test_the_ranking_carries_the_scorecards_name() -> None:
    estimates = {"t": {"reach": 1, "impact": 1, "confidence": 1, "effort": 1}}
    assert Scorecard.rice().score(EMPTY, estimates).scorecard == "RICE"


def test_every_theme_that_overflows_is_told() -> None:
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("b")], "a * b")
    big = {"a": 1e200, "b": 1e200}
    tail = "overflow a float (infinite or undefined): scale the estimates or weights down"
    assert refusal(lambda: card.score(EMPTY, {"s": big, "t": {"a": 1, "b": 1}, "u": big})) == (
        _INPUT,
        [
            f"$.formula: at column 3: makes the score of theme 's' {tail}",
            f"$.formula: at column 3: makes the score of theme 'u' {tail}",
        ],
    )


def test_a_weight_times_a_value_that_overflows_is_told_at_the_weight() -> None:
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("b", weight=1e308)], "a + b")
    assert refusal(lambda: card.score(EMPTY, {"t": {"a": 1, "b": 10}})) == (
        _INPUT,
        [
            "$.factors[1].weight: makes the score of theme 't' overflow a float "
            "(infinite or undefined): scale the estimates or weights down"
        ],
    )


def test_a_divisor_whose_weighted_value_underflows_is_told_at_its_division() -> None:
    # e is above 0, but 1e-200 x 1e-200 is 0.0 as a float.
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("e", positive=True, weight=1e-200)],
                     "a / e")  # fmt: skip
    assert refusal(lambda: card.score(EMPTY, {"t": {"a": 1, "e": 1e-200}}))[1] == [
        "$.formula: at column 3: makes the score of theme 't' overflow a float "
        "(infinite or undefined): scale the estimates or weights down"
    ]


# -- revenue and segment voices --------------------------------------------------------


def test_revenue_in_one_currency_needs_no_policy_currency() -> None:
    from decimal import Decimal

    backlog = Backlog(
        (item("a", 1, revenue={"USD": Decimal(7)}), item("b", 2, revenue={"USD": Decimal(3)})),
        AS_OF,
        PrioritizationPolicy(),
    )
    card = Scorecard([ScorecardFactor("revenue", evidence=Evidence.REVENUE)])
    ranking = card.score(backlog)
    assert [(t.theme, t.explanation[0].raw) for t in ranking] == [("a", 7.0), ("b", 3.0)]


def test_a_missing_exchange_rate_is_told_as_scorecard_input() -> None:
    from decimal import Decimal

    backlog = Backlog(
        (item("a", 1, revenue={"USD": Decimal(7)}),), AS_OF, PrioritizationPolicy(currency="EUR")
    )
    card = Scorecard([ScorecardFactor("revenue", evidence=Evidence.REVENUE)])
    assert refusal(lambda: card.score(backlog)) == (
        _INPUT,
        ["$.backlog.policy.exchange_rates: has no rate from 'USD' to EUR"],
    )


_BUSINESS = Segment(
    id="business", name="Businesses", rule=field("kind") == CustomerKind.ORGANIZATION
)
_B2B = Scorecard([ScorecardFactor("b2b", evidence=Evidence.SEGMENT_VOICES, segment="business")])


def _with_anonymous_acme_items() -> tuple[Any, Backlog]:
    """The demo, plus two anonymous items from the organization on its theme."""
    dataset = demo_dataset()
    acme = next(f for f in dataset.feedback if f.customer_id == "c-acme")
    extra = [attrs.evolve(acme, id=f"f-anon-{i}", author_id=None) for i in (1, 2)]
    feedback = [*dataset.feedback, *extra]
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    return (feedback, dataset.customers, acme.theme), prioritize(
        feedback, dataset.customers, policy=policy, as_of=AS_OF
    )


def test_segment_voices_add_up_per_theme_and_are_0_where_the_segment_is_silent() -> None:
    (feedback, customers, theme), backlog = _with_anonymous_acme_items()
    ranking = _B2B.score(backlog, feedback=feedback, customers=customers, segments=[_BUSINESS])
    raw = {t.theme: t.explanation[0].raw for t in ranking}
    # Ines and two anonymous items on one theme; Dara, Eli and Kai one each on theirs.
    assert theme == "subscription-price"
    assert raw == {"subscription-price": 3.0, "bulk-export": 1.0, "dashboard-speed": 1.0,
                   "sso": 1.0}  # fmt: skip
    people = Segment(id="business", name="People", rule=field("kind") == CustomerKind.INDIVIDUAL)
    jon = _B2B.score(backlog, feedback=feedback, customers=customers, segments=[people])
    # Jon asked for bulk export, and anonymously for speed; nobody he stands for, for the rest.
    assert {t.theme: t.explanation[0].raw for t in jon} == {
        "subscription-price": 0.0, "bulk-export": 1.0, "dashboard-speed": 1.0, "sso": 0.0
    }  # fmt: skip


@attrs.frozen
class _Asking:
    """A segment that remembers when it was asked and answers what it is told."""

    id: str
    answer: object
    asked: list[object] = attrs.field(factory=list)

    def matches(self, customer: Any, *, as_of: Any = None) -> Any:
        self.asked.append(as_of)
        return self.answer


def test_segments_are_asked_at_the_backlogs_time_and_refused_as_scorecard_input() -> None:
    (feedback, customers, _), backlog = _with_anonymous_acme_items()
    asking = _Asking("business", True)
    _B2B.score(backlog, feedback=feedback, customers=customers, segments=[asking])
    assert asking.asked
    assert set(asking.asked) == {AS_OF}
    wrong = _Asking("business", "yes")
    assert refusal(
        lambda: _B2B.score(backlog, feedback=feedback, customers=customers, segments=[wrong])
    ) == (_INPUT, ["$.segments[0]: matches() must return a bool, not str"])


def test_segment_voices_tell_what_the_feedback_and_customers_lack() -> None:
    (feedback, customers, _), backlog = _with_anonymous_acme_items()
    kept = [f for f in feedback if f.id not in ("f-1", "f-2")]
    assert refusal(
        lambda: _B2B.score(backlog, feedback=kept, customers=customers, segments=[_BUSINESS])
    ) == (_INPUT, ["$.feedback: lacks item(s) the backlog counts: 'f-1', 'f-2'"])
    # Every customer missing, several on one theme: each is named once.
    assert refusal(
        lambda: _B2B.score(backlog, feedback=feedback, customers=[], segments=[_BUSINESS])
    ) == (_INPUT, ["$.customers: lacks the customer(s) 'c-acme', 'c-jon', 'c-silva' of the voices"])


def test_each_customer_missing_behind_a_voice_is_named() -> None:
    # The organization's named voice comes first on the theme, then the household's
    # anonymous one: both customers are missing, both are named.
    dataset = demo_dataset()
    by_id = {f.id: f for f in dataset.feedback}
    feedback = [by_id["f-3"], attrs.evolve(by_id["f-1"], author_id=None)]
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    backlog = prioritize(feedback, dataset.customers, policy=policy, as_of=AS_OF)
    assert refusal(
        lambda: _B2B.score(backlog, feedback=feedback, customers=[], segments=[_BUSINESS])
    ) == (_INPUT, ["$.customers: lacks the customer(s) 'c-acme', 'c-silva' of the voices"])


def test_a_value_neither_estimated_nor_defaulted_is_scorecard_input() -> None:
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("b", default=2)], "a * b")
    assert refusal(lambda: card.score(EMPTY, {"s": {"b": 1}, "t": {}})) == (
        _INPUT,
        ["$.estimates: has no 'a' for theme(s) 's', 't' (and it has no default)"],
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"feedback": "f-1"}, "$.feedback: must be an iterable of FeedbackItem, not str"),
        (
            {"feedback": demo_dataset()},
            "$.feedback: must be an iterable of FeedbackItem, not Dataset; pass its .feedback",
        ),
        ({"feedback": [1]}, "$.feedback[0]: must be a FeedbackItem, not int"),
    ],
)
def test_bad_feedback_is_told_word_for_word(arguments: dict[str, Any], message: str) -> None:
    estimates = {"t": {"impact": 1, "confidence": 1, "effort": 1}}
    assert refusal(lambda: Scorecard.rice().score(EMPTY, estimates, **arguments)) == (
        _INPUT,
        [message],
    )


# -- rerank ----------------------------------------------------------------------------


_ICE_ESTIMATE = IceEstimate(impact=1, confidence=1, ease=1)


def _two_themes() -> Backlog:
    return Backlog((item("a", 1), item("b", 2)), AS_OF, PrioritizationPolicy())


@pytest.mark.parametrize(
    ("call", "messages"),
    [
        (lambda b: b.rerank("moscow", {}), ["$.method: must be 'rice', 'ice' or 'wsjf'"]),
        (lambda b: b.rerank(["rice"], {}), ["$.method: must be 'rice', 'ice' or 'wsjf'"]),
        (
            lambda b: b.rerank("ice", {}, ice_method="sum"),
            ["$.ice_method: must be 'product' or 'mean' when ranking by ICE"],
        ),
        (
            lambda b: b.rerank("rice", [1]),
            ["$.estimates: must be a mapping of theme to estimate, not list"],
        ),
        (
            lambda b: b.rerank("rice", {"a": None, "b": _ICE_ESTIMATE}),
            [
                "$.estimates.a: must be a RiceEstimate, not NoneType",
                "$.estimates.b: must be a RiceEstimate, not IceEstimate",
            ],
        ),
    ],
)
def test_bad_rerank_arguments_are_told_word_for_word(
    call: Callable[[Backlog], object], messages: list[str]
) -> None:
    assert refusal(lambda: call(_two_themes())) == ("rerank input", messages)


@pytest.mark.parametrize("ice_method", ["product", "mean"])
def test_rerank_by_ice_takes_either_method(ice_method: Any) -> None:
    estimates = {
        "a": IceEstimate(impact=2, confidence=2, ease=2),
        "b": IceEstimate(impact=3, confidence=3, ease=3),
    }
    reranked = _two_themes().rerank("ice", estimates, ice_method=ice_method)
    assert reranked.themes == ("b", "a")


def test_rerank_tells_every_theme_whose_score_overflows() -> None:
    big = RiceEstimate(impact=1e200, confidence=1, effort=1e-200, reach=1)
    subject, messages = refusal(lambda: _two_themes().rerank("rice", {"a": big, "b": big}))
    assert subject == "rerank input"
    assert [m.split(":")[0] for m in messages] == ["$.estimates.a", "$.estimates.b"]


# -- the formula parser ----------------------------------------------------------------


def test_a_formula_of_exactly_the_longest_length_is_taken() -> None:
    factors = [ScorecardFactor("a")]
    Scorecard(factors, "a +" + " " * 996 + "0")  # 1000 characters
    assert refusal(lambda: Scorecard(factors, "a +" + " " * 997 + "0"))[1] == [
        "$.formula: at column 1: must be at most 1000 characters long"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(a +\n * a)", "at column 7: is not a valid formula here"),  # line 2, 2nd character
        ("a +", "at column 1: is not a valid formula here"),  # Python tells no offset
        ("a * 'x'", "at column 5: only plain numbers are allowed"),
        ("a * 1" + "0" * 400, "at column 5: is a number too large for a float"),
        (
            "a * f(a)",
            "at column 5: is not allowed: a formula holds numbers, factor names, "
            "+ - * / and parentheses",
        ),
    ],
)
def test_a_formula_python_cannot_read_is_told_word_for_word(text: str, message: str) -> None:
    assert refusal(lambda: Scorecard([ScorecardFactor("a")], text)) == (
        "Scorecard",
        [f"$.formula: {message}"],
    )


def test_a_nul_character_is_refused_at_the_formula() -> None:
    # A ValueError before Python 3.11.4 or so, a SyntaxError since: either way, told.
    _, [message] = refusal(lambda: Scorecard([ScorecardFactor("a")], "a\x00"))
    assert message.startswith("$.formula: at column ")
    assert "is not a valid formula" in message


def test_parse_gives_no_tree_for_a_refused_formula_and_columns_for_a_good_one() -> None:
    tree, problems = parse("a ** 2")
    assert tree is None
    assert [p.column for p in problems] == [1]
    tree, problems = parse(" -a * 2")
    assert problems == []
    assert repr(tree) == (
        "Bin(op='*', left=Neg(operand=Ref(name='a', column=3), column=2), "
        "right=Num(value=2.0, column=7), column=5)"
    )


def _nested(depth: int, *, unary: bool) -> str:
    """A formula whose deepest factor is *depth* levels down, nested on the right."""
    if unary:
        return "-" * (depth - 1) + "a"
    return "a * (" * (depth - 1) + "a" + ")" * (depth - 1)


@pytest.mark.parametrize("unary", [False, True])
def test_nesting_is_limited_on_the_right_and_under_a_minus_too(unary: bool) -> None:
    factors = [ScorecardFactor("a")]
    Scorecard(factors, _nested(100, unary=unary))
    _, messages = refusal(lambda: Scorecard(factors, _nested(101, unary=unary)))
    assert len(messages) == 1
    assert "nests more than 100 levels deep" in messages[0]


def test_a_unary_plus_is_no_minus() -> None:
    card = Scorecard([ScorecardFactor("a")], "+a")
    assert card.score(EMPTY, {"t": {"a": 3}})[0].score == 3.0


def test_an_operators_column_is_its_own_in_a_chain() -> None:
    # Column 7 is the second "*": 1e200 * 1 is finite, times 1e200 it is not.
    card = Scorecard([ScorecardFactor(n) for n in "abc"], "a * b * c")
    assert refusal(lambda: card.score(EMPTY, {"t": {"a": 1e200, "b": 1, "c": 1e200}}))[1] == [
        "$.formula: at column 7: makes the score of theme 't' overflow a float "
        "(infinite or undefined): scale the estimates or weights down"
    ]
    # The same over two lines: the operator is on the second one.
    text = "(a *\n b * c)"
    card = attrs.evolve(card, formula=text)
    assert refusal(lambda: card.score(EMPTY, {"t": {"a": 1e200, "b": 1, "c": 1e200}}))[1][0] == (
        f"$.formula: at column {text.rindex('*') + 1}: makes the score of theme 't' overflow "
        "a float (infinite or undefined): scale the estimates or weights down"
    )


def test_signs_say_up_or_down_as_one_or_minus_one() -> None:
    tree, _ = parse("a - b / c * -2")
    assert tree is not None
    assert [(ref.name, sign) for ref, sign in signs(tree)] == [("a", 1), ("b", 1), ("c", -1)]
    assert signs(Ref("a", 1)) == [(Ref("a", 1), 1)]


@pytest.mark.parametrize("text", ["a + 0 * e", "a + 0.5 * e", "a + (1e308 * 10) * e"])
def test_a_cost_times_a_number_not_below_0_is_still_rewarded(text: str) -> None:
    # Only a number below 0 turns the cost round; 0, 0.5 and one too large are not.
    factors = [ScorecardFactor("a"), ScorecardFactor("e", positive=True, kind=FactorKind.COST)]
    assert any("'e' is a cost, but the formula rewards it" in m
               for m in refusal(lambda: Scorecard(factors, text))[1])  # fmt: skip


def test_a_division_by_a_refused_part_is_told_too() -> None:
    # The refused part e / a may be anything: minus 2, it may still be 0.
    factors = [ScorecardFactor("a", minimum=0), ScorecardFactor("e", positive=True)]
    text = "e / ((e / a) - 2)"
    assert [m.split(": ")[1] for m in refusal(lambda: Scorecard(factors, text))[1]] == [
        f"at column {text.rindex('a') + 1}",
        f"at column {text.index('/') + 1}",
    ]


def test_a_product_of_any_number_and_one_above_0_may_be_0() -> None:
    # Once an end of NaN (-inf x 0), which compares as no zero: the division passed.
    factors = [ScorecardFactor("x"), ScorecardFactor("a"), ScorecardFactor("e", positive=True)]
    assert refusal(lambda: Scorecard(factors, "x / (a * e)"))[1] == [
        "$.formula: at column 3: divides by a part that can be 0: give the divisor a range "
        "that excludes 0 (positive=True or a minimum above 0)"
    ]


def test_every_division_that_can_be_by_zero_is_told_nested_ones_too() -> None:
    factors = [ScorecardFactor("a", minimum=0), ScorecardFactor("e", positive=True)]
    assert refusal(lambda: Scorecard(factors, "e + e / (e / a)"))[1] == [
        "$.formula: at column 14: divides by 'a', which can be 0: give the divisor a range "
        "that excludes 0 (positive=True or a minimum above 0)",
        "$.formula: at column 7: divides by a part that can be 0: give the divisor a range "
        "that excludes 0 (positive=True or a minimum above 0)",
    ]


# -- intervals -------------------------------------------------------------------------

_INF = math.inf
_I = Interval


@pytest.mark.parametrize(
    ("interval", "zero"),
    [
        (Interval(-1.0, 0.0, False, True), False),
        (Interval(-1.0, 0.0), True),
        (Interval(-1.0, 0.5), True),
        (Interval(-2.0, -1.0), False),
        (Interval(0.0, 1.0, True), False),
        (Interval(1.0, 2.0), False),
    ],
)
def test_an_interval_may_be_zero_only_if_it_holds_0(interval: Interval, zero: bool) -> None:
    assert interval.may_be_zero() is zero


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (lambda: -_I(1.0, 2.0, True, False), _I(-2.0, -1.0, False, True)),
        (lambda: _I(0.0, 1.0, False, True) + _I(2.0, 3.0, True), _I(2, 4, True, True)),
        (lambda: _I(0.0, 1.0) + _I(0.0, 1.0, False, True), _I(0.0, 2.0, False, True)),
        (lambda: _I(1e308, 1e308) + _I(1e308, 1e308), _I(_INF, _INF, True, True)),
        (lambda: _I(0.0, 1.0) * _I(2.0, _INF, True, True), _I(0.0, _INF, False, True)),
        (lambda: _I(2.0, 3.0) * _I(0.0, 5.0), _I(0.0, 15.0)),
        # 0 (open) times an infinite end is 0, not NaN: -inf x 0 comes first
        (lambda: _I(-_INF, 1.0, True) * _I(0.0, 1.0, True), _I(-_INF, 1.0, True, False)),
        (lambda: _I(0, 1, True) * _I(1.0, _INF, False, True), _I(0.0, _INF, True, True)),
        (lambda: _I(1.0, 2.0, True) * _I(3.0, 4.0), _I(3.0, 8.0, True, False)),
        (lambda: _I(1.0, 2.0, False, True) * _I(3.0, 4.0), _I(3.0, 8.0, False, True)),
        (lambda: _I(2.0, 4.0).inverse(), _I(0.25, 0.5)),
        (lambda: _I(2.0, 4.0, True).inverse(), _I(0.25, 0.5, False, True)),
        (lambda: _I(2.0, 4.0, False, True).inverse(), _I(0.25, 0.5, True, False)),
        (lambda: _I(0.0, 4.0, True).inverse(), _I(0.25, _INF, False, True)),
        (lambda: _I(2.0, _INF, False, True).inverse(), _I(0.0, 0.5, True, False)),
        (lambda: _I(-4.0, -2.0).inverse(), _I(-0.5, -0.25)),
        (lambda: _I(-4.0, 0.0, False, True).inverse(), _I(-_INF, -0.25, True, False)),
    ],
)  # fmt: skip
def test_interval_arithmetic_keeps_ends_and_their_openness(
    result: Callable[[], Interval], expected: Interval
) -> None:
    assert result() == expected


_ENDS = st.tuples(st.floats(-10, 10), st.floats(0, 10), st.floats(0, 1))


@given(_ENDS, _ENDS)
def test_sums_and_products_of_points_stay_inside_the_intervals(
    first: tuple[float, float, float], second: tuple[float, float, float]
) -> None:
    # Each interval from its low end and width, and a point in it.
    (lo1, width1, t1), (lo2, width2, t2) = first, second
    a, b = Interval(lo1, lo1 + width1), Interval(lo2, lo2 + width2)
    x, y = lo1 + t1 * width1, lo2 + t2 * width2
    for value, interval in ((x + y, a + b), (x * y, a * b), (-x, -a)):
        assert interval.lo - 1e-9 <= value <= interval.hi + 1e-9


# -- explanations ----------------------------------------------------------------------


def test_a_negated_operand_of_a_product_earns_its_signed_share() -> None:
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("b")], "b * -a")
    theme = card.score(EMPTY, {"t": {"a": 3, "b": 2}})[0]
    assert theme.score == -6.0
    assert [(p.factor, p.value) for p in theme.explanation] == [("a", -3.0), ("b", -3.0)]


def test_a_factor_that_appears_twice_in_a_product_earns_both_shares() -> None:
    card = Scorecard([ScorecardFactor("a")], "a * a * 2")
    theme = card.score(EMPTY, {"t": {"a": 3}})[0]
    assert (theme.score, theme.explanation[0].value, theme.constant) == (18.0, 18.0, 0.0)


def test_adds_up_takes_a_difference_of_exactly_the_tolerance_and_no_more() -> None:
    # 1 and -1 set the scale to 1: a sum off by exactly 1e-9 (+ 1e-300) still adds up.
    limit = 1e-9 * 1.0 + 1e-300
    assert adds_up(0.0, [1.0, -1.0, limit])
    assert not adds_up(0.0, [1.0, -1.0, math.nextafter(limit, 1.0)])


def test_adds_up_takes_a_difference_within_the_tolerance() -> None:
    # 1 + 2**-30 (about 9.3e-10) is within 1e-9 of the larger; twice as much is not.
    assert adds_up(1.0, [1.0 + 2**-30])
    assert not adds_up(1.0, [1.0 + 2**-29])


# -- the ranking's own checks ----------------------------------------------------------


def _part(**changes: Any) -> FactorPart:
    fields: dict[str, Any] = {
        "factor": "v", "raw": 8.0, "normalized": 64.0, "weight": 1.0, "value": 32.0, "share": 1.0,
    }  # fmt: skip
    return FactorPart(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"factor": 5}, ["$.factor: must be a string, not int"]),
        ({"factor": " v"}, ["$.factor: must not start or end with white space"]),
        ({"raw": True}, ["$.raw: must be a real number (int or float), not bool"]),
        ({"raw": True, "normalized": True},
         ["$.raw: must be a real number (int or float), not bool",
          "$.normalized: must be a real number (int or float), not bool"]),
        ({"raw": True, "normalized": True, "weight": True},
         ["$.raw: must be a real number (int or float), not bool",
          "$.normalized: must be a real number (int or float), not bool",
          "$.weight: must be a real number (int or float), not bool"]),
        ({"value": True}, ["$.value: must be a real number (int or float), not bool"]),
        ({"share": True}, ["$.share: must be a real number (int or float), not bool"]),
        ({"share": math.inf}, ["$.share: must be a finite number (not NaN or infinity)"]),
        ({"weight": -1.0}, ["$.weight: must be at least 0"]),
        ({"value": math.nan}, ["$.value: must be a finite number (not NaN or infinity)"]),
    ],
)  # fmt: skip
def test_a_bad_factor_part_is_told_word_for_word(
    changes: dict[str, Any], messages: list[str]
) -> None:
    assert refusal(lambda: _part(**changes)) == ("FactorPart", messages)


@pytest.mark.parametrize("weight", [0, 0.5])
def test_a_factor_part_with_an_int_takes_any_weight_from_0(weight: float) -> None:
    assert _part(raw=8, weight=weight).weight == weight


def _theme(**changes: Any) -> RankedTheme:
    fields: dict[str, Any] = {
        "theme": "t", "rank": 1, "score": 32.0, "explanation": (_part(),),
    }  # fmt: skip
    return RankedTheme(**(fields | changes))


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"theme": " t"}, ["$.theme: must not start or end with white space"]),
        ({"rank": 0}, ["$.rank: must be at least 1"]),
        ({"score": math.nan}, ["$.score: must be a finite number (not NaN or infinity)"]),
        ({"constant": math.inf}, ["$.constant: must be a finite number (not NaN or infinity)"]),
        ({"explanation": (1,)}, ["$.explanation[0]: must be a FactorPart, not int"]),
        ({"explanation": (_part(value=16.0, share=0.5),) * 2},
         ["$.explanation: factor 'v' is listed more than once"]),
        ({"score": 64.0}, ["$.score: must equal the sum of the explanation's values and constant",
                           "$.explanation[0].share: must be the value over the score"]),
    ],
)  # fmt: skip
def test_a_bad_ranked_theme_is_told_word_for_word(
    changes: dict[str, Any], messages: list[str]
) -> None:
    assert refusal(lambda: _theme(**changes)) == ("RankedTheme", messages)


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"factors": ("v", "v")}, ["$.factors: id 'v' is listed more than once"]),
        ({"items": (1,)}, ["$.items[0]: must be a RankedTheme, not int"]),
        ({"items": (_theme(rank=2),)}, ["$.items[0].rank: must be 1: items are in rank order"]),
        ({"items": (_theme(), _theme(rank=3, theme="u"))},
         ["$.items[1].rank: must be 2: items are in rank order"]),
        ({"factors": ("w",)}, ["$.items[0].explanation: must explain each factor, in order"]),
        ({"items": (_theme(), _theme(rank=2))}, ["$.items: theme 't' has more than one item"]),
        ({"items": (_theme(score=16.0, explanation=(_part(value=16.0),)),
                    _theme(rank=2, theme="u"))},
         ["$.items[1].score: is out of order: items are ranked best first"]),
        ({"as_of": datetime(2026, 6, 30)},
         ["$.as_of: must be timezone-aware (naive datetimes are ambiguous)"]),
        ({"scorecard": " "}, ["$.scorecard: must not be empty or blank"]),
    ],
)  # fmt: skip
def test_a_bad_ranking_is_told_word_for_word(changes: dict[str, Any], messages: list[str]) -> None:
    fields: dict[str, Any] = {"items": (_theme(),), "factors": ("v",), "as_of": AS_OF}
    assert refusal(lambda: ScorecardRanking(**(fields | changes))) == ("ScorecardRanking", messages)


# -- text and HTML ---------------------------------------------------------------------


def test_a_ranked_themes_text_shows_every_part_and_the_constant() -> None:
    # (8 squared) / 2 + 1 = 33: value earns 32 (97 %), effort nothing, the constant 1 (3 %).
    assert str(_ranking()[0]).splitlines() == [
        "#1 <b>x</b>: score 33.00",
        "factor      raw  normalized  weight  value  share",
        "----------  ---  ----------  ------  -----  -----",
        "value       8    64.00       1       32.00  97%",
        "effort      2    2.00        1       0.00   0%",
        "(constant)                           1.00   3%",
    ]


def test_a_rankings_text_and_html_show_ranks_raw_values_and_shares() -> None:
    ranking = _ranking()
    assert str(ranking).splitlines() == [
        "rank  theme     score  value    effort",
        "----  --------  -----  -------  ------",
        "1     <b>x</b>  33.00  8 (97%)  2 (0%)",
        "2     y         17.00  4 (94%)  1 (0%)",
    ]
    assert "Ranked by value/effort as of 2026-06-30T00:00:00+00:00: raw value (share of score)" in (
        ranking._repr_html_()
    )
    unnamed = attrs.evolve(ranking, scorecard=None)
    assert "Ranked by a scorecard as of 2026-06-30T00:00:00+00:00" in unnamed._repr_html_()
    assert "#1 &lt;b&gt;x&lt;/b&gt;: score 33.00" in ranking[0]._repr_html_()


@pytest.mark.parametrize(
    "text",
    [
        "a*b*c",
        "(a * b  # times b*c\n * c)",
        "(a * b  # a comment on its own line: *\n\n  # and another, *\n * c)",
    ],
)
def test_an_operators_column_is_never_in_a_comment(text: str) -> None:
    # Once the column of the first "*" after the left operand, even one in a comment.
    card = Scorecard([ScorecardFactor(n) for n in "abc"], text)
    assert refusal(lambda: card.score(EMPTY, {"t": {"a": 1e200, "b": 1, "c": 1e200}}))[1] == [
        f"$.formula: at column {text.rindex('*') + 1}: makes the score of theme 't' overflow "
        "a float (infinite or undefined): scale the estimates or weights down"
    ]
    divided = [ScorecardFactor("a"), ScorecardFactor("b", minimum=0)]
    text = "(a  # a/b\n / (b + b))"
    assert refusal(lambda: Scorecard(divided, text))[1] == [
        f"$.formula: at column {text.rindex('/') + 1}: divides by a part that can be 0: give "
        "the divisor a range that excludes 0 (positive=True or a minimum above 0)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a / (1 / b) + e + b",  # 1 / b: b's weighted values are all past the largest float
        "a / ((1e308 * 10) - (1e308 * 10)) + e + b",  # an overflow minus an overflow
        "a / (b - b) + e",
    ],
)
def test_a_divisor_past_the_largest_float_is_told_not_a_zero_division(text: str) -> None:
    # Once a bare ZeroDivisionError (1 / b was an empty range at 0, "never 0"), or taken.
    factors = [
        ScorecardFactor("a", minimum=0),
        ScorecardFactor("e", positive=True),
        ScorecardFactor("b", minimum=1e300, weight=1e10),
    ]
    assert refusal(lambda: Scorecard(factors, text)) == (
        "Scorecard",
        [
            "$.formula: at column 3: divides by a part that can be 0: give the divisor a range "
            "that excludes 0 (positive=True or a minimum above 0)"
        ],
    )


@pytest.mark.parametrize(
    "interval",
    [
        lambda: _I(_INF, _INF, True, True).inverse(),  # (0, 0): values too small for a float
        lambda: _I(0.0, 0.0),
        lambda: _I(_INF, _INF, True, True) + _I(-_INF, -_INF, True, True),
        lambda: _I(_INF, _INF, True, True) + _I(-_INF, 2.0, True),
    ],
)
def test_an_interval_past_the_floats_may_be_zero(interval: Callable[[], Interval]) -> None:
    assert interval().may_be_zero()


def test_an_infinite_end_meeting_its_opposite_gives_any_value() -> None:
    # inf + -inf is NaN, which compares as neither below nor above 0.
    unbounded = _I(-_INF, _INF, True, True)
    assert _I(_INF, _INF, True, True) + _I(-_INF, -_INF, True, True) == unbounded
    assert _I(0.0, 1.0) + _I(_INF, _INF, True, True) == _I(_INF, _INF, True, True)
