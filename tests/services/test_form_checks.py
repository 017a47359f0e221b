"""The live checks the forms run, as a service: usable before any store exists (first launch),
and on the practice's clock once one is open."""

from __future__ import annotations

from datetime import date, timedelta

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    ClinicalSituation,
    IdentifierKind,
    Patient,
    Prerequisite,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.services.practice import Practice
from tests.services.conftest import make_nir, professional


def _patient(birth: date) -> Patient:
    return Patient(
        birth_name="Martin",
        first_names="Léa",
        birth_date=birth,
        sex=Sex.FEMALE,
        ins=make_nir(Sex.FEMALE, date(1948, 3, 5)),
    )


def test_a_professional_is_checked_without_any_store() -> None:
    typed = Professional(
        last_name="",
        first_name="Awa",
        profession=Profession.INFIRMIER,
        identifier_kind=IdentifierKind.RPPS,
        identifier="123",
    )
    problems = FormChecks.professional_problems(typed)
    assert [p.field for p in problems] == ["last_name", "identifier"]
    assert all(str(p) for p in problems)
    good = professional("N'Diaye", "Awa", Profession.INFIRMIER, "10007654321")
    assert FormChecks.professional_problems(good) == []


def test_the_practice_checks_a_birth_date_on_its_own_clock(
    practice: Practice, clock: FrozenClock
) -> None:
    born_tomorrow = _patient(clock.today() + timedelta(days=1))
    [problem] = [
        p for p in practice.form_checks.patient_problems(born_tomorrow) if p.field == "birth_date"
    ]
    assert str(problem) == (
        f"La date de naissance ({born_tomorrow.birth_date:%d/%m/%Y}) est dans le futur."
    )
    two_days_later = FormChecks(FrozenClock(clock.now() + timedelta(days=2)))
    assert "birth_date" not in {p.field for p in two_days_later.patient_problems(born_tomorrow)}


def test_grid_prerequisites_and_specialists_for_the_inclusion(
    practice: Practice, clock: FrozenClock
) -> None:
    checks = practice.form_checks
    grid = practice.escaps.current_grid()
    answers = {item_id: index < 5 for index, item_id in enumerate(grid.item_ids)}
    assert checks.score(grid, answers) == 5
    [polypathology, *_others] = checks.prerequisite_checks(
        ClinicalSituation(chronic_conditions=3), date(1940, 3, 12), clock.today()
    )
    assert polypathology.prerequisite is Prerequisite.POLYPATHOLOGY_OVER_65
    assert polypathology.met
    assert checks.suggest_specialties([Prerequisite.POLYPATHOLOGY_OVER_65]) == ["Gériatre"]


def test_a_designated_team_is_checked_before_anyone_is_invited(practice: Practice) -> None:
    gp = professional("Lefèvre", "Claire", Profession.MEDECIN, "10000000001")
    nurse = professional("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002")
    physio = professional("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003")
    checks = practice.form_checks
    assert checks.designation_problems([gp, nurse, physio], gp.id) == []
    assert checks.designation_problems([gp, nurse], gp.id) == [
        "L'équipe doit compter au moins 3 professionnels de santé, dont le médecin traitant : "
        "2 professionnels de santé désignés pour l'instant."
    ]
