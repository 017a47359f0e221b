"""The patient, with the INS identity traits, caregivers and other coordination schemes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class Sex(StrEnum):
    """INS sex trait: M, F, or I (indeterminate)."""

    MALE = "M"
    FEMALE = "F"
    INDETERMINATE = "I"

    @property
    def label(self) -> str:
        return {"M": "Masculin", "F": "Féminin", "I": "Indéterminé"}[self.value]


class IdentityStatus(StrEnum):
    """Status of the identity (RNIV): only an explicit verification step may set QUALIFIED."""

    PROVISIONAL = "provisoire"
    RETRIEVED = "recuperee"
    QUALIFIED = "qualifiee"

    @property
    def label(self) -> str:
        return {
            "provisoire": "Identité provisoire",
            "recuperee": "Identité récupérée",
            "qualifiee": "Identité qualifiée",
        }[self.value]


class IdentityDocument(StrEnum):
    """High-trust identity documents that allow an identity to be qualified (RNIV)."""

    CARTE_IDENTITE = "carte_identite"
    PASSEPORT = "passeport"
    TITRE_SEJOUR = "titre_sejour"

    @property
    def label(self) -> str:
        return {
            "carte_identite": "Carte nationale d'identité",
            "passeport": "Passeport",
            "titre_sejour": "Titre de séjour",
        }[self.value]


class OtherSchemeKind(StrEnum):
    """Coordination schemes that may already follow the patient (ESCAP does not compete)."""

    DAC = "dac"
    HAD = "had"
    PRADO = "prado"
    RESEAU = "reseau"
    CPTS = "cpts"
    MSP = "msp"
    SSIAD = "ssiad"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return {
            "dac": "Dispositif d'appui à la coordination (DAC)",
            "had": "Hospitalisation à domicile (HAD)",
            "prado": "Programme de retour à domicile (PRADO)",
            "reseau": "Réseau de santé",
            "cpts": "CPTS",
            "msp": "Maison de santé pluriprofessionnelle (MSP)",
            "ssiad": "Service de soins infirmiers à domicile (SSIAD)",
            "autre": "Autre dispositif",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Caregiver:
    """A caregiver (aidant) recorded as a contact of the patient."""

    full_name: str
    relationship: str = ""
    phone: str = ""
    notes: str = ""
    id: str = field(default_factory=new_id)


@dataclass(frozen=True, slots=True)
class OtherScheme:
    """Another coordination scheme already following the patient."""

    kind: OtherSchemeKind
    since: date | None = None
    contact: str = ""
    id: str = field(default_factory=new_id)


@dataclass(frozen=True, slots=True)
class Patient:
    """A patient, identified by the INS traits.

    ``ins`` is the 15-character NIR with its key (Corsica: 2A/2B in the department), or empty while
    unknown. ``first_names`` keeps every birth first name separated by spaces, as on the INS.
    The ``identity_*`` fields are the verification record that a QUALIFIED status requires: which
    document was seen, by whom and when (set by ``core.rules.identity.qualify_identity``).
    """

    birth_name: str
    first_names: str
    birth_date: date
    sex: Sex
    birth_place_code: str = ""
    used_name: str = ""
    used_first_name: str = ""
    ins: str = ""
    identity_status: IdentityStatus = IdentityStatus.PROVISIONAL
    medecin_traitant_id: str | None = None
    phone: str = ""
    address: str = ""
    caregivers: tuple[Caregiver, ...] = ()
    other_schemes: tuple[OtherScheme, ...] = ()
    identity_document: IdentityDocument | None = None
    identity_verified_by: str | None = None
    identity_verified_on: date | None = None
    id: str = field(default_factory=new_id)

    @property
    def display_name(self) -> str:
        """Used name (else birth name) in capitals, then the first first name: "MARTIN Léa"."""
        name = (self.used_name or self.birth_name).upper()
        first = self.used_first_name or self.first_names.split(" ")[0]
        return f"{name} {first}".strip()

    @property
    def initials(self) -> str:
        """Initials shown to an invited professional before they accept ("L. M.")."""
        name = self.used_name or self.birth_name
        first = self.used_first_name or self.first_names
        return f"{first[:1].upper()}. {name[:1].upper()}."

    def age_on(self, day: date) -> int:
        """Age in whole years on ``day`` (a birthday on 29 February counts on 1 March)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years
