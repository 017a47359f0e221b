"""Sending the pages of a PDF held in memory to a printer.

Qt cannot hand a PDF to a printer as it is, so each page is rendered (by PDFium, through
``QPdfDocument``) at the printer's own resolution and painted on it, one page at a time.

The resolution is capped at 600 dpi: one A4 page is then a 139 MB image, and a 1200 dpi one
would be four times that for no visible gain on paper. Rendering a page in bands would keep
memory lower, but PDFium drops the text lines that cross a band's edge.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QPoint, QRect, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter

from escap_desktop.core.errors import DocumentError

MAX_RENDER_DPI = 600
"""Above this, the page is rendered at 600 dpi and scaled up by the printer."""

POINTS_PER_INCH = 72.0


def prepare_printer(printer: QPrinter, document: QPdfDocument) -> None:
    """Proposes the document's own paper size and orientation (its first page's) in the print
    dialog, and lets pages cover the whole sheet: the PDF already carries its margins."""
    if document.pageCount() > 0:
        size = document.pagePointSize(0)
        short, long = sorted((size.width(), size.height()))
        printer.setPageSize(
            QPageSize(
                QSizeF(short, long),
                QPageSize.Unit.Point,
                "",
                QPageSize.SizeMatchPolicy.FuzzyMatch,
            )
        )
        landscape = size.width() > size.height()
        printer.setPageOrientation(
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        )
    printer.setFullPage(True)
    printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def pages_to_print(printer: QPrinter, page_count: int, current_page: int = 0) -> list[int]:
    """Zero-based page numbers in printing order, as chosen in the print dialog.

    Copies are repeated here only when the printer cannot make them itself (a PDF file).
    """
    chosen = printer.printRange()
    ranges = printer.pageRanges()
    if chosen == QPrinter.PrintRange.CurrentPage:
        pages = [current_page] if 0 <= current_page < page_count else []
    elif chosen == QPrinter.PrintRange.PageRange and not ranges.isEmpty():
        pages = [page for page in range(page_count) if ranges.contains(page + 1)]
    else:
        pages = list(range(page_count))
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        pages.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    if printer.collateCopies():
        return pages * copies
    return [page for page in pages for _copy in range(copies)]


def print_pdf(document: QPdfDocument, printer: QPrinter, current_page: int = 0) -> int:
    """Paints the chosen pages on ``printer``; returns how many sheets were sent.

    Each page is scaled to fit the printable area (an A4 page on A4 paper keeps its size) and
    centred on it.
    """
    page_count = document.pageCount()
    pages = pages_to_print(printer, page_count, current_page)
    if not pages:
        raise DocumentError(
            f"Les pages choisies n'existent pas : le document compte {_pages(page_count)}."
        )
    painter = QPainter()
    if not painter.begin(printer):
        raise DocumentError(
            "L'impression n'a pas pu commencer : vérifiez que l'imprimante choisie est "
            "disponible, puis réessayez."
        )
    try:
        for index, page in enumerate(pages):
            if index and not printer.newPage():
                raise DocumentError(
                    "L'imprimante a refusé la page suivante : l'impression est incomplète."
                )
            _paint_page(painter, document, page, printer)
    finally:
        painter.end()
    return len(pages)


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, printer: QPrinter) -> None:
    points = document.pagePointSize(page)
    pixels_per_point = printer.resolution() / POINTS_PER_INCH
    width, height = points.width() * pixels_per_point, points.height() * pixels_per_point
    area = QSize(printer.width(), printer.height())
    scale = min(area.width() / width, area.height() / height)
    target = QRect(0, 0, max(1, round(width * scale)), max(1, round(height * scale)))
    target.moveCenter(QRect(QPoint(0, 0), area).center())
    shrink = min(1.0, MAX_RENDER_DPI / printer.resolution())
    options = QPdfDocumentRenderOptions()
    options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)
    image = document.render(
        page,
        QSize(max(1, round(target.width() * shrink)), max(1, round(target.height() * shrink))),
        options,
    )
    if image.isNull():
        raise DocumentError(
            f"La page {page + 1} n'a pas pu être préparée pour l'imprimante (mémoire "
            "insuffisante ?) : l'impression est incomplète."
        )
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    painter.drawImage(target, image)


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"
