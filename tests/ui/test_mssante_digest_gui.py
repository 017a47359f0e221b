"""The team's news by MSSanté through the real windows: the nurse sends the messages and events
of the ESCAP to the members without the app from the team tab; a real SMTP server receives
each recipient's own digest — the GP reads the medical message and the hospitalisation, the
social worker only the social message —, and the next digest carries only what is new."""

from __future__ import annotations

import zipfile
from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import DataCategory, EventKind
from escap_desktop.exports.xdm import read_xdm
from escap_desktop.services.practice import Practice
from escap_desktop.ui.escap_page.escap_page_controller import EscapPageController
from escap_desktop.ui.mail.send_dialog import DIGEST_TITLE, SendPlanDialog
from escap_desktop.ui.main_window.main_controller import MainController
from tests.mail.certificates import CertificateFiles
from tests.mail.conftest import (
    GP_ADDRESS,
    SOCIAL_WORKER_ADDRESS,
    Team,
    _aiosmtpd_warnings,
    certificates,
    smtp_server,
)
from tests.mail.smtp_server import MailServer
from tests.ui.test_mssante_gui import LEFT, _configure, _team_page, main, nurse_practice, team

FIXTURES = (_aiosmtpd_warnings, certificates, smtp_server, main, nurse_practice, team)
"""The real server and the nurse's window of the neighbouring tests, used here by name."""
MEDICAL = "Plaie du talon plus rouge ce matin, j'ai refait le pansement."
SOCIAL = "Le dossier d'aide à domicile est déposé à la mairie."
HOSPITAL_NOTE = "Chute, deux nuits en gériatrie"


def _send_digest(
    qtbot: QtBot, main: MainController, page: EscapPageController, professional_id: str
) -> None:
    members = page.view.members
    assert members.select_professional(professional_id)
    assert members.digest_mail_action.isEnabled()
    members.digest_mail_action.trigger()  # « MSSanté › Envoyer les nouvelles de l'équipe… »
    dialog = page.dialog
    assert isinstance(dialog, SendPlanDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.windowTitle() == DIGEST_TITLE
    with qtbot.waitSignal(main.mail.delivered, timeout=30_000):
        qtbot.mouseClick(dialog.send_button, LEFT)
    qtbot.waitUntil(lambda: not main.mail.running, timeout=30_000)


def _pdf_text(message: EmailMessage) -> str:
    for part in message.iter_attachments():
        if (part.get_filename() or "").endswith(".pdf"):
            pdf = part.get_content()
            return " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    raise AssertionError("pas de PDF joint")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_each_member_without_the_app_receives_the_news_they_may_read_then_only_whats_new(
    qtbot: QtBot,
    main: MainController,
    nurse_practice: Practice,
    team: Team,
    smtp_server: MailServer,
    certificates: CertificateFiles,
    clock: FrozenClock,
) -> None:
    nurse_practice.messages.post(team.escap_id, MEDICAL)
    nurse_practice.messages.post(team.escap_id, SOCIAL, DataCategory.SOCIAL)
    nurse_practice.events.record(
        team.escap_id, EventKind.HOSPITALISATION, clock.today() - timedelta(days=3), HOSPITAL_NOTE
    )
    _configure(qtbot, main, smtp_server.port, certificates)
    page = _team_page(main, team)

    _send_digest(qtbot, main, page, team.gp_id)
    _send_digest(qtbot, main, page, team.social_worker_id)

    to_gp, to_social_worker = smtp_server.received
    assert to_gp.recipients == (GP_ADDRESS,)
    assert str(to_gp.message["Subject"]).startswith("Nouvelles de l'équipe ESCAP – D'ALMEIDA Zoë")
    gp_news = _flat(_pdf_text(to_gp.message))
    assert _flat(MEDICAL) in gp_news
    assert _flat(SOCIAL) in gp_news
    assert "Hospitalisation" in gp_news
    assert HOSPITAL_NOTE in gp_news
    for part in to_gp.message.iter_attachments():
        if part.get_filename() == "IHE_XDM.ZIP":
            archive = part.get_content()
            read_xdm(archive)  # metadata parse, hash and size match
            assert "IHE_XDM/SUBSET01/METADATA.XML" in zipfile.ZipFile(BytesIO(archive)).namelist()
    assert to_social_worker.recipients == (SOCIAL_WORKER_ADDRESS,)
    social_news = _flat(_pdf_text(to_social_worker.message))
    assert _flat(SOCIAL) in social_news
    assert _flat(MEDICAL) not in social_news  # a social actor never reads medical data
    assert HOSPITAL_NOTE not in social_news

    # Nothing new for the GP: said on the team tab, nothing queued.
    members = page.view.members
    assert members.select_professional(team.gp_id)
    members.digest_mail_action.trigger()
    dialog = page.dialog
    assert isinstance(dialog, SendPlanDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.mouseClick(dialog.send_button, LEFT)
    assert members.error.text().startswith("Rien de nouveau à envoyer à Dr Étienne LEFÈVRE")
    assert len(smtp_server.received) == 2

    clock.advance(timedelta(hours=2))
    later = "Visite faite, la plaie va mieux."
    nurse_practice.messages.post(team.escap_id, later)
    _send_digest(qtbot, main, page, team.gp_id)
    second = _flat(_pdf_text(smtp_server.received[2].message))
    assert _flat(later) in second
    assert _flat(MEDICAL) not in second  # already sent
