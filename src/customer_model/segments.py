"""Segments: named groups of customers that share attributes."""

from __future__ import annotations

import attrs

from customer_model._validation import Checker

__all__ = ["Segment"]


@attrs.frozen(slots=True)
class Segment:
    """A named group of customers that personas and weights can refer to."""

    id: str
    name: str
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.text("name", self.name)
        check.text("description", self.description, optional=True)
        check.done("Segment")
