"""Keys: in the OS keyring when there is one, from a passphrase otherwise, never in clear."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from escap_desktop.core.entities import Patient
from escap_desktop.core.errors import (
    KeyringUnavailableError,
    StoreError,
    ValidationError,
    WrongPassphraseError,
)
from escap_desktop.store import (
    KeyMode,
    KeyringLockedError,
    PassphraseRequiredError,
    derive_key_from_passphrase,
    open_store,
    store_exists,
    store_key_mode,
    store_path,
)
from escap_desktop.store.keys import KEYRING_SERVICE, keyinfo_path
from escap_desktop.store.trusted_keyring import trust_backend
from tests.store import samples
from tests.store.conftest import ACTOR

PASSPHRASE = "cheval correct agrafe batterie"


class LockedKeyring(KeyringBackend):
    """A keyring that exists but refuses every access, as a locked one does."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("locked")


trust_backend(LockedKeyring)  # an OS keyring that is locked, as a double


def _keyinfo(data_dir: Path) -> dict[str, object]:
    return json.loads(keyinfo_path(store_path(data_dir)).read_text(encoding="utf-8"))


def test_first_run_creates_a_key_in_the_keyring(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    assert not store_exists(data_dir)
    with open_store(data_dir) as store, store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())

    info = _keyinfo(data_dir)
    assert info["mode"] == "keyring"
    assert info["schema"] == 1
    stored = keyring.get_password(KEYRING_SERVICE, f"coffre-{info['store_id']}")
    assert stored is not None
    assert len(bytes.fromhex(stored)) == 32
    assert stored not in json.dumps(info)
    assert store_exists(data_dir)
    assert store_key_mode(data_dir) is KeyMode.KEYRING

    with open_store(data_dir) as store, store.unit_of_work(ACTOR) as uow:
        assert len(uow.find(Patient)) == 1


def test_without_keyring_the_caller_is_asked_for_a_passphrase(tmp_path: Path) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    data_dir = tmp_path / "données"

    with pytest.raises(KeyringUnavailableError) as raised:
        open_store(data_dir)
    assert "phrase de passe" in str(raised.value)
    assert not store_exists(data_dir)

    with open_store(data_dir, PASSPHRASE) as store, store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
    info = _keyinfo(data_dir)
    assert info["mode"] == "passphrase"
    assert set(info["kdf"]) == {"name", "salt", "opslimit", "memlimit"}  # type: ignore[arg-type]
    assert store_key_mode(data_dir) is KeyMode.PASSPHRASE

    with pytest.raises(PassphraseRequiredError, match="saisissez-la"):
        open_store(data_dir)
    with open_store(data_dir, PASSPHRASE) as store, store.unit_of_work(ACTOR) as uow:
        assert len(uow.find(Patient)) == 1


def test_wrong_passphrase_fails_cleanly_and_leaves_the_file_alone(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir, PASSPHRASE) as store, store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
    files = sorted(p for p in data_dir.iterdir())
    before = {path: path.read_bytes() for path in files}

    with pytest.raises(WrongPassphraseError) as raised:
        open_store(data_dir, "cheval correct agrafe batteriE")
    assert str(raised.value) == (
        "Phrase de passe incorrecte : le coffre de données ne peut pas être ouvert."
    )
    assert sorted(data_dir.iterdir()) == files
    assert {path: path.read_bytes() for path in files} == before


def test_passphrase_mode_is_kept_even_when_a_keyring_appears_later(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir, PASSPHRASE):
        pass
    with pytest.raises(PassphraseRequiredError):
        open_store(data_dir)  # a keyring is there, but this store never used it


def test_accents_typed_either_way_give_the_same_key() -> None:
    salt = bytes(16)
    composed = "Été à l'hôpital de Sète"
    decomposed = "E\u0301te\u0301 a\u0300 l'ho\u0302pital de Se\u0300te"
    assert derive_key_from_passphrase(composed, salt) == derive_key_from_passphrase(
        decomposed, salt
    )
    assert len(derive_key_from_passphrase(composed, salt)) == 32


def test_a_short_new_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="au moins 12 caractères") as raised:
        open_store(tmp_path, "court")
    assert raised.value.field == "passphrase"
    assert not store_exists(tmp_path)


def test_a_locked_keyring_says_it_is_locked(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir):
        pass
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(KeyringLockedError) as raised:
        open_store(data_dir)
    message = str(raised.value)
    assert "verrouillé" in message
    assert "incorrect" not in message


def test_a_key_missing_from_the_keyring_is_explained(
    tmp_path: Path, memory_keyring: KeyringBackend
) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir):
        pass
    info = _keyinfo(data_dir)
    memory_keyring.delete_password(KEYRING_SERVICE, f"coffre-{info['store_id']}")
    with pytest.raises(StoreError, match="introuvable dans le trousseau"):
        open_store(data_dir)


def test_a_damaged_file_is_not_called_a_wrong_passphrase(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir) as store, store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
    path = store_path(data_dir)
    content = bytearray(path.read_bytes())
    content[100:200] = bytes(100)  # inside page 1, past the salt
    path.write_bytes(bytes(content))

    with pytest.raises(StoreError) as raised:
        open_store(data_dir)
    assert not isinstance(raised.value, WrongPassphraseError)
    assert "endommagé" in str(raised.value)


def test_a_missing_or_garbled_keyinfo_file_is_explained(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir):
        pass
    info_file = keyinfo_path(store_path(data_dir))
    info_file.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(StoreError, match="illisible"):
        open_store(data_dir)
    info_file.unlink()
    with pytest.raises(StoreError, match="introuvable"):
        open_store(data_dir)


def test_a_keyring_store_without_keyring_does_not_ask_for_a_passphrase(tmp_path: Path) -> None:
    data_dir = tmp_path / "données"
    with open_store(data_dir):
        pass
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(StoreError) as raised:
        open_store(data_dir, PASSPHRASE)
    assert not isinstance(raised.value, KeyringUnavailableError)
    assert "session habituelle" in str(raised.value)
