"""Messages between the members of an ESCAP (asynchronous: no meeting needed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from escap_desktop.core.entities.consent import DataCategory
from escap_desktop.core.entities.ids import new_id


@dataclass(frozen=True, slots=True)
class Message:
    """An append-only message; ``read_by`` holds the ids of members who have read it."""

    escap_id: str
    author_id: str
    sent_at: datetime
    body: str
    category: DataCategory = DataCategory.MEDICAL
    read_by: frozenset[str] = frozenset()
    id: str = field(default_factory=new_id)
