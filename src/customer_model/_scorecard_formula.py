"""How scorecards combine factors: a formula parsed with :mod:`ast` (never ``eval``-ed),
or Canny's weighted mean (:class:`Weighing`).

A formula is arithmetic over factor names: numbers, names, ``+ - * /``, unary
minus and parentheses.  :func:`parse` turns the text into a small tree of its
own (anything else Python would accept, such as calls, attributes or ``**``,
is refused with the column it starts at), :func:`check` proves from the
factors' ranges that no division can be by zero, and :func:`evaluate` computes
a theme's score together with how much of it each factor earns;
:func:`combine` scores a theme either way and refuses a score that overflows.

How a score is shared out (the explanation): sums and differences pass each
term's part on as it is; a product gives each operand that holds a factor an
equal share (as Shapley values share a pure product), passed on within the
operand in proportion to its own parts; divisors and constant multipliers
scale the parts but earn none; a constant term is a part of its own.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import attrs

from customer_model.model._validation import Checker
from customer_model.scorecard_ranking import adds_up

__all__ = [
    "FormulaProblem",
    "Interval",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Node",
    "RESERVED",
    "NonFinite",
    "Weighing",
    "check",
    "combine",
    "evaluate",
    "is_factor_name",
    "names_in",
    "parse",
    "signs",
    "total",
]

#: Longest formula accepted, in characters; a team's formula is a line, not a program.
MAX_LENGTH = 1000
#: Deepest nesting accepted; evaluation recurses once per level.
MAX_DEPTH = 100

#: Names a factor cannot take: the formula's constants and the records' own columns.
RESERVED = frozenset({"True", "False", "None", "rank", "theme", "score"})


def is_factor_name(value: str) -> bool:
    """Whether a factor may be called *value*: a formula must be able to write it."""
    # Python reads names in NFKC form: a formula's "ﬁt" is "fit", so a factor "ﬁt" could
    # never be written in a formula.
    return (
        value.isidentifier()
        and not keyword.iskeyword(value)
        and value not in RESERVED
        and unicodedata.normalize("NFKC", value) == value
    )


_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class Num(NamedTuple):
    value: float
    column: int


class Ref(NamedTuple):
    name: str
    column: int


class Neg(NamedTuple):
    operand: Node
    column: int


class Bin(NamedTuple):
    op: str
    left: Node
    right: Node
    column: int


Node = Num | Ref | Neg | Bin


class FormulaProblem(NamedTuple):
    """Something wrong with a formula, at a 1-based character column."""

    column: int
    message: str


class NonFinite(ArithmeticError):
    """A step of the formula gave infinity or NaN; *column* says which."""

    def __init__(self, column: int) -> None:
        super().__init__(column)
        self.column = column


#: Where Python's tokenizer ends a line: a lone ``\r`` too, not only ``\n``.
_LINE_END = re.compile(r"\r\n|\r|\n")
#: A comment, to the end of its line.
_COMMENT = re.compile(r"#[^\r\n]*")


def _index(text: str, line: int, byte_offset: int) -> int:
    """The 0-based character index of an ast position (ast counts lines and UTF-8 bytes)."""
    starts = [0, *(m.end() for m in _LINE_END.finditer(text))]
    start = starts[min(line, len(starts)) - 1]
    row = text[start:]
    return start + len(row.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def parse(text: str) -> tuple[Node | None, list[FormulaProblem]]:
    """The tree of *text*, or the problems that keep it from being a formula."""
    if len(text) > MAX_LENGTH:
        return None, [FormulaProblem(1, f"must be at most {MAX_LENGTH} characters long")]
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as e:  # its message may quote the text: only the column is told
        where = _index(stripped, e.lineno or 1, 0) + (e.offset or 1)
        return None, [FormulaProblem(lead + where, "is not a valid formula here")]
    except ValueError:  # a NUL character (a SyntaxError from Python 3.12 on)
        return None, [FormulaProblem(1, "is not a valid formula: it holds a NUL character")]
    except (RecursionError, MemoryError):
        return None, [FormulaProblem(1, f"must not nest more than {MAX_DEPTH} levels deep")]
    problems: list[FormulaProblem] = []

    def at(node: ast.AST) -> int:
        line, offset = node.lineno, node.col_offset  # type: ignore[attr-defined]
        return lead + _index(stripped, line, offset) + 1

    def operator_at(node: ast.BinOp) -> int:
        """The column of the operator itself, between the operands' text."""
        start = _index(stripped, node.left.end_lineno or 1, node.left.end_col_offset or 0)
        end = _index(stripped, node.right.lineno, node.right.col_offset)
        # Between the operands stand only spaces, parentheses, line ends and comments,
        # and a comment may hold the operator's character too: it is blanked out.
        gap = _COMMENT.sub(lambda m: " " * len(m[0]), stripped[start:end])
        found = gap.find(_OPS[type(node.op)])
        return lead + start + max(found, 0) + 1

    def build(node: ast.AST, depth: int) -> Node | None:
        if depth > MAX_DEPTH:
            if not problems:  # once: both operands of the deepest step are past the limit
                problems.append(
                    FormulaProblem(
                        at(node),
                        f"nests more than {MAX_DEPTH} levels deep "
                        f"(a chain of more than {MAX_DEPTH} operators counts as nested)",
                    )
                )
            return None
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left = build(node.left, depth + 1)
            right = build(node.right, depth + 1)
            if left is None or right is None:
                return None
            return Bin(_OPS[type(node.op)], left, right, operator_at(node))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = build(node.operand, depth + 1)
            if operand is None:
                return None
            return Neg(operand, at(node)) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.Constant):
            value = node.value
            if type(value) not in (int, float):
                problems.append(FormulaProblem(at(node), "only plain numbers are allowed"))
                return None
            assert isinstance(value, int | float)
            try:
                number = float(value)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                problems.append(FormulaProblem(at(node), "is a number too large for a float"))
                return None
            return Num(number, at(node))
        if isinstance(node, ast.Name):
            return Ref(node.id, at(node))
        problems.append(
            FormulaProblem(
                at(node),
                "is not allowed: a formula holds numbers, factor names, + - * / and parentheses",
            )
        )
        return None

    root = build(tree.body, 1)
    return (root if not problems else None), problems


