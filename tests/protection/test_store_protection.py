"""Changing the store's passphrase, key and mode on real SQLCipher files: data kept, the old
secret refused, and never a store that opens with neither key."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import sqlcipher3

from escap_desktop.core.errors import PassphraseRequiredError, ValidationError, WrongPassphraseError
from escap_desktop.services.store_protection import (
    CONFIRMATION_DIFFERS_MESSAGE,
    KEYRING_LOCKED_MESSAGE,
    NEW_TOO_SHORT_MESSAGE,
    NO_KEYRING_MESSAGE,
    WRONG_CURRENT_MESSAGE,
    CurrentPassphraseError,
    KeyringSwitchError,
    check_new_passphrase,
    run_to_end,
)
from escap_desktop.store import KeyMode, open_store, store_path
from escap_desktop.store.keys import (
    KEYRING_SERVICE,
    keyinfo_path,
    keyring_username,
    load_key_from_keyring,
    read_keyinfo,
)
from escap_desktop.store.local_store import key_change_backup_path
from escap_desktop.sync.device import key_file_path
from escap_desktop.sync.identity_keys import PassphraseKeyFile
from escap_desktop.sync.identity_keys import keyring_username as device_username
from tests.hardening.conftest import LockedKeyring, folder_bytes
from tests.protection.conftest import NEW_PASSPHRASE, OLD_PASSPHRASE, Opener, patient_names
from tests.support.memory_keyring import MemoryKeyring

WRONG_KEY = "Phrase de passe incorrecte : le coffre de données ne peut pas être ouvert."


def opens_with_raw_key(path: Path, key: bytes) -> bool:
    connection = sqlcipher3.connect(str(path))
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as error:
        refusal = str(error)
    else:
        refusal = ""
    finally:
        connection.close()
    assert refusal in ("", "file is not a database")
    return not refusal


def test_a_new_passphrase_opens_the_store_and_the_old_one_is_refused(
    tmp_path: Path, open_folder: Opener
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    names = patient_names(practice)
    assert len(names) == 4

    change = run_to_end(practice.protection.change_passphrase(OLD_PASSPHRASE, NEW_PASSPHRASE))

    assert change.mode is KeyMode.PASSPHRASE
    assert change.notes == ()
    assert patient_names(practice) == names  # the open practice keeps working
    practice.close()
    assert not key_change_backup_path(store_path(folder)).exists()
    with pytest.raises(WrongPassphraseError) as refused:
        open_store(folder, OLD_PASSPHRASE)
    assert str(refused.value) == WRONG_KEY
    assert patient_names(open_folder(folder, NEW_PASSPHRASE)) == names


def test_a_wrong_current_passphrase_changes_nothing(tmp_path: Path, open_folder: Opener) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    practice.close()
    practice = open_folder(folder, OLD_PASSPHRASE)
    before = folder_bytes(folder)

    with pytest.raises(CurrentPassphraseError) as refused:
        run_to_end(practice.protection.change_passphrase("pas la bonne phrase", NEW_PASSPHRASE))

    assert str(refused.value) == WRONG_CURRENT_MESSAGE
    assert refused.value.field == "current_passphrase"
    assert folder_bytes(folder) == before
    practice.close()
    assert len(patient_names(open_folder(folder, OLD_PASSPHRASE))) == 4


def test_a_new_passphrase_must_be_long_enough_and_typed_twice_alike() -> None:
    with pytest.raises(ValidationError) as short:
        check_new_passphrase("trop court", "trop court")
    assert (str(short.value), short.value.field) == (NEW_TOO_SHORT_MESSAGE, "new_passphrase")
    with pytest.raises(ValidationError) as differs:
        check_new_passphrase(NEW_PASSPHRASE, NEW_PASSPHRASE + "!")
    assert (str(differs.value), differs.value.field) == (
        CONFIRMATION_DIFFERS_MESSAGE,
        "confirmation",
    )
    check_new_passphrase(NEW_PASSPHRASE, NEW_PASSPHRASE)


def test_keyring_to_passphrase_and_back(
    tmp_path: Path, open_folder: Opener, memory_keyring: MemoryKeyring
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder)
    names = patient_names(practice)
    first = read_keyinfo(store_path(folder))
    assert first is not None
    assert first.mode is KeyMode.KEYRING

    change = run_to_end(practice.protection.use_passphrase(NEW_PASSPHRASE))

    assert change.mode is KeyMode.PASSPHRASE
    assert practice.protection.mode() is KeyMode.PASSPHRASE
    assert memory_keyring.get_password(KEYRING_SERVICE, keyring_username(first.store_id)) is None
    assert patient_names(practice) == names
    practice.close()
    with pytest.raises(PassphraseRequiredError):
        open_store(folder)
    practice = open_folder(folder, NEW_PASSPHRASE)
    assert patient_names(practice) == names

    with pytest.raises(CurrentPassphraseError):
        run_to_end(practice.protection.use_keyring(OLD_PASSPHRASE))
    change = run_to_end(practice.protection.use_keyring(NEW_PASSPHRASE))

    assert change.mode is KeyMode.KEYRING
    info = read_keyinfo(store_path(folder))
    assert info is not None
    assert info.kdf is None
    assert load_key_from_keyring(info.store_id) is not None
    practice.close()
    assert patient_names(open_folder(folder)) == names  # no passphrase needed any more


def test_without_a_keyring_the_store_keeps_its_passphrase(
    tmp_path: Path, open_folder: Opener
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    before = folder_bytes(folder)
    keyring.set_keyring(keyring.backends.fail.Keyring())

    with pytest.raises(KeyringSwitchError) as refused:
        run_to_end(practice.protection.use_keyring(OLD_PASSPHRASE))

    assert str(refused.value) == NO_KEYRING_MESSAGE
    assert folder_bytes(folder) == before
    assert practice.protection.mode() is KeyMode.PASSPHRASE
    assert len(patient_names(practice)) == 4


def test_a_rekey_retires_the_old_raw_key(
    tmp_path: Path, open_folder: Opener, memory_keyring: MemoryKeyring
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder)
    names = patient_names(practice)
    old_info = read_keyinfo(store_path(folder))
    assert old_info is not None
    old_key = load_key_from_keyring(old_info.store_id)
    assert old_key is not None

    change = run_to_end(practice.protection.rekey())

    assert change.mode is KeyMode.KEYRING
    new_info = read_keyinfo(store_path(folder))
    assert new_info is not None
    new_key = load_key_from_keyring(new_info.store_id)
    assert new_key is not None
    assert new_key != old_key
    assert load_key_from_keyring(old_info.store_id) is None
    assert patient_names(practice) == names
    practice.close()
    assert not opens_with_raw_key(store_path(folder), old_key)
    assert opens_with_raw_key(store_path(folder), new_key)
    assert patient_names(open_folder(folder)) == names


def test_a_rekey_in_passphrase_mode_keeps_the_passphrase_but_not_the_key(
    tmp_path: Path, open_folder: Opener
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    old_info = read_keyinfo(store_path(folder))

    with pytest.raises(CurrentPassphraseError):
        run_to_end(practice.protection.rekey("pas la bonne phrase"))
    run_to_end(practice.protection.rekey(OLD_PASSPHRASE))

    new_info = read_keyinfo(store_path(folder))
    assert old_info is not None
    assert new_info is not None
    assert old_info.kdf is not None
    assert new_info.kdf is not None
    assert new_info.kdf.salt != old_info.kdf.salt
    assert new_info.key_check != old_info.key_check
    practice.close()
    assert len(patient_names(open_folder(folder, OLD_PASSPHRASE))) == 4


def test_a_crash_after_the_rekey_but_before_the_new_key_is_recorded_loses_nothing(
    tmp_path: Path, open_folder: Opener
) -> None:
    """The process dies right after the file was re-encrypted: the old passphrase still opens
    the store, with every record (the copy taken first is put back)."""
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    names = patient_names(practice)
    practice.close()
    script = textwrap.dedent(
        f"""
        import os
        from escap_desktop.store import open_store
        from escap_desktop.store.keys import new_key
        store = open_store({str(folder)!r}, {OLD_PASSPHRASE!r})
        store.change_key(new_key(), lambda: os._exit(3))
        """
    )
    crashed = subprocess.run([sys.executable, "-c", script], check=False, timeout=120)
    assert crashed.returncode == 3
    assert key_change_backup_path(store_path(folder)).exists()

    assert patient_names(open_folder(folder, OLD_PASSPHRASE)) == names
    assert not key_change_backup_path(store_path(folder)).exists()


def test_sync_keys_follow_the_store_between_keyring_and_passphrase(
    tmp_path: Path, open_folder: Opener, memory_keyring: MemoryKeyring
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder)
    fingerprint = practice.sync.set_up("http://127.0.0.1:9")
    slot = practice.forget.plan().keyring_entries[-1].split(" / ")[-1]
    assert memory_keyring.get_password(KEYRING_SERVICE, slot) is not None
    key_file = PassphraseKeyFile(key_file_path(store_path(folder)))

    run_to_end(practice.protection.use_passphrase(OLD_PASSPHRASE))

    assert memory_keyring.get_password(KEYRING_SERVICE, slot) is None
    assert key_file.load(OLD_PASSPHRASE).fingerprint == fingerprint

    run_to_end(practice.protection.change_passphrase(OLD_PASSPHRASE, NEW_PASSPHRASE))

    with pytest.raises(WrongPassphraseError):
        key_file.load(OLD_PASSPHRASE)
    assert key_file.load(NEW_PASSPHRASE).fingerprint == fingerprint

    run_to_end(practice.protection.use_keyring(NEW_PASSPHRASE))

    assert not key_file.exists()
    assert slot == device_username(slot.removeprefix("device-keys:"))
    assert memory_keyring.get_password(KEYRING_SERVICE, slot) is not None
    assert practice.sync.fingerprint() == fingerprint


def test_a_keyring_that_refuses_the_new_key_after_the_rekey_gets_the_old_key_back(
    tmp_path: Path, open_folder: Opener
) -> None:
    """The keyring looks usable but refuses to store: the file was already re-encrypted, so
    it is re-keyed back and the passphrase still opens it."""
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    names = patient_names(practice)
    keyinfo = keyinfo_path(store_path(folder)).read_bytes()
    keyring.set_keyring(LockedKeyring())

    with pytest.raises(KeyringSwitchError) as refused:
        run_to_end(practice.protection.use_keyring(OLD_PASSPHRASE))

    assert str(refused.value) == KEYRING_LOCKED_MESSAGE
    assert keyinfo_path(store_path(folder)).read_bytes() == keyinfo
    assert not key_change_backup_path(store_path(folder)).exists()
    assert patient_names(practice) == names  # the open practice still works
    practice.close()
    assert patient_names(open_folder(folder, OLD_PASSPHRASE)) == names
