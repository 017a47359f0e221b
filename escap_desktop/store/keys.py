"""Where the store's key comes from: the OS keyring, or a passphrase when there is none.

The store is encrypted with a random 256-bit key. In ``keyring`` mode that key lives in the
OS keyring (service ``escap-desktop``, user ``coffre-<store id>``); in ``passphrase`` mode it is
derived from the professional's passphrase with Argon2id. Either way a small JSON file beside the
store (``<store>.keyinfo.json``) says which mode applies, with the salt and KDF limits and a
check value of the key, never the key. There is no third mode: a key is never written in clear.

The check value (a keyed BLAKE2b of a constant) tells a wrong passphrase from a damaged file
before SQLCipher is even asked. It gives an attacker nothing the encrypted file does not already
give: each guess still costs one Argon2id derivation.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import json
import os
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import keyring
import keyring.backends.fail
import keyring.errors
import nacl.encoding
import nacl.hash
import nacl.pwhash
import nacl.utils
from keyring.backend import KeyringBackend

from escap_desktop.core.errors import (
    KeyringUnavailableError,
    PassphraseRequiredError,
    StoreError,
    ValidationError,
)
from escap_desktop.store.trusted_keyring import (
    NO_KEYRING_MESSAGE,
    trusted_keyring,
    untrusted_keyring,
)

KEYRING_SERVICE = "escap-desktop"
KEYINFO_SCHEMA = 1
KEY_BYTES = 32
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
# libsodium's "moderate" limits: 256 MiB and 3 passes, about 0.4 s on a 2-core machine, paid once
# per opening; slow enough to make guessing costly, fast enough not to annoy.
ARGON2_OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
ARGON2_MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
MIN_PASSPHRASE_LENGTH = 12
_KEY_CHECK_INPUT = b"escap-desktop/key-check/v1"

T = TypeVar("T")

KEYRING_LOCKED_MESSAGE = (
    "Le trousseau du système est verrouillé : déverrouillez-le (ouverture de session ou "
    "gestionnaire de mots de passe), puis réessayez."
)
KEY_MISSING_MESSAGE = (
    "La clé du coffre de données est introuvable dans le trousseau du système : "
    "le coffre ne peut pas être ouvert sur ce poste."
)
KEY_MISMATCH_MESSAGE = (
    "La clé trouvée dans le trousseau du système ne correspond pas à ce coffre de données."
)
PASSPHRASE_REQUIRED_MESSAGE = (
    "Ce coffre de données est protégé par une phrase de passe : saisissez-la pour l'ouvrir."
)
PASSPHRASE_TOO_SHORT_MESSAGE = (
    f"La phrase de passe doit contenir au moins {MIN_PASSPHRASE_LENGTH} caractères."
)
BAD_KEYINFO_MESSAGE = (
    "Le fichier de clé du coffre de données ({name}) est illisible : "
    "le coffre ne peut pas être ouvert."
)
NEWER_KEYINFO_MESSAGE = (
    "Le fichier de clé du coffre de données a été créé par une version plus récente "
    "d'ESCAP Desktop ; mettez l'application à jour."
)


class KeyringLockedError(KeyringUnavailableError):
    """The keyring exists but is locked: unlocking it, not a passphrase, is the remedy."""


class KeyMode(StrEnum):
    KEYRING = "keyring"
    PASSPHRASE = "passphrase"


@dataclass(frozen=True, slots=True)
class KdfParams:
    salt: bytes
    opslimit: int = ARGON2_OPSLIMIT
    memlimit: int = ARGON2_MEMLIMIT
    name: str = "argon2id"


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """Content of ``<store>.keyinfo.json``; ``kdf`` only in passphrase mode."""

    store_id: str
    mode: KeyMode
    key_check: str
    kdf: KdfParams | None = None

    def __repr__(self) -> str:
        return f"KeyInfo(store_id={self.store_id!r}, mode={self.mode.value!r})"


# -- keys ------------------------------------------------------------------------------------


def new_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


def derive_key_from_passphrase(
    passphrase: str,
    salt: bytes,
    *,
    opslimit: int = ARGON2_OPSLIMIT,
    memlimit: int = ARGON2_MEMLIMIT,
) -> bytes:
    """The 256-bit store key for a passphrase (Argon2id).

    The passphrase is NFC-normalised first: the same accented phrase typed on macOS and on
    Windows must give the same key.
    """
    if len(salt) != SALT_BYTES:
        raise ValueError(f"Le sel doit faire {SALT_BYTES} octets.")
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return nacl.pwhash.argon2id.kdf(KEY_BYTES, secret, salt, opslimit=opslimit, memlimit=memlimit)


def check_passphrase_strength(passphrase: str) -> None:
    if len(unicodedata.normalize("NFC", passphrase).strip()) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(PASSPHRASE_TOO_SHORT_MESSAGE, field="passphrase")


def key_check_value(key: bytes) -> str:
    digest = nacl.hash.blake2b(
        _KEY_CHECK_INPUT, digest_size=16, key=key, encoder=nacl.encoding.RawEncoder
    )
    return digest.hex()


def key_matches(key: bytes, info: KeyInfo) -> bool:
    return hmac.compare_digest(key_check_value(key), info.key_check)


# -- keyinfo file ----------------------------------------------------------------------------


def keyinfo_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + ".keyinfo.json")


def write_keyinfo(store_path: Path, info: KeyInfo) -> None:
    """Written aside then renamed, so a crash never leaves half a file."""
    content: dict[str, Any] = {
        "schema": KEYINFO_SCHEMA,
        "store_id": info.store_id,
        "mode": info.mode.value,
        "key_check": info.key_check,
    }
    if info.kdf is not None:
        content["kdf"] = {
            "name": info.kdf.name,
            "salt": base64.b64encode(info.kdf.salt).decode("ascii"),
            "opslimit": info.kdf.opslimit,
            "memlimit": info.kdf.memlimit,
        }
    target = keyinfo_path(store_path)
    partial = target.with_name(target.name + ".partiel")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(content, file, indent=2)
        file.write("\n")
    os.replace(partial, target)


def read_keyinfo(store_path: Path) -> KeyInfo | None:
    """The key information of a store, None when the file is absent."""
    path = keyinfo_path(store_path)
    bad = StoreError(BAD_KEYINFO_MESSAGE.format(name=path.name))
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise bad from None
    if not isinstance(content, dict):
        raise bad
    if isinstance(content.get("schema"), int) and content["schema"] > KEYINFO_SCHEMA:
        raise StoreError(NEWER_KEYINFO_MESSAGE)
    try:
        mode = KeyMode(content["mode"])
        kdf = None
        if mode is KeyMode.PASSPHRASE:
            raw = content["kdf"]
            if raw["name"] != "argon2id":
                raise ValueError(raw["name"])
            kdf = KdfParams(
                salt=base64.b64decode(raw["salt"], validate=True),
                opslimit=int(raw["opslimit"]),
                memlimit=int(raw["memlimit"]),
            )
        return KeyInfo(
            store_id=str(content["store_id"]),
            mode=mode,
            key_check=str(content["key_check"]),
            kdf=kdf,
        )
    except (KeyError, TypeError, ValueError, binascii.Error):
        raise bad from None


# -- OS keyring ------------------------------------------------------------------------------


def keyring_username(store_id: str) -> str:
    """Tied to the store id kept in the keyinfo file, so moving the data folder keeps the key."""
    return f"coffre-{store_id}"


def save_key_in_keyring(store_id: str, key: bytes) -> None:
    """Store the key, then read it back: some backends accept a secret and keep nothing."""
    username = keyring_username(store_id)
    _with_keyring(lambda backend: backend.set_password(KEYRING_SERVICE, username, key.hex()))
    if load_key_from_keyring(store_id) != key:
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.get_keyring().delete_password(KEYRING_SERVICE, username)
        raise KeyringUnavailableError(NO_KEYRING_MESSAGE)


def load_key_from_keyring(store_id: str) -> bytes | None:
    username = keyring_username(store_id)
    return _stored_key(
        _with_keyring(lambda backend: backend.get_password(KEYRING_SERVICE, username))
    )


def _stored_key(stored: str | None) -> bytes | None:
    """The key as a keyring entry keeps it (hex), or None for a missing or malformed entry."""
    if stored is None:
        return None
    try:
        key = bytes.fromhex(stored)
    except ValueError:
        return None
    return key if len(key) == KEY_BYTES else None


def ensure_keyring_usable() -> None:
    """Fail early (before anything is created) when there is no keyring to keep a key in."""
    _with_keyring(lambda backend: None)


class InsecureKeyringError(PassphraseRequiredError):
    """The store's key sits in a keyring that keeps it readable (an earlier version accepted
    it): the professional chooses a passphrase, the store is re-encrypted under it and the key
    is deleted from that keyring (``open_store`` with the new passphrase does all of it)."""


INSECURE_KEY_MESSAGE = (
    "La clé de ce coffre de données est gardée par « {name} », qui l'écrit dans un fichier "
    "lisible sans protection du système. Choisissez une phrase de passe : le coffre sera "
    "rechiffré avec elle et la clé effacée de ce trousseau."
)


def load_key_from_untrusted_keyring(store_id: str) -> tuple[bytes, str] | None:
    """The store key left by an earlier version in a keyring that may not keep it, with that
    backend's name; None when there is none (or the backend is trusted or absent)."""
    backend = untrusted_keyring()
    if backend is None:
        return None
    try:
        stored = backend.get_password(KEYRING_SERVICE, keyring_username(store_id))
    except keyring.errors.KeyringError:
        return None
    key = _stored_key(stored)
    return None if key is None else (key, type(backend).__name__)


def delete_from_untrusted_keyring(username: str) -> bool:
    """Deletes one leftover entry from an untrusted keyring; True when it is gone."""
    backend = untrusted_keyring()
    if backend is None:
        return False
    try:
        backend.delete_password(KEYRING_SERVICE, username)
    except keyring.errors.PasswordDeleteError:
        return True  # nothing there
    except keyring.errors.KeyringError:
        return False
    return backend.get_password(KEYRING_SERVICE, username) is None


def _with_keyring(operation: Callable[[KeyringBackend], T]) -> T:
    backend = trusted_keyring()
    try:
        return operation(backend)
    except keyring.errors.KeyringLocked:
        raise KeyringLockedError(KEYRING_LOCKED_MESSAGE) from None
    except (keyring.errors.NoKeyringError, keyring.errors.InitError):
        raise KeyringUnavailableError(NO_KEYRING_MESSAGE) from None
    except keyring.errors.KeyringError:
        raise KeyringUnavailableError(NO_KEYRING_MESSAGE) from None
