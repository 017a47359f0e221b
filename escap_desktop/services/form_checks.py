"""The checks a form runs while the professional types, before anything is saved.

They are the pure rules the services apply on save (``core.rules``), offered here so the GUI
shows a field's reason as soon as it is left without reaching into the rules itself. Nothing
here reads or writes the store: the first-launch wizard checks the professional's record before
any store exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from escap_desktop.core.clock import Clock
from escap_desktop.core.entities import ClinicalSituation, Patient, Prerequisite, Professional
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity, prerequisites, team
from escap_desktop.core.rules.eligibility import EligibilityResult
from escap_desktop.core.rules.grid import Grid
from escap_desktop.core.rules.grid import score as grid_score
from escap_desktop.core.rules.prerequisites import PrerequisiteCheck

__all__ = ["EligibilityResult", "FormChecks", "Grid", "PrerequisiteCheck"]


class FormChecks:
    """Live checks for the forms, dated by the practice's clock (ages, future dates)."""

    def __init__(self, clock: Clock) -> None:
        self._today = clock.today

    def patient_problems(self, patient: Patient) -> list[ValidationError]:
        """Every problem of the identity as typed, each for its field, on normalised values."""
        return identity.patient_problems(identity.normalise_patient(patient), self._today())

    @staticmethod
    def professional_problems(professional: Professional) -> list[ValidationError]:
        """No date in these rules: dialogs without a practice (the profile before any store,
        a professional typed by hand) call it on the class."""
        return identity.professional_problems(professional)

    def prerequisite_checks(
        self, situation: ClinicalSituation, birth_date: date, assessed_on: date
    ) -> tuple[PrerequisiteCheck, ...]:
        return prerequisites.evaluate_prerequisites(situation, birth_date, assessed_on).checks

    def score(self, grid: Grid, answers: Mapping[str, bool]) -> int:
        return grid_score(grid, answers)

    def suggest_specialties(self, met: Iterable[Prerequisite]) -> list[str]:
        """The specialist who joins "according to the pathologies", for the prerequisites met."""
        return team.suggest_specialties(met)

    def designation_problems(
        self, designated: Iterable[Professional], medecin_traitant_id: str | None
    ) -> list[str]:
        """Why the designated team could never become valid, before anyone is invited."""
        return team.designation_problems(designated, medecin_traitant_id)
