"""Alembic environment of the store: migrations run only on a connection the store has keyed.

There is deliberately no URL and no offline mode: an encrypted store cannot be opened from a
connection string without its key, so :mod:`escap_desktop.store.migrator` hands the already
keyed connection over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.types import TypeDecorator

from escap_desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Les migrations du coffre ne s'exécutent qu'à son ouverture (Store.open).")


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Autogenerate writes the plain SQL type, never our column types, into a migration."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can't ALTER most things: batch mode rebuilds the table
    transaction_per_migration=True,
    render_item=_render_item,
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
