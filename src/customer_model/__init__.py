"""customer-model: a typed, pure domain model of customers and the people around a product.

Everything public is importable from here.  Nothing in this package reads the
clock, touches files or keeps global mutable state.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from customer_model.backlog import (
        Backlog,
        BacklogItem,
        Factor,
        IceEstimate,
        RiceEstimate,
        ScoreComponent,
        ScoreStep,
        VoiceRole,
        WsjfEstimate,
    )
    from customer_model.customers import (
        BuyingRole,
        Customer,
        CustomerKind,
        IntermediaryRole,
        Purchase,
        Purchaser,
        User,
    )
    from customer_model.dataset import SCHEMA_VERSION, Dataset
    from customer_model.errors import CustomerModelError, Problem, ValidationError
    from customer_model.feedback import Channel, FeedbackItem, FeedbackKind, Importance, Need
    from customer_model.frameworks import (
        KANO_PRIORITY,
        KanoAnswer,
        KanoCategory,
        KanoCoefficients,
        KanoResult,
        MoSCoW,
        RiceConfidence,
        RiceImpact,
        cost_of_delay,
        ice,
        kano_category,
        kano_classify,
        kano_coefficients,
        opportunity_score,
        rice,
        wsjf,
    )
    from customer_model.people import Gender, Location, Person
    from customer_model.personas import (
        Persona,
        PersonaCoverage,
        PersonaFit,
        persona_coverage,
        personas_for,
    )
    from customer_model.policy import PrioritizationPolicy, ValueWeighting
    from customer_model.prioritization import prioritize
    from customer_model.privacy import redact
    from customer_model.records import (
        feedback_records,
        purchase_records,
        purchaser_records,
        to_records,
        user_records,
    )
    from customer_model.reports import SplitCounts, SplitReport, split_report
    from customer_model.rfm import RFMScore, rfm_scores
    from customer_model.roles import (
        Role,
        RoleSplit,
        author_roles,
        check_roles,
        role_split,
        roles_of,
    )
    from customer_model.rules import Rule, field
    from customer_model.satisfaction import (
        GroupScore,
        RoleBreakdown,
        SegmentBreakdown,
        SegmentLike,
        SegmentScore,
        SurveyMeasure,
        SurveyResponse,
        ces,
        csat,
        nps,
        satisfaction_by_role,
        satisfaction_by_segment,
    )
    from customer_model.segments import (
        OverlapMatrix,
        Segment,
        SegmentBasis,
        SegmentSizes,
        overlap_matrix,
        segment_sizes,
    )
    from customer_model.serialization import (
        as_validation_error,
        converter,
        from_dict,
        from_json,
        make_converter,
        to_dict,
        to_json,
    )
    from customer_model.stories import UserStory, draft_story
    from customer_model.trends import (
        CalendarPeriod,
        Granularity,
        ThemeTrend,
        VolumeTable,
        feedback_volume,
        rising_themes,
    )

__version__ = "0.1.0.dev0"

# Public names by the submodule that defines them.  They are loaded on first
# access (PEP 562), so ``import customer_model`` is nearly free and a service
# that only loads feedback never imports cattrs or the prioritization rules.
# A new public name goes here, in the TYPE_CHECKING block above and in __all__.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "backlog": (
        "Backlog",
        "BacklogItem",
        "Factor",
        "IceEstimate",
        "RiceEstimate",
        "ScoreComponent",
        "ScoreStep",
        "VoiceRole",
        "WsjfEstimate",
    ),
    "customers": (
        "BuyingRole",
        "Customer",
        "CustomerKind",
        "IntermediaryRole",
        "Purchase",
        "Purchaser",
        "User",
    ),
    "dataset": (
        "SCHEMA_VERSION",
        "Dataset",
    ),
    "errors": (
        "CustomerModelError",
        "Problem",
        "ValidationError",
    ),
    "feedback": (
        "Channel",
        "FeedbackItem",
        "FeedbackKind",
        "Importance",
        "Need",
    ),
    "frameworks": (
        "KANO_PRIORITY",
        "KanoAnswer",
        "KanoCategory",
        "KanoCoefficients",
        "KanoResult",
        "MoSCoW",
        "RiceConfidence",
        "RiceImpact",
        "cost_of_delay",
        "ice",
        "kano_category",
        "kano_classify",
        "kano_coefficients",
        "opportunity_score",
        "rice",
        "wsjf",
    ),
    "people": (
        "Gender",
        "Location",
        "Person",
    ),
    "personas": (
        "Persona",
        "PersonaCoverage",
        "PersonaFit",
        "persona_coverage",
        "personas_for",
    ),
    "policy": (
        "PrioritizationPolicy",
        "ValueWeighting",
    ),
    "prioritization": ("prioritize",),
    "privacy": ("redact",),
    "records": (
        "feedback_records",
        "purchase_records",
        "purchaser_records",
        "to_records",
        "user_records",
    ),
    "reports": (
        "SplitCounts",
        "SplitReport",
        "split_report",
    ),
    "rfm": (
        "RFMScore",
        "rfm_scores",
    ),
    "roles": (
        "Role",
        "RoleSplit",
        "author_roles",
        "check_roles",
        "role_split",
        "roles_of",
    ),
    "rules": (
        "Rule",
        "field",
    ),
    "satisfaction": (
        "GroupScore",
        "RoleBreakdown",
        "SegmentBreakdown",
        "SegmentLike",
        "SegmentScore",
        "SurveyMeasure",
        "SurveyResponse",
        "ces",
        "csat",
        "nps",
        "satisfaction_by_role",
        "satisfaction_by_segment",
    ),
    "segments": (
        "OverlapMatrix",
        "Segment",
        "SegmentBasis",
        "SegmentSizes",
        "overlap_matrix",
        "segment_sizes",
    ),
    "serialization": (
        "as_validation_error",
        "converter",
        "from_dict",
        "from_json",
        "make_converter",
        "to_dict",
        "to_json",
    ),
    "stories": (
        "UserStory",
        "draft_story",
    ),
    "trends": (
        "CalendarPeriod",
        "Granularity",
        "ThemeTrend",
        "VolumeTable",
        "feedback_volume",
        "rising_themes",
    ),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULE_OF})


__all__ = [
    "KANO_PRIORITY",
    "SCHEMA_VERSION",
    "Backlog",
    "BacklogItem",
    "BuyingRole",
    "CalendarPeriod",
    "Channel",
    "Customer",
    "CustomerKind",
    "CustomerModelError",
    "Dataset",
    "Factor",
    "FeedbackItem",
    "FeedbackKind",
    "Gender",
    "Granularity",
    "GroupScore",
    "IceEstimate",
    "Importance",
    "IntermediaryRole",
    "KanoAnswer",
    "KanoCategory",
    "KanoCoefficients",
    "KanoResult",
    "Location",
    "MoSCoW",
    "Need",
    "OverlapMatrix",
    "Person",
    "Persona",
    "PersonaCoverage",
    "PersonaFit",
    "PrioritizationPolicy",
    "Problem",
    "Purchase",
    "Purchaser",
    "RFMScore",
    "RiceConfidence",
    "RiceEstimate",
    "RiceImpact",
    "Role",
    "RoleBreakdown",
    "RoleSplit",
    "Rule",
    "ScoreComponent",
    "ScoreStep",
    "Segment",
    "SegmentBasis",
    "SegmentBreakdown",
    "SegmentLike",
    "SegmentScore",
    "SegmentSizes",
    "SplitCounts",
    "SplitReport",
    "SurveyMeasure",
    "SurveyResponse",
    "ThemeTrend",
    "User",
    "UserStory",
    "ValidationError",
    "ValueWeighting",
    "VoiceRole",
    "VolumeTable",
    "WsjfEstimate",
    "__version__",
    "as_validation_error",
    "author_roles",
    "ces",
    "check_roles",
    "converter",
    "cost_of_delay",
    "csat",
    "draft_story",
    "feedback_records",
    "feedback_volume",
    "field",
    "from_dict",
    "from_json",
    "ice",
    "kano_category",
    "kano_classify",
    "kano_coefficients",
    "make_converter",
    "nps",
    "opportunity_score",
    "overlap_matrix",
    "persona_coverage",
    "personas_for",
    "prioritize",
    "purchase_records",
    "purchaser_records",
    "redact",
    "rfm_scores",
    "rice",
    "rising_themes",
    "role_split",
    "roles_of",
    "satisfaction_by_role",
    "satisfaction_by_segment",
    "segment_sizes",
    "split_report",
    "to_dict",
    "to_json",
    "to_records",
    "user_records",
    "wsjf",
]
