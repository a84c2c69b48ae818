"""Hypothesis strategies that build valid, realistic customer-model values.

Every value these strategies produce satisfies every invariant of the model
and round-trips through JSON.  Needs the ``testing`` extra (hypothesis).

Arguments are checked when a strategy is built, not when a test first draws
from it (hypothesis' own strategies check lazily, on first use; these check
at once so the error points at the line that built them).  A bad one raises
hypothesis' :class:`~hypothesis.errors.InvalidArgument`, which is also a
:class:`~customer_model.ValidationError` whose problems name each bad argument
and the rule it breaks (never its value), so either ``except`` catches it.

>>> from hypothesis.errors import InvalidArgument
>>> try:
...     customers(id="c-1")
... except InvalidArgument as error:
...     print(error.problems[0])
$.id: must be a hypothesis strategy (such as st.just(...)) or None, not str
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from datetime import datetime

import attrs

try:
    from hypothesis import strategies as st
except ModuleNotFoundError as missing:  # pragma: no cover - exercised in a subprocess
    raise ModuleNotFoundError(
        "customer_model.testing's strategies need hypothesis: "
        "pip install 'customer-model[testing]'",
        name=missing.name,
    ) from missing

from customer_model.model._messages import type_name
from customer_model.model._validation import Checker, exact_member
from customer_model.model.customers import (
    Customer,
    Role,
)
from customer_model.model.dataset import Dataset
from customer_model.model.feedback import Channel, FeedbackItem, FeedbackKind, Importance, Need
from customer_model.model.personas import Persona
from customer_model.model.surveys import SurveyMeasure, SurveyMeasureValue, SurveyResponse
from customer_model.testing._basics import (
    EPOCH,
    HORIZON,
    _done,
    _drawing,
    _optional_currency,
    _strategy,
    _window,
    aware_datetimes,
    identifiers,
    texts,
)
from customer_model.testing._people_strategies import (
    _ANY_CUSTOMER,
    _AUTHOR_IDS,
    _CUSTOMER_IDS,
    _FLAGS,
    _customers_in,
    customers,
    locations,
    persons,
    purchasers,
    purchases,
    users,
)
from customer_model.testing._rule_strategies import rules, segments
from customer_model.testing._vocabulary import (
    _THEMES,
)

__all__ = [
    "aware_datetimes",
    "customers",
    "datasets",
    "feedback_items",
    "identifiers",
    "locations",
    "persons",
    "personas",
    "purchasers",
    "purchases",
    "rules",
    "segments",
    "survey_responses",
    "users",
]


_FEEDBACK_IDS = identifiers("f-")
_SEGMENT_IDS = identifiers("s-")
_RESPONSE_IDS = identifiers("r-")
_THEME_CHOICES = st.sampled_from(_THEMES)


def _customer(check: Checker, value: object) -> None:
    check.instance("customer", value, Customer, optional=True)


def feedback_items(
    *,
    customer: Customer | None = None,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
    themes: Iterable[str] = _THEMES,
    id: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[FeedbackItem]:
    """A feedback item; given a *customer*, it comes from one of its people (or nobody).

    *themes* is any non-empty collection of theme keys (read once, here; a
    set is sorted, so that the draws do not depend on string hashing).
    """
    check = Checker()
    _customer(check, customer)
    _window(check, since, until)
    chosen = _theme_keys(check, themes)
    _strategy(check, "id", id)
    _done(check, "feedback_items")
    return _feedback_items(
        customer=customer,
        times=aware_datetimes(since, until),
        themes=_THEME_CHOICES if themes is _THEMES else st.sampled_from(chosen),
        ids=_FEEDBACK_IDS if id is None else _drawing(id, "id", "feedback_items", str),
    )


def _theme_keys(check: Checker, themes: object) -> tuple[str, ...]:
    if isinstance(themes, str | bytes | Mapping) or not isinstance(themes, Iterable):
        check.add("themes", f"must be a collection of theme keys, not {type_name(themes)}")
        return ()
    keys = tuple(themes)
    if isinstance(themes, AbstractSet) and all(isinstance(key, str) for key in keys):
        # A set's order changes with PYTHONHASHSEED; sorted, a seed (or a failing
        # example hypothesis saved) draws the same themes in every process.
        keys = tuple(sorted(keys))
    if not keys:
        check.add("themes", "must not be empty: every item needs a theme")
    for i, key in enumerate(keys):
        check.ident(("themes", i), key)
    return keys


@st.composite
def _feedback_items(
    draw: st.DrawFn,
    *,
    customer: Customer | None,
    times: st.SearchStrategy[datetime],
    themes: st.SearchStrategy[str],
    ids: st.SearchStrategy[str],
) -> FeedbackItem:
    return _feedback_item(draw, customer, times, themes, draw(ids))


def _someone(draw: st.DrawFn, customer: Customer | None) -> tuple[str, str | None]:
    """A customer id and one of its people's ids or None (anonymous), which it shrinks to."""
    if customer is None:
        return draw(_CUSTOMER_IDS), draw(_AUTHOR_IDS)
    people = tuple(p.id for p in customer.people)
    return customer.id, draw(st.sampled_from(people)) if draw(_FLAGS) else None


