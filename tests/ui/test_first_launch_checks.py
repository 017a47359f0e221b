"""The first-launch wizard checks the professional's record before any store exists (no keyring:
the store waits for the passphrase the wizard asks for)."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.startup import Startup
from tests.ui.wizard_driver import enter_profile_fixing_a_short_rpps


def test_without_keyring_the_wizard_explains_a_wrong_rpps_before_any_store_exists(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    startup = Startup(shell, str(tmp_path), open_files=False)
    startup.start()
    qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible())
    wizard = startup.wizard
    assert wizard is not None
    assert startup.practice is None
    enter_profile_fixing_a_short_rpps(qtbot, wizard)

    startup.close()
    wizard.hide()
    wizard.deleteLater()
    startup.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
