"""Where the tests' clock starts: the one source of "now" for the whole suite.

Every test reads time from the ``clock`` fixture (tests/conftest.py), a ``FrozenClock`` started
here. ``ESCAP_TEST_NOW`` (an ISO instant with its offset) moves the start: ``.ci/run`` runs the
date-sensitive tests again with it, and the machine's clock moved by faketime to the same
instant, on the hard days (leap day, the night clocks change, New Year's Eve in Paris), so a
test or a code path that quietly relied on one particular day fails there.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from escap_desktop.core.clock import FrozenClock

TEST_NOW_ENV = "ESCAP_TEST_NOW"
DEFAULT_TEST_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""A Wednesday morning in Paris (10:00), inside the experiment."""


def start_instant() -> datetime:
    """The instant every test clock starts at (``ESCAP_TEST_NOW`` or the default)."""
    text = os.environ.get(TEST_NOW_ENV, "").strip()
    if not text:
        return DEFAULT_TEST_NOW
    start = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if start.tzinfo is None:
        raise ValueError(f"{TEST_NOW_ENV} doit porter son fuseau (par exemple 2028-02-29T23:30Z)")
    return start.astimezone(UTC)


def frozen_clock() -> FrozenClock:
    """A new clock at the start instant, for set-ups wider than one test (module fixtures)."""
    return FrozenClock(start_instant())
