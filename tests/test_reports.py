from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    RoleSplit,
    Segment,
    ValidationError,
    field,
    role_split,
)
from customer_model.examples import demo_dataset
from customer_model.reports import SplitGroup, SplitReport, split_report
from customer_model.testing import customers
from customer_model.testing.factories import CustomerFactory


class KindSegment:
    """A stand-in segment: customers of one kind, remembering the as_of it got."""

    def __init__(self, id: str, kind: CustomerKind) -> None:
        self.id = id
        self.kind = kind
        self.seen: list[object] = []

    def matches(self, customer: Customer, *, as_of: Any = None) -> bool:
        self.seen.append(as_of)
        return customer.kind is self.kind


def test_demo_customers_one_of_each_split() -> None:
    report = split_report(demo_dataset().customers)
    overall = report.overall
    assert (overall.customers, overall.same, overall.disjoint, overall.overlapping) == (3, 1, 1, 1)
    # Maria buys only; Leo and Eli use only; Jon and Dara do both; Ines and Kai buy only.
    assert (overall.purchasers, overall.users, overall.both) == (5, 4, 2)
    assert (overall.purchasers_only, overall.users_only) == (3, 2)
    assert overall.purchasers_only_share == pytest.approx(3 / 5)
    assert overall.share(RoleSplit.SAME) == pytest.approx(1 / 3)
    household = report.kind(CustomerKind.HOUSEHOLD)
    assert (household.customers, household.disjoint, household.users_only) == (1, 1, 1)


def test_empty_kinds_and_segments_have_no_shares() -> None:
    report = split_report(
        [CustomerFactory().self_serve()], [KindSegment("biz", CustomerKind.ORGANIZATION)]
    )
    org = report.kind(CustomerKind.ORGANIZATION)
    assert org.customers == 0
    assert org.share(RoleSplit.SAME) is None
    assert org.purchasers_only_share is None
    assert report.segment("biz").customers == 0


def test_segments_get_as_of_and_their_members() -> None:
    factory = CustomerFactory(seed=1)
    base = [*factory.batch(2), factory.household(), factory.business()]
    families = KindSegment("families", CustomerKind.HOUSEHOLD)
    when = datetime(2025, 6, 30, tzinfo=UTC)
    report = split_report(base, [families], as_of=when)
    assert report.segment("families").customers == 1
    assert report.segment("families").disjoint == 1
    assert set(families.seen) == {when}


def test_records_are_flat_json_scalars_in_a_stable_order() -> None:
    report = split_report(demo_dataset().customers, [KindSegment("b2b", CustomerKind.ORGANIZATION)])
    records = report.to_records()
    assert [(r["group"], r["key"]) for r in records] == [
        ("overall", None),
        ("kind", "individual"),
        ("kind", "household"),
        ("kind", "organization"),
        ("segment", "b2b"),
    ]
    for record in records:
        assert all(type(v) in (str, int, float, type(None)) for v in record.values())
    assert records[-1]["overlapping"] == 1


def test_html_is_escaped() -> None:
    hostile = KindSegment("<script>alert(1)</script>", CustomerKind.INDIVIDUAL)
    html = split_report(demo_dataset().customers, [hostile])._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith("<table>")


def test_text_is_a_table_with_non_printing_characters_escaped() -> None:
    report = split_report(
        demo_dataset().customers, [KindSegment("b2b\x1b[2J", CustomerKind.INDIVIDUAL)]
    )
    lines = str(report).splitlines()
    assert lines[0].split()[:2] == ["Group", "Customers"]
    assert lines[2].split()[:3] == ["all", "customers", "3"]
    assert "\x1b" not in str(report)
    assert "segment: b2b\\x1b[2J" in lines[-1]


def test_bad_input_names_every_argument() -> None:
    with pytest.raises(ValidationError) as info:
        split_report([demo_dataset().customers[0], "c-2"], [object()], as_of=datetime(2025, 1, 1))  # type: ignore[list-item]
    assert set(info.value.paths) == {"$.customers[1]", "$.segments[0]", "$.as_of"}
    with pytest.raises(ValidationError):
        split_report("c-1")  # type: ignore[arg-type]
    c = CustomerFactory().build()
    with pytest.raises(ValidationError, match="more than once"):
        split_report([c, c])


def test_matches_must_return_a_bool() -> None:
    class Fuzzy:
        id = "fuzzy"

        def matches(self, customer: Customer, *, as_of: Any = None) -> Any:
            return 1

    with pytest.raises(ValidationError) as info:
        split_report(demo_dataset().customers, [Fuzzy()])
    assert info.value.paths == ["$.segments[0]"]


