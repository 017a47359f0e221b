"""The local professional's access to one ESCAP, in one place for every service.

Services read records through :class:`EscapAccess` so that a social actor's store never hands
the GUI a medical record, and refuse writes in a category the professional or the consent does
not allow. The rule itself is ``core.rules.access``; the same rule decides, in the sync module,
which category keys each member's device receives (``docs/security.md``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from escap_desktop.core.entities import Consent, DataCategory, Professional
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules import access
from escap_desktop.store import UnitOfWork

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class EscapAccess:
    """What ``professional`` may read and write in one ESCAP."""

    professional: Professional | None
    consent: Consent | None
    categories: frozenset[DataCategory]

    def can_read(self, record: object) -> bool:
        if access.category_of(record) in self.categories:
            return True
        return self.professional is not None and access.author_of(record) == self.professional.id

    def readable(self, records: Iterable[R]) -> list[R]:
        return [record for record in records if self.can_read(record)]

    def ensure_can_write(self, category: DataCategory) -> None:
        profession = self.professional.profession if self.professional else None
        access.ensure_can_write(profession, self.consent, category)


def escap_access(uow: UnitOfWork, escap_id: str, professional_id: str) -> EscapAccess:
    try:
        professional: Professional | None = uow.get(Professional, professional_id)
    except NotFoundError:
        professional = None
    consent = access.current_consent(uow.find(Consent, escap_id=escap_id))
    profession = professional.profession if professional else None
    return EscapAccess(professional, consent, access.readable_categories(profession, consent))
