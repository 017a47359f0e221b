"""Invitations deliver the team key on acceptance; a removed member reads nothing written after."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from escap_desktop.sync.crypto import (
    DecryptionError,
    PublicIdentity,
    TeamKey,
    UnknownKeyVersionError,
    open_invitation,
    open_record,
    open_team_key,
    rotate_team_key,
    seal_invitation,
    seal_team_key,
)
from escap_desktop.sync.wire import (
    DeliveredKeyList,
    DeviceList,
    InvitationAnswerResult,
    InvitationList,
    InvitationView,
    KeyVersionClaim,
    PullPage,
)
from tests.relay.client import RelayClient
from tests.relay.helpers import assert_problem, new_id, sealed

ALICE_RPPS = "10101010101"
BOB_RPPS = "20202020202"


def _public(client: RelayClient, rpps: str) -> PublicIdentity:
    [info] = DeviceList.model_validate_json(client.lookup_rpps(rpps).content).devices
    return PublicIdentity(info.signing_key, info.encryption_key)


def test_a_confirmed_invitation_delivers_the_team_key(relay: Callable[..., RelayClient]) -> None:
    alice, bob = relay(), relay()
    alice.register(ALICE_RPPS)
    bob.register(BOB_RPPS)
    team_id = new_id()
    team_key = TeamKey.generate()
    alice.push([sealed(alice.keys, team_key, team_id, b"bilan initial")])

    bob_public = _public(alice, BOB_RPPS)
    assert bob_public.fingerprint == bob.keys.fingerprint  # what they compare by phone
    invitation = seal_invitation(
        invitation_id=new_id(),
        team_id=team_id,
        invitee=bob_public,
        inviter=alice.keys,
        message="Rejoindre l'équipe de soins (IDE)".encode(),
        team_keys=[team_key],
    )
    assert alice.invite(invitation).status_code == 201
    assert alice.invite(invitation).status_code == 200  # idempotent re-send

    # Before answering, bob is not a member and has no key.
    assert_problem(bob.pull(team_id), 404)
    assert DeliveredKeyList.model_validate_json(bob.my_keys().content).keys == []

    received = InvitationList.model_validate_json(bob.invitations().content).invitations
    assert [item.invitation_id for item in received] == [invitation.invitation_id]
    message = open_invitation(
        received[0], invitee=bob.keys, inviter_verify_key=alice.keys.public.signing_key
    )
    assert message == "Rejoindre l'équipe de soins (IDE)".encode()

    proof = bytes(range(32))  # the relay keeps it for the inviter, it cannot check it
    answer = InvitationAnswerResult.model_validate_json(
        bob.answer(invitation.invitation_id, accept=True, proof=proof).content
    )
    assert answer.invitation.status == "accepted"
    assert answer.team_keys == []  # nothing before the inviter has checked the proof
    assert_problem(bob.answer(invitation.invitation_id, accept=True), 409)
    assert_problem(bob.pull(team_id), 404)
    assert DeliveredKeyList.model_validate_json(bob.my_keys().content).keys == []
    assert_problem(bob.confirm(invitation.invitation_id), 404)  # only the inviter confirms
    sent = InvitationList.model_validate_json(alice.invitations("sent", pending=False).content)
    assert sent.invitations[0].proof == proof

    confirmed = InvitationView.model_validate_json(alice.confirm(invitation.invitation_id).content)
    assert confirmed.confirmed_at is not None
    fetched = DeliveredKeyList.model_validate_json(bob.my_keys().content)
    opened = open_team_key(
        fetched.keys[0].delivery,
        recipient=bob.keys,
        sender_verify_key=alice.keys.public.signing_key,
    )
    assert opened == team_key

    page = PullPage.model_validate_json(bob.pull(team_id).content)
    plain = open_record(page.envelopes[0].envelope, {1: opened}, alice.keys.public.signing_key)
    assert plain == b"bilan initial"
    sent = InvitationList.model_validate_json(alice.invitations("sent", pending=False).content)
    assert sent.invitations[0].status == "accepted"


def test_a_declined_invitation_delivers_nothing(relay: Callable[..., RelayClient]) -> None:
    alice, bob = relay(), relay()
    alice.register(ALICE_RPPS)
    bob.register(BOB_RPPS)
    team_id = new_id()
    alice.create_team(team_id)
    invitation = seal_invitation(
        invitation_id=new_id(),
        team_id=team_id,
        invitee=bob.keys.public,
        inviter=alice.keys,
        message=b"invitation",
        team_keys=[TeamKey.generate()],
    )
    alice.invite(invitation)
    answer = bob.answer(invitation.invitation_id, accept=False).json()
    assert answer["invitation"]["status"] == "declined"
    assert answer["team_keys"] == []
    assert bob.my_keys().json()["keys"] == []
    assert_problem(bob.pull(team_id), 404)


def test_a_removed_member_cannot_read_what_is_written_after(
    relay: Callable[..., RelayClient],
) -> None:
    alice, bob, carol = relay(), relay(), relay()
    for client, rpps in ((alice, ALICE_RPPS), (bob, BOB_RPPS), (carol, "30303030303")):
        client.register(rpps)
    team_id = new_id()
    key_v1 = TeamKey.generate()
    alice.create_team(team_id)
    for member in (bob, carol):
        alice.add_member(team_id, member.device_id)
    deliveries = [
        seal_team_key(key_v1, team_id=team_id, recipient=m.keys.public, sender=alice.keys)
        for m in (alice, bob, carol)
    ]
    assert alice.deliver_keys(team_id, deliveries).json() == {"stored": 3}
    assert alice.deliver_keys(team_id, deliveries).json() == {"stored": 0}  # retry: harmless
    alice.push([sealed(alice.keys, key_v1, team_id, b"avant le retrait")])

    # Carol is removed; alice rotates the key for the remaining members only.
    assert alice.remove_member(team_id, carol.device_id).status_code == 204
    key_v2, new_deliveries = rotate_team_key(
        key_v1,
        team_id=team_id,
        remaining_members=[bob.keys.public],
        sender=alice.keys,
    )
    assert key_v2.version == 2
    assert key_v2.key != key_v1.key
    assert {d.recipient_id for d in new_deliveries} == {alice.device_id, bob.device_id}
    alice.deliver_keys(team_id, new_deliveries)
    after = sealed(alice.keys, key_v2, team_id, b"apres le retrait")
    alice.push([after])

    # The relay no longer serves carol, and keys for her are refused.
    assert_problem(carol.pull(team_id), 404)
    stray = seal_team_key(key_v2, team_id=team_id, recipient=carol.keys.public, sender=alice.keys)
    assert_problem(alice.deliver_keys(team_id, [stray]), 409)
    carol_keys = DeliveredKeyList.model_validate_json(carol.my_keys().content).keys
    assert [k.delivery.key_version for k in carol_keys] == [1]

    # Even holding the envelope (an old copy, a leak), carol's keys do not open it.
    carol_v1 = open_team_key(
        carol_keys[0].delivery,
        recipient=carol.keys,
        sender_verify_key=alice.keys.public.signing_key,
    )
    with pytest.raises(UnknownKeyVersionError):
        open_record(after, {1: carol_v1}, alice.keys.public.signing_key)
    with pytest.raises(DecryptionError):
        open_record(after, {2: carol_v1.key}, alice.keys.public.signing_key)

    # Bob reads both, with the version each record names.
    bob_keys = {
        k.delivery.key_version: open_team_key(
            k.delivery, recipient=bob.keys, sender_verify_key=alice.keys.public.signing_key
        )
        for k in DeliveredKeyList.model_validate_json(bob.my_keys().content).keys
    }
    page = PullPage.model_validate_json(bob.pull(team_id).content)
    texts = [
        open_record(item.envelope, bob_keys, alice.keys.public.signing_key)
        for item in page.envelopes
    ]
    assert texts == [b"avant le retrait", b"apres le retrait"]


def test_only_the_admin_manages_members(relay: Callable[..., RelayClient]) -> None:
    alice, bob, carol = relay(), relay(), relay()
    for client in (alice, bob, carol):
        client.register()
    team_id = new_id()
    alice.create_team(team_id)
    alice.add_member(team_id, bob.device_id)
    assert_problem(bob.add_member(team_id, carol.device_id), 403)
    assert_problem(bob.remove_member(team_id, alice.device_id), 403)
    assert_problem(alice.remove_member(team_id, alice.device_id), 409)
    members = bob.members(team_id).json()["members"]
    assert {m["device"]["device_id"]: m["is_admin"] for m in members} == {
        alice.device_id: True,
        bob.device_id: False,
    }
    assert bob.remove_member(team_id, bob.device_id).status_code == 204  # bob leaves
    assert_problem(bob.members(team_id), 404)


def _claim(client: RelayClient, team_id: str, versions: list[int]) -> httpx.Response:
    body = KeyVersionClaim(versions=versions).model_dump_json().encode()
    return client.request("POST", f"/v1/teams/{team_id}/key-versions", json_body=body)


def _admins(client: RelayClient, team_id: str) -> set[str]:
    members = client.members(team_id).json()["members"]
    return {m["device"]["device_id"] for m in members if m["is_admin"]}


def test_administrators_name_others_and_the_last_one_stays(
    relay: Callable[..., RelayClient],
) -> None:
    alice, bob, carol = relay(), relay(), relay()
    for client in (alice, bob, carol):
        client.register()
    team_id = new_id()
    alice.create_team(team_id)
    alice.add_member(team_id, bob.device_id)
    alice.add_member(team_id, carol.device_id)
    # Bob is no administrator: his request alone names nobody (see the votes below).
    assert bob.request("PUT", f"/v1/teams/{team_id}/admins/{carol.device_id}").status_code == 200
    assert _admins(alice, team_id) == {alice.device_id}
    named = alice.request("PUT", f"/v1/teams/{team_id}/admins/{bob.device_id}")
    assert named.status_code == 200
    assert _admins(carol, team_id) == {alice.device_id, bob.device_id}
    listing = {team["team_id"]: team for team in bob.teams().json()["teams"]}
    assert listing[team_id]["is_admin"] is True
    # Either administrator acts alone: Bob removes Carol, then Alice (her laptop is lost).
    assert bob.remove_member(team_id, carol.device_id).status_code == 204
    assert bob.remove_member(team_id, alice.device_id).status_code == 204
    assert _admins(bob, team_id) == {bob.device_id}
    problem = assert_problem(bob.remove_member(team_id, bob.device_id), 409)
    assert "dernier administrateur" in str(problem["detail"])
    assert_problem(
        bob.request("PUT", f"/v1/teams/{team_id}/admins/{carol.device_id}"), 404
    )  # no longer a member


def test_two_other_members_name_an_administrator_when_none_can(
    relay: Callable[..., RelayClient],
) -> None:
    """The médecin traitant opened the ESCAP: her laptop was the only administrator, and it is
    lost. Her new computer (her RPPS) is a member; the nurse's and the physio's devices ask
    for it to be named, as their clients' rule says: two requests name it."""
    old_laptop, nurse, physio, new_pc, other = relay(), relay(), relay(), relay(), relay()
    old_laptop.register("10000000001")
    nurse.register("10000000002")
    physio.register("10000000003")
    new_pc.register("10000000001")
    other.register("10000000001")  # another device giving her number
    team_id = new_id()
    old_laptop.create_team(team_id)
    for client in (nurse, physio, new_pc, other):
        old_laptop.add_member(team_id, client.device_id)
    name_new_pc = f"/v1/teams/{team_id}/admins/{new_pc.device_id}"

    problem = assert_problem(new_pc.request("PUT", name_new_pc), 403)
    assert "lui-même" in str(problem["detail"])
    assert other.request("PUT", name_new_pc).status_code == 200  # her own number: not counted
    assert nurse.request("PUT", name_new_pc).status_code == 200
    assert nurse.request("PUT", name_new_pc).status_code == 200  # the same request again
    assert _admins(nurse, team_id) == {old_laptop.device_id}
    # A request from a device removed since does not count either.
    assert physio.request("PUT", f"/v1/teams/{team_id}/admins/{other.device_id}").status_code == 200
    old_laptop.remove_member(team_id, physio.device_id)
    assert nurse.request("PUT", f"/v1/teams/{team_id}/admins/{other.device_id}").status_code == 200
    assert _admins(nurse, team_id) == {old_laptop.device_id}

    old_laptop.add_member(team_id, physio.device_id)
    named = physio.request("PUT", name_new_pc)
    assert named.status_code == 200
    assert {m["device"]["device_id"] for m in named.json()["members"] if m["is_admin"]} == {
        old_laptop.device_id,
        new_pc.device_id,
    }
    # Now an administrator: the new computer removes the lost laptop, and the team goes on.
    assert new_pc.remove_member(team_id, old_laptop.device_id).status_code == 204
    assert _admins(nurse, team_id) == {new_pc.device_id}


def test_the_first_administrator_to_claim_new_key_versions_wins(
    relay: Callable[..., RelayClient],
) -> None:
    alice, bob, carol = relay(), relay(), relay()
    for client in (alice, bob, carol):
        client.register()
    team_id = new_id()
    alice.create_team(team_id)
    for client in (bob, carol):
        alice.add_member(team_id, client.device_id)
    alice.request("PUT", f"/v1/teams/{team_id}/admins/{bob.device_id}")
    assert _claim(alice, team_id, [4, 5, 6]).status_code == 200
    assert _claim(alice, team_id, [4, 5, 6]).status_code == 200  # her retry: harmless
    problem = assert_problem(_claim(bob, team_id, [4, 5, 6]), 409)
    assert problem["type"] == "urn:escap:probleme:version-attribuee"
    assert problem["versions"] == [4, 5, 6]
    assert _claim(bob, team_id, [7, 8, 9]).status_code == 200
    assert_problem(_claim(carol, team_id, [10, 11, 12]), 403)  # not an administrator
    empty = alice.request(
        "POST", f"/v1/teams/{team_id}/key-versions", json_body=b'{"versions": []}'
    )
    assert_problem(empty, 422)
