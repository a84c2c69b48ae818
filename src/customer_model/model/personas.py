"""Personas: named, fictional archetypes that stand for real customers or users.

A persona links to a segment; which real customers and people it stands for
is worked out by :mod:`customer_model.persona_fit`.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from customer_model.model._validation import Checker, exact_members, to_tuple
from customer_model.model.customers import Role, role_member
from customer_model.model.feedback import Need, NeedValue

__all__ = ["Persona"]


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


_EVERY_NEED = frozenset(Need)


def _needs(value: Iterable[Need | NeedValue]) -> frozenset[Need]:
    return exact_members(Need, value, _EVERY_NEED)


@attrs.frozen(slots=True)
class Persona:
    """A purchaser persona or an end-user persona.

    ``role`` says which side of the split it speaks for; ``segment_id`` links it
    to the :class:`~customer_model.Segment` of real customers it stands for.
    User stories are written from its point of view.
    """

    id: str
    name: str
    role: Role = attrs.field(converter=role_member)
    goals: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    pain_points: tuple[str, ...] = attrs.field(default=(), converter=_texts)
    needs: frozenset[Need] = attrs.field(default=frozenset(), converter=_needs)
    segment_id: str | None = None
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.text("name", self.name)
        check.member("role", self.role, Role, values=True)
        check.texts("goals", self.goals)
        check.texts("pain_points", self.pain_points)
        check.members("needs", self.needs, Need)
        check.ident("segment_id", self.segment_id, optional=True)
        check.text("description", self.description, optional=True)
        check.done("Persona")
