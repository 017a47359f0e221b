"""The printed documents of an ESCAP: gathered from the store, built as PDF, traced in the audit.

Each method reads what its document needs in one unit of work, builds the PDF with
``escap_desktop.documents`` and writes an ``AuditKind.PRINTED`` entry once the PDF exists, so the
trail lists what was really handed out. The consent form is the one document whose reference is
stored first: the signed paper comes back as a scan, and its QR code must find the consent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from escap_desktop.core.entities import (
    Action,
    AuditKind,
    Consent,
    ConsentStatus,
    DataCategory,
    Escap,
    EscapState,
    GridAssessment,
    Membership,
    MembershipStatus,
    Patient,
    Professional,
)
from escap_desktop.core.entities.summaries import MemberView
from escap_desktop.core.errors import (
    ConsentError,
    DocumentError,
    NotFoundError,
    TransitionError,
    ValidationError,
)
from escap_desktop.core.rules import lifecycle
from escap_desktop.core.rules.grid import GridCatalog
from escap_desktop.documents import (
    CarePlanData,
    ConsentFormData,
    DocumentData,
    DocumentKind,
    GridItemRow,
    GridReportData,
    InvitationData,
    build_document,
    document_filename,
    document_reference,
    normalize_reference,
    parse_qr_payload,
    reference_kind,
    write_pdf,
)
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store
from escap_desktop.store.episode_team import latest_consent
from escap_desktop.store.unit_of_work import UnitOfWork

FINGERPRINT_UNAVAILABLE = "non disponible"
"""Printed in place of the inviter's key fingerprint until the sync module provides one."""

_TEAM_STATES = lifecycle.PLAN_RUNS_IN


class PrintedDocument(bytes):
    """The PDF bytes of a printed document, carrying its kind, reference and file name.

    A ``bytes`` subclass so that callers that only print or preview (``QPdfDocument``, tests
    reading it with pypdf) use it as is, while a save dialog or the CLI also gets a file name that
    names the document by its reference, never by the patient (file names end up in recent-file
    lists, backups and mail attachments).
    """

    kind: DocumentKind
    reference: str
    filename: str

    def __new__(cls, content: bytes, data: DocumentData) -> PrintedDocument:
        document = super().__new__(cls, content)
        document.kind = data.kind
        document.reference = data.reference
        document.filename = document_filename(data)
        return document

    def write_to(self, path: Path | str) -> Path:
        """Writes the PDF atomically (a half-written file never replaces a good one)."""
        return write_pdf(self, path)


