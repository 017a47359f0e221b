"""QR codes as embedded images, so a scanner (or a test) reads them back from the PDF."""

from __future__ import annotations

import io

import segno
from reportlab.lib.units import mm
from reportlab.platypus import Image

from escap_desktop.documents.reference import QrPayload


def qr_flowable(payload: QrPayload, size_mm: float = 26) -> Image:
    """The payload's QR code, error correction M, with the 4-module quiet zone scanners need.

    Drawn as a 1-bit PNG (lossless, a few hundred bytes) at 8 pixels per module, so a copy of a
    photocopy still scans; the payload never holds anything but the document's reference.
    """
    code = segno.make(payload.text(), error="m", micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    return Image(buffer, width=size_mm * mm, height=size_mm * mm)
