"""Database rows of the encrypted store, one table per entity of ``core.entities``.

Column names repeat the entity field names so that :mod:`escap_desktop.store.mapping` can move
values across without a hand-written list per entity; the column types in
:mod:`escap_desktop.store.column_types` give back the exact Python values. Row classes end in
``Row`` so that nobody mistakes them for Qt models. The schema itself is owned by the Alembic
migrations; ``tests/store/test_migrations.py`` checks that these classes and the migrations agree.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from escap_desktop.core.entities import (
    ActionStatus,
    AuditKind,
    BillingKind,
    ClinicalSituation,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    EscapState,
    EventKind,
    ExitReason,
    IdentifierKind,
    IdentityDocument,
    IdentityStatus,
    MembershipStatus,
    OtherSchemeKind,
    Prerequisite,
    Profession,
    ProfessionalSource,
    Sex,
)
from escap_desktop.store.column_types import (
    BoolMapJson,
    DataclassJson,
    EnumSetJson,
    EnumText,
    EnumTupleJson,
    StrTupleJson,
    UtcDateTime,
)

ID = String(32)


def _situation_to_json(situation: ClinicalSituation) -> dict[str, Any]:
    values = dataclasses.asdict(situation)
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _situation_from_json(values: dict[str, Any]) -> ClinicalSituation:
    hints = typing.get_type_hints(ClinicalSituation)
    known = {f.name for f in dataclasses.fields(ClinicalSituation)}
    converted: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            continue  # written by a newer minor version: ignore rather than refuse to read
        if value is not None and date in typing.get_args(hints[name]):
            value = date.fromisoformat(value)
        converted[name] = value
    return ClinicalSituation(**converted)


class Base(DeclarativeBase):
    """Metadata shared by every table of the store (the sync outbox may join it later)."""


class ProfessionalRow(Base):
    __tablename__ = "professional"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    last_name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(200))
    profession: Mapped[Profession] = mapped_column(EnumText(Profession))
    identifier_kind: Mapped[IdentifierKind] = mapped_column(EnumText(IdentifierKind))
    identifier: Mapped[str] = mapped_column(String(40))
    specialty: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    postcode: Mapped[str] = mapped_column(String(10))
    town: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    mssante: Mapped[str] = mapped_column(String(200))
    source: Mapped[ProfessionalSource] = mapped_column(EnumText(ProfessionalSource))
    encryption_public_key: Mapped[str] = mapped_column(Text)
    signing_public_key: Mapped[str] = mapped_column(Text)


class LocalProfileRow(Base):
    """A single row (``slot`` = 1): this installation has exactly one user."""

    __tablename__ = "local_profile"
    __table_args__ = (CheckConstraint("slot = 1", name="ck_local_profile_single_row"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    professional_id: Mapped[str] = mapped_column(ID)
    device_name: Mapped[str] = mapped_column(String(200))
    idle_lock_minutes: Mapped[int] = mapped_column(Integer)
    relay_url: Mapped[str] = mapped_column(Text)
    grid_path: Mapped[str] = mapped_column(Text)


class PatientRow(Base):
    """A patient; ``search_key`` and ``sort_key`` are accent-free copies for the patient list."""

    __tablename__ = "patient"
    __table_args__ = (
        Index("ix_patient_sort_key", "sort_key"),
        # The duplicate lookup before a patient is created: same INS, same birth date.
        Index("ix_patient_ins", "ins"),
        Index("ix_patient_birth_date", "birth_date"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    birth_name: Mapped[str] = mapped_column(String(200))
    first_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(EnumText(Sex))
    birth_place_code: Mapped[str] = mapped_column(String(10))
    used_name: Mapped[str] = mapped_column(String(200))
    used_first_name: Mapped[str] = mapped_column(String(200))
    ins: Mapped[str] = mapped_column(String(15))
    identity_status: Mapped[IdentityStatus] = mapped_column(EnumText(IdentityStatus))
    medecin_traitant_id: Mapped[str | None] = mapped_column(ID)
    phone: Mapped[str] = mapped_column(String(40))
    address: Mapped[str] = mapped_column(Text)
    identity_document: Mapped[IdentityDocument | None] = mapped_column(EnumText(IdentityDocument))
    identity_verified_by: Mapped[str | None] = mapped_column(ID)
    identity_verified_on: Mapped[date | None]
    search_key: Mapped[str] = mapped_column(Text)
    sort_key: Mapped[str] = mapped_column(Text)

    caregivers: Mapped[list[CaregiverRow]] = relationship(
        order_by="CaregiverRow.position", cascade="all, delete-orphan", passive_deletes=True
    )
    other_schemes: Mapped[list[OtherSchemeRow]] = relationship(
        order_by="OtherSchemeRow.position", cascade="all, delete-orphan", passive_deletes=True
    )


class CaregiverRow(Base):
    __tablename__ = "patient_caregiver"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ID, ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text)


class OtherSchemeRow(Base):
    __tablename__ = "patient_other_scheme"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ID, ForeignKey("patient.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[OtherSchemeKind] = mapped_column(EnumText(OtherSchemeKind))
    since: Mapped[date | None]
    contact: Mapped[str] = mapped_column(Text)


class EscapRow(Base):
    """No foreign key to ``patient``: records may arrive by sync in any order."""

    __tablename__ = "escap"
    __table_args__ = (
        Index("ix_escap_patient_episode", "patient_id", "episode", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    patient_id: Mapped[str] = mapped_column(ID)
    created_by: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[EscapState] = mapped_column(EnumText(EscapState))
    episode: Mapped[int] = mapped_column(Integer)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    exit_reason: Mapped[ExitReason | None] = mapped_column(EnumText(ExitReason))
    exit_note: Mapped[str] = mapped_column(Text)
    team_id: Mapped[str] = mapped_column(ID)


class MembershipRow(Base):
    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_escap_status", "escap_id", "status", "professional_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    professional_id: Mapped[str] = mapped_column(ID)
    invited_by: Mapped[str] = mapped_column(ID)
    invited_at: Mapped[datetime] = mapped_column(UtcDateTime)
    role: Mapped[str] = mapped_column(String(200))
    status: Mapped[MembershipStatus] = mapped_column(EnumText(MembershipStatus))
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    join_code: Mapped[str] = mapped_column(String(100))
    invitation_printed_on: Mapped[date | None]


class ConsentRow(Base):
    __tablename__ = "consent"
    __table_args__ = (Index("ix_consent_escap", "escap_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    patient_id: Mapped[str] = mapped_column(ID)
    collected_by: Mapped[str] = mapped_column(ID)
    scopes: Mapped[frozenset[DataCategory]] = mapped_column(EnumSetJson(DataCategory))
    recipient_ids: Mapped[tuple[str, ...]] = mapped_column(StrTupleJson)
    mode: Mapped[ConsentMode] = mapped_column(EnumText(ConsentMode))
    status: Mapped[ConsentStatus] = mapped_column(EnumText(ConsentStatus))
    form_reference: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date | None]
    signatory: Mapped[str] = mapped_column(String(200))
    legal_representative: Mapped[bool]
    scan_path: Mapped[str] = mapped_column(Text)
    scan_sha256: Mapped[str] = mapped_column(String(64))
    withdrawn_on: Mapped[date | None]
    recipient_professions: Mapped[frozenset[Profession]] = mapped_column(
        EnumSetJson(Profession), server_default="[]"
    )
    amendment: Mapped[int] = mapped_column(Integer, server_default="0")
    amended_on: Mapped[date | None]


class GridAssessmentRow(Base):
    __tablename__ = "grid_assessment"
    __table_args__ = (
        Index("ix_grid_assessment_escap", "escap_id", "assessed_on", "recorded_at", "id", "score"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    patient_id: Mapped[str] = mapped_column(ID)
    assessor_id: Mapped[str] = mapped_column(ID)
    assessed_on: Mapped[date]
    grid_id: Mapped[str] = mapped_column(String(100))
    grid_version: Mapped[str] = mapped_column(String(40))
    answers: Mapped[dict[str, bool]] = mapped_column(BoolMapJson)
    score: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer)
    situation: Mapped[ClinicalSituation] = mapped_column(
        DataclassJson(_situation_to_json, _situation_from_json)
    )
    prerequisites_met: Mapped[tuple[Prerequisite, ...]] = mapped_column(EnumTupleJson(Prerequisite))
    eligible: Mapped[bool]
    at_home: Mapped[bool]
    is_reevaluation: Mapped[bool]
    recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ActionRow(Base):
    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_escap_status_due", "escap_id", "status", "due_on", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    title: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    responsible_id: Mapped[str | None] = mapped_column(ID)
    details: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    recurrence: Mapped[str] = mapped_column(String(200))
    status: Mapped[ActionStatus] = mapped_column(EnumText(ActionStatus))
    completed_on: Mapped[date | None]
    category: Mapped[DataCategory] = mapped_column(EnumText(DataCategory))
    mt_validated_on: Mapped[date | None]
    mt_received_on: Mapped[date | None]
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MessageRow(Base):
    __tablename__ = "message"
    __table_args__ = (Index("ix_message_escap_sent", "escap_id", "sent_at", "author_id", "id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    author_id: Mapped[str] = mapped_column(ID)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[DataCategory] = mapped_column(EnumText(DataCategory))

    reads: Mapped[list[MessageReadRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class MessageReadRow(Base):
    """One reader of one message: a table rather than JSON so unread counts stay in SQL."""

    __tablename__ = "message_read"

    message_id: Mapped[str] = mapped_column(
        ID, ForeignKey("message.id", ondelete="CASCADE"), primary_key=True
    )
    professional_id: Mapped[str] = mapped_column(ID, primary_key=True)


class EventRow(Base):
    __tablename__ = "event"
    __table_args__ = (Index("ix_event_escap", "escap_id", "occurred_on"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[EventKind] = mapped_column(EnumText(EventKind))
    occurred_on: Mapped[date]
    recorded_by: Mapped[str] = mapped_column(ID)
    note: Mapped[str] = mapped_column(Text)
    assessment_id: Mapped[str | None] = mapped_column(ID)


class BillingRecordRow(Base):
    __tablename__ = "billing_record"
    __table_args__ = (Index("ix_billing_record_escap", "escap_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    escap_id: Mapped[str] = mapped_column(ID)
    professional_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[BillingKind] = mapped_column(EnumText(BillingKind))
    code: Mapped[str] = mapped_column(String(40))
    billed_on: Mapped[date]


class AuditEntryRow(Base):
    """Append-only; ``seq`` keeps the local writing order for entries of the same instant."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_patient", "patient_id", "at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Unique and set by the writer: lets SQLAlchemy insert a unit of work's entries in batches
    # and still match each returned ``seq`` to its entry (DDL unchanged).
    id: Mapped[str] = mapped_column(ID, unique=True, insert_sentinel=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[AuditKind] = mapped_column(EnumText(AuditKind))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(ID)
    summary: Mapped[str] = mapped_column(String(200))


class PatientMergeRow(Base):
    """Two records of one patient met on this computer (``core.entities.patient_merge``).

    ``other_version`` is the other record whole (JSON): once merged it is the only copy of what
    the absorbed record said. No foreign key to ``patient``: the absorbed one is gone.
    """

    __tablename__ = "patient_merge"
    __table_args__ = (
        Index("ix_patient_merge_kept", "kept_id"),
        Index("ix_patient_merge_other", "other_id"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kept_id: Mapped[str] = mapped_column(ID)
    other_id: Mapped[str] = mapped_column(ID)
    other_version: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(ID)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class PatientListRow(Base):
    """The patient list's figures, one row per patient, kept current by every unit of work.

    A cache of :func:`escap_desktop.store.patient_list.figures_statement`: computing them for
    10,000 patients at each opening means reading most of the encrypted file, whereas keeping
    them up to date costs a few indexed lookups for the patients a unit of work touched.
    """

    __tablename__ = "patient_list"

    patient_id: Mapped[str] = mapped_column(
        ID, ForeignKey("patient.id", ondelete="CASCADE"), primary_key=True
    )
    escap_id: Mapped[str | None] = mapped_column(ID)
    escap_state: Mapped[EscapState | None] = mapped_column(EnumText(EscapState))
    last_score: Mapped[int | None] = mapped_column(Integer)
    team_size: Mapped[int] = mapped_column(Integer)
    next_due_on: Mapped[date | None]
    next_action: Mapped[str] = mapped_column(Text)
    unread_messages: Mapped[int] = mapped_column(Integer)
