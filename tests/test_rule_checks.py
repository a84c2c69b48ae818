"""The segment rule language, pinned: each refusal's words, path and subject; the builders.

Written against the mutants that survived ``tests/test_rules.py`` (see the
quality page): rules built inside each test, so that mutation testing sees
which test reads which part of the language.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import (
    Customer,
    CustomerKind,
    Person,
    Purchase,
    Purchaser,
    RFMScore,
    field,
)
from customer_model.errors import ValidationError
from customer_model.model import _rule_fields
from customer_model.model._rule_fields import FieldSpec, Kind
from customer_model.model.rules import (
    FIELDS,
    MAX_DEPTH,
    Always,
    And,
    Between,
    Compare,
    Contains,
    In,
    Missing,
    Not,
    OlderThan,
    Or,
    Rule,
    Within,
)
from customer_model.testing import customers

AS_OF = datetime(2024, 6, 1, tzinfo=UTC)
_FIELD_NAMES = ", ".join(FIELDS)


def _refusal(make: Callable[[], object]) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        make()
    return info.value


def _buyer(**changes: Any) -> Customer:
    base: dict[str, Any] = {
        "id": "c-1",
        "kind": CustomerKind.ORGANIZATION,
        "purchasers": [Purchaser(Person("p-1"))],
        "interests": {"golf", "sailing"},
    }
    base.update(changes)
    return Customer(**base)


# -- Rule and FieldRef: the words of a misuse ---------------------------------------


def test_a_rule_used_as_a_truth_value_says_exactly_what_to_do() -> None:
    with pytest.raises(TypeError) as info:
        bool(field("size") > 1)
    assert str(info.value) == "a rule has no truth value: combine rules with &, | and ~"


def test_an_unknown_field_is_refused_as_a_field_listing_the_fields_there_are() -> None:
    error = _refusal(lambda: field("shoe_size"))
    assert str(error) == f"invalid field: $.field: must be a rule field, one of {_FIELD_NAMES}"
    assert "shoe_size" not in str(error)  # text a user typed
    error = _refusal(lambda: field(3))  # type: ignore[arg-type]
    assert str(error) == "invalid field: $.field: must be a string, not int"


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda: Compare("eq", "shoe", 1), "invalid Compare rule: $.field: must be a rule field"),
        (lambda: Between("size", 2, 1), "invalid Between rule: $.lo: must not be greater than hi"),
        (lambda: In("size", []), "invalid In rule: $.values: must not be empty"),
        (lambda: In("size", ["1"]), "invalid In rule: $.values[0]: must be an integer"),
        (lambda: Contains("interests", 5), "invalid Contains rule: $.value: must be a string"),  # type: ignore[arg-type]
        (lambda: Missing(5), "invalid Missing rule: $.field: must be a string, not int"),  # type: ignore[arg-type]
        (lambda: Within("size", timedelta(1)), "invalid Within rule: $.field: 'size' (int)"),
        (lambda: OlderThan("size", timedelta(1)), "invalid OlderThan rule: $.field: 'size'"),
        (lambda: And([]), "invalid And rule: $.rules: must hold at least one rule"),
        (lambda: Or([5]), "invalid Or rule: $.rules[0]: must be a Rule"),  # type: ignore[list-item]
        (lambda: Not(5), "invalid Not rule: $.rule: must be a Rule"),  # type: ignore[arg-type]
    ],
)
def test_each_node_refuses_in_its_own_name(make: Callable[[], object], said: str) -> None:
    assert str(_refusal(make)).startswith(said)


# -- Compare: the operator and the kinds of field it takes --------------------------


@pytest.mark.parametrize(
    ("op", "problem"),
    [
        ("like", "$.op: must be one of eq, ne, lt, le, gt, ge"),
        ("EQ", "$.op: must be one of eq, ne, lt, le, gt, ge"),
        (["eq"], "$.op: must be one of eq, ne, lt, le, gt, ge, not list"),
        (None, "$.op: must be one of eq, ne, lt, le, gt, ge, not NoneType"),
        (Decimal("sNaN"), "$.op: must be one of eq, ne, lt, le, gt, ge, not Decimal"),
    ],
)
def test_a_compare_operator_is_one_of_six(op: Any, problem: str) -> None:
    error = _refusal(lambda: Compare(op, "size", 1))
    assert str(error) == f"invalid Compare rule: {problem}"


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda: field("interests") == "golf", "'interests' (set) does not support =="),
        (lambda: field("interests") != "golf", "'interests' (set) does not support =="),
        (lambda: field("interests") >= "golf", "'interests' (set) does not support ordering"),
        (lambda: field("region") < "B", "'region' (text) does not support ordering"),
        (lambda: field("kind") > "household", "'kind' (enum) does not support ordering"),
    ],
)
def test_a_comparison_the_field_cannot_make_is_named(
    make: Callable[[], Rule], problem: str
) -> None:
    assert [str(p) for p in _refusal(make).problems] == [f"$.field: {problem}"]


# -- contains_any, contains_all, present ------------------------------------------


def test_contains_any_and_all_are_one_contains_per_tag_in_text_order() -> None:
    interests = field("interests")
    golf, tennis = Contains("interests", "golf"), Contains("interests", "tennis")
    assert interests.contains_any(["tennis", "golf"]) == Or((golf, tennis))
    assert interests.contains_all(iter(["tennis", "golf"])) == And((golf, tennis))
    # One tag is that one condition, with no group around it.
    assert interests.contains_any(["golf"]) == golf
    assert interests.contains_all({"tennis"}) == tennis
    assert field("lifestyle").contains_all(("urban",)) == Contains("lifestyle", "urban")


_TAGS = st.lists(st.sampled_from(["golf", "sailing", "tennis", "chess"]), min_size=1, max_size=4)


@given(tags=_TAGS, customer=customers())
def test_contains_any_and_all_match_as_set_operations(tags: list[str], customer: Customer) -> None:
    any_of = field("interests").contains_any(tags).compile()
    all_of = field("interests").contains_all(tags).compile()
    assert any_of(customer) is bool(set(tags) & customer.interests)
    assert all_of(customer) is (set(tags) <= customer.interests)
    for tag in tags:  # with the customer's own tags too, which customers() rarely shares
        has = _buyer(interests={tag})
        assert any_of(has)
        assert all_of(has) is (set(tags) == {tag})


@pytest.mark.parametrize("build", ["contains_any", "contains_all"])
@pytest.mark.parametrize(
    ("values", "problems"),
    [
        ("golf", ["$.values: must be an iterable of strings, not str"]),
        (5, ["$.values: must be an iterable of strings, not int"]),
        (None, ["$.values: must be an iterable of strings, not NoneType"]),
        ([], ["$.values: must not be empty"]),
        (iter([]), ["$.values: must not be empty"]),
        (
            ["golf", 5, None],
            ["$.values[1]: must be a string, not int", "$.values[2]: is required"],
        ),
    ],
)
def test_the_tags_of_contains_any_and_all_are_checked_first(
    build: str, values: Any, problems: list[str]
) -> None:
    error = _refusal(lambda: getattr(field("interests"), build)(values))
    assert [str(p) for p in error.problems] == problems
    assert error.subject == "field"


@pytest.mark.parametrize("build", ["contains_any", "contains_all"])
def test_a_blank_tag_is_named_at_its_position(build: str) -> None:
    error = _refusal(lambda: getattr(field("interests"), build)(["golf", " ", "", "chess"]))
    assert str(error) == (
        "invalid field: 2 problems\n"
        "  $.values[1]: must not be empty or blank\n"
        "  $.values[2]: must not be empty or blank"
    )


@given(customer=customers())
def test_present_is_not_missing(customer: Customer) -> None:
    for name in ("industry", "interests", "size", "last_purchase_at", "kind"):
        present = field(name).present()
        assert present == Not(Missing(name))
        assert present.compile()(customer) is not Missing(name).compile()(customer)


# -- time windows: bounds and their refusals --------------------------------------


@pytest.mark.parametrize("window", [Within, OlderThan])
def test_window_bounds_refuse_a_naive_or_missing_as_of_in_their_own_name(window: Any) -> None:
    rule = window("last_purchase_at", timedelta(days=1))
    name = window.__name__
    error = _refusal(lambda: rule.bounds(datetime(2026, 1, 1)))
    assert str(error) == (
        f"invalid {name}.bounds input: $.as_of: must be timezone-aware (naive datetimes are "
        "ambiguous)"
    )
    error = _refusal(lambda: rule.utc_bounds(None))
    assert str(error) == f"invalid {name}.bounds input: $.as_of: is required"


def test_window_bounds_take_an_as_of_that_only_its_own_offset_keeps_in_the_calendar() -> None:
    # The first hour of year 1 at +05:00 is still year 0 in UTC: bounds() takes
    # it (it must only be aware) and measures the window from it as it is.
    first = datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
    lo, hi = Within("last_purchase_at", timedelta(seconds=30)).bounds(first)
    assert (lo, hi) == (first - timedelta(seconds=30), first)
    lo, hi = OlderThan("last_purchase_at", timedelta(days=1)).bounds(first)
    assert hi == first
    assert lo == datetime.min.replace(tzinfo=timezone(timedelta(hours=23, minutes=59)))


@contextmanager
def _machine_zone(posix: str) -> Iterator[None]:
    """The process's own time zone set to *posix* (a POSIX TZ string) for a while."""
    if not hasattr(time, "tzset"):
        pytest.skip("the process time zone can only be changed on Unix")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", posix)
        time.tzset()
        try:
            yield
        finally:
            patch.undo()
            time.tzset()


