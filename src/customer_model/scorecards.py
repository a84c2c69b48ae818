"""Scorecards: a team's own prioritization formula, fed by customer evidence, explained.

A :class:`Scorecard` names its factors, each with a :class:`Scale`, a weight and
whether it is a benefit or a cost, and combines them either Canny's way (the
weighted mean of the benefits, times the percentages, divided by the weighted
mean of the costs) or by a formula written as text, such as
``"reach * impact * confidence / effort"``.  Formulas are parsed with
:mod:`ast` into a small tree of numbers, names, ``+ - * /`` and parentheses and
evaluated here, never ``eval``-ed.

Evidence factors take their values from a :class:`~customer_model.Backlog`
(customer importance, customers, revenue, purchaser, user or segment voices);
manual factors from estimates a team types in.  :meth:`Scorecard.score` ranks
the themes and explains every score factor by factor.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from customer_model import _scorecard_formula as formula_language
from customer_model._scorecard_evidence import (
    check_revenue,
    estimate_values,
    raw_values,
    segment_voices,
)
from customer_model._scorecard_formula import Interval, is_factor_name
from customer_model.backlog import Backlog
from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._validation import Checker, duplicates, exact_member, to_tuple
from customer_model.model.customers import Customer
from customer_model.model.feedback import FeedbackItem
from customer_model.model.segments import SegmentLike
from customer_model.scorecard_ranking import FactorPart, RankedTheme, ScorecardRanking

__all__ = [
    "Evidence",
    "EvidenceValue",
    "FactorKind",
    "FactorKindValue",
    "FactorPart",
    "RankedTheme",
    "Scale",
    "ScaleValue",
    "Scorecard",
    "ScorecardFactor",
    "ScorecardRanking",
]


class Scale(enum.Enum):
    """How a factor's values are rated, and how they are normalized (Canny's rules).

    Every rating scale is normalized to 0-100 so that factors rated
    differently can be weighed together; a percentage is a multiplier and a
    number is taken as it is.
    """

    #: 0 to 10, squared: 10 gives 100.
    ZERO_TO_TEN = "0-10"
    #: 0 to 100, as it is.
    ZERO_TO_HUNDRED = "0-100"
    #: A Fibonacci number up to 233, times 100 / 233.
    FIBONACCI = "fibonacci"
    #: 0 to 5 stars, doubled then squared: 5 stars give 100.
    STARS = "stars"
    #: Checked (1 or true) gives 100, unchecked (0 or false) 0.
    CHECKBOX = "checkbox"
    #: 0 to 100 percent, multiplied in as a fraction (80 becomes 0.8).
    PERCENTAGE = "percentage"
    #: A count or amount of at least 0, as a share of the highest on the roadmap (x 100).
    RELATIVE = "relative"
    #: Any number (within the factor's bounds), as it is: for a framework's own units.
    NUMBER = "number"


#: Canny's Fibonacci points.
FIBONACCI = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233)
_BOUNDED = {
    Scale.ZERO_TO_TEN: 10.0,
    Scale.ZERO_TO_HUNDRED: 100.0,
    Scale.STARS: 5.0,
    Scale.PERCENTAGE: 100.0,
}


class FactorKind(enum.Enum):
    """Whether more of a factor is better (a benefit) or worse (a cost, such as effort)."""

    BENEFIT = "benefit"
    COST = "cost"


class Evidence(enum.Enum):
    """What a backlog says about a theme, for factors filled from customer feedback."""

    #: The backlog's score: Productboard-style customer importance, as weighted by the policy.
    CUSTOMER_IMPORTANCE = "customer_importance"
    #: Distinct customers behind the theme's voices.
    CUSTOMER_COUNT = "customer_count"
    #: Their revenue in the policy's currency (converted with its exchange rates).
    REVENUE = "revenue"
    #: Voices of people who buy (including those who also use).
    PURCHASER_VOICES = "purchaser_voices"
    #: Voices of people who use (including those who also buy).
    USER_VOICES = "user_voices"
    #: Voices whose customer is in the factor's ``segment``.
    SEGMENT_VOICES = "segment_voices"


#: The values of :class:`Scale`, which :class:`ScorecardFactor` takes for its members.
ScaleValue = Literal[
    "0-10", "0-100", "fibonacci", "stars", "checkbox", "percentage", "relative", "number"
]
#: The values of :class:`FactorKind`.
FactorKindValue = Literal["benefit", "cost"]
#: The values of :class:`Evidence`.
EvidenceValue = Literal[
    "customer_importance",
    "customer_count",
    "revenue",
    "purchaser_voices",
    "user_voices",
    "segment_voices",
]


def _scale(value: Scale | ScaleValue) -> Scale:
    return exact_member(Scale, value)


def _kind(value: FactorKind | FactorKindValue) -> FactorKind:
    return exact_member(FactorKind, value)


def _evidence(value: Evidence | EvidenceValue | None) -> Evidence | None:
    return None if value is None else exact_member(Evidence, value)


@attrs.frozen(slots=True)
class ScorecardFactor:
    """One factor of a scorecard.

    *name* is how the formula and the estimates refer to it (a Python-style
    identifier).  *weight* (at least 0) scales its normalized value: in the
    weighted combination it is the factor's weight in its mean, in a formula
    the name stands for ``weight x normalized value``.  *evidence* fills the
    factor from the backlog (with *segment* naming the segment for
    :attr:`Evidence.SEGMENT_VOICES`); a theme's estimate, when given, takes
    precedence.  *default* is used for a theme that has neither.  *minimum*,
    *maximum* and *positive* (strictly above 0) bound a :attr:`Scale.NUMBER`.
    """

    name: str
    scale: Scale = attrs.field(default=Scale.NUMBER, converter=_scale)
    weight: float = attrs.field(default=1.0, kw_only=True)
    kind: FactorKind = attrs.field(default=FactorKind.BENEFIT, kw_only=True, converter=_kind)
    evidence: Evidence | None = attrs.field(default=None, kw_only=True, converter=_evidence)
    segment: str | None = attrs.field(default=None, kw_only=True)
    minimum: float | None = attrs.field(default=None, kw_only=True)
    maximum: float | None = attrs.field(default=None, kw_only=True)
    positive: bool = attrs.field(default=False, kw_only=True)
    default: float | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.text("name", self.name) and not is_factor_name(self.name):
            check.add(
                "name",
                "must be a name a formula can use: letters, digits and _, not starting "
                "with a digit, in NFKC form, not a Python keyword, nor rank, theme or score",
            )
        check.member("scale", self.scale, Scale, values=True)
        check.number("weight", self.weight, minimum=0)
        check.member("kind", self.kind, FactorKind, values=True)
        check.member("evidence", self.evidence, Evidence, optional=True, values=True)
        if self.evidence is Evidence.SEGMENT_VOICES:
            check.ident("segment", self.segment)
        elif self.segment is not None:
            check.add("segment", "is only for evidence='segment_voices'")
        if (
            self.evidence is not None
            and isinstance(self.scale, Scale)
            and self.scale not in (Scale.RELATIVE, Scale.NUMBER)
        ):
            check.add("scale", "must be 'relative' or 'number' for a factor filled from evidence")
        number = self.scale is Scale.NUMBER
        for bound in ("minimum", "maximum"):
            value = getattr(self, bound)
            if value is not None and check.number(bound, value) and not number:
                check.add(bound, "is only for the 'number' scale")
        check.boolean("positive", self.positive)
        if self.positive is True and not number:
            check.add("positive", "is only for the 'number' scale")
        if not check.problems and self.range().lo > self.range().hi:
            check.add("maximum", "must not be below the minimum")
        elif not check.problems and self.range().lo == self.range().hi and self.range().lo_open:
            check.add("maximum", "must be above 0 when positive=True, or no value is left")
        if self.kind is FactorKind.COST and self.scale is Scale.PERCENTAGE:
            check.add("kind", "must be 'benefit' for a percentage: it multiplies the score")
        default: object = self.default  # callers without a type checker pass anything
        if default is not None and self.evidence is not None:
            check.add("default", "is only for a factor without evidence (which is 0 if none)")
        elif type(default) is bool:  # JSON would write true, which no number field reads
            check.add("default", "must be a number (0 or 1 for a checkbox), not a boolean")
        elif self.default is not None and not check.problems:
            self.check_value(check, "default", self.default)
        check.done("ScorecardFactor")

    def range(self) -> Interval:
        """The normalized values this factor can take (before its weight)."""
        if self.scale is Scale.PERCENTAGE:
            return Interval(0.0, 1.0)
        if self.scale is not Scale.NUMBER:
            return Interval(0.0, 100.0)
        lo = -math.inf if self.minimum is None else float(self.minimum)
        lo_open = math.isinf(lo)
        if self.positive and lo <= 0:
            lo, lo_open = 0.0, True
        hi = math.inf if self.maximum is None else float(self.maximum)
        return Interval(lo, hi, lo_open, math.isinf(hi))

    def check_value(self, check: Checker, path: tuple[str, ...] | str, value: object) -> bool:
        """Whether *value* is a valid raw value of this factor; problems go to *check*."""
        scale = self.scale
        if scale is Scale.CHECKBOX:
            if type(value) is bool or (type(value) in (int, float) and value in (0, 1)):
                return True
            check.add(path, "must be 0 or 1 (or true or false) for a checkbox")
            return False
        if scale is Scale.FIBONACCI:
            if type(value) in (int, float) and value in FIBONACCI:
                return True
            check.add(path, "must be a Fibonacci number: 0, 1, 2, 3, 5, 8, 13, ... up to 233")
            return False
        if scale in _BOUNDED:
            return check.number(path, value, minimum=0, maximum=_BOUNDED[scale])
        if scale is Scale.RELATIVE:
            return check.number(path, value, minimum=0)
        return check.number(
            path, value, minimum=self.minimum, maximum=self.maximum, positive=self.positive
        )

    def normalize(self, raw: float, highest: float) -> float:
        """The normalized value of *raw* (*highest*: the roadmap's highest, for RELATIVE).

        Raises :class:`~customer_model.ValidationError` naming *raw* when it is
        not a value of this factor (as :meth:`Scorecard.score` would refuse it
        in the estimates), and naming *highest* when it is not a finite number
        or, for :attr:`Scale.RELATIVE`, is below *raw*.
        """
        check = Checker()
        raw_valid = self.check_value(check, "raw", raw)
        highest_valid = check.number("highest", highest)
        if raw_valid and highest_valid and self.scale is Scale.RELATIVE and highest < raw:
            check.add("highest", "must be at least raw: it is the highest on the roadmap")
        check.done("ScorecardFactor.normalize")
        return self._normalized(raw, highest)

    def _normalized(self, raw: float, highest: float) -> float:
        """:meth:`normalize` for values already checked."""
        scale = self.scale
        if scale is Scale.ZERO_TO_TEN:
            return raw * raw
        if scale is Scale.FIBONACCI:
            return raw * 100 / 233
        if scale is Scale.STARS:
            return (2 * raw) ** 2
        if scale is Scale.CHECKBOX:
            return 100.0 if raw else 0.0
        if scale is Scale.PERCENTAGE:
            return raw / 100
        if scale is Scale.RELATIVE:
            return 0.0 if highest == 0 else raw / highest * 100
        return raw


def _factors(value: Iterable[ScorecardFactor]) -> tuple[ScorecardFactor, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True)
class Scorecard:
    """A team's prioritization formula: named factors and how they combine.

    Without a *formula* the factors combine Canny's way::

        score = mean(benefits) x percentages / mean(costs)

    where each mean is weighted by the factors' weights and taken over their
    normalized values, percentages multiply as fractions, and the division
    happens only if there are costs (each must be a number that cannot be 0).
    With a *formula* (``"reach * impact * confidence / effort"``), each name
    stands for its factor's ``weight x normalized value``; the text may hold
    numbers, factor names, ``+ - * /`` and parentheses, must use every factor,
    and may divide only by parts that cannot be 0 for any value the factors
    accept; a cost must divide or be subtracted (as written: ``effort / impact``
    with effort a cost is refused).  *name* labels the scorecard in tables.
    """

    factors: tuple[ScorecardFactor, ...] = attrs.field(converter=_factors)
    formula: str | None = None
    name: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.items("factors", self.factors, ScorecardFactor):
            if not self.factors:
                check.add("factors", "must name at least one factor")
            for name in duplicates(f.name for f in self.factors):
                check.add("factors", f"factor {name!r} is named more than once")
        if self.name is not None:
            check.text("name", self.name)
        if self.formula is not None and check.text("formula", self.formula):
            if not check.problems:
                self._check_formula(check)
        elif self.formula is None and not check.problems:
            self._check_weighted(check)
        check.done("Scorecard")

    def _check_weighted(self, check: Checker) -> None:
        benefits = [f for f in self.factors if _adds(f)]
        if not benefits:
            check.add("factors", "needs a benefit that is not a percentage (or a formula)")
        elif formula_language.total(f.weight for f in benefits) <= 0:
            check.add("factors", "needs a benefit with a weight above 0")
        weights = formula_language.total(float(f.weight) for f in self.factors)
        if not math.isfinite(weights):
            check.add("factors", "has weights that add up past the largest float: scale them down")
        for i, factor in enumerate(self.factors):
            if factor.scale is Scale.PERCENTAGE and factor.weight != 1:
                check.add(
                    ("factors", i, "weight"),
                    "must be 1 for a percentage: it multiplies the score, it is not weighed",
                )
            if factor.kind is FactorKind.COST and _weighted(factor).may_be_zero():
                check.add(
                    ("factors", i, "scale"),
                    "must not allow 0 for a cost, which divides the score: use the 'number' "
                    "scale with positive=True or a minimum above 0, and a weight above 0",
                )

    def _check_formula(self, check: Checker) -> None:
        assert self.formula is not None
        tree, problems = formula_language.parse(self.formula)
        for problem in problems:
            check.add("formula", f"at column {problem.column}: {problem.message}")
        if tree is None:
            return
        known = {f.name: f for f in self.factors}
        used = set()
        for ref in formula_language.names_in(tree):
            used.add(ref.name)
            if ref.name not in known:
                check.add(
                    "formula",
                    f"at column {ref.column}: {ref.name!r} is not a factor of the scorecard",
                )
        if check.problems:
            return
        for i, factor in enumerate(self.factors):
            if factor.name not in used:
                check.add(("factors", i), "is not used by the formula")
        for ref, sign in formula_language.signs(tree):
            if known[ref.name].kind is FactorKind.COST and sign > 0:
                check.add(
                    "formula",
                    f"at column {ref.column}: {ref.name!r} is a cost, but the formula "
                    "rewards it: divide by it or subtract it",
                )
        ranges = {name: _weighted(f) for name, f in known.items()}
        for problem in formula_language.check(tree, ranges):
            check.add("formula", f"at column {problem.column}: {problem.message}")

    def score(
        self,
        backlog: Backlog,
        estimates: Mapping[str, Mapping[str, float]] | None = None,
        *,
        feedback: Iterable[FeedbackItem] = (),
        customers: Iterable[Customer] | Mapping[str, Customer] = (),
        segments: Iterable[SegmentLike] = (),
    ) -> ScorecardRanking:
        """The themes of *backlog* and *estimates* ranked by this scorecard, each explained.

        *estimates* maps a theme to ``{factor name: value}``; a value given
        there takes precedence, evidence factors otherwise read the backlog
        (a theme only in the estimates has none: its counts, revenue and
        importance are 0), and other factors take their default.  A factor
        counting :attr:`Evidence.SEGMENT_VOICES` needs the *feedback* and
        *customers* behind the backlog and the *segments* it names.  Ties keep
        the backlog's order, then the theme's.  Raises
        :class:`~customer_model.ValidationError` for bad estimates (naming
        theme and factor), a value missing with no default, evidence outside
        its factor's range (which the formula's zero check relies on), and a score that
        overflows a float (naming the formula's step and the theme).
        """
        return _score(
            self, backlog, estimates, feedback=feedback, customers=customers, segments=segments
        )

    # -- presets ------------------------------------------------------------------

    @classmethod
    def rice(cls) -> Scorecard:
        """RICE (Intercom) as :func:`~customer_model.frameworks.rice` computes it.

        ``reach`` defaults to the theme's customer count (as
        :meth:`~customer_model.Backlog.rerank` does); ``impact`` is at least 0,
        ``confidence`` a fraction from 0 to 1, ``effort`` in person-months above 0.
        """
        return cls(
            (
                ScorecardFactor("reach", minimum=0, evidence=Evidence.CUSTOMER_COUNT),
                ScorecardFactor("impact", minimum=0),
                ScorecardFactor("confidence", minimum=0, maximum=1),
                ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
            ),
            "reach * impact * confidence / effort",
            name="RICE",
        )

    @classmethod
    def ice(cls, *, method: Literal["product", "mean"]) -> Scorecard:
        """ICE (Sean Ellis) as :func:`~customer_model.frameworks.ice` computes it.

        ``impact``, ``confidence`` and ``ease`` are rated 1 to 10; *method*
        picks the product or the mean of the three (they are not comparable).
        """
        if method not in ("product", "mean"):
            raise ValidationError.single("method", "must be 'product' or 'mean'", "ICE scorecard")
        text = {"product": "impact * confidence * ease", "mean": "(impact + confidence + ease) / 3"}
        names = ("impact", "confidence", "ease")
        factors = [ScorecardFactor(name, minimum=1, maximum=10) for name in names]
        return cls(factors, text[method], name=f"ICE ({method})")

    @classmethod
    def wsjf(cls) -> Scorecard:
        """WSJF (SAFe) as :func:`~customer_model.frameworks.wsjf` computes it.

        Cost of delay (``business_value + time_criticality + risk_reduction``,
        each at least 0) over a ``job_size`` above 0.
        """
        return cls(
            (
                ScorecardFactor("business_value", minimum=0),
                ScorecardFactor("time_criticality", minimum=0),
                ScorecardFactor("risk_reduction", minimum=0),
                ScorecardFactor("job_size", positive=True, kind=FactorKind.COST),
            ),
            "(business_value + time_criticality + risk_reduction) / job_size",
            name="WSJF",
        )

    @classmethod
    def value_effort(cls) -> Scorecard:
        """Value versus effort: a 0-10 ``value`` over an ``effort`` above 0, both as typed."""
        return cls(
            (
                ScorecardFactor("value", minimum=0, maximum=10),
                ScorecardFactor("effort", positive=True, kind=FactorKind.COST),
            ),
            "value / effort",
            name="value vs effort",
        )


def _weighing(card: Scorecard) -> formula_language.Weighing:
    """What the weighted combination needs of *card*, worked out once per ranking."""
    benefits = [f for f in card.factors if _adds(f)]
    costs = [f for f in card.factors if f.kind is FactorKind.COST]
    return formula_language.Weighing(
        [f.name for f in benefits],
        [f.name for f in card.factors if f.scale is Scale.PERCENTAGE],
        [f.name for f in costs],
        formula_language.total(f.weight for f in benefits),
        formula_language.total(f.weight for f in costs),
    )


def _adds(factor: ScorecardFactor) -> bool:
    """Whether *factor* is summed into the benefit mean of a weighted combination."""
    return factor.kind is FactorKind.BENEFIT and factor.scale is not Scale.PERCENTAGE


def _weighted(factor: ScorecardFactor) -> Interval:
    """The values ``weight x normalized value`` can take."""
    return factor.range() * Interval(float(factor.weight), float(factor.weight))


# -- scoring ---------------------------------------------------------------------------

_SUBJECT = "scorecard input"


def _score(
    card: Scorecard,
    backlog: Backlog,
    estimates: Mapping[str, Mapping[str, float]] | None,
    *,
    feedback: Iterable[FeedbackItem],
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[SegmentLike],
) -> ScorecardRanking:
    check = Checker()
    given_backlog: object = backlog
    if not isinstance(given_backlog, Backlog):
        check.add("backlog", f"must be a Backlog, not {type_name(given_backlog)}")
    given: object = {} if estimates is None else estimates
    if not isinstance(given, Mapping):
        check.add(
            "estimates", f"must be a mapping of theme to factor values, not {type_name(given)}"
        )
    check.done(_SUBJECT)
    assert isinstance(given, Mapping)
    typed = estimate_values(check, {f.name: f.check_value for f in card.factors}, given)
    check.done(_SUBJECT)

    if any(f.evidence is Evidence.REVENUE for f in card.factors):
        check_revenue(check, backlog)
        check.done(_SUBJECT)
    counted = {f.segment for f in card.factors if f.segment is not None}
    voices = segment_voices(backlog, feedback, customers, segments, counted)
    items = {item.theme: item for item in backlog}
    themes = [*items, *sorted(set(typed) - set(items))]
    raw = raw_values(check, card.factors, themes, typed, items, backlog=backlog, voices=voices)
    check.done(_SUBJECT)

    tree = None
    if card.formula is not None:
        tree, _ = formula_language.parse(card.formula)
        assert tree is not None  # the scorecard checked it
    weighing = _weighing(card) if tree is None else None
    weights = [(f.name, f.weight) for f in card.factors]
    highest = {f.name: max((raw[t][f.name] for t in themes), default=0.0) for f in card.factors}
    scored = []
    for theme in themes:
        normalized = {
            f.name: f._normalized(raw[theme][f.name], highest[f.name]) for f in card.factors
        }
        score, parts = formula_language.combine(
            check, weights, theme, normalized, tree=tree, weighing=weighing
        )
        if score is None:
            continue
        scored.append((theme, score, normalized, parts))
    check.done(_SUBJECT)
    position = {theme: i for i, theme in enumerate(themes)}
    scored.sort(key=lambda entry: (-entry[1], position[entry[0]]))
    ranked = []
    for rank, (theme, score, normalized, parts) in enumerate(scored, start=1):
        explanation = tuple(
            FactorPart(
                factor=f.name,
                raw=raw[theme][f.name],
                normalized=normalized[f.name],
                weight=float(f.weight),
                value=parts.get(f.name, 0.0),
                share=None if score == 0 else parts.get(f.name, 0.0) / score,
            )
            for f in card.factors
        )
        ranked.append(
            RankedTheme(
                theme=theme,
                rank=rank,
                score=score,
                explanation=explanation,
                constant=parts.get(None, 0.0),
            )
        )
    return ScorecardRanking(
        items=tuple(ranked),
        factors=tuple(f.name for f in card.factors),
        as_of=backlog.as_of,
        scorecard=card.name,
    )
