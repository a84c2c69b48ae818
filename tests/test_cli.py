from __future__ import annotations

import csv as csv_module
import io
import itertools
import json
import subprocess
import sys
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import pytest

from customer_model import Dataset, from_json, to_dict, to_json
from customer_model.cli import main

# The progress bar only draws on a terminal, which the CLI tests cannot be: tested as a unit.
from customer_model.cli._progress import ProgressBar
from customer_model.examples import demo_dataset
from customer_model.examples.bundled import sample_dataset


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


def test_demo_shows_the_ranked_backlog_with_role_shares(
    capsys: pytest.CaptureFixture[str],
) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    rows = {
        line.split()[1]: line.split()
        for line in out.splitlines()
        if line[:1].isdigit() and len(line.split()) == 9
    }
    assert list(rows) == ["bulk-export", "dashboard-speed", "sso", "subscription-price"]
    assert rows["sso"][-2:] == ["100%", "0%"]
    assert rows["dashboard-speed"][-2:] == ["0%", "96%"]
    assert "Backlog as of 2026-06-30" in out


def test_demo_shows_nps_by_role(capsys: pytest.CaptureFixture[str]) -> None:
    main(["demo"])
    out = capsys.readouterr().out
    nps = {" ".join(line.split()[:-2]): line.split()[-2:] for line in out.splitlines()}
    assert nps["purchasers (incl. both)"] == ["5", "+0.0"]
    assert nps["users (incl. both)"] == ["3", "+100.0"]
    assert "gap (purchasers - users): -100.0" in out


# -- the commands added with the testing kit --------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def data_file(tmp_path: Path) -> str:
    return _write(tmp_path / "data.json", to_json(sample_dataset(customers=15, seed=2)))


