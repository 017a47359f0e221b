"""Loaded by every Python process of .ci/run's date-shifted passes (PYTHONPATH), never by the app.

Debian's libfaketime (0.9.10) moves the wall clock but breaks one call: ``clock_nanosleep`` with
an absolute monotonic deadline, which is how Python 3.11's ``time.sleep`` waits, fails with
EINVAL. Relative waits (select, locks, events, nanosleep) work, so ``time.sleep`` waits on
``select`` here, for the test processes and every process they start.
"""

from __future__ import annotations

import select
import time

_monotonic = time.monotonic


def _sleep(seconds: float) -> None:
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    deadline = _monotonic() + seconds
    remaining = seconds
    while remaining > 0:
        select.select([], [], [], remaining)
        remaining = deadline - _monotonic()


time.sleep = _sleep
