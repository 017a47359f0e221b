"""End to end: the médecin traitant, who has only MSSanté, answers the care plan from their own
mailbox; the nurse's app reads the answer from a real IMAP server (dovecot, STARTTLS, the test
authority's certificate) and records it on the plan, with its source in the access trail."""

from __future__ import annotations

import imaplib
import ssl
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest

from escap_desktop.core.clock import FrozenClock, paris_date
from escap_desktop.core.entities import Action, AuditKind
from escap_desktop.core.rules.replies import ReplyVerdict
from escap_desktop.mail.errors import MailError
from escap_desktop.mail.imap_reader import READ_KEYWORD, ImapReader, ImapSettings
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.services.mssante import MssanteService
from escap_desktop.services.mssante_replies import MssanteReplyService
from escap_desktop.store.mail_phrases import (
    PLAN_NOT_VALIDATED_BY_MAIL,
    PLAN_VALIDATED_BY_MAIL,
)
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import GP_ADDRESS, MEDICAL_ACTION, SENDER, MailPractice, Team
from tests.mail.imap_server import ImapServer, running_imap
from tests.mail.smtp_server import LOGIN, PASSWORD, MailServer, Received, free_port


@pytest.fixture
def imap_server(certificates: CertificateFiles) -> Iterator[ImapServer]:
    with running_imap(certificates) as server:
        yield server


@pytest.fixture
def reader(imap_server: ImapServer, certificates: CertificateFiles) -> ImapReader:
    """The nurse's mailbox, read with the right settings and password."""
    return ImapReader(_imap_settings(imap_server, certificates), lambda: PASSWORD)


def _imap_settings(
    server: ImapServer, certificates: CertificateFiles, **changes: object
) -> ImapSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "login": LOGIN,
        "tls": TlsMode.STARTTLS,
        "ca_file": certificates.ca_file,
        "timeout": 10.0,
    }
    values.update(changes)
    return ImapSettings(**values)  # type: ignore[arg-type]


def _me(mail_practice: MailPractice) -> str:
    current = mail_practice.practice.profile.current()
    assert current is not None
    return current[1].id


def _replies(mail_practice: MailPractice, reader: ImapReader) -> MssanteReplyService:
    return MssanteReplyService(mail_practice.practice.store, lambda: _me(mail_practice), reader)


@pytest.fixture
def sent_plan(
    mail_practice: MailPractice, team: Team, settings: MailSettings, smtp_server: MailServer
) -> Received:
    """The nurse sent the care plan to the GP: the message as the SMTP server received it."""
    service = MssanteService(mail_practice.practice.store, lambda: _me(mail_practice), settings)
    service.send_care_plan(team.escap_id, team.gp_id)
    report = service.deliver_queued()
    assert len(report.sent) == 1
    return smtp_server.received[-1]


def _reply(
    sent: Received, text: str, clock: FrozenClock, *, sender: str = GP_ADDRESS, days: int = 1
) -> bytes:
    """The GP's answer as their software writes it: Re: subject, In-Reply-To, the plan quoted."""
    original = sent.message
    answer = EmailMessage()
    answer["From"] = f"Dr Étienne LEFÈVRE <{sender}>"
    answer["To"] = SENDER
    answer["Subject"] = f"RE: {original['Subject']}"
    answer["Message-ID"] = make_msgid(domain="medecin.mssante.fr")
    answer["In-Reply-To"] = original["Message-ID"]
    answer["References"] = original["Message-ID"]
    answer["Date"] = format_datetime(clock.now() + timedelta(days=days))
    quoted = "\n".join(
        f"> {line}" for line in original.get_body(("plain",)).get_content().splitlines()
    )  # type: ignore[union-attr]
    answer.set_content(f"{text}\n\nLe {clock.today():%d/%m/%Y}, Awa N'DIAYE a écrit :\n{quoted}\n")
    return answer.as_bytes()


def _action(mail_practice: MailPractice, team: Team, title: str) -> Action:
    [action] = [a for a in mail_practice.practice.plan.actions(team.escap_id) if a.title == title]
    return action


def _unmarked(server: ImapServer, certificates: CertificateFiles) -> list[bytes]:
    """The subjects of the inbox's messages the app has not marked (read straight from IMAP)."""
    imap = imaplib.IMAP4("127.0.0.1", server.port, timeout=10)
    imap.starttls(ssl.create_default_context(cafile=str(certificates.ca_file)))
    imap.authenticate("PLAIN", lambda _c: f"\0{LOGIN}\0{PASSWORD}".encode())
    imap.select("INBOX")
    _, data = imap.uid("SEARCH", "UNKEYWORD", READ_KEYWORD)
    subjects = []
    for uid in data[0].split():
        _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subjects.append(next(p[1] for p in parts if isinstance(p, tuple)).strip())
    imap.logout()
    return subjects


