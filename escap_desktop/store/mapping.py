"""Moves values between core entities and database rows.

Columns carry the entity field names, so one generic copy handles every entity; only the nested
collections (a patient's caregivers and other schemes, a message's readers) and the single-row
local profile need code of their own.
"""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect

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
from escap_desktop.store.column_types import UtcDateTime, _JsonText, instant_to_text
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


def to_entity(entity_type: type, row: Any) -> Any:
    """The entity from its row: an ORM row, or a Core row of its table (same attribute names;
    nested collections need the ORM row)."""
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


# -- new rows, inserted without ORM objects ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class InsertPlan:
    """One table's ``INSERT`` straight to the driver: its columns in order, each with the
    conversion its column type applies (what SQLAlchemy would do per row and per value)."""

    table: Any
    sql: str
    names: tuple[str, ...]
    converters: tuple[Callable[[Any], Any] | None, ...]

    def convert(self, rows: Iterable[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``rows`` (values in ``names`` order, as the entities hold them) as the driver takes
        them: only the columns whose type converts are touched, each distinct code once."""
        converting: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = [
            (position, convert, {})
            for position, convert in enumerate(self.converters)
            if convert is not None
        ]
        width = len(self.names)
        converted: list[tuple[Any, ...]] = []
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{self.table.name} : {len(row)} valeurs pour {width} colonnes")
            if not converting:
                converted.append(row)
                continue
            values = list(row)
            for position, convert, seen in converting:
                value = values[position]
                if isinstance(value, str):  # codes (enums): the same few values again and again
                    try:
                        values[position] = seen[value]
                    except KeyError:
                        values[position] = seen[value] = convert(value)
                elif value is not None:
                    values[position] = convert(value)
            converted.append(tuple(values))  # the driver's executemany takes tuples
        return converted


_INSERT_PLANS: dict[tuple[type[Base], type[Dialect]], InsertPlan] = {}


def insert_plan(row_type: type[Base], dialect: Dialect) -> InsertPlan:
    """The plan of ``row_type``'s table (an autoincrement key left to SQLite), built once."""
    key = (row_type, type(dialect))
    plan = _INSERT_PLANS.get(key)
    if plan is None:
        table: Any = row_type.__table__
        columns = [
            column
            for column in table.columns
            if not (column.primary_key and column.autoincrement is True)
        ]
        names = tuple(column.name for column in columns)
        quoted = ", ".join(f'"{name}"' for name in names)
        marks = ", ".join("?" for _ in names)
        plan = InsertPlan(
            table=table,
            sql=f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})',
            names=names,
            converters=tuple(_converter(column, dialect) for column in columns),
        )
        _INSERT_PLANS[key] = plan
    return plan


