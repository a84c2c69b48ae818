"""The ``customer-model`` command line.

Kept out of the core import: ``import customer_model`` never loads it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

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
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-model",
        description="Explore customers, purchasers, users and their feedback.",
        epilog="Example: customer-model demo",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = sub.add_parser(
        "demo",
        help="show the role split of a built-in example",
        description="Show who buys and who uses in a built-in example: a household where "
        "the parent buys and the baby uses, a self-serve consumer, and a business "
        "buying group where one lead also uses the product.",
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
