"""kill -9 in the middle of a sending, then a restart: the message is neither lost nor shown twice.

A real process (``tests/mail/deliverer.py``) delivers the queue through the real local SMTP
server; the server holds the transaction at a chosen point while the test kills the process
with SIGKILL, then a second process delivers again.

- killed while the content was being handed over (the server has it, the process never heard
  its answer): the restart sends the message again, **the same bytes with the same
  Message-ID**, so the receiving software, which deduplicates by Message-ID, shows one message
  (at most one visible message; SMTP cannot tell more);
- killed before the content left (during RCPT): the server never had it, and receives it once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.mail.settings import MailSettings
from escap_desktop.services.mssante import MssanteService
from escap_desktop.store import mail_queue
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import MailPractice, Team
from tests.mail.deliverer import KEY_ENV
from tests.mail.smtp_server import MailServer

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG_SECONDS = 60


def _deliverer(
    mail_practice: MailPractice,
    server: MailServer,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> subprocess.Popen[str]:
    env = {**os.environ, KEY_ENV: mail_practice.key.hex(), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.mail.deliverer",
            str(mail_practice.data_dir),
            str(server.port),
            str(certificates.ca_file),
            clock.now().isoformat(),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_while_held(process: subprocess.Popen[str], server: MailServer) -> None:
    watchdog = threading.Timer(WATCHDOG_SECONDS, process.kill)
    watchdog.start()
    try:
        assert server.handler.holding.wait(WATCHDOG_SECONDS), _output(process)
        process.send_signal(signal.SIGKILL)
        assert process.wait(WATCHDOG_SECONDS) == -signal.SIGKILL
    finally:
        watchdog.cancel()
        _output(process)
    server.handler.hold_in_data = server.handler.hold_in_rcpt = False
    server.handler.release.set()


def _run_to_end(process: subprocess.Popen[str]) -> str:
    try:
        out, err = process.communicate(timeout=WATCHDOG_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert process.returncode == 0, err
    return out


def _output(process: subprocess.Popen[str]) -> str:
    if process.poll() is None:
        return "(toujours en cours)"
    out, err = process.communicate()
    return f"{out}\n{err}"


def _service(mail_practice: MailPractice, settings: MailSettings) -> MssanteService:
    practice = mail_practice.practice
    current = practice.profile.current()
    assert current is not None
    me = current[1].id
    return MssanteService(practice.store, lambda: me, settings)


@pytest.mark.slow
def test_killed_while_the_content_was_handed_over_the_resend_is_the_same_message(
    mail_practice: MailPractice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
    settings: MailSettings,
    clock: FrozenClock,
) -> None:
    service = _service(mail_practice, settings)
    queued = service.send_care_plan(team.escap_id, team.gp_id)
    smtp_server.handler.hold_in_data = True

    _kill_while_held(_deliverer(mail_practice, smtp_server, certificates, clock), smtp_server)

    [item] = service.outbox()
    assert item.state == mail_queue.TRANSMITTING  # what the dead process left
    assert len(smtp_server.received) == 1

    out = _run_to_end(_deliverer(mail_practice, smtp_server, certificates, clock))

    assert queued.item_id in out.split()
    first, second = smtp_server.received
    assert first.message_id == second.message_id == queued.message_id
    assert first.content == second.content  # the very same bytes
    assert len({received.message_id for received in smtp_server.received}) == 1
    [item] = service.outbox()
    assert (item.state, item.attempts, item.maybe_sent) == (mail_queue.SENT, 2, True)


@pytest.mark.slow
def test_killed_before_the_content_left_the_message_arrives_once(
    mail_practice: MailPractice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
    settings: MailSettings,
    clock: FrozenClock,
) -> None:
    service = _service(mail_practice, settings)
    queued = service.send_care_plan(team.escap_id, team.gp_id)
    smtp_server.handler.hold_in_rcpt = True

    _kill_while_held(_deliverer(mail_practice, smtp_server, certificates, clock), smtp_server)

    [item] = service.outbox()
    assert item.state == mail_queue.SENDING
    assert smtp_server.received == []

    _run_to_end(_deliverer(mail_practice, smtp_server, certificates, clock))

    [received] = smtp_server.received
    assert received.message_id == queued.message_id
    [item] = service.outbox()
    assert (item.state, item.attempts, item.maybe_sent) == (mail_queue.SENT, 2, False)


def test_a_run_does_not_take_back_what_another_live_run_is_sending(
    mail_practice: MailPractice, team: Team, settings: MailSettings, clock: FrozenClock
) -> None:
    """Recovery is for rows of dead runs only: the same run's claimed row is left alone."""
    service = _service(mail_practice, settings)
    service.send_care_plan(team.escap_id, team.gp_id)
    store = mail_practice.practice.store
    with store.unit_of_work(team.nurse_id) as uow:
        claimed = mail_queue.claim_next(uow.session, "run-a", clock.now())
    assert claimed is not None
    with store.unit_of_work(team.nurse_id) as uow:
        assert mail_queue.claim_next(uow.session, "run-b", clock.now()) is None
        assert mail_queue.recover_interrupted(uow.session, "run-a", clock.now()) == []
    with store.unit_of_work(team.nurse_id) as uow:
        [recovered] = mail_queue.recover_interrupted(uow.session, "run-b", clock.now())
    assert (recovered.state, recovered.maybe_sent) == (mail_queue.QUEUED, False)
