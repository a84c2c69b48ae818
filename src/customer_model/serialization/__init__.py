"""JSON and plain-dict conversion, strict by default, built on cattrs.

The rules: datetimes are ISO 8601 with an offset (``Z`` accepted) and naive ones
are rejected; enums travel by value; unknown keys are rejected; nothing is
coerced (``"3"`` is not an int, ``1`` is not a string); text must be valid
Unicode (no lone surrogates); :class:`~decimal.Decimal` amounts travel as
strings and round-trip exactly; sets and mapping keys are written sorted so
the same value always gives the same JSON; durations
(:class:`~datetime.timedelta`) are ISO 8601 strings such as ``P90D``.  Every failure is a
:class:`~customer_model.ValidationError` whose problems carry JSONPath locations.

A service with a cattrs converter of its own plugs this library in with
:func:`configure_converter`.  :data:`converter` is the configured
:class:`cattrs.Converter` behind :func:`to_json` and friends; do not register
hooks on it: call :func:`make_converter` for a converter of your own.
"""

from __future__ import annotations

import functools
import json
import math
import sys
import typing
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import StructureHandlerNotFoundError

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._messages import a, type_name
from customer_model.model._text import NOT_UNICODE, is_unicode
from customer_model.serialization._codegen import is_generated, json_encoder
from customer_model.serialization._converter import configure_converter, make_converter
from customer_model.serialization._problems import as_validation_error, format_exception
from customer_model.serialization._repeats import repeat_finder
from customer_model.serialization._repeats import repeats as find_repeats
from customer_model.serialization._scalars import Invalid

__all__ = [
    "MAX_INDENT",
    "as_validation_error",
    "configure_converter",
    "converter",
    "format_exception",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: The configured converter used by :func:`to_json` and friends.
converter: cattrs.Converter = make_converter()


def _subject(cls: Any) -> str:
    """A type as a message names it: ``list[FeedbackItem]``, not ``list``."""
    args = typing.get_args(cls)
    name = getattr(typing.get_origin(cls) or cls, "__name__", None) or str(cls)
    if not args:
        return name.replace("typing.", "")
    return f"{name}[{', '.join('...' if a is Ellipsis else _subject(a) for a in args)}]"


# -- public API ------------------------------------------------------------------


def to_dict(obj: Any) -> Any:
    """Plain JSON-ready data for a model (a dict) or a list of models (a list).

    Other data (a dict holding models, say) is converted alike, and refused
    with a :class:`~customer_model.ValidationError`, as :func:`to_json`
    refuses it, where JSON cannot hold it.
    """
    problem: Problem | None
    try:
        plain = converter.unstructure(obj)
    except RecursionError:  # plain data nested thousands deep; models never are
        problem = Problem((), _TOO_DEEP)
    except (TypeError, ValueError) as e:  # a tuple as a dict key, say
        problem = _unwritable(obj)
        if problem is None:  # not the data's doing: ours, raised as it is
            raise e from None
    else:
        problem = None if _models(obj) else _unwritable(plain)
        if problem is None:
            return plain
    raise ValidationError([problem], _subject(type(obj)))


_TOO_DEEP = "is nested too deeply to convert"


@overload
def from_dict(data: object, cls: type[T]) -> T: ...
@overload
def from_dict(data: object, cls: Any) -> Any: ...
def from_dict(data: object, cls: Any) -> Any:
    """Build *cls* (a model, or ``list[Model]``/``tuple[Model, ...]``) from plain data.

    Other types the converter knows load too, strictly, as parts of a model
    do: ``dict[str, Model]``, ``Model | None``, ``int``, ``dict``...
    *data* has JSON's shapes, as ``json.loads`` returns them: amounts, times
    and vocabulary values are strings, as in JSON text.

    Raises :class:`~customer_model.ValidationError` listing every problem in
    *data*.  A *cls* that is not a type this library can load (a string such
    as ``"Person"``, ``object``) is a programming error, not bad input: it
    raises :class:`TypeError`.
    """
    _check_cls(cls)
    failure: BaseException | None
    try:
        return converter.structure(data, cls)
    except StructureHandlerNotFoundError:
        failure = None
    except RecursionError:  # plain data nested thousands deep
        failure = ValidationError.single((), _TOO_DEEP)
    except Exception as e:
        failure = e
    # Raised here, not in the handler: cattrs' tree (which a __context__ would
    # keep) may hold what the input said.
    if failure is None:
        raise TypeError(_cannot_load(cls))
    if isinstance(failure, ValidationError):
        raise ValidationError(failure.problems, _subject(cls))
    raise as_validation_error(failure, _subject(cls))


def _cannot_load(cls: object) -> str:
    return (
        f"customer-model cannot load {_subject(cls)}: cls must be a model class "
        "such as Person, or list[Model] / tuple[Model, ...]"
    )


def _check_cls(cls: object) -> None:
    if not isinstance(cls, type) and typing.get_origin(cls) is None:
        raise TypeError(
            f"cls must be a model class such as Person, or list[Model] / tuple[Model, ...], "
            f"not {type_name(cls)}"
        )


def _loads(data: str | bytes | bytearray, subject: str, *, hook: Any = None) -> Any:
    """Parse JSON; every problem is a :class:`ValidationError` that names no content."""
    # The error is raised after the handler, so the parser's exception (a
    # JSONDecodeError holds the whole document) is not kept as __context__.
    try:
        return json.loads(data, parse_constant=_reject_constant, object_pairs_hook=hook)
    except (json.JSONDecodeError, Invalid) as e:
        # Its message names the line and column, never the content.
        why = str(e)
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except RecursionError:
        why = "nested too deeply"
    except ValueError:  # the only other failure: an int with too many digits
        why = "a number has too many digits"
    raise ValidationError.single((), f"not valid JSON: {why}", subject)


def _problem_order(problem: Problem) -> tuple[tuple[int, str | int], ...]:
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in problem.path)


