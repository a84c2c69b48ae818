"""Small HTML tables for notebook display (``_repr_html_``).

Every cell is escaped: ids and themes come from data, and data is not trusted.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table with a caption, a header row and one row per item."""
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{e(str(cell))}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f"<table><caption>{e(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
