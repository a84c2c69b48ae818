"""Prioritization frameworks: RICE, ICE, WSJF, Kano, opportunity scores and MoSCoW.

Each framework is a pure function of plain numbers (or enum members) that
follows its published formula exactly.  Inputs are validated: a ``bool``, a
non-finite number, a value of the wrong type or one outside the framework's
scale raises :class:`~customer_model.ValidationError` whose problem paths name
the offending argument.  Nothing is rescaled or re-normalized behind the
caller's back.  Finite inputs whose score would not fit in a float (such as
``rice(1e308, 3, 1, 0.5)``) raise a ValidationError too, rather than return
infinity.
"""

from __future__ import annotations

import enum
import functools
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import attrs

from customer_model.errors import ValidationError
from customer_model.model._member_keys import bad_member_key, member_keys
from customer_model.model._messages import type_name
from customer_model.model._validation import Checker, exact_member

__all__ = [
    "KANO_PRIORITY",
    "IceEstimate",
    "KanoAnswer",
    "KanoAnswerValue",
    "KanoCategory",
    "KanoCategoryValue",
    "KanoCoefficients",
    "KanoResult",
    "MoSCoW",
    "RiceConfidence",
    "RiceEstimate",
    "RiceImpact",
    "WsjfEstimate",
    "cost_of_delay",
    "ice",
    "kano_category",
    "kano_classify",
    "kano_coefficients",
    "opportunity_score",
    "rice",
    "wsjf",
]


def _plain(value: object) -> Any:
    """A real number of another type (NumPy's, as ``df.apply`` passes) as the int or float
    it equals; anything else, bools included, as given, for the checks to refuse."""
    if type(value) in (int, float) or type(value) is bool or not isinstance(value, numbers.Real):
        return value
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _score(compute: Callable[[], float], subject: str) -> float:
    """The score, or a ValidationError when finite inputs overflow a float."""
    try:
        value = float(compute())
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise ValidationError.single(
            (), "the result overflows a float: scale the estimates down", subject
        )
    return value


# -- RICE -------------------------------------------------------------------------


class RiceImpact(enum.Enum):
    """Intercom's impact scale for RICE: how much one reached person is moved."""

    MASSIVE = 3.0
    HIGH = 2.0
    MEDIUM = 1.0
    LOW = 0.5
    MINIMAL = 0.25


class RiceConfidence(enum.Enum):
    """Intercom's confidence levels for RICE, as fractions (100%, 80%, 50%).

    Intercom treats anything below 50% as a moonshot; :func:`rice` still
    accepts any fraction in ``[0, 1]``.
    """

    HIGH = 1.0
    MEDIUM = 0.8
    LOW = 0.5


def rice(
    reach: float,
    impact: float | RiceImpact,
    confidence: float | RiceConfidence,
    effort: float,
) -> float:
    """RICE score (Intercom): ``reach * impact * confidence / effort``.

    *reach* is people or events per period (for example customers per
    quarter), at least 0.  *impact* is at least 0, usually a
    :class:`RiceImpact` level (3, 2, 1, 0.5, 0.25).  *confidence* is a fraction
    in ``[0, 1]`` (pass ``0.8`` for 80%, or a :class:`RiceConfidence`).
    *effort* is in person-months (Intercom's smallest unit is half a month) and
    must be greater than 0.

    >>> rice(500, RiceImpact.HIGH, RiceConfidence.MEDIUM, 2)
    400.0
    """
    reach, effort = _plain(reach), _plain(effort)
    impact = impact.value if isinstance(impact, RiceImpact) else _plain(impact)
    confidence = confidence.value if isinstance(confidence, RiceConfidence) else _plain(confidence)
    check = Checker()
    check.number("reach", reach, minimum=0)
    check.number("impact", impact, minimum=0)
    check.number("confidence", confidence, minimum=0, maximum=1)
    check.number("effort", effort, positive=True)
    check.done("RICE input")
    return _score(lambda: reach * impact * confidence / effort, "RICE input")


# -- ICE --------------------------------------------------------------------------

IceMethod = Literal["product", "mean"]


