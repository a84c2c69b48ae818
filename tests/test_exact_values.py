"""Exact values of a closed vocabulary are accepted where users type them; nothing else is."""

from __future__ import annotations

import decimal
import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from customer_model import (
    BuyingRole,
    Channel,
    Customer,
    CustomerKind,
    FeedbackItem,
    FeedbackKind,
    Gender,
    Importance,
    IntermediaryRole,
    Need,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchaser,
    Role,
    Segment,
    SegmentBasis,
    SurveyMeasure,
    SurveyResponse,
    ValidationError,
    ValueWeighting,
    field,
    frameworks,
    from_json,
    reports,
    scorecards,
    testing,
)
from customer_model.frameworks import KanoAnswer, kano_category, kano_classify
from customer_model.model import customers, feedback, people, policy, segments, surveys
from customer_model.model._money import shortest
from customer_model.model.customers import RoleSplit
from customer_model.reports import SplitCounts, SplitGroup, split_report
from customer_model.scorecards import Evidence, FactorKind, Scale, ScorecardFactor
from customer_model.trends import CalendarPeriod, Granularity, GranularityValue, VolumeTable

ANN = Person("p-ann")
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _customer(**kw: Any) -> Customer:
    return Customer("c1", purchasers=[Purchaser(ANN)], **{"kind": "individual", **kw})


def _feedback(**kw: Any) -> FeedbackItem:
    base: dict[str, Any] = {
        "id": "f1",
        "customer_id": "c1",
        "theme": "sso",
        "kind": "bug",
        "channel": "survey",
        "created_at": AT,
    }
    return FeedbackItem(**{**base, **kw})


# The counts of an empty group of customers.
_SPLIT_COUNTS: dict[str, int] = dict.fromkeys(
    [
        "customers", "same", "disjoint", "overlapping", "purchasers", "users", "both",
        "purchasers_only", "users_only",
    ],
    0,
)  # fmt: skip

# A segment for the one evidence that names one, by member and by value.
_SEGMENT = {Evidence.SEGMENT_VOICES: "s1", "segment_voices": "s1"}

# (vocabulary, a builder that puts a value where the vocabulary goes, reading it back)
PLACES: list[tuple[type[enum.Enum], Any]] = [
    (CustomerKind, lambda v: _customer(kind=v).kind),
    (IntermediaryRole, lambda v: _customer(kind="organization", intermediary=v).intermediary),
    (BuyingRole, lambda v: next(iter(Purchaser(ANN, roles=[v]).roles))),
    (Gender, lambda v: Person("p1", gender=v).gender),
    (FeedbackKind, lambda v: _feedback(kind=v).kind),
    (Need, lambda v: _feedback(need=v).need),
    (Importance, lambda v: _feedback(importance=v).importance),
    (Channel, lambda v: _feedback(channel=v).channel),
    (SegmentBasis, lambda v: Segment("s1", "S", basis=v).basis),
    (Role, lambda v: Persona("x", "X", v).role),
    (Need, lambda v: next(iter(Persona("x", "X", "user", needs=[v]).needs))),
    (ValueWeighting, lambda v: PrioritizationPolicy(customer_value=v).customer_value),
    (
        SurveyMeasure,
        lambda v: SurveyResponse(id="r", customer_id="c1", measure=v, score=5, at=AT).measure,
    ),
    (CustomerKind, lambda v: (field("kind") == v).value),
    (CustomerKind, lambda v: next(iter(field("kind").is_in([v]).values))),
    (IntermediaryRole, lambda v: (field("intermediary") != v).value),
    (Granularity, lambda v: CalendarPeriod(date(2024, 4, 1), v).granularity),  # a Monday too
    (Scale, lambda v: ScorecardFactor("reach", v).scale),
    (FactorKind, lambda v: ScorecardFactor("effort", kind=v).kind),
    (Evidence, lambda v: ScorecardFactor("votes", evidence=v, segment=_SEGMENT.get(v)).evidence),
    (
        Granularity,
        lambda v: VolumeTable(granularity=v, periods=(), themes=(), counts={}).granularity,
    ),
    (
        SplitGroup,
        lambda v: (
            SplitCounts(
                **{
                    **_SPLIT_COUNTS,
                    "group": v,
                    "key": None if v in ("overall", SplitGroup.OVERALL) else "k",
                }
            ).group
        ),
    ),
]

_PLACE = st.sampled_from(PLACES)


@given(_PLACE, st.data())
def test_an_exact_value_is_its_member(place: Any, data: st.DataObject) -> None:
    vocabulary, build = place
    member = data.draw(st.sampled_from(vocabulary))
    assert build(member.value) is member
    assert build(member) is member


