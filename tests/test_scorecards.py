"""Tests for scorecards: factors, scales, formulas, evidence, presets and the ranking."""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Backlog,
    BacklogItem,
    PrioritizationPolicy,
    Scorecard,
    ValidationError,
    from_json,
    prioritize,
    to_json,
)
from customer_model.examples import demo_dataset
from customer_model.frameworks import ice, rice, wsjf
from customer_model.scorecards import (
    Evidence,
    FactorKind,
    FactorPart,
    RankedTheme,
    Scale,
    ScorecardFactor,
    ScorecardRanking,
)

AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
EMPTY = Backlog((), AS_OF, PrioritizationPolicy())


def item(theme: str, rank: int, score: float = 1.0, **counts: Any) -> BacklogItem:
    """A backlog item with the counts given (all voices purchasers unless told)."""
    purchasers = counts.pop("purchaser_voices", 1)
    users = counts.pop("user_voices", 0)
    return BacklogItem(
        theme=theme,
        rank=rank,
        score=score,
        customer_count=counts.pop("customer_count", 1),
        voices=purchasers + users,
        purchaser_voices=purchasers,
        user_voices=users,
        both_voices=0,
        unlisted_voices=0,
        anonymous_voices=0,
        revenue=counts.pop("revenue", {}),
        feedback_ids=(),
        explanation=(),
        steps=(),
    )


def one(scale: Scale, **options: Any) -> Scorecard:
    return Scorecard([ScorecardFactor("x", scale, **options)])


def messages(error: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [str(p) for p in error.value.problems]


# -- scales: Canny's normalizations ------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "raw", "normalized"),
    [
        (Scale.ZERO_TO_TEN, 7, 49.0),
        (Scale.ZERO_TO_TEN, 10, 100.0),
        (Scale.ZERO_TO_HUNDRED, 42.5, 42.5),
        (Scale.FIBONACCI, 233, 100.0),
        (Scale.FIBONACCI, 13, 13 * 100 / 233),
        (Scale.STARS, 5, 100.0),
        (Scale.STARS, 3, 36.0),
        (Scale.CHECKBOX, 1, 100.0),
        (Scale.CHECKBOX, False, 0.0),
        (Scale.NUMBER, -3.5, -3.5),
    ],
)
def test_each_scale_normalizes_as_canny_describes(
    scale: Scale, raw: Any, normalized: float
) -> None:
    # The first theme pins the score to a known one so a lone factor's score is its value.
    ranking = one(scale).score(EMPTY, {"a": {"x": raw}})
    part = ranking[0].explanation[0]
    assert part.raw == float(raw)
    assert part.normalized == normalized
    assert ranking[0].score == normalized


def test_a_percentage_multiplies_the_score() -> None:
    card = Scorecard(
        [ScorecardFactor("value", Scale.ZERO_TO_HUNDRED), ScorecardFactor("sure", Scale.PERCENTAGE)]
    )
    ranking = card.score(EMPTY, {"a": {"value": 60, "sure": 50}, "b": {"value": 40, "sure": 100}})
    assert [(t.theme, t.score) for t in ranking] == [("b", 40.0), ("a", 30.0)]
    sure = ranking.get("a").explanation[1]  # type: ignore[union-attr]
    assert (sure.normalized, sure.value) == (0.5, 0.0)


def test_relative_divides_by_the_highest_on_the_roadmap() -> None:
    backlog = Backlog(
        (item("a", 1, purchaser_voices=8), item("b", 2, purchaser_voices=2)),
        AS_OF,
        PrioritizationPolicy(),
    )
    card = Scorecard([ScorecardFactor("votes", Scale.RELATIVE, evidence=Evidence.PURCHASER_VOICES)])
    ranking = card.score(backlog, {"c": {}})
    assert [t.explanation[0].normalized for t in ranking] == [100.0, 25.0, 0.0]
    assert ranking.themes == ("a", "b", "c")


def test_relative_with_nothing_anywhere_is_zero_not_a_division_by_zero() -> None:
    ranking = one(Scale.RELATIVE).score(EMPTY, {"a": {"x": 0}, "b": {"x": 0}})
    assert [t.score for t in ranking] == [0.0, 0.0]
    assert [p.share for t in ranking for p in t.explanation] == [None, None]


