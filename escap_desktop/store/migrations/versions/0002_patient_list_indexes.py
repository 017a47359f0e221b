"""The patient list: its table of figures, and indexes for the per-ESCAP lookups.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-02

The patient list picks, for every patient, the latest episode, its last grid score, its accepted
members, its next action due and its unread messages; without these indexes each of those is a
full table scan per patient. The indexes also carry the columns those lookups read, so SQLite
answers from the index alone and never decrypts the (large) rows behind it.

The figures themselves are kept in ``patient_list``, one row per patient, refreshed by each unit
of work for the patients it touched. The table is created empty here: the store fills it at the
next opening (it rebuilds the list whenever ``PRAGMA user_version`` is not the list version).
"""

from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_patient_sort_key", "patient", ["sort_key"]),
    ("ix_escap_patient_episode", "escap", ["patient_id", "episode", "created_at", "id"]),
    ("ix_membership_escap_status", "membership", ["escap_id", "status", "professional_id"]),
    ("ix_consent_escap", "consent", ["escap_id"]),
    ("ix_grid_assessment_escap", "grid_assessment", ["escap_id", "assessed_on", "recorded_at", "id", "score"]),
    ("ix_action_escap_status_due", "action", ["escap_id", "status", "due_on", "created_at", "id"]),
    ("ix_message_escap_sent", "message", ["escap_id", "sent_at", "author_id", "id"]),
    ("ix_event_escap", "event", ["escap_id", "occurred_on"]),
    ("ix_billing_record_escap", "billing_record", ["escap_id"]),
]


def upgrade() -> None:
    op.create_table(
        "patient_list",
        sa.Column("patient_id", sa.String(length=32), nullable=False),
        sa.Column("escap_id", sa.String(length=32), nullable=True),
        sa.Column("escap_state", sa.String(length=40), nullable=True),
        sa.Column("last_score", sa.Integer(), nullable=True),
        sa.Column("team_size", sa.Integer(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("next_action", sa.Text(), nullable=False),
        sa.Column("unread_messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("patient_id"),
    )
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(name)
    op.drop_table("patient_list")
