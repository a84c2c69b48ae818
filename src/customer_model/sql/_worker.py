"""One thread that runs statements in turn on the caller's DuckDB connection.

The caller goes on with Python's work while DuckDB runs (see
:func:`~customer_model.sql.prioritize_sql`); nothing else may use the
connection until the worker is closed.  Leaving the ``with`` block by an
exception cancels the statements not begun.  On a stop (Ctrl-C, say: an
exception that is no ``Exception``, or DuckDB's ``InterruptException``)
DuckDB is interrupted until the running one ends, so the connection is
usable again at once; after another exception (a segment ``build()``
refuses, say) the running one is let end, for an interrupted statement
aborts a transaction the caller holds open.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from types import TracebackType
from typing import Any

__all__ = ["Worker"]


class Worker:
    """Statements handed over with :meth:`ask`, run one after another by one thread."""

    def __init__(self, connection: Any, rows: Callable[[str], list[Sequence[Any]]]) -> None:
        self._connection = connection
        self._rows = rows
        # The thread itself is noted before it takes any statement: a stop may land
        # after a statement is handed over but before its future is noted.
        self._threads: list[threading.Thread] = []
        self._asked: list[Future[list[Sequence[Any]]]] = []
        self._pool = ThreadPoolExecutor(
            1,
            thread_name_prefix="customer-model-duckdb",
            initializer=lambda: self._threads.append(threading.current_thread()),
        )

    def ask(self, text: str) -> Future[list[Sequence[Any]]]:
        """The rows of *text*, once the statements asked before have run.

        Raises ``RuntimeError`` when no thread can start (in an ``atexit``
        handler, say: executors then take no new work).
        """
        self._asked.append(self._pool.submit(self._rows, text))
        return self._asked[-1]

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:  # the caller is leaving: no statement begins any more
            from duckdb import InterruptException  # DuckDB interrupted from elsewhere: a stop

            self._pool.shutdown(wait=False, cancel_futures=True)  # ends after its query
            try:
                if isinstance(error, Exception) and not isinstance(error, InterruptException):
                    self._pool.shutdown()  # no stop: interrupted, the running statement would
                    # abort a transaction the caller holds open, so it is let end
            finally:  # a stop (Ctrl-C), also while waiting: end DuckDB's work at once
                self._interrupt()
        self._pool.shutdown()

    def _interrupt(self) -> None:
        """Interrupt DuckDB until no statement runs or is left to run.

        A second stop meanwhile (Ctrl-C pressed again) does not cut this
        short, which would leave the statement running: it is raised after.
        """
        again: BaseException | None = None
        while any(t.is_alive() for t in self._threads) or not all(f.done() for f in self._asked):
            try:
                self._connection.interrupt()  # again, should a query begin just after
                wait(self._asked, timeout=0.05)
                for thread in self._threads:
                    thread.join(0.05)
            except Exception:  # an error, not a stop: nothing to wait for
                raise
            except BaseException as stop:  # a stop: raised once DuckDB is idle
                again = stop
        if again is not None:
            raise again
