"""The relay's side of a team's file sent again (``escap_relay.data.history``).

A device below the purged part asks; members see it in their team list; one claims it at a
time (a claim not completed expires, then another member may take over); the claimer's base
must cover what was purged; once complete, the 410 of such a device says where to resume, and
a later purge beyond that base makes it ask again.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from escap_desktop.core.clock import FrozenClock
from escap_desktop.sync.crypto import TeamKey
from escap_desktop.sync.wire import HistoryClaim, HistoryState, PullPage, TeamList
from escap_relay import retention
from escap_relay.app import create_app
from escap_relay.data.teams import HISTORY_CLAIM_SECONDS
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport, RelayClient
from tests.relay.helpers import assert_problem, new_id, sealed

PURGE_ACKED = RelaySettings(acked_retention_days=0, max_age_days=None)


@pytest.fixture
def app(database_url: str, clock: FrozenClock) -> Iterator[FastAPI]:
    app = create_app(database_url, settings=PURGE_ACKED, clock=clock)
    yield app
    app.state.relay.engine.dispose()


@pytest.fixture
def clients(app: FastAPI) -> Iterator[list[RelayClient]]:
    """The team's admin and two members, registered and in one team."""
    https = [
        httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test")
        for _ in range(3)
    ]
    devices = [RelayClient(http) for http in https]
    for device, rpps in zip(devices, ("10101010101", "20202020202", "30303030303"), strict=True):
        assert device.register(rpps).status_code == 201
    yield devices
    for http in https:
        http.close()


def _history(
    device: RelayClient, team_id: str, action: str, base: int | None = None
) -> httpx.Response:
    body = None if base is None else HistoryClaim(base_seq=base).model_dump_json().encode()
    return device.request("POST", f"/v1/teams/{team_id}/history/{action}", json_body=body)


def _wanted(device: RelayClient, team_id: str) -> bool:
    listing = TeamList.model_validate_json(device.teams().content)
    return next(team.history_wanted for team in listing.teams if team.team_id == team_id)


def _purge(app: FastAPI) -> int:
    relay = app.state.relay
    return retention.purge(relay.engine, PURGE_ACKED, relay.clock).envelopes


def test_a_device_below_the_purge_asks_one_member_resends_and_it_resumes_after_the_base(
    app: FastAPI, clients: list[RelayClient], clock: FrozenClock
) -> None:
    admin, member, late = clients
    team_id = new_id()
    admin.create_team(team_id)
    admin.add_member(team_id, member.device_id)
    key = TeamKey.generate()
    admin.push([sealed(admin.keys, key, team_id) for _ in range(4)])
    for device in (admin, member):
        device.pull(team_id)
        device.pull(team_id, after=4)
    assert _purge(app) == 4
    admin.add_member(team_id, late.device_id)  # joins after the purge

    problem = assert_problem(late.pull(team_id), 410)
    assert problem["purged_seq"] == 4
    assert problem["resume_from"] is None  # nobody sent the file yet
    assert not _wanted(admin, team_id)
    state = HistoryState.model_validate_json(_history(late, team_id, "request").content)
    assert state.wanted
    assert state.claimed_by is None
    assert state.resume_seq is None
    assert _wanted(admin, team_id)
    assert _wanted(member, team_id)

    # A base below the purged part would not cover the gap: refused.
    assert_problem(_history(member, team_id, "claim", base=3), 409)
    claimed = HistoryState.model_validate_json(_history(member, team_id, "claim", 4).content)
    assert claimed.claimed_by == member.device_id
    assert not _wanted(admin, team_id)  # one sender at a time
    problem = assert_problem(_history(admin, team_id, "claim", base=4), 409)
    assert problem["type"] == "urn:escap:probleme:renvoi-deja-pris"
    assert "envoie déjà" in str(problem["detail"])
    # The resend: two envelopes of the member's, then complete (by the claimer only).
    member.push([sealed(member.keys, key, team_id) for _ in range(2)])
    assert_problem(_history(admin, team_id, "complete", base=4), 409)
    done = HistoryState.model_validate_json(_history(member, team_id, "complete", 4).content)
    assert done.resume_seq == 4
    assert not done.wanted
    assert done.claimed_by is None

    problem = assert_problem(late.pull(team_id), 410)
    assert problem["resume_from"] == 4
    page = PullPage.model_validate_json(late.pull(team_id, after=4).content)
    assert [item.seq for item in page.envelopes] == [5, 6]

    # Everyone pulls past the resend; a later purge goes beyond its base: the next device
    # below it is told nothing to resume from, and asks again.
    for device in (admin, member, late):
        device.pull(team_id, after=6)
    assert _purge(app) == 2
    problem = assert_problem(late.pull(team_id), 410)
    assert problem["purged_seq"] == 6
    assert problem["resume_from"] is None


def test_a_claim_never_completed_expires_and_another_member_takes_over(
    app: FastAPI, clients: list[RelayClient], clock: FrozenClock
) -> None:
    admin, member, late = clients
    team_id = new_id()
    admin.create_team(team_id)
    for device in (member, late):
        admin.add_member(team_id, device.device_id)
    # Nobody asked: a claim is refused (nothing to send).
    problem = assert_problem(_history(member, team_id, "claim", base=0), 409)
    assert problem["type"] == "urn:escap:probleme:renvoi-inutile"
    _history(late, team_id, "request")
    assert HistoryState.model_validate_json(_history(member, team_id, "claim", 0).content)
    clock.advance(timedelta(seconds=HISTORY_CLAIM_SECONDS - 60))
    assert not _wanted(admin, team_id)
    assert_problem(_history(admin, team_id, "claim", base=0), 409)
    # The member's laptop was switched off mid-way: its claim lapses.
    clock.advance(timedelta(seconds=120))
    assert _wanted(admin, team_id)
    taken = HistoryState.model_validate_json(_history(admin, team_id, "claim", 0).content)
    assert taken.claimed_by == admin.device_id
    # The first claimer comes back: its completion no longer counts.
    assert_problem(_history(member, team_id, "complete", base=0), 409)
    assert HistoryState.model_validate_json(_history(admin, team_id, "complete", 0).content)


def test_outsiders_learn_nothing_of_a_teams_history(
    app: FastAPI, clients: list[RelayClient]
) -> None:
    admin, _member, outsider = clients
    team_id = new_id()
    admin.create_team(team_id)
    for action in ("request", "claim", "complete"):
        base = None if action == "request" else 0
        assert_problem(_history(outsider, team_id, action, base=base), 404)
    assert_problem(outsider.request("GET", f"/v1/teams/{team_id}/history"), 404)
