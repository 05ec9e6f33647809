"""a device token may belong to one window (a rating device); a device's state, to the token reporting it

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tokens', sa.Column('window', sa.Integer(), nullable=True))
    op.add_column('devices', sa.Column('owner', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tokens', schema=None) as batch_op:
        batch_op.drop_column('window')
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('owner')
