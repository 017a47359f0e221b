"""Waiting after failures: bounded, and driven by an injected sleeper so tests never sleep."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

Sleeper = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of one relay request on a transient failure (no answer, 429, 502-504).

    ``attempts`` counts the first try; the delays double from ``first_delay`` up to
    ``max_delay``. A 429's ``Retry-After`` is obeyed, within ``max_delay``.
    """

    attempts: int = 3
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """The wait before try number ``attempt + 1`` (``attempt`` starts at 1)."""
        if retry_after is not None and math.isfinite(retry_after):
            return min(max(retry_after, 0.0), self.max_delay)
        return min(self.first_delay * 2 ** (attempt - 1), self.max_delay)


@dataclass(frozen=True, slots=True)
class CycleSchedule:
    """When the background sync runs next: every ``every`` seconds while all goes well, then
    twice as long after each failed cycle in a row, never more than ``max_delay``."""

    every: float = 60.0
    max_delay: float = 15 * 60.0

    def next_delay(self, failures: int) -> float:
        if failures <= 0:
            return self.every
        return min(self.every * 2 ** min(failures, 16), self.max_delay)


def real_sleep(seconds: float) -> None:
    time.sleep(seconds)
