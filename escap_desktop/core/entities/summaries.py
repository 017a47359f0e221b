"""Read-only views computed by the store for lists (one row per patient, per ESCAP...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from escap_desktop.core.entities.assessment import GridAssessment
from escap_desktop.core.entities.billing import BillingRecord
from escap_desktop.core.entities.consent import Consent
from escap_desktop.core.entities.escap import Escap, EscapState, Membership, MembershipStatus
from escap_desktop.core.entities.events import Event
from escap_desktop.core.entities.messaging import Message
from escap_desktop.core.entities.patient import Patient
from escap_desktop.core.entities.plan import Action
from escap_desktop.core.entities.professional import Professional


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """One line of the patient list: identity and the state of the patient's current ESCAP.

    The current ESCAP is the most recent episode; all ESCAP columns are None without one.
    """

    patient_id: str
    display_name: str
    birth_name: str
    used_name: str
    first_names: str
    birth_date: date
    ins: str
    escap_id: str | None
    escap_state: EscapState | None
    last_score: int | None
    team_size: int
    next_due_on: date | None
    next_action: str
    unread_messages: int


@dataclass(frozen=True, slots=True)
class MemberView:
    """A membership with the professional behind it, as the ESCAP page lists it."""

    membership: Membership
    professional: Professional
    is_medecin_traitant: bool


@dataclass(frozen=True, slots=True)
class EscapOverview:
    """Everything the ESCAP page of a patient shows, gathered in one read."""

    patient: Patient
    escap: Escap
    members: tuple[MemberView, ...]
    consent: Consent | None
    assessments: tuple[GridAssessment, ...]
    actions: tuple[Action, ...]
    messages: tuple[Message, ...]
    events: tuple[Event, ...]
    billing: tuple[BillingRecord, ...]
    medecin_traitant: Professional | None

    @property
    def latest_assessment(self) -> GridAssessment | None:
        return self.assessments[-1] if self.assessments else None

    @property
    def accepted_members(self) -> tuple[MemberView, ...]:
        return tuple(m for m in self.members if m.membership.status is MembershipStatus.ACCEPTED)
