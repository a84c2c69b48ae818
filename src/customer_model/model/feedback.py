"""Feedback: what customers and users tell us, and how much it matters to them."""

from __future__ import annotations

import enum
import functools
from datetime import UTC, datetime
from typing import Literal

import attrs

from customer_model.model._moments import instant_key, is_aware
from customer_model.model._personal import personal
from customer_model.model._text import is_unicode
from customer_model.model._validation import Checker, exact_member

__all__ = [
    "Channel",
    "ChannelValue",
    "FeedbackItem",
    "FeedbackKind",
    "FeedbackKindValue",
    "Importance",
    "ImportanceValue",
    "Need",
    "NeedValue",
]


class FeedbackKind(enum.Enum):
    """What sort of feedback an item is."""

    # Members are singletons compared by identity: hashing by identity too keeps
    # lookups keyed by them in C (Enum hashes its name in Python), as prioritize needs.
    __hash__ = object.__hash__

    BUG = "bug"
    FEATURE_REQUEST = "feature_request"
    COMPLAINT = "complaint"
    PRAISE = "praise"
    QUESTION = "question"


class Need(enum.Enum):
    """The need a piece of feedback speaks to.

    Purchasers weigh ``COST`` and ``SCALABILITY`` (value for money, growth);
    users weigh ``USABILITY`` and ``EFFICIENCY`` (getting their task done).
    ``RELIABILITY``, ``SECURITY``, ``COMPLIANCE`` and ``INTEGRATION`` matter to
    both.
    """

    # Members are singletons compared by identity: hashing by identity too keeps
    # lookups keyed by them in C (Enum hashes its name in Python), as prioritize needs.
    __hash__ = object.__hash__

    COST = "cost"
    SCALABILITY = "scalability"
    USABILITY = "usability"
    EFFICIENCY = "efficiency"
    RELIABILITY = "reliability"
    SECURITY = "security"
    COMPLIANCE = "compliance"
    INTEGRATION = "integration"


@functools.total_ordering
class Importance(enum.Enum):
    """How important an item is to its author, ordered from least to most."""

    # Members are singletons compared by identity: hashing by identity too keeps
    # lookups keyed by them in C (Enum hashes its name in Python), as prioritize needs.
    __hash__ = object.__hash__

    NOT_IMPORTANT = "not_important"
    NICE_TO_HAVE = "nice_to_have"
    IMPORTANT = "important"
    CRITICAL = "critical"

    @property
    def level(self) -> int:
        """Position in the order: 0 for ``NOT_IMPORTANT`` up to 3 for ``CRITICAL``."""
        return _IMPORTANCE_LEVEL[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Importance):
            return NotImplemented
        return _IMPORTANCE_LEVEL[self] < _IMPORTANCE_LEVEL[other]


_IMPORTANCE_LEVEL = {member: i for i, member in enumerate(Importance)}


class Channel(enum.Enum):
    """Where feedback came in."""

    SURVEY = "survey"
    INTERVIEW = "interview"
    FOCUS_GROUP = "focus_group"
    USER_TEST = "user_test"
    SUPPORT_TICKET = "support_ticket"
    SOCIAL_MEDIA = "social_media"
    SALES_CALL = "sales_call"
    IN_APP = "in_app"
    REVIEW = "review"
    EMAIL = "email"
    COMMUNITY = "community"


#: The values of :class:`FeedbackKind`, which constructors accept for its members.
FeedbackKindValue = Literal["bug", "feature_request", "complaint", "praise", "question"]
#: The values of :class:`Need`.
NeedValue = Literal[
    "cost",
    "scalability",
    "usability",
    "efficiency",
    "reliability",
    "security",
    "compliance",
    "integration",
]
#: The values of :class:`Importance`.
ImportanceValue = Literal["not_important", "nice_to_have", "important", "critical"]
#: The values of :class:`Channel`.
ChannelValue = Literal[
    "survey",
    "interview",
    "focus_group",
    "user_test",
    "support_ticket",
    "social_media",
    "sales_call",
    "in_app",
    "review",
    "email",
    "community",
]