@pytest.mark.parametrize("command", ["demo", "rank", "validate", "generate", "nps"])
def test_every_command_has_help_with_examples(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Example" in out
    assert f"customer-model {command}" in out


def test_generate_is_deterministic_and_valid(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["generate", "--customers", "20", "--seed", "9", "--out", str(a)]) == 0
    assert main(["generate", "--customers", "20", "--seed", "9", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    data = from_json(a.read_bytes(), Dataset)
    assert len(data.customers) == 20
    assert data == sample_dataset(customers=20, seed=9)


def test_generate_writes_the_bundled_demo_data_byte_for_byte(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--customers", "12", "--seed", "26"]) == 0
    demo = files("customer_model.examples").joinpath("data", "bundled.json")
    bundled = demo.read_text(encoding="utf-8")
    assert capsys.readouterr().out == bundled


def test_generate_honours_start_months_and_indent(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["generate", "--customers", "2", "--seed", "1", "--start", "2024-03-01"]
    assert main([*argv, "--months", "2", "--indent", "2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('{\n  "customers"')
    data = from_json(out, Dataset)
    assert all(
        p.at.year == 2024 and p.at.month in (3, 4) for c in data.customers for p in c.purchases
    )


def test_generate_start_as_a_date_is_the_first_moment_of_that_day(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--start 2025-01-01`` is the default it names, byte for byte (not the day's end)."""
    assert main(["generate", "--customers", "3", "--seed", "2"]) == 0
    default = capsys.readouterr().out
    assert main(["generate", "--customers", "3", "--seed", "2", "--start", "2025-01-01"]) == 0
    assert capsys.readouterr().out == default


def test_generate_draws_a_progress_bar_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    out = tmp_path / "d.json"
    assert main(["generate", "--customers", "40", "--seed", "1", "--out", str(out)]) == 0
    err = tty.getvalue()
    assert "\rgenerating [" in err
    assert "100%" in err
    assert "\r" not in out.read_text(encoding="utf-8")


def test_generate_is_quiet_when_piped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    assert main(["generate", "--customers", "40", "--seed", "1", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err
    assert err.startswith(f"wrote {out}")


def test_generate_to_an_unwritable_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "missing-dir" / "d.json"
    assert main(["generate", "--customers", "1", "--out", str(target)]) == 2
    assert capsys.readouterr().err.strip() == f"{target}: cannot write (No such file or directory)"


def test_generate_json_refuses_more_customers_than_one_document_can_hold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A million customers as one Dataset took some 23 GB before the first byte was written.
    from customer_model.cli import JSON_CUSTOMERS

    target = tmp_path / "d.json"
    argv = ["generate", "--out", str(target), "--customers"]
    assert main([*argv, str(JSON_CUSTOMERS + 1)]) == 2
    assert capsys.readouterr().err == (
        f"--customers: at most {JSON_CUSTOMERS} with --format json, one document made in memory"
        " (about 23 kB a customer); --format jsonl or parquet stream any number\n"
    )
    assert not target.exists()


def test_validate_a_valid_dataset(data_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", data_file]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{data_file}: valid dataset: 15 customers")


def test_validate_lists_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = json.loads(to_json(sample_dataset(customers=2, seed=1)))
    good["customers"][0]["id"] = " "
    good["customers"][1]["kind"] = "family"
    path = _write(tmp_path / "bad.json", json.dumps(good))
    assert main(["validate", path]) == 2
    err = capsys.readouterr().err.splitlines()
    assert (
        f"{path}: $.customers[1].kind: must be one of 'individual', 'household', 'organization'"
        in err
    )
    assert len(err) > 2
    assert err[-1] == f"{path}: {len(err) - 1} problems"


def test_validate_json_lines_reports_every_line(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        json.loads(to_json(f))
        for f in from_json(Path(data_file).read_bytes(), Dataset).feedback[:3]
    ]
    items[1]["theme"] = ""
    items[2]["customer_id"] = "c-nobody"
    lines = [json.dumps(i) for i in items] + ["", "not json", json.dumps(items[0])]
    path = _write(tmp_path / "feedback.jsonl", "\n".join(lines) + "\n")
    assert main(["validate", path, "--customers", data_file]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{path}:2: $.theme: must not be empty or blank" in err
    assert any(line.startswith(f"{path}:5: $: not valid JSON") for line in err)
    assert f"{path}:6: $.id: id {items[0]['id']!r} is already used on line 1" in err
    assert f"{path}:3: $.customer_id: refers to no customer in {data_file}" in err
    assert err[-1] == f"{path}: 4 problems"


def test_validate_a_json_array_of_customers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = sample_dataset(customers=3, seed=1).customers
    path = _write(tmp_path / "customers.json", to_json(list(customers)))
    assert main(["validate", path, "--type", "customers"]) == 0
    assert capsys.readouterr().out.strip() == f"{path}: valid: 3 customers records"


@pytest.mark.parametrize("kind", ["dataset", "policy", "customers", "segments"])
def test_validate_refuses_customers_it_would_not_check(
    kind: str, data_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file that names no customer of its own is not called valid against --customers."""
    none = _write(tmp_path / "none.json", "[]")
    assert main(["validate", data_file, "--type", kind, "--customers", none]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"--customers: checks the customers of feedback or responses, not of a {kind} file\n"
    )


def test_missing_file_exits_2_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["validate", "nope.json"], ["nps", "nope.json"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert err.startswith("nope.json: no such file")


def test_bad_input_is_one_line_on_stderr_without_a_traceback(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "data.json", '{"customers": [{"id": "c-1", "kind": "x", "purchasers": []}]}'
    )
    result = subprocess.run(
        [sys.executable, "-m", "customer_model.cli", "nps", path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{path}: $.customers[0].kind: must be one of 'individual', 'household', 'organization'"
    ]


def test_several_problems_are_summarised_on_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(
        tmp_path / "data.json", '{"customers": [{"id": 1, "kind": "x", "purchasers": []}]}'
    )
    assert main(["nps", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"{path}: $.customers[0].id: must be a string")
    assert f"(and 1 more problem; run `customer-model validate {path}` to list them all)" in err


def test_nps_by_role(data_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    from customer_model.satisfaction import satisfaction_by_role

    assert main(["nps", data_file]) == 0
    out = capsys.readouterr().out
    data = from_json(Path(data_file).read_bytes(), Dataset)
    expected = satisfaction_by_role(data.responses, data.customers)
    assert expected.overall is not None
    assert expected.gap is not None
    assert f"{expected.overall.value:+.1f}" in out
    assert out.rstrip().endswith(f"gap (purchasers - users): {expected.gap:+.1f}")


def test_nps_json_is_the_role_breakdown(data_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    from customer_model.satisfaction import satisfaction_by_role

    assert main(["nps", data_file, "--format", "json"]) == 0
    data = from_json(Path(data_file).read_bytes(), Dataset)
    expected = satisfaction_by_role(data.responses, data.customers)
    assert json.loads(capsys.readouterr().out) == json.loads(to_json(expected))


def test_nps_without_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import attrs

    from customer_model.examples import demo_dataset

    # the demo dataset has NPS answers since issue 3; drop them for this case
    silent = attrs.evolve(demo_dataset(), responses=())
    path = _write(tmp_path / "bundled.json", to_json(silent))
    assert main(["nps", path]) == 0
    assert "no NPS answers" in capsys.readouterr().out


def test_bad_option_values_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["generate", "--customers", "0"],
        ["generate", "--seed", "x"],
        ["generate", "--seed", "-1"],  # would repeat seed 1's data
        ["generate", "--start", "2025-01-01T00:00:00"],
        ["rank", "data.json", "--as-of", "yesterday"],
        # Past year 9999 in UTC: told at --as-of, not as a problem of the data file.
        ["rank", "data.json", "--as-of", "9999-12-31T23:00:00-05:00"],
        ["rank", "data.json", "--top", "-1"],
    ):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


# -- the progress bar -------------------------------------------------------------------


def test_progress_bar_draws_on_a_terminal() -> None:
    tty = FakeTTY()
    with ProgressBar(tty, "work", width=10) as bar:
        for done in range(1, 201):
            bar(done, 200)
    text = tty.getvalue()
    assert text.endswith("\rwork [##########] 100%\n")
    assert text.count("\r") == 101  # one redraw per percent (0 to 100), not per call
    assert "\rwork [#####.....]  50%" in text


def test_progress_bar_is_silent_when_piped() -> None:
    piped = io.StringIO()
    with ProgressBar(piped, "work") as bar:
        for done in range(10):
            bar(done, 10)
    assert piped.getvalue() == ""


def test_progress_bar_ends_its_line_when_work_stops_early() -> None:
    tty = FakeTTY()
    with ProgressBar(tty, "work", width=4) as bar:
        bar(1, 4)
    assert tty.getvalue() == "\rwork [#...]  25%\n"


def test_customers_that_stop_loading_part_way_end_the_progress_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stop part-way through the customers (a read error, Ctrl-C) left their bar's line
    # open, and the message was written after it on the same line.
    import customer_model.cli._files as files

    def broken(*args: Any, progress: Any, **kwargs: Any) -> Any:
        progress(1, 4)
        raise files.InputError(["customers.jsonl: cannot read (Input/output error)"])

    monkeypatch.setattr(files, "load_lines", broken)
    customers = _write(tmp_path / "customers.jsonl", "{}\n")
    feedback = _write(tmp_path / "feedback.jsonl", "")
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["rank", feedback, "--customers", customers]) == 2
    assert tty.getvalue() == (
        "\rcustomers [#######.......................]  25%\n"
        "customers.jsonl: cannot read (Input/output error)\n"
    )


# -- rank (needs prioritize, issue 3; these run once it is merged) ---------------------


def _prioritize() -> Any:
    return pytest.importorskip("customer_model.prioritization").prioritize


def test_rank_json_is_exactly_what_prioritize_returns(
    data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    prioritize = _prioritize()
    data = from_json(Path(data_file).read_bytes(), Dataset)
    as_of = max(f.created_at for f in data.feedback)
    assert main(["rank", data_file, "--format", "json"]) == 0
    expected = prioritize(data.feedback, data.customers, as_of=as_of)
    assert json.loads(capsys.readouterr().out) == json.loads(to_json(expected))


def test_rank_table_csv_and_top(data_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    prioritize = _prioritize()
    data = from_json(Path(data_file).read_bytes(), Dataset)
    as_of = datetime(2025, 12, 31, tzinfo=UTC)
    backlog = prioritize(data.feedback, data.customers, as_of=as_of)
    assert main(["rank", data_file, "--as-of", "2025-12-31", "--top", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in lines[2:]] == list(backlog.themes[:3])
    assert main(["rank", data_file, "--as-of", "2025-12-31", "--format", "csv"]) == 0
    rows = list(csv_module.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["theme"] for r in rows] == list(backlog.themes)
    assert [float(r["score"]) for r in rows] == [item.score for item in backlog]


def test_rank_csv_of_an_empty_backlog_is_its_header(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # It printed nothing at all, which CSV readers refuse as having no columns.
    data = from_json(Path(data_file).read_bytes(), Dataset)
    quiet = _write(tmp_path / "quiet.json", to_json(attrs.evolve(data, feedback=(), responses=())))
    assert main(["rank", quiet, "--as-of", "2025-12-31", "--format", "csv"]) == 0
    header = capsys.readouterr().out
    assert main(["rank", data_file, "--as-of", "2025-12-31", "--format", "csv"]) == 0
    full = capsys.readouterr().out.splitlines()[0].split(",")
    assert header.splitlines() == [",".join(c for c in full if not c.startswith("revenue_"))]
    assert list(csv_module.DictReader(io.StringIO(header))) == []


def test_rank_reads_json_lines_with_customers(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _prioritize()
    data = from_json(Path(data_file).read_bytes(), Dataset)
    feedback = _write(tmp_path / "f.jsonl", "".join(to_json(f) + "\n" for f in data.feedback))
    customers = _write(tmp_path / "c.jsonl", "".join(to_json(c) + "\n" for c in data.customers))
    assert main(["rank", feedback, "--customers", customers, "--format", "json"]) == 0
    from_lines = capsys.readouterr().out
    assert main(["rank", data_file, "--format", "json"]) == 0
    assert from_lines == capsys.readouterr().out
    assert main(["rank", feedback]) == 2
    assert "needs --customers" in capsys.readouterr().err


def test_rank_names_every_feedback_item_of_a_missing_customer_with_a_count(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = from_json(Path(data_file).read_bytes(), Dataset)
    stray = [to_dict(f) | {"customer_id": "c-nobody"} for f in data.feedback[:3]]
    feedback = _write(tmp_path / "f.jsonl", "".join(json.dumps(f) + "\n" for f in stray))
    assert main(["rank", feedback, "--customers", data_file]) == 2
    assert capsys.readouterr().err == (
        f"{feedback}:1: $.customer_id: refers to no customer in {data_file} (and 2 more "
        f"problems; run `customer-model validate {feedback} --customers {data_file}` "
        "to list them all)\n"
    )
    assert main(["validate", feedback, "--customers", data_file]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 4  # three lines and the count


def test_a_bad_policy_files_hint_checks_the_policy(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = _write(tmp_path / "policy.json", '{"currency": 5, "no_such_knob": 1}')
    assert main(["rank", data_file, "--policy", policy]) == 2
    hint = f"run `customer-model validate {policy} --type policy` to list them all"
    assert capsys.readouterr().err.endswith(f"; {hint})\n")
    assert main(["validate", policy, "--type", "policy"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 3
    good = _write(tmp_path / "good.json", '{"currency": "EUR"}')
    assert main(["validate", good, "--type", "policy"]) == 0
    assert capsys.readouterr().out == f"{good}: valid policy: currency EUR\n"
    # Problems in a customers file point at that file and its type.
    customers = _write(tmp_path / "c.jsonl", '{"id": 1}\n{"id": 2}\n')
    assert main(["rank", data_file, "--customers", customers]) == 2
    assert f"validate {customers} --type customers`" in capsys.readouterr().err


def test_a_bad_segments_array_points_at_validate_type_segments(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    segments = _write(tmp_path / "segments.json", '[{"id": "a"}, {"id": "b"}]')
    assert main(["rank", data_file, "--segments", segments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{segments}: $[0].")
    hint = f"run `customer-model validate {segments} --type segments` to list them all"
    assert err.endswith(f"; {hint})\n")
    assert main(["validate", segments, "--type", "segments"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{segments}: $[0].name: is required",
        f"{segments}: $[1].name: is required",
        f"{segments}: 2 problems",
    ]


def test_validate_a_json_array_of_segments(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What rank --segments reads: its ids once each, and JSON Lines refused as rank does."""
    dataset = sample_dataset(customers=3, seed=1)
    path = _write(tmp_path / "segments.json", to_json(list(dataset.segments)))
    assert main(["validate", path, "--type", "segments"]) == 0
    count = len(dataset.segments)
    assert capsys.readouterr().out == f"{path}: valid: {count} segments records\n"
    assert main(["rank", data_file, "--segments", path]) == 0
    capsys.readouterr()
    twice = _write(tmp_path / "twice.json", to_json([dataset.segments[0]] * 2))
    assert main(["validate", twice, "--type", "segments"]) == 2
    said = f"$[1].id: id {dataset.segments[0].id!r} is already used by $[0]"
    assert capsys.readouterr().err == f"{twice}: {said}\n"
    lines = _write(tmp_path / "segments.jsonl", to_json(dataset.segments[0]) + "\n")
    assert main(["validate", lines, "--type", "segments"]) == 2
    assert capsys.readouterr().err == f"{lines}: segments are one JSON array, not JSON Lines\n"


def test_rank_bad_policy_file(
    tmp_path: Path, data_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _prioritize()
    policy = _write(tmp_path / "policy.json", '{"no_such_knob": 1}')
    assert main(["rank", data_file, "--policy", policy]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{policy}: $")
    assert err.count("\n") == 1


def test_demo_also_summarises_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    from customer_model.examples.bundled import bundled_dataset
    from customer_model.reports import split_report

    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    overall = split_report(bundled_dataset().customers).overall
    last = out.splitlines()[-1].split()
    assert last[:5] == ["all", str(overall.customers), str(overall.same), str(overall.disjoint),
                        str(overall.overlapping)]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "path"),
    [(["--months", "1000000"], "$.months"), (["--start", "9999-12-01"], "$.start")],
)
def test_generate_rejects_impossible_ranges_without_a_traceback(
    args: list[str], path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--customers", "2", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"customer-model generate: {path}: ")
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1


def test_rank_as_of_a_date_means_the_end_of_that_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = demo_dataset()
    last = max(item.created_at for item in data.feedback)
    path = tmp_path / "d.json"
    path.write_text(to_json(data))
    policy = tmp_path / "p.json"
    policy.write_text('{"currency": "EUR", "exchange_rates": {"BRL": 0.17}}')
    day = last.date().isoformat()
    assert main(["rank", str(path), "--as-of", day, "--policy", str(policy)]) == 0
    assert "bulk-export" in capsys.readouterr().out


def test_policy_problems_name_the_policy_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.json"
    data.write_text(to_json(demo_dataset()))
    policy = tmp_path / "p.json"
    policy.write_text('{"currency": "USD"}')
    assert main(["rank", str(data), "--policy", str(policy)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{policy}: $.policy.exchange_rates:")


def test_csv_cells_never_start_a_formula() -> None:
    import csv
    import io

    from customer_model.cli import _backlog_csv

    text = _backlog_csv([{"theme": '=HYPERLINK("x")', "score": -1.5, "note": None}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1] == ['\'=HYPERLINK("x")', "-1.5", ""]


@pytest.mark.parametrize(
    "argv", [["rank", "x.json", "--top", "0"], ["bogus"], ["rank", "x.json", "--as-of", "2025"]]
)
def test_usage_errors_are_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("customer-model")


def test_duplicate_ids_in_a_json_array_name_both_positions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = to_dict(demo_dataset())
    customers = [*data["customers"], data["customers"][0]]
    path = tmp_path / "customers.json"
    path.write_text(json.dumps(customers))
    assert main(["validate", str(path), "--type", "customers"]) == 2
    err = capsys.readouterr().err
    assert f"{path}: $[3].id: id 'c-silva' is already used by $[0]" in err


def test_validate_checks_the_good_records_of_an_array_even_when_one_is_bad(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = to_dict(demo_dataset())["feedback"]
    items[0]["theme"] = " "
    items.append(dict(items[1]))
    path = tmp_path / "feedback.json"
    path.write_text(json.dumps(items))
    assert main(["validate", str(path), "--type", "feedback"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{path}: $[0].theme: must not be empty or blank" in err
    assert f"{path}: $[7].id: id 'f-2' is already used by $[1]" in err


def test_validate_names_objects_that_repeat_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON keeps one value of a repeated key; the command line says so instead."""
    text = to_json(list(sample_dataset(customers=2, seed=1).customers))
    first_id = json.loads(text)[0]["id"]
    text = text.replace(f'"id": "{first_id}"', f'"id": "{first_id}", "id": "c-other"', 1)
    assert text.count('"c-other"') == 1
    path = _write(tmp_path / "customers.json", text)
    assert main(["validate", path, "--type", "customers"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert f"{path}: $[0]: repeats the key(s) 'id'; JSON keeps only one" in err


def test_validate_reports_repeated_keys_with_the_other_problems_of_an_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = json.loads(to_json(sample_dataset(customers=1, seed=1).feedback[0]))
    first = json.dumps(record).replace('"id": ', '"id": "f-x", "id": ', 1)
    second = json.dumps({**record, "id": "f-y", "kind": "nope"})
    path = _write(tmp_path / "feedback.json", f"[{first}, {second}]")
    assert main(["validate", path, "--type", "feedback"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"{path}: $[0]: repeats the key(s) 'id'; JSON keeps only one"
    assert err[1].startswith(f"{path}: $[1].kind: must be one of")
    assert err[-1] == f"{path}: 2 problems"


def test_odd_indents_and_file_names_are_one_line_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["generate", "--customers", "1", "--indent", "99999999999999999999"])
    assert exit_info.value.code == 2
    assert "--indent: must be from 0 to 64" in capsys.readouterr().err
    for command in (
        ["validate", "bad\x00name.json"],
        ["rank", "bad\x00name.json"],
        ["generate", "--customers", "1", "--out", "x\x00.json"],
    ):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert "not a valid file name" in err
        assert "\x00" not in err.splitlines()[0]


def test_the_cli_pages_option_rows_all_stand_in_a_table() -> None:
    """A row cut off from its table by a paragraph shows as text with pipes, not a row."""
    page = Path(__file__).parents[1] / "docs" / "cli.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    for before, line in itertools.pairwise(lines):
        if line.startswith("| `--"):
            assert before.startswith("|"), line


def test_every_argument_of_every_command_says_what_it_is_for() -> None:
    import argparse

    from customer_model.cli import _parser

    def silent(parser: argparse.ArgumentParser) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    found += silent(sub)
            elif not action.help:
                found.append(f"{parser.prog} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert silent(_parser()) == []


SECRET = "jane.doe@example.com"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (
            ["generate", "--format", SECRET],
            "customer-model generate: argument --format: must be one of 'json', 'jsonl', 'parquet'",
        ),
        ([SECRET], "customer-model: argument COMMAND: must be one of 'demo', 'rank',"),
        (  # the CLI's own option types never repeated a value: kept so
            ["generate", "--customers", SECRET],
            "customer-model generate: argument --customers: must be a whole number",
        ),
        (  # said by the command that got it, whose --help tells what it takes
            ["rank", "x.json", SECRET],
            "customer-model rank: 1 unexpected argument (not repeated here)"
            " (see customer-model rank --help)",
        ),
        (
            ["rank", "x.json", f"--frmat={SECRET}", SECRET],
            "customer-model rank: unrecognized option: --frmat; 1 unexpected argument",
        ),
        (
            ["sql", "backlog", "--as-of", "2025-01-01", f"--dialekt={SECRET}"],
            "customer-model sql backlog: unrecognized option: --dialekt"
            " (see customer-model sql backlog --help)",
        ),
        (
            ["rank", "x.json", f"--s={SECRET}"],
            "customer-model rank: ambiguous option --s: could match --scorecard, --segments",
        ),
        (["demo", f"--help={SECRET}"], "customer-model demo: argument -h/--help: takes no value"),
    ],
)
def test_usage_errors_name_the_option_but_never_repeat_what_was_typed(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(said)
    assert err.endswith("--help)\n")
    assert len(err.splitlines()) == 1
    assert SECRET not in err
    assert "jane" not in err


def test_a_type_that_raises_value_error_is_not_repeated_either(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from customer_model.cli._options import Parser

    parser = Parser(prog="customer-model x")
    parser.add_argument("--n", type=int)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--n", SECRET])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        "customer-model x: argument --n: invalid int value (not repeated here)"
        " (see customer-model x --help)\n"
    )
