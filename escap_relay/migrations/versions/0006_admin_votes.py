"""Administrators named by two members when no administrator can act.

- ``admin_votes``: a member device that is no administrator asks for another member device to
  be named one; two such requests from two other member devices name it. Without it, a team
  whose only administrator's computer is lost (the médecin traitant who also opened the
  ESCAP) could never name her new computer, nor remove the lost one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_votes",
        sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.team_id"), primary_key=True),
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("voter_id", sa.String(32), primary_key=True),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("admin_votes")
