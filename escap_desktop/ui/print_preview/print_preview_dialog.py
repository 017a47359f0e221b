"""« Aperçu avant impression »: the PDF shown from memory, then printed, saved or opened.

A general practitioner expects « Imprimer… » to lead to a print dialog, not to another
application; and a PDF left in the data folder would be health data in clear beside an
encrypted store. So the document is read from the bytes in memory (``QPdfDocument`` over a
``QBuffer``) and nothing reaches the disk unless the professional chooses « Enregistrer sous… »
or « Ouvrir dans le lecteur PDF ».

The print dialog and the file dialog are injectable: tests print to a PDF file and save to a
temporary folder without meeting a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import DocumentError
from escap_desktop.ui.admin.file_chooser import SaveChooser, choose_save_path
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.print_preview.pdf_printing import prepare_printer, print_pdf
from escap_desktop.ui.print_preview.saving import (
    documents_folder,
    with_pdf_suffix,
    write_atomically,
)

PrinterChooser = Callable[[QPrinter, int, QWidget], bool]
"""(printer, page count, parent) -> True to print with the printer as set up by the user."""

PRINT_OPTIONS = (
    QAbstractPrintDialog.PrintDialogOption.PrintToFile
    | QAbstractPrintDialog.PrintDialogOption.PrintPageRange
    | QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage
    | QAbstractPrintDialog.PrintDialogOption.PrintCollateCopies
    | QAbstractPrintDialog.PrintDialogOption.PrintShowPageSize
)


def ask_printer(printer: QPrinter, page_count: int, parent: QWidget) -> bool:
    """The system's print dialog (printer, pages, copies); modal, as every print dialog is."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Imprimer")
    dialog.setOptions(PRINT_OPTIONS)
    dialog.setMinMax(1, max(1, page_count))
    return dialog.exec() == QDialog.DialogCode.Accepted


def page_count_text(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


class PrintPreviewDialog(QDialog):
    """The preview of one document; its caller handles ``viewer_requested`` (where the data
    folder is) and closes the dialog once the file is open."""

    printed = Signal(int)
    saved = Signal(str)
    viewer_requested = Signal()

    def __init__(
        self,
        content: bytes,
        filename: str,
        errors: ErrorChannel,
        parent: QWidget | None = None,
        printer_chooser: PrinterChooser = ask_printer,
        save_chooser: SaveChooser = choose_save_path,
    ) -> None:
        super().__init__(parent)
        self.content = content
        self.filename = filename
        self._errors = errors
        self.printer_chooser = printer_chooser
        self.save_chooser = save_chooser
        self.setWindowTitle(f"Aperçu avant impression — {filename}")

        # The document belongs to the dialog, not to the view: a child of the view would be
        # destroyed inside the view's destructor while still connected to it (a crash). The
        # buffer it reads is its child, so it lives exactly as long as the document.
        self.document = QPdfDocument(self)
        self._buffer = QBuffer(self.document)
        self._buffer.setData(QByteArray(content))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setDocument(self.document)
        readable = self.document.status() == QPdfDocument.Status.Ready

        self.pages_label = QLabel(
            page_count_text(self.document.pageCount()) if readable else "Aperçu indisponible"
        )
        self.pages_label.setObjectName("pageCount")
        name = QLabel(filename)
        name.setTextFormat(Qt.TextFormat.PlainText)
        bold = name.font()
        bold.setBold(True)
        name.setFont(bold)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel(
            "Rien n'est enregistré sur ce poste tant que vous ne choisissez pas « Enregistrer "
            "sous… » ou « Ouvrir dans le lecteur PDF »."
        )
        note.setWordWrap(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Fermer")
        self.print_button = buttons.addButton("&Imprimer…", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton(
            "&Enregistrer sous…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.viewer_button = buttons.addButton(
            "&Ouvrir dans le lecteur PDF", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setEnabled(readable)
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.viewer_button.clicked.connect(self.viewer_requested)
        buttons.rejected.connect(self.reject)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self)
        shortcut.activated.connect(self.print_document)

        header = QHBoxLayout()
        header.addWidget(name, 1)
        header.addWidget(self.pages_label)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self._fit_to_screen()
        self.print_button.setFocus()

    def _fit_to_screen(self) -> None:
        screen = (self.parentWidget() or self).screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        self.resize(min(860, available.width() * 9 // 10), min(1000, available.height() * 9 // 10))

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @Slot()
    def print_document(self) -> None:
        """Print dialog, then every chosen page at the printer's resolution; closes on success."""
        if not self.print_button.isEnabled():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.filename)
        prepare_printer(printer, self.document)
        if not self.printer_chooser(printer, self.page_count, self):
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            sheets = print_pdf(self.document, printer, self.view.pageNavigator().currentPage())
        except DocumentError as error:
            self._errors.report(error)
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.printed.emit(sheets)
        self.accept()

    @Slot()
    def save_as(self) -> None:
        """A copy where the professional chooses, by default in their « Documents » folder."""
        suggested = documents_folder() / self.filename
        chosen = self.save_chooser(
            self, "Enregistrer le document", str(suggested), "Documents PDF (*.pdf)"
        )
        if not chosen:
            return
        try:
            path = write_atomically(self.content, with_pdf_suffix(Path(chosen)))
        except DocumentError as error:
            self._errors.report(error)
            return
        self.show_status(f"Document enregistré : {path}")
        self.saved.emit(str(path))

    def show_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()
