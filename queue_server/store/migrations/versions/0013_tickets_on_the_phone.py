"""tickets on the phone: a ticket away from the queue (not arrived, stepped out), the holder's confirmed
phone, SMS codes, bookings' reminder numbers, and outbox messages about no ticket

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

from queue_server.store.tables import UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('absent', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('back_at', UTCDateTime(), nullable=True))
        batch_op.create_index('ix_tickets_phone', ['hall', 'day', 'phone_hash'], unique=False)
    with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
    op.create_table(
        'phone_codes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall', sa.String(length=32), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes')),
    )
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.create_index('ix_phone_codes_phone', ['hall', 'phone_hash'], unique=False)
    op.create_table(
        'booking_phones',
        sa.Column('appointment_id', sa.Integer(), nullable=False),
        sa.Column('hall', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('appointment_id', name=op.f('pk_booking_phones')),
    )
    with op.batch_alter_table('booking_phones', schema=None) as batch_op:
        batch_op.create_index('ix_booking_phones_day', ['hall', 'day'], unique=False)


def downgrade() -> None:
    op.drop_table('booking_phones')
    op.drop_table('phone_codes')
    with op.batch_alter_table('notify_outbox', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_phone')
        batch_op.drop_column('back_at')
        batch_op.drop_column('absent')
        batch_op.drop_column('phone_hash')
