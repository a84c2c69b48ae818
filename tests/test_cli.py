from __future__ import annotations

import subprocess
import sys

import pytest

from customer_model.cli import main


def test_demo_prints_each_customers_split(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("c-")}
    assert lines["c-silva"][-1] == "disjoint"
    assert lines["c-jon"][-1] == "same"
    assert lines["c-acme"][-1] == "overlapping"


def test_demo_shows_no_personal_data(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    assert "Maria" not in out
    assert "@" not in out


def test_console_script_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "customer_model.cli", "demo"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "overlapping" in result.stdout


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "Example" in capsys.readouterr().out
