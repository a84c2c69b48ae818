"""The command line against hostile paths and contents.

Whatever the file names or holds (a FIFO, a directory, an empty name, bytes
that are not UTF-8, a full disk), a command ends with exit status 2 and one
clear line on stderr, never a traceback or a hang, and a file it was asked to
write is either whole or as it was.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customer_model import cli, to_json
from customer_model.cli import _files, _rows, main
from customer_model.cli._signals import Stopped, deferred, made, stops
from customer_model.examples.bundled import sample_dataset

#: Long enough for a slow machine, short enough that a hang fails the test.
TIMEOUT = 60


def _cli(
    *args: str | bytes, stdin: bytes = b"", fsize: int | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """The real program in a process of its own (a hang times out instead of blocking)."""

    def limit() -> None:  # the disk is "full" past *fsize* bytes
        if fsize is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return subprocess.run(
        [sys.executable, "-m", "customer_model.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        preexec_fn=limit,
        cwd=cwd,
        check=False,
    )


def _one_clear_line(result: subprocess.CompletedProcess[bytes]) -> str:
    assert result.returncode == 2, result.stderr
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in err
    assert err.count("\n") == 1, err
    return err.strip()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "data.json"
    path.write_text(to_json(sample_dataset(customers=4, seed=3)), encoding="utf-8")
    return path


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "{fifo}"],
        ["validate", "{fifo}", "--type", "customers"],
        ["rank", "{fifo}"],
        ["rank", "{data}", "--customers", "{fifo}"],
        ["rank", "{data}", "--policy", "{fifo}"],
        ["nps", "{fifo}"],
    ],
)
def test_a_fifo_as_input_is_refused_at_once(command: list[str], fifo: Path, data: Path) -> None:
    args = [a.format(fifo=fifo, data=data) for a in command]
    line = _one_clear_line(_cli(*args))
    assert line == f"{fifo}: is not a regular file (a pipe, device or socket); give a file"


def test_generate_into_a_fifo_does_not_block(fifo: Path) -> None:
    line = _one_clear_line(_cli("generate", "--customers", "2", "--out", str(fifo)))
    assert line.startswith(f"{fifo}: is not a regular file")


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["rank"],
        ["nps"],
        ["rank", "{data}", "--customers"],
        ["rank", "{data}", "--policy"],
        ["rank", "--engine", "duckdb", "{data}", "--policy"],
        ["rank", "{data}", "--segments"],
        ["sql", "backlog", "--as-of", "2025-12-31", "--policy"],
    ],
)
def test_a_directory_or_an_empty_name_is_one_line(
    command: list[str], tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [a.format(data=data) for a in command]
    assert main([*args, str(tmp_path)]) == 2
    said = (
        "is a folder; rank its tables with --engine duckdb"
        if args == ["rank"]  # the one command that reads a folder, with another engine
        else "is a directory, not a file"
    )
    assert capsys.readouterr().err == f"{tmp_path}: {said}\n"
    assert main([*args, ""]) == 2
    assert capsys.readouterr().err == "'': the file name is empty; give the path of a file\n"


def test_generate_to_an_empty_name_or_a_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--customers", "1", "--out", ""]) == 2
    assert capsys.readouterr().err == "'': the file name is empty; give the path of a file\n"
    assert main(["generate", "--customers", "1", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err == f"{tmp_path}: is a directory, not a file\n"


def test_names_that_are_not_utf8_or_hold_a_newline_are_shown_on_one_line(
    tmp_path: Path, data: Path
) -> None:
    odd = os.fsencode(tmp_path) + b"/d\xff\n.json"
    line = _one_clear_line(_cli("validate", odd))
    assert line == f"{tmp_path}/d\\udcff\\n.json: no such file"
    # The same name holding a valid dataset: the summary on stdout is printable too.
    Path(os.fsdecode(odd)).write_bytes(data.read_bytes())
    ok = _cli("validate", odd)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.decode("utf-8").startswith(f"{tmp_path}/d\\udcff\\n.json: valid dataset")


def test_table_folders_and_estimates_with_a_newline_in_their_name_are_shown_on_one_line(
    tmp_path: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = tmp_path / "a\nb"
    shown = f"{tmp_path}/a\\nb"
    odd.write_text("theme,impact\n\xff\n", encoding="latin-1")  # a file, and not UTF-8
    assert main(["generate", "--customers", "1", "--format", "jsonl", "--out", str(odd)]) == 2
    assert capsys.readouterr().err == f"{shown}: is a file; tables are written into a folder\n"
    card = tmp_path / "card.json"
    card.write_text('{"factors": [{"name": "impact", "scale": "0-10"}]}', encoding="utf-8")
    assert main(["rank", str(data), "--scorecard", str(card), "--estimates", str(odd)]) == 2
    assert capsys.readouterr().err == f"{shown}: is not UTF-8 text\n"
    odd.unlink()
    odd.mkdir()
    assert main(["rank", "--engine", "duckdb", str(odd)]) == 2
    assert capsys.readouterr().err.startswith(f"{shown}: no customers table (")
    assert main(["generate", "--customers", "1", "--format", "jsonl", "--out", str(odd)]) == 0
    assert capsys.readouterr().err.startswith(f"wrote jsonl tables into {shown}: 1 customers")


def test_a_dash_reads_standard_input(data: Path) -> None:
    ranked = _cli("rank", "-", "--top", "2", stdin=data.read_bytes())
    assert ranked.returncode == 0, ranked.stderr
    assert ranked.stdout.decode().count("\n") == 4  # header, rule and two themes
    assert _cli("validate", "-", stdin=data.read_bytes()).returncode == 0
    line = _one_clear_line(_cli("validate", "-", stdin=b'{"customers": 1}'))
    assert line.startswith("<stdin>: $.")


@pytest.mark.parametrize(
    "command",
    [
        ["generate", "--customers", "50"],  # more than a buffer: fails while writing
        ["validate", "{data}"],  # one line: fails when the buffer is flushed
        ["nps", "{data}"],
    ],
)
def test_standard_output_on_a_full_disk_is_one_line(
    command: list[str], data: Path, tmp_path: Path
) -> None:
    def limit() -> None:  # the disk is "full" at once
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    with (tmp_path / "out.txt").open("wb") as out:
        result = subprocess.run(
            [sys.executable, "-m", "customer_model.cli", *(a.format(data=data) for a in command)],
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=TIMEOUT,
            preexec_fn=limit,
            check=False,
        )
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode() == (
        f"customer-model {command[0]}: cannot write to standard output (File too large)\n"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "{data}"],
        ["generate", "--customers", "2"],
        ["rank", "{data}", "--format", "csv"],
    ],
)
def test_standard_output_closed_is_one_line(command: list[str], data: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "customer_model.cli", *(a.format(data=data) for a in command)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),  # as the shell's `>&-`
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.decode() == (
        f"customer-model {command[0]}: cannot write to standard output (Bad file descriptor)\n"
    )


def test_standard_output_closed_is_put_back_as_it_was_for_a_caller_in_the_process(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdout", None)
    assert main(["validate", str(data)]) == 1
    assert sys.stdout is None
    monkeypatch.undo()
    said = "customer-model validate: cannot write to standard output (Bad file descriptor)\n"
    assert capsys.readouterr().err == said


def test_standard_error_closed_keeps_messages_out_of_the_output(data: Path) -> None:
    """``print(file=None)`` prints to standard output: a message must not land in the data."""
    result = subprocess.run(
        [sys.executable, "-m", "customer_model.cli", "rank", str(data), "--as-of", "2000-01-01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(2),  # as the shell's `2>&-`
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == b""


def test_standard_output_closed_is_no_matter_to_a_command_that_writes_a_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "d.json"
    result = subprocess.run(
        [sys.executable, "-m", "customer_model.cli", "generate", "--customers", "2", "--out", out],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["customers"]


@pytest.mark.parametrize("stdin", ["closed", "write-only"])
def test_a_dash_with_no_readable_standard_input_is_one_line(stdin: str, tmp_path: Path) -> None:
    with (tmp_path / "out.txt").open("wb") as write_only:
        result = subprocess.run(
            [sys.executable, "-m", "customer_model.cli", "validate", "-"],
            stdin=write_only if stdin == "write-only" else subprocess.DEVNULL,
            capture_output=True,
            preexec_fn=(lambda: os.close(0)) if stdin == "closed" else None,
            timeout=TIMEOUT,
            check=False,
        )
    said = "is closed" if stdin == "closed" else "cannot read (Bad file descriptor)"
    assert _one_clear_line(result) == f"<stdin>: {said}"


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),  # Notepad, PowerShell
        lambda text: text.encode("utf-16"),  # with its byte-order mark
        lambda text: b"\n  " + text.encode("utf-8"),
    ],
    ids=["utf-8-bom", "utf-16", "spaces"],
)
def test_an_array_of_customers_or_segments_in_any_encoding_json_reads(
    encode: Any, data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate --type customers`` reads these arrays; so do --customers and --segments."""
    dataset = json.loads(data.read_text(encoding="utf-8"))
    customers, segments = tmp_path / "customers.json", tmp_path / "segments.json"
    customers.write_bytes(encode(json.dumps(dataset["customers"])))
    segments.write_bytes(encode(json.dumps(dataset["segments"])))
    assert main(["rank", str(data), "--format", "json"]) == 0
    expected = capsys.readouterr().out
    argv = ["rank", str(data), "--format", "json", "--customers", str(customers)]
    assert main([*argv, "--segments", str(segments)]) == 0
    assert capsys.readouterr().out == expected


