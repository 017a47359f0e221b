"""Page layout shared by every document: A4, styles, header, "page x / y" footer, metadata.

Everything is a Platypus flowable so that long names, big teams and long action texts flow onto
further pages; tables split by row (and inside a row when one row is taller than a page) and
every cell holds a wrapping Paragraph, never a fixed-height box that would clip.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.fonts import FONTS, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X

INK = colors.HexColor("#1d2733")
ACCENT = colors.HexColor("#1f5f8b")
MUTED = colors.HexColor("#5b6773")
RULE = colors.HexColor("#b7c3cf")
TINT = colors.HexColor("#eef3f7")
WARN_TINT = colors.HexColor("#fdf1e6")
WARN_INK = colors.HexColor("#8a3b00")


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What goes in the PDF's info dictionary and in every page's header and footer."""

    title: str
    subject: str
    author: str
    reference: str
    header: str
    header_left: str
    footer_note: str = ""
    creator: str = "ESCAP Desktop"


class Styles:
    """The paragraph styles of all documents, built once the fonts are registered."""

    def __init__(self) -> None:
        fonts = register_fonts()
        base = ParagraphStyle(
            "body",
            fontName=fonts.regular,
            fontSize=9.5,
            leading=12.5,
            textColor=INK,
            spaceAfter=4,
            bulletFontName=fonts.regular,
        )
        self.body = base
        self.small = ParagraphStyle("small", parent=base, fontSize=8, leading=10, spaceAfter=0)
        self.muted = ParagraphStyle("muted", parent=self.small, textColor=MUTED)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=9, leading=11.5, spaceAfter=0)
        self.cell_bold = ParagraphStyle("cell_bold", parent=self.cell, fontName=fonts.bold)
        self.cell_head = ParagraphStyle(
            "cell_head", parent=self.cell, fontName=fonts.bold, textColor=colors.white
        )
        self.title = ParagraphStyle(
            "title",
            parent=base,
            fontName=fonts.bold,
            fontSize=16,
            leading=20,
            textColor=ACCENT,
            spaceAfter=2,
        )
        self.subtitle = ParagraphStyle(
            "subtitle", parent=base, fontSize=10.5, leading=14, textColor=MUTED, spaceAfter=1
        )
        self.heading = ParagraphStyle(
            "heading",
            parent=base,
            fontName=fonts.bold,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=9,
            spaceAfter=4,
        )
        self.bullet = ParagraphStyle(
            "bullet", parent=base, leftIndent=15, bulletIndent=3, spaceAfter=2
        )
        self.right = ParagraphStyle("right", parent=self.small, alignment=TA_RIGHT)
        self.left = ParagraphStyle("left", parent=self.small, alignment=TA_LEFT)
        self.code = ParagraphStyle(
            "code", parent=base, fontName=fonts.mono, fontSize=15, leading=19, spaceAfter=0
        )
        self.warning = ParagraphStyle(
            "warning", parent=base, fontName=fonts.bold, textColor=WARN_INK, spaceAfter=0
        )


_styles: Styles | None = None


def styles() -> Styles:
    global _styles
    if _styles is None:
        _styles = Styles()
    return _styles


def table(rows: Sequence[Sequence[Any]], widths: Sequence[float], **options: Any) -> Table:
    """A Table whose plain-string cells use the embedded font (reportlab's default is
    Helvetica, which would put an unembedded base-14 font in the PDF)."""
    options.setdefault("hAlign", "LEFT")
    result = Table([list(row) for row in rows], colWidths=list(widths), **options)
    result.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONTS.regular)]))
    return result


def paragraph(
    markup: str, style: ParagraphStyle, *, where: str = "", bullet: str | None = None
) -> Paragraph:
    """A Paragraph whose markup errors (from a site template) become a French DocumentError."""
    try:
        return Paragraph(markup, style, bulletText=bullet)
    except ValueError as error:
        place = f" ({where})" if where else ""
        raise DocumentError(
            f"Un texte du document contient une mise en forme invalide{place} : {error}"
        ) from error


def section(text: str, *, then: Sequence[Flowable] = ()) -> list[Flowable]:
    """A section heading that starts a new page rather than sit alone at the bottom of one.

    ``then`` is what must follow it on the same page (an intro, :func:`table_start`); only its
    height is measured, and without it two lines of text are asked for. Not ``keepWithNext``:
    that glues the heading to a whole table, which then jumps to the next page and leaves most
    of this one empty.
    """
    head = paragraph(text, styles().heading, where=text)
    needed = sum(_height(flowable) for flowable in (head, *then))
    if not then:
        needed += 2 * styles().body.leading
    return [CondPageBreak(needed), head]


def table_start(
    rows: Sequence[Sequence[Any]], widths: Sequence[float], body_rows: int = 1
) -> Table:
    """A stand-in for a table's header and first rows, to measure (never to draw)."""
    return table(rows[: 1 + body_rows], widths, style=[("TOPPADDING", (0, 0), (-1, -1), 4)])


def _height(flowable: Flowable) -> float:
    _, height = flowable.wrap(FRAME_WIDTH, PAGE_HEIGHT)
    return float(height + flowable.getSpaceBefore() + flowable.getSpaceAfter())


