"""Printed documents: built off the GUI thread, then shown in the print preview.

The PDF bytes come from a service (``make`` below). They stay in memory: the preview
(:class:`PrintPreviewDialog`) prints them, and writes a file only when the professional asks —
« Enregistrer sous… » where they choose, or « Ouvrir dans le lecteur PDF », which keeps the
older way (a copy in ``<data dir>/documents`` opened in the system's PDF viewer; ``open_files``
is off in tests and screenshots).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from escap_desktop.core.errors import DocumentError
from escap_desktop.ui.admin.file_chooser import SaveChooser, choose_save_path
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.print_preview.print_preview_dialog import (
    PrinterChooser,
    PrintPreviewDialog,
    ask_printer,
)
from escap_desktop.ui.print_preview.saving import write_atomically
from escap_desktop.ui.runner import JobQueue, call_job
from escap_desktop.ui.widgets.progress_dialog import JobProgressDialog

PdfMaker = Callable[[], bytes]
"""Returns the PDF: a service's ``PrintedDocument`` (bytes carrying its ``filename``)."""

DEFAULT_FILENAME = "document-escap.pdf"


class DocumentOutput(QObject):
    """Shows each document in a preview: ``shown(dialog)`` once it is on screen, ``saved(path)``
    whenever the professional writes it to a file."""

    shown = Signal(object)
    saved = Signal(str)

    def __init__(
        self,
        folder: Path,
        jobs: JobQueue,
        errors: ErrorChannel,
        open_files: bool = True,
        parent: QObject | None = None,
        *,
        printer_chooser: PrinterChooser = ask_printer,
        save_chooser: SaveChooser = choose_save_path,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._jobs = jobs
        self._errors = errors
        self.open_files = open_files
        self.printer_chooser = printer_chooser
        self.save_chooser = save_chooser
        self.last_document: bytes | None = None
        self.last_path: Path | None = None
        self.preview: PrintPreviewDialog | None = None

    def produce(self, title: str, make: PdfMaker, parent: QWidget | None = None) -> None:
        """Builds the PDF with a progress dialog, then shows it in the print preview."""
        JobProgressDialog(
            title,
            self._jobs,
            call_job(make),
            self._errors,
            lambda document: self._show(document, parent),
            parent,
        )

    def _show(self, document: bytes, parent: QWidget | None) -> None:
        self.last_document = document
        if parent is not None and not shiboken6.isValid(parent):
            parent = None  # closed while the document was being built
        filename = str(getattr(document, "filename", "") or DEFAULT_FILENAME)
        dialog = PrintPreviewDialog(
            document,
            filename,
            self._errors,
            parent,
            printer_chooser=self.printer_chooser,
            save_chooser=self.save_chooser,
        )
        dialog.saved.connect(self.saved)
        dialog.viewer_requested.connect(lambda: self._open_in_viewer(dialog))
        dialog.finished.connect(lambda _result: self._forget(dialog))
        self.preview = dialog
        dialog.open()
        self.shown.emit(dialog)

    def _open_in_viewer(self, dialog: PrintPreviewDialog) -> None:
        path = self.folder / dialog.filename
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomically(dialog.content, path)
        except OSError as error:
            self._errors.report(
                DocumentError(f"Le document n'a pas pu être enregistré dans {path} : {error}.")
            )
            return
        except DocumentError as error:
            self._errors.report(error)
            return
        self.last_path = path
        self.saved.emit(str(path))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        dialog.accept()

    def _forget(self, dialog: PrintPreviewDialog) -> None:
        if self.preview is dialog:
            self.preview = None
        dialog.deleteLater()
