"""Two records of one patient: the merges to check or decide, and merging two records by hand.

The sync merges a colleague's own record into the team's patient as soon as the INS matches
(``store.patient_merge``); what it cannot decide — traits that differ, or the same traits
without an INS — waits here for the professional, on the merge screen.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from escap_desktop.core.entities import (
    AuditKind,
    Escap,
    MergeReason,
    MergeState,
    Patient,
    PatientMerge,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import patient_merge
from escap_desktop.store.audit_phrases import merge_decided_phrase
from escap_desktop.store.episode_team import follow_team
from escap_desktop.store.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class MergeCase:
    """What the merge screen shows: the record that stays, as it is now, and the other one."""

    merge: PatientMerge
    kept: Patient

    @property
    def other(self) -> Patient:
        return self.merge.other


class PatientMergeService(ServiceBase):
    def pending(self) -> list[MergeCase]:
        """Merges waiting for the professional, oldest first."""
        with self._store.unit_of_work(self.actor) as uow:
            return [_case(uow, m) for m in patient_merge.pending_merges(uow)]

    def case(self, merge_id: str) -> MergeCase:
        with self._store.unit_of_work(self.actor) as uow:
            return _case(uow, patient_merge.get_merge(uow, merge_id))

    def accept(self, merge_id: str, chosen: Patient) -> Patient:
        """Merges (if not done yet) and keeps the traits the professional chose, on the record
        the team shares: the choice reaches every member like any edit of the patient."""
        with self._store.unit_of_work(self.actor) as uow:
            merge = patient_merge.get_merge(uow, merge_id)
            kept = uow.get(Patient, merge.kept_id)
            if merge.state is MergeState.PROPOSED:
                patient_merge.absorb(
                    uow, kept, merge.other, merge.reason, MergeState.DONE, existing=merge
                )
            else:
                patient_merge.decide(uow, merge, MergeState.DONE)
            saved = _keep_traits(uow, kept, merge.other, chosen, self._today())
        return saved

    def decline(self, merge_id: str) -> None:
        """Two people after all: both records stay, and the pair is not proposed again."""
        with self._store.unit_of_work(self.actor) as uow:
            merge = patient_merge.get_merge(uow, merge_id)
            if merge.state is not MergeState.PROPOSED:
                raise ValidationError(
                    "Ces deux dossiers ont le même matricule INS : ils désignent la même "
                    "personne et restent fusionnés. Choisissez les traits à garder."
                )
            patient_merge.decide(uow, merge, MergeState.DECLINED)

    def merge(self, kept_id: str, other_id: str, chosen: Patient) -> Patient:
        """Two records the professional found to be one patient: ``other_id`` goes into
        ``kept_id`` (the one a team shares, when one does) with the chosen traits."""
        if kept_id == other_id:
            raise ValidationError("Choisissez deux dossiers différents à fusionner.")
        with self._store.unit_of_work(self.actor) as uow:
            kept, other = uow.get(Patient, kept_id), uow.get(Patient, other_id)
            if patient_merge.is_shared_elsewhere(uow, other_id):
                if patient_merge.is_shared_elsewhere(uow, kept_id):
                    raise ValidationError(
                        "Les deux dossiers sont partagés avec des équipes : ils ne peuvent pas "
                        "être fusionnés sur ce poste."
                    )
                kept, other = other, kept
            reason = (
                MergeReason.SAME_INS
                if kept.ins and kept.ins == other.ins
                else MergeReason.SAME_TRAITS
            )
            patient_merge.absorb(uow, kept, other, reason, MergeState.DONE)
            saved = _keep_traits(uow, kept, other, chosen, self._today())
        return saved


def _case(uow: UnitOfWork, merge: PatientMerge) -> MergeCase:
    return MergeCase(merge=merge, kept=uow.get(Patient, merge.kept_id))


def _keep_traits(
    uow: UnitOfWork, kept: Patient, other: Patient, chosen: Patient, today: date
) -> Patient:
    """The chosen traits on the kept record, checked like any edit, with the other record's
    caregivers and schemes it did not have (nothing lost); its episodes then follow the team
    rule (a merged record may bring another médecin traitant)."""
    chosen = identity.normalise_patient(replace(chosen, id=kept.id))
    identity.validate_patient(chosen, today)
    names = {c.full_name.casefold() for c in chosen.caregivers}
    kinds = {s.kind for s in chosen.other_schemes}
    chosen = replace(
        chosen,
        caregivers=chosen.caregivers
        + tuple(c for c in other.caregivers if c.full_name.casefold() not in names),
        other_schemes=chosen.other_schemes
        + tuple(s for s in other.other_schemes if s.kind not in kinds),
        medecin_traitant_id=chosen.medecin_traitant_id or other.medecin_traitant_id,
    )
    chosen = identity.keep_status_consistent(kept, chosen)
    if chosen != kept:
        uow.put(chosen, patient_id=chosen.id)
    uow.audit(
        AuditKind.UPDATED, "Patient", kept.id, patient_id=kept.id, summary=merge_decided_phrase()
    )
    for escap in uow.find(Escap, patient_id=kept.id):
        follow_team(uow, escap.id)
    return chosen
