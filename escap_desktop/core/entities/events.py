"""Events in the patient's course that the team records and evaluators count."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class EventKind(StrEnum):
    HOSPITALISATION = "hospitalisation"
    EMERGENCY_VISIT = "urgences"
    REEVALUATION = "reevaluation"
    DEATH = "deces"
    MOVE = "demenagement"
    OTHER_SCHEME = "autre_dispositif"
    OTHER = "autre"

    @property
    def label(self) -> str:
        return {
            "hospitalisation": "Hospitalisation",
            "urgences": "Passage aux urgences",
            "reevaluation": "Réévaluation",
            "deces": "Décès",
            "demenagement": "Déménagement",
            "autre_dispositif": "Prise en charge par un autre dispositif",
            "autre": "Autre événement",
        }[self.value]


@dataclass(frozen=True, slots=True)
class Event:
    """An event; a re-evaluation links to its new grid assessment."""

    escap_id: str
    kind: EventKind
    occurred_on: date
    recorded_by: str
    note: str = ""
    assessment_id: str | None = None
    id: str = field(default_factory=new_id)
