"""A progress line for long commands: rewritten in place on a terminal, periodic lines otherwise.

Logs of scripted runs (cron, CI) must stay readable, so off a terminal a new line is printed at
most every few seconds instead of a stream of carriage returns.
"""

from __future__ import annotations

import time
from typing import TextIO

from escap_desktop.core.entities.directory import format_duration


class ProgressLine:
    def __init__(self, stream: TextIO, every_seconds: float = 5.0) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._every = every_seconds
        self._started = time.monotonic()
        self._last = 0.0
        self._width = 0

    def update(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if not self._tty and now - self._last < self._every and done < total:
            return
        self._last = now
        percent = 100 * done // total if total else 100
        elapsed = now - self._started
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (total - done) / rate if rate > 0 else 0.0
        line = f"{percent:3d} % — {message}"
        if rate > 0 and done < total:  # no estimate before the first step has a pace
            line += f" — reste environ {format_duration(left)}"
        if self._tty:
            padding = " " * max(self._width - len(line), 0)
            self._stream.write(f"\r{line}{padding}")
            self._width = len(line)
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._tty and self._width:
            self._stream.write("\n")
            self._stream.flush()