@pytest.mark.parametrize(
    ("scale", "raw", "highest", "field", "message"),
    [
        (Scale.NUMBER, "x", 0, "raw", "must be a real number (int or float), not str"),
        (Scale.NUMBER, True, 0, "raw", "must be a real number (int or float), not bool"),
        (Scale.NUMBER, math.nan, 0, "raw", "must be a finite number"),
        (Scale.ZERO_TO_TEN, 11, 0, "raw", "must be at most 10"),
        (Scale.FIBONACCI, 4, 0, "raw", "must be a Fibonacci number"),
        (Scale.CHECKBOX, 2, 0, "raw", "must be 0 or 1"),
        (Scale.RELATIVE, 1, "2", "highest", "must be a real number (int or float), not str"),
        (Scale.RELATIVE, 1, False, "highest", "not bool"),
        (Scale.RELATIVE, 1, math.inf, "highest", "must be a finite number"),
        (Scale.RELATIVE, 3, 2, "highest", "must be at least raw"),
    ],
)
def test_normalize_names_a_value_the_factor_does_not_take(
    scale: Scale, raw: Any, highest: Any, field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ScorecardFactor("x", scale).normalize(raw, highest)
    assert caught.value.subject == "ScorecardFactor.normalize"
    [problem] = caught.value.problems
    assert problem.path == (field,)
    assert message in problem.message


@given(st.sampled_from(Scale), st.integers(0, 233) | st.floats(0, 233) | st.booleans())
def test_normalize_takes_exactly_the_values_score_takes(scale: Scale, raw: Any) -> None:
    card = Scorecard([ScorecardFactor("x", scale)], "x")  # a formula: a percentage alone
    try:
        expected = card.score(EMPTY, {"a": {"x": raw}})[0].explanation[0].normalized
    except ValidationError:
        with pytest.raises(ValidationError):
            card.factors[0].normalize(raw, float(raw))
    else:
        assert card.factors[0].normalize(raw, float(raw)) == expected


# -- the weighted combination ----------------------------------------------------


def test_weighted_mean_of_benefits_over_weighted_mean_of_costs() -> None:
    card = Scorecard(
        [
            ScorecardFactor("impact", Scale.ZERO_TO_TEN, weight=3),
            ScorecardFactor("reach", Scale.ZERO_TO_HUNDRED, weight=1),
            ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
        ]
    )
    ranking = card.score(EMPTY, {"a": {"impact": 10, "reach": 20, "effort": 4}})
    # (3 * 100 + 1 * 20) / 4 = 80, divided by an effort of 4.
    assert ranking[0].score == 20.0
    parts = {p.factor: p for p in ranking[0].explanation}
    assert parts["impact"].value == 3 * 100 / 4 / 4
    assert parts["reach"].value == 20 / 4 / 4
    assert parts["effort"].value == 0.0
    assert parts["impact"].share == parts["impact"].value / 20.0


# -- formulas ----------------------------------------------------------------------


def test_a_formula_uses_weight_times_normalized_value_and_explains_itself() -> None:
    card = Scorecard(
        [
            ScorecardFactor("impact", Scale.ZERO_TO_TEN),
            ScorecardFactor("fit", Scale.CHECKBOX, weight=0.5),
            ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
        ],
        "(impact + fit) / effort + 1",
    )
    ranking = card.score(EMPTY, {"a": {"impact": 5, "fit": 1, "effort": 5}})
    theme = ranking[0]
    assert theme.score == (25 + 50) / 5 + 1
    parts = {p.factor: p.value for p in theme.explanation}
    assert parts == {"impact": 5.0, "fit": 10.0, "effort": 0.0}
    assert theme.constant == 1.0
    assert math.fsum([*parts.values(), theme.constant]) == theme.score


def test_a_product_shares_its_value_equally_among_its_factors() -> None:
    card = Scorecard(
        [ScorecardFactor("a"), ScorecardFactor("b"), ScorecardFactor("c")], "a * b * (c + 1)"
    )
    theme = card.score(EMPTY, {"t": {"a": 2, "b": 3, "c": 1}})[0]
    parts = {p.factor: p.value for p in theme.explanation}
    # 12 in three equal shares; the last operand's 4 goes half to c, half to the constant.
    assert theme.score == 12.0
    assert parts == {"a": 4.0, "b": 4.0, "c": 2.0}
    assert theme.constant == 2.0


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("reach * impakt", 9, "'impakt' is not a factor"),
        ("reach * (impact", 9, "not a valid formula"),
        ("reach +* impact", 8, "not a valid formula"),
        ("__import__('os').system('true')", 1, "is not allowed"),
        ("reach ** 2", 1, "is not allowed"),
        ("reach if impact else 1", 1, "is not allowed"),
        ("reach / impact", 9, "divides by 'impact', which can be 0"),
        ("reach / (effort - 1)", 7, "divides by a part that can be 0"),
        ("reach * True", 9, "only plain numbers"),
        ("reach * 1e999", 9, "too large"),
    ],
)
def test_bad_formulas_point_at_the_place(text: str, column: int, words: str) -> None:
    factors = [
        ScorecardFactor("reach", minimum=0),
        ScorecardFactor("impact", Scale.ZERO_TO_TEN),
        ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
    ]
    with pytest.raises(ValidationError) as e:
        Scorecard(factors, text + " + impact / effort + effort")
    assert any(
        m.startswith(f"$.formula: at column {column}: ") and words in m for m in messages(e)
    ), messages(e)


def test_dividing_by_a_positive_expression_is_allowed() -> None:
    factors = [
        ScorecardFactor("a", minimum=0),
        ScorecardFactor("e", positive=True, kind=FactorKind.COST),
    ]
    for text in ("a / (e + a)", "a / (e * e)", "a / (2 * e)", "a / (e + 1)", "a * (2 / e)"):
        Scorecard(factors, text)
    with pytest.raises(ValidationError, match="can be 0"):
        Scorecard(factors, "a / (e - e)")


@pytest.mark.parametrize(
    "text",
    [
        "e / a",
        "a + e",
        "a / -e",
        "a - -e",
        "a * (2 - 1 / e) * e",
        # a negative number written as such: -1 is the negation of 1, not a number below 0
        "a / e * -1",
        "-1 / e + a",
        "a - e * (0 - 1)",
        "a - -2 * e",
        "a - e / -(3)",
    ],
)
def test_a_cost_the_formula_rewards_is_refused(text: str) -> None:
    factors = [
        ScorecardFactor("a", minimum=1),
        ScorecardFactor("e", positive=True, kind=FactorKind.COST),
    ]
    with pytest.raises(ValidationError) as e:
        Scorecard(factors, text)
    assert any("'e' is a cost, but the formula rewards it" in m for m in messages(e))


@pytest.mark.parametrize(
    "text", ["a / e", "a - e", "a - (0 - 1) * -e", "a / e * 2", "-(e / a) * 2"]
)
def test_a_cost_the_formula_penalizes_is_accepted(text: str) -> None:
    factors = [
        ScorecardFactor("a", minimum=1),
        ScorecardFactor("e", positive=True, kind=FactorKind.COST),
    ]
    Scorecard(factors, text)


def test_every_factor_must_be_used_by_the_formula() -> None:
    with pytest.raises(ValidationError) as e:
        Scorecard([ScorecardFactor("a"), ScorecardFactor("b")], "a * 2")
    assert messages(e) == ["$.factors[1]: is not used by the formula"]


def test_a_result_that_overflows_names_the_step_and_the_theme() -> None:
    # Column 3 is the "*" whose product overflows.
    card = Scorecard([ScorecardFactor("a"), ScorecardFactor("b")], "a * b + 1")
    with pytest.raises(ValidationError) as e:
        card.score(EMPTY, {"big": {"a": 1e200, "b": 1e200}})
    assert messages(e) == [
        "$.formula: at column 3: makes the score of theme 'big' overflow a float "
        "(infinite or undefined): scale the estimates or weights down"
    ]


def test_parts_that_cancel_to_a_tiny_score_are_told_at_the_formula() -> None:
    # The parts 1e308 and -1e308 are finite, but their shares of a score of 1e-300 are not.
    card = Scorecard(
        [ScorecardFactor("a"), ScorecardFactor("b"), ScorecardFactor("c")], "a - b + c"
    )
    with pytest.raises(ValidationError) as e:
        card.score(EMPTY, {"t": {"a": 1e308, "b": 1e308, "c": 1e-300}})
    assert messages(e) == [
        "$.formula: makes the share of the score of theme 't' overflow a float "
        "(infinite or undefined): scale the estimates or weights down"
    ]


def test_a_score_that_rounds_a_part_away_is_told_at_the_formula() -> None:
    # Once "invalid RankedTheme: $.score: must equal the sum ...": d - d cancels in the
    # explanation, but 0.3 + 7e15 had already rounded 0.3 away from the score.
    factors = [ScorecardFactor("a"), ScorecardFactor("c", Scale.PERCENTAGE), ScorecardFactor("d")]
    card = Scorecard(factors, "a * c - d + d")
    with pytest.raises(ValidationError) as e:
        card.score(EMPTY, {"t": {"a": 3, "c": 10, "d": 7e15}})
    assert messages(e) == [
        "$.formula: makes the score of theme 't' lose parts to rounding: "
        "scale the estimates or weights down"
    ]
    # A smaller d rounds less: the parts add up to the score within the tolerance.
    assert math.isclose(card.score(EMPTY, {"t": {"a": 3, "c": 10, "d": 7e5}})[0].score, 0.3)


