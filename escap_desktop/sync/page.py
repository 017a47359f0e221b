"""Checks and applies pulled envelopes, one page per transaction.

Each envelope goes through ``crypto.EnvelopeVerifier`` (replay guard, author membership,
signature, key version, decryption); a departed member's records sealed after their departure
are refused too, and so is a record that names another ESCAP than its team's. A refused
envelope is logged (ids only) and never applied. An envelope sealed with a key version this
device does not hold yet is parked and retried once the key arrives. An envelope of a data
category this member may not read (``core.rules.access``) is neither opened nor kept: its key
never comes here (``sync/category_keys.py``). A record sealed with another category's key than
its own is refused. The record, its replay-
guard row and the team's cursor commit together: a crash replays nothing and skips nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from escap_desktop.core.entities import Escap
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import UnitOfWork
from escap_desktop.store.episode_team import follow_team
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.applier import RecordApplier
from escap_desktop.sync.category_keys import category_of_version
from escap_desktop.sync.clock import HlcState
from escap_desktop.sync.codec import CodecError
from escap_desktop.sync.context import CycleContext
from escap_desktop.sync.crypto import (
    CryptoError,
    EnvelopeVerifier,
    OpenedRecord,
    UnknownKeyVersionError,
)
from escap_desktop.sync.outbox import applying_remote
from escap_desktop.sync.records import Record, parse_record
from escap_desktop.sync.teams import member_categories, refresh_members
from escap_desktop.sync.wire import Envelope, key_id_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Pulled:
    seq: int
    envelope: Envelope


_TEAM_RECORDS = frozenset({"Escap", "Membership", "Patient", "Professional", "Consent"})
"""What the team rule reads: a change to any of them may complete or break the team."""


class _StoreReplayGuard:
    def __init__(self, repo: SyncRepository) -> None:
        self._repo = repo

    def was_applied(self, team_id: str, record_id: str) -> bool:
        return self._repo.was_applied(team_id, record_id)

    def mark_applied(self, team_id: str, record_id: str, digest: bytes) -> None:
        # Written with the page's other rows, in its transaction (``apply_page``).
        self._repo.mark_applied_later(team_id, record_id, digest)


def apply_page(
    ctx: CycleContext,
    team_id: str,
    items: list[Pulled],
    next_cursor: int | None = None,
    *,
    from_parking: bool = False,
) -> None:
    """Applies ``items`` of one team in one transaction, then moves the cursor."""
    _learn_unknown_authors(ctx, team_id, items)
    with applying_remote(), ctx.work() as (uow, repo):
        state = repo.state()
        clock = HlcState(state.hlc_ms, state.hlc_counter, state.node_id)
        page = _Page(ctx, uow, repo, clock, team_id)
        record_ids = [item.envelope.record_id for item in items]
        repo.prefetch_applied(team_id, record_ids)
        repo.prefetch_own(
            [i.envelope.record_id for i in items if i.envelope.author_key_id == ctx.device_id]
        )
        page.apply_all(items, from_parking=from_parking)
        repo.write_applied()
        if page.team_touched and page.escap_id is not None:
            # Memberships merged from several members: the state follows the merged team,
            # the same on every store, with nothing sent back (each member derives it).
            follow_team(uow, page.escap_id)
        state.hlc_ms, state.hlc_counter = clock.ms, clock.counter
        team = repo.team(team_id)
        if next_cursor is not None and team is not None:
            team.cursor = max(team.cursor, next_cursor)


def retry_parked(ctx: CycleContext, team_id: str) -> None:
    with ctx.work() as (_uow, repo):
        parked = [
            Pulled(row.relay_seq, Envelope.from_json(row.envelope)) for row in repo.parked(team_id)
        ]
    if parked:
        apply_page(ctx, team_id, parked, from_parking=True)


def _learn_unknown_authors(ctx: CycleContext, team_id: str, items: list[Pulled]) -> None:
    """A new member's first records: ask the relay for the member list once per cycle. An
    author no longer in it (a lost computer removed from the team, whose professional's record
    now names their new one) is looked up by its id: the id is the hash of its signing key, so
    the relay cannot answer another key, and its records are still checked and opened like any
    (the device gets and sends no key: it stays unvouched)."""
    with ctx.work() as (_uow, repo):
        unknown = {
            item.envelope.author_key_id
            for item in items
            if repo.device(team_id, item.envelope.author_key_id) is None
        }
    if not unknown:
        return
    if team_id not in ctx.members_refreshed:
        refresh_members(ctx, team_id)
    with ctx.work() as (_uow, repo):
        unknown = {author for author in unknown if repo.device(team_id, author) is None}
    for author in sorted(unknown):
        if (author, team_id) in ctx.authors_looked_up:
            continue
        ctx.authors_looked_up.add((author, team_id))
        device = ctx.client.device(author)
        if device is None or key_id_for(device.signing_key) != author:
            continue
        with ctx.work() as (_uow, repo):
            repo.remember_device(
                team_id, device.device_id, device.signing_key, device.encryption_key, None
            )


class _Page:
    def __init__(
        self,
        ctx: CycleContext,
        uow: UnitOfWork,
        repo: SyncRepository,
        clock: HlcState,
        team_id: str,
    ) -> None:
        self._ctx = ctx
        self._uow = uow
        self._repo = repo
        self._team_id = team_id
        self._applier = RecordApplier(uow, repo, clock)
        keys = repo.team_keys(team_id)
        self._verifier = EnvelopeVerifier(
            member_key=self._member_key,
            team_keys=lambda _team_id: keys,
            replay_guard=_StoreReplayGuard(repo),
            log=logger,
        )
        self._device_id = ctx.device_id  # derived from the device's key: once per page
        team = repo.team(team_id)
        self._escap_id = team.escap_id if team is not None else None
        self.team_touched = False
        self._readable = member_categories(uow, self._escap_id or "", ctx.actor_id)

    @property
    def escap_id(self) -> str | None:
        return self._escap_id

    def _member_key(self, team_id: str, author_id: str) -> bytes | None:
        row = self._repo.device(team_id, author_id)
        return None if row is None else row.signing_key

    def apply_all(self, items: list[Pulled], *, from_parking: bool) -> None:
        """Opens every envelope of the page first (the cryptographic checks of the whole page
        in one pass), then looks up the stored versions of all its records in one query per
        type, then merges them in order: a page of a thousand records costs a few queries,
        not two thousand."""
        to_open: list[Pulled] = []
        for item in items:
            if self._may_open(item.envelope):
                to_open.append(item)
            elif from_parking:
                self._repo.unpark(self._team_id, item.envelope.record_id)
        opened_items: list[tuple[Pulled, OpenedRecord, Record]] = []
        outcomes = self._verifier.open_many([item.envelope for item in to_open])
        for item, outcome in zip(to_open, outcomes, strict=True):
            if isinstance(outcome, UnknownKeyVersionError):
                if not from_parking:
                    envelope = item.envelope
                    self._repo.park(self._team_id, envelope.record_id, item.seq, envelope.to_json())
                    self._ctx.report.parked += 1
                continue  # still waiting for its key: stays parked
            if from_parking:
                self._repo.unpark(self._team_id, item.envelope.record_id)
            if isinstance(outcome, CryptoError):
                self._ctx.report.rejected += 1
                continue
            record = self._parse(item.envelope, outcome)
            if record is not None:
                opened_items.append((item, outcome, record))
        self._applier.prefetch([record for _item, _opened, record in opened_items])
        for item, opened, record in opened_items:
            self._merge(item.envelope, opened, record)
        self._applier.write_new()

    def _may_open(self, envelope: Envelope) -> bool:
        """False for an envelope refused or not for this member before any cryptography."""
        if envelope.author_key_id == self._device_id and self._repo.is_own_record(
            envelope.record_id
        ):
            return False  # written here: the store already holds it
        if not self._still_allowed(envelope):
            return False
        if category_of_version(envelope.key_version) not in self._readable:
            # For members allowed that category: its key never comes here.
            self._ctx.report.withheld += 1
            return False
        return True

    def _parse(self, envelope: Envelope, opened: OpenedRecord) -> Record | None:
        """The opened envelope's record; None when refused (logged)."""
        try:
            record = parse_record(opened.plaintext)
            self._check_scope(envelope, record)
            if record.category is not category_of_version(envelope.key_version):
                raise CodecError(
                    "enregistrement scellé avec la clé d'une autre catégorie de données"
                )
        except CodecError as error:
            self._reject(envelope, str(error))
            return None
        return record

    def _check_patient(self, record: Record) -> None:
        """A team's patient is its episode's, which an earlier record of the page may bring."""
        try:
            escap = self._uow.get(Escap, self._escap_id or "")
        except NotFoundError as error:
            raise CodecError("patient reçu avant son épisode") from error
        if record.entity["id"] != escap.patient_id:
            raise CodecError("patient étranger à cette équipe")

    def _merge(self, envelope: Envelope, opened: OpenedRecord, record: Record) -> None:
        report = self._ctx.report
        if record.entity_type == "Patient":
            try:
                self._check_patient(record)
            except CodecError as error:
                self._reject(envelope, str(error))
                return
        if self._repo.was_applied(self._team_id, envelope.record_id):
            # The same record twice in one page: opened before the first was marked applied.
            self._reject(envelope, "enregistrement déjà reçu (rejeu)")
            return
        if self._applier.apply(self._team_id, record, envelope.key_version):
            report.changed += 1
            if record.entity_type in _TEAM_RECORDS:
                self.team_touched = True
        self._verifier.mark_applied(opened)
        report.received += 1

    def _still_allowed(self, envelope: Envelope) -> bool:
        """A departed member's devices may not author records with keys made after they left."""
        row = self._repo.device(self._team_id, envelope.author_key_id)
        if row is None or row.max_key_version is None:
            return True
        if envelope.key_version <= row.max_key_version:
            return True
        self._reject(envelope, "auteur parti de l'équipe avant cette version de clé")
        return False

    def _check_scope(self, envelope: Envelope, record: Record) -> None:
        """Every record of a team belongs to that team's episode (and its patient)."""
        if record.entity_type != envelope.record_type:
            raise CodecError("type d'enregistrement différent de celui de l'enveloppe")
        entity = record.entity
        if record.entity_type == "Professional":
            return
        if record.entity_type == "Escap":
            if entity["id"] != self._escap_id or entity.get("team_id") != self._team_id:
                raise CodecError("épisode étranger à cette équipe")
            return
        if record.entity_type == "Patient":
            return  # checked against its episode when merged (the episode may be in this page)
        if entity.get("escap_id") != self._escap_id:
            raise CodecError("enregistrement d'un autre épisode que celui de l'équipe")

    def _reject(self, envelope: Envelope, reason: str) -> None:
        self._ctx.report.rejected += 1
        logger.warning(
            "Enveloppe rejetée (équipe %s, enregistrement %s, auteur %s) : %s",
            envelope.team_id,
            envelope.record_id,
            envelope.author_key_id,
            reason,
        )
