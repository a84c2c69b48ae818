"""The words of messages about an argument's type, shared by every check.

A message names the type of what was given, never the value itself (it may
be personal data), and says what would have been accepted.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

import attrs


def type_name(value: object) -> str:
    """The name of *value*'s type, for messages that must not show the value."""
    return type(value).__name__


def not_a_list(value: object) -> str:
    """Why *value* is refused where an ordered collection goes (a set: its order varies)."""
    why = " (a set's order changes from run to run)" if isinstance(value, AbstractSet) else ""
    return f"must be a list or tuple{why}, not {type_name(value)}"


def not_an_iterable(of: str, value: object, field: str) -> str:
    """Why *value* is refused for *field*, an iterable of *of*.

    A model that holds such a collection under the same name (a
    :class:`~customer_model.Dataset` given as ``customers``) is pointed at it.
    """
    cls = type(value)
    hint = f"; pass its .{field}" if attrs.has(cls) and field in attrs.fields_dict(cls) else ""
    return f"must be an iterable of {of}, not {type_name(value)}{hint}"


#: Words that start with a vowel letter but a consonant sound ("a user", "a
#: unique"), and with a silent h ("an hour"): the article follows the sound.
_CONSONANT_SOUNDS = (
    "eu",
    "one",
    "once",
    "uni",
    "use",
    "usu",
    "uti",
    "ura",
    "uro",
    "ubi",
    "uu",
    "uint",
)
_VOWEL_SOUNDS = ("hour", "honest", "honor", "honour", "heir", "unin", "unim", "unide")


def a(word: str) -> str:
    """*word* after ``a`` or ``an``, by its first sound as far as spelling tells."""
    start = word.lower()
    if start.startswith(_VOWEL_SOUNDS):
        return f"an {word}"
    if start.startswith(_CONSONANT_SOUNDS) or start[:1] not in ("a", "e", "i", "o", "u"):
        return f"a {word}"
    return f"an {word}"
