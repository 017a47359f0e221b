"""The invitation letter: enough to reach the inviter and join, nothing that names the patient."""

from __future__ import annotations

import dataclasses

import pytest

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents import (
    DocumentKind,
    InvitationData,
    build_invitation,
    parse_qr_payload,
    qr_payload,
)
from tests.documents import samples
from tests.documents.conftest import ReadPdf, decode_qr_codes, is_qr_code_of


def test_the_letter_says_who_invites_whom_for_what_role(invitation_data: InvitationData) -> None:
    pdf = ReadPdf(build_invitation(invitation_data))

    assert pdf.contains("Dr Ségolène LEFÈVRE-D'ALMEIDA")
    assert pdf.contains("04 77 12 34 56")
    assert pdf.contains("segolene.lefevre-dalmeida@medecin.mssante.fr")
    assert pdf.contains("Aïssatou N'DIAYE")
    assert pdf.contains(invitation_data.role)
    assert pdf.contains("À Saint-Étienne, le 12/06/2025")


def test_the_patient_appears_by_initials_and_age_only(invitation_data: InvitationData) -> None:
    patient = samples.patient()

    pdf = ReadPdf(build_invitation(invitation_data))

    assert pdf.contains(f"{patient.age_on(samples.TODAY)} ans")
    assert pdf.contains(f"initiales {patient.initials}")
    for trait in ("Bérénger", "Cœurdacier", "Françoise", "17/03/1941", "241034221801247"):
        assert not pdf.contains(trait), trait
        assert not pdf.contains(trait.upper()), trait


def test_the_join_code_and_fingerprint_are_printed_to_be_read_on_the_phone(
    invitation_data: InvitationData,
) -> None:
    pdf = ReadPdf(build_invitation(invitation_data))

    assert "K7QF-9M2X-T4PB" in pdf.text
    assert "3F9A 07C2 E18B 55D4 A0E6 9B71 C2D8 4E13" in pdf.text
    assert pdf.contains("Valable jusqu'au 26/06/2025")
    assert pdf.contains("Appelez-moi au 04 77 12 34 56")


def test_the_qr_code_decodes_to_the_reference_and_join_code(
    invitation_data: InvitationData,
) -> None:
    pdf = ReadPdf(build_invitation(invitation_data))

    decoded = [text for image in pdf.images(0) for text in decode_qr_codes(image)]

    assert len(decoded) == 1
    payload = parse_qr_payload(decoded[0])
    assert payload.kind is DocumentKind.INVITATION
    assert payload.reference == invitation_data.reference
    assert payload.join_code == "K7QF-9M2X-T4PB"
    assert pdf.contains(f"Réf. {invitation_data.reference}")


def test_the_embedded_qr_image_carries_the_join_code_without_any_decoder(
    invitation_data: InvitationData,
) -> None:
    pdf = ReadPdf(build_invitation(invitation_data))
    payload = qr_payload(invitation_data.reference, "K7QF-9M2X-T4PB").text()

    assert [is_qr_code_of(image, payload) for image in pdf.images(0)] == [True]


def test_an_inviter_without_phone_is_reached_through_secure_mail(
    invitation_data: InvitationData,
) -> None:
    inviter = dataclasses.replace(invitation_data.inviter, phone="")
    data = dataclasses.replace(invitation_data, inviter=inviter)

    pdf = ReadPdf(build_invitation(data))

    assert pdf.contains("Contactez-moi (segolene.lefevre-dalmeida@medecin.mssante.fr)")
    assert not pdf.contains("Appelez-moi")


@pytest.mark.parametrize("join_code", ["", "AB", "code avec espaces", "A:B:C:D"])
def test_an_invalid_join_code_is_refused(invitation_data: InvitationData, join_code: str) -> None:
    with pytest.raises(DocumentError, match="code pour rejoindre l'équipe est absent ou invalide"):
        build_invitation(dataclasses.replace(invitation_data, join_code=join_code))


def test_a_letter_without_the_inviter_fingerprint_is_refused(
    invitation_data: InvitationData,
) -> None:
    with pytest.raises(DocumentError, match="empreinte de votre clé est inconnue"):
        build_invitation(dataclasses.replace(invitation_data, inviter_fingerprint=" "))


def test_a_role_with_markup_and_a_very_long_text_prints_whole(
    invitation_data: InvitationData,
) -> None:
    role = "Soins <b>infirmiers</b> & surveillance — " + "pansements, glycémie, " * 60

    pdf = ReadPdf(build_invitation(dataclasses.replace(invitation_data, role=role)))

    assert pdf.contains(role)
