"""The notice that ESCAP is not an emergency channel, shown wherever messages are written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QWidget

from escap_desktop.ui.resources import icon

EMERGENCY_TEXT = "ESCAP n'est pas un canal d'urgence : en cas d'urgence, appelez le 15 ou le 112."


class EmergencyNotice(QFrame):
    """A banner with a warning icon; it cannot be closed, on purpose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("emergencyNotice")
        self.setAccessibleName("Avertissement")
        warning = QLabel()
        warning.setPixmap(icon("warning").pixmap(20, 20))
        self.text_label = QLabel(EMERGENCY_TEXT)
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(warning, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)

    @property
    def text(self) -> str:
        return self.text_label.text()
