"""The patient list: one row per :class:`PatientSummary`, and its search-as-you-type filter.

The list must stay responsive with 10,000 patients, even while a sync writes the store on the
worker thread (both threads share the interpreter: every call from Qt into Python may wait for
the worker). So the Python calls per keystroke are kept few: the search keys are built off the
GUI thread (``patient_search``); sorting happens on the Python list in the source model (one
``sorted`` call, not thousands of ``data()`` calls per sort); and the filter is a proxy written
for this list — one list comprehension per typed word computes the rows shown, then one model
reset tells the view, instead of one ``filterAcceptsRow`` call per patient and one signal per
range of hidden rows (``QSortFilterProxyModel``).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from escap_desktop.ui.formatting import fold, format_date, format_nir
from escap_desktop.ui.models.patient_search import matching, search_key, search_tokens
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
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
_ANSWERED = frozenset({_DISPLAY, _DECORATION, _TOOLTIP, _FONT, _ALIGNMENT, ROW_ROLE, SORT_ROLE})
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


def bold_font() -> QFont:
    """The font of the unread-messages count, when there are some."""
    if not _BOLD:
        font = QFont()
        font.setBold(True)
        _BOLD.append(font)
    return _BOLD[0]


class PatientTableModel(QAbstractTableModel):
    """Rows of the patient list; ``ROW_ROLE`` gives the summary, ``SORT_ROLE`` a real value."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PatientSummary] = []
        self._search_keys: list[str] = []
        self._keys_pending = False  # rows shown before their keys (``set_rows(keys_later=True)``)
        self._cells: dict[int, tuple[str, ...]] = {}  # displayed texts, built when first painted
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(
        self,
        rows: Iterable[PatientSummary],
        search_keys: Sequence[str] | None = None,
        *,
        keys_later: bool = False,
    ) -> None:
        """Replaces every row (a model reset), keeping the current sort order. ``search_keys``
        (one per row, in the same order) when they were built off the GUI thread.

        ``keys_later``: the rows are shown now and their keys handed over by
        :meth:`set_search_keys` once built off the GUI thread (the start-up paints 10,000
        patients without waiting for their keys); anything that needs them before (a search
        typed, a row updated) builds them here first."""
        rows = list(rows)
        if keys_later:
            keys: list[str] = []
        else:
            keys = [search_key(row) for row in rows] if search_keys is None else list(search_keys)
            if len(keys) != len(rows):
                raise ValueError("set_rows: une clé de recherche par ligne")
        self.beginResetModel()
        self.rows, self._search_keys, self._keys_pending = rows, keys, keys_later
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self._cells.clear()
        self.endResetModel()

    @property
    def search_keys(self) -> list[str]:
        """One search key per row, in the rows' order."""
        if self._keys_pending:  # needed before they came: built here, theirs are then ignored
            self._keys_pending = False
            self._search_keys = [search_key(row) for row in self.rows]
        return self._search_keys

    def set_search_keys(self, rows: Sequence[PatientSummary], keys: Sequence[str]) -> None:
        """The keys of rows shown with ``keys_later`` (``rows``: those rows, in the order the
        keys follow); ignored if other rows were set since or the keys were built already."""
        if not self._keys_pending or len(rows) != len(self.rows) or len(keys) != len(rows):
            return
        key_of = {id(row): key for row, key in zip(rows, keys, strict=True)}
        if any(id(row) not in key_of for row in self.rows):
            return
        self._search_keys = [key_of[id(row)] for row in self.rows]  # in the current sort order
        self._keys_pending = False

    def update_row(self, summary: PatientSummary) -> None:
        """Replaces the row of the same patient (or appends it); only changed cells repaint."""
        row = self.row_of(summary.patient_id)
        if row >= 0:
            old = self.rows[row]
            self.rows[row] = summary
            self.search_keys[row] = search_key(summary)
            self._cells.pop(row, None)
            for column in range(len(HEADERS)):
                if self._display(old, column) != self._display(summary, column):
                    cell = self.index(row, column)
                    self.dataChanged.emit(cell, cell)
            return
        position = len(self.rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self.rows.append(summary)
        self.search_keys.append(search_key(summary))
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

    def data(self, index: _AnyIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row: int, column: int, role: int) -> Any:
        """``data()`` without a model index: what the filter proxy asks for its shown rows.

        A view with Qt's own delegate asks seven roles per painted cell (the list's delegate
        asks ``painted`` once), hence the roles compared as plain ints and the texts of a row
        built once."""
        if role == _DISPLAY:
            cells = self._cells.get(row)
            if cells is None:
                if not 0 <= row < len(self.rows):
                    return None
                summary = self.rows[row]
                cells = tuple(self._display(summary, c) for c in range(len(HEADERS)))
                self._cells[row] = cells
            return cells[column]
        if role not in _ANSWERED or not 0 <= row < len(self.rows):
            return None
        summary = self.rows[row]
        if role == ROW_ROLE:
            return summary
        if role == SORT_ROLE:
            return self._sort_value(summary, column)
        if role == _ALIGNMENT:
            return Qt.AlignmentFlag.AlignCenter if column in _CENTERED else None
        if column == UNREAD and summary.unread_messages:
            if role == _FONT:
                return bold_font()
            if role == _DECORATION:
                return icon("message")
        if role == _TOOLTIP and column == NEXT_ACTION and summary.next_action:
            return self._display(summary, column)
        return None

    def painted(self, row: int, column: int) -> tuple[str, bool, bool] | None:
        """What the list's delegate paints (``patient_cell_delegate``): the cell's text,
        whether it is centred, whether it shows unread messages (bold, with the icon) — the
        same as the display, alignment, font and decoration roles."""
        text = self.cell(row, column, _DISPLAY)
        if text is None:
            return None
        unread = column == UNREAD and bool(self.rows[row].unread_messages)
        return text, column in _CENTERED, unread

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorts the Python list (fast) and tells views the layout changed."""
        if column not in _SORT_KEYS:
            return
        self.layoutAboutToBeChanged.emit()
        old_rows = list(self.rows)
        self._sort = (column, order)
        self._sort_rows(column, order)
        position = {id(summary): row for row, summary in enumerate(self.rows)}
        self._cells.clear()
        old_indexes = self.persistentIndexList()
        new_indexes = [self.index(position[id(old_rows[i.row()])], i.column()) for i in old_indexes]
        self.changePersistentIndexList(old_indexes, new_indexes)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        """Sorts the rows and their search keys together."""
        key = _SORT_KEYS[column]
        reverse = order is Qt.SortOrder.DescendingOrder
        if self._keys_pending:  # the keys follow the rows by identity when they come
            self.rows = sorted(self.rows, key=key, reverse=reverse)
            return
        pairs = sorted(
            zip(self.rows, self._search_keys, strict=True),
            key=lambda pair: key(pair[0]),
            reverse=reverse,
        )
        self.rows = [row for row, _key in pairs]
        self._search_keys = [search for _row, search in pairs]

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


class PatientFilterProxyModel(QAbstractTableModel):
    """Search-as-you-type (name without accents, JJ/MM/AAAA or part of it, NIR digits) and a
    filter on the ESCAP state. Every typed word must be found; sorting is left to the source.

    The proxy keeps the source rows it shows, in the source's order. A new search computes
    them in one pass over the search keys (over the rows still shown when a word grows as it is
    typed) and resets the proxy once; a search that shows the same rows tells the view nothing.

    A table model (not a ``QAbstractProxyModel``) with the proxy's mapping methods: Qt's own
    ``index``, ``parent`` and ``flags`` then answer the view without a call into Python.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tokens: tuple[str, ...] = ()
        self._states: frozenset[EscapState | None] | None = None
        self._model: PatientTableModel | None = None
        self._shown: list[int] = []  # source rows, ascending
        self._persistent: list[tuple[str, int]] = []  # (patient, column) across a source sort
        self._removing = (0, 0, 0)  # proxy rows [low, high) going, source rows going

    # --- the source ------------------------------------------------------------------------

    def setSourceModel(self, model: Any) -> None:
        if not isinstance(model, PatientTableModel):
            raise TypeError("PatientFilterProxyModel needs a PatientTableModel")
        self.beginResetModel()
        old = self._model
        if old is not None:
            for signal, slot in self._source_signals(old):
                signal.disconnect(slot)
        self._model = model
        for signal, slot in self._source_signals(model):
            signal.connect(slot)
        self._shown = self._filtered(None)
        self.endResetModel()

    def sourceModel(self) -> PatientTableModel | None:
        return self._model

    def _source_signals(self, model: PatientTableModel) -> list[tuple[Any, Callable[..., None]]]:
        return [
            (model.modelAboutToBeReset, self.beginResetModel),
            (model.modelReset, self._on_source_reset),
            (model.layoutAboutToBeChanged, self._on_source_layout_about_to_change),
            (model.layoutChanged, self._on_source_layout_changed),
            (model.rowsInserted, self._on_source_rows_inserted),
            (model.rowsAboutToBeRemoved, self._on_source_rows_about_to_be_removed),
            (model.rowsRemoved, self._on_source_rows_removed),
            (model.dataChanged, self._on_source_data_changed),
        ]

    def _on_source_reset(self) -> None:
        self._shown = self._filtered(None)
        self.endResetModel()

    def _on_source_layout_about_to_change(self, *_args: Any) -> None:
        self.layoutAboutToBeChanged.emit()
        self._persistent = [
            (self._patient_id(index.row()), index.column()) for index in self.persistentIndexList()
        ]

    def _on_source_layout_changed(self, *_args: Any) -> None:
        model = self._model
        assert model is not None
        self._shown = self._filtered(None)
        shown_at = {model.rows[row].patient_id: proxy for proxy, row in enumerate(self._shown)}
        old = self.persistentIndexList()
        new = [
            self.index(shown_at[patient], column) if patient in shown_at else QModelIndex()
            for patient, column in self._persistent
        ]
        self.changePersistentIndexList(old, new)
        self._persistent = []
        self.layoutChanged.emit()

    def _on_source_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Rows inserted at ``first``: later rows move down; the new ones shown if accepted."""
        count = last - first + 1
        position = bisect_left(self._shown, first)
        self._shown[position:] = [row + count for row in self._shown[position:]]
        added = self._filtered(range(first, last + 1))
        if added:
            self.beginInsertRows(QModelIndex(), position, position + len(added) - 1)
            self._shown[position:position] = added
            self.endInsertRows()

    def _on_source_rows_about_to_be_removed(
        self, _parent: QModelIndex, first: int, last: int
    ) -> None:
        low, high = bisect_left(self._shown, first), bisect_left(self._shown, last + 1)
        self._removing = (low, high, last - first + 1)
        if high > low:
            self.beginRemoveRows(QModelIndex(), low, high - 1)

    def _on_source_rows_removed(self, *_args: Any) -> None:
        low, high, count = self._removing
        self._shown[low:] = [row - count for row in self._shown[high:]]
        if high > low:
            self.endRemoveRows()

    def _on_source_data_changed(
        self, top_left: QModelIndex, bottom_right: QModelIndex, roles: Sequence[int] = ()
    ) -> None:
        """A changed row stays (its cells repaint) or, if the search no longer finds it or now
        does, the rows shown are computed again."""
        first, last = top_left.row(), bottom_right.row()
        accepted = set(self._filtered(range(first, last + 1)))
        low, high = bisect_left(self._shown, first), bisect_left(self._shown, last + 1)
        if accepted != set(self._shown[low:high]):
            self.beginResetModel()
            self._shown = self._filtered(None)
            self.endResetModel()
        elif high > low:
            left, right = top_left.column(), bottom_right.column()
            self.dataChanged.emit(self.index(low, left), self.index(high - 1, right), roles)

    # --- the search ------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return " ".join(self._tokens)

    def set_search_text(self, text: str) -> None:
        tokens = search_tokens(text)
        if tokens == self._tokens:
            return
        narrower = _narrows(self._tokens, tokens)
        self._tokens = tokens
        self._show(self._filtered(self._shown if narrower else None))

    def set_state_filter(self, states: Sequence[EscapState | None] | None) -> None:
        """Keeps the patients whose current ESCAP is in ``states`` (None = without ESCAP);
        ``None`` shows everyone."""
        self._states = None if states is None else frozenset(states)
        self._show(self._filtered(None))

    def _filtered(self, candidates: Iterable[int] | None) -> list[int]:
        """The source rows among ``candidates`` (all by default) that the search and the state
        filter accept, in ascending order."""
        model = self._model
        if model is None:
            return []
        if self._tokens:
            shown = matching(model.search_keys, self._tokens, candidates)
        else:  # no search: no key needed (the start-up shows the rows before their keys)
            shown = list(range(len(model.rows))) if candidates is None else list(candidates)
        states = self._states
        if states is not None:
            rows = model.rows
            shown = [row for row in shown if rows[row].escap_state in states]
        return shown

    def _show(self, shown: list[int]) -> None:
        if shown == self._shown:
            return
        self.beginResetModel()
        self._shown = shown
        self.endResetModel()

    # --- the proxy's mapping and the table model ----------------------------------------

    def mapToSource(self, proxy_index: _AnyIndex) -> QModelIndex:
        model = self._model
        if model is None or not proxy_index.isValid():
            return QModelIndex()
        row = proxy_index.row()
        if not 0 <= row < len(self._shown):
            return QModelIndex()
        return model.index(self._shown[row], proxy_index.column())

    def mapFromSource(self, source_index: _AnyIndex) -> QModelIndex:
        if not source_index.isValid():
            return QModelIndex()
        row = source_index.row()
        position = bisect_left(self._shown, row)
        if position == len(self._shown) or self._shown[position] != row:
            return QModelIndex()
        return self.index(position, source_index.column())

    def index(self, row: int, column: int, parent: _AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Qt's own asks ``rowCount`` and ``columnCount`` first: two calls into Python per
        painted cell instead of this one."""
        if 0 <= row < len(self._shown) and 0 <= column < len(HEADERS) and not parent.isValid():
            return self.createIndex(row, column)
        return QModelIndex()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: _AnyIndex, role: int = _DISPLAY) -> Any:
        model, shown, row = self._model, self._shown, index.row()
        if model is None or not 0 <= row < len(shown):  # an invalid index has row -1
            return None
        return model.cell(shown[row], index.column(), role)

    def painted_cell(self, row: int, column: int) -> tuple[str, bool, bool] | None:
        """The source's ``painted`` for a shown row (None outside the rows shown)."""
        model, shown = self._model, self._shown
        if model is None or not 0 <= row < len(shown):
            return None
        return model.painted(shown[row], column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._model is None or orientation is Qt.Orientation.Vertical:
            return None
        return self._model.headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Forwarded to the source model (see the module docstring for why)."""
        if self._model is not None:
            self._model.sort(column, order)

    def summary_at(self, proxy_row: int) -> PatientSummary | None:
        index = self.index(proxy_row, 0)
        return index.data(ROW_ROLE) if index.isValid() else None

    def _patient_id(self, proxy_row: int) -> str:
        assert self._model is not None
        return self._model.rows[self._shown[proxy_row]].patient_id


def _narrows(before: tuple[str, ...], after: tuple[str, ...]) -> bool:
    """True when every row ``after`` accepts was accepted ``before`` (a word typed further,
    or a word added): each earlier word is contained in the word at the same place."""
    if len(after) < len(before):
        return False
    return all(old in new for old, new in zip(before, after, strict=False))