def names_in(node: Node) -> list[Ref]:
    """Every factor reference in *node*, left to right."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Neg):
        return names_in(node.operand)
    if isinstance(node, Bin):
        return names_in(node.left) + names_in(node.right)
    return []


def signs(node: Node, sign: int = 1) -> list[tuple[Ref, int]]:
    """Each reference with the way it moves the result, as written: 1 up, -1 down.

    A divisor or a subtracted term moves it down, as does a product with a
    negative number; factors are taken to be at least 0 (ranges below 0 are
    rare in a scorecard and are not followed through here).
    """
    if isinstance(node, Ref):
        return [(node, sign)]
    if isinstance(node, Neg):
        return signs(node.operand, -sign)
    if isinstance(node, Bin):
        right = -sign if node.op in ("-", "/") else sign
        if node.op in ("*", "/"):
            # A negative constant (``-1`` is a Neg of 1, ``(0 - 2)`` a Bin) turns the other side.
            if _negative(node.left):
                right = -right
            if _negative(node.right):
                sign = -sign
        return signs(node.left, sign) + signs(node.right, right)
    return []


def _negative(node: Node) -> bool:
    """Whether *node* holds no factor and its value is below 0."""
    if names_in(node):
        return False
    try:
        return _value(node, {}) < 0
    except NonFinite:
        return False


# -- ranges: can a divisor be zero? ---------------------------------------------


@attrs.frozen(slots=True)
class Interval:
    """The values an expression can take: ``lo`` to ``hi``, each end open or closed.

    Open ends matter: effort "greater than 0" is ``(0, inf)``, and dividing by
    it is safe, while ``[0, 10]`` is not.  Infinite ends are always open.
    """

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def may_be_zero(self) -> bool:
        if self.lo == self.hi == 0:  # 0 alone, or 1 / inf: values too small for a float
            return True
        above = self.lo < 0 or (self.lo == 0 and not self.lo_open)
        below = self.hi > 0 or (self.hi == 0 and not self.hi_open)
        return above and below

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo, self.hi_open, self.lo_open)

    def __add__(self, other: Interval) -> Interval:
        lo, hi = self.lo + other.lo, self.hi + other.hi
        if math.isnan(lo) or math.isnan(hi):  # an infinite end met its opposite: any value
            return Interval(-math.inf, math.inf, True, True)
        return Interval(
            lo,
            hi,
            self.lo_open or other.lo_open or math.isinf(lo),
            self.hi_open or other.hi_open or math.isinf(hi),
        )

    def __mul__(self, other: Interval) -> Interval:
        ends = []
        for x, x_open in ((self.lo, self.lo_open), (self.hi, self.hi_open)):
            for y, y_open in ((other.lo, other.lo_open), (other.hi, other.hi_open)):
                if (x == 0 and not x_open) or (y == 0 and not y_open):
                    ends.append((0.0, False))  # zero is reached, whatever the other is
                    continue
                product = 0.0 if x == 0 or y == 0 else x * y
                ends.append((product, x_open or y_open or math.isinf(product)))
        lo = min(v for v, _ in ends)
        hi = max(v for v, _ in ends)
        return Interval(
            lo,
            hi,
            all(o for v, o in ends if v == lo),
            all(o for v, o in ends if v == hi),
        )

    def inverse(self) -> Interval:
        """``1 / x`` over an interval that excludes zero (wholly above or below it)."""
        if self.lo >= 0:
            lo = 1 / self.hi  # 0.0 for an infinite end
            hi = math.inf if self.lo == 0 else 1 / self.lo
        else:
            lo = -math.inf if self.hi == 0 else 1 / self.hi
            hi = 1 / self.lo
        return Interval(lo, hi, self.hi_open or math.isinf(lo), self.lo_open or math.isinf(hi))


def _range(node: Node, ranges: Mapping[str, Interval], problems: list[FormulaProblem]) -> Interval:
    if isinstance(node, Num):
        return Interval(node.value, node.value)
    if isinstance(node, Ref):
        return ranges[node.name]
    if isinstance(node, Neg):
        return -_range(node.operand, ranges, problems)
    left = _range(node.left, ranges, problems)
    right = _range(node.right, ranges, problems)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left + (-right)
    if node.op == "*":
        return left * right
    if right.may_be_zero():
        divisor = node.right
        what = f"{divisor.name!r}, which" if isinstance(divisor, Ref) else "a part that"
        problems.append(
            FormulaProblem(
                divisor.column if isinstance(divisor, Ref) else node.column,
                f"divides by {what} can be 0: give the divisor a range that excludes 0 "
                "(positive=True or a minimum above 0)",
            )
        )
        return Interval(-math.inf, math.inf, True, True)
    return left * right.inverse()


def check(node: Node, ranges: Mapping[str, Interval]) -> list[FormulaProblem]:
    """Problems of a parsed formula whose names all have *ranges*: divisions by zero."""
    problems: list[FormulaProblem] = []
    _range(node, ranges, problems)
    return problems


# -- evaluation with parts ------------------------------------------------------------

#: Parts of a value by factor name; ``None`` holds the part of the formula's constants.
Parts = dict[str | None, float]


def _finite(value: float, column: int) -> float:
    if not math.isfinite(value):
        raise NonFinite(column)
    return value


def _value(node: Node, values: Mapping[str, float]) -> float:
    """The value of *node*, in the order Python would compute it."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return values[node.name]
    if isinstance(node, Neg):
        return -_value(node.operand, values)
    left = _value(node.left, values)
    right = _value(node.right, values)
    if node.op == "+":
        result = left + right
    elif node.op == "-":
        result = left - right
    elif node.op == "*":
        result = left * right
    else:
        if right == 0:  # check() rules this out for every value the factors accept
            raise NonFinite(node.column)
        result = left / right
    return _finite(result, node.column)


