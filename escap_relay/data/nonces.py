"""Nonces of signed requests, kept in the database until they expire.

In the database rather than in memory so that a captured request cannot be replayed after a
restart of the relay, nor against another process serving the same database: the primary key
(device, nonce) refuses the second use wherever it comes from. The purge job deletes expired
rows (``escap_relay.retention``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, Engine, delete

from escap_relay.database import insert_ignoring_duplicates
from escap_relay.schema import request_nonces


def remember(engine: Engine, device_id: str, nonce: str, expires_at: datetime) -> bool:
    """Records a nonce; False when this device already used it (a replay)."""
    with engine.begin() as connection:
        stored = connection.execute(
            insert_ignoring_duplicates(engine, request_nonces)
            .values(device_id=device_id, nonce=nonce, expires_at=expires_at)
            .returning(request_nonces.c.nonce)
        ).first()
    return stored is not None


def purge_expired(conn: Connection, now: datetime) -> int:
    """Deletes the nonces whose request could no longer pass the timestamp check anyway."""
    result = conn.execute(delete(request_nonces).where(request_nonces.c.expires_at < now))
    return result.rowcount or 0
