"""What :meth:`~customer_model.Scorecard.score` returns: themes ranked, each score explained.

A :class:`ScorecardRanking` is an immutable sequence of :class:`RankedTheme`,
best first.  Each theme's explanation lists every factor of the scorecard
with its raw value, normalized value, weight, the part of the score it earns
and that part's share, so that the parts (and the formula's constant part)
add up to the score.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, overload

import attrs

from customer_model._display import html_table, printable, share, short_items, text_table
from customer_model.model._moments import instant_key
from customer_model.model._text import is_unicode
from customer_model.model._validation import Checker, duplicates, to_tuple

__all__ = ["FactorPart", "RankedTheme", "ScorecardRanking"]

#: How far the parts' sum may stray from the score, relative to the largest of them:
#: the rounding of the shares, nothing more.
TOLERANCE = 1e-9
#: Below this, differences are underflow (subnormal numbers), not a wrong explanation.
_UNDERFLOW = 1e-300


def adds_up(score: float, values: Iterable[float]) -> bool:
    """Whether ``math.fsum`` of *values* is *score*, within :data:`TOLERANCE` of the largest."""
    values = list(values)
    scale = max([abs(score), *map(abs, values)])
    return abs(math.fsum(values) - score) <= TOLERANCE * scale + _UNDERFLOW


@attrs.frozen(slots=True, kw_only=True)
class FactorPart:
    """One factor's contribution to one theme's score.

    ``raw`` is the value as estimated or taken from the backlog,
    ``normalized`` the value on the factor's scale (0-100 for ratings, a
    fraction for a percentage), ``weight`` the factor's weight, ``value`` the
    part of the score it earns and ``share`` that part over the score
    (``None`` when the score is 0).  Costs and percentages scale the other
    parts in a weighted combination and earn none themselves.
    """

    factor: str
    raw: float
    normalized: float
    weight: float
    value: float
    share: float | None

    def __attrs_post_init__(self) -> None:
        # A ranking makes one per theme and factor: the valid case is checked quickly.
        share = self.share
        if not (
            type(self.factor) is str
            and self.factor
            and self.factor == self.factor.strip()
            and is_unicode(self.factor)
            and type(self.raw) is type(self.normalized) is type(self.weight) is float
            and type(self.value) is float
            and (share is None or type(share) is float)
            and math.isfinite(self.raw + self.normalized + self.weight + self.value + (share or 0))
            and self.weight >= 0
        ):
            self._check()

    def _check(self) -> None:
        check = Checker()
        check.ident("factor", self.factor)
        for name in ("raw", "normalized", "value"):
            check.number(name, getattr(self, name))
        check.number("weight", self.weight, minimum=0)
        if self.share is not None:
            check.number("share", self.share)
        check.done("FactorPart")


def _parts(value: Iterable[FactorPart]) -> tuple[FactorPart, ...]:
    return to_tuple(value)


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def _num(value: float) -> str:
    return f"{value:g}"


@attrs.frozen(slots=True, kw_only=True)
class RankedTheme:
    """One theme of a scorecard ranking: its rank, score and why it scored so.

    ``math.fsum`` of the explanation's values and ``constant`` (the part of
    the formula's own numbers, such as the ``1`` of ``reach * (1 + impact)``)
    is the score, up to the rounding of the shares: within 1e-9 of the largest
    of them (:data:`TOLERANCE`).
    """

    theme: str
    rank: int
    score: float
    explanation: tuple[FactorPart, ...] = attrs.field(converter=_parts)
    constant: float = 0.0

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("theme", self.theme)
        check.integer("rank", self.rank, minimum=1)
        score_ok = check.number("score", self.score)
        constant_ok = check.number("constant", self.constant)
        if check.items("explanation", self.explanation, FactorPart) and score_ok and constant_ok:
            for name in duplicates(p.factor for p in self.explanation):
                check.add("explanation", f"factor {name!r} is listed more than once")
            if not adds_up(self.score, [p.value for p in self.explanation] + [self.constant]):
                check.add("score", "must equal the sum of the explanation's values and constant")
            for i, part in enumerate(self.explanation):
                expected = None if self.score == 0 else part.value / self.score
                if part.share != expected:
                    check.add(("explanation", i, "share"), "must be the value over the score")
        check.done("RankedTheme")

    def _rows(self) -> list[list[str]]:
        rows = [
            [
                p.factor,
                _num(p.raw),
                _fmt(p.normalized),
                _num(p.weight),
                _fmt(p.value),
                share(p.share),
            ]
            for p in self.explanation
        ]
        if self.constant:
            rows.append(
                ["(constant)", "", "", "", _fmt(self.constant), share(self._constant_share)]
            )
        return rows

    @property
    def _constant_share(self) -> float | None:
        return None if self.score == 0 else self.constant / self.score

    _HEADERS = ("factor", "raw", "normalized", "weight", "value", "share")

    def __str__(self) -> str:
        head = f"#{self.rank} {printable(self.theme)}: score {_fmt(self.score)}"
        return f"{head}\n{text_table(self._HEADERS, self._rows())}"

    def _repr_html_(self) -> str:
        caption = f"#{self.rank} {printable(self.theme)}: score {_fmt(self.score)}"
        return html_table(caption, [h.capitalize() for h in self._HEADERS], self._rows())


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _items(value: Iterable[RankedTheme]) -> tuple[RankedTheme, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True, kw_only=True)
class ScorecardRanking(Sequence[RankedTheme]):
    """Themes ranked by a scorecard, best first; ``len``, iteration, indexing and :meth:`get`.

    ``factors`` names the scorecard's factors in order (every theme explains
    each of them, in that order), ``scorecard`` is the scorecard's name (or
    ``None``) and ``as_of`` the time of the backlog the evidence came from.
    """

    items: tuple[RankedTheme, ...] = attrs.field(converter=_items, repr=short_items)
    factors: tuple[str, ...] = attrs.field(converter=_names)
    as_of: datetime = attrs.field(eq=instant_key)
    scorecard: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        names_ok = check.idents("factors", self.factors, unique=True)
        if check.items("items", self.items, RankedTheme):
            for i, item in enumerate(self.items):
                if item.rank != i + 1:
                    check.add(("items", i, "rank"), f"must be {i + 1}: items are in rank order")
                if names_ok and tuple(p.factor for p in item.explanation) != self.factors:
                    check.add(("items", i, "explanation"), "must explain each factor, in order")
            for theme in duplicates(item.theme for item in self.items):
                check.add("items", f"theme {theme!r} has more than one item")
            for i in range(1, len(self.items)):  # ties keep the backlog's order: any order here
                if self.items[i].score > self.items[i - 1].score:
                    check.add(("items", i, "score"), "is out of order: items are ranked best first")
        check.aware("as_of", self.as_of)
        if self.scorecard is not None:
            check.text("scorecard", self.scorecard)
        check.done("ScorecardRanking")

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[RankedTheme]:
        return iter(self.items)

    @overload
    def __getitem__(self, index: int) -> RankedTheme: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[RankedTheme, ...]: ...
    def __getitem__(self, index: int | slice) -> RankedTheme | tuple[RankedTheme, ...]:
        return self.items[index]

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes in rank order."""
        return tuple(item.theme for item in self.items)

    def get(self, theme: str) -> RankedTheme | None:
        """The item for *theme*, or ``None`` if it was not ranked."""
        for item in self.items:
            if item.theme == theme:
                return item
        return None

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per theme: ``rank``, ``theme``, ``score`` and each factor's raw value.

        The factor columns are named after the factors (which can never be
        ``rank``, ``theme`` or ``score``), so the columns depend on the
        scorecard; :meth:`explanation_records` has a fixed set.
        """
        return [
            {
                "rank": item.rank,
                "theme": item.theme,
                "score": item.score,
                **{p.factor: p.raw for p in item.explanation},
            }
            for item in self.items
        ]

    def explanation_records(self) -> list[dict[str, Any]]:
        """Why each theme scored what it did: one flat dict per theme and factor.

        Columns ``rank``, ``theme``, ``factor``, ``raw``, ``normalized``,
        ``weight``, ``value`` and ``share``; a theme's values (plus the
        formula's constant part, a row with ``factor`` ``None`` when not 0) add
        up to its score.
        """
        records: list[dict[str, Any]] = []
        for item in self.items:
            for p in item.explanation:
                records.append(
                    {
                        "rank": item.rank,
                        "theme": item.theme,
                        "factor": p.factor,
                        "raw": p.raw,
                        "normalized": p.normalized,
                        "weight": p.weight,
                        "value": p.value,
                        "share": p.share,
                    }
                )
            if item.constant:
                records.append(
                    {
                        "rank": item.rank,
                        "theme": item.theme,
                        "factor": None,
                        "raw": None,
                        "normalized": None,
                        "weight": None,
                        "value": item.constant,
                        "share": item._constant_share,
                    }
                )
        return records

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["rank", "theme", "score", *self.factors]
        rows = [
            [str(item.rank), item.theme, _fmt(item.score)]
            + [f"{_num(p.raw)} ({share(p.share)})" for p in item.explanation]
            for item in self.items
        ]
        return headers, rows

    def __str__(self) -> str:
        headers, rows = self._rows()
        return text_table(headers, rows)

    def _repr_html_(self) -> str:
        headers, rows = self._rows()
        by = self.scorecard or "a scorecard"
        caption = f"Ranked by {by} as of {self.as_of.isoformat()}: raw value (share of score)"
        return html_table(caption, headers, rows)
