"""The consent form, read back from the PDF as the patient and the scanner would read it."""

from __future__ import annotations

import dataclasses

import pytest

from escap_desktop.core.entities import ConsentStatus, Profession
from escap_desktop.core.errors import DocumentError
from escap_desktop.documents import (
    ConsentFormData,
    build_consent_form,
    parse_qr_payload,
    qr_payload,
)
from tests.documents import samples
from tests.documents.conftest import ReadPdf, decode_qr_codes, is_qr_code_of, squash


def test_the_form_names_the_patient_with_every_identity_trait_and_accent(
    consent_data: ConsentFormData,
) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    for trait in ("BÉRÉNGER", "CŒURDACIER", "Françoise Hélène Maëlle", "17/03/1941", "42218"):
        assert pdf.contains(trait), trait
    assert "2 41 03 42 218 012 47" in pdf.text


def test_every_designated_professional_appears_with_profession_and_town(
    consent_data: ConsentFormData,
) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    for professional in consent_data.designated:
        assert pdf.contains(professional.display_name), professional.display_name
        assert pdf.contains(professional.profession.label)
        assert pdf.contains(professional.town)
    assert pdf.contains("Dr Ségolène LEFÈVRE-D'ALMEIDA médecin traitant")


def test_the_form_says_what_the_patient_must_know_before_signing(
    consent_data: ConsentFormData,
) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    assert pdf.contains("Vous pouvez retirer votre consentement à tout moment")
    assert pdf.contains("sans aucune conséquence sur vos soins")
    assert pdf.contains("accéder aux informations qui vous concernent et les faire rectifier")
    assert pdf.contains("sur les ordinateurs des professionnels de votre équipe")
    assert pdf.contains("ESCAP n'est pas un service d'urgence")
    assert pdf.contains("Le patient ou son représentant légal")
    assert pdf.contains("Le professionnel qui recueille le consentement")


def test_only_the_categories_consented_to_are_ticked(consent_data: ConsentFormData) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    assert pdf.contains("☒ Données médicales et de soins")
    assert pdf.contains("☒ Données sociales et médico-sociales")
    assert pdf.contains("☐ Données administratives")


def test_the_qr_code_decodes_to_the_form_reference_and_nothing_else(
    consent_data: ConsentFormData,
) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    decoded = [text for image in pdf.images(0) for text in decode_qr_codes(image)]

    assert len(decoded) == 1
    assert parse_qr_payload(decoded[0]).reference == consent_data.consent.form_reference
    assert "Bérénger".upper() not in decoded[0].upper()
    assert pdf.contains(consent_data.consent.form_reference)


def test_the_embedded_qr_image_is_the_code_of_the_payload_without_any_decoder(
    consent_data: ConsentFormData,
) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))
    payload = qr_payload(consent_data.consent.form_reference).text()

    assert [is_qr_code_of(image, payload) for image in pdf.images(0)] == [True]
    assert payload.startswith("ESCAP:CF:")


def test_the_reference_is_in_every_page_footer(consent_data: ConsentFormData) -> None:
    pdf = ReadPdf(build_consent_form(consent_data))

    for index in range(pdf.page_count):
        assert f"Réf. {consent_data.consent.form_reference}" in pdf.page_text(index)


def test_a_legal_representative_named_on_the_consent_is_printed_in_the_signature_box(
    consent_data: ConsentFormData,
) -> None:
    consent = dataclasses.replace(
        consent_data.consent, legal_representative=True, signatory="Jean-Noël Cœurdacier"
    )
    data = dataclasses.replace(consent_data, consent=consent)

    pdf = ReadPdf(build_consent_form(data))

    assert pdf.contains("Nom et prénom : Jean-Noël Cœurdacier")
    assert pdf.contains("☒ son représentant légal")


def test_a_consent_without_a_form_reference_cannot_be_printed(
    consent_data: ConsentFormData,
) -> None:
    data = dataclasses.replace(
        consent_data, consent=dataclasses.replace(consent_data.consent, form_reference="")
    )

    with pytest.raises(DocumentError, match="n'a pas de référence de formulaire"):
        build_consent_form(data)


def test_a_withdrawn_consent_cannot_be_printed_again(consent_data: ConsentFormData) -> None:
    data = dataclasses.replace(
        consent_data,
        consent=dataclasses.replace(consent_data.consent, status=ConsentStatus.WITHDRAWN),
    )

    with pytest.raises(DocumentError, match="a été retiré"):
        build_consent_form(data)


def test_names_typed_with_markup_print_as_typed() -> None:
    hostile = samples.professional(
        "Martin & Fils <b>", "Léa</para>", Profession.INFIRMIER, "Tours <i>x</i>"
    )
    data = samples.consent_form(
        [samples.doctor(), hostile], birth_name="Dupont <b>&amp; Cie", used_name=""
    )

    pdf = ReadPdf(build_consent_form(data))

    assert pdf.contains("DUPONT <B>&AMP; CIE")
    assert pdf.contains("Léa</para> MARTIN & FILS <B>")
    assert pdf.contains("Tours <i>x</i>")


def test_a_large_team_with_very_long_names_flows_onto_more_pages_without_losing_anyone(
    consent_data: ConsentFormData,
) -> None:
    long_team = [
        samples.professional(
            "de La Tour-d'Auvergne-Lauraguais-Montmorency-Châteaubriand-Sainte-Hélène-"
            f"Œuvre-{n:02d}",
            f"Marie-Ségolène-Éléonore-Zoë-{n:02d}",
            Profession.INFIRMIER if n % 2 else Profession.MASSEUR_KINESITHERAPEUTE,
            "Saint-Rémy-de-Provence-sur-la-Côte-d'Azur-et-Environs-Très-Lointains",
        )
        for n in range(12)
    ]
    assert all(len(p.last_name) >= 80 for p in long_team)
    data = samples.consent_form(long_team, birth_name="Abcdéfghïjklmnœpqrstüvwxyz" * 3)

    normal = ReadPdf(build_consent_form(consent_data))
    pdf = ReadPdf(build_consent_form(data))

    assert pdf.page_count > normal.page_count
    name_column = squash(pdf.column_text(18, 18 + 0.4 * 174))
    for professional in long_team:
        assert squash(professional.display_name) in name_column, professional.display_name
    assert pdf.contains(data.patient.birth_name.upper())
    assert pdf.contains(f"page {pdf.page_count} / {pdf.page_count}")
