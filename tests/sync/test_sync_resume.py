"""A cut connection or a killed relay: the next cycle resumes, nothing lost, nothing twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.errors import SyncError
from tests.relay.server import free_port
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.faults import PUSH_PATH, CutConnection, RelayProcess
from tests.sync.team import (
    Member,
    accept_all,
    active_team,
    make_member,
    relay_envelopes,
    start_escap,
)

MESSAGES = 35


def _post_many(member: Member, escap_id: str, count: int = MESSAGES) -> list[str]:
    bodies = [f"Note de passage n°{index + 1}" for index in range(count)]
    for body in bodies:
        member.practice.messages.post(escap_id, body)
    return bodies


def _assert_exactly_once(member: Member, escap_id: str, bodies: list[str]) -> None:
    received = Counter(message.body for message in member.practice.messages.thread(escap_id))
    assert received == Counter(bodies)


def test_a_push_cut_mid_answer_resumes_without_loss_or_duplicate(
    sqlite_relay: Relay, sqlite_members: MemberFactory
) -> None:
    cut = CutConnection(sqlite_relay.transport)
    gp, nurse, _physio, escap = active_team(
        lambda name: (
            sqlite_members(name, transport=cut, push_batch=10)
            if name == "gp"
            else sqlite_members(name)
        )
    )
    bodies = _post_many(gp, escap.id)
    assert gp.sync.status().pending_changes == MESSAGES

    # The second batch reaches the relay, its answer never comes back, the line stays down.
    cut.cut_after(PUSH_PATH, 2)
    with pytest.raises(SyncError, match="injoignable"):
        gp.cycle()
    status = gp.sync.status()
    assert not status.online
    assert "injoignable" in status.last_error
    assert status.pending_changes == MESSAGES - 10  # only the acknowledged batch is done
    assert gp.sync.next_delay() > 60  # the background cycle backs off

    cut.restore()
    report = gp.cycle()
    assert report.pushed == MESSAGES - 10
    assert gp.sync.status().pending_changes == 0
    assert gp.sync.status().online

    stored = [e.record_id for e in relay_envelopes(sqlite_relay.app, escap.team_id)]
    assert len(stored) == len(set(stored))
    nurse.cycle()
    _assert_exactly_once(nurse, escap.id, bodies)


def test_a_pull_cut_between_pages_resumes_from_its_cursor(
    sqlite_relay: Relay, sqlite_members: MemberFactory
) -> None:
    cut = CutConnection(sqlite_relay.transport)
    gp, nurse, _physio, escap = active_team(
        lambda name: (
            sqlite_members(name, transport=cut, pull_limit=10)
            if name == "nurse"
            else sqlite_members(name)
        )
    )
    bodies = _post_many(gp, escap.id)
    gp.cycle()

    cut.cut_after(f"/v1/teams/{escap.team_id}/envelopes", 3)  # 2 pages applied, the 3rd lost
    with pytest.raises(SyncError):
        nurse.cycle()
    partial = len(nurse.practice.messages.thread(escap.id))
    assert 0 < partial < MESSAGES

    cut.restore()
    nurse.cycle()
    _assert_exactly_once(nurse, escap.id, bodies)


@pytest.fixture
def relay_process(relay_database_url: str) -> Iterator[RelayProcess]:
    process = RelayProcess(free_port(), relay_database_url)
    process.start()
    yield process
    process.stop()


def test_the_relay_process_killed_during_a_push_loses_nothing(
    relay_process: RelayProcess, tmp_path: Path, clock: FrozenClock
) -> None:
    """A real uvicorn relay on 127.0.0.1, killed with SIGKILL while answering a push."""
    cut = CutConnection(httpx.HTTPTransport(), on_cut=relay_process.kill)
    gp = make_member("gp", tmp_path, relay_process.url, cut, clock=clock, push_batch=10)
    nurse = make_member("nurse", tmp_path, relay_process.url, None, clock=clock)
    try:
        nurse.cycle()
        _patient, escap = start_escap(gp, ["nurse"])
        gp.cycle()
        nurse.cycle()
        accept_all(nurse)
        nurse.cycle()
        gp.cycle()  # checks the nurse's proof of the letter's code, seals her the keys
        nurse.cycle()
        bodies = _post_many(gp, escap.id, 30)

        cut.cut_after(PUSH_PATH, 2)
        with pytest.raises(SyncError, match="injoignable"):
            gp.cycle()
        assert relay_process.process is None  # really dead
        assert gp.sync.status().pending_changes == 20

        relay_process.start()  # same port, same database
        cut.restore()
        gp.cycle()
        assert gp.sync.status().pending_changes == 0
        nurse.cycle()
        _assert_exactly_once(nurse, escap.id, bodies)
    finally:
        gp.practice.close()
        nurse.practice.close()
