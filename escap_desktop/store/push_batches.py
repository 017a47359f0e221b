"""The push's reads and writes of the outbox, a batch at a time and without ORM objects.

A push seals each pending outbox row once, stores its envelope before it leaves, and may seal
the next batch while the relay still stores the previous one: it reads the pending rows after
the last one it took (``after_seq``), as plain tuples, stores a batch's envelopes and marks
the acknowledged rows sent with one ``executemany`` each, straight to the driver. The outbox's
own methods (``SyncRepository``) are left to the local write path; the rows and their statuses
are the same (:func:`mark_sent` writes what ``SyncRepository.mark_sent`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from escap_desktop.store.driver import driver
from escap_desktop.store.sync_models import SyncOutboxRow
from escap_desktop.store.sync_repository import PENDING, SENT


@dataclass(frozen=True, slots=True)
class PendingRow:
    seq: int
    record_id: str
    entity_type: str
    payload: bytes | None
    envelope: bytes | None


def pending_after(session: Session, team_id: str, after_seq: int, limit: int) -> list[PendingRow]:
    """The team's next pending rows in outbox order, after ``after_seq``."""
    rows = session.execute(
        select(
            SyncOutboxRow.seq,
            SyncOutboxRow.record_id,
            SyncOutboxRow.entity_type,
            SyncOutboxRow.payload,
            SyncOutboxRow.envelope,
        )
        .where(
            SyncOutboxRow.status == PENDING,
            SyncOutboxRow.team_id == team_id,
            SyncOutboxRow.seq > after_seq,
        )
        .order_by(SyncOutboxRow.seq)
        .limit(limit)
    )
    return [PendingRow(*row) for row in rows]


def store_envelopes(session: Session, sealed: Sequence[tuple[int, bytes]]) -> None:
    """Each (outbox seq, envelope JSON) stored on its row, in one statement; a row sealed
    already keeps its first envelope (a resend must send the very same bytes)."""
    if not sealed:
        return
    driver(session).executemany(
        "UPDATE sync_outbox SET envelope = ? WHERE seq = ? AND envelope IS NULL",
        [(envelope, seq) for seq, envelope in sealed],
    )


def mark_sent(session: Session, acknowledged: Sequence[tuple[str, int]], at: datetime) -> None:
    """As ``SyncRepository.mark_sent``: each acknowledged (record id, relay sequence) is sent,
    its clear payload and envelope dropped (the store keeps the entity); ``at`` is converted
    once by its column's type rather than once per row."""
    if not acknowledged:
        return
    raw = driver(session)
    sent_at = SyncOutboxRow.__table__.c.sent_at.type.bind_processor(raw.dialect)
    stamp = sent_at(at) if sent_at is not None else at
    raw.executemany(
        "UPDATE sync_outbox SET status = ?, relay_seq = ?, sent_at = ?, payload = NULL, "
        "envelope = NULL WHERE record_id = ?",
        [(SENT, seq, stamp, record_id) for record_id, seq in acknowledged],
    )
