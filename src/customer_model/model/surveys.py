"""Survey responses: one answer to a satisfaction question (NPS, CSAT, CES)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Literal

import attrs

from customer_model.model._moments import instant_key
from customer_model.model._validation import Checker, exact_member

__all__ = ["SurveyMeasure", "SurveyMeasureValue", "SurveyResponse"]


class SurveyMeasure(enum.Enum):
    """Which satisfaction question a survey response answers."""

    #: Net Promoter Score: 0-10 likelihood to recommend.
    NPS = "nps"
    #: Customer satisfaction: 1-5.
    CSAT = "csat"
    #: Customer Effort Score 2.0: 1-7 agreement that it was easy.
    CES = "ces"

    @property
    def scale(self) -> tuple[int, int]:
        """The lowest and highest valid answer."""
        return _SCALES[self]


_SCALES = {SurveyMeasure.NPS: (0, 10), SurveyMeasure.CSAT: (1, 5), SurveyMeasure.CES: (1, 7)}


#: The values of :class:`SurveyMeasure`, which constructors accept for its members.
SurveyMeasureValue = Literal["nps", "csat", "ces"]


def measure_member(value: SurveyMeasure | SurveyMeasureValue) -> SurveyMeasure:
    """*value* as a :class:`SurveyMeasure` when it is one's exact value (a converter)."""
    return value if type(value) is SurveyMeasure else exact_member(SurveyMeasure, value)


@attrs.frozen(slots=True, kw_only=True)
class SurveyResponse:
    """One answer to a satisfaction question.

    ``respondent_id`` is the :class:`~customer_model.Person` id of whoever
    answered, or ``None`` for an anonymous answer.  ``score`` must lie on the
    measure's scale; ``at`` is when it was given (timezone-aware).
    """

    id: str
    customer_id: str
    respondent_id: str | None = None
    measure: SurveyMeasure = attrs.field(converter=measure_member)
    score: int
    at: datetime = attrs.field(eq=instant_key)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.ident("customer_id", self.customer_id)
        check.ident("respondent_id", self.respondent_id, optional=True)
        check.member("measure", self.measure, SurveyMeasure, values=True)
        measure: object = self.measure
        if isinstance(measure, SurveyMeasure):
            low, high = measure.scale
            check.integer("score", self.score, minimum=low, maximum=high)
        else:
            check.integer("score", self.score)
        check.aware("at", self.at)
        check.done("SurveyResponse")
