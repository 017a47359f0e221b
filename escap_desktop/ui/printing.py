"""Printed documents: built off the GUI thread, saved in the data folder, opened for printing.

The PDF bytes come from a service (``make`` below); this module only writes them where the
professional can find them again (``<data dir>/documents``) and asks the system to open them in
the usual PDF viewer, from which they print. ``open_files`` is off in tests and screenshots.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QWidget

from escap_desktop.core.errors import DocumentError
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.runner import JobQueue, call_job
from escap_desktop.ui.widgets.progress_dialog import JobProgressDialog

PdfMaker = Callable[[], bytes]
"""Returns the PDF: a service's ``PrintedDocument`` (bytes carrying its ``filename``)."""


class DocumentOutput(QObject):
    """Saves PDFs into one folder and opens them; ``saved(path)`` once written."""

    saved = Signal(str)

    def __init__(
        self,
        folder: Path,
        jobs: JobQueue,
        errors: ErrorChannel,
        open_files: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._jobs = jobs
        self._errors = errors
        self.open_files = open_files
        self.last_path: Path | None = None

    def produce(self, title: str, make: PdfMaker, parent: QWidget | None = None) -> None:
        """Builds the PDF with a progress dialog, then saves and opens it."""
        JobProgressDialog(title, self._jobs, call_job(make), self._errors, self._write, parent)

    def _write(self, document: bytes) -> None:
        filename = str(getattr(document, "filename", "") or "document-escap.pdf")
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / filename
        try:
            path.write_bytes(document)
        except OSError as error:
            self._errors.report(
                DocumentError(f"Le document n'a pas pu être enregistré dans {path} : {error}.")
            )
            return
        self.last_path = path
        self.saved.emit(str(path))
        if self.open_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