@pytest.mark.parametrize(
    ("command", "named"),
    [
        (["rank", "-", "--customers", "-"], "the file argument and --customers"),
        (
            ["validate", "-", "--type", "feedback", "--customers", "-"],
            "the file argument and --customers",
        ),
        (["rank", "{data}", "--policy", "-", "--segments", "-"], "--policy and --segments"),
    ],
)
def test_a_dash_for_two_inputs_is_refused_not_read_empty_the_second_time(
    command: list[str], named: str, data: Path
) -> None:
    args = [a.format(data=data) for a in command]
    line = _one_clear_line(_cli(*args, stdin=data.read_bytes()))
    assert line == f"<stdin>: given for {named}; standard input can be read only once"


# -- writing: whole or not at all -----------------------------------------------------


def test_a_full_disk_leaves_an_existing_file_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "existing.json"
    out.write_text('{"keep": true}\n')
    out.chmod(0o640)
    line = _one_clear_line(_cli("generate", "--customers", "50", "--out", str(out), fsize=4096))
    assert line == f"{out}: cannot write (File too large); the file is unchanged"
    assert out.read_text() == '{"keep": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.json"]  # no temp file left
    # With room, the same command replaces it whole and keeps its permissions.
    assert _cli("generate", "--customers", "50", "--out", str(out)).returncode == 0
    assert json.loads(out.read_text())["customers"]
    assert out.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("failing", ["fsync", "chmod", "replace"])
