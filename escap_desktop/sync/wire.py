"""The wire format shared by the desktop client and the relay.

Both sides import this module, and the relay imports nothing else of ours, so it depends only on
the standard library and pydantic: no cryptography library (signatures are made and checked by
``sync.crypto`` on the client and by ``escap_relay.auth`` on the relay), no domain code.

Everything that is signed is signed over *canonical bytes* built here (a domain tag, then each
field length-prefixed), never over JSON, so that the JSON layout (key order, spacing) can change
without breaking any signature. In JSON every binary value is unpadded base64url.

Every model rejects unknown fields and bounds every length, so that a hostile peer cannot make
the other side allocate or store more than the limits below.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)
from pydantic import ValidationError as PydanticValidationError

FORMAT_VERSION = 1
"""Version of the envelope format; a peer refuses envelopes of any other version."""

MAX_CIPHERTEXT_BYTES = 192 * 1024
"""One record, encrypted. Records are small JSON documents; scans never travel as records."""

MAX_ENVELOPE_BYTES = 300 * 1024
"""Largest JSON text of one envelope (base64 of the maximum ciphertext, plus the header)."""

MAX_BATCH_ENVELOPES = 500
"""Most envelopes in one push request."""

MAX_PULL_LIMIT = 1000
"""Most envelopes in one pull page."""

MAX_DELIVERIES = 200
"""Most sealed team keys in one request (one per member and key version)."""

MAX_INVITATION_PAYLOAD_BYTES = 16 * 1024
"""The sealed invitation text (patient-free: it names the team's role, never the patient)."""

MAX_CLOCK_SKEW_SECONDS = 300
"""A signed request whose timestamp is further than this from the relay's clock is refused."""

NONCE_BYTES = 24
SIGNATURE_BYTES = 64
PUBLIC_KEY_BYTES = 32
REQUEST_NONCE_BYTES = 16
SEALED_TEAM_KEY_BYTES = 32 + 48 + 4 + 64 + 32  # key + SealedBox overhead + header, with margin

HEADER_DEVICE = "X-Escap-Device"
HEADER_TIMESTAMP = "X-Escap-Timestamp"
HEADER_NONCE = "X-Escap-Nonce"
HEADER_SIGNATURE = "X-Escap-Signature"

_ENVELOPE_TAG = b"ESCAP-ENVELOPE-V1"
_REQUEST_TAG = b"ESCAP-REQUEST-V1"
_KEY_DELIVERY_TAG = b"ESCAP-TEAM-KEY-DELIVERY-V1"
_INVITATION_TAG = b"ESCAP-INVITATION-V1"
_KEY_ID_PERSON = b"escap-key-id"
_FINGERPRINT_PERSON = b"escap-fingerprnt"

OPAQUE_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
KEY_ID_PATTERN = r"^[0-9a-f]{32}$"
RECORD_TYPE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$"
RPPS_PATTERN = r"^[0-9]{11}$"
_URL_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# The last character of an unpadded text of 2 (or 3) characters modulo 4 holds 2 (or 4) bits of
# data and 4 (or 2) bits a decoder ignores, which the encoder leaves at zero.
_CANONICAL_LAST = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}


class WireFormatError(ValueError):
    """Bytes or JSON that do not follow the wire format (a ValueError so pydantic reports it)."""


# --- base64url and length-prefixed encoding ------------------------------------------------------


def b64u_encode(data: bytes) -> str:
    """Unpadded base64url, the only binary encoding used in JSON."""
    return _b64u_bytes(data).decode("ascii")


