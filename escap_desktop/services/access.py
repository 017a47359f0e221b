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

from escap_desktop.core.entities import (
    Consent,
    DataCategory,
    Membership,
    MembershipStatus,
    Professional,
)
from escap_desktop.core.errors import NotFoundError, TeamRuleError
from escap_desktop.core.rules import access
from escap_desktop.store import UnitOfWork

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class EscapAccess:
    """What ``professional`` may read and write in one ESCAP."""

    professional: Professional | None
    consent: Consent | None
    categories: frozenset[DataCategory]
    departed: MembershipStatus | None = None
    """LEFT or REMOVED when the professional was a member and is no more: what they wrote stays
    readable, nothing new is written (their device no longer receives the team's records)."""

    def can_read(self, record: object) -> bool:
        if access.category_of(record) in self.categories:
            return True
        return self.professional is not None and access.author_of(record) == self.professional.id

    def readable(self, records: Iterable[R]) -> list[R]:
        return [record for record in records if self.can_read(record)]

    def ensure_can_write(self, category: DataCategory) -> None:
        if self.departed is not None:
            how = (
                "avez quitté"
                if self.departed is MembershipStatus.LEFT
                else "ne faites plus partie de"
            )
            raise TeamRuleError(
                f"Vous {how} l'équipe de cette ESCAP : ce que vous y avez écrit reste "
                "consultable, mais vous ne pouvez plus rien y ajouter."
            )
        profession = self.professional.profession if self.professional else None
        access.ensure_can_write(profession, self.consent, category)


def escap_access(uow: UnitOfWork, escap_id: str, professional_id: str) -> EscapAccess:
    try:
        professional: Professional | None = uow.get(Professional, professional_id)
    except NotFoundError:
        professional = None
    consent = access.current_consent(uow.find(Consent, escap_id=escap_id))
    profession = professional.profession if professional else None
    mine = {
        m.status for m in uow.find(Membership, escap_id=escap_id, professional_id=professional_id)
    }
    departed = None
    if mine and not mine & {MembershipStatus.ACCEPTED, MembershipStatus.INVITED}:
        departed = next(
            (s for s in (MembershipStatus.REMOVED, MembershipStatus.LEFT) if s in mine), None
        )
    return EscapAccess(
        professional, consent, access.readable_categories(profession, consent), departed
    )
