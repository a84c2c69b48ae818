"""The ``customer-model`` command line.

Kept out of the core import: ``import customer_model`` never loads it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from customer_model.dataset import Dataset

__all__ = ["main"]


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def _demo(_: argparse.Namespace) -> int:
    from customer_model.examples import demo_dataset
    from customer_model.roles import role_split

    dataset = demo_dataset()
    rows = []
    for c in dataset.customers:
        both = c.purchaser_ids & c.user_ids
        rows.append(
            [
                c.id,
                c.kind.value,
                str(len(c.purchasers)),
                str(len(c.users)),
                str(len(both)),
                role_split(c).value,
            ]
        )
    print("Who buys and who uses, per customer")
    print()
    print(_table(["customer", "kind", "purchasers", "users", "both", "split"], rows))
    print()
    _demo_backlog(dataset)
    print()
    _demo_nps(dataset)
    return 0


#: The demo's fixed "now", so its output never changes.
DEMO_AS_OF = "2026-06-30T00:00:00+00:00"


def _demo_backlog(dataset: Dataset) -> None:
    from datetime import datetime

    from customer_model.policy import PrioritizationPolicy
    from customer_model.prioritization import prioritize

    # The household pays in BRL; an illustrative rate turns it into EUR.
    policy = PrioritizationPolicy(exchange_rates={"BRL": 0.17})
    as_of = datetime.fromisoformat(DEMO_AS_OF)
    backlog = prioritize(dataset.feedback, dataset.customers, policy=policy, as_of=as_of)
    rows = [
        [
            str(item.rank),
            item.theme,
            f"{item.score:.2f}",
            str(item.customer_count),
            str(item.voices),
            _percent(item.purchaser_share),
            _percent(item.user_share),
        ]
        for item in backlog
    ]
    print(f"Backlog as of {as_of.date().isoformat()} (share of each score from purchasers / users)")
    print()
    headers = ["rank", "theme", "score", "customers", "voices", "purchasers", "users"]
    print(_table(headers, rows))


def _demo_nps(dataset: Dataset) -> None:
    from customer_model.satisfaction import satisfaction_by_role

    split = satisfaction_by_role(dataset.responses, dataset.customers)
    rows = []
    for label, score in (
        ("everyone", split.overall),
        ("purchasers", split.purchasers),
        ("users", split.users),
        ("both roles", split.both),
    ):
        rows.append(
            [
                label,
                "0" if score is None else str(score.count),
                _number(None if score is None else score.value),
            ]
        )
    print("NPS by role (a person in both roles counts in both)")
    print()
    print(_table(["group", "responses", "NPS"], rows))
    print(f"gap (purchasers - users): {_number(split.gap, signed=True)}")


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _number(value: float | None, *, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-model",
        description="Explore customers, purchasers, users and their feedback.",
        epilog="Example: customer-model demo",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = sub.add_parser(
        "demo",
        help="show the role split, ranked backlog and NPS by role of a built-in example",
        description="Show who buys and who uses in a built-in example: a household where "
        "the parent buys and the baby uses, a self-serve consumer, and a business "
        "buying group where one lead also uses the product. Then rank its feedback "
        "into a backlog (with the purchaser and user share of each theme) and show "
        "NPS by role.",
        epilog="Example: customer-model demo",
    )
    demo.set_defaults(handler=_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
