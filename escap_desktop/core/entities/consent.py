"""The patient's consent to join an ESCAP and to share information within the team."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id
from escap_desktop.core.entities.professional import Profession


class DataCategory(StrEnum):
    """Categories of shared data; health and social data need separate access."""

    MEDICAL = "medical"
    SOCIAL = "social"
    ADMINISTRATIVE = "administratif"

    @property
    def label(self) -> str:
        return {
            "medical": "Données médicales et de soins",
            "social": "Données sociales et médico-sociales",
            "administratif": "Données administratives",
        }[self.value]


class ConsentMode(StrEnum):
    PAPER = "papier"
    ORAL = "oral"


class ConsentStatus(StrEnum):
    """PRINTED: the form was handed out, not signed yet; SIGNED; REFUSED; WITHDRAWN later."""

    PRINTED = "imprime"
    SIGNED = "signe"
    REFUSED = "refuse"
    WITHDRAWN = "retire"


@dataclass(frozen=True, slots=True)
class Consent:
    """Consent of the patient (or legal representative) for one ESCAP episode.

    ``recipient_ids`` names the professionals the patient designated, ``recipient_professions``
    the kinds of professionals they accept without naming them (e.g. "a social worker"); both
    empty means the form named nobody and the team is chosen with the patient as it forms.
    ``scopes`` are the data categories they may share. ``amendment`` counts the changes of
    scope or recipients recorded after the signature (0: as signed), the last one dated
    ``amended_on``. A withdrawal closes the ESCAP; the record stays for history.
    """

    escap_id: str
    patient_id: str
    collected_by: str
    scopes: frozenset[DataCategory] = frozenset(DataCategory)
    recipient_ids: tuple[str, ...] = ()
    mode: ConsentMode = ConsentMode.PAPER
    status: ConsentStatus = ConsentStatus.PRINTED
    form_reference: str = ""
    signed_on: date | None = None
    signatory: str = ""
    legal_representative: bool = False
    scan_path: str = ""
    scan_sha256: str = ""
    withdrawn_on: date | None = None
    recipient_professions: frozenset[Profession] = frozenset()
    amendment: int = 0
    amended_on: date | None = None
    id: str = field(default_factory=new_id)

    @property
    def in_force(self) -> bool:
        return self.status is ConsentStatus.SIGNED and self.withdrawn_on is None
