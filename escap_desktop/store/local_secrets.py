"""Secrets this store keeps inside itself: random keys for data kept beside the store file.

A key kept here is protected like the records (SQLCipher under the store key), travels with the
store in a backup, and stays the same when the store key changes (a restore gives the store a
new key on each machine), which a key *derived* from the store key would not.
"""

from __future__ import annotations

import sqlcipher3
from sqlalchemy import LargeBinary, String, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from escap_desktop.store.models import Base


class LocalSecretRow(Base):
    """One secret per ``name`` (``scan-key``...); never synced, never shown, never exported."""

    __tablename__ = "local_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


def read_secret(session: Session, name: str) -> bytes | None:
    with session.no_autoflush:
        return session.scalar(select(LocalSecretRow.value).where(LocalSecretRow.name == name))


def keep_secret(session: Session, name: str, value: bytes) -> bytes:
    """Stores ``value`` unless a value is already kept under ``name``; returns the kept one.

    Two first uses racing (two threads, two windows) end up with the same secret: the second
    insert is ignored and both read back the first.
    """
    session.execute(insert(LocalSecretRow).values(name=name, value=value).on_conflict_do_nothing())
    kept = read_secret(session, name)
    if kept is None:  # pragma: no cover - the row was just written in this transaction
        raise RuntimeError(f"secret {name!r} not kept")
    return kept


def read_secret_raw(connection: sqlcipher3.Connection, name: str) -> bytes | None:
    """The same read on a bare keyed connection (a backup's copy, before it is a store)."""
    try:
        row = connection.execute(
            "SELECT value FROM local_secret WHERE name = ?", (name,)
        ).fetchone()
    except sqlcipher3.OperationalError:  # a copy from before the table existed
        return None
    return None if row is None else bytes(row[0])
