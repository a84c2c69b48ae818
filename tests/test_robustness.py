"""Bad input of any shape gets a ValidationError, never a bare Python error."""

from __future__ import annotations

import math
from collections import ChainMap
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_model import (
    Customer,
    Dataset,
    FeedbackItem,
    Location,
    Person,
    Persona,
    PrioritizationPolicy,
    Purchase,
    Purchaser,
    Segment,
    User,
    ValidationError,
    ValueWeighting,
    field,
    from_dict,
    prioritize,
    split_report,
    to_dict,
)
from customer_model.examples import demo_dataset
from customer_model.model._frozenmap import FrozenMap
from customer_model.prioritization import customer_facts
from customer_model.satisfaction import satisfaction_by_segment
from customer_model.testing import datasets

JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.just(math.nan)
    | st.text(max_size=5)
    | st.binary(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=6,
)

MODELS = [Person, Location, Purchase, Purchaser, User, Customer, FeedbackItem, Persona, Segment]


@pytest.mark.parametrize("cls", MODELS)
@given(data=st.data())
def test_constructors_raise_only_validation_errors(cls: type[Any], data: st.DataObject) -> None:
    kwargs = {f.name: data.draw(JUNK, label=f.name) for f in attrs.fields(cls)}
    try:
        cls(**kwargs)
    except ValidationError as e:
        assert e.problems  # noqa: PT017
        assert all(p.path for p in e.problems)  # noqa: PT017


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], tuple(rest), new)
    return copy


@given(datasets(max_customers=2, feedback_per_customer=1), st.data())
def test_loading_corrupted_data_raises_only_validation_errors(
    dataset: Dataset, data: st.DataObject
) -> None:
    raw = to_dict(dataset)
    path = data.draw(st.sampled_from(_paths(raw)), label="path")
    corrupted = _replace(raw, path, data.draw(JUNK, label="junk"))
    try:
        loaded = from_dict(corrupted, Dataset)
    except ValidationError as e:
        assert e.problems  # noqa: PT017
    else:
        # What strict loading accepts is a real value: it dumps and loads back unchanged.
        assert from_dict(to_dict(loaded), Dataset) == loaded


class _NoOffset(tzinfo):
    """A tzinfo subclass that implements nothing."""


class _DayLongOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> timedelta:
        return timedelta(hours=30)


class _TextOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> Any:
        return "x"


@pytest.mark.parametrize("zone", [_NoOffset(), _DayLongOffset(), _TextOffset()])  # type: ignore[abstract]
def test_a_time_zone_without_a_valid_offset_is_named(zone: tzinfo) -> None:
    """Every model and rule reads times through the same check."""
    from customer_model import Channel, FeedbackItem, FeedbackKind, Purchase, field

    at = datetime(2025, 1, 1, tzinfo=zone)
    makers: list[tuple[Callable[[], object], str]] = [
        (
            lambda: FeedbackItem(
                id="f",
                customer_id="c",
                theme="t",
                kind=FeedbackKind.BUG,
                channel=Channel.EMAIL,
                created_at=at,
            ),
            "$.created_at",
        ),
        (lambda: Purchase(Decimal(1), "EUR", at), "$.at"),
        (lambda: field("last_purchase_at").within(timedelta(days=1)).compile(as_of=at), "$.as_of"),
    ]
    for make, path in makers:
        with pytest.raises(ValidationError) as info:
            make()
        assert info.value.paths == [path]
        assert "valid UTC offset" in str(info.value)


_RFM_SEGMENT = Segment("champions", "Champions", field("rfm_recency") >= 4)
_RFM_POLICY = PrioritizationPolicy(segment_weights={"champions": 2.0})
_AS_OF = datetime(2027, 1, 1, tzinfo=UTC)


def _demo() -> Dataset:
    return demo_dataset()


