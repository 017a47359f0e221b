"""One transaction on the store, speaking in core entities.

Services open one unit of work per use case; every write in it, and the audit entry that goes
with each write, commits together or not at all. Rows never leave this module: callers get
frozen entities back.

Writes are not flushed one by one: the unit of work remembers the rows it added, loaded or
found missing, so a ``put`` needs no flush to know whether its record exists, and SQLAlchemy
writes everything in batches (``insertmanyvalues``) when the unit of work commits or before a
query that must see it. ``put_many`` looks up a whole batch of records in one query per table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, selectinload

from escap_desktop.core.clock import Clock
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

# Primary keys looked up per query by ``put_many`` (below SQLite's bound-parameter limit).
_LOOKUP_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Deletion:
    """Handed to commit hooks, among the changed entities, for a record that was deleted."""

    entity: object


class UnitOfWork:
    """Obtained from ``Store.unit_of_work(actor_id)``; valid only inside its ``with`` block.

    ``actor_id`` None gives a read-only unit of work (before the local profile exists): every
    write must be attributed to someone, so writing in it is a programming error.
    """

    def __init__(self, session: Session, actor_id: str | None, clock: Clock) -> None:
        self._session = session
        self.actor_id = actor_id
        self.clock = clock
        self._changed: list[object] = []
        # Episodes put in this unit of work, so that records added with them find their patient
        # without a flush.
        self._escap_patients: dict[str, str] = {}
        # Patients whose list figures must be recomputed before commit (all of them if None).
        self._list_stale: set[str] | None = set()
        # Entity rows by (row type, primary key) that this unit of work added, loaded or found
        # missing (None): pending rows are invisible to an unflushed query, and knowing them
        # spares the flush and the query a lookup would otherwise cost.
        self._known: dict[tuple[type[Base], object], Base | None] = {}
        # Audit entries received from elsewhere and added here (not flushed yet).
        self._received_audit_ids: set[str] = set()

    @property
    def session(self) -> Session:
        """The SQLAlchemy session, for store-side collaborators only (the sync outbox rows)."""
        return self._session

    # -- writing ---------------------------------------------------------------------------

    def put(
        self,
        entity: T,
        *,
        patient_id: str | None = None,
        kind: AuditKind | None = None,
        summary: str | None = None,
    ) -> T:
        """Insert or update ``entity`` (found by id) and audit it; returns the entity.

        ``summary`` replaces the audit trail's generic phrase (a fixed, non-clinical one, e.g.
        "Consentement modifié par avenant n° 2")."""
        self.put_many((entity,), patient_id=patient_id, kind=kind, summary=summary)
        return entity

    def put_many(
        self,
        entities: Iterable[T],
        *,
        patient_id: str | None = None,
        kind: AuditKind | None = None,
        summary: str | None = None,
    ) -> list[T]:
        """``put`` each entity in order, each with its audit entry, finding the stored ones in
        one query per table instead of one lookup each: for bulk writes (the demo practice).
        The same id twice is created, then updated. Returns the entities."""
        self._writer()
        batch = list(entities)
        keys: dict[type[Base], list[object]] = {}
        for entity in batch:
            if not isinstance(entity, AuditEntry):
                keys.setdefault(mapping.row_type_for(type(entity)), []).append(_row_key(entity))
        for row_type, row_keys in keys.items():
            self._load_rows(row_type, row_keys)
        with self._session.no_autoflush:  # the rows it needs are known: nothing to flush for
            for entity in batch:
                self._put_one(entity, patient_id, kind, summary)
        return batch

    def _put_one(
        self,
        entity: object,
        patient_id: str | None,
        kind: AuditKind | None,
        summary: str | None = None,
    ) -> None:
        if isinstance(entity, AuditEntry):
            self._put_audit_entry(entity)
            return
        row_type = mapping.row_type_for(type(entity))
        key = _row_key(entity)
        row = self._known[(row_type, key)]
        created = row is None
        if isinstance(entity, LocalProfile) and (
            row is None or row.professional_id != entity.professional_id  # type: ignore[attr-defined]
        ):
            self._list_stale = None  # unread counts are the local professional's: redo all
        if row is None:
            row = row_type()
            mapping.fill_row(entity, row)
            self._session.add(row)
            self._known[(row_type, key)] = row
        else:
            self._mark_list_stale(row)  # the patient it belonged to, should that change
            mapping.fill_row(entity, row)
        if isinstance(entity, Escap):
            self._escap_patients[entity.id] = entity.patient_id
        self._mark_list_stale(entity)
        entity_type = type(entity).__name__
        self._write_audit(
            kind or (AuditKind.CREATED if created else AuditKind.UPDATED),
            entity_type,
            _entity_id(entity),
            patient_id or self._patient_of(entity),
            summary,
        )
        self._changed.append(entity)

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
        # Flushed now, so that a record put again with this id later in the unit of work is
        # inserted anew rather than found in the session.
        self._session.flush()
        self._known[(type(row), entity_id)] = None
        self.audit(AuditKind.DELETED, entity_type.__name__, entity_id, patient_id=patient_id)
        self._changed.append(Deletion(entity))

    def audit(
        self,
        kind: AuditKind,
        entity_type: str,
        entity_id: str,
        *,
        patient_id: str | None = None,
        summary: str | None = None,
    ) -> AuditEntry:
        """Write one audit entry (printing, export...) in this transaction; ``summary`` a
        fixed phrase of ``audit_phrases`` in place of the generic one."""
        return self._write_audit(kind, entity_type, entity_id, patient_id, summary)

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
            at=self.clock.now(),
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
        row = self._row(entity_type, entity_id)
        with self._session.no_autoflush:  # its nested rows change only through it
            return mapping.to_entity(entity_type, row)

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

    def latest(self, entity_type: type, field: str, **equals: Any) -> Any:
        """The greatest ``field`` among the entities whose fields equal ``equals`` (None when
        there is none), without loading them: a thread's last instant, not the thread."""
        row_type = mapping.row_type_for(entity_type)
        statement = select(func.max(getattr(row_type, field)))
        for name, value in equals.items():
            statement = statement.where(getattr(row_type, name) == value)
        return self._session.scalar(statement)

    def audit_entries(self, patient_id: str, *, merged: Sequence[str] = ()) -> list[AuditEntry]:
        """The patient's trail, with that of the records ``merged`` into theirs."""
        ids = [patient_id, *merged]
        rows = self._session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.patient_id.in_(ids))
            .order_by(AuditEntryRow.at, AuditEntryRow.seq, AuditEntryRow.id)
        )
        return [mapping.to_entity(AuditEntry, row) for row in rows]

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

    def prefetch(self, entity_type: type, entity_ids: Sequence[str]) -> None:
        """Loads these records in one query per chunk, so that the ``get`` of each afterwards
        costs no query (a pulled page looks up its thousand records at once)."""
        self._load_rows(mapping.row_type_for(entity_type), list(entity_ids))

    def mark_patient_list_stale(self, patient_id: str) -> None:
        """A store-side change made without ``put`` (a merge) moved this patient's figures."""
        if self._list_stale is not None:
            self._list_stale.add(patient_id)

    def forget_patient_rows(self, patient_id: str) -> None:
        """After a store-side change of episodes' patient (a merge): nothing cached is current."""
        self._escap_patients.clear()
        self._known[(PatientRow, patient_id)] = None
        self._session.expire_all()

    # -- internals -------------------------------------------------------------------------

    def _row(self, entity_type: type, entity_id: str) -> Base:
        row_type = mapping.row_type_for(entity_type)
        row: Base | None
        if row_type is AuditEntryRow:
            row = self._session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.id == entity_id)
            ).one_or_none()
        else:
            self._load_rows(row_type, [entity_id])
            row = self._known[(row_type, entity_id)]
        if row is None:
            noun = entity_noun(entity_type.__name__)
            raise NotFoundError(f"{noun} introuvable (identifiant {entity_id}).")
        return row

    def _load_rows(self, row_type: type[Base], keys: Sequence[object]) -> None:
        """Makes ``self._known`` answer for each key: from the session if it holds the row,
        else from one query per chunk of keys (nested rows loaded with them).

        No flush is needed first: a row added by this unit of work is already known, a stored
        row changed here is in the session, and a deletion is flushed when it is made.
        """
        session = self._session
        mapper = inspect(row_type)
        missing: list[object] = []
        for key in dict.fromkeys(keys):
            if (row_type, key) in self._known:
                continue
            held = session.identity_map.get(mapper.identity_key_from_primary_key((key,)))
            if held is not None and not inspect(held).expired:
                self._known[(row_type, key)] = held
            else:
                missing.append(key)
        if not missing:
            return
        loaders = _child_loaders(row_type)
        with session.no_autoflush:
            if len(missing) == 1:  # SQLAlchemy's cached primary-key load is the cheapest
                (key,) = missing
                self._known[(row_type, key)] = session.get(row_type, key, options=loaders)
                return
            column = mapper.primary_key[0]
            attribute = mapper.get_property_by_column(column).key
            for start in range(0, len(missing), _LOOKUP_CHUNK):
                chunk = missing[start : start + _LOOKUP_CHUNK]
                statement = select(row_type).where(column.in_(chunk)).options(*loaders)
                found = {getattr(row, attribute): row for row in session.scalars(statement).all()}
                for key in chunk:
                    self._known[(row_type, key)] = found.get(key)

    def _writer(self) -> str:
        if self.actor_id is None:
            raise RuntimeError(
                "Une unité de travail sans auteur (actor_id None) est en lecture seule."
            )
        return self.actor_id

    def _put_audit_entry(self, entry: AuditEntry) -> None:
        """Audit entries received from elsewhere are stored once, never rewritten."""
        if entry.id in self._received_audit_ids:
            return
        with self._session.no_autoflush:  # those added here are in _received_audit_ids
            exists = self._session.scalars(
                select(AuditEntryRow.seq).where(AuditEntryRow.id == entry.id)
            ).first()
        if exists is not None:
            return
        row = AuditEntryRow()
        mapping.fill_row(entry, row)
        self._session.add(row)
        self._received_audit_ids.add(entry.id)

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
        with self._session.no_autoflush:  # episodes put here are in _escap_patients
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


def _row_key(entity: object) -> object:
    """The primary key of the entity's row: its id, or the local profile's single slot."""
    if isinstance(entity, LocalProfile):
        return mapping.LOCAL_PROFILE_SLOT
    return entity.id  # type: ignore[attr-defined]


def _entity_id(entity: object) -> str:
    if isinstance(entity, LocalProfile):
        return entity.professional_id
    return str(entity.id)  # type: ignore[attr-defined]


_CHILD_LOADERS: dict[type[Base], list[Any]] = {
    PatientRow: [selectinload(PatientRow.caregivers), selectinload(PatientRow.other_schemes)],
    MessageRow: [selectinload(MessageRow.reads)],
}


def _child_loaders(row_type: type[Base]) -> list[Any]:
    return _CHILD_LOADERS.get(row_type, [])
