"""Retention: envelopes do not pile up on the relay forever, and no device misses one silently.

Two reasons to purge an envelope of a team, both cutting a prefix of its sequence numbers, so
``teams.purged_seq`` says exactly what is gone:

- **maximum age** (``RelaySettings.max_age_days``, a year by default): the envelopes that
  arrived before it, whoever has not pulled them yet;
- **acknowledged by every member** (``acked_retention_days``, a month by default): the envelopes
  at or below the lowest cursor the team's member devices pulled from (a device pulls from a
  cursor only once it stored everything up to it), that many days after they arrived, and only
  while no invitation to the team is pending (the invitee would otherwise need a resend at once).

A pull from a cursor below ``purged_seq`` is answered 410 (``historique-efface``): the device
has lost records and is told so in French rather than skipping them; it asks for the team's
file, which a member's device sends again (``escap_relay.data.history``), and then resumes. So
the relay's storage is bounded by what the active teams wrote lately, not by their history. The
same job deletes expired request nonces. Every relay process may run it at the same time: each
team is purged in its own transaction under the team's row lock.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import anyio.to_thread
from sqlalchemy import Connection, Engine, delete, func, select, update

from escap_desktop.core.clock import Clock
from escap_relay.data import nonces
from escap_relay.schema import envelopes, invitations, team_members, teams
from escap_relay.settings import RelaySettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    envelopes: int
    teams: int
    nonces: int

    def summary(self) -> str:
        return (
            f"Purge terminée : {self.envelopes} enveloppe(s) supprimée(s) dans "
            f"{self.teams} équipe(s), {self.nonces} nonce(s) expiré(s) effacé(s)."
        )


def purge(engine: Engine, settings: RelaySettings, clock: Clock) -> PurgeReport:
    """Purges every team, then the expired nonces; one short transaction per team."""
    now = clock.now()
    with engine.begin() as connection:
        team_ids = list(connection.scalars(select(teams.c.team_id).order_by(teams.c.team_id)))
    purged_envelopes = purged_teams = 0
    for team_id in team_ids:
        with engine.begin() as connection:
            count = purge_team(connection, team_id, settings, now)
        if count:
            purged_envelopes += count
            purged_teams += 1
    with engine.begin() as connection:
        expired = nonces.purge_expired(connection, now)
    return PurgeReport(purged_envelopes, purged_teams, expired)


def purge_team(conn: Connection, team_id: str, settings: RelaySettings, now: datetime) -> int:
    """Purges one team's envelopes up to the highest cut; returns how many were deleted."""
    team = conn.execute(
        select(teams.c.purged_seq).where(teams.c.team_id == team_id).with_for_update()
    ).one()
    cut = 0
    if settings.max_age_days is not None:
        cut = _last_seq_before(conn, team_id, now - timedelta(days=settings.max_age_days))
    if settings.acked_retention_days is not None and not _invitation_pending(conn, team_id):
        acked = conn.scalar(
            select(func.min(team_members.c.acked_seq)).where(team_members.c.team_id == team_id)
        )
        cut = max(
            cut,
            _last_seq_before(
                conn,
                team_id,
                now - timedelta(days=settings.acked_retention_days),
                up_to=acked or 0,
            ),
        )
    if cut <= team.purged_seq:
        return 0
    deleted = conn.execute(
        delete(envelopes).where(envelopes.c.team_id == team_id, envelopes.c.seq <= cut)
    ).rowcount
    conn.execute(update(teams).where(teams.c.team_id == team_id).values(purged_seq=cut))
    logger.info("Équipe %s : %d enveloppe(s) purgée(s) jusqu'au n° %d.", team_id, deleted, cut)
    return deleted or 0


def _last_seq_before(
    conn: Connection, team_id: str, cutoff: datetime, up_to: int | None = None
) -> int:
    """The highest sequence number of the team that arrived at or before ``cutoff``."""
    query = select(func.max(envelopes.c.seq)).where(
        envelopes.c.team_id == team_id, envelopes.c.received_at <= cutoff
    )
    if up_to is not None:
        query = query.where(envelopes.c.seq <= up_to)
    return conn.scalar(query) or 0


def _invitation_pending(conn: Connection, team_id: str) -> bool:
    """A pending invitee will need the whole history once they accept."""
    found = conn.scalar(
        select(func.count())
        .select_from(invitations)
        .where(invitations.c.team_id == team_id, invitations.c.status == "pending")
    )
    return bool(found)


def purge_logged(engine: Engine, settings: RelaySettings, clock: Clock) -> None:
    """One purge for the running relay: the outcome goes to the log, a failure never stops it
    (the next purge tries again)."""
    try:
        report = purge(engine, settings, clock)
    except Exception:
        logger.exception("La purge du relais a échoué ; nouvel essai au prochain intervalle.")
        return
    if report.envelopes or report.nonces:
        logger.info("%s", report.summary())


async def purge_periodically(engine: Engine, settings: RelaySettings, clock: Clock) -> None:
    """The relay's background purge, every ``purge_interval_seconds`` (started by the app's
    lifespan, which purges once before serving)."""
    while True:
        await asyncio.sleep(settings.purge_interval_seconds)
        await anyio.to_thread.run_sync(purge_logged, engine, settings, clock)
