"""Audit trail entries: who did what kind of thing, when; never any clinical content."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from escap_desktop.core.entities.ids import new_id


class AuditKind(StrEnum):
    CREATED = "creation"
    UPDATED = "modification"
    DELETED = "suppression"
    VIEWED = "consultation"
    PRINTED = "impression"
    EXPORTED = "export"
    RECEIVED = "reception"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """``entity_type`` is the entity's class name; ``summary`` is a fixed, non-clinical phrase."""

    at: datetime
    actor_id: str
    kind: AuditKind
    entity_type: str
    entity_id: str
    patient_id: str | None = None
    summary: str = ""
    id: str = field(default_factory=new_id)