_FORMULAS = st.recursive(
    st.sampled_from(["a", "b", "d", "2", "0.5", "0"]),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from("+-*/"), inner).map(lambda t: f"({' '.join(t)})"),
        inner.map(lambda x: f"-{x}"),
    ),
    max_leaves=6,
)


@given(
    _FORMULAS,
    st.floats(-5, 5),
    st.floats(min_value=0, max_value=1e308, exclude_min=True),
    st.floats(1, 1e300),
)
def test_a_valid_card_and_estimates_rank_or_tell_the_input(
    text: str, a: float, b: float, d: float
) -> None:
    factors = [
        ScorecardFactor("a", minimum=-5, maximum=5),
        ScorecardFactor("b", positive=True),
        ScorecardFactor("d", minimum=1, weight=0.5),
    ]
    try:
        card = Scorecard(factors, f"{text} + a * 0 + b * 0 + d * 0")
    except ValidationError:  # a division by a part that can be 0
        return
    try:
        card.score(EMPTY, {"t": {"a": a, "b": b, "d": d}})
    except ValidationError as e:
        assert e.subject == "scorecard input", str(e)  # noqa: PT017


def test_a_weighted_combination_that_overflows_is_a_validation_error() -> None:
    # math.fsum raises OverflowError where a sum of finite values passes the largest float.
    with pytest.raises(ValidationError) as e:
        Scorecard([ScorecardFactor("a", weight=1e308), ScorecardFactor("b", weight=1e308)])
    assert messages(e) == [
        "$.factors: has weights that add up past the largest float: scale them down"
    ]
    costs = [ScorecardFactor(n, positive=True, kind=FactorKind.COST) for n in ("c", "d")]
    card = Scorecard([ScorecardFactor("a"), *costs])
    with pytest.raises(ValidationError) as e:
        card.score(EMPTY, {"big": {"a": 1, "c": 1.7e308, "d": 1.7e308}})
    assert messages(e) == [
        "$.factors: makes the score of theme 'big' overflow a float "
        "(infinite or undefined): scale the estimates or weights down"
    ]


@given(
    value=st.floats(0, 10),
    cost=st.floats(min_value=0, max_value=1e308, exclude_min=True),
    weight=st.floats(min_value=0, max_value=1e308, exclude_min=True),
)
def test_a_weighted_cost_above_0_scores_or_is_a_validation_error(
    value: float, cost: float, weight: float
) -> None:
    # Once a bare ZeroDivisionError: a cost of 5e-324 is above 0, but half of it is 0.0.
    factor = ScorecardFactor("c", positive=True, kind=FactorKind.COST, weight=weight)
    card = Scorecard([ScorecardFactor("a"), factor])
    try:
        result: float | ValidationError = card.score(EMPTY, {"t": {"a": value, "c": cost}})[0].score
    except ValidationError as e:
        result = e
    if isinstance(result, ValidationError):
        assert [p.message.split(":")[0] for p in result.problems] == [
            "makes the score of theme 't' overflow a float (infinite or undefined)"
        ]
    else:
        assert math.isfinite(result)


@given(st.text(st.characters(categories=("L", "N", "Pc", "Mn", "Mc")), min_size=1, max_size=8))
def test_every_factor_name_accepted_can_be_written_in_a_formula(name: str) -> None:
    try:
        factor = ScorecardFactor(name)
    except ValidationError:
        return
    assert Scorecard([factor], name).score(EMPTY, {"t": {name: 2}})[0].score == 2.0


def test_formula_positions_count_characters_not_bytes() -> None:
    factors = [ScorecardFactor("größe"), ScorecardFactor("x")]
    with pytest.raises(ValidationError) as e:
        Scorecard(factors, "  größe * y + x")
    assert messages(e) == ["$.formula: at column 11: 'y' is not a factor of the scorecard"]


def test_a_formula_too_long_a_chain_is_told_once() -> None:
    with pytest.raises(ValidationError) as e:
        Scorecard([ScorecardFactor("a")], " + ".join(["a"] * 150))
    assert messages(e) == [
        "$.formula: at column 1: nests more than 100 levels deep "
        "(a chain of more than 100 operators counts as nested)"
    ]
    Scorecard([ScorecardFactor("a")], " + ".join(["a"] * 100))


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_formula_positions_count_every_kind_of_line_end(line_end: str) -> None:
    # Python ends a line at a lone "\r" too; the column counts characters from the start.
    factors = [ScorecardFactor("größe"), ScorecardFactor("x")]
    text = f"(größe +{line_end}  y + x)"
    with pytest.raises(ValidationError) as e:
        Scorecard(factors, text)
    assert messages(e) == [
        f"$.formula: at column {text.index('y') + 1}: 'y' is not a factor of the scorecard"
    ]


# -- factor and scorecard checks --------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "2fast"}, "$.name: must be a name a formula can use"),
        ({"name": "score"}, "$.name: must be a name a formula can use"),
        ({"name": "lambda"}, "$.name: must be a name a formula can use"),
        ({"name": "\ufb01t"}, "$.name: must be a name a formula can use"),  # the ligature fi
        ({"name": "x", "weight": -1}, "$.weight: must be at least 0"),
        ({"name": "x", "weight": True}, "$.weight: must be a real number"),
        ({"name": "x", "scale": Scale.STARS, "maximum": 3}, "$.maximum: is only for"),
        ({"name": "x", "scale": Scale.STARS, "positive": True}, "$.positive: is only for"),
        ({"name": "x", "minimum": 5, "maximum": 1}, "$.maximum: must not be below the minimum"),
        # once taken: no value is above 0 and at most 0, so every estimate was refused
        ({"name": "x", "positive": True, "maximum": 0}, "$.maximum: must be above 0 when"),
        ({"name": "x", "positive": True, "minimum": 0, "maximum": 0}, "$.maximum: must be above"),
        ({"name": "x", "segment": "vip"}, "$.segment: is only for"),
        ({"name": "x", "evidence": Evidence.SEGMENT_VOICES}, "$.segment: is required"),
        ({"name": "x", "scale": Scale.STARS, "evidence": Evidence.REVENUE}, "$.scale: must be"),
        ({"name": "x", "scale": Scale.PERCENTAGE, "kind": FactorKind.COST}, "$.kind: must be"),
        ({"name": "x", "scale": Scale.FIBONACCI, "default": 4}, "$.default: must be a Fibonacci"),
        # never used: evidence gives every theme a value, so the default would be lost
        ({"name": "x", "evidence": Evidence.CUSTOMER_COUNT, "default": 3}, "$.default: is only"),
        ({"name": "x", "scale": "Stars"}, "$.scale: must be a Scale or one of its values"),
    ],
)
def test_bad_factors(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError) as e:
        ScorecardFactor(**kwargs)
    assert any(m.startswith(message) for m in messages(e)), messages(e)


