"""A team's file sent again by a member's device, so retention never strands a device.

Retention purges a prefix of a team's envelopes. A device whose cursor falls below it (a
colleague invited after the purge, a laptop back after months) cannot catch up from the relay's
history any more. Instead a current member's device re-seals its own state of the ESCAP — the
merged result of every envelope up to its cursor ``base_seq`` — as new envelopes of the team;
the device below the purged part then resumes after ``base_seq``: everything it lacks is either
in that resend (pushed after ``base_seq``) or still on the relay. The relay only orders this; it
learns nothing new (the resend is ordinary ciphertext from a member).

1. The device refused with a 410 asks (``request``): ``teams.history_wanted_at``.
2. Members see ``history_wanted`` in ``GET /v1/teams``; one claims it (``claim``) with the
   cursor its state covers. One claim at a time; it expires after
   ``teams.HISTORY_CLAIM_SECONDS`` if its device never completes (switched off mid-way), and
   another member may take over.
3. The claimer pushes the resend, then completes it (``complete``): ``resume_seq`` is its base,
   and the 410 of a pull below the purged part carries ``resume_from`` while it stays valid
   (at or above ``purged_seq``; a later purge beyond it makes the next such device ask again).

Who may send the file (a member who reads every category the consent shares) is a rule of the
clients (``core.rules.access.may_resend_history``), not of the relay: it cannot see categories.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Row, select, update

from escap_desktop.sync.wire import HistoryState
from escap_relay.data.teams import history_open, require_member
from escap_relay.problems import ProblemError
from escap_relay.schema import teams


def valid_resume(purged_seq: int, resume_seq: int | None) -> int | None:
    """Where a device below the purged part resumes, if the last resend still covers it."""
    if resume_seq is None or resume_seq < purged_seq:
        return None
    return resume_seq


def state(conn: Connection, team_id: str, device_id: str) -> HistoryState:
    require_member(conn, team_id, device_id)
    return _state(_locked(conn, team_id))


def request(conn: Connection, team_id: str, device_id: str, now: datetime) -> HistoryState:
    """A member device asks for the team's file; nothing to do when a valid resend exists."""
    require_member(conn, team_id, device_id)
    row = _locked(conn, team_id)
    if valid_resume(row.purged_seq, row.resume_seq) is None and row.history_wanted_at is None:
        conn.execute(update(teams).where(teams.c.team_id == team_id).values(history_wanted_at=now))
        row = _locked(conn, team_id)
    return _state(row)


def claim(
    conn: Connection, team_id: str, device_id: str, base_seq: int, now: datetime
) -> HistoryState:
    """The caller sends the file, its state covering every envelope up to ``base_seq``."""
    require_member(conn, team_id, device_id)
    row = _locked(conn, team_id)
    if row.history_wanted_at is None:
        raise ProblemError(409, "renvoi-inutile", "Aucun membre n'attend le dossier de l'équipe.")
    if row.history_claimed_by not in (None, device_id) and not history_open(row, now):
        raise ProblemError(
            409,
            "renvoi-deja-pris",
            "Un autre appareil de l'équipe envoie déjà le dossier de l'équipe.",
        )
    if not row.purged_seq <= base_seq <= row.head_seq:
        raise ProblemError(
            409,
            "renvoi-incomplet",
            "Le dossier de cet appareil ne couvre pas tout ce que le relais a effacé : il ne "
            "peut pas être renvoyé depuis ce poste.",
            purged_seq=row.purged_seq,
            head_seq=row.head_seq,
        )
    conn.execute(
        update(teams)
        .where(teams.c.team_id == team_id)
        .values(history_claimed_by=device_id, history_claimed_at=now, history_base_seq=base_seq)
    )
    return _state(_locked(conn, team_id))


def complete(conn: Connection, team_id: str, device_id: str, base_seq: int) -> HistoryState:
    """The claimer pushed the whole resend: devices below the purged part resume after it."""
    require_member(conn, team_id, device_id)
    row = _locked(conn, team_id)
    if row.history_claimed_by != device_id or row.history_base_seq != base_seq:
        raise ProblemError(
            409,
            "renvoi-non-reserve",
            "Ce renvoi du dossier n'est pas (ou plus) celui de cet appareil.",
        )
    if base_seq < row.purged_seq:
        # Purged beyond its base meanwhile: it no longer covers the gap; wanted stays set.
        conn.execute(
            update(teams)
            .where(teams.c.team_id == team_id)
            .values(history_claimed_by=None, history_claimed_at=None, history_base_seq=None)
        )
        raise ProblemError(
            409,
            "renvoi-perime",
            "Le relais a effacé plus d'historique pendant ce renvoi : il sera refait.",
            purged_seq=row.purged_seq,
        )
    conn.execute(
        update(teams)
        .where(teams.c.team_id == team_id)
        .values(
            resume_seq=base_seq,
            history_wanted_at=None,
            history_claimed_by=None,
            history_claimed_at=None,
            history_base_seq=None,
        )
    )
    return _state(_locked(conn, team_id))


def _locked(conn: Connection, team_id: str) -> Row:
    return conn.execute(select(teams).where(teams.c.team_id == team_id).with_for_update()).one()


def _state(row: Row) -> HistoryState:
    return HistoryState(
        team_id=row.team_id,
        purged_seq=row.purged_seq,
        resume_seq=valid_resume(row.purged_seq, row.resume_seq),
        wanted=row.history_wanted_at is not None,
        claimed_by=row.history_claimed_by,
    )
