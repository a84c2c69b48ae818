"""Segment sizes and overlaps: how a customer base falls into segments.

Customers come first and segments second, as in every function that groups
customers (:func:`~customer_model.split_report`,
:func:`~customer_model.satisfaction.satisfaction_by_segment`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from customer_model._display import html_table, short_items, short_matrix, text_table
from customer_model.errors import ValidationError
from customer_model.model._validation import INT64_MAX, Checker, to_tuple
from customer_model.model.customers import Customer
from customer_model.model.rfm import RFMScore
from customer_model.model.segments import Segment, _rfm_for, grouping_inputs

__all__ = ["OverlapMatrix", "SegmentSizes", "overlap_matrix", "segment_sizes"]


def _membership(
    segments: tuple[Segment, ...],
    population: tuple[Customer, ...],
    as_of: datetime | None,
    rfm: Mapping[str, RFMScore] | None,
) -> list[list[bool]]:
    rfm = _rfm_for(segments, population, as_of, rfm)
    predicates = [s.predicate(as_of=as_of, rfm=rfm) for s in segments]
    return [[p(c) for c in population] for p in predicates]


def _unknown(name: str, subject: str) -> ValidationError:
    return ValidationError.single(name, "is not one of the segment ids", subject)


# Any ordered iterable is taken, as every result takes it (notebooks pass lists).
def _ids(value: Iterable[str]) -> tuple[str, ...]:
    return to_tuple(value)


def _sizes(value: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    return to_tuple(value)


def _matrix(value: Iterable[Iterable[int]]) -> tuple[tuple[int, ...], ...]:
    """Rows of counts: each row, too, from any ordered iterable (a list of lists)."""
    rows = to_tuple(value)
    if type(rows) is not tuple:
        return rows  # type: ignore[return-value]  # rejected by the checker
    return tuple(map(to_tuple, rows))


@attrs.frozen
class SegmentSizes:
    """How many of ``total`` customers each segment holds, in segment order.

    The repr cuts ``sizes`` and ``names`` to their first few and a count when
    there are many segments, as a Dataset's repr does.
    """

    total: int
    sizes: tuple[tuple[str, int], ...] = attrs.field(converter=_sizes, repr=short_items)
    names: tuple[str, ...] = attrs.field(converter=_ids, repr=short_items)

    def __attrs_post_init__(self) -> None:
        # Built by segment_sizes, but also loaded from JSON: keep what it promises.
        check = Checker()
        check.integer("total", self.total, minimum=0)
        top = self.total if type(self.total) is int else None
        sizes_ok = check.counts_by_id("sizes", self.sizes, "segment", maximum=top)
        check.texts("names", self.names)  # each a Segment's name
        if type(self.names) is tuple and sizes_ok and len(self.names) != len(self.sizes):
            check.add("names", "must name each segment of sizes, in the same order")
        check.done("SegmentSizes")

    def __getitem__(self, segment_id: str) -> int:
        for sid, n in self.sizes:
            if sid == segment_id:
                return n
        raise _unknown("segment_id", "SegmentSizes")

    def share(self, segment_id: str) -> float:
        """The segment's size as a fraction of all customers (0 when there are none)."""
        return self[segment_id] / self.total if self.total else 0.0

    def to_records(self) -> list[dict[str, str | int | float]]:
        """One row per segment: ``segment_id``, ``name``, ``customers``, ``share`` (0 to 1)."""
        return [
            {"segment_id": sid, "name": name, "customers": n, "share": self.share(sid)}
            for (sid, n), name in zip(self.sizes, self.names, strict=True)
        ]

    def _rows(self) -> list[list[str]]:
        return [
            [sid, name, str(n), f"{self.share(sid):.1%}"]
            for (sid, n), name in zip(self.sizes, self.names, strict=True)
        ]

    def __str__(self) -> str:
        table = text_table(["segment", "name", "customers", "share"], self._rows())
        noun = "customer" if self.total == 1 else "customers"
        return f"{table}\n({self.total} {noun})"

    def _repr_html_(self) -> str:
        return html_table(None, ["segment", "name", "customers", "share"], self._rows())


