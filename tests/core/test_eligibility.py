from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from escap_desktop.core.entities import ClinicalSituation, Prerequisite
from escap_desktop.core.errors import GridError, ValidationError
from escap_desktop.core.rules.eligibility import build_assessment, evaluate_eligibility, rescore
from escap_desktop.core.rules.grid import Grid, GridCatalog, default_grid_path, load_grid
from tests.core.builders import make_patient
from tests.core.grid_files import bundled_grid_data, write_grid

GRID = load_grid(default_grid_path())
BIRTH = date(1950, 5, 12)
ON = date(2025, 6, 15)
DIABETES = ClinicalSituation(diabetes_type=2, on_insulin=True)


def ticking(count: int, grid: Grid = GRID) -> dict[str, bool]:
    """Answers with the first ``count`` items ticked."""
    return {item.id: index < count for index, item in enumerate(grid.items)}


def test_13_points_and_a_prerequisite_is_eligible() -> None:
    result = evaluate_eligibility(GRID, ticking(13), DIABETES, BIRTH, ON)
    assert result.eligible
    assert result.score == 13
    assert result.points_missing == 0
    assert result.summary == "Le patient est éligible à une ESCAP."
    assert "Le seuil de 13 points est atteint." in result.explanation


def test_12_points_is_one_point_short() -> None:
    result = evaluate_eligibility(GRID, ticking(12), DIABETES, BIRTH, ON)
    assert not result.eligible
    assert result.points_missing == 1
    assert result.threshold_line == "Il manque 1 point pour atteindre le seuil de 13."
    assert result.summary == (
        "Le patient n'est pas éligible à une ESCAP : le score n'atteint pas le seuil de 13."
    )


def test_points_missing_are_counted_in_the_plural() -> None:
    result = evaluate_eligibility(GRID, ticking(0), DIABETES, BIRTH, ON)
    assert result.threshold_line == "Il manque 13 points pour atteindre le seuil de 13."
    assert "Aucun item coché." in result.explanation
    assert "Score : 0 point sur 26 (seuil : 13)." in result.explanation


def test_26_points_without_prerequisite_is_not_eligible() -> None:
    result = evaluate_eligibility(GRID, ticking(26), ClinicalSituation(), date(1990, 1, 1), ON)
    assert not result.eligible
    assert result.summary == (
        "Le patient n'est pas éligible à une ESCAP : aucun des 4 prérequis n'est rempli."
    )
    assert "Aucun prérequis rempli :" in result.explanation
    assert (
        "– Patient diabétique (type 1 ou 2) sous insuline : pas de diabète renseigné."
        in result.explanation
    )


def test_pregnancy_excludes_whatever_the_score() -> None:
    pregnant = ClinicalSituation(diabetes_type=1, on_insulin=True, pregnant=True)
    result = evaluate_eligibility(GRID, ticking(26), pregnant, date(1995, 1, 1), ON)
    assert not result.eligible
    assert [exclusion.id for exclusion in result.exclusions] == ["grossesse"]
    assert result.summary == (
        "Le patient n'est pas éligible à une ESCAP : exclusion : grossesse en cours."
    )
    assert result.explanation[-1] == (
        "Exclusion : Grossesse en cours. L'ESCAP s'applique hors grossesse : une patiente "
        "enceinte n'est pas éligible."
    )


def test_a_grid_without_the_pregnancy_exclusion_does_not_exclude(tmp_path: Path) -> None:
    data = bundled_grid_data()
    del data["exclusions"]
    grid = load_grid(write_grid(tmp_path, data))
    pregnant = ClinicalSituation(diabetes_type=1, on_insulin=True, pregnant=True)
    assert evaluate_eligibility(grid, ticking(13, grid), pregnant, BIRTH, ON).eligible


def test_every_reason_is_given_at_once() -> None:
    result = evaluate_eligibility(
        GRID, ticking(2), ClinicalSituation(pregnant=True), date(1995, 1, 1), ON
    )
    assert result.summary == (
        "Le patient n'est pas éligible à une ESCAP : aucun des 4 prérequis n'est rempli ; "
        "le score n'atteint pas le seuil de 13 ; exclusion : grossesse en cours."
    )


def test_the_explanation_names_the_prerequisites_and_the_items() -> None:
    situation = ClinicalSituation(chronic_conditions=3, palliative_care=True)
    answers = ticking(0) | {"chutes": True, "vit_seul": True}
    result = evaluate_eligibility(GRID, answers, situation, BIRTH, ON)
    assert result.explanation == (
        "Le patient n'est pas éligible à une ESCAP : le score n'atteint pas le seuil de 13.",
        "Prérequis rempli : Patient polypathologique chronique de plus de 65 ans "
        "(plus de 65 ans et 3 maladies chroniques).",
        "Prérequis rempli : Patient en soins palliatifs (patient en soins palliatifs).",
        f"Items cochés (2) : « {GRID.item('chutes').label} » et « {GRID.item('vit_seul').label} ».",
        "Score : 2 points sur 26 (seuil : 13).",
        "Il manque 11 points pour atteindre le seuil de 13.",
    )


def test_bad_answers_are_refused() -> None:
    with pytest.raises(ValidationError):
        evaluate_eligibility(GRID, {"chutes": True}, DIABETES, BIRTH, ON)


def test_the_assessment_keeps_grid_version_answers_and_decision() -> None:
    patient = make_patient(birth_date=BIRTH)
    assessment = build_assessment(
        GRID, ticking(13), DIABETES, patient, "pro-1", ON, "escap-1", at_home=True
    )
    assert (assessment.grid_id, assessment.grid_version) == ("escap", "2025.1")
    assert assessment.answers == ticking(13)
    assert (assessment.score, assessment.threshold) == (13, 13)
    assert assessment.eligible
    assert assessment.prerequisites_met == (Prerequisite.DIABETES_INSULIN,)
    assert (assessment.escap_id, assessment.patient_id) == ("escap-1", patient.id)
    assert assessment.assessor_id == "pro-1"
    assert assessment.at_home
    assert not assessment.is_reevaluation


def test_an_assessment_is_rescored_with_its_own_version(tmp_path: Path) -> None:
    patient = make_patient(birth_date=BIRTH)
    assessment = build_assessment(GRID, ticking(13), DIABETES, patient, "pro-1", ON, "escap-1")
    newer = bundled_grid_data()
    newer["grid"]["version"] = "2026.1"
    newer["grid"]["threshold"] = 20
    write_grid(tmp_path, newer, "escap-2026.toml")
    catalog = GridCatalog.load([default_grid_path().parent, tmp_path])
    result = rescore(assessment, catalog, BIRTH)
    assert (result.grid_version, result.threshold, result.eligible) == ("2025.1", 13, True)


def test_an_assessment_whose_version_is_gone_is_not_rescored(tmp_path: Path) -> None:
    patient = make_patient(birth_date=BIRTH)
    assessment = build_assessment(GRID, ticking(13), DIABETES, patient, "pro-1", ON, "escap-1")
    newer = bundled_grid_data()
    newer["grid"]["version"] = "2026.1"
    write_grid(tmp_path, newer, "escap-2026.toml")
    with pytest.raises(GridError, match=r"version 2025\.1 n'est pas disponible"):
        rescore(assessment, GridCatalog.load([tmp_path]), BIRTH)
