"""Driving a QWizard the way a professional does: its own Next/Commit/Finish buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Profession
from escap_desktop.services.practice import Practice
from escap_desktop.ui.first_launch.first_launch_wizard import FirstLaunchWizard
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.inclusion_wizard import InclusionWizard
from escap_desktop.ui.printing import DocumentOutput
from tests.ui.typing import show_active, type_text


def _close_without_saving(*_question: object) -> bool:
    return True


def open_inclusion_wizard(
    qtbot: QtBot,
    practice: Practice,
    output: DocumentOutput | None = None,
    confirm: Callable[..., bool] = _close_without_saving,
    **flow_options: Any,
) -> InclusionWizard:
    """« Nouvelle inclusion » by the practice's professional, shown and active; ``flow_options``
    are the services the flow may use (documents, scans, patient_import...).

    Closing with unsaved input asks first; a real modal box would block pytest-qt's teardown
    (it closes every widget), so by default the tests answer "close without saving"."""
    current = practice.profile.current()
    assert current is not None
    flow = InclusionFlow(
        practice.patients,
        practice.escaps,
        practice.professionals,
        current[1],
        practice.clock,
        **flow_options,
    )
    wizard = InclusionWizard(flow, output, confirm=confirm)
    qtbot.addWidget(wizard)
    show_active(wizard)
    return wizard


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
