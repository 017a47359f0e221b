"""Noting an event in the patient's course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import EventKind
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.dialog_buttons import save_cancel_buttons
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog

# Re-evaluation has its own button (it needs a new grid); death and move close the ESCAP.
DIALOG_KINDS = (
    EventKind.HOSPITALISATION,
    EventKind.EMERGENCY_VISIT,
    EventKind.OTHER_SCHEME,
    EventKind.DEATH,
    EventKind.MOVE,
    EventKind.OTHER,
)


@dataclass(frozen=True, slots=True)
class EventInput:
    kind: EventKind
    occurred_on: date
    note: str


class EventDialog(GuardedDialog):
    def __init__(self, parent: QWidget | None = None, *, today: date) -> None:
        super().__init__(parent)
        self.setWindowTitle("Noter un événement")
        self.resize(520, 320)
        self.kind = QComboBox()
        for kind in DIALOG_KINDS:
            self.kind.addItem(kind.label, kind)
        self.occurred_on = FrenchDateEdit("La date de l'événement", "occurred_on")
        self.occurred_on.set_value(today)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("Par exemple : service, motif, durée, dispositif concerné")
        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        add_field_row(form, "É&vénement :", self.kind, "kind", self.errors)
        add_field_row(form, "&Date :", self.occurred_on, "occurred_on", self.errors)
        add_field_row(form, "&Note :", self.note, "note", self.errors)
        buttons = save_cancel_buttons(self, self._on_save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.value: EventInput | None = None
        self.note.textChanged.connect(self.mark_dirty)
        self.occurred_on.textEdited.connect(self.mark_dirty)

    def _on_save(self) -> None:
        self.errors.clear()
        try:
            self.value = EventInput(
                kind=combo_enum(self.kind, EventKind),
                occurred_on=self.occurred_on.required_value(),
                note=self.note.toPlainText().strip(),
            )
        except ValidationError as problem:
            self.errors.show(problem)
            return
        self.mark_clean()
        self.accept()
