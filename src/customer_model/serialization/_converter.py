"""The converter: which hook serves which type, and how a service plugs it into its own.

Detailed structuring and all unstructuring are cattrs' own generated
functions (:func:`cattrs.gen.make_dict_structure_fn`,
:func:`cattrs.gen.make_dict_unstructure_fn`); only the quick structure path
is generated here, because it measurably earns it (``benchmarks/bench_codegen.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from functools import partial
from types import MappingProxyType
from typing import Any, Literal, get_args, get_type_hints

import attrs
import cattrs
from cattrs.errors import ClassValidationError
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from customer_model.errors import ValidationError
from customer_model.model._text_keys import KEY_RULE
from customer_model.model._validation import Checker
from customer_model.serialization._codegen import (
    EnumStructureHook,
    Refused,
    Retry,
    StructureHook,
    UnstructureHook,
    enum_value,
    mark_generated,
    optional_inner,
    quick_function,
    sequence_unstructure_hook,
)
from customer_model.serialization._collections import (
    fixed_tuple_hook,
    is_fixed_tuple,
    is_literal,
    is_mapping,
    is_sequence,
    is_set,
    literal_hook,
    mapping_hook,
    sequence_hook,
    set_hook,
    unstructure_fixed_tuple_hook,
    unstructure_mapping_hook,
    unstructure_set_hook,
)
from customer_model.serialization._problems import UnknownFields
from customer_model.serialization._rule_json import register_hooks as _register_rule_hooks
from customer_model.serialization._scalars import (
    Invalid,
    datetime_hook,
    json_type,
    structure_bool,
    structure_date,
    structure_decimal,
    structure_float,
    structure_int,
    structure_str,
    structure_timedelta,
    unstructure_timedelta,
)

__all__ = ["configure_converter", "make_converter"]

# Our scalar hooks that accept exactly one type, unchanged: the quick class
# functions check these inline with ``type(x) is T``.
_EXACT_TYPES: Mapping[Any, type[Any]] = MappingProxyType(
    {structure_str: str, structure_int: int, structure_bool: bool}
)


def _is_enum(t: Any) -> bool:
    return isinstance(t, type) and issubclass(t, Enum)


def _is_optional(t: Any) -> bool:
    return optional_inner(t) is not None


def _keyed_mappings(cls: type[Any], conv: cattrs.Converter) -> dict[str, StructureHook]:
    """A hook for each mapping field of *cls* whose keys follow a rule of their own."""
    return {
        a.name: mapping_hook(a.type, conv, a.metadata[KEY_RULE])
        for a in attrs.fields(cls)
        if KEY_RULE in a.metadata
    }


def _class_hook(cls: type[Any], conv: cattrs.Converter, forbid_extra_keys: bool) -> StructureHook:
    """Quick path first; on any problem, cattrs' detailed function says what and where."""
    attrs.resolve_types(cls)
    keyed = _keyed_mappings(cls, conv)
    overrides: dict[str, Any] = {name: override(struct_hook=h) for name, h in keyed.items()}
    # Unknown keys are checked here, not by cattrs: its error names every key.
    detailed_fn = make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=False, **overrides)
    fields = [a.name for a in attrs.fields(cls) if a.init]
    known = frozenset(fields)

    def detailed(value: object, _: object) -> Any:
        if type(value) is not dict:
            raise Invalid(f"must be an object ({cls.__name__}), not {json_type(value)}")
        unknown = value.keys() - known if forbid_extra_keys else ()
        error: ClassValidationError | None = None
        try:
            result = detailed_fn(value, cls)
        except ClassValidationError as e:
            error = e
        # Raised outside the handler: no input value in __context__.
        if not unknown:
            if error is not None:
                raise error
            return result
        found = list(error.exceptions) if error is not None else []
        found.append(UnknownFields(cls, unknown, fields, value.keys()))
        raise ClassValidationError(f"While structuring {cls.__name__}", found, cls)

    quick = quick_function(
        cls, conv, forbid_extra_keys=forbid_extra_keys, exact=_EXACT_TYPES, hooks=keyed
    )
    if quick is None:  # a default that takes self: cattrs' quick function serves
        plain = make_dict_structure_fn(
            cls,
            conv,
            _cattrs_forbid_extra_keys=False,
            _cattrs_detailed_validation=False,
            **overrides,
        )

        def quick(value: object, _: object) -> Any:
            if type(value) is not dict or (forbid_extra_keys and not value.keys() <= known):
                raise Retry
            return plain(value, cls)

    assert quick is not None
    quick_fn = quick

    def structure(value: object, _: object) -> Any:
        refused: Refused | None = None
        try:
            return quick_fn(value, _)
        except Refused as e:
            if e.source is value:  # this object's own checks, not a nested one's
                refused = e
        except Exception:
            pass  # rerun outside the handler, so no input leaks into __context__
        if refused is None:
            return detailed(value, _)
        # As cattrs' detailed function reports a refusing __init__, without reading again.
        raise refused.report(cls)

    structure.quick = quick_fn  # type: ignore[attr-defined]
    # A collection whose quick pass met this refusal reports it without building again.
    structure.model = cls  # type: ignore[attr-defined]
    return structure