def test_a_weighted_scorecard_needs_a_benefit_and_costs_that_cannot_be_zero() -> None:
    effort = ScorecardFactor("effort", Scale.ZERO_TO_TEN, kind=FactorKind.COST)
    with pytest.raises(ValidationError) as e:
        Scorecard([effort])
    assert messages(e)[0].startswith("$.factors: needs a benefit")
    with pytest.raises(ValidationError) as e:
        Scorecard([ScorecardFactor("value"), effort])
    assert messages(e)[0].startswith("$.factors[1].scale: must not allow 0 for a cost")
    with pytest.raises(ValidationError) as e:
        Scorecard([ScorecardFactor("value"), ScorecardFactor("p", Scale.PERCENTAGE, weight=2)])
    assert messages(e)[0].startswith("$.factors[1].weight: must be 1 for a percentage")
    with pytest.raises(ValidationError, match="named more than once"):
        Scorecard([ScorecardFactor("value"), ScorecardFactor("value")])


# -- estimates -------------------------------------------------------------------------


def test_bad_estimates_get_paths_and_never_their_values() -> None:
    card = Scorecard.rice()
    with pytest.raises(ValidationError) as e:
        card.score(
            EMPTY,
            {
                "a": {"impact": 12345.678, "confidence": 1.5, "effort": 0, "reech": 1},
                "b": ["impact"],  # type: ignore[dict-item]
                "c": {"impact": True, "confidence": 0.5, "effort": 1},
            },
        )
    found = messages(e)
    text = "\n".join(found)
    assert "12345" not in text
    assert "$.estimates.a.confidence: must be at most 1" in found
    assert "$.estimates.a.effort: must be greater than 0" in found
    assert "$.estimates.a: keys must be factors of the scorecard (reach, impact, " in text
    assert any(m.startswith("$.estimates.b: must be a mapping") for m in found)
    assert any(m.startswith("$.estimates.c.impact: must be a real number") for m in found)


@pytest.mark.parametrize("key", [" maria@example.com", "maria\n", "\ud800", ""])
def test_an_estimates_key_that_fails_its_check_is_never_quoted(key: str) -> None:
    # Once quoted in the path ($.estimates[" maria@example.com"], $.estimates.a["maria"]):
    # a key a user typed may be anything.
    card = Scorecard.value_effort()
    for estimates in ({key: {"value": 1, "effort": "x"}}, {"a": {key: 1, "effort": 1}}):
        with pytest.raises(ValidationError) as e:
            card.score(EMPTY, estimates)  # type: ignore[arg-type]
        assert not any(key and key in p.location for p in e.value.problems)
        assert "maria" not in str(e.value)
    with pytest.raises(ValidationError) as e:
        card.score(EMPTY, {key: {"value": 1, "effort": 1}})
    assert messages(e) == [
        "$.estimates: keys must be themes: not blank, without white space at either end, "
        "valid Unicode text"
    ]


def test_a_manual_factor_without_a_value_or_default_is_named() -> None:
    with pytest.raises(ValidationError) as e:
        Scorecard.wsjf().score(EMPTY, {"a": {"business_value": 1, "time_criticality": 1,
                                             "risk_reduction": 1}})  # fmt: skip
    assert messages(e) == [
        "$.estimates: has no 'job_size' for theme(s) 'a' (and it has no default)"
    ]


def test_defaults_fill_what_the_estimates_leave_out() -> None:
    card = Scorecard([ScorecardFactor("value", Scale.ZERO_TO_TEN, default=5)])
    ranking = card.score(EMPTY, {"a": {}, "b": {"value": 6}})
    assert [(t.theme, t.score) for t in ranking] == [("b", 36.0), ("a", 25.0)]


# -- evidence ----------------------------------------------------------------------------


def _demo_backlog(policy: PrioritizationPolicy | None = None) -> tuple[Any, Backlog]:
    dataset = demo_dataset()
    policy = policy or PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    return dataset, prioritize(dataset.feedback, dataset.customers, policy=policy, as_of=AS_OF)


def test_evidence_factors_read_the_backlog() -> None:
    _, backlog = _demo_backlog()
    factors = [
        ScorecardFactor("importance", evidence=Evidence.CUSTOMER_IMPORTANCE),
        ScorecardFactor("customers", evidence=Evidence.CUSTOMER_COUNT),
        ScorecardFactor("revenue", evidence=Evidence.REVENUE),
        ScorecardFactor("buyers", evidence=Evidence.PURCHASER_VOICES),
        ScorecardFactor("users", evidence=Evidence.USER_VOICES),
    ]
    ranking = Scorecard(factors).score(backlog)
    assert set(ranking.themes) == set(backlog.themes)
    for theme in ranking:
        source = backlog.get(theme.theme)
        assert source is not None
        raw = {p.factor: p.raw for p in theme.explanation}
        assert raw["importance"] == source.score
        assert raw["customers"] == source.customer_count
        assert raw["buyers"] == source.purchaser_voices
        assert raw["users"] == source.user_voices
        rates = {"EUR": 1.0, "BRL": 0.17}
        expected = math.fsum(float(v) * rates[c] for c, v in source.revenue.items())
        assert raw["revenue"] == expected


def test_an_estimate_takes_precedence_over_the_evidence() -> None:
    _, backlog = _demo_backlog()
    theme = backlog[0].theme
    card = Scorecard([ScorecardFactor("customers", evidence=Evidence.CUSTOMER_COUNT)])
    ranking = card.score(backlog, {theme: {"customers": 1000}})
    assert ranking[0].theme == theme
    assert ranking[0].explanation[0].raw == 1000.0


def test_a_theme_only_in_the_estimates_has_no_evidence() -> None:
    backlog = Backlog((item("a", 1, customer_count=3),), AS_OF, PrioritizationPolicy())
    ranking = Scorecard.rice().score(
        backlog,
        {
            "a": {"impact": 1, "confidence": 1, "effort": 1},
            "new": {"impact": 3, "confidence": 1, "effort": 1},
        },
    )
    assert [(t.theme, t.score) for t in ranking] == [("a", 3.0), ("new", 0.0)]


