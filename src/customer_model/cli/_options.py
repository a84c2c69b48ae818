"""The command line's option values: each read from its text, or refused in one line.

Each is an argparse ``type``: a bad value raises ``ArgumentTypeError`` with
what the value must be, which argparse reports as a usage error (status 2).
:class:`Parser` reports every usage error on one line without repeating what
was typed (a value may be personal data): the option and what it takes.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, NoReturn

from customer_model.model._moments import in_utc_range

__all__ = ["BAD_INPUT", "Parser", "amount", "as_of", "count", "indent", "seed", "start"]

#: Exit status for bad input or bad usage (argparse uses it too).
BAD_INPUT = 2

#: What an option's name looks like (``-h``, ``--as-of``); anything else typed is a value.
_OPTION = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]*")


def _option_name(typed: str) -> str | None:
    """The option name *typed* starts with (before any ``=value``), if it is one."""
    name = typed.partition("=")[0]
    return name if _OPTION.fullmatch(name) else None


def unrecognized(extras: Sequence[str]) -> str:
    """What is said of arguments no command takes: option names, and a count of the rest.

    An argument that is not an option's name may be a value someone typed
    (a file name, an email address), so it is counted, never shown.
    """
    names = [n for n in map(_option_name, extras) if n is not None]
    values = len(extras) - len(names)
    said = []
    if names:
        said.append(f"unrecognized option{'s' if len(names) > 1 else ''}: {', '.join(names)}")
    if values:
        said.append(f"{values} unexpected argument{'s' if values > 1 else ''} (not repeated here)")
    return "; ".join(said)


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error on stderr (no usage block), exit status 2.

    No message repeats a value as typed: a bad choice names the option and
    its choices, a bad value the option and what it must be.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"{self.prog}: {_untyped(message)} (see {self.prog} --help)\n")

    def parse_args(  # type: ignore[override]  # typeshed's overloads, one body
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> Any:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:  # said without the values typed, by the command that was given them
            self._chosen(parsed).error(unrecognized(extras))
        return parsed

    def _chosen(self, parsed: argparse.Namespace) -> argparse.ArgumentParser:
        """The (sub)command parser *parsed* went to: its ``--help`` tells what it takes."""
        parser: argparse.ArgumentParser = self
        while True:
            commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
            chosen = getattr(parsed, commands[0].dest, None) if commands else None
            if chosen is None or chosen not in commands[0].choices:
                return parser
            parser = commands[0].choices[chosen]

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(repr, action.choices))
            raise argparse.ArgumentError(action, f"must be one of {choices}")

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        try:
            return super()._get_value(action, arg_string)
        except argparse.ArgumentError as e:
            if isinstance(e.__context__, argparse.ArgumentTypeError | None):
                raise  # our types' messages say what the value must be, never the value
            name = getattr(action.type, "__name__", "valid")
            said = f"invalid {name} value (not repeated here)"
            raise argparse.ArgumentError(action, said) from None


def _untyped(message: str) -> str:
    """argparse's own *message* without the typed text it repeats (the rest as it is)."""
    head, sep, _ = message.partition(": ignored explicit argument ")
    if sep:  # `--help=x`
        return f"{head}: takes no value"
    if message.startswith("ambiguous option: ") and " could match " in message:
        typed, _, matches = message.removeprefix("ambiguous option: ").rpartition(" could match ")
        name = _option_name(typed)
        return f"ambiguous option{' ' + name if name else ''}: could match {matches}"
    return message


def as_of(text: str) -> datetime:
    """``--as-of``: an ISO date (the end of that day, UTC) or a datetime with an offset.

    A bare date means "as of that day", so the day's own feedback counts.
    """
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), datetime.max.time(), UTC)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "must be an ISO 8601 date (2025-06-30) or datetime with an offset"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError("must carry a UTC offset such as Z or +02:00")
    if not in_utc_range(value):  # told here, not as a problem of the data file
        raise argparse.ArgumentTypeError("must fall within years 1 to 9999 in UTC")
    return value


def start(text: str) -> datetime:
    """``--start``: an ISO date (the first moment of that day, UTC) or a datetime with an offset.

    Data starts at the day's beginning, not at its end as ``--as-of`` reads a date.
    """
    if len(text) == 10:
        return as_of(text).replace(hour=0, minute=0, second=0, microsecond=0)
    return as_of(text)


def _whole(text: str, least: int, most: int | None = None) -> int:
    """The whole number *text* spells, from *least* (to *most*, if given)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if most is not None and not least <= value <= most:
        raise argparse.ArgumentTypeError(f"must be from {least} to {most}")
    if value < least:
        raise argparse.ArgumentTypeError(f"must be {least} or more")
    return value


def count(text: str) -> int:
    return _whole(text, 1)


def amount(text: str) -> int:
    return _whole(text, 0)


def indent(text: str) -> int:
    from customer_model.serialization import MAX_INDENT

    return _whole(text, 0, MAX_INDENT)


def seed(text: str) -> int:
    return _whole(text, 0)  # random.Random(-1) repeats random.Random(1)
