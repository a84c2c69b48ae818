"""Tests for the prioritization frameworks: published examples and invariants."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import ValidationError
from customer_model.frameworks import (
    KANO_PRIORITY,
    IceEstimate,
    KanoAnswer,
    KanoCategory,
    KanoCategoryValue,
    KanoCoefficients,
    KanoResult,
    MoSCoW,
    RiceConfidence,
    RiceEstimate,
    RiceImpact,
    WsjfEstimate,
    cost_of_delay,
    ice,
    kano_category,
    kano_classify,
    kano_coefficients,
    opportunity_score,
    rice,
    wsjf,
)

A, O, M, I, R, Q = (  # noqa: E741  (the letters of the Kano literature)
    KanoCategory.ATTRACTIVE,
    KanoCategory.ONE_DIMENSIONAL,
    KanoCategory.MUST_BE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)
LIKE, EXPECT, NEUTRAL, TOLERATE, DISLIKE = (
    KanoAnswer.LIKE,
    KanoAnswer.EXPECT,
    KanoAnswer.NEUTRAL,
    KanoAnswer.TOLERATE,
    KanoAnswer.DISLIKE,
)


def first_path(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str | int, ...]:
    return exc.value.problems[0].path


bad_numbers = [
    pytest.param(True, id="bool"),
    pytest.param(math.nan, id="nan"),
    pytest.param(math.inf, id="inf"),
    pytest.param(-math.inf, id="-inf"),
    pytest.param("3", id="str"),
    pytest.param(None, id="none"),
]

fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
non_negative = st.floats(min_value=0, max_value=1e6, allow_nan=False)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False)
rating = st.floats(min_value=1, max_value=10, allow_nan=False)
ten = st.floats(min_value=0, max_value=10, allow_nan=False)


# -- RICE ---------------------------------------------------------------------------


class TestRice:
    def test_intercom_scale_values(self) -> None:
        assert [i.value for i in RiceImpact] == [3.0, 2.0, 1.0, 0.5, 0.25]
        assert [c.value for c in RiceConfidence] == [1.0, 0.8, 0.5]

    def test_intercom_style_examples(self) -> None:
        # 500 customers a month reach the step: 1,500 a quarter; medium impact,
        # 80% confidence, two person-months of work.
        assert rice(1500, RiceImpact.MEDIUM, RiceConfidence.MEDIUM, 2) == 600.0
        # A massive, certain change reaching 200 people for half a person-month
        # (Intercom's smallest effort unit).
        assert rice(200, RiceImpact.MASSIVE, RiceConfidence.HIGH, 0.5) == 1200.0
        # Low confidence halves the score.
        assert rice(1000, RiceImpact.LOW, RiceConfidence.LOW, 1) == 250.0

    def test_plain_numbers_equal_enum_members(self) -> None:
        assert rice(500, 2, 0.8, 2) == rice(500, RiceImpact.HIGH, RiceConfidence.MEDIUM, 2)
        assert rice(500, 2, 0.8, 2) == pytest.approx(400.0)

    def test_zero_reach_scores_zero(self) -> None:
        assert rice(0, 3, 1, 1) == 0.0

    @pytest.mark.parametrize("effort", [0, -1, 0.0])
    def test_effort_must_be_positive(self, effort: float) -> None:
        with pytest.raises(ValidationError) as exc:
            rice(100, 1, 1, effort)
        assert first_path(exc) == ("effort",)

    @pytest.mark.parametrize("confidence", [1.01, -0.1, 80])
    def test_confidence_is_a_fraction(self, confidence: float) -> None:
        with pytest.raises(ValidationError) as exc:
            rice(100, 1, confidence, 1)
        assert first_path(exc) == ("confidence",)

    @pytest.mark.parametrize("bad", bad_numbers)
    @pytest.mark.parametrize("position", ["reach", "impact", "confidence", "effort"])
    def test_bad_values_name_the_argument(self, bad: object, position: str) -> None:
        args: dict[str, object] = {"reach": 10, "impact": 1, "confidence": 0.5, "effort": 1}
        args[position] = bad
        with pytest.raises(ValidationError) as exc:
            rice(**args)  # type: ignore[arg-type]
        assert first_path(exc) == (position,)
        assert "RICE" in str(exc.value)

    def test_all_problems_reported_at_once(self) -> None:
        with pytest.raises(ValidationError) as exc:
            rice(-1, -1, 2, 0)
        assert [p.path for p in exc.value.problems] == [
            ("reach",),
            ("impact",),
            ("confidence",),
            ("effort",),
        ]

    def test_message_does_not_show_the_value(self) -> None:
        with pytest.raises(ValidationError) as exc:
            rice(-123456, 1, 1, 1)
        assert "123456" not in str(exc.value)

    @settings(max_examples=60)
    @given(non_negative, non_negative, non_negative, fractions, positive)
    def test_monotone_in_reach(self, r1: float, r2: float, i: float, c: float, e: float) -> None:
        lo, hi = sorted((r1, r2))
        assert rice(lo, i, c, e) <= rice(hi, i, c, e)

    @settings(max_examples=60)
    @given(non_negative, non_negative, non_negative, fractions, positive)
    def test_monotone_in_impact(self, r: float, i1: float, i2: float, c: float, e: float) -> None:
        lo, hi = sorted((i1, i2))
        assert rice(r, lo, c, e) <= rice(r, hi, c, e)

    @settings(max_examples=60)
    @given(non_negative, non_negative, fractions, fractions, positive)
    def test_monotone_in_confidence(
        self, r: float, i: float, c1: float, c2: float, e: float
    ) -> None:
        lo, hi = sorted((c1, c2))
        assert rice(r, i, lo, e) <= rice(r, i, hi, e)

    @settings(max_examples=60)
    @given(non_negative, non_negative, fractions, positive, positive)
    def test_antitone_in_effort(self, r: float, i: float, c: float, e1: float, e2: float) -> None:
        lo, hi = sorted((e1, e2))
        assert rice(r, i, c, lo) >= rice(r, i, c, hi)

    @settings(max_examples=60)
    @given(non_negative, non_negative, fractions, positive)
    def test_never_negative(self, r: float, i: float, c: float, e: float) -> None:
        assert rice(r, i, c, e) >= 0


# -- ICE ----------------------------------------------------------------------------


class TestIce:
    def test_both_conventions(self) -> None:
        assert ice(8, 6, 4, method="mean") == 6.0
        assert ice(8, 6, 4, method="product") == 192.0
        assert ice(10, 10, 10, method="product") == 1000.0
        assert ice(1, 1, 1, method="mean") == 1.0

    def test_method_is_required_and_keyword_only(self) -> None:
        with pytest.raises(TypeError):
            ice(8, 6, 4)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            ice(8, 6, 4, "mean")  # type: ignore[call-arg]

    @pytest.mark.parametrize("method", ["sum", "Mean", "", None, 1])
    def test_unknown_method(self, method: object) -> None:
        with pytest.raises(ValidationError) as exc:
            ice(5, 5, 5, method=method)  # type: ignore[arg-type]
        assert first_path(exc) == ("method",)

    @pytest.mark.parametrize("bad", [0, 0.99, 10.01, 11, *bad_numbers])
    @pytest.mark.parametrize("position", ["impact", "confidence", "ease"])
    def test_ratings_are_1_to_10(self, bad: object, position: str) -> None:
        args: dict[str, object] = {"impact": 5, "confidence": 5, "ease": 5}
        args[position] = bad
        with pytest.raises(ValidationError) as exc:
            ice(**args, method="mean")  # type: ignore[arg-type]
        assert first_path(exc) == (position,)

    @settings(max_examples=100)
    @given(rating, rating, rating)
    def test_mean_stays_on_the_scale(self, i: float, c: float, e: float) -> None:
        assert 1 <= ice(i, c, e, method="mean") <= 10
        assert 1 <= ice(i, c, e, method="product") <= 1000

    @settings(max_examples=60)
    @given(rating, rating, rating)
    def test_product_is_order_independent(self, i: float, c: float, e: float) -> None:
        assert ice(i, c, e, method="product") == pytest.approx(ice(e, i, c, method="product"))


# -- WSJF ---------------------------------------------------------------------------


class TestWsjf:
    def test_safe_example(self) -> None:
        assert cost_of_delay(8, 5, 3) == 16.0
        assert wsjf(8, 5, 3, 4) == 4.0
        assert wsjf(business_value=20, time_criticality=8, risk_reduction=1, job_size=13) == (
            pytest.approx(29 / 13)
        )

    def test_smaller_job_first(self) -> None:
        assert wsjf(5, 5, 5, 2) > wsjf(5, 5, 5, 8)

    def test_no_renormalization(self) -> None:
        # Scaling every estimate scales cost of delay; the ratio is untouched.
        assert wsjf(16, 10, 6, 8) == wsjf(8, 5, 3, 4)
        assert cost_of_delay(16, 10, 6) == 2 * cost_of_delay(8, 5, 3)

    @pytest.mark.parametrize("job_size", [0, -3])
    def test_job_size_must_be_positive(self, job_size: float) -> None:
        with pytest.raises(ValidationError) as exc:
            wsjf(1, 1, 1, job_size)
        assert first_path(exc) == ("job_size",)

    @pytest.mark.parametrize("bad", [-1, *bad_numbers])
    @pytest.mark.parametrize("position", ["business_value", "time_criticality", "risk_reduction"])
    def test_bad_estimates(self, bad: object, position: str) -> None:
        args: dict[str, object] = {"business_value": 1, "time_criticality": 1, "risk_reduction": 1}
        args[position] = bad
        with pytest.raises(ValidationError) as exc:
            wsjf(**args, job_size=1)  # type: ignore[arg-type]
        assert first_path(exc) == (position,)
        with pytest.raises(ValidationError) as exc:
            cost_of_delay(**args)  # type: ignore[arg-type]
        assert first_path(exc) == (position,)

    @settings(max_examples=60)
    @given(non_negative, non_negative, non_negative, positive)
    def test_wsjf_is_cost_of_delay_over_size(
        self, bv: float, tc: float, rr: float, size: float
    ) -> None:
        assert wsjf(bv, tc, rr, size) == pytest.approx(cost_of_delay(bv, tc, rr) / size)


# -- Kano ---------------------------------------------------------------------------

# The Kano evaluation table, written out independently of the implementation.
# Rows: functional answer; columns: dysfunctional answer.
KANO_TABLE = {
    #            like  expect neutral tolerate dislike
    LIKE: {LIKE: Q, EXPECT: A, NEUTRAL: A, TOLERATE: A, DISLIKE: O},
    EXPECT: {LIKE: R, EXPECT: I, NEUTRAL: I, TOLERATE: I, DISLIKE: M},
    NEUTRAL: {LIKE: R, EXPECT: I, NEUTRAL: I, TOLERATE: I, DISLIKE: M},
    TOLERATE: {LIKE: R, EXPECT: I, NEUTRAL: I, TOLERATE: I, DISLIKE: M},
    DISLIKE: {LIKE: R, EXPECT: R, NEUTRAL: R, TOLERATE: R, DISLIKE: Q},
}
KANO_CELLS = [(f, d, c) for f, row in KANO_TABLE.items() for d, c in row.items()]

answers = st.sampled_from(KanoAnswer)
answer_pairs = st.lists(st.tuples(answers, answers), min_size=1, max_size=40)


class TestKanoCategory:
    def test_table_has_25_cells(self) -> None:
        assert len(KANO_CELLS) == 25

    @pytest.mark.parametrize(
        ("functional", "dysfunctional", "expected"),
        KANO_CELLS,
        ids=[f"{f.value}-{d.value}" for f, d, _ in KANO_CELLS],
    )
    def test_cell(
        self, functional: KanoAnswer, dysfunctional: KanoAnswer, expected: KanoCategory
    ) -> None:
        assert kano_category(functional, dysfunctional) is expected

    def test_codes(self) -> None:
        assert "".join(c.code for c in KanoCategory) == "AOMIRQ"

    @pytest.mark.parametrize(
        ("functional", "dysfunctional", "path"),
        [("Like", DISLIKE, "functional"), (LIKE, None, "dysfunctional"), (1, LIKE, "functional")],
    )
    def test_answers_must_be_members_or_their_values(
        self, functional: object, dysfunctional: object, path: str
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_category(functional, dysfunctional)  # type: ignore[arg-type]
        assert first_path(exc) == (path,)


class TestKanoCoefficients:
    def test_berger_formula(self) -> None:
        c = kano_coefficients({A: 10, O: 20, M: 5, I: 5, R: 3, Q: 1})
        assert c == KanoCoefficients(better=0.75, worse=-0.625)

    def test_missing_categories_count_zero(self) -> None:
        assert kano_coefficients({M: 4}) == KanoCoefficients(better=0.0, worse=-1.0)
        assert kano_coefficients({A: 4}) == KanoCoefficients(better=1.0, worse=0.0)
        assert kano_coefficients({I: 4}) == KanoCoefficients(better=0.0, worse=0.0)

    @pytest.mark.parametrize("counts", [{}, {R: 3, Q: 2}, {A: 0, O: 0, M: 0, I: 0}])
    def test_zero_denominator(self, counts: dict[KanoCategory, int]) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_coefficients(counts)
        assert first_path(exc) == ("counts",)

    @pytest.mark.parametrize(
        ("counts", "path"),
        [
            ({A: -1, O: 2}, ("counts", "attractive")),
            ({A: 1.0}, ("counts", "attractive")),
            ({A: True}, ("counts", "attractive")),
            ({A: 1, M: 2**63}, ("counts", "must_be")),  # no count needs more than 64 bits
            ({"Attractive": 1}, ("counts",)),  # a value is taken, not another spelling
            ([(A, 1)], ("counts",)),
        ],
    )
    def test_bad_counts(self, counts: object, path: tuple[str, ...]) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_coefficients(counts)  # type: ignore[arg-type]
        assert first_path(exc) == path

    @settings(max_examples=100)
    @given(st.dictionaries(st.sampled_from(KanoCategory), st.integers(0, 1000)))
    def test_ranges(self, counts: dict[KanoCategory, int]) -> None:
        if sum(counts.get(c, 0) for c in (A, O, M, I)) == 0:
            return
        c = kano_coefficients(counts)
        assert 0 <= c.better <= 1
        assert -1 <= c.worse <= 0

    def test_coefficients_are_validated(self) -> None:
        with pytest.raises(ValidationError) as exc:
            KanoCoefficients(better=1.5, worse=-0.5)
        assert first_path(exc) == ("better",)

    @pytest.mark.parametrize("worse", [0.5, 1e-9, -1.000001, -2.0])
    def test_worse_outside_minus_one_to_zero_is_refused(self, worse: float) -> None:
        with pytest.raises(ValidationError) as exc:
            KanoCoefficients(better=0.5, worse=worse)
        assert exc.value.paths == ["$.worse"]

    @pytest.mark.parametrize(("better", "worse"), [(0.0, -1.0), (1.0, 0.0), (0.0, 0.0)])
    def test_the_ends_of_both_ranges_are_fine(self, better: float, worse: float) -> None:
        c = KanoCoefficients(better=better, worse=worse)
        assert (c.better, c.worse) == (better, worse)

    def test_a_key_that_is_no_category_is_refused_in_the_policy_s_words(self) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_coefficients({"Attractive": 3, M: -1, 7: 1})  # type: ignore[arg-type]
        allowed = ", ".join(repr(k.value) for k in KanoCategory)
        assert sorted(str(p) for p in exc.value.problems) == sorted(
            [
                "$.counts.must_be: must be at least 0",
                "$.counts: keys must be KanoCategory values, not int",
                f"$.counts: keys must be KanoCategory members or their values: {allowed}",
            ]
        )
        with pytest.raises(ValidationError) as twice:
            kano_coefficients({"attractive": 1, A: 2})  # type: ignore[arg-type]
        assert [str(p) for p in twice.value.problems] == [
            "$.counts: key 'attractive' is given twice: as a KanoCategory and as its value"
        ]

    def test_a_category_s_value_is_its_member_as_everywhere(self) -> None:
        counts: dict[KanoCategoryValue, int] = {"attractive": 6, "must_be": 2, "indifferent": 2}
        by_value = kano_coefficients(counts)
        assert by_value == kano_coefficients({A: 6, M: 2, KanoCategory.INDIFFERENT: 2})


class TestKanoClassify:
    def test_counts_and_category(self) -> None:
        pairs = [(LIKE, NEUTRAL)] * 5 + [(EXPECT, DISLIKE)] * 3 + [(LIKE, LIKE)]
        result = kano_classify(pairs)
        assert result == KanoResult(attractive=5, must_be=3, questionable=1)
        assert result.total == 9
        assert result.category is A
        assert result.counts[A] == 5
        assert result.coefficients == kano_coefficients({A: 5, M: 3, Q: 1})

    def test_accepts_generators_and_lists(self) -> None:
        result = kano_classify(iter([[LIKE, DISLIKE], (LIKE, DISLIKE)]))  # type: ignore[arg-type]
        assert result.one_dimensional == 2

    @pytest.mark.parametrize(
        ("pairs", "expected"),
        [
            ([(EXPECT, DISLIKE), (LIKE, DISLIKE)], M),  # M beats O
            ([(LIKE, DISLIKE), (LIKE, NEUTRAL)], O),  # O beats A
            ([(LIKE, NEUTRAL), (NEUTRAL, NEUTRAL)], A),  # A beats I
            ([(NEUTRAL, NEUTRAL), (DISLIKE, LIKE)], I),  # I beats R
            ([(DISLIKE, LIKE), (LIKE, LIKE)], R),  # R beats Q
        ],
    )
    def test_tie_break(
        self, pairs: list[tuple[KanoAnswer, KanoAnswer]], expected: KanoCategory
    ) -> None:
        assert kano_classify(pairs).category is expected
        assert kano_classify(reversed(pairs)).category is expected

    def test_priority_is_documented_order(self) -> None:
        assert KANO_PRIORITY == (M, O, A, I, R, Q)

    @pytest.mark.parametrize(
        "counts",
        [
            {"attractive": 1, "one_dimensional": 1, "must_be": 1, "indifferent": 3},
            {"attractive": 2, "indifferent": 2},
            {"must_be": 1, "indifferent": 1, "reverse": 4},
        ],
    )
    def test_mixed_counts_have_coefficients(self, counts: dict[str, int]) -> None:
        """A + O + M == I (or any mix) is no reason for None: only all-R/Q answers are."""
        result = KanoResult(**counts)
        expected = kano_coefficients({KanoCategory(k): n for k, n in counts.items()})
        assert result.coefficients == expected

    @pytest.mark.parametrize(
        ("cls", "values"),
        [
            (KanoResult, (1, 2, 3)),
            (RiceEstimate, (1.0, 0.5, 2.0)),
            (IceEstimate, (5.0, 5.0, 5.0)),
            (WsjfEstimate, (1.0, 1.0, 1.0, 2.0)),
        ],
    )
    def test_keyword_only_classes_refuse_positional_values(
        self, cls: Any, values: tuple[float, ...]
    ) -> None:
        """The order of counts or estimates is easy to get wrong, so names are required."""
        with pytest.raises(TypeError):
            cls(*values)
        names = [f.name for f in attrs.fields(cls)][: len(values)]
        assert cls(**dict(zip(names, values, strict=True)))

    def test_all_reverse_has_no_coefficients(self) -> None:
        result = kano_classify([(DISLIKE, LIKE)])
        assert result.category is R
        assert result.coefficients is None

    def test_repr(self) -> None:
        result = kano_classify([(LIKE, NEUTRAL), (EXPECT, DISLIKE)])
        assert repr(result) == "KanoResult(A=1, O=0, M=1, I=0, R=0, Q=0, category=M)"

    def test_empty(self) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_classify([])
        assert first_path(exc) == ("pairs",)

    @pytest.mark.parametrize(
        ("pairs", "path"),
        [
            ("like", ("pairs",)),
            (None, ("pairs",)),
            ([(LIKE,)], ("pairs", 0)),
            ([(LIKE, DISLIKE), LIKE], ("pairs", 1)),
            ([(LIKE, DISLIKE), (LIKE, "DISLIKE")], ("pairs", 1, 1)),
        ],
    )
    def test_bad_pairs(self, pairs: object, path: tuple[str | int, ...]) -> None:
        with pytest.raises(ValidationError) as exc:
            kano_classify(pairs)  # type: ignore[arg-type]
        assert first_path(exc) == path

    def test_result_rejects_negative_or_empty(self) -> None:
        with pytest.raises(ValidationError) as exc:
            KanoResult(attractive=-1, must_be=2)
        assert first_path(exc) == ("attractive",)
        with pytest.raises(ValidationError):
            KanoResult()

    @settings(max_examples=80)
    @given(answer_pairs, st.randoms(use_true_random=False))
    def test_order_independent_and_consistent(
        self, pairs: list[tuple[KanoAnswer, KanoAnswer]], rnd: object
    ) -> None:
        shuffled = list(pairs)
        rnd.shuffle(shuffled)  # type: ignore[attr-defined]
        result = kano_classify(pairs)
        assert kano_classify(shuffled) == result
        assert result.total == len(pairs)
        expected = Counter(KANO_TABLE[f][d] for f, d in pairs)
        assert dict(result.counts) == {c: expected.get(c, 0) for c in KanoCategory}
        top = max(expected.values())
        assert expected[result.category] == top
        assert all(
            KANO_PRIORITY.index(result.category) <= KANO_PRIORITY.index(c)
            for c, n in expected.items()
            if n == top
        )


# -- Opportunity score --------------------------------------------------------------


class TestOpportunity:
    def test_under_served(self) -> None:
        assert opportunity_score(8, 3) == 13.0
        assert opportunity_score(8.9, 3.1) == pytest.approx(14.7)
        assert opportunity_score(10, 0) == 20.0

    def test_over_served_scores_its_importance(self) -> None:
        assert opportunity_score(5, 8) == 5.0
        assert opportunity_score(0, 10) == 0.0

    @pytest.mark.parametrize("bad", [-0.1, 10.1, *bad_numbers])
    @pytest.mark.parametrize("position", ["importance", "satisfaction"])
    def test_bad_values(self, bad: object, position: str) -> None:
        args: dict[str, object] = {"importance": 5, "satisfaction": 5}
        args[position] = bad
        with pytest.raises(ValidationError) as exc:
            opportunity_score(**args)  # type: ignore[arg-type]
        assert first_path(exc) == (position,)

    @settings(max_examples=100)
    @given(ten, ten)
    def test_bounds(self, importance: float, satisfaction: float) -> None:
        score = opportunity_score(importance, satisfaction)
        assert importance <= score <= 2 * importance
        assert 0 <= score <= 20

    @settings(max_examples=60)
    @given(ten, ten, ten)
    def test_antitone_in_satisfaction(self, importance: float, s1: float, s2: float) -> None:
        lo, hi = sorted((s1, s2))
        assert opportunity_score(importance, lo) >= opportunity_score(importance, hi)


# -- MoSCoW -------------------------------------------------------------------------


class TestMoSCoW:
    def test_sorting_puts_must_first(self) -> None:
        mixed = [MoSCoW.WONT, MoSCoW.COULD, MoSCoW.MUST, MoSCoW.SHOULD]
        assert sorted(mixed) == [MoSCoW.MUST, MoSCoW.SHOULD, MoSCoW.COULD, MoSCoW.WONT]
        assert min(mixed) is MoSCoW.MUST

    def test_total_ordering(self) -> None:
        assert MoSCoW.MUST < MoSCoW.SHOULD < MoSCoW.COULD < MoSCoW.WONT
        assert MoSCoW.WONT > MoSCoW.MUST
        assert MoSCoW.COULD >= MoSCoW.COULD
        assert MoSCoW.SHOULD <= MoSCoW.COULD
        assert [m.rank for m in MoSCoW] == [1, 2, 3, 4]

    def test_values(self) -> None:
        assert [m.value for m in MoSCoW] == ["must", "should", "could", "wont"]

    def test_no_comparison_with_other_types(self) -> None:
        with pytest.raises(TypeError):
            _ = MoSCoW.MUST < 1
        other: object = "must"
        assert other != MoSCoW.MUST


# -- finite inputs never give a non-finite score ---------------------------------------


@pytest.mark.parametrize(
    ("score", "subject"),
    [
        (lambda: rice(1e308, 3, 1, 1e-300), "RICE"),
        (lambda: rice(10**300, 3, 1, 1e-300), "RICE"),
        (lambda: wsjf(1e308, 1e308, 1, 1), "WSJF"),
        (lambda: wsjf(10**308, 10**308, 0, 1), "WSJF"),
        (lambda: wsjf(1e308, 0, 0, 1e-10), "WSJF"),
        (lambda: cost_of_delay(1e308, 1e308, 1e308), "cost of delay"),
    ],
)
def test_overflowing_scores_are_refused(score: Any, subject: str) -> None:
    with pytest.raises(ValidationError) as info:
        score()
    assert str(info.value).startswith(f"invalid {subject} input")
    assert "overflows" in str(info.value)


@settings(max_examples=60)
@given(
    st.floats(0, allow_infinity=False),
    st.floats(0, allow_infinity=False),
    st.floats(0, 1),
    st.floats(min_value=5e-324, allow_infinity=False),
)
def test_rice_is_finite_or_refused(reach: float, impact: float, conf: float, effort: float) -> None:
    exact = reach * impact * conf / effort
    if math.isfinite(exact):
        score = rice(reach, impact, conf, effort)
        assert math.isfinite(score)
        assert score >= 0
    else:
        with pytest.raises(ValidationError, match="overflows"):
            rice(reach, impact, conf, effort)


def test_integers_too_large_for_a_float_are_validation_errors() -> None:
    from customer_model import ValidationError
    from customer_model.frameworks import cost_of_delay, rice

    with pytest.raises(ValidationError) as info:
        rice(10**400, 1, 1, 1)
    assert info.value.paths == ["$.reach"]
    with pytest.raises(ValidationError):
        cost_of_delay(10**400, 0, 0)


_REFUSALS: list[tuple[Any, str]] = [
    (
        lambda: ice(5, 5, 5, method="median"),  # type: ignore[arg-type]
        "invalid ICE input: $.method: must be 'product' or 'mean'",
    ),
    (
        lambda: kano_classify("like"),  # type: ignore[arg-type]
        "invalid Kano answers: $.pairs: must be an iterable of answer pairs, not str",
    ),
    (
        # a bad pair does not stop the check: the pairs after it are checked too
        lambda: kano_classify([(LIKE,), (LIKE, "x"), [LIKE, LIKE]]),  # type: ignore[list-item]
        "invalid Kano answers: 2 problems\n"
        "  $.pairs[0]: must be a (functional, dysfunctional) pair\n"
        "  $.pairs[1][1]: must be a KanoAnswer or one of its values: "
        "'like', 'expect', 'neutral', 'tolerate', 'dislike'",
    ),
    (
        lambda: kano_classify([]),
        "invalid Kano answers: $.pairs: must contain at least one answer pair",
    ),
    (lambda: KanoResult(attractive=-1), "invalid KanoResult: $.attractive: must be at least 0"),
    (KanoResult, "invalid KanoResult: $: needs at least one answer"),
    (lambda: rice(-1, 1, 1, 1), "invalid RICE input: $.reach: must be at least 0"),
    (
        lambda: rice(1e308, 3, 1, 1e-308),
        "invalid RICE input: $: the result overflows a float: scale the estimates down",
    ),
    (
        lambda: cost_of_delay(-1, 1, 1),
        "invalid cost of delay input: $.business_value: must be at least 0",
    ),
    (lambda: wsjf(1, 1, 1, 0), "invalid WSJF input: $.job_size: must be greater than 0"),
    (
        lambda: kano_category("Like", KanoAnswer.LIKE),  # type: ignore[arg-type]
        "invalid Kano answers: $.functional: must be a KanoAnswer or one of its values: "
        "'like', 'expect', 'neutral', 'tolerate', 'dislike'",
    ),
    (
        lambda: KanoCoefficients(better=-0.1, worse=0.0),
        "invalid KanoCoefficients: $.better: must be at least 0",
    ),
    (
        lambda: kano_coefficients([(A, 1)]),  # type: ignore[arg-type]
        "invalid Kano counts: $.counts: must be a mapping of KanoCategory to count, not list",
    ),
    (
        lambda: kano_coefficients({}),
        "invalid Kano counts: $.counts: "
        "needs at least one attractive, one-dimensional, must-be or indifferent answer",
    ),
    (
        lambda: opportunity_score(11, 5),
        "invalid opportunity score input: $.importance: must be at most 10",
    ),
    (
        lambda: RiceEstimate(reach=-1, impact=1, confidence=0.5, effort=1),
        "invalid RiceEstimate: $.reach: must be at least 0",
    ),
    (
        lambda: RiceEstimate(impact=-0.5, confidence=0.5, effort=1),
        "invalid RiceEstimate: $.impact: must be at least 0",
    ),
    (
        lambda: RiceEstimate(impact=1, confidence=-0.1, effort=1),
        "invalid RiceEstimate: $.confidence: must be at least 0",
    ),
    (
        lambda: IceEstimate(impact=10.5, confidence=1, ease=0.5),
        "invalid IceEstimate: 2 problems\n  $.impact: must be at most 10\n"
        "  $.ease: must be at least 1",
    ),
    (
        lambda: WsjfEstimate(business_value=-1, time_criticality=0, risk_reduction=0, job_size=0),
        "invalid WsjfEstimate: 2 problems\n  $.business_value: must be at least 0\n"
        "  $.job_size: must be greater than 0",
    ),
]


@pytest.mark.parametrize(("call", "message"), _REFUSALS)
def test_each_refusal_names_its_input_field_and_rule(call: Any, message: str) -> None:
    """What a caller reads, word for word: which input, which field, which bound."""
    with pytest.raises(ValidationError) as exc:
        call()
    assert str(exc.value) == message


@pytest.mark.parametrize(
    "make",
    [
        lambda: RiceEstimate(reach=0, impact=0, confidence=0, effort=0.1),
        lambda: RiceEstimate(impact=3, confidence=1, effort=1),
        lambda: IceEstimate(impact=1, confidence=10, ease=10),
        lambda: WsjfEstimate(business_value=0, time_criticality=0, risk_reduction=0, job_size=1),
    ],
)
def test_estimates_at_the_ends_of_their_ranges_are_fine(make: Any) -> None:
    assert make() == make()


# -- NumPy numbers, as a notebook passes them -----------------------------------------


@given(
    reach=st.integers(0, 10**6),
    impact=st.sampled_from([0.25, 0.5, 1.0, 2.0, 3.0]),
    confidence=st.floats(0, 1),
    effort=st.floats(0.5, 100),
    ratings=st.tuples(st.integers(1, 10), st.integers(1, 10), st.integers(1, 10)),
)
def test_numpy_numbers_score_as_the_python_numbers_they_equal(
    reach: int,
    impact: float,
    confidence: float,
    effort: float,
    ratings: tuple[int, int, int],
) -> None:
    # df.apply hands over NumPy scalars; nps() and friends took NumPy integers,
    # the frameworks refused them ("not int64").  (Typed as Any: the signatures
    # say float, which NumPy's scalars are not to a type checker.)
    np: Any = pytest.importorskip("numpy")

    expected = rice(reach, impact, confidence, effort)
    got = rice(np.int64(reach), np.float64(impact), np.float32(confidence), np.float64(effort))
    assert type(got) is float
    assert got == pytest.approx(expected, rel=1e-6)  # float32 keeps fewer digits
    assert rice(np.int64(reach), np.float64(impact), confidence, np.float64(effort)) == expected
    i, c, e = ratings
    for method in ("mean", "product"):
        assert ice(np.int8(i), np.int64(c), np.float64(e), method=method) == ice(
            i, c, e, method=method
        )
    assert wsjf(np.int64(i), np.int64(c), np.float64(e), np.int64(c)) == wsjf(i, c, e, c)
    assert cost_of_delay(np.int16(i), c, np.float64(e)) == cost_of_delay(i, c, e)
    assert opportunity_score(np.int64(i), np.float64(c)) == opportunity_score(i, c)


def test_numpy_bools_and_arrays_are_still_refused() -> None:
    np: Any = pytest.importorskip("numpy")

    with pytest.raises(ValidationError, match=r"\$\.reach: must be a real number"):
        rice(np.bool_(True), 1, 1, 1)
    with pytest.raises(ValidationError, match=r"\$\.impact: must be a real number"):
        ice(np.array([8]), 6, 4, method="mean")
    # An array of one method name compared equal to "mean" and passed.
    with pytest.raises(ValidationError, match=r"\$\.method: must be 'product' or 'mean'"):
        ice(8, 6, 4, method=np.array(["mean"]))
