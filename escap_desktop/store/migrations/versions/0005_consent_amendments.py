"""Consent amendments (kinds of recipients, amendment number and date, keys rotated for them);
the code an invitee types to prove the invitation is theirs; the patient indexes of the
duplicate lookup (same INS, same birth date) done before a patient is created.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

The patient may change the consent's scope once the team exists (refuse social sharing, accept
a social worker): the consent keeps the amendment number and date, and the professions the
patient accepts without naming anyone. The admin's team row remembers which amendment it last
rotated the category keys for. Existing rows read as "as signed" (0) with no kinds of recipients.
"""

from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_patient_ins", "patient", ["ins"])
    op.create_index("ix_patient_birth_date", "patient", ["birth_date"])
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recipient_professions", sa.Text(), nullable=False, server_default="[]")
        )
        batch_op.add_column(
            sa.Column("amendment", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("amended_on", sa.Date(), nullable=True))
    with op.batch_alter_table("sync_team", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("consent_amendment", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("sync_invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("join_code", sa.String(length=40), nullable=False, server_default="")
        )


def downgrade() -> None:
    op.drop_index("ix_patient_birth_date", table_name="patient")
    op.drop_index("ix_patient_ins", table_name="patient")
    with op.batch_alter_table("sync_invitation", schema=None) as batch_op:
        batch_op.drop_column("join_code")
    with op.batch_alter_table("sync_team", schema=None) as batch_op:
        batch_op.drop_column("consent_amendment")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_column("amended_on")
        batch_op.drop_column("amendment")
        batch_op.drop_column("recipient_professions")
