"""One sync cycle: register, answer invitations, fetch keys, pull, manage teams, push.

The cycle is a generator of :class:`SyncProgress` (the GUI runs it in its job runner, the CLI
prints it) returning a :class:`SyncReport`. Every step is safe to interrupt at any point (cut
connection, crash, cancellation): pulls resume from each team's cursor, pushes resend the very
same sealed envelopes (the relay answers "duplicate" with the first sequence number), and every
decision is recorded before it is carried out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from escap_desktop.core.entities import DataCategory, IdentifierKind, Professional
from escap_desktop.core.errors import EscapError, SyncError
from escap_desktop.store import UnitOfWork
from escap_desktop.store.collection import collection_paused
from escap_desktop.store.push_batches import mark_sent, pending_after, store_envelopes
from escap_desktop.sync import history, invitations, teams
from escap_desktop.sync.category_keys import latest_key_for
from escap_desktop.sync.context import CycleContext, SyncProgress, SyncReport
from escap_desktop.sync.crypto import TeamKey, seal_record
from escap_desktop.sync.page import Pulled, apply_page, retry_parked
from escap_desktop.sync.records import record_category
from escap_desktop.sync.relay_client import HistoryPurgedError, RelayRefusedError
from escap_desktop.sync.teams import LIVE_STATES
from escap_desktop.sync.wire import MAX_BATCH_ENVELOPES, Envelope, PullPage, PushResponse

logger = logging.getLogger(__name__)

PUSH_BATCH = 200
PUSH_BATCH_BYTES = 4 * 1024 * 1024
PULL_LIMIT = 200
PUSH_CHUNK_BATCHES = 2
"""Batches sealed (and earlier ones marked sent) per transaction while others are in flight."""

Cancelled = Callable[[], bool]
T = TypeVar("T")


class SyncCancelledError(SyncError):
    def __init__(self) -> None:
        super().__init__("Synchronisation interrompue : elle reprendra où elle s'est arrêtée.")


class SyncEngine:
    """Runs cycles for one store and device against one relay.

    ``confirm_membership(membership_id)`` records the local professional's acceptance of a
    membership (``EscapService.answer_invitation``), once an accepted invitation's history is in.
    """

    def __init__(
        self,
        ctx: CycleContext,
        *,
        confirm_membership: Callable[[str], object],
        push_batch: int = PUSH_BATCH,
        pull_limit: int = PULL_LIMIT,
    ) -> None:
        self.ctx = ctx
        self._confirm = confirm_membership
        self._push_batch = min(push_batch, MAX_BATCH_ENVELOPES)
        self._pull_limit = pull_limit
        self._purged: HistoryPurgedError | None = None
        self._heads: dict[str, int] = {}
        self._history_wanted: set[str] = set()

    def run(self, cancel: Cancelled = lambda: False) -> Generator[SyncProgress, None, SyncReport]:
        ctx = self.ctx
        steps: list[tuple[int, str, Callable[[], object]]] = [
            (2, "Connexion au relais", self.register),
            (8, "Invitations reçues", self.receive_invitations),
            (12, "Clés d'équipe", self.receive_keys),
            (16, "Équipes à créer", self.create_teams),
        ]
        for percent, text, step in steps:
            _check(cancel)
            yield SyncProgress(percent, text)
            step()
        yield from self.pull(cancel, start=20, end=55)
        for percent, text, step in (
            # Invitations first: an invitee who proved its code gets its keys in this cycle.
            (58, "Invitations envoyées", self.send_invitations),
            (62, "Membres des équipes", lambda: teams.review_teams(ctx)),
            (66, "Réponses aux invitations", self.confirm_joins),
            (68, "Dossiers à renvoyer", self.send_history),
        ):
            _check(cancel)
            yield SyncProgress(percent, text)
            step()
        yield from self.push(cancel, start=70, end=99)
        history.complete_sent(ctx)
        with ctx.work() as (_uow, repo):
            ctx.report.pending = repo.pending_count()
        if self._purged is not None:
            raise self._purged  # after everything else went through: see pull()
        yield SyncProgress(100, ctx.report.summary())
        return ctx.report

    # -- steps -------------------------------------------------------------------------------

    def register(self) -> None:
        """Registers the device (and binds the professional's RPPS) once per relay address."""
        ctx = self.ctx
        with ctx.work() as (uow, repo):
            state = repo.state()
            if state.registered_url == ctx.client.base_url:
                return
            me = uow.get(Professional, ctx.actor_id)
        rpps = me.identifier if me.identifier_kind is IdentifierKind.RPPS else None
        ctx.client.register(rpps, identity_token=ctx.identity_token)
        with ctx.work() as (_uow, repo):
            repo.state().registered_url = ctx.client.base_url

    def receive_invitations(self) -> None:
        invitations.receive_invitations(self.ctx)
        invitations.answer_invitations(self.ctx)
        invitations.join_confirmed_teams(self.ctx)

    def receive_keys(self) -> None:
        for team_id in teams.receive_keys(self.ctx):
            retry_parked(self.ctx, team_id)

    def create_teams(self) -> None:
        teams.share_new_escaps(self.ctx)
        teams.create_pending_teams(self.ctx)

    def send_invitations(self) -> None:
        invitations.send_invitations(self.ctx)
        invitations.poll_sent_invitations(self.ctx)

    def send_history(self) -> None:
        """The file of each team where a colleague lost part of the history, if this device
        may send it (``sync/history.py``)."""
        history.send_wanted(self.ctx, self._history_wanted, self._heads)

    def confirm_joins(self) -> None:
        for membership_id in invitations.confirm_joined_teams(self.ctx):
            try:
                self._confirm(membership_id)
            except EscapError as error:
                logger.warning("Adhésion %s non confirmée : %s", membership_id, error)

    # -- pull --------------------------------------------------------------------------------

    def pull(
        self, cancel: Cancelled, *, start: int, end: int
    ) -> Generator[SyncProgress, None, None]:
        ctx = self.ctx
        listed = ctx.client.teams().teams
        heads = self._heads = {team.team_id: team.head_seq for team in listed}
        self._history_wanted = {team.team_id for team in listed if team.history_wanted}
        named = {team.team_id for team in listed if team.is_admin}
        with ctx.work() as (_uow, repo):
            local = []
            for team in repo.teams(*LIVE_STATES):
                local.append((team.team_id, team.cursor))
                if team.team_id in heads and (team.team_id in named) != team.is_admin:
                    # Named (or no longer) by others since: the review does what it implies
                    # (a new administrator removes, renews, names, delivers keys).
                    team.is_admin = team.team_id in named
                    team.review = True
        total = sum(max(heads.get(team_id, 0) - cursor, 0) for team_id, cursor in local) or 1
        done = 0
        with _Worker("escap-pull") as worker:
            for team_id, cursor in local:
                if team_id not in heads:
                    teams.mark_removed(ctx, team_id)
                    continue
                ahead: Future[PullPage] | None = None  # the next page, asked for meanwhile
                while heads[team_id] > cursor:
                    _check(cancel)
                    asked, ahead = ahead, None
                    try:
                        page = asked.result() if asked else self._fetch(team_id, cursor)
                    except HistoryPurgedError as error:
                        if error.resume_from is not None:
                            # A colleague sent the team's file again: go on after what it covers.
                            cursor = history.resume(ctx, team_id, error.resume_from)
                            continue
                        # This team cannot move on without losing records; the others can, and
                        # pushes still go out. A member's device is asked for the file, and the
                        # cycle then fails with the French explanation.
                        logger.warning("Historique de l'équipe %s effacé du relais.", team_id)
                        history.ask(ctx, team_id)
                        self._purged = self._purged or error
                        break
                    if page.has_more and heads[team_id] > page.next_cursor:
                        # The relay reads and sends it while this page is checked and written.
                        ahead = worker.submit(self._fetch, team_id, page.next_cursor)
                    items = [Pulled(item.seq, item.envelope) for item in page.envelopes]
                    apply_page(ctx, team_id, items, page.next_cursor)
                    done += page.next_cursor - cursor
                    cursor = page.next_cursor
                    yield SyncProgress(
                        start + (end - start) * min(done, total) // total,
                        f"Réception : {ctx.report.received} enregistrement(s)",
                    )
                    if not page.has_more:
                        break

    def _fetch(self, team_id: str, cursor: int) -> PullPage:
        """One page after ``cursor`` (in the cycle's thread, or ahead in the pull's worker)."""
        with collection_paused():  # as for applying it (``store/collection.py``)
            return self.ctx.client.pull(team_id, cursor, self._pull_limit)

    def apply_envelopes(self, team_id: str, envelopes: list[Envelope]) -> SyncReport:
        """The pull's checking and applying path, for envelopes obtained some other way."""
        apply_page(
            self.ctx, team_id, [Pulled(0, envelope) for envelope in envelopes], next_cursor=None
        )
        return self.ctx.report

    # -- push --------------------------------------------------------------------------------

    def push(
        self, cancel: Cancelled, *, start: int, end: int
    ) -> Generator[SyncProgress, None, None]:
        """Seals, stores and sends each team's pending rows, a few batches per transaction.
        While the relay checks and stores some batches (sent one request at a time from a
        worker thread), the next ones are sealed and stored here: every envelope is stored
        before it leaves, and a row is marked sent only once the relay has answered for it
        (in the transaction that seals the following batches, or the last one)."""
        ctx = self.ctx
        with ctx.work() as (_uow, repo):
            live = [team.team_id for team in repo.teams(*LIVE_STATES)]
            total = repo.pending_count() or 1
        with _Worker("escap-push") as sender:
            for team_id in live:
                yield from self._push_team(
                    team_id, sender, cancel, start=start, end=end, total=total
                )

    def _push_team(
        self,
        team_id: str,
        sender: _Worker,
        cancel: Cancelled,
        *,
        start: int,
        end: int,
        total: int,
    ) -> Generator[SyncProgress, None, None]:
        ctx = self.ctx
        after = 0
        acked: list[tuple[str, int]] = []  # answered by the relay, not marked sent yet
        in_flight: Future[_Sent] | None = None
        try:
            while True:
                cancelled = cancel()
                batches: list[_Batch] = []
                if not cancelled:
                    batches, after = self._seal_chunk(team_id, after, acked)
                    acked = []
                if in_flight is not None:
                    sent, in_flight = in_flight.result(), None
                    acked = [
                        (result.record_id, result.seq)
                        for response in sent.responses
                        for result in response.results
                    ]
                    ctx.report.pushed += len(acked)
                    if sent.error is not None:
                        error = sent.error
                        if isinstance(error, RelayRefusedError) and error.status in (403, 404):
                            self._mark_sent(acked)
                            acked = []
                            teams.mark_removed(ctx, team_id)
                            return
                        raise error
                    yield SyncProgress(
                        start + (end - start) * min(ctx.report.pushed, total) // total,
                        f"Envoi : {ctx.report.pushed} modification(s)",
                    )
                if cancelled:
                    raise SyncCancelledError()
                if not batches:
                    return
                in_flight = sender.submit(self._send_all, batches)
        finally:
            self._mark_sent(acked)

    def _mark_sent(self, acked: list[tuple[str, int]]) -> None:
        if acked:
            with self.ctx.work() as (uow, _repo):
                mark_sent(uow.session, acked, datetime.fromtimestamp(self.ctx.wall(), UTC))

    def _send_all(self, batches: list[_Batch]) -> _Sent:
        """Runs in the worker thread: one request per batch, in order, until one fails."""
        responses: list[PushResponse] = []
        for batch in batches:
            try:
                responses.append(self.ctx.client.push(batch.envelopes, bodies=batch.bodies))
            except Exception as error:  # raised again in the cycle's thread
                return _Sent(responses, error)
        return _Sent(responses, None)

    def _seal_chunk(
        self, team_id: str, after: int, acked: list[tuple[str, int]]
    ) -> tuple[list[_Batch], int]:
        """In one transaction: marks ``acked`` sent, then seals and stores the next batches to
        push after outbox row ``after`` (sealed once, so every retry sends the same bytes);
        returns them and the last row taken. Nothing when nothing is pending or the team key
        is not here yet. Each record is sealed with the latest key of its data category; a
        row whose category key is not here waits."""
        ctx = self.ctx
        with ctx.work() as (uow, repo):
            if acked:
                mark_sent(uow.session, acked, datetime.fromtimestamp(ctx.wall(), UTC))
            keys = repo.team_keys(team_id)
            if not keys:
                return [], after
            batches: list[_Batch] = []
            while len(batches) < PUSH_CHUNK_BATCHES:
                batch, after = self._seal_batch(uow, team_id, keys, after)
                if batch is None:
                    break
                batches.append(batch)
            return batches, after

    def _seal_batch(
        self, uow: UnitOfWork, team_id: str, keys: dict[int, bytes], after: int
    ) -> tuple[_Batch | None, int]:
        ctx = self.ctx
        while True:
            rows = pending_after(uow.session, team_id, after, self._push_batch)
            if not rows:
                return None, after
            batch = _Batch([], [])
            sealed: list[tuple[int, bytes]] = []
            size = 0
            category_keys: dict[DataCategory, TeamKey | None] = {}  # 3 at most, per batch
            for row in rows:
                if row.envelope is None:
                    assert row.payload is not None
                    category = record_category(row.payload)
                    if category not in category_keys:
                        category_keys[category] = latest_key_for(keys, category)
                    key = category_keys[category]
                    if key is None:
                        after = row.seq
                        continue  # this category's key is not here (yet): the row waits
                    envelope = seal_record(
                        key,
                        ctx.keys,
                        team_id=team_id,
                        record_id=row.record_id,
                        record_type=row.entity_type,
                        plaintext=row.payload,
                    )
                    body = envelope.to_json()
                    sealed.append((row.seq, body))
                else:
                    body = row.envelope
                    envelope = Envelope.from_json(body)
                size += len(body)
                if batch.envelopes and size > PUSH_BATCH_BYTES:
                    break
                batch.envelopes.append(envelope)
                batch.bodies.append(body)
                after = row.seq
            store_envelopes(uow.session, sealed)
            if batch.envelopes:
                return batch, after


@dataclass(frozen=True, slots=True)
class _Batch:
    envelopes: list[Envelope]
    bodies: list[bytes]
    """Each envelope's JSON as stored in the outbox: the request splices them."""


@dataclass(frozen=True, slots=True)
class _Sent:
    responses: list[PushResponse]
    error: Exception | None
    """What stopped the requests after ``responses``, raised again in the cycle's thread."""


class _Worker:
    """Requests in one worker thread, started on the first; one task at a time, in order."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, task: Callable[..., T], *args: Any) -> Future[T]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self._name)
        return self._pool.submit(task, *args)

    def __enter__(self) -> _Worker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)  # a request in flight ends before the cycle does


def _check(cancel: Cancelled) -> None:
    if cancel():
        raise SyncCancelledError()
