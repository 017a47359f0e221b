"""Identities from what the practice already has: an INS datamatrix, a FHIR Patient file, the
practice software's patient list (CSV).

A datamatrix or a FHIR file gives one draft that fills the patient form (or, from the command
line, is recorded after the same checks as a typed patient). A CSV gives thousands: every row
is read and checked first, off any transaction; then every accepted row is written in one unit
of work, so an import is complete or absent — a crash or a cancel leaves nothing half done.
A row is never imported as a second record of a patient this computer has (same INS, or the
same traits): it is listed instead, for the professional to look at.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from escap_desktop.core.entities import Patient
from escap_desktop.core.entities.patient_import import PatientImportReport, RefusedRow
from escap_desktop.core.errors import EscapError
from escap_desktop.core.rules.identity import trait_key
from escap_desktop.imports.csv_layout import (
    DATE_FORMATS,
    DELIMITERS,
    ENCODINGS,
    CsvLayout,
    CsvSample,
    date_format_label,
    encoding_label,
    inspect_csv,
)
from escap_desktop.imports.csv_mapping import (
    ColumnMapping,
    PatientField,
    check_mapping,
    suggest_mapping,
)
from escap_desktop.imports.errors import ImportReadError
from escap_desktop.imports.fhir_patient import read_fhir_patient
from escap_desktop.imports.ins_datamatrix import read_ins_datamatrix
from escap_desktop.imports.practice_csv import CsvRow, read_csv_rows
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store
from escap_desktop.store.patient_bulk import insert_new_patients, recorded_identities

MAPPING_FILE = "import-patients-colonnes.json"
"""The last mapping used, by header names only (no patient data), beside the store."""

PREVIEW_ROWS = 8
_PROGRESS_EVERY = 500
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".pdf"})
_CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})

__all__ = [
    "DATE_FORMATS",
    "DELIMITERS",
    "ENCODINGS",
    "PREVIEW_ROWS",
    "ColumnMapping",
    "CsvLayout",
    "CsvPlan",
    "CsvRow",
    "CsvSample",
    "ImportReadError",
    "ImportStep",
    "PatientField",
    "PatientImportService",
    "check_mapping",
    "date_format_label",
    "encoding_label",
]


@dataclass(frozen=True, slots=True)
class CsvPlan:
    """What the mapping screen shows before anything is written: the detected layout, the
    mapping (the saved one when it fits the file, else a suggestion) and the first rows as
    they would be imported."""

    path: Path
    sample: CsvSample
    mapping: ColumnMapping
    mapping_was_saved: bool
    preview: tuple[CsvRow, ...]

    @property
    def layout(self) -> CsvLayout:
        return self.sample.layout


@dataclass(frozen=True, slots=True)
class ImportStep:
    """Progress of a CSV import (``percent`` and ``text``, as the GUI runner reads them)."""

    percent: int
    text: str


class PatientImportService(ServiceBase):
    def __init__(self, store: Store, actor_id: Callable[[], str | None], data_dir: Path) -> None:
        super().__init__(store, actor_id)
        self._mapping_file = Path(data_dir) / MAPPING_FILE

    # -- one identity --------------------------------------------------------------------

    def read_datamatrix(self, path: Path) -> Patient:
        """The identity printed in a document's INS datamatrix (image or scanned PDF): a
        draft with the status « Identité récupérée », not saved."""
        return read_ins_datamatrix(Path(path))

    def read_fhir(self, path: Path) -> Patient:
        """The identity of a FHIR Patient file (or a Bundle holding one): a draft, not saved."""
        return read_fhir_patient(Path(path))

    def read_identity(self, path: Path) -> Patient:
        """A datamatrix image/PDF or a FHIR JSON file, told apart by the file's extension."""
        suffix = Path(path).suffix.lower()
        if suffix == ".json":
            return self.read_fhir(path)
        if suffix in _IMAGE_SUFFIXES:
            return self.read_datamatrix(path)
        raise ImportReadError(
            f"Type de fichier non reconnu (« {Path(path).name} ») : choisissez une image ou un "
            "PDF portant le datamatrix INS, un fichier FHIR (.json) ou une liste de patients "
            "(.csv)."
        )

    @staticmethod
    def is_patient_list(path: Path) -> bool:
        return Path(path).suffix.lower() in _CSV_SUFFIXES

    # -- a practice's patient list ---------------------------------------------------------

    def plan_csv(
        self,
        path: Path,
        layout: CsvLayout | None = None,
        mapping: ColumnMapping | None = None,
    ) -> CsvPlan:
        """Detects the layout (or takes the one corrected on screen) and previews the rows."""
        path = Path(path)
        sample = inspect_csv(path, layout=layout)
        saved = False
        if mapping is None:
            mapping = self._saved_mapping(sample)
            saved = mapping is not None
            if mapping is None:
                mapping = suggest_mapping(sample.headers)
        preview: tuple[CsvRow, ...] = ()
        if not mapping.missing_required():
            try:
                check_mapping(mapping)
            except ImportReadError:
                pass  # the screen shows why; no preview of a mapping that cannot be used
            else:
                rows = read_csv_rows(path, sample.layout, mapping, self._today())
                preview = tuple(itertools.islice(rows, PREVIEW_ROWS))
        return CsvPlan(path, sample, mapping, saved, preview)

    def import_csv(
        self,
        path: Path,
        layout: CsvLayout,
        mapping: ColumnMapping,
        *,
        sample: CsvSample | None = None,
    ) -> Generator[ImportStep, None, PatientImportReport]:
        """Reads and checks every row (yielding progress), then writes the accepted ones in one
        transaction. ImportReadError for a file or mapping that cannot be used at all.
        ``sample``: the plan's, when its layout is this one (spares counting the rows again)."""
        path = Path(path)
        check_mapping(mapping)
        actor = self.actor
        if sample is None or sample.layout != layout:
            sample = inspect_csv(path, layout=layout, sample_rows=1)
        total = max(1, sample.data_rows)
        with self._store.unit_of_work(actor) as uow:
            known = recorded_identities(uow)
        accepted: list[Patient] = []
        refused: list[RefusedRow] = []
        already: list[RefusedRow] = []
        rows_read = 0
        yield ImportStep(0, "Lecture du fichier…")
        for row in read_csv_rows(path, layout, mapping, self._today()):
            rows_read += 1
            if rows_read % _PROGRESS_EVERY == 0:
                yield ImportStep(
                    min(90, 90 * rows_read // total),
                    f"Lecture du fichier : {rows_read} lignes sur {sample.data_rows}",
                )
            if row.patient is None:
                refused.append(RefusedRow(row.line, row.problems))
                continue
            traits = trait_key(row.patient)
            match = known.same_person(row.patient, traits)
            if match is not None:
                already.append(RefusedRow(row.line, (_already_sentence(*match),)))
                continue
            known.add(row.patient, traits)
            accepted.append(row.patient)
        yield ImportStep(92, f"Enregistrement de {len(accepted)} patients…")
        if accepted:
            with self._store.unit_of_work(actor) as uow:
                insert_new_patients(uow, accepted)
        self._save_mapping(mapping, sample.headers)  # the mapping of an import that was done
        yield ImportStep(100, "Import terminé.")
        return PatientImportReport(
            source=path,
            rows_read=rows_read,
            imported=len(accepted),
            already_recorded=tuple(already),
            refused=tuple(refused),
        )

    def _saved_mapping(self, sample: CsvSample) -> ColumnMapping | None:
        """The last mapping, when its headers are in this file and it maps every required
        field; else None (the suggestion is then shown)."""
        try:
            text = self._mapping_file.read_text(encoding="utf-8")
            mapping = ColumnMapping.from_json(text, sample.headers)
            check_mapping(mapping)
        except (OSError, EscapError):
            return None
        return mapping

    def _save_mapping(self, mapping: ColumnMapping, headers: tuple[str, ...]) -> None:
        # Only a convenience for the next import: never a reason to stop this one.
        with contextlib.suppress(OSError):
            self._mapping_file.write_text(mapping.to_json(headers), encoding="utf-8")


def _already_sentence(recorded: Patient, same_ins: bool) -> str:
    who = f"{recorded.display_name}, né(e) le {recorded.birth_date:%d/%m/%Y}"
    if same_ins:
        return f"déjà enregistré ({who}, même matricule INS)"
    return (
        f"un patient aux mêmes traits d'identité est déjà enregistré ({who}) : s'il s'agit "
        "d'une autre personne, créez son dossier à la main"
    )
