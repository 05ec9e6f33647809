"""Tickets: the first matter's service and the next matter's, as columns

The queue's estimates need, per ticket, the service it was issued for and the one it goes on to
next; read out of the matters list they cost a JSON decode of every ticket in the queue at every
issue and call. Indexed by class and issue time, the priority tickets of the last hour (those that
can overtake) are read by a range.

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('first_service', sa.String(32), nullable=False, server_default=''))
    op.add_column('tickets', sa.Column('next_service', sa.String(32), nullable=True))
    tickets = sa.table(
        'tickets', sa.column('id', sa.Integer), sa.column('current', sa.Integer), sa.column('matters', sa.JSON),
        sa.column('first_service', sa.String), sa.column('next_service', sa.String),
    )
    conn = op.get_bind()
    for row in conn.execute(sa.select(tickets.c.id, tickets.c.current, tickets.c.matters)).all():
        following = row.matters[row.current + 1]['service'] if row.current + 1 < len(row.matters) else None
        conn.execute(
            tickets.update()
            .where(tickets.c.id == row.id)
            .values(first_service=row.matters[0]['service'], next_service=following)
        )
    op.create_index('ix_tickets_issued', 'tickets', ['hall', 'klass', 'issued_at'])


def downgrade() -> None:
    op.drop_index('ix_tickets_issued', table_name='tickets')
    op.drop_column('tickets', 'next_service')
    op.drop_column('tickets', 'first_service')
