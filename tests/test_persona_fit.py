from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import Customer, CustomerKind, Persona, Role, Segment, ValidationError, field
from customer_model.examples import business_buying_group, demo_dataset, diaper_household
from customer_model.model.rfm import RFMScore
from customer_model.persona_fit import PersonaCoverage, PersonaFit, persona_coverage, personas_for
from customer_model.testing import customers, segments

B2B = Segment("b2b", "Organizations", field("kind") == CustomerKind.ORGANIZATION)
FAMILIES = Segment("fam", "Families", field("kind") == CustomerKind.HOUSEHOLD)
PROCUREMENT = Persona("procurement", "Procurement Priya", Role.PURCHASER, segment_id="b2b")
ANALYST = Persona("analyst", "Analyst Ali", Role.USER, segment_id="b2b")
PARENT = Persona("parent", "Parent Pat", Role.PURCHASER, segment_id="fam")
FLOATING = Persona("floating", "No segment", Role.USER)
PERSONAS = [PROCUREMENT, ANALYST, PARENT, FLOATING]


def test_persona_fits_by_role() -> None:
    fits = personas_for(business_buying_group(), PERSONAS, [B2B, FAMILIES])
    assert [f.persona.id for f in fits] == ["procurement", "analyst"]
    assert fits[0].person_ids == ("p-dara", "p-ines", "p-kai")
    assert fits[1].person_ids == ("p-dara", "p-eli")
    family = personas_for(diaper_household(), PERSONAS, [B2B, FAMILIES])
    assert [(f.persona.id, f.person_ids) for f in family] == [("parent", ("p-maria",))]


def test_coverage_counts_customers_no_persona_describes() -> None:
    data = demo_dataset()
    coverage = persona_coverage(data.customers, PERSONAS, [B2B, FAMILIES])
    assert coverage.total == 3
    assert coverage.uncovered_ids == ("c-jon",)
    assert coverage.covered == 2
    assert coverage.uncovered_share == pytest.approx(1 / 3)
    assert coverage.by_persona == (
        ("procurement", 1),
        ("analyst", 1),
        ("parent", 1),
        ("floating", 0),
    )
    assert "fit none" in coverage._repr_html_()
    assert coverage.to_records() == [
        {"persona_id": "procurement", "customers": 1, "share": 1 / 3},
        {"persona_id": "analyst", "customers": 1, "share": 1 / 3},
        {"persona_id": "parent", "customers": 1, "share": 1 / 3},
        {"persona_id": "floating", "customers": 0, "share": 0.0},
    ]
    text = str(coverage)
    assert text.splitlines()[0] == "2 of 3 customers fit a persona; 33.3% fit none."
    assert text.splitlines()[1].split() == ["persona", "customers"]
    assert "c-jon" not in text  # the uncovered ids may be thousands: only the repr lists them
    nobody = persona_coverage([], PERSONAS, [B2B, FAMILIES]).to_records()
    assert nobody[0] == {"persona_id": "procurement", "customers": 0, "share": 0.0}
    assert persona_coverage([], PERSONAS, [B2B, FAMILIES]).uncovered_share == 0.0


def test_unknown_segment_and_bad_inputs() -> None:
    with pytest.raises(ValidationError) as info:
        personas_for(diaper_household(), [PROCUREMENT], [FAMILIES])
    assert info.value.paths == ["$.personas[0].segment_id"]
    with pytest.raises(ValidationError):
        personas_for(diaper_household(), [PARENT, PARENT], [FAMILIES])
    with pytest.raises(ValidationError):
        personas_for("c-1", [PARENT], [FAMILIES])  # type: ignore[arg-type]


def test_time_rules_pass_as_of_through() -> None:
    from datetime import timedelta

    active = Segment("active", "Active", field("last_active_at").within(timedelta(days=7)))
    persona = Persona("busy", "Busy Bo", Role.USER, segment_id="active")
    with pytest.raises(ValidationError):
        personas_for(business_buying_group(), [persona], [active])
    as_of = datetime(2026, 6, 3, tzinfo=UTC)
    assert personas_for(business_buying_group(), [persona], [active], as_of=as_of)
    coverage = persona_coverage([business_buying_group()], [persona], [active], as_of=as_of)
    assert coverage.by_persona == (("busy", 1),)


_population = st.lists(customers(currency="EUR"), max_size=6, unique_by=lambda c: c.id)


