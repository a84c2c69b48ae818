"""Exceptions raised by customer-model.

Every problem carries a *path* (``$.customers[0].id``) so a caller can point at
the bad field, and a message that says what is wrong with it.  Messages never
repeat the offending value: it may be personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from customer_model._display import printable

__all__ = ["CustomerModelError", "Path", "Problem", "ValidationError", "format_path"]

#: The problems a :class:`ValidationError`'s message lists; ``problems`` holds them all.
MAX_SHOWN = 20

#: A location inside a value: attribute names and sequence indices, outermost first.
Path = tuple[str | int, ...]


def _escape(key: str) -> str:
    """A key for a bracketed path part: backslash, quote and non-printing characters escaped.

    Keys come from input; a newline or a terminal control sequence in one must
    not reach a log line or a terminal as it is.
    """
    return printable(key).replace('"', '\\"')  # printable doubles backslashes itself


def format_path(path: Path) -> str:
    """Render *path* in JSONPath style: ``$.customers[0].id``."""
    out = ["$"]
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.isidentifier():
            out.append(f".{part}")
        else:
            out.append(f'["{_escape(part)}"]')
    return "".join(out)


@attrs.frozen
class Problem:
    """One thing wrong with an input, and where it is."""

    path: Path
    message: str

    @property
    def location(self) -> str:
        """The path as a JSONPath string."""
        return format_path(self.path)

    def under(self, prefix: Path) -> Problem:
        """The same problem, seen from a value that contains this one at *prefix*."""
        return Problem(prefix + self.path, self.message)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class CustomerModelError(Exception):
    """Base class of every error this library raises on purpose."""


class ValidationError(CustomerModelError, ValueError):
    """Input that breaks a rule of the model.

    Carries *every* problem found, not just the first, so a caller can fix an
    input in one go.  It subclasses :class:`ValueError` so generic code that
    catches bad values keeps working.
    """

    problems: tuple[Problem, ...]
    subject: str | None

    def __init__(self, problems: Iterable[Problem], subject: str | None = None) -> None:
        self.problems = tuple(problems)
        if not self.problems:
            raise ValueError("a ValidationError needs at least one problem")
        self.subject = subject
        super().__init__(self._render())

    @classmethod
    def single(cls, path: Path | str, message: str, subject: str | None = None) -> ValidationError:
        """A validation error with one problem; a bare string is one path part."""
        if isinstance(path, str):
            path = (path,)
        return cls([Problem(path, message)], subject)

    def under(self, prefix: Path) -> ValidationError:
        """The same error with every path prefixed (used when nesting values)."""
        return ValidationError([p.under(prefix) for p in self.problems], self.subject)

    @property
    def paths(self) -> Sequence[str]:
        """The JSONPath of every problem, in order."""
        return [p.location for p in self.problems]

    def _render(self) -> str:
        head = f"invalid {self.subject}" if self.subject else "invalid input"
        if len(self.problems) == 1:
            return f"{head}: {self.problems[0]}"
        # The first problems show the pattern; thousands would flood a log line.
        lines = [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        if len(self.problems) > MAX_SHOWN:
            lines.append(f"  and {len(self.problems) - MAX_SHOWN:,} more problems")
        return f"{head}: {len(self.problems):,} problems\n" + "\n".join(lines)

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems, self.subject))