def bullets(items: Sequence[str], symbol: str = "•") -> list[Flowable]:
    return [paragraph(item, styles().bullet, where=item[:40], bullet=symbol) for item in items]


def grid_table(
    rows: Sequence[Sequence[Flowable | str]],
    widths: Sequence[float],
    *,
    header: bool = True,
    zebra: bool = True,
    compact: bool = False,
) -> Table:
    """A table that repeats its header on each page and may split inside an overlong row."""
    # Rows split between rows first; inside a row only when both parts are at least an inch
    # tall (a 2,000-character action), never to leave two lines of a name at a page bottom.
    result = table(rows, widths, repeatRows=1 if header else 0, splitByRow=1, splitInRow=72)
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 2 if compact else 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5 if compact else 3.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("BOX", (0, 0), (-1, -1), 0.6, RULE),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), ACCENT))
    if zebra:
        start = 1 if header else 0
        commands.append(("ROWBACKGROUNDS", (0, start), (-1, -1), [colors.white, TINT]))
    result.setStyle(TableStyle(commands))
    return result


def key_value_table(rows: Sequence[tuple[str, str]], label_width: float) -> Table:
    """Label / value pairs (identity traits...), both columns wrapping."""
    st = styles()
    data = [
        [paragraph(label, st.cell, where=label), paragraph(value, st.cell_bold, where=label)]
        for label, value in rows
    ]
    result = grid_table(data, [label_width, FRAME_WIDTH - label_width], header=False, zebra=False)
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), TINT),
                ("TEXTCOLOR", (0, 0), (0, -1), MUTED),
            ]
        )
    )
    return result


def notice_box(markup: str) -> Table:
    """A tinted box for what must not be missed (ESCAP is not an emergency service)."""
    result = table([[paragraph(markup, styles().warning, where="avertissement")]], [FRAME_WIDTH])
    result.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), WARN_TINT),
                ("BOX", (0, 0), (-1, -1), 0.8, WARN_INK),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return result


def title_block(
    title: str, lines: Sequence[str], side: Sequence[Flowable], side_width_mm: float = 36
) -> Table:
    """The first-page title with, on the right, the QR code and reference (or other side info)."""
    st = styles()
    side_width = side_width_mm * mm
    left: list[Flowable] = [paragraph(title, st.title, where="titre"), spacer(1.5)]
    left += [paragraph(line, st.subtitle, where="sous-titre") for line in lines]
    result = table([[left, list(side)]], [FRAME_WIDTH - side_width, side_width])
    result.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 10),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("ALIGN", (1, 0), (1, 0), "CENTER"),
            ]
        )
    )
    return result


def spacer(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


def keep_together(flowables: Sequence[Flowable]) -> KeepTogether:
    return KeepTogether(list(flowables))


class _NumberedCanvas(Canvas):
    """Defers each page until the end so the footer can say "page x / y" (two-pass pattern)."""

    meta: DocumentMeta

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = FONTS.regular
        kwargs["initialFontSize"] = 9
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_page_frame(total)
            super().showPage()
        super().save()

    def _draw_page_frame(self, total: int) -> None:
        meta = self.meta
        self.saveState()
        top = PAGE_HEIGHT - 12 * mm
        self.setFont(FONTS.bold, 8)
        self.setFillColor(ACCENT)
        self.drawString(MARGIN_X, top, "ESCAP")
        offset = self.stringWidth("ESCAP ", FONTS.bold, 8) + 2
        self.setFont(FONTS.regular, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_X + offset, top, meta.header_left)
        self.drawRightString(PAGE_WIDTH - MARGIN_X, top, meta.header)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.6)
        self.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        bottom = 10 * mm
        self.line(MARGIN_X, bottom + 4.5 * mm, PAGE_WIDTH - MARGIN_X, bottom + 4.5 * mm)
        self.setFont(FONTS.regular, 7.5)
        self.drawString(MARGIN_X, bottom, f"Réf. {meta.reference}")
        if meta.footer_note:
            self.drawCentredString(PAGE_WIDTH / 2, bottom, meta.footer_note)
        self.setFont(FONTS.bold, 8)
        self.setFillColor(INK)
        self.drawRightString(PAGE_WIDTH - MARGIN_X, bottom, f"page {self._pageNumber} / {total}")
        self.restoreState()


def build_pdf(story: list[Flowable], meta: DocumentMeta) -> bytes:
    """Lay the story out on A4 pages and return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    # A frame without inner padding, so tables as wide as FRAME_WIDTH fit exactly and line up
    # with the header and footer rules.
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="contenu",
    )
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
        title=meta.title,
        author=meta.author,
        subject=meta.subject,
        creator=meta.creator,
        producer="ESCAP Desktop (reportlab)",
        lang="fr-FR",
        displayDocTitle=1,
        initialFontName=FONTS.regular,
    )

    def make_canvas(*args: Any, **kwargs: Any) -> _NumberedCanvas:
        canvas = _NumberedCanvas(*args, **kwargs)
        canvas.meta = meta
        return canvas

    try:
        document.build(story, canvasmaker=make_canvas)
    except LayoutError as error:
        raise DocumentError(
            "Le document n'a pas pu être mis en page : un élément est trop grand pour une page."
        ) from error
    return buffer.getvalue()
