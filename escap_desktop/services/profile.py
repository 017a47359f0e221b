"""The local professional's own profile: who uses this installation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from escap_desktop.core.entities import LocalProfile, Professional
from escap_desktop.core.rules import identity
from escap_desktop.services.base import ServiceBase
from escap_desktop.store import Store


class ProfileService(ServiceBase):
    """Reads and saves the profile; the profile's professional id is the actor of every write.

    ``on_saved`` lets the composition root forget the actor it cached: after a save, the
    profile's professional is who acts.
    """

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        on_saved: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(store, actor_id)
        self._on_saved = on_saved

    def current(self) -> tuple[LocalProfile, Professional] | None:
        with self._store.unit_of_work(None) as uow:
            profile = uow.local_profile()
            if profile is None:
                return None
            return profile, uow.get(Professional, profile.professional_id)

    def save(self, professional: Professional, profile: LocalProfile | None = None) -> Professional:
        """Creates or updates the profile; identifiers are checked before anything is written."""
        identity.validate_professional(professional)
        with self._store.unit_of_work(professional.id) as uow:
            uow.put(professional)
            existing = uow.local_profile()
            if profile is None:
                profile = existing or LocalProfile(professional_id=professional.id)
            uow.put(replace(profile, professional_id=professional.id))
        self._on_saved()
        return professional
