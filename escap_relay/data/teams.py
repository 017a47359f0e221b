"""Teams and their members: who may read and write which opaque team id.

The first device that writes to an unknown team id (creates it, pushes to it, delivers a key or
invites someone) becomes its first administrator. Administrators (``team_members.is_admin``)
remove member devices, make other member devices administrators and renew the keys; which
devices should be administrators is the clients' rule (``core.rules.team.may_administer``: the
médecin traitant's and the ESCAP creator's devices), the relay only keeps the flags and refuses
these actions to the others. An invitation accepted by its invitee adds the invitee (any member
may invite); a member may leave. The last administrator cannot leave nor be removed: the team
would have no one to renew its keys.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Row, bindparam, delete, func, select, update

from escap_desktop.sync.wire import MemberList, TeamList, TeamMember, TeamSummary
from escap_relay.data.devices import device_info
from escap_relay.database import as_utc, insert_ignoring_duplicates
from escap_relay.problems import ProblemError
from escap_relay.schema import admin_votes, devices, team_members, teams


def not_member() -> ProblemError:
    # 404 rather than 403 on reads, so that a non-member learns nothing about the team.
    return ProblemError(
        404, "equipe-inconnue", "Équipe inconnue, ou dont cet appareil n'est pas membre."
    )


# The statements of the hot paths are built once, with bound parameters: building a statement
# and its cache key costs the relay more processor time than executing it.
_IS_MEMBER = (
    select(func.count())
    .select_from(team_members)
    .where(
        team_members.c.team_id == bindparam("b_team_id"),
        team_members.c.device_id == bindparam("b_device_id"),
    )
)
_LOCK_TEAM = select(teams).where(teams.c.team_id == bindparam("b_team_id")).with_for_update()


_IS_ADMIN = select(team_members.c.is_admin).where(
    team_members.c.team_id == bindparam("b_team_id"),
    team_members.c.device_id == bindparam("b_device_id"),
)


def is_admin(conn: Connection, team_id: str, device_id: str) -> bool:
    return bool(conn.scalar(_IS_ADMIN, {"b_team_id": team_id, "b_device_id": device_id}))


def require_admin(conn: Connection, team_id: str, device_id: str, action: str) -> None:
    """403 unless the device is an administrator of the team; ``action`` ends the sentence."""
    if not is_admin(conn, team_id, device_id):
        raise ProblemError(
            403, "admin-requis", f"Seul un administrateur de l'équipe peut {action}."
        )


def is_member(conn: Connection, team_id: str, device_id: str) -> bool:
    found = conn.scalar(_IS_MEMBER, {"b_team_id": team_id, "b_device_id": device_id})
    return bool(found)


def require_member(conn: Connection, team_id: str, device_id: str) -> None:
    if not is_member(conn, team_id, device_id):
        raise not_member()


def lock_for_write(conn: Connection, team_id: str, device_id: str, now: datetime) -> Row:
    """Creates the team on first write, then locks its row (PostgreSQL) for this transaction.

    The lock serialises writers of one team, so sequence numbers within a team are committed in
    order and a reader's cursor never skips a record committed late.
    """
    # Most writes go to a team that exists: lock it straight away (one statement fewer). Only
    # when it is missing is it created, exactly as before, then locked.
    row = conn.execute(_LOCK_TEAM, {"b_team_id": team_id}).first()
    if row is None:
        created = conn.execute(
            insert_ignoring_duplicates(conn.engine, teams)
            .values(team_id=team_id, admin_device_id=device_id, head_seq=0, created_at=now)
            .returning(teams.c.team_id)
        ).first()
        if created is not None:
            conn.execute(
                team_members.insert().values(
                    team_id=team_id,
                    device_id=device_id,
                    added_by=device_id,
                    added_at=now,
                    is_admin=True,
                )
            )
        row = conn.execute(_LOCK_TEAM, {"b_team_id": team_id}).one()
    if not is_member(conn, team_id, device_id):
        raise ProblemError(
            403, "non-membre", "Cet appareil n'est pas membre de cette équipe : écriture refusée."
        )
    return row


HISTORY_CLAIM_SECONDS = 15 * 60
"""A claimed resend of the team's file not completed by then may be claimed by another member's
device (``escap_relay.data.history``)."""


def history_open(row: Row, now: datetime) -> bool:
    """Whether a wanted resend of the team's file waits for a sender: never claimed, or its
    claim expired (its device switched off mid-way)."""
    if row.history_wanted_at is None:
        return False
    if row.history_claimed_by is None or row.history_claimed_at is None:
        return True
    return as_utc(row.history_claimed_at) <= now - timedelta(seconds=HISTORY_CLAIM_SECONDS)


def list_for(conn: Connection, device_id: str, now: datetime) -> TeamList:
    """``history_wanted`` when a member device waits for the team's file and nobody is sending
    it (``escap_relay.data.history``)."""
    rows = conn.execute(
        select(teams, team_members.c.is_admin.label("member_is_admin"))
        .join(team_members, team_members.c.team_id == teams.c.team_id)
        .where(team_members.c.device_id == device_id)
        .order_by(teams.c.created_at, teams.c.team_id)
    ).all()
    return TeamList(
        teams=[
            TeamSummary(
                team_id=row.team_id,
                admin_device_id=row.admin_device_id,
                is_admin=bool(row.member_is_admin),
                head_seq=row.head_seq,
                history_wanted=history_open(row, now),
            )
            for row in rows
        ]
    )


def members(conn: Connection, team_id: str, device_id: str) -> MemberList:
    require_member(conn, team_id, device_id)
    rows = conn.execute(
        select(devices, team_members.c.added_at, team_members.c.is_admin)
        .join(team_members, team_members.c.device_id == devices.c.device_id)
        .where(team_members.c.team_id == team_id)
        .order_by(team_members.c.added_at, devices.c.device_id)
    ).all()
    return MemberList(
        team_id=team_id,
        members=[
            TeamMember(
                device=device_info(row),
                is_admin=bool(row.is_admin),
                added_at=as_utc(row.added_at),
            )
            for row in rows
        ],
    )


def add_member(
    conn: Connection, team_id: str, device_id: str, added_by: str, now: datetime
) -> None:
    """Adds a device (idempotent); the caller has checked who may add."""
    if conn.scalar(select(devices.c.device_id).where(devices.c.device_id == device_id)) is None:
        raise ProblemError(
            404, "appareil-inconnu", "Aucun appareil enregistré sous cet identifiant."
        )
    conn.execute(
        insert_ignoring_duplicates(conn.engine, team_members).values(
            team_id=team_id, device_id=device_id, added_by=added_by, added_at=now
        )
    )


def add_by_admin(
    conn: Connection, team_id: str, admin_id: str, device_id: str, now: datetime
) -> None:
    lock_for_write(conn, team_id, admin_id, now)
    require_admin(conn, team_id, admin_id, "ajouter un membre")
    add_member(conn, team_id, device_id, admin_id, now)


ADMIN_VOTES = 2
"""Member devices, other than the device itself and its professional's, whose requests name a
device administrator when none of them is one."""


def make_admin(
    conn: Connection, team_id: str, caller_id: str, device_id: str, now: datetime
) -> None:
    """An administrator makes a member device an administrator too (idempotent).

    A member device that is no administrator may ask for it as well: its request is kept, and
    once ``ADMIN_VOTES`` member devices have asked — not the device itself, nor one giving the
    same RPPS number — the device is named. That is how the médecin traitant's new computer is
    named when her lost one was the team's only administrator (she had opened the ESCAP): the
    others' clients ask for the devices their rule names, as an administrator's would name
    them. The relay cannot check the rule; a member's device can ask for anything, so one
    member alone never suffices, and clients give keys only to devices a member vouched for,
    whoever the relay flags."""
    require_member(conn, team_id, caller_id)
    conn.execute(_LOCK_TEAM, {"b_team_id": team_id}).one()
    if not is_member(conn, team_id, device_id):
        raise ProblemError(404, "membre-inconnu", "Cet appareil n'est pas membre de l'équipe.")
    if is_admin(conn, team_id, device_id):
        return
    if not is_admin(conn, team_id, caller_id):
        if caller_id == device_id:
            raise ProblemError(
                403, "admin-requis", "Un appareil ne peut pas se nommer lui-même administrateur."
            )
        conn.execute(
            insert_ignoring_duplicates(conn.engine, admin_votes).values(
                team_id=team_id, device_id=device_id, voter_id=caller_id, voted_at=now
            )
        )
        if _votes(conn, team_id, device_id) < ADMIN_VOTES:
            return
    conn.execute(
        update(team_members)
        .where(team_members.c.team_id == team_id, team_members.c.device_id == device_id)
        .values(is_admin=True)
    )
    conn.execute(
        delete(admin_votes).where(
            admin_votes.c.team_id == team_id, admin_votes.c.device_id == device_id
        )
    )


def _votes(conn: Connection, team_id: str, device_id: str) -> int:
    """The requests that count: from devices still in the team, not giving the RPPS number
    the device gives (a professional's other computer does not vouch for her new one)."""
    target_rpps = conn.scalar(select(devices.c.rpps).where(devices.c.device_id == device_id))
    voters = conn.execute(
        select(admin_votes.c.voter_id, devices.c.rpps)
        .join(devices, devices.c.device_id == admin_votes.c.voter_id)
        .join(
            team_members,
            (team_members.c.team_id == admin_votes.c.team_id)
            & (team_members.c.device_id == admin_votes.c.voter_id),
        )
        .where(admin_votes.c.team_id == team_id, admin_votes.c.device_id == device_id)
    ).all()
    return sum(1 for voter in voters if target_rpps is None or voter.rpps != target_rpps)


def remove(conn: Connection, team_id: str, caller_id: str, device_id: str) -> None:
    """An administrator removes a member, or a member leaves; an administrator's device renews
    the team's keys next. The last administrator stays."""
    require_member(conn, team_id, caller_id)
    conn.execute(_LOCK_TEAM, {"b_team_id": team_id}).one()
    if caller_id != device_id:
        require_admin(conn, team_id, caller_id, "retirer un membre")
    if not is_member(conn, team_id, device_id):
        raise ProblemError(404, "membre-inconnu", "Cet appareil n'est pas membre de l'équipe.")
    if is_admin(conn, team_id, device_id):
        admins = conn.scalar(
            select(func.count())
            .select_from(team_members)
            .where(team_members.c.team_id == team_id, team_members.c.is_admin)
        )
        if admins == 1:
            raise ProblemError(
                409,
                "admin-ne-peut-partir",
                "Le dernier administrateur de l'équipe ne peut pas en être retiré : nommez-en "
                "un autre d'abord.",
            )
    conn.execute(
        delete(team_members).where(
            team_members.c.team_id == team_id, team_members.c.device_id == device_id
        )
    )
