"""Opening the main window on a real practice, as the start-up does once the profile exists."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from escap_desktop.services.practice import Practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.idle_lock import IdleLock, identity_unlocker
from escap_desktop.ui.main_window.main_controller import MainController
from tests.ui.typing import show_active


def open_main_window(
    qtbot: QtBot,
    practice: Practice,
    shell: Shell,
    size: tuple[int, int] | None = None,
    **options: Any,
) -> MainController:
    """The window of the practice's local professional (idle lock on their RPPS number, no file
    opened in another application), shown, active and with its patient list loaded; ``options``
    go to :class:`MainController` (a save chooser, a quit hook)."""
    current = practice.profile.current()
    assert current is not None
    profile, me = current
    lock = IdleLock(identity_unlocker(me.display_name, me.identifier), 10)
    controller = MainController(practice, me, profile, shell, lock, open_files=False, **options)
    qtbot.addWidget(controller.window)
    if size is not None:
        controller.window.resize(*size)
    with qtbot.waitSignal(controller.list_loaded, timeout=10_000):
        show_active(controller.window)
    return controller
