"""What a practice's patient list import did: how many came in, which rows did not and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def _count(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """A row of the file that was not imported: its line (as a spreadsheet numbers it) and
    every reason, in French."""

    line: int
    reasons: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"Ligne {self.line} — " + " ; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class PatientImportReport:
    """``already_recorded`` rows are patients this computer already has (same INS, or same
    traits: never a second record by import); ``refused`` are rows with a problem."""

    source: Path
    rows_read: int
    imported: int
    already_recorded: tuple[RefusedRow, ...] = ()
    refused: tuple[RefusedRow, ...] = ()

    @property
    def summary(self) -> str:
        parts = [_count(self.imported, "patient importé", "patients importés")]
        if self.already_recorded:
            parts.append(_count(len(self.already_recorded), "déjà enregistré", "déjà enregistrés"))
        if self.refused:
            parts.append(_count(len(self.refused), "ligne refusée", "lignes refusées"))
        return f"{', '.join(parts)} sur {_count(self.rows_read, 'ligne', 'lignes')}."

    @property
    def text(self) -> str:
        """The whole report, to show or to save beside the file."""
        lines = [self.summary]
        if self.refused:
            lines += [
                "",
                "Lignes refusées (corrigez-les dans le fichier, puis importez-le à nouveau) :",
            ]
            lines += [row.text for row in self.refused]
        if self.already_recorded:
            lines += ["", "Patients déjà enregistrés (non importés une seconde fois) :"]
            lines += [row.text for row in self.already_recorded]
        return "\n".join(lines)
