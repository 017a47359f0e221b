"""The ESCAP episode (one team around one patient) and its memberships."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class EscapState(StrEnum):
    """Lifecycle of an episode; the allowed transitions live in ``core.rules.lifecycle``."""

    DRAFT = "brouillon"
    ASSESSED = "evaluee"
    CONSENTED = "consentie"
    FORMING = "constitution"
    ACTIVE = "active"
    INCOMPLETE = "incomplete"
    CLOSED = "cloturee"

    @property
    def label(self) -> str:
        return {
            "brouillon": "Brouillon",
            "evaluee": "Évaluée",
            "consentie": "Consentement recueilli",
            "constitution": "Équipe en constitution",
            "active": "Active",
            "incomplete": "Équipe incomplète",
            "cloturee": "Clôturée",
        }[self.value]

    @property
    def running(self) -> bool:
        """Activated and not closed: active, or incomplete (the team follows the patient)."""
        return self in (EscapState.ACTIVE, EscapState.INCOMPLETE)


class ExitReason(StrEnum):
    """Why an ESCAP ended."""

    IMPROVED = "etat_ameliore"
    WITHDRAWAL = "retrait_patient"
    CONSENT_WITHDRAWN = "retrait_consentement"
    DEATH = "deces"
    MOVE = "demenagement"
    INSTITUTION = "institutionnalisation"
    NOT_ELIGIBLE = "non_eligible"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            "etat_ameliore": "L'état du patient le permet",
            "retrait_patient": "Retrait du patient",
            "retrait_consentement": "Retrait du consentement",
            "deces": "Décès",
            "demenagement": "Déménagement",
            "institutionnalisation": "Prise en charge institutionnelle durable",
            "non_eligible": "Patient non éligible",
            "autre": "Autre motif",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Escap:
    """One episode of an ESCAP for a patient; a restart is a new episode (``episode`` + 1).

    ``team_id`` is a random opaque id used on the relay, never derived from the patient.
    """

    patient_id: str
    created_by: str
    created_at: datetime
    state: EscapState = EscapState.DRAFT
    episode: int = 1
    activated_at: datetime | None = None
    closed_at: datetime | None = None
    exit_reason: ExitReason | None = None
    exit_note: str = ""
    team_id: str = field(default_factory=new_id)
    id: str = field(default_factory=new_id)


class MembershipStatus(StrEnum):
    INVITED = "invite"
    ACCEPTED = "accepte"
    DECLINED = "refuse"
    LEFT = "parti"
    REMOVED = "retire"

    @property
    def label(self) -> str:
        return {
            "invite": "Invité",
            "accepte": "Membre",
            "refuse": "A décliné",
            "parti": "A quitté l'équipe",
            "retire": "Retiré de l'équipe",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Membership:
    """A professional's place in an ESCAP: invitation, answer (their own consent), departure."""

    escap_id: str
    professional_id: str
    invited_by: str
    invited_at: datetime
    role: str = ""
    status: MembershipStatus = MembershipStatus.INVITED
    responded_at: datetime | None = None
    left_at: datetime | None = None
    join_code: str = ""
    invitation_printed_on: date | None = None
    id: str = field(default_factory=new_id)
