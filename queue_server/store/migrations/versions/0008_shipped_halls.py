"""a hall whose event log is shipped here from its own server (a township hall seen by the city)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('halls', sa.Column('shipped', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('halls', schema=None) as batch_op:
        batch_op.drop_column('shipped')
