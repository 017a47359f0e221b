"""Fixtures for the documents' tests and helpers that read a PDF back as a person would."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pypdf
import pytest
import segno
from PIL import Image

from escap_desktop.documents import (
    CarePlanData,
    ConsentFormData,
    GridReportData,
    InvitationData,
)
from tests.documents import samples

MM = 72 / 25.4
FRAME_BOTTOM, FRAME_TOP = 19 * MM, (297 - 21) * MM

BASE_14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}


@dataclass
class ReadPdf:
    """A generated PDF as pypdf reads it back."""

    content: bytes

    def __post_init__(self) -> None:
        self.reader = pypdf.PdfReader(io.BytesIO(self.content))

    @property
    def page_count(self) -> int:
        return len(self.reader.pages)

    def page_text(self, index: int) -> str:
        return self.reader.pages[index].extract_text()

    @property
    def text(self) -> str:
        return "\n".join(page.extract_text() for page in self.reader.pages)

    @property
    def compact_text(self) -> str:
        """The text without any whitespace, so words wrapped across lines still match."""
        return squash(self.text)

    def contains(self, value: str) -> bool:
        return squash(value) in self.compact_text

    @property
    def metadata(self) -> dict[str, str]:
        return {key: str(value) for key, value in (self.reader.metadata or {}).items()}

    def fonts(self) -> list[pypdf.generic.DictionaryObject]:
        found: dict[int, pypdf.generic.DictionaryObject] = {}
        for page in self.reader.pages:
            resources = page.get("/Resources") or {}
            for font in (resources.get("/Font") or {}).values():
                found[id(font.get_object())] = font.get_object()
            for xobject in (resources.get("/XObject") or {}).values():
                inner = xobject.get_object().get("/Resources") or {}
                for font in (inner.get("/Font") or {}).values():
                    found[id(font.get_object())] = font.get_object()
        return list(found.values())

    def column_text(self, x_from_mm: float, x_to_mm: float) -> str:
        """The text drawn between two x positions, inside the page frame, on every page.

        A table row split across a page break reads back in one piece here, without the
        header, footer and other columns printed in between, and text that strays out of its
        column (overlap, clipping) is missing from it.
        """
        low, high = x_from_mm * MM, x_to_mm * MM
        parts: list[str] = []

        def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if low <= x < high and FRAME_BOTTOM <= y <= FRAME_TOP:
                parts.append(text)

        for page in self.reader.pages:
            page.extract_text(visitor_text=visit)
        return "".join(parts)

    def images(self, page: int = 0) -> list[Image.Image]:
        return [image.image for image in self.reader.pages[page].images]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def decode_qr_codes(image: Image.Image) -> list[str]:
    """Decode with zxing-cpp, a real QR decoder (from the test extra of pyproject)."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp (extra 'test') manquant")
    return [result.text for result in zxingcpp.read_barcodes(image)]


def is_qr_code_of(image: Image.Image, payload: str) -> bool:
    """True when the embedded picture is exactly segno's QR code of ``payload``.

    Runs without a decoder, so the payload is checked even where zxing-cpp is not installed.
    """
    buffer = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    with Image.open(buffer) as expected:
        return expected.convert("L").tobytes() == image.convert("L").tobytes()


@pytest.fixture
def consent_data() -> ConsentFormData:
    return samples.consent_form()


@pytest.fixture
def invitation_data() -> InvitationData:
    return samples.invitation()


@pytest.fixture
def care_plan_data() -> CarePlanData:
    return samples.care_plan()


@pytest.fixture
def grid_report_data() -> GridReportData:
    return samples.grid_report()


@pytest.fixture
def site_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "modeles-du-site"
    folder.mkdir()
    return folder
