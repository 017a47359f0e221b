"""The events timeline: hospitalisations, emergency visits, re-evaluations, other schemes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from escap_desktop.core.entities import Event
from escap_desktop.ui.models.event_table_model import EventTableModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.table_view import RowTableView


class EventsPanel(QWidget):
    add_requested = Signal()
    reevaluation_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error_label()
        self.model = EventTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("eventTable")
        for column, width in enumerate((95, 260, 420)):
            self.table.setColumnWidth(column, width)
        self.add_button = QPushButton(icon("event"), "&Noter un événement…")
        self.reevaluate_button = QPushButton(icon("grid"), "&Réévaluer (nouvelle grille)…")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.reevaluate_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        self.add_button.clicked.connect(self.add_requested)
        self.reevaluate_button.clicked.connect(self.reevaluation_requested)

    def set_events(self, events: Iterable[Event], names: Mapping[str, str], editable: bool) -> None:
        self.model.set_names(names)
        self.model.set_rows(sorted(events, key=lambda e: e.occurred_on, reverse=True))
        self.table.fit_columns()
        self.add_button.setEnabled(editable)
        self.reevaluate_button.setEnabled(editable)

    def show_error(self, message: str) -> None:
        """A refusal from the services, in French, right under the buttons that caused it."""
        self.error.setText(message)
        self.error.setVisible(bool(message))
