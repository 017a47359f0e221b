"""The audit trail is written with each change, in the same transaction, without clinical text."""

from __future__ import annotations

import dataclasses

import pytest

from escap_desktop.core.entities import AuditEntry, AuditKind, Message, Patient
from escap_desktop.core.errors import NotFoundError, StoreError
from escap_desktop.store import Store, UnitOfWork
from tests.store import samples
from tests.store.conftest import ACTOR


class _RefusedError(Exception):
    pass


def test_each_put_is_audited_with_actor_kind_and_patient(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    note = samples.message(episode.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
        uow.put(episode)
        uow.put(note)  # its patient is found through its ESCAP
    with store.unit_of_work("1" * 32) as uow:
        uow.put(dataclasses.replace(person, phone="0102030405"))
        uow.record_view(person.id)
    with store.unit_of_work(ACTOR) as uow:
        entries = uow.audit_entries(person.id)

    assert [(e.kind, e.entity_type, e.summary) for e in entries] == [
        (AuditKind.CREATED, "Patient", "Patient ajouté"),
        (AuditKind.CREATED, "Escap", "ESCAP ajoutée"),
        (AuditKind.CREATED, "Message", "Message ajouté"),
        (AuditKind.UPDATED, "Patient", "Patient modifié"),
        (AuditKind.VIEWED, "Patient", "Dossier du patient consulté"),
    ]
    assert [e.actor_id for e in entries] == [ACTOR] * 3 + ["1" * 32] * 2
    assert entries[2].entity_id == note.id
    assert all(e.patient_id == person.id for e in entries)
    assert all(e.at.tzinfo is not None for e in entries)
    assert entries == sorted(entries, key=lambda e: e.at)
    for entry in entries:
        assert person.birth_name not in entry.summary
        assert "Tension" not in entry.summary


def test_explicit_kind_and_patient_are_kept(store: Store) -> None:
    with store.unit_of_work(ACTOR) as uow:
        uow.put(samples.billing("e" * 32), patient_id="p" * 32, kind=AuditKind.RECEIVED)
        uow.audit(AuditKind.PRINTED, "Consent", "c" * 32, patient_id="p" * 32)
    with store.unit_of_work(ACTOR) as uow:
        entries = uow.audit_entries("p" * 32)
    assert [(e.kind, e.summary) for e in entries] == [
        (AuditKind.RECEIVED, "Facturation reçue"),
        (AuditKind.PRINTED, "Consentement imprimé"),
    ]


def test_a_failing_unit_of_work_leaves_neither_record_nor_audit(store: Store) -> None:
    person = samples.patient()

    def add_then_fail() -> None:
        with store.unit_of_work(ACTOR) as uow:
            uow.put(person)
            assert uow.get(Patient, person.id) == person  # visible inside the transaction
            raise _RefusedError

    with pytest.raises(_RefusedError):
        add_then_fail()
    with store.unit_of_work(ACTOR) as uow:
        with pytest.raises(NotFoundError):
            uow.get(Patient, person.id)
        assert uow.audit_entries(person.id) == []
        assert uow.find(AuditEntry) == []


def test_deletion_is_audited(store: Store) -> None:
    note = samples.message("e" * 32)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(note, patient_id="p" * 32)
    with store.unit_of_work(ACTOR) as uow:
        uow.delete(Message, note.id)
    with store.unit_of_work(ACTOR) as uow:
        kinds = [(e.kind, e.summary) for e in uow.find(AuditEntry, entity_id=note.id)]
    assert kinds == [(AuditKind.CREATED, "Message ajouté"), (AuditKind.DELETED, "Message supprimé")]


def test_audit_entries_cannot_be_deleted_and_are_stored_once(store: Store) -> None:
    received = AuditEntry(
        at=store.clock.now(), actor_id="9" * 32, kind=AuditKind.RECEIVED, entity_type="Message",
        entity_id="m" * 32, patient_id="p" * 32, summary="Message reçu",
    )  # fmt: skip
    with store.unit_of_work(ACTOR) as uow:
        uow.put(received)
        uow.put(received)
        with pytest.raises(StoreError, match="journal d'audit"):
            uow.delete(AuditEntry, received.id)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.audit_entries("p" * 32) == [received]


def test_commit_hooks_run_inside_the_transaction(store: Store) -> None:
    calls: list[tuple[str, list[object]]] = []

    def hook(uow: UnitOfWork, changed: list[object]) -> None:
        calls.append((uow.actor_id, changed))
        # Whatever the hook writes commits with the unit of work.
        uow.audit(AuditKind.EXPORTED, "Patient", "p" * 32, patient_id="p" * 32)

    store.add_commit_hook(hook)
    person = samples.patient()
    episode = samples.escap(person.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
        uow.put(episode)
    with store.unit_of_work(ACTOR) as uow:
        uow.get(Patient, person.id)  # reading only: nothing changed, no hook
    assert calls == [(ACTOR, [person, episode])]
    with store.unit_of_work(ACTOR) as uow:
        assert [e.kind for e in uow.audit_entries("p" * 32)] == [AuditKind.EXPORTED]


def test_a_failing_commit_hook_rolls_everything_back(store: Store) -> None:
    def hook(uow: UnitOfWork, changed: list[object]) -> None:
        raise _RefusedError

    store.add_commit_hook(hook)
    person = samples.patient()
    with pytest.raises(_RefusedError), store.unit_of_work(ACTOR) as uow:
        uow.put(person)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.find(Patient) == []
        assert uow.find(AuditEntry) == []


def test_a_unit_of_work_without_actor_only_reads(store: Store) -> None:
    with store.unit_of_work(None) as uow:
        assert uow.local_profile() is None
        with pytest.raises(RuntimeError, match="lecture seule"):
            uow.put(samples.patient())
        with pytest.raises(RuntimeError, match="lecture seule"):
            uow.record_view("p" * 32)
