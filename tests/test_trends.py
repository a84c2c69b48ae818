"""Tests for feedback volume per calendar period and rising themes."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Channel,
    FeedbackItem,
    FeedbackKind,
    ValidationError,
    from_dict,
    from_json,
    to_dict,
    to_json,
)
from customer_model.testing import feedback_items
from customer_model.trends import (
    CalendarPeriod,
    Granularity,
    ThemeTrend,
    VolumeTable,
    feedback_volume,
    rising_themes,
    trend_records,
)

_ids = iter(range(1_000_000))


def item(theme: str, when: datetime) -> FeedbackItem:
    return FeedbackItem(
        id=f"f-{next(_ids)}",
        customer_id="c-1",
        theme=theme,
        kind=FeedbackKind.FEATURE_REQUEST,
        channel=Channel.SURVEY,
        created_at=when,
    )


def utc(y: int, m: int, d: int, h: int = 12) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


class TestCalendarPeriod:
    def test_iso_weeks_start_on_monday(self) -> None:
        # 2026-01-01 is a Thursday; its ISO week is 2026-W01, starting Mon 2025-12-29.
        week = CalendarPeriod.containing(date(2026, 1, 1), Granularity.WEEK)
        assert week.start == date(2025, 12, 29)
        assert week.end == date(2026, 1, 5)
        assert week.label == "2026-W01"
        assert CalendarPeriod.containing(date(2024, 12, 30), Granularity.WEEK).label == "2025-W01"
        assert CalendarPeriod.containing(date(2026, 1, 4), Granularity.WEEK) == week

    def test_months_and_quarters(self) -> None:
        feb = CalendarPeriod.containing(date(2024, 2, 29), Granularity.MONTH)
        assert (feb.start, feb.end, feb.label) == (date(2024, 2, 1), date(2024, 3, 1), "2024-02")
        q4 = CalendarPeriod.containing(date(2025, 11, 30), Granularity.QUARTER)
        assert (q4.start, q4.end, q4.label) == (date(2025, 10, 1), date(2026, 1, 1), "2025-Q4")
        assert q4.next().label == "2026-Q1"
        assert q4.previous().label == "2025-Q3"

    def test_years_before_1000_have_four_digits(self) -> None:
        assert CalendarPeriod.containing(date(999, 12, 31), Granularity.MONTH).label == "0999-12"
        assert CalendarPeriod.containing(date(5, 5, 5), Granularity.QUARTER).label == "0005-Q2"
        assert CalendarPeriod.containing(date(1, 1, 1), Granularity.WEEK).label == "0001-W01"

    @given(
        st.sampled_from(Granularity),
        st.dates(),
        st.dates(),
    )
    def test_labels_sort_as_their_periods(self, granularity: Granularity, a: date, b: date) -> None:
        first = CalendarPeriod.containing(a, granularity)
        second = CalendarPeriod.containing(b, granularity)
        assert (first.label < second.label) == (first < second)
        assert (first.label == second.label) == (first == second)

    def test_start_must_begin_a_period(self) -> None:
        with pytest.raises(ValidationError) as info:
            CalendarPeriod(date(2026, 1, 2), Granularity.MONTH)
        assert info.value.problems[0].path == ("start",)

    @settings(max_examples=60)
    @given(day=st.dates(date(1990, 1, 1), date(2090, 1, 1)), g=st.sampled_from(Granularity))
    def test_every_day_lies_in_its_period(self, day: date, g: Granularity) -> None:
        period = CalendarPeriod.containing(day, g)
        assert period.start <= day < period.end
        assert period.next().start == period.end
        assert period.next().previous() == period


class TestVolume:
    def test_counts_per_month_with_gaps_filled(self) -> None:
        feedback = [
            item("sso", utc(2026, 1, 5)),
            item("sso", utc(2026, 1, 31)),
            item("export", utc(2026, 3, 2)),
        ]
        table = feedback_volume(feedback, Granularity.MONTH)
        assert [p.label for p in table.periods] == ["2026-01", "2026-02", "2026-03"]
        assert table.themes == ("export", "sso")
        assert table.counts == {"export": (0, 0, 1), "sso": (2, 0, 0)}
        assert table.count("sso", table.periods[0]) == 2
        assert table.totals() == (2, 0, 1)
        assert "2026-02" in str(table)
        assert len(table.to_records()) == 6

    def test_the_time_zone_decides_the_period(self) -> None:
        late = utc(2026, 1, 31, 23)  # already February in Berlin
        assert feedback_volume([item("x", late)]).periods[0].label == "2026-01"
        berlin = feedback_volume([item("x", late)], tz=ZoneInfo("Europe/Berlin"))
        assert berlin.periods[0].label == "2026-02"

    def test_weeks(self) -> None:
        feedback = [item("x", utc(2026, 3, 1)), item("x", utc(2026, 3, 2))]  # Sun, Mon
        table = feedback_volume(feedback, Granularity.WEEK)
        assert [p.label for p in table.periods] == ["2026-W09", "2026-W10"]
        assert table.counts["x"] == (1, 1)

    def test_empty(self) -> None:
        table = feedback_volume([])
        assert table.periods == ()
        assert table.totals() == ()

    def test_bad_input(self) -> None:
        with pytest.raises(ValidationError) as info:
            feedback_volume([item("x", utc(2026, 1, 1)), "x"], "Month", tz="UTC")  # type: ignore[list-item, arg-type]
        paths = {p.path for p in info.value.problems}
        assert paths == {("granularity",), ("tz",), ("feedback", 1)}
        assert "$.granularity: must be a Granularity or one of its values: 'week'" in str(
            info.value
        )

    @given(items=st.lists(feedback_items(), max_size=10), g=st.sampled_from(Granularity))
    def test_a_granularity_by_its_value_is_that_granularity(
        self, items: list[FeedbackItem], g: Granularity
    ) -> None:
        # As a model field takes a member's value, so do the functions (notebooks type "week").
        assert feedback_volume(items, g.value) == feedback_volume(items, g)
        as_of = datetime(2031, 1, 1, tzinfo=UTC)
        assert rising_themes(items, as_of=as_of, granularity=g.value) == rising_themes(
            items, as_of=as_of, granularity=g
        )

    def test_feedback_spanning_more_than_max_periods_is_refused(self) -> None:
        # Two items in year 1 and year 9999 made 521,700 weekly columns per theme
        # (44 s, and memory in proportion): a service given such input now refuses it.
        far_apart = [item("x", utc(1, 1, 3)), item("x", utc(9999, 12, 30))]
        with pytest.raises(ValidationError) as info:
            feedback_volume(far_apart, Granularity.WEEK)
        assert str(info.value) == (
            "invalid feedback volume input: $.feedback: spans 521,723 periods of a week, "
            "more than max_periods (10,000): pass a larger max_periods or a longer granularity"
        )
        century = [item("x", utc(2000, 1, 15)), item("y", utc(2100, 1, 15))]
        with pytest.raises(ValidationError, match="spans 1,201 periods of a month"):
            feedback_volume(century, max_periods=1_200)
        assert len(feedback_volume(century, max_periods=1_201).periods) == 1_201
        with pytest.raises(ValidationError, match=r"\$\.max_periods: must be at least 1"):
            feedback_volume(century, max_periods=0)

    @settings(max_examples=40)
    @given(
        days=st.lists(st.dates(date(1, 1, 1), date(9999, 12, 31)), min_size=2, max_size=2),
        g=st.sampled_from(Granularity),
    )
    def test_the_span_is_counted_as_the_table_counts_it(
        self, days: list[date], g: Granularity
    ) -> None:
        from customer_model.trends import _periods_from

        first, last = sorted(CalendarPeriod.containing(d, g) for d in days)
        span = _periods_from(first, last)
        if span <= 2_000:  # walking the periods one by one, as the table does
            walked = 1
            period = first
            while period != last:
                period = period.next()
                walked += 1
            assert span == walked
        else:  # too far to walk in a test: the start of the period span - 1 steps on
            assert first.start + g.step * (span - 1) == last.start

    def test_html_escapes(self) -> None:
        page = feedback_volume([item("<i>", utc(2026, 1, 1))])._repr_html_()
        assert "&lt;i&gt;" in page

    @settings(max_examples=30)
    @given(
        items=st.lists(feedback_items(), max_size=25, unique_by=lambda f: f.id),
        g=st.sampled_from(Granularity),
        seed=st.integers(0, 100),
    )
    def test_order_independent_and_complete(
        self, items: list[FeedbackItem], g: Granularity, seed: int
    ) -> None:
        table = feedback_volume(items, g)
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        assert feedback_volume(shuffled, g) == table
        assert sum(table.totals()) == len(items)
        for a, b in zip(table.periods, table.periods[1:], strict=False):
            assert a.end == b.start


class TestRising:
    def test_compares_the_last_two_complete_periods(self) -> None:
        feedback = [
            *(item("sso", utc(2026, 4, d)) for d in (1, 2)),
            *(item("sso", utc(2026, 5, d)) for d in (1, 2, 3, 4, 5)),
            *(item("export", utc(2026, 5, d)) for d in (1, 2)),
            *(item("billing", utc(2026, 4, d)) for d in (1, 2, 3)),
            item("billing", utc(2026, 5, 1)),
            # June is still running on June 15: ignored
            *(item("mobile", utc(2026, 6, d)) for d in (1, 2, 3, 4, 5, 6, 7)),
        ]
        rising = rising_themes(feedback, as_of=utc(2026, 6, 15))
        assert [t.theme for t in rising] == ["sso", "export"]
        sso, export = rising
        assert (sso.previous, sso.current, sso.change, sso.growth) == (2, 5, 3, 1.5)
        assert (export.previous, export.growth) == (0, None)
        assert sso.previous_period.label == "2026-04"
        assert sso.current_period.label == "2026-05"
        assert "new" in str(export)
        # Flat records for a data frame: one per theme, dates as ISO text, JSON-ready.
        assert trend_records(rising) == [
            {
                "theme": "sso",
                "previous_period": "2026-04",
                "previous_start": "2026-04-01",
                "current_period": "2026-05",
                "current_start": "2026-05-01",
                "previous": 2,
                "current": 5,
                "change": 3,
                "growth": 1.5,
            },
            {
                "theme": "export",
                "previous_period": "2026-04",
                "previous_start": "2026-04-01",
                "current_period": "2026-05",
                "current_start": "2026-05-01",
                "previous": 0,
                "current": 2,
                "change": 2,
                "growth": None,
            },
        ]
        with pytest.raises(ValidationError, match=r"\$\.trends\[0\]: must be a ThemeTrend"):
            trend_records([1])  # type: ignore[list-item]
        with pytest.raises(ValidationError, match=r"\$\.trends: must be a list or tuple, not str"):
            trend_records("sso")  # type: ignore[arg-type]  # not read as its letters

    def test_as_of_at_a_period_start_completes_the_period_before(self) -> None:
        feedback = [item("x", utc(2026, 5, 31)), item("x", utc(2026, 5, 30))]
        (trend,) = rising_themes(feedback, as_of=datetime(2026, 6, 1, tzinfo=UTC))
        assert trend.current_period.label == "2026-05"

    def test_min_increase_and_quarters(self) -> None:
        feedback = [
            item("x", utc(2026, 1, 5)),
            item("x", utc(2026, 4, 5)),
            item("x", utc(2026, 5, 5)),
        ]
        kwargs = {"as_of": utc(2026, 7, 1), "granularity": Granularity.QUARTER}
        assert len(rising_themes(feedback, **kwargs)) == 1  # type: ignore[arg-type]
        assert rising_themes(feedback, min_increase=2, **kwargs) == ()  # type: ignore[arg-type]

    def test_time_zone_for_as_of(self) -> None:
        tz = timezone(timedelta(hours=-8))
        feedback = [item("x", utc(2026, 5, 10))]
        # 2026-06-01T03:00Z is still May 31 at UTC-8: May is running, April vs March.
        assert rising_themes(feedback, as_of=utc(2026, 6, 1, 3), tz=tz) == ()
        assert len(rising_themes(feedback, as_of=utc(2026, 6, 1, 3))) == 1

    def test_bad_input(self) -> None:
        with pytest.raises(ValidationError) as info:
            rising_themes([], as_of=datetime(2026, 1, 1), min_increase=0)
        assert {p.path for p in info.value.problems} == {("as_of",), ("min_increase",)}

    @settings(max_examples=30)
    @given(items=st.lists(feedback_items(), max_size=25, unique_by=lambda f: f.id))
    def test_rising_agrees_with_the_volume_table(self, items: list[FeedbackItem]) -> None:
        as_of = datetime(2026, 1, 15, tzinfo=UTC)
        table = feedback_volume(items)
        for trend in rising_themes(items, as_of=as_of):
            assert trend.current == table.count(trend.theme, trend.current_period)
            assert trend.previous == table.count(trend.theme, trend.previous_period)
            assert trend.current > trend.previous


def test_results_are_frozen() -> None:
    table = feedback_volume([item("x", utc(2026, 1, 1))])
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        table.themes = ()  # type: ignore[misc]
    assert hash(table) == hash(feedback_volume([item("x", utc(2026, 1, 1))]))


# -- bad input and the edges of the calendar ---------------------------------------------


@pytest.mark.parametrize(
    ("day", "granularity", "path"),
    [
        ("2020-01-01", Granularity.WEEK, "$.day"),
        (datetime(2020, 1, 1, tzinfo=UTC), Granularity.MONTH, "$.day"),
        (None, Granularity.MONTH, "$.day"),
        (date(2020, 1, 1), None, "$.granularity"),
        (date(2020, 1, 1), "Month", "$.granularity"),  # "month" is the member's value
    ],
)
def test_containing_names_the_bad_argument(day: object, granularity: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        CalendarPeriod.containing(day, granularity)  # type: ignore[arg-type]
    assert info.value.paths == [path]


def test_periods_at_the_ends_of_the_calendar() -> None:
    first = CalendarPeriod.containing(date(1, 1, 3), Granularity.WEEK)
    assert first.start == date(1, 1, 1)
    with pytest.raises(ValidationError, match=r"\$\.start: has no previous week"):
        first.previous()
    last = CalendarPeriod.containing(date(9999, 12, 31), Granularity.QUARTER)
    assert last.previous().next() == last
    with pytest.raises(ValidationError, match=r"\$\.start: has no next quarter"):
        last.next()
    with pytest.raises(ValidationError):
        _ = last.end


@pytest.mark.parametrize("granularity", list(Granularity))
def test_rising_themes_needs_two_complete_periods_before_as_of(granularity: Granularity) -> None:
    early = datetime(1, 1, 3, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        rising_themes([item("a", early)], as_of=early, granularity=granularity)
    assert info.value.paths == ["$.as_of"]


def test_rising_themes_right_after_the_first_two_weeks_of_the_calendar() -> None:
    items = [item("a", datetime(1, 1, 9, tzinfo=UTC)), item("a", datetime(1, 1, 10, tzinfo=UTC))]
    rising = rising_themes(
        items, as_of=datetime(1, 1, 15, tzinfo=UTC), granularity=Granularity.WEEK
    )
    assert [(t.theme, t.previous, t.current) for t in rising] == [("a", 0, 2)]
    assert rising[0].previous_period.start == date(1, 1, 1)


def test_items_pushed_out_of_the_calendar_by_tz_are_named() -> None:
    early = item("a", datetime(1, 1, 1, 1, tzinfo=UTC))
    with pytest.raises(ValidationError) as info:
        feedback_volume([early], tz=timezone(-timedelta(hours=5)))
    assert info.value.paths == ["$.feedback[0].created_at"]


def test_volume_count_checks_its_arguments() -> None:
    table = feedback_volume([item("a", utc(2026, 1, 5))])
    period = table.periods[0]
    assert table.count("a", period) == 1
    assert table.count("b", period) == 0
    with pytest.raises(ValidationError) as info:
        table.count([], period)  # type: ignore[arg-type]
    assert info.value.paths == ["$.theme"]
    with pytest.raises(ValidationError) as info:
        table.count("a", "2026-01")  # type: ignore[arg-type]
    assert info.value.paths == ["$.period"]


class _Unimplemented(tzinfo):
    """A tzinfo subclass that implements nothing."""


class _Offset(tzinfo):
    """A tzinfo whose offset is whatever it is given, from *since* (and UTC before)."""

    def __init__(self, offset: object, since: int = 1) -> None:
        self.offset = offset
        self.since = since

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is not None and dt.year < self.since:
            return timedelta(0)
        return self.offset  # type: ignore[return-value]

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


class _NoDst(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=1)


BROKEN_ZONES = [
    _Unimplemented(),  # type: ignore[abstract]
    _Offset(timedelta(hours=30)),  # type: ignore[abstract]
    _Offset(-timedelta(hours=24)),  # type: ignore[abstract]
    _Offset("x"),  # type: ignore[abstract]
    _Offset(None),  # type: ignore[abstract]
    _Offset(1.5),  # type: ignore[abstract]
    _NoDst(),  # type: ignore[abstract]
]


@pytest.mark.parametrize("tz", BROKEN_ZONES, ids=lambda z: type(z).__name__)
def test_a_tzinfo_that_cannot_convert_times_is_refused_as_tz(tz: tzinfo) -> None:
    items = [item("a", utc(2026, 1, 5)), item("a", utc(2026, 2, 5))]
    with pytest.raises(ValidationError) as info:
        feedback_volume(items, tz=tz)
    assert info.value.paths == ["$.tz"]
    with pytest.raises(ValidationError) as info:
        rising_themes(items, as_of=utc(2026, 3, 5), tz=tz)
    assert info.value.paths == ["$.tz"]
    with pytest.raises(ValidationError) as info:
        feedback_volume([], tz=tz)
    assert info.value.paths == ["$.tz"]


def test_a_tzinfo_that_breaks_only_for_some_times_is_refused_as_tz() -> None:
    tz = _Offset(timedelta(hours=30), since=2026)  # type: ignore[abstract]  # broken from 2026
    items = [item("a", utc(2025, 12, 5)), item("a", utc(2026, 1, 5)), item("b", utc(2026, 2, 5))]
    with pytest.raises(ValidationError) as info:
        feedback_volume(items, tz=tz)
    assert info.value.paths == ["$.tz"]
    with pytest.raises(ValidationError) as info:
        rising_themes(items[:1], as_of=utc(2026, 3, 5), tz=tz)
    assert info.value.paths == ["$.tz"]
    assert feedback_volume(items[:1], tz=tz).totals() == (1,)


def test_times_whose_own_zone_is_broken_are_named() -> None:
    bad = datetime(2026, 1, 5, tzinfo=_Offset(timedelta(hours=30)))  # type: ignore[abstract]
    with pytest.raises(ValidationError) as info:
        item("a", bad)  # the model refuses such a time before trends see it
    assert info.value.paths == ["$.created_at"]
    for as_of in (bad, datetime(2026, 1, 5, tzinfo=_Unimplemented())):  # type: ignore[abstract]
        with pytest.raises(ValidationError) as info:
            rising_themes([item("a", utc(2026, 1, 5))], as_of=as_of)
        assert info.value.paths == ["$.as_of"]


def test_as_of_pushed_out_of_the_calendar_by_tz_is_named() -> None:
    for as_of, hours in ((datetime(1, 1, 1, 1, tzinfo=UTC), -5), (datetime.max, 5)):
        with pytest.raises(ValidationError) as info:
            rising_themes([], as_of=as_of.replace(tzinfo=UTC), tz=timezone(timedelta(hours=hours)))
        assert info.value.paths == ["$.as_of"]


def test_a_volume_table_is_hashable_and_immutable_built_or_loaded() -> None:
    table = feedback_volume(
        [item("b", utc(2026, 1, 5)), item("a", utc(2026, 3, 5))], granularity=Granularity.MONTH
    )
    loaded = from_json(to_json(table), VolumeTable)
    evolved = attrs.evolve(table, counts={"b": (1, 0, 0), "a": (0, 0, 1)})
    assert hash(loaded) == hash(table) == hash(evolved)
    counts: Any = evolved.counts
    with pytest.raises(TypeError):
        counts["a"] = (0, 0, 0)
    assert list(evolved.counts) == ["a", "b"]


def test_volume_tables_and_trends_keep_their_shape_when_built_or_loaded() -> None:
    table = feedback_volume(
        [item("b", utc(2026, 1, 5)), item("a", utc(2026, 3, 5))], granularity=Granularity.MONTH
    )
    assert from_json(to_json(table), VolumeTable) == table
    jan, feb, mar = table.periods
    with pytest.raises(ValidationError) as info:
        attrs.evolve(table, periods=(jan, mar, feb))
    assert info.value.paths == ["$.periods[1]", "$.periods[2]"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(table, themes=("b", "a"), counts={"a": (0, 0, 1), "b": (1, -1)})
    assert info.value.paths == ["$.themes", "$.counts.b"]
    with pytest.raises(ValidationError) as info:
        ThemeTrend(theme="a", previous_period=jan, current_period=mar, previous=-1, current=2)
    assert info.value.paths == ["$.current_period", "$.previous"]
    new = ThemeTrend(theme="a", previous_period=jan, current_period=feb, previous=0, current=2)
    assert (new.change, new.growth) == (2, None)


@pytest.mark.parametrize("huge", [2**63, 10**5000], ids=["2**63", "10**5000"])
def test_a_loaded_volume_table_refuses_a_count_beyond_64_bits(huge: int) -> None:
    table = feedback_volume([item("a", utc(2026, 1, 5))], granularity=Granularity.MONTH)
    data = to_dict(table)
    data["counts"]["a"] = [huge]
    with pytest.raises(ValidationError) as info:
        from_dict(data, VolumeTable)
    assert info.value.paths == ["$.counts.a"]
    assert "64 bits" in str(info.value)


@pytest.mark.parametrize(
    ("key", "typed"),
    [(10**5000, "10000"), ("maria@example.com", "maria")],
    ids=["10**5000", "email"],
)
def test_a_counts_key_that_is_no_theme_is_told_at_counts_unquoted(key: Any, typed: str) -> None:
    # Its row was checked under str(key): a bare ValueError for the long int, or the key quoted.
    table = feedback_volume([item("a", utc(2026, 1, 5))], granularity=Granularity.MONTH)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(table, counts={"a": (1,), key: (-1,)})
    assert info.value.paths == ["$.counts"]
    assert typed not in str(info.value)


@pytest.mark.parametrize("day", ["2026-01-05", None, 5, datetime(2026, 1, 7, tzinfo=UTC)])
@pytest.mark.parametrize("granularity", list(Granularity))
def test_start_of_takes_a_date_only(granularity: Granularity, day: Any) -> None:
    # Once a bare TypeError or AttributeError, and a datetime came back a datetime,
    # as CalendarPeriod.containing refuses it (its day depends on a time zone).
    with pytest.raises(ValidationError) as info:
        granularity.start_of(day)
    assert info.value.paths == ["$.day"]


# -- what the results say, word for word ---------------------------------------------------


def _refusal(make: Callable[..., object], *args: Any, **kwargs: Any) -> str:
    """What ``make(*args, **kwargs)`` says when it refuses them."""
    with pytest.raises(ValidationError) as info:
        make(*args, **kwargs)
    return str(info.value)


_GRANULARITY_RULE = "must be a Granularity or one of its values: 'week', 'month', 'quarter'"


def test_volume_table_text_html_and_records() -> None:
    table = feedback_volume(
        [
            item("sso", utc(2026, 3, 1)),
            item("sso", utc(2026, 3, 2)),
            item("export", utc(2026, 3, 9)),
        ],
        "week",
    )
    assert str(table).splitlines() == [
        "theme   2026-W09  2026-W10  2026-W11",
        "------  --------  --------  --------",
        "export  0         0         1",
        "sso     1         1         0",
    ]
    assert table._repr_html_().startswith(
        "<table><caption>Feedback per week</caption><thead><tr><th>theme</th><th>2026-W09</th>"
    )
    assert table.to_records()[2:4] == [
        {"theme": "export", "period": "2026-W11", "start": "2026-03-09", "count": 1},
        {"theme": "sso", "period": "2026-W09", "start": "2026-02-23", "count": 1},
    ]


def test_a_table_of_periods_without_themes_counts_zero_in_each() -> None:
    periods = feedback_volume([item("a", utc(2026, 1, 5)), item("a", utc(2026, 3, 5))]).periods
    empty = VolumeTable(granularity="month", periods=periods, themes=(), counts={})
    assert empty.totals() == (0, 0, 0)
    assert empty.to_records() == []


def test_a_granularity_given_by_its_value_is_stored_as_the_member() -> None:
    assert CalendarPeriod(date(2026, 4, 1), "quarter").granularity is Granularity.QUARTER
    table = VolumeTable(granularity="week", periods=(), themes=(), counts={})
    assert table.granularity is Granularity.WEEK


def test_theme_trend_text_shows_the_growth_or_new() -> None:
    jan, feb = CalendarPeriod(date(2026, 1, 1), "month"), CalendarPeriod(date(2026, 2, 1), "month")

    def trend(previous: int, current: int) -> str:
        return str(
            ThemeTrend(
                theme="sso",
                previous_period=jan,
                current_period=feb,
                previous=previous,
                current=current,
            )
        )

    assert trend(2, 5) == "sso: 2 in 2026-01 -> 5 in 2026-02 (+150%)"
    assert trend(4, 3) == "sso: 4 in 2026-01 -> 3 in 2026-02 (-25%)"
    assert trend(0, 2) == "sso: 0 in 2026-01 -> 2 in 2026-02 (new)"


def test_rising_themes_with_the_same_increase_go_new_first_then_by_growth() -> None:
    counts = {"alpha": (4, 6), "mid": (1, 3), "zeta": (0, 2), "flat": (3, 3)}
    feedback = [
        item(theme, utc(2026, month, day))
        for theme, pair in counts.items()
        for month, n in zip((4, 5), pair, strict=True)
        for day in range(1, n + 1)
    ]
    rising = rising_themes(feedback, as_of=utc(2026, 6, 15))
    # All three grew by 2: new first, then the larger growth (+200% before +50%).
    assert [(t.theme, t.growth) for t in rising] == [("zeta", None), ("mid", 2.0), ("alpha", 0.5)]


def test_volume_table_refusals_word_for_word() -> None:
    table = feedback_volume([item("b", utc(2026, 1, 5)), item("a", utc(2026, 3, 5))])
    jan, _, mar = table.periods
    week = CalendarPeriod(date(2026, 2, 2), "week")
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"counts": 5}, ["$.counts: must be a Mapping, not int"]),
        (
            {"granularity": "Month"},
            [f"$.granularity: {_GRANULARITY_RULE}"]
            + [f"$.periods[{i}]: must have the table's granularity" for i in range(3)],
        ),
        (
            {"periods": (jan, week), "counts": {"a": (0, 1), "b": (1, 0)}},
            ["$.periods[1]: must have the table's granularity"],
        ),
        (
            {"periods": (jan, mar)},  # the counts are not judged against periods that are wrong
            [
                "$.periods[1]: must be the period right after the one before",
                "$.counts.a: must hold one count per period",
                "$.counts.b: must hold one count per period",
            ],
        ),
        (
            {"periods": (jan, "2026-02")},
            ["$.periods[1]: must be a CalendarPeriod, not str"],
        ),
        ({"themes": ("a", 7)}, ["$.themes[1]: must be a str, not int"]),
        (
            {"themes": (" a", "b"), "counts": {" a": (0, 0, 1), "b": (1, 0, 0)}},
            ["$.themes[0]: must not start or end with white space"],
        ),
        ({"themes": ("b", "a")}, ["$.themes: must be sorted, each once"]),
        (
            {"themes": ("a", "b", "c"), "counts": {"b": (1, 0), "c": (1, 0, -1)}},
            [
                "$.counts: must have one row per theme, and no other",
                "$.counts.b: must hold one count per period",
                "$.counts.c: must hold whole numbers, none negative, each within 64 bits",
            ],
        ),
        (
            {"counts": {"a": (0, 1), "b": [1, 0, 0]}},
            [
                "$.counts.a: must hold one count per period",
                "$.counts.b: must hold one count per period",
            ],
        ),
    ]
    for changes, problems in cases:
        message = _refusal(attrs.evolve, table, **changes)
        if len(problems) == 1:
            assert message == f"invalid VolumeTable: {problems[0]}", changes
        else:
            assert message.splitlines() == [
                f"invalid VolumeTable: {len(problems)} problems",
                *(f"  {p}" for p in problems),
            ], changes


def test_a_count_of_exactly_64_bits_is_kept() -> None:
    table = feedback_volume([item("a", utc(2026, 1, 5))])
    largest = attrs.evolve(table, counts={"a": (2**63 - 1,)})
    assert largest.totals() == (2**63 - 1,)


def test_theme_trend_refusals_word_for_word() -> None:
    jan = CalendarPeriod(date(2026, 1, 1), "month")
    mar = CalendarPeriod(date(2026, 3, 1), "month")
    assert _refusal(
        lambda: ThemeTrend(
            theme=" a",
            previous_period="2025-12",  # type: ignore[arg-type]
            current_period=jan,
            previous=0,
            current=-1,
        )
    ).splitlines() == [
        "invalid ThemeTrend: 3 problems",
        "  $.theme: must not start or end with white space",
        "  $.previous_period: must be a CalendarPeriod, not str",
        "  $.current: must be at least 0",
    ]
    assert _refusal(
        lambda: ThemeTrend(
            theme="a",
            previous_period=jan,
            current_period="2026-02",  # type: ignore[arg-type]
            previous=0,
            current=1.0,  # type: ignore[arg-type]
        )
    ).splitlines() == [
        "invalid ThemeTrend: 2 problems",
        "  $.current_period: must be a CalendarPeriod, not str",
        "  $.current: must be an integer, not float",
    ]
    assert (
        _refusal(
            lambda: ThemeTrend(
                theme="a", previous_period=jan, current_period=mar, previous=0, current=1
            )
        )
        == "invalid ThemeTrend: $.current_period: must be the period right after previous_period"
    )


def test_calendar_period_refusals_word_for_word() -> None:
    assert _refusal(lambda: CalendarPeriod(date(2026, 1, 2), "month")) == (
        "invalid CalendarPeriod: $.start: must be the first day of a month"
    )
    assert _refusal(lambda: CalendarPeriod("2026-01-01", "Month")).splitlines() == [  # type: ignore[arg-type]
        "invalid CalendarPeriod: 2 problems",
        "  $.start: must be a date (not a datetime), not str",
        f"  $.granularity: {_GRANULARITY_RULE}",
    ]
    assert _refusal(lambda: CalendarPeriod.containing("2026-01-01", "Month")).splitlines() == [  # type: ignore[arg-type]
        "invalid CalendarPeriod.containing input: 2 problems",
        "  $.day: must be a date (not a datetime), not str",
        f"  $.granularity: {_GRANULARITY_RULE}",
    ]
    assert _refusal(lambda: Granularity.WEEK.start_of("2026-01-05")) == (  # type: ignore[arg-type]
        "invalid Granularity.start_of input: $.day: must be a date (not a datetime), not str"
    )
    first = CalendarPeriod(date(1, 1, 1), "week")
    assert _refusal(first.previous) == (
        "invalid CalendarPeriod: $.start: has no previous week within years 1 to 9999"
    )
    table = feedback_volume([item("a", utc(2026, 1, 5))])
    assert _refusal(lambda: table.count("a", "2026-01")) == (  # type: ignore[arg-type]
        "invalid VolumeTable.count input: $.period: must be a CalendarPeriod, not str"
    )


def test_trend_function_refusals_word_for_word() -> None:
    from customer_model.examples import demo_dataset

    zone_rule = (
        "must be a tzinfo that converts times: "
        "utcoffset and dst must give timedeltas strictly within a day"
    )
    assert _refusal(
        lambda: feedback_volume([item("x", utc(2026, 1, 1)), "x"], "Month", tz="UTC")  # type: ignore[list-item, arg-type]
    ).splitlines() == [
        "invalid feedback volume input: 3 problems",
        f"  $.granularity: {_GRANULARITY_RULE}",
        "  $.tz: must be a tzinfo, not str",
        "  $.feedback[1]: must be a FeedbackItem, not str",
    ]
    # A Dataset is pointed at its feedback; text and mappings are no feedback either.
    assert _refusal(lambda: feedback_volume(demo_dataset())) == (  # type: ignore[arg-type]
        "invalid feedback volume input: $.feedback: "
        "must be an iterable of FeedbackItem, not Dataset; pass its .feedback"
    )
    for not_feedback, kind in ((5, "int"), ("sso", "str"), ({"sso": 1}, "dict")):
        assert _refusal(rising_themes, not_feedback, as_of=utc(2026, 1, 1)) == (
            "invalid rising themes input: $.feedback: "
            f"must be an iterable of FeedbackItem, not {kind}"
        )
    assert _refusal(lambda: feedback_volume([], tz=_Unimplemented())) == (  # type: ignore[abstract]
        f"invalid feedback volume input: $.tz: {zone_rule}"
    )
    late_break = _Offset(timedelta(hours=30), since=2026)  # type: ignore[abstract]
    assert (
        _refusal(
            lambda: rising_themes(
                [item("a", utc(2025, 1, 1))], as_of=utc(2026, 1, 1), tz=late_break
            )
        )
        == f"invalid rising themes input: $.tz: {zone_rule}"
    )
    assert (
        _refusal(
            lambda: rising_themes([], as_of=utc(2026, 1, 1), granularity="Quarter")  # type: ignore[arg-type]
        )
        == f"invalid rising themes input: $.granularity: {_GRANULARITY_RULE}"
    )
    assert (
        _refusal(lambda: rising_themes([], as_of=utc(1, 1, 20), granularity="month"))
        == "invalid rising themes input: $.as_of: "
        "must leave two complete months before it (from year 1 on)"
    )


def test_every_item_pushed_out_of_the_calendar_is_named() -> None:
    early = [
        item("a", datetime(1, 1, 1, 1, tzinfo=UTC)),
        item("b", utc(2026, 1, 1)),
        item("c", datetime(1, 1, 1, 2, tzinfo=UTC)),
    ]
    assert _refusal(
        lambda: feedback_volume(early, tz=timezone(-timedelta(hours=5)))
    ).splitlines() == [
        "invalid feedback volume input: 2 problems",
        "  $.feedback[0].created_at: falls outside years 1 to 9999 in tz",
        "  $.feedback[2].created_at: falls outside years 1 to 9999 in tz",
    ]


class _Mutable(tzinfo):
    """A zone whose offset its owner may change after a time was made with it."""

    def __init__(self) -> None:
        self.offset = timedelta(hours=1)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self.offset

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return "mutable"


def test_an_items_zone_that_broke_after_it_was_made_is_named_at_the_item() -> None:
    zone = _Mutable()
    made = item("a", datetime(2026, 1, 5, tzinfo=zone))
    zone.offset = timedelta(hours=30)  # the item was checked; its zone no longer works
    assert _refusal(lambda: feedback_volume([made])) == (
        "invalid feedback volume input: $.feedback[0].created_at: "
        "has a time zone that gives no valid UTC offset"
    )
