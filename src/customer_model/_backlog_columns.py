"""The columns of a backlog's flat records, one tuple per kind of record.

Each is the header of its table even when the backlog is empty, for
``to_arrow(rows, columns=...)`` and ``DataFrame(rows, columns=...)``.
"""

from __future__ import annotations

__all__ = ["COUNTS", "EXPLANATION_COLUMNS", "RECORD_COLUMNS", "REVENUE_COLUMNS", "STEP_COLUMNS"]

#: A backlog item's counts: whole numbers of at least 0, and columns of its record.
COUNTS = (
    "customer_count",
    "voices",
    "purchaser_voices",
    "user_voices",
    "both_voices",
    "unlisted_voices",
    "anonymous_voices",
)
#: The columns of :meth:`Backlog.to_records`, before one ``revenue_<CUR>`` per
#: currency: all of them when the backlog is empty (an empty table's header).
RECORD_COLUMNS = (
    "rank",
    "theme",
    "score",
    "framework_score",
    *COUNTS,
    "purchaser_share",
    "user_share",
    "feedback_count",
)
#: The columns of :meth:`Backlog.revenue_records`.
REVENUE_COLUMNS = ("rank", "theme", "currency", "revenue")
#: The columns of :meth:`Backlog.explanation_records`.
EXPLANATION_COLUMNS = ("rank", "theme", "role", "need", "voices", "points", "value")
#: The columns of :meth:`Backlog.step_records`.
STEP_COLUMNS = ("rank", "theme", "factor", "total")
