"""The relay's limits, in one place so tests and deployments can tighten or loosen them."""

from __future__ import annotations

from dataclasses import dataclass

from escap_desktop.sync.wire import MAX_CLOCK_SKEW_SECONDS

DEFAULT_DATABASE_URL = "sqlite:///relay.db"
DEFAULT_MAX_AGE_DAYS: int | None = 365
"""A year: a device offline longer (or one invited later) gets the team's file sent again by a
member's device (``escap_relay.data.history``), so no history needs to stay forever
(docs/relay.md, "Retention")."""
DEFAULT_ACKED_RETENTION_DAYS: int | None = 30
"""A month after every member device stored an envelope; a colleague invited later gets the
team's file from a member's device, not from the relay's history."""
DEFAULT_PURGE_INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class RelaySettings:
    """``rate_per_second``/``rate_burst``: token bucket per device (and per address for the
    unauthenticated registration); ``max_body_bytes``: any request body, checked before parsing.

    Retention (``escap_relay.retention``, ``docs/relay.md``): an envelope is purged
    ``max_age_days`` after it arrived (a year by default; None: never), whoever still lacks it
    (such a device asks a member for the team's file, ``escap_relay.data.history``); also
    ``acked_retention_days`` after every member device of its team pulled past it (a month by
    default; None: never), if no invitation to the team is pending. ``purge_interval_seconds``:
    how often the relay purges (0: never on its own, only ``escap relay purge``).
    """

    max_body_bytes: int = 8 * 1024 * 1024
    rate_per_second: float = 20.0
    rate_burst: int = 60
    max_clock_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS
    default_pull_limit: int = 200
    max_age_days: int | None = DEFAULT_MAX_AGE_DAYS
    acked_retention_days: int | None = DEFAULT_ACKED_RETENTION_DAYS
    purge_interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS

    def __post_init__(self) -> None:
        if self.max_age_days is not None and self.max_age_days < 1:
            raise ValueError("La durée maximale de conservation doit être d'au moins un jour.")
        if self.acked_retention_days is not None and self.acked_retention_days < 0:
            raise ValueError("Le délai de conservation après réception ne peut être négatif.")
        if self.purge_interval_seconds < 0:
            raise ValueError("L'intervalle entre deux purges ne peut être négatif.")
