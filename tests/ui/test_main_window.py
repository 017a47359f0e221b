"""The main window on a real practice: list, search, pages, status bar, lock, invitations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import EscapState, MembershipStatus
from escap_desktop.services.practice import Practice
from escap_desktop.services.sync import InvitationSummary
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.invitations.received_invitations_dialog import ReceivedInvitationsDialog
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.main_window.sync_controller import NOT_CONFIGURED
from tests.ui.conftest import ME, forming_team
from tests.ui.main_window_driver import open_main_window
from tests.ui.typing import answer_next_box, type_text


@pytest.fixture
def main(qtbot: QtBot, shell: Shell, practice: Practice) -> Iterator[MainController]:
    controller = open_main_window(qtbot, practice, shell, size=(1366, 768))
    yield controller
    controller.shutdown()


def test_search_then_enter_opens_the_escap_page(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    forming_team(practice)
    with qtbot.waitSignal(main.list_loaded, timeout=10_000):
        main.reload()
    listing = main.window.patient_list
    type_text(listing.search, "martin")
    assert listing.proxy.rowCount() == 1
    assert listing.count_label.text() == "1 patient"
    qtbot.keyClick(listing.search, Qt.Key.Key_Return)
    assert main.window.tabs.count() == 2
    assert main.window.tabs.tabText(1) == "MARTIN Léa"


def test_status_bar_says_offline_and_why(main: MainController) -> None:
    status = main.window.status
    assert status.connection_label.text() == "Hors ligne"
    assert status.connection_label.toolTip() == NOT_CONFIGURED
    assert status.pending_label.text().endswith(("envoyé", "à envoyer"))
    assert "Base : " in status.store_label.text()


def test_my_escaps_and_dashboard_open_as_tabs(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    forming_team(practice)
    main.window.my_escaps_action.trigger()
    assert main.my_escaps is not None
    assert main.my_escaps.title.text().startswith("Mes ESCAP en ")
    main.window.dashboard_action.trigger()
    assert main.dashboard is not None
    qtbot.waitUntil(lambda: main.dashboard is not None and main.dashboard.figures is not None)
    assert main.window.tabs.count() == 3


def test_my_escaps_and_the_patient_list_show_an_incomplete_team(
    qtbot: QtBot, practice: Practice, main: MainController
) -> None:
    patient_id, escap_id = forming_team(practice)
    invited = [
        m.membership
        for m in practice.escaps.overview(escap_id).members
        if m.membership.status is MembershipStatus.INVITED
    ]
    for membership in invited:
        practice.escaps.answer_invitation(membership.id, accepted=True)
    practice.escaps.activate(escap_id)
    practice.escaps.remove_member(invited[0].id)
    with qtbot.waitSignal(main.list_loaded):
        main.reload()
    row = next(r for r in main.summaries if r.patient_id == patient_id)
    assert row.escap_state is EscapState.INCOMPLETE
    model = main.window.patient_list.model
    columns = model.columnCount()
    texts = [model.index(r, c).data() for r in range(model.rowCount()) for c in range(columns)]
    assert "Équipe incomplète" in texts
    assert "Équipe incomplète : inviter un professionnel de santé" in texts

    main.window.my_escaps_action.trigger()
    assert main.my_escaps is not None
    warning = main.my_escaps.incomplete_label
    assert warning.isVisibleTo(main.my_escaps)
    assert warning.text().startswith(f"{row.display_name} : Équipe incomplète.")
    assert "Invitez un professionnel de santé" in warning.text()


def test_lock_hides_the_window_until_the_rpps_is_typed(qtbot: QtBot, main: MainController) -> None:
    main.window.lock_action.trigger()
    assert main.lock.is_locked
    overlay = main.lock.overlays[0]
    type_text(overlay.answer_edit, "12345678901")
    qtbot.keyClick(overlay.answer_edit, Qt.Key.Key_Return)
    assert overlay.error_label.text() == (
        "Ce numéro ne correspond pas au professionnel de cette session."
    )
    overlay.answer_edit.clear()
    type_text(overlay.answer_edit, ME.identifier)
    qtbot.keyClick(overlay.answer_edit, Qt.Key.Key_Return)
    assert not main.lock.is_locked


def test_no_invitation_waiting(qtbot: QtBot, main: MainController) -> None:
    main.window.invitations_action.trigger()
    dialog = main.invitations_dialog
    assert dialog is not None
    assert dialog.empty_label.isVisible()
    assert not dialog.accept_button.isEnabled()
    dialog.reject()


def test_an_invitation_shows_initials_and_age_and_refusals_are_french(
    qtbot: QtBot, practice: Practice
) -> None:
    invitation = InvitationSummary(
        invitation_id="inv-1",
        inviter_name="Dr Paul GARNIER",
        inviter_profession="Médecin",
        role="Suivi diabétologique",
        patient_initials="L. M.",
        patient_age=77,
        received_at=datetime(2025, 6, 2, 9, 30, tzinfo=UTC),
    )
    answers: list[tuple[str, bool]] = []
    dialog = ReceivedInvitationsDialog(
        lambda: [invitation],
        practice.sync.accept_invitation,
        practice.sync.decline_invitation,
    )
    qtbot.addWidget(dialog)
    dialog.answered.connect(lambda i, a: answers.append((i, a)))
    assert dialog.model.index(0, 1).data() == "L. M., 77 ans"
    assert dialog.model.index(0, 0).data() == "Dr Paul GARNIER (Médecin)"
    # Accepting needs the invitation's code, from the letter or the phone.
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text().startswith("Saisissez le code de l'invitation")
    type_text(dialog.code, "ABCD EFGH")
    question = answer_next_box("Accepter et rejoindre l'équipe")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert "vous consentez à rejoindre l'équipe" in question[0]
    assert dialog.error.text().startswith("Ce code d'invitation n'est pas valide")
    dialog.code.clear()
    type_text(dialog.code, "abcd-efgh-jk23")
    question = answer_next_box("Accepter et rejoindre l'équipe")
    qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Invitation introuvable."
    assert answers == []


def test_window_size_is_remembered(
    qtbot: QtBot, shell: Shell, practice: Practice, main: MainController
) -> None:
    main.window.resize(1000, 610)  # the offscreen screen is 800 px wide: only the height fits
    main.window.close()  # saves the geometry
    current = practice.profile.current()
    assert current is not None
    again = MainController(practice, current[1], current[0], shell, main.lock, open_files=False)
    qtbot.addWidget(again.window)
    assert again.window.size().height() == 610  # not the default 720
    again.shutdown()
