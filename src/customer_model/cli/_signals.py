"""Stopping the command line cleanly on Ctrl-C (SIGINT) or SIGTERM.

Both signals raise :class:`Stopped` where Python's defaults would print a
traceback (SIGINT) or end the process on the spot (SIGTERM, leaving
temporary files behind): the exception unwinds every ``finally`` and
``with`` on its way out, so temporary files and folders are removed.  Only
the first signal stops; later ones (a second Ctrl-C while the first one's
cleanup runs) are noted and ignored.  DuckDB turns a signal that arrives
during a query into its own error ("Query interrupted"), which is why the
signals are also noted where :func:`stops` can tell.  A stop that lands
where Python cannot raise it (in a finalizer, which Python runs at any
moment and whose exceptions it swallows) is not counted as the first: the
next signal stops again.

Signals are process-wide, so their state here is too: what :func:`stops`
installs and :func:`deferred` holds back lives in this module while the
command runs (the library's core never touches it).
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["Stopped", "deferred", "interrupting", "made", "stops"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """A stop signal arrived; *signum* says which."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _State:
    """The signals received while :func:`stops` is active, and how deep :func:`deferred` is."""

    def __init__(self, received: list[int]) -> None:
        self.received = received
        self.stopping = False
        self.holding = 0
        self.pending: int | None = None


#: Set while :func:`stops` is active (in the main thread only).
_active: list[_State] = []


@contextlib.contextmanager
def stops(received: list[int] | None = None) -> Iterator[list[int]]:
    """Turn SIGINT and SIGTERM into :class:`Stopped` inside the block.

    Yields the list of signals received so far (*received*, when given, so
    that a caller can read it even when a stop ends the block before its
    first line or after its last), to tell an error caused by a stop from
    any other.  A signal the parent process ignores (SIGINT for a job
    started with ``&`` or ``nohup``) stays ignored.  Handlers can only be
    set in the main thread; elsewhere the block runs with the handlers as
    they are.
    """
    state = _State([] if received is None else received)
    if threading.current_thread() is not threading.main_thread():
        yield state.received
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        state.received.append(signum)
        if state.stopping:
            return  # already stopping: let the cleanup finish
        state.stopping = True
        if state.holding:
            state.pending = signum  # raised when the held steps are done
            return
        raise Stopped(signum)

    swallowed = sys.unraisablehook

    def unraisable(info: Any) -> None:
        if isinstance(info.exc_value, Stopped):
            state.stopping = False  # a finalizer swallowed the stop: the next signal stops
            return
        swallowed(info)

    previous: dict[signal.Signals, Any] = {}
    state.holding += 1  # while the handlers are set, a stop is only noted
    try:
        for signum in _SIGNALS:
            if signal.getsignal(signum) is not signal.SIG_IGN:
                previous[signum] = signal.signal(signum, stop)
        sys.unraisablehook = unraisable
        _active.append(state)
        _release(state)
        yield state.received
    finally:
        state.holding += 1  # a stop while the handlers are put back waits until they are
        if state in _active:
            _active.remove(state)
        sys.unraisablehook = swallowed
        # SIGINT, set first, is put back last: Python's own raises KeyboardInterrupt,
        # which main() takes for a stop too
        for signum, handler in reversed(previous.items()):
            signal.signal(signum, handler)
        _release(state)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold a stop back until the block ends: it must not stop halfway.

    For the few steps that make or remove temporary files, and move finished
    ones into place: a stop between creating a file and noting its name would
    leave the file behind.  A signal that arrives meanwhile stops the command
    as the block ends.  Outside :func:`stops` the block runs as it is.
    """
    if not _active or threading.current_thread() is not threading.main_thread():
        yield
        return
    state = _active[-1]
    state.holding += 1
    try:
        yield
    finally:
        _release(state)


def _release(state: _State) -> None:
    """End one hold of *state*'s stops; the last one lets a stop that came meanwhile go on."""
    state.holding -= 1
    if not state.holding and state.pending is not None:
        signum, state.pending = state.pending, None
        raise Stopped(signum)


def made(make: Callable[[], T], undo: Callable[[T], Any]) -> T:
    """What *make* makes (a temporary file or folder), undone if a stop comes meanwhile.

    The stop is held back while *make* runs, so the thing is made and noted
    at once; if one came meanwhile, *undo* removes it before the stop goes on.
    """
    thing: T | None = None
    try:
        with deferred():
            thing = make()
    except BaseException:
        if thing is not None:
            undo(thing)
        raise
    return thing


@contextlib.contextmanager
def interrupting(interrupt: Callable[[], object]) -> Iterator[None]:
    """Call *interrupt* from a thread of its own as soon as a stop signal comes.

    DuckDB notices a signal only between pieces of its work, and a piece can
    run for minutes; its connection's ``interrupt()``, called from another
    thread, stops it at once.  The signal's number reaches that thread
    through Python's wakeup file descriptor (written by the C-level handler,
    whichever thread is busy); Python's own handler still runs once DuckDB
    returns, and the stop goes on as usual.  Outside :func:`stops` the block
    runs as it is.
    """
    if not _active or threading.current_thread() is not threading.main_thread():
        yield
        return
    # Undone in the reverse order: the wakeup descriptor put back before its socket
    # closes (its number could be reused), and the thread, which then reads the
    # end, joined before its socket closes.
    with contextlib.ExitStack() as undo:
        with deferred():  # set up whole, and noted for undoing, before a stop goes on
            reader, writer = socket.socketpair()
            undo.callback(_held, reader.close)
            watcher = threading.Thread(
                target=_watch, args=(reader, interrupt), name="customer-model-stops", daemon=True
            )
            watcher.start()
            undo.callback(_held, watcher.join)
            undo.callback(_held, writer.close)
            writer.setblocking(False)
            previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
            undo.callback(_held, signal.set_wakeup_fd, previous)
        yield


def _held(step: Callable[..., object], *args: Any) -> None:
    """*step*, with a stop held back until it is done (undoing must not stop halfway)."""
    with deferred():
        step(*args)


def _watch(reader: socket.socket, interrupt: Callable[[], object]) -> None:
    """Interrupt at every stop signal until the writing end closes."""
    while True:
        try:
            data = reader.recv(64)
        except OSError:
            return
        if not data:
            return
        if any(number in _SIGNALS for number in data):
            interrupt()