def test_unknown_rows_are_validation_errors() -> None:
    report = split_report(demo_dataset().customers)
    with pytest.raises(ValidationError):
        report.segment("nope")
    with pytest.raises(ValidationError) as info:
        report.kind("Household")  # type: ignore[arg-type]
    assert info.value.paths == ["$.kind"]
    assert report.kind("household") == report.kind(CustomerKind.HOUSEHOLD)


@settings(max_examples=25)
@given(
    st.lists(customers(), max_size=5, unique_by=lambda c: c.id), st.randoms(use_true_random=False)
)
def test_counts_add_up_and_order_does_not_matter(population: list[Customer], rnd: Any) -> None:
    report = split_report(population, as_of=datetime(2025, 1, 1, tzinfo=UTC))
    overall = report.overall
    assert overall.customers == len(population)
    assert overall.same + overall.disjoint + overall.overlapping == overall.customers
    assert overall.purchasers == overall.purchasers_only + overall.both
    assert overall.users == overall.users_only + overall.both
    assert sum(r.customers for r in report.by_kind) == overall.customers
    for name in ("same", "disjoint", "overlapping", "purchasers", "users", "both"):
        assert sum(getattr(r, name) for r in report.by_kind) == getattr(overall, name)
    assert overall.same == sum(role_split(c) is RoleSplit.SAME for c in population)
    shuffled = list(population)
    rnd.shuffle(shuffled)
    assert split_report(shuffled, as_of=datetime(2025, 1, 1, tzinfo=UTC)) == report
    assert isinstance(report, SplitReport)


def test_as_of_is_what_segments_take_an_aware_datetime_never_a_date() -> None:
    """The annotation and the check agree: a date (which Segment.matches refuses) is refused."""
    base = list(demo_dataset().customers)
    recent = Segment("recent", "recent", field("last_active_at").within(timedelta(days=30)))
    for bad in (date(2026, 6, 30), datetime(2026, 6, 30)):
        with pytest.raises(ValidationError) as info:
            split_report(base, [recent], as_of=bad)  # type: ignore[arg-type]
        assert info.value.paths == ["$.as_of"]
    when = datetime(2026, 6, 30, tzinfo=UTC)
    assert split_report(base, [recent], as_of=when).segment("recent").customers == sum(
        recent.matches(c, as_of=when) for c in base
    )


def test_real_segments_with_time_rules_need_and_use_as_of() -> None:
    from datetime import timedelta

    from customer_model import Segment, field

    factory = CustomerFactory(seed=3)
    base = [factory.self_serve(), factory.household(), factory.business()]
    latest = max(p.at for c in base for p in c.purchases)
    recent = Segment(
        "recent", "Bought lately", field("last_purchase_at").within(timedelta(days=30))
    )
    with pytest.raises(ValidationError):
        split_report(base, [recent])
    report = split_report(base, [recent], as_of=latest)
    assert report.segment("recent").customers == sum(recent.matches(c, as_of=latest) for c in base)
    assert report.segment("recent").customers >= 1


def test_split_reports_keep_their_sums_when_built_or_loaded() -> None:
    from customer_model import from_json, to_json

    report = split_report(demo_dataset().customers)
    assert from_json(to_json(report), SplitReport) == report
    row = report.overall
    with pytest.raises(ValidationError) as info:
        attrs.evolve(row, same=row.same + 1, both=row.both + 1)
    assert info.value.paths == ["$.customers", "$.purchasers", "$.users"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(row, group="everyone", users_only=-1)  # type: ignore[arg-type]
    assert info.value.paths == ["$.group", "$.users_only"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, overall=report.by_kind[0], by_segment=[row])
    assert info.value.paths == ["$.overall.group", "$.by_segment[0].group"]


def test_a_loaded_split_report_keeps_its_rows() -> None:
    # Once taken: no kind rows (then kind() said "must be a CustomerKind" of a member),
    # kinds adding up to something else than overall, or one segment twice.
    report = split_report(demo_dataset().customers)
    row = report.overall
    for by_kind in ((), report.by_kind[::-1], report.by_kind[:1] * len(report.by_kind)):
        with pytest.raises(ValidationError) as info:
            attrs.evolve(report, by_kind=by_kind)
        assert info.value.paths == ["$.by_kind"]
    bigger = attrs.evolve(row, customers=row.customers + 1, same=row.same + 1)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, overall=bigger)
    assert info.value.paths == ["$.overall.customers", "$.overall.same"]
    segment = attrs.evolve(row, group="segment", key="s")
    with pytest.raises(ValidationError) as info:
        attrs.evolve(
            report, by_segment=[segment, segment, attrs.evolve(bigger, group="segment", key=" t")]
        )
    assert info.value.paths == [
        "$.by_segment[2].key",
        "$.by_segment[2].customers",
        "$.by_segment",
    ]
    assert "'s' is listed more than once" in str(info.value)


