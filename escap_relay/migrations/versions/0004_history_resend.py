"""A member's device can send the team's file again to a device that lost part of its history.

- ``teams.history_wanted_at``: a member device was refused a pull below the purged part (410)
  and asked for the file again; cleared when a resend completes.
- ``teams.history_claimed_by`` / ``history_claimed_at`` / ``history_base_seq``: the member
  device sending it, since when, and the cursor its state covers (its claim expires if it never
  completes, so another member can take over).
- ``teams.resume_seq``: the base of the last completed resend: a device below the purged part
  resumes after it while it stays at or above ``purged_seq``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("history_wanted_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("history_claimed_by", sa.String(32), nullable=True))
        batch.add_column(sa.Column("history_claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("history_base_seq", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("resume_seq", sa.BigInteger, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        for name in (
            "resume_seq",
            "history_base_seq",
            "history_claimed_at",
            "history_claimed_by",
            "history_wanted_at",
        ):
            batch.drop_column(name)
