"""The ranked backlog that :func:`~customer_model.prioritize` produces, and re-ranking.

A :class:`Backlog` is an immutable sequence of :class:`BacklogItem`, one per theme, best
first.  Each item's explanation adds up to its score exactly (with :func:`math.fsum`), so
a product manager can show where each number comes from.
"""

from __future__ import annotations

import enum
import math
import operator
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, overload

import attrs

from customer_model import _backlog_columns as _columns
from customer_model._display import html_table, money, printable, share, short_items, text_table
from customer_model._framework_scores import framework_scores
from customer_model.errors import ValidationError
from customer_model.frameworks import IceEstimate, RiceEstimate, WsjfEstimate
from customer_model.model._frozenmap import freeze
from customer_model.model._messages import type_name
from customer_model.model._moments import instant_key
from customer_model.model._rule_fields import plain_decimal
from customer_model.model._text_keys import currency_key, keys_are, order_of
from customer_model.model._validation import INT64_MAX, Checker, duplicates, exact_member, to_tuple
from customer_model.model.feedback import Need, need_member
from customer_model.model.policy import PrioritizationPolicy

__all__ = [
    "EXPLANATION_COLUMNS",
    "RECORD_COLUMNS",
    "REVENUE_COLUMNS",
    "STEP_COLUMNS",
    "Backlog",
    "BacklogItem",
    "Factor",
    "FactorValue",
    "IceEstimate",
    "RankedBy",
    "RiceEstimate",
    "ScoreComponent",
    "ScoreStep",
    "VoiceRole",
    "VoiceRoleValue",
    "WsjfEstimate",
]


#: What decided a backlog's order: the feedback score, or a framework.
RankedBy = Literal["feedback", "rice", "ice-product", "ice-mean", "wsjf"]
#: The columns of :meth:`Backlog.to_records`, before one ``revenue_<CUR>`` per currency.
RECORD_COLUMNS = _columns.RECORD_COLUMNS
#: The columns of :meth:`Backlog.revenue_records` (an empty table's header too).
REVENUE_COLUMNS = _columns.REVENUE_COLUMNS
#: The columns of :meth:`Backlog.explanation_records` (an empty table's header too).
EXPLANATION_COLUMNS = _columns.EXPLANATION_COLUMNS
#: The columns of :meth:`Backlog.step_records` (an empty table's header too).
STEP_COLUMNS = _columns.STEP_COLUMNS
#: Each item's attributes behind the columns, but for the count of its feedback ids.
_RECORD_VALUES = operator.attrgetter(*RECORD_COLUMNS[:-1])


class VoiceRole(enum.Enum):
    """Where a voice stands with its customer; the five groups are disjoint."""

    # Hashed by identity, as compared: lookups stay in C (Enum hashes its name in Python).
    __hash__ = object.__hash__

    #: Buys for the customer and is not listed as a user.
    PURCHASER = "purchaser"
    #: Uses the product and is not listed as a purchaser.
    USER = "user"
    #: Buys and uses: counts fully whatever the need.
    BOTH = "both"
    #: Named, but the customer lists them neither as purchaser nor as user.
    UNLISTED = "unlisted"
    #: Nobody is known to have said it; every anonymous item is its own voice.
    ANONYMOUS = "anonymous"


class Factor(enum.Enum):
    """The factors of a voice's contribution, in the order they are applied."""

    POINTS = "points"
    ROLE = "role"
    KIND = "kind"
    RECENCY = "recency"
    CUSTOMER_VALUE = "customer_value"
    SEGMENT = "segment"
    FIT = "fit"

    @property
    def label(self) -> str:
        """A short human description of what the factor does."""
        return _FACTOR_LABELS[self]


#: The values of :class:`VoiceRole`, which :class:`ScoreComponent` accepts for its members.
VoiceRoleValue = Literal["purchaser", "user", "both", "unlisted", "anonymous"]
#: The values of :class:`Factor`, which :class:`ScoreStep` accepts for its members.
FactorValue = Literal["points", "role", "kind", "recency", "customer_value", "segment", "fit"]


def _voice_role(value: VoiceRole | VoiceRoleValue) -> VoiceRole:
    return value if type(value) is VoiceRole else exact_member(VoiceRole, value)


def _factor(value: Factor | FactorValue) -> Factor:
    return value if type(value) is Factor else exact_member(Factor, value)