def _converter(column: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """The column type's bind conversion, with instants converted directly by the function
    ``UtcDateTime`` calls: every record and audit entry carries one or more, and the type
    decorator's own bind path wraps that call in several more."""
    if isinstance(column.type, UtcDateTime):
        return instant_to_text
    if isinstance(column.type, _JsonText):
        # The same text as its ``process_bind_param`` (sorted keys, accents kept), from one
        # encoder built once rather than one per value as ``json.dumps`` with options does.
        to_json = column.type._to_json
        encode = _JSON_TEXT.encode

        def json_text(value: Any) -> str:
            return encode(to_json(value))

        return json_text
    return column.type.bind_processor(dialect)


_JSON_TEXT = json.JSONEncoder(ensure_ascii=False, sort_keys=True)


_ROW_FIELDS: dict[type, tuple[str, ...]] = {}


def _row_fields(entity_type: type) -> tuple[str, ...]:
    """The columns of the entity's own table that its fields fill, in the table's order;
    checked once against the fields (a column without a field would be left NULL)."""
    names = _ROW_FIELDS.get(entity_type)
    if names is None:
        table: Any = ROW_TYPES[entity_type].__table__
        fields = set(_column_fields(entity_type))
        extra = _EXTRA_COLUMNS.get(entity_type, frozenset())
        names = tuple(
            column.name
            for column in table.columns
            if not (column.primary_key and column.autoincrement is True)
        )
        unfilled = set(names) - fields - extra
        if unfilled:
            raise TypeError(f"{entity_type.__name__} : colonnes sans champ {sorted(unfilled)}")
        _ROW_FIELDS[entity_type] = names
    return names


# Columns of an entity's table that no field of the entity fills: computed by new_rows.
_EXTRA_COLUMNS: dict[type, frozenset[str]] = {
    Patient: frozenset({"search_key", "sort_key"}),
    LocalProfile: frozenset({"slot"}),
}


_ROW_GETTERS: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def _row_getter(entity_type: type, names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """``entity -> its own row's values``, one C-level ``attrgetter`` per type built once:
    a bulk write makes tens of thousands of rows, and a Python loop over the names costs
    several times as much."""
    getter = _ROW_GETTERS.get(entity_type)
    if getter is None:
        if len(names) == 1:  # attrgetter of one name gives the value, not a tuple
            single = operator.attrgetter(names[0])

            def getter(entity: Any) -> tuple[Any, ...]:
                return (single(entity),)

        else:
            getter = operator.attrgetter(*names)
        _ROW_GETTERS[entity_type] = getter
    return getter


def new_rows(entity: object) -> list[tuple[type[Base], tuple[Any, ...]]]:
    """The rows that store a new ``entity``: its own row, then its nested rows, each as the
    values of its table's ``insert_plan`` columns (not converted yet). What ``fill_row`` on a
    new row would make SQLAlchemy insert, without building the ORM objects."""
    entity_type = type(entity)
    names = _row_fields(entity_type)
    if entity_type is Patient:
        assert isinstance(entity, Patient)
        extra = {"search_key": patient_search_key(entity), "sort_key": patient_sort_key(entity)}
        own = tuple(extra[name] if name in extra else getattr(entity, name) for name in names)
        rows: list[tuple[type[Base], tuple[Any, ...]]] = [(PatientRow, own)]
        rows.extend(
            (
                CaregiverRow,
                _ordered(
                    CaregiverRow,
                    id=c.id,
                    patient_id=entity.id,
                    position=position,
                    full_name=c.full_name,
                    relationship=c.relationship,
                    phone=c.phone,
                    notes=c.notes,
                ),
            )
            for position, c in enumerate(entity.caregivers)
        )
        rows.extend(
            (
                OtherSchemeRow,
                _ordered(
                    OtherSchemeRow,
                    id=s.id,
                    patient_id=entity.id,
                    position=position,
                    kind=s.kind,
                    since=s.since,
                    contact=s.contact,
                ),
            )
            for position, s in enumerate(entity.other_schemes)
        )
        return rows
    if entity_type is LocalProfile:
        values = tuple(
            LOCAL_PROFILE_SLOT if name == "slot" else getattr(entity, name) for name in names
        )
        return [(LocalProfileRow, values)]
    row_type = ROW_TYPES[entity_type]
    own = _row_getter(entity_type, names)(entity)
    if entity_type is Message:
        assert isinstance(entity, Message)
        readers = entity.read_by
        if len(readers) == 1:  # the author alone, as every message posted here
            return [(row_type, own), (MessageReadRow, (entity.id, *readers))]
        return [(row_type, own)] + [
            (MessageReadRow, (entity.id, reader)) for reader in sorted(readers)
        ]
    return [(row_type, own)]


def audit_row(entry: AuditEntry) -> tuple[Any, ...]:
    """``new_rows`` of an audit entry, its one row (written at every put: kept direct)."""
    return (
        entry.id,
        entry.at,
        entry.actor_id,
        entry.kind,
        entry.entity_type,
        entry.entity_id,
        entry.patient_id,
        entry.summary,
    )


# The column orders new_rows and audit_row write in, checked once.
if tuple(MessageReadRow.__table__.columns.keys()) != ("message_id", "professional_id"):
    raise TypeError("message_read : ordre des colonnes inattendu")
if _row_fields(AuditEntry) != (
    "id",
    "at",
    "actor_id",
    "kind",
    "entity_type",
    "entity_id",
    "patient_id",
    "summary",
):
    raise TypeError("audit_entry : ordre des colonnes inattendu")


def _ordered(row_type: type[Base], **values: Any) -> tuple[Any, ...]:
    table: Any = row_type.__table__
    return tuple(values[column.name] for column in table.columns)


def _fill_message(message: Message, row: MessageRow) -> None:
    current = {read.professional_id for read in row.reads}
    if current == set(message.read_by):
        return
    row.reads = [read for read in row.reads if read.professional_id in message.read_by] + [
        MessageReadRow(message_id=message.id, professional_id=reader)
        for reader in sorted(message.read_by - current)
    ]
