"""Generated cattrs hooks for attrs classes: one plain function per class.

cattrs' own generated functions call one hook per field and, with detailed
validation on, wrap every field in its own ``try`` so that all problems can be
reported with their paths.  That bookkeeping costs more than the work itself
when the input is valid, which is nearly always.  So each class gets two
structure functions:

* a *fast* one, generated here, that checks each field inline (exact type
  checks, enum lookups by value) or calls the field's hook, and builds the
  instance.  On any problem at all it gives up and calls
* the *detailed* one, cattrs' own, which reruns the whole value and collects
  every problem with its path.

The fast path accepts exactly what the detailed path accepts and builds the
same value; it only inlines a check when the converter still holds this
library's hook for that type, so hooks registered later are respected.  The
unstructure side is generated the same way: one dict display per class, enum
values read directly, other fields through their hooks.
"""

from __future__ import annotations

import enum
import json
import linecache
import types
import typing
from collections.abc import Callable
from datetime import datetime
from typing import Any

import attrs
import cattrs
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn

__all__ = [
    "EnumStructureHook",
    "enum_value",
    "is_generated",
    "json_encoder",
    "optional_inner",
    "sequence_unstructure_hook",
    "structure_hook",
    "unstructure_hook",
]

StructureHook = Callable[[Any, Any], Any]
UnstructureHook = Callable[[Any], Any]
#: Structure hooks that accept exactly the instances of one type, unchanged.
ExactTypes = typing.Mapping[Any, type[Any]]

_MISSING = object()


class _Retry(Exception):
    """Raised by a fast hook to hand its input to the detailed one."""


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


def _field_check(
    t: Any, var: str, index: int, conv: cattrs.Converter, *, ns: dict[str, Any], exact: ExactTypes
) -> list[str]:
    """Statements that check (and convert) ``var`` in place as a value of type *t*."""
    inner = optional_inner(t)
    if inner is not None:
        body = _field_check(inner, var, index, conv, ns=ns, exact=exact)
        return [f"if {var} is not None:", *(f"    {line}" for line in body)]
    hook = conv.get_structure_hook(t)
    exact_type = exact.get(hook)
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
    ns[f"_hook_{index}"] = hook
    ns[f"_arg_{index}"] = t
    return [f"{var} = _hook_{index}({var}, _arg_{index})"]


def _fast_structure_source(
    cls: type[Any], conv: cattrs.Converter, forbid_extra_keys: bool, exact: ExactTypes
) -> tuple[str, list[str], dict[str, Any]]:
    fields = [a for a in attrs.fields(cls) if a.init]
    name = f"structure_{cls.__name__}"
    ns: dict[str, Any] = {
        "_Retry": _Retry,
        "_MISSING": _MISSING,
        "_cls": cls,
        "_known": frozenset(a.name for a in fields),
    }
    lines = [f"def {name}(o, _):", "    try:"]
    guard = "type(o) is not dict"
    if forbid_extra_keys:
        guard += " or not o.keys() <= _known"
    lines += [f"        if {guard}:", "            raise _Retry"]
    for i, a in enumerate(fields):
        var = f"x{i}"
        check = _field_check(a.type, var, i, conv, ns=ns, exact=exact)
        if a.default is attrs.NOTHING:
            lines.append(f"        {var} = o[{a.name!r}]")
            lines += [f"        {line}" for line in check]
            continue
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            if a.default.takes_self:
                raise NotImplementedError("factory defaults that take self")
            ns[f"_default_{i}"] = a.default.factory
            default = f"_default_{i}()"
        else:
            ns[f"_default_{i}"] = a.default
            default = f"_default_{i}"
        lines += [
            f"        {var} = o.get({a.name!r}, _MISSING)",
            f"        if {var} is _MISSING:",
            f"            {var} = {default}",
            "        else:",
            *(f"            {line}" for line in check),
        ]
    kwargs = ", ".join(f"{a.alias}=x{i}" for i, a in enumerate(fields))
    lines += [
        f"        return _cls({kwargs})",
        "    except Exception:",
        "        pass",
        # Outside the handler: the fast path's exception (a KeyError naming an
        # input value, say) must not become the detailed error's __context__.
        "    return _detailed(o, _)",
    ]
    return name, lines, ns


def structure_hook(
    cls: type[Any],
    conv: cattrs.Converter,
    *,
    forbid_extra_keys: bool,
    exact: ExactTypes,
    not_an_object: Callable[[object], Exception],
) -> StructureHook:
    """The structure hook for attrs class *cls*: fast path, detailed fallback.

    *exact* maps the converter's scalar hooks that accept exactly one type,
    unchanged, to that type (so they can be inlined as ``type(x) is T``);
    *not_an_object* builds the error for input that is not a dict.
    """
    attrs.resolve_types(cls)
    detailed_fn = make_dict_structure_fn(cls, conv)

    def detailed(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise not_an_object(value)
        return detailed_fn(value, cls)

    try:
        name, lines, ns = _fast_structure_source(cls, conv, forbid_extra_keys, exact)
    except NotImplementedError:
        fast_fn = make_dict_structure_fn(cls, conv, _cattrs_detailed_validation=False)

        def fast(value: object, _: object) -> Any:
            try:
                if type(value) is dict:
                    return fast_fn(value, cls)
            except Exception:
                pass  # rerun outside the handler, so no input leaks into __context__
            return detailed(value, _)

        return fast
    ns["_detailed"] = detailed
    return typing.cast(StructureHook, _compile(name, lines, ns))


# -- unstructure -----------------------------------------------------------------


def _field_value(
    t: Any, subject: str, index: int, conv: cattrs.Converter, ns: dict[str, Any]
) -> str:
    """An expression for the plain form of *subject*, a value of type *t*."""
    inner = optional_inner(t)
    if inner is not None:
        value = _field_value(inner, "x", index, conv, ns)
        return subject if value == "x" else f"None if (x := {subject}) is None else {value}"
    hook = conv.get_unstructure_hook(t)
    if hook is identity:
        return subject
    if hook is enum_value:
        # The member's value, without the descriptor call behind ``.value``.
        return f"{subject}._value_"
    ns[f"_hook_{index}"] = hook
    return f"_hook_{index}({subject})"


def enum_value(member: enum.Enum) -> Any:
    """Unstructure an enum member to its value."""
    return member.value


def unstructure_hook(cls: type[Any], conv: cattrs.Converter) -> UnstructureHook:
    """The unstructure hook for attrs class *cls*: one dict display, fields in order."""
    attrs.resolve_types(cls)
    name = f"unstructure_{cls.__name__}"
    ns: dict[str, Any] = {}
    items = [
        f"        {a.name!r}: {_field_value(a.type, f'o.{a.name}', i, conv, ns)},"
        for i, a in enumerate(attrs.fields(cls))
    ]
    lines = [f"def {name}(o):", "    return {", *items, "    }"]
    hook = _compile(name, lines, ns)
    hook.generated_for = cls
    return typing.cast(UnstructureHook, hook)


def is_generated(hook: object, cls: type[Any]) -> bool:
    """Whether *hook* is the unstructure function :func:`unstructure_hook` made for *cls*."""
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
    for i, a in enumerate(attrs.fields(cls)):
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
