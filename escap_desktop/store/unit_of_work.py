"""One transaction on the store, speaking in core entities.

Services open one unit of work per use case; every write in it, and the audit entry that goes
with each write, commits together or not at all. Rows never leave this module: callers get
frozen entities back.

Writes are not made one by one. A ``put`` is queued; the queue is worked through when the
unit of work next reads or commits, looking up the records it names in one query per table
(``put_many`` too), and the unit of work remembers the rows it added, loaded or found missing,
so that a record put twice is looked up once. A new record becomes no ORM object: its rows, and
every audit entry, are kept as values and inserted with one ``executemany`` per table before
the next statement the session runs with autoflush on (as SQLAlchemy flushes its own pending
objects), before commit, and whenever a collaborator takes the session. Stored records that
change are updated through their loaded rows, as before.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, event, func, inspect, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import ORMExecuteState, Session, selectinload

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
from escap_desktop.store.driver import Driver, driver
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
_LIST_ROW_TYPES_AND_TYPES = _LIST_TYPES + _LIST_ROW_TYPES

_AUDIT_IS_APPEND_ONLY = "Le journal d'audit ne peut être ni modifié ni effacé."

# Primary keys looked up per query by ``put_many`` (below SQLite's bound-parameter limit).
_LOOKUP_CHUNK = 500

# Tables in foreign-key order: parents (patient, message) inserted before their nested rows.
_TABLE_ORDER: dict[object, int] = {
    table: position for position, table in enumerate(Base.metadata.sorted_tables)
}


class UnitOfWorkSession(Session):
    """The session of a unit of work: at each flush (autoflush before a query included) and
    before each statement it runs with autoflush on, the unit of work first writes what it
    holds back (queued puts, new rows, audit entries), so nothing that sees SQLAlchemy's own
    pending objects can miss one of its writes."""

    write_pending: Callable[[], None] | None = None

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        if self.write_pending is not None:
            self.write_pending()
        super().flush(objects)


@event.listens_for(UnitOfWorkSession, "do_orm_execute")
def _write_pending(state: ORMExecuteState) -> None:
    session = state.session
    if session.autoflush and isinstance(session, UnitOfWorkSession) and session.write_pending:
        session.write_pending()


@dataclass(slots=True)
class _New:
    """In ``UnitOfWork._known``: a record this unit of work creates, not inserted yet."""

    entity: object


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs several times more
class _Put:
    """A queued put (one per record written: a bulk write makes tens of thousands)."""

    entity: object
    row_type: type[Base] | None  # None for an audit entry received from elsewhere
    key: object
    patient_id: str | None
    kind: AuditKind | None
    summary: str | None
    new: bool  # the caller vouches that the record is new: no lookup


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
        # Entity rows by (row type, primary key) that this unit of work loaded, found missing
        # (None) or creates (_New, until inserted): knowing them spares the lookup a put would
        # otherwise cost.
        self._known: dict[tuple[type[Base], object], Base | _New | None] = {}
        # Puts not worked through yet, in order.
        self._queue: list[_Put] = []
        # New records to insert, in the order they were first put (the latest version of each).
        self._inserts: dict[tuple[type[Base], object], object] = {}
        # Audit entries to insert, in writing order (each as its row's values).
        self._audits: list[tuple[Any, ...]] = []
        self._writing = False
        # Patients whose only list-relevant change is new messages, with their authors: their
        # figures stand if every author is the local professional (see _refresh_patient_list).
        self._new_message_authors: dict[str, set[str]] = {}
        # Records this unit of work created (they were not stored when it began).
        self._created: set[tuple[type[Base], object]] = set()
        # Audit entries received from elsewhere and added here (not inserted yet).
        self._received_audit_ids: set[str] = set()
        # Entities ``get`` read with Core (their rows not loaded), by (row type, id): read
        # again by the next ``get`` (an episode, its author: the post, the access check and
        # the outbox each ask) until this unit of work writes or deletes the record.
        self._read: dict[tuple[type[Base], object], object] = {}
        if isinstance(session, UnitOfWorkSession):
            session.write_pending = self._write_pending
        else:
            event.listen(session, "do_orm_execute", self._before_statement)

    @property
    def session(self) -> Session:
        """The SQLAlchemy session, for store-side collaborators only (the sync outbox rows);
        everything put so far is written first, so it sees every write of this unit of work."""
        self._write_pending()
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
        batch = list(entities)
        self._enqueue(batch, patient_id, kind, summary, new=False)
        return batch

    def add(
        self,
        entity: T,
        *,
        patient_id: str | None = None,
        summary: str | None = None,
    ) -> T:
        """``put`` of a record the caller has just made (a fresh id): inserted without looking
        it up first; should its id exist after all, the commit fails (IntegrityError)."""
        self._enqueue((entity,), patient_id, None, summary, new=True)
        return entity

    def add_many(
        self,
        entities: Iterable[T],
        *,
        patient_id: str | None = None,
        summary: str | None = None,
    ) -> list[T]:
        """``add`` of each entity in order: records the caller has just made, none of them
        stored yet (the demo practice's thousands), so no query looks them up. The same id
        twice is created, then updated, as with ``put_many``; an id that is stored after all
        fails the commit (IntegrityError). Returns the entities."""
        batch = list(entities)
        self._enqueue(batch, patient_id, None, summary, new=True)
        return batch

    def _enqueue(
        self,
        entities: Sequence[object],
        patient_id: str | None,
        kind: AuditKind | None,
        summary: str | None,
        *,
        new: bool,
    ) -> None:
        self._writer()
        queue = self._queue
        for entity in entities:
            if isinstance(entity, AuditEntry):
                queue.append(_Put(entity, None, entity.id, None, None, None, False))
            else:
                row_type = mapping.row_type_for(type(entity))
                key = _row_key(entity)
                queue.append(_Put(entity, row_type, key, patient_id, kind, summary, new))

    def _work_through_queue(self) -> None:
        """The queued puts, in order: the records they name looked up in one query per table
        (and per 500), then each one written and audited."""
        if not self._queue:
            return
        queue, self._queue = self._queue, []
        keys: dict[type[Base], list[object]] = {}
        for put in queue:
            if put.row_type is not None and not put.new:
                keys.setdefault(put.row_type, []).append(put.key)
        for row_type, row_keys in keys.items():
            self._load_rows(row_type, row_keys)
        known = self._known
        for put in queue:
            if put.new and put.row_type is not None:
                known.setdefault((put.row_type, put.key), None)
        with self._session.no_autoflush:  # the rows it needs are known: nothing to flush for
            for put in queue:
                if put.row_type is None:
                    self._put_audit_entry(put.entity)  # type: ignore[arg-type]
                else:
                    self._put_one(put)

    def _put_one(self, put: _Put) -> None:
        entity, row_type, key = put.entity, put.row_type, put.key
        assert row_type is not None
        self._read.pop((row_type, key), None)
        held = self._known[(row_type, key)]
        created = held is None
        if isinstance(entity, LocalProfile) and (
            held is None or _professional_of(held) != entity.professional_id
        ):
            self._list_stale = None  # unread counts are the local professional's: redo all
        if held is None:
            self._known[(row_type, key)] = _New(entity)
            self._inserts[(row_type, key)] = entity
            self._created.add((row_type, key))
        elif isinstance(held, _New):
            self._mark_list_stale(held.entity)  # the patient it belonged to, should that change
            held.entity = entity
            self._inserts[(row_type, key)] = entity
        else:
            self._mark_list_stale(held)  # the patient it belonged to, should that change
            mapping.fill_row(entity, held)
        if isinstance(entity, Escap):
            self._escap_patients[entity.id] = entity.patient_id
        # The record's patient, found once: the list figures and the audit entry both need it.
        patient_id = self._patient_of(entity)
        if patient_id is not None and isinstance(entity, _LIST_TYPES):
            if created and isinstance(entity, Message):
                self._note_new_message(entity, patient_id)
            elif self._list_stale is not None:
                self._list_stale.add(patient_id)
        kind = put.kind or (AuditKind.CREATED if created else AuditKind.UPDATED)
        entity_type = type(entity).__name__
        # The audit row made directly (no AuditEntry object: nobody reads it back here).
        self._audits.append(
            (
                new_id(),
                self.clock.now(),
                self._writer(),
                kind,
                entity_type,
                _entity_id(entity),
                put.patient_id or patient_id,
                put.summary or _summary(kind, entity_type),
            )
        )
        self._changed.append(entity)

    def delete(self, entity_type: type, entity_id: str) -> None:
        """Delete a record (its nested caregivers or readers go with it), audited."""
        self._writer()
        if entity_type is AuditEntry:
            raise StoreError(_AUDIT_IS_APPEND_ONLY)
        self._write_pending()  # a record created here is deleted from its inserted row
        row = self._row(entity_type, entity_id)
        entity = mapping.to_entity(entity_type, row)
        patient_id = self._patient_of(entity)
        self._mark_list_stale(entity)
        self._session.delete(row)
        # Flushed now, so that a record put again with this id later in the unit of work is
        # inserted anew rather than found in the session.
        self._session.flush()
        self._known[(type(row), entity_id)] = None
        self._read.pop((type(row), entity_id), None)
        self._created.discard((type(row), entity_id))
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
        self._work_through_queue()  # the trail keeps the order things were done in
        return self._write_audit(kind, entity_type, entity_id, patient_id, summary)

    def record_view(self, patient_id: str) -> None:
        """Opening a patient's record is itself traced (who looked at whom, and when)."""
        self._work_through_queue()
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
        self._audits.append(mapping.audit_row(entry))
        return entry

    # -- reading ---------------------------------------------------------------------------

    def get(self, entity_type: type[T], entity_id: str) -> T:
        """The entity with this id; NotFoundError (French) when there is none."""
        self._work_through_queue()
        row_type = mapping.row_type_for(entity_type)
        if row_type is not AuditEntryRow:
            key = (row_type, entity_id)
            if key not in self._known and row_type in _CORE_GET:
                if key in self._read:
                    return self._read[key]  # type: ignore[return-value]
                found = self._core_get(entity_type, row_type, entity_id)
                if found is not None:
                    self._read[key] = found
                    return found
            self._load_rows(row_type, [entity_id])
            held = self._known[key]
            if isinstance(held, _New):
                return held.entity  # type: ignore[return-value]
        row = self._row(entity_type, entity_id)
        with self._session.no_autoflush:  # its nested rows change only through it
            return mapping.to_entity(entity_type, row)

    def _core_get(self, entity_type: type[T], row_type: type[Base], entity_id: str) -> T | None:
        """``get`` of a record this unit of work has not loaded, read with Core, less than
        half the ORM's cost (a post reads its episode and its author this way): the entity is
        all the caller gets. None when the session holds the row (it may have changed here:
        the ORM path reads it). No flush first, for the reasons ``_load_rows`` gives; a
        missing record is remembered as such, as ``_load_rows`` would. A later ``put`` of the
        record looks its row up as for any record not loaded."""
        session = self._session
        mapper = inspect(row_type)
        if session.identity_map.get(mapper.identity_key_from_primary_key((entity_id,))):
            return None
        statement, primary_key = _CORE_GET[row_type]
        raw = driver(session)
        query = _driver_query(("get", row_type), statement, raw.dialect)
        if query is None:
            row = session.connection().execute(statement, {primary_key: entity_id}).first()
        else:
            rows = query.rows(raw, {primary_key: entity_id})
            row = rows[0] if rows else None
        if row is None:
            self._known[(row_type, entity_id)] = None
            noun = entity_noun(entity_type.__name__)
            raise NotFoundError(f"{noun} introuvable (identifiant {entity_id}).")
        entity: T = mapping.to_entity(entity_type, row)
        if isinstance(entity, Escap):  # its records' patient, known without a query
            self._escap_patients[entity.id] = entity.patient_id
        return entity

    def find(self, entity_type: type[T], **equals: Any) -> list[T]:
        """Entities whose fields equal the given values, in a stable order (date, then id)."""
        self._write_pending()
        with_none = any(value is None for value in equals.values())
        row_type = mapping.row_type_for(entity_type)
        if self._session.autoflush and row_type not in _CHILD_LOADERS:
            # Rows without nested rows are read with Core, a third of the ORM's cost: the
            # entity is all the caller gets, and the session (held weakly) would drop the
            # loaded rows at once anyway. Flushed first, as the ORM's select would be.
            self._session.flush()
            core = _core_find_statement(entity_type, tuple(equals), equals if with_none else None)
            raw = driver(self._session)
            query = (
                None
                if with_none
                else _driver_query(("find", entity_type, tuple(equals)), core, raw.dialect)
            )
            result = (
                self._session.connection().execute(core, None if with_none else _bound(equals))
                if query is None
                else query.rows(raw, _bound(equals))
            )
            return [mapping.to_entity(entity_type, row) for row in result]
        if with_none:
            statement = _find_statement(entity_type, tuple(equals), equals)
            rows = self._session.scalars(statement).all()
        else:
            statement = _find_statement(entity_type, tuple(equals))
            rows = self._session.scalars(statement, _bound(equals)).all()
        return [mapping.to_entity(entity_type, row) for row in rows]

    def latest(self, entity_type: type, field: str, **equals: Any) -> Any:
        """The greatest ``field`` among the entities whose fields equal ``equals`` (None when
        there is none), without loading them: a thread's last instant, not the thread."""
        self._session.flush()  # what this unit of work wrote counts (pending rows included)
        if any(value is None for value in equals.values()):
            statement = _latest_statement(entity_type, field, tuple(equals), equals)
            return self._session.connection().execute(statement).scalar()
        statement = _latest_statement(entity_type, field, tuple(equals))
        key = ("latest", entity_type, field, tuple(equals))
        raw = driver(self._session)
        query = _driver_query(key, statement, raw.dialect)
        if query is None:
            return self._session.connection().execute(statement, _bound(equals)).scalar()
        rows = query.rows(raw, _bound(equals))
        return rows[0][0] if rows else None

    def audit_entries(self, patient_id: str, *, merged: Sequence[str] = ()) -> list[AuditEntry]:
        """The patient's trail, with that of the records ``merged`` into theirs."""
        self._write_pending()
        ids = [patient_id, *merged]
        rows = self._session.scalars(
            select(AuditEntryRow)
            .where(AuditEntryRow.patient_id.in_(ids))
            .order_by(AuditEntryRow.at, AuditEntryRow.seq, AuditEntryRow.id)
        )
        return [mapping.to_entity(AuditEntry, row) for row in rows]

    def local_profile(self) -> LocalProfile | None:
        self._work_through_queue()
        held = self._known.get((LocalProfileRow, mapping.LOCAL_PROFILE_SLOT))
        if isinstance(held, _New):
            return held.entity  # type: ignore[return-value]
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
        costs no query (a pulled page looks up its thousand records at once); those ``get``
        has already read are not read again."""
        row_type = mapping.row_type_for(entity_type)
        self._load_rows(row_type, [i for i in entity_ids if (row_type, i) not in self._read])

    def created(self, entity_type: type, entity_id: str) -> bool:
        """Whether this unit of work created that record: it was not stored when it began
        (so nothing else in the store can describe it yet, e.g. its sync clocks)."""
        self._work_through_queue()
        return (mapping.row_type_for(entity_type), entity_id) in self._created

    def mark_patient_list_stale(self, patient_id: str) -> None:
        """A store-side change made without ``put`` (a merge) moved this patient's figures."""
        if self._list_stale is not None:
            self._list_stale.add(patient_id)

    def forget_patient_rows(self, patient_id: str) -> None:
        """After a store-side change of episodes' patient (a merge): nothing cached is current."""
        self._escap_patients.clear()
        self._read.clear()
        self._known[(PatientRow, patient_id)] = None
        self._session.expire_all()

    # -- internals -------------------------------------------------------------------------

    def _row(self, entity_type: type, entity_id: str) -> Base:
        row_type = mapping.row_type_for(entity_type)
        row: Base | _New | None
        if row_type is AuditEntryRow:
            self._write_pending()
            row = self._session.scalars(
                select(AuditEntryRow).where(AuditEntryRow.id == entity_id)
            ).one_or_none()
        else:
            self._load_rows(row_type, [entity_id])
            row = self._known[(row_type, entity_id)]
            assert not isinstance(row, _New)  # callers write pending records first
        if row is None:
            noun = entity_noun(entity_type.__name__)
            raise NotFoundError(f"{noun} introuvable (identifiant {entity_id}).")
        return row

    def _load_rows(self, row_type: type[Base], keys: Sequence[object]) -> None:
        """Makes ``self._known`` answer for each key: from the session if it holds the row,
        else from one query per chunk of keys (nested rows loaded with them).

        No flush is needed first: a record created by this unit of work is already known, a
        stored row changed here is in the session, and a deletion is flushed when it is made.
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
        self._audits.append(mapping.audit_row(entry))
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
        held = self._known.get((EscapRow, escap_id))
        found: str | None
        with self._session.no_autoflush:  # episodes put here are in _escap_patients
            if isinstance(held, EscapRow):  # loaded here: its row knows (a new one is above)
                found = held.patient_id
            else:
                found = self._session.scalars(
                    select(EscapRow.patient_id).where(EscapRow.id == escap_id)
                ).first()
        if found is not None:
            self._escap_patients[escap_id] = found
        return found

    def _mark_list_stale(self, record: object) -> None:
        """Note the patient whose list figures ``record`` (an entity or a stored row) moves."""
        if self._list_stale is not None and isinstance(record, _LIST_ROW_TYPES_AND_TYPES):
            patient_id = self._patient_of(record)
            if patient_id is not None:
                self._list_stale.add(patient_id)

    def _note_new_message(self, message: Message, patient_id: str) -> None:
        if self._list_stale is not None:
            authors = self._new_message_authors.get(patient_id)
            if authors is None:
                self._new_message_authors[patient_id] = {message.author_id}
            else:
                authors.add(message.author_id)

    def _refresh_patient_list(self) -> None:
        """The figures of the patients touched, recomputed.

        A new message moves no figure when its author is the local professional: unread counts
        are the local professional's and never count their own messages (and are all zero
        without a local profile), so a message posted here spares the recomputation."""
        self._write_pending()
        authors, self._new_message_authors = self._new_message_authors, {}
        if self._list_stale is not None:
            pending = {pid: who for pid, who in authors.items() if pid not in self._list_stale}
            if pending:
                me = driver(self._session).scalar(
                    "SELECT professional_id FROM local_profile WHERE slot = ?",
                    (mapping.LOCAL_PROFILE_SLOT,),
                )
                if me is not None:
                    self._list_stale.update(pid for pid, who in pending.items() if who != {me})
        if self._list_stale is None:
            patient_list.refresh(self._session)
        elif self._list_stale:
            patient_list.refresh(self._session, self._list_stale)
        self._list_stale = set()

    def _before_commit(self, hooks: Iterable[CommitHook]) -> None:
        """Hooks first (they may put more), then the list figures of every patient touched."""
        self._write_pending()
        changed = list(self._changed)
        if changed:
            self._session.flush()
            for hook in hooks:
                hook(self, list(changed))
        self._refresh_patient_list()  # writes what the hooks put, then the figures

    def _write_pending(self) -> None:
        """The queued puts worked through, then every new row and audit entry inserted: one
        ``executemany`` per table, parents first, values converted by their column types."""
        if self._writing:
            return
        self._writing = True
        try:
            self._work_through_queue()
            if not self._inserts and not self._audits:
                return
            rows: dict[type[Base], list[tuple[Any, ...]]] = {}
            for key, entity in self._inserts.items():
                for row_type, row in mapping.new_rows(entity):
                    rows.setdefault(row_type, []).append(row)
                # Stored from now on: a later put of it updates the row it loads.
                del self._known[key]
            if self._audits:
                rows[AuditEntryRow] = self._audits
            self._inserts = {}
            self._audits = []
            raw = driver(self._session)
            for row_type in sorted(rows, key=lambda kind: _TABLE_ORDER[kind.__table__]):
                plan = mapping.insert_plan(row_type, raw.dialect)
                try:
                    converted = plan.convert(rows[row_type])
                except (TypeError, ValueError) as error:  # as SQLAlchemy reports a bad value
                    raise StatementError(str(error), plan.sql, None, error) from error
                raw.executemany(plan.sql, converted)
        finally:
            self._writing = False

    def _before_statement(self, state: ORMExecuteState) -> None:
        """For a plain ``Session``: what ``UnitOfWorkSession`` does for its unit of work."""
        if state.session.autoflush:
            self._write_pending()


_SUMMARIES: dict[tuple[AuditKind, str], str] = {}


def _summary(kind: AuditKind, entity_type: str) -> str:
    """``audit_summary``, each phrase made once: every put writes one."""
    phrase = _SUMMARIES.get((kind, entity_type))
    if phrase is None:
        phrase = _SUMMARIES[(kind, entity_type)] = audit_summary(kind, entity_type)
    return phrase


def _row_key(entity: object) -> object:
    """The primary key of the entity's row: its id, or the local profile's single slot."""
    if isinstance(entity, LocalProfile):
        return mapping.LOCAL_PROFILE_SLOT
    return entity.id  # type: ignore[attr-defined]


def _professional_of(held: Base | _New) -> str:
    """The local professional of a stored local profile row, or of one being created."""
    profile = held.entity if isinstance(held, _New) else held
    return str(profile.professional_id)  # type: ignore[attr-defined]


def _entity_id(entity: object) -> str:
    if isinstance(entity, LocalProfile):
        return entity.professional_id
    return str(entity.id)  # type: ignore[attr-defined]


# Statements of ``find`` and ``latest`` by entity type and filtered fields, with bound
# parameters: built once (building one costs more than running it for a few rows).
_FIND: dict[tuple[type, tuple[str, ...]], Any] = {}
_LATEST: dict[tuple[type, str, tuple[str, ...]], Any] = {}


def _bound(equals: dict[str, Any]) -> dict[str, Any]:
    return {f"equals_{name}": value for name, value in equals.items()}


def _filters(
    entity_type: type,
    names: tuple[str, ...],
    values: dict[str, Any] | None,
    columns: Any = None,
) -> list[Any]:
    """``field == value`` per name: the value itself when given (None compares with IS NULL),
    else a bound parameter typed by its column; on the row type's attributes, or on
    ``columns`` (a table's, for a Core statement)."""
    source = mapping.row_type_for(entity_type) if columns is None else columns
    allowed = mapping.column_fields(entity_type)
    conditions = []
    for name in names:
        if name not in allowed:
            raise TypeError(f"{entity_type.__name__}.{name} ne peut pas servir de filtre.")
        column = getattr(source, name)
        value = values[name] if values is not None else bindparam(f"equals_{name}")
        conditions.append(column == value)
    return conditions


def _find_statement(
    entity_type: type, names: tuple[str, ...], values: dict[str, Any] | None = None
) -> Any:
    key = (entity_type, names)
    statement = _FIND.get(key) if values is None else None
    if statement is None:
        row_type = mapping.row_type_for(entity_type)
        order = [getattr(row_type, name) for name in _ORDER_FIELDS.get(entity_type.__name__, ())]
        if entity_type is not LocalProfile:
            order.append(row_type.id)  # type: ignore[attr-defined]
        statement = (
            select(row_type)
            .where(*_filters(entity_type, names, values))
            .order_by(*order)
            .options(*_child_loaders(row_type))
        )
        if values is None:
            _FIND[key] = statement
    return statement


_CORE_FIND: dict[tuple[type, tuple[str, ...]], Any] = {}


def _core_find_statement(
    entity_type: type, names: tuple[str, ...], values: dict[str, Any] | None = None
) -> Any:
    """``_find_statement`` on the table's columns, for rows without nested rows."""
    key = (entity_type, names)
    statement = _CORE_FIND.get(key) if values is None else None
    if statement is None:
        table: Any = mapping.row_type_for(entity_type).__table__
        order = [table.c[name] for name in _ORDER_FIELDS.get(entity_type.__name__, ())]
        if entity_type is not LocalProfile:
            order.append(table.c.id)
        conditions = _filters(entity_type, names, values, table.c)
        statement = select(table).where(*conditions).order_by(*order)
        if values is None:
            _CORE_FIND[key] = statement
    return statement


def _latest_statement(
    entity_type: type, field: str, names: tuple[str, ...], values: dict[str, Any] | None = None
) -> Any:
    key = (entity_type, field, names)
    statement = _LATEST.get(key) if values is None else None
    if statement is None:
        table: Any = mapping.row_type_for(entity_type).__table__
        statement = select(func.max(table.c[field])).where(
            *_filters(entity_type, names, values, table.c)
        )
        if values is None:
            _LATEST[key] = statement
    return statement


@dataclass(frozen=True, slots=True)
class _DriverQuery:
    """A Core ``SELECT`` compiled once to the driver's SQL, with each bound parameter's and
    each column's conversion by its type: run by the transaction's driver (``store/driver.py``),
    a fraction of the cost of executing the Core statement (which looks its compiled form up
    in the cache, builds an execution context and a result), for the reads every use case
    makes (an episode, the access check's consent and membership, a thread's last instant).
    The engine's events and SQLAlchemy's error translation are the same."""

    sql: str
    parameters: tuple[tuple[str, Callable[[Any], Any] | None], ...]
    converters: tuple[Callable[[Any], Any] | None, ...]
    row: Any  # a named tuple of the selected columns, read by attribute as a Core row is

    def rows(self, raw: Driver, values: dict[str, Any]) -> list[Any]:
        bound = tuple(
            value if convert is None or value is None else convert(value)
            for convert, value in ((convert, values[name]) for name, convert in self.parameters)
        )
        make = self.row._make
        converters = self.converters
        return [
            make(
                value if convert is None or value is None else convert(value)
                for convert, value in zip(converters, found, strict=True)
            )
            for found in raw.execute(self.sql, bound)
        ]


_DRIVER_QUERIES: dict[tuple[Any, ...], _DriverQuery | None] = {}


def _driver_query(key: tuple[Any, ...], statement: Any, dialect: Any) -> _DriverQuery | None:
    """``statement``'s ``_DriverQuery`` for this dialect, built once per ``key``; None when
    the dialect binds by name, or a parameter or a column cannot be handled so (expanding
    ``IN`` lists, unnamed columns beyond one): the caller then executes the statement."""
    cache_key = (*key, type(dialect), dialect.paramstyle)
    if cache_key in _DRIVER_QUERIES:
        return _DRIVER_QUERIES[cache_key]
    query: _DriverQuery | None = None
    compiled = statement.compile(dialect=dialect)
    positions = compiled.positiontup
    columns = list(statement.selected_columns)
    names = [column.key or f"value_{n}" for n, column in enumerate(columns)]
    if (
        compiled.positional
        and positions is not None
        and all(not compiled.binds[name].expanding for name in positions)
        and len(set(names)) == len(names)
        and all(name.isidentifier() and not name.startswith("_") for name in names)
    ):
        query = _DriverQuery(
            sql=str(compiled),
            parameters=tuple(
                (name, _bind_processor(compiled.binds[name].type, dialect)) for name in positions
            ),
            converters=tuple(_result_processor(column.type, dialect) for column in columns),
            row=collections.namedtuple("DriverRow", names),
        )
    _DRIVER_QUERIES[cache_key] = query
    return query


def _bind_processor(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a parameter of this type on this dialect (its
    dialect-specific implementation's, as a compiled statement's execution uses)."""
    return kind.dialect_impl(dialect).bind_processor(dialect)


def _result_processor(kind: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The conversion SQLAlchemy applies to a column of this type read on this dialect (a
    date stored as text comes back a ``date``)."""
    return kind.dialect_impl(dialect).result_processor(dialect, None)


def _core_gets() -> dict[type[Base], tuple[Any, str]]:
    """``SELECT <its columns> WHERE id = :id`` per record table read by ``_core_get``, built
    once: those whose id is their one primary key and that have no nested rows (a patient's
    caregivers, a message's readers need their ORM row)."""
    statements: dict[type[Base], tuple[Any, str]] = {}
    for row_type in mapping.ROW_TYPES.values():
        table: Any = row_type.__table__
        keys = list(table.primary_key.columns)
        if row_type in (PatientRow, MessageRow, AuditEntryRow, LocalProfileRow) or [
            column.name for column in keys
        ] != ["id"]:
            continue
        statements[row_type] = (select(table).where(table.c.id == bindparam("get_id")), "get_id")
    return statements


_CORE_GET = _core_gets()

_CHILD_LOADERS: dict[type[Base], list[Any]] = {
    PatientRow: [selectinload(PatientRow.caregivers), selectinload(PatientRow.other_schemes)],
    MessageRow: [selectinload(MessageRow.reads)],
}


def _child_loaders(row_type: type[Base]) -> list[Any]:
    return _CHILD_LOADERS.get(row_type, [])
