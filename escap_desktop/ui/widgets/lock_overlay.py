"""The opaque cover laid over a window while the session is locked."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.ui.resources import icon


class LockOverlay(QWidget):
    """Covers its parent window entirely; asks for the answer that unlocks the session."""

    unlock_requested = Signal(str)

    def __init__(self, prompt: str, secret_input: bool, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAutoFillBackground(True)

        card = QFrame(self)
        card.setObjectName("lockCard")
        card.setMaximumWidth(460)
        lock_icon = QLabel()
        lock_icon.setPixmap(icon("lock").pixmap(48, 48))
        lock_icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title = QLabel("Session verrouillée")
        title.setObjectName("lockTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hidden = QLabel("Les données des patients sont masquées.")
        hidden.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt_label = QLabel(prompt)
        self.prompt_label.setWordWrap(True)
        self.answer_edit = QLineEdit()
        self.answer_edit.setObjectName("lockAnswer")
        if secret_input:
            self.answer_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.prompt_label.setBuddy(self.answer_edit)
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.unlock_button = QPushButton(icon("unlock"), "&Déverrouiller")
        self.unlock_button.setDefault(True)

        card_layout = QVBoxLayout(card)
        card_layout.addWidget(lock_icon)
        card_layout.addWidget(title)
        card_layout.addWidget(hidden)
        card_layout.addSpacing(12)
        card_layout.addWidget(self.prompt_label)
        card_layout.addWidget(self.answer_edit)
        card_layout.addWidget(self.error_label)
        card_layout.addWidget(self.unlock_button, 0, Qt.AlignmentFlag.AlignRight)

        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 2)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.answer_edit.returnPressed.connect(self._on_answer_edit_return_pressed)
        self.unlock_button.clicked.connect(self._on_answer_edit_return_pressed)

    def cover_parent(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
            self.raise_()

    def focus_answer(self) -> None:
        self.answer_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.answer_edit.selectAll()
        self.focus_answer()

    def focusNextPrevChild(self, next: bool) -> bool:
        """Keeps Tab inside the overlay: the widgets underneath must stay out of reach."""
        order = [self.answer_edit, self.unlock_button]
        current = next_index = 0
        for index, widget in enumerate(order):
            if widget.hasFocus():
                current = index
        next_index = (current + (1 if next else -1)) % len(order)
        order[next_index].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    @Slot()
    def _on_answer_edit_return_pressed(self) -> None:
        self.unlock_requested.emit(self.answer_edit.text())
