"""The entry point the CLI and the print dialog use."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents import (
    ConsentFormData,
    DocumentKind,
    build_document,
    document_filename,
    write_document,
)
from tests.documents import samples
from tests.documents.conftest import ReadPdf


def test_each_kind_of_data_builds_its_own_document() -> None:
    cases = [
        (samples.consent_form(), "Consentement à une Équipe de Soins"),
        (samples.invitation(), "Invitation à rejoindre une Équipe"),
        (samples.care_plan(), "Plan de soins coordonnés"),
        (samples.grid_report(), "Grille d'inclusion ESCAP"),
    ]
    for data, title in cases:
        assert ReadPdf(build_document(data)).metadata["/Title"].startswith(title)


def test_the_suggested_file_name_holds_the_reference_never_the_patient(
    consent_data: ConsentFormData,
) -> None:
    name = document_filename(consent_data)

    assert name == f"consentement-{consent_data.consent.form_reference}.pdf"
    assert consent_data.kind is DocumentKind.CONSENT_FORM
    assert "rer" not in name.lower()


def test_write_document_saves_a_readable_pdf(consent_data: ConsentFormData, tmp_path: Path) -> None:
    target = tmp_path / "formulaire.pdf"

    write_document(consent_data, target)

    assert ReadPdf(target.read_bytes()).contains(consent_data.consent.form_reference)
    assert [p.name for p in tmp_path.iterdir()] == ["formulaire.pdf"]


def test_write_document_into_a_missing_folder_says_so_in_french(
    consent_data: ConsentFormData, tmp_path: Path
) -> None:
    with pytest.raises(DocumentError, match="Impossible d'enregistrer le document"):
        write_document(consent_data, tmp_path / "absent" / "formulaire.pdf")