@given(_population, st.lists(segments(), min_size=1, max_size=3, unique_by=lambda s: s.id))
def test_coverage_agrees_with_personas_for(population: list[Customer], segs: list[Segment]) -> None:
    as_of = datetime(2026, 1, 1, tzinfo=UTC)
    personas = [
        Persona(f"pe-{i}", "P", role, segment_id=s.id)
        for i, (s, role) in enumerate(
            zip(segs, [Role.USER, Role.PURCHASER, Role.USER], strict=False)
        )
    ]
    coverage = persona_coverage(population, personas, segs, as_of=as_of)
    uncovered = tuple(c.id for c in population if not personas_for(c, personas, segs, as_of=as_of))
    assert coverage.uncovered_ids == uncovered
    for (pid, n), segment in zip(coverage.by_persona, segs, strict=False):
        assert n == len(segment.members(population, as_of=as_of)), pid


@pytest.mark.parametrize("rfm", [1.5, "rfm", [("c-acme", 1)], {"c-acme": 1}, {1: None}])
def test_personas_for_refuses_rfm_that_is_not_a_mapping_of_scores(rfm: Any) -> None:
    with pytest.raises(ValidationError) as info:
        personas_for(business_buying_group(), [PROCUREMENT], [B2B], rfm=rfm)
    assert set(info.value.paths) == {"$.rfm"}
    assert "1.5" not in str(info.value)


@pytest.mark.parametrize("as_of", ["2026-01-01", date(2026, 1, 1), datetime(2026, 1, 1), 0])
@pytest.mark.parametrize("personas", [[PROCUREMENT], [FLOATING], []])
def test_persona_functions_refuse_a_bad_as_of_even_when_no_rule_reads_it(
    as_of: Any, personas: list[Persona]
) -> None:
    with pytest.raises(ValidationError) as info:
        personas_for(business_buying_group(), personas, [B2B], as_of=as_of)
    assert info.value.paths == ["$.as_of"]
    with pytest.raises(ValidationError) as info:
        persona_coverage([business_buying_group()], personas, [B2B], as_of=as_of)
    assert info.value.paths == ["$.as_of"]


def test_persona_functions_name_every_bad_argument() -> None:
    with pytest.raises(ValidationError) as info:
        personas_for(None, [PROCUREMENT], [B2B], as_of="x", rfm=2)  # type: ignore[arg-type]
    assert info.value.paths == ["$.customer", "$.as_of", "$.rfm"]
    with pytest.raises(ValidationError) as info:
        personas_for(business_buying_group(), [PROCUREMENT], None)  # type: ignore[arg-type]
    assert info.value.paths == ["$.segments"]
    with pytest.raises(ValidationError) as info:
        personas_for(business_buying_group(), [{"id": 1}], [B2B])  # type: ignore[list-item]
    assert info.value.paths == ["$.personas[0]"]
    with pytest.raises(ValidationError) as info:
        persona_coverage(None, [PROCUREMENT], [B2B])  # type: ignore[arg-type]
    assert info.value.paths == ["$.customers"]


def test_fits_and_coverage_keep_their_shape_when_built_or_loaded() -> None:
    from customer_model import from_json, to_json
    from customer_model.persona_fit import PersonaCoverage, PersonaFit

    coverage = persona_coverage(demo_dataset().customers, [PROCUREMENT, ANALYST], [B2B])
    assert from_json(to_json(coverage), PersonaCoverage) == coverage
    with pytest.raises(ValidationError) as info:
        PersonaCoverage(1, ["c-1", "c-1"], [("analyst", 2), ("x",)])  # type: ignore[list-item]
    assert info.value.paths == [
        "$.uncovered_ids",
        "$.uncovered_ids",
        "$.by_persona[0][1]",
        "$.by_persona[1]",
    ]
    # Once taken: a persona fitting the one customer that no persona fits, or none
    # fitting a customer that one does.
    with pytest.raises(ValidationError) as info:
        PersonaCoverage(2, ["c-1"], [("analyst", 2)])
    assert [str(p) for p in info.value.problems] == ["$.by_persona[0][1]: must be at most 1"]
    with pytest.raises(ValidationError) as info:
        PersonaCoverage(2, ["c-1"], [("analyst", 0)])
    assert info.value.paths == ["$.by_persona"]
    assert PersonaCoverage(2, [], [("analyst", 2), ("buyer", 1)]).covered == 2
    fit = PersonaFit(ANALYST, ["p-1", "p-2"])
    assert from_json(to_json(fit), PersonaFit) == fit
    with pytest.raises(ValidationError) as info:
        PersonaFit("analyst", ["p-2", "p-1"])  # type: ignore[arg-type]
    assert info.value.paths == ["$.persona", "$.person_ids"]


