"""The print preview: a real consent form built by the document service on a real store, shown
from memory, printed to a PDF file through the printer hook, saved where the user chooses."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Protocol

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, QStandardPaths, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from escap_desktop.services.practice import Practice
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.print_preview.print_preview_dialog import PrintPreviewDialog
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.runner import JobQueue
from tests.ui.conftest import assessed_patient
from tests.ui.save_dialog import SaveTo
from tests.ui.typing import show_active

LEFT = Qt.MouseButton.LeftButton
A4_POINTS = (595, 842)


class PrintToFile:
    """Stands for the print dialog: the user picks a PDF file as printer (and maybe pages)."""

    def __init__(
        self, path: Path, pages: tuple[int, int] | None = None, resolution: int | None = None
    ) -> None:
        self.path = path
        self.pages = pages
        self.resolution = resolution
        self.offered: list[tuple[int, str]] = []

    def __call__(self, printer: QPrinter, page_count: int, _parent: QWidget) -> bool:
        self.offered.append((page_count, printer.pageLayout().pageSize().name()))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.path))
        if self.resolution is not None:
            printer.setResolution(self.resolution)
        if self.pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*self.pages)
        return True


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """The window the professional printed from (the preview is modal to it)."""
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    show_active(widget)
    return widget


@pytest.fixture
def errors() -> ErrorChannel:
    return ErrorChannel()


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    """Where « Ouvrir dans le lecteur PDF » writes: nothing else may create it."""
    return tmp_path / "donnees" / "documents"


class OpenPreview(Protocol):
    def __call__(
        self, printer: PrintToFile, saver: SaveTo | None = None
    ) -> tuple[DocumentOutput, PrintPreviewDialog]: ...


@pytest.fixture
def open_preview(
    qtbot: QtBot, practice: Practice, host: QWidget, errors: ErrorChannel, documents: Path
) -> OpenPreview:
    """Builds an assessed patient's consent form and shows its preview over ``host``, as
    « Imprimer… » does, with the print and save dialogs answered by ``printer`` and ``saver``."""

    def opener(
        printer: PrintToFile, saver: SaveTo | None = None
    ) -> tuple[DocumentOutput, PrintPreviewDialog]:
        output = DocumentOutput(
            documents,
            JobQueue(),
            errors,
            open_files=False,
            printer_chooser=printer,
            save_chooser=saver or SaveTo(documents.parent / "jamais.pdf"),
        )
        patient_id, _escap_id = assessed_patient(practice)
        make: Callable[[], bytes] = lambda: practice.documents.consent_form(patient_id)  # noqa: E731
        with qtbot.waitSignal(output.shown, timeout=20_000) as shown:
            output.produce("Préparation du formulaire de consentement…", make, host)
        dialog = shown.args[0]
        assert isinstance(dialog, PrintPreviewDialog)
        assert QTest.qWaitForWindowActive(dialog, 5000)
        return output, dialog

    return opener


def _pdf_pages(content: bytes) -> int:
    return len(PdfReader(BytesIO(content)).pages)


def _thumbnail(content: bytes, page: int) -> list[int]:
    """The page blurred down to 12 x 17 grey levels: where the ink is, whatever the renderer."""
    document = QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(content))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    image = QImage(120, 170, QImage.Format.Format_Grayscale8)
    image.fill(Qt.GlobalColor.white)  # PDFium leaves the paper transparent
    painter = QPainter(image)
    painter.drawImage(0, 0, document.render(page, QSize(120, 170)))
    painter.end()
    small = image.scaled(
        12,
        17,
        Qt.AspectRatioMode.IgnoreAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    return [small.pixelColor(x, y).value() for y in range(17) for x in range(12)]


def _distance(first: list[int], second: list[int]) -> float:
    return sum(abs(a - b) for a, b in zip(first, second, strict=True)) / len(first)


def _pdf_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.suffix.lower() == ".pdf")


def test_the_consent_form_is_previewed_from_memory_with_its_page_count(
    qtbot: QtBot, open_preview: OpenPreview, host: QWidget, documents: Path, tmp_path: Path
) -> None:
    output, dialog = open_preview(PrintToFile(tmp_path / "imprimante.pdf"))
    assert output.last_document is not None
    pages = _pdf_pages(output.last_document)
    assert pages >= 2
    assert dialog.content == output.last_document
    assert dialog.filename.startswith("consentement-ESCAP-CF-")
    assert dialog.windowTitle() == f"Aperçu avant impression — {dialog.filename}"
    assert dialog.pages_label.text() == f"{pages} pages"
    assert dialog.document.pageCount() == pages
    assert dialog.view.document() is dialog.document
    assert dialog.isVisible()
    assert dialog.parentWidget() is host
    assert dialog.isModal()
    assert [
        button.text()
        for button in (
            dialog.print_button,
            dialog.save_button,
            dialog.viewer_button,
        )
    ] == ["&Imprimer…", "&Enregistrer sous…", "&Ouvrir dans le lecteur PDF"]
    assert dialog.print_button.isDefault()
    assert dialog.focusWidget() is dialog.print_button
    assert not documents.exists()
    assert _pdf_files(tmp_path) == []

    with qtbot.waitSignal(dialog.finished):
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert _pdf_files(tmp_path) == []


def test_ctrl_p_prints_every_page_at_the_printer_resolution(
    qtbot: QtBot, open_preview: OpenPreview, documents: Path, tmp_path: Path
) -> None:
    printed_file = tmp_path / "imprimante" / "sortie.pdf"
    printed_file.parent.mkdir()
    printer = PrintToFile(printed_file)  # a PDF printer: 1200 dpi, pages rendered at 600
    _output, dialog = open_preview(printer)
    pages = dialog.page_count
    with (
        qtbot.waitSignal(dialog.finished, timeout=60_000),
        qtbot.waitSignal(dialog.printed, timeout=60_000) as printed,
    ):
        QTest.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed.args == [pages]
    assert printer.offered == [(pages, "A4")]
    printed = PdfReader(printed_file)
    assert len(printed.pages) == pages
    for page in printed.pages:
        assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_POINTS
    shown = [_thumbnail(dialog.content, page) for page in range(pages)]
    sheets = [_thumbnail(printed_file.read_bytes(), page) for page in range(pages)]
    for page in range(pages):  # each sheet carries its own page's ink, in the same places
        distances = [_distance(shown[page], sheet) for sheet in sheets]
        assert distances[page] < 8
        assert distances[page] == min(distances)
    assert not dialog.isVisible()
    assert not documents.exists()
    assert _pdf_files(tmp_path) == [printed_file]


def test_the_page_range_chosen_in_the_print_dialog_is_respected(
    qtbot: QtBot, open_preview: OpenPreview, tmp_path: Path
) -> None:
    printed_file = tmp_path / "page-2.pdf"
    _output, dialog = open_preview(PrintToFile(printed_file, pages=(2, 2), resolution=150))
    with qtbot.waitSignal(dialog.printed, timeout=20_000) as printed:
        qtbot.mouseClick(dialog.print_button, LEFT)
    assert printed.args == [1]
    assert len(PdfReader(printed_file).pages) == 1


def test_a_page_range_outside_the_document_is_explained(
    qtbot: QtBot, open_preview: OpenPreview, errors: ErrorChannel, tmp_path: Path
) -> None:
    _output, dialog = open_preview(PrintToFile(tmp_path / "vide.pdf", pages=(7, 9)))
    with qtbot.waitSignal(errors.message_posted) as posted:
        qtbot.mouseClick(dialog.print_button, LEFT)
    assert posted.args == [
        f"Les pages choisies n'existent pas : le document compte {dialog.page_count} pages."
    ]
    assert dialog.isVisible()


def test_save_as_writes_the_exact_bytes_where_the_user_chose(
    qtbot: QtBot, open_preview: OpenPreview, documents: Path, tmp_path: Path
) -> None:
    saver = SaveTo(tmp_path / "copie-pour-le-patient")
    output, dialog = open_preview(PrintToFile(tmp_path / "imprimante.pdf"), saver)
    with qtbot.waitSignal(output.saved) as saved:
        qtbot.mouseClick(dialog.save_button, LEFT)
    target = tmp_path / "copie-pour-le-patient.pdf"
    assert saved.args == [str(target)]
    assert target.read_bytes() == output.last_document
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert saver.suggested == [str(Path(folder) / dialog.filename)]
    assert dialog.status.text() == f"Document enregistré : {target}"
    assert dialog.isVisible()  # still there to print
    assert not documents.exists()
    assert _pdf_files(tmp_path) == [target]


def test_a_failed_save_is_explained_in_french_and_leaves_nothing(
    qtbot: QtBot, open_preview: OpenPreview, errors: ErrorChannel, tmp_path: Path
) -> None:
    target = tmp_path / "dossier-absent" / "copie.pdf"
    output, dialog = open_preview(PrintToFile(tmp_path / "x.pdf"), SaveTo(target))
    with qtbot.assertNotEmitted(output.saved), qtbot.waitSignal(errors.message_posted) as posted:
        qtbot.mouseClick(dialog.save_button, LEFT)
    assert posted.args[0].startswith(f"Le document n'a pas pu être enregistré dans {target} : ")
    assert not target.parent.exists()
    assert dialog.isVisible()


def test_open_in_the_pdf_reader_keeps_the_former_way(
    qtbot: QtBot, open_preview: OpenPreview, documents: Path, tmp_path: Path
) -> None:
    output, dialog = open_preview(PrintToFile(tmp_path / "imprimante.pdf"))
    with qtbot.waitSignal(dialog.finished), qtbot.waitSignal(output.saved) as saved:
        qtbot.mouseClick(dialog.viewer_button, LEFT)
    path = documents / dialog.filename
    assert saved.args == [str(path)]
    assert output.last_path == path
    assert path.read_bytes() == output.last_document
    assert [p.name for p in documents.iterdir()] == [dialog.filename]
