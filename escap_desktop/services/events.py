"""Events of the patient's course (hospitalisation, emergency visit, other scheme...)."""

from __future__ import annotations

from datetime import date

from escap_desktop.core.entities import DataCategory, Escap, Event, EventKind
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import UnitOfWork

MAX_NOTE = 2_000


class EventService(ServiceBase):
    def timeline(self, escap_id: str) -> list[Event]:
        with self._store.unit_of_work(self.actor) as uow:
            events = escap_access(uow, escap_id, self.actor).readable(
                uow.find(Event, escap_id=escap_id)
            )
        return sorted(events, key=lambda e: (e.occurred_on, e.id))

    def record(
        self,
        escap_id: str,
        kind: EventKind,
        occurred_on: date,
        note: str = "",
        assessment_id: str | None = None,
    ) -> Event:
        """Records an event; death and move are recorded here and close the ESCAP elsewhere."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            return record_event(
                uow,
                escap,
                self.actor,
                kind,
                occurred_on,
                note,
                assessment_id=assessment_id,
                today=self._today(),
            )


def record_event(
    uow: UnitOfWork,
    escap: Escap,
    actor: str,
    kind: EventKind,
    occurred_on: date,
    note: str = "",
    *,
    assessment_id: str | None = None,
    today: date,
) -> Event:
    """Writes an event in the caller's unit of work, so a use case that records one as part of
    a larger change (a re-evaluation) commits both or neither; refuses what ``record`` refuses."""
    if occurred_on > today:
        raise ValidationError(
            "La date de l'événement ne peut pas être dans le futur.", field="occurred_on"
        )
    if len(note) > MAX_NOTE:
        raise ValidationError(f"La note dépasse {MAX_NOTE} caractères.", field="note")
    escap_access(uow, escap.id, actor).ensure_can_write(DataCategory.MEDICAL)
    event = Event(
        escap_id=escap.id,
        kind=kind,
        occurred_on=occurred_on,
        recorded_by=actor,
        note=note.strip(),
        assessment_id=assessment_id,
    )
    uow.put(event, patient_id=escap.patient_id)
    return event