@pytest.mark.parametrize("formula", [None, "impact / customers"])
def test_evidence_outside_its_factors_range_is_told_not_divided_by(formula: str | None) -> None:
    # The zero check trusts the range minimum=1; a theme with no evidence has 0 customers.
    backlog = Backlog((item("a", 1, customer_count=2),), AS_OF, PrioritizationPolicy())
    card = Scorecard(
        [
            ScorecardFactor("impact", Scale.ZERO_TO_TEN),
            ScorecardFactor(
                "customers", minimum=1, evidence=Evidence.CUSTOMER_COUNT, kind=FactorKind.COST
            ),
        ],
        formula,
    )
    with pytest.raises(ValidationError) as e:
        card.score(backlog, {"a": {"impact": 5}, "new": {"impact": 3}})
    assert messages(e) == [
        "$.factors[1].evidence: gives theme(s) 'new' a value that must be at least 1: "
        "estimate the factor for them or widen its range"
    ]
    ranked = card.score(backlog, {"a": {"impact": 5}, "new": {"impact": 3, "customers": 1}})
    assert [t.score for t in ranked] == [12.5, 9.0]  # 5² / 2 customers, 3² / 1


def test_evidence_above_a_factors_maximum_is_refused() -> None:
    backlog = Backlog((item("a", 1, customer_count=2),), AS_OF, PrioritizationPolicy())
    card = Scorecard([ScorecardFactor("reach", maximum=1, evidence=Evidence.CUSTOMER_COUNT)])
    with pytest.raises(ValidationError) as e:
        card.score(backlog)
    assert [p.path for p in e.value.problems] == [("factors", 0, "evidence")]


def test_revenue_in_two_currencies_needs_a_policy_currency() -> None:
    backlog = Backlog(
        (
            item("a", 1, revenue={"EUR": Decimal(10)}),
            item("b", 2, revenue={"USD": Decimal(10)}),
        ),
        AS_OF,
        PrioritizationPolicy(),
    )
    card = Scorecard([ScorecardFactor("revenue", Scale.RELATIVE, evidence=Evidence.REVENUE)])
    with pytest.raises(ValidationError) as e:
        card.score(backlog)
    assert messages(e) == [
        "$.backlog.policy.currency: is needed to weigh revenue in 'EUR', 'USD' together"
    ]
    backlog = attrs.evolve(backlog, policy=PrioritizationPolicy(currency="EUR"))
    with pytest.raises(ValidationError) as e:
        card.score(backlog)
    assert messages(e) == ["$.backlog.policy.exchange_rates: has no rate from 'USD' to EUR"]
    rated = PrioritizationPolicy(currency="EUR", exchange_rates={"USD": 0.5})
    ranking = card.score(attrs.evolve(backlog, policy=rated))
    assert [(t.theme, t.explanation[0].raw) for t in ranking] == [("a", 10.0), ("b", 5.0)]


def test_segment_voices_count_the_voices_of_the_segments_customers() -> None:
    from customer_model import CustomerKind, Segment, field

    dataset, backlog = _demo_backlog()
    business = Segment(
        id="business", name="Businesses", rule=field("kind") == CustomerKind.ORGANIZATION
    )
    card = Scorecard([ScorecardFactor("b2b", evidence=Evidence.SEGMENT_VOICES, segment="business")])
    ranking = card.score(
        backlog, feedback=dataset.feedback, customers=dataset.customers, segments=[business]
    )
    customers = {c.id: c for c in dataset.customers}
    for theme in ranking:
        items = [f for f in dataset.feedback if f.theme == theme.theme]
        latest: dict[str, Any] = {}
        anonymous = 0
        for f in sorted(items, key=lambda f: (f.created_at, f.id)):
            if f.author_id is None:
                anonymous += business.matches(customers[f.customer_id], as_of=AS_OF)
            else:
                latest[f.author_id] = f
        named = sum(
            business.matches(customers[f.customer_id], as_of=AS_OF) for f in latest.values()
        )
        assert theme.explanation[0].raw == named + anonymous
    assert any(t.explanation[0].raw > 0 for t in ranking)
    with pytest.raises(ValidationError) as e:
        card.score(backlog, feedback=dataset.feedback, customers=dataset.customers)
    assert messages(e)[0].startswith("$.segments: must include the segment(s) 'business'")


def test_segment_voices_refuse_feedback_that_repeats_an_id() -> None:
    # The last item with an id once won: the count hung on the order of the feedback.
    from customer_model import CustomerKind, Segment, field

    dataset, backlog = _demo_backlog()
    business = Segment(
        id="business", name="Businesses", rule=field("kind") == CustomerKind.ORGANIZATION
    )
    card = Scorecard([ScorecardFactor("b2b", evidence=Evidence.SEGMENT_VOICES, segment="business")])
    first = dataset.feedback[0]  # from a household
    twin = attrs.evolve(dataset.feedback[2], id=first.id)  # same theme, from an organization
    for feedback in ([*dataset.feedback, twin], [twin, *dataset.feedback]):
        with pytest.raises(ValidationError) as e:
            card.score(backlog, feedback=feedback, customers=dataset.customers, segments=[business])
        assert messages(e) == [f"$.feedback: repeats the id(s) {first.id!r}"]


def test_a_segment_the_voices_cannot_be_counted_by_is_told_at_the_segment() -> None:
    from customer_model import Segment, field

    dataset, backlog = _demo_backlog()
    champions = Segment(id="champions", name="Champions", rule=field("rfm_recency") >= 4)
    card = Scorecard([ScorecardFactor("c", evidence=Evidence.SEGMENT_VOICES, segment="champions")])
    with pytest.raises(ValidationError) as e:
        card.score(
            backlog,
            feedback=dataset.feedback,
            customers=dataset.customers,
            segments=[champions],
        )
    assert [p.path for p in e.value.problems] == [("segments", 0, "rfm")]


# -- presets equal the framework functions -----------------------------------------------

_nonneg = st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False, allow_infinity=False))
_positive = st.floats(1e-3, 1e6)
_rating = st.one_of(st.integers(1, 10), st.floats(1, 10))


@given(_nonneg, _nonneg, st.floats(0, 1), _positive)
def test_rice_preset_equals_rice(
    reach: float, impact: float, confidence: float, effort: float
) -> None:
    values = {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}
    assert Scorecard.rice().score(EMPTY, {"t": values})[0].score == rice(**values)


@given(_rating, _rating, _rating, st.sampled_from(["product", "mean"]))
def test_ice_preset_equals_ice(impact: float, confidence: float, ease: float, method: Any) -> None:
    values = {"impact": impact, "confidence": confidence, "ease": ease}
    card = Scorecard.ice(method=method)
    assert card.score(EMPTY, {"t": values})[0].score == ice(**values, method=method)


