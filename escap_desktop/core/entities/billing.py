"""Billing of the ESCAP tracer codes ("lettres clés") at entry and at exit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class BillingKind(StrEnum):
    ENTRY = "entree"
    EXIT = "sortie"

    @property
    def label(self) -> str:
        return {"entree": "Entrée dans l'ESCAP", "sortie": "Sortie de l'ESCAP"}[self.value]


@dataclass(frozen=True, slots=True)
class BillingRecord:
    """A tracer code billed by one professional for one ESCAP; ``code`` comes from config."""

    escap_id: str
    professional_id: str
    kind: BillingKind
    code: str
    billed_on: date
    id: str = field(default_factory=new_id)
