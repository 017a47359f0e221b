"""Two records of one patient met on this computer: the merges done, proposed or refused.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

A colleague who joins a team for a patient they already follow had a second record of them;
the merge keeps the absorbed record whole here (``other_version``), so nothing is lost and the
access trail of the kept record includes the absorbed one's.
"""

from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_merge",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kept_id", sa.String(length=32), nullable=False),
        sa.Column("other_id", sa.String(length=32), nullable=False),
        sa.Column("other_version", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("found_at", sa.String(length=27), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.String(length=27), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_patient_merge_kept", "patient_merge", ["kept_id"])
    op.create_index("ix_patient_merge_other", "patient_merge", ["other_id"])


def downgrade() -> None:
    op.drop_index("ix_patient_merge_other", table_name="patient_merge")
    op.drop_index("ix_patient_merge_kept", table_name="patient_merge")
    op.drop_table("patient_merge")
