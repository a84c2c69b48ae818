"""Pinned behaviour of the prioritization policy: its refusals and its lookups.

Every policy a test checks is built inside the test: mutmut sees only the
calls made while a test runs.
"""

from __future__ import annotations

import math
import sys
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_model import PrioritizationPolicy, ValidationError
from customer_model.model.customers import Role
from customer_model.model.feedback import FeedbackKind, Importance, Need
from customer_model.model.policy import DEFAULT_ROLE_WEIGHTS, ValueWeighting

HEAD = "invalid PrioritizationPolicy"
LOOKUP = "invalid PrioritizationPolicy lookup"


def refusal(**knobs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        PrioritizationPolicy(**knobs)
    assert info.value.subject == "PrioritizationPolicy"
    return str(info.value)


def build(**knobs: Any) -> PrioritizationPolicy:
    """A policy from knobs given as JSON gives them: vocabulary values, plain numbers."""
    return PrioritizationPolicy(**knobs)


def one(path: str, message: str) -> str:
    return f"{HEAD}: {path}: {message}"


def many(*lines: str) -> str:
    return f"{HEAD}: {len(lines)} problems\n" + "\n".join(f"  {line}" for line in lines)


class TestDefaults:
    def test_the_published_defaults(self) -> None:
        policy = PrioritizationPolicy()
        assert dict(policy.importance_points) == {
            Importance.NOT_IMPORTANT: 0.0,
            Importance.NICE_TO_HAVE: 1.0,
            Importance.IMPORTANT: 2.0,
            Importance.CRITICAL: 3.0,
        }
        assert policy.unspecified_points == 1.0
        assert {n: dict(w) for n, w in policy.role_weights.items()} == {
            Need.COST: {Role.PURCHASER: 1.0, Role.USER: 0.5},
            Need.SCALABILITY: {Role.PURCHASER: 1.0, Role.USER: 0.5},
            Need.USABILITY: {Role.PURCHASER: 0.5, Role.USER: 1.0},
            Need.EFFICIENCY: {Role.PURCHASER: 0.5, Role.USER: 1.0},
        }
        assert {n: dict(w) for n, w in DEFAULT_ROLE_WEIGHTS.items()} == {
            n: dict(w) for n, w in policy.role_weights.items()
        }
        assert policy.unlisted_weight == 0.5
        assert policy.anonymous_weight == 0.5
        assert dict(policy.kind_weights) == {FeedbackKind.BUG: 1.5}
        assert policy.half_life is None
        assert policy.customer_value is ValueWeighting.LOG
        assert policy.revenue_scale == 1000.0
        assert policy.currency is None
        assert dict(policy.exchange_rates) == {}
        assert dict(policy.segment_weights) == {}
        assert dict(policy.strategic_fit) == {}
        assert policy.default_fit == 1.0

    def test_vocabulary_values_are_taken_as_members(self) -> None:
        policy = build(
            importance_points={
                "not_important": 0.0,
                "nice_to_have": 1.0,
                "important": 4.0,
                "critical": 9.0,
            },
            role_weights={"cost": {"purchaser": 2.0, "user": 0.0}},
            kind_weights={"praise": 0.0},
            customer_value="linear",
        )
        assert policy.points(Importance.CRITICAL) == 9.0
        assert policy.role_weight(frozenset({Role.USER}), Need.COST) == 0.0
        assert policy.role_weight(frozenset({Role.PURCHASER}), Need.COST) == 2.0
        assert policy.kind_weight(FeedbackKind.PRAISE) == 0.0
        assert policy.customer_value is ValueWeighting.LINEAR


class TestRefusals:
    def test_every_importance_level_is_required(self) -> None:
        assert refusal(importance_points={"critical": 3.0}) == many(
            "$.importance_points.not_important: is required",
            "$.importance_points.nice_to_have: is required",
            "$.importance_points.important: is required",
        )

    def test_importance_points_must_be_finite_and_at_least_0(self) -> None:
        points = {"not_important": -1.0, "nice_to_have": 0.0, "important": 2, "critical": math.nan}
        assert refusal(importance_points=points) == many(
            "$.importance_points.critical: must be a finite number (not NaN or infinity)",
            "$.importance_points.not_important: must be at least 0",
        )

    @pytest.mark.parametrize(
        ("knob", "value", "kind"),
        [
            ("importance_points", [1.0], "list"),
            ("role_weights", 5, "int"),
            ("kind_weights", [], "list"),
            ("strategic_fit", 2, "int"),
            ("segment_weights", "x", "str"),
        ],
    )
    def test_mappings_are_required(self, knob: str, value: object, kind: str) -> None:
        assert refusal(**{knob: value}) == one(f"$.{knob}", f"must be a mapping, not {kind}")

    def test_a_listed_need_gives_both_roles(self) -> None:
        assert refusal(role_weights={"cost": {"purchaser": 1.0}}) == one(
            "$.role_weights.cost.user", "is required"
        )
        assert refusal(role_weights={"usability": {"user": 1.0}}) == one(
            "$.role_weights.usability.purchaser", "is required"
        )
        assert refusal(role_weights={"cost": 3}) == one(
            "$.role_weights.cost", "must be a mapping, not int"
        )

    def test_role_weights_are_at_least_0_and_the_checks_go_on(self) -> None:
        weights = {"cost": {"purchaser": -1.0, "user": 0.0}, "usability": {"user": 1.0}}
        assert refusal(role_weights=weights, default_fit=-1) == many(
            "$.role_weights.cost.purchaser: must be at least 0",
            "$.role_weights.usability.purchaser: is required",
            "$.default_fit: must be at least 0",
        )

    def test_keys_that_are_no_member(self) -> None:
        # Members sort by their class name, so a FeedbackKind key comes first
        # and the keys after it are still checked.
        assert refusal(
            role_weights={
                FeedbackKind.BUG: {"purchaser": 1, "user": 1},
                Need.USABILITY: {"user": 1},
            }
        ) == many(
            "$.role_weights: keys must be Need values, not FeedbackKind",
            "$.role_weights.usability.purchaser: is required",
        )
        assert refusal(
            role_weights={Need.COST: {FeedbackKind.BUG: 1, Role.USER: 1, Role.PURCHASER: -1}}
        ) == many(
            "$.role_weights.cost: keys must be Role values, not FeedbackKind",
            "$.role_weights.cost.purchaser: must be at least 0",
        )
        points: dict[object, float] = dict.fromkeys(Importance, 1.0)
        assert refusal(
            importance_points={FeedbackKind.BUG: 1.0, **points, Importance.CRITICAL: -1.0}
        ) == many(
            "$.importance_points: keys must be Importance values, not FeedbackKind",
            "$.importance_points.critical: must be at least 0",
        )
        assert refusal(kind_weights={"Bug": 1.0, "praise": -1.0}) == many(
            "$.kind_weights.praise: must be at least 0",
            "$.kind_weights: keys must be FeedbackKind members or their values: "
            "'bug', 'feature_request', 'complaint', 'praise', 'question'",
        )
        assert refusal(kind_weights={"bug": 2.0, FeedbackKind.BUG: -1.0}) == many(
            "$.kind_weights.bug: must be at least 0",
            "$.kind_weights: key 'bug' is given twice: as a FeedbackKind and as its value",
        )

    def test_a_currency_key_that_is_no_code_comes_first(self) -> None:
        assert refusal(currency="EUR", exchange_rates={"AB": 1.0, "USD": -1.0}) == many(
            "$.exchange_rates: key 1 (in sorted order) is not allowed: "
            "must be an ISO 4217 code (three upper-case letters)",
            "$.exchange_rates.USD: must be greater than 0",
        )

    def test_zero_weights_are_allowed(self) -> None:
        policy = build(
            importance_points={
                "not_important": 0,
                "nice_to_have": 0,
                "important": 0,
                "critical": 0,
            },
            unspecified_points=0,
            role_weights={"cost": {"purchaser": 0, "user": 0}},
            unlisted_weight=0,
            anonymous_weight=0,
            kind_weights={"bug": 0},
            segment_weights={"s": 0},
            strategic_fit={"t": 0},
            default_fit=0,
        )
        assert policy.points(Importance.CRITICAL) == 0
        assert policy.fit("t") == 0

    @pytest.mark.parametrize(
        "knob", ["unspecified_points", "unlisted_weight", "anonymous_weight", "default_fit"]
    )
    def test_scalar_weights_are_at_least_0(self, knob: str) -> None:
        assert refusal(**{knob: -0.5}) == one(f"$.{knob}", "must be at least 0")

    def test_both_voice_weights_are_checked(self) -> None:
        assert refusal(unlisted_weight=-1, anonymous_weight=-1) == many(
            "$.unlisted_weight: must be at least 0", "$.anonymous_weight: must be at least 0"
        )

    def test_kind_weights(self) -> None:
        assert refusal(kind_weights={"bug": -1}) == one("$.kind_weights.bug", "must be at least 0")

    def test_half_life(self) -> None:
        assert refusal(half_life=5) == one("$.half_life", "must be a timedelta or None, not int")
        for bad in (timedelta(0), timedelta(microseconds=-1)):
            assert refusal(half_life=bad) == one("$.half_life", "must be a positive duration")
        tiny = timedelta(microseconds=1)
        assert PrioritizationPolicy(half_life=tiny).half_life == tiny

    def test_customer_value(self) -> None:
        assert refusal(customer_value="LOG") == one(
            "$.customer_value",
            "must be a ValueWeighting or one of its values: 'none', 'linear', 'log'",
        )

    def test_revenue_scale_is_positive(self) -> None:
        assert refusal(revenue_scale=0) == one("$.revenue_scale", "must be greater than 0")
        assert PrioritizationPolicy(revenue_scale=sys.float_info.min).revenue_scale > 0

    def test_currency(self) -> None:
        assert refusal(currency="eur") == one(
            "$.currency", "must be an ISO 4217 code (three upper-case letters)"
        )
        assert refusal(exchange_rates={"USD": 1.0}) == one(
            "$.exchange_rates", "need a currency to convert into"
        )
        assert refusal(currency="EUR", exchange_rates=3) == one(
            "$.exchange_rates", "must be a mapping, not int"
        )

    def test_exchange_rates(self) -> None:
        rates = {"usd": 1.0, "EUR": 1.0, "GBP": 0, "JPY": -1.0, "CHF": 1.1}
        assert refusal(currency="EUR", exchange_rates=rates) == many(
            "$.exchange_rates.EUR: must not be given for the policy's own currency (its rate is 1)",
            "$.exchange_rates.GBP: must be greater than 0",
            "$.exchange_rates.JPY: must be greater than 0",
            "$.exchange_rates: key 5 (in sorted order) is not allowed: "
            "must be an ISO 4217 code (three upper-case letters)",
        )

    @pytest.mark.parametrize("knob", ["segment_weights", "strategic_fit"])
    def test_named_weights(self, knob: str) -> None:
        assert refusal(**{knob: {"": 1.0, "a": -1.0, "b": 1.0}}) == many(
            f"$.{knob}: key 1 (in sorted order) is not allowed: must not be empty or blank",
            f"$.{knob}.a: must be at least 0",
        )

    def test_refusals_never_repeat_the_value(self) -> None:
        secret = "ana@example.com"
        message = refusal(currency=secret, revenue_scale=-4321.5, half_life=secret)
        assert "ana" not in message
        assert "4321" not in message


class TestLookups:
    def test_points(self) -> None:
        policy = PrioritizationPolicy(unspecified_points=0.25)
        assert policy.points(None) == 0.25
        assert policy.points(Importance.IMPORTANT) == 2.0
        with pytest.raises(ValidationError) as info:
            policy.points("critical")  # type: ignore[arg-type]
        assert str(info.value) == f"{LOOKUP}: $.importance: must be an Importance or None, not str"

    def test_role_weight(self) -> None:
        policy = PrioritizationPolicy(unlisted_weight=0.125)
        both = frozenset({Role.PURCHASER, Role.USER})
        assert policy.role_weight(frozenset(), Need.COST) == 0.125
        assert policy.role_weight(set(), None) == 0.125  # type: ignore[arg-type]
        assert policy.role_weight(frozenset({Role.USER}), Need.COST) == 0.5
        assert policy.role_weight(frozenset({Role.USER}), Need.USABILITY) == 1.0
        assert policy.role_weight(frozenset({Role.PURCHASER}), Need.USABILITY) == 0.5
        assert policy.role_weight(both, Need.COST) == 1.0
        assert policy.role_weight(both, Need.USABILITY) == 1.0
        assert policy.role_weight(frozenset({Role.USER}), Need.SECURITY) == 1.0
        assert policy.role_weight(frozenset({Role.USER}), None) == 1.0
        low = build(role_weights={"cost": {"purchaser": 0.25, "user": 0.75}})
        assert low.role_weight(both, Need.COST) == 0.75
        assert low.role_weight(frozenset({Role.PURCHASER}), None) == 1.0

    @pytest.mark.parametrize(
        ("roles", "need", "message"),
        [
            ([Role.USER], None, "$.roles: must be a set of Role, not list"),
            (frozenset({"user"}), None, "$.roles: must be a set of Role, not frozenset"),
            (frozenset({Role.USER, "user"}), None, "$.roles: must be a set of Role, not frozenset"),
            (frozenset(), "cost", "$.need: must be a Need or None, not str"),
            (frozenset({Role.USER}), "cost", "$.need: must be a Need or None, not str"),
        ],
    )
    def test_role_weight_refusals(self, roles: object, need: object, message: str) -> None:
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy().role_weight(roles, need)  # type: ignore[arg-type]
        assert str(info.value) == f"{LOOKUP}: {message}"

    def test_kind_weight(self) -> None:
        policy = PrioritizationPolicy()
        assert policy.kind_weight(FeedbackKind.BUG) == 1.5
        assert policy.kind_weight(FeedbackKind.PRAISE) == 1.0
        with pytest.raises(ValidationError) as info:
            policy.kind_weight("bug")  # type: ignore[arg-type]
        assert str(info.value) == f"{LOOKUP}: $.kind: must be a FeedbackKind, not str"

    def test_fit(self) -> None:
        policy = PrioritizationPolicy(strategic_fit={"sso": 2.0}, default_fit=0.5)
        assert policy.fit("sso") == 2.0
        assert policy.fit("export") == 0.5
        with pytest.raises(ValidationError) as info:
            policy.fit(1)  # type: ignore[arg-type]
        assert str(info.value) == f"{LOOKUP}: $.theme: must be a string, not int"

    def test_value_weight_modes(self) -> None:
        none = PrioritizationPolicy(customer_value="none")
        linear = PrioritizationPolicy(customer_value="linear", revenue_scale=100.0)
        log = PrioritizationPolicy(customer_value="log", revenue_scale=100.0)
        assert none.value_weight(1e9) == 1.0
        assert linear.value_weight(250.0) == 3.5
        assert linear.value_weight(250) == 3.5
        assert log.value_weight(250.0) == 1.0 + math.log1p(2.5)
        for policy in (none, linear, log):
            assert policy.value_weight(0.0) == 1.0
            assert policy.value_weight(0) == 1.0
        assert log.value_weight(math.inf) == math.inf
        assert linear.value_weight(sys.float_info.max) == math.inf or (
            linear.value_weight(sys.float_info.max) > 1e300
        )

    @pytest.mark.parametrize(
        ("revenue", "kind"),
        [(-1, "int"), (-0.5, "float"), (math.nan, "float"), (True, "bool"), (10**400, "int")],
    )
    def test_value_weight_refusals(self, revenue: object, kind: str) -> None:
        with pytest.raises(ValidationError) as info:
            PrioritizationPolicy().value_weight(revenue)  # type: ignore[arg-type]
        assert str(info.value) == (
            f"{LOOKUP}: $.revenue: must be a number of at least 0 (a float), not {kind}"
        )

    def test_the_largest_int_revenue_is_taken(self) -> None:
        largest = int(sys.float_info.max)
        policy = PrioritizationPolicy(customer_value="none")
        assert policy.value_weight(largest) == 1.0

    def test_rate(self) -> None:
        plain = PrioritizationPolicy()
        assert plain.rate("USD") == 1.0
        euro = PrioritizationPolicy(currency="EUR", exchange_rates={"USD": 0.9})
        assert euro.rate("EUR") == 1.0
        assert euro.rate("USD") == 0.9
        assert euro.rate("GBP") is None
        for bad, kind in ((None, "NoneType"), (978, "int")):
            with pytest.raises(ValidationError) as info:
                euro.rate(bad)  # type: ignore[arg-type]
            assert str(info.value) == f"{LOOKUP}: $.currency: must be a string, not {kind}"


@given(
    revenue=st.floats(min_value=0, max_value=1e12),
    more=st.floats(min_value=0, max_value=1e12),
    scale=st.floats(min_value=1e-3, max_value=1e9),
)
def test_value_weights_grow_with_revenue_and_log_damps_linear(
    revenue: float, more: float, scale: float
) -> None:
    linear = PrioritizationPolicy(customer_value="linear", revenue_scale=scale)
    log = PrioritizationPolicy(customer_value="log", revenue_scale=scale)
    low, high = sorted((revenue, more))
    assert 1.0 <= linear.value_weight(low) <= linear.value_weight(high)
    assert 1.0 <= log.value_weight(low) <= log.value_weight(high)
    assert log.value_weight(revenue) <= linear.value_weight(revenue)
