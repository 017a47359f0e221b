"""Indexes for the patient list and for the per-ESCAP lookups.

Revision ID: 0002
Revises: 0001
Create Date: 2025-06-02

The patient list picks, for every patient, the latest episode, its last grid score, its accepted
members, its next action due and its unread messages; without these indexes each of those is a
full table scan per patient.
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_patient_sort_key", "patient", ["sort_key"]),
    ("ix_escap_patient_episode", "escap", ["patient_id", "episode", "created_at"]),
    ("ix_membership_escap_status", "membership", ["escap_id", "status"]),
    ("ix_consent_escap", "consent", ["escap_id"]),
    ("ix_grid_assessment_escap", "grid_assessment", ["escap_id", "assessed_on"]),
    ("ix_action_escap_status_due", "action", ["escap_id", "status", "due_on"]),
    ("ix_message_escap_sent", "message", ["escap_id", "sent_at"]),
    ("ix_event_escap", "event", ["escap_id", "occurred_on"]),
    ("ix_billing_record_escap", "billing_record", ["escap_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_index(name)
