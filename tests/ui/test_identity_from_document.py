"""The identity step filled from a document: a datamatrix INS scan or a FHIR Patient file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import IdentityStatus, Patient, Sex
from escap_desktop.services.practice import Practice
from escap_desktop.ui.inclusion.inclusion_wizard import SITUATION, InclusionWizard
from tests.imports.datamatrix_samples import (
    datamatrix_image,
    document_page,
    ins_content,
    scanned_pdf,
    traits,
)
from tests.imports.fhir_samples import fr_core_patient
from tests.ui.typing import type_text
from tests.ui.wizard_driver import open_inclusion_wizard, press_next


def _wizard(qtbot: QtBot, practice: Practice, document: Path) -> InclusionWizard:
    wizard = open_inclusion_wizard(qtbot, practice, patient_import=practice.patient_import)
    wizard.identity_page.choose = lambda _parent: str(document)
    return wizard


def _scan(tmp_path: Path) -> Path:
    return scanned_pdf(
        [document_page(datamatrix_image(ins_content(traits())))], tmp_path / "scan.pdf"
    )


def test_a_scanned_datamatrix_fills_the_identity_saved_as_retrieved(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    wizard = _wizard(qtbot, practice, _scan(tmp_path))
    page = wizard.identity_page
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)

    form = page.form
    assert (form.birth_name.text(), form.first_names.text()) == ("MARTIN", "LEA MARIE")
    assert form.birth_date.value() == date(1950, 5, 12)
    assert form.sex.currentData() == Sex.FEMALE
    assert form.ins.text() == traits().matricule
    assert page.read_status.text().startswith("Identité récupérée, lue dans « scan.pdf »")
    press_next(qtbot, wizard)
    assert wizard.currentId() == SITUATION
    saved = practice.patients.get(practice.patients.summaries()[0].patient_id)
    assert saved.identity_status is IdentityStatus.RETRIEVED


def test_a_trait_changed_after_reading_makes_the_identity_provisional(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    wizard = _wizard(qtbot, practice, _scan(tmp_path))
    page = wizard.identity_page
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    page.form.birth_name.clear()
    type_text(page.form.birth_name, "MARTINEZ")
    press_next(qtbot, wizard)
    saved = practice.patients.get(practice.patients.summaries()[0].patient_id)
    assert saved.birth_name == "MARTINEZ"
    assert saved.identity_status is IdentityStatus.PROVISIONAL


def test_a_fhir_file_fills_the_form_and_a_known_patient_is_named(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    resource = fr_core_patient()
    path = tmp_path / "patient.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    draft = practice.patient_import.read_fhir(path)
    practice.patients.create(
        Patient(
            birth_name=draft.birth_name,
            first_names=draft.first_names,
            birth_date=draft.birth_date,
            sex=draft.sex,
        )
    )
    wizard = _wizard(qtbot, practice, path)
    page = wizard.identity_page
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    assert page.form.birth_name.text() == draft.birth_name
    # Before any second record: the professional reads who is already there.
    assert page.duplicate_hint.text().startswith("Un patient aux mêmes traits d'identité")


def test_a_document_without_datamatrix_says_so_and_fills_nothing(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    blank = tmp_path / "courrier.png"
    document_page().save(blank)
    wizard = _wizard(qtbot, practice, blank)
    page = wizard.identity_page
    qtbot.mouseClick(page.read_button, Qt.MouseButton.LeftButton)
    assert "Aucun datamatrix" in page.read_status.text()
    assert page.form.birth_name.text() == ""
