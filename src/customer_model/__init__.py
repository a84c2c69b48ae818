"""customer-model: a typed, pure domain model of customers and the people around a product.

The core is importable from here: the model, the buyer/user roles,
:func:`prioritize` and its :class:`Backlog`, the policy, segments, errors and
JSON.  The analysis families live in their own modules
(:mod:`customer_model.frameworks`, :mod:`~customer_model.satisfaction`,
:mod:`~customer_model.trends`, ...).  Nothing in this package reads the clock,
touches files or keeps global mutable state.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

# The one list of the top-level names.  Type checkers read it as written (the
# ``X as X`` form re-exports under ``mypy --strict``); at run time the names are
# loaded on first access (PEP 562), from the modules this block names, so
# ``import customer_model`` is nearly free.  A new public name goes here only.
if TYPE_CHECKING:
    from customer_model.backlog import Backlog as Backlog
    from customer_model.backlog import BacklogItem as BacklogItem
    from customer_model.errors import (
        CustomerModelError as CustomerModelError,
    )
    from customer_model.errors import (
        Problem as Problem,
    )
    from customer_model.errors import (
        ValidationError as ValidationError,
    )

    # Pinned by earlier releases' contract: analysis names also importable from here.
    from customer_model.frameworks import (
        KanoAnswer as KanoAnswer,
    )
    from customer_model.frameworks import (
        KanoCategory as KanoCategory,
    )
    from customer_model.frameworks import (
        ice as ice,
    )
    from customer_model.frameworks import (
        kano_category as kano_category,
    )
    from customer_model.frameworks import (
        kano_coefficients as kano_coefficients,
    )
    from customer_model.frameworks import (
        opportunity_score as opportunity_score,
    )
    from customer_model.frameworks import (
        rice as rice,
    )
    from customer_model.frameworks import (
        wsjf as wsjf,
    )
    from customer_model.model.customers import (
        BuyingRole as BuyingRole,
    )
    from customer_model.model.customers import (
        Customer as Customer,
    )
    from customer_model.model.customers import (
        CustomerKind as CustomerKind,
    )
    from customer_model.model.customers import (
        IntermediaryRole as IntermediaryRole,
    )
    from customer_model.model.customers import (
        Purchase as Purchase,
    )
    from customer_model.model.customers import (
        Purchaser as Purchaser,
    )
    from customer_model.model.customers import (
        Role as Role,
    )
    from customer_model.model.customers import (
        RoleSplit as RoleSplit,
    )
    from customer_model.model.customers import (
        User as User,
    )
    from customer_model.model.dataset import (
        Dataset as Dataset,
    )
    from customer_model.model.feedback import (
        Channel as Channel,
    )
    from customer_model.model.feedback import (
        FeedbackItem as FeedbackItem,
    )
    from customer_model.model.feedback import (
        FeedbackKind as FeedbackKind,
    )
    from customer_model.model.feedback import (
        Importance as Importance,
    )
    from customer_model.model.feedback import (
        Need as Need,
    )
    from customer_model.model.people import (
        Gender as Gender,
    )
    from customer_model.model.people import (
        Location as Location,
    )
    from customer_model.model.people import (
        Person as Person,
    )
    from customer_model.model.personas import (
        Persona as Persona,
    )
    from customer_model.model.policy import (
        PrioritizationPolicy as PrioritizationPolicy,
    )
    from customer_model.model.policy import (
        ValueWeighting as ValueWeighting,
    )
    from customer_model.model.rfm import RFMScore as RFMScore
    from customer_model.model.rfm import rfm_scores as rfm_scores
    from customer_model.model.rules import (
        Rule as Rule,
    )
    from customer_model.model.rules import (
        field as field,
    )
    from customer_model.model.segments import (
        Segment as Segment,
    )
    from customer_model.model.segments import (
        SegmentBasis as SegmentBasis,
    )
    from customer_model.model.surveys import (
        SurveyMeasure as SurveyMeasure,
    )
    from customer_model.model.surveys import (
        SurveyResponse as SurveyResponse,
    )
    from customer_model.prioritization import (
        prioritize as prioritize,
    )
    from customer_model.privacy import (
        redact as redact,
    )
    from customer_model.records import to_records as to_records
    from customer_model.reports import split_report as split_report
    from customer_model.roles import author_roles as author_roles
    from customer_model.roles import check_roles as check_roles
    from customer_model.roles import role_split as role_split
    from customer_model.roles import roles_of as roles_of
    from customer_model.satisfaction import ces as ces
    from customer_model.satisfaction import csat as csat
    from customer_model.satisfaction import nps as nps
    from customer_model.scorecards import Scorecard as Scorecard
    from customer_model.serialization import (
        from_dict as from_dict,
    )
    from customer_model.serialization import (
        from_json as from_json,
    )
    from customer_model.serialization import (
        to_dict as to_dict,
    )
    from customer_model.serialization import (
        to_json as to_json,
    )

__version__ = "0.1.0.dev0"


def _read_exports() -> dict[str, str]:
    """Name -> defining module, read from the ``TYPE_CHECKING`` block above.

    Read from the module's compiled code (its ``from customer_model.X import
    name`` instructions, which only that block holds: this module imports
    nothing else of the package), not from its text, so that an install
    holding only ``.pyc`` files (as slim container images ship) and a zip
    import work too.  ``tests/test_package.py`` checks the names against the
    block's text.
    """
    import dis

    loader: Any = __spec__.loader
    if hasattr(loader, "get_code"):
        code = loader.get_code(__name__)
    else:  # pytest's assertion rewriter, loading the package of our plugin
        origin = str(__spec__.origin)
        code = compile(loader.get_data(origin), origin, "exec")
    exports: dict[str, str] = {}
    module = ""
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME":
            module = instruction.argval
        elif instruction.opname == "IMPORT_FROM" and module.startswith(f"{__name__}."):
            exports[instruction.argval] = module
    return exports


_module_of = functools.cache(_read_exports)


def __getattr__(name: str) -> object:
    if name == "__all__":
        return sorted(_module_of())
    module = _module_of().get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_module_of()})
