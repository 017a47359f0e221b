"""The patient list with search-as-you-type and a filter on the ESCAP state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.ui.main_window.patient_cell_delegate import PatientCellDelegate
from escap_desktop.ui.models.patient_table_model import (
    NAME,
    NEXT_ACTION,
    ROW_ROLE,
    PatientFilterProxyModel,
    PatientTableModel,
)
from escap_desktop.ui.resources import icon

if TYPE_CHECKING:  # annotations only: the window is painted before the domain is imported
    from escap_desktop.core.entities import EscapState
    from escap_desktop.core.entities.summaries import PatientSummary
    from escap_desktop.ui.models.patient_search import PatientListing

StateFilter = tuple[str, "tuple[EscapState | None, ...] | None"]
ALL_PATIENTS = "Tous les patients"


class PatientListView(QWidget):
    """Emits ``patient_activated`` (patient id) on Enter or double-click."""

    patient_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PatientTableModel(self)
        self._given: object = None  # the rows last given to set_rows, as given
        self.proxy = PatientFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)

        self.search = QLineEdit()
        self.search.setObjectName("patientSearch")
        self.search.setPlaceholderText("Nom, date de naissance (JJ/MM/AAAA) ou NIR")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        search_label = QLabel("&Rechercher :")
        search_label.setBuddy(self.search)
        self.state_filter = QComboBox()
        self.state_filter.addItem(ALL_PATIENTS, None)
        state_label = QLabel("É&tat :")
        state_label.setBuddy(self.state_filter)
        self.count_label = QLabel()
        self.count_label.setObjectName("hint")

        self.table = QTableView()
        self.table.setObjectName("patientTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(PatientCellDelegate(self.proxy, self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NEXT_ACTION, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((200, 95, 160, 170, 55, 62, 200, 140)):
            self.table.setColumnWidth(column, width)

        top = QHBoxLayout()
        top.addWidget(search_label)
        top.addWidget(self.search, 3)
        top.addSpacing(12)
        top.addWidget(state_label)
        top.addWidget(self.state_filter, 1)
        top.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self.search.textChanged.connect(self._on_search_text_changed)
        self.state_filter.currentIndexChanged.connect(self._on_state_filter_changed)
        self.table.activated.connect(self._on_table_activated)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        # Counted once per change: rowsRemoved fires once per range of hidden rows.
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self._update_count()

    def set_state_filters(self, filters: Iterable[StateFilter]) -> None:
        """The choices of the state filter, given once the domain is loaded."""
        self.state_filter.blockSignals(True)
        self.state_filter.clear()
        for label, states in filters:
            self.state_filter.addItem(label, states)
        self.state_filter.blockSignals(False)

    def set_rows(
        self,
        rows: Iterable[PatientSummary],
        search_keys: Sequence[str] | None = None,
        *,
        keys_later: bool = False,
    ) -> None:
        """``search_keys``: one per row, when built off the GUI thread (``PatientListing``);
        ``keys_later``: they come afterwards, through :meth:`set_search_keys`."""
        selected = self.selected_patient_id()
        self._given = rows
        self.model.set_rows(rows, search_keys, keys_later=keys_later)
        self._update_count()
        if selected is not None:
            self.select_patient(selected)

    def set_search_keys(self, listing: PatientListing) -> None:
        """The keys of the rows shown with ``keys_later`` (these very rows, see :meth:`shows`)."""
        if self.shows(listing):
            self.model.set_search_keys(listing.rows, listing.search_keys)

    def shows(self, listing: PatientListing) -> bool:
        """Whether these very rows are the ones shown (set by the launcher before the main
        controller existed): no second reset of 10,000 rows."""
        return self._given is listing.rows

    def selected_patient_id(self) -> str | None:
        indexes = self.table.selectionModel().selectedRows()
        if not indexes:
            return None
        summary = indexes[0].data(ROW_ROLE)
        return summary.patient_id if summary is not None else None

    def select_patient(self, patient_id: str, *, scroll: bool = True) -> bool:
        row = self.model.row_of(patient_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        if scroll:
            self.table.selectRow(index.row())
            self.table.scrollTo(index)
        else:
            flags = (
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows
            )
            self.table.selectionModel().setCurrentIndex(index, flags)
        return True

    def visible_patient_ids(self) -> list[str]:
        return [
            self.proxy.index(row, 0).data(ROW_ROLE).patient_id
            for row in range(self.proxy.rowCount())
        ]

    @Slot()
    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    @Slot(str)
    def _on_search_text_changed(self, text: str) -> None:
        selected = self.selected_patient_id()
        self.proxy.set_search_text(text)
        self._after_filter(selected)

    @Slot(int)
    def _on_state_filter_changed(self, _index: int) -> None:
        selected = self.selected_patient_id()
        self.proxy.set_state_filter(self.state_filter.currentData())
        self._after_filter(selected)

    def _after_filter(self, selected: str | None) -> None:
        """The selected patient stays selected while the search still shows them."""
        if selected is not None and self.selected_patient_id() != selected:
            self.select_patient(selected, scroll=False)
        self._update_count()

    @Slot()
    def _on_search_return_pressed(self) -> None:
        """Enter in the search field opens the patient when only one is left, else goes to the
        list so arrows choose one."""
        if self.proxy.rowCount() == 1:
            self._on_table_activated(self.proxy.index(0, 0))
        elif self.proxy.rowCount() > 1:
            self.table.setFocus()
            if not self.table.selectionModel().hasSelection():
                self.table.selectRow(0)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex | QPersistentModelIndex) -> None:
        summary = index.data(ROW_ROLE)
        if summary is not None:
            self.patient_activated.emit(summary.patient_id)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        noun = "patient" if total <= 1 else "patients"
        self.count_label.setText(
            f"{total} {noun}" if shown == total else f"{shown} sur {total} {noun}"
        )
