"""Where a device's private keys live: the OS keyring, or a passphrase-encrypted file.

Same rules as the store key: the keyring first; on a machine without a usable keyring (a
headless server, a locked-down session) the caller gets :class:`KeyringUnavailableError` and
asks the professional for a passphrase, which protects a key file instead. The private keys are
never written anywhere in clear.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.errors
import nacl.bindings
import nacl.exceptions
import nacl.pwhash.argon2id as argon2id

from escap_desktop.core.errors import (
    KeyringUnavailableError,
    StoreError,
    ValidationError,
    WrongPassphraseError,
)
from escap_desktop.store.trusted_keyring import NO_KEYRING_MESSAGE, refusal, untrusted_keyring
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.wire import WireFormatError, b64u_decode, b64u_encode

KEYRING_SERVICE = "escap-desktop"
_KEYRING_PREFIX = "escap-device-keys:v1:"
_FILE_FORMAT = "escap-device-keys"
_FILE_VERSION = 1
MIN_PASSPHRASE_LENGTH = 8


def keyring_username(store_id: str) -> str:
    """One keyring entry per local store, so two profiles on one computer keep their own keys."""
    return f"device-keys:{store_id}"


class KeyringDeviceKeys:
    """The device's private keys in the OS keyring (service ``escap-desktop``)."""

    def __init__(self, store_id: str, *, leftover: bool = False) -> None:
        """``leftover`` reads (and deletes) keys an earlier version wrote into a keyring that
        may not keep them (``store.trusted_keyring``), to move them out; never to save."""
        self.username = keyring_username(store_id)
        self._leftover = leftover

    def _backend(self) -> keyring.backend.KeyringBackend:
        if not self._leftover:
            return _usable_backend()
        backend = untrusted_keyring()
        if backend is None:
            raise KeyringUnavailableError("Aucune clé d'appareil à déplacer.")
        return backend

    def save(self, keys: DeviceKeys) -> None:
        if self._leftover:
            raise KeyringUnavailableError(NO_KEYRING_MESSAGE)
        backend = _usable_backend()
        try:
            backend.set_password(
                KEYRING_SERVICE,
                self.username,
                _KEYRING_PREFIX + b64u_encode(keys.to_secret_bytes()),
            )
        except keyring.errors.KeyringError as error:
            raise _unavailable(error) from error

    def load(self) -> DeviceKeys | None:
        """The stored keys, or None when this store has none yet (first start)."""
        backend = self._backend()
        try:
            secret = backend.get_password(KEYRING_SERVICE, self.username)
        except keyring.errors.KeyringError as error:
            raise _unavailable(error) from error
        if secret is None:
            return None
        if not secret.startswith(_KEYRING_PREFIX):
            raise StoreError("Les clés de cet appareil dans le trousseau sont illisibles.")
        try:
            return DeviceKeys.from_secret_bytes(b64u_decode(secret[len(_KEYRING_PREFIX) :]))
        except WireFormatError as error:
            raise StoreError(
                "Les clés de cet appareil dans le trousseau sont illisibles."
            ) from error

    def delete(self) -> None:
        backend = self._backend()
        try:
            backend.delete_password(KEYRING_SERVICE, self.username)
        except keyring.errors.PasswordDeleteError:
            return
        except keyring.errors.KeyringError as error:
            raise _unavailable(error) from error


def _usable_backend() -> keyring.backend.KeyringBackend:
    """Only a backend the OS encrypts keeps the device's private keys (allow-list)."""
    backend = keyring.get_keyring()
    if refusal(backend) is None:
        return backend
    if untrusted_keyring() is None:
        raise KeyringUnavailableError(
            "Aucun trousseau de clés n'est disponible sur cet ordinateur : "
            "choisissez une phrase de passe pour protéger les clés de l'appareil."
        )
    raise KeyringUnavailableError(
        f"Le trousseau disponible ({type(backend).__name__}) ne chiffre pas les secrets avec la "
        "protection du système : choisissez une phrase de passe pour protéger les clés de "
        "l'appareil."
    )


