"""Secrets kept inside the store: first of them, the key of the consent scans.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Scans were encrypted under a key derived from the store key, so a restore (which gives the store
a new key) or a change of the store key made every scan unreadable, and a backup could not carry
them. The scan key now lives in ``local_secret``, inside the encrypted store: it travels with a
backup and survives a new store key. Only a new table: the key row is written by the application
at the first use of scans (for a store that already has scans, the very key they were encrypted
under, so they stay readable without being rewritten).
"""

from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "local_secret",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("local_secret")
