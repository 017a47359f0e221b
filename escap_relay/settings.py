"""The relay's limits, in one place so tests and deployments can tighten or loosen them."""

from __future__ import annotations

from dataclasses import dataclass

from escap_desktop.sync.wire import MAX_CLOCK_SKEW_SECONDS

DEFAULT_DATABASE_URL = "sqlite:///relay.db"


@dataclass(frozen=True, slots=True)
class RelaySettings:
    """``rate_per_second``/``rate_burst``: token bucket per device (and per address for the
    unauthenticated registration); ``max_body_bytes``: any request body, checked before parsing.
    """

    max_body_bytes: int = 8 * 1024 * 1024
    rate_per_second: float = 20.0
    rate_burst: int = 60
    max_clock_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS
    default_pull_limit: int = 200
