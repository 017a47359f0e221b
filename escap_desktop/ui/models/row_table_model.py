"""A table model over a list of frozen records, its columns declared once as data.

Each concrete list (members, actions, events...) declares its :class:`Column` tuple; the base
gives the row object under ``ROW_ROLE``, a real value under ``SORT_ROLE``, resets on
``set_rows`` and repaints only the cells that changed on ``update_row``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QIcon

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

T = TypeVar("T")
_AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column: French header, displayed text, and optionally a sort value and an icon."""

    header: str
    display: Callable[[T], str]
    sort: Callable[[T], Any] | None = None
    icon: Callable[[T], QIcon | None] | None = None
    tooltip: Callable[[T], str] | None = None
    centered: bool = False


def _qt_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return QDateTime(value)
    if isinstance(value, date):
        return QDate(value.year, value.month, value.day)
    return value


class RowTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one list; subclasses set ``columns`` and ``key`` (the row identity)."""

    columns: tuple[Column[T], ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[T] = []

    def key(self, row: T) -> Any:
        return getattr(row, "id", id(row))

    def set_rows(self, rows: Iterable[T]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def update_row(self, row: T) -> None:
        """Replaces the row with the same key (only changed cells repaint), else appends it."""
        key = self.key(row)
        for position, old in enumerate(self.rows):
            if self.key(old) == key:
                self.rows[position] = row
                for number, column in enumerate(self.columns):
                    if column.display(old) != column.display(row):
                        cell = self.index(position, number)
                        self.dataChanged.emit(cell, cell)
                return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
        self.rows.append(row)
        self.endInsertRows()

    def row_at(self, position: int) -> T | None:
        return self.rows[position] if 0 <= position < len(self.rows) else None

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation is Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return self.columns[section].header
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return _qt_value(column.sort(row) if column.sort else column.display(row))
        if role == Qt.ItemDataRole.DecorationRole and column.icon is not None:
            return column.icon(row)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.centered:
            return Qt.AlignmentFlag.AlignCenter
        return None
