"""The inclusion as a sequence of use cases, shared by the wizard's pages.

Each step calls one service and keeps what the next steps need (the patient, the ESCAP, the
last assessment). Pages call these methods in ``validatePage`` and show any error next to its
cause; nothing here touches widgets.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import (
    ClinicalSituation,
    Escap,
    EscapState,
    ExitReason,
    GridAssessment,
    IdentityDocument,
    Membership,
    Patient,
    Professional,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.services.documents import DocumentService
from escap_desktop.services.escaps import EscapService
from escap_desktop.services.form_checks import EligibilityResult, FormChecks, Grid
from escap_desktop.services.patient_import import PatientImportService
from escap_desktop.services.patients import PatientService
from escap_desktop.services.professionals import ProfessionalService
from escap_desktop.services.scans import ScanService

PdfSource = Callable[[str], tuple[bytes, str]]


@dataclass(frozen=True, slots=True)
class Designation:
    """A professional the patient designates, and their role in the team."""

    professional: Professional
    role: str = ""


class InclusionFlow:
    """State and use cases of one inclusion (one patient, one ESCAP episode)."""

    def __init__(
        self,
        patients: PatientService,
        escaps: EscapService,
        professionals: ProfessionalService,
        me: Professional,
        clock: Clock,
        documents: DocumentService | None = None,
        scans: ScanService | None = None,
        directory: DirectoryService | None = None,
        checks: FormChecks | None = None,
        patient_import: PatientImportService | None = None,
    ) -> None:
        self.directory = directory
        self.patient_import = patient_import
        self.checks = checks or FormChecks(clock)
        self.patients = patients
        self.escaps = escaps
        self.professionals = professionals
        self.documents = documents
        self.scans = scans
        self.me = me
        self.today = clock.today
        self.patient: Patient | None = None
        self.escap: Escap | None = None
        self.assessment: GridAssessment | None = None
        self.result: EligibilityResult | None = None
        self.memberships: list[Membership] = []
        self.grid: Grid = escaps.current_grid()

    # --- resuming --------------------------------------------------------------------------

    def resume(self, patient_id: str) -> None:
        """Continues with an existing patient (and their open ESCAP, if any)."""
        self.patient = self.patients.get(patient_id)
        current = self.escaps.current(patient_id)
        if current is not None and current.state is not EscapState.CLOSED:
            self.escap = current
            overview = self.escaps.overview(current.id)
            self.assessment = overview.latest_assessment
            self.memberships = [m.membership for m in overview.members]

    # --- identity --------------------------------------------------------------------------

    def identity_problems(self, draft: Patient) -> list:  # type: ignore[type-arg]
        return self.checks.patient_problems(draft)

    def read_identity(self, path: Path) -> Patient:
        """The identity of a document's INS datamatrix or of a FHIR Patient file (a draft)."""
        if self.patient_import is None:
            raise ValidationError("La lecture d'une identité n'est pas disponible ici.")
        return self.patient_import.read_identity(path)

    def possible_duplicates(self, draft: Patient) -> list:  # type: ignore[type-arg]
        """Recorded patients who may be this new one (none when editing an existing one)."""
        return [] if self.patient is not None else self.patients.possible_duplicates(draft)

    def save_identity(
        self,
        draft: Patient,
        document: IdentityDocument | None,
        *,
        not_a_duplicate: bool = False,
    ) -> Patient:
        """Creates or updates the patient, qualifies the identity when a document was seen,
        and opens (or reuses) the ESCAP draft. ``not_a_duplicate``: the professional said the
        patient with the same traits is another person."""
        if self.patient is None:
            patient = self.patients.create(draft, not_a_duplicate=not_a_duplicate)
        else:
            patient = self.patients.update(draft)
        if document is not None and patient.identity_document is None and patient.ins:
            patient = self.patients.qualify_identity(patient.id, document.value)
        self.patient = patient
        if self.escap is None or self.escap.state is EscapState.CLOSED:
            self.escap = self.escaps.start(patient.id)
        return patient

    # --- situation and grid ----------------------------------------------------------------

    def prerequisite_checks(self, situation: ClinicalSituation, on: date):  # type: ignore[no-untyped-def]
        assert self.patient is not None
        return self.checks.prerequisite_checks(situation, self.patient.birth_date, on)

    def score(self, answers: Mapping[str, bool]) -> int:
        return self.checks.score(self.grid, answers)

    def assess(
        self,
        answers: Mapping[str, bool],
        situation: ClinicalSituation,
        assessed_on: date,
        at_home: bool,
    ) -> EligibilityResult:
        """Saves the grid, eligible or not, and keeps the explanation for the result page."""
        assert self.escap is not None
        self.assessment, self.result = self.escaps.assess(
            self.escap.id, answers, situation, assessed_on=assessed_on, at_home=at_home
        )
        self.escap = self.escaps.get(self.escap.id)
        return self.result

    def close_not_eligible(self) -> Escap:
        assert self.escap is not None
        self.escap = self.escaps.close(self.escap.id, ExitReason.NOT_ELIGIBLE)
        return self.escap

    # --- consent ---------------------------------------------------------------------------

    def prepare_consent(self) -> Escap:
        assert self.escap is not None
        self.escaps.prepare_consent(self.escap.id)
        return self.escap

    def record_consent(
        self,
        signed_on: date,
        signatory: str,
        legal_representative: bool,
        scan_path: str,
    ) -> Escap:
        """The signed paper form; its scan (if any) is stored encrypted with the consent."""
        assert self.escap is not None
        if scan_path and not Path(scan_path).is_file():
            raise ValidationError(
                f"Le fichier joint est introuvable : {scan_path}.", field="scan_path"
            )
        self.escaps.record_consent_signed(
            self.escap.id,
            signed_on=signed_on,
            signatory=signatory,
            legal_representative=legal_representative,
        )
        self.escap = self.escaps.get(self.escap.id)
        if scan_path and self.scans is not None:
            self.scans.attach_consent_scan(self.escap.id, scan_path)
        return self.escap

    # --- printed documents -----------------------------------------------------------------

    def consent_form(self) -> bytes:
        assert self.documents is not None
        assert self.patient is not None
        return self.documents.consent_form(self.patient.id)

    def invitation_letter(self, membership_id: str) -> bytes:
        assert self.documents is not None
        return self.documents.invitation(membership_id)

    def record_refusal(self, on: date) -> Escap:
        assert self.escap is not None
        self.escap = self.escaps.record_consent_refused(self.escap.id, on=on)
        return self.escap

    # --- team ------------------------------------------------------------------------------

    def known_professionals(self) -> list[Professional]:
        return self.professionals.list()

    def designation_problems(
        self, designations: list[Designation], medecin_traitant_id: str | None
    ) -> list[str]:
        return self.checks.designation_problems(
            [d.professional for d in designations], medecin_traitant_id
        )

    def form_team(self, designations: list[Designation], medecin_traitant_id: str) -> Escap:
        """Records every designated professional, the médecin traitant, then the invitations
        (the local professional joins at once; the others are invited)."""
        assert self.escap is not None
        assert self.patient is not None
        saved: dict[str, str] = {}
        for designation in designations:
            professional = self.professionals.add(designation.professional)
            saved[designation.professional.id] = professional.id
        mt_id = saved.get(medecin_traitant_id, medecin_traitant_id)
        if self.patient.medecin_traitant_id != mt_id:
            self.patient = self.patients.set_medecin_traitant(self.patient.id, mt_id)
        already = {m.professional_id for m in self.memberships}
        for designation in designations:
            professional_id = saved[designation.professional.id]
            if professional_id in already:
                continue
            self.memberships.append(
                self.escaps.invite(self.escap.id, professional_id, designation.role)
            )
            already.add(professional_id)
        self.escap = self.escaps.get(self.escap.id)
        return self.escap

    def invited_members(self) -> list[tuple[Membership, Professional]]:
        assert self.escap is not None
        overview = self.escaps.overview(self.escap.id)
        return [(m.membership, m.professional) for m in overview.members]
