"""A read-only, row-selecting table view set up the same way everywhere."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from escap_desktop.ui.models.row_table_model import ROW_ROLE, SORT_ROLE


class RowTableView(QTableView):
    """Shows a RowTableModel through a sorting proxy; ``selected_row()`` gives the record."""

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSourceModel(model)
        self.setModel(self.proxy)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(False)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)

    def fit_columns(self, maximum: int = 340) -> None:
        """Columns as wide as their content (capped), the last one taking what is left."""
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for column in range(header.count() - 1):
            if header.sectionSize(column) > maximum:
                header.resizeSection(column, maximum)

    def selected_row(self) -> Any:
        indexes = self.selectionModel().selectedRows() if self.selectionModel() else []
        return indexes[0].data(ROW_ROLE) if indexes else None

    def select_first(self) -> None:
        if self.proxy.rowCount() > 0 and not self.selectionModel().hasSelection():
            self.selectRow(0)

    def select_where(self, predicate: Any) -> bool:
        for row in range(self.proxy.rowCount()):
            if predicate(self.proxy.index(row, 0).data(ROW_ROLE)):
                self.selectRow(row)
                return True
        return False
