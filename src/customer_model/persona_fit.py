"""Personas: named, fictional archetypes that stand for real customers or users.

A persona links to a segment; a real customer fits the persona when the
segment's rule matches it.  Within a fitting customer, a purchaser persona
stands for each of the customer's purchasers and a user persona for each of
its users.  Personas without a segment describe nobody here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from customer_model._display import html_table, short_items, text_table
from customer_model.model._validation import (
    Checker,
    checked_items,
    duplicates,
    to_tuple,
)
from customer_model.model.customers import Customer, Role
from customer_model.model.personas import Persona
from customer_model.model.rfm import RFMScore, check_scores
from customer_model.model.rules import Predicate
from customer_model.model.segments import Segment, _rfm_for, _segments, grouping_inputs

__all__ = ["PersonaCoverage", "PersonaFit", "persona_coverage", "personas_for"]


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _counts(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return to_tuple(value)


@attrs.frozen
class PersonaFit:
    """A persona that fits a customer, and the customer's people it stands for.

    ``person_ids`` are the customer's purchasers for a purchaser persona, its
    users for a user persona (sorted; empty for a user persona of a customer
    with no users recorded).
    """

    persona: Persona
    person_ids: tuple[str, ...] = attrs.field(converter=_ids)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.instance("persona", self.persona, Persona)
        ids = self.person_ids
        if check.idents("person_ids", ids, unique=True) and list(ids) != sorted(ids):
            check.add("person_ids", "must be sorted")
        check.done("PersonaFit")


def _personas(personas: Iterable[Persona], segments: tuple[Segment, ...]) -> tuple[Persona, ...]:
    found = checked_items(personas, Persona, "personas")
    check = Checker()
    known = {s.id for s in segments}
    for i, p in enumerate(found):
        if p.segment_id is not None and p.segment_id not in known:
            check.add(("personas", i, "segment_id"), "refers to none of the segments given")
    for dup in duplicates(p.id for p in found):
        check.add("personas", f"persona id {dup!r} is used more than once")
    check.done("personas")
    return found


class _Fitter:
    """Compiles each segment once and answers persona fits for many customers."""

    def __init__(
        self,
        personas: tuple[Persona, ...],
        segments: tuple[Segment, ...],
        as_of: datetime | None,
        rfm: Mapping[str, RFMScore] | None,
    ) -> None:
        used = {p.segment_id for p in personas if p.segment_id is not None}
        wanted = [s for s in segments if s.id in used]
        self.personas = personas
        self.predicates: dict[str, Predicate] = {
            s.id: s.predicate(as_of=as_of, rfm=rfm) for s in wanted
        }

    def fits(self, customer: Customer) -> tuple[PersonaFit, ...]:
        verdicts: dict[str, bool] = {}
        out = []
        for persona in self.personas:
            sid = persona.segment_id
            if sid is None:
                continue
            if sid not in verdicts:
                verdicts[sid] = self.predicates[sid](customer)
            if verdicts[sid]:
                people = (
                    customer.purchaser_ids if persona.role is Role.PURCHASER else customer.user_ids
                )
                out.append(PersonaFit(persona, tuple(sorted(people))))
        return tuple(out)


def personas_for(
    customer: Customer,
    personas: Iterable[Persona],
    segments: Iterable[Segment],
    *,
    as_of: datetime | None = None,
    rfm: Mapping[str, RFMScore] | None = None,
) -> tuple[PersonaFit, ...]:
    """The personas *customer* fits, in the order given, with the people each covers.

    *as_of* and *rfm* are passed to the segments' rules (see
    :meth:`Segment.matches <customer_model.Segment.matches>`).
    """
    check = Checker()
    check.instance("customer", customer, Customer)
    check.aware("as_of", as_of, optional=True)
    if (
        rfm is not None
        and check_scores(check, rfm)
        and isinstance(customer, Customer)
        and customer.id not in rfm
    ):
        check.add("rfm", "has no score for the customer")
    check.done("personas_for")
    segs = _segments(segments)
    found = _personas(personas, segs)
    return _Fitter(found, segs, as_of, rfm).fits(customer)


@attrs.frozen
class PersonaCoverage:
    """How much of a customer base the personas describe."""

    total: int
    #: Customers no persona fits, in input order.  The repr shows the first
    #: few and a count, as a Dataset's does: there may be thousands.
    uncovered_ids: tuple[str, ...] = attrs.field(converter=_ids, repr=short_items)
    #: For each persona, in order: how many customers it fits.
    by_persona: tuple[tuple[str, int], ...] = attrs.field(converter=_counts, repr=short_items)

    def __attrs_post_init__(self) -> None:
        # Built by persona_coverage, but also loaded from JSON: keep what it promises.
        check = Checker()
        check.integer("total", self.total, minimum=0)
        top = self.total if type(self.total) is int else None
        check.idents("uncovered_ids", self.uncovered_ids, unique=True)
        listed = self.uncovered_ids
        if top is not None and type(listed) is tuple and len(listed) > top:
            check.add("uncovered_ids", "must not list more customers than total")
        elif top is not None and type(listed) is tuple:
            top -= len(listed)  # a persona fits covered customers only
        check.counts_by_id("by_persona", self.by_persona, "persona", maximum=top)
        if not check.problems and sum(n for _, n in self.by_persona) < self.covered:
            check.add("by_persona", "must count each covered customer under a persona")
        check.done("PersonaCoverage")

    @property
    def covered(self) -> int:
        """Customers at least one persona fits."""
        return self.total - len(self.uncovered_ids)

    @property
    def uncovered_share(self) -> float:
        """Share of customers no persona describes, 0 to 1 (0 for no customers)."""
        return len(self.uncovered_ids) / self.total if self.total else 0.0

    def to_records(self) -> list[dict[str, str | int | float]]:
        """One row per persona: ``persona_id``, ``customers``, ``share`` of all (0 to 1).

        The customers no persona fits are ``uncovered_ids``; they are not a row.
        """
        return [
            {"persona_id": pid, "customers": n, "share": n / self.total if self.total else 0.0}
            for pid, n in self.by_persona
        ]

    def _summary(self) -> str:
        return (
            f"{self.covered} of {self.total} customers fit a persona; "
            f"{self.uncovered_share:.1%} fit none."
        )

    def __str__(self) -> str:
        # The table of personas; the repr is the fields, long ones cut short.
        rows = [[pid, str(n)] for pid, n in self.by_persona]
        return f"{self._summary()}\n{text_table(['persona', 'customers'], rows)}"

    def _repr_html_(self) -> str:
        return f"<p>{self._summary()}</p>" + html_table(
            None, ["persona", "customers"], self.by_persona
        )


def persona_coverage(
    customers: Iterable[Customer] | Mapping[str, Customer],
    personas: Iterable[Persona],
    segments: Iterable[Segment],
    *,
    as_of: datetime | None = None,
    rfm: Mapping[str, RFMScore] | None = None,
) -> PersonaCoverage:
    """Which customers the personas describe, and which no persona does.

    RFM scores that the rule of a segment some persona belongs to needs, when
    *rfm* is not given, are computed over *customers* at *as_of*; segments no
    persona belongs to are never evaluated, so they need none.
    """
    check = Checker()
    check.aware("as_of", as_of, optional=True)
    check.done("persona_coverage")
    population, segs = grouping_inputs(customers, segments, "persona_coverage")
    found = _personas(personas, segs)
    used = {p.segment_id for p in found}
    rfm = _rfm_for([s for s in segs if s.id in used], population, as_of, rfm)
    fitter = _Fitter(found, segs, as_of, rfm)
    counts = dict.fromkeys((p.id for p in found), 0)
    uncovered = []
    for c in population:
        fits = fitter.fits(c)
        if not fits:
            uncovered.append(c.id)
        for fit in fits:
            counts[fit.persona.id] += 1
    return PersonaCoverage(len(population), tuple(uncovered), tuple(counts.items()))
