"""End-to-end cryptography of the team exchanges, with libsodium (PyNaCl).

- Each device has two key pairs: X25519 (team keys are sealed to it) and Ed25519 (it signs
  envelopes, key deliveries, invitations and relay requests). Its id is
  :func:`~escap_desktop.sync.wire.key_id_for` of the Ed25519 public key.
- Each team (one ESCAP) has a symmetric team key of 32 random bytes, versioned. A new version is
  made and sealed to the remaining members only when someone leaves or is removed, so a former
  member cannot read what is written afterwards.
- A record is encrypted with XChaCha20-Poly1305 under the team key (the envelope header as
  associated data), then the whole envelope is signed by the author.

The relay only ever sees what this module outputs; the plaintext never leaves the device.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import nacl.bindings
import nacl.exceptions
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from escap_desktop.core.clock import SYSTEM_CLOCK
from escap_desktop.core.errors import SyncError
from escap_desktop.sync.wire import (
    FORMAT_VERSION,
    MAX_CIPHERTEXT_BYTES,
    NONCE_BYTES,
    REQUEST_NONCE_BYTES,
    Envelope,
    InvitationCreate,
    InvitationView,
    KeyDelivery,
    RequestAuth,
    b64u_encode,
    envelope_header_bytes,
    fingerprint_for,
    invitation_signing_bytes,
    key_delivery_signing_bytes,
    key_id_for,
)

logger = logging.getLogger(__name__)

TEAM_KEY_BYTES = 32
AEAD_TAG_BYTES = 16
_SEALED_KEY_TAG = b"ESCAP-TEAM-KEY-V1"


class CryptoError(SyncError):
    """A received item could not be trusted; it is logged and never applied."""


class SignatureError(CryptoError):
    """The signature does not match the content (altered in transit, or forged)."""


class UnknownAuthorError(CryptoError):
    """The author is not (or no longer) a member of the team."""


class UnknownKeyVersionError(CryptoError):
    """The record uses a team key version this device does not hold."""


class DecryptionError(CryptoError):
    """The ciphertext does not decrypt with the team key."""


class RecordTooLargeError(CryptoError):
    """The record is larger than one envelope may carry (``wire.MAX_CIPHERTEXT_BYTES``)."""


class ReplayError(CryptoError):
    """The record was already applied: a replay, or a record id reused for other content."""


# --- device keys ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PublicIdentity:
    """The public half of a device: what the relay publishes and the other members pin."""

    signing_key: bytes
    encryption_key: bytes

    def __post_init__(self) -> None:
        if len(self.signing_key) != 32 or len(self.encryption_key) != 32:
            raise CryptoError("Clé publique invalide : 32 octets attendus.")

    @property
    def key_id(self) -> str:
        return key_id_for(self.signing_key)

    @property
    def fingerprint(self) -> str:
        """See :func:`~escap_desktop.sync.wire.fingerprint_for` for the format."""
        return fingerprint_for(self.signing_key, self.encryption_key)

    @property
    def verify_key(self) -> VerifyKey:
        return VerifyKey(self.signing_key)

    @property
    def box_key(self) -> PublicKey:
        return PublicKey(self.encryption_key)


@dataclass(frozen=True, slots=True)
class DeviceKeys:
    """A device's private keys; stored only through :mod:`sync.identity_keys`, never in clear."""

    signing: SigningKey
    encryption: PrivateKey

    SECRET_BYTES = 64

    @classmethod
    def generate(cls) -> DeviceKeys:
        return cls(SigningKey.generate(), PrivateKey.generate())

    @property
    def public(self) -> PublicIdentity:
        return PublicIdentity(bytes(self.signing.verify_key), bytes(self.encryption.public_key))

    @property
    def key_id(self) -> str:
        return self.public.key_id

    @property
    def fingerprint(self) -> str:
        return self.public.fingerprint

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message).signature

    def to_secret_bytes(self) -> bytes:
        """Ed25519 seed then X25519 private key (64 bytes): only for encrypted storage."""
        return bytes(self.signing) + bytes(self.encryption)

    @classmethod
    def from_secret_bytes(cls, data: bytes) -> DeviceKeys:
        if len(data) != cls.SECRET_BYTES:
            raise CryptoError("Clés de l'appareil illisibles.")
        return cls(SigningKey(data[:32]), PrivateKey(data[32:]))