def _b64u_bytes(data: bytes) -> bytes:
    """:func:`b64u_encode` as ASCII bytes, for JSON made by hand."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64u_decode(text: str) -> bytes:
    """Strict inverse of :func:`b64u_encode`: one text per byte string, no padding, no spaces.

    Every envelope carries three such fields, decoded by the relay at each push and by every
    member at each pull, so this is done in C (``binascii`` in strict mode) rather than by
    decoding and encoding again: a text is canonical when its length is not 1 modulo 4 and
    its last character carries no bits beyond the data (the bits a decoder drops)."""
    try:
        raw = text.encode("ascii")
    except (AttributeError, UnicodeEncodeError) as error:
        raise WireFormatError("invalid base64url text") from error
    remainder = len(raw) % 4
    if remainder == 1 or b"+" in raw or b"/" in raw or b"=" in raw:
        raise WireFormatError("invalid base64url text")
    try:
        data = binascii.a2b_base64(
            raw.translate(_URL_TO_STANDARD) + b"=" * (-remainder % 4), strict_mode=True
        )
    except binascii.Error as error:
        raise WireFormatError("invalid base64url text") from error
    if remainder and text[-1] not in _CANONICAL_LAST[remainder]:
        raise WireFormatError("non-canonical base64url text")
    return data


def _lp(*parts: bytes) -> bytes:
    """Each part preceded by its 4-byte big-endian length: no two field lists give one string."""
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def _u32(value: int) -> bytes:
    return struct.pack(">I", value)


def _b64_validator(min_len: int, max_len: int) -> PlainValidator:
    """Accepts base64url text (JSON) or raw bytes (Python), of a length within the bounds."""

    def validate(value: object) -> bytes:
        if isinstance(value, bytes):
            data = value
        elif isinstance(value, str):
            if len(value) > _b64_length(max_len):
                raise WireFormatError(f"longer than {max_len} bytes")
            data = b64u_decode(value)
        else:
            raise WireFormatError("expected base64url text")
        if not min_len <= len(data) <= max_len:
            raise WireFormatError(f"length must be between {min_len} and {max_len} bytes")
        return data

    return PlainValidator(validate)


def _b64_length(max_len: int) -> int:
    return (max_len * 4 + 2) // 3


def _b64_schema(max_len: int) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "format": "base64url", "maxLength": _b64_length(max_len)}
    )


_AS_B64 = PlainSerializer(b64u_encode, return_type=str)

# Binary fields: raw bytes in Python, unpadded base64url in JSON, lengths bounded.
Nonce = Annotated[
    bytes, _b64_validator(NONCE_BYTES, NONCE_BYTES), _AS_B64, _b64_schema(NONCE_BYTES)
]
Ciphertext = Annotated[
    bytes, _b64_validator(16, MAX_CIPHERTEXT_BYTES), _AS_B64, _b64_schema(MAX_CIPHERTEXT_BYTES)
]
Signature = Annotated[
    bytes,
    _b64_validator(SIGNATURE_BYTES, SIGNATURE_BYTES),
    _AS_B64,
    _b64_schema(SIGNATURE_BYTES),
]
PublicKey = Annotated[
    bytes,
    _b64_validator(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES),
    _AS_B64,
    _b64_schema(PUBLIC_KEY_BYTES),
]
SealedTeamKey = Annotated[
    bytes,
    _b64_validator(32, SEALED_TEAM_KEY_BYTES),
    _AS_B64,
    _b64_schema(SEALED_TEAM_KEY_BYTES),
]
JOIN_PROOF_BYTES = 32
JoinProof = Annotated[
    bytes,
    _b64_validator(JOIN_PROOF_BYTES, JOIN_PROOF_BYTES),
    _AS_B64,
    _b64_schema(JOIN_PROOF_BYTES),
]
"""The invitee's proof that it holds the invitation's one-time code (``sync/join_proof.py``)."""
InvitationPayload = Annotated[
    bytes,
    _b64_validator(1, MAX_INVITATION_PAYLOAD_BYTES),
    _AS_B64,
    _b64_schema(MAX_INVITATION_PAYLOAD_BYTES),
]

OpaqueId = Annotated[str, Field(pattern=OPAQUE_ID_PATTERN)]
KeyId = Annotated[str, Field(pattern=KEY_ID_PATTERN)]
RecordType = Annotated[str, Field(pattern=RECORD_TYPE_PATTERN)]
Rpps = Annotated[str, Field(pattern=RPPS_PATTERN)]
KeyVersion = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]
SeqNumber = Annotated[StrictInt, Field(ge=0, le=2**62)]


class WireModel(BaseModel):
    """Frozen, and strict about unknown fields: a typo or an injected field is an error."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- identities ----------------------------------------------------------------------------------


def key_id_for(signing_public_key: bytes) -> str:
    """The id of a device: BLAKE2b-128 of its Ed25519 public key, as 32 lowercase hex digits.

    Derived from the key, it cannot be claimed by another key; it is also the device id on the
    relay and the ``author_key_id`` of the envelopes the device writes.
    """
    return hashlib.blake2b(signing_public_key, digest_size=16, person=_KEY_ID_PERSON).hexdigest()


