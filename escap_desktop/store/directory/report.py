"""The import report: a French text file listing every line left out, with its number.

Bad lines are written to a side file as they are found (a broken file could have millions of
them), then the report is assembled with its summary first once the import is complete.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from escap_desktop.core.clock import paris_time
from escap_desktop.core.entities.directory import AnyImportReport, BadLine, BadLineReason

SHOWN_BAD_LINES = 100
"""How many bad lines an import report carries for display; the file has them all."""


class BadLineLog:
    """Counts the bad lines of one import and keeps them on disk until the report is written."""

    def __init__(self, report_path: Path) -> None:
        self._report_path = report_path
        self._side_path = report_path.with_name(report_path.name + ".lignes")
        self._side: TextIO | None = None
        self.count = 0
        self.by_reason: Counter[BadLineReason] = Counter()
        self.first: list[BadLine] = []

    def add(self, bad_lines: Iterable[BadLine]) -> None:
        for bad_line in bad_lines:
            if self._side is None:
                self._side = self._side_path.open("w", encoding="utf-8")
            self._side.write(bad_line.text + "\n")
            self.count += 1
            self.by_reason[bad_line.reason] += 1
            if len(self.first) < SHOWN_BAD_LINES:
                self.first.append(bad_line)

    def write_report(self, report: AnyImportReport) -> None:
        """Writes the report at its path: summary, counts by reason, then every bad line."""
        self._close()
        temporary = self._report_path.with_name(self._report_path.name + ".new")
        with temporary.open("w", encoding="utf-8") as output:
            output.write(report_header(report))
            if self.count:
                output.write("\nLignes ignorées :\n")
                with self._side_path.open(encoding="utf-8") as side:
                    shutil.copyfileobj(side, output)
        temporary.replace(self._report_path)
        self._side_path.unlink(missing_ok=True)

    def discard(self) -> None:
        """Forgets the bad lines of an import that did not complete."""
        self._close()
        self._side_path.unlink(missing_ok=True)

    def _close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def report_header(report: AnyImportReport) -> str:
    lines = [
        report.title,
        f"Fichier : {report.source}",
        f"Terminé le : {paris_time(report.finished_at).strftime('%d/%m/%Y à %H:%M')}",
        report.summary,
    ]
    if report.bad_line_count:
        lines.append("")
        lines.append("Lignes ignorées par motif :")
        lines.extend(
            f"  - {reason.label} : {count}" for reason, count in report.bad_by_reason.items()
        )
    else:
        lines.append("Aucune ligne ignorée.")
    return "\n".join(lines) + "\n"