def test_window_bounds_are_utc_times_whatever_the_machine_zone() -> None:
    month = timedelta(days=30)
    rule = Within("last_purchase_at", month)
    start = datetime.min.replace(tzinfo=UTC)
    with _machine_zone("KIR-14"):  # POSIX writes +14:00 as -14
        assert datetime(2024, 1, 1).astimezone().utcoffset() == timedelta(hours=14)
        for as_of, earliest in [
            (AS_OF, AS_OF - month),
            (AS_OF.astimezone(timezone(timedelta(hours=-5))), AS_OF - month),
            (datetime(1, 1, 20, tzinfo=UTC), start),  # the window reaches before year 1
        ]:
            lo, hi = rule.bounds(as_of)
            assert hi is as_of
            if earliest is not start:  # else the first instant there is, at +23:59
                assert lo.utcoffset() == timedelta(0)
            utc_lo, utc_hi = rule.utc_bounds(as_of)
            assert (utc_lo.utcoffset(), utc_hi.utcoffset()) == (timedelta(0), timedelta(0))
            assert (utc_lo, utc_hi) == (earliest, as_of)


@pytest.mark.parametrize(
    ("make", "problems"),
    [
        (lambda: In("size", 5), ["$.values: must be a set (or any iterable), not int"]),  # type: ignore[arg-type]
        (lambda: In("size", None), ["$.values: must be a set (or any iterable), not NoneType"]),  # type: ignore[arg-type]
        (
            lambda: field("country").is_in("DE"),
            ["$.values: must be a set (or any iterable), not str"],
        ),
        (lambda: In("size", ()), ["$.values: must not be empty"]),
        (
            lambda: In("shoe", []),
            [
                f"$.field: must be a rule field, one of {_FIELD_NAMES}",
                "$.values: must not be empty",
            ],
        ),
        (lambda: In("interests", ["golf"]), ["$.field: 'interests' (set) does not support in"]),
        (
            lambda: In("size", [1, "2", 3, None]),
            ["$.values[1]: must be an integer, not str", "$.values[3]: is required"],
        ),
    ],
)
def test_the_values_of_an_in_rule_are_a_non_empty_collection(
    make: Callable[[], object], problems: list[str]
) -> None:
    error = _refusal(make)
    assert [str(p) for p in error.problems] == problems
    assert error.subject == "In rule"


