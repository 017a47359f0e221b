"""An RPPS number is a discovery hint, not a binding; invitations carry the invitee's proof.

The first device to register an RPPS number kept it and locked the real professional out (409),
and an invitation by RPPS went to whoever registered first. Now several devices may give the
same number, an acceptance carries the invitee's proof of the invitation's one-time code, and
the invitee joins the team only when the inviter's device, having checked that proof, confirms.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_constraint("uq_devices_rpps", type_="unique")
        batch.create_index("ix_devices_rpps", ["rpps"])
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("proof", sa.LargeBinary(32), nullable=True))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("proof")
    with op.batch_alter_table("devices") as batch:
        batch.drop_index("ix_devices_rpps")
        batch.create_unique_constraint("uq_devices_rpps", ["rpps"])
