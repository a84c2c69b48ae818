from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Customer,
    Dataset,
    Persona,
    Role,
    Segment,
    ValidationError,
    prioritize,
)
from customer_model.examples import demo_dataset, diaper_household
from customer_model.examples.bundled import sample_dataset
from customer_model.prioritization import customer_facts, latest_voices
from customer_model.satisfaction import satisfaction_by_role
from customer_model.testing import customers
from customer_model.trends import feedback_volume


def test_demo_dataset_is_consistent() -> None:
    data = demo_dataset()
    assert set(data.customers_by_id) == {"c-silva", "c-jon", "c-acme"}
    assert {f.customer_id for f in data.feedback} <= set(data.customers_by_id)


def test_ids_are_unique_per_collection() -> None:
    c = diaper_household()
    other = attrs.evolve(c, id="c-other")
    with pytest.raises(ValidationError) as info:
        Dataset([c, c, other, c, other])
    # Each repeated id once, where it is first met again, as prioritize() reports them.
    assert [(p.location, p.message) for p in info.value.problems] == [
        (f"$.customers[{i}]", f"id {cid!r} is used more than once")
        for i, cid in sorted([(1, c.id), (4, other.id)], key=lambda found: found[1])
    ]


def test_feedback_must_belong_to_a_customer() -> None:
    data = demo_dataset()
    with pytest.raises(ValidationError) as info:
        Dataset(data.customers[:1], data.feedback[:2])
    assert info.value.paths == ["$.feedback[1].customer_id"]


def test_personas_must_point_at_known_segments() -> None:
    persona = Persona("pe-1", "Budget Bea", Role.PURCHASER, segment_id="s-missing")
    with pytest.raises(ValidationError) as info:
        Dataset([diaper_household()], personas=[persona])
    assert info.value.paths == ["$.personas[0].segment_id"]
    Dataset([diaper_household()], personas=[persona], segments=[Segment("s-missing", "Families")])


def test_wrong_element_types_are_reported_by_index() -> None:
    with pytest.raises(ValidationError) as info:
        Dataset([diaper_household(), "c-2"])  # type: ignore[list-item]
    assert info.value.paths == ["$.customers[1]"]


def test_html_display_shows_aggregates_without_personal_data() -> None:
    data = demo_dataset()
    page = data._repr_html_() + "".join(c._repr_html_() for c in data.customers)
    assert "<table>" in page
    assert "overlapping" in page
    assert "24000.00 EUR" in page
    for person in (p for c in data.customers for p in c.people):
        assert person.name is None or person.name not in page
        assert person.email is None or person.email not in page


def test_html_escapes_ids() -> None:
    from customer_model import Customer, CustomerKind, Person, Purchaser

    c = Customer("<b>x</b>", CustomerKind.INDIVIDUAL, purchasers=[Purchaser(Person("p"))])
    assert "<b>x</b>" not in c._repr_html_()
    assert "&lt;b&gt;" in c._repr_html_()


def test_a_large_dataset_repr_shows_counts_and_the_first_few() -> None:
    big = sample_dataset(customers=2000, seed=1)
    text = repr(big)
    assert len(text) < 20_000  # whole, it would be megabytes
    assert repr(big.customers[0]) in text
    assert repr(big.customers[3]) not in text
    assert "...1,997 more; 2,000 in all" in text
    assert f"{len(big.feedback):,} in all" in text
    html = big._repr_html_()  # unchanged: the summary table of counts
    assert ">2000<" in html
    assert f">{len(big.feedback)}<" in html
    assert "c-" not in html


@given(st.lists(customers(), max_size=8, unique_by=lambda c: c.id))
def test_a_short_collection_repr_is_whole(drawn: list[Customer]) -> None:
    text = repr(Dataset(drawn))
    if len(drawn) <= 6:
        assert f"customers={tuple(drawn)!r}" in text
    else:
        assert f"...{len(drawn) - 3} more; {len(drawn)} in all" in text
        assert all(repr(c) in text for c in drawn[:3])


def test_a_customer_with_many_purchases_has_a_short_repr() -> None:
    base = sample_dataset(customers=50, seed=2)
    busiest = max(base.customers, key=lambda c: len(c.purchases))
    many = attrs.evolve(busiest, purchases=busiest.purchases * 100)
    assert f"{len(many.purchases):,} in all" in repr(many)
    assert len(repr(many)) < len(repr(busiest)) + 2_000


_AS_OF = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda ds: prioritize(ds, ds.customers, as_of=_AS_OF), "feedback"),
        (lambda ds: prioritize(ds.feedback, ds, as_of=_AS_OF), "customers"),
        (lambda ds: prioritize(ds.feedback, ds.customers, segments=ds, as_of=_AS_OF), "segments"),
        (latest_voices, "feedback"),
        (lambda ds: customer_facts(ds, as_of=_AS_OF), "customers"),
        (feedback_volume, "feedback"),
        (lambda ds: satisfaction_by_role(ds, ds.customers), "responses"),
    ],
)
def test_a_dataset_where_its_collection_goes_is_pointed_at_it(
    call: Callable[[Dataset], object], field: str
) -> None:
    """A notebook passes the whole dataset; the error names the part to pass, not a value."""
    with pytest.raises(ValidationError) as caught:
        call(demo_dataset())
    (problem,) = caught.value.problems
    assert problem.path == (field,)
    assert problem.message.endswith(f"not Dataset; pass its .{field}")


