"""privacy: mark anonymized accounts (GDPR erasure keeps tickets, forgets the person)

Revision ID: 0007_privacy
Revises: 0006_agent_extra
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_privacy'
down_revision = '0006_agent_extra'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('anonymized_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('anonymized_at')
