"""The professionals the patient designates for the team, each with an editable role."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from escap_desktop.ui.inclusion.flow import Designation
from escap_desktop.ui.models.row_table_model import Column, RowTableModel

_AnyIndex = QModelIndex | QPersistentModelIndex


class DesignationTableModel(RowTableModel[Designation]):
    NAME, PROFESSION, ROLE = range(3)
    columns = (
        Column("Professionnel", lambda d: d.professional.display_name),
        Column("Profession", lambda d: d.professional.profession.label),
        Column("Rôle dans l'équipe (modifiable)", lambda d: d.role),
    )

    def key(self, row: Designation) -> str:
        return row.professional.id

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == self.ROLE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid() and index.column() == self.ROLE:
            return self.rows[index.row()].role
        return super().data(index, role)

    def setData(self, index: _AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.ROLE:
            return False
        self.rows[index.row()] = replace(self.rows[index.row()], role=str(value).strip())
        self.dataChanged.emit(index, index)
        return True

    def remove(self, professional_id: str) -> None:
        for position, row in enumerate(self.rows):
            if row.professional.id == professional_id:
                self.beginRemoveRows(QModelIndex(), position, position)
                del self.rows[position]
                self.endRemoveRows()
                return
