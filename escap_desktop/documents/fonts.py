"""The TrueType fonts embedded in every document.

The base-14 PDF fonts (Helvetica...) are never used: their WinAnsi encoding has no room for
"œ" in every viewer and no "’" or narrow no-break space, and they are not embedded, so a printer
may substitute them. DejaVu covers every French character and is embedded as a subset.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents.resources import fonts_dir


@dataclass(frozen=True, slots=True)
class FontNames:
    """The reportlab names under which the embedded fonts are registered."""

    regular: str = "EscapSans"
    bold: str = "EscapSans-Bold"
    italic: str = "EscapSans-Oblique"
    mono: str = "EscapMono"


FONTS = FontNames()

_FILES = {
    FONTS.regular: "DejaVuSansCondensed.ttf",
    FONTS.bold: "DejaVuSansCondensed-Bold.ttf",
    FONTS.italic: "DejaVuSansCondensed-Oblique.ttf",
    FONTS.mono: "DejaVuSansMono.ttf",
}

_lock = threading.Lock()
_registered = False


def register_fonts() -> FontNames:
    """Register the fonts once per process (parsing a TTF costs tens of milliseconds)."""
    global _registered
    with _lock:
        if _registered:
            return FONTS
        folder = fonts_dir()
        for name, filename in _FILES.items():
            path = folder / filename
            try:
                pdfmetrics.registerFont(TTFont(name, str(path)))
            except (OSError, TTFError) as error:
                raise DocumentError(
                    f"La police « {filename} » est introuvable ou illisible ({path}). "
                    "L'installation est incomplète."
                ) from error
        # Paragraph markup <b>/<i> picks the face through this family mapping.
        addMapping(FONTS.regular, 0, 0, FONTS.regular)
        addMapping(FONTS.regular, 1, 0, FONTS.bold)
        addMapping(FONTS.regular, 0, 1, FONTS.italic)
        addMapping(FONTS.regular, 1, 1, FONTS.bold)
        addMapping(FONTS.mono, 0, 0, FONTS.mono)
        addMapping(FONTS.mono, 1, 0, FONTS.mono)
        addMapping(FONTS.mono, 0, 1, FONTS.mono)
        addMapping(FONTS.mono, 1, 1, FONTS.mono)
        _registered = True
        return FONTS
