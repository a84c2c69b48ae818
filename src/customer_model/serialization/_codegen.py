"""Generated code where cattrs' own generators measurably lose: quick structuring and JSON text.

cattrs' generated structure functions call one hook per field (and, with
detailed validation, wrap each in its own ``try``).  For valid input, which is
nearly always, that costs more than the work itself, so each attrs class gets
a *quick* function generated here: it checks each field inline (exact
``type(x) is str`` checks, enum lookups by value) or calls the field's quick
hook, builds the instance, and raises at the first problem without saying
what it is.  cattrs' own detailed function then reruns the value to report
every problem with its path.  The quick path accepts exactly what the detailed
path accepts and builds the same value; it only inlines a check while the
converter still holds this library's hook for that type, so hooks registered
later are respected.

The JSON writer (:func:`json_encoder`) writes an instance straight to text,
about twice as fast as ``json.dumps`` of cattrs' unstructured dicts.
``benchmarks/bench_codegen.py`` measures both against cattrs' generators in
one run; everything else (detailed structuring, unstructuring) is cattrs' own.
"""

from __future__ import annotations

import enum
import json
import linecache
import types
import typing
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError
from cattrs.fns import identity

from customer_model.errors import ValidationError
from customer_model.model._text import is_unicode
from customer_model.serialization._scalars import json_type

__all__ = [
    "EnumStructureHook",
    "Refused",
    "Retry",
    "enum_value",
    "is_generated",
    "json_encoder",
    "mark_generated",
    "optional_inner",
    "quick_function",
    "quick_of",
    "sequence_unstructure_hook",
]

StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]
#: Structure hooks that accept exactly the instances of one type, unchanged.
ExactTypes = typing.Mapping[Any, type[Any]]

_MISSING = object()


class Retry(Exception):
    """Raised by a quick hook at its first problem; the detailed hook says what it is."""


class Refused(Retry):
    """Raised by a quick function when its class's own checks refused the fields it read.

    The detailed function would read the same fields, build the same
    arguments and be refused with the same *error* (the model's checks report
    every problem at once), so the class hook reports *error* without that
    second pass: refusing a model costs what building it costs.  *source* is
    the JSON object read, so that a refusal raised by a nested object is not
    taken for its parent's.
    """

    # Made as Refused(error, source): Exception keeps its arguments without an
    # __init__ of ours to call, since a long bad array raises one per element.
    args: tuple[ValidationError, object]

    @property
    def error(self) -> ValidationError:
        return self.args[0]

    @property
    def source(self) -> object:
        return self.args[1]

    def report(self, cls: type[Any]) -> ClassValidationError:
        """What cattrs' detailed function raises when *cls*'s checks refuse its fields."""
        return ClassValidationError(f"While structuring {cls.__name__}", [self.error], cls)


class EnumStructureHook:
    """Structure an enum from its value; exposes the lookup table for inlining."""

    __slots__ = ("by_value", "error", "message")

    def __init__(self, cls: type[enum.Enum], error: Callable[[str], Exception]) -> None:
        self.by_value = {m.value: m for m in cls}
        self.error = error
        self.message = "must be one of " + ", ".join(repr(v) for v in self.by_value)

    def __call__(self, value: object, _: object) -> enum.Enum:
        if type(value) is str:
            member = self.by_value.get(value)
            if member is not None:
                return member
            raise self.error(self.message)
        # Not a string at all (a member itself, given to from_dict): say what it is.
        raise self.error(f"{self.message}, not {json_type(value)}")

    @property
    def inlinable(self) -> bool:
        """Whether every value is a string, so a dict lookup is an exact check."""
        return all(type(v) is str for v in self.by_value)


def optional_inner(t: Any) -> Any | None:
    """``X`` for ``X | None`` (or ``Optional[X]``), else ``None``."""
    if typing.get_origin(t) in (typing.Union, types.UnionType):
        args = typing.get_args(t)
        if len(args) == 2 and type(None) in args:
            return args[0] if args[1] is type(None) else args[1]
    return None