def segment_sizes(
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[Segment],
    *,
    as_of: datetime | None = None,
    rfm: Mapping[str, RFMScore] | None = None,
) -> SegmentSizes:
    """Count each segment's members among *customers*."""
    population, segs = grouping_inputs(customers, segments, "segment_sizes input")
    member = _membership(segs, population, as_of, rfm)
    return SegmentSizes(
        len(population),
        tuple((s.id, sum(row)) for s, row in zip(segs, member, strict=True)),
        tuple(s.name for s in segs),
    )


@attrs.frozen
class OverlapMatrix:
    """Customers in both of two segments; the diagonal holds each segment's size."""

    segment_ids: tuple[str, ...] = attrs.field(converter=_ids, repr=short_items)
    counts: tuple[tuple[int, ...], ...] = attrs.field(converter=_matrix, repr=short_matrix)

    def __attrs_post_init__(self) -> None:
        check = Checker()
        check.idents("segment_ids", self.segment_ids, unique=True)
        n = len(self.segment_ids) if type(self.segment_ids) is tuple else -1
        if not check.items("counts", self.counts, tuple) or len(self.counts) != n:
            check.add("counts", "must have one row per segment")
        elif any(
            len(row) != n or not all(type(c) is int and 0 <= c <= INT64_MAX for c in row)
            for row in self.counts
        ):
            check.add(
                "counts",
                "must hold one whole, non-negative count (64 bits at most) per segment in each row",
            )
        else:
            rows = self.counts
            for i in range(n):
                for j in range(n):
                    if rows[i][j] != rows[j][i] or rows[i][j] > min(rows[i][i], rows[j][j]):
                        check.add(
                            ("counts", i, j),
                            "must equal its mirror and not exceed either segment's size",
                        )
        check.done("OverlapMatrix")

    def count(self, a: str, b: str) -> int:
        """Customers in segment *a* and segment *b*."""
        check = Checker()
        for name, sid in (("a", a), ("b", b)):
            if sid not in self.segment_ids:
                check.add(name, "is not one of the matrix's segment ids")
        check.done("OverlapMatrix")
        return self.counts[self.segment_ids.index(a)][self.segment_ids.index(b)]

    def jaccard(self, a: str, b: str) -> float:
        """Overlap as a share of the union, 0 to 1 (0 when both are empty)."""
        return _jaccard(self.count(a, b), self.count(a, a), self.count(b, b))

    def to_records(self) -> list[dict[str, str | int | float]]:
        """One row per ordered pair of segments (long format, the diagonal included).

        Columns ``segment_id``, ``other_id``, ``customers`` (in both) and
        ``jaccard`` (see :meth:`jaccard`).
        """
        ids, counts = self.segment_ids, self.counts
        return [
            {
                "segment_id": a,
                "other_id": ids[j],
                "customers": n,
                "jaccard": _jaccard(n, counts[i][i], counts[j][j]),
            }
            for i, (a, row) in enumerate(zip(ids, counts, strict=True))
            for j, n in enumerate(row)
        ]

    def _rows(self) -> list[list[str]]:
        return [
            [sid, *(str(n) for n in row)]
            for sid, row in zip(self.segment_ids, self.counts, strict=True)
        ]

    def __str__(self) -> str:
        return text_table(["", *self.segment_ids], self._rows())

    def _repr_html_(self) -> str:
        return html_table(None, ["", *self.segment_ids], self._rows())


def _jaccard(both: int, a: int, b: int) -> float:
    """Customers in both segments over those in either (0 when both are empty)."""
    union = a + b - both
    return both / union if union else 0.0


def overlap_matrix(
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[Segment],
    *,
    as_of: datetime | None = None,
    rfm: Mapping[str, RFMScore] | None = None,
) -> OverlapMatrix:
    """For every pair of segments, how many customers belong to both."""
    population, segs = grouping_inputs(customers, segments, "overlap_matrix input")
    member = _membership(segs, population, as_of, rfm)
    counts = tuple(
        tuple(sum(x and y for x, y in zip(a, b, strict=True)) for b in member) for a in member
    )
    return OverlapMatrix(tuple(s.id for s in segs), counts)