@pytest.mark.parametrize(
    ("call", "subject"),
    [
        (
            lambda: prioritize(
                _demo().feedback,
                _demo().customers,
                policy=_RFM_POLICY,
                as_of=_AS_OF,
                segments=[_RFM_SEGMENT],
            ),
            "prioritize input",
        ),
        (
            lambda: customer_facts(
                _demo().customers, _RFM_POLICY, as_of=_AS_OF, segments=[_RFM_SEGMENT]
            ),
            "customer_facts input",
        ),
        (
            lambda: split_report(_demo().customers, [_RFM_SEGMENT], as_of=_AS_OF),
            "split report input",
        ),
        (
            lambda: satisfaction_by_segment(
                _demo().responses, _demo().customers, [_RFM_SEGMENT], as_of=_AS_OF
            ),
            "satisfaction by segment input",
        ),
    ],
)
def test_a_segment_a_rule_cannot_ask_is_told_at_that_segment(call: Any, subject: str) -> None:
    # RFM scores are relative to a population that these rules are not given;
    # the error points at the segment, not at an ``rfm`` argument they lack.
    with pytest.raises(ValidationError) as e:
        call()
    assert e.value.subject == subject
    assert [p.path for p in e.value.problems] == [("segments", 0, "rfm")]
    assert "RFM scores" in str(e.value)


def _collection_fields() -> list[tuple[Any, str]]:
    from customer_model.examples import demo_dataset

    data = demo_dataset()
    persona = Persona(
        "pe-1", "Pat", "user", goals=["ship"], pain_points=["waiting"], needs=["cost"]
    )
    values: list[Any] = [data, persona, *data.customers, *data.segments, *data.feedback]
    values += [v for c in data.customers for v in (*c.users, *c.purchasers, *c.purchases)]
    found: dict[tuple[type[Any], str], Any] = {}
    for value in values:
        for f in attrs.fields(type(value)):
            if f.init and isinstance(getattr(value, f.name), tuple | frozenset):
                found.setdefault((type(value), f.name), value)
    return [(value, name) for (_, name), value in found.items()]


@pytest.mark.parametrize(("value", "name"), _collection_fields())
@pytest.mark.parametrize("mapping", [MappingProxyType, FrozenMap, ChainMap])
def test_a_mapping_is_not_taken_for_a_collection_of_its_keys(
    value: Any, name: str, mapping: Callable[[dict[Any, Any]], Mapping[Any, Any]]
) -> None:
    """A dict is refused where a list or set goes; so is every other mapping."""
    old = getattr(value, name)
    keys = dict.fromkeys(old, 1) or {"x": 1}
    with pytest.raises(ValidationError) as info:
        attrs.evolve(value, **{name: mapping(keys)})
    assert info.value.paths == [f"$.{name}"]


@settings(max_examples=25)
@given(datasets(max_customers=3))
def test_a_set_where_an_ordered_list_goes_is_refused(data: Dataset) -> None:
    # A set's order changes with PYTHONHASHSEED: the same input would give
    # different values (and JSON) from run to run, so it is refused, not ordered.
    values: list[Any] = [data, *data.customers, *data.feedback, *data.personas, *data.segments]
    tried = 0
    for value in values:
        for f in attrs.fields(type(value)):
            held = getattr(value, f.name)
            if type(held) is not tuple or len(held) < 1:
                continue
            tried += 1
            with pytest.raises(ValidationError) as info:
                attrs.evolve(value, **{f.name: set(held)})
            assert info.value.paths == [f"$.{f.name}"]
            assert (
                "must be a list or tuple (a set's order changes from run to run), not set"
                in str(info.value)
            )
    assert tried >= 1  # the dataset's own customers at least


# -- a long list of bad customers ------------------------------------------------


def _expected_refusals(values: list[object]) -> list[tuple[int, str]]:
    """Each element an index of customers refuses, by the definition, in order.

    The elements that are not customers first, in order; then each repeated
    id once, by id, where it is first met again (as the SQL path names them).
    """
    not_customers = [
        (i, f"must be a Customer, not {type(v).__name__}")
        for i, v in enumerate(values)
        if not isinstance(v, Customer)
    ]
    positions: dict[str, list[int]] = {}
    for i, v in enumerate(values):
        if isinstance(v, Customer):
            positions.setdefault(v.id, []).append(i)
    repeated = [
        (at[1], f"id {cid!r} is used more than once")
        for cid, at in sorted(positions.items())
        if len(at) > 1
    ]
    return not_customers + repeated


