"""The médecin traitant's reply through the real windows: the nurse sets up her MSSanté mailbox
with its reading server (a real dovecot, STARTTLS, the test authority), sends the care plan to
the GP by a real SMTP server, the GP answers « Je valide le plan » from their own address, and
after the delivery controller's next look at the mailbox the plan tab shows the actions
validated and the status bar says who validated whose plan. A reply from another address and a
mailbox that cannot be read are said in the status bar too, never in a popup."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock, paris_date
from escap_desktop.services.practice import Practice
from escap_desktop.services.profile import TlsMode
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController
from escap_desktop.ui.escap_page.escap_page_view import PLAN_TAB
from escap_desktop.ui.escap_page.plan_panel import PlanPanel
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.models.action_table_model import ActionTableModel
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import (
    MEDICAL_ACTION,
    Team,
    _aiosmtpd_warnings,
    certificates,
    smtp_server,
)
from tests.mail.imap_server import ImapServer
from tests.mail.smtp_server import MailServer, Received, free_port
from tests.mail.test_imap_replies import _reply, imap_server
from tests.ui.test_mssante_gui import (
    LEFT,
    _configure,
    _send_to_gp,
    _team_page,
    main,
    nurse_practice,
    team,
)

FIXTURES = (_aiosmtpd_warnings, certificates, smtp_server, imap_server, main, nurse_practice, team)
"""The real servers and the nurse's window of the neighbouring tests, used here by name."""
GP_NAME = "Dr Étienne LEFÈVRE"
PATIENT_NAME = "D'ALMEIDA Zoë"


def _send_plan(
    qtbot: QtBot, main: MainController, team: Team, smtp_server: MailServer
) -> tuple[EscapPageController, Received]:
    """The nurse sends the plan to the GP from the team tab; the delivery, then the look at the
    mailbox after it (empty yet), end."""
    page = _team_page(main, team)
    dialog = _send_to_gp(qtbot, page, team)
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)
    [sent] = smtp_server.received
    return page, sent


def _validated_on(plan: PlanPanel, title: str) -> str:
    """What the plan tab shows in « Validée par le MT » for the action ``title``."""
    model = plan.model
    for row, action in enumerate(model.rows):
        if action.title == title:
            return str(model.index(row, ActionTableModel.MT_VALIDATED).data())
    raise AssertionError(f"action absente du plan : {title}")


def _look_at_the_mailbox(qtbot: QtBot, main: MainController) -> None:
    """What the controller's timer does every minute: a delivery run, then the replies."""
    assert main.mail.deliver_now()
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)


def test_the_gps_validation_read_from_the_mailbox_shows_on_the_plan_tab(
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
    kept = nurse_practice.profile.mail_settings()
    assert kept is not None
    assert (kept.imap_host, kept.imap_port, kept.imap_tls) == (
        "127.0.0.1",
        imap_server.port,
        TlsMode.STARTTLS,
    )
    page, sent = _send_plan(qtbot, main, team, smtp_server)
    page.view.tabs.setCurrentIndex(PLAN_TAB)
    plan = page.view.plan
    assert _validated_on(plan, MEDICAL_ACTION) == ""
    assert main.mail.last_reply_problem == ""  # the mailbox was read (nothing to record yet)

    imap_server.deliver(_reply(sent, "Bonjour,\nJe valide le plan.\nDr Lefèvre", clock))
    with (
        qtbot.waitSignal(main.list_loaded, timeout=30_000),  # the patient list is read again
        qtbot.waitSignal(main.mail.replies_recorded, timeout=30_000) as recorded,
        qtbot.assertNotEmitted(shell.errors.message_posted),
        qtbot.assertNotEmitted(shell.errors.crash_reported),
    ):
        assert main.mail.deliver_now()  # what the controller's timer does every minute

    [reply] = recorded.args[0].recorded
    assert reply.escap_id == team.escap_id
    answered = paris_date(clock.now() + timedelta(days=1))
    qtbot.waitUntil(lambda: _validated_on(plan, MEDICAL_ACTION) == f"{answered:%d/%m/%Y}")
    validated = sum(1 for action in plan.model.rows if action.mt_validated_on is not None)
    assert validated >= 1
    assert f"{validated} validée(s) par le médecin traitant." in plan.summary_label.text()
    assert plan.select_action(next(a.id for a in plan.model.rows if a.title == MEDICAL_ACTION))
    assert not plan.validated_button.isEnabled()  # nothing left to validate by hand
    message = main.window.status.currentMessage()
    assert message.startswith(f"MSSanté : {GP_NAME} valide le plan de soins de {PATIENT_NAME} : « ")
    assert "Je valide le plan" in message

    # The next look reads nothing new: no second recording, the message stays the same.
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)
    with qtbot.assertNotEmitted(main.mail.replies_recorded):
        _look_at_the_mailbox(qtbot, main)


def test_a_reply_from_another_address_is_said_and_not_recorded(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    imap_server: ImapServer,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    _configure(qtbot, main, smtp_server.port, certificates, imap_port=imap_server.port)
    page, sent = _send_plan(qtbot, main, team, smtp_server)
    imap_server.deliver(_reply(sent, "Je valide.", clock, sender="quelquun@autre.mssante.fr"))

    with qtbot.assertNotEmitted(main.mail.replies_recorded):
        _look_at_the_mailbox(qtbot, main)

    message = main.window.status.currentMessage()
    assert message.startswith("MSSanté : Une réponse au plan de soins envoyé à ")
    assert "quelquun@autre.mssante.fr" in message
    assert "elle n'est pas enregistrée" in message
    page.view.tabs.setCurrentIndex(PLAN_TAB)
    assert _validated_on(page.view.plan, MEDICAL_ACTION) == ""


def test_a_mailbox_that_cannot_be_read_is_said_in_the_status_bar_without_a_popup(
    qtbot: QtBot,
    shell: Shell,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
) -> None:
    closed = free_port()  # nothing listens there
    _configure(qtbot, main, smtp_server.port, certificates, imap_port=closed)
    _send_plan(qtbot, main, team, smtp_server)
    assert len(smtp_server.received) == 1  # sending works: only the reading fails

    with (
        qtbot.assertNotEmitted(shell.errors.message_posted),
        qtbot.assertNotEmitted(shell.errors.crash_reported),
    ):
        _look_at_the_mailbox(qtbot, main)

    assert main.window.status.currentMessage() == (
        f"MSSanté : Le serveur de réception 127.0.0.1:{closed} refuse la connexion : vérifiez "
        "le serveur et le port, ou réessayez plus tard. Les réponses seront relues "
        "automatiquement."
    )
    assert main.mail.last_reply_problem.startswith("Le serveur de réception ")