@given(_nonneg, _nonneg, _nonneg, _positive)
def test_wsjf_preset_equals_wsjf(bv: float, tc: float, rr: float, size: float) -> None:
    values = {"business_value": bv, "time_criticality": tc, "risk_reduction": rr, "job_size": size}
    assert Scorecard.wsjf().score(EMPTY, {"t": values})[0].score == wsjf(**values)


@given(st.floats(0, 10), st.floats(1e-3, 1e3))
def test_value_effort_preset_is_value_over_effort(value: float, effort: float) -> None:
    card = Scorecard.value_effort()
    assert card.score(EMPTY, {"t": {"value": value, "effort": effort}})[0].score == value / effort


def test_rice_preset_reaches_the_customers_by_default() -> None:
    backlog = Backlog((item("a", 1, customer_count=40),), AS_OF, PrioritizationPolicy())
    ranking = Scorecard.rice().score(backlog, {"a": {"impact": 2, "confidence": 0.5, "effort": 4}})
    assert ranking[0].score == rice(40, 2, 0.5, 4)


def test_ice_preset_needs_a_method() -> None:
    with pytest.raises(ValidationError, match=r"\$\.method: must be 'product' or 'mean'"):
        Scorecard.ice(method="sum")  # type: ignore[arg-type]


# -- properties ----------------------------------------------------------------------------

_SCALE_VALUES: dict[Scale, st.SearchStrategy[Any]] = {
    Scale.ZERO_TO_TEN: st.integers(0, 10),
    Scale.ZERO_TO_HUNDRED: st.integers(0, 100),
    Scale.FIBONACCI: st.sampled_from([0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]),
    Scale.STARS: st.integers(0, 5),
    Scale.CHECKBOX: st.sampled_from([0, 1]),
    Scale.RELATIVE: st.integers(0, 1000),
    Scale.NUMBER: st.integers(-1000, 1000),
}
_themes = st.lists(st.text("abcdefgh", min_size=1, max_size=3), min_size=1, max_size=8, unique=True)


@given(st.sampled_from(sorted(_SCALE_VALUES, key=lambda s: s.value)), st.data())
def test_a_one_factor_scorecard_ranks_like_its_factor(scale: Scale, data: st.DataObject) -> None:
    themes = data.draw(_themes)
    values = {t: data.draw(_SCALE_VALUES[scale]) for t in themes}
    weight = data.draw(st.integers(1, 5))
    ranking = one(scale, weight=weight).score(EMPTY, {t: {"x": v} for t, v in values.items()})
    assert ranking.themes == tuple(sorted(themes, key=lambda t: (-values[t], t)))


@st.composite
def _benefit_cards(draw: st.DrawFn) -> tuple[Scorecard, dict[str, dict[str, int]]]:
    scales = draw(st.lists(st.sampled_from(sorted(_SCALE_VALUES, key=lambda s: s.value)),
                           min_size=1, max_size=4))  # fmt: skip
    factors = [
        ScorecardFactor(f"f{i}", scale, weight=draw(st.integers(1, 8)))
        for i, scale in enumerate(scales)
    ]
    themes = draw(_themes)
    estimates = {t: {f.name: draw(_SCALE_VALUES[f.scale]) for f in factors} for t in themes}
    return Scorecard(factors), estimates


@given(_benefit_cards(), st.data())
def test_doubling_a_benefits_weight_never_lowers_a_theme_that_leads_on_it(
    case: tuple[Scorecard, dict[str, dict[str, int]]], data: st.DataObject
) -> None:
    card, estimates = case
    i = data.draw(st.integers(0, len(card.factors) - 1))
    factor = card.factors[i]
    before = card.score(EMPTY, estimates)
    doubled = Scorecard(
        [*card.factors[:i], attrs.evolve(factor, weight=factor.weight * 2), *card.factors[i + 1 :]]
    ).score(EMPTY, estimates)
    top = max(t.explanation[i].normalized for t in before)
    for theme in before:
        if theme.explanation[i].normalized == top:
            after = doubled.get(theme.theme)
            assert after is not None
            assert after.rank <= theme.rank


_formulas = st.sampled_from(
    [
        "f0",
        "f0 + 2 * f1",
        "(f0 + f1) * f2 - 3",
        "f0 * f1 * f2 / (f3 + 1)",
        "-f0 + f1 / (1 + f2 * f2 + f3)",
        "(f0 - f1) * (f2 + f3) + 10",
    ]
)


@given(_formulas, st.data())
def test_the_parts_add_up_to_the_score(text: str, data: st.DataObject) -> None:
    used = sorted({n for n in ("f0", "f1", "f2", "f3") if n in text})
    factors = [
        ScorecardFactor(n, Scale.ZERO_TO_HUNDRED, weight=data.draw(st.integers(1, 4))) for n in used
    ]
    card = Scorecard(factors, text)
    themes = data.draw(_themes)
    values = st.floats(0, 100)
    estimates = {t: {n: data.draw(values) for n in used} for t in themes}
    for theme in card.score(EMPTY, estimates):
        total = math.fsum([*(p.value for p in theme.explanation), theme.constant])
        scale = max(
            [abs(theme.score), *(abs(p.value) for p in theme.explanation), abs(theme.constant)]
        )
        assert abs(total - theme.score) <= 1e-9 * scale + 1e-300


# -- round trips, records and display -----------------------------------------------------


@pytest.mark.parametrize(
    "card",
    [
        Scorecard.rice(),
        Scorecard.ice(method="mean"),
        Scorecard.wsjf(),
        Scorecard.value_effort(),
        Scorecard(
            [
                ScorecardFactor(
                    "votes", Scale.RELATIVE, evidence=Evidence.SEGMENT_VOICES, segment="vip"
                ),
                ScorecardFactor("sure", Scale.PERCENTAGE),
                ScorecardFactor("size", Scale.FIBONACCI, default=3, kind=FactorKind.BENEFIT),
                ScorecardFactor("effort", minimum=0.5, maximum=20, kind=FactorKind.COST),
            ],
            name="ours",
        ),
    ],
)
def test_scorecards_round_trip_through_json(card: Scorecard) -> None:
    assert from_json(to_json(card), Scorecard) == card


@given(
    st.sampled_from(Scale),
    st.one_of(st.booleans(), st.integers(-300, 300), st.floats(-300, 300)),
)
def test_every_default_a_factor_accepts_round_trips_through_json(
    scale: Scale, default: float
) -> None:
    # A checkbox once took default=True, which JSON writes as true and no
    # float field reads back.
    try:
        factor = ScorecardFactor("x", scale, default=default)
    except ValidationError:
        return
    assert from_json(to_json(factor), ScorecardFactor) == factor


def test_a_bad_scorecard_in_json_names_the_place() -> None:
    text = '{"factors": [{"name": "reach"}], "formula": "reach / reach"}'
    with pytest.raises(ValidationError) as e:
        from_json(text, Scorecard)
    assert messages(e)[0].startswith("$.formula: at column 9: divides by 'reach'")


