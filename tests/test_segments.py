from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    Location,
    Person,
    Purchase,
    Purchaser,
    Segment,
    SegmentBasis,
    ValidationError,
    field,
    from_json,
    to_json,
)
from customer_model.examples import demo_dataset
from customer_model.model.rfm import RFMScore, rfm_scores
from customer_model.model.rules import Always
from customer_model.segmentation import OverlapMatrix, SegmentSizes, overlap_matrix, segment_sizes
from customer_model.testing import aware_datetimes, customers, segments

AS_OF = datetime(2024, 6, 1, tzinfo=UTC)


def _c(cid: str, country: str | None, spend: int | None = None) -> Customer:
    purchases = (
        [] if spend is None else [Purchase(Decimal(spend), "EUR", AS_OF - timedelta(days=3))]
    )
    return Customer(
        cid,
        CustomerKind.INDIVIDUAL,
        [Purchaser(Person(f"{cid}-p"))],
        location=Location(country) if country else None,
        purchases=purchases,
    )


POPULATION = [_c("a", "DE", 100), _c("b", "DE"), _c("c", "FR", 500), _c("d", None, 50)]
GERMANS = Segment("de", "Germans", field("country") == "DE", SegmentBasis.GEOGRAPHIC)
SPENDERS = Segment("big", "Big spenders", field("total_spend") >= 100, SegmentBasis.BEHAVIORAL)
RECENT = Segment("recent", "Recent", field("last_purchase_at").within(timedelta(days=7)))


def test_members_in_input_order() -> None:
    assert [c.id for c in GERMANS.members(POPULATION)] == ["a", "b"]
    assert [c.id for c in SPENDERS.members(reversed(POPULATION))] == ["c", "a"]
    assert GERMANS.matches(POPULATION[0])
    assert not GERMANS.matches(POPULATION[3])


def test_time_rules_need_as_of() -> None:
    with pytest.raises(ValidationError) as info:
        RECENT.matches(POPULATION[0])
    assert info.value.paths == ["$.as_of"]
    assert RECENT.matches(POPULATION[0], as_of=AS_OF)
    assert [c.id for c in RECENT.members(POPULATION, as_of=AS_OF)] == ["a", "c", "d"]


def test_rfm_rules_use_the_population_or_given_scores() -> None:
    # Three ranked customers: the best is above two of three, 1 + floor(10 / 3) = 4.
    top = Segment("top", "Top spend", field("rfm_monetary") == 4)
    assert [c.id for c in top.members(POPULATION, as_of=AS_OF)] == ["c"]
    with pytest.raises(ValidationError):
        top.members(POPULATION)
    scores = rfm_scores(POPULATION, as_of=AS_OF)
    assert top.matches(POPULATION[2], rfm=scores)
    with pytest.raises(ValidationError) as info:
        top.matches(POPULATION[2])
    assert info.value.paths == ["$.rfm"]
    with pytest.raises(ValidationError):
        top.matches(POPULATION[2], rfm={})


def test_default_rule_is_everyone_and_old_positional_form_works() -> None:
    everyone = Segment("all", "Everyone")
    assert everyone.rule == Always()
    assert len(everyone.members(POPULATION)) == 4


def test_sizes_and_overlaps() -> None:
    sizes = segment_sizes(POPULATION, [GERMANS, SPENDERS])
    assert sizes.total == 4
    assert sizes["de"] == 2
    assert sizes["big"] == 2
    assert sizes.share("de") == 0.5
    assert "<table>" in sizes._repr_html_()
    matrix = overlap_matrix(POPULATION, [GERMANS, SPENDERS, RECENT], as_of=AS_OF)
    assert matrix.counts == ((2, 1, 1), (1, 2, 2), (1, 2, 3))
    assert matrix.count("de", "big") == 1
    assert matrix.jaccard("de", "big") == pytest.approx(1 / 3)
    assert "<td>recent</td>" in matrix._repr_html_()
    assert sizes.to_records() == [
        {"segment_id": "de", "name": GERMANS.name, "customers": 2, "share": 0.5},
        {"segment_id": "big", "name": SPENDERS.name, "customers": 2, "share": 0.5},
    ]
    rows = matrix.to_records()
    assert len(rows) == 9
    assert rows[1] == {
        "segment_id": "de",
        "other_id": "big",
        "customers": 1,
        "jaccard": matrix.jaccard("de", "big"),
    }
    assert [r["customers"] for r in rows] == [n for row in matrix.counts for n in row]
    assert segment_sizes([], []).to_records() == overlap_matrix([], []).to_records() == []
    # print() shows tables, not reprs
    assert str(sizes).splitlines()[0].split() == ["segment", "name", "customers", "share"]
    assert str(sizes).endswith("(4 customers)")
    assert str(segment_sizes([], [])).endswith("(0 customers)")
    assert str(SegmentSizes(1, (), ())).endswith("(1 customer)")
    assert str(matrix).splitlines()[0].split() == ["de", "big", "recent"]
    assert str(matrix).splitlines()[2].split() == ["de", "2", "1", "1"]
    with pytest.raises(ValidationError) as info:
        matrix.count("de", "nope")
    assert info.value.paths == ["$.b"]


