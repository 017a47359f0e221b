"""MSSanté through the real windows: the nurse sets up her mailbox in « Messagerie sécurisée
MSSanté… », sends the care plan from the team tab to the médecin traitant who has only
MSSanté, a real local SMTP submission server (STARTTLS, AUTH, the test's own authority)
receives it with its IHE_XDM.ZIP, and the members panel says the GP was reached by MSSanté."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock
from escap_desktop.exports.xdm import read_xdm
from escap_desktop.services.mssante import NOT_CONFIGURED
from escap_desktop.services.practice import Practice, open_practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController
from escap_desktop.ui.escap_page.escap_page_view import TEAM_TAB
from escap_desktop.ui.escap_page.members_panel import ReachedMemberTableModel
from escap_desktop.ui.mail.send_dialog import SendPlanDialog
from escap_desktop.ui.mail.settings_dialog import MailSettingsDialog
from escap_desktop.ui.main_window.main_controller import MainController
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import (
    GP_ADDRESS,
    NURSE,
    SENDER,
    Team,
    _aiosmtpd_warnings,
    build_team,
    certificates,
    smtp_server,
)
from tests.mail.smtp_server import LOGIN, PASSWORD, MailServer, free_port
from tests.ui.main_window_driver import open_main_window
from tests.ui.typing import answer_next_box, type_text

MAIL_FIXTURES = (_aiosmtpd_warnings, certificates, smtp_server)
"""The mail tests' fixtures (the real SMTP server and its authority), used here by name."""
LEFT = Qt.MouseButton.LeftButton
OTHER_ADDRESS = "e.lefevre@autre-cabinet.mssante.fr"


@pytest.fixture
def nurse_practice(tmp_path: Path, clock: FrozenClock) -> Iterator[Practice]:
    """The nurse's own practice (she has ESCAP Desktop; the GP of her patient has not)."""
    data_dir = tmp_path / "donnees"
    data_dir.mkdir()
    opened = open_practice(data_dir, clock=clock)
    opened.profile.save(NURSE)
    yield opened
    opened.close()


@pytest.fixture
def team(nurse_practice: Practice) -> Team:
    return build_team(nurse_practice)


@pytest.fixture
def main(qtbot: QtBot, shell: Shell, nurse_practice: Practice) -> Iterator[MainController]:
    controller = open_main_window(qtbot, nurse_practice, shell, size=(1366, 768))
    yield controller
    controller.shutdown()


def _settings_dialog(qtbot: QtBot, main: MainController) -> MailSettingsDialog:
    """« Fichier › Messagerie sécurisée MSSanté… », as the nurse chooses it."""
    file_menu = main.window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    assert main.mail_settings_action in file_menu.actions()
    main.mail_settings_action.trigger()
    dialog = main.mail_settings_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _configure(
    qtbot: QtBot,
    main: MainController,
    port: int,
    certificates: CertificateFiles,
    *,
    imap_port: int | None = None,
) -> None:
    """The nurse types her operator's settings; ``imap_port``: its reading server (STARTTLS)
    on this computer too, else she leaves the reading server empty."""
    dialog = _settings_dialog(qtbot, main)
    type_text(dialog.host, "127.0.0.1")
    type_text(dialog.port, str(port))
    if imap_port is not None:
        type_text(dialog.imap_host, "127.0.0.1")
        dialog.imap_tls.setFocus()
        dialog.imap_tls.setCurrentIndex(dialog.imap_tls.findText("STARTTLS"))
        type_text(dialog.imap_port, str(imap_port))
    type_text(dialog.login, LOGIN)
    type_text(dialog.password, PASSWORD)
    type_text(dialog.sender_address, SENDER)
    type_text(dialog.sender_name, "Awa N'DIAYE")
    type_text(dialog.ca_file, str(certificates.ca_file))
    qtbot.mouseClick(dialog.buttons.buttons()[0], LEFT)  # Enregistrer
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == dialog.DialogCode.Accepted
    # saving looks at the outbox at once (empty here): let that run end before sending
    qtbot.waitUntil(lambda: not main.mail.running, timeout=10_000)


def _team_page(main: MainController, team: Team) -> EscapPageController:
    main.open_patient(team.patient_id)
    page = main.pages[team.patient_id]
    page.view.tabs.setCurrentIndex(TEAM_TAB)
    return page


def _channel_of(page: EscapPageController, professional_id: str) -> str:
    model = page.view.members.model
    assert isinstance(model, ReachedMemberTableModel)
    for row, member in enumerate(model.rows):
        if member.professional.id == professional_id:
            return str(model.index(row, model.CHANNEL).data())
    raise AssertionError("membre absent du tableau")


