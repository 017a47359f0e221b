"""Pushes are idempotent by record id; pulls page and resume from a cursor, team by team."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from escap_desktop.sync.crypto import (
    DeviceKeys,
    EnvelopeVerifier,
    MemoryReplayGuard,
    ReplayError,
    SignatureError,
    TeamKey,
    UnknownAuthorError,
    open_record,
)
from escap_desktop.sync.wire import PullPage
from tests.relay.client import RelayClient
from tests.relay.helpers import assert_problem, new_id, sealed


def _member_pair(relay: Callable[..., RelayClient]) -> tuple[RelayClient, RelayClient, str]:
    alice, bob = relay(), relay()
    alice.register("10101010101")
    bob.register("20202020202")
    team_id = new_id()
    assert alice.create_team(team_id).status_code == 200
    assert alice.add_member(team_id, bob.device_id).status_code == 200
    return alice, bob, team_id


def test_pushing_the_same_record_twice_is_idempotent(relay: Callable[..., RelayClient]) -> None:
    alice, _bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    first = [sealed(alice.keys, team_key, team_id) for _ in range(3)]
    response = alice.push(first)
    assert response.status_code == 200
    assert [r["seq"] for r in response.json()["results"]] == [1, 2, 3]
    assert not any(r["duplicate"] for r in response.json()["results"])

    retry = alice.push([first[1], sealed(alice.keys, team_key, team_id)])  # lost answer: retry
    assert [(r["seq"], r["duplicate"]) for r in retry.json()["results"]] == [(2, True), (4, False)]
    assert alice.pull(team_id).json()["next_cursor"] == 4


def test_same_record_id_with_other_bytes_is_a_conflict(relay: Callable[..., RelayClient]) -> None:
    alice, _bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    original = sealed(alice.keys, team_key, team_id)
    alice.push([original])
    other = sealed(alice.keys, team_key, team_id, b"autre contenu", record_id=original.record_id)
    fresh = sealed(alice.keys, team_key, team_id)
    problem = assert_problem(alice.push([fresh, other]), 409)
    assert problem["conflicts"] == [original.record_id]
    # Nothing of the rejected batch was stored.
    page = PullPage.model_validate_json(alice.pull(team_id).content)
    assert [item.envelope for item in page.envelopes] == [original]


def test_pull_pages_and_resumes_from_the_cursor(relay: Callable[..., RelayClient]) -> None:
    alice, bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    pushed = [sealed(alice.keys, team_key, team_id, f"note {i}".encode()) for i in range(7)]
    alice.push(pushed[:5])

    received = []
    cursor = 0
    pages = 0
    while True:
        page = PullPage.model_validate_json(bob.pull(team_id, after=cursor, limit=2).content)
        received += [item.envelope for item in page.envelopes]
        cursor = page.next_cursor
        pages += 1
        if not page.has_more:
            break
    assert pages == 3
    assert received == pushed[:5]

    alice.push(pushed[5:])  # later, bob resumes where he stopped
    page = PullPage.model_validate_json(bob.pull(team_id, after=cursor).content)
    assert [item.seq for item in page.envelopes] == [6, 7]
    assert [item.envelope for item in page.envelopes] == pushed[5:]
    texts = [
        open_record(item.envelope, {1: team_key}, alice.keys.public.signing_key)
        for item in page.envelopes
    ]
    assert texts == [b"note 5", b"note 6"]
    empty = PullPage.model_validate_json(bob.pull(team_id, after=page.next_cursor).content)
    assert empty.envelopes == []
    assert empty.next_cursor == 7
    assert not empty.has_more


def test_a_device_outside_the_team_sees_and_writes_nothing(
    relay: Callable[..., RelayClient],
) -> None:
    alice, _bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    alice.push([sealed(alice.keys, team_key, team_id)])
    mallory = relay()
    mallory.register()
    assert_problem(mallory.pull(team_id), 404)
    assert_problem(mallory.members(team_id), 404)
    assert mallory.teams().json() == {"teams": []}
    assert_problem(mallory.push([sealed(mallory.keys, team_key, team_id)]), 403)
    assert_problem(mallory.add_member(team_id, mallory.device_id), 403)


def test_the_relay_refuses_envelopes_not_signed_by_the_pusher(
    relay: Callable[..., RelayClient],
) -> None:
    alice, bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    # Bob forwards an envelope written by alice: a device deposits only what it signed.
    assert_problem(bob.push([sealed(alice.keys, team_key, team_id)]), 403)
    # Bob claims to be alice but signs with another key.
    forged = sealed(DeviceKeys.generate(), team_key, team_id)
    forged = forged.model_copy(update={"author_key_id": bob.device_id})
    assert_problem(bob.push([forged]), 422)
    # A flipped ciphertext byte breaks the author's signature.
    genuine = sealed(bob.keys, team_key, team_id)
    flipped = bytearray(genuine.ciphertext)
    flipped[3] ^= 0x80
    tampered = genuine.model_copy(update={"ciphertext": bytes(flipped)})
    assert_problem(bob.push([tampered]), 422)
    assert bob.push([genuine]).status_code == 200


def test_teams_list_shows_heads_for_resuming(relay: Callable[..., RelayClient]) -> None:
    alice, bob, team_id = _member_pair(relay)
    other_team = new_id()
    team_key = TeamKey.generate()
    alice.push([sealed(alice.keys, team_key, team_id), sealed(alice.keys, team_key, other_team)])
    teams = {t["team_id"]: t for t in bob.teams().json()["teams"]}
    assert list(teams) == [team_id]
    assert teams[team_id]["head_seq"] == 1
    assert teams[team_id]["admin_device_id"] == alice.device_id
    assert {t["team_id"] for t in alice.teams().json()["teams"]} == {team_id, other_team}


def test_a_client_applies_each_pulled_record_once_and_only_if_genuine(
    relay: Callable[..., RelayClient],
) -> None:
    """What the sync client will do with a page: verify, apply, remember; reject the rest."""
    alice, bob, team_id = _member_pair(relay)
    team_key = TeamKey.generate()
    alice.push([sealed(alice.keys, team_key, team_id, f"r{i}".encode()) for i in range(3)])
    members = {
        alice.device_id: alice.keys.public.signing_key,
        bob.device_id: bob.keys.public.signing_key,
    }
    guard = MemoryReplayGuard()
    verifier = EnvelopeVerifier(
        member_key=lambda _team, key_id: members.get(key_id),
        team_keys=lambda _team: {1: team_key},
        replay_guard=guard,
    )
    raw_page = bob.pull(team_id).content
    applied = []
    for item in PullPage.model_validate_json(raw_page).envelopes:
        record = verifier.open(item.envelope)
        applied.append(record.plaintext)
        verifier.mark_applied(record)
    assert applied == [b"r0", b"r1", b"r2"]

    # The same page served again (a relay replaying it, a cursor lost): nothing applies twice.
    for item in PullPage.model_validate_json(raw_page).envelopes:
        with pytest.raises(ReplayError):
            verifier.open(item.envelope)

    # A byte flipped by the relay (or on the way), and an author who is not in the team.
    fresh = sealed(alice.keys, team_key, team_id, b"r3")
    ciphertext = bytearray(fresh.ciphertext)
    ciphertext[0] ^= 0x01
    with pytest.raises(SignatureError):
        verifier.open(fresh.model_copy(update={"ciphertext": bytes(ciphertext)}))
    outsider = DeviceKeys.generate()
    with pytest.raises(UnknownAuthorError):
        verifier.open(sealed(outsider, team_key, team_id))
    forged = sealed(outsider, team_key, team_id).model_copy(
        update={"author_key_id": alice.device_id}
    )
    with pytest.raises(SignatureError):
        verifier.open(forged)
    assert verifier.open(fresh).plaintext == b"r3"