def _ranking() -> ScorecardRanking:
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


def test_the_ranking_round_trips_and_checks_itself() -> None:
    ranking = _ranking()
    assert from_json(to_json(ranking), ScorecardRanking) == ranking
    part = ranking[0].explanation[0]
    with pytest.raises(ValidationError, match="must equal the sum"):
        RankedTheme(theme="t", rank=1, score=99.0, explanation=(part,))
    with pytest.raises(ValidationError, match="must explain each factor"):
        ScorecardRanking(items=ranking.items, factors=("value",), as_of=AS_OF)
    swapped = [attrs.evolve(ranking[1], rank=1), attrs.evolve(ranking[0], rank=2)]
    with pytest.raises(ValidationError) as info:  # a stored ranking keeps its scores' order
        attrs.evolve(ranking, items=swapped)
    assert info.value.paths == ["$.items[1].score"]
    with pytest.raises(ValidationError, match="must be the value over the score"):
        RankedTheme(
            theme="t",
            rank=1,
            score=32.0,
            explanation=(
                FactorPart(factor="v", raw=8, normalized=64, weight=1, value=32, share=0.5),
            ),
        )


@given(st.text(st.sampled_from(["v", " ", "\ud800", "\udfff", "é"]), max_size=3))
def test_a_factor_part_takes_the_same_names_on_its_quick_and_careful_paths(name: str) -> None:
    """Floats take the quick path, ints the careful one: they agree on every name."""

    def verdict(number: float) -> str:
        try:
            FactorPart(
                factor=name, raw=number, normalized=number, weight=1.0, value=number, share=None
            )
        except ValidationError as e:
            return ", ".join(p.message for p in e.problems)
        return "accepted"

    assert verdict(1.0) == verdict(1)
    if "\ud800" in name or "\udfff" in name:  # a lone surrogate, which JSON cannot write
        assert verdict(1.0) != "accepted"


def test_records_add_up_per_theme() -> None:
    ranking = _ranking()
    records = ranking.to_records()
    assert [r["theme"] for r in records] == ["<b>x</b>", "y"]
    assert records[0] == {
        "rank": 1,
        "theme": "<b>x</b>",
        "score": 33.0,
        "value": 8.0,
        "effort": 2.0,
    }
    parts = ranking.explanation_records()
    for theme in ranking:
        values = [r["value"] for r in parts if r["theme"] == theme.theme]
        assert math.fsum(values) == theme.score
    assert {r["factor"] for r in parts} == {"value", "effort", None}


def test_text_and_html_show_the_explanation_and_escape_themes() -> None:
    ranking = _ranking()
    text = str(ranking)
    assert text.splitlines()[0].split() == ["rank", "theme", "score", "value", "effort"]
    assert "33.00" in text
    assert "(constant)" in str(ranking[0])
    page = ranking._repr_html_() + ranking[0]._repr_html_()
    assert "<b>x</b>" not in page
    assert html.escape("<b>x</b>") in page


# -- generated scorecards: round trips and robustness ---------------------------------

_SEGMENT = "vip"


def _valid_value(scale: Scale) -> st.SearchStrategy[Any]:
    return _SCALE_VALUES.get(scale, st.integers(0, 100))


@st.composite
def _factors(draw: st.DrawFn, name: str) -> ScorecardFactor:
    scale = draw(st.sampled_from(list(Scale)))
    options: dict[str, Any] = {}
    if scale is not Scale.PERCENTAGE:
        options["weight"] = draw(st.integers(0, 9) | st.floats(0, 9))
    if scale in (Scale.RELATIVE, Scale.NUMBER):
        evidence = draw(st.none() | st.sampled_from(list(Evidence)))
        if evidence is not None:
            options["evidence"] = evidence
        if evidence is Evidence.SEGMENT_VOICES:
            options["segment"] = _SEGMENT
    if scale is Scale.NUMBER:
        low = draw(st.none() | st.floats(-1e6, 1e6))
        options["minimum"] = low
        options["maximum"] = draw(st.none() | st.floats(low if low is not None else -1e6, 2e6))
        options["positive"] = draw(st.booleans())
        if options["positive"] and options["maximum"] is not None and options["maximum"] <= 0:
            options["maximum"] = None
        # A cost's weight x value must not underflow to 0 (a weight of 5e-324 would): >= 1.
        if options["positive"] and options.get("weight", 1) >= 1 and draw(st.booleans()):
            options["kind"] = FactorKind.COST
    elif scale is not Scale.PERCENTAGE and "evidence" not in options and draw(st.booleans()):
        options["default"] = draw(_valid_value(scale))
    return ScorecardFactor(name, scale, **options)


@st.composite
def _scorecards(draw: st.DrawFn) -> Scorecard:
    lead = ScorecardFactor("f0", Scale.ZERO_TO_HUNDRED, weight=draw(st.integers(1, 5)))
    rest = [draw(_factors(f"f{i}")) for i in range(1, draw(st.integers(1, 4)))]
    name = draw(st.none() | st.sampled_from(["ours", "Q3 roadmap"]))
    return Scorecard([lead, *rest], name=name)


@given(_scorecards())
def test_generated_scorecards_round_trip_through_json(card: Scorecard) -> None:
    assert from_json(to_json(card), Scorecard) == card


@given(_benefit_cards())
def test_rankings_round_trip_through_json(
    case: tuple[Scorecard, dict[str, dict[str, int]]],
) -> None:
    card, estimates = case
    ranking = card.score(EMPTY, estimates)
    assert from_json(to_json(ranking), ScorecardRanking) == ranking


