"""The MSSanté outbox: messages to send through the professional's own mailbox.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-11

Issue 21: a member without ESCAP Desktop (the médecin traitant first) receives the care plan as
an MSSanté message with an IHE XDM archive. Each message is kept here, whole, until the
operator's server has accepted it, so nothing is lost when the computer is offline or the
application is killed, and a resend carries the same Message-ID. Only a new table.
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("escap_id", sa.String(length=32), nullable=True),
        sa.Column("patient_id", sa.String(length=32), nullable=True),
        sa.Column("recipient_id", sa.String(length=32), nullable=True),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("message", sa.LargeBinary(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("maybe_sent", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=27), nullable=False),
        sa.Column("next_attempt_at", sa.String(length=27), nullable=False),
        sa.Column("claimed_by", sa.String(length=32), nullable=True),
        sa.Column("claimed_at", sa.String(length=27), nullable=True),
        sa.Column("sent_at", sa.String(length=27), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id"),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_mail_outbox_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_mail_outbox_escap_id", ["escap_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_mail_outbox_escap_id")
        batch_op.drop_index("ix_mail_outbox_due")
    op.drop_table("mail_outbox")