def _kind(value: FeedbackKind | FeedbackKindValue) -> FeedbackKind:
    return value if type(value) is FeedbackKind else exact_member(FeedbackKind, value)


def need_member(value: Need | NeedValue | None) -> Need | None:
    """*value* as a :class:`Need` when it is one's exact value (a converter)."""
    return value if value is None or type(value) is Need else exact_member(Need, value)


def _importance(value: Importance | ImportanceValue | None) -> Importance | None:
    if value is None or type(value) is Importance:
        return value
    return exact_member(Importance, value)


def _channel(value: Channel | ChannelValue) -> Channel:
    return value if type(value) is Channel else exact_member(Channel, value)


def _mask_text(value: str) -> str:
    return f"<{len(value)} chars>"


@attrs.frozen(slots=True, kw_only=True)
class FeedbackItem:
    """One piece of feedback from one author about one theme.

    ``author_id`` is the :class:`~customer_model.Person` id of who said it, or
    ``None`` when it is anonymous.  ``theme`` is the key of what it is about (a
    feature or theme); ``importance`` is ``None`` when the author did not say.
    ``text`` is free text and may hold personal data ("call me at ..."), so
    it is a personal field: ``repr()`` shows only its length, records leave it
    out unless asked, and :func:`~customer_model.redact` empties it.
    """

    id: str
    customer_id: str
    author_id: str | None = None
    theme: str
    kind: FeedbackKind = attrs.field(converter=_kind)
    need: Need | None = attrs.field(default=None, converter=need_member)
    importance: Importance | None = attrs.field(default=None, converter=_importance)
    channel: Channel = attrs.field(converter=_channel)
    text: str = personal(default="", erased="", repr=_mask_text)
    created_at: datetime = attrs.field(eq=instant_key)

    def __attrs_post_init__(self) -> None:
        # Loading many items spends much of its time here, so the common case
        # (every field valid) is one inline expression, with no calls to
        # helpers.  It holds only when _check would find nothing; when it does
        # not hold, _check says what is wrong and where.
        id_, customer, author, theme = self.id, self.customer_id, self.author_id, self.theme
        at = self.created_at
        if not (
            (type(id_) is str and id_ != "" and id_.strip() == id_)
            and (type(customer) is str and customer != "" and customer.strip() == customer)
            and (
                author is None
                or (type(author) is str and author != "" and author.strip() == author)
            )
            and (type(theme) is str and theme != "" and theme.strip() == theme)
            and type(self.kind) is FeedbackKind
            and (self.need is None or type(self.need) is Need)
            and (self.importance is None or type(self.importance) is Importance)
            and type(self.channel) is Channel
            and type(self.text) is str
            # no lone surrogate, which UTF-8 cannot encode (all are strings by now)
            and is_unicode(id_ + customer + (author or "") + theme + self.text)
            and isinstance(at, datetime)
            # UTC (what JSON's Z and +00:00 give) is valid; other zones are asked
            and (at.tzinfo is UTC or is_aware(at))
            and 1 < at.year < 9999  # near the calendar's ends, _check asks UTC
        ):
            self._check()

    def _check(self) -> None:
        check = Checker()
        check.ident("id", self.id)
        check.ident("customer_id", self.customer_id)
        check.ident("author_id", self.author_id, optional=True)
        check.ident("theme", self.theme)
        check.member("kind", self.kind, FeedbackKind, values=True)
        check.member("need", self.need, Need, optional=True, values=True)
        check.member("importance", self.importance, Importance, optional=True, values=True)
        check.member("channel", self.channel, Channel, values=True)
        check.text("text", self.text, allow_empty=True)
        check.aware("created_at", self.created_at)
        check.done("FeedbackItem")

    @property
    def is_anonymous(self) -> bool:
        """Whether nobody is known to have said this."""
        return self.author_id is None