@given(st.text("ab+-*/() 0123.e_x", max_size=30) | st.text(max_size=30))
def test_any_formula_text_is_a_scorecard_or_a_located_validation_error(text: str) -> None:
    factors = [ScorecardFactor("a", minimum=0), ScorecardFactor("b", positive=True)]
    problems: tuple[Any, ...] = ()
    try:
        card = Scorecard(factors, text)
    except ValidationError as e:
        problems = e.problems
    else:
        card.score(EMPTY, {"t": {"a": 1, "b": 2}})
    assert all(p.path[0] in ("formula", "factors") for p in problems)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Scorecard("reach"),  # type: ignore[arg-type]
        lambda: Scorecard([1]),  # type: ignore[list-item]
        lambda: Scorecard([]),
        lambda: Scorecard([ScorecardFactor("a")], 5),  # type: ignore[arg-type]
        lambda: Scorecard([ScorecardFactor("a")], "   "),
        lambda: Scorecard([ScorecardFactor("a")], "a" * 2000),
        lambda: Scorecard([ScorecardFactor("a")], "(" * 500 + "a" + ")" * 500),
        lambda: Scorecard([ScorecardFactor("a")], " + ".join(["a"] * 300)),
        lambda: ScorecardFactor(None),  # type: ignore[arg-type]
        lambda: ScorecardFactor("a", minimum=math.nan),
        lambda: Scorecard.rice().score("backlog"),  # type: ignore[arg-type]
        lambda: Scorecard.rice().score(EMPTY, [("t", {})]),  # type: ignore[arg-type]
        lambda: Scorecard.rice().score(EMPTY, {1: {"impact": 1}}),  # type: ignore[dict-item]
        lambda: Scorecard.rice().score(EMPTY, {"t": {2: 1}}),  # type: ignore[dict-item]
        lambda: Scorecard.rice().score(EMPTY, {"t": {"impact": math.inf}}),
        lambda: Scorecard.rice().score(EMPTY, {"t": {"impact": "3"}}),  # type: ignore[dict-item]
        lambda: Scorecard.rice().score(EMPTY, {" t": {"impact": 1}}),
    ],
)
def test_bad_input_is_a_validation_error_and_nothing_else(call: Any) -> None:
    with pytest.raises(ValidationError):
        call()


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"feedback": "f-1"}, "$.feedback"),
        ({"feedback": [None]}, "$.feedback[0]"),
        ({"customers": 3}, "$.customers"),
        ({"customers": ["c-1"]}, "$.customers[0]"),
        ({"segments": "s-1"}, "$.segments"),
        ({"segments": [object()]}, "$.segments[0]"),
    ],
)
def test_context_is_checked_even_where_no_factor_counts_segment_voices(
    arguments: dict[str, Any], path: str
) -> None:
    # Once looked at only for a segment's voices: anything else passed silently.
    with pytest.raises(ValidationError) as info:
        Scorecard.rice().score(
            EMPTY, {"t": {"impact": 1, "confidence": 1, "effort": 1}}, **arguments
        )
    assert info.value.paths == [path]


def test_explanation_records_add_up_in_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    _, backlog = _demo_backlog()
    card = Scorecard(
        [
            ScorecardFactor("importance", Scale.RELATIVE, evidence=Evidence.CUSTOMER_IMPORTANCE),
            ScorecardFactor("impact", Scale.ZERO_TO_TEN, default=5),
            ScorecardFactor("effort", positive=True, kind=FactorKind.COST, default=2),
        ],
        "importance * impact / effort + 1",
    )
    ranking = card.score(backlog, {"sso": {"impact": 9}})
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE parts (rank BIGINT, theme VARCHAR, factor VARCHAR, raw DOUBLE, "
        "normalized DOUBLE, weight DOUBLE, value DOUBLE, share DOUBLE)"
    )
    columns = ["rank", "theme", "factor", "raw", "normalized", "weight", "value", "share"]
    con.executemany(
        "INSERT INTO parts VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [[r[c] for c in columns] for r in ranking.explanation_records()],
    )
    sums = dict(con.execute("SELECT theme, sum(value) FROM parts GROUP BY theme").fetchall())
    con.close()
    assert sums.keys() == set(ranking.themes)
    for theme in ranking:
        assert sums[theme.theme] == pytest.approx(theme.score, rel=1e-12)


_leaves = st.sampled_from(["a", "e", "1", "2", "0.5", "3"])
_expressions = st.recursive(
    _leaves,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        inner.map(lambda t: f"-{t}"),
    ),
    max_leaves=8,
)


@given(_expressions, st.lists(st.tuples(st.integers(0, 10), st.floats(1e-3, 100)), min_size=1))
def test_a_formula_that_passes_the_zero_check_never_divides_by_zero(
    text: str, values: list[tuple[int, float]]
) -> None:
    # a is rated 0-10 (0 to 100 once squared), e is any number above 0: every
    # division the scorecard accepts must then have a divisor other than 0.
    factors = [ScorecardFactor("a", Scale.ZERO_TO_TEN), ScorecardFactor("e", positive=True)]
    try:
        card = Scorecard(factors, f"{text} + 0 * (a + e)")
    except ValidationError:
        return  # refused, with its place (the previous test checks the paths)
    estimates = {f"t{i}": {"a": a, "e": e} for i, (a, e) in enumerate(values)}
    ranking = card.score(EMPTY, estimates)
    assert len(ranking) == len(values)


def _canny(scale: Scale, value: float) -> float:
    """Canny's published normalization, written out on its own."""
    formulas: dict[Scale, Callable[[float], float]] = {
        Scale.ZERO_TO_TEN: lambda v: v**2,
        Scale.ZERO_TO_HUNDRED: lambda v: v,
        Scale.FIBONACCI: lambda v: v / 233 * 100,
        Scale.STARS: lambda v: (v * 2) ** 2,
        Scale.CHECKBOX: lambda v: 100 if v else 0,
        Scale.NUMBER: lambda v: v,
    }
    return formulas[scale](value)


@given(st.sampled_from([s for s in _SCALE_VALUES if s is not Scale.RELATIVE]), st.data())
def test_every_value_of_a_scale_normalizes_as_published(scale: Scale, data: st.DataObject) -> None:
    value = data.draw(_SCALE_VALUES[scale] | st.floats(0, 10) if scale is Scale.ZERO_TO_TEN
                      else _SCALE_VALUES[scale])  # fmt: skip
    part = one(scale).score(EMPTY, {"t": {"x": value}})[0].explanation[0]
    assert part.normalized == pytest.approx(_canny(scale, value), rel=1e-15, abs=1e-300)


@given(_benefit_cards(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_the_estimates(
    case: tuple[Scorecard, dict[str, dict[str, int]]], random: Any
) -> None:
    card, estimates = case
    themes = list(estimates)
    random.shuffle(themes)
    shuffled = {t: dict(reversed(list(estimates[t].items()))) for t in themes}
    assert card.score(EMPTY, shuffled) == card.score(EMPTY, estimates)


@given(st.data())
def test_the_rice_preset_ranks_a_backlog_as_rerank_does(data: st.DataObject) -> None:
    from customer_model.frameworks import RiceEstimate

    _, backlog = _demo_backlog()
    estimates = {
        theme: {
            "impact": data.draw(st.sampled_from([0.25, 0.5, 1, 2, 3])),
            "confidence": data.draw(st.sampled_from([0.5, 0.8, 1.0])),
            "effort": data.draw(st.sampled_from([0.5, 1, 2, 4])),
        }
        for theme in backlog.themes
    }
    reranked = backlog.rerank("rice", {t: RiceEstimate(**e) for t, e in estimates.items()})
    ranking = Scorecard.rice().score(backlog, estimates)
    assert ranking.themes == reranked.themes
    assert [t.score for t in ranking] == [i.framework_score for i in reranked]
