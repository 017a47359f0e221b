"""Opening a patient's ESCAP page on a real practice and pressing its dialogs' buttons, as the
ESCAP page tests do."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Professional
from escap_desktop.services.practice import Practice
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController, EscapServices
from escap_desktop.ui.printing import DocumentOutput
from tests.ui.typing import show_active


def me(practice: Practice) -> Professional:
    """The local professional, who acts on the page."""
    current = practice.profile.current()
    assert current is not None
    return current[1]


def open_page(
    qtbot: QtBot, practice: Practice, escap_id: str, output: DocumentOutput | None = None
) -> EscapPageController:
    """The page shown and active, with the services the main window gives it."""
    services = EscapServices.of_practice(practice)
    controller = EscapPageController(escap_id, services, me(practice), ErrorChannel(), {}, output)
    qtbot.addWidget(controller.view)
    controller.view.resize(1200, 700)
    show_active(controller.view)
    return controller


def save(qtbot: QtBot, box: QDialogButtonBox) -> None:
    """Clicks the dialog's accepting button, whatever its label."""
    for button in box.buttons():
        if box.buttonRole(button) == QDialogButtonBox.ButtonRole.AcceptRole:
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
            return
    raise AssertionError("pas de bouton d'enregistrement")
