"""References and QR payloads: what lets the app match a signed paper form to its record."""

from __future__ import annotations

import re

import pytest

from escap_desktop.core.errors import DocumentError
from escap_desktop.documents import (
    DocumentKind,
    QrPayload,
    document_reference,
    normalize_reference,
    parse_qr_payload,
    qr_payload,
    reference_kind,
)


def test_a_reference_is_short_random_and_names_its_kind() -> None:
    references = {document_reference(DocumentKind.CONSENT_FORM) for _ in range(500)}

    assert len(references) == 500
    for reference in references:
        assert re.fullmatch(r"ESCAP-CF-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference)
        assert reference_kind(reference) is DocumentKind.CONSENT_FORM
    assert reference_kind(document_reference(DocumentKind.INVITATION)) is DocumentKind.INVITATION


def test_a_reference_typed_from_paper_is_recognised_despite_case_spaces_and_misread_letters() -> (
    None
):
    assert normalize_reference("escap cf 7k4q 2m9x") == "ESCAP-CF-7K4Q-2M9X"
    assert normalize_reference("ESCAP-CF-7K4O-2MIL") == "ESCAP-CF-7K40-2M11"
    assert normalize_reference("CF-7K4Q-2M9X") == "ESCAP-CF-7K4Q-2M9X"


@pytest.mark.parametrize("typed", ["", "ESCAP-CF-7K4Q", "ESCAP-ZZ-7K4Q-2M9X", "bonjour"])
def test_text_that_is_not_a_reference_is_refused_in_french(typed: str) -> None:
    with pytest.raises(DocumentError) as error:
        normalize_reference(typed)

    assert "référence de document ESCAP" in str(error.value) or "type de document" in str(
        error.value
    )


def test_a_consent_form_payload_holds_the_reference_only_and_reads_back() -> None:
    reference = document_reference(DocumentKind.CONSENT_FORM)
    payload = qr_payload(reference)

    text = payload.text()

    assert text == "ESCAP:CF:" + reference.removeprefix("ESCAP-CF-")
    assert parse_qr_payload(text) == QrPayload(DocumentKind.CONSENT_FORM, reference)


def test_an_invitation_payload_carries_the_join_code() -> None:
    reference = document_reference(DocumentKind.INVITATION)

    text = qr_payload(reference, "K7QF-9M2X-T4PB").text()

    parsed = parse_qr_payload(text)
    assert parsed.kind is DocumentKind.INVITATION
    assert parsed.reference == reference
    assert parsed.join_code == "K7QF-9M2X-T4PB"


def test_only_an_invitation_may_carry_a_join_code() -> None:
    with pytest.raises(DocumentError, match="Seule une lettre d'invitation"):
        qr_payload(document_reference(DocumentKind.CONSENT_FORM), "K7QF-9M2X")


def test_an_invitation_without_a_valid_join_code_is_refused() -> None:
    with pytest.raises(DocumentError, match="code pour rejoindre"):
        qr_payload(document_reference(DocumentKind.INVITATION), "a:b")


@pytest.mark.parametrize(
    "scanned",
    [
        "https://exemple.fr/ESCAP-CF-7K4Q-2M9X",
        "ESCAP:ZZ:7K4Q-2M9X",
        "ESCAP:CF",
        "ESCAP:CF:7K4Q-2M9X:JOINCODE",
        "ESCAP:IN:7K4Q-2M9X",
        "",
    ],
)
def test_a_foreign_qr_code_is_reported_as_not_ours(scanned: str) -> None:
    with pytest.raises(DocumentError, match="n'est pas celui d'un document ESCAP"):
        parse_qr_payload(scanned)
