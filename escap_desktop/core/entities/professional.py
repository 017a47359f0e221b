"""Health professionals and the local installation's own profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class Profession(StrEnum):
    """Professions met in an ESCAP; values are stable codes, ``label`` is the French name.

    The health professions carry their RPPS "Code profession" in :data:`RPPS_CODES`; social and
    medico-social actors (who take part without an RPPS number) come last.
    """

    MEDECIN = "medecin"
    PHARMACIEN = "pharmacien"
    CHIRURGIEN_DENTISTE = "chirurgien_dentiste"
    SAGE_FEMME = "sage_femme"
    INFIRMIER = "infirmier"
    MASSEUR_KINESITHERAPEUTE = "masseur_kinesitherapeute"
    PEDICURE_PODOLOGUE = "pedicure_podologue"
    ORTHOPHONISTE = "orthophoniste"
    ORTHOPTISTE = "orthoptiste"
    ERGOTHERAPEUTE = "ergotherapeute"
    PSYCHOMOTRICIEN = "psychomotricien"
    DIETETICIEN = "dieteticien"
    PSYCHOLOGUE = "psychologue"
    ASSISTANT_SERVICE_SOCIAL = "assistant_service_social"
    AIDE_A_DOMICILE = "aide_a_domicile"
    AUTRE = "autre"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def is_health_professional(self) -> bool:
        """Health professionals count towards the 3 members and bill the tracer codes."""
        return self not in (
            Profession.ASSISTANT_SERVICE_SOCIAL,
            Profession.AIDE_A_DOMICILE,
            Profession.AUTRE,
        )

    @classmethod
    def from_rpps_code(cls, code: str) -> Profession:
        """The profession for a directory "Code profession"; unknown codes map to AUTRE."""
        return _BY_RPPS_CODE.get(code.strip(), cls.AUTRE)


_LABELS: dict[Profession, str] = {
    Profession.MEDECIN: "Médecin",
    Profession.PHARMACIEN: "Pharmacien",
    Profession.CHIRURGIEN_DENTISTE: "Chirurgien-dentiste",
    Profession.SAGE_FEMME: "Sage-femme",
    Profession.INFIRMIER: "Infirmier",
    Profession.MASSEUR_KINESITHERAPEUTE: "Masseur-kinésithérapeute",
    Profession.PEDICURE_PODOLOGUE: "Pédicure-podologue",
    Profession.ORTHOPHONISTE: "Orthophoniste",
    Profession.ORTHOPTISTE: "Orthoptiste",
    Profession.ERGOTHERAPEUTE: "Ergothérapeute",
    Profession.PSYCHOMOTRICIEN: "Psychomotricien",
    Profession.DIETETICIEN: "Diététicien",
    Profession.PSYCHOLOGUE: "Psychologue",
    Profession.ASSISTANT_SERVICE_SOCIAL: "Assistant de service social",
    Profession.AIDE_A_DOMICILE: "Aide à domicile",
    Profession.AUTRE: "Autre intervenant",
}

RPPS_CODES: dict[Profession, str] = {
    Profession.MEDECIN: "10",
    Profession.PHARMACIEN: "21",
    Profession.CHIRURGIEN_DENTISTE: "40",
    Profession.SAGE_FEMME: "50",
    Profession.INFIRMIER: "60",
    Profession.MASSEUR_KINESITHERAPEUTE: "70",
    Profession.PEDICURE_PODOLOGUE: "80",
    Profession.ORTHOPHONISTE: "91",
    Profession.ORTHOPTISTE: "92",
    Profession.PSYCHOMOTRICIEN: "96",
    Profession.ERGOTHERAPEUTE: "94",
    Profession.DIETETICIEN: "98",
    Profession.PSYCHOLOGUE: "93",
}
_BY_RPPS_CODE = {code: profession for profession, code in RPPS_CODES.items()}


class IdentifierKind(StrEnum):
    """National identifier of a professional; NONE for social actors without one."""

    RPPS = "rpps"
    ADELI = "adeli"
    NONE = "aucun"


class ProfessionalSource(StrEnum):
    """Where the record came from: the public directory, typed by hand, or received by sync."""

    DIRECTORY = "annuaire"
    MANUAL = "saisie"
    SYNC = "synchronisation"


@dataclass(frozen=True, slots=True)
class Professional:
    """A professional who can be invited into an ESCAP (or who is the local user)."""

    last_name: str
    first_name: str
    profession: Profession
    identifier_kind: IdentifierKind = IdentifierKind.RPPS
    identifier: str = ""
    specialty: str = ""
    address: str = ""
    postcode: str = ""
    town: str = ""
    phone: str = ""
    mssante: str = ""
    source: ProfessionalSource = ProfessionalSource.MANUAL
    encryption_public_key: str = ""
    signing_public_key: str = ""
    id: str = field(default_factory=new_id)

    @property
    def display_name(self) -> str:
        """The usual French form: "Dr Marie LEFÈVRE" for a doctor, "Marie LEFÈVRE" otherwise."""
        name = f"{self.first_name} {self.last_name.upper()}".strip()
        return f"Dr {name}" if self.profession is Profession.MEDECIN else name

    @property
    def national_id(self) -> str:
        """The "Identification nationale PP": type digit then identifier (8 + RPPS, 0 + ADELI)."""
        if self.identifier_kind is IdentifierKind.RPPS:
            return "8" + self.identifier
        if self.identifier_kind is IdentifierKind.ADELI:
            return "0" + self.identifier
        return ""


@dataclass(frozen=True, slots=True)
class LocalProfile:
    """Who uses this installation: their own professional record and local settings."""

    professional_id: str
    device_name: str = ""
    idle_lock_minutes: int = 10
    relay_url: str = ""
    grid_path: str = ""
