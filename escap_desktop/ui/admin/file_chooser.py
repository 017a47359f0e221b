"""Choosing a file to save or to open; injectable so tests never meet a real modal file dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QWidget

SaveChooser = Callable[[QWidget | None, str, str, str], str]
"""(parent, title, suggested path, filter) -> the chosen path, "" when cancelled."""

OpenChooser = Callable[[QWidget | None, str, str, str], str]
"""(parent, title, folder or file to start from, filter) -> the chosen file, "" when cancelled."""


def choose_save_path(parent: QWidget | None, title: str, suggested: str, filters: str) -> str:
    path, _filter = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return path


def choose_open_path(parent: QWidget | None, title: str, start: str, filters: str) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, title, start, filters)
    return path