_FACTOR_LABELS = {
    Factor.POINTS: "importance points",
    Factor.ROLE: "x role-and-need weight",
    Factor.KIND: "x feedback kind weight",
    Factor.RECENCY: "x recency decay",
    Factor.CUSTOMER_VALUE: "x customer value",
    Factor.SEGMENT: "x segment weight",
    Factor.FIT: "x strategic fit",
}


@attrs.frozen(slots=True)
class ScoreComponent:
    """The part of a theme's score that comes from one role speaking to one need.

    ``voices`` is how many voices fall in the group, ``points`` their raw
    importance points and ``value`` their contribution after every factor.
    """

    role: VoiceRole = attrs.field(converter=_voice_role)
    need: Need | None = attrs.field(converter=need_member)
    voices: int
    points: float
    value: float

    def __attrs_post_init__(self) -> None:
        # prioritize makes one per role and need of every theme: the valid case is quick
        if not (
            type(self.role) is VoiceRole
            and (self.need is None or type(self.need) is Need)
            and type(self.voices) is int
            and 0 <= self.voices <= INT64_MAX
            and type(self.points) is float
            and type(self.value) is float
            and math.isfinite(self.points)
            and math.isfinite(self.value)
        ):
            self._check()

    def _check(self) -> None:
        check = Checker()
        check.member("role", self.role, VoiceRole, values=True)
        check.member("need", self.need, Need, optional=True, values=True)
        check.integer("voices", self.voices, minimum=0)
        check.number("points", self.points)
        check.number("value", self.value)
        check.done("ScoreComponent")

    @property
    def label(self) -> str:
        """For example ``"purchaser on cost"`` or ``"anonymous (no need given)"``."""
        need = f"on {self.need.value}" if self.need is not None else "(no need given)"
        return f"{self.role.value} {need}"


@attrs.frozen(slots=True)
class ScoreStep:
    """The theme's running total once *factor* and all before it apply; FIT's is the score."""

    factor: Factor = attrs.field(converter=_factor)
    total: float

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.member("factor", self.factor, Factor, values=True)
        check.number("total", self.total)
        check.done("ScoreStep")


def _fmt(value: float) -> str:
    return f"{value:.2f}"


def _money(revenue: Mapping[str, Decimal]) -> str:
    return money(revenue) or "-"


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _components(value: Iterable[ScoreComponent]) -> tuple[ScoreComponent, ...]:
    return to_tuple(value)


