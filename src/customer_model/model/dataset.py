"""The dataset: the unit of interchange for files, notebooks and the CLI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cached_property
from types import MappingProxyType

import attrs

from customer_model._display import short_items
from customer_model.model._validation import Checker, first_repeats, to_tuple
from customer_model.model.customers import Customer
from customer_model.model.feedback import FeedbackItem
from customer_model.model.personas import Persona
from customer_model.model.segments import Segment
from customer_model.model.surveys import SurveyResponse

__all__ = ["SCHEMA_VERSION", "Dataset"]

#: The version of the Dataset layout this release reads and writes.
SCHEMA_VERSION = 1


def _customers(value: Iterable[Customer]) -> tuple[Customer, ...]:
    return to_tuple(value)


def _feedback(value: Iterable[FeedbackItem]) -> tuple[FeedbackItem, ...]:
    return to_tuple(value)


def _personas(value: Iterable[Persona]) -> tuple[Persona, ...]:
    return to_tuple(value)


def _segments(value: Iterable[Segment]) -> tuple[Segment, ...]:
    return to_tuple(value)


def _responses(value: Iterable[SurveyResponse]) -> tuple[SurveyResponse, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True)
class Dataset:
    """Customers, their feedback and survey responses, and the personas and
    segments that describe them.

    Consistent by construction: ids are unique within each collection, every
    feedback item and survey response belongs to a customer of the dataset,
    and every persona's segment is one of the dataset's segments.
    """

    customers: tuple[Customer, ...] = attrs.field(converter=_customers, repr=short_items)
    feedback: tuple[FeedbackItem, ...] = attrs.field(
        default=(), converter=_feedback, repr=short_items
    )
    personas: tuple[Persona, ...] = attrs.field(default=(), converter=_personas, repr=short_items)
    segments: tuple[Segment, ...] = attrs.field(default=(), converter=_segments, repr=short_items)
    responses: tuple[SurveyResponse, ...] = attrs.field(
        default=(), converter=_responses, repr=short_items
    )
    schema_version: int = SCHEMA_VERSION

    def __attrs_post_init__(self) -> None:
        check = Checker()
        if type(self.schema_version) is not int or self.schema_version != SCHEMA_VERSION:
            check.add(
                "schema_version",
                f"this release reads schema version {SCHEMA_VERSION} only",
            )
        customers_ok = check.items("customers", self.customers, Customer)
        feedback_ok = check.items("feedback", self.feedback, FeedbackItem)
        personas_ok = check.items("personas", self.personas, Persona)
        segments_ok = check.items("segments", self.segments, Segment)
        responses_ok = check.items("responses", self.responses, SurveyResponse)
        for name, ok, values in (
            ("customers", customers_ok, self.customers),
            ("feedback", feedback_ok, self.feedback),
            ("personas", personas_ok, self.personas),
            ("segments", segments_ok, self.segments),
            ("responses", responses_ok, self.responses),
        ):
            if ok:
                check.repeated_ids(name, first_repeats(v.id for v in values))
        if customers_ok and feedback_ok:
            known = {c.id for c in self.customers}
            for i, item in enumerate(self.feedback):
                if item.customer_id not in known:
                    check.add(
                        ("feedback", i, "customer_id"), "refers to no customer in the dataset"
                    )
        if customers_ok and responses_ok:
            known = {c.id for c in self.customers}
            for i, response in enumerate(self.responses):
                if response.customer_id not in known:
                    check.add(
                        ("responses", i, "customer_id"), "refers to no customer in the dataset"
                    )
        if personas_ok and segments_ok:
            segment_ids = {s.id for s in self.segments}
            for i, persona in enumerate(self.personas):
                if persona.segment_id is not None and persona.segment_id not in segment_ids:
                    check.add(("personas", i, "segment_id"), "refers to no segment in the dataset")
        check.done("Dataset")

    @cached_property
    def customers_by_id(self) -> Mapping[str, Customer]:
        """The customers keyed by id, read-only."""
        return MappingProxyType({c.id: c for c in self.customers})

    def _repr_html_(self) -> str:
        from customer_model._display import html_table

        rows = [
            ("schema version", self.schema_version),
            ("customers", len(self.customers)),
            ("feedback items", len(self.feedback)),
            ("personas", len(self.personas)),
            ("segments", len(self.segments)),
            ("survey responses", len(self.responses)),
        ]
        return html_table("Dataset", ["", ""], rows)