@pytest.mark.parametrize("split", ["SAME", None, CustomerKind.HOUSEHOLD])
def test_a_share_of_no_role_split_is_a_validation_error(split: Any) -> None:
    # Once a bare AttributeError ('str' object has no attribute 'value').
    row = split_report(demo_dataset().customers).overall
    with pytest.raises(ValidationError) as info:
        row.share(split)
    assert info.value.paths == ["$.split"]
    assert row.share(RoleSplit.SAME) == 1 / 3


def test_every_result_calls_its_row_of_all_customers_overall() -> None:
    # One word in every record kind, so a notebook filters them alike.
    from customer_model.satisfaction import satisfaction_by_role, satisfaction_by_segment

    data = demo_dataset()
    b2b = KindSegment("b2b", CustomerKind.ORGANIZATION)
    split = split_report(data.customers, [b2b]).to_records()
    by_role = satisfaction_by_role(data.responses, data.customers).to_records()
    by_segment = satisfaction_by_segment(
        data.responses, data.customers, [b2b], as_of=None
    ).to_records()
    for records in (split, by_role, by_segment):
        assert records[0]["group"] == "overall"
        assert [r["group"] for r in records].count("overall") == 1
    assert split[0]["key"] is None
    assert by_segment[0]["segment_id"] is None


def test_a_split_row_has_a_key_exactly_when_it_is_not_the_overall_row() -> None:
    report = split_report(demo_dataset().customers)
    assert SplitGroup.OVERALL is report.overall.group
    assert [row.group for row in report.by_kind] == [SplitGroup.KIND] * len(report.by_kind)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report.overall, key="all")
    assert [str(p) for p in info.value.problems] == ["$.key: must be None in the overall row"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report.by_kind[0], key=None)
    assert info.value.paths == ["$.key"]
    assert attrs.evolve(report.by_kind[0], group="segment", key="s").group is SplitGroup.SEGMENT


def _problems(info: pytest.ExceptionInfo[ValidationError]) -> list[str]:
    return [str(p) for p in info.value.problems]


def test_split_counts_refusals_say_what_to_write_and_whose() -> None:
    row = split_report(demo_dataset().customers).overall
    with pytest.raises(ValidationError) as info:
        attrs.evolve(row, group="everyone")  # type: ignore[arg-type]
    assert str(info.value) == (
        "invalid SplitCounts: $.group: must be a SplitGroup or one of its values: "
        "'overall', 'kind', 'segment'"
    )
    with pytest.raises(ValidationError) as info:
        attrs.evolve(row, same=row.same + 1, both=row.both + 1)
    assert info.value.subject == "SplitCounts"
    assert _problems(info) == [
        "$.customers: must equal same + disjoint + overlapping",
        "$.purchasers: must equal purchasers_only + both",
        "$.users: must equal users_only + both",
    ]
    with pytest.raises(ValidationError) as info:
        row.share("Same")  # type: ignore[arg-type]
    assert str(info.value) == (
        "invalid SplitCounts.share input: $.split: must be a RoleSplit or one of its "
        "values: 'same', 'disjoint', 'overlapping'"
    )


