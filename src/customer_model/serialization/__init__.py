"""JSON and plain-dict conversion, strict by default, built on cattrs.

The rules: datetimes are ISO 8601 with an offset (``Z`` accepted) and naive ones
are rejected; enums travel by value; unknown keys are rejected; nothing is
coerced (``"3"`` is not an int, ``1`` is not a string); :class:`~decimal.Decimal`
amounts travel as strings and round-trip exactly; sets and mapping keys are
written sorted so the same value always gives the same JSON; durations
(:class:`~datetime.timedelta`) are ISO 8601 strings such as ``P90D``.  Every failure is a
:class:`~customer_model.ValidationError` whose problems carry JSONPath locations.

:data:`converter` is the configured :class:`cattrs.Converter`.  Use it in your
own converter (for example with ``converter.get_structure_hook(Customer)``),
but do not register hooks on it: call :func:`make_converter` for a converter of
your own.
"""

from __future__ import annotations

import collections.abc
import functools
import json
import re
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from enum import Enum
from types import MappingProxyType
from typing import Any, Literal, TypeVar, overload

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
    IterableValidationNote,
    StructureHandlerNotFoundError,
)
from cattrs.fns import identity

from customer_model.errors import Path, Problem, ValidationError
from customer_model.model._frozenmap import key_order
from customer_model.model._validation import (
    TOO_FINE,
    Checker,
    finer_than_microseconds,
    is_aware,
    type_name,
)
from customer_model.serialization._codegen import (
    EnumStructureHook,
    enum_value,
    is_generated,
    json_encoder,
    sequence_unstructure_hook,
    structure_hook,
    unstructure_hook,
)
from customer_model.serialization._rule_json import register_hooks as _register_rule_hooks

