"""Retention and replay protection shared by every relay process.

- ``teams.purged_seq``: every envelope of the team up to this number has been purged, so a
  cursor below it has lost records and the relay says so instead of skipping them silently.
- ``team_members.acked_seq``: the highest cursor each member device pulled from (it had
  stored everything up to it), the basis of the purge of acknowledged envelopes.
- ``request_nonces``: nonces of signed requests until they expire, unique per device, so a
  replayed request is refused after a restart and by every process of the relay.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(
            sa.Column("purged_seq", sa.BigInteger, nullable=False, server_default="0")
        )
    with op.batch_alter_table("team_members") as batch:
        batch.add_column(sa.Column("acked_seq", sa.BigInteger, nullable=False, server_default="0"))
    op.create_index("ix_envelopes_received_at", "envelopes", ["received_at"])
    op.create_table(
        "request_nonces",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("nonce", sa.String(32), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_request_nonces_expires_at", "request_nonces", ["expires_at"])


def downgrade() -> None:
    op.drop_table("request_nonces")
    op.drop_index("ix_envelopes_received_at", table_name="envelopes")
    with op.batch_alter_table("team_members") as batch:
        batch.drop_column("acked_seq")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("purged_seq")
