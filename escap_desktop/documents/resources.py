"""Where the bundled fonts and form texts are found on disk.

``resources/`` sits at the repository root next to the ``escap_desktop`` package, so an editable
install finds it through this file's location; ``ESCAP_RESOURCES_DIR`` points elsewhere for a
packaged build that lays the folder out differently.
"""

from __future__ import annotations

import os
from pathlib import Path

from escap_desktop.core.errors import DocumentError

_ENV_VAR = "ESCAP_RESOURCES_DIR"


def resources_dir() -> Path:
    """The ``resources/`` folder shipped with the application."""
    override = os.environ.get(_ENV_VAR)
    folder = Path(override) if override else Path(__file__).resolve().parents[2] / "resources"
    if not folder.is_dir():
        raise DocumentError(
            f"Le dossier des ressources de l'application est introuvable ({folder}). "
            "L'installation est incomplète."
        )
    return folder


def fonts_dir() -> Path:
    """The embedded TrueType fonts (DejaVu), with their licence."""
    return resources_dir() / "fonts"


def bundled_templates_dir() -> Path:
    """The French texts of the printed documents, as shipped (a site may override them)."""
    return resources_dir() / "templates"
