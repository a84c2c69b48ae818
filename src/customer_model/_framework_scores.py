"""A backlog's themes scored by RICE, ICE or WSJF, for :meth:`~customer_model.Backlog.rerank`.

The checks of the estimates and the framework arithmetic; the backlog keeps
the ordering and the items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, Protocol

from customer_model.errors import ValidationError
from customer_model.frameworks import (
    _ESTIMATE_TYPES,
    IceEstimate,
    RiceEstimate,
    WsjfEstimate,
    ice,
    rice,
    wsjf,
)
from customer_model.model._messages import a, type_name
from customer_model.model._validation import Checker, some

__all__ = ["framework_scores"]

_SUBJECT = "rerank input"


class _Theme(Protocol):
    """What a framework needs of a backlog item (it cannot import the backlog, its caller)."""

    @property
    def theme(self) -> str: ...
    @property
    def customer_count(self) -> int: ...


def framework_scores(
    items: Sequence[_Theme],
    method: Literal["rice", "ice", "wsjf"],
    estimates: Mapping[str, RiceEstimate | IceEstimate | WsjfEstimate],
    ice_method: Literal["product", "mean"] | None,
) -> list[float]:
    """Each item's framework score, in the items' order; what is wrong, all at once.

    RICE reach defaults to the item's ``customer_count``.
    """
    check = Checker()
    expected = _ESTIMATE_TYPES.get(method) if isinstance(method, str) else None
    if expected is None:
        check.add("method", "must be 'rice', 'ice' or 'wsjf'")
    if method == "ice" and ice_method not in ("product", "mean"):
        check.add("ice_method", "must be 'product' or 'mean' when ranking by ICE")
    elif method != "ice" and ice_method is not None:  # it would change nothing
        check.add("ice_method", "is only for ranking by ICE")
    given: object = estimates
    if not isinstance(given, Mapping):
        check.add("estimates", f"must be a mapping of theme to estimate, not {type_name(given)}")
    check.done(_SUBJECT)
    assert expected is not None
    missing = [item.theme for item in items if item.theme not in estimates]
    if missing:
        check.add("estimates", f"has no estimate for theme(s) {some(missing)}")
    for item in items:
        if item.theme not in estimates:
            continue
        estimate: object = estimates[item.theme]
        if not isinstance(estimate, expected):  # None included: it is no estimate
            check.add(
                ("estimates", item.theme),
                f"must be {a(expected.__name__)}, not {type_name(estimate)}",
            )
    check.done(_SUBJECT)
    values: list[float] = []
    for item in items:
        est = estimates[item.theme]
        try:
            if isinstance(est, RiceEstimate):
                reach = item.customer_count if est.reach is None else est.reach
                value = rice(reach, est.impact, est.confidence, est.effort)
            elif isinstance(est, IceEstimate):
                assert ice_method is not None
                value = ice(est.impact, est.confidence, est.ease, method=ice_method)
            else:
                value = wsjf(
                    est.business_value, est.time_criticality, est.risk_reduction, est.job_size
                )
        except ValidationError as e:  # valid estimates whose score overflows
            check.nested(("estimates", item.theme), e)
            continue
        values.append(value)
    check.done(_SUBJECT)
    return values
