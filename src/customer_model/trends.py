"""Feedback volume over calendar periods, and the themes that are rising.

Periods are calendar weeks (ISO weeks, Monday to Sunday), months or quarters
in a time zone the caller chooses (UTC by default): an item belongs to the
period that contains its local date in that zone.  Calendar arithmetic uses
python-dateutil's ``relativedelta``.  Everything here is pure: ``as_of`` is an
argument, never the clock.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Literal

import attrs
from dateutil.relativedelta import MO, relativedelta

from customer_model._display import html_table, printable, short_items, short_mapping, text_table
from customer_model.errors import Path, ValidationError
from customer_model.model._frozenmap import FrozenMap, freeze
from customer_model.model._messages import not_an_iterable, type_name
from customer_model.model._moments import ZONE_ERRORS, is_aware
from customer_model.model._validation import (
    INT64_MAX,
    Checker,
    checked_items,
    exact_member,
    to_tuple,
)
from customer_model.model.feedback import FeedbackItem

__all__ = [
    "CalendarPeriod",
    "Granularity",
    "GranularityValue",
    "ThemeTrend",
    "VolumeTable",
    "feedback_volume",
    "rising_themes",
    "trend_records",
]


#: A :class:`Granularity` by its value, as the functions that take one accept it.
GranularityValue = Literal["week", "month", "quarter"]


class Granularity(enum.Enum):
    """The length of a calendar period."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"

    @property
    def step(self) -> relativedelta:
        """The distance from one period's start to the next."""
        return _STEPS[self]

    def start_of(self, day: date) -> date:
        """The first day of the period that contains *day* (a date, not a datetime)."""
        if type(day) is not date:
            check = Checker()
            check.day("day", day)
            check.done("Granularity.start_of input")
        if self is Granularity.WEEK:
            return day + relativedelta(weekday=MO(-1))
        if self is Granularity.MONTH:
            return day.replace(day=1)
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def _granularity(value: object) -> Granularity:
    """A granularity given by its member or its exact value (``"week"``), as enum fields take."""
    return value if type(value) is Granularity else exact_member(Granularity, value)


_STEPS = {
    Granularity.WEEK: relativedelta(weeks=1),
    Granularity.MONTH: relativedelta(months=1),
    Granularity.QUARTER: relativedelta(months=3),
}


@attrs.frozen(slots=True, order=True)
class CalendarPeriod:
    """One calendar period: its first day and its granularity; ``end`` is exclusive."""

    start: date
    granularity: Granularity = attrs.field(order=False, converter=_granularity)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.day("start", self.start)
        check.member("granularity", self.granularity, Granularity, values=True)
        check.done("CalendarPeriod")
        if self.granularity.start_of(self.start) != self.start:
            raise ValidationError.single(
                "start", f"must be the first day of a {self.granularity.value}", "CalendarPeriod"
            )

    @classmethod
    def containing(cls, day: date, granularity: Granularity | GranularityValue) -> CalendarPeriod:
        """The period of *granularity* (or its value) that contains *day* (a date)."""
        granularity = _granularity(granularity)
        check = Checker()
        check.day("day", day)
        check.member("granularity", granularity, Granularity, values=True)
        check.done("CalendarPeriod.containing input")
        return cls(granularity.start_of(day), granularity)

    @property
    def end(self) -> date:
        """The first day after the period.

        Raises :class:`~customer_model.ValidationError` for the last period of
        year 9999, whose end is past the last date Python can represent.
        """
        return self._shifted(1, "next")

    @property
    def label(self) -> str:
        """``2026-W14`` (ISO week), ``2026-04`` or ``2026-Q2``.

        The year has four digits (``0999-12``), so labels of one granularity
        sort as text in the order of their periods.
        """
        if self.granularity is Granularity.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year:04d}-W{week:02d}"
        if self.granularity is Granularity.MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        return f"{self.start.year:04d}-Q{(self.start.month - 1) // 3 + 1}"

    def next(self) -> CalendarPeriod:
        """The period right after this one."""
        return CalendarPeriod(self.end, self.granularity)

    def previous(self) -> CalendarPeriod:
        """The period right before this one.

        Raises :class:`~customer_model.ValidationError` for the first period of
        year 1: nothing comes before it in Python's calendar.
        """
        return CalendarPeriod(self._shifted(-1, "previous"), self.granularity)

    def _shifted(self, sign: int, which: str) -> date:
        try:
            return self.start + sign * self.granularity.step
        except (OverflowError, ValueError):  # past date.min or date.max
            raise ValidationError.single(
                "start",
                f"has no {which} {self.granularity.value} within years 1 to 9999",
                "CalendarPeriod",
            ) from None

    def __str__(self) -> str:
        return self.label


