"""Initial relay schema: devices, teams and members, envelopes, key deliveries, invitations.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(32), primary_key=True),
        sa.Column("signing_key", sa.LargeBinary(32), nullable=False),
        sa.Column("encryption_key", sa.LargeBinary(32), nullable=False),
        sa.Column("rpps", sa.String(11), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("rpps", name="uq_devices_rpps"),
    )
    op.create_table(
        "teams",
        sa.Column("team_id", sa.String(64), primary_key=True),
        sa.Column(
            "admin_device_id",
            sa.String(32),
            sa.ForeignKey("devices.device_id", name="fk_teams_admin"),
            nullable=False,
        ),
        sa.Column("head_seq", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "team_members",
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_team_members_team"),
            primary_key=True,
        ),
        sa.Column(
            "device_id",
            sa.String(32),
            sa.ForeignKey("devices.device_id", name="fk_team_members_device"),
            primary_key=True,
        ),
        sa.Column("added_by", sa.String(32), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_team_members_device", "team_members", ["device_id"])
    op.create_table(
        "envelopes",
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_envelopes_team"),
            primary_key=True,
        ),
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("record_id", sa.String(64), nullable=False),
        sa.Column("author_id", sa.String(32), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("team_id", "record_id", name="uq_envelopes_team_record"),
    )
    op.create_table(
        "key_deliveries",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_key_deliveries_team"),
            nullable=False,
        ),
        sa.Column("key_version", sa.Integer, nullable=False),
        sa.Column(
            "recipient_id",
            sa.String(32),
            sa.ForeignKey("devices.device_id", name="fk_key_deliveries_recipient"),
            nullable=False,
        ),
        sa.Column("sender_id", sa.String(32), nullable=False),
        sa.Column("sealed_key", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "team_id", "key_version", "recipient_id", name="uq_key_deliveries_version_recipient"
        ),
    )
    op.create_index("ix_key_deliveries_recipient", "key_deliveries", ["recipient_id", "id"])
    op.create_table(
        "invitations",
        sa.Column("invitation_id", sa.String(64), primary_key=True),
        sa.Column(
            "team_id",
            sa.String(64),
            sa.ForeignKey("teams.team_id", name="fk_invitations_team"),
            nullable=False,
        ),
        sa.Column("inviter_id", sa.String(32), nullable=False),
        sa.Column(
            "invitee_id",
            sa.String(32),
            sa.ForeignKey("devices.device_id", name="fk_invitations_invitee"),
            nullable=False,
        ),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("signature", sa.LargeBinary(64), nullable=False),
        sa.Column("withheld_keys", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_invitations_invitee", "invitations", ["invitee_id"])
    op.create_index("ix_invitations_inviter", "invitations", ["inviter_id"])


def downgrade() -> None:
    op.drop_table("invitations")
    op.drop_table("key_deliveries")
    op.drop_table("envelopes")
    op.drop_table("team_members")
    op.drop_table("teams")
    op.drop_table("devices")