def test_an_object_without_that_collection_gets_no_hint() -> None:
    with pytest.raises(ValidationError) as caught:
        prioritize(demo_dataset().feedback, Role.USER, as_of=_AS_OF)  # type: ignore[arg-type]
    assert caught.value.problems[0].message == "must be an iterable of Customer, not Role"


@pytest.mark.parametrize("version", [0, 2, True, 1.0, "1", None])
def test_only_schema_version_1_is_read(version: object) -> None:
    customers = demo_dataset().customers
    with pytest.raises(ValidationError) as info:
        Dataset(customers, schema_version=version)  # type: ignore[arg-type]
    assert info.value.subject == "Dataset"
    assert str(info.value) == (
        "invalid Dataset: $.schema_version: this release reads schema version 1 only"
    )
    assert Dataset(customers, schema_version=1).schema_version == 1
    assert Dataset(customers).schema_version == 1


def test_each_collection_tells_its_own_wrong_elements() -> None:
    customers = demo_dataset().customers
    with pytest.raises(ValidationError) as info:
        Dataset(customers, feedback=["x"], personas=["x"], segments=["x"], responses=["x"])  # type: ignore[list-item]
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("$.feedback[0]", "must be a FeedbackItem, not str"),
        ("$.personas[0]", "must be a Persona, not str"),
        ("$.segments[0]", "must be a Segment, not str"),
        ("$.responses[0]", "must be a SurveyResponse, not str"),
    ]


def test_each_collection_tells_its_own_repeated_ids() -> None:
    data = demo_dataset()
    persona = Persona("pe-1", "Budget Bea", Role.PURCHASER)
    segment = Segment("s-1", "Families")
    with pytest.raises(ValidationError) as info:
        Dataset(
            data.customers,
            data.feedback[:1] * 2,
            personas=[persona, persona],
            segments=[segment, segment],
            responses=data.responses[:1] * 2,
        )
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("$.feedback[1]", f"id {data.feedback[0].id!r} is used more than once"),
        ("$.personas[1]", "id 'pe-1' is used more than once"),
        ("$.segments[1]", "id 's-1' is used more than once"),
        ("$.responses[1]", f"id {data.responses[0].id!r} is used more than once"),
    ]


def test_feedback_and_responses_of_unknown_customers_are_told_each() -> None:
    data = demo_dataset()
    kept = data.customers[1:]
    known = {c.id for c in kept}
    with pytest.raises(ValidationError) as info:
        Dataset(kept, data.feedback, responses=data.responses)
    expected = [
        (f"$.feedback[{i}].customer_id", "refers to no customer in the dataset")
        for i, item in enumerate(data.feedback)
        if item.customer_id not in known
    ] + [
        (f"$.responses[{i}].customer_id", "refers to no customer in the dataset")
        for i, response in enumerate(data.responses)
        if response.customer_id not in known
    ]
    assert len(expected) >= 2
    assert [(p.location, p.message) for p in info.value.problems] == expected


def test_references_are_not_checked_against_a_collection_already_refused() -> None:
    data = demo_dataset()
    with pytest.raises(ValidationError) as info:
        Dataset(["x"], data.feedback, responses=data.responses)  # type: ignore[list-item]
    assert info.value.paths == ["$.customers[0]"]
    persona = Persona("pe-1", "Budget Bea", Role.PURCHASER, segment_id="s-1")
    with pytest.raises(ValidationError) as info:
        Dataset(data.customers, personas=[persona], segments=["s-1"])  # type: ignore[list-item]
    assert info.value.paths == ["$.segments[0]"]


def test_a_persona_refers_to_a_segment_only_when_it_has_one() -> None:
    bare = Persona("pe-1", "Budget Bea", Role.PURCHASER)
    placed = Persona("pe-2", "Busy Bo", Role.USER, segment_id="s-1")
    data = Dataset([diaper_household()], personas=[bare, placed], segments=[Segment("s-1", "F")])
    assert data.personas == (bare, placed)
    with pytest.raises(ValidationError) as info:
        Dataset([diaper_household()], personas=[bare, placed])
    assert [(p.location, p.message) for p in info.value.problems] == [
        ("$.personas[1].segment_id", "refers to no segment in the dataset")
    ]


def test_customers_by_id_is_read_only_and_whole() -> None:
    data = demo_dataset()
    by_id = data.customers_by_id
    assert list(by_id.items()) == [(c.id, c) for c in data.customers]
    with pytest.raises(TypeError):
        by_id["c-new"] = data.customers[0]  # type: ignore[index]


def test_html_display_counts_each_collection() -> None:
    data = demo_dataset()
    personas = [Persona("pe-1", "Bea", Role.PURCHASER), Persona("pe-2", "Bo", Role.USER)]
    segments = [Segment(f"s-{i}", "F") for i in range(4)]
    whole = attrs.evolve(data, personas=personas, segments=segments)
    assert whole._repr_html_() == (
        "<table><caption>Dataset</caption><thead><tr><th></th><th></th></tr></thead><tbody>"
        "<tr><td>schema version</td><td>1</td></tr>"
        f"<tr><td>customers</td><td>{len(data.customers)}</td></tr>"
        f"<tr><td>feedback items</td><td>{len(data.feedback)}</td></tr>"
        "<tr><td>personas</td><td>2</td></tr>"
        "<tr><td>segments</td><td>4</td></tr>"
        f"<tr><td>survey responses</td><td>{len(data.responses)}</td></tr>"
        "</tbody></table>"
    )
