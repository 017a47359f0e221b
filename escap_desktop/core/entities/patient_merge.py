"""Two records of one patient found on this computer, and what became of them.

A colleague who joins a team for a patient they already follow has their own record of that
patient, under another id than the team's. The same INS is the same person: the two records are
merged at once into the team's (the one every member shares), and when their traits differ the
professional is asked which to keep. The same traits without the same INS may be two people:
the merge is only proposed. Either way the other version is kept here, whole, so that nothing a
merge replaced is lost and the patient's access trail can say what happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id
from escap_desktop.core.entities.patient import Patient


class MergeState(StrEnum):
    PROPOSED = "proposee"
    """Same traits, no INS to tell: two records still, until the professional decides."""
    TO_REVIEW = "a_verifier"
    """Same INS: merged, but the traits differed; the professional chooses which to keep."""
    DONE = "faite"
    DECLINED = "refusee"
    """The professional said they are two people."""

    @property
    def label(self) -> str:
        return {
            "proposee": "Fusion proposée",
            "a_verifier": "Fusion à vérifier",
            "faite": "Dossiers fusionnés",
            "refusee": "Fusion refusée (deux personnes)",
        }[self.value]


class MergeReason(StrEnum):
    SAME_INS = "meme_ins"
    SAME_TRAITS = "memes_traits"

    @property
    def label(self) -> str:
        return {
            "meme_ins": "même matricule INS",
            "memes_traits": "mêmes traits d'identité",
        }[self.value]


@dataclass(frozen=True, slots=True)
class PatientMerge:
    """``kept_id`` is the record that stays (the team's); ``other`` is the other record as it
    was when the two met — the absorbed version once merged, the second record while proposed.
    """

    kept_id: str
    other: Patient
    reason: MergeReason
    state: MergeState
    found_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None
    id: str = field(default_factory=new_id)

    @property
    def pending(self) -> bool:
        return self.state in (MergeState.PROPOSED, MergeState.TO_REVIEW)


MERGED_TRAITS: tuple[tuple[str, str], ...] = (
    ("birth_name", "Nom de naissance"),
    ("first_names", "Prénom(s) de naissance"),
    ("birth_date", "Date de naissance"),
    ("sex", "Sexe"),
    ("birth_place_code", "Lieu de naissance (code)"),
    ("ins", "NIR (matricule INS)"),
    ("used_name", "Nom utilisé"),
    ("used_first_name", "Prénom utilisé"),
    ("phone", "Téléphone"),
    ("address", "Adresse"),
)
"""The fields the merge screen shows side by side, in the order of the patient form."""


def differing_traits(kept: Patient, other: Patient) -> list[str]:
    """The fields of :data:`MERGED_TRAITS` whose values differ between the two versions."""
    return [name for name, _label in MERGED_TRAITS if getattr(kept, name) != getattr(other, name)]
