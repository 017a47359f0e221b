"""« Mes ESCAP » : the ESCAPs counted this year and where each yearly allowance stands."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.ui.models.counted_escap_table_model import CountedEscapTableModel
from escap_desktop.ui.models.row_table_model import ROW_ROLE
from escap_desktop.ui.widgets.table_view import RowTableView


def _money(amount: Any) -> str:
    whole = amount == amount.to_integral_value()
    text = f"{amount:,.0f}" if whole else f"{amount:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


class AllowanceCard(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("card")
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.title.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setFormat("%v sur %m ESCAP")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)

    def set_status(self, status: Any) -> None:
        allowance = status.allowance
        self.title.setText(f"{allowance.label} — {_money(allowance.amount)} par an")
        self.bar.setRange(0, max(1, allowance.min_escaps))
        self.bar.setValue(min(status.escap_count, allowance.min_escaps))
        self.status.setText(status.message)
        self.setProperty("earned", status.earned)


class MyEscapsView(QWidget):
    """``patient_activated(patient_id)`` opens the patient's ESCAP page."""

    patient_activated = Signal(str)

    def __init__(self, today: Callable[[], date], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("myEscaps")
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.count_label = QLabel()
        self.count_label.setObjectName("sectionTitle")
        self.tool = AllowanceCard()
        self.involvement = AllowanceCard()
        self.total_label = QLabel()
        self.incomplete_label = QLabel()
        self.incomplete_label.setObjectName("teamWarning")
        self.incomplete_label.setWordWrap(True)
        self.incomplete_label.setVisible(False)
        self.model = CountedEscapTableModel(today, self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("countedTable")
        self.table.setColumnWidth(0, 260)
        note = QLabel(
            "Une ESCAP compte pour l'année quand vous en avez été membre au moins un jour "
            "pendant qu'elle était active et complète (les jours en « Équipe incomplète » ne "
            "comptent pas) ; plusieurs épisodes d'un même patient comptent une fois."
        )
        note.setObjectName("hint")
        note.setWordWrap(True)
        cards = QHBoxLayout()
        cards.addWidget(self.tool)
        cards.addWidget(self.involvement)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.count_label)
        layout.addWidget(self.incomplete_label)
        layout.addLayout(cards)
        layout.addWidget(self.total_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        self.table.activated.connect(self._on_table_activated)

    def set_year(self, year: Any, names: Mapping[str, str]) -> None:
        self.title.setText(f"Mes ESCAP en {year.year}")
        count = year.escap_count
        self.count_label.setText(
            f"{count} ESCAP comptée{'s' if count > 1 else ''} pour {year.year}"
        )
        self.tool.set_status(year.tool)
        self.involvement.set_status(year.involvement)
        self.total_label.setText(f"Total acquis pour {year.year} : {_money(year.total_due)}")
        self.model.set_names(names)
        self.model.set_rows(year.escaps)
        self.table.fit_columns()

    def set_incomplete(self, teams: list[Any], names: Mapping[str, str]) -> None:
        """My ESCAP whose team is incomplete now, each with what to do."""
        lines = [f"{names.get(t.patient_id, 'Patient')} : {t.next_step}" for t in teams]
        self.incomplete_label.setText("\n".join(lines))
        self.incomplete_label.setVisible(bool(lines))

    def _on_table_activated(self, index: Any) -> None:
        counted = index.data(ROW_ROLE)
        if counted is not None:
            self.patient_activated.emit(counted.patient_id)
