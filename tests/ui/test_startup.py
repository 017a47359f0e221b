"""From launch to the main window: first-launch wizard, reopening, the demo practice."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QWizard
from pytestqt.qtbot import QtBot

from escap_desktop.services.practice import open_practice
from escap_desktop.ui.app import Launch
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.startup import Startup
from tests.support.plaintext_keyring import as_an_earlier_version, plaintext_keyring
from tests.ui.conftest import ME, assessed_patient
from tests.ui.typing import type_text
from tests.ui.wizard_driver import enter_profile_fixing_a_short_rpps, press_next


def _start(qtbot: QtBot, shell: Shell, data_dir: Path, demo: bool = False) -> Startup:
    startup = Startup(shell, str(data_dir), demo=demo, open_files=False)
    startup.start()
    return startup


def _finish(qtbot: QtBot, startup: Startup) -> None:
    """Closes and deletes what the start-up created, before the next test builds its own."""
    if startup.main is not None:
        startup.main.window.close()
    startup.close()
    for widget in (startup.wizard, startup.main.window if startup.main else None):
        if widget is not None:
            widget.deleteLater()
    startup.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_first_launch_creates_the_profile_then_shows_the_main_window(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    startup = _start(qtbot, shell, tmp_path)
    qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible())
    wizard = startup.wizard
    assert wizard is not None
    assert wizard.windowTitle() == "Bienvenue dans ESCAP Desktop"
    enter_profile_fixing_a_short_rpps(qtbot, wizard)
    assert "trousseau" in wizard.security_page.subTitle() or True
    press_next(qtbot, wizard)
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    with qtbot.waitSignal(startup.ready, timeout=10_000) as ready:
        press_next(qtbot, wizard)
    main = ready.args[0]
    assert isinstance(main, MainController)
    assert main.window.isVisible()
    assert main.window.windowTitle() == "ESCAP Desktop — Dr Marie LEFÈVRE"
    assert main.window.status.connection_label.text() == "Hors ligne"
    _finish(qtbot, startup)

    # The next launch goes straight to the main window.
    again = _start(qtbot, shell, tmp_path)
    qtbot.waitUntil(lambda: again.main is not None, timeout=10_000)
    assert again.wizard is None
    _finish(qtbot, again)


def test_choosing_the_demo_at_first_launch_keeps_the_profile_and_opens_the_demo_practice(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    startup = _start(qtbot, shell, tmp_path)
    qtbot.waitUntil(lambda: startup.wizard is not None and startup.wizard.isVisible())
    wizard = startup.wizard
    assert wizard is not None
    enter_profile_fixing_a_short_rpps(qtbot, wizard)
    press_next(qtbot, wizard)
    wizard.start_page.demo.setChecked(True)
    with qtbot.waitSignal(startup.ready, timeout=60_000) as ready:
        press_next(qtbot, wizard)
    main = ready.args[0]
    assert isinstance(main, MainController)
    qtbot.waitUntil(lambda: main.window.patient_list.model.rowCount() > 0, timeout=30_000)
    assert "démonstration" in main.window.windowTitle()
    assert startup.data_dir == (tmp_path / "demonstration").resolve()
    _finish(qtbot, startup)
    own = open_practice(tmp_path)
    try:
        current = own.profile.current()
        assert current is not None
        assert current[1].display_name == "Dr Marie LEFÈVRE"
        assert own.patients.summaries() == []
    finally:
        own.close()


def test_demo_practice_is_generated_on_first_use(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    startup = _start(qtbot, shell, tmp_path, demo=True)
    qtbot.waitUntil(lambda: startup.main is not None, timeout=60_000)
    main = startup.main
    assert main is not None
    qtbot.waitUntil(lambda: main.window.patient_list.model.rowCount() > 0, timeout=30_000)
    assert "démonstration" in main.window.windowTitle()
    assert (tmp_path / "demonstration").is_dir()
    _finish(qtbot, startup)


def test_the_window_shows_before_the_store_opens_then_fills_in(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    practice = open_practice(tmp_path)
    practice.profile.save(ME)
    practice.close()
    started: list[Startup] = []
    launch = Launch(shell, str(tmp_path), on_startup=started.append)
    window = launch.window
    assert window.isVisible()
    assert not window.new_inclusion_action.isEnabled()
    assert window.patient_list.count_label.text() == "Ouverture du coffre de données…"
    qtbot.waitUntil(lambda: bool(started) and started[0].main is not None, timeout=20_000)
    main = started[0].main
    assert main is not None
    assert main.window is window
    assert window.new_inclusion_action.isEnabled()
    assert window.windowTitle() == "ESCAP Desktop — Dr Marie LEFÈVRE"
    window.close()
    launch.close()
    _finish(qtbot, started[0])


def test_a_search_typed_while_the_store_opens_applies_to_the_list_when_it_arrives(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    practice = open_practice(tmp_path)
    practice.profile.save(ME)
    assessed_patient(practice, "Martin")
    assessed_patient(practice, "Rousseau")
    practice.close()
    started: list[Startup] = []
    launch = Launch(shell, str(tmp_path), on_startup=started.append)
    window = launch.window
    type_text(window.patient_list.search, "rous")
    qtbot.waitUntil(lambda: bool(started) and started[0].main is not None, timeout=20_000)
    qtbot.waitUntil(lambda: window.patient_list.model.rowCount() == 2)
    assert window.patient_list.search.text() == "rous"
    assert window.patient_list.proxy.rowCount() == 1
    assert window.patient_list.proxy.index(0, 0).data().startswith("ROUSSEAU")
    window.close()
    launch.close()
    _finish(qtbot, started[0])


def test_a_store_kept_by_a_passphrase_is_asked_for_it_by_the_launcher(
    qtbot: QtBot, shell: Shell, tmp_path: Path
) -> None:
    passphrase = "une phrase de passe assez longue"
    practice = open_practice(tmp_path, passphrase)
    practice.profile.save(ME)
    practice.close()
    started: list[Startup] = []
    launch = Launch(shell, str(tmp_path), on_startup=started.append)
    qtbot.waitUntil(lambda: bool(started) and started[0].passphrase_dialog is not None)
    dialog = started[0].passphrase_dialog
    assert dialog is not None
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    type_text(dialog.passphrase, "pas la bonne phrase de passe")
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.error.isVisible, timeout=20_000)
    assert dialog.error.text().startswith("Phrase de passe incorrecte")
    assert started[0].main is None
    dialog.passphrase.clear()
    type_text(dialog.passphrase, passphrase)
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: started[0].main is not None, timeout=20_000)
    assert launch.window.new_inclusion_action.isEnabled()
    launch.window.close()
    launch.close()
    _finish(qtbot, started[0])


def test_a_store_key_left_in_a_plaintext_keyring_is_moved_under_a_new_passphrase(
    qtbot: QtBot, shell: Shell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend = plaintext_keyring(tmp_path)
    data_dir = tmp_path / "cabinet"
    with as_an_earlier_version(monkeypatch):
        practice = open_practice(data_dir)
        practice.profile.save(ME)
        practice.close()

    started: list[Startup] = []
    launch = Launch(shell, str(data_dir), on_startup=started.append)
    qtbot.waitUntil(lambda: bool(started) and started[0].passphrase_dialog is not None)
    dialog = started[0].passphrase_dialog
    assert dialog is not None
    assert dialog.confirmation.isVisibleTo(dialog)  # a new passphrase: typed twice
    assert "« PlaintextKeyring »" in dialog.findChild(QLabel).text()
    open_button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    chosen = "le cabinet du vieux port 2026"
    type_text(dialog.passphrase, chosen)
    type_text(dialog.confirmation, chosen + "x")
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == "Les deux saisies de la phrase de passe diffèrent."
    dialog.confirmation.clear()
    type_text(dialog.confirmation, chosen)
    qtbot.mouseClick(open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: started[0].main is not None, timeout=20_000)
    assert "coffre_2d" not in Path(backend.file_path).read_text()
    launch.window.close()
    launch.close()
    _finish(qtbot, started[0])
    open_practice(data_dir, chosen).close()  # the store now opens with that passphrase