def _unstructure_optional(t: Any, conv: cattrs.Converter) -> UnstructureHook:
    """``None`` or the inner type's plain form; no wrapper where the inner needs none."""
    hook = conv.get_unstructure_hook(optional_inner(t))
    if hook is identity:
        return identity
    if hook is enum_value:
        return _optional_enum_value

    def unstructure_optional(value: Any) -> Any:
        return None if value is None else hook(value)

    return unstructure_optional


def _optional_enum_value(member: Enum | None) -> Any:
    return None if member is None else member.value


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
    conv.register_structure_hook(str, structure_str)
    conv.register_structure_hook(int, structure_int)
    conv.register_structure_hook(float, structure_float)
    conv.register_structure_hook(bool, structure_bool)
    conv.register_structure_hook(Decimal, structure_decimal)
    conv.register_structure_hook(date, structure_date)
    conv.register_structure_hook(
        datetime, datetime_hook(naive_timezone, truncate=finer_than_microseconds == "truncate")
    )
    conv.register_structure_hook(timedelta, structure_timedelta)
    conv.register_structure_hook_factory(_is_enum, lambda t: EnumStructureHook(t, Invalid))
    conv.register_structure_hook_factory(is_sequence, lambda t: sequence_hook(t, conv))
    conv.register_structure_hook_factory(is_set, lambda t: set_hook(t, conv))
    conv.register_structure_hook_factory(is_fixed_tuple, lambda t: fixed_tuple_hook(t, conv))
    conv.register_structure_hook_factory(is_literal, literal_hook)
    conv.register_structure_hook_factory(is_mapping, lambda t: mapping_hook(t, conv))
    conv.register_structure_hook_factory(
        attrs.has, lambda t: _class_hook(t, conv, forbid_extra_keys)
    )

    # An int in a float field is written as the float it is read back as, so
    # equal values give equal text.
    conv.register_unstructure_hook(float, float)
    conv.register_unstructure_hook(datetime, datetime.isoformat)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_unstructure_hook(timedelta, unstructure_timedelta)
    conv.register_unstructure_hook_factory(_is_optional, lambda t: _unstructure_optional(t, conv))
    conv.register_unstructure_hook_factory(is_mapping, lambda t: unstructure_mapping_hook(t, conv))
    conv.register_unstructure_hook_factory(is_set, lambda t: unstructure_set_hook(t, conv))
    conv.register_unstructure_hook_factory(
        is_fixed_tuple, lambda t: unstructure_fixed_tuple_hook(t, conv)
    )
    conv.register_unstructure_hook(frozenset, unstructure_set_hook(frozenset, conv))
    conv.register_unstructure_hook_factory(_is_enum, lambda _: enum_value)
    conv.register_unstructure_hook_factory(
        attrs.has, lambda t: mark_generated(make_dict_unstructure_fn(t, conv), t)
    )
    conv.register_unstructure_hook_func(
        lambda t: t in (list, tuple), sequence_unstructure_hook(conv)
    )
    # Segment rules are a tagged union ({"op": ...}) whose value types depend on
    # the field; registered last so it wins over the generic attrs hooks.
    _register_rule_hooks(conv, forbid_extra_keys=forbid_extra_keys)
    return conv


