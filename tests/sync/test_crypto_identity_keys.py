"""Device private keys live in the keyring, or in a passphrase-encrypted file; never in clear."""

from __future__ import annotations

import stat
from pathlib import Path

import keyring
import keyring.backends.fail
import nacl.pwhash.argon2id as argon2id
import pytest

from escap_desktop.core.errors import (
    KeyringUnavailableError,
    ValidationError,
    WrongPassphraseError,
)
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.identity_keys import KEYRING_SERVICE, KeyringDeviceKeys, PassphraseKeyFile
from tests.support.memory_keyring import MemoryKeyring


def test_keys_round_trip_through_the_keyring(memory_keyring: MemoryKeyring) -> None:
    store = KeyringDeviceKeys("store-1")
    assert store.load() is None
    keys = DeviceKeys.generate()
    store.save(keys)
    loaded = store.load()
    assert loaded is not None
    assert loaded.public == keys.public
    secret = memory_keyring.get_password(KEYRING_SERVICE, "device-keys:store-1")
    assert secret is not None
    assert secret.startswith("escap-device-keys:v1:")
    assert KeyringDeviceKeys("store-2").load() is None  # one entry per store
    store.delete()
    assert store.load() is None


def test_no_usable_keyring_raises_a_french_error() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(KeyringUnavailableError, match="phrase de passe"):
        KeyringDeviceKeys("store-1").save(DeviceKeys.generate())
    with pytest.raises(KeyringUnavailableError):
        KeyringDeviceKeys("store-1").load()


class _LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")


def test_a_locked_keyring_is_unavailable() -> None:
    keyring.set_keyring(_LockedKeyring())
    with pytest.raises(KeyringUnavailableError, match="verrouillé"):
        KeyringDeviceKeys("store-1").load()


def _file(path: Path) -> PassphraseKeyFile:
    return PassphraseKeyFile(
        path, opslimit=argon2id.OPSLIMIT_INTERACTIVE, memlimit=argon2id.MEMLIMIT_INTERACTIVE
    )


def test_passphrase_file_round_trip_and_never_in_clear(tmp_path: Path) -> None:
    keys = DeviceKeys.generate()
    path = tmp_path / "cles" / "appareil.json"
    _file(path).save(keys, "une phrase de passe")
    data = path.read_bytes()
    assert bytes(keys.signing) not in data
    assert bytes(keys.encryption) not in data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _file(path).load("une phrase de passe").public == keys.public
    # The default (moderate) cost reads the limits from the file, so any file opens.
    assert PassphraseKeyFile(path).load("une phrase de passe").public == keys.public


def test_wrong_passphrase_and_tampering(tmp_path: Path) -> None:
    path = tmp_path / "appareil.json"
    _file(path).save(DeviceKeys.generate(), "une phrase de passe")
    with pytest.raises(WrongPassphraseError):
        _file(path).load("mauvaise phrase")
    text = path.read_text()  # the salt is bound to the keys: altering it is caught
    salt_start = text.index('"salt": "') + len('"salt": "')
    flipped = "A" if text[salt_start] != "A" else "B"
    path.write_text(text[:salt_start] + flipped + text[salt_start + 1 :])
    with pytest.raises(WrongPassphraseError):
        _file(path).load("une phrase de passe")


def test_short_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as error:
        _file(tmp_path / "k.json").save(DeviceKeys.generate(), "court")
    assert error.value.field == "passphrase"
