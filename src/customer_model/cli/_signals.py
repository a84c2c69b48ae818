"""Stopping the command line cleanly on Ctrl-C (SIGINT) or SIGTERM.

Both signals raise :class:`Stopped` where Python's defaults would print a
traceback (SIGINT) or end the process on the spot (SIGTERM, leaving
temporary files behind): the exception unwinds every ``finally`` and
``with`` on its way out, so temporary files and folders are removed.  DuckDB
turns a signal that arrives during a query into its own error ("Query
interrupted"), which is why the signal is also noted where :func:`stops`
can tell.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Stopped", "deferred", "stops"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """A stop signal arrived; *signum* says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def stops() -> Iterator[list[int]]:
    """Turn SIGINT and SIGTERM into :class:`Stopped` inside the block.

    Yields the list of signals received so far, to tell an error caused by a
    stop from any other.  A signal the parent process ignores (SIGINT for a
    job started with ``&`` or ``nohup``) stays ignored.  Handlers can only be
    set in the main thread; elsewhere the block runs with the handlers as
    they are.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        raise Stopped(signum)

    previous = {
        signum: signal.signal(signum, stop)
        for signum in _SIGNALS
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    try:
        yield received
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block ends: it must not stop halfway.

    For the few steps that make or remove temporary files, and move finished
    ones into place: a stop between creating a file and noting its name would
    leave the file behind.  A signal that arrives meanwhile is handled as the
    block ends.  Where signals cannot be blocked (another thread, a platform
    without ``pthread_sigmask``), the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
