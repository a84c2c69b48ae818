"""The command line with record tables: generate --format jsonl|parquet, rank --engine duckdb."""

from __future__ import annotations

import csv
import errno
import io
import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from customer_model.cli import main
from customer_model.cli._rows import (
    _CONFIRMED,
    _MID_FILE_BOM,
    _READABLE,
    _UNTOLD,
    _Number,
    first_bad_line,
)
from customer_model.cli._tables import MOVING
from customer_model.examples.tables import TABLES, sample_tables
from customer_model.records import COLUMN_TYPES, Record

duckdb = pytest.importorskip("duckdb")

#: How DuckDB names the type each kind of record column is stored as.
DUCKDB_NAMES = {
    "text": "VARCHAR",
    "tags": "VARCHAR",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "decimal": "DECIMAL(38,9)",
    "datetime": "TIMESTAMP WITH TIME ZONE",
}

ARGS = ["--customers", "40", "--seed", "3", "--feedback", "300"]


def generate(folder: Path, file_format: str, *extra: str) -> int:
    return main(["generate", *ARGS, *extra, "--format", file_format, "--out", str(folder)])


def rows(**kwargs: object) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {name: [] for name in TABLES}
    for chunk in sample_tables(**kwargs):  # type: ignore[arg-type]
        for name in TABLES:
            out[name].extend(chunk[name])
    return out


@pytest.fixture(scope="module")
def jsonl_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("jsonl")
    assert generate(folder, "jsonl") == 0
    return folder


@pytest.fixture(scope="module")
def parquet_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parquet")
    assert generate(folder, "parquet") == 0
    return folder


def test_jsonl_tables_hold_the_sample_rows_line_by_line(jsonl_folder: Path) -> None:
    expected = rows(customers=40, seed=3, feedback=300)
    assert sorted(p.name for p in jsonl_folder.iterdir()) == sorted(f"{t}.jsonl" for t in TABLES)
    for name in TABLES:
        lines = (jsonl_folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert [json.loads(line) for line in lines] == expected[name]


def test_parquet_tables_are_typed_as_the_records_page_says(
    parquet_folder: Path, jsonl_folder: Path
) -> None:
    con = duckdb.connect()
    for name in TABLES:
        path = str(parquet_folder / f"{name}.parquet")
        described = con.execute("DESCRIBE SELECT * FROM read_parquet($1)", [path]).fetchall()
        columns = [row[0] for row in described]
        assert columns == list(rows(customers=1)[name][0])
        assert [row[1] for row in described] == [DUCKDB_NAMES[COLUMN_TYPES[c]] for c in columns]
        # the same values as the JSON Lines, read with those types
        types = ", ".join(
            f"'{c}': '{t}'" for c, t in zip(columns, (r[1] for r in described), strict=True)
        )
        lines = str(jsonl_folder / f"{name}.jsonl")
        query = (
            f"SELECT count(*) FROM ((SELECT * FROM read_parquet($1) EXCEPT ALL "
            f"SELECT * FROM read_json($2, format = 'newline_delimited', columns = {{{types}}}))"
            f" UNION ALL (SELECT * FROM read_json($2, format = 'newline_delimited', "
            f"columns = {{{types}}}) EXCEPT ALL SELECT * FROM read_parquet($1)))"
        )
        assert con.execute(query, [path, lines]).fetchone() == (0,)
        (count,) = con.execute("SELECT count(*) FROM read_parquet($1)", [path]).fetchone()
        assert count == len(rows(customers=40, seed=3, feedback=300)[name])


def test_files_are_published_whole_with_ordinary_permissions(
    parquet_folder: Path, jsonl_folder: Path
) -> None:
    for folder in (parquet_folder, jsonl_folder):
        names = [p.name for p in folder.iterdir()]
        assert not [n for n in names if n.startswith(".") or n.endswith(".tmp")]
        for p in folder.iterdir():  # readable by others, like any new file (umask 022)
            assert p.stat().st_mode & stat.S_IRGRP


def test_a_table_keeps_its_files_mode_and_is_written_through_a_link(tmp_path: Path) -> None:
    folder, elsewhere = tmp_path / "tables", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / "customers.jsonl").write_text("old\n", encoding="utf-8")
    (folder / "customers.jsonl").chmod(0o600)
    (elsewhere / "feedback.jsonl").write_text("old\n", encoding="utf-8")
    (elsewhere / "feedback.jsonl").chmod(0o640)
    (folder / "feedback.jsonl").symlink_to(elsewhere / "feedback.jsonl")
    assert generate(folder, "jsonl") == 0
    assert stat.S_IMODE((folder / "customers.jsonl").stat().st_mode) == 0o600
    assert (folder / "feedback.jsonl").is_symlink()  # the link stays; its target is replaced
    assert stat.S_IMODE((elsewhere / "feedback.jsonl").stat().st_mode) == 0o640
    expected = rows(customers=40, seed=3, feedback=300)
    lines = (elsewhere / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected["feedback"]
    assert [p.name for p in elsewhere.iterdir()] == ["feedback.jsonl"]


def on_two_disks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every folder a disk of its own: a rename between two folders fails with EXDEV."""
    replace = os.replace

    def across(src: Any, dst: Any, **kwargs: Any) -> None:
        if Path(src).parent != Path(dst).parent:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", across)


def linked_elsewhere(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A folder whose table *name* is a link to an old file of that name in another folder."""
    folder, elsewhere = tmp_path / "tables", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (elsewhere / name).write_bytes(b"old")
    (folder / name).symlink_to(elsewhere / name)
    return folder, elsewhere


def test_a_link_to_another_file_system_gets_a_whole_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, elsewhere = linked_elsewhere(tmp_path, "users.parquet")
    on_two_disks(monkeypatch)
    assert generate(folder, "parquet") == 0
    assert (folder / "users.parquet").is_symlink()
    (count,) = duckdb.execute(
        "SELECT count(*) FROM read_parquet($1)", [str(elsewhere / "users.parquet")]
    ).fetchone()
    assert count == len(rows(customers=40, seed=3, feedback=300)["users"])
    assert [p.name for p in elsewhere.iterdir()] == ["users.parquet"]
    assert not [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


def test_a_stop_while_copying_to_another_disk_leaves_everything_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The copy runs before the tables start to move, so a stop need not wait for it.
    folder, elsewhere = linked_elsewhere(tmp_path, "users.jsonl")

    def stopped(*args: Any, **kwargs: Any) -> None:
        assert not os.path.lexists(folder / MOVING)  # nothing has moved yet
        raise KeyboardInterrupt

    on_two_disks(monkeypatch)
    monkeypatch.setattr(shutil, "copyfileobj", stopped)
    assert generate(folder, "jsonl") == 128 + signal.SIGINT
    assert capsys.readouterr().err == "customer-model generate: stopped (SIGINT)\n"
    assert (elsewhere / "users.jsonl").read_bytes() == b"old"
    assert [p.name for p in elsewhere.iterdir()] == ["users.jsonl"]  # no copy left behind
    assert [p.name for p in folder.iterdir()] == ["users.jsonl"]  # nor any table or marker


def test_tables_and_their_names_are_flushed_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: set[int] = set()
    fsync = os.fsync

    def noted(fd: int) -> None:
        synced.add(os.fstat(fd).st_ino)
        fsync(fd)

    monkeypatch.setattr(os, "fsync", noted)
    assert generate(tmp_path, "parquet") == 0
    for table in TABLES:  # each file's bytes, before its rename
        assert (tmp_path / f"{table}.parquet").stat().st_ino in synced
    assert tmp_path.stat().st_ino in synced  # and the folder holding the new names


def test_a_link_at_the_marker_is_replaced_never_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, elsewhere = tmp_path / "tables", tmp_path / "elsewhere"
    folder.mkdir()
    elsewhere.mkdir()
    (folder / MOVING).symlink_to(elsewhere / "made-through-the-link")
    # rank counts a marker that is a link, even one pointing nowhere
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    assert "generate was stopped while moving its tables" in err
    assert generate(folder, "jsonl") == 0
    assert not os.path.lexists(folder / MOVING)
    assert not list(elsewhere.iterdir())  # nothing was written where the link pointed
    assert rank(capsys, str(folder))[0] == 0


def test_a_file_in_the_way_leaves_no_partial_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "feedback.parquet").mkdir()  # cannot be replaced by a file
    assert generate(tmp_path, "parquet") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"{tmp_path}: cannot write")
    assert "Traceback" not in err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    con = duckdb.connect()
    for table in tmp_path.glob("*.parquet"):  # what was moved into place is whole
        if table.is_file():
            assert con.execute("SELECT count(*) FROM read_parquet($1)", [str(table)]).fetchone()
    # four tables of this run beside none of feedback: rank refuses the folder
    assert (tmp_path / MOVING).exists()
    (tmp_path / "feedback.parquet").rmdir()
    shutil.copy(tmp_path / "users.parquet", tmp_path / "feedback.parquet")
    status, _, err = rank(capsys, str(tmp_path))
    assert (status, err.count("\n")) == (2, 1)
    assert err.startswith(f"{tmp_path}: generate was stopped while moving its tables into place")
    # the next run mends it
    assert generate(tmp_path, "parquet") == 0
    assert not (tmp_path / MOVING).exists()
    assert rank(capsys, str(tmp_path))[0] == 0


