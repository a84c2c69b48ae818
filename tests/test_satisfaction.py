"""Tests for the satisfaction measures, survey responses and their breakdowns."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    Dataset,
    Person,
    Purchaser,
    SurveyMeasure,
    SurveyResponse,
    User,
    ValidationError,
    from_json,
    to_json,
)
from customer_model.examples import demo_dataset
from customer_model.satisfaction import (
    GroupScore,
    RoleBreakdown,
    SegmentBreakdown,
    SegmentScore,
    aggregate,
    ces,
    csat,
    nps,
    satisfaction_by_role,
    satisfaction_by_segment,
)

T0 = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)


def first_path(exc: pytest.ExceptionInfo[ValidationError]) -> tuple[str | int, ...]:
    return exc.value.problems[0].path


# -- the measures -------------------------------------------------------------------


@given(st.lists(st.integers(1, 5), min_size=1, max_size=30))
def test_a_pandas_column_of_scores_scores_as_its_python_ints(scores: list[int]) -> None:
    # A notebook hands over NumPy integers; they are the ints they equal, bools are not.
    import numpy as np
    import pandas as pd  # type: ignore[import-untyped]

    column = pd.Series(scores, dtype="int64")
    for measure in (nps, csat, ces):
        assert measure(column) == measure(scores)
        assert measure(np.array(scores, dtype=np.int16)) == measure(scores)
    with pytest.raises(ValidationError, match=r"\$\.scores\[0\]: must be an integer, not bool"):
        csat([True, *scores])
    with pytest.raises(ValidationError, match=r"\$\.scores\[0\]: must be an integer, not bool"):
        csat(np.array([True, *[bool(s % 2) for s in scores]]))
    with pytest.raises(ValidationError, match=r"\$\.scores\[0\]: must be between 1 and 5"):
        csat(np.array([0, *scores], dtype=np.uint8))


class TestNps:
    def test_bain_example(self) -> None:
        # 5 promoters, 2 passives, 3 detractors out of 10: 50% - 30% = 20.
        assert nps([10, 9, 9, 10, 9, 8, 7, 6, 3, 0]) == 20.0

    def test_extremes(self) -> None:
        assert nps([10] * 4) == 100.0
        assert nps([0, 6]) == -100.0
        assert nps([7, 8]) == 0.0

    def test_boundaries_of_the_groups(self) -> None:
        assert nps([9]) == 100.0
        assert nps([8]) == 0.0
        assert nps([7]) == 0.0
        assert nps([6]) == -100.0

    def test_not_rounded(self) -> None:
        assert nps([10, 0, 8]) == 0.0
        assert nps([10, 8, 8]) == pytest.approx(100 / 3)
        assert nps([10, 8, 8]) != round(nps([10, 8, 8]), 1)

    def test_any_iterable(self) -> None:
        assert nps(iter([10, 0])) == 0.0
        assert nps(s for s in (9, 9)) == 100.0
        assert nps(range(11)) == pytest.approx((2 - 7) * 100 / 11)


@pytest.mark.parametrize(
    ("measure", "low", "high"),
    [(nps, 0, 10), (csat, 1, 5), (ces, 1, 7)],
    ids=["nps", "csat", "ces"],
)
class TestMeasureValidation:
    def test_empty(self, measure: Any, low: int, high: int) -> None:
        with pytest.raises(ValidationError) as exc:
            measure([])
        assert first_path(exc) == ("scores",)

    @pytest.mark.parametrize("bad", ["below", "above", 7.0, True, None, "5"])
    def test_bad_element(self, measure: Any, low: int, high: int, bad: object) -> None:
        value = {"below": low - 1, "above": high + 1}.get(bad, bad)  # type: ignore[call-overload]
        with pytest.raises(ValidationError) as exc:
            measure([low, value])
        assert first_path(exc) == ("scores", 1)

    @pytest.mark.parametrize("bad", ["7", b"7", 7, None, {7: 1}])
    def test_not_an_iterable_of_scores(
        self, measure: Any, low: int, high: int, bad: object
    ) -> None:
        with pytest.raises(ValidationError) as exc:
            measure(bad)
        assert first_path(exc) == ("scores",)

    def test_every_bad_element_reported(self, measure: Any, low: int, high: int) -> None:
        with pytest.raises(ValidationError) as exc:
            measure([high + 1, low, low - 1])
        assert [p.path for p in exc.value.problems] == [("scores", 0), ("scores", 2)]

    def test_message_hides_the_value(self, measure: Any, low: int, high: int) -> None:
        with pytest.raises(ValidationError) as exc:
            measure([987654])
        assert "987654" not in str(exc.value)

    def test_bounds_accepted(self, measure: Any, low: int, high: int) -> None:
        assert math.isfinite(measure([low, high]))


class TestCsatCes:
    def test_csat_share_of_satisfied(self) -> None:
        assert csat([5, 4, 4, 3, 1]) == 60.0
        assert csat([3, 3]) == 0.0
        assert csat([4]) == 100.0

    def test_ces_mean(self) -> None:
        assert ces([7, 6, 5, 2]) == 5.0
        assert ces([1]) == 1.0
        assert ces([1, 2]) == 1.5


scores_0_10 = st.lists(st.integers(0, 10), min_size=1, max_size=60)


class TestMeasureProperties:
    @settings(max_examples=100)
    @given(scores_0_10, st.randoms(use_true_random=False))
    def test_nps_range_and_order(self, scores: list[int], rnd: random.Random) -> None:
        value = nps(scores)
        assert -100 <= value <= 100
        shuffled = list(scores)
        rnd.shuffle(shuffled)
        assert nps(shuffled) == value

    @settings(max_examples=60)
    @given(scores_0_10)
    def test_nps_matches_definition(self, scores: list[int]) -> None:
        n = len(scores)
        promoters = 100 * sum(s >= 9 for s in scores) / n
        detractors = 100 * sum(s <= 6 for s in scores) / n
        assert nps(scores) == pytest.approx(promoters - detractors)

    @settings(max_examples=60)
    @given(scores_0_10)
    def test_nps_scale_invariant(self, scores: list[int]) -> None:
        assert nps(scores * 3) == nps(scores)

    @settings(max_examples=60)
    @given(st.lists(st.integers(1, 5), min_size=1, max_size=60))
    def test_csat_range(self, scores: list[int]) -> None:
        assert 0 <= csat(scores) <= 100

    @settings(max_examples=60)
    @given(st.lists(st.integers(1, 7), min_size=1, max_size=60))
    def test_ces_range(self, scores: list[int]) -> None:
        assert min(scores) <= ces(scores) <= max(scores)
        assert ces(list(reversed(scores))) == ces(scores)

    @pytest.mark.parametrize(
        ("measure", "function", "scale"),
        [
            (SurveyMeasure.NPS, nps, (0, 10)),
            (SurveyMeasure.CSAT, csat, (1, 5)),
            (SurveyMeasure.CES, ces, (1, 7)),
        ],
    )
    def test_measure_dispatch(self, measure: SurveyMeasure, function: Any, scale: Any) -> None:
        assert measure.scale == scale
        scores = [scale[0], scale[1], scale[1]]
        assert aggregate(measure, scores) == function(scores)
        # By its value too, as SurveyResponse(measure="nps") takes it.
        assert aggregate(measure.value, scores) == function(scores)

    @pytest.mark.parametrize("measure", ["NPS", "Nps", None, 3, [SurveyMeasure.NPS], object()])
    def test_aggregate_names_a_measure_that_is_not_one(self, measure: Any) -> None:
        # Once a bare KeyError (or a TypeError for an unhashable value).
        with pytest.raises(ValidationError) as info:
            aggregate(measure, [5])
        assert info.value.paths == ["$.measure"]


# -- SurveyResponse -----------------------------------------------------------------


def response(
    rid: str,
    customer_id: str,
    respondent_id: str | None,
    score: int,
    measure: SurveyMeasure = SurveyMeasure.NPS,
) -> SurveyResponse:
    return SurveyResponse(
        id=rid,
        customer_id=customer_id,
        respondent_id=respondent_id,
        measure=measure,
        score=score,
        at=T0,
    )


class TestSurveyResponse:
    def test_valid(self) -> None:
        r = response("r1", "c1", None, 9)
        assert r.respondent_id is None
        assert r.measure is SurveyMeasure.NPS

    @pytest.mark.parametrize(
        ("measure", "score"),
        [
            (SurveyMeasure.NPS, 11),
            (SurveyMeasure.NPS, -1),
            (SurveyMeasure.CSAT, 0),
            (SurveyMeasure.CSAT, 6),
            (SurveyMeasure.CES, 8),
            (SurveyMeasure.CES, True),
            (SurveyMeasure.CES, 4.0),
        ],
    )
    def test_score_on_the_measure_scale(self, measure: SurveyMeasure, score: Any) -> None:
        with pytest.raises(ValidationError) as exc:
            response("r1", "c1", None, score, measure)
        assert first_path(exc) == ("score",)

    def test_bad_fields(self) -> None:
        with pytest.raises(ValidationError) as exc:
            SurveyResponse(
                id=" r1",
                customer_id="",
                respondent_id=" ",
                measure="NPS",  # type: ignore[arg-type]
                score=5,
                at=datetime(2024, 1, 1),
            )
        assert [p.path[0] for p in exc.value.problems] == [
            "id",
            "customer_id",
            "respondent_id",
            "measure",
            "at",
        ]

    def test_json_example(self) -> None:
        r = response("r1", "c1", "p1", 4, SurveyMeasure.CSAT)
        text = to_json(r)
        assert '"measure": "csat"' in text
        assert from_json(text, SurveyResponse) == r

    def test_json_rejects_out_of_scale(self) -> None:
        text = to_json(response("r1", "c1", "p1", 7, SurveyMeasure.CES))
        with pytest.raises(ValidationError) as exc:
            from_json(text.replace('"ces"', '"csat"'), SurveyResponse)
        assert exc.value.problems[0].path == ("score",)

    @settings(max_examples=60)
    @given(st.data())
    def test_json_round_trip(self, data: st.DataObject) -> None:
        ident = st.text(
            alphabet=st.characters(categories=("L", "N"), include_characters="-_"),
            min_size=1,
            max_size=12,
        )
        measure = data.draw(st.sampled_from(SurveyMeasure))
        low, high = measure.scale
        offset = data.draw(st.integers(-14 * 60, 14 * 60))
        at = data.draw(
            st.datetimes(
                min_value=datetime(1990, 1, 1),
                max_value=datetime(2100, 1, 1),
                timezones=st.just(timezone(timedelta(minutes=offset))),
            )
        )
        r = SurveyResponse(
            id=data.draw(ident),
            customer_id=data.draw(ident),
            respondent_id=data.draw(st.none() | ident),
            measure=measure,
            score=data.draw(st.integers(low, high)),
            at=at,
        )
        back = from_json(to_json(r), SurveyResponse)
        assert back == r
        assert back.at.utcoffset() == r.at.utcoffset()


# -- fixtures: customers with purchasers and users ------------------------------------


def person(pid: str) -> Person:
    return Person(id=pid)


def company() -> Customer:
    """A business: p-buyer buys, p-lead buys and uses, p-user1 and p-user2 use."""
    return Customer(
        id="acme",
        kind=CustomerKind.ORGANIZATION,
        purchasers=[Purchaser(person("p-buyer")), Purchaser(person("p-lead"))],
        users=[User(person("p-lead")), User(person("p-user1")), User(person("p-user2"))],
        size=50,
    )


def family() -> Customer:
    """Parents buy, the child uses."""
    return Customer(
        id="family",
        kind=CustomerKind.HOUSEHOLD,
        purchasers=[Purchaser(person("p-parent"))],
        users=[User(person("p-child"))],
        size=3,
    )


def customers() -> list[Customer]:
    return [company(), family()]


def role_responses() -> list[SurveyResponse]:
    return [
        response("r1", "acme", "p-buyer", 10),  # purchaser only: promoter
        response("r2", "family", "p-parent", 9),  # purchaser only: promoter
        response("r3", "acme", "p-lead", 8),  # both: passive
        response("r4", "acme", "p-user1", 3),  # user only: detractor
        response("r5", "acme", "p-user2", 9),  # user only: promoter
        response("r6", "family", "p-child", 6),  # user only: detractor
        response("r7", "acme", None, 10),  # anonymous
        response("r8", "family", "p-buyer", 0),  # not listed by this customer
        response("r9", "acme", "p-user1", 2, SurveyMeasure.CSAT),  # other measure
    ]


class TestSatisfactionByRole:
    def test_groups(self) -> None:
        result = satisfaction_by_role(role_responses(), customers())
        assert result.measure is SurveyMeasure.NPS
        assert result.purchasers_only == GroupScore(100.0, 2)
        assert result.both == GroupScore(0.0, 1)
        assert result.users_only == GroupScore(nps([3, 9, 6]), 3)
        assert result.unknown == GroupScore(nps([10, 0]), 2)
        assert result.overall == GroupScore(nps([10, 9, 8, 3, 9, 6, 10, 0]), 8)

    def test_people_in_both_roles_count_in_both_groups(self) -> None:
        result = satisfaction_by_role(role_responses(), customers())
        assert result.purchasers == GroupScore(nps([10, 9, 8]), 3)
        assert result.users == GroupScore(nps([8, 3, 9, 6]), 4)

    def test_gap_is_purchasers_minus_users(self) -> None:
        result = satisfaction_by_role(role_responses(), customers())
        assert result.gap == pytest.approx(nps([10, 9, 8]) - nps([8, 3, 9, 6]))
        assert result.gap == pytest.approx(66.666666 + 25, abs=1e-4)

    def test_other_measure(self) -> None:
        result = satisfaction_by_role(role_responses(), customers(), measure=SurveyMeasure.CSAT)
        # Named by its value, as SurveyResponse(measure="csat") takes it: the same result.
        assert satisfaction_by_role(role_responses(), customers(), measure="csat") == result
        assert result.overall == GroupScore(0.0, 1)
        assert result.users_only == GroupScore(0.0, 1)
        assert result.purchasers is None
        assert result.purchasers_only is None
        assert result.both is None
        assert result.unknown is None
        assert result.gap is None

    def test_no_responses_gives_none(self) -> None:
        result = satisfaction_by_role([], customers())
        assert result == RoleBreakdown(
            measure=SurveyMeasure.NPS,
            overall=None,
            purchasers=None,
            users=None,
            purchasers_only=None,
            users_only=None,
            both=None,
            unknown=None,
            gap=None,
        )

    def test_accepts_mapping_of_customers(self) -> None:
        dataset = Dataset(customers=customers(), responses=role_responses())
        by_list = satisfaction_by_role(dataset.responses, dataset.customers)
        assert satisfaction_by_role(dataset.responses, dataset.customers_by_id) == by_list

    def test_unknown_customer(self) -> None:
        responses = [*role_responses(), response("r10", "ghost", None, 5)]
        with pytest.raises(ValidationError) as exc:
            satisfaction_by_role(responses, customers())
        problem = exc.value.problems[0]
        assert problem.path == ("responses", 9, "customer_id")
        assert "'ghost'" in problem.message

    def test_bad_inputs(self) -> None:
        with pytest.raises(ValidationError) as exc:
            satisfaction_by_role([object()], [company(), "x"], measure="NPS")  # type: ignore[arg-type, list-item]
        assert [p.path for p in exc.value.problems] == [
            ("customers", 1),
            ("measure",),
            ("responses", 0),
        ]

    def test_duplicate_customers(self) -> None:
        with pytest.raises(ValidationError) as exc:
            satisfaction_by_role([], [company(), company()])
        assert first_path(exc) == ("customers", 1)

    def test_html(self) -> None:
        html = satisfaction_by_role(role_responses(), customers())._repr_html_()
        assert html.startswith("<table>")
        assert "purchasers only" in html
        assert "+91.7" in html
        assert "gap (purchasers - users)" in html

    def test_records_have_every_group_even_without_responses(self) -> None:
        breakdown = satisfaction_by_role(role_responses(), customers())
        rows = breakdown.to_records()
        assert [r["group"] for r in rows] == [
            "overall",
            "purchasers",
            "users",
            "purchasers_only",
            "users_only",
            "both",
            "unknown",
        ]
        for row in rows:
            score = getattr(breakdown, str(row["group"]))
            assert row["measure"] == "nps"
            assert row["responses"] == (0 if score is None else score.count)
            assert row["value"] == (None if score is None else score.value)
        empty = satisfaction_by_role([], customers()).to_records()
        assert [tuple(r) for r in empty] == [tuple(r) for r in rows]
        assert {(r["responses"], r["value"]) for r in empty} == {(0, None)}

    def test_text_matches_html(self) -> None:
        breakdown = satisfaction_by_role(role_responses(), customers())
        text = str(breakdown)
        assert text.splitlines()[0].split() == ["group", "responses", "NPS"]
        assert "purchasers only" in text
        assert text.endswith("gap (purchasers - users): +91.7")

    @settings(max_examples=60)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(
                    ["p-buyer", "p-lead", "p-user1", "p-user2", "p-parent", "p-child", None]
                ),
                st.sampled_from(["acme", "family"]),
                st.integers(0, 10),
            ),
            max_size=30,
        ),
        st.randoms(use_true_random=False),
    )
    def test_partition_and_order_independence(
        self, rows: list[tuple[str | None, str, int]], rnd: random.Random
    ) -> None:
        responses = [response(f"r{i}", c, p, s) for i, (p, c, s) in enumerate(rows)]
        result = satisfaction_by_role(responses, customers())
        shuffled = list(responses)
        rnd.shuffle(shuffled)
        assert satisfaction_by_role(shuffled, customers()) == result
        parts = [result.purchasers_only, result.users_only, result.both, result.unknown]
        assert sum(p.count for p in parts if p is not None) == len(responses)
        if result.purchasers is not None and result.users is not None:
            assert result.gap == result.purchasers.value - result.users.value
        else:
            assert result.gap is None


# -- segments -----------------------------------------------------------------------


@attrs.frozen
class FakeSegment:
    """The pinned segment interface: an id and matches(customer, *, as_of)."""

    id: str
    kinds: frozenset[CustomerKind]
    seen: list[object] = attrs.field(factory=list, eq=False)

    def matches(self, customer: Customer, *, as_of: Any = None) -> bool:
        self.seen.append(as_of)
        return customer.kind in self.kinds


class TestSatisfactionBySegment:
    def test_per_segment(self) -> None:
        b2b = FakeSegment("b2b", frozenset({CustomerKind.ORGANIZATION}))
        homes = FakeSegment("homes", frozenset({CustomerKind.HOUSEHOLD}))
        everyone = FakeSegment("all", frozenset(CustomerKind))
        nobody = FakeSegment("none", frozenset())
        as_of = datetime(2024, 6, 1, tzinfo=UTC)
        result = satisfaction_by_segment(
            role_responses(), customers(), [b2b, homes, everyone, nobody], as_of=as_of
        )
        assert isinstance(result, SegmentBreakdown)
        assert [row.segment_id for row in result.segments] == ["b2b", "homes", "all", "none"]
        assert result.get("b2b") == GroupScore(nps([10, 8, 3, 9, 10]), 5)
        assert result.get("homes") == GroupScore(nps([9, 6, 0]), 3)
        assert result.get("all") == result.overall
        assert result.get("none") is None
        assert set(b2b.seen) == {as_of}
        by_value = satisfaction_by_segment(
            role_responses(),
            customers(),
            [b2b, homes, everyone, nobody],
            as_of=as_of,
            measure="nps",
        )
        assert by_value == result
        rows = result.to_records()
        assert [(r["group"], r["segment_id"], r["responses"]) for r in rows] == [
            ("overall", None, result.overall.count if result.overall else 0),
            ("segment", "b2b", 5),
            ("segment", "homes", 3),
            ("segment", "all", result.overall.count if result.overall else 0),
            ("segment", "none", 0),
        ]
        assert [list(r) for r in rows] == [
            ["measure", "group", "segment_id", "responses", "value"]
        ] * 5
        assert rows[1]["value"] == nps([10, 8, 3, 9, 10])
        assert rows[4]["value"] is None
        assert {r["measure"] for r in rows} == {"nps"}
        lines = str(result).splitlines()
        assert lines[0].split() == ["segment", "responses", "NPS"]
        assert lines[3].split() == ["b2b", "5", f"{nps([10, 8, 3, 9, 10]):+.1f}"]
        assert lines[-1].split() == ["none", "0", "n/a"]

    def test_unknown_segment_id(self) -> None:
        result = satisfaction_by_segment([], customers(), [], as_of=None)
        assert result.overall is None
        with pytest.raises(ValidationError) as exc:
            result.get("nope")
        assert first_path(exc) == ("segment_id",)

    def test_as_of_checked(self) -> None:
        seg = FakeSegment("s", frozenset())
        # A date is refused as Segment.matches refuses it: the annotation says datetime.
        for bad in ("2024-01-01", datetime(2024, 1, 1), date(2024, 1, 1)):
            with pytest.raises(ValidationError) as exc:
                satisfaction_by_segment([], customers(), [seg], as_of=bad)  # type: ignore[arg-type]
            assert first_path(exc) == ("as_of",)
        when = datetime(2024, 1, 1, tzinfo=UTC)
        assert satisfaction_by_segment([], customers(), [seg], as_of=when).overall is None

    def test_bad_segments(self) -> None:
        seg = FakeSegment("s", frozenset())
        with pytest.raises(ValidationError) as exc:
            satisfaction_by_segment([], customers(), [seg, seg, object()], as_of=None)  # type: ignore[list-item]
        assert [p.path for p in exc.value.problems] == [("segments", 1), ("segments", 2)]

    def test_matches_must_return_bool(self) -> None:
        class Sloppy:
            id = "sloppy"

            def matches(self, customer: Customer, *, as_of: Any = None) -> Any:
                return 1

        with pytest.raises(ValidationError) as exc:
            satisfaction_by_segment(role_responses(), customers(), [Sloppy()], as_of=None)
        assert first_path(exc) == ("segments", 0)

    def test_unknown_customer(self) -> None:
        with pytest.raises(ValidationError) as exc:
            satisfaction_by_segment([response("r1", "ghost", None, 1)], customers(), [], as_of=None)
        assert first_path(exc) == ("responses", 0, "customer_id")

    def test_html_escapes(self) -> None:
        seg = FakeSegment("<b>&co", frozenset(CustomerKind))
        html = satisfaction_by_segment(
            role_responses(), customers(), [seg], as_of=None, measure=SurveyMeasure.NPS
        )._repr_html_()
        assert "&lt;b&gt;&amp;co" in html
        assert "<b>" not in html


# -- Dataset ------------------------------------------------------------------------


class TestDatasetResponses:
    def test_default_and_round_trip(self) -> None:
        assert Dataset(customers=customers()).responses == ()
        dataset = Dataset(customers=customers(), responses=iter(role_responses()))
        assert isinstance(dataset.responses, tuple)
        assert from_json(to_json(dataset), Dataset) == dataset

    def test_field_order(self) -> None:
        names = [f.name for f in attrs.fields(Dataset)]
        assert names.index("segments") + 1 == names.index("responses")
        assert names[-1] == "schema_version"

    def test_unique_ids_and_known_customers(self) -> None:
        rs = [response("r1", "acme", None, 1), response("r1", "ghost", None, 2)]
        with pytest.raises(ValidationError) as exc:
            Dataset(customers=customers(), responses=rs)
        assert [p.path for p in exc.value.problems] == [
            ("responses", 1),  # the repeat, where it stands
            ("responses", 1, "customer_id"),
        ]

    def test_wrong_type(self) -> None:
        with pytest.raises(ValidationError) as exc:
            Dataset(customers=customers(), responses=["r1"])  # type: ignore[list-item]
        assert first_path(exc) == ("responses", 0)


def test_breakdowns_keep_their_shape_when_built_or_loaded() -> None:
    """Stored breakdowns are checked when loaded: the gap must follow from the groups."""
    from customer_model import from_json, to_json
    from customer_model.satisfaction import SegmentBreakdown, SegmentScore

    result = satisfaction_by_role(role_responses(), customers())
    assert from_json(to_json(result), RoleBreakdown) == result
    with pytest.raises(ValidationError) as info:
        attrs.evolve(result, gap=result.gap + 1)  # type: ignore[operator]
    assert info.value.paths == ["$.gap"]
    with pytest.raises(ValidationError) as info:
        attrs.evolve(result, both=3.5)  # type: ignore[arg-type]
    assert info.value.paths == ["$.both"]
    row = SegmentScore("vip", GroupScore(50.0, 2))
    with pytest.raises(ValidationError) as info:
        SegmentBreakdown(measure=SurveyMeasure.NPS, overall=None, segments=[row, row])
    assert info.value.paths == ["$.segments"]
    with pytest.raises(ValidationError) as info:
        SegmentScore(" vip", 50.0)  # type: ignore[arg-type]
    assert info.value.paths == ["$.segment_id", "$.score"]


_G = GroupScore(value=10.0, count=2)
_FIVE = GroupScore(value=5.0, count=1)


#: Groups whose counts add up: one buyer only and one in both roles; two buyers only.
_ONE_OF_EACH = {
    "overall": _G,
    "purchasers": _G,
    "users": _FIVE,
    "purchasers_only": _FIVE,
    "both": _FIVE,
}
_BUYERS_ONLY = {"overall": _G, "purchasers": _G, "purchasers_only": _G}


def _role_breakdown(**groups: Any) -> RoleBreakdown:
    values: dict[str, Any] = dict.fromkeys(
        ("overall", "purchasers", "users", "purchasers_only", "users_only", "both", "unknown")
    )
    values["gap"] = None
    values.update(groups)
    return RoleBreakdown(measure=SurveyMeasure.NPS, **values)


_REFUSALS: list[tuple[Any, str]] = [
    (lambda: nps([11]), "invalid NPS scores: $.scores[0]: must be between 0 and 10"),
    (lambda: csat([0]), "invalid CSAT scores: $.scores[0]: must be between 1 and 5"),
    (lambda: ces([8]), "invalid CES scores: $.scores[0]: must be between 1 and 7"),
    (
        lambda: GroupScore(value=math.nan, count=0),
        "invalid GroupScore: 2 problems\n  $.value: must be a finite number (not NaN or infinity)"
        "\n  $.count: must be at least 1",
    ),
    (
        lambda: RoleBreakdown(
            measure="NPS",  # type: ignore[arg-type]
            overall=None,
            purchasers=None,
            users=None,
            purchasers_only=None,
            users_only=None,
            both=None,
            unknown=None,
            gap=None,
        ),
        "invalid RoleBreakdown: $.measure: must be a SurveyMeasure or one of its values: "
        "'nps', 'csat', 'ces'",
    ),
    (
        lambda: _role_breakdown(overall=1, purchasers=_G, users=_G, gap=math.nan),
        "invalid RoleBreakdown: 2 problems\n  $.overall: must be a GroupScore, not int\n"
        "  $.gap: must be a finite number (not NaN or infinity)",
    ),
    # The gap is checked whether or not the other groups are empty (it was skipped then).
    (
        lambda: _role_breakdown(**_ONE_OF_EACH, gap=1.0),
        "invalid RoleBreakdown: $.gap: must be purchasers.value - users.value (None without both)",
    ),
    (
        lambda: _role_breakdown(**_BUYERS_ONLY, gap=10.0),
        "invalid RoleBreakdown: $.gap: must be purchasers.value - users.value (None without both)",
    ),
    (
        lambda: SegmentScore(segment_id="", score=1),  # type: ignore[arg-type]
        "invalid SegmentScore: 2 problems\n  $.segment_id: must not be empty or blank\n"
        "  $.score: must be a GroupScore, not int",
    ),
    (
        lambda: SegmentBreakdown(
            measure="x",  # type: ignore[arg-type]
            overall=1,  # type: ignore[arg-type]
            segments=(SegmentScore("a", None), SegmentScore("a", None)),
        ),
        "invalid SegmentBreakdown: 3 problems\n  $.measure: must be a SurveyMeasure or one of"
        " its values: 'nps', 'csat', 'ces'\n"
        "  $.overall: must be a GroupScore, not int\n"
        "  $.segments: segment 'a' is listed more than once",
    ),
    (
        lambda: SegmentBreakdown(measure=SurveyMeasure.NPS, overall=None, segments=[1]),  # type: ignore[list-item]
        "invalid SegmentBreakdown: $.segments[0]: must be a SegmentScore, not int",
    ),
    (
        lambda: SegmentBreakdown(measure=SurveyMeasure.NPS, overall=None, segments=()).get("zz"),
        "invalid SegmentBreakdown: $.segment_id: is not one of the breakdown's segments",
    ),
]


class _NotABool:
    id = "s"

    def matches(self, customer: Customer, *, as_of: Any = None) -> Any:
        return 1


_REFUSALS += [
    (
        lambda: satisfaction_by_role("x", []),  # type: ignore[arg-type]
        "invalid satisfaction by role input: $.responses: "
        "must be an iterable of SurveyResponse, not str",
    ),
    (
        lambda: satisfaction_by_role({}, []),
        "invalid satisfaction by role input: $.responses: "
        "must be an iterable of SurveyResponse, not dict",
    ),
    (
        lambda: satisfaction_by_role([1], []),  # type: ignore[list-item]
        "invalid satisfaction by role input: $.responses[0]: must be a SurveyResponse, not int",
    ),
    (
        lambda: satisfaction_by_segment([], [1], [], as_of=None),  # type: ignore[list-item]
        "invalid satisfaction by segment input: $.customers[0]: must be a Customer, not int",
    ),
    (
        lambda: satisfaction_by_segment(
            demo_dataset().responses, demo_dataset().customers, [_NotABool()], as_of=None
        ),
        "invalid satisfaction by segment input: $.segments[0]: "
        "matches() must return a bool, not int",
    ),
]


@pytest.mark.parametrize(("call", "message"), _REFUSALS)
def test_each_refusal_names_its_input_field_and_rule(call: Any, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        call()
    assert str(exc.value) == message


def test_a_role_breakdown_reads_as_a_table_and_as_html() -> None:
    breakdown = _role_breakdown(**_ONE_OF_EACH, gap=5.0)
    assert str(breakdown).splitlines() == [
        "group                    responses  NPS",
        "-----------------------  ---------  -----",
        "all respondents          2          +10.0",
        "purchasers (incl. both)  2          +10.0",
        "users (incl. both)       1          +5.0",
        "purchasers only          1          +5.0",
        "users only               0          n/a",
        "both roles               1          +5.0",
        "unknown or anonymous     0          n/a",
        "gap (purchasers - users): +5.0",
    ]
    html = _role_breakdown()._repr_html_()
    assert html.startswith(
        "<table><caption>NPS by role</caption><thead><tr><th>Group</th><th>Responses</th>"
        "<th>NPS</th></tr></thead><tbody><tr><td>all respondents</td><td>0</td><td>n/a</td>"
    )
    assert html.endswith(
        "<tr><td>gap (purchasers - users)</td><td></td><td>n/a</td></tr></tbody></table>"
    )
    assert str(_role_breakdown(**_BUYERS_ONLY)).splitlines()[-1] == (
        "gap (purchasers - users): n/a"
    )


@pytest.mark.parametrize(
    ("make", "problems"),
    [
        (  # once loaded from JSON as it stood
            lambda: _role_breakdown(overall=_G, purchasers=_G, unknown=_G),
            ["$.purchasers.count: must be the responses of purchasers_only and both"],
        ),
        (
            lambda: _role_breakdown(purchasers_only=_G),
            [
                "$.overall.count: must be the responses of the four disjoint groups",
                "$.purchasers.count: must be the responses of purchasers_only and both",
            ],
        ),
        (
            lambda: _role_breakdown(overall=GroupScore(500.0, 1), unknown=GroupScore(50.0, 1)),
            ["$.overall.value: must be between -100 and 100 for NPS"],
        ),
        (
            lambda: SegmentBreakdown(
                measure=SurveyMeasure.CES,
                overall=GroupScore(4.0, 2),
                segments=[
                    SegmentScore("a", GroupScore(0.5, 1)),
                    SegmentScore("b", GroupScore(5.0, 3)),
                ],
            ),
            [
                "$.segments[0].score.value: must be between 1 and 7 for CES",
                "$.segments[1].score.count: must not exceed the overall count",
            ],
        ),
    ],
)
def test_a_breakdown_holds_only_what_responses_can_give(make: Any, problems: list[str]) -> None:
    with pytest.raises(ValidationError) as info:
        make()
    assert [str(p) for p in info.value.problems] == problems


def test_a_segment_breakdown_reads_as_a_table_and_as_html() -> None:
    """CSAT and CES have no sign; NPS has one (see above)."""
    four = GroupScore(value=4.0, count=2)
    breakdown = SegmentBreakdown(
        measure=SurveyMeasure.CSAT, overall=four, segments=[SegmentScore("s-1", four)]
    )
    assert str(breakdown).splitlines() == [
        "segment          responses  CSAT",
        "---------------  ---------  ----",
        "all respondents  2          4.0",
        "s-1              2          4.0",
    ]
    assert breakdown._repr_html_() == (
        "<table><caption>CSAT by segment</caption><thead><tr><th>Group</th>"
        "<th>Responses</th><th>CSAT</th></tr></thead><tbody><tr><td>all respondents</td>"
        "<td>2</td><td>4.0</td></tr><tr><td>s-1</td><td>2</td><td>4.0</td></tr></tbody></table>"
    )
    signed = SegmentBreakdown(measure=SurveyMeasure.NPS, overall=four, segments=[])
    assert str(signed).splitlines()[-1] == "all respondents  2          +4.0"


@pytest.mark.parametrize("segment_id", ["", " s", "s\n", "\ud800"])
def test_a_segment_id_that_is_no_identifier_is_told_at_the_segments_argument(
    segment_id: str,
) -> None:
    # Once told as the result's own field ($.segment_id of SegmentScore, $.key of
    # SplitCounts), or taken: split_report kept " s" as a row's key.
    from customer_model.reports import split_report

    data = demo_dataset()
    segment = FakeSegment(segment_id, frozenset(CustomerKind))
    calls: list[Callable[[], object]] = [
        lambda: satisfaction_by_segment(data.responses, data.customers, [segment], as_of=None),
        lambda: split_report(data.customers, [segment]),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.paths == ["$.segments[0].id"]


def test_breakdowns_take_the_measure_by_value_as_survey_responses_do() -> None:
    empty = dict.fromkeys(
        ("overall", "purchasers", "users", "purchasers_only", "users_only", "both", "unknown")
    )
    by_value = RoleBreakdown(measure="csat", gap=None, **empty)
    assert by_value == RoleBreakdown(measure=SurveyMeasure.CSAT, gap=None, **empty)
    assert by_value.measure is SurveyMeasure.CSAT
    segments = SegmentBreakdown(measure="ces", overall=None, segments=())
    assert segments.measure is SurveyMeasure.CES


def test_a_breakdown_by_segment_needs_no_as_of_when_its_rules_read_no_time() -> None:
    # As split_report, segment_sizes and persona_coverage: as_of defaults to None.
    data = demo_dataset()
    everyone = FakeSegment("all", frozenset(CustomerKind))
    given = satisfaction_by_segment(data.responses, data.customers, [everyone], as_of=None)
    assert satisfaction_by_segment(data.responses, data.customers, [everyone]) == given
