"""What lies on the disk is unreadable without the key; bad keys and bad files are told apart."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from escap_desktop.core.entities import Patient
from escap_desktop.core.errors import StoreError, WrongPassphraseError
from escap_desktop.store import Store
from escap_desktop.store.keys import new_key
from tests.store import samples
from tests.store.conftest import ACTOR


def _files_of(store_file: Path) -> list[Path]:
    return sorted(store_file.parent.glob(store_file.name + "*"))


def test_patient_name_and_nir_never_appear_in_clear(store_file: Path, key: bytes) -> None:
    person = samples.patient(birth_name="QUÉRÉ-ZYLBERSZTEJN", first_names="Anaïs")
    store = Store.open(store_file, key)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
        uow.put(samples.message("e" * 32, body="Plaie du talon QUÉRÉ-ZYLBERSZTEJN"))
    # While open the data may still sit in the write-ahead log: look at every file.
    open_files = _files_of(store_file)
    assert any(path.name.endswith("-wal") for path in open_files)
    contents = [path.read_bytes() for path in open_files]
    store.close()
    contents += [path.read_bytes() for path in _files_of(store_file)]

    secrets = [
        "QUÉRÉ-ZYLBERSZTEJN".encode(),
        "QUÉRÉ-ZYLBERSZTEJN".encode("utf-16-le"),
        samples.NIR.encode(),
        "Anaïs".encode(),
    ]
    for content in contents:
        assert content
        for secret in secrets:
            assert secret not in content
    assert not store_file.read_bytes().startswith(b"SQLite format 3")


def test_wrong_key_is_reported_as_a_wrong_passphrase(store: Store, key: bytes) -> None:
    with store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
    store.close()
    before = store.path.read_bytes()

    with pytest.raises(WrongPassphraseError) as raised:
        Store.open(store.path, new_key())
    assert str(raised.value) == (
        "Phrase de passe incorrecte : le coffre de données ne peut pas être ouvert."
    )
    assert store.path.read_bytes() == before
    with Store.open(store.path, key) as again, again.unit_of_work(ACTOR) as uow:
        assert len(uow.find(Patient)) == 1


def test_a_truncated_file_is_reported_as_damaged(store: Store, key: bytes) -> None:
    with store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient())
    store.close()
    content = store.path.read_bytes()
    store.path.write_bytes(content[: len(content) // 2 + 100])

    with pytest.raises(StoreError) as raised:
        Store.open(store.path, key)
    assert not isinstance(raised.value, WrongPassphraseError)
    assert "endommagé" in str(raised.value)


def test_a_plain_sqlite_file_is_not_taken_for_a_store(tmp_path: Path, key: bytes) -> None:
    plain = tmp_path / "clair.db"
    with sqlite3.connect(plain) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(StoreError, match="n'est pas un coffre de données chiffré"):
        Store.open(plain, key)


def test_a_key_of_the_wrong_size_is_a_programming_error(store_file: Path) -> None:
    with pytest.raises(ValueError, match="32 octets"):
        Store.open(store_file, b"short")


def test_a_closed_store_says_so(store: Store) -> None:
    store.close()
    with pytest.raises(StoreError, match="fermé"), store.unit_of_work(ACTOR):
        pass
