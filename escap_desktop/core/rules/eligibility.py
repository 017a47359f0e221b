"""Eligibility: at least one prerequisite met, the grid threshold reached, and no exclusion.

The result explains itself in French (which prerequisites, which items, how far from the
threshold) because the professional must be able to tell the patient, and the team, why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from escap_desktop.core.entities import ClinicalSituation, GridAssessment, Patient
from escap_desktop.core.rules.grid import (
    EXCLUSION_FIELDS,
    Grid,
    GridCatalog,
    GridExclusion,
    GridItem,
    scored_items,
)
from escap_desktop.core.rules.prerequisites import PrerequisiteResult, evaluate_prerequisites
from escap_desktop.core.rules.wording import lower_first, plural, quoted_list


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    """Everything the decision rests on; ``eligible`` and the French texts derive from it."""

    grid_id: str
    grid_version: str
    prerequisites: PrerequisiteResult
    scored_items: tuple[GridItem, ...]
    score: int
    threshold: int
    total: int
    exclusions: tuple[GridExclusion, ...] = ()
    """The grid's exclusions that apply to this patient (e.g. pregnancy)."""

    @property
    def threshold_reached(self) -> bool:
        return self.score >= self.threshold

    @property
    def points_missing(self) -> int:
        return max(0, self.threshold - self.score)

    @property
    def eligible(self) -> bool:
        return self.prerequisites.any_met and self.threshold_reached and not self.exclusions

    @property
    def summary(self) -> str:
        """One sentence: eligible, or not and every reason why."""
        if self.eligible:
            return "Le patient est éligible à une ESCAP."
        reasons = []
        if not self.prerequisites.any_met:
            reasons.append("aucun des 4 prérequis n'est rempli")
        if not self.threshold_reached:
            reasons.append(f"le score n'atteint pas le seuil de {self.threshold}")
        reasons += [f"exclusion : {lower_first(exclusion.label)}" for exclusion in self.exclusions]
        return f"Le patient n'est pas éligible à une ESCAP : {' ; '.join(reasons)}."

    @property
    def threshold_line(self) -> str:
        """How far from the threshold, e.g. "Il manque 1 point pour atteindre le seuil de 13."."""
        if self.threshold_reached:
            return f"Le seuil de {self.threshold} points est atteint."
        missing = self.points_missing
        return (
            f"Il manque {missing} {plural(missing, 'point', 'points')} pour atteindre le seuil "
            f"de {self.threshold}."
        )

    @property
    def explanation(self) -> tuple[str, ...]:
        """The summary, then one line per element of the decision, ready to show or print."""
        lines = [self.summary]
        met = [check for check in self.prerequisites.checks if check.met]
        if met:
            lines += [
                f"Prérequis rempli : {check.prerequisite.label} "
                f"({lower_first(check.reason).rstrip('.')})."
                for check in met
            ]
        else:
            lines.append("Aucun prérequis rempli :")
            lines += [
                f"– {check.prerequisite.label} : {lower_first(check.reason)}"
                for check in self.prerequisites.checks
            ]
        count = len(self.scored_items)
        if count:
            labels = quoted_list([item.label for item in self.scored_items])
            lines.append(f"{plural(count, 'Item coché', 'Items cochés')} ({count}) : {labels}.")
        else:
            lines.append("Aucun item coché.")
        lines.append(
            f"Score : {self.score} {plural(self.score, 'point', 'points')} sur {self.total} "
            f"(seuil : {self.threshold})."
        )
        lines.append(self.threshold_line)
        lines += [
            f"Exclusion : {exclusion.label}." + (f" {exclusion.help}" if exclusion.help else "")
            for exclusion in self.exclusions
        ]
        return tuple(lines)


def applying_exclusions(grid: Grid, situation: ClinicalSituation) -> tuple[GridExclusion, ...]:
    """The grid's exclusions that the situation meets; the grid only declares known ones."""
    return tuple(
        exclusion
        for exclusion in grid.exclusions
        if bool(getattr(situation, EXCLUSION_FIELDS[exclusion.id]))
    )


def evaluate_eligibility(
    grid: Grid,
    answers: Mapping[str, bool],
    situation: ClinicalSituation,
    birth_date: date,
    assessed_on: date,
) -> EligibilityResult:
    """Scores the grid and checks the prerequisites on the assessment date.

    Raises ValidationError for incomplete or unknown answers and impossible clinical data.
    """
    prerequisites = evaluate_prerequisites(situation, birth_date, assessed_on)
    ticked = scored_items(grid, answers)
    return EligibilityResult(
        grid_id=grid.grid_id,
        grid_version=grid.version,
        prerequisites=prerequisites,
        scored_items=ticked,
        score=sum(item.points for item in ticked),
        threshold=grid.threshold,
        total=grid.total,
        exclusions=applying_exclusions(grid, situation),
    )


def build_assessment(
    grid: Grid,
    answers: Mapping[str, bool],
    situation: ClinicalSituation,
    patient: Patient,
    assessor_id: str,
    assessed_on: date,
    escap_id: str,
    *,
    at_home: bool = False,
    is_reevaluation: bool = False,
    recorded_at: datetime | None = None,
) -> GridAssessment:
    """The GridAssessment to store, frozen with the grid version and every answer."""
    result = evaluate_eligibility(grid, answers, situation, patient.birth_date, assessed_on)
    return GridAssessment(
        escap_id=escap_id,
        patient_id=patient.id,
        assessor_id=assessor_id,
        assessed_on=assessed_on,
        grid_id=grid.grid_id,
        grid_version=grid.version,
        answers={item_id: bool(answers[item_id]) for item_id in grid.item_ids},
        score=result.score,
        threshold=result.threshold,
        situation=situation,
        prerequisites_met=result.prerequisites.met,
        eligible=result.eligible,
        at_home=at_home,
        is_reevaluation=is_reevaluation,
        recorded_at=recorded_at,
    )


def rescore(
    assessment: GridAssessment, catalog: GridCatalog, birth_date: date
) -> EligibilityResult:
    """The result of a stored assessment, with the exact grid version it used.

    GridError when that version is not installed: never re-scored with another.
    """
    grid = catalog.get(assessment.grid_id, assessment.grid_version)
    return evaluate_eligibility(
        grid, assessment.answers, assessment.situation, birth_date, assessment.assessed_on
    )