@given(_PLACE, st.data())
def test_other_case_names_and_types_are_refused(place: Any, data: st.DataObject) -> None:
    vocabulary, build = place
    member = data.draw(st.sampled_from(vocabulary))
    other_case = [member.value.upper(), member.value.title(), member.name.lower() + " "]
    wrong = data.draw(
        st.sampled_from([w for w in other_case if w != member.value])  # "0-10" has no case
        | st.integers()
        | st.just(member.value.encode())
    )
    with pytest.raises(ValidationError) as info:
        build(wrong)
    assert repr(wrong) not in str(info.value) or wrong in [m.value for m in vocabulary]


# Functions that take a vocabulary's member as an argument: (vocabulary, argument name,
# a call that puts a value there).  Each result tells the members apart where it can.
_SPLITS = SplitCounts(
    group="overall",
    key=None,
    customers=7,
    same=1,
    disjoint=2,
    overlapping=4,
    purchasers=0,
    users=0,
    both=0,
    purchasers_only=0,
    users_only=0,
)
ARGUMENTS: list[tuple[type[enum.Enum], tuple[str | int, ...], Any]] = [
    (RoleSplit, ("split",), _SPLITS.share),
    (CustomerKind, ("kind",), split_report([_customer()]).kind),
    (KanoAnswer, ("functional",), lambda v: kano_category(v, KanoAnswer.DISLIKE)),
    (KanoAnswer, ("dysfunctional",), lambda v: kano_category(KanoAnswer.LIKE, v)),
    (KanoAnswer, ("pairs", 0, 0), lambda v: kano_classify([(v, KanoAnswer.DISLIKE)])),
    (KanoAnswer, ("pairs", 1, 1), lambda v: kano_classify([("like", "like"), ("like", v)])),
    (RoleSplit, ("split",), lambda v: testing.customers(split=v)),
    (CustomerKind, ("kind",), lambda v: testing.customers(kind=v)),
    (SurveyMeasure, ("measure",), lambda v: testing.survey_responses(measure=v)),
    (Granularity, ("granularity",), lambda v: CalendarPeriod.containing(date(2024, 4, 17), v)),
]


@pytest.mark.parametrize(("vocabulary", "path", "call"), ARGUMENTS)
def test_an_argument_takes_a_member_or_its_exact_value(
    vocabulary: type[enum.Enum], path: tuple[str | int, ...], call: Any
) -> None:
    for member in vocabulary:
        result = call(member.value)
        if not isinstance(result, st.SearchStrategy):  # drawn from below
            assert result == call(member)


@given(st.sampled_from(ARGUMENTS), st.data())
def test_an_argument_refuses_other_case_names_and_types(place: Any, data: st.DataObject) -> None:
    vocabulary, path, call = place
    member = data.draw(st.sampled_from(vocabulary))
    wrong = data.draw(
        st.sampled_from([member.value.upper(), member.value.title(), member.name.lower() + " "])
        | st.integers()
        | st.just(member.value.encode())
    )
    with pytest.raises(ValidationError) as info:
        call(wrong)
    assert [problem.path for problem in info.value.problems] == [path]
    assert repr(wrong) not in str(info.value)


@given(st.data())
def test_strategies_given_values_draw_what_they_name(data: st.DataObject) -> None:
    split = data.draw(st.sampled_from(RoleSplit))
    kind = data.draw(st.sampled_from(CustomerKind))
    assume(not (kind is CustomerKind.INDIVIDUAL and split is RoleSplit.OVERLAPPING))  # one person
    drawn = data.draw(testing.customers(kind=kind.value, split=split.value))
    assert (drawn.kind, RoleSplit.of(drawn.purchaser_ids, drawn.user_ids)) == (kind, split)
    measure = data.draw(st.sampled_from(SurveyMeasure))
    assert data.draw(testing.survey_responses(measure=measure.value)).measure is measure


def test_the_message_lists_the_values() -> None:
    with pytest.raises(ValidationError) as info:
        _customer(kind="Household")
    assert info.value.problems[0].message == (
        "must be a CustomerKind or one of its values: 'individual', 'household', 'organization'"
    )
    assert "Household" not in str(info.value)


@pytest.mark.parametrize(
    ("alias", "vocabulary"),
    [
        (customers.CustomerKindValue, CustomerKind),
        (customers.IntermediaryRoleValue, IntermediaryRole),
        (customers.BuyingRoleValue, BuyingRole),
        (customers.RoleValue, Role),
        (people.GenderValue, Gender),
        (feedback.FeedbackKindValue, FeedbackKind),
        (feedback.NeedValue, Need),
        (feedback.ImportanceValue, Importance),
        (feedback.ChannelValue, Channel),
        (segments.SegmentBasisValue, SegmentBasis),
        (surveys.SurveyMeasureValue, SurveyMeasure),
        (policy.ValueWeightingValue, ValueWeighting),
        (customers.RoleSplitValue, RoleSplit),
        (frameworks.KanoAnswerValue, KanoAnswer),
        (GranularityValue, Granularity),
        (scorecards.ScaleValue, Scale),
        (scorecards.FactorKindValue, FactorKind),
        (scorecards.EvidenceValue, Evidence),
        (reports.SplitGroupValue, SplitGroup),
    ],
)
def test_the_typed_values_are_the_vocabulary(alias: Any, vocabulary: type[enum.Enum]) -> None:
    assert get_args(alias) == tuple(m.value for m in vocabulary)