__all__ = [
    "as_validation_error",
    "converter",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")


class _Invalid(ValueError):
    """A problem found by one of our hooks; its message is safe to show."""


#: One bad element: its index (or key), the error, the type it should have
#: had, and what it is (cattrs' words: ``"iterable @ index"``, ``"mapping key
#: @ key"`` or ``"mapping value @ key"``).
_Failure = tuple[int | str, Exception, Any, str]
_AT_INDEX = "iterable @ index"


def _nested(
    failures: Sequence[_Failure], t: Any, unplaced: Sequence[Exception] = ()
) -> IterableValidationError:
    """Problems found inside a collection of type *t*, by position (or key in a mapping).

    cattrs' own error type, with an :class:`~cattrs.errors.IterableValidationNote`
    per element, so a service using the converter directly can walk the tree
    (``except*``, :func:`cattrs.transform_error`) down to the element.
    *unplaced* problems belong to the collection itself.
    """
    excs = []
    for index, exc, of, what in failures:
        exc.add_note(IterableValidationNote(f"Structuring {what} {index!r}", index, of))
        excs.append(exc)
    return IterableValidationError(f"While structuring {_subject(t)}", [*excs, *unplaced], t)


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
        try:
            return float(value)
        except OverflowError:
            raise _Invalid("must be a number within the range of a float") from None
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
        result = None
    if result is None:  # raised here, not in the handler: no input in __context__
        raise _Invalid('must be a decimal string such as "12.50"')
    if not result.is_finite():
        raise _Invalid("must be a finite amount")
    return result


def _structure_date(value: object, _: object) -> date:
    if type(value) is not str:
        raise _Invalid(f"must be an ISO 8601 date string (YYYY-MM-DD), not {_json_type(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass  # its message repeats the input; raise ours outside the handler
    raise _Invalid("must be an ISO 8601 date (YYYY-MM-DD)")


def _datetime_hook(
    naive_timezone: tzinfo | None, *, truncate: bool = False
) -> Callable[[object, object], datetime]:
    def structure_datetime(value: object, _: object) -> datetime:
        if type(value) is not str:
            raise _Invalid(f"must be an ISO 8601 datetime string, not {_json_type(value)}")
        try:
            result = datetime.fromisoformat(value)
        except ValueError:
            result = None  # its message repeats the input; raise ours outside the handler
        if result is None:
            raise _Invalid("must be an ISO 8601 datetime with an offset")
        # A seventh fractional digit would be cut off without a word.
        if not truncate and finer_than_microseconds(value):
            raise _Invalid(TOO_FINE)
        if not is_aware(result):
            if naive_timezone is None:
                raise _Invalid("must carry a UTC offset such as Z or +02:00 (naive datetime)")
            result = result.replace(tzinfo=naive_timezone)
        return result

    return structure_datetime


# -- collection hooks ----------------------------------------------------------


# Each array type and what it builds, as cattrs does: a bare string is never
# read as an array of characters.
_SEQUENCES: Mapping[Any, type[Any]] = MappingProxyType(
    {
        list: list,
        collections.abc.MutableSequence: list,
        collections.abc.Sequence: tuple,
        tuple: tuple,
    }
)
_SETS: Mapping[Any, type[Any]] = MappingProxyType(
    {
        frozenset: frozenset,
        collections.abc.Set: frozenset,
        set: set,
        collections.abc.MutableSet: set,
    }
)


def _is_sequence(t: Any) -> bool:
    origin = typing.get_origin(t)
    if origin is tuple:
        args = typing.get_args(t)
        return len(args) == 2 and args[1] is Ellipsis
    return origin in _SEQUENCES and len(typing.get_args(t)) == 1


def _is_fixed_tuple(t: Any) -> bool:
    """``tuple[int, str]``: one type per position (``tuple[()]`` is the empty tuple)."""
    return typing.get_origin(t) is tuple and not _is_sequence(t)


def _fixed_tuple_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    types = typing.get_args(t)
    hooks = [conv.get_structure_hook(arg) for arg in types]

    def structure_fixed_tuple(value: object, _: object) -> Any:
        if type(value) is not list:
            raise _Invalid(f"must be an array, not {_json_type(value)}")
        if len(value) != len(types):
            raise _Invalid(f"must be an array of exactly {len(types)} element(s)")
        out = []
        errors: list[_Failure] = []
        for i, (item, hook, arg) in enumerate(zip(value, hooks, types, strict=True)):
            try:
                out.append(hook(item, arg))
            except Exception as e:
                errors.append((i, e, arg, _AT_INDEX))
        if errors:
            raise _nested(errors, t)
        return tuple(out)

    return structure_fixed_tuple


def _is_literal(t: Any) -> bool:
    return typing.get_origin(t) is typing.Literal


def _literal_hook(t: Any) -> Callable[[object, object], Any]:
    # Exact types: True is not the literal 1, nor 1 the literal True.
    allowed = [(v.value if isinstance(v, Enum) else v, v) for v in typing.get_args(t)]
    message = "must be one of " + ", ".join(json.dumps(plain) for plain, _ in allowed)

    def structure_literal(value: object, _: object) -> Any:
        for plain, member in allowed:
            if type(value) is type(plain) and value == plain:
                return member
        raise _Invalid(message)

    return structure_literal


def _structure_items(
    value: object, item_hook: Callable[[Any, Any], Any], elem: Any, t: Any
) -> list[Any]:
    """Structure every element of a JSON array, collecting failures by index."""
    if type(value) is not list:
        raise _Invalid(f"must be an array, not {_json_type(value)}")
    out = []
    errors: list[_Failure] = []
    for i, item in enumerate(value):
        try:
            out.append(item_hook(item, elem))
        except Exception as e:
            errors.append((i, e, elem, _AT_INDEX))
    if errors:
        raise _nested(errors, t)
    return out


def _sequence_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    elem = typing.get_args(t)[0]
    make = _SEQUENCES[typing.get_origin(t)]
    item_hook = conv.get_structure_hook(elem)

    def structure_sequence(value: object, _: object) -> Any:
        return make(_structure_items(value, item_hook, elem, t))

    return structure_sequence


def _is_frozenset(t: Any) -> bool:
    return typing.get_origin(t) in _SETS and len(typing.get_args(t)) == 1


def _set_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    elem = typing.get_args(t)[0]
    make = _SETS[typing.get_origin(t)]
    item_hook = conv.get_structure_hook(elem)

    def structure_set(value: object, _: object) -> Any:
        items = _structure_items(value, item_hook, elem, t)
        result = make(items)
        if len(result) != len(items):
            raise _Invalid("must not repeat an element (it is a set)")
        return result

    return structure_set


_DURATION = re.compile(
    # ASCII digits and \Z: \d takes any script's digits and $ a final newline.
    r"^(-)?P(?:([0-9]+)W)?(?:([0-9]+)D)?"
    r"(?:T(?:([0-9]+)H)?(?:([0-9]+)M)?(?:([0-9]+)(?:\.([0-9]{1,6}))?S)?)?\Z"
)
_DURATION_RULE = (
    "must be an ISO 8601 duration in weeks, days, hours, minutes and seconds, "
    "such as P90D or PT12H30M (years and months are ambiguous, so refused)"
)


def _structure_timedelta(value: object, _: object) -> timedelta:
    if type(value) is not str:
        raise _Invalid(f"{_DURATION_RULE}; got {_json_type(value)}")
    match = _DURATION.match(value)
    if match is None or value.endswith(("P", "T")):
        raise _Invalid(_DURATION_RULE)
    sign, weeks, days, hours, minutes, seconds, fraction = match.groups()
    try:
        result = timedelta(
            weeks=int(weeks or 0),
            days=int(days or 0),
            hours=int(hours or 0),
            minutes=int(minutes or 0),
            seconds=int(seconds or 0),
            microseconds=int((fraction or "0").ljust(6, "0")),
        )
    except OverflowError:
        raise _Invalid("must be a duration of at most 999999999 days") from None
    return -result if sign else result


def _unstructure_timedelta(value: timedelta) -> str:
    """Canonical ISO 8601 duration: days, then seconds (with microseconds if any)."""
    micros = value // timedelta(microseconds=1)  # an int: no overflow for timedelta.min
    sign = "-" if micros < 0 else ""
    days, rest = divmod(abs(micros), 86_400_000_000)
    seconds, fraction = divmod(rest, 1_000_000)
    out = f"{sign}P"
    if days:
        out += f"{days}D"
    if rest or not days:
        digits = f".{fraction:06d}".rstrip("0") if fraction else ""
        out += f"T{seconds}{digits}S"
    return out


_MAPPINGS = (dict, collections.abc.Mapping, typing.Mapping)


def _is_mapping(t: Any) -> bool:
    return typing.get_origin(t) in _MAPPINGS and len(typing.get_args(t)) == 2


def _mapping_hook(t: Any, conv: cattrs.Converter) -> Callable[[object, object], Any]:
    """JSON objects only; keys (always strings in JSON) go through the key type's hook."""
    key_type, value_type = typing.get_args(t)
    key_hook = conv.get_structure_hook(key_type)
    value_hook = conv.get_structure_hook(value_type)
    int_keys = key_hook is _structure_int

    def structure_mapping(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise _Invalid(f"must be an object, not {_json_type(value)}")
        out = {}
        errors: list[_Failure] = []
        unplaced: list[Exception] = []
        for raw_key, raw_value in value.items():
            try:
                if int_keys and type(raw_key) is str and _INT_KEY.match(raw_key):
                    key = int(raw_key)  # JSON writes int keys as strings
                else:
                    key = key_hook(raw_key, key_type)
            except Exception as e:
                # Only our own messages are safe to repeat: another hook's may quote the key.
                why = f": {e}" if isinstance(e, _Invalid) else f" ({type_name(e)})"
                if type(raw_key) is str:
                    problem = _Invalid(f"is not an allowed key{why}")
                    errors.append((raw_key, problem, key_type, "mapping key @ key"))
                else:  # from YAML, msgpack or code; a path part must be a string
                    unplaced.append(_Invalid(f"has a key that is not allowed{why}"))
                continue
            try:
                out[key] = value_hook(raw_value, value_type)
            except Exception as e:
                errors.append((raw_key, e, value_type, "mapping value @ key"))
        if errors or unplaced:
            raise _nested(errors, t, unplaced)
        return out

    return structure_mapping


#: An int key as JSON writes it: canonical decimal digits (no "+", "-0" or "007").
_INT_KEY = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")


def _unstructure_mapping_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    """Plain dicts with keys in canonical (sorted) order, so equal maps give equal JSON."""
    key_type, value_type = typing.get_args(t)

    def unstructure_mapping(value: Any) -> dict[Any, Any]:
        pairs = sorted(value.items(), key=lambda kv: key_order(kv[0]))
        return {conv.unstructure(k, key_type): conv.unstructure(v, value_type) for k, v in pairs}

    return unstructure_mapping


def _sorted_plain(items: list[Any]) -> list[Any]:
    """Plain set elements in canonical order: natural order, else by their JSON text."""
    try:
        return sorted(items)
    except TypeError:  # objects (models), or mixed types
        return sorted(items, key=_canonical_text)


def _canonical_text(item: Any) -> str:
    return json.dumps(item, sort_keys=True, ensure_ascii=False, default=repr)


def _unstructure_set(value: frozenset[Any]) -> list[Any]:
    """A set of strings or enum members (the models' own sets), sorted."""
    return _sorted_plain([v.value if isinstance(v, Enum) else v for v in value])


def _unstructure_set_hook(t: Any, conv: cattrs.Converter) -> Callable[[Any], list[Any]]:
    """Each element through its own hook (a date, a Decimal, a model), then sorted."""
    args = typing.get_args(t)
    hook = conv.get_unstructure_hook(args[0]) if args else conv.unstructure
    if hook is identity or hook is enum_value:
        return _unstructure_set

    def unstructure_set(value: Any) -> list[Any]:
        # Ordered by plain form, so equal sets always give the same JSON.
        return _sorted_plain([hook(v) for v in value])

    return unstructure_set


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
    *,
    forbid_extra_keys: bool = True,
    naive_timezone: tzinfo | None = None,
    finer_than_microseconds: Literal["refuse", "truncate"] = "refuse",
) -> cattrs.Converter:
    """A new converter with this library's hooks.

    The defaults are strict.  To load leniently, pass ``forbid_extra_keys=False``
    to ignore unknown keys, a ``naive_timezone`` (such as
    :data:`datetime.UTC`) to read naive datetimes as being in that zone, or
    ``finer_than_microseconds="truncate"`` to keep the first six fractional
    digits of a time written more precisely (.NET writes seven, Go and Java up
    to nine) instead of refusing it.  Type checks are never relaxed: the
    models themselves refuse wrong types.
    """
    # Checked now, not when the first naive datetime is loaded.
    check = Checker()
    check.boolean("forbid_extra_keys", forbid_extra_keys)
    zone: object = naive_timezone  # callers without a type checker pass anything
    if zone is not None and not isinstance(zone, tzinfo):
        check.add("naive_timezone", "must be None or a tzinfo such as datetime.UTC")
    if finer_than_microseconds not in ("refuse", "truncate"):
        check.add("finer_than_microseconds", "must be 'refuse' or 'truncate'")
    check.done("make_converter")
    conv = cattrs.Converter(forbid_extra_keys=forbid_extra_keys, detailed_validation=True)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(date, _structure_date)
    conv.register_structure_hook(
        datetime, _datetime_hook(naive_timezone, truncate=finer_than_microseconds == "truncate")
    )
    conv.register_structure_hook(timedelta, _structure_timedelta)
    conv.register_structure_hook_factory(_is_enum, lambda t: EnumStructureHook(t, _Invalid))
    conv.register_structure_hook_factory(_is_sequence, lambda t: _sequence_hook(t, conv))
    conv.register_structure_hook_factory(_is_frozenset, lambda t: _set_hook(t, conv))
    conv.register_structure_hook_factory(_is_fixed_tuple, lambda t: _fixed_tuple_hook(t, conv))
    conv.register_structure_hook_factory(_is_literal, _literal_hook)
    conv.register_structure_hook_factory(_is_mapping, lambda t: _mapping_hook(t, conv))
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
    conv.register_unstructure_hook(timedelta, _unstructure_timedelta)
    conv.register_unstructure_hook_factory(
        _is_mapping, lambda t: _unstructure_mapping_hook(t, conv)
    )
    conv.register_unstructure_hook_factory(_is_frozenset, lambda t: _unstructure_set_hook(t, conv))
    conv.register_unstructure_hook(frozenset, _unstructure_set_hook(frozenset, conv))
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
    elif isinstance(exc, ForbiddenExtraKeysError):
        keys = ", ".join(sorted(map(repr, exc.extra_fields)))  # keys of any type
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
    elif isinstance(exc, BaseExceptionGroup):  # what ``except*`` hands over
        for member in exc.exceptions:
            _collect(member, path, out)
    else:
        out.append(Problem(path, f"is invalid ({type_name(exc)})"))


def as_validation_error(exc: BaseException, subject: str = "input") -> ValidationError:
    """What a converter's structuring error means, as this library's :class:`ValidationError`.

    For services that reuse this library's hooks in their own cattrs
    converter: the hooks raise cattrs' exception trees, which this turns into
    every problem with its JSONPath location and the library's messages (the
    ones :func:`from_dict` gives).  Exceptions this library does not know
    become a problem that names only their type, never their message (it
    may repeat input).
    """
    if not isinstance(exc, BaseException):
        raise ValidationError.single(
            "exc", f"must be an exception, not {type_name(exc)}", "as_validation_error"
        )
    if type(subject) is not str or not subject.strip():
        raise ValidationError.single("subject", "must be a non-blank string", "as_validation_error")
    problems: list[Problem] = []
    _collect(exc, (), problems)
    return ValidationError(problems, subject)


def _subject(cls: Any) -> str:
    return getattr(cls, "__name__", None) or str(cls).replace("typing.", "")


# -- public API ------------------------------------------------------------------


def to_dict(obj: Any) -> Any:
    """Plain JSON-ready data for a model (a dict) or a list of models (a list)."""
    try:
        return converter.unstructure(obj)
    except RecursionError:  # plain data nested thousands deep; models never are
        pass
    raise ValidationError.single((), _TOO_DEEP, _subject(type(obj)))


_TOO_DEEP = "is nested too deeply to convert"


@overload
def from_dict(data: object, cls: type[T]) -> T: ...
@overload
def from_dict(data: object, cls: Any) -> Any: ...
def from_dict(data: object, cls: Any) -> Any:
    """Build *cls* (a model, or ``list[Model]``/``tuple[Model, ...]``) from plain data.

    Raises :class:`~customer_model.ValidationError` listing every problem in
    *data*.  A *cls* that is not a type this library can load (a string such
    as ``"Person"``, ``object``) is a programming error, not bad input: it
    raises :class:`TypeError`.
    """
    _check_cls(cls)
    try:
        return converter.structure(data, cls)
    except StructureHandlerNotFoundError:
        raise TypeError(_cannot_load(cls)) from None
    except ValidationError as e:
        raise ValidationError(e.problems, _subject(cls)) from None
    except Exception as e:
        raise as_validation_error(e, _subject(cls)) from None


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
    except (json.JSONDecodeError, _Invalid) as e:
        # Its message names the line and column, never the content.
        why = str(e)
    except UnicodeDecodeError:
        why = "not UTF-8 text"
    except RecursionError:
        why = "nested too deeply"
    except ValueError:  # the only other failure: an int with too many digits
        why = "a number has too many digits"
    raise ValidationError.single((), f"not valid JSON: {why}", subject)


def _repeat_finder() -> tuple[Callable[[list[tuple[str, Any]]], dict[str, Any]], dict[int, Any]]:
    """An ``object_pairs_hook`` that notes every object repeating a key, and its notes.

    The notes map ``id(object)`` to the repeated keys; they hold only while the
    parsed value is alive.
    """
    found: dict[int, list[str]] = {}

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            counts = collections.Counter(key for key, _ in pairs)
            found[id(obj)] = sorted(key for key, n in counts.items() if n > 1)
        return obj

    return hook, found


def _repeats(raw: Any, found: dict[int, list[str]]) -> list[Problem]:
    """A problem for every object of *raw* that :func:`_repeat_finder` noted."""
    problems = []
    stack: list[tuple[Path, Any]] = [((), raw)]
    while found and stack:  # no recursion: the parser accepted the nesting, so must this
        path, value = stack.pop()
        if isinstance(value, dict):
            keys = found.get(id(value))
            if keys is not None:
                named = ", ".join(map(repr, keys))
                problems.append(Problem(path, f"repeats the key(s) {named}; JSON keeps only one"))
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
    return problems


def _problem_order(problem: Problem) -> tuple[tuple[int, str | int], ...]:
    return tuple((0, part) if isinstance(part, int) else (1, part) for part in problem.path)


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


#: The widest indent to_json writes (the command line's --indent shares it).
MAX_INDENT = 64


def to_json(obj: Any, *, indent: int | None = None) -> str:
    """Serialize a model, or a list of models, to JSON text.

    Output is stable: fields in declaration order, sets sorted, non-ASCII kept.
    A value holding NaN or infinity, or something that is neither a model nor
    plain JSON data (a set, say), raises :class:`~customer_model.ValidationError`.
    *indent* is ``None`` (one line) or a number of spaces from 0 to 64.
    """
    if indent is not None and (type(indent) is not int or not 0 <= indent <= MAX_INDENT):
        raise ValidationError.single(
            "indent", f"must be None or a whole number from 0 to {MAX_INDENT}", "to_json"
        )
    try:
        return _to_json(obj, indent)
    except RecursionError:  # plain data nested thousands deep; models never are
        why = _TOO_DEEP
    except ValueError as e:
        if "JSON compliant" in str(e):
            why = "holds NaN or infinity, which JSON cannot represent"
        elif "integer string conversion" in str(e):
            why = "holds an integer with more digits than Python converts to text"
        else:
            raise
    except TypeError as e:  # json names the type it cannot write, never the value
        why = f"cannot be written as JSON: {e}"
    raise ValidationError.single((), why, _subject(type(obj)))


def _to_json(obj: Any, indent: int | None) -> str:
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
        converter.unstructure(obj),
        ensure_ascii=False,
        indent=indent,
        check_circular=False,
        allow_nan=False,
    )


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
    hook, found = _repeat_finder()
    raw = _loads(data, _subject(cls), hook=hook)
    repeats = _repeats(raw, found)
    if not repeats:
        return from_dict(raw, cls)
    # Report the repeats with every other problem, so one round of fixes is enough.
    try:
        from_dict(raw, cls)
    except ValidationError as e:
        repeats.extend(e.problems)
    raise ValidationError(sorted(repeats, key=_problem_order), _subject(cls))
