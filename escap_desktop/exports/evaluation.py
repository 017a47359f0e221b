"""The pseudonymised evaluation export: one CSV line per episode and one per professional.

Only whitelisted, non-identifying fields are written: a salted key instead of the patient, an age
band instead of the age, labels instead of free text. Names, NIR, birth date and place, address,
phone, caregivers, notes, action texts and messages never reach these functions' output.
The files are ``;``-separated UTF-8 with a byte order mark and CRLF line ends, so that Excel
in French opens them directly with accents intact; dates are JJ/MM/AAAA.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Sequence
from datetime import date, tzinfo
from pathlib import Path

from escap_desktop.core.rules.indicators import (
    EpisodeBundle,
    EpisodeIndicators,
    episode_in_period,
    episode_indicators,
    professional_activity,
)
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.pseudonym import age_band, patient_key, professional_key

__all__ = [
    "EVALUATION_COLUMNS",
    "PROFESSIONAL_COLUMNS",
    "EpisodeBundle",
    "build_evaluation_rows",
    "build_professional_rows",
    "write_evaluation_csv",
    "write_professional_csv",
]

EVALUATION_COLUMNS: tuple[str, ...] = (
    "Clé patient",
    "Épisode",
    "Tranche d'âge",
    "Situation clinique",
    "Score",
    "Seuil",
    "Grille",
    "Version de la grille",
    "Date d'évaluation",
    "Évaluation à domicile",
    "Consentement",
    "Date du consentement",
    "Date d'équipe complète",
    "Date de sortie",
    "Motif de sortie",
    "Durée de suivi (jours)",
    "Suivi en cours en fin de période",
    "Jours en équipe incomplète",
    "État",
    "Taille de l'équipe",
    "Professions",
    "Médecin traitant déclaré",
    "Médecin traitant membre",
    "Plan validé par le médecin traitant",
    "Plan reçu par le médecin traitant",
    "Actions du plan",
    "Évaluation pluriprofessionnelle",
    "Réévaluations",
    "Hospitalisations",
    "Passages aux urgences",
    "Autres dispositifs",
)

PROFESSIONAL_COLUMNS: tuple[str, ...] = (
    "Clé professionnel",
    "Profession",
    "Épisodes suivis",
    "Patients distincts",
    "Épisodes en équipe active",
    "Grilles remplies",
    "Entrées facturées",
    "Sorties facturées",
    "Actions dont responsable",
)

_LIST_SEPARATOR = " / "
# Cells that a spreadsheet would run as a formula (CSV injection) get a leading apostrophe.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _yes_no(value: bool) -> str:
    return "oui" if value else "non"


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _row(ind: EpisodeIndicators, salt: bytes) -> dict[str, str]:
    values = [
        patient_key(salt, ind.patient_id),
        str(ind.episode),
        age_band(ind.age_at_assessment),
        _LIST_SEPARATOR.join(p.label for p in ind.prerequisites),
        _number(ind.score),
        _number(ind.threshold),
        ind.grid_id,
        ind.grid_version,
        _day(ind.assessed_on),
        _yes_no(ind.home_evaluation),
        _CONSENT_LABELS[ind.consent_status.value] if ind.consent_status else "Non recueilli",
        _day(ind.consent_on),
        _day(ind.team_complete_on),
        _day(ind.exit_on),
        ind.exit_reason.label if ind.exit_reason else "",
        _number(ind.follow_up_days),
        _yes_no(ind.ongoing_at_end),
        _number(ind.incomplete_days),
        ind.state.label,
        str(ind.team_size),
        _LIST_SEPARATOR.join(p.label for p in ind.professions),
        _yes_no(ind.gp_declared),
        _yes_no(ind.gp_member),
        _yes_no(ind.plan_validated_by_gp),
        _yes_no(ind.plan_received_by_gp),
        str(ind.plan_actions),
        _yes_no(ind.multiprofessional_evaluation),
        str(ind.reevaluations),
        str(ind.hospitalisations),
        str(ind.emergency_visits),
        _LIST_SEPARATOR.join(kind.label for kind in ind.other_schemes),
    ]
    return dict(zip(EVALUATION_COLUMNS, values, strict=True))


_CONSENT_LABELS = {
    "imprime": "Formulaire remis, non signé",
    "signe": "Signé",
    "refuse": "Refusé",
    "retire": "Retiré",
}


def build_evaluation_rows(
    episodes: Iterable[EpisodeBundle],
    salt: bytes,
    date_from: date,
    date_to: date,
    *,
    tz: tzinfo | None = None,
) -> list[dict[str, str]]:
    """One pseudonymised row per episode that existed during the period, oldest first.

    Keys are :data:`EVALUATION_COLUMNS`; counts of dated events (re-evaluations,
    hospitalisations, emergency visits) and the follow-up duration stop at the period's bounds.
    """
    kept = [e for e in episodes if episode_in_period(e, date_from, date_to, tz=tz)]
    kept.sort(key=lambda e: (e.escap.created_at, e.escap.episode))
    return [_row(episode_indicators(e, date_from, date_to, tz=tz), salt) for e in kept]


def build_professional_rows(
    episodes: Iterable[EpisodeBundle],
    salt: bytes,
    date_from: date,
    date_to: date,
    *,
    tz: tzinfo | None = None,
) -> list[dict[str, str]]:
    """One pseudonymised row per professional involved during the period (by profession)."""
    activity = professional_activity(episodes, date_from, date_to, tz=tz)
    activity.sort(key=lambda a: (a.profession.label, -a.episodes))
    return [
        dict(
            zip(
                PROFESSIONAL_COLUMNS,
                [
                    professional_key(salt, a.professional_id),
                    a.profession.label,
                    str(a.episodes),
                    str(a.patients),
                    str(a.active_episodes),
                    str(a.assessments),
                    str(a.entries_billed),
                    str(a.exits_billed),
                    str(a.actions_responsible),
                ],
                strict=True,
            )
        )
        for a in activity
    ]


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _write_csv(
    rows: Sequence[dict[str, str]], path: str | os.PathLike[str], columns: Sequence[str]
) -> Path:
    target = Path(path)
    try:
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=";")
            writer.writeheader()
            for row in rows:
                writer.writerow({column: _safe_cell(row[column]) for column in columns})
    except OSError as error:
        raise ExportError(
            f"Le fichier {target} n'a pas pu être écrit ({error.strerror or error})."
        ) from None
    return target


def write_evaluation_csv(rows: Sequence[dict[str, str]], path: str | os.PathLike[str]) -> Path:
    """Writes the episode rows of :func:`build_evaluation_rows` for Excel in French."""
    return _write_csv(rows, path, EVALUATION_COLUMNS)


def write_professional_csv(rows: Sequence[dict[str, str]], path: str | os.PathLike[str]) -> Path:
    """Writes the per-professional rows of :func:`build_professional_rows`."""
    return _write_csv(rows, path, PROFESSIONAL_COLUMNS)
