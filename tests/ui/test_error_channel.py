"""Expected errors reach the professional in French; bugs open a copyable crash report."""

from __future__ import annotations

import sys
import threading
from collections.abc import Generator, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from escap_desktop.core.errors import StoreError
from escap_desktop.ui.crash_dialog import CrashDialog
from escap_desktop.ui.error_channel import ErrorChannel, install_exception_hooks
from escap_desktop.ui.error_presenter import ErrorPresenter
from escap_desktop.ui.runner import JobQueue, OperationCancelledError


@pytest.fixture
def channel(qtbot: QtBot) -> Iterator[ErrorChannel]:
    channel = ErrorChannel()
    uninstall = install_exception_hooks(channel)
    yield channel
    uninstall()


def test_expected_error_is_a_french_message_box(qtbot: QtBot) -> None:
    channel = ErrorChannel()
    presenter = ErrorPresenter(channel)
    channel.report(StoreError("Le disque est plein : libérez de la place puis réessayez."))
    boxes = [d for d in presenter.open_dialogs if isinstance(d, QMessageBox)]
    assert len(boxes) == 1
    assert boxes[0].text() == "Le disque est plein : libérez de la place puis réessayez."
    assert boxes[0].isVisible()
    boxes[0].accept()
    qtbot.waitUntil(lambda: presenter.open_dialogs == [])


def test_cancellation_is_not_shown(qtbot: QtBot) -> None:
    channel = ErrorChannel()
    with (
        qtbot.assertNotEmitted(channel.message_posted),
        qtbot.assertNotEmitted(channel.crash_reported),
    ):
        channel.report(OperationCancelledError())


def test_bug_opens_a_crash_dialog_with_a_copyable_report(qtbot: QtBot) -> None:
    channel = ErrorChannel()
    presenter = ErrorPresenter(channel)
    try:
        {}["clé"]
    except KeyError as error:
        channel.report(error)
    dialogs = [d for d in presenter.open_dialogs if isinstance(d, CrashDialog)]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert "KeyError" in dialog.report
    assert "ESCAP Desktop" in dialog.report
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == dialog.report
    assert dialog.copy_button.text() == "Rapport copié"
    dialog.reject()


def test_gui_thread_hook_routes_errors(qtbot: QtBot, channel: ErrorChannel) -> None:
    with qtbot.waitSignal(channel.message_posted) as message:
        sys.excepthook(StoreError, StoreError("Base verrouillée."), None)
    assert message.args == ["Base verrouillée."]
    with qtbot.waitSignal(channel.crash_reported) as crash:
        sys.excepthook(ValueError, ValueError("bug"), None)
    assert "ValueError: bug" in crash.args[0]


def test_python_thread_crash_is_reported_on_the_gui_thread(
    qtbot: QtBot, channel: ErrorChannel
) -> None:
    received_on: list[bool] = []
    channel.crash_reported.connect(
        lambda _report: received_on.append(threading.current_thread() is threading.main_thread())
    )

    def boom() -> None:
        raise RuntimeError("fil en panne")

    with qtbot.waitSignal(channel.crash_reported, timeout=5000) as crash:
        worker = threading.Thread(target=boom, name="travail")
        worker.start()
        worker.join()
    assert "RuntimeError: fil en panne" in crash.args[0]
    assert "Fil d'exécution : travail" in crash.args[0]
    assert received_on == [True]


def test_runner_failure_goes_to_the_channel(qtbot: QtBot) -> None:
    channel = ErrorChannel()
    queue = JobQueue()

    def job() -> Generator[Any, None, None]:
        yield 1
        raise AttributeError("bug dans un fil")

    with qtbot.waitSignal(channel.crash_reported, timeout=5000) as crash:
        queue.start(job, lambda _result: None, channel.report)
    assert "AttributeError: bug dans un fil" in crash.args[0]
