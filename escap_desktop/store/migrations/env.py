"""Alembic environment of the store: migrations run only on a connection the store has keyed.

There is deliberately no URL and no offline mode: an encrypted store cannot be opened from a
connection string without its key, so :mod:`escap_desktop.store.migrator` hands the already
keyed connection over in ``config.attributes["connection"]``.
"""

from __future__ import annotations

from alembic import context

from escap_desktop.store.migrator import render_item
from escap_desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Les migrations du coffre ne s'exécutent qu'à son ouverture (Store.open).")


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can't ALTER most things: batch mode rebuilds the table
    transaction_per_migration=True,
    render_item=render_item,
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
