"""Patients: identity, médecin traitant, caregivers, other schemes, and the patient list."""

from __future__ import annotations

from dataclasses import replace

from escap_desktop.core.entities import Escap, EscapState, Patient, Professional
from escap_desktop.core.entities.summaries import PatientSummary
from escap_desktop.core.errors import DuplicatePatientError
from escap_desktop.core.rules import identity
from escap_desktop.services.base import ServiceBase
from escap_desktop.store.episode_team import follow_team
from escap_desktop.store.patient_bulk import identity_candidates
from escap_desktop.store.unit_of_work import UnitOfWork


class PatientService(ServiceBase):
    def summaries(
        self, search: str = "", states: set[EscapState] | None = None
    ) -> list[PatientSummary]:
        """The patient list, one row per patient with their current ESCAP. A snapshot read
        (``Store.reading``): the list never waits behind a sync page or an import."""
        with self._store.reading() as uow:
            return uow.patient_summaries(search=search, states=states)

    def get(self, patient_id: str) -> Patient:
        """Opens a patient's record; the consultation is audited (right of access)."""
        with self._store.unit_of_work(self.actor) as uow:
            patient = uow.get(Patient, patient_id)
            uow.record_view(patient_id)
        return patient

    def possible_duplicates(self, patient: Patient) -> list[identity.PossibleDuplicate]:
        """The recorded patients who may be this one (same INS, else same identity traits)."""
        patient = identity.normalise_patient(patient)
        with self._store.reading() as uow:  # asked as the name is typed: never waits
            return _possible_duplicates(uow, patient)

    def create(self, patient: Patient, *, not_a_duplicate: bool = False) -> Patient:
        """Records a new patient — never a second record of the same INS; a patient with the
        same traits only once the professional said it is another person
        (``not_a_duplicate``). DuplicatePatientError says which record it would repeat."""
        patient = identity.normalise_patient(patient)
        identity.validate_patient(patient, self._today())
        with self._store.unit_of_work(self.actor) as uow:
            for duplicate in _possible_duplicates(uow, patient):
                if duplicate.same_ins or not not_a_duplicate:
                    raise DuplicatePatientError(
                        identity.duplicate_sentence(duplicate),
                        same_ins=duplicate.same_ins,
                        existing_id=duplicate.patient.id,
                    )
            if patient.medecin_traitant_id is not None:
                uow.get(Professional, patient.medecin_traitant_id)
            uow.put(patient, patient_id=patient.id)
        return patient

    def update(self, patient: Patient) -> Patient:
        """Saves edited identity traits; a qualified identity cannot be edited into another one."""
        patient = identity.normalise_patient(patient)
        identity.validate_patient(patient, self._today())
        with self._store.unit_of_work(self.actor) as uow:
            before = uow.get(Patient, patient.id)
            patient = identity.keep_status_consistent(before, patient)
            if patient.medecin_traitant_id is not None:
                uow.get(Professional, patient.medecin_traitant_id)
            uow.put(patient, patient_id=patient.id)
            if patient.medecin_traitant_id != before.medecin_traitant_id:
                _follow_teams(uow, patient.id)
        return patient

    def set_medecin_traitant(self, patient_id: str, professional_id: str) -> Patient:
        with self._store.unit_of_work(self.actor) as uow:
            patient = uow.get(Patient, patient_id)
            uow.get(Professional, professional_id)
            patient = replace(patient, medecin_traitant_id=professional_id)
            uow.put(patient, patient_id=patient.id)
            _follow_teams(uow, patient.id)
        return patient

    def qualify_identity(self, patient_id: str, document_kind: str) -> Patient:
        """The explicit verification step, the only way to a qualified identity."""
        with self._store.unit_of_work(self.actor) as uow:
            patient = uow.get(Patient, patient_id)
            patient = identity.qualify_identity(patient, self.actor, document_kind)
            uow.put(patient, patient_id=patient.id)
        return patient


def _possible_duplicates(uow: UnitOfWork, patient: Patient) -> list[identity.PossibleDuplicate]:
    """Indexed lookups, never the whole list: the same INS, or the same birth date (the traits
    compared in Python on that handful)."""
    return identity.possible_duplicates(patient, identity_candidates(uow, patient))


def _follow_teams(uow: UnitOfWork, patient_id: str) -> None:
    """A new médecin traitant who is not in the running team leaves it incomplete (and one who
    is completes it): the patient may change doctor, the ESCAP then shows what to do."""
    for escap in uow.find(Escap, patient_id=patient_id):
        follow_team(uow, escap.id)
