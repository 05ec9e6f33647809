"""好差评: a rating's scale and a 差评's reason; the follow-ups of 差评

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

from queue_server.store.tables import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every rating stored so far was on the four-level scale: the server default says so.
    op.add_column('ratings', sa.Column('scale', sa.String(16), nullable=False, server_default='legacy4'))
    op.add_column('ratings', sa.Column('reason', sa.String(16), nullable=True))
    op.add_column('ratings', sa.Column('reason_text', sa.String(200), nullable=False, server_default=''))
    op.create_table(
        'followups',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall', sa.String(32), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('matter', sa.Integer(), nullable=False),
        sa.Column('opened_at', UTCDateTime(), nullable=False),
        sa.Column('due', sa.Date(), nullable=False),
        sa.Column('state', sa.String(16), nullable=False),
        sa.Column('assignee', sa.String(64), nullable=True),
        sa.Column('called_back', UTCDateTime(), nullable=True),
        sa.Column('result', sa.Text(), nullable=True),
        sa.Column('closed_at', UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_followups')),
        sa.UniqueConstraint('ticket_id', 'matter', name=op.f('uq_followups_ticket_id_matter')),
    )
    op.create_index('ix_followups_open', 'followups', ['hall', 'state', 'due'])


def downgrade() -> None:
    op.drop_index('ix_followups_open', table_name='followups')
    op.drop_table('followups')
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_column('reason_text')
        batch_op.drop_column('reason')
        batch_op.drop_column('scale')
