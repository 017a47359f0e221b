"""« Protection du coffre… » driven from the keyboard, with real jobs on a real store, and its
menu action in the main window (the idle lock then asks for the new passphrase)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from escap_desktop.core.errors import WrongPassphraseError
from escap_desktop.services.practice import Practice
from escap_desktop.services.store_protection import (
    CONFIRMATION_DIFFERS_MESSAGE,
    WRONG_CURRENT_MESSAGE,
)
from escap_desktop.store import KeyMode, open_store, store_key_mode
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.protection_dialog import Choice, ProtectionDialog
from escap_desktop.ui.runner import JobQueue
from tests.hardening.conftest import folder_bytes
from tests.protection.conftest import NEW_PASSPHRASE, OLD_PASSPHRASE, Opener, patient_names
from tests.ui.main_window_driver import open_main_window
from tests.ui.typing import show_active

JOB_TIMEOUT_MS = 60_000


@pytest.fixture
def jobs(qtbot: QtBot) -> Iterator[JobQueue]:
    queue = JobQueue()
    yield queue
    queue.wait_for_done(JOB_TIMEOUT_MS)


def _dialog(qtbot: QtBot, practice: Practice, jobs: JobQueue) -> ProtectionDialog:
    dialog = ProtectionDialog(practice.protection, jobs, ErrorChannel())
    qtbot.addWidget(dialog)
    show_active(dialog)
    return dialog


def _type(qtbot: QtBot, dialog: ProtectionDialog, current: str, new: str, again: str) -> None:
    """Types each field and moves on with Tab, as someone at the keyboard does."""
    dialog.current_edit.setFocus()
    qtbot.keyClicks(dialog.current_edit, current)
    qtbot.keyClick(dialog.current_edit, Qt.Key.Key_Tab)
    assert dialog.new_edit.hasFocus()
    qtbot.keyClicks(dialog.new_edit, new)
    qtbot.keyClick(dialog.new_edit, Qt.Key.Key_Tab)
    assert dialog.confirmation_edit.hasFocus()
    qtbot.keyClicks(dialog.confirmation_edit, again)


def test_a_new_passphrase_typed_twice_then_enter(
    qtbot: QtBot, tmp_path: Path, open_folder: Opener, jobs: JobQueue
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    names = patient_names(practice)
    dialog = _dialog(qtbot, practice, jobs)
    assert list(dialog.radios) == [Choice.CHANGE_PASSPHRASE, Choice.USE_KEYRING, Choice.REKEY]
    assert dialog.choice is Choice.CHANGE_PASSPHRASE
    _type(qtbot, dialog, OLD_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE)

    with qtbot.waitSignal(dialog.protection_changed, timeout=JOB_TIMEOUT_MS) as changed:
        qtbot.keyClick(dialog.confirmation_edit, Qt.Key.Key_Return)
        assert dialog.running
        assert dialog.progress.isVisible()
        assert not dialog.apply_button.isEnabled()

    assert changed.args[0].mode is KeyMode.PASSPHRASE
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert patient_names(practice) == names
    practice.close()
    with pytest.raises(WrongPassphraseError):
        open_store(folder, OLD_PASSPHRASE)
    assert patient_names(open_folder(folder, NEW_PASSPHRASE)) == names


def test_errors_show_under_their_field_and_change_nothing(
    qtbot: QtBot, tmp_path: Path, open_folder: Opener, jobs: JobQueue
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder, OLD_PASSPHRASE)
    before = folder_bytes(folder)
    dialog = _dialog(qtbot, practice, jobs)

    _type(qtbot, dialog, OLD_PASSPHRASE, NEW_PASSPHRASE, NEW_PASSPHRASE + " bis")
    with qtbot.assertNotEmitted(dialog.protection_changed):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    assert not dialog.running  # refused on the GUI thread, before any job
    assert dialog.form_errors.message("confirmation") == CONFIRMATION_DIFFERS_MESSAGE
    assert dialog.confirmation_edit.hasFocus()

    dialog.current_edit.clear()
    dialog.confirmation_edit.clear()
    qtbot.keyClicks(dialog.current_edit, "pas la bonne phrase")
    qtbot.keyClicks(dialog.confirmation_edit, NEW_PASSPHRASE)
    with qtbot.waitSignal(jobs.idle, timeout=JOB_TIMEOUT_MS):
        qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)

    assert dialog.form_errors.message("current_passphrase") == WRONG_CURRENT_MESSAGE
    assert dialog.form_errors.message("confirmation") == ""
    assert dialog.isVisible()
    assert dialog.apply_button.isEnabled()
    assert folder_bytes(folder) == before


def test_the_menu_action_moves_a_keyring_store_to_a_passphrase_and_the_lock_follows(
    qtbot: QtBot, tmp_path: Path, open_folder: Opener, shell: Shell
) -> None:
    folder = tmp_path / "donnees"
    practice = open_folder(folder)
    main = open_main_window(qtbot, practice, shell)
    try:
        main.window.protection_action.trigger()
        dialog = main.dialog
        assert isinstance(dialog, ProtectionDialog)
        assert list(dialog.radios) == [Choice.USE_PASSPHRASE, Choice.REKEY]
        assert not dialog.current_edit.isVisible()  # the keyring opens this store
        qtbot.keyClicks(dialog.new_edit, NEW_PASSPHRASE)
        qtbot.keyClicks(dialog.confirmation_edit, NEW_PASSPHRASE)
        with qtbot.waitSignal(dialog.protection_changed, timeout=JOB_TIMEOUT_MS):
            qtbot.keyClick(dialog.confirmation_edit, Qt.Key.Key_Return)

        assert store_key_mode(folder) is KeyMode.PASSPHRASE
        main.lock.lock()
        assert not main.lock.try_unlock(main.me.identifier)  # the RPPS number no longer unlocks
        assert not main.lock.try_unlock(OLD_PASSPHRASE)
        assert main.lock.try_unlock(NEW_PASSPHRASE)
        assert len(patient_names(practice)) == 4
    finally:
        main.shutdown()
