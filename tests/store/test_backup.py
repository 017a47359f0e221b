"""A backup taken while the store is open is a complete copy, encrypted with the same key."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.core.entities import Message, Patient
from escap_desktop.core.errors import WrongPassphraseError
from escap_desktop.store import Store
from escap_desktop.store.keys import new_key
from tests.store import samples
from tests.store.conftest import ACTOR


def test_backup_is_a_complete_encrypted_copy(store: Store, key: bytes, tmp_path: Path) -> None:
    person = samples.patient()
    note = samples.message("e" * 32)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
        uow.put(note)
    target = tmp_path / "sauvegardes" / "coffre-copie.db"
    target.parent.mkdir()

    assert store.backup_to(target) == target
    # The original stays usable after the backup.
    with store.unit_of_work(ACTOR) as uow:
        uow.put(samples.patient(birth_name="APRÈS"))

    assert not target.read_bytes().startswith(b"SQLite format 3")
    assert samples.NIR.encode() not in target.read_bytes()
    with Store.open(target, key) as copy, copy.unit_of_work(ACTOR) as uow:
        assert uow.find(Patient) == [person]
        assert uow.get(Message, note.id) == note
        assert len(uow.audit_entries(person.id)) == 1
    with pytest.raises(WrongPassphraseError):
        Store.open(target, new_key())
    assert not list(target.parent.glob("*.partiel"))