def test_split_report_refusals_say_what_to_write_and_whose() -> None:
    report = split_report(demo_dataset().customers)
    row = report.overall
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, overall=None)  # type: ignore[arg-type]
    assert str(info.value) == "invalid SplitReport: $.overall: is required"
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, by_kind=[row.customers], by_segment=[row.same])  # type: ignore[list-item]
    assert _problems(info) == [
        "$.by_kind[0]: must be a SplitCounts, not int",
        "$.by_segment[0]: must be a SplitCounts, not int",
    ]
    segment = attrs.evolve(row, group="segment", key="s")
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, overall=report.by_kind[0], by_kind=[segment], by_segment=[row])
    assert _problems(info) == [
        "$.overall.group: must be 'overall'",
        "$.by_kind[0].group: must be 'kind'",
        "$.by_segment[0].group: must be 'segment'",
    ]
    assert info.value.subject == "SplitReport"
    with pytest.raises(ValidationError) as info:
        attrs.evolve(report, by_kind=report.by_kind[::-1])
    assert _problems(info) == ["$.by_kind: must have one row per CustomerKind, in the enum's order"]
    household = report.kind("household")
    fewer = attrs.evolve(household, customers=0, disjoint=0)
    bigger = attrs.evolve(row, group="segment", key="all", customers=4, same=2)
    with pytest.raises(ValidationError) as info:
        attrs.evolve(
            report,
            by_kind=[fewer if r is household else r for r in report.by_kind],
            by_segment=[bigger],
        )
    assert _problems(info) == [
        "$.overall.customers: must be the sum of the by_kind rows",
        "$.overall.disjoint: must be the sum of the by_kind rows",
        "$.by_segment[0].customers: must not exceed the overall count",
    ]
    with pytest.raises(ValidationError) as info:
        report.kind("Household")  # type: ignore[arg-type]
    assert str(info.value).startswith("invalid SplitReport: $.kind: must be a CustomerKind")
    with pytest.raises(ValidationError) as info:
        report.segment("nope")
    # Only the argument's name: a segment id someone typed is not repeated.
    assert str(info.value) == (
        "invalid SplitReport: $.segment_id: is not one of the report's segments"
    )


def test_split_report_input_is_what_is_refused() -> None:
    class Fuzzy:
        id = "fuzzy"

        def matches(self, customer: Customer, *, as_of: Any = None) -> Any:
            return 1

    base = demo_dataset().customers
    for bad in ({"as_of": datetime(2025, 1, 1)}, {"segments": [Fuzzy()]}):
        with pytest.raises(ValidationError) as info:
            split_report(base, **bad)
        assert info.value.subject == "split report input"
        assert str(info.value).startswith("invalid split report input: $.")


def test_a_record_has_every_count_and_share_under_its_name() -> None:
    records = split_report(demo_dataset().customers).to_records()
    assert records[0] == {
        "group": "overall",
        "key": None,
        "customers": 3,
        "same": 1,
        "disjoint": 1,
        "overlapping": 1,
        "same_share": 1 / 3,
        "disjoint_share": 1 / 3,
        "overlapping_share": 1 / 3,
        "purchasers": 5,
        "users": 4,
        "both": 2,
        "purchasers_only": 3,
        "users_only": 2,
        "purchasers_only_share": 3 / 5,
        "users_only_share": 2 / 4,
    }
    # Keys in the same order in every record, the column order of a DataFrame.
    assert {tuple(r) for r in records} == {tuple(records[0])}
    organization = records[3]
    assert (organization["key"], organization["overlapping_share"]) == ("organization", 1.0)
    assert organization["purchasers_only_share"] == 2 / 3


def _cells(text: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


def test_the_table_shows_counts_with_shares_and_bare_counts_of_empty_rows() -> None:
    demo = list(demo_dataset().customers)
    individual = [c for c in demo if c.kind is CustomerKind.INDIVIDUAL]
    report = split_report(individual, [KindSegment("b2b", CustomerKind.ORGANIZATION)])
    headers = [
        "Group",
        "Customers",
        "Same",
        "Disjoint",
        "Overlapping",
        "Purchasers who never use",
        "Users who never buy",
    ]
    empty = ["0", "0", "0", "0", "0"]
    lines = _cells(str(report))
    assert set(str(report).splitlines()[1]) == {"-", " "}  # the rule under the headers
    assert lines[:1] + lines[2:] == [
        headers,
        ["all customers", "1", "1 (100%)", "0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)"],
        ["kind: individual", "1", "1 (100%)", "0 (0%)", "0 (0%)", "0 (0%)", "0 (0%)"],
        ["kind: household", "0", *empty],
        ["kind: organization", "0", *empty],
        ["segment: b2b", "0", *empty],
    ]
    demo_report = split_report(demo)
    assert _cells(str(demo_report))[2] == [
        "all customers",
        "3",
        "1 (33%)",
        "1 (33%)",
        "1 (33%)",
        "3 (60%)",
        "2 (50%)",
    ]
    html = demo_report._repr_html_()
    assert html.startswith("<table><caption>Who buys and who uses</caption>")
    assert "".join(f"<th>{h}</th>" for h in headers) in html
    assert "<td>kind: organization</td><td>1</td><td>0 (0%)</td>" in html
