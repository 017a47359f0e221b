"""End to end: the nurse sends the care plan to the médecin traitant, who has only MSSanté, through
a real local SMTP submission server (STARTTLS, AUTH, a certificate the test trusts)."""

from __future__ import annotations

import io
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from pypdf import PdfReader

from escap_desktop.core.entities import AuditKind, DataCategory, Profession
from escap_desktop.core.errors import (
    ConsentError,
    TeamRuleError,
    TransitionError,
    ValidationError,
)
from escap_desktop.exports.xdm import read_xdm
from escap_desktop.mail.settings import MailSettings
from escap_desktop.services.mssante import MssanteService, UnconfirmedAddressError
from escap_desktop.store import mail_queue
from escap_desktop.store.mail_phrases import CARE_PLAN_SENT
from tests.mail.conftest import (
    GP_ADDRESS,
    MEDICAL_ACTION,
    SENDER,
    SOCIAL_ACTION,
    SOCIAL_WORKER_ADDRESS,
    MailPractice,
    Team,
    build_team,
    professional,
)
from tests.mail.smtp_server import LOGIN, MailServer

OUTSIDER = professional(
    "Rousseau", "Noémie", Profession.PHARMACIEN, "10009998887", "n.rousseau@pharma.mssante.fr"
)
NEW_GP = professional(
    "Benali", "Karim", Profession.MEDECIN, "10005556667", "karim.benali@medecin.mssante.fr"
)


def _service(mail_practice: MailPractice, settings: MailSettings) -> MssanteService:
    practice = mail_practice.practice
    return MssanteService(practice.store, lambda: _me(mail_practice), settings)


def _me(mail_practice: MailPractice) -> str:
    current = mail_practice.practice.profile.current()
    assert current is not None
    return current[1].id


def _attachments(message: EmailMessage) -> dict[str, tuple[str, bytes]]:
    found = {}
    for part in message.iter_attachments():
        assert isinstance(part, EmailMessage)
        name = part.get_filename()
        assert name is not None
        payload = part.get_content()
        assert isinstance(payload, bytes)
        found[name] = (part.get_content_type(), payload)
    return found


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_gp_receives_the_care_plan_as_an_xdm_message_with_its_accents(
    mail_practice: MailPractice, team: Team, settings: MailSettings, smtp_server: MailServer
) -> None:
    service = _service(mail_practice, settings)

    queued = service.send_care_plan(team.escap_id, team.gp_id)
    assert queued.address == GP_ADDRESS
    assert queued.identified_by_ins
    assert smtp_server.received == []  # queued, not sent yet

    report = service.deliver_queued()

    assert report.sent == (queued.item_id,)
    assert (report.waiting, report.refused, report.stopped) == ((), (), "")
    [received] = smtp_server.received
    assert received.sender == SENDER
    assert received.recipients == (GP_ADDRESS,)
    assert smtp_server.handler.logins == [LOGIN]
    message = received.message
    assert message["Message-ID"] == queued.message_id
    assert message["Message-ID"] == f"<escap.{queued.item_id}@test.mssante.fr>"
    assert str(message["Subject"]) == "Plan de soins ESCAP – D'ALMEIDA Zoë, née le 12/03/1940"
    assert parseaddr(str(message["From"])) == ("Awa N'DIAYE", SENDER)
    assert parseaddr(str(message["To"])) == ("Dr Étienne LEFÈVRE", GP_ADDRESS)
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Bonjour Dr Étienne LEFÈVRE," in text
    assert "Mme D'ALMEIDA Zoë, née le 12/03/1940" in text
    assert "dont vous êtes le médecin traitant" in text
    assert "identifié par son INS" in text
    assert "Équipe de Soins Coordonnés avec le Patient" in text

    attachments = _attachments(message)
    assert attachments["IHE_XDM.ZIP"][0] == "application/zip"
    [pdf_name] = [name for name in attachments if name.endswith(".pdf")]
    assert attachments[pdf_name][0] == "application/pdf"
    content = read_xdm(attachments["IHE_XDM.ZIP"][1])
    [entry] = content.entries
    assert entry.content == attachments[pdf_name][1]
    patient = mail_practice.practice.patients.get(team.patient_id)
    assert entry.patient_id == f"{patient.ins}^^^&1.2.250.1.213.1.4.8&ISO^NH"
    assert entry.codes["typeCode"].code == "18776-5"
    assert content.subsets[0].intended_recipients[0].endswith(f"^^Internet^{GP_ADDRESS}")
    sheet = _pdf_text(entry.content)
    assert "D'ALMEIDA Zoë" in sheet
    assert "Dupont-Moretti" in sheet or "DUPONT-MORETTI" in sheet
    assert MEDICAL_ACTION in sheet
    assert SOCIAL_ACTION in sheet

    [item] = service.outbox(team.escap_id)
    assert (item.state, item.attempts, item.maybe_sent) == (mail_queue.SENT, 1, False)
    assert item.sent_at == mail_practice.practice.clock.now()


