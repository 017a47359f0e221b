"""The consent's scope changes once the team exists (an amendment), and invitations follow it."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    DataCategory,
    EscapState,
    Patient,
    Profession,
)
from escap_desktop.core.errors import ConsentError, ValidationError
from escap_desktop.services.practice import Practice
from tests.services.conftest import POLYPATHOLOGY, me_id, professional


def _signed(practice: Practice, patient: Patient, designated: tuple[str, ...]) -> str:
    escap = practice.escaps.start(patient.id)
    ids = practice.escaps.current_grid().item_ids
    practice.escaps.assess(escap.id, {i: n < 14 for n, i in enumerate(ids)}, POLYPATHOLOGY)
    practice.escaps.prepare_consent(
        escap.id, recipient_ids=designated, scopes=frozenset(DataCategory)
    )
    practice.escaps.record_consent_signed(escap.id, signed_on=practice.clock.today())
    return escap.id


def _pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


@pytest.fixture
def nurse_and_social_worker(practice: Practice) -> tuple[str, str]:
    nurse = practice.professionals.add(
        professional("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002")
    )
    social = practice.professionals.add(
        professional("Roux", "Sandrine", Profession.ASSISTANT_SERVICE_SOCIAL, "10000000005")
    )
    return nurse.id, social.id


def test_only_the_designated_are_invited_until_the_patient_agrees_to_more(
    practice: Practice,
    patient_born_1940: Patient,
    nurse_and_social_worker: tuple[str, str],
    clock: FrozenClock,
) -> None:
    nurse_id, social_id = nurse_and_social_worker
    escap_id = _signed(practice, patient_born_1940, (me_id(practice), nurse_id))
    practice.escaps.invite(escap_id, me_id(practice), "Médecin traitant")
    practice.escaps.invite(escap_id, nurse_id)
    with pytest.raises(ConsentError) as refused:
        practice.escaps.invite(escap_id, social_id)
    assert refused.value.message.startswith(
        "Sandrine ROUX (Assistant de service social) ne fait pas partie des professionnels "
        "désignés par le patient"
    )
    assert "avenant" in refused.value.message

    # Two days later the patient agrees to "a social worker", without naming one.
    clock.advance(timedelta(days=2))
    consent = practice.escaps.amend_consent(
        escap_id,
        scopes=frozenset(DataCategory),
        recipient_ids=(me_id(practice), nurse_id),
        recipient_professions=frozenset({Profession.ASSISTANT_SERVICE_SOCIAL}),
    )
    assert (consent.amendment, consent.amended_on) == (1, clock.today())
    practice.escaps.invite(escap_id, social_id)

    trail = practice.audit.patient_trail(patient_born_1940.id)
    assert any(line.record == "Consentement modifié par avenant n° 1" for line in trail)

    # The amended form, for the patient's signature: dated, naming the kinds of recipients.
    text = _pdf_text(practice.documents.amended_consent_form(patient_born_1940.id))
    assert "Avenant n° 1 au consentement à une ESCAP" in text
    assert f"à compter du {clock.today():%d/%m/%Y}" in text
    assert "assistant de service social" in text


def test_a_category_taken_out_is_no_longer_written(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id = _signed(practice, patient_born_1940, ())
    practice.escaps.invite(escap_id, me_id(practice), "Médecin traitant")
    practice.messages.post(escap_id, "Aide à domicile à prévoir.", DataCategory.SOCIAL)

    practice.escaps.amend_consent(
        escap_id,
        scopes=frozenset({DataCategory.MEDICAL, DataCategory.ADMINISTRATIVE}),
        recipient_ids=(),
    )
    with pytest.raises(ConsentError, match="ne couvre pas le partage des données sociales"):
        practice.messages.post(escap_id, "Nouvelle demande sociale.", DataCategory.SOCIAL)
    practice.messages.post(escap_id, "Tension à surveiller.", DataCategory.MEDICAL)
    assert practice.escaps.categories(escap_id) == (
        DataCategory.MEDICAL,
        DataCategory.ADMINISTRATIVE,
    )
    assert practice.escaps.get(escap_id).state is EscapState.FORMING


def test_amendments_are_checked(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap = practice.escaps.start(patient_born_1940.id)
    ids = practice.escaps.current_grid().item_ids
    practice.escaps.assess(escap.id, {i: n < 14 for n, i in enumerate(ids)}, POLYPATHOLOGY)
    practice.escaps.prepare_consent(escap.id)
    with pytest.raises(ConsentError, match="pas encore signé"):
        practice.escaps.amend_consent(
            escap.id, scopes=frozenset({DataCategory.MEDICAL}), recipient_ids=()
        )
    practice.escaps.record_consent_signed(escap.id, signed_on=clock.today())
    with pytest.raises(ValidationError, match="Rien n'a changé"):
        practice.escaps.amend_consent(escap.id, scopes=frozenset(DataCategory), recipient_ids=())
    with pytest.raises(ValidationError, match="au moins une catégorie"):
        practice.escaps.amend_consent(escap.id, scopes=frozenset(), recipient_ids=())
    with pytest.raises(ValidationError, match="dans le futur"):
        practice.escaps.amend_consent(
            escap.id,
            scopes=frozenset({DataCategory.MEDICAL}),
            recipient_ids=(),
            amended_on=clock.today() + timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="ne peut pas précéder le consentement"):
        practice.escaps.amend_consent(
            escap.id,
            scopes=frozenset({DataCategory.MEDICAL}),
            recipient_ids=(),
            amended_on=clock.today() - timedelta(days=1),
        )
    with pytest.raises(ConsentError, match="pas d'avenant à imprimer"):
        practice.documents.amended_consent_form(patient_born_1940.id)
