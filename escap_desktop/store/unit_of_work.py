"""One transaction on the store, speaking in core entities.

Services open one unit of work per use case; every write in it, and the audit entry that goes
with each write, commits together or not at all. Rows never leave this module: callers get
frozen entities back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from escap_desktop.core.entities import (
    Action,
    AuditEntry,
    AuditKind,
    Escap,
    EscapState,
    GridAssessment,
    LocalProfile,
    Membership,
    Message,
    Patient,
    new_id,
    utcnow,
)
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.errors import NotFoundError, StoreError
from escap_desktop.store import mapping, patient_list
from escap_desktop.store.audit_phrases import PATIENT_RECORD_VIEWED, audit_summary, entity_noun
from escap_desktop.store.models import (
    AuditEntryRow,
    Base,
    EscapRow,
    LocalProfileRow,
    MessageRow,
    PatientRow,
)

T = TypeVar("T")

CommitHook = Callable[["UnitOfWork", list[object]], None]

# Fields that order ``find`` results before the id: the record's own date, when it has one.
_ORDER_FIELDS: dict[str, tuple[str, ...]] = {
    "Escap": ("created_at",),
    "Membership": ("invited_at",),
    "GridAssessment": ("assessed_on", "recorded_at"),
    "Action": ("created_at",),
    "Message": ("sent_at",),
    "Event": ("occurred_on",),
    "BillingRecord": ("billed_on",),
    "Consent": ("signed_on",),
    "AuditEntry": ("at", "seq"),
}

# Entities whose changes move a figure of the patient list.
_LIST_TYPES = (Patient, Escap, GridAssessment, Membership, Action, Message)
_LIST_ROW_TYPES = tuple(mapping.ROW_TYPES[entity_type] for entity_type in _LIST_TYPES)

_AUDIT_IS_APPEND_ONLY = "Le journal d'audit ne peut être ni modifié ni effacé."


@dataclass(frozen=True, slots=True)
class Deletion:
    """Handed to commit hooks, among the changed entities, for a record that was deleted."""

    entity: object


class UnitOfWork:
    """Obtained from ``Store.unit_of_work(actor_id)``; valid only inside its ``with`` block.

    ``actor_id`` None gives a read-only unit of work (before the local profile exists): every
    write must be attributed to someone, so writing in it is a programming error.
    """

    def __init__(self, session: Session, actor_id: str | None) -> None:
        self._session = session
        self.actor_id = actor_id
        self._changed: list[object] = []
        # Episodes put in this unit of work, so that records added with them find their patient
        # without a flush.
        self._escap_patients: dict[str, str] = {}
        # Patients whose list figures must be recomputed before commit (all of them if None).
        self._list_stale: set[str] | None = set()

    @property
    def session(self) -> Session:
        """The SQLAlchemy session, for store-side collaborators only (the sync outbox rows)."""
        return self._session

    # -- writing ---------------------------------------------------------------------------

    def put(self, entity: T, *, patient_id: str | None = None, kind: AuditKind | None = None) -> T:
        """Insert or update ``entity`` (found by id) and audit it; returns the entity."""
        self._writer()
        if isinstance(entity, AuditEntry):
            self._put_audit_entry(entity)
            return entity
        row_type = mapping.row_type_for(type(entity))
        key = mapping.LOCAL_PROFILE_SLOT if isinstance(entity, LocalProfile) else entity.id  # type: ignore[attr-defined]
        row = self._session.get(row_type, key)
        created = row is None
        if isinstance(entity, LocalProfile) and (
            row is None or row.professional_id != entity.professional_id  # type: ignore[attr-defined]
        ):
            self._list_stale = None  # unread counts are the local professional's: redo all
        if row is None:
            row = row_type()
            mapping.fill_row(entity, row)
            self._session.add(row)
        else:
            self._mark_list_stale(row)  # the patient it belonged to, should that change
            mapping.fill_row(entity, row)
        if isinstance(entity, Escap):
            self._escap_patients[entity.id] = entity.patient_id
        self._mark_list_stale(entity)
        entity_type = type(entity).__name__
        self.audit(
            kind or (AuditKind.CREATED if created else AuditKind.UPDATED),
            entity_type,
            _entity_id(entity),
            patient_id=patient_id or self._patient_of(entity),
        )
        self._changed.append(entity)
        return entity

    def delete(self, entity_type: type, entity_id: str) -> None:
        """Delete a record (its nested caregivers or readers go with it), audited."""
        self._writer()
        if entity_type is AuditEntry:
            raise StoreError(_AUDIT_IS_APPEND_ONLY)
        row = self._row(entity_type, entity_id)
        entity = mapping.to_entity(entity_type, row)
        patient_id = self._patient_of(entity)
        self._mark_list_stale(entity)
        self._session.delete(row)
        self.audit(AuditKind.DELETED, entity_type.__name__, entity_id, patient_id=patient_id)
        self._changed.append(Deletion(entity))

    def audit(
        self,
        kind: AuditKind,
        entity_type: str,
        entity_id: str,
        *,
        patient_id: str | None = None,
    ) -> AuditEntry:
        """Write one audit entry (printing, export...) in this transaction."""
        return self._write_audit(kind, entity_type, entity_id, patient_id, None)

    def record_view(self, patient_id: str) -> None:
        """Opening a patient's record is itself traced (who looked at whom, and when)."""
        self._write_audit(
            AuditKind.VIEWED, "Patient", patient_id, patient_id, PATIENT_RECORD_VIEWED
        )

    def _write_audit(
        self,
        kind: AuditKind,
        entity_type: str,
        entity_id: str,
        patient_id: str | None,
        summary: str | None,
    ) -> AuditEntry:
        entry = AuditEntry(
            at=utcnow(),
            actor_id=self._writer(),
            kind=kind,
            entity_type=entity_type,
            entity_id=entity_id,
            patient_id=patient_id,
            summary=summary or audit_summary(kind, entity_type),
            id=new_id(),
        )
        row = AuditEntryRow()
        mapping.fill_row(entry, row)
        self._session.add(row)
        return entry

    # -- reading ---------------------------------------------------------------------------

    def get(self, entity_type: type[T], entity_id: str) -> T:
        """The entity with this id; NotFoundError (French) when there is none."""
        return mapping.to_entity(entity_type, self._row(entity_type, entity_id))

    def find(self, entity_type: type[T], **equals: Any) -> list[T]:
        """Entities whose fields equal the given values, in a stable order (date, then id)."""
        row_type = mapping.row_type_for(entity_type)
        allowed = set(mapping.column_fields(entity_type))
        statement = select(row_type)
        for name, value in equals.items():
            if name not in allowed:
                raise TypeError(f"{entity_type.__name__}.{name} ne peut pas servir de filtre.")
            statement = statement.where(getattr(row_type, name) == value)
        order = [getattr(row_type, name) for name in _ORDER_FIELDS.get(entity_type.__name__, ())]
        if entity_type is not LocalProfile:
            order.append(row_type.id)  # type: ignore[attr-defined]
        statement = statement.order_by(*order).options(*_child_loaders(row_type))
        rows = self._session.scalars(statement).all()
        return [mapping.to_entity(entity_type, row) for row in rows]

    def audit_entries(self, patient_id: str) -> list[AuditEntry]:
        return self.find(AuditEntry, patient_id=patient_id)

    def local_profile(self) -> LocalProfile | None:
        row = self._session.get(LocalProfileRow, mapping.LOCAL_PROFILE_SLOT)
        return None if row is None else mapping.to_entity(LocalProfile, row)

    def patient_summaries(
        self, search: str = "", states: set[EscapState] | None = None
    ) -> list[PatientSummary]:
        """The patient list; unread counts are those of the local professional, if set up.

        ``search`` matches every word against names, first names, INS and birth date, ignoring
        case and accents; ``states`` keeps the patients whose current ESCAP is in one of them.
        """
        self._refresh_patient_list()
        return patient_list.patient_summaries(self._session, search=search, states=states)

    # -- internals -------------------------------------------------------------------------

    def _row(self, entity_type: type, entity_id: str) -> Base:
        row_type = mapping.row_type_for(entity_type)
        row: Base | None
        if row_type is AuditEntryRow:
            row = self._session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.id == entity_id)
            ).one_or_none()
        else:
            row = self._session.get(row_type, entity_id, options=_child_loaders(row_type))
        if row is None:
            noun = entity_noun(entity_type.__name__)
            raise NotFoundError(f"{noun} introuvable (identifiant {entity_id}).")
        return row

    def _writer(self) -> str:
        if self.actor_id is None:
            raise RuntimeError(
                "Une unité de travail sans auteur (actor_id None) est en lecture seule."
            )
        return self.actor_id

    def _put_audit_entry(self, entry: AuditEntry) -> None:
        """Audit entries received from elsewhere are stored once, never rewritten."""
        exists = self._session.scalars(
            select(AuditEntryRow.seq).where(AuditEntryRow.id == entry.id)
        ).first()
        if exists is not None:
            return
        row = AuditEntryRow()
        mapping.fill_row(entry, row)
        self._session.add(row)

    def _patient_of(self, entity: object) -> str | None:
        """The patient a record belongs to (rows have the same attribute names as entities)."""
        if isinstance(entity, Patient | PatientRow):
            return entity.id
        patient_id = getattr(entity, "patient_id", None)
        if isinstance(patient_id, str):
            return patient_id
        escap_id = getattr(entity, "escap_id", None)
        if not isinstance(escap_id, str):
            return None
        if escap_id in self._escap_patients:
            return self._escap_patients[escap_id]
        found = self._session.scalars(
            select(EscapRow.patient_id).where(EscapRow.id == escap_id)
        ).first()
        if found is not None:
            self._escap_patients[escap_id] = found
        return found

    def _mark_list_stale(self, record: object) -> None:
        """Note the patient whose list figures ``record`` (an entity or a stored row) moves."""
        if self._list_stale is not None and isinstance(record, _LIST_TYPES + _LIST_ROW_TYPES):
            patient_id = self._patient_of(record)
            if patient_id is not None:
                self._list_stale.add(patient_id)

    def _refresh_patient_list(self) -> None:
        if self._list_stale is None:
            patient_list.refresh(self._session)
        elif self._list_stale:
            patient_list.refresh(self._session, self._list_stale)
        self._list_stale = set()

    def _before_commit(self, hooks: Iterable[CommitHook]) -> None:
        """Hooks first (they may put more), then the list figures of every patient touched."""
        changed = list(self._changed)
        if changed:
            self._session.flush()
            for hook in hooks:
                hook(self, list(changed))
        self._refresh_patient_list()


def _entity_id(entity: object) -> str:
    if isinstance(entity, LocalProfile):
        return entity.professional_id
    return str(entity.id)  # type: ignore[attr-defined]


def _child_loaders(row_type: type[Base]) -> list[Any]:
    if row_type is PatientRow:
        return [selectinload(PatientRow.caregivers), selectinload(PatientRow.other_schemes)]
    if row_type is MessageRow:
        return [selectinload(MessageRow.reads)]
    return []