def _send_to_gp(qtbot: QtBot, page: EscapPageController, team: Team) -> SendPlanDialog:
    members = page.view.members
    assert members.select_professional(team.gp_id)
    assert members.mail_button.isEnabled()
    assert members.plan_mail_action.isEnabled()
    members.plan_mail_action.trigger()  # « MSSanté › Envoyer le plan de soins… »
    dialog = page.dialog
    assert isinstance(dialog, SendPlanDialog)
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _xdm(message: EmailMessage) -> bytes:
    for part in message.iter_attachments():
        if part.get_filename() == "IHE_XDM.ZIP":
            payload = part.get_content()
            assert isinstance(payload, bytes)
            return payload
    raise AssertionError("pas de pièce jointe IHE_XDM.ZIP")


def test_the_nurse_configures_mssante_and_the_gp_receives_the_plan_as_xdm(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
) -> None:
    _configure(qtbot, main, smtp_server.port, certificates)
    kept = nurse_practice.profile.mail_settings()
    assert kept is not None
    assert kept.sender == SENDER
    assert kept.port == smtp_server.port
    page = _team_page(main, team)
    assert _channel_of(page, team.gp_id) == ""  # invited, not reached yet

    dialog = _send_to_gp(qtbot, page, team)
    assert dialog.address() == GP_ADDRESS  # the directory's address, not typed by hand
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)

    assert len(smtp_server.received) == 1
    received = smtp_server.received[0]
    assert received.recipients == (GP_ADDRESS,)
    assert received.sender == SENDER
    archive = _xdm(received.message)
    assert "IHE_XDM/SUBSET01/METADATA.XML" in zipfile.ZipFile(BytesIO(archive)).namelist()
    read_xdm(archive)  # METADATA.XML parses, the document's hash and size match
    assert nurse_practice.mssante.pending_count() == 0
    qtbot.waitUntil(lambda: _channel_of(page, team.gp_id).startswith("MSSanté, le "))
    assert _channel_of(page, team.gp_id) == f"MSSanté, le {nurse_practice.clock.today():%d/%m/%Y}"
    assert "MSSanté : 1 message envoyé." in main.window.status.currentMessage()


def test_another_address_is_used_only_after_an_explicit_confirmation(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
) -> None:
    _configure(qtbot, main, smtp_server.port, certificates)
    page = _team_page(main, team)

    dialog = _send_to_gp(qtbot, page, team)
    dialog.address_edit.clear()
    type_text(dialog.address_edit, OTHER_ADDRESS)
    refused = answer_next_box("Annuler")
    qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: bool(refused))
    assert "n'est pas celle du dossier" in refused[0]
    assert nurse_practice.mssante.outbox() == []
    assert page.view.members.error.text() == "Rien n'a été envoyé."

    dialog = _send_to_gp(qtbot, page, team)
    dialog.address_edit.clear()
    type_text(dialog.address_edit, OTHER_ADDRESS)
    confirmed = answer_next_box("Envoyer à cette adresse")
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    assert confirmed
    assert [r.recipients for r in smtp_server.received] == [(OTHER_ADDRESS,)]


def test_a_refused_connection_is_said_in_the_status_bar_and_the_mail_stays_queued(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    certificates: CertificateFiles,
) -> None:
    _configure(qtbot, main, free_port(), certificates)  # nothing listens there
    page = _team_page(main, team)
    dialog = _send_to_gp(qtbot, page, team)
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)

    assert nurse_practice.mssante.pending_count() == 1
    message = main.window.status.currentMessage()
    assert message.startswith("MSSanté : ")
    assert "repartiront automatiquement" in message
    assert main.mail.label.text() == "MSSanté : 1 message en attente"
    assert _channel_of(page, team.gp_id) == "MSSanté : en attente d'envoi"


def test_without_settings_the_team_tab_says_mssante_is_not_configured(
    qtbot: QtBot, main: MainController, team: Team
) -> None:
    page = _team_page(main, team)
    members = page.view.members
    assert members.select_professional(team.gp_id)
    members.plan_mail_action.trigger()
    assert page.dialog is None
    assert members.error.text() == NOT_CONFIGURED


def test_a_plan_changed_since_it_was_mailed_is_said_then_sent_again(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    _configure(qtbot, main, smtp_server.port, certificates)
    page = _team_page(main, team)
    dialog = _send_to_gp(qtbot, page, team)
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    sent_on = f"MSSanté, le {clock.today():%d/%m/%Y}"
    qtbot.waitUntil(lambda: _channel_of(page, team.gp_id) == sent_on)

    clock.advance(timedelta(hours=3))
    nurse_practice.plan.add(team.escap_id, "Prise de sang à domicile", responsible_id=team.nurse_id)
    page.refresh()
    assert _channel_of(page, team.gp_id) == f"{sent_on} — plan modifié depuis"

    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)
    dialog = _send_to_gp(qtbot, page, team)
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    sent_again = f"MSSanté, le {clock.today():%d/%m/%Y}"  # three hours on: maybe the next day
    qtbot.waitUntil(lambda: _channel_of(page, team.gp_id) == sent_again)
    assert len(smtp_server.received) == 2
