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
from tests.sync.team import Member, code_on_letter, start_escap
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
