"""The prioritization policy: every knob that turns feedback into a score.

A :class:`PrioritizationPolicy` is a frozen value a product team can review,
store next to a backlog (``to_json``) and reload later to reproduce it.  The
defaults follow the published rules (Productboard's importance points and one
voice per person per theme) and add the balancing this library is about:
purchaser needs count more from purchasers and user needs more from users.
"""

from __future__ import annotations

import enum
import math
import sys
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Literal, TypeVar

import attrs

from customer_model.errors import ValidationError
from customer_model.model._frozenmap import FrozenMap, freeze
from customer_model.model._member_keys import bad_member_key, member_keys
from customer_model.model._messages import type_name
from customer_model.model._text_keys import (
    currency_key,
    key_problem,
    keys_are,
    named_key,
    order_of,
    refused_key,
)
from customer_model.model._validation import Checker, exact_member
from customer_model.model.customers import Role, RoleValue
from customer_model.model.feedback import (
    FeedbackKind,
    FeedbackKindValue,
    Importance,
    ImportanceValue,
    Need,
    NeedValue,
)

__all__ = ["DEFAULT_ROLE_WEIGHTS", "PrioritizationPolicy", "ValueWeighting", "ValueWeightingValue"]

E = TypeVar("E", bound=enum.Enum)


class ValueWeighting(enum.Enum):
    """How a customer's revenue scales the voices of its people.

    With ``R`` the customer's revenue converted to the policy currency and
    ``s`` the policy's ``revenue_scale``:

    - ``NONE``: every customer weighs 1.
    - ``LINEAR``: ``1 + R / s`` (Canny-style weighting by revenue; large
      accounts can dominate).
    - ``LOG`` (default): ``1 + ln(1 + R / s)``, damped so that a customer
      paying a hundred times more counts a few times more, not a hundred.

    A customer without purchases weighs 1 in every mode, so prospects still count.
    """

    NONE = "none"
    LINEAR = "linear"
    LOG = "log"


#: The values of :class:`ValueWeighting`, which the policy accepts for its members.
ValueWeightingValue = Literal["none", "linear", "log"]

# Mapping fields keyed by a vocabulary take its members, its exact values, or both.
ImportancePoints = (
    Mapping[Importance, float]
    | Mapping[ImportanceValue, float]
    | Mapping[Importance | ImportanceValue, float]
)
WeightByRole = Mapping[Role, float] | Mapping[RoleValue, float] | Mapping[Role | RoleValue, float]
RoleWeights = (
    Mapping[Need, WeightByRole]
    | Mapping[NeedValue, WeightByRole]
    | Mapping[Need | NeedValue, WeightByRole]
)
KindWeights = (
    Mapping[FeedbackKind, float]
    | Mapping[FeedbackKindValue, float]
    | Mapping[FeedbackKind | FeedbackKindValue, float]
)


def _importance_points(value: ImportancePoints) -> Mapping[Importance, float]:
    converted: Mapping[Importance, float] = member_keys(Importance, value)
    return converted


def _role_weights(value: RoleWeights) -> Mapping[Need, Mapping[Role, float]]:
    outer = member_keys(Need, value)
    if isinstance(outer, Mapping):
        outer = FrozenMap({k: member_keys(Role, v) for k, v in outer.items()})
    converted: Mapping[Need, Mapping[Role, float]] = outer
    return converted


def _kind_weights(value: KindWeights) -> Mapping[FeedbackKind, float]:
    converted: Mapping[FeedbackKind, float] = member_keys(FeedbackKind, value)
    return converted


def _customer_value(value: ValueWeighting | ValueWeightingValue) -> ValueWeighting:
    return value if type(value) is ValueWeighting else exact_member(ValueWeighting, value)


_POINTS: Mapping[Importance, float] = MappingProxyType(
    {
        Importance.NOT_IMPORTANT: 0.0,
        Importance.NICE_TO_HAVE: 1.0,
        Importance.IMPORTANT: 2.0,
        Importance.CRITICAL: 3.0,
    }
)

#: Purchaser needs count fully from purchasers and half from users who do not
#: buy; user needs the other way round.  Needs not listed count fully from anyone.
DEFAULT_ROLE_WEIGHTS: Mapping[Need, Mapping[Role, float]] = MappingProxyType(
    {
        Need.COST: MappingProxyType({Role.PURCHASER: 1.0, Role.USER: 0.5}),
        Need.SCALABILITY: MappingProxyType({Role.PURCHASER: 1.0, Role.USER: 0.5}),
        Need.USABILITY: MappingProxyType({Role.PURCHASER: 0.5, Role.USER: 1.0}),
        Need.EFFICIENCY: MappingProxyType({Role.PURCHASER: 0.5, Role.USER: 1.0}),
    }
)


def _points_default() -> FrozenMap[Importance, float]:
    return FrozenMap(_POINTS)


def _role_weights_default() -> FrozenMap[Need, FrozenMap[Role, float]]:
    return FrozenMap({need: FrozenMap(w) for need, w in DEFAULT_ROLE_WEIGHTS.items()})


