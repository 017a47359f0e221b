"""Checks the forms run while the professional types, before anything is saved.

They are the same pure rules the services apply on save (``core.rules``), called here so a
field can show its reason as soon as it is left. Nothing here reads or writes the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from escap_desktop.core.entities import ClinicalSituation, Patient, Prerequisite, Professional
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity, prerequisites
from escap_desktop.core.rules import team as team_rules
from escap_desktop.core.rules.grid import Grid
from escap_desktop.core.rules.grid import score as grid_score
from escap_desktop.core.rules.prerequisites import PrerequisiteCheck


def patient_problems(patient: Patient, today: date | None = None) -> list[ValidationError]:
    return identity.patient_problems(identity.normalise_patient(patient), today or date.today())


def professional_problems(professional: Professional) -> list[ValidationError]:
    return identity.professional_problems(professional)


def prerequisite_checks(
    situation: ClinicalSituation, birth_date: date, assessed_on: date
) -> tuple[PrerequisiteCheck, ...]:
    return prerequisites.evaluate_prerequisites(situation, birth_date, assessed_on).checks


def score(grid: Grid, answers: Mapping[str, bool]) -> int:
    return grid_score(grid, answers)


MINIMUM_HEALTH_MEMBERS = team_rules.MINIMUM_HEALTH_MEMBERS


def suggest_specialties(met: Iterable[Prerequisite]) -> list[str]:
    """The specialist who joins "according to the pathologies", for the prerequisites met."""
    return team_rules.suggest_specialties(met)


def designation_problems(
    designated: Iterable[Professional], medecin_traitant_id: str | None
) -> list[str]:
    """Why a designated team could never become valid (too few health professionals, no
    médecin traitant among them), before anyone is invited."""
    designated = list(designated)
    health = [p for p in designated if p.profession.is_health_professional]
    problems: list[str] = []
    if len(health) < MINIMUM_HEALTH_MEMBERS:
        count = len(health)
        noun = (
            "professionnel de santé désigné" if count <= 1 else "professionnels de santé désignés"
        )
        problems.append(
            f"L'équipe doit compter au moins {MINIMUM_HEALTH_MEMBERS} professionnels de santé, "
            f"dont le médecin traitant : {count} {noun} pour l'instant."
        )
    if medecin_traitant_id is None or all(p.id != medecin_traitant_id for p in designated):
        problems.append(
            "Le médecin traitant du patient doit faire partie de l'équipe : choisissez-le dans "
            "la liste (« Médecin traitant »)."
        )
    return problems