def test_the_sending_is_in_the_patients_access_trail(
    mail_practice: MailPractice, team: Team, settings: MailSettings
) -> None:
    _service(mail_practice, settings).send_care_plan(team.escap_id, team.gp_id)
    store = mail_practice.practice.store
    with store.unit_of_work(None) as uow:
        entries = uow.audit_entries(team.patient_id)
    [sent] = [entry for entry in entries if entry.summary == CARE_PLAN_SENT]
    assert (sent.kind, sent.entity_type, sent.entity_id) == (
        AuditKind.EXPORTED,
        "Escap",
        team.escap_id,
    )
    assert sent.actor_id == team.nurse_id
    # What the professional (and the patient, on the printed trail) reads.
    lines = mail_practice.practice.audit.patient_trail(team.patient_id)
    assert CARE_PLAN_SENT in {line.record for line in lines}


def test_a_social_worker_receives_the_sheet_without_the_medical_actions(
    mail_practice: MailPractice, team: Team, settings: MailSettings, smtp_server: MailServer
) -> None:
    service = _service(mail_practice, settings)
    service.send_care_plan(team.escap_id, team.social_worker_id)
    service.deliver_queued()
    [received] = smtp_server.received
    assert received.recipients == (SOCIAL_WORKER_ADDRESS,)
    [entry] = read_xdm(_attachments(received.message)["IHE_XDM.ZIP"][1]).entries
    sheet = _pdf_text(entry.content)
    assert SOCIAL_ACTION in sheet
    assert MEDICAL_ACTION not in sheet


def test_a_consent_without_social_data_keeps_social_actions_out_of_the_gps_sheet(
    mail_practice: MailPractice, settings: MailSettings, smtp_server: MailServer
) -> None:
    team = build_team(
        mail_practice.practice,
        scopes=frozenset({DataCategory.MEDICAL, DataCategory.ADMINISTRATIVE}),
    )
    service = _service(mail_practice, settings)
    service.send_care_plan(team.escap_id, team.gp_id)
    service.deliver_queued()
    [received] = smtp_server.received
    [entry] = read_xdm(_attachments(received.message)["IHE_XDM.ZIP"][1]).entries
    sheet = _pdf_text(entry.content)
    assert MEDICAL_ACTION in sheet
    assert SOCIAL_ACTION not in sheet


def test_a_patient_without_qualified_identity_is_sent_under_the_local_id(
    mail_practice: MailPractice, settings: MailSettings, smtp_server: MailServer
) -> None:
    team = build_team(mail_practice.practice, qualified=False)
    service = _service(mail_practice, settings)
    queued = service.send_care_plan(team.escap_id, team.gp_id)
    assert not queued.identified_by_ins
    service.deliver_queued()
    [received] = smtp_server.received
    patient = mail_practice.practice.patients.get(team.patient_id)
    assert patient.ins.encode() not in received.content
    [entry] = read_xdm(_attachments(received.message)["IHE_XDM.ZIP"][1]).entries
    assert entry.patient_id.startswith(f"{team.patient_id}^^^&2.25.")
    assert entry.patient_id.endswith("&ISO^PI")


def test_another_address_needs_a_confirmation(
    mail_practice: MailPractice, team: Team, settings: MailSettings, smtp_server: MailServer
) -> None:
    service = _service(mail_practice, settings)
    other = "dr.lefevre@autre-operateur.mssante.fr"
    with pytest.raises(UnconfirmedAddressError, match="confirmez que c'est bien son adresse"):
        service.send_care_plan(team.escap_id, team.gp_id, address=other)
    assert service.outbox() == []

    same = service.send_care_plan(team.escap_id, team.gp_id, address=GP_ADDRESS.upper())
    assert same.address == GP_ADDRESS
    confirmed = service.send_care_plan(
        team.escap_id, team.gp_id, address=other, confirmed_address=True
    )
    assert confirmed.address == other
    service.deliver_queued()
    assert [r.recipients for r in smtp_server.received] == [(GP_ADDRESS,), (other,)]


def test_no_address_no_member_no_running_team_nothing_is_queued(
    mail_practice: MailPractice, team: Team, settings: MailSettings
) -> None:
    practice = mail_practice.practice
    service = _service(mail_practice, settings)
    with pytest.raises(ValidationError, match="n'a pas d'adresse MSSanté"):
        service.send_care_plan(team.escap_id, team.physio_id)
    outsider = practice.professionals.add(OUTSIDER)
    with pytest.raises(TeamRuleError, match="ne fait pas partie de l'équipe"):
        service.send_care_plan(team.escap_id, outsider.id)
    practice.escaps.withdraw_consent(team.escap_id)
    with pytest.raises(TransitionError, match="état actuel"):
        service.send_care_plan(team.escap_id, team.gp_id)
    assert service.outbox() == []


def test_a_new_gp_outside_the_team_must_be_designated_by_the_consent(
    mail_practice: MailPractice, settings: MailSettings
) -> None:
    practice = mail_practice.practice
    team = build_team(practice, designated=True)
    new_gp = practice.professionals.add(NEW_GP)
    practice.patients.set_medecin_traitant(team.patient_id, new_gp.id)
    service = _service(mail_practice, settings)
    with pytest.raises(ConsentError, match="n'est pas désigné par le patient"):
        service.send_care_plan(team.escap_id, new_gp.id)
    assert service.outbox() == []