def fingerprint_for(signing_public_key: bytes, encryption_public_key: bytes) -> str:
    """What two professionals read to each other by phone to check they hold the same keys.

    Format: BLAKE2b-160 over both public keys (length-prefixed), in RFC 4648 base32 (letters
    A-Z and digits 2-7, so no 0/O or 1/I confusion), as 8 groups of 4 characters separated by
    spaces, e.g. ``"K7QF 2M4X ZB3D 9..."``. The same text is printed on invitations.
    """
    digest = hashlib.blake2b(
        _lp(signing_public_key, encryption_public_key),
        digest_size=20,
        person=_FINGERPRINT_PERSON,
    ).digest()
    text = base64.b32encode(digest).decode("ascii")
    return " ".join(text[i : i + 4] for i in range(0, 32, 4))


# --- envelopes -----------------------------------------------------------------------------------


def envelope_header_bytes(
    *,
    format_version: int,
    team_id: str,
    record_id: str,
    record_type: str,
    author_key_id: str,
    key_version: int,
    nonce: bytes,
) -> bytes:
    """The envelope's header, canonical: the AEAD's associated data and the start of what is signed.

    Binding the header into the AEAD means that moving a ciphertext to another team, record or
    key version makes decryption fail even before the signature is checked.
    """
    return _ENVELOPE_TAG + _lp(
        _u32(format_version),
        team_id.encode("ascii"),
        record_id.encode("ascii"),
        record_type.encode("ascii"),
        author_key_id.encode("ascii"),
        _u32(key_version),
        nonce,
    )


class Envelope(WireModel):
    """One encrypted, signed record as it travels between devices through the relay.

    ``team_id`` is the ESCAP's random opaque id (never derived from the patient). ``record_id``
    names one immutable record version: pushing it again is idempotent, so a changed entity
    travels under a new record id. ``author_key_id`` is the author's device id (see
    :func:`key_id_for`); ``key_version`` the team key version used to encrypt.
    """

    format_version: Annotated[StrictInt, Field(ge=FORMAT_VERSION, le=FORMAT_VERSION)] = (
        FORMAT_VERSION
    )
    team_id: OpaqueId
    record_id: OpaqueId
    record_type: RecordType
    author_key_id: KeyId
    key_version: KeyVersion
    nonce: Nonce
    ciphertext: Ciphertext
    signature: Signature

    def header_bytes(self) -> bytes:
        return envelope_header_bytes(
            format_version=self.format_version,
            team_id=self.team_id,
            record_id=self.record_id,
            record_type=self.record_type,
            author_key_id=self.author_key_id,
            key_version=self.key_version,
            nonce=self.nonce,
        )

    def signing_bytes(self) -> bytes:
        """Every field but the signature, canonical: what the author's Ed25519 key signs."""
        return self.header_bytes() + _lp(self.ciphertext)

    def digest(self) -> bytes:
        """SHA-256 of the whole envelope (signature included), for idempotency and replay checks."""
        return hashlib.sha256(self.signing_bytes() + _lp(self.signature)).digest()

    def to_json(self) -> bytes:
        """``model_dump_json()``, byte for byte, made without pydantic's serializer: the push
        writes it for every record it seals and the relay for every record it stores. The
        text fields were checked against their patterns (plain ASCII, nothing to escape) when
        the model was built, and pydantic's JSON has no spaces, in the fields' order."""
        return (
            b'{"format_version":%d,"team_id":"%s","record_id":"%s","record_type":"%s",'
            b'"author_key_id":"%s","key_version":%d,"nonce":"%s","ciphertext":"%s",'
            b'"signature":"%s"}'
            % (
                self.format_version,
                self.team_id.encode("ascii"),
                self.record_id.encode("ascii"),
                self.record_type.encode("ascii"),
                self.author_key_id.encode("ascii"),
                self.key_version,
                _b64u_bytes(self.nonce),
                _b64u_bytes(self.ciphertext),
                _b64u_bytes(self.signature),
            )
        )

    @classmethod
    def from_json(cls, data: bytes | str) -> Envelope:
        """Parses one envelope, refusing oversized text, unknown fields and bad lengths."""
        if len(data) > MAX_ENVELOPE_BYTES:
            raise WireFormatError(f"envelope larger than {MAX_ENVELOPE_BYTES} bytes")
        try:
            return cls.model_validate_json(data)
        except PydanticValidationError as error:
            raise WireFormatError(f"invalid envelope: {error.error_count()} error(s)") from error

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Envelope:
        try:
            return cls.model_validate(dict(data))
        except PydanticValidationError as error:
            raise WireFormatError(f"invalid envelope: {error.error_count()} error(s)") from error


