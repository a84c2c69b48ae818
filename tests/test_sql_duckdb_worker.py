"""prioritize_sql on DuckDB: the checks run in a worker thread while Python ranks.

The worker runs the ids, the backlog and the checks in turn on the caller's
connection; Python splits the ids and makes the items meanwhile.  What ranking
unchecked tables raises waits for the checks, which name the tables' faults
first; a stop interrupts the worker's query at once and leaves the connection
usable.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _tables import load_duckdb, tables_of
from customer_model import (
    Backlog,
    PrioritizationPolicy,
    Rule,
    Segment,
    ValidationError,
    prioritize,
)
from customer_model.examples.bundled import sample_as_of, sample_dataset
from customer_model.sql import _engine, _worker, prioritize_sql
from customer_model.sql._backlog import Built, build

DATA = sample_dataset(customers=6)
AS_OF = sample_as_of()
#: A DuckDB query that runs for hours unless interrupted.
ENDLESS = "SELECT sum(hash(range)) FROM range(100000000000)"
#: A DuckDB query that runs for a fraction of a second.
SLOW = "SELECT sum(hash(range)) FROM range(200000000)"


def _con(**changes: Any) -> Any:
    tables = tables_of(DATA.customers, DATA.feedback)
    for column, value in changes.items():
        tables["feedback"][0][column] = value
    con = duckdb.connect()
    load_duckdb(con, tables)
    return con


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The statements the engine runs, with the thread that ran each."""
    ran: list[tuple[str, str]] = []
    rows = _engine._Engine.rows

    def spied(engine: Any, sql: str) -> list[Sequence[Any]]:
        ran.append((threading.current_thread().name, sql))
        return rows(engine, sql)

    monkeypatch.setattr(_engine._Engine, "rows", spied)
    return ran


def _endless(*args: Any, **kwargs: Any) -> str:
    """In place of a statement's text: a query that runs until it is interrupted."""
    return ENDLESS


def _stop_once_begun(ran: list[tuple[str, str]], stop: type[BaseException], n: int = 1) -> NoReturn:
    """Raise *stop* once the *n*-th statement the engine runs (the endless one) has begun."""
    while len(ran) < n:
        time.sleep(0.01)
    raise stop


def _assert_stops(con: Any, stop: type[BaseException]) -> None:
    """prioritize_sql on *con* raises *stop*, having interrupted its endless query itself.

    A watchdog interrupts the query after two minutes, so a call that does
    not fails rather than hangs.
    """
    rescued: list[bool] = []

    def rescue() -> None:
        rescued.append(True)
        con.interrupt()

    watchdog = threading.Timer(120, rescue)
    watchdog.start()
    try:
        with pytest.raises(stop):
            prioritize_sql(con, as_of=AS_OF)
    finally:
        watchdog.cancel()
    assert not rescued
    # No worker is left behind, and the connection is usable.
    assert not [t for t in threading.enumerate() if t.name.startswith("customer-model-duckdb")]
    assert con.execute("SELECT 42").fetchall() == [(42,)]


def test_the_worker_runs_ids_backlog_and_checks_in_turn_and_python_ranks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran = _spy(monkeypatch)
    backlog = prioritize_sql(_con(), as_of=AS_OF)
    assert backlog == prioritize_sql(_con(), as_of=AS_OF)  # the same, call after call
    expected = prioritize(DATA.feedback, DATA.customers, as_of=AS_OF)
    assert backlog.themes == expected.themes
    assert [i.feedback_ids for i in backlog] == [i.feedback_ids for i in expected]
    caller = threading.current_thread().name
    assert all(name.startswith("customer-model-duckdb") and name != caller for name, _ in ran)
    assert not [t for t in threading.enumerate() if t.name.startswith("customer-model-duckdb")]
    (ids, ranked, checks) = (sql for _, sql in ran[:3])
    assert "LISTAGG" in ids
    assert "LISTAGG" not in ranked
    assert checks.startswith('SELECT "feedback_id_null"')


@pytest.mark.parametrize(
    ("change", "column"),
    [({"need": "wish"}, "need"), ({"theme": None}, "theme"), ({"kind": "wish"}, "kind")],
)
def test_what_ranking_unchecked_tables_raises_gives_way_to_the_checks(
    change: dict[str, Any], column: str
) -> None:
    # A need outside the vocabulary reaches the explanation's ordering (a KeyError
    # in Python); a NULL theme a None key: the checks' words come instead.
    with pytest.raises(ValidationError) as info:
        prioritize_sql(_con(**change), as_of=AS_OF)
    assert [p.location for p in info.value.problems] == [f"$.feedback.{column}"]


def test_an_error_ranking_checked_tables_is_raised_not_swallowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: Any) -> Any:
        raise LookupError("a bug in ranking")

    monkeypatch.setattr(_engine, "_ranked_by_theme", broken)
    with pytest.raises(LookupError, match="a bug in ranking"):
        prioritize_sql(_con(), as_of=AS_OF)


