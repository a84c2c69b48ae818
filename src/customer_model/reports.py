"""Reports for notebooks: how buyers and users split across a whole customer base.

:func:`split_report` counts, overall, per customer kind and per segment, the
customers whose buyers are their users (SAME), whose buyers never use
(DISJOINT) and whose buyers partly use (OVERLAPPING), and the people behind
them: purchasers who never use the product and users who never buy it.  The
result renders as an HTML table in a notebook and turns into flat records for
a DataFrame.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

import attrs

from customer_model._display import html_table, short_items, text_table
from customer_model._rule_inputs import in_segment, segment_list
from customer_model.errors import ValidationError
from customer_model.model._validation import (
    Checker,
    duplicates,
    exact_member,
    member_argument,
    to_tuple,
)
from customer_model.model.customers import (
    Customer,
    CustomerKind,
    CustomerKindValue,
    RoleSplit,
    RoleSplitValue,
    customer_index,
)
from customer_model.model.segments import SegmentLike
from customer_model.roles import role_split

__all__ = ["SplitCounts", "SplitGroup", "SplitGroupValue", "SplitReport", "split_report"]

#: A value in a record: JSON scalars only.
Scalar = str | int | float | None


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class SplitGroup(enum.Enum):
    """Which customers a row of a split report counts.

    Every result that has a row for all customers calls it ``overall``
    (:class:`~customer_model.satisfaction.RoleBreakdown` too), so a notebook
    filters every kind of record alike.
    """

    OVERALL = "overall"
    KIND = "kind"
    SEGMENT = "segment"


#: The values of :class:`SplitGroup`, which :class:`SplitCounts` accepts for its member.
SplitGroupValue = Literal["overall", "kind", "segment"]


def _split_group(value: SplitGroup | SplitGroupValue) -> SplitGroup:
    return value if type(value) is SplitGroup else exact_member(SplitGroup, value)


_COUNTS = (
    "customers",
    "same",
    "disjoint",
    "overlapping",
    "purchasers",
    "users",
    "both",
    "purchasers_only",
    "users_only",
)


@attrs.frozen(slots=True, kw_only=True)
class SplitCounts:
    """The buyer/user split of one group of customers.

    ``key`` names the group's customers: ``None`` for the overall row, the
    kind's value (``"household"``) or the segment's id.

    Customer counts: ``customers`` = ``same`` + ``disjoint`` + ``overlapping``.
    People are counted once per customer they belong to: ``purchasers`` =
    ``purchasers_only`` + ``both`` and ``users`` = ``users_only`` + ``both``,
    where ``purchasers_only`` buy but never use and ``users_only`` use but
    never buy.
    """

    group: SplitGroup = attrs.field(converter=_split_group)
    key: str | None
    customers: int
    same: int
    disjoint: int
    overlapping: int
    purchasers: int
    users: int
    both: int
    purchasers_only: int
    users_only: int

    def __attrs_post_init__(self) -> None:
        # Built by split_report, but also loaded from JSON: keep the sums it promises.
        check = Checker()
        check.member("group", self.group, SplitGroup, values=True)
        if self.group is SplitGroup.OVERALL:
            if self.key is not None:
                check.add("key", "must be None in the overall row")
        else:  # whether a row of an unknown group needs a key cannot be told
            check.text("key", self.key, optional=not isinstance(self.group, SplitGroup))
        for name in _COUNTS:
            check.integer(name, getattr(self, name), minimum=0)
        if not check.problems:
            if self.customers != self.same + self.disjoint + self.overlapping:
                check.add("customers", "must equal same + disjoint + overlapping")
            if self.purchasers != self.purchasers_only + self.both:
                check.add("purchasers", "must equal purchasers_only + both")
            if self.users != self.users_only + self.both:
                check.add("users", "must equal users_only + both")
        check.done("SplitCounts")

    def share(self, split: RoleSplit | RoleSplitValue) -> float | None:
        """The share (0 to 1) of this group's customers with *split*; ``None`` if empty.

        *split* may be given by its value (``"disjoint"``).
        """
        given = member_argument(RoleSplit, "split", split, "SplitCounts.share input")
        return _share(getattr(self, given.value), self.customers)

    @property
    def purchasers_only_share(self) -> float | None:
        """Of the purchasers, the share who never use the product."""
        return _share(self.purchasers_only, self.purchasers)

    @property
    def users_only_share(self) -> float | None:
        """Of the users, the share who never buy it."""
        return _share(self.users_only, self.users)

    def to_record(self) -> dict[str, Scalar]:
        """One flat dict of JSON scalars, with the shares next to the counts."""
        return {
            "group": self.group.value,
            "key": self.key,
            "customers": self.customers,
            "same": self.same,
            "disjoint": self.disjoint,
            "overlapping": self.overlapping,
            "same_share": self.share(RoleSplit.SAME),
            "disjoint_share": self.share(RoleSplit.DISJOINT),
            "overlapping_share": self.share(RoleSplit.OVERLAPPING),
            "purchasers": self.purchasers,
            "users": self.users,
            "both": self.both,
            "purchasers_only": self.purchasers_only,
            "users_only": self.users_only,
            "purchasers_only_share": self.purchasers_only_share,
            "users_only_share": self.users_only_share,
        }


def _rows(value: Iterable[SplitCounts]) -> tuple[SplitCounts, ...]:
    return to_tuple(value)


@attrs.frozen(slots=True, kw_only=True)
class SplitReport:
    """:func:`split_report`'s result: the split overall, by kind and by segment.

    ``by_kind`` has one row per :class:`~customer_model.CustomerKind` (in the
    enum's order, empty kinds included); ``by_segment`` one per segment, in
    the order given.  A customer can be in several segments or none, so the
    segment rows need not add up to ``overall``.
    """

    overall: SplitCounts
    by_kind: tuple[SplitCounts, ...] = attrs.field(converter=_rows)
    by_segment: tuple[SplitCounts, ...] = attrs.field(converter=_rows, repr=short_items)

    def __attrs_post_init__(self) -> None:
        # Built by split_report, but also loaded from JSON: keep the rows it promises.
        check = Checker()
        overall = self.overall
        if (
            check.instance("overall", overall, SplitCounts)
            and overall.group is not SplitGroup.OVERALL
        ):
            check.add(("overall", "group"), "must be 'overall'")
        for name, group in (("by_kind", SplitGroup.KIND), ("by_segment", SplitGroup.SEGMENT)):
            rows = getattr(self, name)
            if check.items(name, rows, SplitCounts):
                for i, row in enumerate(rows):
                    if row.group is not group:
                        check.add((name, i, "group"), f"must be {group.value!r}")
        if not check.problems:
            self._check_rows(check)
        check.done("SplitReport")

    def _check_rows(self, check: Checker) -> None:
        """One row per kind, in order, adding up to ``overall``; each segment once, within it."""
        if tuple(row.key for row in self.by_kind) != tuple(kind.value for kind in CustomerKind):
            check.add("by_kind", "must have one row per CustomerKind, in the enum's order")
        else:
            for name in _COUNTS:
                if sum(getattr(row, name) for row in self.by_kind) != getattr(self.overall, name):
                    check.add(("overall", name), "must be the sum of the by_kind rows")
        for i, row in enumerate(self.by_segment):
            check.ident(("by_segment", i, "key"), row.key)  # a segment's id
            if row.customers > self.overall.customers:
                check.add(("by_segment", i, "customers"), "must not exceed the overall count")
        for key in duplicates(row.key for row in self.by_segment):
            check.add("by_segment", f"segment {key!r} is listed more than once")

    def rows(self) -> tuple[SplitCounts, ...]:
        """Every row: overall first, then kinds, then segments."""
        return (self.overall, *self.by_kind, *self.by_segment)

    def kind(self, kind: CustomerKind | CustomerKindValue) -> SplitCounts:
        """The row of customers of *kind*, which may be given by its value (``"household"``)."""
        given = member_argument(CustomerKind, "kind", kind, "SplitReport")
        return next(row for row in self.by_kind if row.key == given.value)

    def segment(self, segment_id: str) -> SplitCounts:
        """The row of the segment with id *segment_id*."""
        for row in self.by_segment:
            if row.key == segment_id:
                return row
        raise ValidationError.single(
            "segment_id", "is not one of the report's segments", "SplitReport"
        )

    def to_records(self) -> list[dict[str, Scalar]]:
        """One flat dict per row, ready for ``pandas.DataFrame`` or a table."""
        return [row.to_record() for row in self.rows()]

    def __str__(self) -> str:
        headers, rows = self._table()
        return text_table(headers, rows)

    def _repr_html_(self) -> str:
        headers, rows = self._table()
        return html_table("Who buys and who uses", headers, rows)

    def _table(self) -> tuple[list[str], list[list[str]]]:
        def cell(count: int, share: float | None) -> str:
            return f"{count}" if share is None else f"{count} ({share:.0%})"

        rows = [
            [
                "all customers" if r.group is SplitGroup.OVERALL else f"{r.group.value}: {r.key}",
                str(r.customers),
                cell(r.same, r.share(RoleSplit.SAME)),
                cell(r.disjoint, r.share(RoleSplit.DISJOINT)),
                cell(r.overlapping, r.share(RoleSplit.OVERLAPPING)),
                cell(r.purchasers_only, r.purchasers_only_share),
                cell(r.users_only, r.users_only_share),
            ]
            for r in self.rows()
        ]
        headers = [
            "Group",
            "Customers",
            "Same",
            "Disjoint",
            "Overlapping",
            "Purchasers who never use",
            "Users who never buy",
        ]
        return headers, rows


def _count(group: SplitGroup, key: str | None, customers: Iterable[Customer]) -> SplitCounts:
    splits = dict.fromkeys(RoleSplit, 0)
    n = buyers = users = both = 0
    for c in customers:
        n += 1
        splits[role_split(c)] += 1
        shared = len(c.purchaser_ids & c.user_ids)
        buyers += len(c.purchaser_ids)
        users += len(c.user_ids)
        both += shared
    return SplitCounts(
        group=group,
        key=key,
        customers=n,
        same=splits[RoleSplit.SAME],
        disjoint=splits[RoleSplit.DISJOINT],
        overlapping=splits[RoleSplit.OVERLAPPING],
        purchasers=buyers,
        users=users,
        both=both,
        purchasers_only=buyers - both,
        users_only=users - both,
    )


def split_report(
    customers: Iterable[Customer] | Mapping[str, Customer],
    segments: Iterable[SegmentLike] = (),
    *,
    as_of: datetime | None = None,
) -> SplitReport:
    """How buyers and users split across *customers*: overall, by kind and by segment.

    *segments* are anything with an ``id`` and ``matches(customer, *,
    as_of=None)`` (such as :class:`~customer_model.Segment`); *as_of*, an
    aware datetime as every segment takes, is passed to ``matches``
    unchanged, for rules that need a reference time.

    >>> from customer_model.examples import demo_dataset
    >>> report = split_report(demo_dataset().customers)
    >>> report.overall.customers, report.overall.same, report.overall.disjoint
    (3, 1, 1)
    >>> report.to_records()[0]["users_only"]
    2
    """
    check = Checker()
    population = list(customer_index(check, customers).values())
    rules: list[SegmentLike] = segment_list(check, segments, ordered=True)
    check.aware("as_of", as_of, optional=True)  # what Segment.matches takes
    check.done("split report input")

    by_segment = []
    for i, segment in enumerate(rules):
        members = []
        for c in population:
            if in_segment(segment, i, c, as_of, "split report input"):
                members.append(c)
        by_segment.append(_count(SplitGroup.SEGMENT, segment.id, members))
    return SplitReport(
        overall=_count(SplitGroup.OVERALL, None, population),
        by_kind=tuple(
            _count(SplitGroup.KIND, kind.value, (c for c in population if c.kind is kind))
            for kind in CustomerKind
        ),
        by_segment=tuple(by_segment),
    )
