"""initial schema

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa
import queue_server.store.tables


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('slot', sa.String(length=5), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments')),
    sa.UniqueConstraint('hall', 'code', name=op.f('uq_appointments_hall_code'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_slot', ['hall', 'service', 'day', 'slot'], unique=False)

    op.create_table('counters',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'service', 'day', name=op.f('pk_counters'))
    )
    op.create_table('devices',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('since', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'device', name=op.f('pk_devices'))
    )
    op.create_table('events',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('ts', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.Column('actor', sa.JSON(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'seq', name=op.f('pk_events'))
    )
    op.create_table('halls',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('config_hash', sa.String(length=64), nullable=False),
    sa.Column('event_seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_halls'))
    )
    op.create_table('idempotency',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('created_at', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'key', name=op.f('pk_idempotency'))
    )
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('matter', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('window', sa.Integer(), nullable=True),
    sa.Column('clerk', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('ts', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('ticket_id', 'matter', name=op.f('uq_ratings_ticket_id_matter'))
    )
    op.create_table('service_stats',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('avg_service_s', sa.Float(), nullable=False),
    sa.Column('samples', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('hall', 'service', name=op.f('pk_service_stats'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=True),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('staff_no', sa.String(length=32), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('number', sa.String(length=8), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('klass', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('service', sa.String(length=32), nullable=False),
    sa.Column('current', sa.Integer(), nullable=False),
    sa.Column('matters', sa.JSON(), nullable=False),
    sa.Column('issued_at', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.Column('queued_at', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.Column('rank_key', sa.Float(), nullable=False),
    sa.Column('front', sa.Boolean(), nullable=False),
    sa.Column('window', sa.Integer(), nullable=True),
    sa.Column('recalls', sa.Integer(), nullable=False),
    sa.Column('no_show_at', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.Column('slot_start', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.Column('slot_end', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.Column('appointment', sa.String(length=16), nullable=True),
    sa.Column('id_hash', sa.String(length=64), nullable=True),
    sa.Column('masked_name', sa.String(length=64), nullable=True),
    sa.Column('issued_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], name=op.f('fk_tickets_hall_halls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('hall', 'day', 'number', name=op.f('uq_tickets_hall_day_number')),
    sa.UniqueConstraint('token', name=op.f('uq_tickets_token'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_person', ['hall', 'day', 'id_hash'], unique=False)
        batch_op.create_index('ix_tickets_queue', ['hall', 'state', 'service', 'rank_key'], unique=False)

    op.create_table('tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('hall', sa.String(length=32), nullable=True),
    sa.Column('created_at', queue_server.store.tables.UTCDateTime(), nullable=False),
    sa.Column('expires_at', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_tokens'))
    )
    op.create_table('windows',
    sa.Column('hall', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('pause_reason', sa.String(length=200), nullable=True),
    sa.Column('clerk_id', sa.Integer(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('priority_streak', sa.Integer(), nullable=False),
    sa.Column('state_since', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.Column('last_call_at', queue_server.store.tables.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['clerk_id'], ['users.id'], name=op.f('fk_windows_clerk_id_users')),
    sa.ForeignKeyConstraint(['hall'], ['halls.id'], name=op.f('fk_windows_hall_halls')),
    sa.PrimaryKeyConstraint('hall', 'number', name=op.f('pk_windows'))
    )


def downgrade() -> None:
    op.drop_table('windows')
    op.drop_table('tokens')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue')
        batch_op.drop_index('ix_tickets_person')

    op.drop_table('tickets')
    op.drop_table('users')
    op.drop_table('service_stats')
    op.drop_table('ratings')
    op.drop_table('idempotency')
    op.drop_table('halls')
    op.drop_table('events')
    op.drop_table('devices')
    op.drop_table('counters')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_slot')

    op.drop_table('appointments')
