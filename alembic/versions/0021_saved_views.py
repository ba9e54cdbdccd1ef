"""saved_views: agents' personal queue views

Revision ID: 0021_saved_views
Revises: 0020_merges

- saved_views: one row per view an agent saved from the queue (/agent): its name, the
  normalized query string (only the queue's known filter keys, see services/saved_views.py),
  its place in the agent's list and when it was made. Names are unique per agent.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0021_saved_views'
down_revision = '0020_merges'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'saved_views',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False, server_default=''),
        sa.Column('position', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('user_id', 'name', name='uq_saved_views_user_name'),
    )
    op.create_index('ix_saved_views_user_id', 'saved_views', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_saved_views_user_id', table_name='saved_views')
    op.drop_table('saved_views')
