"""The public directory of health professionals: import the national extract, then search it.

The directory is public data, so it lives in its own plain SQLite file (``annuaire.db`` in the
data folder), never in the encrypted patient store. An import builds a complete new file beside
the old one and swaps it in at the end; searches keep working on the old one until then.

The professionals' MSSanté addresses come from a second public extract
(``Extraction_Correspondance_MSSante``), imported into the installed directory: the same
:meth:`DirectoryService.import_file` takes either file (or its ``.zip``) and tells them apart
by their header. Addresses are never built from a name.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from escap_desktop.core.clock import SYSTEM_CLOCK, Clock
from escap_desktop.core.entities.directory import (
    AnyImportReport,
    DirectoryEntry,
    ExtractKind,
    ImportProgress,
)
from escap_desktop.core.entities.professional import RPPS_CODES, Profession
from escap_desktop.core.errors import ValidationError
from escap_desktop.store.directory import importer, schema
from escap_desktop.store.directory.errors import (
    DirectoryFormatError,
    DirectoryImportCancelledError,
    DirectoryImportError,
    DirectoryOutdatedError,
    DirectoryUnavailableError,
)
from escap_desktop.store.directory.parser import detect_kind, open_extract
from escap_desktop.store.directory.search import DirectorySearch, fold

__all__ = [
    "DirectoryFormatError",
    "DirectoryImportCancelledError",
    "DirectoryImportError",
    "DirectoryOutdatedError",
    "DirectoryProfession",
    "DirectoryService",
    "DirectoryUnavailableError",
]

DIRECTORY_FILE = "annuaire.db"
REPORT_FILE = "annuaire-rapport-import.txt"
MSSANTE_REPORT_FILE = "annuaire-mssante-rapport-import.txt"


@dataclass(frozen=True, slots=True)
class DirectoryProfession:
    """A profession as the directory names it, for a filter list."""

    code: str
    label: str
    professionals: int


class DirectoryService:
    """Import and search of the directory kept in ``data_dir``.

    Safe to share between the GUI thread and one import thread: the search connection is used
    under a lock, and closed before a new file replaces the old one (Windows refuses to replace
    an open file). A file replaced by another process (the CLI) is noticed at the next search.
    """

    def __init__(self, data_dir: Path, clock: Clock = SYSTEM_CLOCK) -> None:
        # The directory lives beside the store but opens without it (the CLI imports it alone):
        # the window passes the practice's clock, which dates the import.
        self._clock = clock
        self.path = Path(data_dir) / DIRECTORY_FILE
        self.report_path = Path(data_dir) / REPORT_FILE
        self.mssante_report_path = Path(data_dir) / MSSANTE_REPORT_FILE
        self._lock = threading.RLock()
        self._reader: sqlite3.Connection | None = None
        self._reader_stamp: tuple[int, int] | None = None
        self._importing = threading.Lock()

    # --- import ------------------------------------------------------------------------------

    def check_file(self, path: Path) -> ExtractKind:
        """Which extract ``path`` is, refusing at once (before any long work starts) a file
        that is neither, or MSSanté addresses while no directory is installed to hold them.

        Raises :class:`DirectoryFormatError` naming the missing columns,
        :class:`DirectoryUnavailableError`, or :class:`DirectoryImportError` when the file
        cannot be opened.
        """
        try:
            with open_extract(Path(path)) as (stream, _size):
                kind = detect_kind(stream)
        except OSError as error:
            raise DirectoryImportError(
                f"Le fichier « {path} » ne peut pas être lu ({error.strerror or error})."
            ) from error
        if kind is ExtractKind.MSSANTE and not self.is_available():
            raise DirectoryUnavailableError(
                "Importez d'abord l'annuaire (fichier « PS_LibreAcces_Personne_activite » de "
                "l'Annuaire Santé) : les adresses MSSanté s'ajoutent aux professionnels de "
                "l'annuaire installé."
            )
        return kind

    def import_file(
        self, path: Path, cancel: Callable[[], bool] | None = None
    ) -> Iterator[ImportProgress | AnyImportReport]:
        """Imports an extract; yields :class:`ImportProgress`, then the report:
        :class:`ImportReport` for the directory, :class:`MssanteImportReport` for the MSSanté
        addresses (the file's header tells which, see :meth:`check_file`).

        ``cancel`` is asked between batches of lines; when it answers True the import stops
        with :class:`DirectoryImportCancelledError` and the previous directory (or the previous
        addresses) stays in use. Closing the iterator early has the same effect.
        """
        if not self._importing.acquire(blocking=False):
            raise DirectoryImportError("Un import de l'annuaire est déjà en cours.")
        try:
            kind = self.check_file(Path(path))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            build: Iterator[ImportProgress | AnyImportReport]
            if kind is ExtractKind.MSSANTE:
                build = importer.import_mssante(
                    Path(path),
                    self.path,
                    self.mssante_report_path,
                    cancel=cancel,
                    commit=self._commit,
                    clock=self._clock,
                )
            else:
                build = importer.build_directory(
                    Path(path),
                    self.path,
                    self.report_path,
                    cancel=cancel,
                    swap=self._swap,
                    clock=self._clock,
                )
            yield from build
        finally:
            self._importing.release()

    def _commit(self, connection: sqlite3.Connection) -> None:
        """Ends an MSSanté import with no search reading the file meanwhile."""
        with self._lock:
            self._close_reader()
            connection.commit()

    def _swap(self, new_file: Path, target: Path) -> None:
        with self._lock:
            self._close_reader()
            os.replace(new_file, target)

    # --- search ------------------------------------------------------------------------------

    def search(
        self,
        text: str,
        profession: str | Profession | None = None,
        postcode: str | None = None,
        limit: int = 50,
    ) -> list[DirectoryEntry]:
        """Professionals matching ``text`` (any order of words, no accents needed, word starts
        enough), best first; see :mod:`escap_desktop.store.directory.search` for the ranking.

        ``profession`` is a directory code ("60"), a :class:`Profession`, or part of a label
        ("infirm", "kiné"); ``postcode`` is the start of a postcode ("75" is all of Paris).
        """
        with self._lock:
            connection = self._connection()
            codes = self._profession_codes(connection, profession)
            return DirectorySearch(connection).search(
                text, profession_codes=codes, postcode=postcode, limit=limit
            )

    def professions(self) -> list[DirectoryProfession]:
        """Every profession of the directory, the most numerous first."""
        with self._lock:
            rows = DirectorySearch(self._connection()).professions()
        return [DirectoryProfession(code, label, count) for code, label, count in rows]

    # --- state -------------------------------------------------------------------------------

    def is_available(self) -> bool:
        """True when a directory this version can search is installed."""
        return self._meta("schema_version") == schema.SCHEMA_VERSION

    def imported_at(self) -> datetime | None:
        value = self._meta("imported_at")
        return datetime.fromisoformat(value) if value else None

    def entry_count(self) -> int:
        return int(self._meta("professionals") or 0)

    def mssante_imported_at(self) -> datetime | None:
        """When the MSSanté addresses now in use were imported (None: never)."""
        value = self._meta(schema.MSSANTE_META_PREFIX + "imported_at")
        return datetime.fromisoformat(value) if value else None

    def mssante_address_count(self) -> int:
        """How many personal MSSanté addresses the directory holds."""
        return int(self._meta(schema.MSSANTE_META_PREFIX + "addresses") or 0)

    def last_report(self) -> Path | None:
        """The report of the last completed import, if any."""
        return self.report_path if self.report_path.exists() else None

    def close(self) -> None:
        with self._lock:
            self._close_reader()

    # --- internals ---------------------------------------------------------------------------

    def _meta(self, key: str) -> str | None:
        with self._lock:
            try:
                row = (
                    self._connection()
                    .execute("SELECT value FROM meta WHERE key = ?", (key,))
                    .fetchone()
                )
            except (DirectoryUnavailableError, DirectoryOutdatedError, sqlite3.DatabaseError):
                return None
        return str(row[0]) if row else None

    def _connection(self) -> sqlite3.Connection:
        """The search connection, reopened when the file was replaced since it was opened."""
        try:
            status = self.path.stat()
        except FileNotFoundError:
            self._close_reader()
            raise DirectoryUnavailableError() from None
        stamp = (status.st_ino, status.st_mtime_ns)
        if self._reader is None or stamp != self._reader_stamp:
            self._close_reader()
            reader = schema.open_reader(self.path)
            if schema.version_of(reader) != schema.SCHEMA_VERSION:
                reader.close()
                raise DirectoryOutdatedError()
            self._reader = reader
            self._reader_stamp = stamp
        return self._reader

    def _close_reader(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
            self._reader_stamp = None

    def _profession_codes(
        self, connection: sqlite3.Connection, profession: str | Profession | None
    ) -> list[str]:
        if profession is None or not str(profession).strip():
            return []
        if isinstance(profession, Profession):
            code = RPPS_CODES.get(profession)
            if code is None:
                raise ValidationError(
                    f"La profession « {profession.label} » n'est pas dans l'annuaire RPPS.",
                    "profession",
                )
            return [code]
        wanted = fold(str(profession).strip()).replace("-", " ")
        known = DirectorySearch(connection).professions()
        if wanted.isdigit():
            return [wanted]
        codes = [code for code, label, _count in known if wanted in fold(label).replace("-", " ")]
        if not codes:
            listed = ", ".join(label for _code, label, _count in known)
            raise ValidationError(
                f"Aucune profession de l'annuaire ne correspond à « {profession} ». "
                f"Professions : {listed}.",
                "profession",
            )
        return codes