def _verify(verify_key: VerifyKey | bytes, message: bytes, signature: bytes) -> bool:
    key = verify_key if isinstance(verify_key, VerifyKey) else VerifyKey(verify_key)
    try:
        key.verify(message, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


# --- requests to the relay -----------------------------------------------------------------------


def sign_request(
    keys: DeviceKeys, method: str, target: str, body: bytes = b"", *, now: float | None = None
) -> dict[str, str]:
    """The authentication headers of one relay request (see ``wire.request_signing_bytes``).

    A fresh random nonce each time: the relay refuses a nonce it has already seen.
    """
    auth = RequestAuth(
        device_id=keys.key_id,
        timestamp=int(SYSTEM_CLOCK.timestamp() if now is None else now),
        nonce=b64u_encode(secrets.token_bytes(REQUEST_NONCE_BYTES)),
        signature=b"",
    )
    signature = keys.sign(auth.signing_bytes(method, target, body))
    return RequestAuth(auth.device_id, auth.timestamp, auth.nonce, signature).to_headers()


# --- team keys -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamKey:
    """One version of a team's symmetric key. Versions start at 1 and only grow."""

    version: int
    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != TEAM_KEY_BYTES or self.version < 1:
            raise CryptoError("Clé d'équipe invalide.")

    @classmethod
    def generate(cls, version: int = 1) -> TeamKey:
        return cls(version, secrets.token_bytes(TEAM_KEY_BYTES))

    def next(self) -> TeamKey:
        """A fresh random key, one version up (never derived from this one)."""
        return TeamKey.generate(self.version + 1)


def _sealed_key_plaintext(team_id: str, team_key: TeamKey) -> bytes:
    tid = team_id.encode("ascii")
    return _SEALED_KEY_TAG + struct.pack(">I", len(tid)) + tid + struct.pack(">I", team_key.version)


def seal_team_key(
    team_key: TeamKey, *, team_id: str, recipient: PublicIdentity, sender: DeviceKeys
) -> KeyDelivery:
    """The team key sealed to one member (anonymous SealedBox), then signed by the sender.

    The sealed text repeats team id and version, so a relay cannot pass one team's key off as
    another's; the signature tells the recipient which member sent it.
    """
    sealed = SealedBox(recipient.box_key).encrypt(
        _sealed_key_plaintext(team_id, team_key) + team_key.key
    )
    to_sign = key_delivery_signing_bytes(
        team_id=team_id,
        key_version=team_key.version,
        recipient_id=recipient.key_id,
        sender_id=sender.key_id,
        sealed_key=bytes(sealed),
    )
    return KeyDelivery(
        team_id=team_id,
        key_version=team_key.version,
        recipient_id=recipient.key_id,
        sender_id=sender.key_id,
        sealed_key=bytes(sealed),
        signature=sender.sign(to_sign),
    )


def open_team_key(
    delivery: KeyDelivery, *, recipient: DeviceKeys, sender_verify_key: VerifyKey | bytes
) -> TeamKey:
    """Checks the sender's signature, then unseals. The caller checks the sender is trusted."""
    if delivery.recipient_id != recipient.key_id:
        raise CryptoError("Cette clé d'équipe est destinée à un autre appareil.")
    if key_id_for(bytes(sender_verify_key)) != delivery.sender_id or not _verify(
        sender_verify_key, delivery.signing_bytes(), delivery.signature
    ):
        raise SignatureError("Signature invalide sur une clé d'équipe reçue.")
    try:
        opened = SealedBox(recipient.encryption).decrypt(delivery.sealed_key)
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError("Clé d'équipe reçue illisible.") from error
    probe = TeamKey(delivery.key_version, bytes(TEAM_KEY_BYTES))
    header = _sealed_key_plaintext(delivery.team_id, probe)
    if len(opened) != len(header) + TEAM_KEY_BYTES or not opened.startswith(header):
        raise DecryptionError("Clé d'équipe reçue incohérente (équipe ou version).")
    return TeamKey(delivery.key_version, opened[len(header) :])


def rotate_team_key(
    current: TeamKey,
    *,
    team_id: str,
    remaining_members: Iterable[PublicIdentity],
    sender: DeviceKeys,
) -> tuple[TeamKey, list[KeyDelivery]]:
    """A new team key version, sealed to the remaining members only (the sender included).

    Called after someone leaves or is removed: the departed member keeps the old versions (what
    they could already read) but never receives this one.
    """
    new_key = current.next()
    recipients = {member.key_id: member for member in remaining_members}
    recipients.setdefault(sender.key_id, sender.public)
    deliveries = [
        seal_team_key(new_key, team_id=team_id, recipient=member, sender=sender)
        for member in recipients.values()
    ]
    return new_key, deliveries


# --- records -------------------------------------------------------------------------------------


def seal_record(
    team_key: TeamKey,
    author: DeviceKeys,
    *,
    team_id: str,
    record_id: str,
    record_type: str,
    plaintext: bytes,
) -> Envelope:
    """Encrypts one record for the team and signs the envelope.

    ``record_id`` must be new for each record version (the relay treats a record id as
    immutable); ``record_type`` is visible to the relay, so it names a kind, never a person.
    """
    if len(plaintext) + AEAD_TAG_BYTES > MAX_CIPHERTEXT_BYTES:
        raise RecordTooLargeError(
            f"Enregistrement trop volumineux pour être partagé ({len(plaintext)} octets)."
        )
    nonce = os.urandom(NONCE_BYTES)
    author_id = author.key_id
    header = envelope_header_bytes(
        format_version=FORMAT_VERSION,
        team_id=team_id,
        record_id=record_id,
        record_type=record_type,
        author_key_id=author_id,
        key_version=team_key.version,
        nonce=nonce,
    )
    ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, header, nonce, team_key.key
    )
    # What ``Envelope.signing_bytes`` gives, from the header already built for the AEAD.
    signature = author.sign(header + _length_prefixed(ciphertext))
    return Envelope(
        format_version=FORMAT_VERSION,
        team_id=team_id,
        record_id=record_id,
        record_type=record_type,
        author_key_id=author_id,
        key_version=team_key.version,
        nonce=nonce,
        ciphertext=ciphertext,
        signature=signature,
    )


