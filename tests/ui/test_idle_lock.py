"""The idle lock hides patient data until the professional unlocks, without losing input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMainWindow, QVBoxLayout
from pytestqt.qtbot import QtBot

from escap_desktop.ui.idle_lock import (
    LOCKED_TITLE,
    IdleLock,
    identity_unlocker,
    passphrase_unlocker,
)


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle("ESCAP Desktop — MARTIN Léa")
    edit = QLineEdit()
    edit.setObjectName("patientNote")
    window.setCentralWidget(edit)
    window.resize(800, 600)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def lock(qtbot: QtBot) -> Iterator[IdleLock]:
    lock = IdleLock(passphrase_unlocker(lambda text: text == "bonne phrase"), minutes=10)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    lock.install(app)
    yield lock
    lock.uninstall(app)


def test_locks_after_idle_time_and_hides_the_window(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    lock.set_minutes(0.0005)  # 30 ms
    with qtbot.waitSignal(lock.locked, timeout=2000):
        pass
    overlay = lock.overlays[0]
    assert overlay.isVisible()
    assert overlay.geometry() == window.rect()
    assert window.windowTitle() == LOCKED_TITLE


def test_typing_under_the_lock_does_not_reach_the_window(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    edit = window.centralWidget()
    assert isinstance(edit, QLineEdit)
    edit.setText("brouillon")
    lock.lock()
    qtbot.keyClicks(edit, "xyz")
    assert edit.text() == "brouillon"


def test_wrong_passphrase_is_refused_in_french(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    lock.lock()
    overlay = lock.overlays[0]
    with qtbot.assertNotEmitted(lock.unlocked):
        qtbot.keyClicks(overlay.answer_edit, "mauvaise")
        qtbot.keyClick(overlay.answer_edit, Qt.Key.Key_Return)
    assert overlay.error_label.text() == "Phrase de passe incorrecte."
    assert lock.is_locked


def test_right_passphrase_unlocks_and_keeps_the_input(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    edit = window.centralWidget()
    assert isinstance(edit, QLineEdit)
    edit.setText("brouillon")
    lock.lock()
    overlay = lock.overlays[0]
    with qtbot.waitSignal(lock.unlocked):
        qtbot.keyClicks(overlay.answer_edit, "bonne phrase")
        qtbot.keyClick(overlay.answer_edit, Qt.Key.Key_Return)
    assert not lock.is_locked
    assert lock.overlays == []
    assert window.windowTitle() == "ESCAP Desktop — MARTIN Léa"
    assert edit.text() == "brouillon"
    assert lock.timer_active


def test_open_dialogs_are_covered_too_and_stay_open(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    dialog = QDialog(window)
    qtbot.addWidget(dialog)
    QVBoxLayout(dialog).addWidget(QLineEdit("saisie en cours"))
    dialog.show()
    qtbot.waitExposed(dialog)
    lock.lock()
    # One overlay each (a window an earlier test left visible is covered too).
    covered = [overlay.parentWidget() for overlay in lock.overlays]
    assert (covered.count(window), covered.count(dialog)) == (1, 1)
    assert lock.try_unlock("bonne phrase")
    assert dialog.isVisible()


def test_a_window_opened_while_locked_is_covered(
    qtbot: QtBot, window: QMainWindow, lock: IdleLock
) -> None:
    lock.lock()
    dialog = QDialog(window)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    # One overlay each (a window an earlier test left visible is covered too).
    covered = [overlay.parentWidget() for overlay in lock.overlays]
    assert (covered.count(window), covered.count(dialog)) == (1, 1)
    assert dialog.windowTitle() == LOCKED_TITLE


def test_input_restarts_the_idle_timer(qtbot: QtBot, window: QMainWindow, lock: IdleLock) -> None:
    lock.set_minutes(0)
    assert not lock.timer_active
    lock.set_minutes(10)
    assert lock.timer_active
    qtbot.keyClick(window.centralWidget(), Qt.Key.Key_A)
    assert lock.timer_active


def test_identity_unlocker_asks_for_the_rpps_number() -> None:
    unlocker = identity_unlocker("Dr Marie LEFÈVRE", "10001234567")
    assert "Dr Marie LEFÈVRE" in unlocker.prompt
    assert unlocker.check("100 0123 4567")
    assert not unlocker.check("10001234568")
    assert not identity_unlocker("X", "").check("")
