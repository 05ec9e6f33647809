"""idempotency keys checked against a keyed hash of the request

Revision ID: 0004
Revises: 0003

Earlier rows hold an unkeyed SHA-256 of a body with the raw ID number in it. They cannot be rekeyed
without that number, and an Idempotency-Key only guards a kiosk's retries of a few seconds, so they go.
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM idempotency")


def downgrade() -> None:
    pass