# --- signed requests -----------------------------------------------------------------------------


def request_signing_bytes(
    *, method: str, target: str, device_id: str, timestamp: int, nonce: str, body: bytes
) -> bytes:
    """What a device signs for one HTTP request: method, path with query, who, when, body hash.

    ``target`` is the path plus ``?query`` exactly as sent. The body enters by its SHA-256 so
    that the relay can check a large body without copying it.
    """
    return _REQUEST_TAG + _lp(
        method.upper().encode("ascii"),
        target.encode("utf-8"),
        device_id.encode("ascii"),
        str(timestamp).encode("ascii"),
        nonce.encode("ascii"),
        hashlib.sha256(body).digest(),
    )


@dataclass(frozen=True, slots=True)
class RequestAuth:
    """The four authentication headers of a signed request."""

    device_id: str
    timestamp: int
    nonce: str
    signature: bytes

    def to_headers(self) -> dict[str, str]:
        return {
            HEADER_DEVICE: self.device_id,
            HEADER_TIMESTAMP: str(self.timestamp),
            HEADER_NONCE: self.nonce,
            HEADER_SIGNATURE: b64u_encode(self.signature),
        }

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RequestAuth:
        """Reads the headers (case-insensitive mapping), raising WireFormatError when malformed."""
        device_id = headers.get(HEADER_DEVICE)
        timestamp = headers.get(HEADER_TIMESTAMP)
        nonce = headers.get(HEADER_NONCE)
        signature = headers.get(HEADER_SIGNATURE)
        if device_id is None or timestamp is None or nonce is None or signature is None:
            raise WireFormatError("missing authentication header")
        if not re.match(KEY_ID_PATTERN, device_id):
            raise WireFormatError("malformed device id")
        if not re.match(r"^[0-9]{1,12}$", timestamp):
            raise WireFormatError("malformed timestamp")
        if len(nonce) > 32 or len(b64u_decode(nonce)) != REQUEST_NONCE_BYTES:
            raise WireFormatError("malformed nonce")
        if len(signature) > 90:
            raise WireFormatError("malformed signature")
        raw_signature = b64u_decode(signature)
        if len(raw_signature) != SIGNATURE_BYTES:
            raise WireFormatError("malformed signature")
        return cls(device_id, int(timestamp), nonce, raw_signature)

    def signing_bytes(self, method: str, target: str, body: bytes) -> bytes:
        return request_signing_bytes(
            method=method,
            target=target,
            device_id=self.device_id,
            timestamp=self.timestamp,
            nonce=self.nonce,
            body=body,
        )


# --- devices -------------------------------------------------------------------------------------


class DeviceRegistration(WireModel):
    """Body of ``POST /v1/devices``; the request is signed by the very key it registers.

    ``rpps`` is optional because social and medico-social actors have none.
    """

    signing_key: PublicKey
    encryption_key: PublicKey
    rpps: Rpps | None = None


class DeviceInfo(WireModel):
    """A device's public identity as the relay publishes it."""

    device_id: KeyId
    signing_key: PublicKey
    encryption_key: PublicKey
    fingerprint: str
    rpps: Rpps | None = None
    registered_at: datetime


# --- push and pull -------------------------------------------------------------------------------


class PushRequest(WireModel):
    """Body of ``POST /v1/envelopes``: envelopes of any teams the device belongs to."""

    envelopes: list[Envelope] = Field(min_length=1, max_length=MAX_BATCH_ENVELOPES)


class PushResult(WireModel):
    """Where one pushed envelope landed; ``duplicate`` when it had already been received."""

    team_id: OpaqueId
    record_id: OpaqueId
    seq: SeqNumber
    duplicate: StrictBool


class PushResponse(WireModel):
    results: list[PushResult]


class PulledEnvelope(WireModel):
    seq: SeqNumber
    envelope: Envelope


class PullPage(WireModel):
    """One page of ``GET /v1/teams/{team_id}/envelopes?after=N&limit=M``.

    ``next_cursor`` is the ``after`` of the next call (store it once the page is applied);
    ``has_more`` says whether to call again now.
    """

    team_id: OpaqueId
    envelopes: list[PulledEnvelope]
    next_cursor: SeqNumber
    has_more: StrictBool