def _unavailable(error: Exception) -> KeyringUnavailableError:
    if isinstance(error, keyring.errors.KeyringLocked):
        return KeyringUnavailableError(
            "Le trousseau de clés est verrouillé : "
            "déverrouillez-le ou utilisez une phrase de passe."
        )
    return KeyringUnavailableError(
        "Le trousseau de clés ne répond pas : utilisez une phrase de passe pour cet appareil."
    )


class PassphraseKeyFile:
    """The device's private keys in a file, encrypted with a key derived from a passphrase.

    Argon2id (libsodium, ``MODERATE`` limits by default: about a third of a second and 256 MiB)
    derives the key; XChaCha20-Poly1305 encrypts, with the file's header (format, KDF limits,
    salt) as associated data so that none of it can be altered unnoticed. The file is written
    with mode 0600 and replaced atomically.
    """

    def __init__(
        self,
        path: Path,
        *,
        opslimit: int = argon2id.OPSLIMIT_MODERATE,
        memlimit: int = argon2id.MEMLIMIT_MODERATE,
    ) -> None:
        self.path = path
        self._opslimit = opslimit
        self._memlimit = memlimit

    def exists(self) -> bool:
        return self.path.exists()

    def save(self, keys: DeviceKeys, passphrase: str) -> None:
        if len(passphrase) < MIN_PASSPHRASE_LENGTH:
            raise ValidationError(
                f"La phrase de passe doit compter au moins {MIN_PASSPHRASE_LENGTH} caractères.",
                field="passphrase",
            )
        header = {
            "format": _FILE_FORMAT,
            "version": _FILE_VERSION,
            "kdf": "argon2id",
            "opslimit": self._opslimit,
            "memlimit": self._memlimit,
            "salt": b64u_encode(secrets.token_bytes(argon2id.SALTBYTES)),
        }
        nonce = secrets.token_bytes(24)
        ciphertext = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
            keys.to_secret_bytes(), _aad(header), nonce, _derive(passphrase, header)
        )
        document = {**header, "nonce": b64u_encode(nonce), "ciphertext": b64u_encode(ciphertext)}
        _write_private(self.path, json.dumps(document, indent=2).encode("utf-8"))

    def load(self, passphrase: str) -> DeviceKeys:
        try:
            document = json.loads(self.path.read_bytes())
            header = {
                key: document[key]
                for key in ("format", "version", "kdf", "opslimit", "memlimit", "salt")
            }
            nonce = b64u_decode(document["nonce"])
            ciphertext = b64u_decode(document["ciphertext"])
        except FileNotFoundError as error:
            raise StoreError(f"Fichier de clés introuvable : {self.path}") from error
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StoreError(f"Fichier de clés illisible : {self.path}") from error
        if header["format"] != _FILE_FORMAT or header["version"] != _FILE_VERSION:
            raise StoreError("Fichier de clés d'une version plus récente ou inconnue.")
        try:
            secret = nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
                ciphertext, _aad(header), nonce, _derive(passphrase, header)
            )
        except nacl.exceptions.CryptoError as error:
            raise WrongPassphraseError(
                "Phrase de passe incorrecte (ou fichier de clés altéré)."
            ) from error
        return DeviceKeys.from_secret_bytes(secret)


def _aad(header: dict[str, object]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _derive(passphrase: str, header: dict[str, object]) -> bytes:
    opslimit, memlimit = header["opslimit"], header["memlimit"]
    if not isinstance(opslimit, int) or not isinstance(memlimit, int):
        raise StoreError("Fichier de clés illisible.")
    try:
        return argon2id.kdf(
            32,
            passphrase.encode("utf-8"),
            b64u_decode(str(header["salt"])),
            opslimit=opslimit,
            memlimit=memlimit,
        )
    except (nacl.exceptions.CryptoError, ValueError, WireFormatError) as error:
        raise StoreError("Fichier de clés illisible.") from error


def _write_private(path: Path, data: bytes) -> None:
    """Writes a file readable by its owner only, replacing any previous one in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
