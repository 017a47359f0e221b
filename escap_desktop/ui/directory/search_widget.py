"""Finding a professional in the directory as one types, or typing one by hand.

Searches take a few milliseconds, so they run on the GUI thread, a short while after the last
key press. From the search field, Down or Enter moves to the results; Enter or a double-click
on a result chooses it.

The search field reports Down and Enter itself (:class:`SearchField`) rather than through an
event filter that the widget installs on its own child: while a widget is destroyed, Qt still
routes its children's last events through such a filter, and a filter written in Python is then
half gone: CI crashed there (a segmentation fault in Qt's event filters, the next test's
events), then waited until it timed out.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities.directory import DirectoryEntry, group_thousands
from escap_desktop.core.errors import EscapError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.ui.directory.directory_table_model import DirectoryTableModel
from escap_desktop.ui.directory.manual_dialog import ManualProfessionalDialog
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.table_view import RowTableView

DEBOUNCE_MS = 250
MIN_CHARACTERS = 2
LIMIT = 50


class SearchField(QLineEdit):
    """``move_to_results(search_first)``: Down (False) or Enter (True) was pressed here."""

    move_to_results = Signal(bool)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.move_to_results.emit(True)
            event.accept()
            return
        if key == Qt.Key.Key_Down:
            self.move_to_results.emit(False)
            event.accept()
            return
        super().keyPressEvent(event)


class DirectorySearchWidget(QWidget):
    """Emits ``professional_chosen(Professional)``: from the directory, or typed by hand."""

    professional_chosen = Signal(object)

    def __init__(
        self,
        service: DirectoryService,
        parent: QWidget | None = None,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self.search_edit = SearchField()
        self.search_edit.setObjectName("directorySearch")
        self.search_edit.setPlaceholderText("Nom, prénom, ville… (sans accents, début des mots)")
        self.search_edit.setClearButtonEnabled(True)
        self.profession_combo = QComboBox()
        self.profession_combo.setObjectName("directoryProfession")
        self.postcode_edit = QLineEdit()
        self.postcode_edit.setObjectName("directoryPostcode")
        self.postcode_edit.setPlaceholderText("Code postal")
        self.postcode_edit.setMaxLength(5)
        self.postcode_edit.setFixedWidth(110)
        self.model = DirectoryTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("directoryResults")
        self.status = QLabel()
        self.status.setObjectName("hint")
        self.status.setWordWrap(True)
        self.manual_button = QPushButton(icon("edit"), "&Saisir à la main…")
        self.choose_button = QPushButton(icon("accept"), "&Choisir")
        self.choose_button.setEnabled(False)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self.manual_dialog: ManualProfessionalDialog | None = None

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.profession_combo)
        filters.addWidget(self.postcode_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.manual_button)
        buttons.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

        self.search_edit.textChanged.connect(self._timer.start)
        self.postcode_edit.textChanged.connect(self._timer.start)
        self.profession_combo.currentIndexChanged.connect(self._timer.start)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.move_to_results.connect(self._on_move_to_results)
        self.table.activated.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.choose_button.clicked.connect(self._on_choose_clicked)
        self.manual_button.clicked.connect(self._on_manual_clicked)
        self.reload_professions()

    def reload_professions(self) -> None:
        """Fills the profession filter from the directory (call again after an import)."""
        self.profession_combo.blockSignals(True)
        self.profession_combo.clear()
        self.profession_combo.addItem("Toutes les professions", None)
        try:
            professions = self._service.professions()
        except EscapError:
            professions = []
        for profession in professions:
            self.profession_combo.addItem(profession.label, profession.code)
        self.profession_combo.blockSignals(False)
        self._show_status("" if professions else self._unavailable_text())

    @Slot()
    def search_now(self) -> None:
        """Runs the search for what is typed (the debounce timer calls it too)."""
        self._timer.stop()
        text = self.search_edit.text().strip()
        profession = self.profession_combo.currentData()
        postcode = self.postcode_edit.text().strip()
        if len(text) < MIN_CHARACTERS and not (profession or postcode):
            self.model.set_rows([])
            hint = "Tapez au moins 2 caractères du nom, de la ville…" if text else ""
            self._show_status(hint)
            return
        try:
            entries = self._service.search(
                text, profession=profession, postcode=postcode or None, limit=LIMIT
            )
        except EscapError as error:
            self.model.set_rows([])
            self._show_status(str(error))
            return
        self.model.set_rows(entries)
        self.table.fit_columns()
        self._show_status(self._count_text(len(entries)))

    def selected_entry(self) -> DirectoryEntry | None:
        entry: DirectoryEntry | None = self.table.selected_row()
        return entry

    @Slot(bool)
    def _on_move_to_results(self, search_first: bool) -> None:
        """Down or Enter in the search field moves to the results, first one selected; Enter
        searches at once for what is typed."""
        if search_first:
            self.search_now()
        self._focus_results()

    def _focus_results(self) -> None:
        if self.model.rowCount() > 0:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.selectionModel().hasSelection():
                self.table.selectRow(0)

    def _count_text(self, count: int) -> str:
        if count == 0:
            return "Aucun professionnel ne correspond : vérifiez l'orthographe, ou saisissez-le."
        if count >= LIMIT:
            return (
                f"Les {LIMIT} premiers résultats : précisez le prénom, la ville ou le code postal."
            )
        plural = "s" if count > 1 else ""
        return f"{group_thousands(count)} professionnel{plural} trouvé{plural}."

    def _unavailable_text(self) -> str:
        return (
            "Aucun annuaire n'est installé : importez-le, ou saisissez le professionnel à la main."
        )

    def _show_status(self, text: str) -> None:
        self.status.setText(text)

    def _choose(self, entry: DirectoryEntry | None) -> None:
        if entry is not None:
            self.professional_chosen.emit(entry.to_professional())

    @Slot()
    def _on_table_activated(self) -> None:
        self._choose(self.selected_entry())

    @Slot()
    def _on_choose_clicked(self) -> None:
        self._choose(self.selected_entry())

    @Slot()
    def _on_selection_changed(self) -> None:
        self.choose_button.setEnabled(self.selected_entry() is not None)

    @Slot()
    def _on_manual_clicked(self) -> None:
        self.manual_dialog = ManualProfessionalDialog(self)
        self.manual_dialog.accepted.connect(self._on_manual_accepted)
        self.manual_dialog.open()

    @Slot()
    def _on_manual_accepted(self) -> None:
        if self.manual_dialog is not None and self.manual_dialog.professional is not None:
            self.professional_chosen.emit(self.manual_dialog.professional)
