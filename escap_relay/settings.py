"""The relay's limits, in one place so tests and deployments can tighten or loosen them."""

from __future__ import annotations

from dataclasses import dataclass

from escap_desktop.sync.wire import MAX_CLOCK_SKEW_SECONDS

DEFAULT_DATABASE_URL = "sqlite:///relay.db"
DEFAULT_MAX_AGE_DAYS: int | None = None
"""Off: a colleague invited to a long-running ESCAP gets its history from the relay, and no way
to send a purged history again exists yet (docs/relay.md, "Retention")."""
DEFAULT_PURGE_INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class RelaySettings:
    """``rate_per_second``/``rate_burst``: token bucket per device (and per address for the
    unauthenticated registration); ``max_body_bytes``: any request body, checked before parsing.

    Retention (``escap_relay.retention``, ``docs/relay.md``): an envelope is purged
    ``max_age_days`` after it arrived (off by default), whoever still lacks it (such a device is
    then told so);
    with ``acked_retention_days`` set, also that many days after every member device of its
    team pulled past it, if no invitation to the team is pending. Off by default: a member who
    joins later gets the team's history from the relay. ``purge_interval_seconds``: how often
    the relay purges (0: never on its own, only ``escap relay purge``).
    """

    max_body_bytes: int = 8 * 1024 * 1024
    rate_per_second: float = 20.0
    rate_burst: int = 60
    max_clock_skew_seconds: int = MAX_CLOCK_SKEW_SECONDS
    default_pull_limit: int = 200
    max_age_days: int | None = DEFAULT_MAX_AGE_DAYS
    acked_retention_days: int | None = None
    purge_interval_seconds: float = DEFAULT_PURGE_INTERVAL_SECONDS

    def __post_init__(self) -> None:
        if self.max_age_days is not None and self.max_age_days < 1:
            raise ValueError("La durée maximale de conservation doit être d'au moins un jour.")
        if self.acked_retention_days is not None and self.acked_retention_days < 0:
            raise ValueError("Le délai de conservation après réception ne peut être négatif.")
        if self.purge_interval_seconds < 0:
            raise ValueError("L'intervalle entre deux purges ne peut être négatif.")
