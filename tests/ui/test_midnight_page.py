"""The ESCAP page at half past midnight in Paris: the day it shows and proposes is the French one.

The UTC instant stored at 00:30 in Paris is still yesterday's; the page must still say the team
is active since today, propose today for billing and exit, and accept them.
"""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock, paris_instant
from escap_desktop.core.entities import EscapState, ExitReason, MembershipStatus
from escap_desktop.services.practice import Practice
from escap_desktop.ui.escap_page.escap_page_view import BILLING_TAB
from escap_desktop.ui.escap_page.exit_dialog import ExitDialog
from tests.ui.conftest import forming_team
from tests.ui.escap_page_driver import me, open_page, save

LEFT = Qt.MouseButton.LeftButton


def test_a_team_activated_at_half_past_midnight_reads_today_and_bills_today(
    qtbot: QtBot, practice: Practice, clock: FrozenClock
) -> None:
    clock.set(paris_instant(clock.today() + timedelta(days=1), 0, 30))
    today = f"{clock.today():%d/%m/%Y}"
    _patient_id, escap_id = forming_team(practice)
    for member in practice.escaps.overview(escap_id).members:
        if member.membership.status is MembershipStatus.INVITED:
            practice.escaps.answer_invitation(member.membership.id, accepted=True)
    practice.escaps.activate(escap_id)

    page = open_page(qtbot, practice, escap_id)
    view = page.view
    assert view.dates_label.text() == f"Active depuis le {today}"

    view.tabs.setCurrentIndex(BILLING_TAB)
    assert view.billing.billed_on.text() == today
    assert view.billing.select_professional(me(practice).id)
    assert view.billing.entry_button.isEnabled()
    qtbot.mouseClick(view.billing.entry_button, LEFT)
    mine = practice.billing.status(escap_id).member(me(practice).id)
    assert mine is not None
    assert mine.entry_billed_on == clock.today()

    qtbot.mouseClick(view.exit_button, LEFT)
    dialog = page.dialog
    assert isinstance(dialog, ExitDialog)
    assert dialog.closed_on.text() == today
    dialog.reason.setCurrentIndex(dialog.reason.findData(ExitReason.IMPROVED))
    save(qtbot, dialog.findChild(QDialogButtonBox))
    assert not dialog.isVisible()
    assert practice.escaps.get(escap_id).state is EscapState.CLOSED
    assert view.dates_label.text().startswith(f"Active depuis le {today}, clôturée le {today}")
