"""Envelopes: idempotent pushes by record id, and pulls that resume from a per-team cursor.

Each team numbers its envelopes 1, 2, 3... (``teams.head_seq``), under the team's row lock, so
a cursor is simply the last number a device applied in that team. A device pulls from a cursor
only once it stored everything up to it, so each pull also acknowledges that cursor
(``team_members.acked_seq``), which the retention job reads (``escap_relay.retention``).
"""

from __future__ import annotations

import hashlib
import struct
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import nacl.bindings
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from sqlalchemy import Connection, Integer, bindparam, insert, select, update

from escap_desktop.sync.wire import Envelope, PushResult
from escap_relay.data import history
from escap_relay.data import teams as team_data
from escap_relay.problems import ProblemError
from escap_relay.schema import envelopes, team_members, teams


def check_authorship(batch: list[Envelope], device_id: str, key: VerifyKey) -> list[bytes]:
    """A device pushes only envelopes it wrote and signed; anything else is refused whole.

    Returns each envelope's digest (``Envelope.digest``), from the signed bytes just checked
    rather than built a second time."""
    raw_key = bytes(key)
    digests = []
    for envelope in batch:
        if envelope.author_key_id != device_id:
            raise ProblemError(
                403,
                "auteur-different",
                "Un appareil ne peut déposer que les enregistrements qu'il a lui-même signés.",
                record_id=envelope.record_id,
            )
        signed = envelope.signing_bytes()
        try:
            nacl.bindings.crypto_sign_open(envelope.signature + signed, raw_key)
        except BadSignatureError as error:
            raise ProblemError(
                422,
                "signature-enveloppe-invalide",
                "La signature d'un enregistrement ne correspond pas à son contenu.",
                record_id=envelope.record_id,
            ) from error
        signature = envelope.signature
        digests.append(
            hashlib.sha256(signed + struct.pack(">I", len(signature)) + signature).digest()
        )
    return digests


# Built once with bound parameters (see ``teams``): the hot paths' statements.
_KNOWN = select(envelopes.c.record_id, envelopes.c.seq, envelopes.c.digest).where(
    envelopes.c.team_id == bindparam("b_team_id"),
    envelopes.c.record_id.in_(bindparam("b_record_ids", expanding=True)),
)
# With RETURNING, SQLAlchemy sends the rows as one multi-row INSERT ("insertmanyvalues")
# rather than psycopg's pipelined executemany, which polls the socket while it waits.
_INSERT = insert(envelopes).returning(envelopes.c.seq)
_SET_HEAD = update(teams).where(teams.c.team_id == bindparam("b_team_id"))
_PULL_TEAM = (
    select(teams.c.head_seq, teams.c.purged_seq, teams.c.resume_seq, team_members.c.acked_seq)
    .join_from(teams, team_members, team_members.c.team_id == teams.c.team_id)
    .where(
        teams.c.team_id == bindparam("b_team_id"),
        team_members.c.device_id == bindparam("b_device_id"),
    )
)
_ACK = (
    update(team_members)
    .where(
        team_members.c.team_id == bindparam("b_team_id"),
        team_members.c.device_id == bindparam("b_device_id"),
        team_members.c.acked_seq < bindparam("b_acked"),
    )
    .values(acked_seq=bindparam("b_acked"))
)
_PAGE = (
    select(envelopes.c.seq, envelopes.c.body)
    .where(envelopes.c.team_id == bindparam("b_team_id"), envelopes.c.seq > bindparam("b_after"))
    .order_by(envelopes.c.seq)
    .limit(bindparam("b_limit", type_=Integer))
)


