"""``rank --scorecard``: a team's scorecard over the backlog, estimates from a CSV file.

The estimates file has a ``theme`` column and one column per factor the team
estimates; an empty cell leaves the factor to the backlog's evidence or the
factor's default.  Cells are numbers as written (``3``, ``0.5``, ``1e3``);
nothing else is read as one.  Problems name the file, the line and the
column, never the cell's text.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from customer_model.backlog import Backlog
from customer_model.cli._files import InputError, load_json, read_bytes, shown
from customer_model.errors import Problem, ValidationError
from customer_model.scorecards import Scorecard, ScorecardRanking

__all__ = ["load_estimates", "rank_by_scorecard"]


class _Problems(InputError):
    """Problems in a scorecard or estimates file, every one shown.

    ``validate`` does not read these files, so pointing at it for the rest
    would not help; they are small, and each problem is one line.
    """

    def summary(self, hint: str | None = None) -> str:
        return "\n".join(self.lines)


_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")


def _number(text: str) -> int | float | None:
    """The number *text* spells, or ``None``; ``nan``, ``inf`` and ``1_000`` are not numbers.

    Integers of up to 19 characters (sign included) stay integers; longer ones are read as floats
    (``int()`` refuses thousands of digits, and a float holds them anyway).
    """
    if _INTEGER.match(text) and len(text) <= 19:
        return int(text)
    if _DECIMAL.match(text):
        value = float(text)
        return value if math.isfinite(value) else None
    return None


def load_estimates(path: str) -> dict[str, dict[str, int | float]]:
    """Theme -> {factor: number} from a CSV file with a ``theme`` column."""
    source = shown(path)  # as messages show it: on one line
    try:
        text = read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _Problems([f"{source}: is not UTF-8 text"]) from None
    rows = []  # (the line the row starts on, its cells); blank rows are skipped
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        start = 1
        for row in reader:
            if any(c.strip() for c in row):
                rows.append((start, row))
            start = reader.line_num + 1  # a quoted cell may span lines
    except csv.Error:
        raise _Problems([f"{source}: is not valid CSV"]) from None
    if not rows:
        raise _Problems([f"{source}: is empty: it needs a header with a theme column"])
    first, head = rows[0]
    header = [cell.strip() for cell in head]
    errors = []
    if header.count("theme") != 1:
        errors.append(f"{source}:{first}: the header must name one 'theme' column")
    for i, name in enumerate(header):
        if not name:
            errors.append(f"{source}:{first}: column {i + 1} has no name")
        elif name != "theme" and header.index(name) < i:  # by number: the row may be data
            errors.append(
                f"{source}:{first}: column {i + 1} repeats the name of column"
                f" {header.index(name) + 1}"
            )
    if errors:
        raise _Problems(dict.fromkeys(errors))
    at = header.index("theme")
    estimates: dict[str, dict[str, int | float]] = {}
    lines: dict[str, int] = {}
    for n, row in rows[1:]:
        if len(row) != len(header):
            errors.append(f"{source}:{n}: has {len(row)} cells; the header has {len(header)}")
            continue
        theme = row[at].strip()  # as every other cell: the spaces are the file's
        if not theme:
            errors.append(f"{source}:{n}: has no theme")
            continue
        if theme in lines:
            errors.append(f"{source}:{n}: repeats the theme of line {lines[theme]}")
            continue
        lines[theme] = n
        values: dict[str, int | float] = {}
        for name, cell in zip(header, row, strict=True):
            if name == "theme" or not cell.strip():
                continue
            number = _number(cell.strip())
            if number is None:
                errors.append(f"{source}:{n}: column {name!r}: must be a number")
            else:
                values[name] = number
        estimates[theme] = values
    if errors:
        raise _Problems(errors)
    return estimates


def _where(problem: Problem, files: Mapping[str, str], default: str) -> str:
    head = problem.path[0] if problem.path else None
    return shown(files.get(str(head), default))


def rank_by_scorecard(
    backlog: Backlog,
    *,
    scorecard_path: str,
    estimates_path: str | None,
    files: Mapping[str, str],
    feedback: Iterable[Any],
    customers: Iterable[Any],
    segments: Sequence[Any],
) -> ScorecardRanking:
    """The backlog ranked by the scorecard in *scorecard_path*, problems named by file.

    *files* maps the first part of a problem's path (``backlog``,
    ``customers`` ...) to the file it comes from; the scorecard's own parts
    name the scorecard file and ``estimates`` the estimates file.
    """
    try:
        card: Scorecard = load_json(scorecard_path, Scorecard)
    except InputError as e:
        raise _Problems(e.lines) from None
    estimates = load_estimates(estimates_path) if estimates_path is not None else None
    where = {
        "formula": scorecard_path,
        "factors": scorecard_path,
        "estimates": estimates_path or "--estimates",
        **files,
    }
    try:
        return card.score(
            backlog, estimates, feedback=feedback, customers=customers, segments=segments
        )
    except ValidationError as e:
        raise _Problems([f"{_where(p, where, scorecard_path)}: {p}" for p in e.problems]) from None
