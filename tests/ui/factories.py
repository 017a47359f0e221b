"""Plain patient-list rows for tests that need no store."""

from __future__ import annotations

from datetime import date

from escap_desktop.core.entities import EscapState
from escap_desktop.core.entities.summaries import PatientSummary


def summary(
    name: str = "MARTIN Léa",
    birth: date = date(1948, 3, 5),
    ins: str = "248037512345678",
    state: EscapState | None = None,
    score: int | None = None,
    team: int = 0,
    due: date | None = None,
    action: str = "",
    unread: int = 0,
    patient_id: str | None = None,
) -> PatientSummary:
    last, _, first = name.partition(" ")
    return PatientSummary(
        patient_id=patient_id or f"p-{name}",
        display_name=name,
        birth_name=last.title(),
        used_name="",
        first_names=first,
        birth_date=birth,
        ins=ins,
        escap_id=None if state is None else f"e-{name}",
        escap_state=state,
        last_score=score,
        team_size=team,
        next_due_on=due,
        next_action=action,
        unread_messages=unread,
    )