# -- In: the order values are checked in -------------------------------------------


def test_a_set_of_values_is_checked_in_text_order() -> None:
    # A set has no order of its own: its values are checked sorted by type name,
    # then by text, so its problems come at the same paths in every run.
    error = _refusal(lambda: field("size").is_in({5, 2**64, 1, 10**19, 7}))
    assert error.paths == ["$.values[1]", "$.values[2]"]  # 1, 10**19, 2**64, 5, 7
    error = _refusal(lambda: field("size").is_in({"b", 3, "a"}))
    assert error.paths == ["$.values[1]", "$.values[2]"]  # int before str
    assert In("size", {3, 1, 2}) == In("size", [1, 2, 3])


# -- windows and ranges: the field and the span ---------------------------------------


def test_a_range_on_a_field_without_an_order_is_refused_as_such() -> None:
    for name, kind in (("country", "text"), ("interests", "set"), ("kind", "enum")):
        error = _refusal(lambda name=name: field(name).between("A", "B"))  # type: ignore[misc]
        assert error.problems[0].message == f"{name!r} ({kind}) does not support ranges"
        assert str(error).startswith("invalid Between rule: $.field: ")


def test_each_end_of_a_range_is_checked_at_its_own_name() -> None:
    error = _refusal(lambda: field("size").between("a", None))
    assert [str(p) for p in error.problems] == [
        "$.lo: must be an integer, not str",
        "$.hi: is required",
    ]
    error = _refusal(lambda: field("size").between(1, "b"))
    assert [str(p) for p in error.problems] == ["$.hi: must be an integer, not str"]
    # The order of the ends is checked once both are values of the field.
    error = _refusal(lambda: field("size").between(3, "b"))
    assert error.paths == ["$.hi"]