def test_unknown_segment_ids_are_validation_errors() -> None:
    sizes = segment_sizes(POPULATION, [GERMANS])
    matrix = overlap_matrix(POPULATION, [GERMANS])
    checks: list[tuple[Callable[[], object], list[str]]] = [
        (lambda: sizes["x"], ["$.segment_id"]),
        (lambda: sizes.share("x"), ["$.segment_id"]),
        (lambda: matrix.count("x", "de"), ["$.a"]),
        (lambda: matrix.count("x", "y"), ["$.a", "$.b"]),
        (lambda: matrix.jaccard("de", "x"), ["$.b"]),
    ]
    for call, paths in checks:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.paths == paths


def test_rfm_scores_passed_in_are_checked() -> None:
    top = Segment("top", "Top recency", field("rfm_recency") >= 3)
    c = POPULATION[0]
    for bad in ({c.id: 3}, [1], {c.id: None}):
        with pytest.raises(ValidationError) as info:
            top.matches(c, rfm=bad)  # type: ignore[arg-type]
        assert info.value.paths == ["$.rfm"]
        with pytest.raises(ValidationError) as info:
            top.members(POPULATION, rfm=bad)  # type: ignore[arg-type]
        assert info.value.paths == ["$.rfm"]
    with pytest.raises(ValidationError) as info:
        top.matches(c, rfm={"someone-else": RFMScore(5, 5, 5)})
    assert "'a'" in str(info.value)
    with pytest.raises(ValidationError) as info:
        segment_sizes(POPULATION, [top], rfm={"a": RFMScore(5, 5, 5)})
    assert "has no score for customer(s) 'b', 'c', 'd'" in str(info.value)


def test_html_escapes_names() -> None:
    odd = Segment("x", "<script>", Always())
    assert "<script>" not in segment_sizes(POPULATION, [odd])._repr_html_()


def test_bad_inputs() -> None:
    with pytest.raises(ValidationError):
        Segment("s", "S", "country = 'DE'")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Segment("s", "S", basis="Geographic")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        segment_sizes(POPULATION, [GERMANS, GERMANS])
    with pytest.raises(ValidationError):
        segment_sizes([*POPULATION, POPULATION[0]], [GERMANS])
    with pytest.raises(ValidationError):
        GERMANS.matches("a")  # type: ignore[arg-type]


@given(segments(rfm=True))
def test_segments_round_trip_through_json(segment: Segment) -> None:
    assert from_json(to_json(segment), Segment) == segment


_population = st.lists(customers(currency="EUR"), max_size=8, unique_by=lambda c: c.id)


@given(
    st.lists(segments(), min_size=1, max_size=3, unique_by=lambda s: s.id),
    _population,
    aware_datetimes(),
)
def test_overlap_matrix_is_symmetric_with_sizes_on_the_diagonal(
    segs: list[Segment], population: list[Customer], as_of: datetime
) -> None:
    matrix = overlap_matrix(population, segs, as_of=as_of)
    sizes = segment_sizes(population, segs, as_of=as_of)
    for i, a in enumerate(segs):
        assert matrix.counts[i][i] == sizes[a.id] == len(a.members(population, as_of=as_of))
        for j, _ in enumerate(segs):
            assert matrix.counts[i][j] == matrix.counts[j][i] <= matrix.counts[i][i]


