"""The patient list: one row per :class:`PatientSummary`, and its search-as-you-type filter.

The list must stay responsive with 10,000 patients, so the expensive parts are done once when
rows are set (a folded search key per row) and sorting happens on the Python list in the source
model (one ``sorted`` call) instead of in the proxy (thousands of ``data()`` calls per sort,
repeated on every keystroke). The proxy only filters, by looking the precomputed keys up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from escap_desktop.ui.formatting import fold, format_date, format_nir
from escap_desktop.ui.resources import icon

if TYPE_CHECKING:  # only for annotations: the window is painted before the domain is imported
    from escap_desktop.core.entities import EscapState
    from escap_desktop.core.entities.summaries import PatientSummary

NAME, BIRTH_DATE, NIR, STATE, SCORE, TEAM, NEXT_ACTION, UNREAD = range(8)
HEADERS = (
    "Patient",
    "Né(e) le",
    "NIR",
    "État ESCAP",
    "Score",
    "Équipe",
    "Prochaine action",
    "Messages non lus",
)
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
NO_ESCAP_LABEL = "Sans ESCAP"
_CENTERED = frozenset({SCORE, TEAM, UNREAD})
_AnyIndex = QModelIndex | QPersistentModelIndex


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _state_order(state: EscapState | None) -> int:
    """The lifecycle order (draft first, closed last), read from the enum itself."""
    return -1 if state is None else list(type(state)).index(state)


_SORT_KEYS: dict[int, Callable[[PatientSummary], Any]] = {
    NAME: lambda s: fold(s.display_name),
    BIRTH_DATE: lambda s: s.birth_date,
    NIR: lambda s: s.ins,
    STATE: lambda s: _state_order(s.escap_state),
    SCORE: lambda s: -1 if s.last_score is None else s.last_score,
    TEAM: lambda s: s.team_size,
    NEXT_ACTION: lambda s: (s.next_due_on is None, s.next_due_on or date.min, fold(s.next_action)),
    UNREAD: lambda s: s.unread_messages,
}


_BOLD: list[QFont] = []


def _bold_font() -> QFont:
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


def search_key(summary: PatientSummary) -> str:
    """What a search token is looked for in: names (folded, also glued: "N'Diaye" is found by
    "ndiaye"), the birth date as typed (JJ/MM/AAAA) and the NIR digits."""
    names = (summary.display_name, summary.birth_name, summary.used_name, summary.first_names)
    folded = [fold(name) for name in names if name]
    glued = [name.replace(" ", "") for name in folded[1:]]
    nir = "".join(summary.ins.split())
    return " ".join((*folded, *glued, format_date(summary.birth_date), nir))


class PatientTableModel(QAbstractTableModel):
    """Rows of the patient list; ``ROW_ROLE`` gives the summary, ``SORT_ROLE`` a real value."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PatientSummary] = []
        self.search_keys: list[str] = []
        self.generation = 0  # bumped whenever rows or their order change (filter caches)
        self._cells: dict[int, tuple[str, ...]] = {}  # displayed texts, built when first painted
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: Iterable[PatientSummary]) -> None:
        """Replaces every row (a model reset), keeping the current sort order."""
        self.beginResetModel()
        self.rows = list(rows)
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.search_keys = [search_key(row) for row in self.rows]
        self.generation += 1
        self._cells.clear()
        self.endResetModel()

    def update_row(self, summary: PatientSummary) -> None:
        """Replaces the row of the same patient (or appends it); only changed cells repaint."""
        for row, old in enumerate(self.rows):
            if old.patient_id == summary.patient_id:
                self.rows[row] = summary
                self.search_keys[row] = search_key(summary)
                self.generation += 1
                self._cells.clear()
                for column in range(len(HEADERS)):
                    if self._display(old, column) != self._display(summary, column):
                        cell = self.index(row, column)
                        self.dataChanged.emit(cell, cell)
                return
        position = len(self.rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.append(summary)
        self.search_keys.append(search_key(summary))
        self.generation += 1
        self._cells.clear()
        self.endInsertRows()

    def row_of(self, patient_id: str) -> int:
        """The row of a patient, or -1."""
        for row, summary in enumerate(self.rows):
            if summary.patient_id == patient_id:
                return row
        return -1

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt default
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation is Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(HEADERS):
            return HEADERS[section]
        return None

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = index.row()
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            cells = self._cells.get(row)
            if cells is None:
                cells = tuple(self._display(self.rows[row], c) for c in range(len(HEADERS)))
                self._cells[row] = cells
            return cells[column]
        summary = self.rows[row]
        if role == ROW_ROLE:
            return summary
        if role == SORT_ROLE:
            return self._sort_value(summary, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _CENTERED:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.FontRole and column == UNREAD and summary.unread_messages:
            return _bold_font()
        if role == Qt.ItemDataRole.DecorationRole and column == UNREAD:
            return icon("message") if summary.unread_messages else None
        if role == Qt.ItemDataRole.ToolTipRole and column == NEXT_ACTION and summary.next_action:
            return self._display(summary, column)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorts the Python list (fast) and tells views the layout changed."""
        if column not in _SORT_KEYS:
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = list(self.rows)
        keys = dict(zip(map(id, self.rows), self.search_keys, strict=True))
        self._sort = (column, order)
        self._sort_rows(column, order)
        position = {id(summary): row for row, summary in enumerate(self.rows)}
        self.search_keys = [keys[id(summary)] for summary in self.rows]
        self.generation += 1
        self._cells.clear()
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(position[id(old_rows[i.row()])], i.column()) for i in old_indexes]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        self.rows.sort(key=_SORT_KEYS[column], reverse=order is Qt.SortOrder.DescendingOrder)

    @staticmethod
    def _display(summary: PatientSummary, column: int) -> str:
        if column == NAME:
            return summary.display_name
        if column == BIRTH_DATE:
            return format_date(summary.birth_date)
        if column == NIR:
            return format_nir(summary.ins)
        if column == STATE:
            return summary.escap_state.label if summary.escap_state else NO_ESCAP_LABEL
        if column == SCORE:
            return "" if summary.last_score is None else str(summary.last_score)
        if column == TEAM:
            return str(summary.team_size) if summary.escap_id else ""
        if column == NEXT_ACTION:
            due = format_date(summary.next_due_on)
            return (
                f"{due} — {summary.next_action}"
                if due and summary.next_action
                else (summary.next_action or due)
            )
        if column == UNREAD:
            return str(summary.unread_messages) if summary.unread_messages else ""
        return ""

    @staticmethod
    def _sort_value(summary: PatientSummary, column: int) -> Any:
        if column == BIRTH_DATE:
            return _qdate(summary.birth_date)
        if column == NEXT_ACTION:
            return _qdate(summary.next_due_on) if summary.next_due_on else QDate()
        if column == STATE:
            return _state_order(summary.escap_state)
        if column == NAME:
            return fold(summary.display_name)
        value = _SORT_KEYS[column](summary)
        return value


class PatientFilterProxyModel(QSortFilterProxyModel):
    """Search-as-you-type (name without accents, JJ/MM/AAAA or part of it, NIR digits) and a
    filter on the ESCAP state. Every typed word must be found; sorting is left to the source.

    The verdict of every row is computed in one pass when the search changes (and only over the
    rows still shown when a word grows as it is typed), so ``filterAcceptsRow`` is a lookup.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tokens: tuple[str, ...] = ()
        self._states: frozenset[EscapState | None] | None = None
        self._model: PatientTableModel | None = None
        self._accepted: list[bool] = []
        self._accepted_generation = -1

    def setSourceModel(self, model: Any) -> None:
        if not isinstance(model, PatientTableModel):
            raise TypeError("PatientFilterProxyModel needs a PatientTableModel")
        self._model = model
        self._accepted_generation = -1
        super().setSourceModel(model)

    @property
    def text(self) -> str:
        return " ".join(self._tokens)

    def set_search_text(self, text: str) -> None:
        tokens = tuple(fold(text).split())
        if tokens == self._tokens:
            return
        narrower = _narrows(self._tokens, tokens)
        self.beginFilterChange()
        self._tokens = tokens
        self._recompute(narrower)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_state_filter(self, states: Sequence[EscapState | None] | None) -> None:
        """Keeps the patients whose current ESCAP is in ``states`` (None = without ESCAP);
        ``None`` shows everyone."""
        self.beginFilterChange()
        self._states = None if states is None else frozenset(states)
        self._recompute(narrower=False)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _recompute(self, narrower: bool) -> None:
        model = self._model
        if model is None:
            return
        tokens, states = self._tokens, self._states
        keys = model.search_keys
        if narrower and self._accepted_generation == model.generation:
            previous = self._accepted
            accepted = [
                shown and all(token in key for token in tokens)
                for shown, key in zip(previous, keys, strict=True)
            ]
        else:
            accepted = [all(token in key for token in tokens) for key in keys]
            if states is not None:
                accepted = [
                    shown and row.escap_state in states
                    for shown, row in zip(accepted, model.rows, strict=True)
                ]
        self._accepted = accepted
        self._accepted_generation = model.generation

    def filterAcceptsRow(self, source_row: int, source_parent: _AnyIndex) -> bool:
        model = self._model
        if model is None:
            return True
        if self._accepted_generation != model.generation:
            self._recompute(narrower=False)
        return self._accepted[source_row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Forwarded to the source model (see the module docstring for why)."""
        if self._model is not None:
            self._model.sort(column, order)

    def summary_at(self, proxy_row: int) -> PatientSummary | None:
        index = self.index(proxy_row, 0)
        return index.data(ROW_ROLE) if index.isValid() else None


def _narrows(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """True when every row ``after`` accepts was accepted ``before`` (a word typed further,
    or a word added): each earlier word is contained in the word at the same place."""
    if len(after) < len(before):
        return False
    return all(old in new for old, new in zip(before, after, strict=False))