def _compile(name: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    source = "\n".join(lines) + "\n"
    filename = f"<customer-model generated {name}>"
    # Registered with linecache so tracebacks and profilers can show the source.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


# -- structure -------------------------------------------------------------------


def quick_of(hook: StructureHook) -> StructureHook:
    """The quick form of *hook*: raises at the first problem without collecting any.

    Hooks for classes and collections made by this library carry one as
    ``hook.quick``; any other hook is its own quick form.
    """
    return typing.cast(StructureHook, getattr(hook, "quick", hook))


def _field_check(
    t: Any,
    var: str,
    index: int,
    conv: cattrs.Converter,
    *,
    ns: dict[str, Any],
    exact: ExactTypes,
    hook: StructureHook | None = None,
) -> list[str]:
    """Statements that check (and convert) ``var`` in place as a value of type *t*.

    *hook* is the field's own, if it has one rather than its type's.
    """
    inner = optional_inner(t) if hook is None else None
    if inner is not None:
        body = _field_check(inner, var, index, conv, ns=ns, exact=exact)
        return [f"if {var} is not None:", *(f"    {line}" for line in body)]
    if hook is None:
        hook = conv.get_structure_hook(t)
    exact_type = exact.get(hook)
    if exact_type is str:
        # Exactly a string, and one UTF-8 can encode (ASCII needs no scan).
        ns["_is_unicode"] = is_unicode
        return [
            f"if type({var}) is not str or not ({var}.isascii() or _is_unicode({var})):",
            "    raise _Retry",
        ]
    if exact_type is not None:
        ns[f"_type_{index}"] = exact_type
        return [f"if type({var}) is not _type_{index}:", "    raise _Retry"]
    if isinstance(hook, EnumStructureHook) and hook.inlinable:
        ns[f"_members_{index}"] = hook.by_value
        return [
            f"if type({var}) is not str:",
            "    raise _Retry",
            f"{var} = _members_{index}[{var}]",
        ]
    ns[f"_hook_{index}"] = quick_of(hook)
    ns[f"_arg_{index}"] = t
    return [f"{var} = _hook_{index}({var}, _arg_{index})"]


def quick_function(
    cls: type[Any],
    conv: cattrs.Converter,
    *,
    forbid_extra_keys: bool,
    exact: ExactTypes,
    hooks: Mapping[str, StructureHook] = MappingProxyType({}),
) -> StructureHook | None:
    """The quick structure function for attrs class *cls*, or ``None`` if it has none.

    *hooks* are the fields' own hooks, by field name, where their type's will not do.

    *exact* maps the converter's scalar hooks that accept exactly one type,
    unchanged, to that type (so they can be inlined as ``type(x) is T``; a
    string is also checked for lone surrogates, as the string hook does).  Classes
    with a default that takes ``self`` get ``None``: cattrs' own function
    serves them.
    """
    attrs.resolve_types(cls)
    fields = [a for a in attrs.fields(cls) if a.init]
    name = f"structure_{cls.__name__}"
    ns: dict[str, Any] = {
        "_Retry": Retry,
        "_Refused": Refused,
        "_ValidationError": ValidationError,
        "_MISSING": _MISSING,
        "_cls": cls,
        "_known": frozenset(a.name for a in fields),
    }
    guard = "type(o) is not dict"
    if forbid_extra_keys:
        guard += " or not o.keys() <= _known"
    lines = [f"def {name}(o, _):", f"    if {guard}:", "        raise _Retry"]
    for i, a in enumerate(fields):
        var = f"x{i}"
        check = _field_check(a.type, var, i, conv, ns=ns, exact=exact, hook=hooks.get(a.name))
        if a.default is attrs.NOTHING:
            lines.append(f"    {var} = o[{a.name!r}]")
            lines += [f"    {line}" for line in check]
            continue
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                return None
            ns[f"_default_{i}"] = a.default.factory
            default = f"_default_{i}()"
        else:
            ns[f"_default_{i}"] = a.default
            default = f"_default_{i}"
        lines += [
            f"    {var} = o.get({a.name!r}, _MISSING)",
            f"    if {var} is _MISSING:",
            f"        {var} = {default}",
            "    else:",
            *(f"        {line}" for line in check),
        ]
    kwargs = ", ".join(f"{a.alias}=x{i}" for i, a in enumerate(fields))
    lines += [
        "    try:",
        f"        return _cls({kwargs})",
        "    except _ValidationError as e:",
        "        raise _Refused(e, o) from None",
    ]
    return typing.cast(StructureHook, _compile(name, lines, ns))


# -- unstructure -----------------------------------------------------------------


def enum_value(member: enum.Enum) -> Any:
    """Unstructure an enum member to its value."""
    return member.value


def mark_generated(hook: UnstructureHook, cls: type[Any]) -> UnstructureHook:
    """Note that *hook* is the converter's generated unstructure function for *cls*.

    The JSON writer only writes a class whose hook is one of these: a hook of
    the caller's own may write something else.
    """
    hook.generated_for = cls  # type: ignore[attr-defined]
    return hook


def is_generated(hook: object, cls: type[Any]) -> bool:
    """Whether *hook* is the unstructure function :func:`mark_generated` noted for *cls*."""
    return getattr(hook, "generated_for", None) is cls


def sequence_unstructure_hook(conv: cattrs.Converter) -> UnstructureHook:
    """Unstructure a list or tuple of values to a list, looking hooks up per class change."""
    get_hook = conv.get_unstructure_hook

    def unstructure_sequence(seq: typing.Iterable[Any]) -> list[Any]:
        out = []
        last: type[Any] | None = None
        hook: UnstructureHook = identity
        for item in seq:
            if item.__class__ is not last:
                last = item.__class__
                hook = get_hook(last)
            out.append(hook(item))
        return out

    return unstructure_sequence


# -- JSON text -------------------------------------------------------------------


def json_encoder(
    cls: type[Any], conv: cattrs.Converter, encoder_of: Callable[[type[Any]], Any]
) -> Callable[[Any], str] | None:
    """A function writing an instance of *cls* straight to JSON text, or ``None``.

    The text is exactly ``json.dumps(conv.unstructure(o), ensure_ascii=False)``
    (default separators) but skips the intermediate dicts: keys are written
    once, here, strings go through the json module's own escaping, enum values
    are looked up already encoded.  Fields this does not know are unstructured
    by their hook and encoded by the json module.  *encoder_of* gives the
    encoder of a nested attrs class.
    """
    attrs.resolve_types(cls)
    ns: dict[str, Any] = {
        "_enc": json.encoder.encode_basestring,
        "_dumps": json.JSONEncoder(
            ensure_ascii=False, check_circular=False, allow_nan=False
        ).encode,
    }
    pieces = []
    # As cattrs' unstructure function: a field not given to __init__ is left out.
    for i, a in enumerate(f for f in attrs.fields(cls) if f.init):
        key = json.dumps(a.name, ensure_ascii=False)
        pieces.append(repr(("{" if i == 0 else ", ") + f"{key}: "))
        pieces.append(
            f"({_json_value(a.type, f'o.{a.name}', i, conv, ns=ns, encoder_of=encoder_of)})"
        )
    pieces.append(repr("}" if pieces else "{}"))
    name = f"encode_{cls.__name__}"
    lines = [
        f"def {name}(o):",
        "    return ''.join((",
        *(f"        {p}," for p in pieces),
        "    ))",
    ]
    return typing.cast(Callable[[Any], str], _compile(name, lines, ns))


def _json_value(
    t: Any,
    subject: str,
    index: int,
    conv: cattrs.Converter,
    *,
    ns: dict[str, Any],
    encoder_of: Callable[[type[Any]], Any],
) -> str:
    """An expression for the JSON text of *subject*, a value of type *t*."""
    inner = optional_inner(t)
    if inner is not None:
        value = _json_value(inner, "x", index, conv, ns=ns, encoder_of=encoder_of)
        return f'"null" if (x := {subject}) is None else {value}'
    hook = conv.get_unstructure_hook(t)
    if hook is identity and t is str:
        return f"_enc({subject})"
    if hook is enum_value and all(type(m.value) is str for m in t):
        ns[f"_json_{index}"] = {m.value: json.dumps(m.value, ensure_ascii=False) for m in t}
        return f"_json_{index}[{subject}._value_]"
    if hook is datetime.isoformat:
        # ISO 8601 text never needs escaping.
        return f"'\"' + {subject}.isoformat() + '\"'"
    if is_generated(hook, t) and encoder_of(t) is not None:
        ns[f"_encode_{index}"] = encoder_of(t)
        return f"_encode_{index}({subject})"
    ns[f"_hook_{index}"] = hook
    return f"_dumps(_hook_{index}({subject}))"
