"""Builds a new directory database from an extract, beside the one in use, then swaps it in.

The new file is written as ``annuaire.db.new``; only when it is complete does ``os.replace``
put it in place of ``annuaire.db``, in one atomic step. A failure, a cancellation or a consumer
that stops iterating removes the partial file, so the previous directory keeps answering.
The MSSanté addresses of the previous file are copied into the new one: the two extracts are
published and imported apart.

The MSSanté extract is imported into the directory in use (:func:`import_mssante`): its table
is replaced within one transaction, so a failed or cancelled import leaves the previous
addresses, and searches keep reading them until the commit.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import sqlite_utils

from escap_desktop.core.clock import SYSTEM_CLOCK, Clock
from escap_desktop.core.entities.directory import (
    ImportPhase,
    ImportProgress,
    ImportReport,
    MssanteImportReport,
)
from escap_desktop.store.directory import schema
from escap_desktop.store.directory.errors import (
    DirectoryImportCancelledError,
    DirectoryImportError,
)
from escap_desktop.store.directory.parser import ExtractParser, MssanteParser, open_extract
from escap_desktop.store.directory.report import BadLineLog

# Shares of the total time spent reading and indexing, measured on a full-size extract, so that
# the progress bar moves at an even pace and the time left holds for the whole import.
_READING_SHARE = 0.8
_INDEXING_SHARE = 0.13
_BATCH_SITES = 20_000

_MSSANTE_READING_SHARE = 0.9
_MSSANTE_BATCH = 50_000

Cancel = Callable[[], bool]
Row = tuple[Any, ...]
Swap = Callable[[Path, Path], None]
Commit = Callable[[sqlite3.Connection], None]


def build_directory(
    source: Path,
    target: Path,
    report_path: Path,
    *,
    cancel: Cancel | None = None,
    swap: Swap = os.replace,
    clock: Clock = SYSTEM_CLOCK,
) -> Iterator[ImportProgress | ImportReport]:
    """Imports ``source`` into ``target``; yields progress, and the report last.

    ``swap(new_file, target)`` puts the complete new file in place; a caller holding the old
    file open passes one that closes it first.

    Raises :class:`DirectoryFormatError` at once for a file that is not an extract,
    :class:`DirectoryImportCancelledError` when ``cancel()`` turns true, and
    :class:`DirectoryImportError` when the file cannot be read or the database written.
    """
    building = target.with_name(target.name + ".new")
    swapped = False
    try:
        with open_extract(source) as (stream, size):
            run = _Build(stream, size, source, building, target, report_path, cancel, clock)
            yield from run.load()
        report = run.write_report()
        swap(building, target)
        swapped = True
        yield report
    except (OSError, sqlite3.Error) as error:
        raise DirectoryImportError(
            f"L'import de l'annuaire a échoué ({error}). L'annuaire précédent est conservé."
        ) from error
    finally:
        if not swapped:
            building.unlink(missing_ok=True)


class _Build:
    """One import in progress: the parser, the new database and the log of bad lines."""

    def __init__(
        self,
        stream: BinaryIO,
        size: int,
        source: Path,
        building: Path,
        previous: Path,
        report_path: Path,
        cancel: Cancel | None,
        clock: Clock,
    ) -> None:
        self._started = time.monotonic()
        self._parser = ExtractParser(stream)
        self._size = size
        self._source = source
        self._building = building
        self._previous = previous
        self._report_path = report_path
        self._cancel = cancel
        self._log = BadLineLog(report_path)
        self._lines_read = 0
        self._professionals = 0
        self._sites = 0
        self._clock = clock
        self._finished_at = clock.now()

    def load(self) -> Iterator[ImportProgress]:
        """Reads, writes and indexes; the database file is closed whatever happens."""
        self._building.unlink(missing_ok=True)
        db = sqlite_utils.Database(self._building)
        try:
            schema.create_schema(db)
            yield from self._read(db)
            if not self._parser.in_order:
                _merge_split_professionals(db)
            for done in schema.fill_search_index(db):
                self._check_cancel()
                fraction = _READING_SHARE + _INDEXING_SHARE * done
                yield self._progress(ImportPhase.INDEXING, fraction)
            schema.finish_search_index(db)
            self._check_cancel()
            self._finish(db)
            yield self._progress(ImportPhase.FINISHING, 1.0)
        except BaseException:
            self._log.discard()
            raise
        finally:
            db.close()

    def _read(self, db: sqlite_utils.Database) -> Iterator[ImportProgress]:
        total_bytes = max(1, self._size)
        professionals: list[Row] = []
        sites: list[Row] = []
        for block in self._parser.blocks():
            self._log.add(block.bad_lines)
            professionals += block.professionals
            sites += block.sites
            self._lines_read = block.lines_read
            if len(sites) >= _BATCH_SITES:
                self._write(db, professionals, sites)
                professionals, sites = [], []
            self._check_cancel()
            fraction = _READING_SHARE * block.bytes_read / total_bytes
            yield self._progress(ImportPhase.READING, fraction)
        self._write(db, professionals, sites)
        if not self._professionals:
            raise DirectoryImportError(
                "Aucune ligne utilisable dans ce fichier : l'annuaire précédent est conservé."
            )

    def _write(
        self, db: sqlite_utils.Database, professionals: Sequence[Row], sites: Sequence[Row]
    ) -> None:
        _insert(db, "professionals", schema.PROFESSIONAL_COLUMNS, professionals)
        _insert(db, "sites", schema.SITE_COLUMNS, sites)
        self._professionals += len(professionals)
        self._sites += len(sites)

    def _finish(self, db: sqlite_utils.Database) -> None:
        db.execute(schema.IDENTIFIER_INDEX)
        db.table("professions").insert_all(self._professions(db))
        if not self._parser.in_order:  # groups were merged
            self._professionals = db.execute("SELECT count(*) FROM professionals").fetchone()[0]
        self._finished_at = self._clock.now()
        _keep_mssante(db, self._previous)
        db.table("meta").insert_all(
            {"key": key, "value": str(value)}
            for key, value in {
                "schema_version": schema.SCHEMA_VERSION,
                "imported_at": self._finished_at.isoformat(),
                "source": self._source.name,
                "lines_read": self._lines_read,
                "professionals": self._professionals,
                "sites": self._sites,
                "bad_lines": self._log.count,
            }.items()
        )
        db.conn.commit()

    def _professions(self, db: sqlite_utils.Database) -> Iterator[dict[str, object]]:
        """Each profession once, under its most frequent label, with its number of people."""
        counts = self._parser.professions
        if not self._parser.in_order:  # the parser counted split professionals twice
            counts = Counter(
                {
                    (code, label): count
                    for code, label, count in db.execute(
                        "SELECT profession_code, profession_label, count(*) FROM professionals "
                        "GROUP BY profession_code, profession_label"
                    )
                }
            )
        labels: dict[str, str] = {}
        totals: Counter[str] = Counter()
        for (code, label), count in counts.most_common():
            labels.setdefault(code, label)
            totals[code] += count
        for code, total in totals.items():
            yield {"code": code, "label": labels[code], "professionals": total}

    def write_report(self) -> ImportReport:
        report = ImportReport(
            source=self._source,
            finished_at=self._finished_at,
            seconds=time.monotonic() - self._started,
            lines_read=self._lines_read,
            professionals=self._professionals,
            sites=self._sites,
            bad_line_count=self._log.count,
            bad_by_reason=dict(self._log.by_reason),
            bad_lines=tuple(self._log.first),
            report_path=self._report_path,
        )
        self._log.write_report(report)
        return report

    def _check_cancel(self) -> None:
        _check_cancel(self._cancel)

    def _progress(self, phase: ImportPhase, fraction: float) -> ImportProgress:
        return _progress(self._started, phase, fraction, self._lines_read)


def _insert(
    db: sqlite_utils.Database, table: str, columns: tuple[str, ...], rows: Sequence[Row]
) -> None:
    # sqlite-utils' insert_all checks and converts every value in Python, which made the whole
    # import three times slower on two million lines; these rows are already plain strings and
    # ints in the table's column order, so they go straight to executemany.
    placeholders = ", ".join("?" for _ in columns)
    db.conn.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)


def _merge_split_professionals(db: sqlite_utils.Database) -> None:
    """Joins the groups of one professional that the file did not keep together.

    Only needed when the lines were not in identifier order. The sites of a later group move
    to the first one, after its own sites, and the later professional rows go.
    """
    db.execute(schema.IDENTIFIER_INDEX)
    db.executescript(
        """
        CREATE TEMP TABLE split (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL);
        INSERT INTO split
            SELECT p.id, k.keep FROM professionals AS p
            JOIN (
                SELECT id_type, identifier, profession_code, min(id) AS keep
                FROM professionals GROUP BY identifier, id_type, profession_code
                HAVING count(*) > 1
            ) AS k USING (id_type, identifier, profession_code)
            WHERE p.id <> k.keep;
        UPDATE sites SET
            position = professional_id * 1000 + position,
            professional_id = (SELECT new_id FROM split WHERE old_id = sites.professional_id)
        WHERE professional_id IN (SELECT old_id FROM split);
        UPDATE professionals SET
            site_count = (SELECT count(*) FROM sites WHERE professional_id = professionals.id),
            specialties = coalesce((SELECT group_concat(DISTINCT specialty) FROM sites
                WHERE professional_id = professionals.id), ''),
            towns = coalesce((SELECT group_concat(DISTINCT town) FROM sites
                WHERE professional_id = professionals.id), ''),
            postcodes = coalesce((SELECT group_concat(DISTINCT postcode) FROM sites
                WHERE professional_id = professionals.id), '')
        WHERE id IN (SELECT new_id FROM split);
        DELETE FROM professionals WHERE id IN (SELECT old_id FROM split);
        DROP TABLE split;
        """
    )


def _keep_mssante(db: sqlite_utils.Database, previous: Path) -> None:
    """Copies the MSSanté addresses (and the meta of their import) of the directory file being
    replaced into the new one. A previous file that cannot be read has none to give."""
    if not previous.exists():
        return
    try:
        db.execute("ATTACH DATABASE ? AS previous", (str(previous),))
    except sqlite3.Error:
        return
    try:
        has_table = db.execute(
            "SELECT 1 FROM previous.sqlite_master WHERE type = 'table' AND name = ?",
            (schema.MSSANTE_TABLE,),
        ).fetchone()
        if has_table:
            names = ", ".join(schema.MSSANTE_COLUMNS)
            db.execute(
                f"INSERT INTO {schema.MSSANTE_TABLE} ({names}) "
                f"SELECT {names} FROM previous.{schema.MSSANTE_TABLE}"
            )
            db.execute(
                "INSERT INTO meta (key, value) SELECT key, value FROM previous.meta "
                "WHERE substr(key, 1, ?) = ?",
                (len(schema.MSSANTE_META_PREFIX), schema.MSSANTE_META_PREFIX),
            )
    except sqlite3.Error:
        db.execute(f"DELETE FROM {schema.MSSANTE_TABLE}")  # a damaged previous file
    finally:
        db.conn.commit()
        db.execute("DETACH DATABASE previous")  # closes the old file before it is replaced


def import_mssante(
    source: Path,
    target: Path,
    report_path: Path,
    *,
    cancel: Cancel | None = None,
    commit: Commit | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> Iterator[ImportProgress | MssanteImportReport]:
    """Imports the MSSanté extract ``source`` into the directory file ``target``; yields
    progress, and the report last.

    The addresses are replaced in one transaction: ``commit(connection)`` ends it (a caller
    whose searches read the file passes one that stops them meanwhile). Until then, and for
    good when the import fails or is cancelled, the previous addresses stay.

    Raises :class:`DirectoryFormatError` at once for a file that is not an MSSanté extract,
    :class:`DirectoryImportCancelledError` when ``cancel()`` turns true, and
    :class:`DirectoryImportError` when the file cannot be read or the database written.
    """
    started = time.monotonic()
    log = BadLineLog(report_path)
    connection: sqlite3.Connection | None = None
    committed = False
    try:
        with open_extract(source) as (stream, size):
            parser = MssanteParser(stream)
            connection = sqlite3.connect(target, isolation_level=None, timeout=30)
            connection.execute("PRAGMA cache_size = -65536")
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(f"DROP TABLE IF EXISTS {schema.MSSANTE_TABLE}")
            connection.execute(schema.CREATE_MSSANTE)
            insert = (
                f"INSERT INTO {schema.MSSANTE_TABLE} ({', '.join(schema.MSSANTE_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in schema.MSSANTE_COLUMNS)})"
            )
            rows: list[Row] = []
            addresses = lines_read = 0
            total_bytes = max(1, size)
            for block in parser.blocks():
                log.add(block.bad_lines)
                rows += block.rows
                lines_read = block.lines_read
                if len(rows) >= _MSSANTE_BATCH:
                    connection.executemany(insert, rows)
                    addresses += len(rows)
                    rows = []
                _check_cancel(cancel)
                fraction = _MSSANTE_READING_SHARE * block.bytes_read / total_bytes
                yield _progress(started, ImportPhase.READING, fraction, lines_read)
            connection.executemany(insert, rows)
            addresses += len(rows)
        if not addresses:
            raise DirectoryImportError(
                "Aucune adresse MSSanté personnelle (BAL « PER ») utilisable dans ce fichier : "
                "les adresses précédentes sont conservées."
            )
        _check_cancel(cancel)
        finished_at = clock.now()
        meta = {
            "imported_at": finished_at.isoformat(),
            "source": source.name,
            "lines_read": lines_read,
            "addresses": addresses,
            "professionals": parser.professionals,
            "bad_lines": log.count,
        }
        connection.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        connection.executemany(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
            [(schema.MSSANTE_META_PREFIX + key, str(value)) for key, value in meta.items()],
        )
        yield _progress(started, ImportPhase.FINISHING, 1.0, lines_read)
        _check_cancel(cancel)
        report = MssanteImportReport(
            source=source,
            finished_at=finished_at,
            seconds=time.monotonic() - started,
            lines_read=lines_read,
            addresses=addresses,
            professionals=parser.professionals,
            organisation_lines=parser.organisation_lines,
            duplicates=parser.duplicates,
            bad_line_count=log.count,
            bad_by_reason=dict(log.by_reason),
            bad_lines=tuple(log.first),
            report_path=report_path,
        )
        log.write_report(report)
        if commit is None:
            connection.commit()
        else:
            commit(connection)
        committed = True
        yield report
    except (OSError, sqlite3.Error) as error:
        raise DirectoryImportError(
            f"L'import des adresses MSSanté a échoué ({error}). Les adresses précédentes sont "
            "conservées."
        ) from error
    finally:
        if not committed:
            log.discard()
        if connection is not None:
            if connection.in_transaction:
                connection.rollback()
            connection.close()


def _check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise DirectoryImportCancelledError()


def _progress(
    started: float, phase: ImportPhase, fraction: float, lines_read: int
) -> ImportProgress:
    elapsed = max(1e-6, time.monotonic() - started)
    left = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
    return ImportProgress(
        phase=phase,
        fraction=fraction,
        lines_read=lines_read,
        lines_per_second=lines_read / elapsed,
        seconds_left=left,
    )