@pytest.mark.parametrize("make", [Within, OlderThan])
@pytest.mark.parametrize(
    ("window", "problem"),
    [
        (30, "must be a timedelta, not int"),
        (None, "must be a timedelta, not NoneType"),
        (timedelta(0), "must be positive"),
        (timedelta(microseconds=-1), "must be positive"),
        (timedelta(days=-1), "must be positive"),
        (timedelta(seconds=1, microseconds=1), "must be a whole number of seconds"),
        (timedelta(days=36525, seconds=1), "must be at most 100 years (36525 days)"),
    ],
)
def test_a_window_is_whole_seconds_from_one_second_to_a_century(
    make: Any, window: Any, problem: str
) -> None:
    error = _refusal(lambda: make("last_purchase_at", window))
    assert str(error) == f"invalid {make.__name__} rule: $.window: {problem}"


@pytest.mark.parametrize("make", [Within, OlderThan])
def test_a_window_on_no_field_says_so_with_any_problem_of_its_span(make: Any) -> None:
    error = _refusal(lambda: make("shoe", timedelta(0)))
    assert [str(p) for p in error.problems] == [
        f"$.field: must be a rule field, one of {_FIELD_NAMES}",
        "$.window: must be positive",
    ]
    assert error.subject == f"{make.__name__} rule"


@pytest.mark.parametrize("make", [Within, OlderThan])
def test_the_shortest_and_longest_windows_are_taken(make: Any) -> None:
    for window in (timedelta(seconds=1), timedelta(days=36525)):
        assert make("last_purchase_at", window).window == window


# -- compiling: the arguments a rule needs, and a value that is no customer ----------


