"""One ESCAP Desktop per data folder: a second launch says so, a killed one leaves no lock."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from escap_desktop.core.errors import StoreInUseError
from escap_desktop.services import instance_lock
from escap_desktop.ui.app import run_gui
from escap_desktop.ui.main_window.main_window import MainWindow
from tests.support.instance_holder import HOLDER, holding


@pytest.fixture
def other_process(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another ESCAP Desktop process holding ``tmp_path`` (killed at the end if still alive)."""
    with holding(tmp_path) as process:
        yield process


def _main_windows() -> list[MainWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_a_second_launch_on_the_same_folder_says_so_and_opens_nothing(
    qtbot: QtBot, tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    told: list[str] = []
    before = len(_main_windows())
    assert run_gui(str(tmp_path), tell=told.append) == 1
    assert len(told) == 1
    assert told[0].startswith("ESCAP Desktop est déjà ouvert sur ce poste")
    assert str(tmp_path.resolve()) in told[0]
    assert len(_main_windows()) == before


def test_a_killed_instance_leaves_no_lock_behind(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    with pytest.raises(StoreInUseError):
        instance_lock.acquire(tmp_path)
    other_process.send_signal(signal.SIGKILL)
    other_process.wait(timeout=30)
    instance_lock.acquire(tmp_path)
    instance_lock.release(tmp_path)


def test_the_window_may_take_the_lock_again_for_its_own_restore(tmp_path: Path) -> None:
    instance_lock.acquire(tmp_path)
    with instance_lock.exclusive_use(tmp_path, "restaurer une sauvegarde"):
        pass
    instance_lock.release(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", HOLDER.replace("time.sleep(120)", ""), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "HELD"  # released: another process can take it


def test_a_command_run_while_the_window_is_open_is_refused_with_the_reason(
    tmp_path: Path, other_process: subprocess.Popen[str]
) -> None:
    with (
        pytest.raises(StoreInUseError, match="fermez-la avant de restaurer une sauvegarde"),
        instance_lock.exclusive_use(tmp_path, "restaurer une sauvegarde"),
    ):
        pass
