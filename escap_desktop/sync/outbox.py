"""The outbox: each shared change becomes a record in the transaction that made it.

A store commit hook sees every entity a unit of work put. For an entity of an ESCAP that has a
team (a ``sync_team`` row), it writes one outbox row per team: a new record id, the record in
clear (inside the encrypted store) with fresh hybrid-logical-clock readings for the merge groups
the write really changed. The change and its outbox row commit together or not at all, so a
crash can neither lose a change nor send one that was rolled back; the app never waits for the
network, the sync cycle pushes the rows later.

Records applied from the relay must not go back out: the applier runs inside
:func:`applying_remote`, and the hook does nothing there. Deletions are not shared (no service
deletes a shared record; the history of an ESCAP is kept).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import weakref
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from escap_desktop.core.entities import (
    Action,
    BillingRecord,
    Consent,
    Escap,
    Event,
    GridAssessment,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Professional,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import Store, UnitOfWork
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.clock import Hlc, HlcState, WallClock
from escap_desktop.sync.codec import canonical_json, entity_to_dict
from escap_desktop.sync.identity_map import PROFESSIONAL_REFS, IdentityMap
from escap_desktop.sync.merge import (
    APPEND_ONLY,
    ENTITY_TYPES,
    WHOLE,
    Clocks,
    hashes_of,
    shared_fields,
)
from escap_desktop.sync.records import RECORD_FORMAT, clocks_from_json, clocks_to_text

_applying_remote: ContextVar[bool] = ContextVar("escap_sync_applying_remote", default=False)

# The snapshot sent when a team is created: the order a new member applies them in.
_SNAPSHOT_ORDER: tuple[type[Any], ...] = (
    Consent,
    GridAssessment,
    Membership,
    Action,
    Message,
    Event,
    BillingRecord,
)

REMOVED_TEAM = "removed"


@contextlib.contextmanager
def applying_remote() -> Iterator[None]:
    """Writes made inside come from the relay: the outbox hook leaves them alone."""
    token = _applying_remote.set(True)
    try:
        yield
    finally:
        _applying_remote.reset(token)


_installed: weakref.WeakSet[Store] = weakref.WeakSet()


def install_outbox(store: Store, wall: WallClock | None = None) -> None:
    """Adds the outbox hook to ``store`` once, however many services are built over it.

    ``wall`` stamps the records' hybrid clocks: the store's clock unless a test skews it.
    """
    if store in _installed:
        return
    _installed.add(store)

    def hook(uow: UnitOfWork, changed: list[object]) -> None:
        if _applying_remote.get():
            return
        repo = SyncRepository(uow.session, uow.clock)
        teams = repo.team_states()
        if not teams:
            return  # nothing is shared yet: the usual case, kept cheap
        with uow.session.no_autoflush:  # everything was flushed before the hooks
            writer = OutboxWriter(uow, repo, wall or uow.clock.timestamp)
            writer.know_teams(teams)
            writer.on_commit(changed)

    store.add_commit_hook(hook)


class OutboxWriter:
    """Writes outbox rows for one unit of work; also used to send a new team its snapshot."""

    def __init__(self, uow: UnitOfWork, repo: SyncRepository, wall: WallClock):
        self._uow = uow
        self._repo = repo
        self._wall = wall
        self._hlc: HlcState | None = None
        self._team_states: dict[str, str] | None = None
        # Records the unit of work created: they have no clocks yet, nothing to look up.
        self._fresh: set[tuple[str, str]] = set()
        # Only the professionals the records name, looked up as they come (not the whole
        # directory at each commit); an id not in the store stays as it is, as in a full map.
        self._identities = IdentityMap(())
        self._looked_up: set[str] = set()
        self._escap_teams: dict[str, str | None] = {}
        # Written by ``_finish`` in one statement each: the clocks of records that had none,
        # and the outbox rows in writing order.
        self._new_clocks: dict[tuple[str, str], tuple[str, str]] = {}
        self._rows: list[tuple[str, str, str, bytes]] = []
        # While the team's file is sent again: the patient and professionals sent in it so far
        # (each goes once more, although the team already had them).
        self._resent: set[tuple[str, str, str]] | None = None

    # -- entry points -----------------------------------------------------------------------

    def know_teams(self, states: dict[str, str]) -> None:
        """The state of every team, read by the caller (spares a lookup per team)."""
        self._team_states = dict(states)

    def on_commit(self, changed: list[object]) -> None:
        # The clocks of a whole unit of work in one query per type, not one lookup per record
        # (none for the records it created: a record that was not stored has no clocks, since
        # no shared record is ever deleted), and the professionals its records name in one.
        shared = [entity for entity in changed if type(entity).__name__ in ENTITY_TYPES]
        stored = []
        for entity in shared:
            key = (type(entity).__name__, entity.id)  # type: ignore[attr-defined]
            if self._uow.created(type(entity), key[1]):
                self._fresh.add(key)
            else:
                stored.append(key)
        self._repo.prefetch_clocks(stored)
        # The professionals each record names, listed once (for the lookup and for emit).
        named = [_referenced_professionals(type(entity).__name__, entity) for entity in shared]
        self._look_up(professional_id for names in named for professional_id in names)
        # ``shared`` is ``changed`` without the records that stay on this computer (deletions,
        # the local profile, audit entries), in the same order.
        for entity, names in zip(shared, named, strict=True):
            for team_id in self._teams_of(entity):
                if isinstance(entity, Membership):
                    self._note_membership(team_id, entity)
                elif isinstance(entity, Consent) and entity.amendment:
                    self._repo.flag_review(team_id)  # an amendment may take keys away
                self.emit(team_id, entity, names=names)
        self._finish()

    def share_escap(self, escap: Escap) -> int:
        """Sends everything of an episode to its (new) team; returns the number of records."""
        # The episode first: a receiver checks every later record against it (its patient).
        count = self.emit(escap.team_id, escap, force=True)
        count += self.emit(escap.team_id, self._uow.get(Patient, escap.patient_id), force=True)
        for entity_type in _SNAPSHOT_ORDER:
            entity: Any
            for entity in self._uow.find(entity_type, escap_id=escap.id):
                count += self.emit(escap.team_id, entity, force=True)
        self._finish()
        return count

    def resend_escap(self, escap: Escap) -> int:
        """Sends the episode's whole file to its team again: every record as this store holds
        it, under new record ids, each with the clocks it has here — a member who holds them
        already merges them into nothing, one who lost part of the history gets the merged
        result of everything (``sync/history.py``). Returns the number of records."""
        self._resent = set()
        try:
            return self.share_escap(escap)
        finally:
            self._resent = None

    def _note_membership(self, team_id: str, membership: Membership) -> None:
        """A membership changed: the next cycle reviews the team (keys, removals); a departed
        member's records sealed with a later key version will be refused from now on."""
        self._repo.flag_review(team_id)
        if membership.status in (MembershipStatus.LEFT, MembershipStatus.REMOVED):
            versions = self._repo.team_keys(team_id)
            if versions:
                self._look_up((membership.professional_id,))
                wire = self._identities.to_wire(membership.professional_id)
                self._repo.cut_off_professional(team_id, wire, max(versions))

    # -- emission ---------------------------------------------------------------------------

    def emit(
        self, team_id: str, entity: Any, *, force: bool = False, names: list[str] | None = None
    ) -> int:
        """One outbox row for ``entity`` in ``team_id`` if it changed (always when forced);
        ``names``: the professionals it names, when the caller has listed them already."""
        entity_type = type(entity).__name__
        if names is None:
            names = _referenced_professionals(entity_type, entity)
        count = self._share_dependencies(team_id, entity_type, entity, names)
        self._look_up([*names, entity.id] if entity_type == "Professional" else names)
        wire = self._identities.entity_to_wire(
            entity_type, shared_fields(entity_type, entity_to_dict(entity))
        )
        # The entity's canonical JSON, made once: an append-only record's one hash and the
        # record's payload are both made from these bytes (a register's groups are hashed on
        # their own, and an unchanged register needs no payload).
        entity_json = canonical_json(wire) if entity_type in APPEND_ONLY else None
        clocks, changed = self._stamp(entity_type, entity.id, wire, entity_json)
        if not changed and not force:
            return count
        if entity_json is None:
            entity_json = canonical_json(wire)
        payload = record_bytes(entity_type, entity_json, clocks, self._clock().tick(self._wall))
        self._rows.append((team_id, entity_type, entity.id, payload))
        if entity_type in ("Patient", "Professional"):
            self._repo.mark_shared(team_id, entity_type, entity.id)
            if self._resent is not None:
                self._resent.add((team_id, entity_type, entity.id))
        return count + 1

    def _sent_before(self, team_id: str, entity_type: str, entity_id: str) -> bool:
        """Whether the team has this patient or professional already (in a resend: whether the
        resend carried it already)."""
        if self._resent is not None:
            return (team_id, entity_type, entity_id) in self._resent
        return self._repo.is_shared(team_id, entity_type, entity_id)

    def _share_dependencies(
        self, team_id: str, entity_type: str, entity: Any, professional_ids: list[str]
    ) -> int:
        """The professionals a record names, and its patient, go before it (once per team)."""
        count = 0
        for professional_id in professional_ids:
            if self._sent_before(team_id, "Professional", professional_id):
                continue
            try:
                professional = self._uow.get(Professional, professional_id)
            except NotFoundError:
                continue
            count += self.emit(team_id, professional, force=True)
        patient_id = getattr(entity, "patient_id", None)
        if (
            entity_type not in ("Patient", "Escap")
            and isinstance(patient_id, str)
            and not self._sent_before(team_id, "Patient", patient_id)
        ):
            with contextlib.suppress(NotFoundError):
                count += self.emit(team_id, self._uow.get(Patient, patient_id), force=True)
        return count

    def _stamp(
        self, entity_type: str, entity_id: str, wire: dict[str, Any], entity_json: bytes | None
    ) -> tuple[Clocks, bool]:
        """The entity's clocks after this write: a fresh reading for each group that changed
        (``entity_json``: ``canonical_json(wire)`` when the caller has made it)."""
        key = (entity_type, entity_id)
        stored = self._new_clocks.get(key)
        if stored is None and key not in self._fresh:
            row = self._repo.clock(entity_type, entity_id)
            stored = None if row is None else (row.clocks, row.hashes)
        clocks: Clocks = clocks_from_json(json.loads(stored[0])) if stored else {}
        hashes: dict[str, str] = json.loads(stored[1]) if stored else {}
        changed = False
        for name, digest in record_hashes(entity_type, wire, entity_json).items():
            if hashes.get(name) != digest or (name not in clocks and name != WHOLE):
                changed = True
                hashes[name] = digest
                if name != WHOLE:
                    clocks[name] = self._clock().tick(self._wall)
        if changed:
            texts = (clocks_to_text(clocks) if clocks else "{}", _hashes_text(hashes))
            if stored is None or key in self._new_clocks:
                self._new_clocks[key] = texts  # no row yet: inserted by _finish
            else:
                self._repo.save_clock(entity_type, entity_id, *texts)
        return clocks, changed

    # -- lookups ----------------------------------------------------------------------------

    def _teams_of(self, entity: object) -> list[str]:
        if isinstance(entity, Escap):
            team = self._team_of_escap(entity.id, entity.team_id)
            return [team] if team else []
        escap_id = getattr(entity, "escap_id", None)
        if isinstance(escap_id, str):
            team = self._team_of_escap(escap_id)
            return [team] if team else []
        if isinstance(entity, Patient):
            teams = [
                self._team_of_escap(escap.id, escap.team_id)
                for escap in self._uow.find(Escap, patient_id=entity.id)
            ]
            return sorted({team for team in teams if team})
        if isinstance(entity, Professional):
            return [
                team_id
                for team_id in self._repo.teams_sharing("Professional", entity.id)
                if self._active(team_id)
            ]
        return []

    def _team_of_escap(self, escap_id: str, team_id: str | None = None) -> str | None:
        if escap_id not in self._escap_teams:
            if team_id is None:
                try:
                    team_id = self._uow.get(Escap, escap_id).team_id
                except NotFoundError:
                    team_id = None
            self._escap_teams[escap_id] = team_id if team_id and self._active(team_id) else None
        return self._escap_teams[escap_id]

    def _active(self, team_id: str) -> bool:
        if self._team_states is not None and team_id in self._team_states:
            return self._team_states[team_id] != REMOVED_TEAM
        team = self._repo.team(team_id)
        return team is not None and team.state != REMOVED_TEAM

    def _look_up(self, professional_ids: Iterable[str]) -> None:
        """Adds these professionals to the identity map (one query for those not seen yet)."""
        wanted = [pid for pid in dict.fromkeys(professional_ids) if pid not in self._looked_up]
        if not wanted:
            return
        self._looked_up.update(wanted)
        self._uow.prefetch(Professional, wanted)
        for professional_id in wanted:
            with contextlib.suppress(NotFoundError):
                self._identities.add(self._uow.get(Professional, professional_id))

    def _clock(self) -> HlcState:
        if self._hlc is None:
            node, ms, counter = self._repo.hlc()
            self._hlc = HlcState(ms, counter, node)
        return self._hlc

    def _finish(self) -> None:
        """The clocks and outbox rows written (one statement each), then the clock state."""
        if self._new_clocks:
            self._repo.insert_clocks(
                [(kind, entity_id, *texts) for (kind, entity_id), texts in self._new_clocks.items()]
            )
            self._new_clocks = {}
        if self._rows:
            self._repo.add_outbox_rows(self._rows)
            self._rows = []
        if self._hlc is not None:
            self._repo.save_hlc(self._hlc.ms, self._hlc.counter)


