"""The inclusion wizard driven like a professional would, on a real encrypted store."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import EscapState, ExitReason, MembershipStatus, Patient, Sex
from escap_desktop.services.practice import Practice
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.inclusion.inclusion_wizard import (
    CONSENT,
    GRID,
    INVITATIONS,
    RESULT,
    SITUATION,
    TEAM,
    InclusionWizard,
)
from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.runner import JobQueue
from tests.ui.conftest import NURSE, PHYSIO, nir
from tests.ui.typing import answer_next_box, type_text
from tests.ui.wizard_driver import open_inclusion_wizard, press_next


def _wizard(
    qtbot: QtBot, practice: Practice, output: DocumentOutput | None = None
) -> InclusionWizard:
    return open_inclusion_wizard(
        qtbot, practice, output, documents=practice.documents, scans=practice.scans
    )


def _fill_identity(wizard: InclusionWizard, ins: str = nir("2480375123456")) -> None:
    form = wizard.identity_page.form
    type_text(form.birth_name, "Martin")
    type_text(form.first_names, "Léa Jeanne")
    type_text(form.birth_date, "05031948")
    form.sex.setCurrentIndex(form.sex.findData(Sex.FEMALE))
    type_text(form.ins, ins)


def _tick(wizard: InclusionWizard, points: int) -> None:
    for box in list(wizard.grid_page.form.boxes.values())[:points]:
        box.click()  # every item of the bundled grid is worth 1 point
    assert wizard.grid_page.form.score == points


def _go_to_grid(qtbot: QtBot, wizard: InclusionWizard) -> None:
    _fill_identity(wizard)
    press_next(qtbot, wizard)
    assert wizard.currentId() == SITUATION
    wizard.situation_page.form.chronic_conditions.setValue(3)
    verdict = wizard.situation_page.form.verdicts
    assert any("Rempli" in label.text() for label in verdict.values())
    press_next(qtbot, wizard)
    assert wizard.currentId() == GRID


def test_invalid_nir_is_explained_next_to_the_field(qtbot: QtBot, practice: Practice) -> None:
    wizard = _wizard(qtbot, practice)
    _fill_identity(wizard, ins="248037512345600")
    qtbot.keyClick(wizard.identity_page.form.ins, Qt.Key.Key_Tab)
    message = wizard.identity_page.form.errors.message("ins")
    assert message.startswith("La clé du NIR est incorrecte")
    press_next(qtbot, wizard)
    assert wizard.currentId() == 0
    assert practice.patients.summaries() == []


def test_non_eligible_patient_is_saved_and_closed(qtbot: QtBot, practice: Practice) -> None:
    wizard = _wizard(qtbot, practice)
    _go_to_grid(qtbot, wizard)
    banner = wizard.grid_page.form.score_label
    _tick(wizard, 12)
    assert banner.text() == "Score : 12 / 26 (encore 1 point pour atteindre le seuil)"
    press_next(qtbot, wizard)
    assert wizard.currentId() == RESULT
    summary = wizard.result_page.summary.text()
    assert summary.startswith("Le patient n'est pas éligible à une ESCAP")
    assert "le score n'atteint pas le seuil de 13" in summary
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    press_next(qtbot, wizard)
    assert not wizard.isVisible()
    [row] = practice.patients.summaries()
    assert row.last_score == 12
    assert row.escap_state is EscapState.CLOSED
    escap = practice.escaps.current(row.patient_id)
    assert escap is not None
    assert escap.exit_reason is ExitReason.NOT_ELIGIBLE


def test_team_of_two_is_refused_in_french(qtbot: QtBot, practice: Practice) -> None:
    wizard = _wizard(qtbot, practice)
    _go_to_grid(qtbot, wizard)
    _tick(wizard, 14)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    assert wizard.currentId() == CONSENT
    press_next(qtbot, wizard)
    assert wizard.currentId() == TEAM
    page = wizard.team_page
    page.add_professional(NURSE)
    page.select_medecin_traitant(wizard.flow.me.id)
    press_next(qtbot, wizard)
    assert wizard.currentId() == TEAM
    assert page.page_error.text() == (
        "L'équipe doit compter au moins 3 professionnels de santé, dont le médecin traitant : "
        "2 professionnels de santé désignés pour l'instant."
    )


def test_eligible_patient_goes_from_identity_to_invitations(
    qtbot: QtBot, practice: Practice
) -> None:
    wizard = _wizard(qtbot, practice)
    _go_to_grid(qtbot, wizard)
    _tick(wizard, 14)
    assert "seuil atteint" in wizard.grid_page.form.score_label.text()
    press_next(qtbot, wizard)
    assert wizard.currentId() == RESULT
    assert wizard.result_page.summary.text() == "Le patient est éligible à une ESCAP."
    press_next(qtbot, wizard)
    assert wizard.currentId() == CONSENT
    consent = wizard.consent_page
    assert consent.answered_on.text() == practice.clock.today().strftime("%d/%m/%Y")
    press_next(qtbot, wizard)
    assert wizard.currentId() == TEAM

    page = wizard.team_page
    page.add_professional(NURSE, "Soins infirmiers à domicile")
    page.add_professional(PHYSIO)
    page.set_role(PHYSIO.id, "Rééducation à la marche")
    page.select_medecin_traitant(wizard.flow.me.id)
    press_next(qtbot, wizard)
    assert wizard.currentId() == INVITATIONS, page.page_error.text()

    statuses = {
        row.professional.last_name: row.membership.status
        for row in wizard.invitations_page.model.rows
    }
    assert statuses == {
        "Lefèvre": MembershipStatus.ACCEPTED,
        "N'Diaye": MembershipStatus.INVITED,
        "Dupont-Moretti": MembershipStatus.INVITED,
    }
    press_next(qtbot, wizard)
    assert not wizard.isVisible()
    [row] = practice.patients.summaries()
    assert row.escap_state is EscapState.FORMING
    assert row.last_score == 14


@pytest.mark.parametrize("refuse", [True])
def test_consent_refusal_closes_the_escap(qtbot: QtBot, practice: Practice, refuse: bool) -> None:
    wizard = _wizard(qtbot, practice)
    _go_to_grid(qtbot, wizard)
    _tick(wizard, 13)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    wizard.consent_page.refused.setChecked(refuse)
    question = answer_next_box("Enregistrer le refus")
    press_next(qtbot, wizard)
    assert question[0].startswith("Le patient refuse l'ESCAP : elle sera clôturée")
    [row] = practice.patients.summaries()
    assert row.escap_state is EscapState.CLOSED


def test_consent_form_is_printed_then_signed_with_its_scan(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    channel = ErrorChannel()
    output = DocumentOutput(tmp_path / "documents", JobQueue(), channel, open_files=False)
    wizard = _wizard(qtbot, practice, output)
    _go_to_grid(qtbot, wizard)
    _tick(wizard, 14)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    page = wizard.consent_page
    with qtbot.waitSignal(output.shown, timeout=20_000) as shown:
        qtbot.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    preview: PrintPreviewDialog = shown.args[0]
    assert preview.filename.startswith("consentement-ESCAP-CF-")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(preview.content)).pages)
    assert "MARTIN" in text.upper()
    assert page.printed_label.text().startswith("Formulaire prêt")
    assert not (tmp_path / "documents").exists()
    preview.reject()

    scan = tmp_path / "formulaire-signe.png"
    scan.write_bytes(PNG_1x1)
    page.scan_path.setText(str(scan))
    press_next(qtbot, wizard)
    assert wizard.currentId() == TEAM, page.page_error.text()
    escap = wizard.flow.escap
    assert escap is not None
    consent = practice.escaps.overview(escap.id).consent
    assert consent is not None
    assert consent.scan_sha256
    assert practice.scans.read_consent_scan(escap.id) == PNG_1x1


def test_missing_scan_is_explained_next_to_the_field(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    wizard = _wizard(qtbot, practice)
    _go_to_grid(qtbot, wizard)
    _tick(wizard, 14)
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)
    page = wizard.consent_page
    page.scan_path.setText(str(tmp_path / "absent.pdf"))
    press_next(qtbot, wizard)
    assert wizard.currentId() == CONSENT
    assert page.errors.message("scan_path").startswith("Le fichier joint est introuvable")


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_a_patient_already_recorded_is_not_typed_twice(qtbot: QtBot, practice: Practice) -> None:
    existing = practice.patients.create(
        Patient(
            birth_name="MARTIN",
            first_names="Lea",
            birth_date=date(1948, 3, 5),
            sex=Sex.FEMALE,
            ins=nir("2480375123456"),
        )
    )
    # The same INS: refused next to the field, nothing created.
    wizard = _wizard(qtbot, practice)
    _fill_identity(wizard)
    press_next(qtbot, wizard)
    assert wizard.currentId() == 0
    assert "déjà enregistré" in wizard.identity_page.form.errors.message("ins")
    assert [r.patient_id for r in practice.patients.summaries()] == [existing.id]

    # The same traits without an INS: the professional is asked; "no" creates nothing.
    questions: list[str] = []
    answers = [False, True]

    def confirm(_parent: object, _title: str, question: str, _action: str) -> bool:
        questions.append(question)
        return answers.pop(0) if answers else True  # then: close without saving

    asking = open_inclusion_wizard(qtbot, practice, confirm=confirm)
    _fill_identity(asking, ins="")
    press_next(qtbot, asking)
    assert asking.currentId() == 0
    assert questions[0].startswith("Un patient aux mêmes traits d'identité est déjà enregistré")
    assert len(practice.patients.summaries()) == 1
    press_next(qtbot, asking)  # "yes, another person"
    assert asking.currentId() == SITUATION
    assert len(practice.patients.summaries()) == 2
