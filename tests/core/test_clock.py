"""The one clock: UTC instants for records, French days for rules, on the hard nights too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from escap_desktop.core.clock import (
    FrozenClock,
    SystemClock,
    paris_date,
    paris_instant,
    paris_time,
)


@pytest.mark.parametrize(
    ("instant", "french_day"),
    [
        # Leap day, 23:30 UTC: already 1 March in Paris.
        (datetime(2028, 2, 29, 23, 30, tzinfo=UTC), date(2028, 3, 1)),
        # New Year's Eve, 23:30 UTC: a new remuneration year has begun in Paris.
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1)),
        # The night clocks go forward (02:00 → 03:00 on 28 March 2027): 01:30 UTC is 03:30.
        (datetime(2027, 3, 28, 1, 30, tzinfo=UTC), date(2027, 3, 28)),
        # Summer: 22:30 UTC is 00:30 the next day.
        (datetime(2027, 7, 14, 22, 30, tzinfo=UTC), date(2027, 7, 15)),
        # A naive instant is a stored UTC one.
        (datetime(2026, 12, 31, 23, 30), date(2027, 1, 1)),
    ],
)
def test_the_french_day_of_an_instant(instant: datetime, french_day: date) -> None:
    assert paris_date(instant) == french_day
    assert FrozenClock(instant.replace(tzinfo=UTC)).today() == french_day


def test_the_dst_night_reads_as_french_wall_clock_time() -> None:
    assert paris_time(datetime(2027, 3, 28, 1, 30, tzinfo=UTC)).strftime("%H:%M") == "03:30"
    assert paris_time(datetime(2027, 10, 31, 1, 30, tzinfo=UTC)).strftime("%H:%M") == "02:30"
    # 00:30 in Paris is 23:30 UTC the day before in winter, 22:30 in summer.
    assert paris_instant(date(2027, 1, 10), 0, 30) == datetime(2027, 1, 9, 23, 30, tzinfo=UTC)
    assert paris_instant(date(2027, 7, 10), 0, 30) == datetime(2027, 7, 9, 22, 30, tzinfo=UTC)


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 12, 31, 22, 0, tzinfo=UTC))
    assert clock.now() == clock.now()
    assert clock.today() == date(2026, 12, 31)
    clock.advance(hours=1, minutes=30)
    assert clock.today() == date(2027, 1, 1)
    clock.advance(timedelta(days=-2))
    assert clock.today() == date(2026, 12, 30)
    clock.set(datetime(2028, 2, 29, 12, 0, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2028, 2, 29, 11, 0, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    with pytest.raises(ValueError, match="fuseau horaire"):
        clock.set(datetime(2028, 2, 29, 12, 0))


def test_the_system_clock_gives_aware_utc_instants_and_the_french_day() -> None:
    clock = SystemClock()
    now = clock.now()
    assert now.tzinfo is UTC
    assert clock.today() in (paris_date(now), paris_date(clock.now()))
    assert abs(clock.timestamp() - clock.now().timestamp()) < 5
