"""A tiny progress bar for the command line: drawn on a terminal, silent when piped."""

from __future__ import annotations

from types import TracebackType
from typing import TextIO


class ProgressBar:
    """Call it as ``bar(done, total)``; it redraws one line on *stream*.

    It draws only when *stream* is a terminal (``isatty()``), so output piped
    to a file or another program never carries carriage returns.  Redraws
    happen when the whole percentage changes, not on every call.  Use it as a
    context manager so the line is finished even when work stops early.
    """

    def __init__(self, stream: TextIO, label: str, *, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.width = width
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty()) if callable(isatty) else False
        self._last: int | None = None
        self._open = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        total = max(total, 1)
        done = min(max(done, 0), total)
        percent = done * 100 // total
        if percent == self._last:
            return
        self._last = percent
        filled = self.width * done // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {percent:3d}%")
        self._open = done < total
        if not self._open:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """End the line if the bar was left part-way."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
