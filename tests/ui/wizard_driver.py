"""Driving a QWizard the way a professional does: its own Next/Commit/Finish buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot


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