@given(segments(), _population, aware_datetimes())
def test_members_and_matches_agree(
    segment: Segment, population: list[Customer], as_of: datetime
) -> None:
    members = segment.members(population, as_of=as_of)
    assert members == tuple(c for c in population if segment.matches(c, as_of=as_of))
    complement = Segment("not", "Not", ~segment.rule)
    assert len(members) + len(complement.members(population, as_of=as_of)) == len(population)


def test_sizes_and_overlaps_keep_their_shape_when_built_or_loaded() -> None:
    from customer_model import from_json, to_json
    from customer_model.segmentation import OverlapMatrix, SegmentSizes

    sizes = SegmentSizes(10, (("a", 4), ("b", 6)), ("A", "B"))
    assert from_json(to_json(sizes), SegmentSizes) == sizes
    with pytest.raises(ValidationError) as info:
        SegmentSizes(3, (("a", 4), ("a", 1), ([], 1)), ("A",))  # type: ignore[arg-type]
    assert info.value.paths == ["$.sizes[0][1]", "$.sizes[2]", "$.sizes", "$.names"]
    overlap = OverlapMatrix(("a", "b"), ((4, 2), (2, 6)))
    assert from_json(to_json(overlap), OverlapMatrix) == overlap
    with pytest.raises(ValidationError) as info:
        OverlapMatrix(("a", "b"), ((4, 5), (2, 6)))
    assert info.value.paths == ["$.counts[0][1]", "$.counts[1][0]"]
    with pytest.raises(ValidationError) as info:
        OverlapMatrix(("a", "b"), ((4, 2),))
    assert info.value.paths == ["$.counts"]
    with pytest.raises(ValidationError) as info:
        OverlapMatrix(("a", "a", " "), ((1, 1, 0), (1, 1, 0), (0, 0, 1)))
    assert info.value.paths == ["$.segment_ids[2]", "$.segment_ids"]


@given(st.integers(min_value=0, max_value=60))
def test_an_overlap_matrix_repr_stays_short_however_many_segments(n: int) -> None:
    # Hundreds of segments make tens of thousands of counts: a REPL shows a few and a count.
    from customer_model.segmentation import OverlapMatrix

    ids = tuple(f"s{i}" for i in range(n))
    matrix = OverlapMatrix(ids, tuple(tuple(int(i == j) for j in range(n)) for i in range(n)))
    text = repr(matrix)
    assert len(text) < 300
    if n <= 6:
        assert text == f"OverlapMatrix(segment_ids={ids!r}, counts={matrix.counts!r})"
    else:
        assert f"{n - 3:,} more; {n:,} in all" in text
        assert "s3'" not in text  # only the first three ids are shown


@pytest.mark.parametrize("huge", [2**63, 10**5000], ids=["2**63", "10**5000"])
def test_a_loaded_overlap_matrix_refuses_a_count_beyond_64_bits(huge: int) -> None:
    # Like every other count: past 4,300 digits repr() itself would fail.
    from customer_model import from_dict
    from customer_model.segmentation import OverlapMatrix

    with pytest.raises(ValidationError) as info:
        from_dict({"segment_ids": ["a"], "counts": [[huge]]}, OverlapMatrix)
    assert info.value.paths == ["$.counts"]
    assert "64 bits" in str(info.value)
    assert OverlapMatrix(("a",), ((2**63 - 1,),)).count("a", "a") == 2**63 - 1


def test_a_size_beyond_a_loaded_total_too_big_to_show_is_a_validation_error() -> None:
    # The total bounds each size; a 5,000-digit total must not reach a message.
    from customer_model.segmentation import SegmentSizes

    with pytest.raises(ValidationError) as info:
        SegmentSizes(10**5000, (("a", 10**5001), ("b", 2**63)), ("A", "B"))
    assert info.value.paths == ["$.total", "$.sizes[0][1]", "$.sizes[1][1]"]
    assert all("64-bit" in p.message for p in info.value.problems)


@pytest.mark.parametrize("name", ["", " ", "\ud800"])
def test_segment_sizes_name_each_segment_as_a_segment_name_may_be(name: str) -> None:
    # A name holding a lone surrogate was taken, then refused by to_json.
    from customer_model.segmentation import SegmentSizes

    with pytest.raises(ValidationError) as info:
        SegmentSizes(2, (("a", 1), ("b", 1)), ("A", name))
    assert info.value.paths == ["$.names[1]"]
    with pytest.raises(ValidationError):
        Segment("b", name)  # the segment it would name


