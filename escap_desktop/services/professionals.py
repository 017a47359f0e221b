"""Professionals known to this installation (from the directory, typed by hand, or synced)."""

from __future__ import annotations

from escap_desktop.core.entities import Professional
from escap_desktop.core.rules import identity
from escap_desktop.services.base import ServiceBase


class ProfessionalService(ServiceBase):
    def add(self, professional: Professional) -> Professional:
        """Records a professional, reusing the existing record for the same RPPS/ADELI number.

        The same colleague chosen twice from the directory must stay one record, or the team
        rules would count them twice.
        """
        identity.validate_professional(professional)
        with self._store.unit_of_work(self.actor) as uow:
            if professional.identifier:
                same = uow.find(
                    Professional,
                    identifier_kind=professional.identifier_kind,
                    identifier=professional.identifier,
                )
                if same:
                    return same[0]
            uow.put(professional)
        return professional

    def update(self, professional: Professional) -> Professional:
        identity.validate_professional(professional)
        with self._store.unit_of_work(self.actor) as uow:
            uow.get(Professional, professional.id)
            uow.put(professional)
        return professional

    def get(self, professional_id: str) -> Professional:
        with self._store.unit_of_work(self.actor) as uow:
            return uow.get(Professional, professional_id)

    def list(self) -> list[Professional]:
        with self._store.unit_of_work(self.actor) as uow:
            professionals = uow.find(Professional)
        return sorted(professionals, key=lambda p: (p.last_name.casefold(), p.first_name))
