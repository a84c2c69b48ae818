"""Exact money arithmetic, independent of the caller's decimal context.

``Decimal`` additions round to the *current* context's precision (28 digits
by default, and a caller may lower it).  Totals of money must not depend on
that, so they are made in a context wide enough to be exact.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

#: Additions in this context are exact, whatever the caller's decimal context is.
EXACT = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[]
)
ZERO = Decimal(0)

#: The size of a money amount: integer digits and decimal places (as written).
#: SQL's DECIMAL(38, 9) holds any such amount, and a sum of them keeps 9 places.
MONEY_INTEGER_DIGITS = 29
MONEY_PLACES = 9
#: Every amount, and every customer's total in one currency, is below this.
MONEY_LIMIT = Decimal(10) ** MONEY_INTEGER_DIGITS


def decimal_places(value: Decimal) -> int:
    """Decimal places as written (``1.50`` has 2), read from the digits, never rounded."""
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    return max(0, -exponent)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of *amounts*."""
    result = ZERO
    for amount in amounts:
        result = EXACT.add(result, amount)
    return result


def add_by_currency(totals: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    """Per-currency exact sums of several per-currency totals, keys sorted."""
    out: dict[str, Decimal] = {}
    for by_currency in totals:
        for code, amount in by_currency.items():
            out[code] = EXACT.add(out.get(code, ZERO), amount)
    return dict(sorted(out.items()))


def shortest(amount: Decimal) -> Decimal:
    """*amount* with no trailing zeros after the point; a whole amount with no exponent.

    A total is written the same way whichever engine added it up: Python
    keeps the places of the amounts it added (``20964.31``), a warehouse the
    places of its column type (``20964.310000000``).  (``str()`` still
    writes an amount below a millionth with an exponent, ``4.6E-8``, as
    ``Decimal`` does; the records write it plain.)
    """
    if not amount.is_finite():  # not money: left for the model's checks to refuse
        return amount
    if amount == EXACT.to_integral_value(amount):
        return EXACT.quantize(amount, Decimal(1))  # also 1E+2 as 100
    return EXACT.normalize(amount)


#: Decimal text as written in JSON and SQL: ASCII digits, an optional sign,
#: point and exponent; no padding, no underscores.
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def parse_decimal(text: str) -> Decimal | None:
    """The amount *text* writes, or ``None`` if it is not decimal text.

    ``Decimal()`` also reads white space around the number, underscores
    between digits (``"1_000"``) and digits of any script (``"١٢"``): text
    that is no amount is not coerced into one.  ``"NaN"`` and
    ``"Infinity"`` are read, for the caller to refuse as not finite.
    """
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if value.is_finite() and _DECIMAL_TEXT.match(text) is None:
        return None
    return value
