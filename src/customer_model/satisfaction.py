"""Satisfaction measures (NPS, CSAT, CES) and their breakdowns by role and segment.

The measures are pure functions of integer answers.  :class:`SurveyResponse`
records one answer from one respondent of one customer, and the breakdowns
compare groups of respondents: purchasers against users (their needs differ,
so their satisfaction can too) or one segment against another.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import attrs

from customer_model._display import html_table, short_items, text_table
from customer_model._rule_inputs import in_segment, segment_list
from customer_model.errors import Path, ValidationError
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._validation import (
    Checker,
    duplicates,
    exact_member,
    member_argument,
    to_tuple,
)
from customer_model.model.customers import Customer, Role, customer_index
from customer_model.model.segments import SegmentLike
from customer_model.model.surveys import (
    SurveyMeasure,
    SurveyMeasureValue,
    SurveyResponse,
    measure_member,
)
from customer_model.roles import roles_of

__all__ = [
    "GroupScore",
    "aggregate",
    "RoleBreakdown",
    "SegmentBreakdown",
    "SegmentScore",
    "ces",
    "csat",
    "nps",
    "satisfaction_by_role",
    "satisfaction_by_segment",
]


# -- the measures -----------------------------------------------------------------


def _integers(
    name: str, values: object, *, minimum: int, maximum: int, subject: str
) -> tuple[int, ...]:
    """The integers of the iterable *values*, each in ``[minimum, maximum]``, non-empty.

    Raises :class:`ValidationError` whose problems point at ``name`` (the
    argument) or ``name[i]`` (a bad element).  Strings, bytes and mappings are
    refused rather than split into characters or keys.  Integers of other
    types (NumPy's, as a pandas column gives them) count as the Python ints
    they equal; ``bool`` is not an integer here.
    """
    if isinstance(values, str | bytes | bytearray | Mapping) or not isinstance(values, Iterable):
        raise ValidationError.single(
            name, f"must be an iterable of integers, not {type_name(values)}", subject
        )
    out = tuple(values)
    if not all(type(v) is int for v in out):
        out = tuple(
            int(v) if type(v) is not bool and isinstance(v, numbers.Integral) else v for v in out
        )
    check = Checker()
    if not out:
        check.add(name, "must contain at least one score")
    for i, v in enumerate(out):
        if type(v) is not int:
            check.add((name, i), f"must be an integer, not {type_name(v)}")
        elif not minimum <= v <= maximum:
            check.add((name, i), f"must be between {minimum} and {maximum}")
    check.done(subject)
    return out  # every element checked above


def nps(scores: Iterable[int]) -> float:
    """Net Promoter Score (Bain): % promoters (9-10) minus % detractors (0-6).

    *scores* are integer answers from 0 to 10 (any iterable).  The result is
    in ``[-100, 100]`` and is not rounded.

    >>> nps([10, 9, 9, 10, 9, 8, 7, 6, 3, 0])
    20.0
    """
    values = _integers("scores", scores, minimum=0, maximum=10, subject="NPS scores")
    promoters = sum(1 for v in values if v >= 9)
    detractors = sum(1 for v in values if v <= 6)
    return (promoters - detractors) * 100 / len(values)


def csat(scores: Iterable[int]) -> float:
    """Customer satisfaction: the percentage of 4 and 5 answers on a 1-5 scale.

    >>> csat([5, 4, 4, 3, 1])
    60.0
    """
    values = _integers("scores", scores, minimum=1, maximum=5, subject="CSAT scores")
    return sum(1 for v in values if v >= 4) * 100 / len(values)


def ces(scores: Iterable[int]) -> float:
    """Customer Effort Score (CES 2.0): the arithmetic mean of 1-7 answers.

    The answers agree (7) or disagree (1) that the company made it easy to
    handle the issue, so higher is better.  The mean is the aggregation used
    here; some teams report the share of 5-7 answers instead.

    >>> ces([7, 6, 5, 2])
    5.0
    """
    values = _integers("scores", scores, minimum=1, maximum=7, subject="CES scores")
    return sum(values) / len(values)


_AGGREGATES: dict[SurveyMeasure, Callable[[Iterable[int]], float]] = {
    SurveyMeasure.NPS: nps,
    SurveyMeasure.CSAT: csat,
    SurveyMeasure.CES: ces,
}


def aggregate(measure: SurveyMeasure | SurveyMeasureValue, scores: Iterable[int]) -> float:
    """Score *scores* with *measure*'s function (:func:`nps`, :func:`csat` or :func:`ces`).

    *measure* is a :class:`~customer_model.SurveyMeasure` or its value (``"nps"``).
    """
    given = member_argument(SurveyMeasure, "measure", measure, "aggregate input")
    return _AGGREGATES[given](scores)


# -- results ----------------------------------------------------------------------


@attrs.frozen(slots=True)
class GroupScore:
    """A measure's value over a group of responses, and how many there were."""

    value: float
    count: int

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.number("value", self.value)
        check.integer("count", self.count, minimum=1)
        check.done("GroupScore")


def _cell(score: GroupScore | None, measure: SurveyMeasure) -> tuple[str, str]:
    if score is None:
        return "0", "n/a"
    # NPS runs from -100 to 100, so its sign always shows.
    value = f"{score.value:+.1f}" if measure is SurveyMeasure.NPS else f"{score.value:.1f}"
    return str(score.count), value


def _html_table(caption: str, measure: SurveyMeasure, rows: Iterable[tuple[str, str, str]]) -> str:
    return html_table(caption, ["Group", "Responses", measure.name], rows)


#: What each measure's value over a group can be: a share in percent, or a mean answer.
_VALUE_RANGES = {
    SurveyMeasure.NPS: (-100.0, 100.0),
    SurveyMeasure.CSAT: (0.0, 100.0),
    SurveyMeasure.CES: (1.0, 7.0),
}


def _check_values(
    check: Checker, measure: SurveyMeasure, scores: Iterable[tuple[Path, GroupScore | None]]
) -> None:
    """Each score's value within what *measure* can give (a breakdown loaded from JSON)."""
    low, high = _VALUE_RANGES[measure]
    for path, score in scores:
        if score is not None and not low <= score.value <= high:
            check.add((*path, "value"), f"must be between {low:g} and {high:g} for {measure.name}")


def _count(score: GroupScore | None) -> int:
    return 0 if score is None else score.count


#: The groups of a RoleBreakdown, overlapping ones first.
_GROUPS = ("overall", "purchasers", "users", "purchasers_only", "users_only", "both", "unknown")


@attrs.frozen(slots=True, kw_only=True)
class RoleBreakdown:
    """A satisfaction measure split by the respondent's role for their customer.

    The four disjoint groups are ``purchasers_only``, ``users_only``, ``both``
    (people who buy and use) and ``unknown`` (anonymous respondents and people
    the customer does not list).  ``purchasers`` and ``users`` are the
    overlapping groups of everyone who buys and everyone who uses: a person in
    both roles counts in both.  ``gap`` is ``purchasers.value - users.value``
    (positive when buyers are happier than users), ``None`` when either group
    has no responses.  A group without responses is ``None``.
    """

    measure: SurveyMeasure = attrs.field(converter=measure_member)
    overall: GroupScore | None
    purchasers: GroupScore | None
    users: GroupScore | None
    purchasers_only: GroupScore | None
    users_only: GroupScore | None
    both: GroupScore | None
    unknown: GroupScore | None
    gap: float | None

    def __attrs_post_init__(self) -> None:
        # Built by role_breakdown, but also loaded from JSON: keep what it promises.
        check = Checker()
        check.member("measure", self.measure, SurveyMeasure, values=True)
        for name in _GROUPS:
            check.instance(name, getattr(self, name), GroupScore, optional=True)
        if self.gap is not None:
            check.number("gap", self.gap)
        if not check.problems:  # every group a GroupScore or None: the gap can be checked
            buyers, users = self.purchasers, self.users
            expected = None if buyers is None or users is None else buyers.value - users.value
            if self.gap != expected:
                check.add("gap", "must be purchasers.value - users.value (None without both)")
            _check_values(check, self.measure, (((n,), getattr(self, n)) for n in _GROUPS))
            self._check_counts(check)
        check.done("RoleBreakdown")

    def _check_counts(self, check: Checker) -> None:
        """The overlapping groups and ``overall`` are made of the four disjoint ones."""
        only_buy, only_use = _count(self.purchasers_only), _count(self.users_only)
        both, unknown = _count(self.both), _count(self.unknown)
        totals = (
            ("overall", only_buy + only_use + both + unknown, "the four disjoint groups"),
            ("purchasers", only_buy + both, "purchasers_only and both"),
            ("users", only_use + both, "users_only and both"),
        )
        for name, total, parts in totals:
            if _count(getattr(self, name)) != total:
                check.add((name, "count"), f"must be the responses of {parts}")

    def _rows(self) -> list[tuple[str, str, str]]:
        return [
            (label, *_cell(getattr(self, name), self.measure))
            for label, name in (
                ("all respondents", "overall"),
                ("purchasers (incl. both)", "purchasers"),
                ("users (incl. both)", "users"),
                ("purchasers only", "purchasers_only"),
                ("users only", "users_only"),
                ("both roles", "both"),
                ("unknown or anonymous", "unknown"),
            )
        ]

    def _gap(self) -> str:
        return "n/a" if self.gap is None else f"{self.gap:+.1f}"

    def __str__(self) -> str:
        table = text_table(["group", "responses", self.measure.name], self._rows())
        return f"{table}\ngap (purchasers - users): {self._gap()}"

    def to_records(self) -> list[dict[str, str | int | float | None]]:
        """One row per group (always all seven, so the columns never change).

        Columns ``measure``, ``group`` (``overall``, ``purchasers``, ``users``,
        ``purchasers_only``, ``users_only``, ``both``, ``unknown``),
        ``responses`` (0 for a group without any) and ``value`` (``None`` then).
        """
        return [_score_record(self.measure, "group", name, getattr(self, name)) for name in _GROUPS]

    def _repr_html_(self) -> str:
        rows = [*self._rows(), ("gap (purchasers - users)", "", self._gap())]
        return _html_table(f"{self.measure.name} by role", self.measure, rows)


def _score_record(
    measure: SurveyMeasure, column: str, key: str | None, score: GroupScore | None
) -> dict[str, str | int | float | None]:
    return {
        "measure": measure.value,
        column: key,
        "responses": 0 if score is None else score.count,
        "value": None if score is None else score.value,
    }


def _segment_record(
    measure: SurveyMeasure, group: str, segment_id: str | None, score: GroupScore | None
) -> dict[str, str | int | float | None]:
    return {"measure": measure.value, "group": group} | _score_record(
        measure, "segment_id", segment_id, score
    )


@attrs.frozen(slots=True)
class SegmentScore:
    """A measure's value among the responses of one segment's customers."""

    segment_id: str
    score: GroupScore | None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("segment_id", self.segment_id)
        check.instance("score", self.score, GroupScore, optional=True)
        check.done("SegmentScore")


def _segment_scores(value: Iterable[SegmentScore]) -> tuple[SegmentScore, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True, kw_only=True)
class SegmentBreakdown:
    """A satisfaction measure per segment, in the order the segments were given.

    A customer may match several segments (or none), so the segment groups can
    overlap and need not add up to ``overall``.
    """

    measure: SurveyMeasure = attrs.field(converter=measure_member)
    overall: GroupScore | None
    segments: tuple[SegmentScore, ...] = attrs.field(converter=_segment_scores, repr=short_items)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.member("measure", self.measure, SurveyMeasure, values=True)
        check.instance("overall", self.overall, GroupScore, optional=True)
        if check.items("segments", self.segments, SegmentScore):
            for sid in duplicates(row.segment_id for row in self.segments):
                check.add("segments", f"segment {sid!r} is listed more than once")
        if not check.problems:
            rows = [(("segments", i, "score"), row.score) for i, row in enumerate(self.segments)]
            _check_values(check, self.measure, [(("overall",), self.overall), *rows])
            for path, score in rows:  # a segment's responses are some of all the responses
                if _count(score) > _count(self.overall):
                    check.add((*path, "count"), "must not exceed the overall count")
        check.done("SegmentBreakdown")

    def get(self, segment_id: str) -> GroupScore | None:
        """The score of the segment with id *segment_id*; ``None`` if it had no responses."""
        for row in self.segments:
            if row.segment_id == segment_id:
                return row.score
        raise ValidationError.single(
            "segment_id", "is not one of the breakdown's segments", "SegmentBreakdown"
        )

    def to_records(self) -> list[dict[str, str | int | float | None]]:
        """All respondents first, then one row per segment.

        Columns ``measure``, ``group`` (``overall``, then ``segment``: a
        ``groupby`` on ``segment_id`` alone would drop the overall row, whose
        ``segment_id`` is ``None``), ``segment_id``, ``responses`` (0 without
        any) and ``value`` (``None`` then).
        """
        rows = [_segment_record(self.measure, "overall", None, self.overall)]
        rows.extend(
            _segment_record(self.measure, "segment", row.segment_id, row.score)
            for row in self.segments
        )
        return rows

    def _rows(self) -> list[tuple[str, str, str]]:
        rows = [("all respondents", *_cell(self.overall, self.measure))]
        rows.extend((row.segment_id, *_cell(row.score, self.measure)) for row in self.segments)
        return rows

    def __str__(self) -> str:
        return text_table(["segment", "responses", self.measure.name], self._rows())

    def _repr_html_(self) -> str:
        return _html_table(f"{self.measure.name} by segment", self.measure, self._rows())


# -- breakdowns -------------------------------------------------------------------


def _responses(
    check: Checker, responses: object, index: Mapping[str, Customer], measure: object
) -> list[SurveyResponse]:
    """The responses that answer *measure*, after checking every response."""
    check.member("measure", measure, SurveyMeasure, values=True)
    if isinstance(responses, str | bytes | Mapping) or not isinstance(responses, Iterable):
        check.add("responses", not_an_iterable("SurveyResponse", responses, "responses"))
        return []
    out: list[SurveyResponse] = []
    for i, response in enumerate(responses):
        if not isinstance(response, SurveyResponse):
            check.add(("responses", i), f"must be a SurveyResponse, not {type_name(response)}")
        elif response.customer_id not in index:
            check.add(
                ("responses", i, "customer_id"),
                f"refers to customer {response.customer_id!r}, which is not among the customers",
            )
        elif response.measure is measure:
            out.append(response)
    return out


def _score(measure: SurveyMeasure, scores: list[int]) -> GroupScore | None:
    if not scores:
        return None
    return GroupScore(aggregate(measure, scores), len(scores))


def satisfaction_by_role(
    responses: Iterable[SurveyResponse],
    customers: Iterable[Customer] | Mapping[str, Customer],
    *,
    measure: SurveyMeasure | SurveyMeasureValue = SurveyMeasure.NPS,
) -> RoleBreakdown:
    """Score *measure* separately for purchasers, users, both and unknown respondents.

    A respondent's role comes from :func:`~customer_model.roles_of` for the
    response's own customer.  Responses to other measures are ignored; every
    response must belong to one of *customers* (a list, or a mapping by id).
    See :class:`RoleBreakdown` for the groups and the gap.  *measure* may be
    given by its value (``"csat"``).
    """
    measure = exact_member(SurveyMeasure, measure)
    check = Checker()
    index = customer_index(check, customers)
    chosen = _responses(check, responses, index, measure)
    check.done("satisfaction by role input")
    groups: dict[str, list[int]] = {
        "purchasers_only": [],
        "users_only": [],
        "both": [],
        "unknown": [],
    }
    for response in chosen:
        roles = roles_of(index[response.customer_id], response.respondent_id)
        if roles == {Role.PURCHASER, Role.USER}:
            groups["both"].append(response.score)
        elif Role.PURCHASER in roles:
            groups["purchasers_only"].append(response.score)
        elif Role.USER in roles:
            groups["users_only"].append(response.score)
        else:
            groups["unknown"].append(response.score)
    purchasers = _score(measure, groups["purchasers_only"] + groups["both"])
    users = _score(measure, groups["users_only"] + groups["both"])
    return RoleBreakdown(
        measure=measure,
        overall=_score(measure, [r.score for r in chosen]),
        purchasers=purchasers,
        users=users,
        purchasers_only=_score(measure, groups["purchasers_only"]),
        users_only=_score(measure, groups["users_only"]),
        both=_score(measure, groups["both"]),
        unknown=_score(measure, groups["unknown"]),
        gap=None if purchasers is None or users is None else purchasers.value - users.value,
    )


def satisfaction_by_segment(
    responses: Iterable[SurveyResponse],
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[SegmentLike],
    *,
    as_of: datetime | None = None,
    measure: SurveyMeasure | SurveyMeasureValue = SurveyMeasure.NPS,
) -> SegmentBreakdown:
    """Score *measure* among the responses of each segment's customers.

    A response belongs to a segment when ``segment.matches(customer,
    as_of=as_of)`` holds for its customer; *as_of*, an aware datetime as every
    segment takes, is passed through unchanged (rules such as recency need a
    reference time, and the library never reads the clock).  Segments with no
    matching responses score ``None``.  *measure* may be given by its value.
    """
    measure = exact_member(SurveyMeasure, measure)
    check = Checker()
    index = customer_index(check, customers)
    chosen = _responses(check, responses, index, measure)
    rules: list[SegmentLike] = segment_list(check, segments, ordered=True)
    check.aware("as_of", as_of, optional=True)  # what Segment.matches takes
    check.done("satisfaction by segment input")
    assert isinstance(measure, SurveyMeasure)
    rows: list[SegmentScore] = []
    for i, segment in enumerate(rules):
        members: dict[str, bool] = {}
        scores: list[int] = []
        for response in chosen:
            cid = response.customer_id
            if cid not in members:
                members[cid] = in_segment(
                    segment, i, index[cid], as_of, "satisfaction by segment input"
                )
            if members[cid]:
                scores.append(response.score)
        rows.append(SegmentScore(segment.id, _score(measure, scores)))
    return SegmentBreakdown(
        measure=measure,
        overall=_score(measure, [r.score for r in chosen]),
        segments=tuple(rows),
    )