# DuckDB's InterruptException too: another thread interrupted the connection (rank's
# stop watcher does so), and the statement after the interrupted one must not run on.
@pytest.mark.parametrize("stop", [KeyboardInterrupt, SystemExit, duckdb.InterruptException])
def test_a_stop_while_the_worker_queries_interrupts_it_and_cancels_the_rest(
    monkeypatch: pytest.MonkeyPatch, stop: type[BaseException]
) -> None:
    ran = _spy(monkeypatch)

    monkeypatch.setattr(Built, "without_ids", _endless)
    monkeypatch.setattr(_engine, "_by_theme", lambda rows: _stop_once_begun(ran, stop, 2))
    con = _con()
    _assert_stops(con, stop)
    # The endless query was interrupted (the call came back); the checks never ran.
    assert [sql for _, sql in ran][1:] == [ENDLESS]


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([None, "need", "kind", "importance"]), st.text(min_size=1, max_size=5))
def test_bad_tables_are_refused_alike_whichever_thread_ranks(column: str | None, word: str) -> None:
    # The worker's flow against the checks run first, as on Spark and PostgreSQL.
    con = _con(**({} if column is None else {column: word}))
    outcomes: list[Backlog | str] = []
    for beside in (True, False):
        try:
            if beside:
                outcomes.append(prioritize_sql(con, as_of=AS_OF))
            else:
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(_engine._Engine, "__init__", _not_beside)
                    outcomes.append(prioritize_sql(con, as_of=AS_OF))
        except ValidationError as e:
            outcomes.append(str(e))
    first, second = outcomes
    if isinstance(first, str):
        assert first == second
    else:
        assert not isinstance(second, str)
        assert [(i.theme, i.feedback_ids) for i in first] == [
            (i.theme, i.feedback_ids) for i in second
        ]


_init = _engine._Engine.__init__


def _not_beside(engine: Any, connection: object) -> None:
    """An engine that runs DuckDB's statements in turn, as the other engines do."""
    _init(engine, connection)
    engine.beside = False


def test_a_call_at_interpreter_shutdown_runs_in_turn_in_the_calling_thread() -> None:
    # In an atexit handler executors take no new work: the call runs its statements itself.
    script = textwrap.dedent(
        """
        import atexit
        import duckdb
        from _tables import load_duckdb, tables_of
        from customer_model import prioritize
        from customer_model.examples.bundled import sample_as_of, sample_dataset
        from customer_model.sql import prioritize_sql

        data = sample_dataset(customers=6)
        con = duckdb.connect()
        load_duckdb(con, tables_of(data.customers, data.feedback))

        def at_exit():
            backlog = prioritize_sql(con, as_of=sample_as_of())
            expected = prioritize(data.feedback, data.customers, as_of=sample_as_of())
            print("same" if backlog.themes == expected.themes else "different")

        atexit.register(at_exit)
        """
    )
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": tests},
        check=False,
    )
    assert done.stdout.strip() == "same", done.stderr[-2000:]


@pytest.mark.parametrize(
    "theme",
    [
        # DuckDB groups 'uptime' and 'UPTIME' as one theme, and picks either text
        "(CASE WHEN author_id IS NULL THEN upper(theme) ELSE theme END) COLLATE nocase",
        # and 'é' composed or not
        "(theme || CASE WHEN author_id IS NULL THEN 'e\u0301' ELSE '\u00e9' END) COLLATE nfc",
    ],
)
def test_a_theme_the_two_statements_write_differently_is_ranked_as_checks_first(
    theme: str,
) -> None:
    # The ids and the backlog group a collated theme alike but may each give it
    # another of its texts: the ids are not to be looked up by a text they lack.
    def con() -> Any:
        con = _con()
        con.execute(
            f"CREATE OR REPLACE TABLE feedback AS SELECT {theme} AS theme,"
            " * EXCLUDE (theme) FROM feedback"
        )
        return con

    beside = prioritize_sql(con(), as_of=AS_OF)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_engine._Engine, "__init__", _not_beside)
        first = prioritize_sql(con(), as_of=AS_OF)

    # Which of a group's texts DuckDB shows varies from run to run: compare them
    # as the collation does.
    def same(text: str) -> str:
        return unicodedata.normalize("NFC", text).casefold()

    assert [(same(i.theme), i.feedback_ids, i.score) for i in beside] == [
        (same(i.theme), i.feedback_ids, i.score) for i in first
    ]


