"""Closing an ESCAP: why, when, and a note; the team's work stays in the record."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import ExitReason
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


@dataclass(frozen=True, slots=True)
class ExitInput:
    reason: ExitReason
    note: str


class ExitDialog(GuardedDialog):
    def __init__(self, patient_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clôturer l'ESCAP")
        self.resize(520, 340)
        intro = QLabel(
            f"Clôturer l'ESCAP de {patient_name}. L'équipe ne pourra plus ajouter d'action ni "
            "de message ; tout reste consultable, et une nouvelle ESCAP pourra être relancée "
            "plus tard."
        )
        intro.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.addItem("Choisissez un motif…", None)
        for reason in ExitReason:
            self.reason.addItem(reason.label, reason)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        add_field_row(form, "&Motif :", self.reason, "exit_reason", self.errors)
        add_field_row(form, "&Note :", self.note, "exit_note", self.errors)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("&Clôturer l'ESCAP")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self._on_close_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.value: ExitInput | None = None
        self.reason.currentIndexChanged.connect(self.mark_dirty)
        self.note.textChanged.connect(self.mark_dirty)

    def _on_close_clicked(self) -> None:
        self.errors.clear()
        try:
            reason = combo_enum(self.reason, ExitReason)
            if reason is None:
                raise ValidationError("Choisissez le motif de sortie.", field="exit_reason")
            self.value = ExitInput(reason, self.note.toPlainText().strip())
        except ValidationError as problem:
            self.errors.show(problem)
            return
        self.mark_clean()
        self.accept()
