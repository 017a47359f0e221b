"""Icons and the style sheet, read from the ``resources/`` folder beside the package.

Looking the folder up once, here, keeps every widget free of paths and lets a packaged build
(PyInstaller puts ``resources/`` next to the executable) override it with ``ESCAP_RESOURCES``.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

RESOURCES_ENV = "ESCAP_RESOURCES"


@cache
def resources_dir() -> Path:
    """The ``resources/`` folder: ``$ESCAP_RESOURCES``, else the one of the source tree."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


@cache
def icon(name: str) -> QIcon:
    """The icon ``resources/icons/<name>.svg``; an empty icon if it is missing (never a crash)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def style_sheet() -> str:
    """The application's Qt style sheet, with ``@icons`` replaced by the icons folder."""
    path = resources_dir() / "style" / "escap.qss"
    if not path.exists():
        return ""
    icons = (resources_dir() / "icons").as_posix()
    return path.read_text(encoding="utf-8").replace("@icons", icons)