def _factors(node: Node) -> list[Node]:
    """The multiplied operands of a product chain; divisors are left out."""
    if isinstance(node, Bin) and node.op == "*":
        return _factors(node.left) + _factors(node.right)
    if isinstance(node, Bin) and node.op == "/":
        return _factors(node.left)
    return [node]


def _explain(node: Node, values: Mapping[str, float]) -> tuple[float, Parts]:
    """The value of *node* and how it is shared among the factor names."""
    if isinstance(node, Num):
        return node.value, {None: node.value}
    if isinstance(node, Ref):
        value = values[node.name]
        return value, {node.name: value}
    if isinstance(node, Neg):
        value, parts = _explain(node.operand, values)
        return -value, {name: -part for name, part in parts.items()}
    if node.op in ("+", "-"):
        left, out = _explain(node.left, values)
        right, right_parts = _explain(node.right, values)
        sign = 1.0 if node.op == "+" else -1.0
        for name, part in right_parts.items():
            out[name] = out.get(name, 0.0) + sign * part
        value = left + right if node.op == "+" else left - right
        return _finite(value, node.column), out
    # A product chain: equal shares for the operands that hold a factor.
    value = _value(node, values)
    holders = [operand for operand in _factors(node) if names_in(operand)]
    if not holders:
        return value, {None: value}
    share = value / len(holders)
    out = {}
    for operand in holders:
        own, parts = _explain(operand, values)
        for name, part in parts.items():
            out[name] = out.get(name, 0.0) + (0.0 if own == 0 else share * (part / own))
    return value, out


