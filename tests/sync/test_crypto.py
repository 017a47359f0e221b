"""Records sealed for a team open only for its members, intact, once, with the right key."""

from __future__ import annotations

import logging

import pytest

from escap_desktop.core.errors import SyncError
from escap_desktop.sync.crypto import (
    CryptoError,
    DecryptionError,
    DeviceKeys,
    EnvelopeVerifier,
    MemoryReplayGuard,
    RecordTooLargeError,
    ReplayError,
    SignatureError,
    TeamKey,
    UnknownAuthorError,
    UnknownKeyVersionError,
    open_invitation,
    open_record,
    open_team_key,
    rotate_team_key,
    seal_invitation,
    seal_record,
    seal_team_key,
    sign_request,
)
from escap_desktop.sync.wire import (
    MAX_CIPHERTEXT_BYTES,
    Envelope,
    InvitationView,
    RequestAuth,
    WireFormatError,
)

TEAM = "0123456789abcdef0123456789abcdef"
PLAINTEXT = "Patiente : Marie-Thérèse DUPONT-LEFÈVRE, NIR 284057512345672".encode()


@pytest.fixture
def author() -> DeviceKeys:
    return DeviceKeys.generate()


@pytest.fixture
def team_key() -> TeamKey:
    return TeamKey.generate()


def _seal(author: DeviceKeys, team_key: TeamKey, record_id: str = "r" * 32) -> Envelope:
    return seal_record(
        team_key,
        author,
        team_id=TEAM,
        record_id=record_id,
        record_type="Patient",
        plaintext=PLAINTEXT,
    )


def test_round_trip(author: DeviceKeys, team_key: TeamKey) -> None:
    envelope = _seal(author, team_key)
    assert PLAINTEXT not in envelope.to_json()
    assert envelope.author_key_id == author.key_id
    assert open_record(envelope, {1: team_key}, author.public.signing_key) == PLAINTEXT
    again = Envelope.from_json(envelope.to_json())
    assert open_record(again, {1: team_key.key}, author.signing.verify_key) == PLAINTEXT


def test_a_flipped_byte_anywhere_is_rejected(author: DeviceKeys, team_key: TeamKey) -> None:
    """Every byte of the JSON text, flipped where the format still parses, is caught."""
    text = bytearray(_seal(author, team_key).to_json())
    checked = 0
    for index in range(len(text)):
        altered = bytearray(text)
        altered[index] ^= 0x01
        try:
            envelope = Envelope.from_json(bytes(altered))
        except WireFormatError:
            continue  # the format itself refuses it
        if envelope.to_json() == bytes(text):
            continue  # the flip fell on bits base64url does not carry: same envelope
        checked += 1
        with pytest.raises(CryptoError):
            open_record(envelope, {1: team_key, 2: team_key}, author.public.signing_key)
    assert checked > 100


