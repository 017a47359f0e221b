"""Choosing a professional: in the public directory, among known colleagues, or typed by hand.

The directory search is the first tab when a directory service is given (``ui/directory``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSortFilterProxyModel, Qt, Slot
from PySide6.QtWidgets import (
    QLineEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import Professional
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.ui.directory.search_widget import DirectorySearchWidget
from escap_desktop.ui.formatting import fold
from escap_desktop.ui.forms.professional_form import ProfessionalForm
from escap_desktop.ui.models.row_table_model import Column, RowTableModel
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog
from escap_desktop.ui.widgets.table_view import RowTableView

ProfessionalChecker = Callable[[Professional], list[ValidationError]]


class ProfessionalTableModel(RowTableModel[Professional]):
    columns = (
        Column("Nom", lambda p: p.display_name),
        Column("Profession", lambda p: p.profession.label),
        Column("Ville", lambda p: p.town),
        Column("Identifiant", lambda p: p.identifier),
    )


class _FoldedFilter(QSortFilterProxyModel):
    """Accent-insensitive filter over every column."""

    def __init__(self) -> None:
        super().__init__()
        self._needle = ""

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = fold(text.strip())
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: object) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        text = " ".join(
            str(model.index(row, column).data() or "") for column in range(model.columnCount())
        )
        return self._needle in fold(text)


class ProfessionalDialog(GuardedDialog):
    """``chosen`` is the professional picked or typed once accepted."""

    KNOWN_TAB, MANUAL_TAB = range(2)

    def __init__(
        self,
        known: Sequence[Professional],
        checker: ProfessionalChecker,
        parent: QWidget | None = None,
        directory: DirectoryService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ajouter un professionnel à l'équipe")
        self.resize(720, 560)
        self._checker = checker
        self.chosen: Professional | None = None

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filtrer : nom, profession, ville")
        self.filter_edit.setClearButtonEnabled(True)
        self.model = ProfessionalTableModel(self)
        self.model.set_rows(known)
        self.table = RowTableView(self.model)
        self.filter = _FoldedFilter()
        self.filter.setSourceModel(self.model)
        self.table.proxy.setSourceModel(self.filter)
        for column, width in enumerate((220, 180, 140)):
            self.table.setColumnWidth(column, width)
        known_tab = QWidget()
        known_layout = QVBoxLayout(known_tab)
        known_layout.addWidget(self.filter_edit)
        known_layout.addWidget(self.table, 1)

        self.form = ProfessionalForm()
        self.tabs = QTabWidget()
        self.tabs.addTab(known_tab, "Mes &correspondants")
        self.tabs.addTab(self.form, "&Saisie manuelle")
        if not known:
            self.tabs.setCurrentIndex(self.MANUAL_TAB)
        self.directory_search: DirectorySearchWidget | None = None
        if directory is not None:
            self.directory_search = DirectorySearchWidget(directory)
            self.directory_search.professional_chosen.connect(self._on_directory_chosen)
            self.add_tab(self.directory_search, "Annuaire &santé")

        buttons = action_cancel_buttons(self, "&Ajouter", self._on_add_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self.filter_edit.textChanged.connect(self.filter.set_needle)
        self.table.activated.connect(lambda _index: self._on_add_clicked())
        self.form.changed.connect(self.mark_dirty)
        self.filter_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def add_tab(self, widget: QWidget, title: str) -> None:
        """Lets the directory search be offered first, where it exists."""
        self.tabs.insertTab(0, widget, title)
        self.tabs.setCurrentIndex(0)

    @Slot(object)
    def _on_directory_chosen(self, professional: Professional) -> None:
        self.chosen = professional
        self.mark_clean()
        self.accept()

    @Slot()
    def _on_add_clicked(self) -> None:
        if self.directory_search is not None and self.tabs.currentWidget() is self.directory_search:
            entry = self.directory_search.selected_entry()
            if entry is not None:
                self.directory_search.choose_button.click()
            return
        if self.tabs.currentWidget() is self.form:
            professional = self.form.professional()
            problems = self._checker(professional)
            if not professional.last_name:
                problems.insert(0, ValidationError("Le nom est obligatoire.", field="last_name"))
            if problems:
                self.form.show_problems(problems)
                return
            self.chosen = professional
        else:
            self.chosen = self.table.selected_row()
            if self.chosen is None:
                return
        self.mark_clean()
        self.accept()