def total(values: Iterable[float]) -> float:
    """:func:`math.fsum` of *values*, NaN where it overflows (``fsum`` raises instead)."""
    try:
        return math.fsum(values)
    except OverflowError:
        return math.nan


class Weighing(NamedTuple):
    """Canny's weighted combination of a scorecard without a formula.

    ``score = weighted mean of the benefits x percentages / weighted mean of
    the costs``; each benefit earns its term of the mean, scaled like the score.
    """

    benefits: list[str]
    percentages: list[str]
    costs: list[str]
    benefit_weight: float
    cost_weight: float

    def evaluate(
        self, weighted: Mapping[str, float], normalized: Mapping[str, float]
    ) -> tuple[float, Parts]:
        """The score and each benefit's part, from ``weight x normalized`` values."""
        multiplier = math.prod(normalized[name] for name in self.percentages)
        costs = total(weighted[name] for name in self.costs)
        cost = costs / self.cost_weight if self.costs else 1.0
        if cost == 0:  # costs above 0 whose weighted values underflow: the score is infinite
            return math.inf, {}
        parts: Parts = {
            name: weighted[name] / self.benefit_weight * multiplier / cost for name in self.benefits
        }
        return total(parts.values()), parts


def evaluate(node: Node, values: Mapping[str, float]) -> tuple[float, Parts]:
    """The formula's value for one theme and each factor's part of it.

    The value is computed in the order Python would compute the text, so a
    preset equals the framework function it copies, bit for bit.  Raises
    :class:`NonFinite` with the column of the first step that overflows.
    """
    value = _value(node, values)
    return value, _explain(node, values)[1]


def combine(
    check: Checker,
    weights: Sequence[tuple[str, float]],
    theme: str,
    normalized: Mapping[str, float],
    *,
    tree: Node | None,
    weighing: Weighing | None,
) -> tuple[float | None, dict[str | None, float]]:
    """A theme's score and each factor's part (``None``: the formula's constants).

    *weights* are the scorecard's factors' names and weights, in order; *tree*
    is the parsed formula; without one, *weighing* is what the weighted
    combination needs.  Overflows go to *check*, naming the theme.
    """
    weighted = {}
    for i, (name, weight) in enumerate(weights):
        value = weight * normalized[name]
        if not math.isfinite(value):
            check.add(("factors", i, "weight"), _overflow(theme))
            return None, {}
        weighted[name] = value
    if tree is not None:
        try:
            score, parts = evaluate(tree, weighted)
        except NonFinite as e:
            check.add("formula", f"at column {e.column}: {_overflow(theme)}")
            return None, {}
    else:
        assert weighing is not None
        score, parts = weighing.evaluate(weighted, normalized)
    where = "formula" if tree is not None else "factors"
    if not all(map(math.isfinite, (score, *parts.values()))):
        check.add(where, _overflow(theme))
        return None, {}
    if score != 0 and not all(math.isfinite(part / score) for part in parts.values()):
        check.add(where, _overflow(theme, "share of the score"))  # huge parts cancelling out
        return None, {}
    if not adds_up(score, parts.values()):  # a large value added, then taken away again
        check.add(where, _overflow(theme, "score", "lose parts to rounding"))
        return None, {}
    return score, parts


def _overflow(
    theme: str, what: str = "score", how: str = "overflow a float (infinite or undefined)"
) -> str:
    return f"makes the {what} of theme {theme!r} {how}: scale the estimates or weights down"
