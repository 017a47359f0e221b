"""Initial schema: one table per entity of core.entities.

Revision ID: 0001
Revises:
Create Date: 2025-06-01

Written with plain SQLAlchemy types (never the store's column types), so that this step keeps
meaning exactly what it meant when released, whatever later versions do to models.py.
"""

from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.String(length=27), nullable=False),
    sa.Column('responsible_id', sa.String(length=32), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('recurrence', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('mt_validated_on', sa.Date(), nullable=True),
    sa.Column('mt_received_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.String(length=27), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('audit_entry',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('at', sa.String(length=27), nullable=False),
    sa.Column('actor_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('entity_type', sa.String(length=60), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=True),
    sa.Column('summary', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('id')
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entry_patient', ['patient_id', 'at'], unique=False)

    op.create_table('billing_record',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('professional_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('billed_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('consent',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.Column('collected_by', sa.String(length=32), nullable=False),
    sa.Column('scopes', sa.Text(), nullable=False),
    sa.Column('recipient_ids', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('form_reference', sa.String(length=200), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('signatory', sa.String(length=200), nullable=False),
    sa.Column('legal_representative', sa.Boolean(), nullable=False),
    sa.Column('scan_path', sa.Text(), nullable=False),
    sa.Column('scan_sha256', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('escap',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.String(length=27), nullable=False),
    sa.Column('state', sa.String(length=40), nullable=False),
    sa.Column('episode', sa.Integer(), nullable=False),
    sa.Column('activated_at', sa.String(length=27), nullable=True),
    sa.Column('closed_at', sa.String(length=27), nullable=True),
    sa.Column('exit_reason', sa.String(length=40), nullable=True),
    sa.Column('exit_note', sa.Text(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('event',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('recorded_by', sa.String(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('assessment_id', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('grid_assessment',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.Column('assessor_id', sa.String(length=32), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('grid_id', sa.String(length=100), nullable=False),
    sa.Column('grid_version', sa.String(length=40), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('situation', sa.Text(), nullable=False),
    sa.Column('prerequisites_met', sa.Text(), nullable=False),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('at_home', sa.Boolean(), nullable=False),
    sa.Column('is_reevaluation', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.String(length=27), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('local_profile',
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('professional_id', sa.String(length=32), nullable=False),
    sa.Column('device_name', sa.String(length=200), nullable=False),
    sa.Column('idle_lock_minutes', sa.Integer(), nullable=False),
    sa.Column('relay_url', sa.Text(), nullable=False),
    sa.Column('grid_path', sa.Text(), nullable=False),
    sa.CheckConstraint('slot = 1', name='ck_local_profile_single_row'),
    sa.PrimaryKeyConstraint('slot')
    )
    op.create_table('membership',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('professional_id', sa.String(length=32), nullable=False),
    sa.Column('invited_by', sa.String(length=32), nullable=False),
    sa.Column('invited_at', sa.String(length=27), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('responded_at', sa.String(length=27), nullable=True),
    sa.Column('left_at', sa.String(length=27), nullable=True),
    sa.Column('join_code', sa.String(length=100), nullable=False),
    sa.Column('invitation_printed_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('message',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('author_id', sa.String(length=32), nullable=False),
    sa.Column('sent_at', sa.String(length=27), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('patient',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('birth_name', sa.String(length=200), nullable=False),
    sa.Column('first_names', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=40), nullable=False),
    sa.Column('birth_place_code', sa.String(length=10), nullable=False),
    sa.Column('used_name', sa.String(length=200), nullable=False),
    sa.Column('used_first_name', sa.String(length=200), nullable=False),
    sa.Column('ins', sa.String(length=15), nullable=False),
    sa.Column('identity_status', sa.String(length=40), nullable=False),
    sa.Column('medecin_traitant_id', sa.String(length=32), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('identity_document', sa.String(length=40), nullable=True),
    sa.Column('identity_verified_by', sa.String(length=32), nullable=True),
    sa.Column('identity_verified_on', sa.Date(), nullable=True),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.Column('sort_key', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )

    op.create_table('professional',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('last_name', sa.String(length=200), nullable=False),
    sa.Column('first_name', sa.String(length=200), nullable=False),
    sa.Column('profession', sa.String(length=40), nullable=False),
    sa.Column('identifier_kind', sa.String(length=40), nullable=False),
    sa.Column('identifier', sa.String(length=40), nullable=False),
    sa.Column('specialty', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('town', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('mssante', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('encryption_public_key', sa.Text(), nullable=False),
    sa.Column('signing_public_key', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('message_read',
    sa.Column('message_id', sa.String(length=32), nullable=False),
    sa.Column('professional_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('message_id', 'professional_id')
    )
    op.create_table('patient_caregiver',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('relationship', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient_caregiver', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_caregiver_patient_id'), ['patient_id'], unique=False)

    op.create_table('patient_other_scheme',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('patient_id', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('since', sa.Date(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient_other_scheme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_other_scheme_patient_id'), ['patient_id'], unique=False)


def downgrade() -> None:
    op.drop_table("patient_other_scheme")
    op.drop_table("patient_caregiver")
    op.drop_table("message_read")
    op.drop_table("professional")
    op.drop_table("patient")
    op.drop_table("message")
    op.drop_table("membership")
    op.drop_table("local_profile")
    op.drop_table("grid_assessment")
    op.drop_table("event")
    op.drop_table("escap")
    op.drop_table("consent")
    op.drop_table("billing_record")
    op.drop_table("audit_entry")
    op.drop_table("action")