def test_a_flipped_byte_in_each_field_is_rejected(author: DeviceKeys, team_key: TeamKey) -> None:
    envelope = _seal(author, team_key)
    for field in ("nonce", "ciphertext", "signature"):
        raw = bytearray(getattr(envelope, field))
        raw[len(raw) // 2] ^= 0x40
        with pytest.raises(SignatureError):
            open_record(
                envelope.model_copy(update={field: bytes(raw)}),
                {1: team_key},
                author.public.signing_key,
            )
    with pytest.raises(SignatureError):
        open_record(
            envelope.model_copy(update={"record_id": "s" * 32}),
            {1: team_key},
            author.public.signing_key,
        )


def test_a_forged_author_is_rejected(author: DeviceKeys, team_key: TeamKey) -> None:
    forger = DeviceKeys.generate()
    forged = _seal(forger, team_key).model_copy(update={"author_key_id": author.key_id})
    with pytest.raises(SignatureError):
        open_record(forged, {1: team_key}, author.public.signing_key)
    with pytest.raises(UnknownAuthorError):
        open_record(_seal(forger, team_key), {1: team_key}, author.public.signing_key)


def test_unknown_key_version_and_wrong_key(author: DeviceKeys, team_key: TeamKey) -> None:
    envelope = _seal(author, team_key)
    with pytest.raises(UnknownKeyVersionError):
        open_record(envelope, {2: team_key.next()}, author.public.signing_key)
    with pytest.raises(DecryptionError):
        open_record(envelope, {1: TeamKey.generate()}, author.public.signing_key)
    assert issubclass(CryptoError, SyncError)


def test_oversized_record_is_refused_before_sealing(author: DeviceKeys, team_key: TeamKey) -> None:
    with pytest.raises(RecordTooLargeError):
        seal_record(
            team_key,
            author,
            team_id=TEAM,
            record_id="r" * 32,
            record_type="Patient",
            plaintext=bytes(MAX_CIPHERTEXT_BYTES),
        )


def test_verifier_rejects_replays_and_non_members_and_logs_without_content(
    author: DeviceKeys, team_key: TeamKey, caplog: pytest.LogCaptureFixture
) -> None:
    guard = MemoryReplayGuard()
    members = {author.key_id: author.public.signing_key}
    verifier = EnvelopeVerifier(
        member_key=lambda team_id, key_id: members.get(key_id) if team_id == TEAM else None,
        team_keys=lambda team_id: {1: team_key},
        replay_guard=guard,
    )
    envelope = _seal(author, team_key)
    opened = verifier.open(envelope)
    assert opened.plaintext == PLAINTEXT
    verifier.mark_applied(opened)
    assert guard.applied[(TEAM, envelope.record_id)] == envelope.digest()

    caplog.set_level(logging.WARNING)
    with pytest.raises(ReplayError):
        verifier.open(envelope)
    outsider = DeviceKeys.generate()
    with pytest.raises(UnknownAuthorError):
        verifier.open(_seal(outsider, team_key, record_id="t" * 32))
    assert len(caplog.records) == 2
    assert all("DUPONT" not in record.getMessage() for record in caplog.records)
    assert envelope.record_id in caplog.records[0].getMessage()


def test_team_key_sealed_to_a_member_opens_only_for_them(
    author: DeviceKeys, team_key: TeamKey
) -> None:
    member, other = DeviceKeys.generate(), DeviceKeys.generate()
    delivery = seal_team_key(team_key, team_id=TEAM, recipient=member.public, sender=author)
    assert (
        open_team_key(delivery, recipient=member, sender_verify_key=author.public.signing_key)
        == team_key
    )
    with pytest.raises(CryptoError):
        open_team_key(delivery, recipient=other, sender_verify_key=author.public.signing_key)
    with pytest.raises(SignatureError):
        open_team_key(delivery, recipient=member, sender_verify_key=other.public.signing_key)
    moved = delivery.model_copy(update={"team_id": "f" * 32})
    with pytest.raises(SignatureError):
        open_team_key(moved, recipient=member, sender_verify_key=author.public.signing_key)


def test_rotation_excludes_the_departed_member(author: DeviceKeys, team_key: TeamKey) -> None:
    staying, leaving = DeviceKeys.generate(), DeviceKeys.generate()
    new_key, deliveries = rotate_team_key(
        team_key, team_id=TEAM, remaining_members=[staying.public], sender=author
    )
    assert new_key.version == team_key.version + 1
    assert {d.recipient_id for d in deliveries} == {staying.key_id, author.key_id}
    for delivery in deliveries:
        with pytest.raises(CryptoError):
            open_team_key(delivery, recipient=leaving, sender_verify_key=author.public.signing_key)
    written_after = _seal(author, new_key)
    with pytest.raises(UnknownKeyVersionError):
        open_record(written_after, {team_key.version: team_key}, author.public.signing_key)
    staying_key = open_team_key(
        next(d for d in deliveries if d.recipient_id == staying.key_id),
        recipient=staying,
        sender_verify_key=author.public.signing_key,
    )
    assert open_record(written_after, {2: staying_key}, author.public.signing_key) == PLAINTEXT


def test_invitation_is_readable_by_the_invitee_only(author: DeviceKeys, team_key: TeamKey) -> None:
    invitee = DeviceKeys.generate()
    created = seal_invitation(
        invitation_id="i" * 32,
        team_id=TEAM,
        invitee=invitee.public,
        inviter=author,
        message=b"Rejoindre l'equipe",
        team_keys=[team_key],
    )
    view = InvitationView(
        invitation_id=created.invitation_id,
        team_id=created.team_id,
        inviter_id=author.key_id,
        invitee_id=created.invitee_id,
        payload=created.payload,
        signature=created.signature,
        status="pending",
        created_at="2025-11-25T10:00:00Z",  # type: ignore[arg-type]
    )
    assert open_invitation(view, invitee=invitee, inviter_verify_key=author.public.signing_key) == (
        b"Rejoindre l'equipe"
    )
    with pytest.raises(CryptoError):
        open_invitation(
            view, invitee=DeviceKeys.generate(), inviter_verify_key=author.public.signing_key
        )
    with pytest.raises(SignatureError):
        open_invitation(
            view.model_copy(update={"team_id": "f" * 32}),
            invitee=invitee,
            inviter_verify_key=author.public.signing_key,
        )


def test_signed_request_headers(author: DeviceKeys) -> None:
    first = sign_request(author, "POST", "/v1/envelopes", b"{}")
    second = sign_request(author, "POST", "/v1/envelopes", b"{}")
    auth = RequestAuth.from_headers(first)
    assert auth.device_id == author.key_id
    assert first["X-Escap-Nonce"] != second["X-Escap-Nonce"]
    author.public.verify_key.verify(
        auth.signing_bytes("POST", "/v1/envelopes", b"{}"), auth.signature
    )


def test_secret_bytes_round_trip(author: DeviceKeys) -> None:
    restored = DeviceKeys.from_secret_bytes(author.to_secret_bytes())
    assert restored.public == author.public
    assert len(author.fingerprint) == 39
