"""Writing a printed document to a file, only when the professional asks for it.

The PDFs hold health data in clear while the store is encrypted (docs/security.md), so the
preview keeps them in memory; these helpers are for « Enregistrer sous… » and « Ouvrir dans le
lecteur PDF ».
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from escap_desktop.core.errors import DocumentError


def write_atomically(content: bytes, target: Path) -> Path:
    """Writes beside ``target`` then renames: a half-written file never replaces a good one."""
    partial = target.with_name(f".{target.name}.partiel")
    try:
        with partial.open("wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, target)
    except OSError as error:
        with contextlib.suppress(OSError):  # an unusable folder kept nothing
            partial.unlink(missing_ok=True)
        raise DocumentError(
            f"Le document n'a pas pu être enregistré dans {target} : {error.strerror or error}."
        ) from error
    return target


def documents_folder() -> Path:
    """The user's « Documents » folder (or their home folder when the system has none)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def with_pdf_suffix(path: Path) -> Path:
    """A name typed without extension still opens in a PDF viewer."""
    return path if path.suffix.lower() == ".pdf" else path.with_name(f"{path.name}.pdf")
