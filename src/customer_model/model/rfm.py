"""RFM: recency, frequency and monetary value, each scored 1-5 by quintile.

Scores are relative to a population (the customers passed in) at a time
``as_of``.  Only purchases made at or before ``as_of`` count.

The quintile rule, stated exactly: among the *n* customers with at least one
purchase, a customer whose value is better than exactly *b* others (strictly
better: later last purchase, more purchases, higher spend) scores
``1 + floor(5 * b / n)``.  So equal values always get the same score (the
score of the first position of their tie), the order of the input never
matters, the best value scores 5 only when it beats at least four fifths of
the customers ranked, and the worst scores 1.  Customers with no purchases up to ``as_of`` are not
ranked and score ``0, 0, 0`` (code ``"000"``), which sorts below every real
score.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._moments import instant
from customer_model.model._money import EXACT
from customer_model.model._validation import Checker
from customer_model.model.customers import Customer, customer_index

__all__ = ["RFMScore", "rfm_scores"]


@attrs.frozen(slots=True)
class RFMScore:
    """One customer's RFM scores: 1 (worst) to 5 (best); 0 means no purchases."""

    recency: int
    frequency: int
    monetary: int

    def __attrs_post_init__(self) -> None:
        check = Checker()
        for name in ("recency", "frequency", "monetary"):
            check.integer(name, getattr(self, name), minimum=0, maximum=5)
        check.done("RFMScore")

    @property
    def code(self) -> str:
        """The three scores as one string, recency first: ``"515"``."""
        return f"{self.recency}{self.frequency}{self.monetary}"


#: The score of a customer without purchases.
NO_PURCHASES = RFMScore(0, 0, 0)


def check_scores(check: Checker, rfm: object) -> bool:
    """Report on *check* unless *rfm* maps customer ids to :class:`RFMScore`.

    Run before a mapping of scores is read, so a wrong argument is a
    :class:`ValidationError` naming ``rfm`` instead of an error from deep
    inside.  Whether it was good.
    """
    if not isinstance(rfm, Mapping):
        check.add("rfm", f"must be a mapping of customer id to RFMScore, not {type_name(rfm)}")
        return False
    bad_keys = sorted({type_name(k) for k in rfm if type(k) is not str})
    bad_values = sorted({type_name(v) for v in rfm.values() if not isinstance(v, RFMScore)})
    if bad_keys:
        check.add("rfm", f"must be keyed by customer id strings, not {', '.join(bad_keys)}")
    if bad_values:
        check.add("rfm", f"must hold RFMScore values, not {', '.join(bad_values)}")
    return not bad_keys and not bad_values


def _population(check: Checker, customers: object) -> tuple[Customer, ...]:
    """*customers* (an iterable, or a mapping by id) as a tuple; problems go to *check*."""
    return tuple(customer_index(check, customers).values())


def _quintile(ordered: list[Any], value: Any, n: int) -> int:
    below: int = bisect.bisect_left(ordered, value)
    return 1 + (5 * below) // n


def rfm_scores(
    customers: Iterable[Customer] | Mapping[str, Customer],
    *,
    as_of: datetime,
    rates: Mapping[str, Decimal] | None = None,
) -> dict[str, RFMScore]:
    """Score every customer against the others, keyed by customer id.

    Monetary value needs one currency: purchases in several currencies raise
    :class:`~customer_model.ValidationError` unless *rates* maps every
    currency seen to a positive :class:`~decimal.Decimal` factor into a common
    unit (amount * rate).
    """
    check = Checker()
    check.aware("as_of", as_of)
    population = _population(check, customers)
    if rates is not None:
        given: object = rates  # untyped callers may pass anything
        if not isinstance(given, Mapping):
            check.add("rates", f"must be a mapping of currency to Decimal, not {type_name(rates)}")
        else:
            for position, (code, rate) in enumerate(rates.items(), 1):
                if not check.currency_key("rates", code, position):
                    continue
                check.decimal(("rates", code), rate)
                if type(rate) is Decimal and rate.is_finite() and rate <= 0:
                    check.add(("rates", code), "must be positive")
    check.done("rfm_scores arguments")

    stats: dict[str, tuple[datetime, int, Decimal]] = {}
    currencies: set[str] = set()
    cut = instant(as_of)  # times compare as instants, not by one zone's wall clock
    for c in population:
        counted = [p for p in c.purchases if p.at <= cut]
        if not counted:
            continue
        total = Decimal(0)
        for p in counted:
            currencies.add(p.currency)
            amount = (
                p.amount
                if rates is None
                else EXACT.multiply(p.amount, rates.get(p.currency, Decimal(0)))
            )
            total = EXACT.add(total, amount)
        stats[c.id] = (max(instant(p.at) for p in counted), len(counted), total)

    if rates is None and len(currencies) > 1:
        raise ValidationError.single(
            "customers",
            f"purchases are in {len(currencies)} currencies; pass rates= to convert them",
            "rfm_scores arguments",
        )
    if rates is not None:
        missing = sorted(currencies - set(rates))
        if missing:
            raise ValidationError.single(
                "rates", f"has no rate for {', '.join(missing)}", "rfm_scores arguments"
            )

    n = len(stats)
    recent = sorted(s[0] for s in stats.values())
    often = sorted(s[1] for s in stats.values())
    spend = sorted(s[2] for s in stats.values())
    scores: dict[str, RFMScore] = {}
    for c in population:
        s = stats.get(c.id)
        if s is None:
            scores[c.id] = NO_PURCHASES
        else:
            scores[c.id] = RFMScore(
                _quintile(recent, s[0], n),
                _quintile(often, s[1], n),
                _quintile(spend, s[2], n),
            )
    return scores
