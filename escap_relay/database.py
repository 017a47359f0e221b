"""The relay's database: SQLite by default, PostgreSQL through a URL; schema by Alembic.

SQLite gets WAL and ``BEGIN IMMEDIATE`` transactions: writers queue on the database lock at the
start of a transaction instead of failing half-way with "database is locked". PostgreSQL gets
row locks (``SELECT ... FOR UPDATE`` on the team) where the relay needs them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Table, create_engine, event, exc, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.sql.dml import Insert

MIGRATIONS = Path(__file__).parent / "migrations"


def connect(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=8
        )
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    if url.get_backend_name() == "postgresql":
        engine = create_engine(url, pool_size=16, max_overflow=8)
        _ping_idle_connections(engine)
        return engine
    raise ValueError(f"Base de données non prise en charge : {url.get_backend_name()}")


PING_AFTER_IDLE_SECONDS = 5.0
"""A pooled connection idle for longer is pinged before use (``pool_pre_ping`` pinged always)."""


def _ping_idle_connections(engine: Engine) -> None:
    """Pessimistic disconnect handling, minus a round trip per checkout under load.

    A connection that went back to the pool a moment ago is alive; one that sat idle (after a
    quiet spell, a database restart, a firewall's idle timeout) is pinged first, and a dead one
    is replaced before any request uses it (``DisconnectionError`` makes the pool reconnect).
    A connection that breaks while busy invalidates the whole pool, as with any setting.
    """

    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["escap_checked_in"] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        checked_in = record.info.get("escap_checked_in")
        if checked_in is None or time.monotonic() - checked_in < PING_AFTER_IDLE_SECONDS:
            return  # just connected, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.DisconnectionError() from error

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


MIGRATION_LOCK_ID = 0x45534341_50524C59  # "ESCAPRLY": one advisory lock for the schema
"""Several relay processes start on one PostgreSQL at the same moment: the first takes this
lock and migrates; the others wait for it, then find the schema current and go on."""


def migrate(engine: Engine) -> None:
    """Brings the schema to the latest migration; run at every start-up (a no-op when current).

    On PostgreSQL the upgrade runs under a transaction-scoped advisory lock, so N processes
    started together migrate once (without it, two created ``alembic_version`` at the same time
    and one died at start-up). SQLite serialises writers by itself.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def insert_ignoring_duplicates(engine: Engine, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING`` in the engine's dialect."""
    if engine.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def as_utc(value: datetime) -> datetime:
    """SQLite gives naive datetimes back; every stored datetime is UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
