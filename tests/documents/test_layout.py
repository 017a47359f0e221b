"""What every document shares: A4, embedded fonts, page numbers, metadata."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from escap_desktop.documents import DocumentData, build_document
from tests.documents import samples
from tests.documents.conftest import BASE_14, ReadPdf

SAMPLES: dict[str, Callable[[], DocumentData]] = {
    "consent-form": samples.consent_form,
    "invitation": samples.invitation,
    "care-plan": samples.care_plan,
    "grid-report": samples.grid_report,
}

FRENCH = "é è ê ë à â ç ô ù û ü ï î œ æ « » ’ É È Ê À Ç Ô Œ Æ"


@pytest.fixture(params=list(SAMPLES))
def document(request: pytest.FixtureRequest) -> tuple[DocumentData, ReadPdf]:
    data = SAMPLES[request.param]()
    return data, ReadPdf(build_document(data))


def test_pages_are_a4(document: tuple[DocumentData, ReadPdf]) -> None:
    _, pdf = document

    for page in pdf.reader.pages:
        assert round(float(page.mediabox.width)) == 595
        assert round(float(page.mediabox.height)) == 842


def test_every_font_is_an_embedded_truetype_never_a_base_14_font(
    document: tuple[DocumentData, ReadPdf],
) -> None:
    _, pdf = document

    fonts = pdf.fonts()

    assert fonts
    for font in fonts:
        name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert name not in BASE_14
        assert name.startswith("DejaVu")
        assert "/FontFile2" in font["/FontDescriptor"]


def test_pages_are_numbered_page_x_of_y(document: tuple[DocumentData, ReadPdf]) -> None:
    _, pdf = document
    total = pdf.page_count

    for index in range(total):
        assert f"page {index + 1} / {total}" in pdf.page_text(index)


def test_metadata_has_title_author_subject_and_creator(
    document: tuple[DocumentData, ReadPdf],
) -> None:
    data, pdf = document

    metadata = pdf.metadata

    assert metadata["/Title"]
    assert metadata["/Subject"]
    assert metadata["/Creator"] == "ESCAP Desktop"
    assert "LEFÈVRE-D'ALMEIDA" in metadata["/Author"] or "ŒILLET" in metadata["/Author"]
    assert data.reference in pdf.text


def test_every_french_character_prints_and_reads_back() -> None:
    data = samples.care_plan()
    action = samples.action(FRENCH, None, details=f"« {FRENCH} » — l’œuvre de l’aïeule")
    data = samples.care_plan(actions=[action])

    pdf = ReadPdf(build_document(data))

    assert pdf.contains(FRENCH)
    assert pdf.contains("l’œuvre de l’aïeule")
