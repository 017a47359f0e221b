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


@dataclass(frozen=True, slots=True)
class _Put:
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
        if created and isinstance(entity, Message):
            self._note_new_message(entity)
        else:
            self._mark_list_stale(entity)
        entity_type = type(entity).__name__
        self._write_audit(
            put.kind or (AuditKind.CREATED if created else AuditKind.UPDATED),
            entity_type,
            _entity_id(entity),
            put.patient_id or self._patient_of(entity),
            put.summary,
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
            self._load_rows(row_type, [entity_id])
            held = self._known[(row_type, entity_id)]
            if isinstance(held, _New):
                return held.entity  # type: ignore[return-value]
        row = self._row(entity_type, entity_id)
        with self._session.no_autoflush:  # its nested rows change only through it
            return mapping.to_entity(entity_type, row)

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
            result = self._session.connection().execute(core, None if with_none else _bound(equals))
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
        connection = self._session.connection()
        if any(value is None for value in equals.values()):
            statement = _latest_statement(entity_type, field, tuple(equals), equals)
            return connection.execute(statement).scalar()
        statement = _latest_statement(entity_type, field, tuple(equals))
        return connection.execute(statement, _bound(equals)).scalar()

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
        costs no query (a pulled page looks up its thousand records at once)."""
        self._load_rows(mapping.row_type_for(entity_type), list(entity_ids))

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

    def _note_new_message(self, message: Message) -> None:
        if self._list_stale is not None:
            patient_id = self._patient_of(message)
            if patient_id is not None:
                self._new_message_authors.setdefault(patient_id, set()).add(message.author_id)

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
                me = (
                    self._session.connection()
                    .exec_driver_sql(
                        "SELECT professional_id FROM local_profile WHERE slot = ?",
                        (mapping.LOCAL_PROFILE_SLOT,),
                    )
                    .scalar()
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
            connection = self._session.connection()
            dialect = connection.dialect
            for row_type in sorted(rows, key=lambda kind: _TABLE_ORDER[kind.__table__]):
                plan = mapping.insert_plan(row_type, dialect)
                try:
                    converted = plan.convert(rows[row_type])
                except (TypeError, ValueError) as error:  # as SQLAlchemy reports a bad value
                    raise StatementError(str(error), plan.sql, None, error) from error
                connection.exec_driver_sql(plan.sql, converted)
        finally:
            self._writing = False

    def _before_statement(self, state: ORMExecuteState) -> None:
        """For a plain ``Session``: what ``UnitOfWorkSession`` does for its unit of work."""
        if state.session.autoflush:
            self._write_pending()


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


_CHILD_LOADERS: dict[type[Base], list[Any]] = {
    PatientRow: [selectinload(PatientRow.caregivers), selectinload(PatientRow.other_schemes)],
    MessageRow: [selectinload(MessageRow.reads)],
}


def _child_loaders(row_type: type[Base]) -> list[Any]:
    return _CHILD_LOADERS.get(row_type, [])