def ice(
    impact: float,
    confidence: float,
    ease: float,
    *,
    method: IceMethod,
) -> float:
    """ICE score (Sean Ellis): impact, confidence and ease, each rated 1 to 10.

    Two conventions are in use and the caller must pick one, because their
    results are not comparable: ``method="mean"`` averages the three ratings
    (as in *Hacking Growth*; the result stays on the 1-10 scale) and
    ``method="product"`` multiplies them (as many tools do; 1-1000).

    >>> ice(8, 6, 4, method="mean")
    6.0
    >>> ice(8, 6, 4, method="product")
    192.0
    """
    impact, confidence, ease = map(_plain, (impact, confidence, ease))
    check = Checker()
    for name, value in (("impact", impact), ("confidence", confidence), ("ease", ease)):
        check.number(name, value, minimum=1, maximum=10)
    given: object = method  # an array of one would pass a plain ``in``
    if not (type(given) is str and given in ("product", "mean")):
        check.add("method", "must be 'product' or 'mean'")
    check.done("ICE input")
    if method == "mean":
        return (impact + confidence + ease) / 3
    return float(impact * confidence * ease)


# -- WSJF -------------------------------------------------------------------------


def _cost_of_delay(
    check: Checker, business_value: float, time_criticality: float, risk_reduction: float
) -> None:
    check.number("business_value", business_value, minimum=0)
    check.number("time_criticality", time_criticality, minimum=0)
    check.number("risk_reduction", risk_reduction, minimum=0)


def cost_of_delay(business_value: float, time_criticality: float, risk_reduction: float) -> float:
    """Cost of delay as SAFe sums it: user-business value + time criticality + risk
    reduction / opportunity enablement, each a relative estimate of at least 0.

    >>> cost_of_delay(8, 5, 3)
    16.0
    """
    parts = map(_plain, (business_value, time_criticality, risk_reduction))
    business_value, time_criticality, risk_reduction = parts
    check = Checker()
    _cost_of_delay(check, business_value, time_criticality, risk_reduction)
    check.done("cost of delay input")
    return _score(lambda: business_value + time_criticality + risk_reduction, "cost of delay input")


def wsjf(
    business_value: float,
    time_criticality: float,
    risk_reduction: float,
    job_size: float,
) -> float:
    """Weighted Shortest Job First (SAFe, after Reinertsen): cost of delay ÷ job size.

    The estimates are used as given (typically modified Fibonacci numbers
    1, 2, 3, 5, 8, 13, 20); they are never re-normalized against other jobs, so
    scores are only comparable within one consistently estimated backlog.
    *job_size* must be greater than 0.

    >>> wsjf(8, 5, 3, job_size=4)
    4.0
    """
    parts = map(_plain, (business_value, time_criticality, risk_reduction, job_size))
    business_value, time_criticality, risk_reduction, job_size = parts
    check = Checker()
    _cost_of_delay(check, business_value, time_criticality, risk_reduction)
    check.number("job_size", job_size, positive=True)
    check.done("WSJF input")
    return _score(
        lambda: (business_value + time_criticality + risk_reduction) / job_size, "WSJF input"
    )


# -- Kano -------------------------------------------------------------------------


class KanoAnswer(enum.Enum):
    """The five answers to a Kano question, for the feature present or absent."""

    #: "I like it that way."
    LIKE = "like"
    #: "It must be that way" / "I expect it."
    EXPECT = "expect"
    #: "I am neutral."
    NEUTRAL = "neutral"
    #: "I can live with it that way."
    TOLERATE = "tolerate"
    #: "I dislike it that way."
    DISLIKE = "dislike"


#: A :class:`KanoAnswer`'s value, which the Kano functions accept for it.
KanoAnswerValue = Literal["like", "expect", "neutral", "tolerate", "dislike"]


class KanoCategory(enum.Enum):
    """Where the Kano evaluation table puts a pair of answers."""

    #: Delights when present, not missed when absent.
    ATTRACTIVE = "attractive"
    #: The more the better: satisfies when present, dissatisfies when absent.
    ONE_DIMENSIONAL = "one_dimensional"
    #: Taken for granted: only noticed when missing.
    MUST_BE = "must_be"
    #: Makes no difference either way.
    INDIFFERENT = "indifferent"
    #: The respondent prefers the feature absent.
    REVERSE = "reverse"
    #: Contradictory answers (liking or disliking both presence and absence).
    QUESTIONABLE = "questionable"

    @property
    def code(self) -> str:
        """The one-letter code used in the literature: A, O, M, I, R or Q."""
        return _KANO_CODES[self]