def test_tables_found_among_the_callers_variables_are_found_as_checks_first_finds_them() -> None:
    # With python_scan_all_frames (always so before DuckDB 1.1) DuckDB reads a table
    # name it lacks from a variable of any frame of the thread running the query:
    # the caller's, not the worker's.
    pytest.importorskip("pyarrow")
    held = _con()
    customers, purchasers, users, purchases, feedback = (  # noqa: RUF059 - DuckDB reads them
        held.sql(f"FROM {t}").to_arrow_table()
        for t in ("customers", "purchasers", "users", "purchases", "feedback")
    )
    con = duckdb.connect()
    con.execute("SET python_scan_all_frames = true")
    assert prioritize_sql(con, as_of=AS_OF) == prioritize_sql(held, as_of=AS_OF)


def test_a_stop_while_the_backlog_is_built_interrupts_the_ids_query(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The ids query runs while the calling thread builds the backlog's statements.
    ran = _spy(monkeypatch)

    monkeypatch.setattr(_engine, "ids_text", _endless)
    monkeypatch.setattr(_engine, "build", lambda *args: _stop_once_begun(ran, KeyboardInterrupt))
    con = _con()
    _assert_stops(con, KeyboardInterrupt)
    assert [sql for _, sql in ran] == [ENDLESS]


def test_a_second_stop_while_duckdb_is_interrupted_does_not_leave_it_running(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ctrl-C pressed again as the call interrupts the worker's query, which runs on
    # (as a statement begun just after the interrupt would): the call goes on
    # interrupting until DuckDB is idle, and only then stops.
    ran = _spy(monkeypatch)
    spied = _engine._Engine.rows

    def running_on(engine: Any, sql: str) -> list[Sequence[Any]]:
        try:
            return spied(engine, sql)
        except duckdb.InterruptException:
            if sql != ENDLESS or len(ran) > 2:
                raise
            return spied(engine, sql)  # interrupted once: begun again

    def second_stop(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(_engine._Engine, "rows", running_on)
    monkeypatch.setattr(Built, "without_ids", _endless)
    monkeypatch.setattr(_engine, "_by_theme", lambda rows: _stop_once_begun(ran, SystemExit, 2))
    con = _con()
    with monkeypatch.context() as patch:
        patch.setattr(_worker, "wait", second_stop)  # Ctrl-C, as the first interrupt is sent
        try:
            _assert_stops(con, KeyboardInterrupt)
        finally:  # without the fix the query runs on: end it, not the test run
            while [t for t in threading.enumerate() if t.name.startswith("customer-model-duckdb")]:
                con.interrupt()
                time.sleep(0.05)
    assert [sql for _, sql in ran][1:] == [ENDLESS, ENDLESS]


class _Unlisted(Rule):
    """A rule node SQL has no form for: build() refuses a segment weighted by it."""

    __slots__ = ()


def test_a_segment_refused_while_the_ids_query_runs_leaves_the_callers_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # build() refuses the segment while the worker still runs the ids query: that is
    # no stop, so the query is let end. Interrupted, it would abort the transaction
    # the caller holds open, and the caller's commit would then roll back.
    ran = _spy(monkeypatch)

    def refusing(*args: Any) -> Built:
        while not ran:  # the ids query has begun
            time.sleep(0.01)
        return build(*args)

    monkeypatch.setattr(_engine, "ids_text", lambda *args, **kwargs: SLOW)
    monkeypatch.setattr(_engine, "build", refusing)
    con = _con()
    con.execute("CREATE TABLE notes (n INTEGER)")
    con.begin()
    con.execute("INSERT INTO notes VALUES (1)")
    policy = PrioritizationPolicy(segment_weights={"s": 2.0})
    with pytest.raises(
        ValidationError, match=r"^invalid prioritize input: .*no form for: _Unlisted"
    ):
        prioritize_sql(con, as_of=AS_OF, policy=policy, segments=[Segment("s", "S", _Unlisted())])
    assert [sql for _, sql in ran] == [SLOW]
    assert not [t for t in threading.enumerate() if t.name.startswith("customer-model-duckdb")]
    assert con.execute("SELECT n FROM notes").fetchall() == [(1,)]
    con.commit()
    assert con.execute("SELECT n FROM notes").fetchall() == [(1,)]


def test_a_stop_just_as_a_query_is_handed_over_interrupts_it_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stop lands after the worker took the statement but before the call noted
    # its future: the worker's query is interrupted all the same.
    ran = _spy(monkeypatch)

    class Stopping(ThreadPoolExecutor):
        def submit(self, *args: Any, **kwargs: Any) -> Any:
            super().submit(*args, **kwargs)  # its future never reaches the caller
            _stop_once_begun(ran, KeyboardInterrupt)

    monkeypatch.setattr(_engine, "ids_text", _endless)
    monkeypatch.setattr(_worker, "ThreadPoolExecutor", Stopping)
    con = _con()
    _assert_stops(con, KeyboardInterrupt)
    assert [sql for _, sql in ran] == [ENDLESS]
