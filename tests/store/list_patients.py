"""Patients for the patient-list tests: accents, apostrophes, a used name, every kind of state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from escap_desktop.core.entities import Escap, EscapState, Patient, Sex
from escap_desktop.store import UnitOfWork

NAMES = [
    ("Lefèvre", "Marie Anne", "", EscapState.ACTIVE),
    ("N'Diaye", "Awa", "Martin", EscapState.CLOSED),
    ("Œuvrard", "Zoé", "", None),
    ("Martin", "Léa", "", EscapState.DRAFT),
    ("Dupont-Moretti", "Jean-Pierre", "", EscapState.FORMING),
    ("O'Brien", "Seán", "", None),
]


def put_patients(uow: UnitOfWork, author_id: str) -> None:
    """Each of :data:`NAMES`, with an episode in its state (none when the state is None)."""
    for order, (birth_name, first_names, used_name, state) in enumerate(NAMES):
        patient = uow.put(
            Patient(
                birth_name=birth_name,
                first_names=first_names,
                used_name=used_name,
                birth_date=date(1930 + order, order + 1, 10 + order),
                sex=Sex.FEMALE,
                ins=f"2{30 + order:02d}{order + 1:02d}7512345{order:03d}",
            )
        )
        if state is not None:
            uow.put(
                Escap(
                    patient_id=patient.id,
                    created_by=author_id,
                    created_at=datetime(2025, 1, 1 + order, tzinfo=UTC),
                    state=state,
                )
            )