@settings(max_examples=60)
@given(st.lists(st.sampled_from(["c0", "c1", "c2", 0, None]), max_size=40))
def test_customers_refused_are_itemized_up_to_ten_then_counted(picks: list[object]) -> None:
    made = {cid: attrs.evolve(demo_dataset().customers[0], id=cid) for cid in ("c0", "c1", "c2")}
    values = [made[p] if isinstance(p, str) else p for p in picks]
    expected = _expected_refusals(values)
    if not expected:
        assert split_report(values).overall.customers == len(values)  # type: ignore[arg-type]
        return
    with pytest.raises(ValidationError) as info:
        split_report(values)  # type: ignore[arg-type]
    problems = [(p.path, p.message) for p in info.value.problems]
    assert problems[:10] == [(("customers", i), m) for i, m in expected[:10]]
    if len(expected) > 10:
        more = f"{len(expected) - 10:,} more problems in other elements"
        assert problems[10:] == [(("customers",), f"{more}; the first 10 elements are itemized")]
    else:
        assert len(problems) == len(expected)


def test_a_million_non_customers_are_refused_with_eleven_problems() -> None:
    with pytest.raises(ValidationError) as info:
        prioritize([], [0] * 1_000_000, as_of=datetime(2026, 1, 1, tzinfo=UTC))  # type: ignore[list-item]
    assert len(info.value.problems) == 11
    assert str(info.value).endswith(
        "999,990 more problems in other elements; the first 10 elements are itemized"
    )


def _long_bad_inputs() -> dict[str, Callable[[], object]]:
    """Thirty bad elements given to a function, by the collection they are reported at."""
    from customer_model.records import feedback_records, to_arrow
    from customer_model.satisfaction import aggregate

    data = demo_dataset()
    item = data.feedback[0]
    response = data.responses[0]
    absent = [attrs.evolve(item, id=f"x{i}", customer_id=f"n{i}") for i in range(30)]
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    policy = PrioritizationPolicy(customer_value=ValueWeighting.NONE)
    backlog = prioritize(data.feedback, data.customers, as_of=as_of, policy=policy)
    items = [attrs.evolve(backlog.items[0], theme=f"t{i:02}", rank=i + 2) for i in range(30)]
    bad: Any = ["x"] * 30
    return {
        "$.feedback": lambda: prioritize(bad, data.customers, as_of=as_of, policy=policy),
        "$.feedback[absent]": lambda: prioritize(
            absent, data.customers, as_of=as_of, policy=policy
        ),
        "$.segments": lambda: split_report(data.customers, bad),
        "$.responses": lambda: satisfaction_by_segment(bad, data.customers, [], as_of=None),
        "$.feedback[dataset]": lambda: Dataset(customers=data.customers, feedback=absent),
        "$.feedback[repeated]": lambda: Dataset(
            customers=data.customers,
            feedback=[attrs.evolve(item, id=f"f{i:02}") for i in range(30)] * 2,
        ),
        "$.responses[dataset]": lambda: Dataset(
            customers=data.customers,
            responses=[attrs.evolve(response, id=f"r{i}", customer_id=f"n{i}") for i in range(30)],
        ),
        "$.items": lambda: attrs.evolve(backlog, items=items),
        "$.scores": lambda: aggregate("nps", bad),
        "$.records": lambda: to_arrow(bad),
        "$.items[records]": lambda: feedback_records(absent, data.customers),
    }


#: Repeated ids and absent customers are named by id, ten of them, and the rest counted.
_BY_ID = {
    "$.feedback[absent]": "refers to 20 more absent customer(s)",
    "$.feedback[repeated]": "20 more id(s) are used more than once",
}


@pytest.mark.parametrize("where", sorted(_long_bad_inputs()))
def test_any_check_of_thirty_bad_elements_itemizes_ten(where: str) -> None:
    # The checker itself keeps the problems of the first ten elements of a
    # collection and counts the rest in one more problem there, wherever a
    # function checks elements: as the models and the JSON reader do.
    with pytest.raises(ValidationError) as info:
        _long_bad_inputs()[where]()
    collection = where.split("[", maxsplit=1)[0]
    indexed = {p.path[:2] for p in info.value.problems if len(p.path) > 1}
    assert len(indexed) == 10
    last = info.value.problems[-1]
    assert last.location == collection
    if where in _BY_ID:  # named by id, as the SQL path names them, the others counted
        assert last.message == _BY_ID[where]
    else:
        assert last.message.endswith(
            "more problems in other elements; the first 10 elements are itemized"
        )
