"""The main window against a real relay (in process): status bar, invitations, background sync."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.main_controller import MainController
from tests.sync.conftest import (  # noqa: F401 - fixtures
    MemberFactory,
    sqlite_members,
    sqlite_relay,
    sqlite_relay_url,
)
from tests.sync.team import Member, active_team, code_on_letter, start_escap
from tests.ui.escap_page_driver import open_page
from tests.ui.main_window_driver import open_main_window
from tests.ui.typing import answer_next_box, type_text


def _main(qtbot: QtBot, shell: Shell, member: Member) -> MainController:
    return open_main_window(qtbot, member.practice, shell)


def test_an_invitation_is_answered_and_the_team_arrives(
    qtbot: QtBot,
    shell: Shell,
    sqlite_members: MemberFactory,  # noqa: F811
) -> None:
    gp = sqlite_members("gp")
    start_escap(gp, ["dietitian"])
    dietitian = sqlite_members("dietitian")
    dietitian.cycle()  # the dietitian's device registers on the relay
    gp.cycle()  # the invitation leaves
    main = _main(qtbot, shell, dietitian)
    try:
        assert main.window.patient_list.model.rowCount() == 0
        with qtbot.waitSignal(main.sync.synced, timeout=20_000):
            main.window.sync_action.trigger()
        assert main.window.status.connection_label.text() == "En ligne"
        assert main.window.invitations_action.text() == "&Invitations reçues (1)…"

        main.window.invitations_action.trigger()
        dialog = main.invitations_dialog
        assert dialog is not None
        patient = dialog.model.index(0, 1).data()
        assert patient.startswith("Z. D., ")  # initials and age only, until accepted
        assert patient.endswith(" ans")
        assert "Almeida" not in patient
        # The code printed on the letter the GP handed over.
        selected = dialog.table.selected_row()
        assert selected is not None
        type_text(dialog.code, code_on_letter(dietitian, selected.invitation_id))
        answer_next_box("Accepter et rejoindre l'équipe")
        with qtbot.waitSignal(main.sync.synced, timeout=20_000):
            qtbot.mouseClick(dialog.accept_button, Qt.MouseButton.LeftButton)
        assert main.window.patient_list.model.rowCount() == 0  # until the GP's computer checks
        assert gp.cycle().invitations_confirmed == 1
        with qtbot.waitSignal(main.sync.synced, timeout=20_000):
            main.window.sync_action.trigger()
        qtbot.waitUntil(lambda: main.window.patient_list.model.rowCount() == 1, timeout=10_000)
        [row] = main.summaries
        assert row.display_name.startswith("D'ALMEIDA-LEFÈVRE")
        assert main.window.invitations_action.text() == "&Invitations reçues…"
    finally:
        main.shutdown()


def test_a_removed_member_s_page_says_so_and_offers_no_writes(
    qtbot: QtBot,
    sqlite_members: MemberFactory,  # noqa: F811
) -> None:
    gp, _nurse, physio, escap = active_team(sqlite_members)
    gp.practice.messages.post(escap.id, "Avant le retrait.")
    gp.cycle()
    physio.cycle()
    removed = next(
        m.membership
        for m in gp.practice.escaps.overview(escap.id).members
        if m.professional.identifier == physio.me.identifier
    )
    gp.practice.escaps.remove_member(removed.id)
    gp.cycle()
    physio.cycle()  # the relay no longer serves her device: it learns it was removed

    page = open_page(qtbot, physio.practice, escap.id)
    view = page.view
    assert view.next_step_label.text().startswith(
        "Vous avez été retiré(e) de l'équipe de cette ESCAP le "
    )
    assert "ce que vous y avez écrit reste consultable" in view.next_step_label.text()
    assert not view.plan.add_button.isEnabled()
    assert not view.members.add_button.isEnabled()
    assert view.messages.model.rowCount() == 1  # what she had stays
    assert not view.messages.send_button.isEnabled()