def test_generating_in_the_other_format_replaces_the_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate(tmp_path, "jsonl") == 0
    assert generate(tmp_path, "parquet", "--seed", "4") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    assert rank(capsys, str(tmp_path))[0] == 0
    (tmp_path / "users.parquet").rename(tmp_path / "users.ndjson")  # a table of the user's
    (tmp_path / "purchases.parquet").unlink()
    (tmp_path / "purchases.parquet").mkdir()  # a folder, as Spark writes Parquet: not a table
    assert generate(tmp_path, "jsonl") == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"{t}.jsonl" for t in TABLES] + ["purchases.parquet"]
    )
    assert rank(capsys, str(tmp_path))[0] == 0


@pytest.mark.parametrize("file_format", ["jsonl", "parquet"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stopped_generate_leaves_no_temporary_file_and_no_traceback(
    tmp_path: Path, signum: int, file_format: str
) -> None:
    out = tmp_path / "new" / "out"
    argv = ["generate", "--format", file_format, "--customers", "5000000", "--out", str(out)]
    # SIGINT as in a terminal, where a job started in the background would ignore it
    start = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler);"
        f" from customer_model.cli import main; sys.exit(main({argv!r}))"
    )
    process = subprocess.Popen([sys.executable, "-c", start], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob(".*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert list(out.glob(".*.tmp")), "generate never started writing"
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        process.kill()
    name = signal.Signals(signum).name
    assert (process.returncode, err.decode()) == (
        128 + signum,
        f"customer-model generate: stopped ({name})\n",
    )
    assert list(tmp_path.iterdir()) == []  # the folders it made are gone too


def test_a_failed_generate_removes_the_folders_it_made(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("customer_model.cli._tables._to_parquet", full)
    out = tmp_path / "new" / "out"
    assert generate(out, "parquet") == 2
    assert capsys.readouterr().err == f"{out}: cannot write (No space left on device)\n"
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "old").mkdir()  # a folder that was there stays, empty as it was
    assert generate(tmp_path / "old", "parquet") == 2
    assert [p.name for p in tmp_path.iterdir()] == ["old"]
    assert list((tmp_path / "old").iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "parquet"], "--format parquet: needs --out FOLDER for its five tables"),
        (["--feedback", "10"], "--feedback: works with --format jsonl or parquet"),
        (["--format", "jsonl", "--out", "{tmp}", "--indent", "2"], "--indent: works with"),
        (["--format", "jsonl", "--out", "{file}"], "{file}: is a file; tables are written"),
        (["--format", "jsonl", "--out", "x\x00y"], "'x\\x00y': not a valid folder name"),
        (["--format", "parquet", "--out", ""], "--out: an empty name is not a folder"),
    ],
)
def test_generate_refuses_what_does_not_fit_in_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "taken"
    a_file.write_text("x", encoding="utf-8")
    argv = [a.format(tmp=tmp_path / "out", file=a_file) for a in argv]
    assert main(["generate", "--customers", "3", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message.format(file=a_file))
    assert err.count("\n") == 1


def test_generate_json_replaces_a_file_whole(tmp_path: Path) -> None:
    out = tmp_path / "d.json"
    out.write_text("old", encoding="utf-8")
    assert main(["generate", "--customers", "3", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["customers"]
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


# -- rank --engine duckdb ---------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def rank(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["rank", "--engine", "duckdb", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


_SAME = ("theme", "rank", "customer_count", "feedback_ids", "purchaser_voices", "user_voices")


def assert_same_backlog(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    """Equal but for the last bits of scores (SQL sums in another order)."""
    for a, b in zip(mine, theirs, strict=True):
        assert {k: a[k] for k in _SAME} == {k: b[k] for k in _SAME}
        assert math.isclose(a["score"], b["score"], rel_tol=1e-9)
        assert {c: Decimal(v) for c, v in a["revenue"].items()} == {
            c: Decimal(v) for c, v in b["revenue"].items()
        }


def test_parquet_and_json_lines_rank_the_same(
    parquet_folder: Path, jsonl_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, from_parquet, _ = rank(capsys, str(parquet_folder), "--format", "json")
    assert status == 0
    from_lines = rank(capsys, str(jsonl_folder), "--format", "json")[1]
    items = json.loads(from_parquet)["items"]
    assert len(items) > 5
    assert_same_backlog(json.loads(from_lines)["items"], items)
    header, *lines = rank(capsys, str(parquet_folder), "--format", "csv")[1].splitlines()
    assert header.startswith("rank,theme,score")
    assert [line.split(",")[1] for line in lines] == [i["theme"] for i in items]
    assert rank(capsys, str(parquet_folder), "--top", "3")[1].count("\n") == 5  # header, rule


def test_duckdb_ranks_a_dataset_file_as_prioritize_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d.json"
    assert main(["generate", "--customers", "25", "--seed", "4", "--out", str(data)]) == 0
    capsys.readouterr()
    assert main(["rank", str(data), "--format", "json"]) == 0
    in_memory = json.loads(capsys.readouterr().out)["items"]
    status, out, _ = rank(capsys, str(data), "--format", "json")
    assert status == 0
    assert_same_backlog(json.loads(out)["items"], in_memory)
    # money written alike, not only equal: the same JSON and CSV from either engine
    assert [i["revenue"] for i in json.loads(out)["items"]] == [i["revenue"] for i in in_memory]
    assert any(i["revenue"] for i in in_memory)
    csvs = []
    for engine in ("python", "duckdb"):
        assert main(["rank", "--engine", engine, str(data), "--format", "csv"]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        csvs.append([{k: v for k, v in r.items() if k.startswith("revenue")} for r in rows])
    assert csvs[0] == csvs[1]


def test_loading_draws_a_progress_bar_on_a_terminal(
    parquet_folder: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert main(["rank", "--engine", "duckdb", str(parquet_folder)]) == 0
    assert "\rloading [" in tty.getvalue()
    assert "100%" in tty.getvalue()
    assert "\r" not in capsys.readouterr().out


def _copy(source: Path, target: Path) -> Path:
    target.mkdir()
    for path in source.iterdir():
        shutil.copy(path, target / path.name)
    return target


def test_bad_tables_get_one_line_and_status_2(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = _copy(jsonl_folder, tmp_path / "missing")
    (missing / "users.jsonl").unlink()
    status, _, err = rank(capsys, str(missing))
    assert (status, err) == (2, f"{missing}: no users table (users.parquet, users.jsonl or "
                                "users.ndjson)\n")  # fmt: skip

    wrong = _copy(jsonl_folder, tmp_path / "wrong")
    lines = (wrong / "feedback.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["created_at"] = "Ada Lovelace"  # a personal value in the wrong place
    (wrong / "feedback.jsonl").write_text(
        "\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8"
    )
    status, _, err = rank(capsys, str(wrong))
    assert status == 2
    assert err.startswith(f"{wrong / 'feedback.jsonl'}:1: $.created_at: is not an ISO 8601")
    assert err.count("\n") == 1
    assert "Ada" not in err
    _with_first_row(wrong, "purchases", amount="Ada Lovelace")
    (wrong / "feedback.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = rank(capsys, str(wrong))
    assert (status, err) == (2, f"{wrong / 'purchases.jsonl'}:1: $.amount: is not DECIMAL(38, 9)\n")

    repeated = _copy(jsonl_folder, tmp_path / "repeated")
    with (repeated / "feedback.jsonl").open("a", encoding="utf-8") as f:
        f.write(lines[0] + "\n")  # the first feedback item once more
    status, _, err = rank(capsys, str(repeated))
    assert status == 2
    assert err.startswith(f"{repeated}: ")
    assert first["id"] in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{data}", "--customers", "{data}"], "--customers: not used with --engine duckdb"),
        (["{nowhere}"], "{nowhere}: no such file"),
    ],
)
def test_rank_in_duckdb_refuses_in_one_line(
    argv: list[str],
    message: str,
    parquet_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    values = {"data": parquet_folder, "nowhere": tmp_path / "nowhere"}
    status, _, err = rank(capsys, *(a.format(**values) for a in argv))
    assert status == 2
    assert err.startswith(message.format(**values))
    assert err.count("\n") == 1


# -- sql backlog ------------------------------------------------------------------------


@pytest.mark.parametrize("dialect", ["duckdb", "spark", "postgres", "bigquery", "snowflake"])
def test_sql_backlog_prints_sql_the_dialect_parses(
    dialect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqlglot = pytest.importorskip("sqlglot")
    argv = ["sql", "backlog", "--dialect", dialect, "--as-of", "2025-12-31"]
    assert main([*argv, "--table", "feedback=crm.tickets"]) == 0
    text, err = capsys.readouterr()
    assert err == ""  # a tested dialect: no note
    statements = [s for s in sqlglot.parse(text, read=dialect) if s is not None]
    assert len(statements) == 1
    tables = {t.sql(dialect=dialect) for t in statements[0].find_all(sqlglot.exp.Table)}
    assert any("tickets" in t for t in tables)
    assert not any(t.split(" ")[0].strip('"`') == "feedback" for t in tables)


def test_sql_backlog_in_an_untested_dialect_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    # sqlglot writes SQLite's text without a word, though SQLite has no arrays.
    assert main(["sql", "backlog", "--dialect", "sqlite", "--as-of", "2025-12-31"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("WITH")
    assert err == (
        "customer-model sql backlog: note: sqlite is not among the dialects the backlog SQL"
        " is tested in (duckdb, postgres, spark, bigquery, snowflake); check it runs there\n"
    )


def test_sql_backlog_run_in_duckdb_ranks_as_rank_does(
    parquet_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = rank(capsys, str(parquet_folder), "--format", "json")
    as_of = json.loads(out)["as_of"]
    assert main(["sql", "backlog", "--as-of", as_of]) == 0
    query = capsys.readouterr().out
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for name in TABLES:
        con.execute(
            f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet($1)',
            [str(parquet_folder / f"{name}.parquet")],
        )
    got = [row[:2] for row in con.execute(query.rstrip().rstrip(";")).fetchall()]
    expected = [(i["theme"], i["rank"]) for i in json.loads(out)["items"]]
    assert sorted(got, key=lambda r: r[1]) == [(t, r) for t, r in expected]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dialect", "nosuchsql"], "customer-model sql backlog: "),
        (
            ["--dialect", "mysql"],
            "customer-model sql backlog: $.dialect: sqlglot cannot write the backlog in this"
            " dialect (Arrays are not supported by MySQL)",
        ),
        (  # what was typed is not repeated: a table's name may say whose it is
            ["--table", "jane.doe=crm.tickets"],
            "customer-model sql backlog: argument --table: must be NAME=TABLE with NAME one of"
            " customers, purchasers, users, purchases, feedback (see",
        ),
        (["--table", "tickets"], "customer-model sql backlog: argument --table: must be"),
        (  # the first used to be dropped without a word
            ["--table", "feedback=crm.a", "--table", "feedback=crm.b"],
            "--table feedback: is given more than once",
        ),
        (["--policy", "{nowhere}"], "{nowhere}: no such file"),
    ],
)
def test_sql_backlog_refuses_in_one_line(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("sqlglot")
    nowhere = tmp_path / "nowhere.json"
    argv = [a.format(nowhere=nowhere) for a in argv]
    try:
        status = main(["sql", "backlog", "--as-of", "2025-12-31", *argv])
    except SystemExit as usage:  # argparse's own errors exit
        status = usage.code  # type: ignore[assignment]
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(message.format(nowhere=nowhere))
    assert err.count("\n") == 1
    assert "jane" not in err
    assert "tickets" not in err


@pytest.mark.parametrize("argv", [["sql"], ["sql", "backlog"]])
def test_sql_help_has_examples(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*argv, "--help"])
    assert info.value.code == 0
    assert "customer-model sql backlog --dialect snowflake" in capsys.readouterr().out


def test_a_jsonl_table_without_a_column_is_named(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DuckDB would fill the absent key with NULL and rank without importance.
    folder = _copy(jsonl_folder, tmp_path / "lacking")
    table = folder / "feedback.jsonl"
    rows = _read_rows(table)
    for row in rows:
        del row["importance"], row["importance_level"]
    _write_rows(table, rows)
    status, _, err = rank(capsys, str(folder))
    assert (status, err) == (
        2,
        f"{table}: no column 'importance', 'importance_level' in the feedback table\n",
    )


def test_an_empty_jsonl_table_is_a_table_without_rows(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "no-users")
    (folder / "users.jsonl").write_text("", encoding="utf-8")
    status, out, _ = rank(capsys, str(folder))
    assert status == 0
    assert out.startswith("rank  theme")  # ranked, every voice a purchaser's or unlisted


def test_a_parquet_table_without_a_column_is_named(
    parquet_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(parquet_folder, tmp_path / "lacking")
    table = str(folder / "feedback.parquet")
    con = duckdb.connect()
    con.execute(f"CREATE TABLE f AS SELECT * EXCLUDE (theme) FROM read_parquet('{table}')")
    con.execute(f"COPY f TO '{table}' (FORMAT parquet)")
    status, _, err = rank(capsys, str(folder))
    assert (status, err) == (2, f"{table}: no column 'theme' in the feedback table\n")


def _read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("\n".join(map(json.dumps, rows)) + "\n", encoding="utf-8")


def _with_first_row(folder: Path, table: str, **changes: object) -> None:
    """Rewrite the first row of *folder*'s JSON Lines *table* with *changes*."""
    path = folder / f"{table}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({**json.loads(lines[0]), **changes})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "where",
    [
        ("feedback", "created_at", "2025-03-01T10:00:00"),  # DuckDB would read it as UTC
        ("feedback", "created_at", "2025-03-01"),
        ("feedback", "created_at", "2025-03-01T10:00:00 Europe/Berlin"),
        ("feedback", "created_at", "infinity"),
        ("purchases", "at", "2025-03-01 10:00:00.5"),
    ],
)
def test_a_jsonl_time_without_an_offset_is_refused_as_the_model_refuses_it(
    jsonl_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: tuple[str, str, str],
) -> None:
    table, column, value = where
    folder = _copy(jsonl_folder, tmp_path / "naive")
    _with_first_row(folder, table, **{column: value})
    status, _, err = rank(capsys, str(folder))
    assert (status, err) == (
        2,
        f"{folder / f'{table}.jsonl'}:1: $.{column}: is not an ISO 8601 time with a UTC"
        " offset, written YYYY-MM-DDTHH:MM[:SS[.ffffff]] then Z or ±HH:MM (such as"
        " 2025-01-31T09:30:00Z)\n",
    )


def test_a_jsonl_time_with_an_offset_is_that_instant(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads((jsonl_folder / "feedback.jsonl").read_text().splitlines()[0])
    utc = datetime.fromisoformat(first["created_at"])
    shifted = utc.astimezone(timezone(timedelta(hours=-5))).isoformat()
    folder = _copy(jsonl_folder, tmp_path / "shifted")
    _with_first_row(folder, "feedback", created_at=shifted)
    as_of = ["--as-of", "2030-01-01T00:00:00Z", "--format", "json"]
    assert rank(capsys, str(folder), *as_of)[:2] == rank(capsys, str(jsonl_folder), *as_of)[:2]


def _rewrite_parquet(path: Path, replace: str) -> Any:
    """Rewrite the Parquet table at *path* with ``SELECT * REPLACE (<replace>)``; its table t."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE TABLE t AS SELECT * REPLACE ({replace}) FROM read_parquet($1)", [str(path)]
    )
    con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    return con


def test_a_parquet_time_without_a_zone_is_refused(
    parquet_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(parquet_folder, tmp_path / "naive")
    path = folder / "purchases.parquet"
    _rewrite_parquet(path, 'CAST("at" AS TIMESTAMP) AS "at"')
    status, _, err = rank(capsys, str(folder))
    assert (status, err.count("\n")) == (2, 1)
    assert err == f"{path}: at is TIMESTAMP, not TIMESTAMP WITH TIME ZONE\n"


def test_an_infinite_time_is_named_as_the_bad_value_it_is(
    parquet_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --as-of, the latest feedback is the moment to rank at: infinity is none.
    folder = _copy(parquet_folder, tmp_path / "infinite")
    con = _rewrite_parquet(
        folder / "feedback.parquet",
        "CASE WHEN id = (SELECT min(id) FROM read_parquet($1))"
        " THEN 'infinity'::TIMESTAMPTZ ELSE created_at END AS created_at",
    )
    status, _, err = rank(capsys, str(folder))
    assert (status, err.count("\n")) == (2, 1)
    first = con.execute("SELECT min(id) FROM t").fetchone()
    assert first is not None
    assert err == f"{folder}: $.feedback: has item(s) created after as_of: {first[0]!r}\n"


def test_a_policy_problem_is_told_under_the_policy_file(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"currency": "USD", "customer_value": "linear"}', encoding="utf-8")
    status, _, err = rank(capsys, str(jsonl_folder), "--policy", str(policy))
    assert status == 2
    assert err.startswith(f"{policy}: $.policy.exchange_rates: has no rate from 'EUR' to USD")
    # the python engine says the same of the same data
    dataset = tmp_path / "data.json"
    assert main(["generate", "--customers", "40", "--out", str(dataset)]) == 0
    capsys.readouterr()
    for engine in ("python", "duckdb"):
        assert main(["rank", "--engine", engine, str(dataset), "--policy", str(policy)]) == 2
        assert capsys.readouterr().err.startswith(f"{policy}: $.policy.exchange_rates: ")


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('{"id": "f-x", "theme": broken', "$: not valid JSON"),
        ("{'id': 'f-x'}", "$: not valid JSON"),
        # JSON to DuckDB (not to Python), refused for its value: no wrong reason given
        ('{"id": "f-x", "importance_level": "Ada Lovelace",}', _UNTOLD),
        ('{"id": "f-x", "importance_level": nan}', _UNTOLD),
        ("[1, 2]", "$: must be an object"),
        # DuckDB skips a byte-order mark only where a file starts: alone, the line passes
        ('\ufeff{"id": "f-x"}', _MID_FILE_BOM),
        ('{"id": "f-x", "importance_level": "Ada Lovelace"}', "$.importance_level: is not BIGINT"),
    ],
)
def test_a_bad_json_lines_row_is_named_by_its_line(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, said: str
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "bad")
    path = folder / "feedback.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[6] = line  # line 7, after a blank line 3 that DuckDB and the count both skip
    lines.insert(2, "")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = rank(capsys, str(folder))
    assert (status, err) == (2, f"{path}:8: {said}\n")
    assert "Ada" not in err


@pytest.mark.parametrize("name", ["feedback.jsonl", "feedback.parquet"])
def test_one_table_as_data_is_told_to_give_the_folder(
    jsonl_folder: Path, parquet_folder: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    folder = jsonl_folder if name.endswith(".jsonl") else parquet_folder
    status, _, err = rank(capsys, str(folder / name))
    assert (status, err) == (
        2,
        f"{folder / name}: holds one table; give --engine duckdb the folder of all five"
        f" (customers, purchasers, users, purchases, feedback), such as {folder}\n",
    )


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ("", "'': the path is empty; give a Dataset JSON file or a folder of tables"),
        ("{tmp}/absent", "{tmp}/absent: no such file or folder"),
        ("{tmp}/file/x", "{tmp}/file/x: cannot read (Not a directory)"),
        ("{tmp}/" + "a" * 300, "{tmp}/" + "a" * 300 + ": cannot read (File name too long)"),
        ("{tmp}/loop", "{tmp}/loop: cannot read (Too many levels of symbolic links)"),
    ],
    ids=["empty", "absent", "through-a-file", "too-long", "link-loop"],
)
def test_data_that_names_no_file_or_folder_is_told_in_one_line(
    data: str, said: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The empty path read the current folder; a name too long was "cannot write to stdout".
    (tmp_path / "file").write_text("{}", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    status, out, err = rank(capsys, data.format(tmp=tmp_path))
    assert (status, out, err) == (2, "", said.format(tmp=tmp_path) + "\n")


def test_the_python_engine_points_a_folder_to_duckdb(
    jsonl_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rank", str(jsonl_folder)]) == 2
    assert capsys.readouterr().err == (
        f"{jsonl_folder}: is a folder; rank its tables with --engine duckdb\n"
    )


# One instant, 2025-06-01T10:00:00Z, in forms the model writes or reads alike.
_SAME_INSTANT = [
    "2025-06-01T10:00:00Z",
    "2025-06-01T10:00Z",
    "2025-06-01 10:00:00+00:00",
    "2025-06-01T15:30:00+0530",
    "2025-06-01T15:00:00+05",
    "2025-06-01T10:00:00.000000-00:00",
]


@pytest.mark.parametrize("written", _SAME_INSTANT)
def test_a_json_lines_time_is_read_as_the_instant_it_names(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    ranked = []
    for i, text in enumerate([_SAME_INSTANT[0], written]):
        folder = _copy(jsonl_folder, tmp_path / str(i))
        _with_first_row(folder, "feedback", created_at=text)
        status, out, err = rank(capsys, str(folder), "--as-of", "2030-01-01", "--format", "json")
        assert (status, err) == (0, "")
        ranked.append(out)
    assert ranked[0] == ranked[1]


@pytest.mark.parametrize(
    "written",
    [
        "2025-06-01T10:00:00.123456789Z",  # DuckDB would drop the nanoseconds
        "2025-06-01T10:00:00+24:00",
        "2025-06-01T10:00:00+99:99",
        "10000-01-01T00:00:00Z",
        "2025-06-01T10:00:00z",
        "2025-06-01T10:00:60Z",
        "20250601T100000Z",  # ISO 8601 basic: Python reads it, DuckDB does not
        "2025-06-01T10:00:00Z\n",
    ],
)
def test_a_json_lines_time_duckdb_would_read_otherwise_is_refused(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "odd")
    _with_first_row(folder, "feedback", created_at=written)
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    assert err.startswith(f"{folder / 'feedback.jsonl'}:1: $.created_at: is not an ISO 8601")


@pytest.mark.parametrize(
    ("cast", "refused"),
    [
        ("CAST(created_at AS TIMESTAMP_NS)", "TIMESTAMP_NS"),
        ("CAST(created_at AS DATE)", "DATE"),
        ("strftime(created_at, '%Y-%m-%dT%H:%M:%S')", None),  # text without an offset
        ("strftime(created_at, '%Y-%m-%dT%H:%M:%S.%fZ')", ""),  # text with one: read
    ],
)
def test_a_parquet_time_is_read_only_with_its_zone(
    parquet_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cast: str,
    refused: str | None,
) -> None:
    folder = _copy(parquet_folder, tmp_path / "times")
    path = folder / "feedback.parquet"
    _rewrite_parquet(path, f"{cast} AS created_at")
    status, out, err = rank(capsys, str(folder), "--format", "json")
    if refused == "":
        assert (status, out) == (0, rank(capsys, str(parquet_folder), "--format", "json")[1])
    elif refused is None:
        assert (status, err.count("\n")) == (2, 1)
        assert err.startswith(f"{path}: created_at holds a time that is not an ISO 8601 time")
    else:
        assert (status, err) == (
            2,
            f"{path}: created_at is {refused}, not TIMESTAMP WITH TIME ZONE\n",
        )


@pytest.mark.parametrize(
    "lenient",
    [
        "bom",  # a byte-order mark DuckDB skips
        "float",  # importance_level 2.0, which DuckDB reads as BIGINT 2
        "cr",  # a carriage return as white space inside a line: not a line break
    ],
)
def test_a_bad_line_is_named_past_what_duckdb_reads_but_python_would_not(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], lenient: str
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "lenient")
    path = folder / "feedback.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[4])
    bad["created_at"] = "2025-01-01T00:00:00"  # no offset: line 5 is the one to blame
    lines[4] = json.dumps(bad)
    if lenient == "bom":
        lines[0] = "\ufeff" + lines[0]
    elif lenient == "float":
        lines[1] = json.dumps({**json.loads(lines[1]), "importance_level": 2.0})
    else:
        lines[1] = "{\r" + lines[1][1:]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    assert err.startswith(f"{path}:5: $.created_at: is not an ISO 8601 time"), err


@pytest.mark.parametrize(
    "moment", ["'10000-01-01 00:00:00+00'", "'-0044-03-15 00:00:00+00'", "NULL"]
)
def test_a_feedback_time_no_datetime_holds_is_named_without_as_of(
    parquet_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], moment: str
) -> None:
    # The latest feedback is the moment to rank at; a time past 9999 is none (nor NULL).
    folder = _copy(parquet_folder, tmp_path / "late")
    _rewrite_parquet(
        folder / "feedback.parquet",
        f"CASE WHEN id = (SELECT min(id) FROM read_parquet($1)) THEN {moment}::TIMESTAMPTZ"
        " ELSE created_at END AS created_at",
    )
    status, _, err = rank(capsys, str(folder))
    assert (status, err.count("\n")) == (2, 1)
    assert err.startswith(f"{folder}: $.feedback")
    assert "as_of: must" not in err
    everything = _copy(parquet_folder, tmp_path / "none")
    _rewrite_parquet(everything / "feedback.parquet", "NULL::TIMESTAMPTZ AS created_at")
    assert rank(capsys, str(everything)) == (
        2,
        "",
        f"{everything}: no feedback row has a created_at to rank at (each is NULL, infinite"
        " or outside the years 1 to 9999); give --as-of\n",
    )


def test_a_line_nested_deeper_than_python_reads_is_no_crash(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "deep")
    path = folder / "feedback.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    deep = "[" * 100_000 + "]" * 100_000
    lines[2] = '{"id": "f-x", "importance_level": "Jane Doe", "x": ' + deep + "}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # DuckDB reads the depth and refuses the text as BIGINT: not "not valid JSON"
    assert rank(capsys, str(folder)) == (
        2,
        "",
        f"{path}:3: $: nested too deep to check which value is bad\n",
    )


def test_booleans_duckdb_reads_do_not_hide_the_bad_line(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 0 and 1 for is_purchaser: DuckDB reads them, so they are no suspects to spend on.
    folder = _copy(jsonl_folder, tmp_path / "flags")
    path = folder / "users.jsonl"
    rows = _read_rows(path)
    assert len(rows) > 30
    for row in rows[:25]:
        row["is_purchaser"] = int(bool(row["is_purchaser"]))
    rows[29]["sessions"] = "lots"
    _write_rows(path, rows)
    assert rank(capsys, str(folder)) == (2, "", f"{path}:30: $.sessions: is not BIGINT\n")


@pytest.mark.parametrize("flag", ["y", "1", " true "])
def test_a_boolean_duckdb_refuses_is_named_by_its_line(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "flag")
    path = folder / "purchasers.jsonl"
    rows = _read_rows(path)
    rows[1]["is_user"] = flag
    _write_rows(path, rows)
    assert rank(capsys, str(folder)) == (2, "", f"{path}:2: $.is_user: is not BOOLEAN\n")


def test_the_column_named_is_one_duckdb_refuses_alone(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DuckDB reads true as 1: the time without an offset after it is what it refuses.
    folder = _copy(jsonl_folder, tmp_path / "two")
    path = folder / "feedback.jsonl"
    rows = _read_rows(path)
    rows[2].update(importance_level=True, created_at="2025-01-01T00:00:00")
    _write_rows(path, rows)
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    assert err.startswith(f"{path}:3: $.created_at: is not an ISO 8601 time"), err


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # json keeps the last of a repeated key; DuckDB refuses a repeated column
        (b'"abc","sessions":1', "$: repeats the key(s) 'sessions'"),
        (b'"a\xffb"', "$: not valid UTF-8"),  # read as replacement characters before
        (b'1,"note":"\\ud800"', "$: holds text that is not valid Unicode (a lone surrogate)"),
    ],
)
def test_a_line_duckdb_refuses_as_a_whole_is_named(
    jsonl_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    written: bytes,
    said: str,
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "whole")
    path = folder / "users.jsonl"
    rows = _read_rows(path)
    rows[3].update(sessions="marker", is_purchaser="t")  # "t": doubted, and read
    rows[6]["sessions"] = "Jane Doe"  # the later bad line the earlier one must not hide
    _write_rows(path, rows)
    path.write_bytes(path.read_bytes().replace(b'"marker"', written, 1))
    assert rank(capsys, str(folder)) == (2, "", f"{path}:4: {said}\n")


def test_duckdb_is_asked_at_most_confirmed_times(tmp_path: Path) -> None:
    types = {f"c{i}": "BIGINT" for i in range(_CONFIRMED + 5)}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(dict.fromkeys(types, "x")) + "\n", encoding="utf-8")
    asked: list[str] = []

    def whole_lines_only(line: str) -> bool:
        asked.append(line)
        return line.endswith("\n")  # the line as read; a column alone is written without

    said = first_bad_line(path, types, whole_lines_only)
    assert (said, len(asked)) == (
        "1: $: refused by DuckDB, for a reason this check cannot name",
        _CONFIRMED,
    )


@pytest.mark.parametrize(
    ("where", "written"),
    [
        ("purchasers.spending_authority", "NaN"),  # json reads it, DuckDB's JSON too
        ("purchasers.spending_authority", "-Infinity"),
        ("purchasers.spending_authority", "1e400"),  # a float json reads as infinite
        ("purchasers.spending_authority", '"Infinity"'),
        ("users.sessions", "Infinity"),
        ("users.sessions", '"NaN"'),
        ("users.is_purchaser", "NaN"),
        # past what the type holds, or text DuckDB does not read as a number
        ("users.sessions", "9223372036854775808"),
        ("users.sessions", "9.3e18"),
        ("users.sessions", '"05"'),
        ("users.sessions", '"2.5"'),
        ("users.is_purchaser", "18446744073709551616"),
        ("purchasers.spending_authority", "100000000000000000000000000000"),
        ("purchasers.spending_authority", '"99999999999999999999999999999.9999999999"'),
        ("purchasers.spending_authority", '"\u00a01.5"'),
        # a lone surrogate: JSON text Python reads and DuckDB refuses
        ("users.person_id", '"\\ud800"'),
        # DuckDB reads a decimal as written: at most 29 digits before the point, an
        # exponent of at least -32768 (a float would read these as 1e19 and 0.0)
        ("purchasers.spending_authority", "100000000000000000000000000000e-10"),
        ("purchasers.spending_authority", '"100000000000000000000000000000e-10"'),
        ("purchasers.spending_authority", "1e-40000"),
        ("purchasers.spending_authority", '"1e99999999999999999999999"'),
        ("feedback.created_at", '"2025-02-30T00:00:00Z"'),  # no such day
    ],
)
def test_a_value_duckdb_refuses_is_named_first(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str, written: str
) -> None:
    table, column = where.split(".")
    folder = _copy(jsonl_folder, tmp_path / "finite")
    path = folder / f"{table}.jsonl"
    rows = _read_rows(path)
    rows[1][column] = "marker"
    rows[6][column] = "Jane Doe"  # the later bad line the earlier one must not hide
    _write_rows(path, rows)
    path.write_text(
        path.read_text(encoding="utf-8").replace('"marker"', written, 1), encoding="utf-8"
    )
    status, _, err = rank(capsys, str(folder))
    assert (status, err.count("\n")) == (2, 1)
    assert err.startswith(f"{path}:2: $.{column}: is not "), err
    assert "Jane" not in err


def _naive_time_on_line_5(path: Path) -> list[str]:
    """The lines of *path*, the fifth with a time DuckDB refuses (no offset)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[4])
    bad["created_at"] = "2025-01-01T00:00:00"
    lines[4] = json.dumps(bad)
    return lines


@pytest.mark.parametrize(("blank", "said"), [("\u00a0", "$: not valid JSON"), ("\f", None)])
def test_only_what_duckdb_skips_is_a_blank_line(
    jsonl_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    blank: str,
    said: str | None,
) -> None:
    # DuckDB skips a line of form feeds or vertical tabs, not one of a no-break space.
    folder = _copy(jsonl_folder, tmp_path / "blank")
    path = folder / "feedback.jsonl"
    lines = _naive_time_on_line_5(path)
    lines[1] = blank
    lines[2] = "\v" + lines[2] + "\f"  # read as white space around a line too
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    if said is None:
        assert err.startswith(f"{path}:5: $.created_at: is not an ISO 8601 time"), err
    else:
        assert err == f"{path}:2: {said}\n"


def test_white_space_duckdb_skips_around_a_line_hides_no_column(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _copy(jsonl_folder, tmp_path / "around")
    path = folder / "feedback.jsonl"
    lines = _naive_time_on_line_5(path)
    lines[4] = "\v" + lines[4] + "\f"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status, _, err = rank(capsys, str(folder))
    assert status == 2
    assert err.startswith(f"{path}:5: $.created_at: is not an ISO 8601 time"), err


_VALUES = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.booleans(),
    st.text(max_size=8),
    st.from_regex(
        r"[ \t\xa0+-]?(0|[0-9]{1,31})(\.[0-9]{0,12})?([eE][+-]?[0-9]{1,3})?[ \t]?", fullmatch=True
    ),
    st.sampled_from(["t", "TRUE", "0x10", "\ud800", "NaN", "-Infinity", "1_0", ".5"]),
)


@pytest.mark.parametrize("type_", ["BIGINT", "BOOLEAN", "DECIMAL(38, 9)", "VARCHAR"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_VALUES)
def test_what_the_line_check_calls_readable_duckdb_reads(
    tmp_path_factory: pytest.TempPathFactory, type_: str, value: object
) -> None:
    # Else a bad line would hide behind one taken for good, and a later line be named.
    duckdb = pytest.importorskip("duckdb")
    assume(_READABLE[type_](value))
    path = tmp_path_factory.mktemp("line") / "x.jsonl"
    path.write_text(json.dumps({"x": value}) + "\n", encoding="utf-8")
    query = (
        f"SELECT x FROM read_json($1, format = 'newline_delimited', columns = {{'x': '{type_}'}})"
    )
    duckdb.connect().execute(query, [str(path)]).fetchall()  # raises if DuckDB refuses it


def test_a_repeated_key_in_an_object_long_gone_is_not_taken_for_the_lines(
    jsonl_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The nested object that repeats "sessions" is freed while the line is read; the
    # line's own object may then get its id.  DuckDB reads the line: line 7 is bad.
    folder = _copy(jsonl_folder, tmp_path / "gone")
    path = folder / "users.jsonl"
    rows = _read_rows(path)
    rows[3]["note"] = "marker"
    del rows[3]["sessions"]
    rows[6]["sessions"] = "Jane Doe"
    _write_rows(path, rows)
    nested = b'{"z":[{"sessions":1,"sessions":1}' + b",{}" * 1000 + b'],"z":0}'
    path.write_bytes(path.read_bytes().replace(b'"marker"', nested, 1))
    assert rank(capsys, str(folder)) == (2, "", f"{path}:7: $.sessions: is not BIGINT\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    written=st.from_regex(
        r"-?(0|[1-9][0-9]{0,34})(\.[0-9]{1,12})?([eE][+-]?[0-9]{1,6})?", fullmatch=True
    )
)
@example(written="0.01E30")  # 10**28 fits the type, but DuckDB refuses it written so
def test_a_decimal_written_as_a_number_is_readable_only_if_duckdb_reads_it(
    tmp_path_factory: pytest.TempPathFactory, written: str
) -> None:
    duckdb = pytest.importorskip("duckdb")
    value = json.loads(written, parse_float=_Number)
    path = tmp_path_factory.mktemp("number") / "x.jsonl"
    path.write_text('{"x": ' + written + "}\n", encoding="utf-8")
    columns = "{'x': 'DECIMAL(38, 9)'}"
    query = f"SELECT x FROM read_json($1, format = 'newline_delimited', columns = {columns})"
    try:
        duckdb.connect().execute(query, [str(path)]).fetchall()
    except duckdb.Error:
        assert not _READABLE["DECIMAL(38, 9)"](value)
