"""The team's file sent again to a colleague whose device lost part of the team's history.

The relay purges old envelopes (``escap_relay.retention``). A device whose cursor falls below
the purged part — a colleague invited after a purge, a laptop back after months — would miss
records if it skipped the gap, so the relay refuses its pull (410). Then:

1. that device asks for the file (:func:`ask`) and says so to its user (``HistoryPurgedError``);
2. the next cycle of a member's device that may send it (:func:`send_wanted`: a health
   professional's, holding every key the consent lets it read, up to date with the relay)
   reserves the resend with the cursor its state covers, and writes the whole episode to its
   outbox in one transaction — every record as it holds it, under new record ids, with the
   clocks it has here (``OutboxWriter.resend_escap``), sealed and signed by its own device like
   any record it writes; the members who hold them already merge them into nothing;
3. once every row of the resend is pushed, that device completes it (:func:`complete_sent`, in
   the same cycle or, after a crash or a cut connection, the next one);
4. the device below the purged part is then told where to resume (:func:`resume`): after the
   cursor the resend covers, so it receives the resend and everything after it.

The relay only orders this and learns nothing new: the resend is ciphertext from a member.
"""

from __future__ import annotations

import logging

from escap_desktop.core.entities import Escap, Professional
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules.access import may_resend_history
from escap_desktop.store import UnitOfWork
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.category_keys import latest_key_for
from escap_desktop.sync.context import CycleContext
from escap_desktop.sync.outbox import OutboxWriter
from escap_desktop.sync.relay_client import RelayRefusedError
from escap_desktop.sync.teams import LIVE_STATES, member_categories

logger = logging.getLogger(__name__)


def resume(ctx: CycleContext, team_id: str, resume_from: int) -> int:
    """Moves the team's cursor to where a member's resend starts; returns the new cursor."""
    with ctx.work() as (_uow, repo):
        team = repo.team(team_id)
        if team is None:
            return resume_from
        team.cursor = max(team.cursor, resume_from)
        cursor = team.cursor
    ctx.report.history_resumed += 1
    logger.info(
        "Équipe %s : dossier renvoyé par un membre, reprise après le n° %d.", team_id, cursor
    )
    return cursor


def ask(ctx: CycleContext, team_id: str) -> None:
    """Asks the team's members to send the file again (once until one does)."""
    try:
        ctx.client.request_history(team_id)
    except RelayRefusedError as error:
        logger.warning("Demande de renvoi du dossier (équipe %s) refusée : %s", team_id, error)


def send_wanted(ctx: CycleContext, wanted: set[str], heads: dict[str, int]) -> None:
    """Sends the file of each team in ``wanted`` that this device may send, up to date with
    the relay's ``heads`` (this cycle's pull reached them)."""
    for team_id in sorted(wanted):
        with ctx.work() as (uow, repo):
            team = repo.team(team_id)
            if (
                team is None
                or team.state not in LIVE_STATES
                or team.resend_base is not None
                or team.cursor < heads.get(team_id, 0)
                or not _may_send(ctx, uow, repo, team_id, team.escap_id)
            ):
                continue
            base = team.cursor
        claimed = ctx.client.claim_history(team_id, base)
        if claimed is None or claimed.claimed_by != ctx.device_id:
            continue  # another device sends it, or nobody waits for it any more
        with ctx.work() as (uow, repo):
            team = repo.team(team_id)
            assert team is not None
            count = OutboxWriter(uow, repo, ctx.wall).resend_escap(uow.get(Escap, team.escap_id))
            team.resend_base = base
            team.resend_upto = repo.last_outbox_seq(team_id)
        ctx.report.history_sent += 1
        logger.info(
            "Équipe %s : dossier renvoyé (%d enregistrement(s), état au n° %d).",
            team_id,
            count,
            base,
        )


def complete_sent(ctx: CycleContext) -> None:
    """Tells the relay which resends are wholly pushed: their devices may resume now."""
    with ctx.work() as (_uow, repo):
        under_way = [
            (team.team_id, team.resend_base)
            for team in repo.teams(*LIVE_STATES)
            if team.resend_base is not None
            and not repo.pending_up_to(team.team_id, team.resend_upto or 0)
        ]
    for team_id, base in under_way:
        done = ctx.client.complete_history(team_id, base)
        if done is None:
            # The claim expired or the relay purged beyond its base meanwhile: the request
            # stays open on the relay, and a later cycle (here or elsewhere) sends it again.
            logger.warning("Équipe %s : renvoi du dossier à refaire.", team_id)
        with ctx.work() as (_uow, repo):
            team = repo.team(team_id)
            if team is not None:
                team.resend_base = team.resend_upto = None


def _may_send(
    ctx: CycleContext, uow: UnitOfWork, repo: SyncRepository, team_id: str, escap_id: str
) -> bool:
    """A health professional's device (``may_resend_history``) holding the key of every
    category it may read, with no envelope waiting for a key: its file leaves nothing out."""
    try:
        me = uow.get(Professional, ctx.actor_id)
    except NotFoundError:
        return False
    if not may_resend_history(me.profession):
        return False
    keys = repo.team_keys(team_id)
    readable = member_categories(uow, escap_id, ctx.actor_id)
    if any(latest_key_for(keys, category) is None for category in readable):
        return False
    return not repo.parked(team_id)
