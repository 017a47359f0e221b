"""The choices of the patient list's state filter."""

from __future__ import annotations

from escap_desktop.core.entities import EscapState
from escap_desktop.ui.main_window.patient_list_view import ALL_PATIENTS, StateFilter

IN_PROGRESS = (
    EscapState.DRAFT,
    EscapState.ASSESSED,
    EscapState.CONSENTED,
    EscapState.FORMING,
    EscapState.ACTIVE,
    EscapState.INCOMPLETE,
)

STATE_FILTERS: tuple[StateFilter, ...] = (
    (ALL_PATIENTS, None),
    ("ESCAP en cours", IN_PROGRESS),
    *((state.label, (state,)) for state in EscapState),
    ("Sans ESCAP", (None,)),
)
