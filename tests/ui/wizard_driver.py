"""Driving a QWizard the way a professional does: its own Next/Commit/Finish buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Profession
from escap_desktop.ui.first_launch.first_launch_wizard import FirstLaunchWizard
from tests.ui.typing import type_text


def press_next(qtbot: QtBot, wizard: QWizard) -> None:
    """Clicks the visible forward button (Suivant, a commit button, or Terminer)."""
    for which in (
        QWizard.WizardButton.CommitButton,
        QWizard.WizardButton.NextButton,
        QWizard.WizardButton.FinishButton,
    ):
        button = wizard.button(which)
        if button.isVisible() and button.isEnabled():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return
    raise AssertionError("aucun bouton pour avancer n'est disponible")


def enter_profile_fixing_a_short_rpps(qtbot: QtBot, wizard: FirstLaunchWizard) -> None:
    """From the welcome page: types Dr Marie Lefèvre's profile with one RPPS digit missing, sees
    the wizard explain it and stay on the page, then types the digit and moves on."""
    press_next(qtbot, wizard)
    form = wizard.profile_page.form
    type_text(form.last_name, "Lefèvre")
    type_text(form.first_name, "Marie")
    form.profession.setCurrentIndex(form.profession.findData(Profession.MEDECIN))
    type_text(form.identifier, "1000123456")
    press_next(qtbot, wizard)
    assert form.errors.message("identifier").startswith("Le numéro RPPS doit comporter 11 chiffres")
    assert wizard.currentPage() is wizard.profile_page
    type_text(form.identifier, "7")
    press_next(qtbot, wizard)
    assert form.errors.message("identifier") == ""
    assert wizard.currentPage() is not wizard.profile_page
