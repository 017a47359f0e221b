"""Builds a new directory database from an extract, beside the one in use, then swaps it in.

The new file is written as ``annuaire.db.new``; only when it is complete does ``os.replace``
put it in place of ``annuaire.db``, in one atomic step. A failure, a cancellation or a consumer
that stops iterating removes the partial file, so the previous directory keeps answering.
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
from escap_desktop.core.entities.directory import ImportPhase, ImportProgress, ImportReport
from escap_desktop.store.directory import schema
from escap_desktop.store.directory.errors import (
    DirectoryImportCancelledError,
    DirectoryImportError,
)
from escap_desktop.store.directory.parser import ExtractParser
from escap_desktop.store.directory.report import BadLineLog

# Shares of the total time spent reading and indexing, measured on a full-size extract, so that
# the progress bar moves at an even pace and the time left holds for the whole import.
_READING_SHARE = 0.8
_INDEXING_SHARE = 0.13
_BATCH_SITES = 20_000

Cancel = Callable[[], bool]
Row = tuple[Any, ...]
Swap = Callable[[Path, Path], None]


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
        with source.open("rb") as stream:
            run = _Build(stream, source, building, report_path, cancel, clock)
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
        source: Path,
        building: Path,
        report_path: Path,
        cancel: Cancel | None,
        clock: Clock,
    ) -> None:
        self._started = time.monotonic()
        self._parser = ExtractParser(stream)
        self._source = source
        self._building = building
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
        total_bytes = max(1, self._source.stat().st_size)
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
        if self._cancel is not None and self._cancel():
            raise DirectoryImportCancelledError()

    def _progress(self, phase: ImportPhase, fraction: float) -> ImportProgress:
        elapsed = max(1e-6, time.monotonic() - self._started)
        left = elapsed * (1 - fraction) / fraction if fraction > 0.01 else None
        return ImportProgress(
            phase=phase,
            fraction=fraction,
            lines_read=self._lines_read,
            lines_per_second=self._lines_read / elapsed,
            seconds_left=left,
        )


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
