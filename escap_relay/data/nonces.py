"""Nonces of signed requests, kept in the database until they expire.

In the database rather than in memory so that a captured request cannot be replayed after a
restart of the relay, nor against another process serving the same database: the primary key
(device, nonce) refuses the second use wherever it comes from. The purge job deletes expired
rows (``escap_relay.retention``).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import psycopg
from sqlalchemy import Connection, Engine, delete
from sqlalchemy.sql.dml import Insert

from escap_relay.database import PING_AFTER_IDLE_SECONDS, insert_ignoring_duplicates
from escap_relay.schema import request_nonces

_REMEMBER: dict[str, Insert] = {}
"""The insert, built once per dialect (building it costs more than running it)."""


def remember(engine: Engine, device_id: str, nonce: str, expires_at: datetime) -> bool:
    """Records a nonce; False when this device already used it (a replay).

    On PostgreSQL the single ``INSERT ... ON CONFLICT DO NOTHING`` runs in autocommit: it is
    committed (durably, as any commit) before the answer comes back, like the transaction it
    replaces, without the ``BEGIN`` and ``COMMIT`` round trips. SQLite keeps its transaction
    (``BEGIN IMMEDIATE``, see ``database``).
    """
    statement = _REMEMBER.get(engine.dialect.name)
    if statement is None:
        statement = _REMEMBER[engine.dialect.name] = insert_ignoring_duplicates(
            engine, request_nonces
        ).returning(request_nonces.c.nonce)
    values = {"device_id": device_id, "nonce": nonce, "expires_at": expires_at}
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            stored = connection.execute(statement, values).first()
    else:
        with engine.begin() as connection:
            stored = connection.execute(statement, values).first()
    return stored is not None


def purge_expired(conn: Connection, now: datetime) -> int:
    """Deletes the nonces whose request could no longer pass the timestamp check anyway."""
    result = conn.execute(delete(request_nonces).where(request_nonces.c.expires_at < now))
    return result.rowcount or 0


class PostgresNonceWriter:
    """Records nonces on PostgreSQL from the event loop itself (psycopg's asyncio connections).

    The same single ``INSERT ... ON CONFLICT DO NOTHING`` as :func:`remember`, in autocommit,
    on the same database: committed before the request goes on, and the primary key still
    refuses a second use from any process. What it saves is a hand-over to a worker thread
    and back for every request, the largest cost left on the relay's authentication path.

    A few connections of its own (``size``), opened when needed and kept while the relay
    serves (between :meth:`start` and :meth:`close`, the application's lifespan; outside it,
    a test calling the application directly, each is closed after use); one idle for a while
    is pinged before use, one that failed is closed, never reused. Connections belong to the
    event loop that opened them: a new loop starts afresh.
    """

    _SQL = (
        "INSERT INTO request_nonces (device_id, nonce, expires_at) VALUES (%s, %s, %s) "
        "ON CONFLICT DO NOTHING RETURNING nonce"
    )

    def __init__(self, conninfo: str, size: int = 8) -> None:
        self._conninfo = conninfo
        self._size = size
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._idle: list[tuple[psycopg.AsyncConnection[tuple[object, ...]], float]] = []
        self._keep = False

    def start(self) -> None:
        """From now on connections are kept for the next requests (until :meth:`close`)."""
        self._keep = True

    async def remember(self, device_id: str, nonce: str, expires_at: datetime) -> bool:
        """False when this device already used this nonce (a replay)."""
        slots = self._slots_for(asyncio.get_running_loop())
        async with slots:
            connection = await self._take()
            try:
                cursor = await connection.execute(
                    self._SQL, (device_id, nonce, expires_at), prepare=True
                )
                stored = await cursor.fetchone()
            except BaseException:
                await _close_quietly(connection)
                raise
            if self._keep:
                self._idle.append((connection, time.monotonic()))
            else:
                await _close_quietly(connection)
        return stored is not None

    def _slots_for(self, loop: asyncio.AbstractEventLoop) -> asyncio.Semaphore:
        if self._loop is not loop or self._slots is None:
            for connection, _since in self._idle:  # opened by another (finished) loop
                connection.pgconn.finish()
            self._idle = []
            self._loop = loop
            self._slots = asyncio.Semaphore(self._size)
        return self._slots

    async def _take(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        while self._idle:
            connection, since = self._idle.pop()
            if connection.closed:
                continue
            if time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
                return connection
            try:
                await connection.execute("SELECT 1")
            except psycopg.Error:
                await _close_quietly(connection)
                continue
            return connection
        return await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)

    async def close(self) -> None:
        self._keep = False
        idle, self._idle = self._idle, []
        for connection, _since in idle:
            await _close_quietly(connection)


async def _close_quietly(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
    try:
        await connection.close()
    except Exception:  # closing a broken connection: nothing more to do
        connection.pgconn.finish()