def _is_library_type(t: Any) -> bool:
    """A class this library defines: a model, an enum, a rule node."""
    module = getattr(t, "__module__", None)
    return (
        isinstance(t, type)
        and isinstance(module, str)
        and (module == "customer_model" or module.startswith("customer_model."))
    )


def configure_converter(
    converter: cattrs.BaseConverter,
    *,
    forbid_extra_keys: bool = True,
    naive_timezone: tzinfo | None = None,
    finer_than_microseconds: Literal["refuse", "truncate"] = "refuse",
) -> None:
    """Teach a service's own *converter* this library's types, in one call.

    Like cattrs' ``preconf`` modules: afterwards *converter* structures and
    unstructures every model, enum and rule node as :func:`from_dict` and
    :func:`to_dict` do, wherever they appear in the service's own classes
    (a ``list[FeedbackItem]`` field, say).  The service's own types keep the
    hooks it gave them.  Its errors are cattrs' exception trees;
    :func:`as_validation_error` turns them into a :class:`ValidationError`.
    The keyword arguments are those of :func:`make_converter`.  A converter
    made with ``detailed_validation=False`` is refused: its errors do not say
    where in the service's own classes a problem lies.
    """
    if not isinstance(converter, cattrs.BaseConverter):
        raise ValidationError.single(
            "converter",
            f"must be a cattrs converter, not {type(converter).__name__}",
            "configure_converter",
        )
    # Without detailed validation the service's own classes do not say where
    # in them a problem is: a model's error would be placed at the top.
    if not getattr(converter, "detailed_validation", False):
        raise ValidationError.single(
            "converter",
            "must validate in detail (cattrs.Converter(), whose detailed_validation is on by "
            "default): otherwise its errors do not say where in the service's classes "
            "a problem is",
            "configure_converter",
        )
    ours = make_converter(
        forbid_extra_keys=forbid_extra_keys,
        naive_timezone=naive_timezone,
        finer_than_microseconds=finer_than_microseconds,
    )
    converter.register_structure_hook_factory(_is_library_type, ours.get_structure_hook)
    converter.register_unstructure_hook_factory(_is_library_type, ours.get_unstructure_hook)
    # cattrs asks hooks registered for a class (and its bases) before any
    # predicate: a service's hook for ``Enum`` or ``object`` would take our
    # enums and models whatever the order.  Registered by exact class, ours win.
    for cls in _library_classes():
        converter.register_structure_hook(cls, ours.structure)
        converter.register_unstructure_hook(cls, partial(ours.unstructure, unstructure_as=cls))


#: The modules whose ``__all__`` make up the public API, extras aside (``sql``, ``testing``).
_PUBLIC_MODULES = (
    "customer_model",
    "customer_model.backlog",
    "customer_model.frameworks",
    "customer_model.model.rules",
    "customer_model.persona_fit",
    "customer_model.reports",
    "customer_model.satisfaction",
    "customer_model.scorecard_ranking",
    "customer_model.segmentation",
    "customer_model.stories",
    "customer_model.trends",
)


def _library_classes() -> list[type[Any]]:
    """Every enum and attrs class of the public API, and the classes their fields hold."""
    from importlib import import_module

    modules = [import_module(name) for name in _PUBLIC_MODULES]
    todo: list[Any] = [getattr(m, name) for m in modules for name in m.__all__]
    seen: dict[type[Any], None] = {}
    while todo:
        t = todo.pop()
        if isinstance(t, type) and (_is_enum(t) or attrs.has(t)):
            if t in seen or not _is_library_type(t):
                continue
            seen[t] = None
            if attrs.has(t):
                todo.extend(get_type_hints(t).values())
        else:
            todo.extend(get_args(t))
    return list(seen)
