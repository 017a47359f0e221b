"""What every service shares: the store and the local professional acting on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from escap_desktop.core.errors import EscapError
from escap_desktop.store import Store


class NoProfileError(EscapError):
    """The installation has no professional profile yet (first launch not finished)."""


class ServiceBase:
    """Holds the store and knows who acts, so every write is audited with the right actor.

    ``today`` is injectable so rules that depend on the date (age, year of remuneration) can be
    tested on fixed days without patching the clock.
    """

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        today: Callable[[], date] = date.today,
    ) -> None:
        self._store = store
        self._actor_id = actor_id
        self._today = today

    @property
    def actor(self) -> str:
        actor = self._actor_id()
        if actor is None:
            raise NoProfileError(
                "Créez d'abord votre profil de professionnel de santé (premier lancement)."
            )
        return actor
