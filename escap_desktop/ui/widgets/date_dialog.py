"""Asking for one date (rescheduling an action...)."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialog, QFormLayout, QVBoxLayout, QWidget

from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label


class DateDialog(QDialog):
    def __init__(
        self, title: str, label: str, value: date | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.edit = FrenchDateEdit("La date", "date")
        self.edit.set_value(value)
        self.errors = FormErrors(error_label())
        form = QFormLayout()
        add_field_row(form, label, self.edit, "date", self.errors)
        buttons = action_cancel_buttons(self, "&Valider", self._on_ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.value: date | None = None

    def _on_ok(self) -> None:
        try:
            self.value = self.edit.required_value()
        except ValidationError as problem:
            self.errors.show(problem)
            return
        self.accept()
