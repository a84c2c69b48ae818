"""``customer-model rank --scorecard card.json --estimates estimates.csv``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from customer_model import PrioritizationPolicy, Scorecard, from_json, prioritize, to_json
from customer_model.cli import main
from customer_model.examples import demo_dataset
from customer_model.scorecards import (
    Evidence,
    FactorKind,
    Scale,
    ScorecardFactor,
    ScorecardRanking,
)

POLICY = PrioritizationPolicy(currency="EUR", exchange_rates={"BRL": 0.17})
CARD = Scorecard(
    [
        ScorecardFactor(
            "importance", Scale.RELATIVE, evidence=Evidence.CUSTOMER_IMPORTANCE, weight=2
        ),
        ScorecardFactor("impact", Scale.ZERO_TO_TEN),
        ScorecardFactor("effort", positive=True, kind=FactorKind.COST, default=1),
    ]
)
ESTIMATES = (
    "theme,impact,effort\n"
    "subscription-price,8,3\n"
    "bulk-export,6,\n"
    "sso,9,5\n"
    "dashboard-speed,7,2\n"
    "new-idea,4,0.5\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    paths = {
        "data": tmp_path / "data.json",
        "policy": tmp_path / "policy.json",
        "card": tmp_path / "card.json",
        "estimates": tmp_path / "estimates.csv",
    }
    paths["data"].write_text(to_json(demo_dataset()), encoding="utf-8")
    paths["policy"].write_text(to_json(POLICY), encoding="utf-8")
    paths["card"].write_text(to_json(CARD), encoding="utf-8")
    paths["estimates"].write_text(ESTIMATES, encoding="utf-8")
    return {name: str(path) for name, path in paths.items()}


def _rank(files: dict[str, str], *extra: str) -> int:
    return main(
        ["rank", files["data"], "--policy", files["policy"], "--scorecard", files["card"], *extra]
    )


def test_rank_by_a_scorecard_is_what_score_returns(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rank(files, "--estimates", files["estimates"], "--format", "json") == 0
    shown = from_json(capsys.readouterr().out, ScorecardRanking)
    dataset = demo_dataset()
    as_of = max(item.created_at for item in dataset.feedback)
    backlog = prioritize(dataset.feedback, dataset.customers, policy=POLICY, as_of=as_of)
    estimates: dict[str, dict[str, float]] = {
        "subscription-price": {"impact": 8, "effort": 3},
        "bulk-export": {"impact": 6},
        "sso": {"impact": 9, "effort": 5},
        "dashboard-speed": {"impact": 7, "effort": 2},
        "new-idea": {"impact": 4, "effort": 0.5},
    }
    assert shown == CARD.score(backlog, estimates)
    assert "new-idea" in shown.themes  # a theme nobody asked for is ranked too


def test_rank_by_a_scorecard_as_csv_and_table(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _rank(files, "--estimates", files["estimates"], "--format", "csv", "--top", "2") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["rank"] for r in rows] == ["1", "2"]
    assert list(rows[0]) == ["rank", "theme", "score", "importance", "impact", "effort"]
    assert _rank(files, "--estimates", files["estimates"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == [
        "rank",
        "theme",
        "score",
        "importance",
        "impact",
        "effort",
    ]


def test_a_bad_estimates_file_names_line_and_column_not_the_cell(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("theme,impact\nsso,secret-text\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    err = capsys.readouterr().err
    assert f"{bad}:2: column 'impact': must be a number" in err
    assert "secret-text" not in err
    bad.write_text("theme,impact\nsso,x\ndashboard-speed,y\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"{bad}:2: column 'impact': must be a number",
        f"{bad}:3: column 'impact': must be a number",
    ]
    bad.write_text("theme,impact\nsso,11\nsso,1\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    assert f"{bad}:3: repeats the theme of line 2" in capsys.readouterr().err
    bad.write_text("theme,impact\nsso,11\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    assert f"{bad}: $.estimates.sso.impact: must be at most 10" in capsys.readouterr().err
    bad.write_text("impact\n3\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    assert "the header must name one 'theme' column" in capsys.readouterr().err


def test_a_repeated_header_cell_is_named_by_its_column_not_its_text(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file given by mistake (customers, no header) must not have its first row echoed."""
    bad = tmp_path / "bad.csv"
    bad.write_text("theme,Dara Costa,x,Dara Costa,Dara Costa\nsso,1,2,3,4\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(bad)) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:1: column 4 repeats the name of column 2",
        f"{bad}:1: column 5 repeats the name of column 2",
    ]


def test_estimates_problems_name_the_line_of_the_file_past_blank_lines_and_quoted_breaks(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        '\ntheme,impact\n\nsso,3\n"two\nlines",x\nsso,1\n', encoding="utf-8"
    )  # lines: 1 blank, 2 header, 3 blank, 4 sso, 5-6 a quoted theme, 7 sso again
    assert _rank(files, "--estimates", str(bad)) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{bad}:5: column 'impact': must be a number",
        f"{bad}:7: repeats the theme of line 4",
    ]


def test_a_bad_scorecard_file_points_at_the_formula(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    Path(files["card"]).write_text(
        '{"factors": [{"name": "impact"}], "formula": "impact / impakt"}', encoding="utf-8"
    )
    assert _rank(files) == 2
    err = capsys.readouterr().err
    assert f"{files['card']}: $.formula: at column 10: 'impakt' is not a factor" in err


def test_estimates_need_a_scorecard(
    files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank", files["data"], "--estimates", files["estimates"]]) == 2
    assert "--estimates needs --scorecard FILE" in capsys.readouterr().err


def test_estimates_theme_cells_are_read_as_the_other_cells_are(
    files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Spaces around a theme are the CSV's, as around a number: " sso " is sso.
    padded = tmp_path / "padded.csv"
    lines = ESTIMATES.splitlines()
    padded.write_text("\n".join(f" {line.replace(',', ' , ', 1)}" for line in lines), "utf-8")
    assert _rank(files, "--estimates", str(padded), "--format", "json") == 0
    shown = from_json(capsys.readouterr().out, ScorecardRanking)
    assert _rank(files, "--estimates", files["estimates"], "--format", "json") == 0
    assert from_json(capsys.readouterr().out, ScorecardRanking) == shown
    # A row without a theme is told, not taken as a theme named "".
    blank = tmp_path / "blank.csv"
    blank.write_text(f"{ESTIMATES.rstrip()}\n  ,4,1\n", encoding="utf-8")
    assert _rank(files, "--estimates", str(blank)) == 2
    assert capsys.readouterr().err.splitlines() == [f"{blank}:7: has no theme"]
