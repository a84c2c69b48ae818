"""What the terminal and notebook displays show: escaped cells, plain money."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Channel,
    Customer,
    CustomerKind,
    Dataset,
    FeedbackItem,
    FeedbackKind,
    Person,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    User,
    ValueWeighting,
    prioritize,
)
from customer_model.testing import datasets

AT = datetime(2025, 1, 1, tzinfo=UTC)


def _customer() -> Customer:
    person = Person("p-1")
    return Customer(
        "c-1",
        CustomerKind.INDIVIDUAL,
        purchasers=[Purchaser(person)],
        users=[User(person)],
        purchases=[
            Purchase(Decimal("1E+3"), "EUR", AT),
            Purchase(Decimal("1E-9"), "USD", AT),
        ],
    )


def test_customer_and_backlog_displays_show_money_without_exponents() -> None:
    customer = _customer()
    item = FeedbackItem(
        id="f-1",
        customer_id="c-1",
        author_id="p-1",
        theme="export",
        kind=FeedbackKind.BUG,
        channel=Channel.SURVEY,
        created_at=AT,
    )
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    backlog = prioritize([item], [customer], as_of=AT, policy=policy)
    for page in (customer._repr_html_(), backlog[0]._repr_html_()):
        assert "1000 EUR, 0.000000001 USD" in page
        assert "E+" not in page
        assert "E-9" not in page


def test_explanation_and_step_records_say_why_each_theme_scored_what_it_did() -> None:
    from customer_model.examples import demo_dataset
    from customer_model.examples.bundled import sample_as_of, sample_dataset

    for data, as_of in (
        (demo_dataset(), datetime(2026, 12, 31, tzinfo=UTC)),
        (sample_dataset(customers=40, seed=3), sample_as_of()),
    ):
        policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
        backlog = prioritize(data.feedback, data.customers, as_of=as_of, policy=policy)
        parts = backlog.explanation_records()
        steps = backlog.step_records()
        for item in backlog:
            mine = [r for r in parts if r["theme"] == item.theme]
            assert {r["rank"] for r in mine} == {item.rank}
            assert [(r["role"], r["need"]) for r in mine] == [
                (c.role.value, None if c.need is None else c.need.value) for c in item.explanation
            ]
            assert sum(int(r["voices"] or 0) for r in mine) == item.voices
            assert [r["value"] for r in mine] == [c.value for c in item.explanation]
            assert math.fsum(float(r["value"] or 0) for r in mine) == item.score
            built = [r for r in steps if r["theme"] == item.theme]
            assert [r["factor"] for r in built] == [s.factor.value for s in item.steps]
            assert built[-1]["total"] == item.score
    empty = prioritize([], [], as_of=AT)
    assert empty.explanation_records() == empty.step_records() == []


@settings(max_examples=30)
@given(ds=datasets(max_customers=5, feedback_per_customer=3))
def test_revenue_records_hold_every_amount_of_the_wide_records_in_fixed_columns(
    ds: Dataset,
) -> None:
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)  # any currencies
    backlog = prioritize(
        ds.feedback, ds.customers, as_of=datetime(2030, 1, 1, tzinfo=UTC), policy=policy
    )
    long = backlog.revenue_records()
    assert all(list(r) == ["rank", "theme", "currency", "revenue"] for r in long)
    wide = backlog.to_records()
    from_wide = {
        (r["theme"], key.removeprefix("revenue_")): value
        for r in wide
        for key, value in r.items()
        if key.startswith("revenue_") and Decimal(value) != 0
    }
    from_long = {
        (r["theme"], r["currency"]): r["revenue"] for r in long if Decimal(r["revenue"]) != 0
    }
    assert from_long == from_wide
    assert {(r["theme"], r["currency"]) for r in long} == {
        (i.theme, code) for i in backlog for code in i.revenue
    }


@given(st.text(min_size=1).filter(lambda s: s.strip() == s))
def test_backlog_html_shows_no_control_or_bidi_character_of_a_theme(theme: str) -> None:
    buyer = Customer("c1", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(Person("p1"))])
    try:
        item = FeedbackItem(
            id="f1",
            customer_id="c1",
            author_id="p1",
            theme=theme,
            kind=FeedbackKind.BUG,
            channel=Channel.EMAIL,
            created_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
    except ValueError:
        return  # a theme the model refuses has no backlog to show
    backlog = prioritize([item], [buyer], as_of=datetime(2025, 2, 1, tzinfo=UTC))
    page = backlog._repr_html_()
    # A bidi override or an escape character would reorder or hide what a notebook
    # shows; it is written out (\u202e, \x1b) as in the text table.
    assert all(c.isprintable() for c in page)
    assert backlog[0].theme == theme


def test_a_long_backlog_shows_its_first_rows_in_html_and_counts_the_rest() -> None:
    from customer_model._display import HTML_ROWS

    buyer = Customer("c1", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(Person("p1"))])
    themes = HTML_ROWS + 40
    items = [
        FeedbackItem(
            id=f"f{i}",
            customer_id="c1",
            author_id="p1",
            theme=f"t{i}",
            kind=FeedbackKind.BUG,
            channel=Channel.EMAIL,
            created_at=AT,
        )
        for i in range(themes)
    ]
    backlog = prioritize(items, [buyer], as_of=datetime(2025, 2, 1, tzinfo=UTC))
    page = backlog._repr_html_()
    # The header row, the first HTML_ROWS themes and one row counting the rest.
    assert page.count("<tr>") == 1 + HTML_ROWS + 1
    assert f"...40 more rows; {themes} in all" in page
    assert f"<td>{backlog[HTML_ROWS - 1].theme}</td>" in page
    assert f"<td>{backlog[HTML_ROWS].theme}</td>" not in page
    # The records still have every theme.
    assert len(backlog.to_records()) == themes


def test_a_short_table_shows_every_row_and_no_count() -> None:
    from customer_model._display import HTML_ROWS, html_table

    page = html_table(None, ["a"], [[str(i)] for i in range(HTML_ROWS)])
    assert page.count("<tr>") == 1 + HTML_ROWS
    assert "more rows" not in page


def test_reprs_of_large_results_stay_short() -> None:
    from customer_model import Segment
    from customer_model.reports import split_report
    from customer_model.satisfaction import SegmentBreakdown, SegmentScore
    from customer_model.trends import CalendarPeriod, Granularity, VolumeTable

    # A weekly volume table over four years, of 200 themes.
    first = CalendarPeriod(datetime(2024, 1, 1, tzinfo=UTC).date(), Granularity.WEEK)
    periods = [first]
    while len(periods) < 208:
        periods.append(CalendarPeriod.containing(periods[-1].end, Granularity.WEEK))
    themes = [f"t{i:03}" for i in range(200)]
    table = VolumeTable(
        granularity="week",
        periods=periods,
        themes=themes,
        counts={t: (1,) * len(periods) for t in themes},
    )
    # A split report and a segment breakdown over 300 segments.
    segments = [Segment(f"s{i:03}", f"S{i}") for i in range(300)]
    report = split_report([_customer()], segments)
    scores = SegmentBreakdown(
        measure="nps",
        overall=None,
        segments=[SegmentScore(segment_id=s.id, score=None) for s in segments],
    )
    for result, parts in [(table, 3), (report, 1), (scores, 1)]:
        text = repr(result)
        assert len(text) < 2_000, type(result).__name__
        assert text.count(" in all") >= parts
    assert "...197 more; 200 in all" in repr(table)
    assert "...297 more; 300 in all" in repr(report)


def test_a_wide_volume_table_shows_its_first_columns_in_html_and_counts_the_rest() -> None:
    from customer_model._display import HTML_COLUMNS
    from customer_model.trends import CalendarPeriod, Granularity, VolumeTable

    monday = date(2018, 1, 1).toordinal()  # eight years of weeks
    days = [CalendarPeriod(date.fromordinal(monday + 7 * i), Granularity.WEEK) for i in range(400)]
    table = VolumeTable(
        granularity=Granularity.WEEK,
        periods=tuple(days),
        themes=("a", "b"),
        counts={"a": tuple(range(400)), "b": (0,) * 400},
    )
    page = table._repr_html_()
    header = page.split("</thead>")[0]
    # The theme column and the first periods, then one column counting the rest.
    assert header.count("<th>") == HTML_COLUMNS + 1
    assert f"...{401 - HTML_COLUMNS} more columns; 401 in all" in header
    assert days[HTML_COLUMNS - 2].label in header
    assert days[HTML_COLUMNS - 1].label not in header
    body = page.split("<tbody>")[1]
    assert all(row.count("<td>") == HTML_COLUMNS + 1 for row in body.split("</tr>")[:-1])
    # Text shows it whole, as the records do.
    assert days[-1].label in str(table)
    assert len(table.to_records()) == 800


@given(st.integers(1, 80), st.integers(0, 70))
def test_html_tables_are_bounded_and_narrow_ones_unchanged(columns: int, rows: int) -> None:
    from customer_model._display import HTML_COLUMNS, HTML_ROWS, html_table

    headers = [f"h{i}" for i in range(columns)]
    page = html_table(None, headers, [[f"c{r}.{i}" for i in range(columns)] for r in range(rows)])
    head = page.split("</thead>")[0]
    assert head.count("<th>") == min(columns, HTML_COLUMNS + 1)
    assert ("more columns" in head) == (columns > HTML_COLUMNS)
    assert page.count("<tr>") == 1 + min(rows, HTML_ROWS + 1)
    # Every shown cell is the one at its place.
    shown = min(columns, HTML_COLUMNS)
    if rows:
        assert f"<td>c0.{shown - 1}</td>" in page
        assert f"<td>c0.{shown}</td>" not in page
