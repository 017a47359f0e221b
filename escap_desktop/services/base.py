"""What every service shares: the store and the local professional acting on it."""

from __future__ import annotations

from collections.abc import Callable

from escap_desktop.core.errors import EscapError
from escap_desktop.store import Store


class NoProfileError(EscapError):
    """The installation has no professional profile yet (first launch not finished)."""


class ServiceBase:
    """Holds the store and knows who acts, so every write is audited with the right actor.

    Time comes from the store's clock, the practice's only one: ``_now`` stamps records (UTC),
    ``_today`` is the French date every rule counts in (age, billing, remuneration year).
    """

    def __init__(self, store: Store, actor_id: Callable[[], str | None]) -> None:
        self._store = store
        self._actor_id = actor_id
        self._clock = store.clock
        self._today = store.clock.today
        self._now = store.clock.now

    @property
    def actor(self) -> str:
        actor = self._actor_id()
        if actor is None:
            raise NoProfileError(
                "Créez d'abord votre profil de professionnel de santé (premier lancement)."
            )
        return actor