def test_the_coverage_repr_stays_short_however_many_customers_no_persona_fits() -> None:
    from customer_model.persona_fit import PersonaCoverage

    many = [f"c-{i}" for i in range(100_000)]
    personas = [(f"p-{i}", 0) for i in range(50)]
    text = repr(PersonaCoverage(100_000, many, personas))
    assert len(text) < 300
    assert text.startswith("PersonaCoverage(total=100000, uncovered_ids=('c-0', 'c-1', 'c-2', ")
    assert "...99,997 more; 100,000 in all)" in text
    assert "...47 more; 50 in all)" in text
    assert "c-3'" not in text
    assert "p-3'" not in text
    few = PersonaCoverage(3, ["c-1"], [("analyst", 2)])  # a short one is shown whole
    assert (
        repr(few)
        == "PersonaCoverage(total=3, uncovered_ids=('c-1',), by_persona=(('analyst', 2),))"
    )


def test_coverage_takes_customers_by_id_as_prioritize_does() -> None:
    given = demo_dataset().customers
    coverage = persona_coverage(given, [PROCUREMENT, ANALYST], [B2B])
    assert persona_coverage({c.id: c for c in given}, [PROCUREMENT, ANALYST], [B2B]) == coverage
    first, second, third = given
    with pytest.raises(ValidationError) as info:
        persona_coverage({first.id: second, second.id: first, third.id: third}, [], [])
    assert info.value.paths == ["$.customers[0]", "$.customers[1]"]


#: Each refusal of the persona functions and results, and its exact words.
_REFUSALS: list[tuple[Callable[[], object], str]] = [
    (
        lambda: PersonaFit(ANALYST, ["p-1", "p-1"]),
        "invalid PersonaFit: $.person_ids: id 'p-1' is listed more than once",
    ),
    (
        lambda: PersonaFit(ANALYST, ["p-2", "p-1"]),
        "invalid PersonaFit: $.person_ids: must be sorted",
    ),
    (
        lambda: PersonaFit(ANALYST, ["p-1", " "]),
        "invalid PersonaFit: $.person_ids[1]: must not be empty or blank",
    ),
    (
        lambda: personas_for(diaper_household(), [PROCUREMENT], [FAMILIES]),
        "invalid personas: $.personas[0].segment_id: refers to none of the segments given",
    ),
    (
        lambda: personas_for(diaper_household(), [PARENT, PARENT], [FAMILIES]),
        "invalid personas: $.personas: persona id 'parent' is used more than once",
    ),
    (
        lambda: personas_for(business_buying_group(), [PROCUREMENT], [B2B], rfm={}),
        "invalid personas_for: $.rfm: has no score for the customer",
    ),
    # Keys that are no ids: that problem alone, not also "no score for the customer".
    (
        lambda: personas_for(business_buying_group(), [], [], rfm={1: RFMScore(1, 1, 1)}),  # type: ignore[dict-item]
        "invalid personas_for: $.rfm: must be keyed by customer id strings, not int",
    ),
    (
        lambda: personas_for(
            business_buying_group(),
            [],
            [],
            rfm={1: RFMScore(1, 1, 1), 2.5: 3, "c-acme": None},  # type: ignore[dict-item]
        ),
        "invalid personas_for: 2 problems\n"
        "  $.rfm: must be keyed by customer id strings, not float, int\n"
        "  $.rfm: must hold RFMScore values, not NoneType, int",
    ),
    (
        lambda: personas_for(business_buying_group(), [], [], rfm=[1]),  # type: ignore[arg-type]
        "invalid personas_for: $.rfm: must be a mapping of customer id to RFMScore, not list",
    ),
    (
        lambda: PersonaCoverage(-1, [], []),
        "invalid PersonaCoverage: 2 problems\n  $.total: must be at least 0\n"
        "  $.uncovered_ids: must not list more customers than total",
    ),
    # A total that is no integer bounds nothing: one problem, not more about the counts.
    (
        lambda: PersonaCoverage("2", ["c-1"], [("p", 1)]),  # type: ignore[arg-type]
        "invalid PersonaCoverage: $.total: must be an integer, not str",
    ),
    (
        lambda: PersonaCoverage(1, ["c-1", "c-2"], []),
        "invalid PersonaCoverage: $.uncovered_ids: must not list more customers than total",
    ),
    (
        lambda: PersonaCoverage(3, [], [("p",), ("p", 1), ("p", 1)]),  # type: ignore[list-item]
        "invalid PersonaCoverage: 2 problems\n  $.by_persona[0]: must be a (persona id, count) pair"
        "\n  $.by_persona: persona 'p' is listed more than once",
    ),
    (
        lambda: PersonaCoverage(3, [], [("p", 2)]),
        "invalid PersonaCoverage: $.by_persona: must count each covered customer under a persona",
    ),
    (
        lambda: persona_coverage([], [], [], as_of="2026-01-01"),  # type: ignore[arg-type]
        "invalid persona_coverage: $.as_of: must be a datetime, not str",
    ),
    (
        lambda: persona_coverage([], [], [B2B, B2B]),
        "invalid persona_coverage: $.segments: segment id 'b2b' is used more than once",
    ),
    # It said "invalid input" here, where every other problem of the segments says "segments".
    (
        lambda: personas_for(business_buying_group(), [], [B2B, FAMILIES, B2B]),
        "invalid segments: $.segments: segment id 'b2b' is used more than once",
    ),
    # Every repeated id is named, as persona_coverage names them, not only the first.
    (
        lambda: personas_for(business_buying_group(), [], [FAMILIES, B2B, FAMILIES, B2B]),
        "invalid segments: 2 problems\n"
        "  $.segments: segment id 'fam' is used more than once\n"
        "  $.segments: segment id 'b2b' is used more than once",
    ),
    (
        lambda: personas_for(business_buying_group(), [], [B2B, 5]),  # type: ignore[list-item]
        "invalid segments: $.segments[1]: must be a Segment, not int",
    ),
]