def _length_prefixed(part: bytes) -> bytes:
    """One field as ``wire`` encodes it in signed bytes: 4-byte big-endian length, then it."""
    return struct.pack(">I", len(part)) + part


@dataclass(frozen=True, slots=True)
class _SignedParts:
    """An envelope's header (the AEAD's associated data), its signed bytes and its digest,
    each built once (``Envelope.header_bytes``, ``signing_bytes`` and ``digest`` would build
    the header three times)."""

    header: bytes
    signed: bytes
    digest: bytes

    @classmethod
    def of(cls, envelope: Envelope) -> _SignedParts:
        header = envelope.header_bytes()
        signed = header + _length_prefixed(envelope.ciphertext)
        digest = hashlib.sha256(signed + _length_prefixed(envelope.signature)).digest()
        return cls(header, signed, digest)


def _check_signature(envelope: Envelope, parts: _SignedParts, verify_key: bytes) -> None:
    try:
        nacl.bindings.crypto_sign_open(envelope.signature + parts.signed, verify_key)
    except nacl.exceptions.BadSignatureError as error:
        raise SignatureError(
            "Signature invalide : l'enregistrement a été altéré ou falsifié."
        ) from error


def _decrypt(envelope: Envelope, parts: _SignedParts, team_key: bytes) -> bytes:
    try:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            envelope.ciphertext, parts.header, envelope.nonce, team_key
        )
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError("Enregistrement indéchiffrable avec la clé d'équipe.") from error


def verify_envelope(envelope: Envelope, author_verify_key: VerifyKey | bytes) -> None:
    """Raises unless the envelope is signed by the key its ``author_key_id`` names."""
    if key_id_for(bytes(author_verify_key)) != envelope.author_key_id:
        raise UnknownAuthorError("L'auteur de l'enregistrement ne correspond pas à sa clé.")
    if not _verify(author_verify_key, envelope.signing_bytes(), envelope.signature):
        raise SignatureError("Signature invalide : l'enregistrement a été altéré ou falsifié.")