# --- teams ---------------------------------------------------------------------------------------


class TeamSummary(WireModel):
    """A team the device belongs to; ``head_seq`` is the last sequence number in it.

    ``history_wanted``: a member device lost part of the team's history to the relay's
    retention (a 410 on its pull) and asked for the team's file again; a member device able to
    send it claims the resend (``POST /v1/teams/{team_id}/history/claim``).
    """

    team_id: OpaqueId
    admin_device_id: KeyId
    is_admin: StrictBool
    head_seq: SeqNumber
    history_wanted: StrictBool = False


class HistoryClaim(WireModel):
    """A member device sends the team's file again: its state once it had stored every
    envelope up to ``base_seq``; a device below the purged part then resumes after it."""

    base_seq: SeqNumber


class HistoryState(WireModel):
    """Where a team's history resend stands (``/v1/teams/{team_id}/history``).

    ``resume_seq``: the base of the last resend completed, still valid (at or above
    ``purged_seq``) — a device whose cursor is below the purged part resumes after it; None when
    no valid resend exists. ``wanted``: a resend was asked for and not completed;
    ``claimed_by``: the device sending it (its claim expires if it never completes).
    """

    team_id: OpaqueId
    purged_seq: SeqNumber
    resume_seq: SeqNumber | None
    wanted: StrictBool
    claimed_by: KeyId | None


class TeamList(WireModel):
    teams: list[TeamSummary]


class MemberAdd(WireModel):
    device_id: KeyId


class TeamMember(WireModel):
    device: DeviceInfo
    is_admin: StrictBool
    added_at: datetime


class MemberList(WireModel):
    team_id: OpaqueId
    members: list[TeamMember]


# --- sealed team keys ----------------------------------------------------------------------------


def key_delivery_signing_bytes(
    *, team_id: str, key_version: int, recipient_id: str, sender_id: str, sealed_key: bytes
) -> bytes:
    """What the sender signs, so a recipient can tell a team key came from a member it trusts."""
    return _KEY_DELIVERY_TAG + _lp(
        team_id.encode("ascii"),
        _u32(key_version),
        recipient_id.encode("ascii"),
        sender_id.encode("ascii"),
        sealed_key,
    )


class KeyDelivery(WireModel):
    """One team key version, sealed to one member's X25519 key and signed by its sender."""

    team_id: OpaqueId
    key_version: KeyVersion
    recipient_id: KeyId
    sender_id: KeyId
    sealed_key: SealedTeamKey
    signature: Signature

    def signing_bytes(self) -> bytes:
        return key_delivery_signing_bytes(
            team_id=self.team_id,
            key_version=self.key_version,
            recipient_id=self.recipient_id,
            sender_id=self.sender_id,
            sealed_key=self.sealed_key,
        )


class KeyDeliveryBatch(WireModel):
    """Body of ``POST /v1/teams/{team_id}/keys``."""

    deliveries: list[KeyDelivery] = Field(min_length=1, max_length=MAX_DELIVERIES)


class KeyDeliveryReceipt(WireModel):
    """How many of the delivered keys were new (re-sent identical keys are not counted)."""

    stored: StrictInt


class KeyVersionClaim(WireModel):
    """The new key versions an administrator's device is about to deliver, claimed first
    (``POST /v1/teams/{team_id}/key-versions``): of two administrators renewing the keys at
    the same moment, the first claim wins and the other's client drops its own keys."""

    versions: Annotated[list[KeyVersion], Field(min_length=1, max_length=8)]


class DeliveredKey(WireModel):
    id: SeqNumber
    delivery: KeyDelivery


class DeliveredKeyList(WireModel):
    """Answer of ``GET /v1/keys?after=N``: the keys sealed to the calling device."""

    keys: list[DeliveredKey]
    next_cursor: SeqNumber


# --- invitations ---------------------------------------------------------------------------------


def invitation_signing_bytes(
    *, invitation_id: str, team_id: str, inviter_id: str, invitee_id: str, payload: bytes
) -> bytes:
    return _INVITATION_TAG + _lp(
        invitation_id.encode("ascii"),
        team_id.encode("ascii"),
        inviter_id.encode("ascii"),
        invitee_id.encode("ascii"),
        payload,
    )


