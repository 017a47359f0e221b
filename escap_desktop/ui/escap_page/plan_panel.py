"""The action plan tab: who does what, when; the médecin traitant's validation and receipt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from escap_desktop.core.entities import Action, ActionStatus
from escap_desktop.ui.models.action_table_model import ActionTableModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.table_view import RowTableView


class PlanPanel(QWidget):
    """Signals carry action ids; editing dialogs are opened by the controller."""

    add_requested = Signal()
    edit_requested = Signal(str)
    complete_requested = Signal(str)
    reschedule_requested = Signal(str)
    mt_validation_requested = Signal(str)
    mt_receipt_requested = Signal(str)
    print_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error_label()
        self.model = ActionTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("actionTable")
        for column, width in enumerate((300, 190, 95, 130, 120)):
            self.table.setColumnWidth(column, width)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("hint")
        self.summary_label.setWordWrap(True)

        self.add_button = QPushButton(icon("add"), "&Ajouter une action…")
        self.edit_button = QPushButton(icon("edit"), "&Modifier / attribuer…")
        self.complete_button = QPushButton(icon("check"), "Marquer &faite")
        self.reschedule_button = QPushButton(icon("event"), "&Reporter…")
        self.validated_button = QPushButton("&Validée par le MT")
        self.validated_button.setToolTip("Le médecin traitant a validé cette action.")
        self.received_button = QPushButton("Re&çue par le MT")
        self.received_button.setToolTip("Le médecin traitant a reçu le plan avec cette action.")
        self.print_button = QPushButton(icon("print"), "&Imprimer le plan")

        buttons = QHBoxLayout()
        for button in (
            self.add_button,
            self.edit_button,
            self.complete_button,
            self.reschedule_button,
            self.validated_button,
            self.received_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)

        self.add_button.clicked.connect(self.add_requested)
        self.print_button.clicked.connect(self.print_requested)
        for button, signal in (
            (self.edit_button, self.edit_requested),
            (self.complete_button, self.complete_requested),
            (self.reschedule_button, self.reschedule_requested),
            (self.validated_button, self.mt_validation_requested),
            (self.received_button, self.mt_receipt_requested),
        ):
            button.clicked.connect(lambda _c=False, s=signal: self._emit_for(s))
        self.table.activated.connect(lambda _index: self._emit_for(self.edit_requested))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._editable = True
        self._on_selection_changed()

    def set_actions(
        self, actions: Iterable[Action], names: Mapping[str, str], editable: bool
    ) -> None:
        selected = self.selected()
        actions = list(actions)
        self.model.set_names(names)
        self.model.set_plan_stopped(not editable)
        self.model.set_rows(actions)
        self.table.fit_columns()
        todo = sum(1 for a in actions if a.status is ActionStatus.TODO)
        validated = sum(1 for a in actions if a.mt_validated_on is not None)
        stopped = not editable and todo > 0
        self.summary_label.setText(
            f"{len(actions)} action(s), dont {todo} non faite(s) : le plan s'est arrêté avec "
            f"l'ESCAP, elles restent ici pour l'historique ; "
            f"{validated} validée(s) par le médecin traitant."
            if stopped
            else f"{len(actions)} action(s), dont {todo} à faire ; "
            f"{validated} validée(s) par le médecin traitant."
            if actions
            else "Aucune action pour l'instant : convenez avec le patient et l'équipe des "
            "actions à mener, puis ajoutez-les ici."
        )
        self._editable = editable
        self.add_button.setEnabled(editable)
        if selected is None or not self.table.select_where(lambda a: a.id == selected.id):
            self.table.select_first()
        self._on_selection_changed()

    def selected(self) -> Action | None:
        return self.table.selected_row()

    def select_action(self, action_id: str) -> bool:
        return self.table.select_where(lambda a: a.id == action_id)

    def _emit_for(self, signal: Signal) -> None:
        action = self.selected()
        if action is not None and self._editable:
            signal.emit(action.id)  # type: ignore[attr-defined]

    @Slot()
    def _on_selection_changed(self, *_args: object) -> None:
        action = self.selected()
        has = action is not None and self._editable
        todo = has and action is not None and action.status is ActionStatus.TODO
        self.edit_button.setEnabled(has)
        self.complete_button.setEnabled(todo)
        self.reschedule_button.setEnabled(todo)
        self.validated_button.setEnabled(has and action is not None and not action.mt_validated_on)
        self.received_button.setEnabled(has and action is not None and not action.mt_received_on)

    def show_error(self, message: str) -> None:
        """A refusal from the services, in French, right under the buttons that caused it."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
