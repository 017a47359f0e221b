"""The team's file this device sends again to a colleague who lost part of it; key renewals
not claimed on the relay yet (issue 18).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

``sync_team.resend_base`` is the relay cursor the resend covers (this device had applied every
envelope up to it) and ``resend_upto`` the last outbox row of the resend: once every row up to it
is pushed, the next cycle tells the relay the resend is complete, even after a crash between the
two. Both NULL when no resend is under way.

``sync_team_device.vouched``: a member vouched for the device's keys (proof of an invitation's
code checked here, an invitation it signed accepted here, a member's signed professional record
carrying them); only such devices get or send team keys — not one the relay alone lists.

``sync_device_request``: a member's new computer a colleague asked, from here, to bring into a
team, with the one-time code it must prove (never sent), and whether it replaces a lost one;
``sync_team_device.retired``: such a lost computer, which this administrator's device removes.

``sync_team_key.pending``: a key generation this (administrator's) device renewed and has not
claimed on the relay yet; it is neither used nor delivered until the claim succeeds, and goes if
another administrator's renewal claimed its versions first. Existing keys are usable (false).
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resend_base", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("resend_upto", sa.Integer(), nullable=True))
    with op.batch_alter_table("sync_team_key", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("sync_team_device", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vouched", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "sync_device_request",
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=64), nullable=False),
        sa.Column("membership_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("replaces", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.String(length=27), nullable=False),
        sa.Column("done_at", sa.String(length=27), nullable=True),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index(
        "ix_sync_device_request_membership_id", "sync_device_request", ["membership_id"]
    )
    # The devices known so far were trusted as they came: kept so, or an upgraded team would
    # stop delivering keys to its members. From now on a device only the relay lists is not.
    op.execute("UPDATE sync_team_device SET vouched = 1")


def downgrade() -> None:
    op.drop_index("ix_sync_device_request_membership_id", table_name="sync_device_request")
    op.drop_table("sync_device_request")
    with op.batch_alter_table("sync_team_device", schema=None) as batch_op:
        batch_op.drop_column("retired")
        batch_op.drop_column("vouched")
    with op.batch_alter_table("sync_team_key", schema=None) as batch_op:
        batch_op.drop_column("pending")
    with op.batch_alter_table("sync_team", schema=None) as batch_op:
        batch_op.drop_column("resend_upto")
        batch_op.drop_column("resend_base")
