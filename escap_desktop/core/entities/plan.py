"""The shared plan of individualised actions, each with its responsible member."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from escap_desktop.core.entities.consent import DataCategory
from escap_desktop.core.entities.ids import new_id


class ActionStatus(StrEnum):
    TODO = "a_faire"
    DONE = "faite"
    CANCELLED = "annulee"

    @property
    def label(self) -> str:
        return {"a_faire": "À faire", "faite": "Faite", "annulee": "Annulée"}[self.value]


@dataclass(frozen=True, slots=True)
class Action:
    """One action of the plan.

    The médecin traitant's validation and receipt are recorded per action: feedback to the GP is
    where earlier coordination schemes failed, so evaluators ask for it.
    """

    escap_id: str
    title: str
    created_by: str
    created_at: datetime
    responsible_id: str | None = None
    details: str = ""
    due_on: date | None = None
    recurrence: str = ""
    status: ActionStatus = ActionStatus.TODO
    completed_on: date | None = None
    category: DataCategory = DataCategory.MEDICAL
    mt_validated_on: date | None = None
    mt_received_on: date | None = None
    updated_at: datetime | None = None
    id: str = field(default_factory=new_id)
