"""What the library's own generated code earns against cattrs' generators, side by side.

Serialization uses cattrs' own generated functions except where this
benchmark shows ours measurably faster:

* structuring valid FeedbackItems: the converter's hook (a quick function
  generated per class, cattrs' detailed one only on a problem) against
  ``cattrs.gen.make_dict_structure_fn`` on the same converter, the same field
  hooks and no detailed validation (cattrs' fastest setting);
* writing JSON text: ``to_json`` (a generated writer per class) against
  ``json.dumps`` of what the converter's unstructure hooks give (cattrs'
  ``make_dict_unstructure_fn``), which is what the writer replaces.

Both corpora of bench_json are used (optional fields mostly unset, and every
field set).  Run alone with ``python benchmarks/bench_codegen.py [N]``.
"""

from __future__ import annotations

import json
import sys

from _data import feedback_records
from _timing import Figure, best_of
from cattrs.gen import make_dict_structure_fn

from customer_model import FeedbackItem, to_json
from customer_model.serialization import converter


def run(n: int = 100_000, repeat: int = 5) -> list[Figure]:
    ours = converter.get_structure_hook(FeedbackItem)
    theirs = make_dict_structure_fn(FeedbackItem, converter, _cattrs_detailed_validation=False)
    figures = []
    for name, every_field in [("", False), (", every field set", True)]:
        raw = json.loads(json.dumps(feedback_records(n, every_field=every_field)))
        loaded = [ours(o, FeedbackItem) for o in raw]
        assert loaded == [theirs(o, FeedbackItem) for o in raw]
        mine, cattrs_own = best_of(
            [
                lambda r=raw: [ours(o, FeedbackItem) for o in r],  # type: ignore[misc]
                lambda r=raw: [theirs(o, FeedbackItem) for o in r],  # type: ignore[misc]
            ],
            repeat,
        )
        figures.append(
            Figure(
                f"structure {n:,} FeedbackItems{name}: quick path vs cattrs' generated",
                mine,
                cattrs_own,
                "cattrs make_dict_structure_fn",
                "s",
                0.9,
            )
        )
        assert to_json(loaded) == json.dumps(converter.unstructure(loaded), ensure_ascii=False)
        writer, dumps = best_of(
            [
                lambda v=loaded: to_json(v),  # type: ignore[misc]
                lambda v=loaded: json.dumps(converter.unstructure(v), ensure_ascii=False),  # type: ignore[misc]
            ],
            repeat,
        )
        figures.append(
            Figure(
                f"write {n:,} FeedbackItems{name} as JSON: writer vs json.dumps(unstructure)",
                writer,
                dumps,
                "cattrs make_dict_unstructure_fn + json.dumps",
                "s",
                0.9,
            )
        )
    return figures


if __name__ == "__main__":
    for figure in run(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000):
        print(
            f"{figure.name}: {figure.ours:.3f}s vs {figure.peer:.3f}s = {figure.ratio:.2f}x"
            f" (kept if <= {figure.goal}x)"
        )