def _periods(value: Iterable[CalendarPeriod]) -> tuple[CalendarPeriod, ...]:
    return to_tuple(value)


def _themes(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _after(period: CalendarPeriod) -> CalendarPeriod | None:
    """The next period, or ``None`` at the end of the calendar."""
    try:
        return period.next()
    except ValidationError:
        return None


@attrs.frozen(slots=True, kw_only=True)
class VolumeTable:
    """Feedback items per theme per period, over a contiguous run of periods.

    ``counts[theme]`` is aligned with ``periods``; periods without feedback
    count 0.  Themes are sorted.
    """

    granularity: Granularity = attrs.field(converter=_granularity)
    periods: tuple[CalendarPeriod, ...] = attrs.field(converter=_periods, repr=short_items)
    themes: tuple[str, ...] = attrs.field(converter=_themes, repr=short_items)
    counts: Mapping[str, tuple[int, ...]] = attrs.field(converter=freeze, repr=short_mapping)

    def __attrs_post_init__(self) -> None:
        # Built by feedback_volume, but also loaded from JSON: keep the shape it promises.
        check = Checker()
        check.member("granularity", self.granularity, Granularity, values=True)
        periods_ok = check.items("periods", self.periods, CalendarPeriod)
        if periods_ok:
            for i, period in enumerate(self.periods):
                if period.granularity is not self.granularity:
                    check.add(("periods", i), "must have the table's granularity")
                elif i and _after(self.periods[i - 1]) != period:
                    check.add(("periods", i), "must be the period right after the one before")
        themes_ok = check.items("themes", self.themes, str)
        if themes_ok:
            for i, theme in enumerate(self.themes):
                check.ident(("themes", i), theme)
            if list(self.themes) != sorted(set(self.themes)):
                check.add("themes", "must be sorted, each once")
        if check.instance("counts", self.counts, Mapping) and periods_ok and themes_ok:
            if set(self.counts) != set(self.themes):
                check.add("counts", "must have one row per theme, and no other")
            # Rows of the themes only: another key may be anything, and is not named.
            for theme in self.themes:
                if theme not in self.counts:
                    continue
                row = self.counts[theme]
                path: Path = ("counts", theme)
                if type(row) is not tuple or len(row) != len(self.periods):
                    check.add(path, "must hold one count per period")
                elif not all(type(n) is int and 0 <= n <= INT64_MAX for n in row):
                    check.add(path, "must hold whole numbers, none negative, each within 64 bits")
        check.done("VolumeTable")

    def count(self, theme: str, period: CalendarPeriod) -> int:
        """Items about *theme* in *period* (0 outside the table)."""
        check = Checker()
        check.text("theme", theme)
        check.instance("period", period, CalendarPeriod)
        check.done("VolumeTable.count input")
        row = self.counts.get(theme)
        if row is None or period not in self._positions:
            return 0
        return row[self._positions[period]]

    @property
    def _positions(self) -> dict[CalendarPeriod, int]:
        return {p: i for i, p in enumerate(self.periods)}

    def totals(self) -> tuple[int, ...]:
        """Items per period across all themes."""
        return tuple(sum(col) for col in zip(*self.counts.values(), strict=True)) or tuple(
            0 for _ in self.periods
        )

    def to_records(self) -> list[dict[str, Any]]:
        """Long format: one dict per (theme, period); ``start`` is ISO date text (JSON-ready)."""
        return [
            {"theme": theme, "period": period.label, "start": period.start.isoformat(), "count": n}
            for theme in self.themes
            for period, n in zip(self.periods, self.counts[theme], strict=True)
        ]

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["theme", *(p.label for p in self.periods)]
        rows = [[t, *map(str, self.counts[t])] for t in self.themes]
        return headers, rows

    def __str__(self) -> str:
        return text_table(*self._rows())

    def _repr_html_(self) -> str:
        headers, rows = self._rows()
        return html_table(f"Feedback per {self.granularity.value}", headers, rows)


@attrs.frozen(slots=True, kw_only=True)
class ThemeTrend:
    """How a theme's volume moved between two consecutive complete periods.

    ``growth`` is ``(current - previous) / previous``; ``None`` when the theme
    had no feedback in the previous period (new themes grow from nothing).
    """

    theme: str
    previous_period: CalendarPeriod
    current_period: CalendarPeriod
    previous: int
    current: int

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("theme", self.theme)
        before = check.instance("previous_period", self.previous_period, CalendarPeriod)
        if (
            check.instance("current_period", self.current_period, CalendarPeriod)
            and before
            and _after(self.previous_period) != self.current_period
        ):
            check.add("current_period", "must be the period right after previous_period")
        check.integer("previous", self.previous, minimum=0)
        check.integer("current", self.current, minimum=0)
        check.done("ThemeTrend")

    @property
    def change(self) -> int:
        """``current - previous``."""
        return self.current - self.previous

    @property
    def growth(self) -> float | None:
        """Relative change; ``None`` when ``previous`` is 0."""
        if self.previous == 0:
            return None
        return self.change / self.previous

    def __str__(self) -> str:
        growth = "new" if self.growth is None else f"{self.growth:+.0%}"
        return (
            f"{printable(self.theme)}: {self.previous} in {self.previous_period} -> "
            f"{self.current} in {self.current_period} ({growth})"
        )


#: What a time zone argument must be; said when a custom tzinfo misbehaves.
_ZONE_RULE = (
    "must be a tzinfo that converts times: utcoffset and dst must give "
    "timedeltas strictly within a day"
)
#: A time any working time zone can express.
_PROBE = datetime(2000, 1, 1, tzinfo=UTC)


def _check_tz(check: Checker, tz: object) -> None:
    """Report on *check* unless *tz* is a time zone that converts a time.

    Checked once up front, so a broken zone is named as ``tz`` before any
    item is read.
    """
    if not isinstance(tz, tzinfo):
        check.add("tz", f"must be a tzinfo, not {type_name(tz)}")
        return
    try:
        _PROBE.astimezone(tz)
    except ZONE_ERRORS:
        check.add("tz", _ZONE_RULE)


def _local_date(check: Checker, path: Path, moment: datetime, tz: tzinfo) -> date | None:
    """The day *moment* falls on in *tz*; ``None``, with the problem on *check*, if none."""
    try:
        return moment.astimezone(tz).date()
    except OverflowError:  # within a day of year 1 or 9999, shifted out by tz
        check.add(path, "falls outside years 1 to 9999 in tz")
    except ZONE_ERRORS:  # a custom tzinfo that works for some times only
        if is_aware(moment):  # its own zone works, so tz is to blame
            check.add("tz", _ZONE_RULE)
        else:
            check.add(path, "has a time zone that gives no valid UTC offset")
    return None


def _local_dates(check: Checker, feedback: object, tz: object) -> Iterator[tuple[str, date]] | None:
    _check_tz(check, tz)
    if isinstance(feedback, str | bytes | Mapping) or not isinstance(feedback, Iterable):
        check.add("feedback", not_an_iterable("FeedbackItem", feedback, "feedback"))
        return None
    items = list(feedback)
    for i, item in enumerate(items):
        if not isinstance(item, FeedbackItem):
            check.add(("feedback", i), f"must be a FeedbackItem, not {type_name(item)}")
    if check.problems:
        return None
    assert isinstance(tz, tzinfo)
    dated = []
    for i, item in enumerate(items):
        day = _local_date(check, ("feedback", i, "created_at"), item.created_at, tz)
        if day is not None:
            dated.append((item.theme, day))
        elif _blames_tz(check):
            break  # one report of a broken zone is enough
    return None if check.problems else iter(dated)


def _blames_tz(check: Checker) -> bool:
    return check.problems is not None and check.problems[-1].path == ("tz",)


def feedback_volume(
    feedback: Iterable[FeedbackItem],
    granularity: Granularity | GranularityValue = Granularity.MONTH,
    *,
    tz: tzinfo = UTC,
    max_periods: int = 10_000,
) -> VolumeTable:
    """Count feedback items per theme per calendar period.

    Every item counts (volume is about how often a theme comes up, so the
    same author twice counts twice, unlike :func:`~customer_model.prioritize`).
    The periods run without gaps from the first item's period to the last's.
    *granularity* may be given by its value (``"week"``).  The table holds a
    count per theme and period, so feedback spanning more than *max_periods*
    periods (two items centuries apart, say) is refused rather than filling
    memory.
    """
    granularity = exact_member(Granularity, granularity)
    check = Checker()
    check.member("granularity", granularity, Granularity, values=True)
    check.integer("max_periods", max_periods, minimum=1)
    dated = _local_dates(check, feedback, tz)
    check.done("feedback volume input")
    assert dated is not None
    counts = Counter((theme, CalendarPeriod.containing(day, granularity)) for theme, day in dated)
    if not counts:
        return VolumeTable(granularity=granularity, periods=(), themes=(), counts=FrozenMap({}))
    first = min(period for _, period in counts)
    last = max(period for _, period in counts)
    span = _periods_from(first, last)
    if span > max_periods:
        raise ValidationError.single(
            "feedback",
            f"spans {span:,} periods of a {granularity.value}, more than max_periods "
            f"({max_periods:,}): pass a larger max_periods or a longer granularity",
            "feedback volume input",
        )
    periods = [first]
    while periods[-1] != last:
        periods.append(periods[-1].next())
    themes = tuple(sorted({theme for theme, _ in counts}))
    table = {t: tuple(counts.get((t, p), 0) for p in periods) for t in themes}
    return VolumeTable(
        granularity=granularity, periods=tuple(periods), themes=themes, counts=FrozenMap(table)
    )


def _periods_from(first: CalendarPeriod, last: CalendarPeriod) -> int:
    """How many periods run from *first* to *last*, both counted (same granularity)."""
    if first.granularity is Granularity.WEEK:
        return (last.start - first.start).days // 7 + 1
    months = (last.start.year - first.start.year) * 12 + last.start.month - first.start.month
    return months // (3 if first.granularity is Granularity.QUARTER else 1) + 1


def rising_themes(
    feedback: Iterable[FeedbackItem],
    *,
    as_of: datetime,
    granularity: Granularity | GranularityValue = Granularity.MONTH,
    tz: tzinfo = UTC,
    min_increase: int = 1,
) -> tuple[ThemeTrend, ...]:
    """Themes whose volume grew between the last two complete periods before *as_of*.

    The period that contains *as_of* (in *tz*) is still running, so it is
    left out: the comparison is between the two periods before it.  A theme
    rises when its count grew by at least *min_increase*.  The result is
    ordered by the increase (largest first), then growth (new themes first),
    then theme.  Items outside the two periods are ignored.  An *as_of* so
    early that two complete periods cannot precede it (within the first
    periods of year 1) raises :class:`~customer_model.ValidationError`.
    *granularity* may be given by its value (``"quarter"``).
    """
    granularity = exact_member(Granularity, granularity)
    check = Checker()
    check.aware("as_of", as_of)
    check.member("granularity", granularity, Granularity, values=True)
    check.integer("min_increase", min_increase, minimum=1)
    dated = _local_dates(check, feedback, tz)
    today = None if check.problems else _local_date(check, ("as_of",), as_of, tz)
    check.done("rising themes input")
    assert dated is not None
    assert today is not None
    try:
        running = CalendarPeriod.containing(today, granularity)
        current = running.previous()
        previous = current.previous()
    except (OverflowError, ValidationError):  # the first periods of year 1
        raise ValidationError.single(
            "as_of",
            f"must leave two complete {granularity.value}s before it (from year 1 on)",
            "rising themes input",
        ) from None
    counts: Counter[tuple[str, CalendarPeriod]] = Counter()
    for theme, day in dated:
        if previous.start <= day < current.end:
            counts[theme, CalendarPeriod.containing(day, granularity)] += 1
    trends = [
        ThemeTrend(
            theme=theme,
            previous_period=previous,
            current_period=current,
            previous=counts[theme, previous],
            current=counts[theme, current],
        )
        for theme in sorted({theme for theme, _ in counts})
    ]
    rising = [t for t in trends if t.change >= min_increase]
    rising.sort(
        key=lambda t: (-t.change, -(t.growth if t.growth is not None else float("inf")), t.theme)
    )
    return tuple(rising)


def trend_records(trends: Iterable[ThemeTrend]) -> list[dict[str, str | int | float | None]]:
    """*trends* (what :func:`rising_themes` returns) as flat records, one per theme.

    Columns ``theme``; ``previous_period`` and ``current_period`` (labels such
    as ``2026-05``) with ``previous_start`` and ``current_start`` (ISO date
    text, as a :class:`VolumeTable`'s ``start``); the counts ``previous``,
    ``current`` and ``change``; and ``growth`` (``None`` for a new theme).
    """
    rows = checked_items(trends, ThemeTrend, "trends")
    return [
        {
            "theme": t.theme,
            "previous_period": t.previous_period.label,
            "previous_start": t.previous_period.start.isoformat(),
            "current_period": t.current_period.label,
            "current_start": t.current_period.start.isoformat(),
            "previous": t.previous,
            "current": t.current,
            "change": t.change,
            "growth": t.growth,
        }
        for t in rows
    ]
