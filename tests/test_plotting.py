from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from customer_model import ValidationError
from customer_model.plotting import plot_backlog


def _component(role: str, value: float) -> Any:
    return SimpleNamespace(role=SimpleNamespace(value=role), value=value)


def _item(theme: str, **parts: float) -> Any:
    explanation = tuple(_component(role, value) for role, value in parts.items())
    return SimpleNamespace(theme=theme, score=math.fsum(parts.values()), explanation=explanation)


def test_bad_input_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as info:
        plot_backlog([object()], top=0)
    assert set(info.value.paths) == {"$.top", "$.backlog[0]"}
    with pytest.raises(ValidationError):
        plot_backlog("sso")
    with pytest.raises(ValidationError) as info:  # once an AttributeError from ax.barh
        plot_backlog([_item("sso", user=1.0)], ax="axes")
    assert info.value.paths == ["$.ax"]


def test_importing_the_module_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, customer_model.plotting; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_bars_are_split_by_who_asked_and_add_up_to_the_score() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = [
        _item("sso", purchaser=6.0, both=2.0, user=1.0),
        _item("export", user=4.0, anonymous=0.5),
        _item("<b>pricing</b>", purchaser=1.0),
    ]
    fig, ax = plt.subplots()
    try:
        assert plot_backlog(items, ax=ax) is ax
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels == ["sso", "export", "<b>pricing</b>"]
        # The right edge of each theme's last bar is its score.
        ends: dict[float, float] = {}
        for patch in ax.patches:
            y = round(patch.get_y() + patch.get_height() / 2, 6)
            ends[y] = max(ends.get(y, 0.0), patch.get_x() + patch.get_width())
        assert [ends[float(i)] for i in range(3)] == pytest.approx([9.0, 4.5, 1.0])
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend == [
            "purchasers (do not use)",
            "buy and use",
            "users (do not buy)",
            "anonymous",
        ]
        assert ax.yaxis_inverted()
    finally:
        plt.close(fig)


def test_top_keeps_the_first_themes_and_a_figure_is_made_when_no_axes() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_backlog([_item("a", user=2.0), _item("b", user=1.0)], top=1)
    try:
        assert [t.get_text() for t in ax.get_yticklabels()] == ["a"]
    finally:
        plt.close(ax.figure)


def test_a_theme_is_drawn_as_written_never_as_mathtext() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # "$...$" once set the label as mathtext: garbled, or a ParseException at draw time
    # that quoted the theme; a bidi override reordered it, as printable() prevents in tables.
    themes = ["price $5 vs $10", r"a$\frac$b", "sso\u202etxet", "multi\nline"]
    ax = plot_backlog([_item(theme, user=1.0) for theme in themes])
    try:
        ax.figure.canvas.draw()
        labels = ax.get_yticklabels()
        assert [t.get_text() for t in labels] == [
            "price $5 vs $10",
            r"a$\\frac$b",
            r"sso\u202etxet",
            r"multi\nline",
        ]
        assert not any(t.get_parse_math() for t in labels)
    finally:
        plt.close(ax.figure)
