"""Segments: named rules that group customers."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Literal, Protocol

import attrs

from customer_model.errors import ValidationError
from customer_model.model._validation import (
    MAX_ITEMIZED,
    Checker,
    checked_items,
    duplicates,
    exact_member,
    some,
    to_tuple,
)
from customer_model.model.customers import Customer, customer_index
from customer_model.model.rfm import RFMScore, check_scores, rfm_scores
from customer_model.model.rules import Always, Predicate, Rule

__all__ = ["Segment", "SegmentBasis", "SegmentBasisValue", "SegmentLike"]


class SegmentBasis(enum.Enum):
    """The kind of criteria a segment groups by."""

    DEMOGRAPHIC = "demographic"
    GEOGRAPHIC = "geographic"
    BEHAVIORAL = "behavioral"
    PSYCHOGRAPHIC = "psychographic"
    FIRMOGRAPHIC = "firmographic"


#: The values of :class:`SegmentBasis`, which constructors accept for its members.
SegmentBasisValue = Literal[
    "demographic", "geographic", "behavioral", "psychographic", "firmographic"
]


def _basis(value: SegmentBasis | SegmentBasisValue | None) -> SegmentBasis | None:
    if value is None or type(value) is SegmentBasis:
        return value
    return exact_member(SegmentBasis, value)


@attrs.frozen(slots=True)
class Segment:
    """A named group of customers: those its :class:`~customer_model.model.rules.Rule` matches.

    The default rule, :class:`~customer_model.model.rules.Always`, matches everyone.
    ``basis`` records what kind of criteria the rule uses; it is descriptive
    and not checked against the rule.
    """

    id: str
    name: str
    rule: Rule = attrs.field(factory=Always)
    basis: SegmentBasis | None = attrs.field(default=None, converter=_basis)
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.text("name", self.name)
        check.instance("rule", self.rule, Rule)
        check.member("basis", self.basis, SegmentBasis, optional=True, values=True)
        check.text("description", self.description, optional=True)
        check.done("Segment")

    def predicate(
        self, *, as_of: datetime | None = None, rfm: Mapping[str, RFMScore] | None = None
    ) -> Predicate:
        """The rule compiled once; call it on many customers."""
        return self.rule.compile(as_of=as_of, rfm=rfm)

    def matches(
        self,
        customer: Customer,
        *,
        as_of: datetime | None = None,
        rfm: Mapping[str, RFMScore] | None = None,
    ) -> bool:
        """Whether *customer* belongs to the segment.

        A rule with a time window needs *as_of*; a rule on RFM scores needs
        *rfm* (scores of the population, from :func:`~customer_model.rfm_scores`)
        that include this customer.  Otherwise :class:`ValidationError`.
        """
        check = Checker()
        check.instance("customer", customer, Customer)
        if (
            rfm is not None
            and check_scores(check, rfm)
            and self.rule.needs_rfm
            and isinstance(customer, Customer)
            and customer.id not in rfm
        ):
            check.add("rfm", f"has no score for customer {customer.id!r}")
        check.done("Segment.matches")
        return self.predicate(as_of=as_of, rfm=rfm)(customer)

    def members(
        self,
        customers: Iterable[Customer] | Mapping[str, Customer],
        *,
        as_of: datetime | None = None,
        rfm: Mapping[str, RFMScore] | None = None,
    ) -> tuple[Customer, ...]:
        """The customers that match, in input order (of a mapping by id, its values').

        RFM scores, if the rule needs them and *rfm* is not given, are computed
        over *customers* at *as_of*.
        """
        population = _customers(customers)
        rfm = _rfm_for((self,), population, as_of, rfm)
        keep = self.predicate(as_of=as_of, rfm=rfm)
        return tuple(c for c in population if keep(c))


def _customers(customers: Iterable[Customer] | Mapping[str, Customer]) -> tuple[Customer, ...]:
    """*customers* as :func:`~customer_model.prioritize` takes them: a mapping by id too."""
    check = Checker()
    index = customer_index(check, customers)
    check.done("customers")
    return tuple(index.values())


def _segments(segments: Iterable[Segment]) -> tuple[Segment, ...]:
    found = checked_items(segments, Segment, "segments")
    check = Checker()
    _check_repeated_ids(check, found)
    check.done("segments")
    return found


def _check_repeated_ids(check: Checker, segments: tuple[Segment, ...]) -> None:
    repeated = duplicates(s.id for s in segments)
    for dup in repeated[:MAX_ITEMIZED]:
        check.add("segments", f"segment id {dup!r} is used more than once")
    check.not_itemized("segments", len(repeated), "segment ids are used more than once")


def grouping_inputs(
    customers: object, segments: object, subject: str
) -> tuple[tuple[Customer, ...], tuple[Segment, ...]]:
    """The customers and the segments that group them, checked together.

    Every problem of both arguments comes in one error, so that arguments
    given in the other order say so at once (each holds the other's type).
    A set of segments is refused, as the models refuse one: its order
    changes from run to run, and results list segments in the order given.
    """
    check = Checker()
    population = tuple(customer_index(check, customers).values())
    found: Any = to_tuple(segments)  # type: ignore[arg-type]  # checked next
    if check.items("segments", found, Segment):
        _check_repeated_ids(check, found)
    check.done(subject)
    return population, found


def _rfm_for(
    segments: Iterable[Segment],
    population: tuple[Customer, ...],
    as_of: datetime | None,
    rfm: Mapping[str, RFMScore] | None,
) -> Mapping[str, RFMScore] | None:
    """The RFM scores the segments need: given, or computed over the population.

    *as_of* and *rfm* are checked here even when no segment reads them.
    """
    check = Checker()
    check.aware("as_of", as_of, optional=True)
    if rfm is not None:
        check_scores(check, rfm)
    check.done("segment evaluation")
    if not any(s.rule.needs_rfm for s in segments):
        return rfm
    if rfm is None:
        if as_of is None:
            raise ValidationError.single(
                "as_of", "is required: a rule reads RFM scores", "segment evaluation"
            )
        return rfm_scores(population, as_of=as_of)
    unscored = [c.id for c in population if c.id not in rfm]
    if unscored:
        raise ValidationError.single(
            "rfm", f"has no score for customer(s) {some(unscored)}", "segment evaluation"
        )
    return rfm


class SegmentLike(Protocol):
    """What a segment breakdown needs of a segment: an id and a membership rule."""

    @property
    def id(self) -> str: ...

    def matches(self, customer: Customer, *, as_of: Any = None) -> bool: ...