#: A :class:`KanoCategory`'s value, which :func:`kano_coefficients` accepts for it.
KanoCategoryValue = Literal[
    "attractive", "one_dimensional", "must_be", "indifferent", "reverse", "questionable"
]


_KANO_CODES = {
    KanoCategory.ATTRACTIVE: "A",
    KanoCategory.ONE_DIMENSIONAL: "O",
    KanoCategory.MUST_BE: "M",
    KanoCategory.INDIFFERENT: "I",
    KanoCategory.REVERSE: "R",
    KanoCategory.QUESTIONABLE: "Q",
}

_A, _O, _M, _I, _R, _Q = (
    KanoCategory.ATTRACTIVE,
    KanoCategory.ONE_DIMENSIONAL,
    KanoCategory.MUST_BE,
    KanoCategory.INDIFFERENT,
    KanoCategory.REVERSE,
    KanoCategory.QUESTIONABLE,
)

#: The Kano evaluation table (Berger et al. 1993): rows are the functional
#: answer, columns the dysfunctional answer, both in KanoAnswer order
#: (like, expect, neutral, tolerate, dislike).
_KANO_TABLE: dict[KanoAnswer, tuple[KanoCategory, ...]] = {
    KanoAnswer.LIKE: (_Q, _A, _A, _A, _O),
    KanoAnswer.EXPECT: (_R, _I, _I, _I, _M),
    KanoAnswer.NEUTRAL: (_R, _I, _I, _I, _M),
    KanoAnswer.TOLERATE: (_R, _I, _I, _I, _M),
    KanoAnswer.DISLIKE: (_R, _R, _R, _R, _Q),
}
_KANO_COLUMN = {answer: i for i, answer in enumerate(KanoAnswer)}

#: Tie-break for the most frequent category: M > O > A > I, then R > Q.
KANO_PRIORITY: tuple[KanoCategory, ...] = (_M, _O, _A, _I, _R, _Q)


def kano_category(
    functional: KanoAnswer | KanoAnswerValue, dysfunctional: KanoAnswer | KanoAnswerValue
) -> KanoCategory:
    """Classify one respondent's answers with the Kano evaluation table.

    *functional* answers "how do you feel if the product has this feature?",
    *dysfunctional* "… if it does not?".  Each may be given by its value
    (``"like"``).

    >>> kano_category(KanoAnswer.LIKE, KanoAnswer.DISLIKE)
    <KanoCategory.ONE_DIMENSIONAL: 'one_dimensional'>
    >>> kano_category("like", "dislike")
    <KanoCategory.ONE_DIMENSIONAL: 'one_dimensional'>
    """
    check = Checker()
    answers = (exact_member(KanoAnswer, functional), exact_member(KanoAnswer, dysfunctional))
    for name, answer in zip(("functional", "dysfunctional"), answers, strict=True):
        check.member(name, answer, KanoAnswer, values=True)
    check.done("Kano answers")
    return _KANO_TABLE[answers[0]][_KANO_COLUMN[answers[1]]]


@attrs.frozen(slots=True)
class KanoCoefficients:
    """Berger et al.'s customer-satisfaction coefficients for one feature.

    ``better`` in ``[0, 1]`` is how much satisfaction rises when the feature is
    present; ``worse`` in ``[-1, 0]`` how much it falls when it is absent.
    """

    better: float
    worse: float

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.number("better", self.better, minimum=0, maximum=1)
        check.number("worse", self.worse, minimum=-1, maximum=0)
        check.done("KanoCoefficients")


def _kano_counts(check: Checker, counts: object) -> dict[KanoCategory, int]:
    if not isinstance(counts, Mapping):
        check.add("counts", f"must be a mapping of KanoCategory to count, not {type_name(counts)}")
        return {}
    out = dict.fromkeys(KanoCategory, 0)
    # A category's value as its member, as the policy's weights take them.
    for key, value in member_keys(KanoCategory, counts).items():
        if not isinstance(key, KanoCategory):
            check.add("counts", bad_member_key(key, KanoCategory))
        elif check.integer(("counts", key.value), value, minimum=0):
            out[key] = value
    return out