def test_the_gps_validation_reaches_the_plan_and_the_trail_once(
    mail_practice: MailPractice,
    team: Team,
    sent_plan: Received,
    imap_server: ImapServer,
    reader: ImapReader,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    imap_server.deliver(_reply(sent_plan, "Bonjour,\nJe valide le plan, merci.\nDr Lefèvre", clock))
    personal = EmailMessage()
    personal["From"] = "secretariat@clinique.mssante.fr"
    personal["To"] = SENDER
    personal["Subject"] = "Compte rendu d'hospitalisation"
    personal.set_content("Sans rapport avec l'application.")
    imap_server.deliver(personal.as_bytes())
    replies = _replies(mail_practice, reader)

    report = replies.collect()

    [recorded] = report.recorded
    assert recorded.verdict is ReplyVerdict.VALIDATED
    assert recorded.sentence.startswith(f"{recorded.professional_name} valide le plan de soins")
    assert "Lefèvre" in recorded.professional_name or "LEFÈVRE" in recorded.professional_name
    assert "Je valide le plan" in recorded.excerpt
    assert "Awa" not in recorded.excerpt  # the quoted plan is not the answer
    answered_on = paris_date(clock.now() + timedelta(days=1))
    action = _action(mail_practice, team, MEDICAL_ACTION)
    assert (action.mt_received_on, action.mt_validated_on) == (answered_on, answered_on)
    lines = mail_practice.practice.audit.patient_trail(team.patient_id)
    assert PLAN_VALIDATED_BY_MAIL in {line.record for line in lines}
    with mail_practice.practice.store.unit_of_work(None) as uow:
        [entry] = [
            e for e in uow.audit_entries(team.patient_id) if e.summary == PLAN_VALIDATED_BY_MAIL
        ]
    assert (entry.kind, entry.entity_id) == (AuditKind.RECEIVED, team.escap_id)

    # Read again: nothing new is recorded; the professional's own mail was left untouched.
    assert replies.collect().recorded == []
    assert _unmarked(imap_server, certificates) == [b"Subject: Compte rendu d'hospitalisation"]
    with mail_practice.practice.store.unit_of_work(None) as uow:
        again = [
            e for e in uow.audit_entries(team.patient_id) if e.summary == PLAN_VALIDATED_BY_MAIL
        ]
    assert len(again) == 1


def test_a_refusal_records_the_receipt_only_and_keeps_the_gps_words(
    mail_practice: MailPractice,
    team: Team,
    sent_plan: Received,
    imap_server: ImapServer,
    reader: ImapReader,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    text = "Je ne valide pas : deux passages de kiné par semaine me semblent insuffisants."
    imap_server.deliver(_reply(sent_plan, text, clock, days=2))

    [recorded] = _replies(mail_practice, reader).collect().recorded

    assert recorded.verdict is ReplyVerdict.NOT_VALIDATED
    assert "kiné" in recorded.excerpt
    action = _action(mail_practice, team, MEDICAL_ACTION)
    assert action.mt_received_on == paris_date(clock.now() + timedelta(days=2))
    assert action.mt_validated_on is None
    lines = mail_practice.practice.audit.patient_trail(team.patient_id)
    assert PLAN_NOT_VALIDATED_BY_MAIL in {line.record for line in lines}


def test_an_action_added_after_the_sending_is_not_validated_by_the_reply(
    mail_practice: MailPractice,
    team: Team,
    sent_plan: Received,
    imap_server: ImapServer,
    reader: ImapReader,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    clock.advance(timedelta(hours=2))
    later = mail_practice.practice.plan.add(team.escap_id, "Bilan sanguin trimestriel")
    imap_server.deliver(_reply(sent_plan, "D'accord pour ce plan.", clock))

    _replies(mail_practice, reader).collect()

    assert _action(mail_practice, team, MEDICAL_ACTION).mt_validated_on is not None
    unchanged = _action(mail_practice, team, later.title)
    assert (unchanged.mt_received_on, unchanged.mt_validated_on) == (None, None)


def test_a_reply_from_another_address_is_reported_not_recorded(
    mail_practice: MailPractice,
    team: Team,
    sent_plan: Received,
    imap_server: ImapServer,
    reader: ImapReader,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    forged = _reply(sent_plan, "Je valide.", clock, sender="quelquun@autre.mssante.fr")
    imap_server.deliver(forged)

    report = _replies(mail_practice, reader).collect()

    assert report.recorded == []
    [why] = report.ignored
    assert "quelquun@autre.mssante.fr" in why
    assert GP_ADDRESS in why
    action = _action(mail_practice, team, MEDICAL_ACTION)
    assert (action.mt_received_on, action.mt_validated_on) == (None, None)


def test_a_mailbox_that_cannot_be_read_says_why_in_french_and_records_nothing(
    mail_practice: MailPractice,
    team: Team,
    sent_plan: Received,
    imap_server: ImapServer,
    reader: ImapReader,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    imap_server.deliver(_reply(sent_plan, "Je valide.", clock))
    untrusted = _imap_settings(imap_server, certificates, ca_file=certificates.other_ca_file)
    wrong_password = _imap_settings(imap_server, certificates)

    with pytest.raises(MailError, match="certificat du serveur de réception"):
        _replies(mail_practice, ImapReader(untrusted, lambda: PASSWORD)).collect()
    with pytest.raises(MailError, match="refuse l'identifiant ou le mot de passe") as refused:
        _replies(mail_practice, ImapReader(wrong_password, lambda: "faux")).collect()
    assert refused.value.credentials
    closed = _imap_settings(imap_server, certificates, port=free_port())
    with pytest.raises(MailError, match="refuse la connexion"):
        _replies(mail_practice, ImapReader(closed, lambda: PASSWORD)).collect()

    assert _action(mail_practice, team, MEDICAL_ACTION).mt_received_on is None
    # Once the settings are right, the same reply is read.
    assert len(_replies(mail_practice, reader).collect().recorded) == 1