def test_a_write_that_fails_anywhere_leaves_nothing_half_written(
    failing: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "kept.json"
    out.write_text("old\n")
    new = tmp_path / "new.json"

    def no_space(*_: object, **__: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    # The bytes themselves meeting a full disk: see the test above (a file size limit).
    monkeypatch.setattr(os, failing, no_space)
    assert main(["generate", "--customers", "2", "--out", str(out)]) == 2
    assert main(["generate", "--customers", "2", "--out", str(new)]) == 2
    monkeypatch.undo()
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{out}: cannot write (No space left on device); the file is unchanged",
        f"{new}: cannot write (No space left on device); nothing was written",
    ]
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.json"]


def test_writing_through_a_symbolic_link_replaces_its_target(tmp_path: Path) -> None:
    target = tmp_path / "target.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert main(["generate", "--customers", "1", "--out", str(link)]) == 0
    assert link.is_symlink()
    assert json.loads(target.read_text())["customers"]


# -- fuzz: any name, any content ------------------------------------------------------

#: Each example gets a directory of its own from tmp_path_factory.
_FIXTURES = [HealthCheck.function_scoped_fixture]

_HOSTILE_NAMES = st.one_of(
    st.sampled_from(["", ".", "..", "-x", "a\nb.json", "x.jsonl", "nested/x.json", " "]),
    st.text(st.characters(blacklist_characters="/\x00"), min_size=1, max_size=12),
)
_HOSTILE_CONTENT = st.one_of(
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"[",
            b"null",
            b"[]",
            b"{}",
            b'{"customers": [], "feedback": [{}]}',
            b'{"id": 1}\n{"x": 2}\n\xff\n',
            b"\xef\xbb\xbf{}",
            b'{"schema_version": "9", "customers": {"a": 1}}',
        ]
    ),
    st.text(max_size=40).map(lambda t: json.dumps({"customers": [{"id": t}]}).encode()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=_FIXTURES)
