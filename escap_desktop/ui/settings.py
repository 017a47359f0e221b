"""Interface settings (window sizes, splitters, column widths) remembered between sessions.

They are kept in ``interface.ini`` inside the data folder rather than the platform's global
QSettings location, so that each store (and each test) has its own and nothing about patients
ever goes there: only geometry.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

from escap_desktop.services.paths import resolve_data_dir

SETTINGS_FILE = "interface.ini"
DEMO_FOLDER = "demonstration"
"""The demo practice's own data folder, inside the chosen one: fictitious patients never mix
with real ones."""
WINDOW_KEY = "fenetre_principale"
LIST_KEY = "liste_patients"


def practice_folder(data_dir: str | None, demo: bool) -> Path:
    """The folder of the practice the window opens (created if needed): the chosen data folder,
    or its demo folder."""
    base = resolve_data_dir(data_dir)
    folder = base / DEMO_FOLDER if demo else base
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class InterfaceSettings:
    """Saves and restores the geometry of windows, splitters and table headers by name."""

    def __init__(self, data_dir: Path | str) -> None:
        self._settings = QSettings(str(Path(data_dir) / SETTINGS_FILE), QSettings.Format.IniFormat)

    def save_window(self, name: str, window: QWidget) -> None:
        self._settings.setValue(f"{name}/geometry", window.saveGeometry())

    def restore_window(self, name: str, window: QWidget) -> bool:
        value = self._settings.value(f"{name}/geometry")
        return isinstance(value, QByteArray) and window.restoreGeometry(value)

    def save_splitter(self, name: str, splitter: QSplitter) -> None:
        self._settings.setValue(f"{name}/splitter", splitter.saveState())

    def restore_splitter(self, name: str, splitter: QSplitter) -> bool:
        value = self._settings.value(f"{name}/splitter")
        return isinstance(value, QByteArray) and splitter.restoreState(value)

    def save_header(self, name: str, header: QHeaderView) -> None:
        self._settings.setValue(f"{name}/header", header.saveState())

    def restore_header(self, name: str, header: QHeaderView) -> bool:
        value = self._settings.value(f"{name}/header")
        return isinstance(value, QByteArray) and header.restoreState(value)

    def value(self, key: str, default: str = "") -> str:
        value = self._settings.value(key, default)
        return str(value)

    def set_value(self, key: str, value: str) -> None:
        self._settings.setValue(key, value)

    def sync(self) -> None:
        self._settings.sync()
