from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escap_desktop.core.entities import ClinicalSituation, Prerequisite
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.prerequisites import (
    anniversary,
    evaluate_prerequisites,
    is_over_65,
)
from tests.core.builders import make_patient

BIRTH = date(1960, 3, 10)


def polypathology(on: date, birth: date = BIRTH, conditions: int = 2) -> tuple[bool, str]:
    check = evaluate_prerequisites(
        ClinicalSituation(chronic_conditions=conditions), birth, on
    ).check(Prerequisite.POLYPATHOLOGY_OVER_65)
    return check.met, check.reason


# --- Over 65 and chronic polypathology -------------------------------------------------------


def test_on_the_65th_birthday_the_patient_is_not_over_65() -> None:
    met, reason = polypathology(date(2025, 3, 10))
    assert not met
    assert reason == (
        "Le patient a 65 ans ou moins à la date d'évaluation "
        "(plus de 65 ans à partir du 11/03/2025)."
    )


def test_the_day_after_the_65th_birthday_the_patient_is_over_65() -> None:
    met, reason = polypathology(date(2025, 3, 11))
    assert met
    assert reason == "Plus de 65 ans et 2 maladies chroniques."


def test_the_day_before_the_65th_birthday_the_patient_is_not_over_65() -> None:
    assert not polypathology(date(2025, 3, 9))[0]


def test_born_on_29_february_the_65th_birthday_is_1_march_in_a_common_year() -> None:
    birth = date(1960, 2, 29)
    assert anniversary(birth, 65) == date(2025, 3, 1)
    assert not polypathology(date(2025, 2, 28), birth)[0]
    assert not polypathology(date(2025, 3, 1), birth)[0]
    assert polypathology(date(2025, 3, 2), birth)[0]


def test_born_on_28_february_the_first_day_over_65_may_be_29_february() -> None:
    birth = date(1959, 2, 28)
    assert not polypathology(date(2024, 2, 28), birth)[0]
    assert polypathology(date(2024, 2, 29), birth)[0]


def test_one_chronic_condition_is_not_a_polypathology() -> None:
    met, reason = polypathology(date(2025, 6, 1), conditions=1)
    assert not met
    assert reason == "Plus de 65 ans mais 1 maladie chronique : il en faut au moins 2."


def test_two_chronic_conditions_make_a_polypathology() -> None:
    assert polypathology(date(2025, 6, 1), conditions=2)[0]
    assert polypathology(date(2025, 6, 1), conditions=7)[0]


def test_both_missing_are_both_explained() -> None:
    met, reason = polypathology(date(2020, 1, 1), conditions=0)
    assert not met
    assert "65 ans ou moins" in reason
    assert "0 maladie chronique (il en faut au moins 2)" in reason


@settings(database=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2000, 12, 31)),
    st.integers(min_value=0, max_value=40_000),
)
def test_over_65_agrees_with_the_age_in_whole_years(birth: date, days: int) -> None:
    on = birth + timedelta(days=days)
    age = make_patient(birth_date=birth).age_on(on)
    if age >= 66:
        assert is_over_65(birth, on)
    elif age <= 64:
        assert not is_over_65(birth, on)
    else:
        assert is_over_65(birth, on) == (on != anniversary(birth, 65))


# --- Stroke ----------------------------------------------------------------------------------


def stroke(discharge: date | None, on: date) -> tuple[bool, str]:
    situation = ClinicalSituation(stroke_discharge_date=discharge)
    check = evaluate_prerequisites(situation, BIRTH, on).check(Prerequisite.STROKE_RECENT)
    return check.met, check.reason


def test_stroke_the_day_before_the_first_anniversary_counts() -> None:
    met, reason = stroke(date(2024, 6, 15), date(2025, 6, 14))
    assert met
    assert reason == "Sortie d'hospitalisation pour AVC le 15/06/2024, il y a moins d'un an."


def test_stroke_on_the_first_anniversary_no_longer_counts() -> None:
    met, reason = stroke(date(2024, 6, 15), date(2025, 6, 15))
    assert not met
    assert reason == (
        "Sortie d'hospitalisation pour AVC le 15/06/2024, il y a un an ou plus "
        "(le prérequis valait jusqu'au 14/06/2025 inclus)."
    )


def test_stroke_discharged_on_29_february_counts_until_28_february() -> None:
    assert stroke(date(2024, 2, 29), date(2025, 2, 28))[0]
    met, reason = stroke(date(2024, 2, 29), date(2025, 3, 1))
    assert not met
    assert "valait jusqu'au 28/02/2025 inclus" in reason


