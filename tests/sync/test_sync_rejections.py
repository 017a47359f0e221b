"""A client refuses, logs and never applies: altered bytes, replays, forged authors."""

from __future__ import annotations

import logging

import pytest

from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record
from escap_desktop.sync.wire import Envelope
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import Member, active_team, relay_envelopes

LOGGER = "escap_desktop.sync.page"


def _last_message_envelope(relay: Relay, team_id: str) -> Envelope:
    return [e for e in relay_envelopes(relay.app, team_id) if e.record_type == "Message"][-1]


def _apply(member: Member, team_id: str, envelope: Envelope) -> int:
    """Feeds one envelope through the member's pull path; returns how many were rejected."""
    with member.sync.session() as engine:
        return engine.apply_envelopes(team_id, [envelope]).rejected


def _rejections(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage() for r in caplog.records if r.name == LOGGER and "rejetée" in r.getMessage()
    ]


def test_flipped_byte_replay_and_forged_author_are_refused_and_logged(
    sqlite_members: MemberFactory, sqlite_relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger=LOGGER)
    gp, nurse, _physio, escap = active_team(sqlite_members)
    team_id = escap.team_id
    gp.practice.messages.post(escap.id, "Résultats de la prise de sang.")
    gp.cycle()
    genuine = _last_message_envelope(sqlite_relay, team_id)

    # One byte of the ciphertext flipped in transit.
    tampered = bytearray(genuine.ciphertext)
    tampered[10] ^= 0x01
    flipped = genuine.model_copy(update={"ciphertext": bytes(tampered)})
    assert _apply(nurse, team_id, flipped) == 1
    assert nurse.practice.messages.thread(escap.id) == []
    assert f"enregistrement {genuine.record_id}" in _rejections(caplog)[-1]
    assert _rejections(caplog)[-1].endswith("SignatureError")

    # The genuine envelope arrives by the normal pull, once.
    nurse.cycle()
    assert len(nurse.practice.messages.thread(escap.id)) == 1

    # The same envelope again (a replay): refused, nothing applied twice.
    with nurse.practice.store.unit_of_work(nurse.me.id) as uow:
        audit_before = len(uow.audit_entries(escap.patient_id))
    assert _apply(nurse, team_id, genuine) == 1
    assert _rejections(caplog)[-1].endswith("ReplayError")
    assert len(nurse.practice.messages.thread(escap.id)) == 1
    with nurse.practice.store.unit_of_work(nurse.me.id) as uow:
        assert len(uow.audit_entries(escap.patient_id)) == audit_before

    # A device outside the team, holding the team key (a leak), writes as itself...
    key_v1 = TeamKey(1, nurse.repo_call(lambda repo: repo.team_keys(team_id))[1])
    outsider = DeviceKeys.generate()
    forged = seal_record(
        key_v1,
        outsider,
        team_id=team_id,
        record_id="f" * 32,
        record_type="Message",
        plaintext=b'{"format": 1}',
    )
    assert _apply(nurse, team_id, forged) == 1
    assert _rejections(caplog)[-1].endswith("UnknownAuthorError")
    # ... or claims to be the GP's device.
    impostor = forged.model_copy(update={"author_key_id": genuine.author_key_id})
    assert _apply(nurse, team_id, impostor) == 1
    assert _rejections(caplog)[-1].endswith("SignatureError")
    assert len(nurse.practice.messages.thread(escap.id)) == 1
    # The log names ids only, never content.
    assert all("prise de sang" not in message for message in _rejections(caplog))


def test_the_same_envelope_twice_in_one_page_is_applied_once(
    sqlite_members: MemberFactory, sqlite_relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    """A page is opened whole before it is merged: a copy within the page is still a replay."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    gp, nurse, _physio, escap = active_team(sqlite_members)
    gp.practice.messages.post(escap.id, "Passage prévu jeudi.")
    gp.cycle()
    genuine = _last_message_envelope(sqlite_relay, escap.team_id)
    with nurse.sync.session() as engine:
        report = engine.apply_envelopes(escap.team_id, [genuine, genuine])
    assert (report.received, report.rejected) == (1, 1)
    assert _rejections(caplog)[-1].endswith("enregistrement déjà reçu (rejeu)")
    assert len(nurse.practice.messages.thread(escap.id)) == 1


def test_a_record_naming_another_escap_is_refused(
    sqlite_members: MemberFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A member cannot use one team to write into another patient's episode."""
    caplog.set_level(logging.WARNING, logger=LOGGER)
    gp, nurse, _physio, escap = active_team(sqlite_members)
    team_id = escap.team_id
    with gp.sync.session() as engine:
        gp_keys = engine.ctx.keys  # the GP's own device, a genuine member
    key_v1 = TeamKey(1, gp.repo_call(lambda repo: repo.team_keys(team_id))[1])
    record = (
        b'{"clocks":{},"entity":{"author_id":"x","body":"intrus","category":"medical",'
        b'"escap_id":"' + b"e" * 32 + b'","id":"' + b"a" * 32 + b'","read_by":[],'
        b'"sent_at":"2026-11-25T10:00:00.000000+00:00"},"format":1,"hlc":[1,0,"n"],'
        b'"type":"Message"}'
    )
    envelope = seal_record(
        key_v1,
        gp_keys,
        team_id=team_id,
        record_id="b" * 32,
        record_type="Message",
        plaintext=record,
    )
    assert _apply(nurse, team_id, envelope) == 1
    assert "autre épisode" in _rejections(caplog)[-1]
