"""The peers: a pydantic v2 model and a msgspec Struct equivalent to FeedbackItem.

The pydantic model validates what FeedbackItem validates: identifiers are
non-empty strings without surrounding white space (so not blank), datetimes
must be timezone-aware, enums go by value, unknown keys are forbidden and
nothing is coerced (strict mode).  The msgspec Struct is only used for the
memory comparison, so it only needs the same fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints

from customer_model import Channel, FeedbackKind, Importance, Need

# First and last characters are not white space: non-empty, not blank, no padding.
Ident = Annotated[str, StringConstraints(pattern=r"(?s)^\S(?:.*\S)?$")]


class PydanticFeedback(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    id: Ident
    customer_id: Ident
    author_id: Ident | None = None
    theme: Ident
    kind: FeedbackKind
    need: Need | None = None
    importance: Importance | None = None
    channel: Channel
    text: str = ""
    created_at: AwareDatetime


class MsgspecFeedback(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    id: str
    customer_id: str
    author_id: str | None = None
    theme: str
    kind: FeedbackKind
    need: Need | None = None
    importance: Importance | None = None
    channel: Channel
    text: str = ""
    created_at: datetime
