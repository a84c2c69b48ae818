"""The command line with record tables: generate --format jsonl|parquet, rank --engine duckdb."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from customer_model.cli import main
from customer_model.examples.tables import TABLES, sample_tables
from customer_model.records import COLUMN_TYPES

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


def rows(**kwargs: object) -> dict[str, list[dict[str, object]]]:
    out: dict[str, list[dict[str, object]]] = {name: [] for name in TABLES}
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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "parquet"], "--format parquet: needs --out FOLDER for its five tables"),
        (["--feedback", "10"], "--feedback: works with --format jsonl or parquet"),
        (["--format", "jsonl", "--out", "{tmp}", "--indent", "2"], "--indent: works with"),
        (["--format", "jsonl", "--out", "{file}"], "{file}: is a file; tables are written"),
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
