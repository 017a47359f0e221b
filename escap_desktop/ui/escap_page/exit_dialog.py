"""Closing an ESCAP: why, when, and a note; the team's work stays in the record.

The exit is often recorded a few days after it happened (a death learnt at the next visit), so
its date is typed, today by default. The dialog stays open until the exit is saved: a refusal
(a future date, a date before the ESCAP began) shows next to its field and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import ExitReason
from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


@dataclass(frozen=True, slots=True)
class ExitInput:
    reason: ExitReason
    note: str
    closed_on: date


class ExitDialog(GuardedDialog):
    """``save`` records the exit (it raises the service's refusal); without it the dialog only
    collects ``value``."""

    def __init__(
        self,
        patient_name: str,
        parent: QWidget | None = None,
        *,
        today: date,
        save: Callable[[ExitInput], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("Clôturer l'ESCAP")
        self.resize(520, 380)
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
        self.closed_on = FrenchDateEdit("La date de sortie", "closed_on")
        self.closed_on.set_value(today)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        add_field_row(form, "&Motif :", self.reason, "exit_reason", self.errors)
        add_field_row(form, "&Date de sortie :", self.closed_on, "closed_on", self.errors)
        add_field_row(form, "&Note :", self.note, "exit_note", self.errors)
        buttons = action_cancel_buttons(self, "&Clôturer l'ESCAP", self._on_close_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.value: ExitInput | None = None
        self.reason.currentIndexChanged.connect(self.mark_dirty)
        self.note.textChanged.connect(self.mark_dirty)
        self.closed_on.textEdited.connect(self.mark_dirty)

    def _on_close_clicked(self) -> None:
        self.errors.clear()
        try:
            reason = combo_enum(self.reason, ExitReason)
            if reason is None:
                raise ValidationError("Choisissez le motif de sortie.", field="exit_reason")
            value = ExitInput(
                reason, self.note.toPlainText().strip(), self.closed_on.required_value()
            )
            if self._save is not None:
                self._save(value)
        except EscapError as problem:
            self.errors.show(problem)
            return
        self.value = value
        self.mark_clean()
        self.accept()
