"""Importing the practice's patient list: choose the CSV export, check how it is read, import.

Each choice (the file, its format, a column) asks the service for a new plan on the GUI thread:
reading the layout and the first rows takes a few milliseconds, and the screen then shows the
rows as they would be imported. The import itself runs on the shared job queue (it writes the
store) through a :class:`~escap_desktop.ui.runner.GeneratorRunner`; the service writes every
accepted row at the end, in one transaction, so a cancelled import leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Generator
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities.patient_import import PatientImportReport
from escap_desktop.core.errors import EscapError
from escap_desktop.services.patient_import import (
    ColumnMapping,
    CsvLayout,
    CsvPlan,
    ImportReadError,
    ImportStep,
    PatientImportService,
    check_mapping,
)
from escap_desktop.ui.admin.file_chooser import OpenChooser, choose_open_path
from escap_desktop.ui.patients.import_mapping import (
    ColumnMappingView,
    CsvLayoutView,
    ImportPreviewTableModel,
    preview_rows,
)
from escap_desktop.ui.resources import icon
from escap_desktop.ui.runner import GeneratorRunner, JobQueue, OperationCancelledError
from escap_desktop.ui.widgets.table_view import RowTableView

TITLE = "Importer des patients depuis votre logiciel"
FILE_FILTER = "Listes de patients (*.csv *.txt *.tsv);;Tous les fichiers (*)"
NO_FILE = "Choisissez le fichier exporté par votre logiciel (ou tapez son chemin, puis Entrée)."
CANCELLED = "Import annulé : aucun patient n'a été enregistré."


def _lines(count: int) -> str:
    return f"{count} ligne de patient" if count <= 1 else f"{count} lignes de patients"


def _preview_title(shown: int, total: int) -> str:
    if not shown:
        return "Aperçu"
    if shown == 1:
        what = "de la ligne" if total == 1 else "de la première ligne"
        return f"Aperçu {what}, telle qu'elle sera importée"
    what = f"des {shown} lignes" if shown == total else f"des {shown} premières lignes"
    return f"Aperçu {what}, telles qu'elles seront importées"


class PatientImportDialog(QDialog):
    """Emits ``plan_changed(CsvPlan | None)`` each time the screen shows a new plan (or an
    error), and ``import_finished(PatientImportReport)`` once the patients are written."""

    plan_changed = Signal(object)
    import_finished = Signal(object)

    def __init__(
        self,
        service: PatientImportService,
        jobs: JobQueue,
        parent: QWidget | None = None,
        chooser: OpenChooser = choose_open_path,
        start_folder: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientImportDialog")
        self.setWindowTitle(TITLE)
        self.resize(1180, 700)
        self._service = service
        self._jobs = jobs
        self._chooser = chooser
        self._start_folder = start_folder or Path.home()
        self.plan: CsvPlan | None = None
        self.runner: GeneratorRunner | None = None
        self.report: PatientImportReport | None = None
        self._close_when_done = False

        intro = QLabel(
            "Choisissez la liste des patients exportée par votre logiciel métier (fichier CSV). "
            "Vérifiez le format et les colonnes : l'aperçu montre les premières lignes telles "
            "qu'elles seront importées. Rien n'est enregistré avant la fin de l'import ; un "
            "patient déjà enregistré n'est jamais importé une seconde fois."
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Fichier CSV exporté par votre logiciel")
        file_label = QLabel("Fichier CS&V :")
        file_label.setBuddy(self.path_edit)
        self.browse_button = QPushButton("C&hoisir…")
        self.file_info = QLabel()
        self.file_info.setObjectName("hint")
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        self.layout_view = CsvLayoutView()
        self.mapping_view = ColumnMappingView()
        self.preview_model = ImportPreviewTableModel(self)
        self.preview_table = RowTableView(self.preview_model)
        self.preview_table.setObjectName("importPreview")
        self.preview_table.setWordWrap(True)
        self.preview_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.preview_hint = QLabel()
        self.preview_hint.setObjectName("hint")
        self.preview_hint.setWordWrap(True)
        self.preview_box = QGroupBox("Aperçu")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        bold = QFont(self.summary_label.font())
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_box = QGroupBox("Rapport d'import")
        self.report_box.hide()

        self.reason_label = QLabel()
        self.reason_label.setObjectName("fieldError")
        self.reason_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.import_button = QPushButton(icon("patient"), "&Importer")
        self.cancel_button = QPushButton("Annuler")
        self.close_button = QPushButton("&Fermer")

        file_row = QHBoxLayout()
        file_row.addWidget(file_label)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        top = QHBoxLayout()
        top.addWidget(self.layout_view)
        top.addWidget(self.mapping_view, 1)
        preview_layout = QVBoxLayout(self.preview_box)
        preview_layout.addWidget(self.preview_hint)
        preview_layout.addWidget(self.preview_table, 1)
        report_layout = QVBoxLayout(self.report_box)
        report_layout.addWidget(self.summary_label)
        report_layout.addWidget(self.report_view, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress_label, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.file_info)
        layout.addWidget(self.error_label)
        layout.addLayout(top)
        layout.addWidget(self.preview_box, 1)
        layout.addWidget(self.report_box, 1)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)

        order: list[QWidget] = [self.path_edit, self.browse_button]
        order += [self.layout_view.encoding, self.layout_view.delimiter]
        order += [self.layout_view.date_format, self.layout_view.has_header]
        order += [*self.mapping_view.combos.values(), self.preview_table, self.report_view]
        order += [self.import_button, self.cancel_button, self.close_button]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.path_edit.textEdited.connect(self._on_path_edited)
        self.path_edit.editingFinished.connect(self._on_path_editing_finished)
        self.layout_view.layout_changed.connect(self._on_layout_changed)
        self.mapping_view.mapping_changed.connect(self._on_mapping_changed)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.close_button.clicked.connect(self.reject)
        self._show(None)
        self._set_running(False)

    @property
    def running(self) -> bool:
        return self.runner is not None

    # --- planning --------------------------------------------------------------------------

    def load(
        self, path: Path, layout: CsvLayout | None = None, mapping: ColumnMapping | None = None
    ) -> bool:
        """Reads ``path`` as the layout and mapping say (detected and proposed when None) and
        shows the plan; False with the reason shown for a file that cannot be read."""
        if self.running:
            return False
        self.path_edit.setText(str(path))
        try:
            plan = self._service.plan_csv(path, layout=layout, mapping=mapping)
        except EscapError as error:
            self._show(None, str(error))
            return False
        self._show(plan, refill=mapping is None)
        return True

    def _show(self, plan: CsvPlan | None, error: str = "", refill: bool = True) -> None:
        self.plan = plan
        self.report = None
        self.report_box.hide()
        self.preview_box.show()
        self.progress.hide()
        self.progress_label.clear()
        self.error_label.setText(error)
        self.error_label.setVisible(bool(error))
        self.layout_view.setEnabled(plan is not None)
        self.mapping_view.setEnabled(plan is not None)
        if plan is None:
            self.file_info.clear()
            self.mapping_view.clear()
            self.preview_model.set_rows([])
            self.preview_box.setTitle("Aperçu")
            self.preview_hint.setText("")
            self.preview_hint.hide()
        else:
            self.file_info.setText(f"{plan.path.name} : {_lines(plan.sample.data_rows)}.")
            self.layout_view.set_layout(plan.layout)
            if refill:
                self.mapping_view.set_plan(plan)
            rows = preview_rows(plan)
            self.preview_model.set_rows(rows)
            self._fit_preview()
            self.preview_box.setTitle(_preview_title(len(rows), plan.sample.data_rows))
            self.preview_hint.setText(
                ""
                if rows or plan.sample.data_rows == 0
                else "L'aperçu s'affiche dès que chaque champ obligatoire a sa propre colonne."
            )
            self.preview_hint.setVisible(bool(self.preview_hint.text()))
        self._update_import_button()
        self.plan_changed.emit(plan)

    def _fit_preview(self) -> None:
        """The problems are sentences: their column takes the width left and wraps them (a
        model reset forgets a section's resize mode, so it is set after each)."""
        self.preview_table.fit_columns(170)
        self.preview_table.horizontalHeader().setSectionResizeMode(
            ImportPreviewTableModel.PROBLEM_COLUMN, QHeaderView.ResizeMode.Stretch
        )

    def blocking_reason(self) -> str:
        """Why the import cannot start yet ("" when it can)."""
        if self.plan is None:
            return NO_FILE
        if self.plan.sample.data_rows == 0:
            return "Ce fichier ne contient aucune ligne de patient à importer."
        try:
            check_mapping(self.plan.mapping)
        except ImportReadError as error:
            return str(error)
        return ""

    def _update_import_button(self) -> None:
        reason = "" if self.running else self.blocking_reason()
        possible = not self.running and not reason and self.report is None
        self.import_button.setEnabled(possible)
        self.import_button.setDefault(possible)
        self.import_button.setToolTip(reason)
        shown = reason if self.plan is not None else ""
        self.reason_label.setText(f"Import impossible : {shown}" if shown else "")
        self.reason_label.setVisible(bool(shown))

    @Slot()
    def _on_browse_clicked(self) -> None:
        current = self.path_edit.text().strip()
        start = current or str(self._start_folder)
        chosen = self._chooser(self, "Choisir la liste des patients", start, FILE_FILTER)
        if chosen:
            self.load(Path(chosen))

    @Slot(str)
    def _on_path_edited(self, _text: str) -> None:
        self.import_button.setEnabled(False)
        self.import_button.setDefault(False)

    @Slot()
    def _on_path_editing_finished(self) -> None:
        text = self.path_edit.text().strip()
        if not text or (self.plan is not None and Path(text) == self.plan.path):
            self._update_import_button()
            return
        # On the next turn: the Entrée that ended the editing must not also press « Importer ».
        QTimer.singleShot(0, self, lambda: self.load(Path(text)))

    @Slot(object, bool)
    def _on_layout_changed(self, layout: CsvLayout, remap: bool) -> None:
        if self.plan is not None:
            self.load(self.plan.path, layout, None if remap else self.plan.mapping)

    @Slot(object)
    def _on_mapping_changed(self, mapping: ColumnMapping) -> None:
        if self.plan is not None:
            self.load(self.plan.path, self.plan.layout, mapping)

    # --- importing -------------------------------------------------------------------------

    @Slot()
    def start_import(self) -> bool:
        """Starts the import of the plan shown; False when it cannot start (reason shown)."""
        plan = self.plan
        if self.running or plan is None or self.blocking_reason() or self.report is not None:
            return False
        self.error_label.hide()
        self.progress.setValue(0)
        self.progress.show()
        self.progress_label.setText("Lecture du fichier…")
        self._close_when_done = False
        self.runner = self._jobs.start(
            lambda: _import_job(self._service, plan),
            self._on_finished,
            self._on_failed,
            self._on_progress,
        )
        self._set_running(True)
        return True

    @Slot()
    def cancel_import(self) -> None:
        """Stops the running import at its next step; nothing is written."""
        if self.runner is not None:
            self.runner.cancel()
            self.cancel_button.setEnabled(False)
            self.progress_label.setText("Annulation en cours…")

    def reject(self) -> None:
        """Closing while importing cancels the import first; the dialog closes once stopped."""
        if self.running:
            self._close_when_done = True
            self.cancel_import()
            return
        super().reject()

    @Slot(int, str)
    def _on_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        if text:
            self.progress_label.setText(text)

    @Slot(object)
    def _on_finished(self, report: PatientImportReport) -> None:
        self._done()
        self.report = report
        self.progress.setValue(100)
        self.progress_label.setText("Import terminé.")
        self.summary_label.setText(report.summary)
        self.report_view.setPlainText(report.text)
        self.preview_box.hide()
        self.report_box.show()
        self._update_import_button()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.import_finished.emit(report)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._done()
        self.progress.hide()
        self.progress_label.clear()
        if not isinstance(error, EscapError):
            raise error  # a bug: the application's crash handler reports it
        cancelled = isinstance(error, OperationCancelledError)
        self.error_label.setText(CANCELLED if cancelled else str(error))
        self.error_label.show()
        if self._close_when_done:
            super().reject()

    def _done(self) -> None:
        self.runner = None
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        for widget in (self.path_edit, self.browse_button):
            widget.setEnabled(not running)
        for view in (self.layout_view, self.mapping_view):
            view.setEnabled(not running and self.plan is not None)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.close_button.setVisible(not running)
        self._update_import_button()


def _import_job(
    service: PatientImportService, plan: CsvPlan
) -> Generator[ImportStep, None, PatientImportReport]:
    """The import as a runner job. The step at 100 % comes once the patients are written: it is
    not passed on, so a cancel arriving then cannot call « annulé » an import that is done."""
    steps = service.import_csv(plan.path, plan.layout, plan.mapping, sample=plan.sample)
    try:
        while True:
            try:
                step = next(steps)
            except StopIteration as stop:
                return stop.value
            if step.percent < 100:
                yield step
    finally:
        steps.close()