def test_stroke_across_a_29_february_keeps_the_calendar_date() -> None:
    assert stroke(date(2023, 3, 1), date(2024, 2, 29))[0]
    assert not stroke(date(2023, 3, 1), date(2024, 3, 1))[0]


def test_stroke_discharged_on_the_assessment_day_counts() -> None:
    assert stroke(date(2025, 6, 15), date(2025, 6, 15))[0]


def test_a_discharge_after_the_assessment_is_refused() -> None:
    with pytest.raises(ValidationError, match="postérieure à la date d'évaluation") as error:
        stroke(date(2025, 6, 16), date(2025, 6, 15))
    assert error.value.field == "stroke_discharge_date"


def test_no_stroke_is_not_met() -> None:
    assert stroke(None, date(2025, 6, 15)) == (False, "Pas d'hospitalisation pour AVC renseignée.")


# --- Palliative care and diabetes ------------------------------------------------------------


def test_palliative_care() -> None:
    on = date(2025, 6, 15)
    yes = evaluate_prerequisites(ClinicalSituation(palliative_care=True), BIRTH, on)
    no = evaluate_prerequisites(ClinicalSituation(), BIRTH, on)
    assert yes.check(Prerequisite.PALLIATIVE).met
    assert not no.check(Prerequisite.PALLIATIVE).met


def diabetes(kind: int | None, insulin: bool) -> tuple[bool, str]:
    situation = ClinicalSituation(diabetes_type=kind, on_insulin=insulin)
    check = evaluate_prerequisites(situation, BIRTH, date(2025, 6, 15)).check(
        Prerequisite.DIABETES_INSULIN
    )
    return check.met, check.reason


@pytest.mark.parametrize("kind", [1, 2])
def test_diabetes_type_1_or_2_on_insulin_is_met(kind: int) -> None:
    assert diabetes(kind, True) == (True, f"Diabète de type {kind} traité par insuline.")


@pytest.mark.parametrize("kind", [1, 2])
def test_diabetes_without_insulin_is_not_met(kind: int) -> None:
    assert diabetes(kind, False) == (False, f"Diabète de type {kind} sans traitement par insuline.")


@pytest.mark.parametrize("kind", [0, 3, 4])
def test_other_diabetes_types_are_not_met_with_the_reason(kind: int) -> None:
    met, reason = diabetes(kind, True)
    assert not met
    assert reason.startswith(f"Le diabète de type {kind} n'est pas concerné")


def test_insulin_without_diabetes_type_asks_for_the_type() -> None:
    assert diabetes(None, True) == (
        False,
        "Traitement par insuline renseigné sans type de diabète : précisez le type 1 ou 2.",
    )
    assert diabetes(None, False) == (False, "Pas de diabète renseigné.")


# --- The result as a whole -------------------------------------------------------------------


def test_the_result_lists_the_4_prerequisites_in_order() -> None:
    situation = ClinicalSituation(palliative_care=True, diabetes_type=2, on_insulin=True)
    result = evaluate_prerequisites(situation, BIRTH, date(2025, 6, 15))
    assert [check.prerequisite for check in result.checks] == list(Prerequisite)
    assert result.met == (Prerequisite.PALLIATIVE, Prerequisite.DIABETES_INSULIN)
    assert result.any_met


def test_nothing_met() -> None:
    result = evaluate_prerequisites(ClinicalSituation(), BIRTH, date(2025, 6, 15))
    assert result.met == ()
    assert not result.any_met
    assert all(check.reason for check in result.checks)


def test_impossible_inputs_are_refused_with_their_field() -> None:
    with pytest.raises(ValidationError) as error:
        evaluate_prerequisites(ClinicalSituation(chronic_conditions=-1), BIRTH, date(2025, 1, 1))
    assert error.value.field == "chronic_conditions"
    with pytest.raises(ValidationError) as error:
        evaluate_prerequisites(ClinicalSituation(), BIRTH, date(1959, 1, 1))
    assert error.value.field == "assessed_on"
    with pytest.raises(ValidationError) as error:
        evaluate_prerequisites(
            ClinicalSituation(stroke_discharge_date=date(1950, 1, 1)), BIRTH, date(2025, 1, 1)
        )
    assert error.value.field == "stroke_discharge_date"
