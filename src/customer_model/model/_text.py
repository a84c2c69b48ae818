"""Predicates over text: valid Unicode, and many identifiers checked at once.

They answer the common, valid case with C-level calls over whole values;
:class:`~customer_model.model._validation.Checker` says what is wrong when
they do not hold.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from itertools import compress, islice

#: A code point that is half of a UTF-16 pair: a lone surrogate (JSON's "\\ud800").
_SURROGATE = re.compile("[\ud800-\udfff]")

#: What to say of text holding one: it cannot be written as UTF-8 (JSON, CSV, SQL).
NOT_UNICODE = "must be valid Unicode text (it holds a lone surrogate, which UTF-8 cannot encode)"


def is_unicode(text: str) -> bool:
    """Whether *text* can be encoded as UTF-8: it holds no lone surrogate.

    ASCII text (nearly all ids and keys) is answered without a scan.
    """
    return text.isascii() or _SURROGATE.search(text) is None


def not_identifiers(values: tuple[str, ...]) -> list[int]:
    """The positions of those of *values* (all ``str``) that are not identifiers.

    An identifier is non-empty valid Unicode without surrounding white
    space.  Results can hold a million ids (a backlog's feedback), so this
    works on all of them at once, in C: when their joined text is valid
    Unicode and holds no white space at all, none can start or end with it
    (telling so takes a fifth of the time of stripping every value) and only
    an empty one can be wrong.  Otherwise the values are compared with their
    stripped selves (``map``, ``operator``), and only when the joined text is
    not valid Unicode is each one searched for a lone surrogate.  Valid ids
    and a refusal cost about the same: the refusal's report needs no second
    pass.
    """
    joined = "".join(values)
    unicode = is_unicode(joined)
    if unicode and joined.split(maxsplit=1) == [joined]:
        bad: Iterator[bool] = map(operator.not_, values)  # only an empty id
        if "" not in values:
            return []
    else:
        bad = map(operator.ne, values, map(str.strip, values))
        if "" in values:  # the one id equal to its stripped self that is not an id
            bad = map(operator.or_, bad, map(operator.not_, values))
    if not unicode:
        bad = map(operator.or_, bad, map(operator.not_, map(is_unicode, values)))
    return list(compress(range(len(values)), bad))


def all_identifiers(values: tuple[str, ...], *, unique: bool = False) -> bool:
    """Whether each of *values* (all ``str``) is an identifier, and there once if *unique*."""
    return not not_identifiers(values) and not (unique and has_repeats(values))


def has_repeats(values: tuple[str, ...]) -> bool:
    """Whether some value of *values* is there more than once (sorted ones answer soonest)."""
    return not _increasing(values) and len(set(values)) != len(values)


def _increasing(values: tuple[str, ...]) -> bool:
    """Whether *values* are in strictly increasing order, so each is there once.

    Backlogs hold their ids sorted: comparing neighbours takes a fifth of the
    time of building a set of a million ids (23 against 124 ms).
    """
    return all(map(operator.lt, values, islice(values, 1, None)))