def kano_coefficients(
    counts: Mapping[KanoCategory, int] | Mapping[KanoCategoryValue, int],
) -> KanoCoefficients:
    """Better and worse coefficients from category counts (Berger et al. 1993).

    ``better = (A + O) / (A + O + M + I)`` and
    ``worse = -(O + M) / (A + O + M + I)``; reverse and questionable answers
    are left out.  Missing categories count 0.  A zero denominator (no A, O, M
    or I answers) raises :class:`~customer_model.ValidationError`.

    >>> c = kano_coefficients({KanoCategory.ATTRACTIVE: 6, KanoCategory.MUST_BE: 2,
    ...                        KanoCategory.INDIFFERENT: 2})
    >>> c.better, c.worse
    (0.6, -0.2)
    """
    check = Checker()
    n = _kano_counts(check, counts)
    check.done("Kano counts")
    a, o, m, i = n[_A], n[_O], n[_M], n[_I]
    denominator = a + o + m + i
    if denominator == 0:
        raise ValidationError.single(
            "counts",
            "needs at least one attractive, one-dimensional, must-be or indifferent answer",
            "Kano counts",
        )
    return KanoCoefficients(better=(a + o) / denominator, worse=-(o + m) / denominator)


@attrs.frozen(slots=True, kw_only=True, repr=False)
class KanoResult:
    """How many respondents fall into each Kano category for one feature.

    :attr:`category` is the most frequent category; ties are broken by the
    fixed order M > O > A > I > R > Q (:data:`KANO_PRIORITY`), the usual
    "must-be, then one-dimensional, then attractive, then indifferent" rule:
    when in doubt, treat a feature as the more basic requirement.
    """

    attractive: int = 0
    one_dimensional: int = 0
    must_be: int = 0
    indifferent: int = 0
    reverse: int = 0
    questionable: int = 0

    def __attrs_post_init__(self) -> None:
        check = Checker()
        for category in KanoCategory:
            check.integer(category.value, getattr(self, category.value), minimum=0)
        check.done("KanoResult")
        if self.total == 0:
            raise ValidationError.single((), "needs at least one answer", "KanoResult")

    @property
    def counts(self) -> Mapping[KanoCategory, int]:
        """Counts keyed by category, in :class:`KanoCategory` order."""
        return {category: getattr(self, category.value) for category in KanoCategory}

    @property
    def total(self) -> int:
        """Number of respondents."""
        return sum(getattr(self, category.value) for category in KanoCategory)

    @property
    def category(self) -> KanoCategory:
        """The most frequent category, ties broken M > O > A > I > R > Q."""
        counts = self.counts
        return max(KANO_PRIORITY, key=lambda c: (counts[c], -KANO_PRIORITY.index(c)))

    @property
    def coefficients(self) -> KanoCoefficients | None:
        """Better/worse coefficients, or ``None`` if every answer was R or Q."""
        if self.attractive + self.one_dimensional + self.must_be + self.indifferent == 0:
            return None
        return kano_coefficients(self.counts)

    def __repr__(self) -> str:
        counts = ", ".join(f"{c.code}={n}" for c, n in self.counts.items())
        return f"KanoResult({counts}, category={self.category.code})"


def kano_classify(
    pairs: Iterable[tuple[KanoAnswer | KanoAnswerValue, KanoAnswer | KanoAnswerValue]],
) -> KanoResult:
    """Classify many respondents' (functional, dysfunctional) answer pairs.

    Each answer may be given by its value (``"like"``).

    >>> r = kano_classify([(KanoAnswer.LIKE, KanoAnswer.NEUTRAL)] * 3
    ...                   + [(KanoAnswer.EXPECT, KanoAnswer.DISLIKE)] * 3)
    >>> r
    KanoResult(A=3, O=0, M=3, I=0, R=0, Q=0, category=M)
    >>> r.coefficients
    KanoCoefficients(better=0.5, worse=-0.5)
    """
    if isinstance(pairs, str | bytes | Mapping) or not isinstance(pairs, Iterable):
        raise ValidationError.single(
            "pairs", f"must be an iterable of answer pairs, not {type_name(pairs)}", "Kano answers"
        )
    check = Checker()
    counts = dict.fromkeys(KanoCategory, 0)
    seen = False
    raw: Iterable[object] = pairs
    for i, pair in enumerate(raw):
        seen = True
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            check.add(("pairs", i), "must be a (functional, dysfunctional) pair")
            continue
        functional, dysfunctional = (exact_member(KanoAnswer, answer) for answer in pair)
        given: tuple[object, object] = (functional, dysfunctional)  # untyped callers
        for j, answer in enumerate(given):
            check.member(("pairs", i, j), answer, KanoAnswer, values=True)
        if all(isinstance(answer, KanoAnswer) for answer in given):
            counts[_KANO_TABLE[functional][_KANO_COLUMN[dysfunctional]]] += 1
    if not seen:
        check.add("pairs", "must contain at least one answer pair")
    check.done("Kano answers")
    return KanoResult(**{c.value: n for c, n in counts.items()})


