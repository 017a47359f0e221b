"""One professional, one patient, the whole ESCAP in the GUI: from "Nouvelle inclusion" to the
closure, through the real main window, wizard and ESCAP page (real encrypted store)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import ActionStatus, EscapState, ExitReason, Sex
from escap_desktop.services.practice import Practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.escap_page.action_dialog import ActionDialog
from escap_desktop.ui.escap_page.escap_page_view import BILLING_TAB, MESSAGES_TAB, PLAN_TAB
from escap_desktop.ui.escap_page.exit_dialog import ExitDialog
from escap_desktop.ui.inclusion.inclusion_wizard import INVITATIONS, TEAM
from escap_desktop.ui.main_window.main_controller import MainController
from tests.ui.conftest import NURSE, PHYSIO, nir
from tests.ui.main_window_driver import open_main_window
from tests.ui.typing import show_active, type_text
from tests.ui.wizard_driver import press_next

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def main(qtbot: QtBot, shell: Shell, practice: Practice) -> Iterator[MainController]:
    controller = open_main_window(qtbot, practice, shell)
    yield controller
    controller.shutdown()


def _accept(qtbot: QtBot, box: QDialogButtonBox) -> None:
    for button in box.buttons():
        if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole:
            qtbot.mouseClick(button, LEFT)
            return
    raise AssertionError("pas de bouton de validation")


def test_a_patient_from_inclusion_to_closure(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    # Inclusion, started from the tool bar.
    main.window.new_inclusion_action.trigger()
    wizard = main.wizard
    assert wizard is not None
    show_active(wizard)
    identity = wizard.identity_page.form
    type_text(identity.birth_name, "Rousseau")
    type_text(identity.first_names, "Geneviève")
    type_text(identity.birth_date, "14021941")
    identity.sex.setCurrentIndex(identity.sex.findData(Sex.FEMALE))
    type_text(identity.ins, nir("2410242218012"))
    press_next(qtbot, wizard)
    wizard.situation_page.form.palliative.setChecked(True)
    press_next(qtbot, wizard)
    for box in list(wizard.grid_page.form.boxes.values())[:16]:
        box.click()
    press_next(qtbot, wizard)
    assert wizard.result_page.summary.text() == "Le patient est éligible à une ESCAP."
    press_next(qtbot, wizard)
    press_next(qtbot, wizard)  # consent signed today
    assert wizard.currentId() == TEAM
    wizard.team_page.add_professional(NURSE, "Soins à domicile")
    wizard.team_page.add_professional(PHYSIO, "Rééducation")
    wizard.team_page.select_medecin_traitant(main.me.id)
    press_next(qtbot, wizard)
    assert wizard.currentId() == INVITATIONS
    press_next(qtbot, wizard)

    # The ESCAP page opens by itself once the wizard is done.
    qtbot.waitUntil(lambda: len(main.pages) == 1)
    [page] = main.pages.values()
    view = page.view
    assert view.state_label.text() == "ESCAP : Équipe en constitution"

    # The two colleagues answered on paper: the team becomes active.
    ids = {p.last_name: p.id for p in practice.professionals.list()}
    for name in ("N'Diaye", "Dupont-Moretti"):
        assert view.members.select_professional(ids[name])
        qtbot.mouseClick(view.members.accepted_button, LEFT)
    assert view.state_label.text() == "ESCAP : Active"

    # A message to the team.
    view.tabs.setCurrentIndex(MESSAGES_TAB)
    type_text(view.messages.compose, "Première visite faite, tout est en place.")
    qtbot.mouseClick(view.messages.send_button, LEFT)
    assert view.messages.model.rowCount() == 1

    # An action, then done.
    view.tabs.setCurrentIndex(PLAN_TAB)
    qtbot.mouseClick(view.plan.add_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ActionDialog)
    type_text(dialog.title, "Installer le lit médicalisé")
    _accept(qtbot, dialog.findChild(QDialogButtonBox))
    view.plan.table.select_first()
    qtbot.mouseClick(view.plan.complete_button, LEFT)
    [action] = practice.plan.actions(page.escap_id)
    assert action.status is ActionStatus.DONE

    # Entry codes billed by the three members.
    view.tabs.setCurrentIndex(BILLING_TAB)
    for professional_id in (main.me.id, ids["N'Diaye"], ids["Dupont-Moretti"]):
        assert view.billing.select_professional(professional_id)
        qtbot.mouseClick(view.billing.entry_button, LEFT)
    assert view.billing.condition_text.startswith("Condition de paiement remplie")

    # Closure.
    qtbot.mouseClick(view.exit_button, LEFT)
    exit_dialog = page.dialog
    assert isinstance(exit_dialog, ExitDialog)
    exit_dialog.reason.setCurrentIndex(exit_dialog.reason.findData(ExitReason.DEATH))
    _accept(qtbot, exit_dialog.findChild(QDialogButtonBox))
    assert practice.escaps.get(page.escap_id).state is EscapState.CLOSED

    # The list shows where things stand.
    qtbot.waitUntil(
        lambda: any(s.escap_state is EscapState.CLOSED for s in main.summaries), timeout=10_000
    )
