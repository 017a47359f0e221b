"""The sync module's tables: outbox, replay guard, clocks, teams, keys and invitations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Offline-first sync writes each shared change to ``sync_outbox`` in the same transaction as the
change itself, and applies each received record together with its ``sync_applied`` row (the
replay guard), its ``sync_clock`` row (hybrid logical clocks per merge group) and the team's
pull cursor in ``sync_team``. Team keys live in ``sync_team_key``, protected by the store key.
Only new tables: existing rows are untouched, so no data step is needed.
"""

from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = [
    "sync_team_key",
    "sync_team_device",
    "sync_team",
    "sync_state",
    "sync_shared",
    "sync_parked",
    "sync_outbox",
    "sync_invitation",
    "sync_clock",
    "sync_applied",
]


def upgrade() -> None:
    op.create_table('sync_applied',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('digest', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'record_id')
    )
    op.create_table('sync_clock',
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=32), nullable=False),
    sa.Column('clocks', sa.Text(), nullable=False),
    sa.Column('hashes', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('entity_type', 'entity_id')
    )
    op.create_table('sync_invitation',
    sa.Column('invitation_id', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('membership_id', sa.String(length=32), nullable=False),
    sa.Column('peer_device_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.String(length=27), nullable=False),
    sa.PrimaryKeyConstraint('invitation_id')
    )
    with op.batch_alter_table('sync_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_invitation_membership_id'), ['membership_id'], unique=False)

    op.create_table('sync_outbox',
    sa.Column('seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_id', sa.String(length=32), nullable=False),
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=32), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=True),
    sa.Column('envelope', sa.LargeBinary(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('relay_seq', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.String(length=27), nullable=False),
    sa.Column('sent_at', sa.String(length=27), nullable=True),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('record_id')
    )
    with op.batch_alter_table('sync_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_sync_outbox_status_seq', ['status', 'seq'], unique=False)

    op.create_table('sync_parked',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.String(length=64), nullable=False),
    sa.Column('relay_seq', sa.Integer(), nullable=False),
    sa.Column('envelope', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'record_id')
    )
    op.create_table('sync_shared',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'entity_type', 'entity_id')
    )
    op.create_table('sync_state',
    sa.Column('slot', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('node_id', sa.String(length=32), nullable=False),
    sa.Column('hlc_ms', sa.Integer(), nullable=False),
    sa.Column('hlc_counter', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=True),
    sa.Column('signing_key', sa.LargeBinary(), nullable=True),
    sa.Column('encryption_key', sa.LargeBinary(), nullable=True),
    sa.Column('key_slot', sa.String(length=32), nullable=False),
    sa.Column('key_storage', sa.String(length=20), nullable=False),
    sa.Column('registered_url', sa.Text(), nullable=False),
    sa.Column('key_cursor', sa.Integer(), nullable=False),
    sa.Column('last_sync_at', sa.String(length=27), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.CheckConstraint('slot = 1', name='ck_sync_state_single_row'),
    sa.PrimaryKeyConstraint('slot')
    )
    op.create_table('sync_team',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('escap_id', sa.String(length=32), nullable=False),
    sa.Column('is_admin', sa.Boolean(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('review', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.String(length=27), nullable=False),
    sa.PrimaryKeyConstraint('team_id')
    )
    with op.batch_alter_table('sync_team', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sync_team_escap_id'), ['escap_id'], unique=False)

    op.create_table('sync_team_device',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=32), nullable=False),
    sa.Column('signing_key', sa.LargeBinary(), nullable=False),
    sa.Column('encryption_key', sa.LargeBinary(), nullable=False),
    sa.Column('professional_wire_id', sa.String(length=32), nullable=True),
    sa.Column('max_key_version', sa.Integer(), nullable=True),
    sa.Column('delivered_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'device_id')
    )
    op.create_table('sync_team_key',
    sa.Column('team_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('key', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'version')
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
