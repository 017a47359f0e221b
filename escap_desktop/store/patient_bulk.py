"""A practice's patient list written in one go: thousands of new patients in one transaction.

``UnitOfWork.put`` looks up, maps and audits one record at a time, which is right for a form but
costs tens of seconds for a practice's 20,000 patients. New patients of an import have nothing
to look up (the duplicate check was done on :func:`recorded_identities`), no child rows and no
team to send them to: their rows, their audit entries and their list figures are inserted with
one statement each per batch, in the caller's unit of work — all or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from escap_desktop.core.entities import AuditKind, Patient, new_id
from escap_desktop.core.rules.identity import trait_key
from escap_desktop.store import mapping, patient_list
from escap_desktop.store.audit_phrases import audit_summary
from escap_desktop.store.models import AuditEntryRow, PatientRow
from escap_desktop.store.unit_of_work import UnitOfWork

_BATCH = 2000
"""Rows per INSERT: SQLAlchemy splits them further under SQLite's parameter limit."""


@dataclass(frozen=True, slots=True)
class RecordedIdentities:
    """The patients already recorded, by INS and by traits, for a duplicate check per row
    without a query per row."""

    by_ins: dict[str, Patient]
    by_traits: dict[tuple[object, ...], Patient]

    def same_person(
        self, patient: Patient, traits: tuple[object, ...] | None = None
    ) -> tuple[Patient, bool] | None:
        """The recorded patient who is (same INS: True) or may be (same traits) this one;
        ``traits`` is the patient's ``trait_key`` when the caller has it already."""
        if patient.ins and patient.ins in self.by_ins:
            return self.by_ins[patient.ins], True
        found = self.by_traits.get(traits or trait_key(patient))
        return None if found is None else (found, False)

    def add(self, patient: Patient, traits: tuple[object, ...] | None = None) -> None:
        if patient.ins:
            self.by_ins[patient.ins] = patient
        self.by_traits.setdefault(traits or trait_key(patient), patient)


_IDENTITY_COLUMNS = (
    PatientRow.id,
    PatientRow.birth_name,
    PatientRow.first_names,
    PatientRow.birth_date,
    PatientRow.sex,
    PatientRow.used_name,
    PatientRow.used_first_name,
    PatientRow.ins,
)


def recorded_identities(uow: UnitOfWork) -> RecordedIdentities:
    """One query of the identity columns (no child rows, no list figures)."""
    known = RecordedIdentities({}, {})
    for row in uow.session.execute(select(*_IDENTITY_COLUMNS)):
        known.add(mapping.identity_traits(row))
    return known


def identity_candidates(uow: UnitOfWork, patient: Patient) -> list[Patient]:
    """The recorded patients born the same day or with the same INS, traits only: what the
    duplicate check compares, in one indexed query (called at each keystroke of a name)."""
    same = PatientRow.birth_date == patient.birth_date
    if patient.ins:
        same = same | (PatientRow.ins == patient.ins)
    rows = uow.session.execute(select(*_IDENTITY_COLUMNS).where(same))
    return [mapping.identity_traits(row) for row in rows]


def _insert(connection: Connection, table: Any, columns: dict[str, list[Any]]) -> None:
    """One executemany straight to the driver, given column by column, each value converted
    by its column's own type (what SQLAlchemy would do per row and per parameter)."""
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    dialect = connection.dialect
    converted_columns = []
    for name in names:
        convert = table.c[name].type.bind_processor(dialect)
        column = columns[name]
        if convert is not None:
            # Values repeat (one instant, three sexes, the same dates): each converted once.
            converted: dict[Any, Any] = {None: None}
            for value in set(column):
                if value not in converted:
                    converted[value] = convert(value)
            column = [converted[value] for value in column]
        converted_columns.append(column)
    values = list(zip(*converted_columns, strict=True))
    quoted = ", ".join(f'"{name}"' for name in names)
    marks = ", ".join("?" for _ in names)
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)


def insert_new_patients(uow: UnitOfWork, patients: Sequence[Patient]) -> None:
    """Adds ``patients`` (new ids, no caregivers or schemes), each audited as created."""
    actor = uow.actor_id
    if actor is None:
        raise RuntimeError("Une unité de travail sans auteur (actor_id None) est en lecture seule.")
    fields = mapping.column_fields(Patient)
    at = uow.clock.now()
    summary = audit_summary(AuditKind.CREATED, "Patient")
    session = uow.session
    session.flush()
    connection = session.connection()
    for start in range(0, len(patients), _BATCH):
        batch = patients[start : start + _BATCH]
        if any(patient.caregivers or patient.other_schemes for patient in batch):
            raise ValueError("insert_new_patients: aidants et dispositifs non pris en charge")
        ids = [patient.id for patient in batch]
        rows = {name: [getattr(patient, name) for patient in batch] for name in fields}
        rows["search_key"] = [mapping.patient_search_key(patient) for patient in batch]
        rows["sort_key"] = [mapping.patient_sort_key(patient) for patient in batch]
        count = len(batch)
        audits: dict[str, list[Any]] = {
            "id": [new_id() for _ in batch],
            "at": [at] * count,
            "actor_id": [actor] * count,
            "kind": [AuditKind.CREATED] * count,
            "entity_type": ["Patient"] * count,
            "entity_id": ids,
            "patient_id": ids,
            "summary": [summary] * count,
        }
        _insert(connection, PatientRow.__table__, rows)
        _insert(connection, AuditEntryRow.__table__, audits)
        patient_list.add_without_episode(session, ids)
