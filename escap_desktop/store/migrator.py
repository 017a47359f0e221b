"""Runs the Alembic migrations of the store on an already keyed connection.

Alembic is driven from code rather than from an ``alembic.ini``: the store is encrypted, so only
the code that holds the key can hand Alembic a usable connection.

Alembic itself is imported only when a store needs upgrading: opening an up-to-date store (every
start-up but the first after an update) reads the revisions straight from the migration files'
``revision = "..."`` lines, which saves Alembic's import (about 70 ms) from the start-up.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import sqlcipher3

if TYPE_CHECKING:  # the revision checks need neither (``store.first_list`` reads before both)
    from alembic.config import Config
    from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"
_REVISION_LINE = re.compile(
    r"""^(down_revision|revision)(?:\s*:[^=\n]*)?\s*=\s*(None|["']([^"']*)["'])""", re.MULTILINE
)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@functools.cache
def _revision_links() -> dict[str, str | None]:
    """Each shipped revision and the one it follows, read from the files without Alembic."""
    links: dict[str, str | None] = {}
    for script in sorted((MIGRATIONS_DIR / "versions").glob("[0-9]*.py")):
        found = dict(
            (name, value) for name, _raw, value in _REVISION_LINE.findall(script.read_text("utf-8"))
        )
        if "revision" not in found:  # pragma: no cover - a test compares with Alembic's view
            raise RuntimeError(f"Migration sans révision : {script.name}")
        links[found["revision"]] = found.get("down_revision") or None
    return links


def head_revision() -> str:
    """The one revision no other follows (a test checks Alembic agrees)."""
    links = _revision_links()
    followed = set(links.values())
    heads = [revision for revision in links if revision not in followed]
    if len(heads) != 1:  # pragma: no cover - the package always ships one linear history
        raise RuntimeError(f"Migrations du coffre incohérentes : têtes {sorted(heads)}.")
    return heads[0]


def known_revisions() -> frozenset[str]:
    return frozenset(_revision_links())


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
    from alembic import command

    if connection.in_transaction():
        raise RuntimeError("Les migrations doivent partir d'une connexion hors transaction.")
    command.upgrade(alembic_config(connection), revision)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes the plain SQL type, never our column types, into a migration.

    A migration must keep meaning what it meant when released, whatever models.py becomes.
    """
    from sqlalchemy.types import TypeDecorator

    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False
