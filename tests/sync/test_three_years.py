"""Three years of one ESCAP through a relay that purges (issue 18), time moved by the test's
clock a quarter at a time: a colleague invited late, a laptop away longer than the relay keeps
anything, the creator's laptop lost for good, a member removed afterwards. At the end every
current member's store holds the same file, the relay holds nothing older than its retention
allows, and nothing waited for the missing laptop.

The relay runs with its default retention (a year after arrival, a month after every member
stored an envelope) and purges at each quarter, as its hourly job would.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.errors import NotFoundError
from escap_desktop.sync.context import SyncReport
from escap_desktop.sync.relay_client import HistoryPurgedError
from escap_relay import retention
from escap_relay.schema import envelopes
from escap_relay.settings import RelaySettings
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import Member, accept_all, canonical_dump
from tests.sync.test_sync_admins import _bodies, _nurse_led_team, _remove

QUARTER = timedelta(days=92)


def _cycle(member: Member, waits: list[str]) -> SyncReport | None:
    """One cycle; a device that lost part of the history asks for it and goes on next time."""
    try:
        return member.cycle()
    except HistoryPurgedError:
        waits.append(member.name)
        return None


def _has_file(member: Member, escap_id: str) -> bool:
    try:
        member.practice.escaps.get(escap_id)
    except NotFoundError:
        return False
    return True


def _quarter(relay: Relay, clock: FrozenClock) -> int:
    clock.advance(QUARTER)
    state = relay.app.state.relay
    assert state.settings.max_age_days == 365  # the defaults: retention is on
    assert state.settings.acked_retention_days == 30
    return retention.purge(state.engine, state.settings, clock).envelopes


def test_three_years_of_one_escap_end_converged_on_a_bounded_relay(
    sqlite_members: MemberFactory, sqlite_relay: Relay, clock: FrozenClock
) -> None:
    assert sqlite_relay.app.state.relay.settings == RelaySettings(
        rate_per_second=1e6, rate_burst=1_000_000
    )
    nurse, gp, physio, escap = _nurse_led_team(sqlite_members)
    dietitian = sqlite_members("dietitian")
    dietitian.cycle()
    online = [nurse, gp, physio]
    waits: list[str] = []
    written: list[str] = []
    purged = 0
    rotations = 0
    resumed: dict[str, int] = {}
    for quarter in range(12):
        if quarter == 2:
            online.remove(physio)  # away for fifteen months: longer than the relay keeps
        if quarter == 5:
            # The GP invites a dietitian, long after the ESCAP's first records were purged.
            gp.practice.escaps.invite(escap.id, gp.colleague("dietitian").id, "Nutrition")
            gp.cycle()
            dietitian.cycle()
            accept_all(dietitian)
            dietitian.cycle()
            online.append(dietitian)
        if quarter == 6:
            online.remove(nurse)  # the team creator's laptop is stolen: never seen again
        if quarter == 7:
            online.append(physio)
        if quarter == 9:
            _remove(gp, escap, dietitian)  # the médecin traitant ends her part
            online.remove(dietitian)
        for member in online:
            if not _has_file(member, escap.id):
                continue  # joined, the file not here yet: nothing to write in
            text = f"T{quarter + 1} : point de {member.name}."
            member.practice.messages.post(escap.id, text)
            written.append(text)
        for _round in range(3):
            for member in online:
                report = _cycle(member, waits)
                if report is not None:
                    resumed[member.name] = resumed.get(member.name, 0) + report.history_resumed
                    rotations += report.key_rotations if member is gp else 0
        if quarter == 9:
            dietitian.cycle()  # her device learns it, and keeps what it had
            assert dietitian.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
        purged += _quarter(sqlite_relay, clock)

    # The dietitian joined after purges: told, she asked, and got the file from a member's
    # device; the physio came back after the maximum age and resumed after that same resend.
    assert "dietitian" in waits
    assert resumed["dietitian"] >= 1
    assert resumed["physio"] >= 1
    assert purged > 0
    assert rotations >= 1  # the removal was handled without the creator's laptop
    for member in (gp, physio):
        member.cycle()
    assert canonical_dump(gp, escap.id) == canonical_dump(physio, escap.id)
    for member in (gp, physio):
        assert set(written) <= set(_bodies(member, escap))
    after_removal = [text for text in written if text.startswith(("T10", "T11", "T12"))]
    assert not set(after_removal) & set(_bodies(dietitian, escap))

    # The relay keeps nothing older than a year, and far less than the three years' history.
    retention.purge(
        sqlite_relay.app.state.relay.engine, sqlite_relay.app.state.relay.settings, clock
    )
    with sqlite_relay.app.state.relay.engine.connect() as connection:
        oldest = connection.scalar(
            select(func.min(envelopes.c.received_at)).where(envelopes.c.team_id == escap.team_id)
        )
        kept = connection.scalar(
            select(func.count()).select_from(envelopes).where(envelopes.c.team_id == escap.team_id)
        )
    assert oldest is not None
    assert clock.now() - oldest.replace(tzinfo=clock.now().tzinfo) <= timedelta(days=365)
    head = gp.repo_call(lambda repo: repo.team(escap.team_id).cursor)
    assert kept < head / 2
