"""Several administrators per team, and key versions created by one of them only.

- ``team_members.is_admin``: the devices that may remove members, make other devices
  administrators and renew the team's keys; the team's creator first, then the devices its
  clients' rule names (``core.rules.team.may_administer``: the médecin traitant's and the
  creator's). Existing teams: their creator's device (``teams.admin_device_id``).
- ``key_versions``: which device created each renewed key version. Two administrators who renew
  the keys at the same moment would make two different keys under one version; the relay lets
  the first claim it (the other's client drops its own and receives the first's).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("team_members") as batch:
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(
        "UPDATE team_members SET is_admin = TRUE WHERE device_id = "
        "(SELECT admin_device_id FROM teams WHERE teams.team_id = team_members.team_id)"
    )
    op.create_table(
        "key_versions",
        sa.Column("team_id", sa.String(64), sa.ForeignKey("teams.team_id"), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("creator_id", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("key_versions")
    with op.batch_alter_table("team_members") as batch:
        batch.drop_column("is_admin")
