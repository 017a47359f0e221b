"""Wording lives in resources/templates and a site may override any text without a release."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents import (
    ConsentFormData,
    build_consent_form,
    build_invitation,
    load_template,
)
from escap_desktop.documents.resources import bundled_templates_dir
from tests.documents.conftest import ReadPdf


@pytest.mark.parametrize(
    "name", ["common", "consent_form", "invitation", "care_plan", "grid_report", "digest"]
)
def test_every_bundled_template_is_in_resources(name: str) -> None:
    template = load_template(name)

    assert template.sources == (bundled_templates_dir() / f"{name}.toml",)
    assert template.texts


def test_a_site_file_replaces_only_the_texts_it_holds(
    consent_data: ConsentFormData, site_templates: Path
) -> None:
    (site_templates / "consent_form.toml").write_text(
        '[escap]\nheading = "2. L\'ESCAP du Pays de Saint-Étienne"\n', encoding="utf-8"
    )

    pdf = ReadPdf(build_consent_form(consent_data, templates_dir=site_templates))

    assert pdf.contains("2. L'ESCAP du Pays de Saint-Étienne")
    assert not pdf.contains("2. Qu'est-ce qu'une ESCAP ?")
    assert pdf.contains("6. Vos droits")


def test_a_site_text_can_use_placeholders_whose_values_are_escaped(
    consent_data: ConsentFormData, site_templates: Path
) -> None:
    (site_templates / "consent_form.toml").write_text(
        'issued_by = "Formulaire remis à <b>{patient_name}</b> le {issued_on}"\n',
        encoding="utf-8",
    )

    pdf = ReadPdf(build_consent_form(consent_data, templates_dir=site_templates))

    assert pdf.contains("Formulaire remis à CŒURDACIER Françoise le 12/06/2025")


def test_a_site_text_with_an_unknown_placeholder_is_reported_in_french(
    consent_data: ConsentFormData, site_templates: Path
) -> None:
    (site_templates / "consent_form.toml").write_text(
        'issued_by = "Remis par {medecin}"\n', encoding="utf-8"
    )

    with pytest.raises(DocumentError) as error:
        build_consent_form(consent_data, templates_dir=site_templates)

    assert "variable inconnue {medecin}" in str(error.value)
    assert "issued_by" in str(error.value)
    assert str(site_templates / "consent_form.toml") in str(error.value)


def test_a_site_file_that_is_not_valid_toml_is_reported(
    consent_data: ConsentFormData, site_templates: Path
) -> None:
    (site_templates / "consent_form.toml").write_text('title = "sans fin\n', encoding="utf-8")

    with pytest.raises(DocumentError, match="est illisible"):
        build_consent_form(consent_data, templates_dir=site_templates)


def test_a_site_text_with_broken_markup_is_reported_not_crashed(
    consent_data: ConsentFormData, site_templates: Path
) -> None:
    (site_templates / "consent_form.toml").write_text(
        '[escap]\nparagraphs = ["Texte <b>non fermé"]\n', encoding="utf-8"
    )

    with pytest.raises(DocumentError, match="mise en forme invalide"):
        build_consent_form(consent_data, templates_dir=site_templates)


def test_a_site_folder_without_the_file_keeps_the_bundled_texts(
    invitation_data, site_templates: Path
) -> None:
    pdf = ReadPdf(build_invitation(invitation_data, templates_dir=site_templates))

    assert pdf.contains("Pour rejoindre l'équipe")
