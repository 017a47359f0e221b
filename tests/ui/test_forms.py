"""Forms show each French error next to its field, as the professional types."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Patient, Sex
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules import identity
from escap_desktop.ui.forms.patient_form import PatientForm
from tests.ui.typing import show_active, type_text


def _checker(patient: Patient) -> list[ValidationError]:
    return identity.patient_problems(identity.normalise_patient(patient), date(2025, 6, 1))


def _form(qtbot: QtBot) -> PatientForm:
    form = PatientForm()
    form.set_checker(_checker)
    qtbot.addWidget(form)
    show_active(form)
    return form


def test_wrong_nir_key_is_explained_next_to_the_nir(qtbot: QtBot) -> None:
    form = _form(qtbot)
    type_text(form.birth_name, "Martin")
    type_text(form.first_names, "Léa")
    type_text(form.birth_date, "05031948")
    form.sex.setCurrentIndex(form.sex.findData(Sex.FEMALE))
    type_text(form.ins, "2 48 03 75 123 456 00")
    qtbot.keyClick(form.ins, Qt.Key.Key_Tab)
    message = form.errors.message("ins")
    assert message.startswith("La clé du NIR est incorrecte")
    assert form.errors.message("birth_name") == ""


def test_untouched_fields_stay_quiet_until_validate(qtbot: QtBot) -> None:
    form = _form(qtbot)
    type_text(form.birth_name, "Martin")
    qtbot.keyClick(form.birth_name, Qt.Key.Key_Tab)
    assert form.errors.message("first_names") == ""
    assert not form.validate()
    assert form.errors.message("first_names") != ""
    assert form.errors.message("birth_date") == "La date de naissance est obligatoire (JJ/MM/AAAA)."
    assert form.errors.message("sex") == "Choisissez le sexe du patient."


def test_a_valid_identity_builds_the_patient(qtbot: QtBot) -> None:
    form = _form(qtbot)
    type_text(form.birth_name, "Lefèvre")
    type_text(form.first_names, "Marie Jeanne")
    type_text(form.birth_date, "24121941")
    form.sex.setCurrentIndex(form.sex.findData(Sex.FEMALE))
    assert form.validate()
    patient = form.draft()
    assert patient.birth_date == date(1941, 12, 24)
    assert patient.first_names == "Marie Jeanne"
