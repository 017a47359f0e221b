"""The billing tab: tracer codes billed per member, and whether payment is released.

Each member bills with their own software; here the team records who billed what and when, so
everyone sees when the 3-professional payment condition is met.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import BillingKind
from escap_desktop.ui.models.billing_table_model import BillingTableModel, MemberBillingLike
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.table_view import RowTableView


class ProgressLike(Protocol):
    met: bool
    message: str


class BillingStatusLike(Protocol):
    members: tuple[Any, ...]
    entry: Any
    exit: Any

    @property
    def payment_condition_met(self) -> bool: ...

    @property
    def payment_sentence(self) -> str: ...

    @property
    def anomalies(self) -> tuple[str, ...]: ...


class BillingPanel(QWidget):
    """``bill_requested(professional_id, kind, billed_on)``."""

    bill_requested = Signal(str, object, object)

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = BillingTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("billingTable")
        for column, width in enumerate((260, 180, 200)):
            self.table.setColumnWidth(column, width)
        self.condition_frame = QFrame()
        self.condition_frame.setObjectName("resultNotEligible")
        self.condition_label = QLabel()
        self.condition_label.setObjectName("paymentCondition")
        self.condition_label.setWordWrap(True)
        self.exit_label = QLabel()
        self.exit_label.setWordWrap(True)
        frame_layout = QVBoxLayout(self.condition_frame)
        frame_layout.addWidget(self.condition_label)
        frame_layout.addWidget(self.exit_label)
        self.anomaly_label = QLabel()
        self.anomaly_label.setObjectName("teamWarning")
        self.anomaly_label.setWordWrap(True)
        self.anomaly_label.setVisible(False)
        self.refusal_label = QLabel()
        self.refusal_label.setObjectName("hint")
        self.refusal_label.setWordWrap(True)

        self.billed_on = FrenchDateEdit("La date de facturation", "billed_on")
        self.billed_on.set_value(today)
        date_label = QLabel("Facturée le :")
        date_label.setBuddy(self.billed_on)
        self.entry_button = QPushButton(icon("billing"), "Facturation de l'&entrée")
        self.exit_button = QPushButton(icon("billing"), "Facturation de la &sortie")
        buttons = QHBoxLayout()
        buttons.addWidget(date_label)
        buttons.addWidget(self.billed_on)
        buttons.addWidget(self.entry_button)
        buttons.addWidget(self.exit_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.condition_frame)
        layout.addWidget(self.anomaly_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.refusal_label)
        layout.addLayout(buttons)

        self.entry_button.clicked.connect(lambda: self._bill(BillingKind.ENTRY))
        self.exit_button.clicked.connect(lambda: self._bill(BillingKind.EXIT))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self._on_selection_changed()

    def set_status(self, status: BillingStatusLike) -> None:
        selected = self.selected()
        self.model.set_rows(status.members)
        self.table.fit_columns()
        met = status.payment_condition_met
        self.condition_label.setText(status.payment_sentence)
        self.condition_frame.setObjectName("resultEligible" if met else "resultNotEligible")
        self.condition_frame.style().unpolish(self.condition_frame)
        self.condition_frame.style().polish(self.condition_frame)
        self.exit_label.setText(status.exit.message)
        self.anomaly_label.setText("\n".join(status.anomalies))
        self.anomaly_label.setVisible(bool(status.anomalies))
        if selected is None or not self.table.select_where(
            lambda m: m.professional_id == selected.professional_id
        ):
            self.table.select_first()
        self._on_selection_changed()

    @property
    def condition_text(self) -> str:
        return self.condition_label.text()

    @property
    def texts(self) -> list[str]:
        """Everything the tab says about the payment, for a reader checking it is consistent."""
        return [self.condition_label.text(), self.exit_label.text()]

    def selected(self) -> MemberBillingLike | None:
        return self.table.selected_row()

    def select_professional(self, professional_id: str) -> bool:
        return self.table.select_where(lambda m: m.professional_id == professional_id)

    def _bill(self, kind: BillingKind) -> None:
        member = self.selected()
        if member is None:
            return
        self.bill_requested.emit(member.professional_id, kind, self.billed_on.text())

    @Slot()
    def _on_selection_changed(self, *_args: object) -> None:
        member = self.selected()
        self.entry_button.setEnabled(member is not None and not member.entry_refusal)
        self.exit_button.setEnabled(member is not None and not member.exit_refusal)
        if member is None:
            self.refusal_label.clear()
            return
        reasons = [r for r in (member.entry_refusal, member.exit_refusal) if r]
        self.refusal_label.setText(" ".join(dict.fromkeys(reasons)))
