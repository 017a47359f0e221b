"""The 4 clinical situations (prerequisites) of the ESCAP experiment, each met or not, with why.

Date rules, decided once here so that every screen and printout agrees:

* "Plus de 65 ans" is read literally: strictly older than 65 years. On the 65th birthday the
  patient is exactly 65 (not met); from the next day on, more than 65 (met). A birthday on
  29 February falls on 1 March in other years, as in :meth:`Patient.age_on`.
* "Hospitalisé il y a moins d'un an": the stroke prerequisite is met while the assessment date
  is before the first anniversary of the hospital discharge (same 29 February rule): a discharge
  on 29/02/2024 still counts on 28/02/2025 and no longer on 01/03/2025. A discharge after the
  assessment date is a typing error (ValidationError).
* Chronic polypathology means at least 2 chronic conditions, and only counts with the age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from escap_desktop.core.entities import ClinicalSituation, Prerequisite
from escap_desktop.core.errors import ValidationError
from escap_desktop.core.rules.wording import format_date, plural

MINIMUM_AGE = 65
MINIMUM_CHRONIC_CONDITIONS = 2
INSULIN_DIABETES_TYPES = (1, 2)


@dataclass(frozen=True, slots=True)
class PrerequisiteCheck:
    """One prerequisite, met or not, with the French sentence that says why."""

    prerequisite: Prerequisite
    met: bool
    reason: str


@dataclass(frozen=True, slots=True)
class PrerequisiteResult:
    """The 4 checks, in the order of :class:`Prerequisite`."""

    checks: tuple[PrerequisiteCheck, ...]

    @property
    def met(self) -> tuple[Prerequisite, ...]:
        return tuple(check.prerequisite for check in self.checks if check.met)

    @property
    def any_met(self) -> bool:
        return any(check.met for check in self.checks)

    def check(self, prerequisite: Prerequisite) -> PrerequisiteCheck:
        return next(check for check in self.checks if check.prerequisite is prerequisite)


def anniversary(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 1 March in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def is_over_65(birth_date: date, on: date) -> bool:
    """Strictly older than 65 years on ``on``: true from the day after the 65th birthday."""
    return on > anniversary(birth_date, MINIMUM_AGE)


def validate_situation(situation: ClinicalSituation, birth_date: date, assessed_on: date) -> None:
    """Refuses inputs that cannot be true, naming the field at fault."""
    if assessed_on < birth_date:
        raise ValidationError(
            f"La date d'évaluation ({format_date(assessed_on)}) précède la date de naissance "
            f"du patient ({format_date(birth_date)}).",
            field="assessed_on",
        )
    if situation.chronic_conditions < 0:
        raise ValidationError(
            "Le nombre de maladies chroniques ne peut pas être négatif.",
            field="chronic_conditions",
        )
    discharge = situation.stroke_discharge_date
    if discharge is not None and discharge > assessed_on:
        raise ValidationError(
            f"La date de sortie d'hospitalisation pour l'AVC ({format_date(discharge)}) est "
            f"postérieure à la date d'évaluation ({format_date(assessed_on)}).",
            field="stroke_discharge_date",
        )
    if discharge is not None and discharge < birth_date:
        raise ValidationError(
            f"La date de sortie d'hospitalisation pour l'AVC ({format_date(discharge)}) précède "
            "la date de naissance du patient.",
            field="stroke_discharge_date",
        )


def _polypathology(situation: ClinicalSituation, birth_date: date, on: date) -> PrerequisiteCheck:
    over_65 = is_over_65(birth_date, on)
    count = situation.chronic_conditions
    enough = count >= MINIMUM_CHRONIC_CONDITIONS
    conditions = f"{count} {plural(count, 'maladie chronique', 'maladies chroniques')}"
    first_day = format_date(anniversary(birth_date, MINIMUM_AGE) + timedelta(days=1))
    age = f"65 ans ou moins à la date d'évaluation (plus de 65 ans à partir du {first_day})"
    if over_65 and enough:
        reason = f"Plus de 65 ans et {conditions}."
    elif not over_65 and not enough:
        reason = (
            f"Le patient a {age}, et {conditions} (il en faut au moins "
            f"{MINIMUM_CHRONIC_CONDITIONS})."
        )
    elif not over_65:
        reason = f"Le patient a {age}."
    else:
        reason = (
            f"Plus de 65 ans mais {conditions} : il en faut au moins {MINIMUM_CHRONIC_CONDITIONS}."
        )
    return PrerequisiteCheck(Prerequisite.POLYPATHOLOGY_OVER_65, over_65 and enough, reason)


def _stroke(situation: ClinicalSituation, on: date) -> PrerequisiteCheck:
    discharge = situation.stroke_discharge_date
    if discharge is None:
        return PrerequisiteCheck(
            Prerequisite.STROKE_RECENT, False, "Pas d'hospitalisation pour AVC renseignée."
        )
    limit = anniversary(discharge, 1)
    if on < limit:
        reason = (
            f"Sortie d'hospitalisation pour AVC le {format_date(discharge)}, il y a moins d'un an."
        )
        return PrerequisiteCheck(Prerequisite.STROKE_RECENT, True, reason)
    reason = (
        f"Sortie d'hospitalisation pour AVC le {format_date(discharge)}, il y a un an ou plus "
        f"(le prérequis valait jusqu'au {format_date(limit - timedelta(days=1))} inclus)."
    )
    return PrerequisiteCheck(Prerequisite.STROKE_RECENT, False, reason)


def _palliative(situation: ClinicalSituation) -> PrerequisiteCheck:
    if situation.palliative_care:
        return PrerequisiteCheck(Prerequisite.PALLIATIVE, True, "Patient en soins palliatifs.")
    return PrerequisiteCheck(
        Prerequisite.PALLIATIVE, False, "Le patient n'est pas en soins palliatifs."
    )


def _diabetes(situation: ClinicalSituation) -> PrerequisiteCheck:
    kind, insulin = situation.diabetes_type, situation.on_insulin
    met = False
    if kind is None:
        reason = (
            "Traitement par insuline renseigné sans type de diabète : précisez le type 1 ou 2."
            if insulin
            else "Pas de diabète renseigné."
        )
    elif kind not in INSULIN_DIABETES_TYPES:
        reason = (
            f"Le diabète de type {kind} n'est pas concerné : seuls les diabètes de type 1 ou 2 "
            "sous insuline le sont."
        )
    elif not insulin:
        reason = f"Diabète de type {kind} sans traitement par insuline."
    else:
        met = True
        reason = f"Diabète de type {kind} traité par insuline."
    return PrerequisiteCheck(Prerequisite.DIABETES_INSULIN, met, reason)


def evaluate_prerequisites(
    situation: ClinicalSituation, birth_date: date, assessed_on: date
) -> PrerequisiteResult:
    """Each of the 4 prerequisites on the assessment date, met or not, with a French reason.

    Raises ValidationError (with the field) for impossible inputs, see :func:`validate_situation`.
    """
    validate_situation(situation, birth_date, assessed_on)
    return PrerequisiteResult(
        checks=(
            _polypathology(situation, birth_date, assessed_on),
            _stroke(situation, assessed_on),
            _palliative(situation),
            _diabetes(situation),
        )
    )
