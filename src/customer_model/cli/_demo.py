"""``customer-model demo``: the examples' roles, backlog and NPS, and the sample's split."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from customer_model._display import text_table


def run_demo(_: argparse.Namespace) -> int:
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
    print(text_table(["customer", "kind", "purchasers", "users", "both", "split"], rows))
    _demo_backlog(dataset)
    _demo_nps(dataset)
    _demo_sample()
    return 0


#: The demo's fixed "now", so its output never changes.
DEMO_AS_OF = datetime(2026, 6, 30, tzinfo=UTC)


def _demo_backlog(dataset: Any) -> None:
    """The example's feedback ranked, with the purchaser and user share of each theme."""
    from customer_model.model.policy import PrioritizationPolicy
    from customer_model.prioritization import prioritize

    # The household pays in BRL; an illustrative rate turns it into EUR.
    policy = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
    backlog = prioritize(dataset.feedback, dataset.customers, policy=policy, as_of=DEMO_AS_OF)
    print()
    print(f"Backlog as of {DEMO_AS_OF.date().isoformat()}: voices and share of each score")
    print("from purchasers (buyers) and users; a person in both roles counts in both")
    print()
    print(backlog)


def _demo_nps(dataset: Any) -> None:
    from customer_model.satisfaction import satisfaction_by_role

    split = satisfaction_by_role(dataset.responses, dataset.customers)
    print()
    print("NPS by role (a person in both roles counts in both)")
    print()
    print(split)


def _demo_sample() -> None:
    """The split across the bundled generated sample, by customer kind."""
    from customer_model.examples.bundled import bundled_dataset
    from customer_model.reports import split_report

    report = split_report(bundled_dataset().customers)
    rows = [
        [r.key or "all", str(r.customers), str(r.same), str(r.disjoint), str(r.overlapping),
         str(r.purchasers_only), str(r.users_only)]
        for r in (*report.by_kind, report.overall)
    ]  # fmt: skip
    print()
    print(f"Across a generated sample of {report.overall.customers} customers")
    print("(customer-model generate makes bigger ones)")
    print()
    headers = ["kind", "customers", "same", "disjoint", "overlapping", "buy only", "use only"]
    print(text_table(headers, rows))
