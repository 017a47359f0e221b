"""The error every export raises for an expected problem, with a French sentence."""

from __future__ import annotations

from escap_desktop.core.errors import EscapError


class ExportError(EscapError):
    """An export file could not be built or written (disk full, invalid data, missing grid...)."""
