"""The rules for the keys of the models' text-keyed mappings, and their words.

A field's attrs metadata names its rule (:func:`keys_are`).  The model's
check applies it, and so does reading JSON, to each key before its value:
a bad key is then reported by its position (:func:`refused_key`) and never
named (a caller may have typed anything there), even when its value is bad
too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from customer_model.model._messages import type_name
from customer_model.model._text import NOT_UNICODE, is_unicode

__all__ = [
    "CURRENCY_CODE",
    "KEY_RULE",
    "currency_key",
    "key_problem",
    "keys_are",
    "named_key",
    "order_of",
    "refused_key",
]

#: The attrs metadata key under which a mapping field names the rule for its keys.
KEY_RULE = "customer_model.key_rule"

# \Z, not $: "$" also matches before a final newline, so "EUR\n" passed as a currency.
CURRENCY_CODE = re.compile(r"^[A-Z]{3}\Z")

#: Why a text key is refused, or ``None`` when it is fine.
KeyRule = Callable[[str], "str | None"]


def currency_key(key: str) -> str | None:
    """A currency's key: an ISO 4217 code."""
    return (
        None if CURRENCY_CODE.match(key) else "must be an ISO 4217 code (three upper-case letters)"
    )


def named_key(key: str) -> str | None:
    """A theme's or a segment's key: any text but an empty or blank one."""
    if not key.strip():
        return "must not be empty or blank"
    return None if is_unicode(key) else NOT_UNICODE


def key_problem(rule: KeyRule, key: object) -> str | None:
    """Why *rule* refuses *key*, a key that is not text included; ``None`` if it is fine."""
    return rule(key) if type(key) is str else f"must be text, not {type_name(key)}"


def keys_are(rule: KeyRule) -> dict[str, Any]:
    """The attrs metadata of a mapping field whose keys follow *rule*."""
    return {KEY_RULE: rule}


def refused_key(position: int, why: str, order: str = "input order") -> str:
    """The words for the mapping's key at *position* (from 1) in *order*, refused for *why*.

    A model's mappings keep their keys sorted (:class:`FrozenMap`), so its
    own checks count in ``"sorted order"``; reading counts in the input's.
    """
    return f"key {position} (in {order}) is not allowed: {why}"


def order_of(mapping: object) -> str:
    """The order a model's *mapping* counts its keys in: sorted, unless they do not sort."""
    return "sorted order" if getattr(mapping, "in_key_order", False) else "input order"
