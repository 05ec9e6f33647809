"""the moving variance of a service's call time, for the wait estimate's range

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('service_stats', sa.Column('var_service_s', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('service_stats', schema=None) as batch_op:
        batch_op.drop_column('var_service_s')
