"""The invitation by MSSanté through the real windows: the nurse invites the médecin traitant
(who has only MSSanté) from the team tab, a real SMTP server receives the letter — the patient
by initials and age only, no XDM archive —, the GP answers « J'accepte » from their own address
into a real dovecot, and the team tab then shows the GP as a member. A message that could not
leave is tried again from the team tab once the settings are right."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import MembershipStatus
from escap_desktop.services.practice import Practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController
from escap_desktop.ui.mail.send_dialog import INVITATION_TITLE, SendPlanDialog
from escap_desktop.ui.main_window.main_controller import MainController
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import (
    GP_ADDRESS,
    Team,
    _aiosmtpd_warnings,
    certificates,
    smtp_server,
)
from tests.mail.imap_server import ImapServer
from tests.mail.smtp_server import MailServer, free_port
from tests.mail.test_imap_replies import _reply, imap_server
from tests.ui.test_mssante_gui import (
    LEFT,
    _channel_of,
    _configure,
    _send_to_gp,
    _team_page,
    main,
    nurse_practice,
    team,
)

FIXTURES = (_aiosmtpd_warnings, certificates, smtp_server, imap_server, main, nurse_practice, team)
"""The real servers and the nurse's window of the neighbouring tests, used here by name."""


def _gp_status(page: EscapPageController, team: Team) -> MembershipStatus:
    [member] = [m for m in page.view.members.model.rows if m.professional.id == team.gp_id]
    return member.membership.status


def _invite_gp(qtbot: QtBot, page: EscapPageController, team: Team) -> SendPlanDialog:
    members = page.view.members
    assert members.select_professional(team.gp_id)
    assert members.mail_button.isEnabled()
    assert members.invite_mail_action.isEnabled()
    members.invite_mail_action.trigger()  # « MSSanté › Inviter par MSSanté… »
    dialog = page.dialog
    assert isinstance(dialog, SendPlanDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == INVITATION_TITLE
    return dialog


def test_the_gp_invited_by_mssante_accepts_by_replying_and_becomes_a_member(
    qtbot: QtBot,
    shell: Shell,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    imap_server: ImapServer,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    _configure(qtbot, main, smtp_server.port, certificates, imap_port=imap_server.port)
    page = _team_page(main, team)
    assert _gp_status(page, team) is MembershipStatus.INVITED

    dialog = _invite_gp(qtbot, page, team)
    assert dialog.address() == GP_ADDRESS
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)

    [sent] = smtp_server.received
    assert sent.recipients == (GP_ADDRESS,)
    message = sent.message
    assert str(message["Subject"]).startswith("Invitation à une ESCAP – patient Z. D., ")
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "« J'accepte » ou « Je refuse »" in body
    attachments = {part.get_filename(): part for part in message.iter_attachments()}
    assert "IHE_XDM.ZIP" not in attachments  # no identity to file it under
    [pdf] = [part.get_content() for name, part in attachments.items() if name.endswith(".pdf")]
    letter = " ".join(page_.extract_text() for page_ in PdfReader(BytesIO(pdf)).pages)
    assert "Z. D." in letter  # initials and age only, as the printed letter
    assert "ALMEIDA" not in letter.upper()
    assert "ALMEIDA" not in body.upper()
    qtbot.waitUntil(lambda: _channel_of(page, team.gp_id).startswith("MSSanté, le "))

    imap_server.deliver(_reply(sent, "J'accepte, avec plaisir.\nDr Lefèvre", clock))
    with (
        qtbot.waitSignal(main.mail.replies_recorded, timeout=30_000),
        qtbot.assertNotEmitted(shell.errors.crash_reported),
    ):
        assert main.mail.deliver_now()  # what the controller's timer does every minute
    qtbot.waitUntil(lambda: _gp_status(page, team) is MembershipStatus.ACCEPTED, timeout=10_000)
    assert main.window.status.currentMessage().startswith(
        "MSSanté : Dr Étienne LEFÈVRE accepte de rejoindre l'ESCAP de D'ALMEIDA Zoë"
    )
    trail = [line.record for line in nurse_practice.audit.patient_trail(team.patient_id)]
    assert "Invitation envoyée par MSSanté" in trail
    assert "Acceptation de l'invitation reçue par MSSanté" in trail
    assert not page.view.members.invite_mail_action.isEnabled()  # answered: no second letter


def test_a_message_that_could_not_leave_is_tried_again_from_the_team_tab(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
) -> None:
    _configure(qtbot, main, free_port(), certificates)  # a wrong port: nothing listens there
    page = _team_page(main, team)
    dialog = _send_to_gp(qtbot, page, team)
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)
    members = page.view.members
    assert members.select_professional(team.gp_id)
    assert members.retry_mail_action.isVisible()
    assert smtp_server.received == []

    kept = nurse_practice.profile.mail_settings()
    assert kept is not None
    nurse_practice.profile.save_mail_settings(replace(kept, port=smtp_server.port))  # corrected
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        members.retry_mail_action.trigger()

    assert [r.recipients for r in smtp_server.received] == [(GP_ADDRESS,)]
    qtbot.waitUntil(lambda: _channel_of(page, team.gp_id).startswith("MSSanté, le "))
    assert not members.retry_mail_action.isVisible()  # nothing waits any more
