"""The clinical situation (the 4 prerequisites) and the inclusion grid assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class Prerequisite(StrEnum):
    """The 4 clinical situations of the ESCAP experiment."""

    POLYPATHOLOGY_OVER_65 = "polypathologie_65"
    STROKE_RECENT = "avc_recent"
    PALLIATIVE = "soins_palliatifs"
    DIABETES_INSULIN = "diabete_insuline"

    @property
    def label(self) -> str:
        return {
            "polypathologie_65": "Patient polypathologique chronique de plus de 65 ans",
            "avc_recent": "AVC avec hospitalisation il y a moins d'un an",
            "soins_palliatifs": "Patient en soins palliatifs",
            "diabete_insuline": "Patient diabétique (type 1 ou 2) sous insuline",
        }[self.value]


@dataclass(frozen=True, slots=True)
class ClinicalSituation:
    """The data each prerequisite needs, as entered by the assessing professional.

    Age is not stored here: it is computed from the patient's birth date on the assessment date.
    """

    chronic_conditions: int = 0
    stroke_discharge_date: date | None = None
    palliative_care: bool = False
    diabetes_type: int | None = None
    on_insulin: bool = False
    pregnant: bool = False


@dataclass(frozen=True, slots=True)
class GridAssessment:
    """One filled inclusion grid, frozen with the grid version it used.

    ``answers`` holds every item of that grid version (item id -> ticked or not), so the
    assessment can be re-scored and printed with the same version, never with a newer one.
    """

    escap_id: str
    patient_id: str
    assessor_id: str
    assessed_on: date
    grid_id: str
    grid_version: str
    answers: dict[str, bool]
    score: int
    threshold: int
    situation: ClinicalSituation
    prerequisites_met: tuple[Prerequisite, ...] = ()
    eligible: bool = False
    at_home: bool = False
    is_reevaluation: bool = False
    recorded_at: datetime | None = None
    id: str = field(default_factory=new_id)
