"""From cattrs' exception trees to :class:`~customer_model.ValidationError` problems.

Only data errors become problems.  A programmer error anywhere in the tree (a
missing hook, an ``AttributeError`` in a hook) is the server's bug, not bad
input, so it propagates as it is.  No problem repeats an input value or an
unknown key: either may be personal data.
"""

from __future__ import annotations

from collections.abc import Collection

import cattrs.v
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._messages import type_name
from customer_model.serialization._collections import NotItemized
from customer_model.serialization._scalars import Invalid

__all__ = [
    "UnknownFields",
    "as_validation_error",
    "format_exception",
    "is_data_error",
    "unknown_fields",
]

#: What bad input makes hooks raise: attrs validators and cattrs' own hooks
#: raise TypeError and ValueError, lookups by value KeyError.
_DATA_ERRORS = (ValueError, TypeError, LookupError, ForbiddenExtraKeysError)

#: Keys longer than this are never compared with field names (difflib is quadratic).
_LONGEST_COMPARED = 64


class UnknownFields(ForbiddenExtraKeysError):
    """Keys a class does not have: how many, never which (a key may be personal data).

    ``extra_fields`` is empty for that reason.  When a key looks like a
    misspelt field, the message names the field (the class's own word).
    """

    def __init__(
        self,
        cl: type,
        keys: Collection[object],
        fields: Collection[str],
        present: Collection[object] = (),
    ) -> None:
        super().__init__(unknown_fields(keys, fields, present), cl, set())
        self.count = len(keys)


def unknown_fields(
    keys: Collection[object], fields: Collection[str], present: Collection[object] = ()
) -> str:
    """What to say of *keys* that are none of *fields*: how many, and which field one may mean.

    A field already *present* in the input is not suggested.
    """
    count = len(keys)
    message = f"has {count} unknown field{'' if count == 1 else 's'}"
    guesses = _likely_meant(keys, [f for f in fields if f not in present])
    if guesses:
        message += f" (did you mean {' or '.join(map(repr, guesses))}?)"
    return message


def _likely_meant(keys: Collection[object], fields: list[str]) -> list[str]:
    """The fields some of *keys* look like misspellings of, in field order."""
    meant: set[str] = set()
    for i, key in enumerate(keys):
        if i == 20:  # enough for a hint; an attacker may send thousands
            break
        if type(key) is str and len(key) <= _LONGEST_COMPARED:
            import difflib  # only when a key is unknown: it costs ~2.5 ms to import

            meant.update(difflib.get_close_matches(key, fields, n=1, cutoff=0.8))
    return [f for f in fields if f in meant]


def is_data_error(exc: BaseException) -> bool:
    """Whether *exc* (and every exception in it, for a group) is about the input."""
    if isinstance(exc, BaseExceptionGroup):
        return all(map(is_data_error, exc.exceptions))
    return isinstance(exc, _DATA_ERRORS)


def _collect(exc: BaseException, path: Path, out: list[Problem]) -> None:
    if isinstance(exc, ValidationError):
        out.extend(p.under(path) for p in exc.problems)
    elif isinstance(exc, UnknownFields):
        out.append(Problem(path, str(exc)))
    elif isinstance(exc, ForbiddenExtraKeysError):  # cattrs' own: its message names the keys
        count = len(exc.extra_fields)
        out.append(Problem(path, f"has {count} unknown field{'' if count == 1 else 's'}"))
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        # The count of bad elements first: the itemized ones follow it.
        out.extend(Problem(path, str(sub)) for sub in without if isinstance(sub, NotItemized))
        without = [sub for sub in without if not isinstance(sub, NotItemized)]
        for sub, note in with_notes:
            part: str | int = note.name if isinstance(note, AttributeValidationNote) else note.index
            sub_path: Path = (*path, part)
            if type(sub) is KeyError:
                out.append(Problem(sub_path, "is required"))
            else:
                _collect(sub, sub_path, out)
        for sub in without:
            _collect(sub, path, out)
    elif isinstance(exc, Invalid):
        out.append(Problem(path, str(exc)))
    elif isinstance(exc, BaseExceptionGroup):  # what ``except*`` hands over
        for member in exc.exceptions:
            _collect(member, path, out)
    else:
        out.append(Problem(path, f"is invalid ({type_name(exc)})"))


def format_exception(exc: BaseException, type: type | None) -> str:
    """cattrs' default exception formatter, in this library's words where it has them.

    Pass it to :func:`cattrs.transform_error` as ``format_exception``.
    Unknown keys are counted (``has 1 unknown field``), where cattrs' own
    formatter would list them and, as this library never keeps them (a key
    may be personal data), says ``extra fields found ()``; a value the
    library's hooks refuse says why (``must be timezone-aware ...``) rather
    than ``invalid value``; a model's own refusal lists its problems, their
    paths relative to the model (``$.id: must not be blank @ $.items[0]``).
    Where cattrs' words would repeat what an exception says (its own
    ``ForbiddenExtraKeysError`` lists the keys; another error is shown with
    its message), the keys are counted and the error is named by its type,
    as :func:`as_validation_error` does.  None of them repeats the input.
    """
    if not isinstance(exc, BaseException):  # cattrs gives one; a direct call may not
        raise ValidationError.single(
            "exc", f"must be an exception, not {type_name(exc)}", "format_exception"
        )
    if isinstance(exc, UnknownFields | Invalid):
        return str(exc)
    if isinstance(exc, ValidationError):
        return "; ".join(map(str, exc.problems))
    if isinstance(exc, ForbiddenExtraKeysError):  # cattrs' own: its message names the keys
        count = len(exc.extra_fields)
        return f"has {count} unknown field{'' if count == 1 else 's'}"
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else ""
    if (
        isinstance(exc, KeyError | ValueError)
        or (isinstance(exc, TypeError) and (type is not None or first.endswith("not iterable")))
        or (isinstance(exc, AttributeError) and first.endswith("no attribute 'items'"))
    ):
        return cattrs.v.format_exception(exc, type)  # words that repeat nothing
    return f"is invalid ({type_name(exc)})"


def as_validation_error(exc: BaseException, subject: str = "input") -> ValidationError:
    """What a converter's structuring error means, as this library's :class:`ValidationError`.

    For services that reuse this library's hooks in their own cattrs
    converter: the hooks raise cattrs' exception trees, which this turns into
    every problem with its JSONPath location and the library's messages (the
    ones :func:`from_dict` gives).  Data errors this library does not know
    (a ``ValueError`` from a service's own hook) become a problem that names
    only their type, never their message (it may repeat input).

    Only data errors are turned: if *exc* holds anything else, such as
    cattrs' ``StructureHandlerNotFoundError`` for a type the converter has no
    hook for, that is a bug in the service, not bad input, and *exc* itself
    is raised again.
    """
    if not isinstance(exc, BaseException):
        raise ValidationError.single(
            "exc", f"must be an exception, not {type_name(exc)}", "as_validation_error"
        )
    if type(subject) is not str or not subject.strip():
        raise ValidationError.single("subject", "must be a non-blank string", "as_validation_error")
    if not is_data_error(exc):
        raise exc
    problems: list[Problem] = []
    _collect(exc, (), problems)
    return ValidationError(problems, subject)
