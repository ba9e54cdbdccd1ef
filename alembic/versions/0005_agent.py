"""agent workspace: canned responses, agent availability for round-robin

Revision ID: 0005_agent
Revises: 0004_kb_search
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = '0005_agent'
down_revision = '0004_kb_search'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'canned_responses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('available_for_assignment', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('available_for_assignment')
    op.drop_table('canned_responses')