def _steps(value: Iterable[ScoreStep]) -> tuple[ScoreStep, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True, kw_only=True)
class BacklogItem:
    """One theme of the backlog: its rank, score, who asked, and why it scored so.

    Voices: a voice is one distinct author on the theme (counted once, with
    their latest item) or one anonymous item.  ``purchaser_voices`` and
    ``user_voices`` count the voices of people who buy and who use; a person
    in both roles counts in both, and also in ``both_voices``.
    ``unlisted_voices`` are named authors the customer does not list and
    ``anonymous_voices`` anonymous items, so ``voices == purchaser_voices +
    user_voices - both_voices + unlisted_voices + anonymous_voices``.

    ``customer_count`` and ``revenue`` cover the customers behind the counted
    voices; ``revenue`` is their total purchases per currency (never
    converted or mixed).  ``feedback_ids`` lists every item on the theme,
    including the older items of an author that their latest one superseded.

    ``explanation`` adds up to ``score`` exactly with :func:`math.fsum`;
    ``steps`` shows the running total factor by factor.  ``framework_score``
    is set when the backlog was re-ranked by RICE, ICE or WSJF.
    """

    theme: str
    rank: int
    score: float
    customer_count: int
    voices: int
    purchaser_voices: int
    user_voices: int
    both_voices: int
    unlisted_voices: int
    anonymous_voices: int
    revenue: Mapping[str, Decimal] = attrs.field(converter=freeze, metadata=keys_are(currency_key))
    feedback_ids: tuple[str, ...] = attrs.field(converter=_ids, repr=short_items)
    explanation: tuple[ScoreComponent, ...] = attrs.field(converter=_components)
    steps: tuple[ScoreStep, ...] = attrs.field(converter=_steps)
    framework_score: float | None = None

    def __attrs_post_init__(self) -> None:
        # Items are made by prioritize, but also loaded from JSON a service stored.
        check = Checker()
        check.ident("theme", self.theme)
        check.integer("rank", self.rank, minimum=1)
        score_ok = check.number("score", self.score)
        for name in _columns.COUNTS:
            check.integer(name, getattr(self, name), minimum=0)
        if not check.problems and self.voices != (
            self.purchaser_voices
            + self.user_voices
            - self.both_voices
            + self.unlisted_voices
            + self.anonymous_voices
        ):
            check.add(
                "voices",
                "must equal purchaser_voices + user_voices - both_voices "
                "+ unlisted_voices + anonymous_voices",
            )
        if check.instance("revenue", self.revenue, Mapping):
            order = order_of(self.revenue)
            for position, (code, amount) in enumerate(self.revenue.items(), 1):
                if check.currency_key("revenue", code, position, order):
                    check.decimal(("revenue", code), amount, non_negative=True)
        check.idents("feedback_ids", self.feedback_ids, unique=True)
        parts_ok = check.items("explanation", self.explanation, ScoreComponent)
        steps_ok = check.items("steps", self.steps, ScoreStep)
        if (
            score_ok
            and parts_ok
            and self.explanation
            and math.fsum(c.value for c in self.explanation) != self.score
        ):
            check.add("score", "must equal the sum of the explanation's values")
        if score_ok and steps_ok and self.steps and self.steps[-1].total != self.score:
            check.add("steps", "must end at the score")
        if self.framework_score is not None:
            check.number("framework_score", self.framework_score)
        check.done("BacklogItem")

    def _share(self, roles: tuple[VoiceRole, ...]) -> float | None:
        if self.score <= 0:
            return None
        part = math.fsum(c.value for c in self.explanation if c.role in roles)
        return part / self.score

    @property
    def purchaser_share(self) -> float | None:
        """Fraction of the score from people who buy (incl. those who also use)."""
        return self._share((VoiceRole.PURCHASER, VoiceRole.BOTH))

    @property
    def user_share(self) -> float | None:
        """Fraction of the score from people who use (incl. those who also buy).

        With people in both roles, the two shares add up to more than 1.
        """
        return self._share((VoiceRole.USER, VoiceRole.BOTH))

    def __str__(self) -> str:
        head = (
            f"#{self.rank} {printable(self.theme)}: score {_fmt(self.score)} "
            f"from {self.voices} voice(s) of {self.customer_count} customer(s)"
        )
        rows = [[c.label, str(c.voices), _fmt(c.points), _fmt(c.value)] for c in self.explanation]
        table = text_table(["component", "voices", "points", "value"], rows)
        steps = " -> ".join(f"{s.factor.value} {_fmt(s.total)}" for s in self.steps)
        return f"{head}\n{table}\nsteps: {steps}"

    def _repr_html_(self) -> str:
        rows = [[c.label, str(c.voices), _fmt(c.points), _fmt(c.value)] for c in self.explanation]
        caption = (
            f"#{self.rank} {printable(self.theme)}: score {_fmt(self.score)} "
            f"({self.voices} voice(s), {self.customer_count} customer(s), "
            f"revenue {_money(self.revenue)})"
        )
        components = html_table(caption, ["Component", "Voices", "Points", "Value"], rows)
        steps = html_table(
            "How the score was built",
            ["Step", "Running total"],
            [[s.factor.label, _fmt(s.total)] for s in self.steps],
        )
        return components + steps


def _feedback_order(item: BacklogItem) -> tuple[float, str]:
    """How :func:`~customer_model.prioritize` orders items: best score first, ties by theme."""
    return (-item.score, item.theme)


def _framework_order(item: BacklogItem) -> tuple[float, float, str]:
    """How :meth:`Backlog.rerank` orders items: framework score, then feedback score, theme."""
    assert item.framework_score is not None
    return (-item.framework_score, -item.score, item.theme)


def _ranked_by(
    method: Literal["rice", "ice", "wsjf"], ice_method: Literal["product", "mean"] | None
) -> RankedBy:
    """The :data:`RankedBy` of a checked rerank."""
    if method == "rice":
        return "rice"
    if method == "wsjf":
        return "wsjf"
    return "ice-mean" if ice_method == "mean" else "ice-product"