class InvitationCreate(WireModel):
    """Body of ``POST /v1/invitations``, sent by a member of the team.

    ``payload`` is sealed to the invitee (what the invitation says); ``team_keys`` are the team
    keys sealed to the invitee, which the relay withholds until the invitee accepts.
    """

    invitation_id: OpaqueId
    team_id: OpaqueId
    invitee_id: KeyId
    payload: InvitationPayload
    signature: Signature
    team_keys: list[KeyDelivery] = Field(default_factory=list, max_length=MAX_DELIVERIES)


InvitationStatus = Literal["pending", "accepted", "declined"]


class InvitationView(WireModel):
    """``proof`` is what the invitee answered with (the inviter's device checks it before
    anything is shared); ``confirmed_at`` when the inviter added the invitee to the team."""

    invitation_id: OpaqueId
    team_id: OpaqueId
    inviter_id: KeyId
    invitee_id: KeyId
    payload: InvitationPayload
    signature: Signature
    status: InvitationStatus
    created_at: datetime
    answered_at: datetime | None = None
    proof: JoinProof | None = None
    confirmed_at: datetime | None = None

    def signing_bytes(self) -> bytes:
        return invitation_signing_bytes(
            invitation_id=self.invitation_id,
            team_id=self.team_id,
            inviter_id=self.inviter_id,
            invitee_id=self.invitee_id,
            payload=self.payload,
        )


class InvitationList(WireModel):
    invitations: list[InvitationView]


class InvitationAnswer(WireModel):
    """Body of ``POST /v1/invitations/{invitation_id}/answer``; an acceptance carries the proof
    that this device holds the invitation's one-time code."""

    accept: StrictBool
    proof: JoinProof | None = None


class DeviceList(WireModel):
    """The devices registered for one RPPS number: a hint for discovery, never a binding (any
    device may say it is that professional; only the invitation's code proves it)."""

    devices: list[DeviceInfo]


class InvitationAnswerResult(WireModel):
    """The answered invitation and, on acceptance, the team keys it released."""

    invitation: InvitationView
    team_keys: list[KeyDelivery]


# --- errors --------------------------------------------------------------------------------------

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """An RFC 9457 problem document; ``title`` and ``detail`` are French, for the user.

    Not frozen/forbidding: problem documents may carry extension members (``errors``,
    ``conflicts``...), which a client must tolerate.
    """

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""


# --- identity proof carried by a registration (Pro Santé Connect) --------------------------------

PSC_HEADER = "X-Pro-Sante-Connect"
"""The registration header that carries a Pro Santé Connect ID token to the relay."""


class IdentityTokenError(WireFormatError):
    """An ID token that does not prove what it should (a French sentence)."""


def rpps_of(claims: Mapping[str, Any]) -> str | None:
    """The 11-digit RPPS number of a PSC token's claims, or None."""
    for name in ("SubjectNameID", "preferred_username"):
        value = claims.get(name)
        if not isinstance(value, str):
            continue
        digits = value.strip()
        if len(digits) == 12 and digits.startswith("8"):
            digits = digits[1:]  # IDNPS: "8" + RPPS
        if len(digits) == 11 and digits.isdigit():
            return digits
    return None


def device_nonce(device_id: str) -> str:
    return f"{device_id}.{secrets.token_urlsafe(16)}"


def nonce_device(nonce: object) -> str | None:
    """The device key id a nonce made by :func:`device_nonce` names."""
    if not isinstance(nonce, str) or "." not in nonce:
        return None
    return nonce.split(".", 1)[0]


class _IgnoreIssuedAt(jwt.JWTClaimsRegistry):
    """The provider's clock and ours may differ: ``exp`` bounds the token; ``iat`` only informs."""

    def validate_iat(self, value: object) -> None:
        return None


def check_id_token(
    id_token: str,
    *,
    issuer: str,
    audience: str,
    keys: KeySet,
    now: int,
    nonce: str | None = None,
) -> dict[str, Any]:
    """The token's claims once its signature, issuer, audience and expiry hold (and its nonce,
    when given); IdentityTokenError otherwise. Shared by the app and the relay."""
    try:
        token = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256"])
        registry = _IgnoreIssuedAt(
            now=now,
            leeway=60,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as error:
        raise IdentityTokenError(
            f"Le jeton de Pro Santé Connect est invalide ({type(error).__name__})."
        ) from error
    claims = dict(token.claims)
    if nonce is not None and claims.get("nonce") != nonce:
        raise IdentityTokenError("Le jeton de Pro Santé Connect ne répond pas à cette demande.")
    return claims