def test_compiling_says_which_argument_the_rule_needs() -> None:
    recent = field("last_purchase_at").within(timedelta(days=1))
    error = _refusal(recent.compile)
    assert str(error) == "invalid rule evaluation: $.as_of: is required: the rule has a time window"
    top = field("rfm_monetary") >= 4
    error = _refusal(lambda: top.compile(as_of=AS_OF))
    assert str(error) == (
        "invalid rule evaluation: $.rfm: is required: the rule reads RFM scores (see rfm_scores)"
    )
    error = _refusal(lambda: (recent & top).compile(as_of=datetime(2024, 6, 1)))
    assert [str(p) for p in error.problems] == [
        "$.as_of: must be timezone-aware (naive datetimes are ambiguous)",
        "$.rfm: is required: the rule reads RFM scores (see rfm_scores)",
    ]
    # A rule that reads neither takes neither, and runs without them.
    assert (field("size") >= 1).compile()(_buyer(size=3))


@pytest.mark.parametrize("value", [None, "c-1", 5])
def test_a_compiled_rule_refuses_what_is_no_customer_in_these_words(value: object) -> None:
    for rule in (field("size") >= 1, Always(), field("country") == "DE"):
        error = _refusal(lambda rule=rule: rule.compile()(value))  # type: ignore[misc]
        assert str(error) == (
            f"invalid rule evaluation: $.customer: must be a Customer, not {type(value).__name__}"
        )


def test_a_customer_the_scores_leave_out_is_refused_by_id() -> None:
    scores = {"c-2": RFMScore(5, 5, 5)}
    predicate = (field("rfm_recency") >= 3).compile(rfm=scores)
    error = _refusal(lambda: predicate(_buyer()))
    assert str(error) == "invalid rule evaluation: $.rfm: has no score for customer 'c-1'"
    assert predicate(_buyer(id="c-2"))
    scores["c-1"] = RFMScore(5, 5, 5)  # the scores are read as they were when compiled
    with pytest.raises(ValidationError):
        predicate(_buyer())


@given(customer=customers(), scores=st.tuples(*[st.integers(0, 5)] * 3))
def test_each_rfm_field_reads_its_own_score(
    customer: Customer, scores: tuple[int, int, int]
) -> None:
    rfm = {customer.id: RFMScore(*scores)}
    for name, score in zip(("rfm_recency", "rfm_frequency", "rfm_monetary"), scores, strict=True):
        for value in range(6):
            assert (field(name) >= value).compile(rfm=rfm)(customer) is (score >= value)
            assert (field(name) == value).compile(rfm=rfm)(customer) is (score == value)


# -- nesting ------------------------------------------------------------------------


def test_a_rule_nested_too_deeply_is_refused_where_it_would_go() -> None:
    deepest: Rule = field("size") >= 1
    for _ in range(MAX_DEPTH - 1):
        deepest = Not(deepest)
    too_deep = f"too deeply nested: rules may nest at most {MAX_DEPTH} levels"
    assert str(_refusal(lambda: Not(deepest))) == f"invalid Not rule: $.rule: {too_deep}"
    error = _refusal(lambda: And([field("size") >= 2, deepest]))
    assert str(error) == f"invalid And rule: $.rules: {too_deep}"
    error = _refusal(lambda: Or([deepest]))
    assert str(error) == f"invalid Or rule: $.rules: {too_deep}"
    # One level less is taken, however wide.
    assert And([deepest.rule, deepest.rule]).children == (deepest.rule, deepest.rule)  # type: ignore[attr-defined]


# -- values: each kind of field, its refusals and its limits --------------------------