def record_hashes(
    entity_type: str, wire: dict[str, Any], entity_json: bytes | None = None
) -> dict[str, str]:
    """``merge.hashes_of(entity_type, wire)``, the same digests: an append-only record's one
    hash covers all its fields, whose canonical JSON is ``entity_json`` itself (the fields
    sorted, as ``canonical_json`` sorts them), so it is not encoded a second time; a register's
    groups, or a record whose JSON is not given, are hashed by ``hashes_of``."""
    if entity_type in APPEND_ONLY and entity_json is not None:
        return {WHOLE: hashlib.blake2b(entity_json, digest_size=12).hexdigest()}
    return hashes_of(entity_type, wire)


def _hashes_text(hashes: dict[str, str]) -> str:
    """``json.dumps(hashes)`` (the text ``sync_clock.hashes`` has always held), written
    directly for an append-only record's single hex digest."""
    if len(hashes) == 1 and WHOLE in hashes and hashes[WHOLE].isalnum():
        return f'{{"{WHOLE}": "{hashes[WHOLE]}"}}'
    return json.dumps(hashes)


def record_bytes(entity_type: str, entity_json: bytes, clocks: Clocks, hlc: Hlc) -> bytes:
    """``Record(entity_type, wire, clocks, hlc).to_bytes()``, byte for byte, around the
    entity's canonical JSON already made (``entity_json``) rather than encoding it again
    inside the record: canonical JSON sorts the record's keys (clocks, entity, format, hlc,
    type) and puts no space between them, so the record is those parts in that order."""
    clocks_json = (
        canonical_json({name: clock.to_json() for name, clock in clocks.items()})
        if clocks
        else b"{}"
    )
    if hlc.node.isalnum() and hlc.node.isascii() and entity_type.isidentifier():
        # Plain ASCII words: their JSON is themselves in quotes (no escape to make).
        hlc_json = f'[{int(hlc.ms)},{int(hlc.counter)},"{hlc.node}"]'.encode()
        type_json = f'"{entity_type}"'.encode()
    else:
        hlc_json = canonical_json(hlc.to_json())
        type_json = canonical_json(entity_type)
    return b"".join(
        (
            b'{"clocks":',
            clocks_json,
            b',"entity":',
            entity_json,
            b',"format":',
            _FORMAT_JSON,
            b',"hlc":',
            hlc_json,
            b',"type":',
            type_json,
            b"}",
        )
    )


_FORMAT_JSON = canonical_json(RECORD_FORMAT)


def _referenced_professionals(entity_type: str, entity: Any) -> list[str]:
    ids: list[str] = []
    for name in PROFESSIONAL_REFS.get(entity_type, ()):
        value = getattr(entity, name, None)
        if isinstance(value, str):
            ids.append(value)
        elif isinstance(value, tuple | frozenset):
            ids.extend(sorted(value))
    return ids