@pytest.mark.parametrize("as_of", ["2026-01-01", datetime(2026, 1, 1)], ids=["text", "naive"])
def test_as_of_is_checked_even_where_no_rule_reads_it(as_of: Any) -> None:
    # Read only by a rule that needs it: with no such segment, anything passed silently.
    from customer_model.records import feedback_records
    from customer_model.segmentation import overlap_matrix, segment_sizes

    data = demo_dataset()
    calls: list[Callable[[], object]] = [
        lambda: segment_sizes(data.customers, [], as_of=as_of),
        lambda: overlap_matrix(data.customers, [], as_of=as_of),
        lambda: Segment("s", "All").members(data.customers, as_of=as_of),
        lambda: feedback_records(data.feedback, as_of=as_of),
        lambda: feedback_records(data.feedback, data.customers, as_of=as_of),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.paths == ["$.as_of"]


def test_the_sizes_repr_stays_short_however_many_segments() -> None:
    from customer_model.segmentation import SegmentSizes

    n = 10_000
    sizes = SegmentSizes(
        5, tuple((f"s-{i}", 1) for i in range(n)), tuple(f"S{i}" for i in range(n))
    )
    text = repr(sizes)
    assert len(text) < 300
    assert text.startswith("SegmentSizes(total=5, sizes=(('s-0', 1), ('s-1', 1), ('s-2', 1), ...")
    assert text.count("...9,997 more; 10,000 in all)") == 2  # the sizes and the names
    assert "'s-3'" not in text
    assert "'S3'" not in text
    few = SegmentSizes(10, (("a", 4), ("b", 6)), ("A", "B"))  # a short one is shown whole
    assert repr(few) == "SegmentSizes(total=10, sizes=(('a', 4), ('b', 6)), names=('A', 'B'))"


#: Each function of the segments that takes customers, given only the customers.
BY_CUSTOMERS: dict[str, Callable[[Any], object]] = {
    "Segment.members": GERMANS.members,
    "segment_sizes": lambda given: segment_sizes(given, [GERMANS, SPENDERS]),
    "overlap_matrix": lambda given: overlap_matrix(given, [GERMANS, SPENDERS, RECENT], as_of=AS_OF),
    "rfm_scores": lambda given: rfm_scores(given, as_of=AS_OF),
}


@pytest.mark.parametrize("tool", BY_CUSTOMERS.values(), ids=BY_CUSTOMERS)
def test_customers_by_id_are_taken_as_prioritize_takes_them(tool: Callable[[Any], object]) -> None:
    # A mapping was once taken for its keys: "must be a Customer, not str".
    by_id = {c.id: c for c in POPULATION}
    assert tool(by_id) == tool(POPULATION)
    first, second, *rest = POPULATION
    with pytest.raises(ValidationError) as info:
        tool({first.id: second, second.id: first, **{c.id: c for c in rest}})
    assert [str(p) for p in info.value.problems] == [
        "$.customers[0]: must be under its own id in the mapping",
        "$.customers[1]: must be under its own id in the mapping",
    ]
    with pytest.raises(ValidationError) as info:
        tool([*POPULATION, first])
    assert [str(p) for p in info.value.problems] == [
        "$.customers[4]: id 'a' is used more than once"
    ]


@given(st.lists(st.frozensets(st.integers(0, 9)), max_size=8))
def test_overlap_records_agree_with_count_and_jaccard(members: list[frozenset[int]]) -> None:
    from customer_model.segmentation import OverlapMatrix

    ids = tuple(f"s{i}" for i in range(len(members)))
    matrix = OverlapMatrix(ids, tuple(tuple(len(a & b) for b in members) for a in members))
    assert matrix.to_records() == [
        {
            "segment_id": a,
            "other_id": b,
            "customers": matrix.count(a, b),
            "jaccard": matrix.jaccard(a, b),
        }
        for a in ids
        for b in ids
    ]
    for i, a in enumerate(members):  # the share of the union, as its definition says
        for j, b in enumerate(members):
            assert matrix.jaccard(ids[i], ids[j]) == (len(a & b) / len(a | b) if a | b else 0.0)


@pytest.mark.parametrize("count", [segment_sizes, overlap_matrix])
def test_arguments_in_the_other_order_are_refused_with_both_problems(count: Any) -> None:
    # Customers come first, as in split_report: given the other way round, each
    # argument holds the other's type, and one error says so of both.
    with pytest.raises(ValidationError) as info:
        count([GERMANS, SPENDERS], POPULATION)
    assert info.value.paths[:2] == ["$.customers[0]", "$.customers[1]"]
    assert "must be a Customer, not Segment" in str(info.value)
    assert "$.segments[0]: must be a Segment, not Customer" in str(info.value)


def test_repeated_segment_ids_are_reported_with_the_customers_problems() -> None:
    with pytest.raises(ValidationError) as info:
        segment_sizes([POPULATION[0], POPULATION[0]], [GERMANS, GERMANS])
    assert [str(p) for p in info.value.problems] == [
        f"$.customers[1]: id {POPULATION[0].id!r} is used more than once",
        "$.segments: segment id 'de' is used more than once",
    ]


def test_a_set_of_segments_is_refused_where_results_follow_their_order() -> None:
    # A set's order changes with PYTHONHASHSEED: the rows of the same input
    # would come in another order in another run.  Models refuse sets too.
    from customer_model import prioritize, split_report
    from customer_model.persona_fit import persona_coverage
    from customer_model.satisfaction import satisfaction_by_segment

    given = {GERMANS, SPENDERS}
    calls: list[Callable[[], object]] = [
        lambda: segment_sizes(POPULATION, given),
        lambda: overlap_matrix(POPULATION, given),
        lambda: split_report(POPULATION, given),
        lambda: satisfaction_by_segment([], POPULATION, given),
        lambda: persona_coverage(POPULATION, [], given),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert [str(p) for p in info.value.problems] == [
            "$.segments: must be a list or tuple (a set's order changes from run to run), not set"
        ]
    # Where the order shows nowhere (a backlog weighs segments by id), a set serves.
    assert prioritize([], POPULATION, segments=given, as_of=AS_OF).items == ()


#: Each refusal of the sizes and overlaps, and its exact words: the value's name, the path, why.
_REFUSALS: list[tuple[Callable[[], object], str]] = [
    (lambda: SegmentSizes(-1, (), ()), "invalid SegmentSizes: $.total: must be at least 0"),
    # A total that is no integer bounds no size: one problem, not a second about the size.
    (
        lambda: SegmentSizes(2.5, (("a", 3),), ("A",)),  # type: ignore[arg-type]
        "invalid SegmentSizes: $.total: must be an integer, not float",
    ),
    (
        lambda: SegmentSizes("3", (("a", 3),), ("A",)),  # type: ignore[arg-type]
        "invalid SegmentSizes: $.total: must be an integer, not str",
    ),
    (
        lambda: SegmentSizes(3, (("a", 1), ("a", 1), ("b",)), ("A", "B")),  # type: ignore[arg-type]
        "invalid SegmentSizes: 3 problems\n"
        "  $.sizes[2]: must be a (segment id, count) pair\n"
        "  $.sizes: segment 'a' is listed more than once\n"
        "  $.names: must name each segment of sizes, in the same order",
    ),
    (
        lambda: SegmentSizes(3, (("a", 1),), ("A", "B")),
        "invalid SegmentSizes: $.names: must name each segment of sizes, in the same order",
    ),
    (
        lambda: SegmentSizes(3, (("a", 1),), ("A",))["b"],
        "invalid SegmentSizes: $.segment_id: is not one of the segment ids",
    ),
    (
        lambda: OverlapMatrix(None, ()),  # type: ignore[arg-type]
        "invalid OverlapMatrix: 2 problems\n"
        "  $.segment_ids: must be a list or tuple, not NoneType\n"
        "  $.counts: must have one row per segment",
    ),
    # Ids that are refused give no number of rows: any counts are refused with them.
    (
        lambda: OverlapMatrix("a", [[1]]),
        "invalid OverlapMatrix: 2 problems\n"
        "  $.segment_ids: must be a list or tuple, not str\n"
        "  $.counts: must have one row per segment",
    ),
    (
        lambda: OverlapMatrix(("a", "b"), (1, 2)),  # type: ignore[arg-type]
        "invalid OverlapMatrix: 3 problems\n"
        "  $.counts[0]: must be a tuple, not int\n"
        "  $.counts[1]: must be a tuple, not int\n"
        "  $.counts: must have one row per segment",
    ),
    (
        lambda: OverlapMatrix(("a",), ((-1,),)),
        "invalid OverlapMatrix: $.counts: must hold one whole, non-negative count"
        " (64 bits at most) per segment in each row",
    ),
    (
        lambda: OverlapMatrix(("a", "b"), ((1, 2), (2, 3))),
        "invalid OverlapMatrix: 2 problems\n"
        "  $.counts[0][1]: must equal its mirror and not exceed either segment's size\n"
        "  $.counts[1][0]: must equal its mirror and not exceed either segment's size",
    ),
    (
        lambda: OverlapMatrix(("a",), ((1,),)).count("x", "y"),
        "invalid OverlapMatrix: 2 problems\n"
        "  $.a: is not one of the matrix's segment ids\n"
        "  $.b: is not one of the matrix's segment ids",
    ),
    (
        lambda: segment_sizes([], [GERMANS, GERMANS]),
        "invalid segment_sizes input: $.segments: segment id 'de' is used more than once",
    ),
    (
        lambda: overlap_matrix([], [GERMANS, GERMANS]),
        "invalid overlap_matrix input: $.segments: segment id 'de' is used more than once",
    ),
]


@pytest.mark.parametrize(("call", "words"), _REFUSALS)
def test_each_refusal_says_what_where_and_why(call: Callable[[], object], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert str(info.value) == words


def test_rfm_segments_count_with_scores_given_or_computed_over_the_customers() -> None:
    # Computed: of the three customers who bought, "c" spends most, 1 + floor(5 * 2 / 3) = 4.
    top = Segment("top", "Top spend", field("rfm_monetary") == 4)
    assert segment_sizes(POPULATION, [top, GERMANS], as_of=AS_OF).sizes == (("top", 1), ("de", 2))
    assert overlap_matrix(POPULATION, [top, GERMANS], as_of=AS_OF).counts == ((1, 0), (0, 2))
    # Given: the scores passed are the ones read, not ones computed in their place.
    given = {c.id: RFMScore(4, 4, 4) for c in POPULATION}
    assert segment_sizes(POPULATION, [top], rfm=given)["top"] == 4
    assert overlap_matrix(POPULATION, [top, GERMANS], rfm=given).counts == ((4, 2), (2, 2))


def test_sizes_of_no_customers_are_a_share_of_zero_and_print_every_row() -> None:
    nobody = segment_sizes([], [GERMANS])
    assert nobody.share("de") == 0.0
    assert nobody.to_records()[0]["share"] == 0.0
    sizes = segment_sizes(POPULATION, [GERMANS, SPENDERS])
    lines = str(sizes).splitlines()
    assert lines[2].split() == ["de", "Germans", "2", "50.0%"]
    assert lines[3].split() == ["big", "Big", "spenders", "2", "50.0%"]
    head = "<tr><th>segment</th><th>name</th><th>customers</th><th>share</th></tr>"
    assert head in sizes._repr_html_()
    assert "<td>de</td><td>Germans</td><td>2</td><td>50.0%</td>" in sizes._repr_html_()
    matrix = overlap_matrix(POPULATION, [GERMANS, SPENDERS])
    assert "<tr><th></th><th>de</th><th>big</th></tr>" in matrix._repr_html_()


def test_sizes_and_overlaps_take_lists_as_every_result_does() -> None:
    # Lists were refused with "must be a list or tuple, not list": only tuples passed.
    sizes = SegmentSizes(3, [("a", 1), ("b", 2)], ["A", "B"])
    assert sizes == SegmentSizes(3, (("a", 1), ("b", 2)), ("A", "B"))
    assert sizes.names == ("A", "B")
    matrix = OverlapMatrix(["a", "b"], [[4, 2], (2, 6)])
    assert matrix == OverlapMatrix(("a", "b"), ((4, 2), (2, 6)))
    assert matrix.counts == ((4, 2), (2, 6))
    assert type(matrix.counts[0]) is tuple
    # A set's order changes from run to run: still refused, saying so.
    with pytest.raises(ValidationError) as info:
        OverlapMatrix(["a"], {1})  # type: ignore[arg-type]
    assert [str(p) for p in info.value.problems] == [
        "$.counts: must be a list or tuple (a set's order changes from run to run), not set",
        "$.counts: must have one row per segment",
    ]


#: The refusals of a segment and of its evaluation, in their exact words.
_SEGMENT_REFUSALS: list[tuple[Callable[[], object], str]] = [
    (
        lambda: Segment(" s", "", 5, "Geographic", 3),  # type: ignore[arg-type]
        "invalid Segment: 5 problems\n"
        "  $.id: must not start or end with white space\n"
        "  $.name: must not be empty or blank\n"
        "  $.rule: must be a Rule, not int\n"
        "  $.basis: must be a SegmentBasis or one of its values: 'demographic', 'geographic', "
        "'behavioral', 'psychographic', 'firmographic'\n"
        "  $.description: must be a string, not int",
    ),
    (
        lambda: Segment(None, None),  # type: ignore[arg-type]
        "invalid Segment: 2 problems\n  $.id: is required\n  $.name: is required",
    ),
    (
        lambda: Segment("top", "Top", field("rfm_monetary") == 4).matches(
            POPULATION[0], rfm={"b": RFMScore(1, 1, 1)}
        ),
        "invalid Segment.matches: $.rfm: has no score for customer 'a'",
    ),
    (  # no id to look up: the one problem is the customer
        lambda: Segment("top", "Top", field("rfm_monetary") == 4).matches(
            "a",  # type: ignore[arg-type]
            rfm={"b": RFMScore(1, 1, 1)},
        ),
        "invalid Segment.matches: $.customer: must be a Customer, not str",
    ),
    (
        lambda: GERMANS.members([POPULATION[0], 1]),  # type: ignore[list-item]
        "invalid customers: $.customers[1]: must be a Customer, not int",
    ),
    (
        lambda: Segment("top", "Top", field("rfm_monetary") == 4).members(POPULATION),
        "invalid segment evaluation: $.as_of: is required: a rule reads RFM scores",
    ),
    (
        lambda: Segment("top", "Top", field("rfm_monetary") == 4).members(
            POPULATION, rfm={"a": RFMScore(1, 1, 1)}
        ),
        "invalid segment evaluation: $.rfm: has no score for customer(s) 'b', 'c', 'd'",
    ),
    (
        lambda: GERMANS.members(POPULATION, as_of=datetime(2024, 1, 1), rfm=[]),  # type: ignore[arg-type]
        "invalid segment evaluation: 2 problems\n"
        "  $.as_of: must be timezone-aware (naive datetimes are ambiguous)\n"
        "  $.rfm: must be a mapping of customer id to RFMScore, not list",
    ),
]


@pytest.mark.parametrize(("call", "words"), _SEGMENT_REFUSALS)
def test_each_refusal_of_a_segment_says_what_where_and_why(
    call: Callable[[], object], words: str
) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert str(info.value) == words


def test_scores_are_looked_up_only_for_a_rule_that_reads_them() -> None:
    others = {"b": RFMScore(1, 1, 1)}  # no score for "a"
    assert GERMANS.matches(POPULATION[0], rfm=others)
    assert [c.id for c in GERMANS.members(POPULATION, rfm=others)] == ["a", "b"]
    assert not SPENDERS.matches(POPULATION[1], rfm=others)


@pytest.mark.parametrize("count", [segment_sizes, overlap_matrix])
def test_many_repeated_segment_ids_are_itemized_up_to_ten_then_counted(count: Any) -> None:
    ids = [f"s{i}" for i in range(12)]
    twice = [Segment(i, "S") for i in ids] * 2
    with pytest.raises(ValidationError) as info:
        count([], twice)
    assert [str(p) for p in info.value.problems] == [
        *(f"$.segments: segment id {i!r} is used more than once" for i in ids[:10]),
        "$.segments: 12 segment ids are used more than once; the first 10 are itemized",
    ]
    with pytest.raises(ValidationError) as info:
        count([], twice[2:])  # ten repeated: each is itemized, none counted
    assert len(info.value.problems) == 10


def test_a_basis_is_taken_as_its_member_or_its_exact_value() -> None:
    for basis in (SegmentBasis.GEOGRAPHIC, "geographic"):
        assert Segment("s", "S", basis=basis).basis is SegmentBasis.GEOGRAPHIC
    assert Segment("s", "S").basis is None
    with pytest.raises(ValidationError) as info:
        Segment("s", "S", basis="GEOGRAPHIC")  # type: ignore[arg-type]
    assert info.value.paths == ["$.basis"]
