"""Plain-text and HTML tables for results shown in terminals and notebooks.

HTML cells are always escaped: ids and themes come from data, and data is not
trusted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

#: A plain repr shows a collection whole up to this many items...
SHOWN_WHOLE = 6
#: ...and beyond it the first few and a count, as pandas does.
SHOWN_FIRST = 3
#: An HTML table (a notebook's display) shows at most this many rows, then a
#: last row counting the rest, as pandas does for a long frame.
HTML_ROWS = 60
#: ...and at most this many columns (the first is a row's label), then one
#: column counting the rest: a volume table of a few years of weeks has a
#: column per week, an overlap matrix one per segment.
HTML_COLUMNS = 30


def short_items(items: object) -> str:
    """``repr`` of a tuple field, cut to its first few items and a count when long.

    A dataset of thousands of customers must not flood a REPL; the HTML repr
    (a summary table) is the one to look at in a notebook.
    """
    if not isinstance(items, tuple) or len(items) <= SHOWN_WHOLE:
        return repr(items)
    head = ", ".join(repr(item) for item in items[:SHOWN_FIRST])
    return f"({head}, ...{len(items) - SHOWN_FIRST:,} more; {len(items):,} in all)"


def short_mapping(mapping: object) -> str:
    """``repr`` of a mapping field, its values as :func:`short_items`, cut to its first few keys.

    A volume table holds a row of counts per theme and period: hundreds of each.
    """
    if not isinstance(mapping, Mapping):
        return repr(mapping)
    pairs = [
        f"{key!r}: {short_items(value)}" for key, value in list(mapping.items())[: SHOWN_WHOLE + 1]
    ]
    if len(mapping) <= SHOWN_WHOLE:
        return "{" + ", ".join(pairs) + "}"
    head = ", ".join(pairs[:SHOWN_FIRST])
    return "{" + f"{head}, ...{len(mapping) - SHOWN_FIRST:,} more; {len(mapping):,} in all" + "}"


def short_matrix(rows: object) -> str:
    """``repr`` of a tuple of tuples, each row and the rows cut as :func:`short_items` cuts.

    An overlap matrix of a few hundred segments holds tens of thousands of counts.
    """
    if not isinstance(rows, tuple) or not all(isinstance(row, tuple) for row in rows):
        return repr(rows)
    if len(rows) <= SHOWN_WHOLE:
        shown = [short_items(row) for row in rows]
        return f"({shown[0]},)" if len(shown) == 1 else f"({', '.join(shown)})"
    head = ", ".join(short_items(row) for row in rows[:SHOWN_FIRST])
    return f"({head}, ...{len(rows) - SHOWN_FIRST:,} more; {len(rows):,} in all)"


def printable(text: str) -> str:
    """*text* with non-printing characters escaped (a newline as ``\\n``).

    Themes and ids come from data: a newline or a terminal control sequence in
    one must not break a table's lines or the terminal showing it.  A
    backslash is doubled, so a real newline and a written ``\\n`` never look
    the same.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(c if c.isprintable() and c != "\\" else repr(c)[1:-1] for c in text)


#: What Markdown reads as syntax anywhere in a line: CommonMark's emphasis, code,
#: links, autolinks, inline HTML and entities, GitHub's tables and strikethrough,
#: $math$, and the backslash that escapes them all.
MARKDOWN_SYNTAX = frozenset("\\`*_[]<>&|~$#")
#: What Markdown reads as syntax at the start of a line: a list item, an
#: ordered list's number, a heading's underline.
_LINE_START = re.compile(r"( *)(?=[-+=])|( *[0-9]{1,9})(?=[.)])")


def markdown_text(text: str) -> str:
    """*text* as Markdown that renders as it is written, whatever it holds.

    Non-printing characters are escaped first as :func:`printable` does (a
    newline shows as ``\\n``: a text must not start a new line, which could
    be a heading or a list item); then every character of
    :data:`MARKDOWN_SYNTAX` gets a backslash, as do a leading ``-``, ``+``,
    ``=`` and the ``.`` or ``)`` after a leading number.
    """
    escaped = "".join("\\" + c if c in MARKDOWN_SYNTAX else c for c in printable(text))
    start = _LINE_START.match(escaped)
    if start is None:
        return escaped
    return f"{escaped[: start.end()]}\\{escaped[start.end() :]}"


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a rule under the header; cells made printable."""
    headers = [printable(h) for h in headers]
    rows = [[printable(c) for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def html_table(
    caption: str | None, headers: Sequence[object], rows: Iterable[Sequence[object]]
) -> str:
    """An HTML table with an optional caption; every cell made printable, then escaped.

    A bidi override or a control character in a theme would otherwise reorder
    or hide what a notebook shows, as it would in a terminal.  Beyond
    :data:`HTML_ROWS` rows only the first ones show, then a row saying how many
    more there are: a backlog of thousands of themes must not freeze a
    notebook (``to_records()`` has them all).  Beyond :data:`HTML_COLUMNS`
    columns, likewise, the first ones show, then a column saying how many
    more there are.
    """

    def e(text: str) -> str:
        return html.escape(printable(text))

    shown = list(rows)
    hidden = len(headers) - HTML_COLUMNS
    if hidden > 0:
        count = f"...{hidden:,} more columns; {len(headers):,} in all"
        headers = [*headers[:HTML_COLUMNS], count]
        shown = [[*row[:HTML_COLUMNS], "..."] for row in shown]
    head = "".join(f"<th>{e(str(h))}</th>" for h in headers)
    more = len(shown) - HTML_ROWS
    if more > 0:
        total = len(shown)
        shown = shown[:HTML_ROWS]
    body = "".join(
        "<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in shown
    )
    if more > 0:
        body += (
            f'<tr><td colspan="{max(len(headers), 1)}">'
            f"...{more:,} more rows; {total:,} in all</td></tr>"
        )
    cap = "" if caption is None else f"<caption>{e(caption)}</caption>"
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def money(amounts: Mapping[str, Decimal]) -> str:
    """Amounts by currency in plain notation (``1000 EUR``, never ``1E+3 EUR``); ``""`` if none."""
    return ", ".join(f"{format(amount, 'f')} {code}" for code, amount in amounts.items())


def share(value: float | None) -> str:
    """A fraction as a whole percentage; ``-`` when undefined."""
    return "-" if value is None else f"{value * 100:.0f}%"
