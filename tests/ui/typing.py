"""Typing any French text into a widget (QTest.keyClicks only handles ASCII)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget


def type_text(widget: QWidget, text: str) -> None:
    """Sends one key press and release per character, with the character as the event text."""
    widget.setFocus()
    for char in text:
        key = Qt.Key.Key_Space if char == " " else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def show_active(widget: QWidget) -> None:
    """Shows a top-level widget and waits until it is the active window (focus needs it)."""

    widget.show()
    widget.activateWindow()
    assert QTest.qWaitForWindowActive(widget, 5000), "la fenêtre n'est pas devenue active"


def answer_next_box(button_text: str) -> list[str]:
    """Clicks ``button_text`` (without its ``&``) in the next modal message box, as the
    professional would; returns the box's text once answered (for the test to check)."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"pas de bouton « {button_text} » dans la boîte")

    QTimer.singleShot(0, click)
    return seen
