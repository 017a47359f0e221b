"""Moves values between core entities and database rows.

Columns carry the entity field names, so one generic copy handles every entity; only the nested
collections (a patient's caregivers and other schemes, a message's readers) and the single-row
local profile need code of their own.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from escap_desktop.core import text
from escap_desktop.core.entities import (
    Action,
    AuditEntry,
    BillingRecord,
    Caregiver,
    Consent,
    Escap,
    Event,
    GridAssessment,
    LocalProfile,
    Membership,
    Message,
    OtherScheme,
    Patient,
    Professional,
)
from escap_desktop.store.models import (
    ActionRow,
    AuditEntryRow,
    Base,
    BillingRecordRow,
    CaregiverRow,
    ConsentRow,
    EscapRow,
    EventRow,
    GridAssessmentRow,
    LocalProfileRow,
    MembershipRow,
    MessageReadRow,
    MessageRow,
    OtherSchemeRow,
    PatientRow,
    ProfessionalRow,
)

ROW_TYPES: dict[type, type[Base]] = {
    Professional: ProfessionalRow,
    LocalProfile: LocalProfileRow,
    Patient: PatientRow,
    Escap: EscapRow,
    Membership: MembershipRow,
    Consent: ConsentRow,
    GridAssessment: GridAssessmentRow,
    Action: ActionRow,
    Message: MessageRow,
    Event: EventRow,
    BillingRecord: BillingRecordRow,
    AuditEntry: AuditEntryRow,
}

# Fields that are not plain columns: they live in child tables.
_NESTED_FIELDS: dict[type, frozenset[str]] = {
    Patient: frozenset({"caregivers", "other_schemes"}),
    Message: frozenset({"read_by"}),
}

LOCAL_PROFILE_SLOT = 1

_SEPARATORS = re.compile(r"[\s\-'’]+")


fold = text.fold
"""Lower case without accents, ligatures spelled out: "lefevre" finds "LEFÈVRE", "oeuvrard"
finds "ŒUVRARD", "Émile" sorts with "E" (``core.text``, the one folding of names)."""


def search_tokens(text: str) -> list[str]:
    """Words of a search box; hyphens and apostrophes separate words as spaces do."""
    return [token for token in _SEPARATORS.split(fold(text)) if token]


def row_type_for(entity_type: type) -> type[Base]:
    try:
        return ROW_TYPES[entity_type]
    except KeyError:
        raise TypeError(f"{entity_type.__name__} n'est pas une entité du coffre.") from None


def column_fields(entity_type: type) -> list[str]:
    """Entity fields that are stored as columns of the entity's own table."""
    return list(_column_fields(entity_type))


_COLUMN_FIELDS: dict[type, tuple[str, ...]] = {}


def _column_fields(entity_type: type) -> tuple[str, ...]:
    """Computed once per type: every row written or read goes through it."""
    names = _COLUMN_FIELDS.get(entity_type)
    if names is None:
        nested = _NESTED_FIELDS.get(entity_type, frozenset())
        names = tuple(f.name for f in dataclasses.fields(entity_type) if f.name not in nested)
        _COLUMN_FIELDS[entity_type] = names
    return names


def fill_row(entity: object, row: Base) -> None:
    """Copy every field of ``entity`` onto ``row`` (a new or an already stored row)."""
    for name in _column_fields(type(entity)):
        value = getattr(entity, name)
        if getattr(row, name, None) != value:
            setattr(row, name, value)
    if isinstance(entity, Patient):
        _fill_patient(entity, row)  # type: ignore[arg-type]
    elif isinstance(entity, Message):
        _fill_message(entity, row)  # type: ignore[arg-type]
    elif isinstance(entity, LocalProfile):
        row.slot = LOCAL_PROFILE_SLOT  # type: ignore[attr-defined]


def to_entity(entity_type: type, row: Base) -> Any:
    values = {name: getattr(row, name) for name in _column_fields(entity_type)}
    if entity_type is Patient:
        assert isinstance(row, PatientRow)
        values["caregivers"] = tuple(
            Caregiver(
                full_name=c.full_name,
                relationship=c.relationship,
                phone=c.phone,
                notes=c.notes,
                id=c.id,
            )
            for c in row.caregivers
        )
        values["other_schemes"] = tuple(
            OtherScheme(kind=s.kind, since=s.since, contact=s.contact, id=s.id)
            for s in row.other_schemes
        )
    elif entity_type is Message:
        assert isinstance(row, MessageRow)
        values["read_by"] = frozenset(read.professional_id for read in row.reads)
    return entity_type(**values)


def identity_traits(row: Any) -> Patient:
    """The patient's traits from a patient row (or a row of its identity columns), without
    loading its caregivers and schemes: what search keys and duplicate checks read."""
    return Patient(
        id=row.id,
        birth_name=row.birth_name,
        first_names=row.first_names,
        birth_date=row.birth_date,
        sex=row.sex,
        used_name=row.used_name,
        used_first_name=row.used_first_name,
        ins=row.ins,
    )


def patient_sort_key(patient: Patient) -> str:
    """The display name's order: used (else birth) name, then the first first name."""
    name = patient.used_name or patient.birth_name
    first = patient.used_first_name or patient.first_names.split(" ")[0]
    return f"{fold(name)} {fold(first)}"


def patient_search_key(patient: Patient) -> str:
    parts = [
        patient.birth_name,
        patient.used_name,
        patient.first_names,
        patient.used_first_name,
        patient.ins,
        f"{patient.birth_date.day:02d}/{patient.birth_date.month:02d}/{patient.birth_date.year:04d}",
    ]
    return " ".join(search_tokens(" ".join(part for part in parts if part)))  # one folding


def _fill_patient(patient: Patient, row: PatientRow) -> None:
    row.search_key = patient_search_key(patient)
    row.sort_key = patient_sort_key(patient)
    current_caregivers = [
        (c.id, c.full_name, c.relationship, c.phone, c.notes) for c in row.caregivers
    ]
    wanted_caregivers = [
        (c.id, c.full_name, c.relationship, c.phone, c.notes) for c in patient.caregivers
    ]
    if current_caregivers != wanted_caregivers:
        row.caregivers = [
            CaregiverRow(
                id=c.id,
                patient_id=patient.id,
                position=position,
                full_name=c.full_name,
                relationship=c.relationship,
                phone=c.phone,
                notes=c.notes,
            )
            for position, c in enumerate(patient.caregivers)
        ]
    current_schemes = [(s.id, s.kind, s.since, s.contact) for s in row.other_schemes]
    wanted_schemes = [(s.id, s.kind, s.since, s.contact) for s in patient.other_schemes]
    if current_schemes != wanted_schemes:
        row.other_schemes = [
            OtherSchemeRow(
                id=s.id,
                patient_id=patient.id,
                position=position,
                kind=s.kind,
                since=s.since,
                contact=s.contact,
            )
            for position, s in enumerate(patient.other_schemes)
        ]


def _fill_message(message: Message, row: MessageRow) -> None:
    current = {read.professional_id for read in row.reads}
    if current == set(message.read_by):
        return
    row.reads = [read for read in row.reads if read.professional_id in message.read_by] + [
        MessageReadRow(message_id=message.id, professional_id=reader)
        for reader in sorted(message.read_by - current)
    ]