@given(
    name=_HOSTILE_NAMES,
    content=_HOSTILE_CONTENT,
    command=st.sampled_from(
        [
            ["validate"],
            ["validate", "--type", "customers"],
            ["rank"],
            ["nps"],
            ["rank", "--top", "1"],
        ]
    ),
)
def test_hostile_files_end_in_one_clear_line(
    name: str,
    content: bytes,
    command: list[str],
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    path = root / name
    try:
        if name.strip() and name not in (".", ".."):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    except (OSError, ValueError):
        pass  # a name the file system refuses: the command must say so too
    arg = str(path) if name else ""
    before = sorted((p.name, p.stat().st_size) for p in root.rglob("*") if p.is_file())
    code = main([command[0], arg, *command[1:]])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code in (0, 2)
    if code == 2 and command[0] != "validate":  # validate lists every problem, one a line
        assert captured.err.count("\n") == 1, captured.err
    if code == 2:
        assert captured.err.strip()
    # No input file is touched by reading it.
    assert sorted((p.name, p.stat().st_size) for p in root.rglob("*") if p.is_file()) == before


@settings(max_examples=15, deadline=None, suppress_health_check=_FIXTURES)
@given(name=_HOSTILE_NAMES)
def test_hostile_output_names_never_harm_a_file(
    name: str, tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path_factory.mktemp("out")
    keep = root / "keep.json"
    keep.write_text("old\n")
    arg = str(root / name) if name else ""
    code = main(["generate", "--customers", "1", "--out", arg])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.count("\n") == 1
    if code == 0:
        assert json.loads(Path(arg).read_text())["customers"]
    else:
        assert code == 2
    assert keep.read_text() == "old\n" or Path(arg).resolve() == keep.resolve()
    assert not list(root.rglob("*.tmp"))  # no temporary file left behind


def test_a_stop_while_a_file_is_written_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def stopped(fd: int) -> None:  # the signal lands while the bytes go to disk
        raise Stopped(signal.SIGTERM)

    monkeypatch.setattr(os, "fsync", stopped)
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(Stopped):
        _files.write_whole(str(target), "new")
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
    assert target.read_text(encoding="utf-8") == "old"


def _until(received: list[int], count: int) -> None:
    """Wait until Python's handler has noted *count* signals (a busy machine may take a while)."""
    deadline = time.monotonic() + 30
    while len(received) < count and time.monotonic() < deadline:
        time.sleep(0.005)


def test_a_stop_is_held_back_until_the_steps_that_must_not_stop_are_done() -> None:
    # A DuckDB query first: its threads exist, and the kernel may hand them the signal
    # (then the main thread runs Python's handler once that thread has noted it).
    duckdb = pytest.importorskip("duckdb")
    duckdb.connect().execute("SELECT count(*) FROM range(1000000)").fetchall()
    done = []
    received: list[int] = []

    def move() -> None:
        with deferred():
            os.kill(os.getpid(), signal.SIGINT)
            _until(received, 1)  # Python runs the handler here, and holds the stop
            done.append("moved")

    with stops(received):
        with pytest.raises(Stopped):
            move()
        assert (done, received) == (["moved"], [signal.SIGINT])
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal: already stopping, ignored
        _until(received, 2)
        assert received == [signal.SIGINT, signal.SIGTERM]


def test_a_stop_while_a_temporary_thing_is_made_undoes_it(tmp_path: Path) -> None:
    undone: list[Path] = []

    def make() -> Path:  # the signal lands while the file is being made
        path = tmp_path / ".out.tmp"
        path.touch()
        _stopping(signal.SIGTERM)
        return path

    def undo(path: Path) -> None:
        undone.append(path)
        path.unlink()

    with stops(), pytest.raises(Stopped):
        made(make, undo)
    assert undone == [tmp_path / ".out.tmp"]
    assert list(tmp_path.iterdir()) == []


def test_a_stop_while_the_staging_folder_is_removed_still_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = shutil.rmtree
    seen: list[str] = []

    def rmtree(path: str, *args: Any, **kwargs: Any) -> None:  # the signal lands mid-removal
        seen.append(path)
        _stopping(signal.SIGTERM)  # Python runs the handler here: the stop must wait
        real(path, *args, **kwargs)

    names: list[str] = []

    def staged() -> None:
        with _rows.staging() as name:
            names.append(name)
            (Path(name) / "line.jsonl").write_text("{}", encoding="utf-8")
            monkeypatch.setattr(shutil, "rmtree", rmtree)

    with stops(), pytest.raises(Stopped):
        staged()
    assert seen == names
    assert not Path(names[0]).exists()


def _stopping(signum: int) -> None:
    """Send *signum* to this thread: Python runs its handler before this returns."""
    signal.raise_signal(signum)


def test_a_stop_while_the_arguments_are_read_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class Parser:
        def parse_args(self, argv: object) -> None:
            _stopping(signal.SIGINT)

    monkeypatch.setattr(cli, "_parser", Parser)
    assert main(["rank", "x.json"]) == 128 + signal.SIGINT
    assert capsys.readouterr().err == "customer-model: stopped (SIGINT)\n"


def test_a_stop_while_the_handlers_are_put_back_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = signal.signal

    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def put_back(signum: int, handler: Any) -> Any:
        if handler is before[signal.SIGINT] and signum == signal.SIGINT:  # put back last
            _stopping(signal.SIGINT)  # ours still handles it: the command has ended
        return real(signum, handler)

    def run(args: object, received: object) -> int:
        monkeypatch.setattr(signal, "signal", put_back)
        return 0

    monkeypatch.setattr(cli, "_run", run)
    assert main(["rank", "x.json"]) == 128 + signal.SIGINT
    assert capsys.readouterr().err == "customer-model rank: stopped (SIGINT)\n"
    assert {s: signal.getsignal(s) for s in before} == before


def test_a_stop_a_finalizer_swallowed_does_not_disarm_the_next(
    capsys: pytest.CaptureFixture[str],
) -> None:
    class Finalized:
        def __del__(self) -> None:  # Python swallows what a finalizer raises
            _stopping(signal.SIGTERM)

    with stops() as received:
        Finalized()  # dropped at once: its finalizer runs and the stop is lost
        assert received == [signal.SIGTERM]
        with pytest.raises(Stopped):
            _stopping(signal.SIGINT)
    assert received == [signal.SIGTERM, signal.SIGINT]
    assert "Stopped" not in capsys.readouterr().err


def test_an_error_a_stop_caused_is_the_stop(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def rank(args: object) -> int:  # as DuckDB turns a stop into an error of its own
        try:
            _stopping(signal.SIGINT)
        except Stopped:
            raise _files.InputError(["data: DuckDB could not read it"]) from None
        return 0

    monkeypatch.setattr(cli, "_rank", rank)
    assert main(["rank", "x.json"]) == 128 + signal.SIGINT
    assert capsys.readouterr().err == "customer-model rank: stopped (SIGINT)\n"


def test_a_stop_while_the_handlers_are_set_is_one_line_and_leaves_none(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = signal.signal
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    hook = sys.unraisablehook

    def install(signum: int, handler: Any) -> Any:
        previous = real(signum, handler)
        if signum == signal.SIGTERM and handler is not before[signal.SIGTERM]:
            monkeypatch.setattr(signal, "signal", real)
            _stopping(signal.SIGINT)  # ours handles both now: the stop waits for the block
        return previous

    monkeypatch.setattr(signal, "signal", install)
    assert main(["rank", "x.json"]) == 128 + signal.SIGINT
    assert capsys.readouterr().err == "customer-model: stopped (SIGINT)\n"
    assert {s: signal.getsignal(s) for s in before} == before
    assert sys.unraisablehook is hook


_LONG_PIECE = """
import os, signal, threading, time
import duckdb
from customer_model.cli._signals import interrupting, stops

con = duckdb.connect()
for _ in range(3):  # without interrupting(), about one try in three runs for minutes
    with stops() as received:
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
        start = time.perf_counter()
        try:
            with interrupting(con.interrupt):
                # DuckDB checks for a signal between pieces of work; this piece runs minutes
                con.execute("SELECT sum(hash(range)) FROM range(100000000000)").fetchall()
        except BaseException as e:
            print(type(e).__name__, received, time.perf_counter() - start < 20)
print(signal.set_wakeup_fd(-1))
"""


def test_a_stop_interrupts_duckdb_at_once() -> None:
    pytest.importorskip("duckdb")
    done = subprocess.run(
        [sys.executable, "-c", _LONG_PIECE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,  # its stderr is shown when it fails
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *stopped, left = done.stdout.splitlines()
    assert len(stopped) == 3
    for line in stopped:
        kind, rest = line.split(" ", 1)
        assert kind in ("Stopped", "InterruptException", "RuntimeError")
        assert rest == f"[{int(signal.SIGINT)}] True"
    assert left == "-1"  # the wakeup descriptor was put back


def test_a_file_error_no_step_reported_names_the_file_not_standard_output(
    data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Standard output's failures carry no file name; any other file's do, and it is the one
    # to look at (a name too long once came out as "cannot write to standard output").
    import errno

    from customer_model import cli

    def unreadable(path: str, *args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), path)

    monkeypatch.setattr(cli, "load_dataset", unreadable)
    assert main(["nps", str(data)]) == 2
    assert capsys.readouterr().err == f"{data}: cannot use (File name too long)\n"