def open_record(
    envelope: Envelope,
    team_keys: Mapping[int, bytes | TeamKey],
    author_verify_key: VerifyKey | bytes,
) -> bytes:
    """The plaintext of a verified envelope; the signature is checked before any decryption."""
    verify_envelope(envelope, author_verify_key)
    team_key = team_keys.get(envelope.key_version)
    if team_key is None:
        raise UnknownKeyVersionError(
            f"Version de clé d'équipe inconnue ({envelope.key_version}) : enregistrement ignoré."
        )
    key = team_key.key if isinstance(team_key, TeamKey) else team_key
    try:
        return nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
            envelope.ciphertext, envelope.header_bytes(), envelope.nonce, key
        )
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError("Enregistrement indéchiffrable avec la clé d'équipe.") from error


# --- what a client checks before applying a received record --------------------------------------


class ReplayGuard(Protocol):
    """Remembers which records were applied; the client backs it with its store.

    ``mark_applied`` is meant to run in the same transaction that applies the record, so a crash
    can never leave a record applied but not remembered (or the reverse).
    """

    def was_applied(self, team_id: str, record_id: str) -> bool: ...

    def mark_applied(self, team_id: str, record_id: str, digest: bytes) -> None: ...


class MemoryReplayGuard:
    """A :class:`ReplayGuard` in memory, for tests and tools that apply nothing durable."""

    def __init__(self) -> None:
        self.applied: dict[tuple[str, str], bytes] = {}

    def was_applied(self, team_id: str, record_id: str) -> bool:
        return (team_id, record_id) in self.applied

    def mark_applied(self, team_id: str, record_id: str, digest: bytes) -> None:
        self.applied[(team_id, record_id)] = digest


@dataclass(frozen=True, slots=True)
class OpenedRecord:
    """A received record that passed every check; apply it, then ``verifier.mark_applied``."""

    envelope: Envelope
    plaintext: bytes = field(repr=False)
    digest: bytes


MemberKeyLookup = Callable[[str, str], VerifyKey | bytes | None]
"""(team_id, author_key_id) -> the author's verify key if a member of that team, else None."""

TeamKeyLookup = Callable[[str], Mapping[int, bytes | TeamKey]]
"""team_id -> the team key versions this device holds."""


