"""« Journal d'accès… »: who opened or changed the patient's record, and its printout.

The table shows ``AuditService.patient_trail``; the button prints the same journal through the
shared document output (shown in the print preview, written to a file only if asked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.services.audit import AuditLine

COLUMNS = ("Date", "Professionnel", "Action", "Élément")


class AuditTrailDialog(QDialog):
    """``print_requested`` is the caller's: it produces the PDF (off the GUI thread)."""

    def __init__(
        self,
        patient_name: str,
        lines: Sequence[AuditLine],
        print_requested: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Journal d'accès — {patient_name}")
        self.resize(760, 480)
        intro = QLabel(
            "Chaque consultation ou modification du dossier sur ce poste, la plus ancienne en "
            "premier. À remettre au patient qui exerce son droit d'accès."
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(lines), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        for row, line in enumerate(lines):
            for column, text in enumerate((line.when, line.who, line.action, line.record)):
                self.table.setItem(row, column, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.empty = QLabel("Aucune opération n'est encore enregistrée pour ce patient.")
        self.empty.setVisible(not lines)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Fermer")
        self.print_button = buttons.addButton(
            "&Imprimer / Enregistrer en PDF", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.clicked.connect(print_requested)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.table.setFocus()

    def rows(self) -> list[tuple[str, ...]]:
        """The table's text, row by row (what the professional reads)."""
        return [
            tuple(self.table.item(r, c).text() for c in range(len(COLUMNS)))
            for r in range(self.table.rowCount())
        ]
