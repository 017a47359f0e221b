"""The patient's access journal: who viewed or changed which part of their record, and when.

The store writes an audit entry with every change and every opening of a record; this service
reads them back for one patient, for the GUI's journal view and for the printout a patient
receives when exercising their right of access (RGPD article 15).

Every phrase shown is rebuilt here from the entry's kind and record type, never taken from the
stored summary: entries received from elsewhere are stored as they came, and a phrase from a
fixed vocabulary is the only way to be sure no clinical text reaches the journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from escap_desktop.core.clock import paris_time
from escap_desktop.core.entities import AuditEntry, AuditKind, Patient, Professional
from escap_desktop.core.errors import NotFoundError
from escap_desktop.documents import write_pdf
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store
from escap_desktop.store.audit_phrases import entity_noun, is_specific_phrase
from escap_desktop.store.patient_merge import merged_into
from escap_desktop.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from escap_desktop.documents.audit_report import AuditReportData

ACTION_LABELS: dict[AuditKind, str] = {
    AuditKind.VIEWED: "Consultation",
    AuditKind.CREATED: "Création",
    AuditKind.UPDATED: "Modification",
    AuditKind.DELETED: "Suppression",
    AuditKind.PRINTED: "Impression",
    AuditKind.EXPORTED: "Export",
    AuditKind.RECEIVED: "Reçu de l'équipe",
}
"""How each kind of operation is named in the journal."""

_RECORD_LABELS = {"Patient": "Dossier du patient"}
UNKNOWN_ACTOR = "Professionnel inconnu"


@dataclass(frozen=True, slots=True)
class AuditLine:
    """One operation on the patient's record, as the journal shows it.

    ``at`` is the UTC instant (for sorting); ``when`` the local ``JJ/MM/AAAA HH:MM``. ``who`` is
    the professional's display name; ``action`` and ``record`` are fixed French phrases
    (``"Consultation"``, ``"Message"``). Nothing here can carry clinical content.
    """

    at: datetime
    when: str
    actor_id: str
    who: str
    kind: AuditKind
    action: str
    record: str


class PrintedTrail(bytes):
    """The journal's PDF bytes, with its reference and a file name free of the patient's name
    (the same shape as ``documents.PrintedDocument``, so print and save dialogs take either)."""

    reference: str
    filename: str

    def __new__(cls, content: bytes, data: AuditReportData) -> PrintedTrail:
        document = super().__new__(cls, content)
        document.reference = data.reference
        document.filename = data.filename
        return document

    def write_to(self, path: Path | str) -> Path:
        """Writes the PDF atomically (a half-written file never replaces a good one)."""
        return write_pdf(self, path)


class AuditService(ServiceBase):
    """The patient's access trail, read and printed (the printout is dated by the clock)."""

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        *,
        templates_dir: Path | None = None,
    ) -> None:
        super().__init__(store, actor_id)
        self._templates_dir = templates_dir

    def patient_trail(self, patient_id: str) -> list[AuditLine]:
        """Every operation on the patient's record on this computer, oldest first.

        Reading the journal is not itself journaled: it shows no health data, only who did
        what kind of thing and when. NotFoundError when the patient does not exist.
        """
        with self._store.unit_of_work(self.actor) as uow:
            uow.get(Patient, patient_id)
            return _lines(uow, _trail(uow, patient_id))

    def print_patient_trail(self, patient_id: str) -> PrintedTrail:
        """The journal as a PDF to hand to the patient, with their identity at the top.

        The printout discloses the patient's identity, so it is journaled as printed (after the
        PDF exists, like every printed document).
        """
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            patient = uow.get(Patient, patient_id)
            lines = _lines(uow, _trail(uow, patient_id))
            author = _professional(uow, actor)
        # reportlab is imported with the first printout, not at start-up.
        from escap_desktop.documents.audit_report import (
            AuditReportData,
            AuditTrailRow,
            build_audit_report,
        )

        data = AuditReportData(
            patient=patient,
            rows=[AuditTrailRow(line.when, line.who, line.action, line.record) for line in lines],
            issued_at=paris_time(self._now()),
            author=author,
        )
        pdf = PrintedTrail(build_audit_report(data, templates_dir=self._templates_dir), data)
        with self._store.unit_of_work(actor) as uow:
            uow.audit(AuditKind.PRINTED, "Patient", patient_id, patient_id=patient_id)
        return pdf


def _lines(uow: UnitOfWork, entries: list[AuditEntry]) -> list[AuditLine]:
    names: dict[str, str] = {}
    lines = []
    for entry in entries:  # the store orders them by time, then by write order
        if entry.actor_id not in names:
            professional = _professional(uow, entry.actor_id)
            names[entry.actor_id] = professional.display_name if professional else UNKNOWN_ACTOR
        local = paris_time(entry.at)
        lines.append(
            AuditLine(
                at=entry.at,
                when=f"{local:%d/%m/%Y %H:%M}",
                actor_id=entry.actor_id,
                who=names[entry.actor_id],
                kind=entry.kind,
                action=ACTION_LABELS.get(entry.kind, "Opération"),
                record=_record_text(entry),
            )
        )
    return lines


def _record_text(entry: AuditEntry) -> str:
    """The record's name, or the entry's own phrase when it is one of the fixed phrases this
    version writes (e.g. "Consentement modifié par avenant n° 2"): never free text."""
    if is_specific_phrase(entry.summary):
        return entry.summary
    return record_label(entry.entity_type)


def record_label(entity_type: str) -> str:
    """The French name of a kind of record; "Enregistrement" for a type this version ignores."""
    return _RECORD_LABELS.get(entity_type) or entity_noun(entity_type)


def _professional(uow: UnitOfWork, professional_id: str) -> Professional | None:
    try:
        return uow.get(Professional, professional_id)
    except NotFoundError:
        return None


def _trail(uow: UnitOfWork, patient_id: str) -> list[AuditEntry]:
    """A merged record's trail goes on in the record that absorbed it: both are read."""
    return uow.audit_entries(patient_id, merged=merged_into(uow, patient_id))