@pytest.mark.parametrize(("call", "words"), _REFUSALS)
def test_each_refusal_says_what_where_and_why(call: Callable[[], object], words: str) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert str(info.value) == words


#: Customers with two purchases or more, by RFM frequency: computed, Acme (2) beats Jon (1).
REPEAT = Segment("repeat", "Repeat buyers", field("rfm_frequency") >= 3)
LOYAL = Persona("loyal", "Loyal Lou", Role.PURCHASER, segment_id="repeat")
EVERYONE = Segment("all", "Everyone")
ANYONE = Persona("anyone", "Anyone", Role.USER, segment_id="all")


def test_rfm_personas_use_the_scores_given_or_computed_over_the_customers() -> None:
    eur = [c for c in demo_dataset().customers if c.id in {"c-jon", "c-acme"}]
    as_of = datetime(2026, 6, 1, tzinfo=UTC)
    computed = persona_coverage(eur, [LOYAL, ANYONE], [REPEAT, EVERYONE], as_of=as_of)
    assert computed.by_persona == (("loyal", 1), ("anyone", 2))
    assert computed.uncovered_ids == ()
    assert persona_coverage(eur, [LOYAL], [REPEAT], as_of=as_of).uncovered_ids == ("c-jon",)
    # Given: the scores passed are the ones read, not ones computed in their place.
    given = {"c-jon": RFMScore(5, 5, 5), "c-acme": RFMScore(1, 1, 1)}
    assert persona_coverage(eur, [LOYAL], [REPEAT], rfm=given).uncovered_ids == ("c-acme",)
    acme = business_buying_group()
    fits = personas_for(acme, [LOYAL], [REPEAT], rfm={acme.id: RFMScore(3, 3, 3)})
    assert [(f.persona.id, f.person_ids) for f in fits] == [
        ("loyal", ("p-dara", "p-ines", "p-kai"))
    ]
    assert personas_for(acme, [LOYAL], [REPEAT], rfm={acme.id: RFMScore(5, 2, 5)}) == ()


def test_only_the_segments_personas_belong_to_need_rfm_scores() -> None:
    eur = [c for c in demo_dataset().customers if c.id in {"c-jon", "c-acme"}]
    # REPEAT reads RFM scores, but no persona belongs to it: no as_of, no scores needed.
    coverage = persona_coverage(eur, [ANYONE], [REPEAT, EVERYONE])
    assert coverage.by_persona == (("anyone", 2),)
    assert persona_coverage(eur, [ANYONE], [REPEAT, EVERYONE], rfm={}).uncovered_ids == ()
    # Once a persona belongs to it, its scores are needed.
    with pytest.raises(ValidationError) as info:
        persona_coverage(eur, [LOYAL, ANYONE], [REPEAT, EVERYONE])
    assert str(info.value) == (
        "invalid segment evaluation: $.as_of: is required: a rule reads RFM scores"
    )


def test_a_persona_without_a_segment_does_not_hide_the_ones_after_it() -> None:
    fits = personas_for(business_buying_group(), [FLOATING, PROCUREMENT], [B2B])
    assert [f.persona.id for f in fits] == ["procurement"]


def test_the_coverage_table_shows_each_persona_and_its_count() -> None:
    coverage = persona_coverage(demo_dataset().customers, PERSONAS, [B2B, FAMILIES])
    lines = str(coverage).splitlines()
    assert [line.split() for line in lines[3:]] == [
        ["procurement", "1"],
        ["analyst", "1"],
        ["parent", "1"],
        ["floating", "0"],
    ]
    html = coverage._repr_html_()
    assert "<tr><th>persona</th><th>customers</th></tr>" in html
    assert "<tr><td>procurement</td><td>1</td></tr>" in html