class EnvelopeVerifier:
    """Every check a client makes on a pulled envelope before applying it.

    Rejections (replay, non-member author, bad signature, unknown key version, decryption
    failure) raise a :class:`CryptoError` subclass and are logged with the team and record ids
    only, never content.
    """

    def __init__(
        self,
        *,
        member_key: MemberKeyLookup,
        team_keys: TeamKeyLookup,
        replay_guard: ReplayGuard,
        log: logging.Logger | None = None,
    ) -> None:
        self._member_key = member_key
        self._team_keys = team_keys
        self._guard = replay_guard
        self._log = log or logger

    def open(self, envelope: Envelope) -> OpenedRecord:
        try:
            if self._guard.was_applied(envelope.team_id, envelope.record_id):
                raise ReplayError("Enregistrement déjà reçu : rejeu ignoré.")
            author_key = self._member_key(envelope.team_id, envelope.author_key_id)
            if author_key is None:
                raise UnknownAuthorError(
                    "Enregistrement signé par un appareil qui n'est pas membre de l'équipe."
                )
            plaintext = open_record(envelope, self._team_keys(envelope.team_id), author_key)
        except CryptoError as error:
            self._log_rejection(envelope, error)
            raise
        return OpenedRecord(envelope, plaintext, envelope.digest())

    def open_many(self, envelopes: Sequence[Envelope]) -> list[OpenedRecord | CryptoError]:
        """:meth:`open` for each envelope of a page, in order: the opened record, or the
        :class:`CryptoError` that refused it (logged, as by :meth:`open`). The same checks in
        the same order, with each author's key, its id and each team's keys looked up once per
        page and each envelope's header built once."""
        results: list[OpenedRecord | CryptoError] = []
        authors: dict[tuple[str, str], bytes | None] = {}
        keys: dict[str, dict[int, bytes]] = {}
        for envelope in envelopes:
            try:
                results.append(self._open_one(envelope, authors, keys))
            except CryptoError as error:
                self._log_rejection(envelope, error)
                results.append(error)
        return results

    def _open_one(
        self,
        envelope: Envelope,
        authors: dict[tuple[str, str], bytes | None],
        keys: dict[str, dict[int, bytes]],
    ) -> OpenedRecord:
        team_id = envelope.team_id
        if self._guard.was_applied(team_id, envelope.record_id):
            raise ReplayError("Enregistrement déjà reçu : rejeu ignoré.")
        author = (team_id, envelope.author_key_id)
        if author not in authors:
            found = self._member_key(*author)
            # A key that is not the one its id names verifies nothing (``verify_envelope``).
            authors[author] = (
                None
                if found is None
                else bytes(found)
                if key_id_for(bytes(found)) == envelope.author_key_id
                else b""
            )
        author_key = authors[author]
        if author_key is None:
            raise UnknownAuthorError(
                "Enregistrement signé par un appareil qui n'est pas membre de l'équipe."
            )
        if not author_key:
            raise UnknownAuthorError("L'auteur de l'enregistrement ne correspond pas à sa clé.")
        if team_id not in keys:
            keys[team_id] = {
                version: key.key if isinstance(key, TeamKey) else key
                for version, key in self._team_keys(team_id).items()
            }
        parts = _SignedParts.of(envelope)
        _check_signature(envelope, parts, author_key)  # before anything else, as open_record
        team_key = keys[team_id].get(envelope.key_version)
        if team_key is None:
            raise UnknownKeyVersionError(
                f"Version de clé d'équipe inconnue ({envelope.key_version}) : "
                "enregistrement ignoré."
            )
        return OpenedRecord(envelope, _decrypt(envelope, parts, team_key), parts.digest)

    def _log_rejection(self, envelope: Envelope, error: CryptoError) -> None:
        self._log.warning(
            "Enveloppe rejetée (équipe %s, enregistrement %s, auteur %s) : %s",
            envelope.team_id,
            envelope.record_id,
            envelope.author_key_id,
            type(error).__name__,
        )

    def mark_applied(self, record: OpenedRecord) -> None:
        self._guard.mark_applied(record.envelope.team_id, record.envelope.record_id, record.digest)


# --- invitations ---------------------------------------------------------------------------------


def seal_invitation(
    *,
    invitation_id: str,
    team_id: str,
    invitee: PublicIdentity,
    inviter: DeviceKeys,
    message: bytes,
    team_keys: Iterable[TeamKey] = (),
) -> InvitationCreate:
    """An invitation the relay routes to the invitee's key but cannot read.

    ``message`` is sealed to the invitee; the team keys are sealed too, and the relay releases
    them only when the invitee accepts.
    """
    payload = bytes(SealedBox(invitee.box_key).encrypt(message))
    to_sign = invitation_signing_bytes(
        invitation_id=invitation_id,
        team_id=team_id,
        inviter_id=inviter.key_id,
        invitee_id=invitee.key_id,
        payload=payload,
    )
    return InvitationCreate(
        invitation_id=invitation_id,
        team_id=team_id,
        invitee_id=invitee.key_id,
        payload=payload,
        signature=inviter.sign(to_sign),
        team_keys=[
            seal_team_key(key, team_id=team_id, recipient=invitee, sender=inviter)
            for key in team_keys
        ],
    )


def open_invitation(
    invitation: InvitationView, *, invitee: DeviceKeys, inviter_verify_key: VerifyKey | bytes
) -> bytes:
    """The invitation's message, once the inviter's signature is checked."""
    if key_id_for(bytes(inviter_verify_key)) != invitation.inviter_id or not _verify(
        inviter_verify_key, invitation.signing_bytes(), invitation.signature
    ):
        raise SignatureError("Signature invalide sur l'invitation reçue.")
    try:
        return SealedBox(invitee.encryption).decrypt(invitation.payload)
    except nacl.exceptions.CryptoError as error:
        raise DecryptionError("Invitation illisible avec les clés de cet appareil.") from error
