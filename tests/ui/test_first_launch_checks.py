"""The first-launch wizard checks the professional's record before any store exists (no keyring:
the store waits for the passphrase the wizard asks for)."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from escap_desktop.core.entities import Profession
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.startup import Startup
from tests.ui.typing import type_text
from tests.ui.wizard_driver import press_next


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
    press_next(qtbot, wizard)
    form = wizard.profile_page.form
    type_text(form.last_name, "Lefèvre")
    type_text(form.first_name, "Marie")
    form.profession.setCurrentIndex(form.profession.findData(Profession.MEDECIN))
    type_text(form.identifier, "1000123456")
    press_next(qtbot, wizard)
    assert form.errors.message("identifier").startswith("Le numéro RPPS doit comporter 11 chiffres")
    assert wizard.currentPage() is wizard.profile_page
    type_text(form.identifier, "7")
    press_next(qtbot, wizard)
    assert form.errors.message("identifier") == ""
    assert wizard.currentPage() is not wizard.profile_page

    startup.close()
    wizard.hide()
    wizard.deleteLater()
    startup.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
