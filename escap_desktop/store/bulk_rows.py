"""New records received from a team, inserted in one statement per table.

``UnitOfWork.put`` maps, tracks and audits one record at a time through the ORM, which costs
about five ORM objects a record (the row, its readers, its audit entry, and the sync module's
clock and replay-guard rows). A pulled page of a team's history is mostly new append-only
records (messages, events, billing records, assessments) that nothing else in the page reads
back: their rows and their audit entries are queued here and written with one ``executemany``
per table, in the caller's unit of work (all or nothing, as before), each value converted by
its column's own type — what the ORM would have written, row for row.

Like ``patient_bulk``, rows written here are not handed to the commit hooks (the outbox ignores
received records anyway); the patient list figures they move are marked stale, as ``put`` does.
The caller must not ``get``/``put`` these records again in the same unit of work: the unit of
work does not know them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from escap_desktop.core.entities import AuditEntry, AuditKind, Escap, Message, new_id
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import mapping
from escap_desktop.store.audit_phrases import audit_summary
from escap_desktop.store.models import AuditEntryRow, Base, MessageReadRow
from escap_desktop.store.unit_of_work import UnitOfWork


def _table(row_type: type[Base]) -> Table:
    table = row_type.__table__
    assert isinstance(table, Table)
    return table


_READERS = _table(MessageReadRow)
_AUDIT = _table(AuditEntryRow)

_Converter = Callable[[Any], Any] | None


class _TableWriter:
    """Rows of one table, as tuples of values already converted for the driver."""

    def __init__(self, connection: Connection, table: Table, names: Sequence[str]) -> None:
        dialect = connection.dialect
        self.table = table
        self.names = tuple(names)
        converters: list[_Converter] = [
            table.c[name].type.bind_processor(dialect) for name in self.names
        ]
        self._converters = [
            (index, convert) for index, convert in enumerate(converters) if convert is not None
        ]
        quoted = ", ".join(f'"{name}"' for name in self.names)
        marks = ", ".join("?" for _ in self.names)
        self._statement = f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})'
        self.rows: list[tuple[Any, ...]] = []

    def add(self, values: list[Any]) -> None:
        """One row; each value through its column's converter, None included, as SQLAlchemy
        does (``values`` is changed in place)."""
        for index, convert in self._converters:
            values[index] = convert(values[index])
        self.rows.append(tuple(values))

    def write(self, connection: Connection) -> None:
        if self.rows:
            connection.exec_driver_sql(self._statement, self.rows)
            self.rows = []


def _column_names(row_type: type[Base], fields: Sequence[str]) -> list[str]:
    """The column behind each entity field (columns carry the field names, checked here)."""
    mapper = inspect(row_type)
    names = []
    for name in fields:
        columns = mapper.get_property(name).columns
        names.append(columns[0].name)
    return names


class ReceivedRows:
    """Queues new records received from a team, then writes them all with :meth:`write`."""

    SUPPORTED = frozenset(
        entity_type
        for entity_type in mapping.ROW_TYPES
        if entity_type.__name__ in {"Message", "Event", "BillingRecord", "GridAssessment"}
    )
    """Entity types without child rows (a message's readers excepted)."""

    def __init__(self, uow: UnitOfWork, kind: AuditKind = AuditKind.RECEIVED) -> None:
        actor = uow.actor_id
        if actor is None:
            raise RuntimeError(
                "Une unité de travail sans auteur (actor_id None) est en lecture seule."
            )
        self._uow = uow
        self._actor = actor
        self._kind = kind
        self._writers: dict[type, _TableWriter] = {}
        self._fields: dict[type, tuple[str, ...]] = {}
        self._readers: _TableWriter | None = None
        self._audit: _TableWriter | None = None
        self._audit_fields = tuple(mapping.column_fields(AuditEntry))
        self._summaries: dict[str, str] = {}
        self._escap_patients: dict[str, str | None] = {}
        self._patients: set[str] = set()

    def __len__(self) -> int:
        return sum(len(writer.rows) for writer in self._writers.values())

    def add(self, entity: Any) -> None:
        """Queues ``entity`` (a new record of a supported type) and its audit entry."""
        entity_type = type(entity)
        if entity_type not in self.SUPPORTED:
            raise TypeError(f"{entity_type.__name__} : écriture groupée non prise en charge.")
        writer = self._writers.get(entity_type)
        if writer is None:
            connection = self._uow.session.connection()
            row_type = mapping.row_type_for(entity_type)
            fields = tuple(mapping.column_fields(entity_type))
            writer = _TableWriter(connection, _table(row_type), _column_names(row_type, fields))
            self._writers[entity_type] = writer
            self._fields[entity_type] = fields
        writer.add([getattr(entity, name) for name in self._fields[entity_type]])
        if isinstance(entity, Message):
            if self._readers is None:
                self._readers = _TableWriter(
                    self._uow.session.connection(),
                    _READERS,
                    _column_names(MessageReadRow, _READ_FIELDS),
                )
            for reader in sorted(entity.read_by):  # as the ORM adds them
                self._readers.add([entity.id, reader])
        patient_id = self._patient_of(entity)
        if patient_id is not None:
            self._patients.add(patient_id)
        name = entity_type.__name__
        summary = self._summaries.get(name)
        if summary is None:
            summary = self._summaries[name] = audit_summary(self._kind, name)
        # The fields of the AuditEntry that ``UnitOfWork.put`` writes, without the entity.
        entry = {
            "at": self._uow.clock.now(),
            "actor_id": self._actor,
            "kind": self._kind,
            "entity_type": name,
            "entity_id": entity.id,
            "patient_id": patient_id,
            "summary": summary,
            "id": new_id(),
        }
        if self._audit is None:
            self._audit = _TableWriter(
                self._uow.session.connection(),
                _AUDIT,
                _column_names(AuditEntryRow, self._audit_fields),
            )
        self._audit.add([entry[field] for field in self._audit_fields])

    def write(self) -> None:
        """Inserts what was queued, after whatever the session holds (audit order kept)."""
        if not self._writers:
            return
        session = self._uow.session
        session.flush()
        connection = session.connection()
        for writer in self._writers.values():
            writer.write(connection)
        if self._readers is not None:
            self._readers.write(connection)
        if self._audit is not None:
            self._audit.write(connection)
        for patient_id in sorted(self._patients):
            self._uow.mark_patient_list_stale(patient_id)
        self._patients.clear()

    def _patient_of(self, entity: Any) -> str | None:
        """The patient the audit entry names, as ``UnitOfWork.put`` finds it."""
        patient_id = getattr(entity, "patient_id", None)
        if isinstance(patient_id, str):
            return patient_id
        escap_id = getattr(entity, "escap_id", None)
        if not isinstance(escap_id, str):
            return None
        if escap_id not in self._escap_patients:
            try:
                self._escap_patients[escap_id] = self._uow.get(Escap, escap_id).patient_id
            except NotFoundError:
                self._escap_patients[escap_id] = None
        return self._escap_patients[escap_id]


_READ_FIELDS = ("message_id", "professional_id")

_CHUNK = 500
"""Ids per ``IN`` query (below SQLite's bound-parameter limit)."""


def stored_ids(uow: UnitOfWork, entity_type: type, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the store holds for this entity type: primary keys only, one query per
    chunk (what tells a page's new records from those to merge)."""
    row_type = mapping.row_type_for(entity_type)
    column = inspect(row_type).primary_key[0]
    wanted = list(dict.fromkeys(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.update(uow.session.scalars(select(column).where(column.in_(chunk))))
    return found