class DocumentService(ServiceBase):
    """``fingerprint_provider`` returns the local professional's key fingerprint for the
    invitation letter (the sync module owns the keys); "" prints "non disponible".
    ``templates_dir`` is the site's folder of wording overrides (``resources/templates`` names).
    """

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        grids: GridCatalog,
        *,
        fingerprint_provider: Callable[[], str] = lambda: "",
        templates_dir: Path | None = None,
    ) -> None:
        super().__init__(store, actor_id)
        self._grids = grids
        self._fingerprint = fingerprint_provider
        self._templates_dir = templates_dir

    # --- consent form ----------------------------------------------------------------------

    def consent_form(
        self,
        patient_id: str,
        *,
        recipient_ids: tuple[str, ...] | None = None,
        scopes: frozenset[DataCategory] | None = None,
    ) -> PrintedDocument:
        """The consent form of the patient's current ESCAP, ready for signature.

        The consent record is created (or kept) in PRINTED state with its form reference before
        the PDF is built, so the signed scan can be matched back to it. A reprint keeps the same
        reference: whichever copy the patient signs, it finds the consent. ``recipient_ids`` and
        ``scopes`` replace the designated professionals and data categories when given, else the
        recorded ones are kept. Only an assessed ESCAP (consent not yet answered) may print it;
        otherwise the TransitionError says why.
        """
        if scopes is not None and not scopes:
            raise ValidationError(
                "Cochez au moins une catégorie de données partagées.", field="scopes"
            )
        actor = self.actor  # read before the unit of work: it may open one of its own
        with self._store.unit_of_work(actor) as uow:
            escap = _current_escap(uow, patient_id)
            _ensure_consent_can_be_prepared(escap, self._now())
            existing = latest_consent(uow, escap.id)
            consent = existing or Consent(
                escap_id=escap.id, patient_id=escap.patient_id, collected_by=actor
            )
            if consent.status is not ConsentStatus.PRINTED:
                raise ConsentError(
                    "Le patient a déjà répondu pour cette ESCAP : le formulaire de consentement "
                    "ne se réimprime pas."
                )
            consent = replace(
                consent,
                form_reference=_consent_reference(consent.form_reference),
                recipient_ids=consent.recipient_ids if recipient_ids is None else recipient_ids,
                scopes=consent.scopes if scopes is None else frozenset(scopes),
            )
            if consent != existing:
                uow.put(consent, patient_id=escap.patient_id)
            data = self._consent_form_data(uow, escap, consent, consent.collected_by, actor)
        return self._print(data, "Consent", consent.id, escap.patient_id)

    def amended_consent_form(self, patient_id: str) -> PrintedDocument:
        """The amendment to the consent of the patient's current ESCAP, for their signature:
        the new scope and recipients, dated, under the same form reference (its scan is filed
        with the first)."""
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            escap = _current_escap(uow, patient_id)
            consent = latest_consent(uow, escap.id)
            if consent is None or consent.amendment == 0:
                raise ConsentError(
                    "Le consentement de cette ESCAP n'a pas été modifié : il n'y a pas d'avenant "
                    "à imprimer."
                )
            reference = _consent_reference(consent.form_reference)
            if reference != consent.form_reference:  # signed without a printed form
                consent = replace(consent, form_reference=reference)
                uow.put(consent, patient_id=escap.patient_id)
            # The amendment is recorded by whoever prints it (the first form's collector else).
            data = self._consent_form_data(uow, escap, consent, actor, consent.collected_by)
        return self._print(data, "Consent", consent.id, escap.patient_id)

    def _consent_form_data(
        self,
        uow: UnitOfWork,
        escap: Escap,
        consent: Consent,
        collector_id: str,
        fallback_id: str,
    ) -> ConsentFormData:
        """The form (first or amended) of ``consent``: the patient, the designated
        professionals, and who hands it over (``collector_id``, else ``fallback_id``)."""
        return ConsentFormData(
            patient=uow.get(Patient, escap.patient_id),
            consent=consent,
            designated=[uow.get(Professional, pid) for pid in consent.recipient_ids],
            collector=_professional_or(uow, collector_id, fallback_id),
            issued_on=self._today(),
        )

    def match_scanned_reference(self, text: str) -> Consent:
        """The consent whose form a scanned QR code (``ESCAP:CF:…``) or a typed reference
        names, so a signed scan is attached to the right patient."""
        try:
            reference = parse_qr_payload(text).reference
        except DocumentError:
            reference = normalize_reference(text)
        if reference_kind(reference) is not DocumentKind.CONSENT_FORM:
            raise DocumentError(
                f"La référence {reference} n'est pas celle d'un formulaire de consentement."
            )
        with self._store.unit_of_work(self.actor) as uow:
            found = uow.find(Consent, form_reference=reference)
        if not found:
            raise NotFoundError(
                f"Aucun consentement de ce poste ne porte la référence {reference} : "
                "vérifiez la référence imprimée sous le QR code."
            )
        return found[-1]

    # --- invitation ------------------------------------------------------------------------

    def pending_invitations(self, patient_id: str) -> list[MemberView]:
        """The invitations of the patient's current ESCAP still waiting for an answer."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = _current_escap(uow, patient_id)
            patient = uow.get(Patient, escap.patient_id)
            return [
                MemberView(
                    membership=m,
                    professional=uow.get(Professional, m.professional_id),
                    is_medecin_traitant=m.professional_id == patient.medecin_traitant_id,
                )
                for m in uow.find(Membership, escap_id=escap.id)
                if m.status is MembershipStatus.INVITED
            ]

    def invitation(self, membership_id: str) -> PrintedDocument:
        """The letter inviting a professional; the patient appears by initials and age only.

        The letter is signed by the professional who prints it (the local profile): the key
        fingerprint printed on it is theirs, for the invitee to check on the phone.
        """
        today = self._today()
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            data = invitation_data(uow, membership_id, actor, today, self._fingerprint())
            patient_id = uow.get(Escap, uow.get(Membership, membership_id).escap_id).patient_id
        pdf = PrintedDocument(self._build(data), data)
        with self._store.unit_of_work(actor) as uow:
            membership = uow.get(Membership, membership_id)
            uow.put(
                replace(membership, invitation_printed_on=today),
                patient_id=patient_id,
                kind=AuditKind.PRINTED,
            )
        return pdf

    # --- care plan -------------------------------------------------------------------------

    def care_plan(
        self,
        patient_id: str | None = None,
        *,
        escap_id: str | None = None,
        next_reevaluation: date | None = None,
    ) -> PrintedDocument:
        """The care-plan sheet left at home: the team's contacts and who does what, when.

        Give the patient (their current ESCAP) or the ESCAP itself. Printed while the team is
        forming or active.
        """
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            escap = _escap_of(uow, patient_id, escap_id)
            if escap.state not in _TEAM_STATES:
                raise TransitionError(_care_plan_refusal(escap))
            patient = uow.get(Patient, escap.patient_id)
            memberships = sorted(
                uow.find(Membership, escap_id=escap.id), key=lambda m: (m.invited_at, m.id)
            )
            members = [(m, uow.get(Professional, m.professional_id)) for m in memberships]
            actions = uow.find(Action, escap_id=escap.id)
            author = uow.get(Professional, actor)
        data = CarePlanData(
            patient=patient,
            members=members,
            actions=actions,
            issued_on=self._today(),
            next_reevaluation=next_reevaluation,
            author=author,
        )
        return self._print(data, "Escap", escap.id, patient.id)

    # --- grid report -----------------------------------------------------------------------

    def grid_report(
        self, patient_id: str | None = None, *, assessment_id: str | None = None
    ) -> PrintedDocument:
        """A filled inclusion grid, worded by the exact grid version it used.

        Give the assessment, or the patient for their latest one. A version not installed on
        this computer is a GridError: printing it with another version's wording would misstate
        what was assessed.
        """
        with self._store.unit_of_work(self.actor) as uow:
            assessment = _assessment(uow, patient_id, assessment_id)
            patient = uow.get(Patient, assessment.patient_id)
            assessor = uow.get(Professional, assessment.assessor_id)
        grid = self._grids.get(assessment.grid_id, assessment.grid_version)
        data = GridReportData(
            patient=patient,
            assessment=assessment,
            items=[GridItemRow(i.id, i.group, i.label, i.points) for i in grid.items],
            assessor=assessor,
            grid_title=grid.title,
        )
        return self._print(data, "GridAssessment", assessment.id, patient.id)

    # --- internals -------------------------------------------------------------------------

    def _build(self, data: DocumentData) -> bytes:
        return build_document(data, templates_dir=self._templates_dir)

    def _print(
        self, data: DocumentData, entity_type: str, entity_id: str, patient_id: str
    ) -> PrintedDocument:
        pdf = PrintedDocument(self._build(data), data)
        with self._store.unit_of_work(self.actor) as uow:
            uow.audit(AuditKind.PRINTED, entity_type, entity_id, patient_id=patient_id)
        return pdf


def invitation_data(
    uow: UnitOfWork, membership_id: str, actor: str, today: date, fingerprint: str
) -> InvitationData:
    """The letter's contents for a pending invitation, signed by ``actor`` (printed, or sent by
    MSSanté); TransitionError (French) once the ESCAP is closed or the invitation answered."""
    membership = uow.get(Membership, membership_id)
    escap = uow.get(Escap, membership.escap_id)
    if escap.state is EscapState.CLOSED:
        raise TransitionError("Cette ESCAP est clôturée : l'invitation n'est plus valable.")
    if membership.status is not MembershipStatus.INVITED:
        raise TransitionError(
            "Cette invitation a déjà reçu une réponse "
            f"({membership.status.label.lower()}) : la lettre n'a plus lieu d'être."
        )
    patient = uow.get(Patient, escap.patient_id)
    return InvitationData(
        inviter=uow.get(Professional, actor),
        invitee=uow.get(Professional, membership.professional_id),
        patient_initials=patient.initials,
        patient_age=patient.age_on(today),
        role=membership.role,
        join_code=membership.join_code,
        inviter_fingerprint=fingerprint.strip() or FINGERPRINT_UNAVAILABLE,
        issued_on=today,
    )


def _current_escap(uow: UnitOfWork, patient_id: str) -> Escap:
    uow.get(Patient, patient_id)
    episodes = sorted(
        uow.find(Escap, patient_id=patient_id), key=lambda e: (e.episode, e.created_at)
    )
    if not episodes:
        raise NotFoundError("Ce patient n'a pas d'ESCAP : aucun document à imprimer.")
    return episodes[-1]


def _escap_of(uow: UnitOfWork, patient_id: str | None, escap_id: str | None) -> Escap:
    if escap_id is not None:
        return uow.get(Escap, escap_id)
    if patient_id is None:
        raise ValueError("give a patient_id or an escap_id")
    return _current_escap(uow, patient_id)


def _assessment(
    uow: UnitOfWork, patient_id: str | None, assessment_id: str | None
) -> GridAssessment:
    if assessment_id is not None:
        return uow.get(GridAssessment, assessment_id)
    if patient_id is None:
        raise ValueError("give a patient_id or an assessment_id")
    uow.get(Patient, patient_id)
    assessments = uow.find(GridAssessment, patient_id=patient_id)
    if not assessments:
        raise NotFoundError("Aucune grille d'inclusion n'a été remplie pour ce patient.")
    return assessments[-1]  # the store orders them by assessment day, then recording time


def _ensure_consent_can_be_prepared(escap: Escap, now: datetime) -> None:
    """The same refusal as ``EscapService.prepare_consent``: the lifecycle's own sentence."""
    if not lifecycle.can_record_consent(escap):
        lifecycle.record_consent(escap, Consent(escap.id, escap.patient_id, ""), now)


def _consent_reference(current: str) -> str:
    """The stored consent-form reference when there is a valid one, else a new one."""
    if current:
        try:
            reference = normalize_reference(current)
            if reference_kind(reference) is DocumentKind.CONSENT_FORM:
                return reference
        except DocumentError:
            pass
    return document_reference(DocumentKind.CONSENT_FORM)


def _professional_or(uow: UnitOfWork, professional_id: str, fallback_id: str) -> Professional:
    try:
        return uow.get(Professional, professional_id)
    except NotFoundError:
        return uow.get(Professional, fallback_id)


def _care_plan_refusal(escap: Escap) -> str:
    if escap.state is EscapState.CLOSED:
        return "L'ESCAP est clôturée : la fiche du plan de soins n'est plus à remettre au patient."
    return (
        "La fiche du plan de soins s'imprime une fois l'équipe en constitution "
        f"(état actuel : « {escap.state.label} »)."
    )