_KINDS_OF_FEEDBACK = st.sampled_from(FeedbackKind)
_NEEDS = st.none() | st.sampled_from(Need)
_IMPORTANCES = st.none() | st.sampled_from(Importance)
_CHANNELS = st.sampled_from(Channel)
_FEEDBACK_TEXTS = texts(40)


def _feedback_item(
    draw: st.DrawFn,
    customer: Customer | None,
    times: st.SearchStrategy[datetime],
    themes: st.SearchStrategy[str],
    item_id: str,
) -> FeedbackItem:
    # A plain function, not a strategy: datasets call it for every item, and a
    # strategy built per item would be validated per item.
    customer_id, author_id = _someone(draw, customer)
    return FeedbackItem(
        id=item_id,
        customer_id=customer_id,
        author_id=author_id,
        theme=draw(themes),
        kind=draw(_KINDS_OF_FEEDBACK),
        need=draw(_NEEDS),
        importance=draw(_IMPORTANCES),
        channel=draw(_CHANNELS),
        text=draw(_FEEDBACK_TEXTS),
        created_at=draw(times),
    )


def survey_responses(
    *,
    customer: Customer | None = None,
    measure: SurveyMeasure | SurveyMeasureValue | None = None,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
    id: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[SurveyResponse]:
    """A survey answer on its measure's scale; given a *customer*, from one of its people.

    *measure* may be given by its value (``"nps"``).
    """
    measure = exact_member(SurveyMeasure, measure)
    check = Checker()
    _customer(check, customer)
    check.member("measure", measure, SurveyMeasure, optional=True, values=True)
    _window(check, since, until)
    _strategy(check, "id", id)
    _done(check, "survey_responses")
    return _survey_responses(
        customer=customer,
        measure=measure,
        times=aware_datetimes(since, until),
        ids=_RESPONSE_IDS if id is None else _drawing(id, "id", "survey_responses", str),
    )


@st.composite
def _survey_responses(
    draw: st.DrawFn,
    *,
    customer: Customer | None,
    measure: SurveyMeasure | None,
    times: st.SearchStrategy[datetime],
    ids: st.SearchStrategy[str],
) -> SurveyResponse:
    return _survey_response(draw, customer, measure, times, draw(ids))


_MEASURES = st.sampled_from(SurveyMeasure)


def _survey_response(
    draw: st.DrawFn,
    customer: Customer | None,
    measure: SurveyMeasure | None,
    times: st.SearchStrategy[datetime],
    response_id: str,
) -> SurveyResponse:
    customer_id, respondent = _someone(draw, customer)
    chosen = measure if measure is not None else draw(_MEASURES)
    low, high = chosen.scale
    return SurveyResponse(
        id=response_id,
        customer_id=customer_id,
        respondent_id=respondent,
        measure=chosen,
        score=draw(st.integers(low, high)),
        at=draw(times),
    )


def personas(segment_id: st.SearchStrategy[str | None] | None = None) -> st.SearchStrategy[Persona]:
    """Personas; *segment_id* is a strategy for the segment each belongs to (none by default)."""
    check = Checker()
    _strategy(check, "segment_id", segment_id)
    _done(check, "personas")
    if segment_id is None:
        return _personas(st.none())
    return _personas(_drawing(segment_id, "segment_id", "personas", (str, type(None))))


def _personas(segment_id: st.SearchStrategy[str | None]) -> st.SearchStrategy[Persona]:
    return st.builds(
        Persona,
        identifiers("persona-"),
        st.sampled_from(["Budget-minded Bea", "Power-user Pat", "Procurement Priya", "New Ned"]),
        st.sampled_from(Role),
        goals=st.lists(st.sampled_from(["save time", "cut cost", "scale up"]), max_size=2),
        pain_points=st.lists(st.sampled_from(["slow exports", "price", "setup"]), max_size=2),
        needs=st.frozensets(st.sampled_from(Need), max_size=3),
        segment_id=segment_id,
    )


def datasets(
    *,
    customers: st.SearchStrategy[Customer] | None = None,
    currency: str | None = None,
    max_customers: int = 4,
    feedback_per_customer: int = 3,
    responses_per_customer: int = 2,
    since: datetime = EPOCH,
    until: datetime = HORIZON,
) -> st.SearchStrategy[Dataset]:
    """A consistent dataset: unique ids, feedback and answers only from its own customers.

    Each customer gets up to *feedback_per_customer* feedback items and up to
    *responses_per_customer* survey responses.  With *currency*, every
    purchase is in that one currency, so :func:`~customer_model.prioritize`'s
    default policy (which converts nothing) accepts the revenue; without it,
    customers often pay in several currencies.  *currency* shapes the
    default customers, so it does not go with *customers*.  *since* and
    *until* bound the times of the feedback and the survey responses; the
    default customers' purchases and last activity stay in 2020 to 2030,
    where their people (born 1940 to 2001) are of age to buy.
    """
    check = Checker()
    _strategy(check, "customers", customers)
    _optional_currency(check, currency)
    if currency is not None and customers is not None:
        check.add("currency", "is for the default customers; pass it to customers() instead")
    check.integer("max_customers", max_customers, minimum=1)
    check.integer("feedback_per_customer", feedback_per_customer, minimum=0)
    check.integer("responses_per_customer", responses_per_customer, minimum=0)
    _window(check, since, until)
    _done(check, "datasets")
    return _datasets(
        base=(
            _drawing(customers, "customers", "datasets", Customer)
            if customers is not None
            else _ANY_CUSTOMER
            if currency is None
            else _customers_in(currency)
        ),
        max_customers=max_customers,
        feedback_per_customer=feedback_per_customer,
        responses_per_customer=responses_per_customer,
        times=aware_datetimes(since, until),
    )


# Segments with rules, so that a dataset's segments leave customers out; none
# with a time window, so that they run without an as_of, as they always did.
_DATASET_SEGMENTS = st.lists(
    segments(rule=rules(max_leaves=3).filter(lambda rule: not rule.needs_as_of)),
    max_size=2,
    unique_by=lambda s: s.id,
)
_DATASET_PERSONAS = st.lists(_personas(st.none()), max_size=2, unique_by=lambda p: p.id)


@st.composite
def _datasets(
    draw: st.DrawFn,
    *,
    base: st.SearchStrategy[Customer],
    max_customers: int,
    feedback_per_customer: int,
    responses_per_customer: int,
    times: st.SearchStrategy[datetime],
) -> Dataset:
    cs = draw(st.lists(base, min_size=1, max_size=max_customers, unique_by=lambda c: c.id))
    feedback: list[FeedbackItem] = []
    for c in cs:
        n = draw(st.integers(0, feedback_per_customer))
        for j in range(n):
            feedback.append(_feedback_item(draw, c, times, _THEME_CHOICES, f"f-{c.id}-{j}"))
    responses: list[SurveyResponse] = []
    for c in cs:
        for j in range(draw(st.integers(0, responses_per_customer))):
            responses.append(_survey_response(draw, c, None, times, f"r-{c.id}-{j}"))
    segments = draw(_DATASET_SEGMENTS)
    segment_ids = tuple(s.id for s in segments)
    ps: list[Persona] = []
    for persona in draw(_DATASET_PERSONAS):
        # A persona belongs to one of the dataset's segments, or (shrinking to) none.
        in_segment: bool = bool(segment_ids) and draw(_FLAGS)
        if in_segment:
            ps.append(attrs.evolve(persona, segment_id=draw(st.sampled_from(segment_ids))))
        else:
            ps.append(persona)
    return Dataset(cs, feedback, personas=ps, segments=segments, responses=responses)