def _reject_constant(name: str) -> Any:
    raise Invalid(f"{name} is not valid JSON")


def _make_json_encoder(cls: type[Any]) -> Callable[[Any], str] | None:
    """The generated JSON writer for attrs class *cls* (``None`` for other types)."""
    if not is_generated(converter.get_unstructure_hook(cls), cls):
        return None  # not an attrs class, or one with a hook of its own
    return json_encoder(cls, converter, _json_encoder)


# Generated once per class, like the converter's own hooks.
_json_encoder = typing.cast(
    Callable[[type[Any]], Callable[[Any], str] | None], functools.cache(_make_json_encoder)
)


def _encode_sequence(seq: list[Any] | tuple[Any, ...]) -> str | None:
    parts = []
    last: type[Any] | None = None
    encode: Callable[[Any], str] | None = None
    for item in seq:
        if type(item) is not last:
            last = type(item)
            encode = _json_encoder(last)
            if encode is None:
                return None
        assert encode is not None
        parts.append(encode(item))
    return "[" + ", ".join(parts) + "]"


#: The widest indent to_json writes (the command line's --indent shares it).
MAX_INDENT = 64


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialize a model, or a list of models, to JSON text.

    Output is stable: fields in declaration order, sets sorted, non-ASCII kept.
    A value holding NaN or infinity, a lone surrogate, keys JSON would write
    alike (``1`` and ``"1"``), or something that is neither a model nor plain
    JSON data (a set, say), raises
    :class:`~customer_model.ValidationError` naming where it is.
    *indent* is ``None`` (one line) or a number of spaces from 0 to 64.
    """
    if indent is not None and (type(indent) is not int or not 0 <= indent <= MAX_INDENT):
        raise ValidationError.single(
            "indent", f"must be None or a whole number from 0 to {MAX_INDENT}", "to_json"
        )
    problem: Problem | None
    try:
        text, plain = _to_json(obj, indent)
    except RecursionError:  # plain data nested thousands deep; models never are
        problem = Problem((), _TOO_DEEP)
    except (ValueError, TypeError):
        # What json could not write is found in the data, not in its message;
        # an error the data does not explain is ours, and raised as it is.
        problem = _unwritable_data(obj)
        if problem is None:
            raise
    else:
        # Models refuse lone surrogates and their keys are names; plain data
        # may hold a lone surrogate, or keys JSON writes alike (1 and "1").
        if is_unicode(text) and (plain is None or _models(obj)):
            return text
        problem = _unwritable(converter.unstructure(obj) if plain is None else plain)
        if problem is None:
            return text
    raise ValidationError([problem], _subject(type(obj)))


def _unwritable_data(obj: object) -> Problem | None:
    """What in *obj* JSON cannot hold, found in its plain data or, if it has none, in *obj*."""
    try:
        plain = converter.unstructure(obj)
    except (TypeError, ValueError):  # a tuple as a dict key: unstructured, a list
        plain = obj
    return _unwritable(plain)


def _models(obj: object) -> bool:
    """Whether *obj* is a model or a list or tuple of models (not plain data)."""
    if isinstance(obj, list | tuple):
        return all(attrs.has(type(item)) for item in obj)
    return attrs.has(type(obj))


#: JSON's own values; anything else in plain data cannot be written.
_PLAIN_KEYS = (str, int, float, bool, type(None))


def _unwritable(plain: Any) -> Problem | None:
    """The first value in *plain* that JSON text cannot hold, and where, or ``None``.

    Walked without recursion, each container once (the data may share them).
    """
    seen: set[int] = set()
    stack: list[tuple[Path, Any]] = [((), plain)]
    while stack:
        path, value = stack.pop()
        kind = type(value)
        if isinstance(value, bool) or value is None or attrs.has(kind):
            continue  # a model, as it comes when unstructuring failed, writes itself
        if isinstance(value, str | int | float):
            why = _unwritable_scalar(value)
            if why is not None:
                return Problem(path, why)
        elif isinstance(value, dict | list | tuple):
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, _PLAIN_KEYS):
                        why = f"has {a(type_name(key))} key, which JSON cannot hold"
                        return Problem(path, why)
                    why = _unwritable_scalar(key)
                    if why is not None:
                        return Problem(path, f"has a key that {why}")
                items: list[tuple[str | int, Any]] = [
                    (k if type(k) is str else json.dumps(k), v) for k, v in value.items()
                ]
                if len({k for k, _ in items}) != len(items):  # 1 and "1" are both "1"
                    return Problem(path, "has keys that JSON writes alike (such as 1 and '1')")
            else:
                items = list(enumerate(value))
            stack.extend(((*path, k), v) for k, v in reversed(items))
        else:
            written = _scalar(value)  # a Decimal or a time, when the whole did not unstructure
            if written is None:
                return Problem(path, f"is {a(kind.__name__)}, which JSON cannot hold")
            stack.append((path, written))
    return None


def _unwritable_scalar(value: str | int | float | None) -> str | None:
    """Why JSON text cannot hold the value or key *value*, or ``None`` when it can."""
    if isinstance(value, str):
        return None if is_unicode(value) else NOT_UNICODE
    if isinstance(value, float):
        return None if math.isfinite(value) else "is NaN or infinity, which JSON cannot represent"
    limit = sys.get_int_max_str_digits()
    if isinstance(value, int) and limit and abs(value) >= _power_of_ten(limit):
        return "is an integer with more digits than Python converts to text"
    return None


def _scalar(value: object) -> str | int | float | None:
    """What the converter writes *value* as, if that is a JSON scalar (a Decimal's text)."""
    try:
        written = converter.unstructure(value)
    except Exception:  # anything it cannot write is reported by the caller
        return None
    if written is value or not isinstance(written, str | int | float):
        return None
    return written


@functools.cache
def _power_of_ten(digits: int) -> int:
    return int(10**digits)


def _to_json(obj: Any, indent: int | None) -> tuple[str, Any]:
    """*obj* as JSON text, and the plain data written (None where generated code wrote it)."""
    if indent is None:
        # Models, and lists of them, are written by generated code; the text
        # is the same as json.dumps would give for to_dict(obj).
        encode = _json_encoder(type(obj))
        if encode is not None:
            return encode(obj), None
        if type(obj) in (list, tuple):
            text = _encode_sequence(obj)
            if text is not None:
                return text, None
    # The plain data is a fresh tree of dicts and lists, so it cannot be circular.
    plain = converter.unstructure(obj)
    text = json.dumps(
        plain, ensure_ascii=False, indent=indent, check_circular=False, allow_nan=False
    )
    return text, plain


@overload
def from_json(
    data: str | bytes, cls: type[T], *, repeated_keys: Literal["last", "error"] = "last"
) -> T: ...
@overload
def from_json(
    data: str | bytes, cls: Any, *, repeated_keys: Literal["last", "error"] = "last"
) -> Any: ...
def from_json(
    data: str | bytes, cls: Any, *, repeated_keys: Literal["last", "error"] = "last"
) -> Any:
    """Parse JSON text (or UTF-8 bytes) into *cls*; see :func:`from_dict`.

    An integer longer than Python's limit for converting digits
    (:func:`sys.get_int_max_str_digits`, 4300 by default) is refused like any
    other invalid JSON.

    An object that repeats a key keeps its last value by default, as with
    :func:`json.loads`, pydantic and msgspec.  With ``repeated_keys="error"``
    every such object is a problem of the :class:`ValidationError` (the
    other value would otherwise be lost without a word); checking costs
    5-10 % of the loading time, which is why it is not the default.  The
    command line always checks.
    """
    _check_cls(cls)
    if repeated_keys not in ("last", "error"):
        raise ValidationError.single("repeated_keys", "must be 'last' or 'error'", _subject(cls))
    if not isinstance(data, str | bytes | bytearray):
        raise ValidationError.single(
            (), f"expected JSON text, not {type_name(data)}", _subject(cls)
        )
    if repeated_keys == "last":
        return from_dict(_loads(data, _subject(cls)), cls)
    hook, found = repeat_finder()
    raw = _loads(data, _subject(cls), hook=hook)
    repeats = find_repeats(raw, found, cls)
    if not repeats:
        return from_dict(raw, cls)
    # Report the repeats with every other problem, so one round of fixes is enough.
    try:
        from_dict(raw, cls)
    except ValidationError as e:
        # Where loading found a problem, a repeated key may be one it refuses.
        refused = {p.path for p in e.problems}
        repeats = [*find_repeats(raw, found, cls, refused), *e.problems]
    raise ValidationError(sorted(repeats, key=_problem_order), _subject(cls))
