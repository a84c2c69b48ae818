"""JSON and plain-dict conversion, strict by default, built on cattrs.

The rules: datetimes are ISO 8601 with an offset (``Z`` accepted) and naive ones
are rejected; enums travel by value; unknown keys are rejected; nothing is
coerced (``"3"`` is not an int, ``1`` is not a string); :class:`~decimal.Decimal`
amounts travel as strings and round-trip exactly; sets are written sorted so the
same value always gives the same JSON.  Every failure is a
:class:`~customer_model.ValidationError` whose problems carry JSONPath locations.

:data:`converter` is the configured :class:`cattrs.Converter`.  Use it in your
own converter (for example with ``converter.get_structure_hook(Customer)``),
but do not register hooks on it: call :func:`make_converter` for a converter of
your own.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import MappingProxyType
from typing import Any, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    StructureHandlerNotFoundError,
)

from customer_model._hooks import (
    EnumStructureHook,
    enum_value,
    is_generated,
    json_encoder,
    sequence_unstructure_hook,
    structure_hook,
    unstructure_hook,
)
from customer_model._validation import is_aware, type_name
from customer_model.errors import Path, Problem, ValidationError
from customer_model.rules import register_hooks as _register_rule_hooks

__all__ = ["converter", "from_dict", "from_json", "make_converter", "to_dict", "to_json"]

T = TypeVar("T")


class _Invalid(ValueError):
    """A problem found by one of our hooks; its message is safe to show."""


class _Nested(Exception):
    """Problems found inside a collection, by position."""

    def __init__(self, errors: list[tuple[int, BaseException]]) -> None:
        super().__init__(f"{len(errors)} invalid element(s)")
        self.errors = errors


# -- scalar hooks --------------------------------------------------------------


def _structure_str(value: object, _: object) -> str:
    if type(value) is not str:
        raise _Invalid(f"must be a string, not {_json_type(value)}")
    return value


def _structure_int(value: object, _: object) -> int:
    if type(value) is not int:
        raise _Invalid(f"must be an integer, not {_json_type(value)}")
    return value


def _structure_float(value: object, _: object) -> float:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    raise _Invalid(f"must be a number, not {_json_type(value)}")


def _structure_bool(value: object, _: object) -> bool:
    if type(value) is not bool:
        raise _Invalid(f"must be true or false, not {_json_type(value)}")
    return value


def _structure_decimal(value: object, _: object) -> Decimal:
    if type(value) is int:
        return Decimal(value)
    if type(value) is not str:
        raise _Invalid(f'must be a decimal string such as "12.50", not {_json_type(value)}')
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise _Invalid('must be a decimal string such as "12.50"') from None
    if not result.is_finite():
        raise _Invalid("must be a finite amount")
    return result


def _structure_date(value: object, _: object) -> date:
    if type(value) is not str:
        raise _Invalid(f"must be an ISO 8601 date string (YYYY-MM-DD), not {_json_type(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Invalid("must be an ISO 8601 date (YYYY-MM-DD)") from None


def _datetime_hook(naive_timezone: tzinfo | None) -> Callable[[object, object], datetime]:
    def structure_datetime(value: object, _: object) -> datetime:
        if type(value) is not str:
            raise _Invalid(f"must be an ISO 8601 datetime string, not {_json_type(value)}")
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            raise _Invalid("must be an ISO 8601 datetime with an offset") from None
        if not is_aware(result):
            if naive_timezone is None:
                raise _Invalid("must carry a UTC offset such as Z or +02:00 (naive datetime)")
            result = result.replace(tzinfo=naive_timezone)
        return result

    return structure_datetime


# -- collection hooks ----------------------------------------------------------


def _is_sequence(t: Any) -> bool:
    origin = typing.get_origin(t)
    if origin is list:
        return True
    if origin is tuple:
        args = typing.get_args(t)
        return len(args) == 2 and args[1] is Ellipsis
    return False


def _structure_items(value: object, item_hook: Callable[[Any, Any], Any], elem: Any) -> list[Any]:
    """Structure every element of a JSON array, collecting failures by index."""
    if type(value) is not list:
        raise _Invalid(f"must be an array, not {_json_type(value)}")
    out = []
    errors: list[tuple[int, BaseException]] = []
    for i, item in enumerate(value):
        try:
            out.append(item_hook(item, elem))
        except Exception as e:
            errors.append((i, e))
    if errors:
        raise _Nested(errors)
    return out


def _sequence_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    elem = typing.get_args(t)[0]
    make = list if typing.get_origin(t) is list else tuple
    item_hook = conv.get_structure_hook(elem)

    def structure_sequence(value: object, _: object) -> Any:
        return make(_structure_items(value, item_hook, elem))

    return structure_sequence


def _is_frozenset(t: Any) -> bool:
    return typing.get_origin(t) in (frozenset, set)


def _set_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    elem = typing.get_args(t)[0]
    item_hook = conv.get_structure_hook(elem)

    def structure_set(value: object, _: object) -> Any:
        items = _structure_items(value, item_hook, elem)
        result = frozenset(items)
        if len(result) != len(items):
            raise _Invalid("must not repeat an element (it is a set)")
        return result

    return structure_set


def _unstructure_set(value: frozenset[Any]) -> list[Any]:
    items = [v.value if isinstance(v, Enum) else v for v in value]
    return sorted(items)


def _not_an_object(cls: type[Any]) -> Callable[[object], Exception]:
    def error(value: object) -> Exception:
        return _Invalid(f"must be an object ({cls.__name__}), not {_json_type(value)}")

    return error


# Our scalar hooks that accept exactly one type, unchanged: the generated class
# hooks check these inline with ``type(x) is T``.
_EXACT_TYPES: Mapping[Any, type[Any]] = MappingProxyType(
    {_structure_str: str, _structure_int: int, _structure_bool: bool}
)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Enum)


def make_converter(
    *, forbid_extra_keys: bool = True, naive_timezone: tzinfo | None = None
) -> cattrs.Converter:
    """A new converter with this library's hooks.

    The defaults are strict.  To load leniently, pass ``forbid_extra_keys=False``
    to ignore unknown keys, or a ``naive_timezone`` (such as
    :data:`datetime.UTC`) to read naive datetimes as being in that zone.  Type
    checks are never relaxed: the models themselves refuse wrong types.
    """
    conv = cattrs.Converter(forbid_extra_keys=forbid_extra_keys, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(datetime, _datetime_hook(naive_timezone))
    conv.register_structure_hook_factory(_is_enum, lambda t: EnumStructureHook(t, _Invalid))
    conv.register_structure_hook_factory(_is_sequence, lambda t: _sequence_hook(t, conv))
    conv.register_structure_hook_factory(_is_frozenset, lambda t: _set_hook(t, conv))
    conv.register_structure_hook_factory(
        attrs.has,
        lambda t: structure_hook(
            t,
            conv,
            forbid_extra_keys=forbid_extra_keys,
            exact=_EXACT_TYPES,
            not_an_object=_not_an_object(t),
        ),
    )

    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook_factory(_is_frozenset, lambda _: _unstructure_set)
    conv.register_unstructure_hook(frozenset, _unstructure_set)
    conv.register_unstructure_hook_factory(_is_enum, lambda _: enum_value)
    conv.register_unstructure_hook_factory(attrs.has, lambda t: unstructure_hook(t, conv))
    conv.register_unstructure_hook_func(
        lambda t: t in (list, tuple), sequence_unstructure_hook(conv)
    )
    # Segment rules are a tagged union ({"op": ...}) whose value types depend on
    # the field; registered last so it wins over the generic attrs hooks.
    _register_rule_hooks(conv)
    return conv


#: The configured converter used by :func:`to_json` and friends.
converter: cattrs.Converter = make_converter()


# -- errors ----------------------------------------------------------------------


def _json_type(value: object) -> str:
    names = {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "an array",
        dict: "an object",
        type(None): "null",
    }
    return names.get(type(value), type_name(value))


def _collect(exc: BaseException, path: Path, out: list[Problem]) -> None:
    if isinstance(exc, ValidationError):
        out.extend(p.under(path) for p in exc.problems)
    elif isinstance(exc, _Nested):
        for index, sub in exc.errors:
            _collect(sub, (*path, index), out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        keys = ", ".join(repr(k) for k in sorted(exc.extra_fields))
        out.append(Problem(path, f"unknown field(s): {keys}"))
    elif isinstance(exc, ClassValidationError | IterableValidationError):
        with_notes, without = exc.group_exceptions()
        for sub, note in with_notes:
            part: str | int = note.name if isinstance(note, AttributeValidationNote) else note.index
            sub_path: Path = (*path, part)
            if type(sub) is KeyError:
                out.append(Problem(sub_path, "is required"))
            else:
                _collect(sub, sub_path, out)
        for sub in without:
            _collect(sub, path, out)
    elif isinstance(exc, _Invalid):
        out.append(Problem(path, str(exc)))
    else:
        out.append(Problem(path, f"is invalid ({type_name(exc)})"))


def _as_validation_error(exc: Exception, subject: str) -> ValidationError:
    problems: list[Problem] = []
    _collect(exc, (), problems)
    return ValidationError(problems, subject)


def _subject(cls: Any) -> str:
    return getattr(cls, "__name__", None) or str(cls).replace("typing.", "")


# -- public API ------------------------------------------------------------------


def to_dict(obj: Any) -> Any:
    """Plain JSON-ready data for a model (a dict) or a list of models (a list)."""
    return converter.unstructure(obj)


@overload
def from_dict(data: object, cls: type[T]) -> T: ...
@overload
def from_dict(data: object, cls: Any) -> Any: ...
def from_dict(data: object, cls: Any) -> Any:
    """Build *cls* (a model, or ``list[Model]``/``tuple[Model, ...]``) from plain data.

    Raises :class:`~customer_model.ValidationError` listing every problem.
    """
    try:
        return converter.structure(data, cls)
    except StructureHandlerNotFoundError:
        raise TypeError(f"customer-model cannot load {_subject(cls)}") from None
    except ValidationError as e:
        raise ValidationError(e.problems, _subject(cls)) from None
    except Exception as e:
        raise _as_validation_error(e, _subject(cls)) from None


def _reject_constant(name: str) -> Any:
    raise _Invalid(f"{name} is not valid JSON")


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


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialize a model, or a list of models, to JSON text.

    Output is stable: fields in declaration order, sets sorted, non-ASCII kept.
    """
    if indent is None:
        # Models, and lists of them, are written by generated code; the text
        # is the same as json.dumps would give for to_dict(obj).
        encode = _json_encoder(type(obj))
        if encode is not None:
            return encode(obj)
        if type(obj) in (list, tuple):
            text = _encode_sequence(obj)
            if text is not None:
                return text
    # The plain data is a fresh tree of dicts and lists, so it cannot be circular.
    return json.dumps(
        converter.unstructure(obj), ensure_ascii=False, indent=indent, check_circular=False
    )


@overload
def from_json(data: str | bytes, cls: type[T]) -> T: ...
@overload
def from_json(data: str | bytes, cls: Any) -> Any: ...
def from_json(data: str | bytes, cls: Any) -> Any:
    """Parse JSON text (or UTF-8 bytes) into *cls*; see :func:`from_dict`."""
    if not isinstance(data, str | bytes | bytearray):
        raise ValidationError.single(
            (), f"expected JSON text, not {type_name(data)}", _subject(cls)
        )
    try:
        raw = json.loads(data, parse_constant=_reject_constant)
    except (json.JSONDecodeError, _Invalid) as e:
        # JSONDecodeError names the line and column, never the content.
        raise ValidationError.single((), f"not valid JSON: {e}", _subject(cls)) from None
    except UnicodeDecodeError:
        raise ValidationError.single((), "not valid JSON: not UTF-8 text", _subject(cls)) from None
    except RecursionError:
        raise ValidationError.single(
            (), "not valid JSON: nested too deeply", _subject(cls)
        ) from None
    return from_dict(raw, cls)