def _kind_weights_default() -> FrozenMap[FeedbackKind, float]:
    return FrozenMap({FeedbackKind.BUG: 1.5})


def _empty() -> FrozenMap[Any, Any]:
    return FrozenMap({})


@attrs.frozen(slots=True, kw_only=True)
class PrioritizationPolicy:
    """How :func:`~customer_model.prioritize` weighs feedback; see the guide for the formula.

    One voice is one person's latest item on a theme (or one anonymous item).
    Its contribution to the theme's score is the product of:

    ``importance_points`` / ``unspecified_points``
        Points for the voice's stated importance (Productboard: not important
        0, nice-to-have 1, important 2, critical 3; unspecified 1).  All four
        levels must be given.
    ``role_weights``
        Need → role → weight.  A purchaser-only voice takes the ``PURCHASER``
        weight of the item's need, a user-only voice the ``USER`` weight, and a
        person in both roles the larger of the two (they count fully).  Needs
        not listed, and items without a need, weigh 1.  Each listed need must
        give both roles.
    ``unlisted_weight``
        Replaces the role weight for a named author whom the customer lists
        neither as purchaser nor as user.
    ``anonymous_weight``
        Replaces the role weight for anonymous items, each of which is its
        own voice (nobody can be deduplicated).
    ``kind_weights``
        Feedback kind → multiplier (bug severity: bugs weigh 1.5 by default);
        kinds not listed weigh 1.
    ``half_life``
        Recency decay: a voice whose latest item is ``age`` old at ``as_of``
        weighs ``0.5 ** (age / half_life)``.  ``None`` (default): no decay.
    ``customer_value``, ``revenue_scale``, ``currency``, ``exchange_rates``
        Weighting by customer value, see :class:`ValueWeighting`.  Revenue is
        the sum of the customer's purchases.  With ``currency=None`` (the
        default) no conversion happens: revenue may be in any one currency,
        and customers paying in two or more currencies are an error.  With a
        ``currency``, amounts in other currencies are converted with
        ``exchange_rates`` (units of ``currency`` per unit of the other
        currency; a rate for ``currency`` itself is refused, since it is 1 by
        definition).  Revenue in a currency without a rate is an error, never
        silently dropped or mixed.
    ``segment_weights``
        Segment id → multiplier for the customers in that segment.  A
        customer in several weighted segments takes the largest weight; one in
        none weighs 1.
    ``strategic_fit`` / ``default_fit``
        Theme → multiplier set by the product manager for how well the theme
        serves the product vision (1 neutral, 0 drops the theme, 2 doubles
        it).  Themes not listed take ``default_fit``.  A team that rates fit
        on 0..1 passes those ratings and a ``default_fit`` of its choice.

    Every weight must be a finite number of at least 0; ``revenue_scale``,
    ``half_life`` and exchange rates must be positive.
    """

    importance_points: Mapping[Importance, float] = attrs.field(
        factory=_points_default, converter=_importance_points
    )
    unspecified_points: float = 1.0
    role_weights: Mapping[Need, Mapping[Role, float]] = attrs.field(
        factory=_role_weights_default, converter=_role_weights
    )
    unlisted_weight: float = 0.5
    anonymous_weight: float = 0.5
    kind_weights: Mapping[FeedbackKind, float] = attrs.field(
        factory=_kind_weights_default, converter=_kind_weights
    )
    half_life: timedelta | None = None
    customer_value: ValueWeighting = attrs.field(
        default=ValueWeighting.LOG, converter=_customer_value
    )
    revenue_scale: float = 1000.0
    currency: str | None = None
    exchange_rates: Mapping[str, float] = attrs.field(
        factory=_empty, converter=freeze, metadata=keys_are(currency_key)
    )
    segment_weights: Mapping[str, float] = attrs.field(
        factory=_empty, converter=freeze, metadata=keys_are(named_key)
    )
    strategic_fit: Mapping[str, float] = attrs.field(
        factory=_empty, converter=freeze, metadata=keys_are(named_key)
    )
    default_fit: float = 1.0

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if _mapping(check, "importance_points", self.importance_points):
            for level in Importance:
                if level not in self.importance_points:
                    check.add(("importance_points", level.value), "is required")
            _weights(check, "importance_points", self.importance_points, Importance)
        check.number("unspecified_points", self.unspecified_points, minimum=0)
        if _mapping(check, "role_weights", self.role_weights):
            weights: Mapping[Any, Any] = self.role_weights
            for need, by_role in weights.items():
                if not isinstance(need, Need):
                    check.add("role_weights", bad_member_key(need, Need))
                    continue
                path = ("role_weights", need.value)
                if _mapping(check, path, by_role):
                    for role in Role:
                        if role not in by_role:
                            check.add((*path, role.value), "is required")
                    _weights(check, path, by_role, Role)
        check.number("unlisted_weight", self.unlisted_weight, minimum=0)
        check.number("anonymous_weight", self.anonymous_weight, minimum=0)
        if _mapping(check, "kind_weights", self.kind_weights):
            _weights(check, "kind_weights", self.kind_weights, FeedbackKind)
        half_life: object = self.half_life
        if half_life is not None:
            if not isinstance(half_life, timedelta):
                check.add("half_life", f"must be a timedelta or None, not {type_name(half_life)}")
            elif half_life <= timedelta(0):
                check.add("half_life", "must be a positive duration")
        check.member("customer_value", self.customer_value, ValueWeighting, values=True)
        check.number("revenue_scale", self.revenue_scale, positive=True)
        if self.currency is not None:
            check.currency("currency", self.currency)
        elif self.exchange_rates:
            check.add("exchange_rates", "need a currency to convert into")
        if _mapping(check, "exchange_rates", self.exchange_rates):
            order = order_of(self.exchange_rates)
            for position, (code, rate) in enumerate(self.exchange_rates.items(), 1):
                if not check.currency_key("exchange_rates", code, position, order):
                    continue
                if code == self.currency:
                    check.add(
                        ("exchange_rates", code),
                        "must not be given for the policy's own currency (its rate is 1)",
                    )
                    continue
                check.number(("exchange_rates", code), rate, positive=True)
        for name in ("segment_weights", "strategic_fit"):
            value = getattr(self, name)
            if _mapping(check, name, value):
                _weights(check, name, value, str)
        check.number("default_fit", self.default_fit, minimum=0)
        check.done("PrioritizationPolicy")

    # -- lookups used by prioritize ----------------------------------------------

    def points(self, importance: Importance | None) -> float:
        """Importance points for a stated importance (``None``: unspecified)."""
        if importance is None:
            return self.unspecified_points
        if type(importance) is not Importance:
            raise _lookup("importance", "must be an Importance or None", importance)
        return self.importance_points[importance]

    def role_weight(self, roles: frozenset[Role], need: Need | None) -> float:
        """The weight of a named author holding *roles* speaking to *need*.

        Both roles: the larger weight; no role: ``unlisted_weight``.
        """
        if not (isinstance(roles, frozenset | set) and all(type(role) is Role for role in roles)):
            raise _lookup("roles", "must be a set of Role", roles)
        if need is not None and type(need) is not Need:
            raise _lookup("need", "must be a Need or None", need)
        if not roles:
            return self.unlisted_weight
        by_role = self.role_weights.get(need) if need is not None else None
        if by_role is None:
            return 1.0
        return max(by_role[role] for role in roles)

    def kind_weight(self, kind: FeedbackKind) -> float:
        """The multiplier for a feedback kind (1 when not listed)."""
        if type(kind) is not FeedbackKind:
            raise _lookup("kind", "must be a FeedbackKind", kind)
        return self.kind_weights.get(kind, 1.0)

    def fit(self, theme: str) -> float:
        """The strategic-fit multiplier of *theme*."""
        if type(theme) is not str:
            raise _lookup("theme", "must be a string", theme)
        return self.strategic_fit.get(theme, self.default_fit)

    def value_weight(self, revenue: float) -> float:
        """The customer-value multiplier for *revenue* in the policy currency.

        *revenue* is at least 0; an infinite one (a total past the largest
        float) weighs infinitely.
        """
        if type(revenue) is int and 0 <= revenue <= sys.float_info.max:
            revenue = float(revenue)
        if type(revenue) is not float or not revenue >= 0:  # NaN included
            raise _lookup("revenue", "must be a number of at least 0 (a float)", revenue)
        if self.customer_value is ValueWeighting.NONE:
            return 1.0
        ratio = revenue / self.revenue_scale
        if self.customer_value is ValueWeighting.LINEAR:
            return 1.0 + ratio
        return 1.0 + math.log1p(ratio)

    def rate(self, currency: str) -> float | None:
        """Units of the policy currency per unit of *currency*; ``None`` if unknown.

        Without a policy currency nothing is converted: every rate is 1.
        """
        if type(currency) is not str:
            raise _lookup("currency", "must be a string", currency)
        if self.currency is None or currency == self.currency:
            return 1.0
        return self.exchange_rates.get(currency)


def _lookup(argument: str, rule: str, value: object) -> ValidationError:
    """The error of a policy lookup given a bad *argument* (named by type, never shown)."""
    return ValidationError.single(
        argument, f"{rule}, not {type_name(value)}", "PrioritizationPolicy lookup"
    )


def _mapping(check: Checker, path: str | tuple[str, ...], value: object) -> bool:
    if not isinstance(value, Mapping):
        check.add(path, f"must be a mapping, not {type_name(value)}")
        return False
    return True


def _weights(
    check: Checker, path: str | tuple[str, ...], value: Mapping[Any, Any], key_type: type[Any]
) -> None:
    base = (path,) if isinstance(path, str) else path
    order = order_of(value)
    for position, (key, weight) in enumerate(value.items(), 1):
        if key_type is str:  # a theme or a segment id, as reading JSON checks it
            why = key_problem(named_key, key)
            if why is not None:
                check.add(base, refused_key(position, why, order))
                continue
        elif not isinstance(key, key_type):
            check.add(base, bad_member_key(key, key_type))
            continue
        part = key.value if isinstance(key, enum.Enum) else key
        check.number((*base, part), weight, minimum=0)
