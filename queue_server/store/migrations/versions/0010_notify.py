"""text messages: phone numbers given for a ticket, the outbox, the notifier's cursor

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

from queue_server.store.tables import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notify_phones',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('hall', sa.String(length=32), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('family', sa.Boolean(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_notify_phones')),
    )
    op.create_index('ix_notify_phones_day', 'notify_phones', ['hall', 'day'], unique=False)
    op.create_table(
        'notify_outbox',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall', sa.String(length=32), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('key', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('detail', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notify_outbox')),
        sa.UniqueConstraint('hall', 'ticket_id', 'kind', 'key', name=op.f('uq_notify_outbox_hall_ticket_id_kind_key')),
    )
    op.create_index('ix_notify_outbox_state', 'notify_outbox', ['hall', 'state'], unique=False)
    op.create_table(
        'notify_cursor',
        sa.Column('hall', sa.String(length=32), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('hall', name=op.f('pk_notify_cursor')),
    )


def downgrade() -> None:
    op.drop_table('notify_cursor')
    op.drop_index('ix_notify_outbox_state', table_name='notify_outbox')
    op.drop_table('notify_outbox')
    op.drop_index('ix_notify_phones_day', table_name='notify_phones')
    op.drop_table('notify_phones')
