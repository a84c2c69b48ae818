"""The refused elements of one collection: the first few itemized, the rest counted.

A function given a million bad elements (a list of customers that are not
customers, feedback whose customers are all absent) says what is wrong with
the first :data:`~customer_model.model._validation.MAX_ITEMIZED` and how many
there are in all, as the models and the JSON reader do: rejecting a long
input then costs about what accepting it does, and the message stays short.
"""

from __future__ import annotations

from types import TracebackType

from customer_model.errors import Path
from customer_model.model._validation import MAX_ITEMIZED, Checker

__all__ = ["Refusals"]


class Refusals:
    """Counts one collection's refused elements; the first few go to *check*.

    Used as a context manager around the loop over the elements: call it once
    per refused element, and report that element's problems only when it
    answers ``True``.  On leaving, the count is added when some were not
    itemized.

    >>> check = Checker()
    >>> with Refusals(check, "customers", "elements are refused") as refused:
    ...     for i in range(12):
    ...         if refused():
    ...             check.add(("customers", i), "must be a Customer, not int")
    >>> [str(p) for p in check.problems][-1]
    '$.customers: 12 elements are refused; the first 10 are itemized'
    """

    __slots__ = ("_check", "_path", "_what", "count")

    def __init__(self, check: Checker, path: Path | str, what: str) -> None:
        self._check = check
        self._path = path
        self._what = what
        self.count = 0

    def __call__(self) -> bool:
        """Count one more refused element; whether to itemize its problems."""
        self.count += 1
        return self.count <= MAX_ITEMIZED

    def __enter__(self) -> Refusals:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._check.not_itemized(self._path, self.count, self._what)
