"""The ESCAP page of a patient, driven through its buttons, on a real encrypted store."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import (
    ActionStatus,
    DataCategory,
    EscapState,
    EventKind,
    ExitReason,
    Professional,
)
from escap_desktop.services.practice import Practice
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.escap_page.action_dialog import ActionDialog
from escap_desktop.ui.escap_page.consent_amendment_dialog import ConsentAmendmentDialog
from escap_desktop.ui.escap_page.escap_page_view import BILLING_TAB, MESSAGES_TAB, PLAN_TAB
from escap_desktop.ui.escap_page.event_dialog import EventDialog
from escap_desktop.ui.escap_page.exit_dialog import ExitDialog
from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.runner import JobQueue
from escap_desktop.ui.widgets.emergency_notice import EMERGENCY_TEXT
from tests.ui.conftest import NURSE, PHARMACIST, PHYSIO, assessed_patient, forming_team
from tests.ui.escap_page_driver import me, open_page, save
from tests.ui.typing import answer_next_box, type_text

LEFT = Qt.MouseButton.LeftButton


def _by_name(practice: Practice, colleague: Professional) -> str:
    return next(p.id for p in practice.professionals.list() if p.identifier == colleague.identifier)


def test_inviting_before_consent_is_refused_in_french(qtbot: QtBot, practice: Practice) -> None:
    _patient_id, escap_id = assessed_patient(practice)
    page = open_page(qtbot, practice, escap_id)
    assert not page.invite(NURSE)
    message = page.view.members.error.text()
    assert "consentement" in message
    assert page.view.members.error.isVisible()
    assert practice.escaps.overview(escap_id).members == ()


def test_team_works_then_closes(qtbot: QtBot, practice: Practice) -> None:
    patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    view = page.view
    assert view.state_label.text() == "ESCAP : Équipe en constitution"

    # The two colleagues answered on paper: the team becomes active with the third answer.
    for colleague in (NURSE, PHYSIO):
        assert view.members.select_professional(_by_name(practice, colleague))
        qtbot.mouseClick(view.members.accepted_button, LEFT)
        assert view.members.error.text() == ""
    assert practice.escaps.get(escap_id).state is EscapState.ACTIVE
    assert view.state_label.text() == "ESCAP : Active"

    # A message, written with the emergency notice in view.
    view.tabs.setCurrentIndex(MESSAGES_TAB)
    assert view.messages.notice.isVisible()
    assert view.messages.notice.text == EMERGENCY_TEXT
    type_text(view.messages.compose, "Passage prévu jeudi : pensez à l'ordonnance de kiné.")
    assert page.drafts[escap_id].startswith("Passage prévu jeudi")
    qtbot.mouseClick(view.messages.send_button, LEFT)
    assert view.messages.model.rowCount() == 1
    assert "ordonnance de kiné" in view.messages.model.index(0).data()
    assert view.messages.compose.toPlainText() == ""
    assert escap_id not in page.drafts

    # An action for the nurse, then completed.
    view.tabs.setCurrentIndex(PLAN_TAB)
    qtbot.mouseClick(view.plan.add_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ActionDialog)
    type_text(dialog.title, "Préparer le pilulier")
    dialog.responsible.setCurrentIndex(dialog.responsible.findData(_by_name(practice, NURSE)))
    save(qtbot, dialog.findChild(QDialogButtonBox))
    [action] = practice.plan.actions(escap_id)
    assert view.plan.select_action(action.id)
    qtbot.mouseClick(view.plan.complete_button, LEFT)
    [action] = practice.plan.actions(escap_id)
    assert action.status is ActionStatus.DONE
    assert view.plan.model.index(0, 3).data().startswith("Faite le")

    # Entry codes billed by the three members: the payment condition is met.
    view.tabs.setCurrentIndex(BILLING_TAB)
    assert view.billing.condition_text.startswith("Paiement pas encore déclenché : encore 3")
    for professional_id in (me(practice).id, *(_by_name(practice, c) for c in (NURSE, PHYSIO))):
        assert view.billing.select_professional(professional_id)
        qtbot.mouseClick(view.billing.entry_button, LEFT)
    status = practice.billing.status(escap_id)
    assert status.payment_condition_met
    assert view.billing.condition_text == status.payment_sentence
    assert view.billing.condition_text.startswith("Condition de paiement remplie : 3 ")
    # One sentence about the payment: nothing else on the tab says it still waits.
    assert not any("déclencher le paiement" in text for text in view.billing.texts)
    assert "sans effet sur le paiement" in view.billing.texts[1]

    # Exit, with its reason.
    qtbot.mouseClick(view.exit_button, LEFT)
    exit_dialog = page.dialog
    assert isinstance(exit_dialog, ExitDialog)
    exit_dialog.reason.setCurrentIndex(exit_dialog.reason.findData(ExitReason.IMPROVED))
    save(qtbot, exit_dialog.findChild(QDialogButtonBox))
    escap = practice.escaps.get(escap_id)
    assert escap.state is EscapState.CLOSED
    assert escap.exit_reason is ExitReason.IMPROVED
    assert view.restart_button.isVisible()
    assert not view.exit_button.isVisible()
    assert patient_id == page.patient_id


def test_exit_without_reason_is_explained(qtbot: QtBot, practice: Practice) -> None:
    _patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    qtbot.mouseClick(page.view.exit_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ExitDialog)
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert dialog.isVisible()
    assert dialog.errors.message("exit_reason") == "Choisissez le motif de sortie."
    assert practice.escaps.get(escap_id).state is EscapState.FORMING


def test_invitation_letter_and_care_plan_are_printed(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    _patient_id, escap_id = forming_team(practice)
    documents = tmp_path / "documents"
    output = DocumentOutput(documents, JobQueue(), ErrorChannel(), open_files=False)
    page = open_page(qtbot, practice, escap_id, output)
    members = page.view.members
    assert members.select_professional(_by_name(practice, NURSE))
    with qtbot.waitSignal(output.shown, timeout=20_000) as shown:
        qtbot.mouseClick(members.print_button, LEFT)
    letter: PrintPreviewDialog = shown.args[0]
    assert letter.filename.startswith("invitation-")
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(letter.content)).pages)
    assert "L. M." in text  # the patient appears by initials only
    assert "Martin" not in text
    assert "MARTIN" not in text
    letter.reject()
    with qtbot.waitSignal(output.shown, timeout=20_000) as shown:
        qtbot.mouseClick(page.view.plan.print_button, LEFT)
    plan: PrintPreviewDialog = shown.args[0]
    assert plan.filename.startswith("plan-")
    assert plan.page_count == len(PdfReader(BytesIO(plan.content)).pages)
    assert not documents.exists()  # shown, never written


def test_closed_escap_restarts_as_a_new_episode(qtbot: QtBot, practice: Practice) -> None:
    patient_id, escap_id = forming_team(practice)
    practice.escaps.close(escap_id, ExitReason.WITHDRAWAL)
    page = open_page(qtbot, practice, escap_id)
    assert page.view.restart_button.isVisible()
    question = answer_next_box("Relancer une ESCAP")
    with qtbot.waitSignal(page.inclusion_requested) as requested:
        qtbot.mouseClick(page.view.restart_button, LEFT)
    assert "L'ESCAP clôturée reste consultable" in question[0]
    assert requested.args == [patient_id]
    current = practice.escaps.current(patient_id)
    assert current is not None
    assert current.episode == 2
    assert page.view.state_label.text() == "ESCAP : Brouillon (épisode 2)"


def test_hospitalisation_is_noted_in_the_timeline(qtbot: QtBot, practice: Practice) -> None:
    _patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    qtbot.mouseClick(page.view.events.add_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, EventDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(EventKind.HOSPITALISATION))
    type_text(dialog.note, "Chute, 3 jours en gériatrie")
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert page.view.events.model.index(0, 1).data() == "Hospitalisation"
    assert page.view.events.model.index(0, 2).data() == "Chute, 3 jours en gériatrie"


def test_page_models_pass_qt_model_tester(
    qtbot: QtBot, practice: Practice, qtmodeltester: ModelTester
) -> None:
    _patient_id, escap_id = forming_team(practice)
    practice.plan.add(escap_id, "Préparer le pilulier")
    practice.messages.post(escap_id, "Bonjour à l'équipe.")
    page = open_page(qtbot, practice, escap_id)
    view = page.view
    for model in (
        view.members.model,
        view.plan.model,
        view.events.model,
        view.billing.model,
        view.messages.model,
        view.members.table.proxy,
    ):
        qtmodeltester.check(model)


def test_removing_the_third_member_shows_an_incomplete_team_with_what_to_do(
    qtbot: QtBot, practice: Practice
) -> None:
    _patient_id, escap_id = forming_team(practice)
    page = open_page(qtbot, practice, escap_id)
    view = page.view
    for colleague in (NURSE, PHYSIO):
        assert view.members.select_professional(_by_name(practice, colleague))
        qtbot.mouseClick(view.members.accepted_button, LEFT)
    assert view.state_label.text() == "ESCAP : Active"

    # Removing the physio: the confirmation says what it does to the team before anything.
    assert view.members.select_professional(_by_name(practice, PHYSIO))
    question = answer_next_box("Retirer de l'équipe")
    qtbot.mouseClick(view.members.remove_button, LEFT)
    qtbot.waitUntil(lambda: bool(question))
    assert "L'équipe deviendra « Équipe incomplète »" in question[0]
    assert "La facturation de l'entrée sera suspendue" in question[0]

    assert practice.escaps.get(escap_id).state is EscapState.INCOMPLETE
    assert view.state_label.text() == "ESCAP : Équipe incomplète"
    next_step = view.next_step_label.text()
    assert next_step.startswith("Équipe incomplète. L'équipe compte 2 professionnels acceptés")
    assert "Invitez un professionnel de santé" in next_step
    # The entry code cannot be billed now, and the tab says why.
    view.tabs.setCurrentIndex(BILLING_TAB)
    assert view.billing.select_professional(_by_name(practice, NURSE))
    assert not view.billing.entry_button.isEnabled()
    assert "tant que l'équipe est incomplète" in view.billing.refusal_label.text()
    # The team still works: the plan can be edited.
    view.tabs.setCurrentIndex(PLAN_TAB)
    assert view.plan.add_button.isEnabled()


def test_the_consent_is_amended_printed_and_invitations_follow_it(
    qtbot: QtBot, practice: Practice, tmp_path: Path
) -> None:
    _patient_id, escap_id = forming_team(practice)
    output = DocumentOutput(tmp_path / "documents", JobQueue(), ErrorChannel(), open_files=False)
    page = open_page(qtbot, practice, escap_id, output)
    view = page.view
    assert view.consent_button.isVisible()

    qtbot.mouseClick(view.consent_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ConsentAmendmentDialog)
    # The patient designates the team as it is now, and no longer shares social data.
    designated = {me(practice).id, _by_name(practice, NURSE), _by_name(practice, PHYSIO)}
    for row in range(dialog.recipients.count()):
        item = dialog.recipients.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in designated:
            item.setCheckState(Qt.CheckState.Checked)
    dialog.categories[DataCategory.SOCIAL].setChecked(False)
    question = answer_next_box("Imprimer l'avenant")
    with qtbot.waitSignal(output.shown, timeout=20_000) as shown:
        save(qtbot, dialog.findChild(QDialogButtonBox))
    assert "L'avenant au consentement est enregistré" in question[0]
    amendment: PrintPreviewDialog = shown.args[0]
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(amendment.content)).pages)
    assert "Avenant n° 1 au consentement à une ESCAP" in text
    amendment.reject()
    consent = practice.escaps.overview(escap_id).consent
    assert consent is not None
    assert consent.amendment == 1
    assert DataCategory.SOCIAL not in consent.scopes
    assert set(consent.recipient_ids) == designated

    # A pharmacist the patient did not designate: the invitation is refused, and says why.
    assert not page.invite(PHARMACIST)
    assert "ne fait pas partie des professionnels désignés" in view.members.error.text()
