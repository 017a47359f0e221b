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
from datetime import UTC, datetime

from escap_desktop.core.entities import IdentifierKind, Professional
from escap_desktop.core.errors import EscapError, SyncError
from escap_desktop.sync import invitations, teams
from escap_desktop.sync.category_keys import latest_key_for
from escap_desktop.sync.context import CycleContext, SyncProgress, SyncReport
from escap_desktop.sync.crypto import seal_record
from escap_desktop.sync.page import Pulled, apply_page, retry_parked
from escap_desktop.sync.records import record_category
from escap_desktop.sync.relay_client import HistoryPurgedError, RelayRefusedError
from escap_desktop.sync.teams import LIVE_STATES
from escap_desktop.sync.wire import MAX_BATCH_ENVELOPES, Envelope

logger = logging.getLogger(__name__)

PUSH_BATCH = 200
PUSH_BATCH_BYTES = 4 * 1024 * 1024
PULL_LIMIT = 200

Cancelled = Callable[[], bool]


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
        ):
            _check(cancel)
            yield SyncProgress(percent, text)
            step()
        yield from self.push(cancel, start=70, end=99)
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
        heads = {team.team_id: team.head_seq for team in ctx.client.teams().teams}
        with ctx.work() as (_uow, repo):
            local = [(team.team_id, team.cursor) for team in repo.teams(*LIVE_STATES)]
        total = sum(max(heads.get(team_id, 0) - cursor, 0) for team_id, cursor in local) or 1
        done = 0
        for team_id, cursor in local:
            if team_id not in heads:
                teams.mark_removed(ctx, team_id)
                continue
            while heads[team_id] > cursor:
                _check(cancel)
                try:
                    page = ctx.client.pull(team_id, cursor, self._pull_limit)
                except HistoryPurgedError as error:
                    # This team cannot move on without losing records; the others can, and
                    # pushes still go out. The cycle then fails with the French explanation.
                    logger.warning("Historique de l'équipe %s effacé du relais.", team_id)
                    self._purged = self._purged or error
                    break
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
        ctx = self.ctx
        with ctx.work() as (_uow, repo):
            live = [team.team_id for team in repo.teams(*LIVE_STATES)]
            total = repo.pending_count() or 1
        for team_id in live:
            while True:
                _check(cancel)
                batch = self._seal_batch(team_id)
                if not batch:
                    break
                try:
                    response = ctx.client.push(batch)
                except RelayRefusedError as error:
                    if error.status in (403, 404):
                        teams.mark_removed(ctx, team_id)
                        break
                    raise
                now = datetime.fromtimestamp(ctx.wall(), UTC)
                with ctx.work() as (_uow, repo):
                    repo.mark_sent([(r.record_id, r.seq) for r in response.results], now)
                ctx.report.pushed += len(batch)
                yield SyncProgress(
                    start + (end - start) * min(ctx.report.pushed, total) // total,
                    f"Envoi : {ctx.report.pushed} modification(s)",
                )

    def _seal_batch(self, team_id: str) -> list[Envelope]:
        """The next envelopes to push, sealed once and stored before they leave (same bytes on
        every retry); empty when nothing is pending or the team key is not here yet. Each
        record is sealed with the latest key of its data category."""
        ctx = self.ctx
        with ctx.work() as (_uow, repo):
            keys = repo.team_keys(team_id)
            if not keys:
                return []
            batch: list[Envelope] = []
            size = 0
            for row in repo.pending_outbox(self._push_batch, [team_id]):
                if row.envelope is None:
                    assert row.payload is not None
                    key = latest_key_for(keys, record_category(row.payload))
                    if key is None:
                        continue  # this category's key is not here (yet): the row waits
                    envelope = seal_record(
                        key,
                        ctx.keys,
                        team_id=team_id,
                        record_id=row.record_id,
                        record_type=row.entity_type,
                        plaintext=row.payload,
                    )
                    row.envelope = envelope.to_json()
                else:
                    envelope = Envelope.from_json(row.envelope)
                size += len(row.envelope)
                if batch and size > PUSH_BATCH_BYTES:
                    break
                batch.append(envelope)
        return batch


def _check(cancel: Cancelled) -> None:
    if cancel():
        raise SyncCancelledError()
