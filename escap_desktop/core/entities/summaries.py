"""Read-only views computed by the store for lists (one row per patient, per ESCAP...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from escap_desktop.core.entities.escap import EscapState


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