_KIND_VALUES = "'individual', 'household', 'organization'"


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (
            lambda: field("kind") == "robot",
            f"must be a CustomerKind or one of its values: {_KIND_VALUES}",
        ),
        (
            lambda: field("kind") == 3,
            f"must be a CustomerKind or one of its values: {_KIND_VALUES}, not int",
        ),
        (
            lambda: field("intermediary") != "Reseller",
            "must be an IntermediaryRole or one of its values: "
            "'reseller', 'distributor', 'agent', 'affiliate'",
        ),
        (lambda: field("total_spend") == 1.5, "must be an int or Decimal amount, not float"),
        (lambda: field("total_spend") == "1.5", "must be an int or Decimal amount, not str"),
        (lambda: field("total_spend") == Decimal("NaN"), "must be a finite amount"),
        (lambda: field("total_spend") <= Decimal("-Infinity"), "must be a finite amount"),
        (
            lambda: field("total_spend") < Decimal("1E+29"),
            "must have at most 29 integer digits and 9 decimal places (trailing zeros aside)",
        ),
        (
            lambda: field("total_spend") > Decimal("0.0000000001"),
            "must have at most 29 integer digits and 9 decimal places (trailing zeros aside)",
        ),
        (  # a zero after the tenth place does not make it fit
            lambda: field("total_spend") > Decimal("0.00000000010"),
            "must have at most 29 integer digits and 9 decimal places (trailing zeros aside)",
        ),
        (lambda: field("rfm_recency") == -1, "must be at least 0"),
        (lambda: field("rfm_monetary") >= 6, "must be at most 5"),
        (lambda: field("region") == 3, "must be a string, not int"),
        (lambda: field("industry") == None, "is required"),  # noqa: E711
        (
            lambda: field("country") == "de",
            "must be an ISO 3166-1 alpha-2 code (two upper-case letters)",
        ),
        (lambda: field("currency") == "eur", "must be an ISO 4217 code (three upper-case letters)"),
        (
            lambda: field("last_purchase_at") == datetime(2024, 1, 1),
            "must be timezone-aware (naive datetimes are ambiguous)",
        ),
        (lambda: field("last_active_at") >= "2024-01-01", "must be a datetime, not str"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_in_these_words(
    make: Callable[[], object], problem: str
) -> None:
    assert str(_refusal(make)) == f"invalid Compare rule: $.value: {problem}"


def test_the_values_at_the_limits_of_their_kind_are_taken() -> None:
    assert [(field("rfm_recency") == n).value for n in (0, 5)] == [0, 5]
    assert (field("total_spend") >= 0).value == Decimal(0)
    nines = Decimal("9" * 29)
    assert (field("total_spend") < nines).value == nines
    assert (field("total_spend") >= Decimal("-0.000000001")).value == Decimal("-0.000000001")
    assert (field("total_spend") >= Decimal("1.0000000000000")).value == 1  # zeros aside
    assert (field("total_spend") >= Decimal("0.0000000010")).value == Decimal("1E-9")
    # Free text may be empty (a region nobody named); a code or a tag may not.
    assert (field("region") == "").value == ""
    assert str(_refusal(lambda: field("interests").contains(""))) == (
        "invalid Contains rule: $.value: must not be empty or blank"
    )
    assert (field("kind") == "household").value is CustomerKind.HOUSEHOLD


# -- the catalogue, and the encodings records and SQL share ----------------------------


def test_a_catalogue_entry_is_a_nullable_plain_field_unless_told_and_its_column_is_its_name() -> (
    None
):
    # FIELDS is built once, at import; each entry goes through _f.
    plain = _rule_fields._f("size", Kind.INT, "c.size", "head count")
    assert plain == FieldSpec("size", Kind.INT, "c.size", "size", True, "head count")
    assert (plain.enum, plain.rfm, plain.code) == (None, False, None)
    told = _rule_fields._f(
        "kind", Kind.ENUM, "c.kind", "what", nullable=False, enum=CustomerKind, rfm=True, code="x"
    )
    assert told == FieldSpec(
        "kind", Kind.ENUM, "c.kind", "kind", False, "what", CustomerKind, True, "x"
    )
    for name, spec in FIELDS.items():
        assert (spec.name, spec.column) == (name, name)
    assert {n for n, s in FIELDS.items() if s.rfm} == {
        "rfm_recency",
        "rfm_frequency",
        "rfm_monetary",
    }
    assert {n: s.code for n, s in FIELDS.items() if s.code} == {
        "country": "country",
        "currency": "currency",
    }


def test_the_one_currency_of_a_single_purchase_is_its_own() -> None:
    one = _buyer(purchases=[Purchase(Decimal("9.99"), "JPY", AS_OF)])
    assert _rule_fields.currency_of(one) == "JPY"
    assert (field("currency") == "JPY").compile()(one)
    two = _buyer(purchases=[Purchase(Decimal(1), "JPY", AS_OF), Purchase(Decimal(2), "JPY", AS_OF)])
    assert _rule_fields.currency_of(two) == "JPY"
    assert _rule_fields.total_spend(two) == Decimal(3)


def test_times_are_written_in_utc_to_the_microsecond_whatever_the_machine_zone() -> None:
    with _machine_zone("KIR-14"):
        at = datetime(2024, 6, 1, 2, 30, tzinfo=timezone(timedelta(hours=2)))
        assert _rule_fields.iso(at) == "2024-06-01T00:30:00.000000+00:00"
        assert _rule_fields.iso(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00.000000+00:00"


@pytest.mark.parametrize(
    ("amount", "plain", "sql"),
    [
        (Decimal("1E+2"), "100", "100"),
        (Decimal("-12.50"), "-12.50", "-12.50"),
        (Decimal("1E-10"), "0.0000000001", "0.0000000001"),  # SQL never gets it: it does not fit
        (Decimal("1.000000001"), "1.000000001", "1.000000001"),
        (Decimal("1.5000000000000"), "1.5000000000000", "1.500000000"),
        (Decimal("0E-12"), "0.000000000000", "0.000000000"),
        (
            Decimal("99999999999999999999999999999.999999999000"),  # 38 digits once trimmed
            "99999999999999999999999999999.999999999000",
            "99999999999999999999999999999.999999999",
        ),
    ],
)
def test_amounts_are_written_plainly_and_for_sql_with_only_trailing_zeros_dropped(
    amount: Decimal, plain: str, sql: str
) -> None:
    assert _rule_fields.plain_decimal(amount) == plain
    if _rule_fields.fits_sql_decimal(amount):
        assert _rule_fields.sql_decimal_text(amount) == sql
        assert Decimal(sql) == amount


def test_a_set_of_tags_is_one_sorted_string_with_its_separator_escaped() -> None:
    encode = _rule_fields.encode_set
    assert encode(frozenset()) == ""
    assert encode(frozenset({"golf"})) == "golf"
    assert encode(frozenset({"b,c", "100%", "a"})) == "100%25,a,b%2Cc"
    assert encode(frozenset({"a%,b", "a%2Cb"})) == "a%25%2Cb,a%252Cb"  # two tags, two texts


class _Flaky(Customer):
    """A customer whose size, once broken, cannot be read: a failure of its own."""

    broken = False

    def __getattribute__(self, name: str) -> Any:
        if name == "size" and type(self).broken:
            raise TypeError("size is unreadable")
        return super().__getattribute__(name)


def test_a_customer_s_own_failure_comes_out_of_the_rule_as_it_is() -> None:
    flaky = _Flaky("c-9", CustomerKind.ORGANIZATION, [Purchaser(Person("p-9"))], size=3)
    rule = (field("size") >= 1).compile()
    assert rule(flaky)
    _Flaky.broken = True
    try:
        with pytest.raises(TypeError) as info:
            rule(flaky)
    finally:
        _Flaky.broken = False
    assert str(info.value) == "size is unreadable"
    # Raised where the generated function reads it, named as generated code.
    files = [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]
    assert "<customer_model rule>" in files
