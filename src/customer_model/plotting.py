"""Charts for reviews: a backlog as horizontal bars split by who asked.

Needs the ``plot`` extra (matplotlib), imported only when a function runs, so
importing this module costs nothing and works without matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from customer_model._display import printable
from customer_model.errors import ValidationError
from customer_model.model._messages import type_name
from customer_model.model._validation import Checker

__all__ = ["SEGMENTS", "plot_backlog"]

#: The parts of each bar, in drawing order: (voice role value, legend label, colour).
SEGMENTS = (
    ("purchaser", "purchasers (do not use)", "#1f6fb4"),
    ("both", "buy and use", "#7a5ba8"),
    ("user", "users (do not buy)", "#e08a1e"),
    ("unlisted", "unlisted people", "#9a9a9a"),
    ("anonymous", "anonymous", "#cfcfcf"),
)


def _parts(item: Any) -> dict[str, float]:
    """The item's score split by voice role, from its explanation (which adds up to it)."""
    sums: dict[str, list[float]] = {key: [] for key, _, _ in SEGMENTS}
    for component in item.explanation:
        sums.setdefault(component.role.value, []).append(component.value)
    return {key: math.fsum(values) for key, values in sums.items()}


def plot_backlog(backlog: Iterable[Any], ax: Any = None, *, top: int | None = None) -> Any:
    """Draw *backlog* as horizontal bars, best theme on top, each split by who asked.

    Every bar is the theme's score; its parts are the points that came from
    purchasers who do not use, people who buy and use, users who do not buy,
    and unlisted or anonymous voices (the parts add up to the score).  Draws
    on *ax* if given, else on a new figure's axes; returns the axes.  *top*
    keeps only the first themes.
    """
    check = Checker()
    if top is not None:
        check.integer("top", top, minimum=1)
    if ax is not None and not hasattr(ax, "barh"):  # else an AttributeError mid-drawing
        check.add("ax", f"must be matplotlib Axes or None, not {type_name(ax)}")
    items: list[Any] = []
    given: object = backlog
    if isinstance(given, str | bytes) or not isinstance(given, Iterable):
        check.add("backlog", f"must be a Backlog, not {type_name(given)}")
    else:
        for i, item in enumerate(given):
            if not all(hasattr(item, a) for a in ("theme", "score", "explanation")):
                check.add(("backlog", i), f"must be a BacklogItem, not {type_name(item)}")
            else:
                items.append(item)
    check.done("plot_backlog input")
    if top is not None:
        items = items[:top]
    try:
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        raise ValidationError.single(
            (), "needs matplotlib: pip install 'customer-model[plot]'", "plot_backlog"
        ) from None
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.45 * max(len(items), 1) + 1.2))
    # As written: a "$...$" would be mathtext, a control or bidi character would hide or reorder.
    themes = [printable(item.theme) for item in items]
    positions = list(range(len(items)))
    left = [0.0] * len(items)
    parts = [_parts(item) for item in items]
    for key, label, colour in SEGMENTS:
        widths = [p.get(key, 0.0) for p in parts]
        if any(widths):
            ax.barh(positions, widths, left=left, label=label, color=colour)
            left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(positions, labels=themes, parse_math=False)
    ax.invert_yaxis()  # rank 1 on top
    ax.set_xlabel("score")
    ax.set_title("Backlog: who is behind each theme")
    if items:
        ax.legend(loc="lower right", fontsize="small")
    return ax
