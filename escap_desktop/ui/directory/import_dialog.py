"""Importing the national extracts: choose the file, follow the progress, read the report.

One dialog takes both public extracts of the Annuaire Santé: the directory
(« PS_LibreAcces_Personne_activite ») and the professionals' MSSanté addresses
(« Extraction_Correspondance_MSSante »), as ``.txt`` or as the published ``.zip``; the file's
header tells which one was chosen.

The file is checked on the GUI thread first (a wrong file is refused at once, in words); the
import itself runs in a thread pool through :class:`GeneratorRunner`, which emits exactly one
of ``finished`` or ``failed``. The directory in use keeps answering searches meanwhile, and
stays in use if the import fails or is cancelled.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.clock import paris_time
from escap_desktop.core.entities.directory import (
    AnyImportReport,
    ExtractKind,
    ImportReport,
    MssanteImportReport,
    group_thousands,
)
from escap_desktop.core.errors import EscapError
from escap_desktop.services.directory import DirectoryService
from escap_desktop.ui.resources import icon
from escap_desktop.ui.runner import GeneratorRunner, OperationCancelledError

SHOWN_BAD_LINES = 20


class ImportDirectoryDialog(QDialog):
    """Emits ``import_finished(report)`` or ``import_failed(error)`` once per import; the
    report is an :class:`ImportReport` for the directory, a :class:`MssanteImportReport` for
    the MSSanté addresses."""

    import_finished = Signal(object)
    import_failed = Signal(object)

    def __init__(
        self,
        service: DirectoryService,
        parent: QWidget | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Importer l'annuaire des professionnels de santé")
        self.setMinimumWidth(640)
        self._service = service
        self._pool = pool or QThreadPool.globalInstance()
        self.runner: GeneratorRunner | None = None
        self.report: AnyImportReport | None = None
        self.kind: ExtractKind | None = None
        self._close_when_done = False

        intro = QLabel(
            "Choisissez le fichier « PS_LibreAcces_Personne_activite_….txt » téléchargé sur "
            "annuaire.sante.fr (Extractions en libre accès), puis, pour les adresses MSSanté "
            "des professionnels, le fichier « Extraction_Correspondance_MSSante_….txt » (ou "
            "son archive .zip). L'annuaire actuel reste utilisable pendant l'import, et le "
            "reste si l'import échoue ou est annulé."
        )
        intro.setWordWrap(True)
        self.current = QLabel()
        self.current.setObjectName("hint")
        self.current.setWordWrap(True)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Extrait de l'annuaire ou des adresses MSSanté")
        self.browse_button = QPushButton("C&hoisir…")
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress_label = QLabel()
        self.progress_label.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setObjectName("fieldError")
        self.error_label.setWordWrap(True)
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.hide()
        self.import_button = QPushButton(icon("directory"), "&Importer")
        self.import_button.setDefault(True)
        self.report_button = QPushButton("Ouvrir le &rapport")
        self.report_button.hide()
        self.cancel_button = QPushButton("Annuler")
        self.close_button = QPushButton("&Fermer")

        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.current)
        layout.addLayout(file_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.report_view, 1)
        layout.addLayout(buttons)

        self.browse_button.clicked.connect(self._on_browse_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.cancel_button.clicked.connect(self.cancel_import)
        self.close_button.clicked.connect(self.reject)
        self.report_button.clicked.connect(self._on_report_clicked)
        self._show_current()
        self._set_running(False)

    @property
    def running(self) -> bool:
        return self.runner is not None

    def start_import(self, path: Path) -> bool:
        """Checks ``path`` then starts the import; False (with the reason shown) if refused."""
        if self.running:
            return False
        self.path_edit.setText(str(path))
        self.error_label.clear()
        try:
            self.kind = self._service.check_file(path)
        except EscapError as error:
            self.error_label.setText(str(error))
            return False
        self.report = None
        self.report_view.hide()
        self.report_button.hide()
        self.progress.setValue(0)
        self.progress_label.setText(
            "Lecture des adresses MSSanté…"
            if self.kind is ExtractKind.MSSANTE
            else "Lecture de l'annuaire…"
        )
        self.runner = GeneratorRunner(lambda: _import_job(self._service, path))
        self.runner.signals.progress.connect(self._on_progress)
        self.runner.signals.finished.connect(self._on_finished)
        self.runner.signals.failed.connect(self._on_failed)
        self._set_running(True)
        self._pool.start(self.runner)
        return True

    @Slot()
    def cancel_import(self) -> None:
        """Stops the running import at its next batch of lines (``import_failed`` follows)."""
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
    def _on_finished(self, report: AnyImportReport) -> None:
        self._done()
        self.report = report
        self.progress.setValue(100)
        self.progress_label.setText(
            "Import des adresses MSSanté terminé."
            if isinstance(report, MssanteImportReport)
            else "Import terminé."
        )
        self.report_view.setPlainText(_report_text(report))
        self.report_view.show()
        self.report_button.setVisible(report.report_path is not None)
        self._show_current()
        self.import_finished.emit(report)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._done()
        self.progress.setValue(0)
        self.progress_label.clear()
        if isinstance(error, OperationCancelledError | EscapError):
            cancelled = isinstance(error, OperationCancelledError)
            kept = (
                "les adresses MSSanté précédentes sont conservées"
                if self.kind is ExtractKind.MSSANTE
                else "l'annuaire précédent est conservé"
            )
            message = f"Import annulé : {kept}." if cancelled else str(error)
            self.error_label.setText(message)
            self.import_failed.emit(error)
            if self._close_when_done:
                super().reject()
            return
        self.import_failed.emit(error)
        raise error  # a bug: the application's crash handler reports it

    def _done(self) -> None:
        self.runner = None
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.import_button.setEnabled(not running)
        self.browse_button.setEnabled(not running)
        self.path_edit.setEnabled(not running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.close_button.setVisible(not running)

    def _show_current(self) -> None:
        imported_at = self._service.imported_at()
        if imported_at is None:
            self.current.setText("Aucun annuaire n'est installé pour l'instant.")
            return
        text = (
            f"Annuaire actuel : importé le {paris_time(imported_at).strftime('%d/%m/%Y')}, "
            f"{group_thousands(self._service.entry_count())} professionnels."
        )
        mssante_at = self._service.mssante_imported_at()
        if mssante_at is None:
            text += "\nAdresses MSSanté : pas encore importées."
        else:
            text += (
                f"\nAdresses MSSanté : importées le "
                f"{paris_time(mssante_at).strftime('%d/%m/%Y')}, "
                f"{group_thousands(self._service.mssante_address_count())} adresses."
            )
        self.current.setText(text)

    @Slot()
    def _on_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "Choisir l'extrait de l'annuaire ou des adresses MSSanté",
            self.path_edit.text(),
            "Extraits de l'annuaire (*.txt *.csv *.zip);;Tous les fichiers (*)",
        )
        if path:
            self.path_edit.setText(path)

    @Slot()
    def _on_import_clicked(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self.error_label.setText("Choisissez d'abord le fichier à importer.")
            return
        self.start_import(Path(text))

    @Slot()
    def _on_report_clicked(self) -> None:
        if self.report is not None and self.report.report_path is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.report_path)))


def _import_job(service: DirectoryService, path: Path) -> Generator[Any, None, AnyImportReport]:
    """The import as a runner job: progress steps are yielded, the report is returned."""
    steps = service.import_file(path)
    try:
        for step in steps:
            if isinstance(step, ImportReport | MssanteImportReport):
                return step
            yield step
    finally:
        steps.close()
    raise RuntimeError("l'import s'est terminé sans rapport")


def _report_text(report: AnyImportReport) -> str:
    lines = [report.summary]
    if report.bad_line_count:
        lines.append("")
        lines.append("Lignes ignorées :")
        lines += [f"  {bad_line.text}" for bad_line in report.bad_lines[:SHOWN_BAD_LINES]]
        if report.bad_line_count > SHOWN_BAD_LINES:
            rest = group_thousands(report.bad_line_count - SHOWN_BAD_LINES)
            lines.append(f"  … et {rest} autres.")
    if report.report_path is not None:
        lines.append("")
        lines.append(f"Rapport complet : {report.report_path}")
    return "\n".join(lines)
