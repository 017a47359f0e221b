"""One patient, one record: a second record of the same INS is refused, same traits ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from escap_desktop.core.entities import Patient, Sex
from escap_desktop.core.errors import DuplicatePatientError
from escap_desktop.core.text import fold
from escap_desktop.services.practice import Practice
from tests.services.conftest import make_nir

BIRTH = date(1948, 3, 5)


def _patient(**traits: object) -> Patient:
    values: dict[str, object] = {
        "birth_name": "Œuvrard",
        "first_names": "Léa Marie",
        "birth_date": BIRTH,
        "sex": Sex.FEMALE,
        "birth_place_code": "69123",
        "ins": make_nir(Sex.FEMALE, BIRTH),
    } | traits
    return Patient(**values)  # type: ignore[arg-type]


def test_the_same_ins_is_never_recorded_twice(practice: Practice) -> None:
    first = practice.patients.create(_patient())
    with pytest.raises(DuplicatePatientError) as refused:
        practice.patients.create(_patient(birth_name="Dupont", first_names="Jeanne"))
    assert refused.value.same_ins
    assert refused.value.existing_id == first.id
    assert refused.value.field == "ins"
    assert "même matricule INS" in refused.value.message
    # Even when the professional says it is another person.
    with pytest.raises(DuplicatePatientError):
        practice.patients.create(_patient(birth_name="Dupont"), not_a_duplicate=True)
    assert [row.patient_id for row in practice.patients.summaries()] == [first.id]


def test_the_same_traits_ask_whatever_the_accents_case_and_ligatures(
    practice: Practice,
) -> None:
    first = practice.patients.create(_patient(ins=""))
    typed = _patient(birth_name="OEUVRARD", first_names="lea", ins="")
    [duplicate] = practice.patients.possible_duplicates(typed)
    assert (duplicate.patient.id, duplicate.same_ins) == (first.id, False)
    with pytest.raises(DuplicatePatientError, match="mêmes traits d'identité") as asked:
        practice.patients.create(typed)
    assert not asked.value.same_ins
    second = practice.patients.create(typed, not_a_duplicate=True)  # really another person
    assert second.id != first.id
    # Another birth date, another first name or sex: not a possible duplicate.
    for other in (
        replace(typed, birth_date=date(1948, 3, 6)),
        replace(typed, first_names="Marie"),
        replace(typed, sex=Sex.MALE),
    ):
        assert practice.patients.possible_duplicates(other) == []


def test_one_folding_for_names() -> None:
    assert fold("ŒUVRARD") == fold("oeuvrard") == "oeuvrard"
    assert fold("Lefèvre") == fold("LEFEVRE")
    assert fold("Æsa Strauß Søren Łukasz") == "aesa strauss soren lukasz"


def test_the_patient_list_finds_a_ligature_typed_without_it(practice: Practice) -> None:
    practice.patients.create(_patient())
    assert [r.display_name for r in practice.patients.summaries("oeuvrard")] == ["ŒUVRARD Léa"]
    assert [r.display_name for r in practice.patients.summaries("œuvrard lea")] == ["ŒUVRARD Léa"]