# -- Opportunity score ------------------------------------------------------------


def opportunity_score(importance: float, satisfaction: float) -> float:
    """Ulwick's opportunity score (Outcome-Driven Innovation).

    ``importance + max(importance - satisfaction, 0)``, both on 0-10, so the
    score is between 0 and 20.  Over-served outcomes (satisfaction above
    importance) are not penalized: they score their importance.

    >>> opportunity_score(8, 3)
    13.0
    """
    importance, satisfaction = _plain(importance), _plain(satisfaction)
    check = Checker()
    check.number("importance", importance, minimum=0, maximum=10)
    check.number("satisfaction", satisfaction, minimum=0, maximum=10)
    check.done("opportunity score input")
    return float(importance + max(importance - satisfaction, 0))


# -- MoSCoW -----------------------------------------------------------------------


@functools.total_ordering
class MoSCoW(enum.Enum):
    """DSDM's MoSCoW priorities, ordered like ranks: MUST comes first.

    Comparison follows rank, not "amount of priority": ``MUST < SHOULD <
    COULD < WONT``, so ``sorted()`` lists must-haves first and ``min()`` gives
    the highest priority.  :attr:`rank` is 1 for ``MUST`` to 4 for ``WONT``.
    """

    MUST = "must"
    SHOULD = "should"
    COULD = "could"
    #: Won't have this time.
    WONT = "wont"

    @property
    def rank(self) -> int:
        """1 for ``MUST`` (do first) up to 4 for ``WONT``."""
        return _MOSCOW_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, MoSCoW):
            return NotImplemented
        return _MOSCOW_RANK[self] < _MOSCOW_RANK[other]


_MOSCOW_RANK = {member: i for i, member in enumerate(MoSCoW, start=1)}


# -- estimates for re-ranking --------------------------------------------------------


@attrs.frozen(slots=True, kw_only=True)
class RiceEstimate:
    """RICE inputs for one theme; ``reach=None`` uses the theme's customer count."""

    impact: float
    confidence: float
    effort: float
    reach: float | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if self.reach is not None:
            check.number("reach", self.reach, minimum=0)
        check.number("impact", self.impact, minimum=0)
        check.number("confidence", self.confidence, minimum=0, maximum=1)
        check.number("effort", self.effort, positive=True)
        check.done("RiceEstimate")


@attrs.frozen(slots=True, kw_only=True)
class IceEstimate:
    """ICE ratings for one theme, each 1 to 10."""

    impact: float
    confidence: float
    ease: float

    def __attrs_post_init__(self) -> None:
        check = Checker()
        for name in ("impact", "confidence", "ease"):
            check.number(name, getattr(self, name), minimum=1, maximum=10)
        check.done("IceEstimate")


@attrs.frozen(slots=True, kw_only=True)
class WsjfEstimate:
    """WSJF estimates for one theme: the three cost-of-delay parts and the job size."""

    business_value: float
    time_criticality: float
    risk_reduction: float
    job_size: float

    def __attrs_post_init__(self) -> None:
        check = Checker()
        for name in ("business_value", "time_criticality", "risk_reduction"):
            check.number(name, getattr(self, name), minimum=0)
        check.number("job_size", self.job_size, positive=True)
        check.done("WsjfEstimate")


_ESTIMATE_TYPES: dict[str, type[RiceEstimate | IceEstimate | WsjfEstimate]] = {
    "rice": RiceEstimate,
    "ice": IceEstimate,
    "wsjf": WsjfEstimate,
}
