"""The error every reader raises for a file it cannot read, with a French sentence."""

from __future__ import annotations

from escap_desktop.core.errors import EscapError


class ImportReadError(EscapError):
    """A file could not be read as an identity (unreadable image, wrong content, bad JSON...)."""
