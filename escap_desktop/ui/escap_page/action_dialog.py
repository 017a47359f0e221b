"""Adding or editing one action of the plan: what, who, when, and which kind of data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import Action, DataCategory
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.dialog_buttons import save_cancel_buttons
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


@dataclass(frozen=True, slots=True)
class ActionInput:
    """What the dialog collected, handed to the plan service by the controller."""

    title: str
    details: str
    responsible_id: str | None
    due_on: date | None
    recurrence: str
    category: DataCategory


class ActionDialog(GuardedDialog):
    """``members`` are (professional id, display name) of the team's current members."""

    def __init__(
        self,
        members: list[tuple[str, str]],
        action: Action | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Modifier l'action" if action else "Nouvelle action")
        self.resize(560, 420)
        self.title = QLineEdit()
        self.title.setPlaceholderText("Par exemple : passage infirmier pour le pilulier")
        self.details = QPlainTextEdit()
        self.details.setTabChangesFocus(True)
        self.responsible = QComboBox()
        self.responsible.addItem("Non attribuée", None)
        for professional_id, name in members:
            self.responsible.addItem(name, professional_id)
        self.due_on = FrenchDateEdit("La date d'échéance", "due_on")
        self.recurrence = QLineEdit()
        self.recurrence.setPlaceholderText("Par exemple : chaque semaine")
        self.category = QComboBox()
        for category in DataCategory:
            self.category.addItem(category.label, category)

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout()
        add_field_row(form, "&Action :", self.title, "title", self.errors)
        add_field_row(form, "&Détails :", self.details, "details", self.errors)
        add_field_row(form, "&Responsable :", self.responsible, "responsible_id", self.errors)
        add_field_row(form, "É&chéance :", self.due_on, "due_on", self.errors)
        add_field_row(form, "Ré&currence :", self.recurrence, "recurrence", self.errors)
        add_field_row(form, "&Type de données :", self.category, "category", self.errors)
        buttons = save_cancel_buttons(self, self._on_save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)

        if action is not None:
            self.title.setText(action.title)
            self.details.setPlainText(action.details)
            self.responsible.setCurrentIndex(
                max(0, self.responsible.findData(action.responsible_id))
            )
            self.due_on.set_value(action.due_on)
            self.recurrence.setText(action.recurrence)
            self.category.setCurrentIndex(self.category.findData(action.category))
        self.value: ActionInput | None = None
        for edit in (self.title, self.recurrence, self.due_on):
            edit.textEdited.connect(self.mark_dirty)
        self.details.textChanged.connect(self.mark_dirty)
        self.responsible.currentIndexChanged.connect(self.mark_dirty)

    def _on_save(self) -> None:
        self.errors.clear()
        try:
            if not self.title.text().strip():
                raise ValidationError("Décrivez l'action en quelques mots.", field="title")
            self.value = ActionInput(
                title=self.title.text().strip(),
                details=self.details.toPlainText().strip(),
                responsible_id=self.responsible.currentData(),
                due_on=self.due_on.value(),
                recurrence=self.recurrence.text().strip(),
                category=combo_enum(self.category, DataCategory),
            )
        except ValidationError as problem:
            self.errors.show(problem)
            return
        self.mark_clean()
        self.accept()

    def show_error(self, problem: ValidationError) -> None:
        """A refusal from the service, shown next to its field; the dialog stays open."""
        self.errors.show(problem)
