"""Shared test set-up: offscreen Qt before any QApplication, an isolated keyring per test."""

from __future__ import annotations

import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from collections.abc import Iterator
from typing import TYPE_CHECKING

import keyring
import pytest
from pytestqt.qtbot import QtBot

from escap_desktop.core.clock import FrozenClock
from tests.support.clock import frozen_clock
from tests.support.memory_keyring import MemoryKeyring
from tests.support.shard import shard_from_environment

if TYPE_CHECKING:
    from escap_desktop.ui.app_shell import Shell


FIRST = "tests/installers/test_linux_build.py"
"""Starts first so the longest task (the PyInstaller build) runs beside the rest, not after;
with ``--dist loadfile`` (.ci/run) one worker builds it once for the whole file."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Puts the package build first; in a date-shifted pass, keeps only this pass's share of the
    tests (tests/support/shard.py)."""
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))
    shard = shard_from_environment()
    if shard is None:
        return
    runs = [shard.runs(item.nodeid) for item in items]
    config.hook.pytest_deselected(items=[i for i, run in zip(items, runs, strict=True) if not run])
    items[:] = [item for item, run in zip(items, runs, strict=True) if run]


@pytest.fixture
def clock() -> FrozenClock:
    """The test's clock: every practice, window, command and relay of the test reads it, and a
    test that needs "now" or "today" asks it (``clock.today()``), never the computer."""
    return frozen_clock()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Each test gets its own empty keyring, so no test sees another's keys."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def no_unexpected_error_dialog() -> Iterator[None]:
    """Fails the test when the app showed its crash dialog ("Erreur inattendue") during it: an
    exception reported through the error channel would otherwise pass unnoticed. Tests that
    provoke one on purpose close the dialog themselves."""
    yield
    if "escap_desktop.ui.crash_dialog" not in sys.modules:
        return
    from PySide6.QtWidgets import QApplication

    from escap_desktop.ui.crash_dialog import CrashDialog

    left = [w for w in QApplication.topLevelWidgets() if isinstance(w, CrashDialog)]
    reports = [w.report_view.toPlainText() for w in left if w.isVisible()]
    for dialog in left:
        dialog.close()
        dialog.deleteLater()
    if reports:
        pytest.fail("Erreur inattendue montrée pendant le test :\n" + "\n\n".join(reports))


@pytest.fixture
def shell(qtbot: QtBot, clock: FrozenClock) -> Iterator[Shell]:
    """What every window shares (error channel, job queue), made as the app makes it and closed
    after the test. Imported here, not at the top, so tests without a window do not load the GUI."""
    from PySide6.QtWidgets import QApplication

    from escap_desktop.ui.app_shell import create_application, create_shell

    app = create_application()
    assert isinstance(app, QApplication)
    opened = create_shell(app, clock)
    yield opened
    opened.close()
