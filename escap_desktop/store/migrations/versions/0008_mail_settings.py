"""The professional's MSSanté mailbox settings (sending server, port, TLS mode, login, sender;
the optional reading server).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Also the outbox's ``covers`` column: the records a digest of the team's news carried.

Issue 21: the settings live beside the local profile, in the encrypted store, one row; the
password is never here (the OS keyring keeps it). The IMAP server (``imap_host`` "" when the
replies are not read) uses the same login and password. Only a new table.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_settings",
        sa.Column("slot", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("tls", sa.String(length=20), nullable=False),
        sa.Column("login", sa.String(length=320), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("ca_file", sa.Text(), nullable=False),
        sa.Column("imap_host", sa.String(length=253), nullable=False),
        sa.Column("imap_port", sa.Integer(), nullable=False),
        sa.Column("imap_tls", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.String(length=27), nullable=False),
        sa.CheckConstraint("slot = 1", name="ck_mail_settings_single_row"),
        sa.PrimaryKeyConstraint("slot"),
    )


    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("covers", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_column("covers")
    op.drop_table("mail_settings")
