"""« Exporter pour l'évaluation… »: a period and a file, then the three files of the export.

The export runs on the job queue (it reads every episode and writes a PDF); the dialog stays
open meanwhile and shows either the written paths or the French error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import EscapError
from escap_desktop.services.exports import EvaluationFiles
from escap_desktop.ui.admin.file_chooser import SaveChooser, choose_save_path
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import JobQueue, OperationCancelledError, call_job
from escap_desktop.ui.widgets.form_errors import error_label

EXPERIMENT_START = date(2025, 3, 31)
Evaluate = Callable[[date, date, Path], EvaluationFiles]


def _date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(QDate(value.year, value.month, value.day))
    edit.setDisplayFormat("dd/MM/yyyy")
    edit.setCalendarPopup(True)
    return edit


class EvaluationExportDialog(QDialog):
    """``exported(files)`` once the three files are written (for tests and the caller)."""

    exported = Signal(object)

    def __init__(
        self,
        evaluate: Evaluate,
        jobs: JobQueue,
        folder: Path,
        parent: QWidget | None = None,
        *,
        today: date,
        chooser: SaveChooser = choose_save_path,
        errors: ErrorChannel | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Exporter pour l'évaluation")
        self.setMinimumWidth(640)
        self._evaluate = evaluate
        self._jobs = jobs
        self._chooser = chooser
        self._errors = errors
        self.running = False
        end = today
        self.date_from = _date_edit(EXPERIMENT_START)
        self.date_to = _date_edit(end)
        self.out = QLineEdit(str(folder / f"evaluation-escap-{end:%Y%m%d}.csv"))
        self.browse = QPushButton("&Parcourir…")
        self.browse.clicked.connect(self._on_browse)
        where = QHBoxLayout()
        where.addWidget(self.out, 1)
        where.addWidget(self.browse)
        form = QFormLayout()
        form.addRow("&Du :", self.date_from)
        form.addRow("&Au :", self.date_to)
        out_label = QLabel("&Fichier :")
        out_label.setBuddy(self.out)
        form.addRow(out_label, where)
        intro = QLabel(
            "Export pseudonymisé pour l'évaluation de l'expérimentation : aucun nom, NIR, date "
            "de naissance ni texte libre. Trois fichiers sont écrits : les épisodes (CSV), "
            "les professionnels (CSV) et une synthèse (PDF)."
        )
        intro.setWordWrap(True)
        self.error = error_label()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.result.setFixedHeight(self.result.fontMetrics().lineSpacing() * 5 + 12)
        self.result.setPlaceholderText("Les fichiers écrits s'afficheront ici.")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Fermer")
        self.export_button = self.buttons.addButton(
            "&Exporter", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.status)
        layout.addWidget(self.result)
        layout.addWidget(self.buttons)

    @Slot()
    def _on_browse(self) -> None:
        path = self._chooser(
            self, "Enregistrer l'export d'évaluation", self.out.text(), "Fichiers CSV (*.csv)"
        )
        if path:
            self.out.setText(path)

    @Slot()
    def start(self) -> None:
        if self.running:
            return
        text = self.out.text().strip()
        if not text:
            self._show_error("Choisissez le fichier où écrire l'export.")
            return
        date_from = self.date_from.date().toPython()
        date_to = self.date_to.date().toPython()
        assert isinstance(date_from, date)
        assert isinstance(date_to, date)
        self.running = True
        self.error.hide()
        self.result.clear()
        self.status.setText("Export en cours…")
        self.status.show()
        self.export_button.setEnabled(False)
        self._jobs.start(
            call_job(self._evaluate, date_from, date_to, Path(text)),
            self._on_finished,
            self._on_failed,
        )

    @Slot(object)
    def _on_finished(self, files: Any) -> None:
        self.running = False
        self.export_button.setEnabled(True)
        assert isinstance(files, EvaluationFiles)
        self.status.setText(f"Export terminé ({files.episode_count} épisode(s)). Fichiers écrits :")
        folder = files.episodes_csv.parent
        names = [f"  • {path.name}" for path in files.paths]
        self.result.setPlainText("\n".join([f"Dans {folder} :", *names]))
        self.exported.emit(files)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.running = False
        self.export_button.setEnabled(True)
        self.status.hide()
        if isinstance(error, OperationCancelledError):
            return
        if isinstance(error, EscapError):
            self._show_error(str(error))
        else:  # a bug: a short French line here, the crash report through the channel
            self._show_error("L'export n'a pas pu être écrit (erreur inattendue).")
            if self._errors is not None:
                self._errors.report(error)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
