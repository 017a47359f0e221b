"""Messages between members: append-only, written offline, read state per member."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from escap_desktop.core.entities import DataCategory, Escap, Message
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import lifecycle
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase

MAX_BODY = 20_000


class MessageService(ServiceBase):
    def thread(self, escap_id: str) -> list[Message]:
        """The messages of the categories the local professional may read (a read-only unit
        of work: the thread opens without waiting for a sync that is writing)."""
        actor = self.actor
        with self._store.reading() as uow:
            messages = escap_access(uow, escap_id, actor).readable(
                uow.find(Message, escap_id=escap_id)
            )
        return sorted(messages, key=lambda m: (m.sent_at, m.id))

    def post(
        self, escap_id: str, body: str, category: DataCategory = DataCategory.MEDICAL
    ) -> Message:
        """Writes the message locally at once; the sync module sends it when online."""
        if not body.strip():
            raise ValidationError("Le message est vide.", field="body")
        if len(body) > MAX_BODY:
            raise ValidationError(
                f"Le message dépasse {MAX_BODY} caractères ; joignez plutôt un document.",
                field="body",
            )
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            lifecycle.ensure_can_post_message(escap)
            escap_access(uow, escap_id, self.actor).ensure_can_write(category)
            message = Message(
                escap_id=escap_id,
                author_id=self.actor,
                sent_at=_after_the_thread(
                    self._now(), uow.latest(Message, "sent_at", escap_id=escap_id)
                ),
                body=body.strip(),
                category=category,
                read_by=frozenset({self.actor}),
            )
            uow.add(message, patient_id=escap.patient_id)  # a new id: nothing to look up
        return message

    def mark_read(self, escap_id: str) -> int:
        """Marks every message of the thread as read by the local professional."""
        marked = 0
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            readable = escap_access(uow, escap_id, self.actor).readable(
                uow.find(Message, escap_id=escap_id)
            )
            for message in readable:
                if self.actor not in message.read_by:
                    uow.put(
                        replace(message, read_by=message.read_by | {self.actor}),
                        patient_id=escap.patient_id,
                    )
                    marked += 1
        return marked


def _after_the_thread(now: datetime, latest: datetime | None) -> datetime:
    """A new message's time, never at or before the last one already in the thread.

    Two messages posted within the clock's resolution (about 16 ms on some Windows PCs) would
    otherwise carry the same instant and be shown in an arbitrary order; one microsecond past
    the latest keeps the thread in the order it was written, on every member's screen.
    """
    if latest is not None and latest >= now:
        return latest + timedelta(microseconds=1)
    return now