def push(
    conn: Connection,
    device_id: str,
    batch: list[Envelope],
    now: datetime,
    digests: Sequence[bytes] | None = None,
) -> list[PushResult]:
    """Stores the batch in one transaction; a conflicting record id rejects it whole (409).

    Pushing a record id again with identical bytes returns its first sequence number, so an
    outbox can retry after a lost answer without creating anything twice. ``digests``: each
    envelope's digest when the caller has it (``check_authorship``).
    """
    if digests is None:
        digests = [envelope.digest() for envelope in batch]
    by_team: dict[str, list[tuple[Envelope, bytes]]] = defaultdict(list)
    for envelope, digest in zip(batch, digests, strict=True):
        by_team[envelope.team_id].append((envelope, digest))
    placed: dict[tuple[str, str], PushResult] = {}
    conflicts: list[str] = []
    for team_id in sorted(by_team):  # one lock order for every writer: no deadlock
        team = team_data.lock_for_write(conn, team_id, device_id, now)
        in_team = by_team[team_id]
        known = {
            row.record_id: row
            for row in conn.execute(
                _KNOWN,
                {
                    "b_team_id": team_id,
                    "b_record_ids": sorted({envelope.record_id for envelope, _ in in_team}),
                },
            )
        }
        head = team.head_seq
        rows = []
        in_batch: dict[str, bytes] = {}
        for envelope, digest in in_team:
            key = (team_id, envelope.record_id)
            stored = known.get(envelope.record_id)
            if stored is not None:
                if stored.digest != digest:
                    conflicts.append(envelope.record_id)
                placed[key] = PushResult(
                    team_id=team_id, record_id=envelope.record_id, seq=stored.seq, duplicate=True
                )
                continue
            if envelope.record_id in in_batch:  # the same record twice in one batch
                if in_batch[envelope.record_id] != digest:
                    conflicts.append(envelope.record_id)
                continue
            in_batch[envelope.record_id] = digest
            head += 1
            rows.append(
                {
                    "team_id": team_id,
                    "seq": head,
                    "record_id": envelope.record_id,
                    "author_id": device_id,
                    "digest": digest,
                    "body": envelope.to_json(),
                    "received_at": now,
                }
            )
            placed[key] = PushResult(
                team_id=team_id, record_id=envelope.record_id, seq=head, duplicate=False
            )
        if conflicts:
            break
        if rows:
            # With RETURNING, SQLAlchemy sends the rows as one multi-row INSERT ("insertmanyvalues")
            # rather than psycopg's pipelined executemany, which polls the socket while it waits.
            conn.execute(_INSERT, rows).close()
            conn.execute(_SET_HEAD, {"b_team_id": team_id, "head_seq": head})
    if conflicts:
        raise ProblemError(
            409,
            "enregistrement-different",
            "Un identifiant d'enregistrement déjà reçu arrive avec un contenu différent : "
            "rien de ce lot n'a été enregistré.",
            conflicts=sorted(set(conflicts)),
        )
    return [placed[(envelope.team_id, envelope.record_id)] for envelope in batch]


def pull(
    conn: Connection, device_id: str, team_id: str, after: int, limit: int
) -> tuple[list[tuple[int, bytes]], int, bool]:
    """Envelopes of one team after the cursor: (seq, stored JSON) pairs, next cursor, has_more.

    A cursor below the purged part of the team's history is refused (410): the records between
    it and the purge are gone, and the device must not skip them without knowing.
    """
    # Membership and the team's counters in one statement (a member's team always exists).
    team = conn.execute(_PULL_TEAM, {"b_team_id": team_id, "b_device_id": device_id}).first()
    if team is None:
        raise team_data.not_member()
    if after < team.purged_seq:
        # ``resume_from``: a member's device sent the team's file again, its state covering
        # everything up to there (``data.history``); None until one has.
        raise ProblemError(
            410,
            "historique-efface",
            "Des enregistrements de cette équipe ont été effacés du relais (durée de "
            "conservation dépassée) avant que cet appareil ne les reçoive.",
            purged_seq=team.purged_seq,
            resume_from=history.valid_resume(team.purged_seq, team.resume_seq),
        )
    acked = min(after, team.head_seq)  # never acknowledge what does not exist yet
    if team.acked_seq < acked:  # acked_seq only grows: already there, the update is a no-op
        conn.execute(_ACK, {"b_team_id": team_id, "b_device_id": device_id, "b_acked": acked})
    rows = conn.execute(_PAGE, {"b_team_id": team_id, "b_after": after, "b_limit": limit + 1}).all()
    page = [(row.seq, bytes(row.body)) for row in rows[:limit]]
    next_cursor = page[-1][0] if page else after
    return page, next_cursor, len(rows) > limit