def _items(value: Iterable[BacklogItem]) -> tuple[BacklogItem, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True)
class Backlog(Sequence[BacklogItem]):
    """Themes ranked best first; ``len``, iteration, indexing and :meth:`get` by theme.

    ``skipped`` lists the ids of feedback items left out because their
    customer was not given (only with ``on_unknown_customer="skip"``).
    ``ranked_by`` says what decided the order: the feedback score, or a
    framework after :meth:`rerank`.
    """

    items: tuple[BacklogItem, ...] = attrs.field(converter=_items, repr=short_items)
    as_of: datetime = attrs.field(eq=instant_key)
    policy: PrioritizationPolicy
    skipped: tuple[str, ...] = attrs.field(default=(), converter=_ids, repr=short_items)
    ranked_by: RankedBy = "feedback"
    _BY_POSITION = "a Backlog holds items by rank position (get(theme) finds a theme's item)"

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if check.items("items", self.items, BacklogItem):
            for i, item in enumerate(self.items):
                if item.rank != i + 1:
                    check.add(("items", i, "rank"), f"must be {i + 1}: items are in rank order")
            for theme in duplicates(item.theme for item in self.items):
                check.add("items", f"theme {theme!r} has more than one item")
        check.aware("as_of", self.as_of)
        check.instance("policy", self.policy, PrioritizationPolicy)
        check.idents("skipped", self.skipped, unique=True)
        if self.ranked_by not in typing.get_args(RankedBy):
            options = ", ".join(map(repr, typing.get_args(RankedBy)))
            check.add("ranked_by", f"must be one of {options}")
        elif not check.problems:
            self._check_order(check)
        check.done("Backlog")

    def _check_order(self, check: Checker) -> None:
        """A stored backlog keeps the order its ranking gave, as prioritize and rerank give it.

        By the feedback score, best first, ties by theme; after a rerank by
        the framework score, then the feedback score, then the theme.
        """
        by_feedback = self.ranked_by == "feedback"
        for i, item in enumerate(self.items):
            if by_feedback and item.framework_score is not None:
                check.add(("items", i, "framework_score"), "must be None: ranked by feedback")
            elif not by_feedback and item.framework_score is None:
                check.add(
                    ("items", i, "framework_score"), f"is required: ranked by {self.ranked_by}"
                )
        if check.problems:
            return
        key = _feedback_order if by_feedback else _framework_order
        for i in range(1, len(self.items)):
            if key(self.items[i]) < key(self.items[i - 1]):
                field = "score" if by_feedback else "framework_score"
                check.add(
                    ("items", i, field),
                    f"is out of order: items are ranked by {self.ranked_by}, best first",
                )

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[BacklogItem]:
        return iter(self.items)

    @overload
    def __getitem__(self, index: int) -> BacklogItem: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[BacklogItem, ...]: ...
    def __getitem__(self, index: int | slice) -> BacklogItem | tuple[BacklogItem, ...]:
        try:
            return self.items[index]
        except TypeError:  # a theme, most likely: say where to look
            raise TypeError(f"{self._BY_POSITION}, not {type_name(index)}") from None

    def __contains__(self, value: object) -> bool:
        if isinstance(value, str):  # no item equals a theme: the answer would always be False
            raise TypeError(f"{self._BY_POSITION}: `theme in backlog.themes` asks for a theme")
        return value in self.items

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        if isinstance(value, str):  # a theme's item: get(theme).rank - 1, not a missing value
            raise TypeError(f"{self._BY_POSITION}: `backlog.themes.index(theme)` finds a theme")
        return self.items.index(value, start, len(self.items) if stop is None else stop)

    def count(self, value: Any) -> int:
        if isinstance(value, str):  # no item equals a theme: the answer would always be 0
            raise TypeError(f"{self._BY_POSITION}: `backlog.themes.count(theme)` counts a theme")
        return self.items.count(value)

    @property
    def themes(self) -> tuple[str, ...]:
        """The themes in rank order."""
        return tuple(item.theme for item in self.items)

    def get(self, theme: str) -> BacklogItem | None:
        """The item for *theme*, or ``None`` if no feedback was about it."""
        if type(theme) is not str:  # a rank position would find nothing, without a word
            raise ValidationError.single("theme", f"must be a string, not {type_name(theme)}")
        for item in self.items:
            if item.theme == theme:
                return item
        return None

    def rerank(
        self,
        method: Literal["rice", "ice", "wsjf"],
        estimates: Mapping[str, RiceEstimate | IceEstimate | WsjfEstimate],
        *,
        ice_method: Literal["product", "mean"] | None = None,
    ) -> Backlog:
        """The same items ranked by a framework score computed from *estimates*.

        *estimates* maps every theme of the backlog to a :class:`RiceEstimate`,
        :class:`IceEstimate` or :class:`WsjfEstimate` (matching *method*);
        missing themes raise :class:`~customer_model.ValidationError` naming
        them, and estimates for themes not in the backlog are ignored.  RICE
        reach defaults to the item's ``customer_count``.  ICE needs
        *ice_method* (``"product"`` or ``"mean"``, see
        :func:`~customer_model.ice`), and only ICE takes it.  Items keep their
        feedback ``score`` and explanation; ``framework_score`` holds the new
        score, and ties fall back to the feedback score, then the theme.
        """
        values = framework_scores(self.items, method, estimates, ice_method)
        scored = sorted(
            zip(values, self.items, strict=True),
            key=lambda pair: (-pair[0], *_feedback_order(pair[1])),
        )
        ranked_by = _ranked_by(method, ice_method)
        items = tuple(
            attrs.evolve(item, rank=rank, framework_score=value)
            for rank, (value, item) in enumerate(scored, start=1)
        )
        return attrs.evolve(self, items=items, ranked_by=ranked_by)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per item, ready for ``pandas.DataFrame(backlog.to_records())``.

        Revenue becomes one ``revenue_<CUR>`` column per currency in the backlog
        (exact decimal text, as in every record, so the rows go to JSON as
        they are), so the columns depend on the backlog; :meth:`revenue_records`
        gives the same amounts in a fixed set of columns.  For a data frame,
        :func:`customer_model.records.to_arrow` types them as decimals.
        """
        currencies = sorted({code for item in self.items for code in item.revenue})
        records = []
        for item in self.items:
            values = (*_RECORD_VALUES(item), len(item.feedback_ids))
            record: dict[str, Any] = dict(zip(RECORD_COLUMNS, values, strict=True))
            for code in currencies:
                record[f"revenue_{code}"] = plain_decimal(item.revenue.get(code, Decimal(0)))
            records.append(record)
        return records

    def revenue_records(self) -> list[dict[str, str | int]]:
        """The revenue behind each theme, one flat dict per item and currency.

        Columns :data:`REVENUE_COLUMNS`: ``rank``, ``theme``, ``currency``
        and ``revenue`` (exact decimal text), whatever currencies the backlog
        holds; a theme without revenue has no row.
        """
        return [
            {
                "rank": item.rank,
                "theme": item.theme,
                "currency": code,
                "revenue": plain_decimal(amount),
            }
            for item in self.items
            for code, amount in item.revenue.items()
        ]

    def explanation_records(self) -> list[dict[str, str | int | float | None]]:
        """Why each theme scored what it did: one flat dict per item and component.

        Columns :data:`EXPLANATION_COLUMNS`: ``rank``, ``theme``, ``role`` (a
        :class:`VoiceRole` value), ``need`` (a :class:`~customer_model.Need`
        value or ``None``), ``voices``, ``points`` (raw importance points) and
        ``value`` (after every factor); a theme's values add up to its
        ``score``.  Pivot on ``role`` to see who is behind each theme.
        """
        return [
            {
                "rank": item.rank,
                "theme": item.theme,
                "role": c.role.value,
                "need": None if c.need is None else c.need.value,
                "voices": c.voices,
                "points": c.points,
                "value": c.value,
            }
            for item in self.items
            for c in item.explanation
        ]

    def step_records(self) -> list[dict[str, str | int | float]]:
        """How each theme's score was built: one flat dict per item and factor.

        Columns :data:`STEP_COLUMNS`: ``rank``, ``theme``, ``factor`` (a
        :class:`Factor` value, in the order applied) and ``total`` (the running
        total once that factor is applied; the last equals the score).  A
        factor that leaves the total unchanged did not move the theme.
        """
        return [
            {"rank": item.rank, "theme": item.theme, "factor": s.factor.value, "total": s.total}
            for item in self.items
            for s in item.steps
        ]

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["rank", "theme", "score"]
        if self.ranked_by != "feedback":
            headers.append(self.ranked_by)
        headers += ["customers", "voices", "purchasers", "users", "purchaser share", "user share"]
        rows = []
        for item in self.items:
            row = [str(item.rank), item.theme, _fmt(item.score)]
            if self.ranked_by != "feedback":
                row.append(_fmt(item.framework_score or 0.0))
            row += [
                str(item.customer_count),
                str(item.voices),
                str(item.purchaser_voices),
                str(item.user_voices),
                share(item.purchaser_share),
                share(item.user_share),
            ]
            rows.append(row)
        return headers, rows

    def __str__(self) -> str:
        headers, rows = self._rows()
        out = text_table(headers, rows)
        if self.skipped:
            out += f"\n({len(self.skipped)} feedback item(s) skipped: unknown customer)"
        return out

    def _repr_html_(self) -> str:
        headers, rows = self._rows()
        caption = f"Backlog as of {self.as_of.isoformat()}, ranked by {self.ranked_by}"
        if self.skipped:
            caption += f" ({len(self.skipped)} item(s) skipped: unknown customer)"
        return html_table(caption, headers, rows)
