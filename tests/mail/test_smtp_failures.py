"""What goes wrong between the application and the operator's server: each failure is one French
sentence, the message stays in the queue (or, refused for good, is kept and marked so), and a
later delivery sends it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.errors import KeyringUnavailableError
from escap_desktop.mail.credentials import SessionPassword, keyring_password, save_password
from escap_desktop.mail.errors import MailError
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.mail.smtp_sender import SmtpSender
from escap_desktop.services.mssante import MssanteService
from escap_desktop.store import mail_queue
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import GP_ADDRESS, MailPractice, Team, mail_settings
from tests.mail.smtp_server import PASSWORD, MailServer, RecordingHandler, free_port, running_server
from tests.support.plaintext_keyring import plaintext_keyring


def _service(
    mail_practice: MailPractice, settings: MailSettings, password: str | None = PASSWORD
) -> MssanteService:
    practice = mail_practice.practice
    current = practice.profile.current()
    assert current is not None
    me = current[1].id
    source = SessionPassword(password) if password is not None else None
    return MssanteService(practice.store, lambda: me, settings, password=source)


def _only_item(service: MssanteService) -> mail_queue.OutboxItem:
    [item] = service.outbox()
    return item


def test_a_refused_connection_keeps_the_message_for_a_later_try(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
    clock: FrozenClock,
) -> None:
    closed = mail_settings(free_port(), certificates)
    service = _service(mail_practice, closed)
    service.send_care_plan(team.escap_id, team.gp_id)

    report = service.deliver_queued()

    assert report.sent == ()
    assert "refuse la connexion" in report.stopped
    assert "le message reste en attente" in report.stopped
    item = _only_item(service)
    assert (item.state, item.attempts, item.maybe_sent) == (mail_queue.QUEUED, 1, False)
    assert item.last_error == report.stopped
    assert item.next_attempt_at == clock.now() + timedelta(minutes=1)

    working = _service(mail_practice, mail_settings(smtp_server.port, certificates))
    assert working.deliver_queued().sent == ()  # not due yet
    clock.advance(minutes=1)
    assert working.deliver_queued().sent == (item.id,)
    [received] = smtp_server.received
    assert received.message_id == item.message_id
    assert _only_item(service).state == mail_queue.SENT


def test_a_certificate_from_an_unknown_authority_is_refused_in_french(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
) -> None:
    untrusted = mail_settings(smtp_server.port, certificates, ca_file=certificates.other_ca_file)
    service = _service(mail_practice, untrusted)
    service.send_care_plan(team.escap_id, team.gp_id)

    report = service.deliver_queued()

    assert report.stopped.startswith(
        f"Le certificat du serveur de messagerie 127.0.0.1:{smtp_server.port} n'est pas valide"
    )
    assert smtp_server.received == []
    assert smtp_server.handler.logins == []  # the password never left
    item = _only_item(service)
    assert item.state == mail_queue.QUEUED
    assert item.last_error == report.stopped


def test_the_system_authorities_do_not_trust_a_private_one(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
) -> None:
    system = mail_settings(smtp_server.port, certificates, ca_file=None)
    with pytest.raises(MailError, match="n'est pas valide"):
        SmtpSender(system, SessionPassword(PASSWORD)).send(
            b"Subject: x\r\n\r\nx\r\n", sender="a@b.fr", recipient=GP_ADDRESS
        )


def test_a_wrong_password_is_said_and_the_message_waits(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
    clock: FrozenClock,
) -> None:
    service = _service(
        mail_practice, mail_settings(smtp_server.port, certificates), password="mauvais"
    )
    service.send_care_plan(team.escap_id, team.gp_id)
    report = service.deliver_queued()
    assert "a refusé l'identifiant ou le mot de passe" in report.stopped
    item = _only_item(service)
    assert item.state == mail_queue.QUEUED
    assert item.next_attempt_at == clock.now() + mail_queue.MAX_RETRY  # no locked account
    assert smtp_server.received == []
    fixed = _service(mail_practice, mail_settings(smtp_server.port, certificates))
    fixed.retry(item.id)
    assert fixed.deliver_queued().sent == (item.id,)


def test_a_refused_recipient_is_kept_refused_and_the_others_still_leave(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
    clock: FrozenClock,
) -> None:
    smtp_server.handler.refused_recipients.add(GP_ADDRESS)
    service = _service(mail_practice, mail_settings(smtp_server.port, certificates))
    to_gp = service.send_care_plan(team.escap_id, team.gp_id)
    clock.advance(seconds=1)
    to_social_worker = service.send_care_plan(team.escap_id, team.social_worker_id)

    report = service.deliver_queued()

    assert report.sent == (to_social_worker.item_id,)
    [(refused_id, reason)] = report.refused
    assert refused_id == to_gp.item_id
    assert reason == (
        f"Le serveur de messagerie a refusé le destinataire {GP_ADDRESS} (réponse 550 : "
        "5.1.1 Destinataire inconnu sur ce domaine)."
    )
    assert report.stopped == ""
    states = {item.id: item.state for item in service.outbox()}
    assert states == {to_gp.item_id: mail_queue.REFUSED, to_social_worker.item_id: mail_queue.SENT}

    smtp_server.handler.refused_recipients.clear()
    assert service.deliver_queued().sent == ()  # refused: not tried again by itself
    service.retry(to_gp.item_id)
    assert service.deliver_queued().sent == (to_gp.item_id,)


def test_a_server_that_never_answers_times_out(
    mail_practice: MailPractice, team: Team, certificates: CertificateFiles
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        settings = mail_settings(port, certificates, timeout=0.3)
        service = _service(mail_practice, settings)
        service.send_care_plan(team.escap_id, team.gp_id)
        report = service.deliver_queued()
    assert report.stopped == (
        f"Le serveur de messagerie 127.0.0.1:{port} ne répond pas (plus de 0.3 s) ; le message "
        "reste en attente et sera réessayé."
    )
    assert _only_item(service).state == mail_queue.QUEUED


@pytest.fixture
def server_without_tls() -> Iterator[int]:
    port = free_port()
    controller = Controller(RecordingHandler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def test_a_server_without_starttls_is_not_spoken_to_in_clear(
    certificates: CertificateFiles, server_without_tls: int
) -> None:
    settings = mail_settings(server_without_tls, certificates)
    with pytest.raises(MailError, match="ne propose pas de connexion chiffrée"):
        SmtpSender(settings, SessionPassword(PASSWORD)).send(
            b"Subject: x\r\n\r\nx\r\n", sender="a@b.fr", recipient=GP_ADDRESS
        )


def test_tls_from_the_first_byte_on_port_465_style(
    mail_practice: MailPractice, team: Team, certificates: CertificateFiles
) -> None:
    with running_server(certificates, implicit=True) as server:
        settings = mail_settings(server.port, certificates, tls=TlsMode.IMPLICIT)
        service = _service(mail_practice, settings)
        queued = service.send_care_plan(team.escap_id, team.gp_id)
        assert service.deliver_queued().sent == (queued.item_id,)
        [received] = server.received
    assert received.message_id == queued.message_id


def test_the_password_comes_from_the_trusted_keyring_only(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
    tmp_path: Path,
) -> None:
    settings = mail_settings(smtp_server.port, certificates)
    with pytest.raises(MailError, match="Aucun mot de passe de messagerie MSSanté"):
        keyring_password(settings)()
    save_password(settings, PASSWORD)
    assert keyring_password(settings)() == PASSWORD
    service = _service(mail_practice, settings, password=None)  # the keyring's
    service.send_care_plan(team.escap_id, team.gp_id)
    assert len(service.deliver_queued().sent) == 1

    plaintext_keyring(tmp_path)
    with pytest.raises(KeyringUnavailableError, match="ne chiffre pas les secrets"):
        save_password(settings, PASSWORD)
    with pytest.raises(MailError, match="ne chiffre pas les secrets"):
        keyring_password(settings)()
    assert PASSWORD not in "".join(p.read_text() for p in tmp_path.glob("*.cfg"))


def test_a_connection_lost_after_the_content_left_is_resent_as_the_same_message(
    mail_practice: MailPractice,
    team: Team,
    certificates: CertificateFiles,
    smtp_server: MailServer,
    clock: FrozenClock,
) -> None:
    smtp_server.handler.drop_in_data = True
    service = _service(mail_practice, mail_settings(smtp_server.port, certificates))
    queued = service.send_care_plan(team.escap_id, team.gp_id)

    report = service.deliver_queued()

    assert "a coupé la connexion" in report.stopped
    item = _only_item(service)
    assert (item.state, item.maybe_sent) == (mail_queue.QUEUED, True)
    smtp_server.handler.drop_in_data = False
    clock.advance(minutes=1)
    assert service.deliver_queued().sent == (queued.item_id,)
    first, second = smtp_server.received
    assert first.message_id == second.message_id == queued.message_id
    assert first.content == second.content
