"""Drafts the next migration: ``python -m escap_desktop.store.draft_migration``.

Prints the Alembic operations that would bring the newest migration's schema to what
``models.py`` describes, as a starting point for ``migrations/versions/000N_*.py``. It runs on a
throw-away in-memory database, so no key is needed; read, edit and complete the result by hand
(moving data, filling new NOT NULL columns) before committing it.
"""

from __future__ import annotations

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from escap_desktop.store import migrator
from escap_desktop.store.models import Base

NO_DIFFERENCE = "# Aucune différence entre models.py et la dernière migration."


def draft_next_migration() -> str:
    engine = create_engine("sqlite://", poolclass=StaticPool)
    try:
        with engine.connect() as connection:
            migrator.upgrade(connection)
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            operations = produce_migrations(context, Base.metadata)
    finally:
        engine.dispose()
    if operations.upgrade_ops is None or operations.upgrade_ops.is_empty():
        return NO_DIFFERENCE
    return render_python_code(
        operations.upgrade_ops, render_as_batch=True, render_item=migrator.render_item
    )


if __name__ == "__main__":
    print(draft_next_migration())
