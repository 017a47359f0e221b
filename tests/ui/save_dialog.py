"""A stand-in for the save-file dialog (the ``save_chooser`` the windows take)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget


class SaveTo:
    """Answers the path the test chose, and remembers what the dialog was asked to show: its
    title and the path it suggested."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.titles: list[str] = []
        self.suggested: list[str] = []

    def __call__(self, _parent: QWidget | None, title: str, suggested: str, _f: str) -> str:
        self.titles.append(title)
        self.suggested.append(suggested)
        return str(self.path)
