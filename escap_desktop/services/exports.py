"""Files for people outside the team: the pseudonymised evaluation export and FHIR bundles.

Episodes are read from the store in one unit of work, turned into files by
``escap_desktop.exports`` and every episode that left the computer gets an ``AuditKind.EXPORTED``
entry in its patient's trail (the patient's right of access covers pseudonymised exports too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from escap_desktop.core.entities import AuditKind
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules.grid import GridCatalog, GridItem
from escap_desktop.core.rules.indicators import (
    EpisodeBundle,
    check_period,
    episode_in_period,
    summarise_indicators,
)
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.evaluation import (
    build_evaluation_rows,
    build_professional_rows,
    write_evaluation_csv,
    write_professional_csv,
)
from escap_desktop.exports.salt import load_or_create_salt
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.episode_records import load_all_episodes, load_patient_episodes
from escap_desktop.store import Store

PROFESSIONALS_SUFFIX = "-professionnels"
SUMMARY_SUFFIX = "-synthese"


@dataclass(frozen=True, slots=True)
class EvaluationFiles:
    """What an evaluation export wrote, for the CLI to print and the GUI to offer to open."""

    episodes_csv: Path
    professionals_csv: Path
    summary_pdf: Path
    episode_count: int

    @property
    def paths(self) -> tuple[Path, Path, Path]:
        return (self.episodes_csv, self.professionals_csv, self.summary_pdf)


def evaluation_paths(out: Path | str, date_from: date, date_to: date) -> tuple[Path, Path, Path]:
    """The three files of an export to ``out``: a CSV file name, or a folder.

    Given ``evaluation.csv`` (or ``evaluation``), the others are ``evaluation-professionnels.csv``
    and ``evaluation-synthese.pdf`` beside it; given a folder, the names carry the period.
    """
    target = Path(out)
    if target.is_dir():
        target = target / f"evaluation-escap-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
    elif not target.suffix:
        target = target.with_suffix(".csv")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"Le dossier {folder} n'existe pas : l'export n'a pas été écrit.")
    stem = target.stem if target.suffix.lower() == ".csv" else target.name
    return (
        target,
        folder / f"{stem}{PROFESSIONALS_SUFFIX}.csv",
        folder / f"{stem}{SUMMARY_SUFFIX}.pdf",
    )


class ExportService(ServiceBase):
    """``data_dir`` holds the installation's pseudonymisation salt (see ``exports.salt``)."""

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        grids: GridCatalog,
        data_dir: Path,
    ) -> None:
        super().__init__(store, actor_id)
        self._grids = grids
        self._data_dir = Path(data_dir)

    def episode_bundles(self, date_from: date, date_to: date) -> list[EpisodeBundle]:
        """Every episode that existed during the period, with all its records, oldest first."""
        check_period(date_from, date_to)
        with self._store.unit_of_work(self.actor) as uow:
            bundles = load_all_episodes(uow)
        return [b for b in bundles if episode_in_period(b, date_from, date_to)]

    def evaluation(self, date_from: date, date_to: date, out: Path | str) -> EvaluationFiles:
        """Writes the episodes CSV, the per-professional CSV and the PDF summary of the period.

        Pseudonymised: salted keys, age bands, no name, NIR, birth date or free text.
        """
        check_period(date_from, date_to)
        episodes_csv, professionals_csv, summary_pdf = evaluation_paths(out, date_from, date_to)
        bundles = self.episode_bundles(date_from, date_to)
        salt = load_or_create_salt(self._data_dir)
        write_evaluation_csv(build_evaluation_rows(bundles, salt, date_from, date_to), episodes_csv)
        write_professional_csv(
            build_professional_rows(bundles, salt, date_from, date_to), professionals_csv
        )
        # The summary PDF needs reportlab: imported with the first export, not at start-up.
        from escap_desktop.exports.evaluation_summary import write_evaluation_summary_pdf

        write_evaluation_summary_pdf(
            summarise_indicators(bundles, date_from, date_to),
            summary_pdf,
            generated_on=self._today(),
        )
        self._audit_exported(bundles)
        return EvaluationFiles(episodes_csv, professionals_csv, summary_pdf, len(bundles))

    def fhir(self, patient_id: str, out: Path | str, *, escap_id: str | None = None) -> Path:
        """Writes the patient's current episode (or ``escap_id``) as a validated FHIR Bundle.

        Each assessment is described with the items of the exact grid version it used.
        """
        with self._store.unit_of_work(self.actor) as uow:
            episodes = load_patient_episodes(uow, patient_id)
        bundle = _chosen_episode(episodes, escap_id)
        target = Path(out)
        if not target.parent.is_dir():
            raise ExportError(
                f"Le dossier {target.parent} n'existe pas : l'export n'a pas été écrit."
            )
        grid_items: dict[str, Sequence[GridItem]] = {
            a.grid_version: self._grids.get(a.grid_id, a.grid_version).items
            for a in bundle.assessments
        }
        # FHIR models (pydantic) cost about 60 ms to import: paid on the first export, not at
        # every start-up.
        from escap_desktop.exports.fhir import build_fhir_bundle, write_fhir_json

        document = build_fhir_bundle(bundle, grid_items, generated_at=self._now())
        write_fhir_json(document, target)
        self._audit_exported([bundle])
        return target

    def _audit_exported(self, bundles: Sequence[EpisodeBundle]) -> None:
        with self._store.unit_of_work(self.actor) as uow:
            for bundle in bundles:
                uow.audit(
                    AuditKind.EXPORTED, "Escap", bundle.escap.id, patient_id=bundle.patient.id
                )


def _chosen_episode(episodes: list[EpisodeBundle], escap_id: str | None) -> EpisodeBundle:
    if not episodes:
        raise NotFoundError("Ce patient n'a pas d'ESCAP : il n'y a rien à exporter.")
    if escap_id is None:
        return episodes[-1]
    for bundle in episodes:
        if bundle.escap.id == escap_id:
            return bundle
    raise NotFoundError(f"Cette ESCAP n'est pas celle de ce patient (identifiant {escap_id}).")
