"""The raw values of scorecard factors: estimates as typed, and what a backlog says.

Estimates are checked against their factors' scales here.  Factors filled
from evidence read their raw values here too: customer
importance, customers, revenue in the policy currency, purchaser and user
voices from the :class:`~customer_model.BacklogItem`, and the voices of a
named segment counted again from the feedback the backlog lists, with the
backlog's own rule (one voice per person per theme, their latest item; every
anonymous item a voice of its own).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from customer_model._rule_inputs import in_segment, segment_list
from customer_model.backlog import Backlog, BacklogItem
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._text import all_identifiers
from customer_model.model._validation import Checker, some
from customer_model.model.customers import Customer, customer_index
from customer_model.model.feedback import FeedbackItem
from customer_model.model.segments import SegmentLike
from customer_model.prioritization._voices import voices_of

__all__ = ["check_revenue", "estimate_values", "evidence_value", "raw_values", "segment_voices"]

#: What a theme key must be (a theme is an identifier).
_THEME_RULE = "not blank, without white space at either end, valid Unicode text"
#: A factor's check of one raw value: problems go to the checker, the answer says if it passed.
ValueCheck = Callable[[Checker, tuple[str, ...], object], bool]


def estimate_values(
    check: Checker, factors: Mapping[str, ValueCheck], given: Mapping[object, object]
) -> dict[str, dict[str, float]]:
    """The estimates as floats by theme and factor, each checked by its factor."""
    names = ", ".join(factors)
    out: dict[str, dict[str, float]] = {}
    for theme, values in given.items():
        # A key that fails its check may be anything a user typed: it is told at the
        # mapping, never quoted in a path.
        if type(theme) is not str:
            check.add("estimates", f"keys must be theme strings, not {type_name(theme)}")
            continue
        if not all_identifiers((theme,)):
            check.add("estimates", f"keys must be themes: {_THEME_RULE}")
            continue
        if not isinstance(values, Mapping):
            check.add(
                ("estimates", theme),
                f"must be a mapping of factor name to number, not {type_name(values)}",
            )
            continue
        row: dict[str, float] = {}
        for name, value in values.items():
            if type(name) is not str:
                check.add(("estimates", theme), f"keys must be factor names, not {type_name(name)}")
            elif name not in factors:
                check.add(("estimates", theme), f"keys must be factors of the scorecard ({names})")
            elif factors[name](check, ("estimates", theme, name), value):
                assert isinstance(value, int | float)
                row[name] = float(value)
        out[theme] = row
    return out


class Factor(Protocol):
    """What :func:`raw_values` reads of a ``ScorecardFactor``."""

    @property
    def name(self) -> str: ...
    @property
    def evidence(self) -> enum.Enum | None: ...
    @property
    def segment(self) -> str | None: ...
    @property
    def default(self) -> float | None: ...
    def check_value(self, check: Checker, path: tuple[str, ...] | str, value: object) -> bool: ...


def raw_values(
    check: Checker,
    factors: Sequence[Factor],
    themes: Sequence[str],
    estimates: Mapping[str, Mapping[str, float]],
    items: Mapping[str, BacklogItem],
    *,
    backlog: Backlog,
    voices: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, float]]:
    """Theme -> factor -> raw value: the estimate, else the evidence, else the default.

    Problems go to *check*: a factor with none of them, and evidence outside
    its factor's range (the formula's zero check relies on the range).
    """
    raw: dict[str, dict[str, float]] = {theme: {} for theme in themes}
    missing: dict[str, list[str]] = {}
    outside: dict[tuple[int, str], list[str]] = {}
    for theme in themes:
        row = estimates.get(theme, {})
        for i, factor in enumerate(factors):
            if factor.name in row:
                raw[theme][factor.name] = row[factor.name]
            elif factor.evidence is not None:
                value = evidence_value(
                    factor.evidence.value,
                    factor.segment,
                    items.get(theme),
                    backlog=backlog,
                    voices=voices,
                )
                within = Checker()
                if not factor.check_value(within, (), value):
                    assert within.problems is not None
                    outside.setdefault((i, within.problems[0].message), []).append(theme)
                raw[theme][factor.name] = value
            elif factor.default is not None:
                raw[theme][factor.name] = float(factor.default)
            else:
                missing.setdefault(factor.name, []).append(theme)
    for name, absent in missing.items():
        check.add(
            "estimates", f"has no {name!r} for theme(s) {some(absent)} (and it has no default)"
        )
    for (i, message), absent in outside.items():
        check.add(
            ("factors", i, "evidence"),
            f"gives theme(s) {some(absent)} a value that {message}: estimate the factor "
            "for them or widen its range",
        )
    return raw


def evidence_value(
    evidence: str,
    segment: str | None,
    item: BacklogItem | None,
    *,
    backlog: Backlog,
    voices: Mapping[str, Mapping[str, int]],
) -> float:
    """The backlog's *evidence* (an ``Evidence`` value) for a theme; 0 for a theme nobody
    asked for."""
    if item is None:
        return 0.0
    if evidence == "customer_importance":
        return item.score
    if evidence == "customer_count":
        return float(item.customer_count)
    if evidence == "purchaser_voices":
        return float(item.purchaser_voices)
    if evidence == "user_voices":
        return float(item.user_voices)
    if evidence == "segment_voices":
        assert segment is not None
        return float(voices[segment].get(item.theme, 0))
    return _revenue(item, backlog)


def check_revenue(check: Checker, backlog: Backlog) -> None:
    """Whether the backlog's revenue can be put in one currency; problems go to *check*."""
    policy = backlog.policy
    codes = sorted({code for item in backlog for code in item.revenue})
    if policy.currency is None and len(codes) > 1:
        check.add(
            ("backlog", "policy", "currency"),
            f"is needed to weigh revenue in {', '.join(map(repr, codes))} together",
        )
    for code in codes:
        if policy.rate(code) is None:
            check.add(
                ("backlog", "policy", "exchange_rates"),
                f"has no rate from {code!r} to {policy.currency}",
            )


