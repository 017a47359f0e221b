"""Runs the Alembic migrations of the store on an already keyed connection.

Alembic is driven from code rather than from an ``alembic.ini``: the store is encrypted, so only
the code that holds the key can hand Alembic a usable connection.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import sqlcipher3
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script_directory().get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError("Aucune migration du coffre n'est installée.")
    return head


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _script_directory().walk_revisions())


def stored_revision(connection: sqlcipher3.Connection) -> str | None:
    """The revision recorded in a store, or None for a store never migrated (a new file)."""
    has_table = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (VERSION_TABLE,)
    ).fetchone()
    if not has_table:
        return None
    row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return None if row is None else str(row[0])


def table_count(connection: sqlcipher3.Connection) -> int:
    row = connection.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()
    return int(row[0])


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Apply every step up to ``revision``, each in its own transaction.

    The connection must not be inside a transaction: the environment begins one per step, and
    inside an outer transaction the steps would silently share (and lose) the caller's.
    """
    if connection.in_transaction():
        raise RuntimeError("Les migrations doivent partir d'une connexion hors transaction.")
    command.upgrade(alembic_config(connection), revision)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes the plain SQL type, never our column types, into a migration.

    A migration must keep meaning what it meant when released, whatever models.py becomes.
    """
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False
