"""Hundreds of records in one unit of work: each audited, all or nothing, list kept current."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from escap_desktop.core.entities import (
    AuditEntry,
    AuditKind,
    Caregiver,
    Escap,
    EscapState,
    Message,
    Patient,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import Store, UnitOfWork
from escap_desktop.store.sync_models import SyncOutboxRow
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.outbox import install_outbox
from escap_desktop.sync.teams import ACTIVE
from tests.store import samples
from tests.store.conftest import ACTOR

COUNT = 500


class _RefusedError(Exception):
    pass


def _messages(escap_id: str, count: int = COUNT) -> list[Message]:
    return [
        samples.message(escap_id, sent_at=samples.at(6) + timedelta(minutes=n), body=f"Note {n}")
        for n in range(count)
    ]


def _outbox_count(uow: UnitOfWork) -> int:
    return int(uow.session.scalar(select(func.count()).select_from(SyncOutboxRow)) or 0)


@pytest.fixture
def shared_escap(store: Store) -> Escap:
    """A patient whose episode has a sync team, so every change of it goes to the outbox."""
    install_outbox(store)
    person = samples.patient()
    episode = samples.escap(person.id, state=EscapState.ACTIVE, closed_at=None, exit_reason=None)
    with store.unit_of_work(ACTOR) as uow:
        SyncRepository(uow.session, uow.clock).add_team(
            episode.team_id, episode.id, is_admin=True, state=ACTIVE
        )
        uow.put_many([person, episode])
    return episode


def test_put_many_audits_every_record_in_writing_order(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    notes = _messages(episode.id)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.put_many([person, episode, *notes]) == [person, episode, *notes]
        assert uow.get(Message, notes[-1].id) == notes[-1]  # visible before the commit
    edited = [dataclasses.replace(note, body="Corrigé") for note in notes[:250]]
    added = _messages(episode.id, 250)
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([*edited, *added])
    with store.unit_of_work(ACTOR) as uow:
        entries = uow.audit_entries(person.id)
        stored = uow.find(Message, escap_id=episode.id)

    assert len(entries) == 2 + COUNT + 500  # one entry per record written, no more
    assert [(e.kind, e.entity_id) for e in entries] == [
        (AuditKind.CREATED, person.id),
        (AuditKind.CREATED, episode.id),
        *[(AuditKind.CREATED, note.id) for note in notes],
        *[(AuditKind.UPDATED, note.id) for note in edited],
        *[(AuditKind.CREATED, note.id) for note in added],
    ]
    assert all(e.patient_id == person.id and e.actor_id == ACTOR for e in entries)
    assert len(stored) == COUNT + 250
    assert {m.id: m for m in stored} == {m.id: m for m in [*edited, *notes[250:], *added]}


def test_the_same_record_twice_in_a_batch_is_created_then_updated(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id, state=EscapState.DRAFT, closed_at=None)
    activated = dataclasses.replace(episode, state=EscapState.ACTIVE)
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([person, episode, activated])
    with store.unit_of_work(ACTOR) as uow:
        kinds = [(e.kind, e.entity_type) for e in uow.audit_entries(person.id)]
        assert uow.get(Escap, episode.id) == activated
        assert uow.patient_summaries()[0].escap_state is EscapState.ACTIVE
    assert kinds == [
        (AuditKind.CREATED, "Patient"),
        (AuditKind.CREATED, "Escap"),
        (AuditKind.UPDATED, "Escap"),
    ]


def test_bulk_unit_of_work_failing_on_its_last_record_leaves_nothing(
    store: Store, shared_escap: Escap
) -> None:
    with store.unit_of_work(ACTOR) as uow:
        before_outbox = _outbox_count(uow)
        before_audit = len(uow.find(AuditEntry))
    notes = _messages(shared_escap.id)
    broken = dataclasses.replace(notes[-1], body=None)  # type: ignore[arg-type]

    with pytest.raises(IntegrityError), store.unit_of_work(ACTOR) as uow:
        uow.put_many([*notes[:-1], broken])

    with store.unit_of_work(ACTOR) as uow:
        assert uow.find(Message) == []
        assert len(uow.find(AuditEntry)) == before_audit
        assert _outbox_count(uow) == before_outbox


def test_outbox_rows_commit_and_roll_back_with_the_bulk_write(
    store: Store, shared_escap: Escap
) -> None:
    refuse = [True]

    def refusing_hook(_uow: UnitOfWork, _changed: list[object]) -> None:
        if refuse[0]:
            raise _RefusedError  # after the outbox hook has written its rows

    store.add_commit_hook(refusing_hook)
    with store.unit_of_work(ACTOR) as uow:
        before = _outbox_count(uow)
    notes = _messages(shared_escap.id)

    with pytest.raises(_RefusedError), store.unit_of_work(ACTOR) as uow:
        uow.put_many(notes)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.find(Message) == []
        assert _outbox_count(uow) == before

    refuse[0] = False
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many(notes)
    with store.unit_of_work(ACTOR) as uow:
        outbox = uow.session.scalars(
            select(SyncOutboxRow.entity_id).where(SyncOutboxRow.entity_type == "Message")
        ).all()
        audited = [e for e in uow.find(AuditEntry) if e.entity_type == "Message"]
    assert sorted(outbox) == sorted(note.id for note in notes)
    assert len(audited) == COUNT


def test_bulk_update_of_stored_patients_keeps_the_list_and_its_search_current(
    store: Store,
) -> None:
    people = [samples.patient(birth_name=f"ANCIEN{n}", ins="") for n in range(300)]
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many(people)
    renamed = [
        dataclasses.replace(
            person,
            birth_name=f"NOUVEAU{n}",
            caregivers=(Caregiver(full_name="Jeanne Aidante", relationship="sœur"),),
        )
        for n, person in enumerate(people)
    ]
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many(renamed)
        assert len(uow.patient_summaries("nouveau")) == 300  # inside the same transaction
    with store.unit_of_work(ACTOR) as uow:
        assert uow.patient_summaries("ancien") == []
        assert len(uow.patient_summaries("nouveau")) == 300
        assert [uow.get(Patient, person.id) for person in people] == renamed
        updated = uow.find(AuditEntry, kind=AuditKind.UPDATED)
    assert sorted(e.entity_id for e in updated) == sorted(person.id for person in people)
    assert {e.entity_type for e in updated} == {"Patient"}


def test_a_record_deleted_then_put_again_in_one_unit_of_work_is_stored(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    note = samples.message(episode.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([person, episode, note])
    with store.unit_of_work(ACTOR) as uow:
        uow.delete(Message, note.id)
        with pytest.raises(NotFoundError):
            uow.get(Message, note.id)
        uow.put(note)
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Message, note.id) == note
        kinds = [e.kind for e in uow.audit_entries(person.id) if e.entity_id == note.id]
    assert kinds == [AuditKind.CREATED, AuditKind.DELETED, AuditKind.CREATED]
