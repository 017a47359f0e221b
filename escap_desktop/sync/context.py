"""What every step of one sync cycle shares, and what the cycle reports."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from escap_desktop.store import Store, UnitOfWork
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.clock import WallClock
from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.relay_client import RelayClient


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """One step of a cycle, for a progress bar (the GUI runner reads ``percent`` and ``text``)."""

    percent: int
    text: str


@dataclass(slots=True)
class SyncReport:
    """What one cycle did; ``rejected`` counts envelopes refused by the checks (and logged);
    ``withheld`` envelopes of a data category this member may not read (left sealed, not kept)."""

    pushed: int = 0
    received: int = 0
    changed: int = 0
    rejected: int = 0
    parked: int = 0
    withheld: int = 0
    keys_received: int = 0
    invitations_received: int = 0
    invitations_sent: int = 0
    invitations_confirmed: int = 0
    teams_created: int = 0
    key_rotations: int = 0
    pending: int = 0
    history_sent: int = 0
    """Teams whose whole file this device sent again to a colleague who lost part of it."""
    history_resumed: int = 0
    """Teams this device caught up with through a colleague's resend of the file."""

    def summary(self) -> str:
        """One French line for the CLI and the status bar."""
        parts = [
            f"{self.pushed} modification(s) envoyée(s)",
            f"{self.received} reçue(s)",
        ]
        if self.invitations_received:
            parts.append(f"{self.invitations_received} invitation(s) reçue(s)")
        if self.invitations_sent:
            parts.append(f"{self.invitations_sent} invitation(s) envoyée(s)")
        if self.invitations_confirmed:
            parts.append(f"{self.invitations_confirmed} invité(s) confirmé(s) par son code")
        if self.history_sent:
            parts.append(f"dossier renvoyé à un membre de {self.history_sent} équipe(s)")
        if self.history_resumed:
            parts.append(f"dossier reçu à nouveau pour {self.history_resumed} ESCAP")
        if self.rejected:
            parts.append(f"{self.rejected} enregistrement(s) refusé(s) (voir le journal)")
        parts.append(f"{self.pending} en attente")
        return "Synchronisation terminée : " + ", ".join(parts) + "."


@dataclass
class CycleContext:
    store: Store
    actor_id: str
    keys: DeviceKeys
    client: RelayClient
    wall: WallClock
    today: Callable[[], date]
    report: SyncReport = field(default_factory=SyncReport)
    members_refreshed: set[str] = field(default_factory=set)
    authors_looked_up: set[tuple[str, str]] = field(default_factory=set)
    """(device, team) looked up on the relay this cycle, found or not: once per cycle."""
    identity_token: str | None = None
    """A Pro Santé Connect ID token for this device, sent with its next registration."""

    @property
    def device_id(self) -> str:
        return self.keys.key_id

    @contextlib.contextmanager
    def work(self) -> Iterator[tuple[UnitOfWork, SyncRepository]]:
        """One transaction on the store, with the sync tables' repository."""
        with self.store.unit_of_work(self.actor_id) as uow:
            yield uow, SyncRepository(uow.session, uow.clock)
