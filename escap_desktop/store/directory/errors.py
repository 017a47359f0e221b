"""The expected problems of the directory, each with a French sentence for the professional."""

from __future__ import annotations

from escap_desktop.core.errors import EscapError, StoreError


class DirectoryFormatError(EscapError):
    """The chosen file is not a directory extract; ``missing`` names the absent columns."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class DirectoryImportError(StoreError):
    """An import stopped before the end (disk full, unreadable file...): nothing was replaced."""


class DirectoryImportCancelledError(EscapError):
    """The professional stopped the import; the previous directory is still in use."""

    def __init__(self) -> None:
        super().__init__("Import de l'annuaire annulé : l'annuaire précédent est conservé.")


class DirectoryUnavailableError(EscapError):
    """No directory has been imported on this computer yet."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "Aucun annuaire n'est installé : importez d'abord le fichier "
            "« PS_LibreAcces_Personne_activite » de l'Annuaire Santé."
        )


class DirectoryOutdatedError(EscapError):
    """The directory file was built by another version of the application."""

    def __init__(self) -> None:
        super().__init__(
            "L'annuaire installé a été importé par une autre version d'ESCAP Desktop : "
            "importez à nouveau le fichier de l'Annuaire Santé."
        )
