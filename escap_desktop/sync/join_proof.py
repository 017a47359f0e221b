"""Proof that the device answering an invitation belongs to the professional who was invited.

RPPS numbers are public, so the relay's RPPS → device list is only a hint: any device may claim
a number. The proof is the invitation's one-time code (``Membership.join_code``, 12 characters
of a 32-letter alphabet, about 60 bits), which reaches the invited professional outside the
relay — on the printed invitation letter (text and QR code) or read out on the phone — and never
travels inside the invitation itself.

The invitee's device answers with a MAC over its own public keys and the invitation id, keyed
with a key derived from the code by Argon2id (libsodium ``crypto_pwhash``, salted with the
invitation id). The inviter's device, which knows the code, recomputes it and adds the device to
the team — and seals team keys to it — only when it matches. A device that merely registered the
number first answers without the code: its MAC does not match and it receives nothing. The relay
sees the MAC but cannot turn it back into the code (each guess costs one Argon2id derivation, and
there are 2^60 codes), nor reuse it for other keys (the keys are inside the MAC).
"""

from __future__ import annotations

import hmac
import unicodedata

import nacl.encoding
import nacl.hash
import nacl.pwhash.argon2id as argon2id

from escap_desktop.core.errors import ValidationError
from escap_desktop.sync.wire import JOIN_PROOF_BYTES

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
_PERSON = b"escap-join-v1"  # BLAKE2b personalisation: at most 16 bytes
# libsodium's "interactive" limits (64 MiB, about 0.1 s): paid once per answer and per check.
_OPSLIMIT = argon2id.OPSLIMIT_INTERACTIVE
_MEMLIMIT = argon2id.MEMLIMIT_INTERACTIVE

BAD_CODE_MESSAGE = (
    "Ce code d'invitation n'est pas valide : il compte 12 caractères (lettres et chiffres, sans "
    "0, 1, I ni O), tels qu'ils figurent sur la lettre d'invitation."
)


def normalise_code(text: str) -> str:
    """The code as typed or scanned (spaces, dashes, lower case, or the whole text of the
    letter's QR code, ``ESCAP:IN:…:CODE``, accepted), or ValidationError in French."""
    code = unicodedata.normalize("NFKC", text).upper().strip()
    code = code.rsplit(":", 1)[-1]
    code = "".join(ch for ch in code if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        raise ValidationError(BAD_CODE_MESSAGE, field="join_code")
    return code


def _key(code: str, invitation_id: str) -> bytes:
    salt = nacl.hash.blake2b(
        invitation_id.encode("utf-8"),
        digest_size=argon2id.SALTBYTES,
        person=_PERSON,
        encoder=nacl.encoding.RawEncoder,
    )
    return argon2id.kdf(32, code.encode("ascii"), salt, opslimit=_OPSLIMIT, memlimit=_MEMLIMIT)


def _message(invitation_id: str, signing_key: bytes, encryption_key: bytes) -> bytes:
    return b"\x00".join(
        (b"escap-join-v1", invitation_id.encode("utf-8"), signing_key, encryption_key)
    )


def join_proof(code: str, invitation_id: str, signing_key: bytes, encryption_key: bytes) -> bytes:
    """The MAC the invitee's device sends with its acceptance."""
    return nacl.hash.blake2b(
        _message(invitation_id, signing_key, encryption_key),
        key=_key(normalise_code(code), invitation_id),
        digest_size=JOIN_PROOF_BYTES,
        encoder=nacl.encoding.RawEncoder,
    )


def proves_code(
    proof: bytes | None, code: str, invitation_id: str, signing_key: bytes, encryption_key: bytes
) -> bool:
    """Whether ``proof`` was made with ``code`` by the holder of these keys (constant time)."""
    if proof is None or not code:
        return False
    try:
        expected = join_proof(code, invitation_id, signing_key, encryption_key)
    except ValidationError:
        return False
    return hmac.compare_digest(expected, proof)
