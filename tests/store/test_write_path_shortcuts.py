"""The write path's shortcuts give exactly what the general code gave.

The unit of work converts new rows itself (instants and JSON columns without their type's
decorator), the outbox encodes each entity's JSON once and builds the record and its hashes
around those bytes, and ``add_many`` skips the lookups of records known to be new. Each of
these is checked here against the code it stands in for, so that a store written through the
shortcuts reads, hashes and merges as before.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.exc import IntegrityError

from escap_desktop.core.entities import AuditKind, Escap, Message, Patient
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import Store, mapping
from escap_desktop.store.audit_phrases import audit_summary
from escap_desktop.store.column_types import instant_to_text
from escap_desktop.store.models import Base, MessageRow
from escap_desktop.sync.clock import Hlc
from escap_desktop.sync.codec import canonical_json, entity_to_dict
from escap_desktop.sync.merge import ENTITY_TYPES, hashes_of, shared_fields
from escap_desktop.sync.outbox import _hashes_text, record_bytes, record_hashes
from escap_desktop.sync.records import Record, parse_record
from tests.store import samples
from tests.store.conftest import ACTOR

INSTANTS = [
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=UTC),
    datetime(2026, 7, 14, 10, 30, 0, 1, tzinfo=timezone(timedelta(hours=2))),
    datetime(999, 12, 31, 23, 0, tzinfo=UTC),
]


def _instant_converter() -> Any:
    """What an insert plan converts an instant column with (``message.sent_at``)."""
    plan = mapping.insert_plan(MessageRow, sqlite_dialect.dialect())
    return plan.converters[plan.names.index("sent_at")]


@pytest.mark.parametrize("instant", INSTANTS)
def test_instant_text_is_the_column_types_text(instant: datetime) -> None:
    column_type = MessageRow.__table__.c.sent_at.type
    assert _instant_converter()(instant) == column_type.process_bind_param(
        instant, sqlite_dialect.dialect()
    )
    # The fixed-width UTC text, whichever way it is made.
    assert instant_to_text(instant) == instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_instant_text_still_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="fuseau horaire"):
        _instant_converter()(datetime(2026, 1, 1))


def _sample_rows() -> list[tuple[type[Base], tuple[Any, ...]]]:
    """New rows of every kind of record, through ``new_rows`` (nested rows included)."""
    records = [*_shared_samples(), samples.local_profile(ACTOR)]
    return [row for record in records for row in mapping.new_rows(record)]


def test_insert_plans_convert_as_the_column_types_do() -> None:
    dialect = sqlite_dialect.dialect()
    for row_type, values in _sample_rows():
        plan = mapping.insert_plan(row_type, dialect)
        (converted,) = plan.convert([values])
        columns = [plan.table.c[name] for name in plan.names]
        expected = tuple(
            value
            if value is None or (process := column.type.bind_processor(dialect)) is None
            else process(value)
            for column, value in zip(columns, values, strict=True)
        )
        assert converted == expected, row_type.__name__


def _wire(entity: object) -> tuple[str, dict[str, Any]]:
    entity_type = type(entity).__name__
    return entity_type, shared_fields(entity_type, entity_to_dict(entity))


def _shared_samples() -> list[object]:
    """One record of every shared type; the patient with caregivers and other schemes, a
    message whose text needs escaping."""
    person = samples.patient()
    episode = samples.escap(person.id)
    records: list[object] = [
        samples.professional(),
        person,
        episode,
        samples.membership(episode.id, ACTOR),
        samples.consent(episode.id, person.id),
        samples.assessment(episode.id, person.id),
        samples.action(episode.id),
        samples.message(episode.id, body='Guillemets " et \\ barre, accents : éà, ligne\nsuite'),
        samples.event(episode.id),
        samples.billing(episode.id),
    ]
    assert {type(record).__name__ for record in records} == set(ENTITY_TYPES)
    return records


@pytest.mark.parametrize("node", ["0f" * 8, "nœud-à-part", ""])
def test_record_bytes_are_the_records_own_bytes(node: str) -> None:
    for entity in _shared_samples():
        entity_type, wire = _wire(entity)
        entity_json = canonical_json(wire)
        for clocks in ({}, {"status": Hlc(1_767_254_400_000, 3, node), "@x": Hlc(5, 0, node)}):
            hlc = Hlc(1_767_254_400_123, 7, node)
            expected = Record(entity_type, wire, clocks, hlc).to_bytes()
            made = record_bytes(entity_type, entity_json, clocks, hlc)
            assert made == expected, entity_type
            assert parse_record(made) == Record(entity_type, wire, clocks, hlc)


def test_record_hashes_are_the_merge_hashes() -> None:
    for entity in _shared_samples():
        entity_type, wire = _wire(entity)
        hashes = record_hashes(entity_type, wire, canonical_json(wire))
        assert hashes == hashes_of(entity_type, wire), entity_type
        assert _hashes_text(hashes) == json.dumps(hashes)


def test_add_many_creates_then_updates_without_lookups(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    note = samples.message(episode.id)
    edited = dataclasses.replace(episode, exit_note="Relu")
    with store.unit_of_work(ACTOR) as uow:
        assert uow.add_many([person, episode, note, edited]) == [person, episode, note, edited]
        assert uow.get(Escap, episode.id) == edited  # visible before the commit
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Patient, person.id) == person
        assert uow.get(Escap, episode.id) == edited
        assert uow.get(Message, note.id) == note
        entries = uow.audit_entries(person.id)
    assert [(e.kind, e.entity_type, e.entity_id, e.summary) for e in entries] == [
        (kind, entity_type, entity_id, audit_summary(kind, entity_type))
        for kind, entity_type, entity_id in (
            (AuditKind.CREATED, "Patient", person.id),
            (AuditKind.CREATED, "Escap", episode.id),
            (AuditKind.CREATED, "Message", note.id),
            (AuditKind.UPDATED, "Escap", episode.id),
        )
    ]
    assert all(entry.actor_id == ACTOR and entry.patient_id == person.id for entry in entries)


def test_add_many_of_a_stored_record_fails_the_whole_unit_of_work(store: Store) -> None:
    person = samples.patient()
    with store.unit_of_work(ACTOR) as uow:
        uow.put(person)
    other = samples.patient()
    with pytest.raises(IntegrityError), store.unit_of_work(ACTOR) as uow:
        uow.add_many([other, person])
    with store.unit_of_work(ACTOR) as uow:
        assert [p.id for p in uow.find(Patient)] == [person.id]  # nothing of it was kept


def test_get_read_with_core_follows_the_writes_of_its_unit_of_work(store: Store) -> None:
    person = samples.patient()
    episode = samples.escap(person.id)
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([person, episode])
    moved = dataclasses.replace(episode, exit_note="Relu")
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Escap, episode.id) == episode  # read with Core, kept
        assert uow.get(Escap, episode.id) == episode
        uow.put(moved)
        assert uow.get(Escap, episode.id) == moved  # the write, not the earlier read
        uow.delete(Escap, episode.id)
        with pytest.raises(NotFoundError):
            uow.get(Escap, episode.id)
        with pytest.raises(NotFoundError):
            uow.get(Escap, "f" * 32)
    with store.unit_of_work(ACTOR) as uow:
        with pytest.raises(NotFoundError):
            uow.get(Escap, episode.id)
        assert uow.get(Patient, person.id) == person


def test_reads_run_on_the_driver_give_the_stored_entities(store: Store) -> None:
    """``get``, ``find`` and ``latest`` read these tables through compiled driver SQL with each
    column's own conversion (dates, instants, codes, JSON): every value comes back as put."""
    person = samples.patient()
    episode = samples.escap(person.id)
    records: list[Any] = [
        samples.professional(),
        samples.membership(episode.id, ACTOR),
        samples.consent(episode.id, person.id),
        samples.assessment(episode.id, person.id),
        samples.action(episode.id),
        samples.event(episode.id),
        samples.billing(episode.id),
    ]
    with store.unit_of_work(ACTOR) as uow:
        uow.put_many([person, episode, *records])
    with store.unit_of_work(ACTOR) as uow:
        assert uow.get(Escap, episode.id) == episode
        assert uow.find(Escap, patient_id=person.id) == [episode]
        for record in records:
            assert uow.get(type(record), record.id) == record
            if hasattr(record, "escap_id"):
                assert uow.find(type(record), escap_id=episode.id) == [record]
        assert uow.latest(Escap, "created_at", patient_id=person.id) == episode.created_at
        assert uow.latest(Escap, "created_at", patient_id="0" * 32) is None