def _revenue(item: BacklogItem, backlog: Backlog) -> float:
    """The theme's revenue in the policy currency (as it is when the policy has none).

    :func:`check_revenue` has made sure every currency has a rate.
    """
    rate = backlog.policy.rate
    return math.fsum(float(amount) * (rate(code) or 0.0) for code, amount in item.revenue.items())


_SUBJECT = "scorecard input"


def segment_voices(
    backlog: Backlog,
    feedback: Iterable[FeedbackItem],
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[SegmentLike],
    wanted: set[str],
) -> dict[str, dict[str, int]]:
    """Segment id -> theme -> voices whose customer is in the segment at ``backlog.as_of``.

    The arguments are checked even when no segment is *wanted* (then nothing
    is counted): bad input is told wherever it is given.
    """
    check = Checker()
    index = customer_index(check, customers)
    # (position among the segments given, segment) for the segments counted
    rules = [(i, s) for i, s in enumerate(segment_list(check, segments)) if s.id in wanted]
    entries: object = feedback
    if isinstance(entries, str | bytes | Mapping) or not isinstance(entries, Iterable):
        check.add("feedback", not_an_iterable("FeedbackItem", entries, "feedback"))
        entries = ()
    by_id: dict[str, FeedbackItem] = {}
    repeated: set[str] = set()  # which item such an id means would hang on their order
    for i, entry in enumerate(entries):
        if not isinstance(entry, FeedbackItem):
            check.add(("feedback", i), f"must be a FeedbackItem, not {type_name(entry)}")
        elif entry.id in by_id:
            repeated.add(entry.id)
        else:
            by_id[entry.id] = entry
    if repeated:
        check.add("feedback", f"repeats the id(s) {some(sorted(repeated))}")
    absent = sorted(wanted - {s.id for _, s in rules})
    if absent:
        check.add(
            "segments",
            f"must include the segment(s) {some(absent)} whose voices the scorecard counts",
        )
    check.done(_SUBJECT)
    if not wanted:
        return {}
    counts: dict[str, dict[str, int]] = {s.id: {} for _, s in rules}
    unknown_items: list[str] = []
    unknown_customers: set[str] = set()
    for item in backlog:
        said: list[FeedbackItem] = []
        for fid in item.feedback_ids:
            entry = by_id.get(fid)
            if entry is None:
                unknown_items.append(fid)
            else:
                said.append(entry)
        # One voice per person, as prioritize counts them (the items share one theme).
        for voice in voices_of(said).latest:
            customer = index.get(voice.customer_id)
            if customer is None:
                unknown_customers.add(voice.customer_id)
                continue
            for i, rule in rules:
                if in_segment(rule, i, customer, backlog.as_of, _SUBJECT):
                    by_theme = counts[rule.id]
                    by_theme[item.theme] = by_theme.get(item.theme, 0) + 1
    if unknown_items:
        check.add("feedback", f"lacks item(s) the backlog counts: {some(sorted(unknown_items))}")
    if unknown_customers:
        check.add(
            "customers", f"lacks the customer(s) {some(sorted(unknown_customers))} of the voices"
        )
    check.done(_SUBJECT)
    return counts
