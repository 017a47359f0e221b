"""The one clock of the application: the current instant, and the current French date.

Records from several computers are compared and merged, so every timestamp is an aware UTC
instant. The ESCAP rules, however, count French calendar days: an ESCAP activated at 00:30 in
Paris on 1 March was activated on 1 March, although its UTC instant is still 28 February. So a
date shown or compared for a rule is always the Paris date of a stored instant, from
``paris_date`` — never ``instant.date()``.

Only ``SystemClock`` reads the computer's clock; everything else receives a ``Clock`` from the
practice (``build_practice``), so a test pins time with a ``FrozenClock`` and the suite gives the
same answers on any day (``tests/test_one_clock.py`` fails on any other read of the wall clock).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
"""Where the experiment's rules count days (tzdata provides it on Windows)."""


def paris_date(instant: datetime, zone: tzinfo | None = None) -> date:
    """The French calendar day of ``instant`` (a naive instant is read as UTC, as stored).

    ``zone`` is Europe/Paris unless a caller counts days elsewhere on purpose.
    """
    return paris_time(instant, zone).date()


def paris_time(instant: datetime, zone: tzinfo | None = None) -> datetime:
    """The instant as a French wall-clock time, for display (a naive instant is read as UTC).

    Not the computer's own zone: a laptop left on UTC, or set to another zone, still shows
    the hour the team lives by.
    """
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(zone or PARIS)


class Clock(ABC):
    """Says what time it is. ``now`` is the instant (aware, UTC); ``today`` the French date."""

    zone: tzinfo = PARIS

    @abstractmethod
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC, for timestamps and sync clocks."""

    def today(self) -> date:
        """The current calendar day in France, for every rule that counts days."""
        return paris_date(self.now(), self.zone)

    def date_of(self, instant: datetime) -> date:
        """The French calendar day of a stored instant (see ``paris_date``)."""
        return paris_date(instant, self.zone)

    def timestamp(self) -> float:
        """Seconds since the epoch, for protocols that carry a number."""
        return self.now().timestamp()


class SystemClock(Clock):
    """The computer's clock: the only place in the application that reads it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


SYSTEM_CLOCK = SystemClock()
"""The machine's clock, for what is compared with another machine's clock rather than used as a
business date: the timestamp of a signed relay request, checked against the relay's own clock."""


class FrozenClock(Clock):
    """A clock that only moves when told to: tests, demos and replays pin time with it."""

    def __init__(self, instant: datetime) -> None:
        self._instant = _aware(instant)

    def now(self) -> datetime:
        return self._instant

    def set(self, instant: datetime) -> None:
        """Moves the clock to ``instant`` (forwards or backwards, as a changed PC clock does)."""
        self._instant = _aware(instant)

    def advance(self, delta: timedelta | None = None, **units: float) -> datetime:
        """Moves the clock on by ``delta`` or by ``days=``, ``hours=``, ``minutes=``..."""
        self._instant += delta if delta is not None else timedelta(**units)
        return self._instant

    def __repr__(self) -> str:
        return f"FrozenClock({self._instant.isoformat()})"


def paris_instant(day: date, hour: int = 12, minute: int = 0, zone: tzinfo = PARIS) -> datetime:
    """The UTC instant of ``hour:minute`` on ``day`` in France (what a professional types)."""
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return local.astimezone(UTC)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("Une horloge ne prend que des instants avec fuseau horaire.")
    return instant.astimezone(UTC)