def test_rules_built_from_values_equal_rules_built_from_members() -> None:
    assert (field("kind") == "household") == (field("kind") == CustomerKind.HOUSEHOLD)
    both = field("kind").is_in(["household", CustomerKind.ORGANIZATION])
    assert both.values == frozenset({CustomerKind.HOUSEHOLD, CustomerKind.ORGANIZATION})


def test_policy_mappings_take_values_as_keys() -> None:
    by_value = PrioritizationPolicy(
        # mypy cannot infer these displays against the policy's unions of mappings
        importance_points={"not_important": 0, "nice_to_have": 1, "important": 2, "critical": 4},  # type: ignore[arg-type]
        role_weights={"cost": {"purchaser": 1.0, "user": 0.25}},  # type: ignore[arg-type]
        kind_weights={"bug": 2.0, FeedbackKind.COMPLAINT: 1.2},  # type: ignore[arg-type]
    )
    by_member = PrioritizationPolicy(
        importance_points={
            Importance.NOT_IMPORTANT: 0,
            Importance.NICE_TO_HAVE: 1,
            Importance.IMPORTANT: 2,
            Importance.CRITICAL: 4,
        },
        role_weights={Need.COST: {Role.PURCHASER: 1.0, Role.USER: 0.25}},
        kind_weights={FeedbackKind.BUG: 2.0, FeedbackKind.COMPLAINT: 1.2},
    )
    assert by_value == by_member
    assert by_value.kind_weight(FeedbackKind.BUG) == 2.0


def test_a_key_given_as_member_and_value_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        PrioritizationPolicy(kind_weights={"bug": 2.0, FeedbackKind.BUG: 1.0})  # type: ignore[arg-type]
    assert info.value.problems[0].message == (
        "key 'bug' is given twice: as a FeedbackKind and as its value"
    )
    with pytest.raises(ValidationError, match="members or their values"):
        PrioritizationPolicy(kind_weights={"Bug": 2.0})  # type: ignore[arg-type]


def test_json_stays_strict() -> None:
    text = (
        '{"id": "c1", "kind": "Household", "purchasers": [{"person": {"id": "p1"}}],'
        ' "users": [], "purchases": []}'
    )
    with pytest.raises(ValidationError) as info:
        from_json(text, Customer)
    assert [p.location for p in info.value.problems] == ["$.kind"]


def test_mypy_offers_the_values(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    (tmp_path / "use.py").write_text(
        "from customer_model import Customer, Person, Purchaser, field\n"
        "ok = Customer('c1', 'household', [Purchaser(Person('p1'))])\n"
        "bad = Customer('c1', 'Household', [Purchaser(Person('p1'))])\n"
        "rule = field('kind') == 'household'\n"
    )
    out, err, status = api.run(
        ["--strict", "--no-incremental", "--python-version", "3.11", str(tmp_path / "use.py")]
    )
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1, out + err
    assert len(errors) == 1, out + err
    assert "use.py:3:" in errors[0]


@given(st.decimals(allow_nan=False, allow_infinity=False, places=9, max_value=10**29, min_value=0))
def test_shortest_keeps_the_value_and_drops_only_trailing_zeros(amount: Decimal) -> None:
    short = shortest(amount)
    assert short == amount
    exponent = short.as_tuple().exponent
    assert isinstance(exponent, int)
    assert exponent <= 0  # never 1E+2 for 100
    digits = format(short, "f")
    assert not ("." in digits and digits.endswith("0"))
    # as DECIMAL(38, 9) gives it: the same text
    padded = amount.quantize(Decimal("1E-9"), context=decimal.Context(prec=60))
    assert str(shortest(padded)) == str(short)


def test_shortest_leaves_what_is_not_money_alone() -> None:
    for odd in (Decimal("Infinity"), Decimal("-Infinity"), Decimal("NaN")):
        assert str(shortest(odd)) == str(odd)


@pytest.mark.parametrize(("vocabulary", "build"), PLACES)
def test_a_number_where_a_value_goes_is_told_the_values(
    vocabulary: type[enum.Enum], build: Any
) -> None:
    # importance=4 in a notebook: the message must say what to write instead.
    with pytest.raises(ValidationError) as info:
        build(4)
    message = str(info.value)
    assert all(repr(member.value) in message for member in vocabulary), message
    assert "not int" in message
